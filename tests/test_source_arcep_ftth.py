"""Source ``arcep_ftth``: the ARCEP observatoire workbook, sheet ``Communes``."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import pytest

from dashboard.erreurs import ErreurFormat, SourceIndisponible
from dashboard.sources import source
from dashboard.sources.arcep_deploiements import (
    FICHIER,
    SOURCE,
    URL_API,
    choisir_ressource,
    lire_code,
)
from dashboard.sources.base import Contexte
from dashboard.sources.classeur import ErreurClasseur
from tests.conftest import FIXTURES
from tests.fixtures.arcep_ftth import generer_fixtures as gf

DOSSIER = FIXTURES / "arcep_ftth"
COLONNES = ["code", "niveau", "trimestre", "date", "locaux_raccordables", "meilleure_estimation_locaux",
            "locaux_en_construction", "commune_rurale"]
TRIMESTRES = [("T2 2025", "2025-06-30"), ("T3 2025", "2025-09-30"), ("T4 2025", "2025-12-31"),
              ("T1 2026", "2026-03-31"), ("T2 2026", "2026-06-30")]
NA = pd.NA


@pytest.fixture
def contexte_test(territoire):
    """3 communes of the territory; small comparison areas so the fixture rows cover them."""
    return Contexte(territoire, frozenset({"56121", "56098", "56188"}),
                    (("departement", "56", 4), ("region", "53", 5), ("pays", "FR", 6)))


def _lire(contenu: bytes, contexte: Contexte):
    return SOURCE.lire_et_valider({FICHIER: contenu}, contexte)


def _attendu(series: list[tuple[str, str, list, object, object, object]],
             trimestres: list[tuple[str, str]] = TRIMESTRES) -> pd.DataFrame:
    """``(code, niveau, raccordables par trimestre, estimation, construction, rurale)`` → frame."""
    lignes = [
        (code, niveau, t, d, v, estimation, construction, rurale)
        for code, niveau, valeurs, estimation, construction, rurale in series
        for (t, d), v in zip(trimestres, valeurs, strict=True)
    ]
    frame = pd.DataFrame(lignes, columns=COLONNES)
    return frame.astype({"code": "str", "niveau": "str", "trimestre": "str", "date": "str",
                         "locaux_raccordables": "Int64", "meilleure_estimation_locaux": "Int64",
                         "locaux_en_construction": "Int64", "commune_rurale": "boolean"})


# --------------------------------------------------------------------------- current layout
def test_disposition_actuelle_cadre_exact(contexte_test):
    resultat = _lire((DOSSIER / "actuel.xlsx").read_bytes(), contexte_test)
    attendu = _attendu([
        ("56098", "commune", [13000, 13100, 13200, 13300, 13400], 13600, 100, False),
        ("56121", "commune", [34000, 34500, 35000, 35200, 35400], 35880, 300, False),
        ("56188", "commune", [400, 500, NA, 700, 760], 850, 5, True),
        # Morbihan : Lorient + Lanester + Quistinic + Vannes ; T4 2025 : 3 valeurs sur 4 < 90 %
        ("56", "departement", [85400, 86600, NA, 88700, 89360], 90330, 405, NA),
        # Bretagne : + Brest
        ("53", "region", [170400, 172600, NA, 176700, 177860], 180330, 1405, NA),
        # France : + 01001 ; sa construction est vide → 5 valeurs sur 6 < 90 %
        ("FR", "france", [170500, 172750, NA, 176950, 178160], 180830, NA, NA),
    ])
    pd.testing.assert_frame_equal(resultat.frame, attendu)
    assert resultat.edition == "2026-06-30"
    assert resultat.libelle_edition == "T2 2026"
    assert resultat.lignes_lues == 6
    assert resultat.lignes_rejetees == []
    assert resultat.avertissements == [
        "obs-hd-thd-deploiement.xlsx, feuille Communes, colonne Code commune : 1 code(s) INSEE réparé(s) "
        "(zéro initial perdu ou format numérique), lignes 11",
        "obs-hd-thd-deploiement.xlsx, feuille Communes : 2 ligne(s) sans commune ignorée(s) (total ou note) : "
        "ligne 12 (« Total »), ligne 14 (note « Note : les locaux raccordables »)",
    ]


def test_disposition_ancienne_sans_colonne_construction(contexte_test):
    resultat = _lire((DOSSIER / "ancien.xlsx").read_bytes(), contexte_test)
    attendu = _attendu(
        [("56121", "commune", [20000, 25000, 30000], 35300, NA, False),
         ("56188", "commune", [0, 0, NA], 840, NA, True)],
        [("T1 2020", "2020-03-31"), ("T2 2020", "2020-06-30"), ("T3 2020", "2020-09-30")],
    )
    pd.testing.assert_frame_equal(resultat.frame, attendu)
    assert (resultat.edition, resultat.libelle_edition, resultat.lignes_lues) == ("2020-09-30", "T3 2020", 2)
    assert resultat.avertissements == [
        "obs-hd-thd-deploiement.xlsx, feuille Communes : pas de colonne « Estimation locaux en cours de "
        "construction » (ancienne mise en page) : locaux en construction inconnus, le taux de couverture "
        "est calculé sur la meilleure estimation des locaux seule",
        "obs-hd-thd-deploiement.xlsx : 1 commune(s) du territoire absente(s) de la feuille Communes : 56098",
        "obs-hd-thd-deploiement.xlsx : comparaison département 56 non calculée : 2 commune(s) présente(s) "
        "sur 4 (moins de 90 %)",
        "obs-hd-thd-deploiement.xlsx : comparaison région 53 non calculée : 2 commune(s) présente(s) "
        "sur 5 (moins de 90 %)",
        "obs-hd-thd-deploiement.xlsx : comparaison France non calculée : 2 commune(s) présente(s) "
        "sur 6 (moins de 90 %)",
    ]


def test_seuil_de_90_pour_cent(territoire):
    # Morbihan déclaré à 5 communes : 4 présentes = 80 % → pas de ligne département.
    contexte = Contexte(territoire, frozenset({"56121"}),
                        (("departement", "56", 5), ("region", "53", 5), ("pays", "FR", 6)))
    resultat = _lire((DOSSIER / "actuel.xlsx").read_bytes(), contexte)
    assert resultat.frame.groupby("niveau").size().to_dict() == {"commune": 5, "france": 5, "region": 5}
    assert ("obs-hd-thd-deploiement.xlsx : comparaison département 56 non calculée : 4 commune(s) "
            "présente(s) sur 5 (moins de 90 %)") in resultat.avertissements


def test_effectif_de_reference_inconnu(territoire):
    contexte = Contexte(territoire, frozenset({"56121"}), ())
    resultat = _lire((DOSSIER / "actuel.xlsx").read_bytes(), contexte)
    assert set(resultat.frame["niveau"]) == {"commune"}
    assert ("obs-hd-thd-deploiement.xlsx : comparaison France non calculée (nombre de communes de "
            "référence inconnu)") in resultat.avertissements


# --------------------------------------------------------------------------- variants
def _ligne(code, *valeurs, estimation=1000, construction=10, rurale=0):
    return [code, "Commune", "56", "53", "200042174", "EPCI", 900, 100, estimation, "IPE", construction,
            rurale, 0, 0, *valeurs]


def test_entete_insee_com_accepte_comme_alias(contexte_test):
    entete = ["INSEE_COM", *gf.ENTETE_ACTUEL[1:]]
    resultat = _lire(gf.actuel(entete=entete), contexte_test)
    assert resultat.frame["code"].unique().tolist() == ["56098", "56121", "56188", "56", "53", "FR"]
    assert resultat.avertissements[0] == (
        "obs-hd-thd-deploiement.xlsx, feuille Communes : en-tête « INSEE_COM » lu comme « Code commune » "
        "(codes INSEE des communes)"
    )


def test_code_texte_56121_point_0_repare(contexte_test):
    lignes = [_ligne("56121.0", 1, 2, 3, 4, 5), _ligne(56098, 1, 2, 3, 4, 5)]
    resultat = _lire(gf.actuel(lignes), contexte_test)
    assert resultat.frame.loc[resultat.frame["niveau"] == "commune", "code"].unique().tolist() == [
        "56098", "56121"]
    assert resultat.avertissements[0].endswith("1 code(s) INSEE réparé(s) (zéro initial perdu ou format "
                                               "numérique), lignes 6")


def test_estimation_a_date_et_trimestre_avec_separateurs(contexte_test):
    entete = [*gf.ENTETE_ACTUEL]
    entete[8] = "Meilleure estimation des locaux à date"
    lignes = [_ligne("56121", "1\u202f000", "1\u00a0100", "1 200", 1300.0, "1400", estimation="2\u202f000")]
    resultat = _lire(gf.actuel(lignes, entete), contexte_test)
    communes = resultat.frame[resultat.frame["niveau"] == "commune"]
    assert communes["locaux_raccordables"].tolist() == [1000, 1100, 1200, 1300, 1400]
    assert communes["meilleure_estimation_locaux"].unique().tolist() == [2000]


def test_cellule_masquee_devient_na(contexte_test):
    lignes = [_ligne("56121", "s", None, "", "nd", 5)]
    resultat = _lire(gf.actuel(lignes), contexte_test)
    valeurs = resultat.frame.loc[resultat.frame["code"] == "56121", "locaux_raccordables"]
    assert valeurs.isna().tolist() == [True, True, True, True, False]
    assert valeurs.iloc[-1] == 5


def test_cellule_non_numerique_nommee(contexte_test):
    lignes = [_ligne("56121", 1, 2, 3, 4, 5), _ligne("56098", 1, 2, 3, "12a", 5)]
    with pytest.raises(ErreurClasseur) as exc:
        _lire(gf.actuel(lignes), contexte_test)
    assert str(exc.value) == ("fichier « obs-hd-thd-deploiement.xlsx », feuille « Communes », ligne 7, "
                              "colonne « T1 2026 » : nombre invalide : « 12a »")


def test_estimation_non_numerique_nommee(contexte_test):
    lignes = [_ligne("56121", 1, 2, 3, 4, 5, estimation="beaucoup")]
    with pytest.raises(ErreurFormat) as exc:
        _lire(gf.actuel(lignes), contexte_test)
    assert (exc.value.ligne, exc.value.colonne) == (6, "Meilleure estimation des locaux T2 2026")


def test_trimestre_hors_ordre(contexte_test):
    entete = [*gf.ENTETE_ACTUEL[:14], "T2 2025", "T4 2025", "T3 2025", "T1 2026", "T2 2026"]
    with pytest.raises(ErreurClasseur) as exc:
        _lire(gf.actuel(entete=entete), contexte_test)
    assert str(exc.value) == (
        "fichier « obs-hd-thd-deploiement.xlsx », feuille « Communes », ligne 5, colonne « T3 2025 » : "
        "colonne trimestrielle hors de l'ordre chronologique : « T3 2025 » après « T4 2025 » — les colonnes "
        "de trimestres doivent aller du plus ancien au plus récent"
    )


def test_trimestre_en_double(contexte_test):
    entete = [*gf.ENTETE_ACTUEL[:14], "T2 2025", "T3 2025", "T3 2025", "T1 2026", "T2 2026"]
    with pytest.raises(ErreurClasseur, match="colonne trimestrielle en double"):
        _lire(gf.actuel(entete=entete), contexte_test)


def test_trimestre_manquant_signale(contexte_test):
    entete = [*gf.ENTETE_ACTUEL[:14], "T2 2025", "T3 2025", "T1 2026", "T2 2026", "T3 2026"]
    resultat = _lire(gf.actuel(entete=entete), contexte_test)
    assert ("obs-hd-thd-deploiement.xlsx, feuille Communes : trimestre(s) manquant(s) entre T3 2025 et "
            "T1 2026") in resultat.avertissements
    assert resultat.libelle_edition == "T3 2026"


def test_aucune_colonne_trimestre(contexte_test):
    entete = [*gf.ENTETE_ACTUEL[:14], "2025-T2", "2025-T3", "2025-T4", "2026-T1", "2026-T2"]
    with pytest.raises(ErreurClasseur) as exc:
        _lire(gf.actuel(entete=entete), contexte_test)
    assert exc.value.message == "aucune colonne de trimestre (« T1 2026 », « T2 2026 »…) dans l'en-tête"
    assert exc.value.ligne == 5


def test_colonne_estimation_absente(contexte_test):
    entete = [*gf.ENTETE_ACTUEL]
    entete[8] = "Locaux"
    with pytest.raises(ErreurClasseur) as exc:
        _lire(gf.actuel(entete=entete), contexte_test)
    assert exc.value.message.startswith("colonne « Meilleure estimation des locaux… » absente ; colonnes "
                                        "trouvées : Code commune, Nom commune")


def test_feuille_communes_absente(contexte_test):
    contenu = gf.classeur(gf.TITRES_ACTUEL, gf.ENTETE_ACTUEL, gf.LIGNES_ACTUEL, feuille="Commune")
    with pytest.raises(ErreurClasseur) as exc:
        _lire(contenu, contexte_test)
    assert exc.value.message == ("feuille « Communes » absente ; feuilles disponibles : FttH, Couverture, "
                                 "FttH par Régions, FttH par Départements, Commune")


def test_sans_ligne_entete(contexte_test):
    entete = ["Commune", *gf.ENTETE_ACTUEL[1:]]
    with pytest.raises(ErreurClasseur, match="ligne d'en-tête introuvable"):
        _lire(gf.actuel(entete=entete), contexte_test)


def test_commune_en_double(contexte_test):
    lignes = [_ligne("56121", 1, 2, 3, 4, 5), _ligne("56121", 1, 2, 3, 4, 5)]
    with pytest.raises(ErreurClasseur) as exc:
        _lire(gf.actuel(lignes), contexte_test)
    assert (exc.value.message, exc.value.ligne) == ("commune 56121 en double (déjà ligne 6)", 7)


def test_code_invalide_avec_donnees(contexte_test):
    lignes = [_ligne("56121", 1, 2, 3, 4, 5), _ligne("Lorient", 1, 2, 3, 4, 5)]
    with pytest.raises(ErreurClasseur) as exc:
        _lire(gf.actuel(lignes), contexte_test)
    assert (exc.value.message, exc.value.ligne, exc.value.colonne) == (
        "code INSEE invalide : « Lorient »", 7, "Code commune")


def test_aucune_commune_du_territoire(contexte_test):
    lignes = [_ligne("29019", 1, 2, 3, 4, 5)]
    with pytest.raises(ErreurFormat) as exc:
        _lire(gf.actuel(lignes), contexte_test)
    assert exc.value.message.startswith("aucune commune du territoire Pays de Lorient dans la feuille Communes")


def test_csv_nomme_xlsx(contexte_test):
    contenu = ("\n" * 4 + "Code commune;Meilleure estimation des locaux T2 2026;T2 2026\n56121;35\u202f880;"
               "35\u202f400\n").encode("latin-1", errors="replace")
    with pytest.raises(ErreurFormat) as exc:
        _lire(contenu, contexte_test)
    assert exc.value.message == "ce n'est pas un classeur Excel .xlsx : le fichier est un fichier texte (CSV ?)"


def test_lire_code():
    assert lire_code(56121) == ("56121", False)
    assert lire_code(56121.0) == ("56121", True)
    assert lire_code("56121.0") == ("56121", True)
    assert lire_code(1001) == ("01001", True)
    assert lire_code(" 2a004 ") == ("2A004", False)


# --------------------------------------------------------------------------- download
def _jeu() -> dict:
    return json.loads((DOSSIER / "api_datagouv_jeu.json").read_text(encoding="utf-8"))


def test_choisir_ressource_classeur_le_plus_recent():
    ressource = choisir_ressource(_jeu())
    # Deux classeurs T2 2026 : le « -vf » (last_modified le plus récent) l'emporte ; le T1 2026
    # republié après coup est plus récent en date mais d'un trimestre antérieur.
    assert ressource["title"] == "2026t2-obs-hd-thd-deploiement-vf.xlsx"
    assert ressource["url"].endswith("/20260910-092000/2026t2-obs-hd-thd-deploiement-vf.xlsx")


def test_choisir_ressource_par_date_si_titres_sans_trimestre():
    jeu = {"resources": [
        {"title": "obs-hd-thd-deploiement.xlsx", "format": "XLSX", "url": "https://static.data.gouv.fr/a.xlsx",
         "last_modified": "2026-06-01T00:00:00+00:00"},
        {"title": "obs-hd-thd-deploiement.xlsx", "format": "xlsx", "url": "https://static.data.gouv.fr/b.xlsx",
         "last_modified": "2026-09-01T00:00:00+00:00"},
    ]}
    assert choisir_ressource(jeu)["url"] == "https://static.data.gouv.fr/b.xlsx"


def test_choisir_ressource_aucune():
    jeu = {"resources": [{"title": "2026T2-Commune", "format": "zip", "url": "https://static.data.gouv.fr/c.zip"}]}
    with pytest.raises(ErreurFormat) as exc:
        choisir_ressource(jeu)
    assert exc.value.message == ("aucun classeur « obs-hd-thd-deploiement » au format xlsx dans le jeu de "
                                 "données (ressources : 2026T2-Commune)")


def test_choisir_ressource_reponse_inattendue():
    with pytest.raises(ErreurFormat, match="liste « resources » absente"):
        choisir_ressource({"message": "Not found"})


@dataclass
class _Reponse:
    contenu: bytes


def test_telecharger_interroge_l_api_puis_le_classeur():
    demandes: list[str] = []
    classeur = (DOSSIER / "actuel.xlsx").read_bytes()

    def telecharger(url: str) -> _Reponse:
        demandes.append(url)
        if url == URL_API:
            return _Reponse((DOSSIER / "api_datagouv_jeu.json").read_bytes())
        return _Reponse(classeur)

    assert SOURCE.telecharger(telecharger) == {FICHIER: classeur}
    assert demandes == [
        "https://www.data.gouv.fr/api/1/datasets/le-marche-du-haut-et-tres-haut-debit-fixe-deploiements/",
        "https://static.data.gouv.fr/resources/le-marche-du-haut-et-tres-haut-debit-fixe-deploiements/"
        "20260910-092000/2026t2-obs-hd-thd-deploiement-vf.xlsx",
    ]


def test_telecharger_json_invalide():
    with pytest.raises(SourceIndisponible, match="JSON invalide"):
        SOURCE.telecharger(lambda url: _Reponse(b"<html>maintenance"))


# --------------------------------------------------------------------------- declaration
def test_declaration_de_la_source():
    assert source("arcep_ftth") is SOURCE
    assert SOURCE.description() == {
        "identifiant": "arcep_ftth",
        "titre": "Déploiement de la fibre (FttH) par commune et par trimestre",
        "producteur": "ARCEP",
        "licence": "Licence Ouverte 2.0",
        "page": "https://www.data.gouv.fr/datasets/le-marche-du-haut-et-tres-haut-debit-fixe-deploiements",
        "urls": [URL_API],
    }
    assert [f.nom for f in SOURCE.fichiers] == ["obs-hd-thd-deploiement.xlsx"]
    assert [c.nom for c in SOURCE.colonnes] == COLONNES


# --------------------------------------------------------------------------- demonstration data
def test_donnees_de_demonstration(contexte):
    from dashboard.demo.arcep_ftth import generer

    fichiers = generer(contexte, 56)
    assert fichiers == generer(contexte, 56)  # mêmes octets à chaque génération
    assert fichiers != generer(contexte, 57)
    resultat = SOURCE.lire_et_valider(fichiers, contexte)
    frame = resultat.frame
    assert (resultat.libelle_edition, resultat.edition, resultat.lignes_lues) == ("T2 2026", "2026-06-30", 30)
    assert frame["trimestre"].iloc[:35].tolist()[0] == "T4 2017"
    assert len(frame) == 30 * 35  # aucune comparaison : la démonstration ne couvre que le territoire
    assert set(frame["code"]) == contexte.codes_communes
    # des courbes croissantes, jamais au-delà de la base de locaux
    for _code, serie in frame.groupby("code"):
        valeurs = serie["locaux_raccordables"].to_numpy()
        assert (valeurs[1:] >= valeurs[:-1]).all()
        base = serie["meilleure_estimation_locaux"] - serie["locaux_en_construction"]
        assert (serie["locaux_raccordables"] <= base).all()
    dernier = frame[frame["trimestre"] == "T2 2026"].set_index("code")
    assert bool(dernier.loc["56188", "commune_rurale"]) is True  # Quistinic
    assert bool(dernier.loc["56121", "commune_rurale"]) is False  # Lorient
    taux = dernier["locaux_raccordables"] / (dernier["meilleure_estimation_locaux"]
                                             - dernier["locaux_en_construction"])
    assert taux["56121"] > 0.98
    assert min(taux[c] for c in ("56188", "56104", "56089", "56029", "56026", "56148")) < 0.95
