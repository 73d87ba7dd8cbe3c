"""ARCEP « Ma connexion internet » source: official layouts, historical variants, bad files, demo."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from dashboard import chemins, formats
from dashboard.demo import arcep_mci as demo
from dashboard.erreurs import ErreurFormat
from dashboard.indicateurs import couverture
from dashboard.sources import source
from dashboard.sources.arcep_mci import SOURCE, lire_fichier
from dashboard.sources.base import Contexte
from dashboard.territoire import Epci, Territoire
from tests.conftest import FIXTURES as TOUTES_FIXTURES
from tests.conftest import echantillon_reel

FIXTURES = TOUTES_FIXTURES / "arcep_mci"

TERRITOIRE = Territoire(
    nom="Territoire d'essai", identifiant="essai", departement="56", nom_departement="Morbihan",
    region="53", nom_region="Bretagne", emprise=(-3.75, 47.55, -2.95, 48.05),
    epci=(Epci("200042174", "Lorient Agglomération"),),
)
# the "actuel" fixtures hold 4 communes of 56, 5 of Bretagne, 6 in all
EFFECTIFS = (("departement", "56", 4), ("region", "53", 5), ("pays", "FR", 6))
CONTEXTE = Contexte(TERRITOIRE, frozenset({"56121", "56188", "56069"}), EFFECTIFS)
NOMS = ("commune_debit_filaire.csv", "commune_debit_terrestre.csv", "commune_debit.csv",
        "commune_meilleure_techno_thd.csv", "commune_techno.csv")
MESURES_DEBIT = ["nbr", "inel_hd", "elig_hd05", "elig_hd3", "elig_bhd8", "elig_thd30", "elig_thd100", "elig_thd1g"]


def fichiers(dossier: str = "actuel", **remplacements: str) -> dict[str, bytes]:
    """The five files of a fixture folder; ``commune_x_csv="variantes/y.csv"`` swaps one."""
    bruts = {nom: (FIXTURES / dossier / nom).read_bytes() for nom in NOMS}
    for cle, chemin in remplacements.items():
        nom = cle.removesuffix("_csv") + ".csv"
        assert nom in bruts, nom
        bruts[nom] = (FIXTURES / chemin).read_bytes()
    return bruts


def lire(bruts: dict[str, bytes], contexte: Contexte = CONTEXTE):
    return SOURCE.lire_et_valider(bruts, contexte)


def lignes(code: str, niveau: str, fichier: str, mesures: list[str], valeurs: list[int],
           date: str = "2026-03-31") -> pd.DataFrame:
    return pd.DataFrame({"code": code, "niveau": niveau, "fichier": fichier, "mesure": mesures,
                         "valeur": pd.array(valeurs, dtype="Int64"), "date": date})


def attendu_debit_filaire(date: str = "2026-03-31") -> pd.DataFrame:
    """debit_filaire rows of the ``actuel`` fixtures, computed by hand."""
    morceaux = [
        lignes("56069", "commune", "debit_filaire", MESURES_DEBIT,
               [2100, 30, 2070, 2000, 1850, 1300, 1250, 1250], date),
        lignes("56121", "commune", "debit_filaire", MESURES_DEBIT,
               [38000, 50, 37950, 37900, 37700, 36800, 36500, 36400], date),
        lignes("56188", "commune", "debit_filaire", MESURES_DEBIT, [900, 40, 860, 820, 700, 520, 480, 480], date),
        # 56121 + 56188 + 56069 + 56260 (Vannes)
        lignes("56", "departement", "debit_filaire", MESURES_DEBIT,
               [81000, 180, 80820, 80620, 80050, 77620, 76930, 76730], date),
        # + 29019 (Brest)
        lignes("53", "region", "debit_filaire", MESURES_DEBIT,
               [161000, 1080, 159920, 159720, 159050, 156120, 155230, 155030], date),
        # + 75056 (Paris)
        lignes("FR", "france", "debit_filaire", MESURES_DEBIT,
               [1661000, 1080, 1659920, 1658720, 1656050, 1646120, 1643230, 1642030], date),
    ]
    return pd.concat(morceaux, ignore_index=True).astype({c: "str" for c in ("code", "niveau", "fichier",
                                                                              "mesure", "date")})


def partie(frame: pd.DataFrame, fichier: str) -> pd.DataFrame:
    return frame[frame["fichier"] == fichier].reset_index(drop=True)


# --------------------------------------------------------------------------- declaration
def test_declaration_de_la_source():
    assert source("arcep_mci") is SOURCE
    assert SOURCE.producteur == "ARCEP"
    assert SOURCE.licence == "Licence Ouverte 2.0"
    assert SOURCE.page == "https://www.data.gouv.fr/datasets/ma-connexion-internet"
    assert [(f.nom, f.url) for f in SOURCE.fichiers] == [
        (nom, f"https://data.arcep.fr/fixe/maconnexioninternet/statistiques/last/commune/{nom}") for nom in NOMS
    ]
    assert [(c.nom, c.type, c.unite) for c in SOURCE.colonnes] == [
        ("code", "texte", None), ("niveau", "texte", None), ("fichier", "texte", None),
        ("mesure", "texte", None), ("valeur", "entier", "locaux"), ("date", "date", None),
    ]


# --------------------------------------------------------------------------- current layout
def test_format_actuel_debit_filaire_exact():
    resultat = lire(fichiers())
    pd.testing.assert_frame_equal(partie(resultat.frame, "debit_filaire"), attendu_debit_filaire())


def test_format_actuel_metadonnees():
    resultat = lire(fichiers())
    assert list(resultat.frame.columns) == ["code", "niveau", "fichier", "mesure", "valeur", "date"]
    assert resultat.edition == "2026-03-31"
    assert resultat.libelle_edition == "T1 2026 (données au 31 mars 2026)"
    assert resultat.lignes_lues == 30
    assert resultat.lignes_rejetees == []
    assert resultat.avertissements == []
    # 6 (code, niveau) × (8 + 8 + 8 + 10 + 8) measures
    assert len(resultat.frame) == 252
    assert resultat.frame.groupby("fichier", sort=False).size().to_dict() == {
        "debit_filaire": 48, "debit_terrestre": 48, "debit": 48, "meilleure_techno_thd": 60, "techno": 48,
    }


def test_format_actuel_meilleure_techno_et_techno():
    frame = lire(fichiers()).frame
    quistinic = frame[(frame["code"] == "56188") & (frame["fichier"] == "meilleure_techno_thd")]
    attendu = lignes("56188", "commune", "meilleure_techno_thd",
                     ["nbr", "nbr_elig_8", "elig_ftth", "elig_coax", "elig_cu_30", "elig_thdr", "elig_cu_8",
                      "elig_4gf", "elig_hdr", "elig_sat"],
                     [900, 897, 480, 0, 40, 60, 100, 150, 20, 47]).astype({"code": "str", "niveau": "str",
                                                                          "fichier": "str", "mesure": "str",
                                                                          "date": "str"})
    pd.testing.assert_frame_equal(quistinic.reset_index(drop=True), attendu)
    techno_fr = frame[(frame["niveau"] == "france") & (frame["fichier"] == "techno")]
    assert techno_fr["mesure"].tolist() == ["nbr", "elig_ftth", "elig_coax", "elig_cu", "elig_thdr", "elig_4gf",
                                            "elig_hdr", "elig_sat"]
    assert techno_fr["valeur"].tolist() == [1661000, 1633730, 313000, 1657970, 360, 1324200, 200, 1661000]


# --------------------------------------------------------------------------- historical variants
def test_format_2021_elig_cd_donne_les_memes_seuils():
    resultat = lire(fichiers("historique_2021"))
    pd.testing.assert_frame_equal(partie(resultat.frame, "debit_filaire"), attendu_debit_filaire("2021-06-30"))
    assert resultat.edition == "2021-06-30"
    assert resultat.libelle_edition == "T2 2021 (données au 30 juin 2021)"
    assert ("commune_debit_filaire.csv : ancien format de colonnes reconnu (elig_cd_1 → elig_hd05, "
            "elig_cd_2 → elig_hd3, elig_cd_3 → elig_bhd8, elig_cd_4 → elig_thd30, elig_cd_5 → elig_thd100, "
            "elig_cd_6 → elig_thd1g)") in resultat.avertissements


def test_format_2021_techno_ftth_rac_rad_wimax():
    resultat = lire(fichiers("historique_2021"))
    frame = resultat.frame
    groix = frame[(frame["code"] == "56069") & (frame["fichier"] == "techno")]
    assert dict(zip(groix["mesure"], groix["valeur"], strict=True)) == {
        "nbr": 2100, "elig_ftth": 1250, "elig_ftth_rad": 120, "elig_coax": 0, "elig_cu": 2080,
        "elig_thdr": 300, "elig_4gf": 1500, "elig_hdr": 0, "elig_sat": 2100,
    }
    assert ("commune_techno.csv : ancien format de colonnes reconnu (elig_ftth_rac → elig_ftth, "
            "elig_wimax → elig_hdr)") in resultat.avertissements


def test_techno_avec_elig_cu_30_et_cu_8_au_lieu_de_elig_cu():
    resultat = lire(fichiers(commune_techno_csv="variantes/commune_techno_cu_30_8.csv"))
    frame = resultat.frame
    lorient = frame[(frame["code"] == "56121") & (frame["fichier"] == "techno")]
    assert list(zip(lorient["mesure"], lorient["valeur"], strict=True)) == [
        ("nbr", 38000), ("elig_ftth", 36000), ("elig_coax", 5000), ("elig_cu_30", 9000), ("elig_thdr", 0),
        ("elig_cu_8", 20000), ("elig_4gf", 30000), ("elig_hdr", 0), ("elig_sat", 38000),
    ]
    assert "elig_cu" not in set(frame.loc[frame["fichier"] == "techno", "mesure"])
    assert any("elig_cu_30 et elig_cu_8 au lieu de elig_cu" in a for a in resultat.avertissements)


def test_techno_sans_colonnes_geographiques_ni_type():
    base = lire(fichiers()).frame
    resultat = lire(fichiers(commune_techno_csv="variantes/commune_techno_sans_geographie.csv"))
    pd.testing.assert_frame_equal(partie(resultat.frame, "techno"), partie(base, "techno"))
    assert resultat.avertissements == [
        "commune_techno.csv : pas de colonne « type » ; toutes les lignes sont prises comme « all »",
        "commune_techno.csv : pas de colonne code_dep ; département déduit du code INSEE",
        "commune_techno.csv : pas de colonne code_reg ; région déduite des autres fichiers",
    ]


def test_lignes_log_et_loc_rejetees_avec_leur_raison():
    resultat = lire(fichiers(commune_debit_filaire_csv="variantes/commune_debit_filaire_types_log_loc.csv"))
    pd.testing.assert_frame_equal(resultat.frame, lire(fichiers()).frame)
    raison = "seules les lignes « all » (logements + locaux professionnels) sont retenues"
    assert resultat.lignes_rejetees == [
        ("commune_debit_filaire.csv", 3, f"type « log » : {raison}"),
        ("commune_debit_filaire.csv", 4, f"type « loc » : {raison}"),
    ]
    assert resultat.lignes_lues == 32
    acceptees = 5 * 6
    assert acceptees + len(resultat.lignes_rejetees) == resultat.lignes_lues


def test_separateur_virgule_lu_avec_avertissement():
    resultat = lire(fichiers(commune_debit_filaire_csv="variantes/commune_debit_filaire_virgule.csv"))
    pd.testing.assert_frame_equal(resultat.frame, lire(fichiers()).frame)
    assert resultat.avertissements == [
        "commune_debit_filaire.csv : séparateur « , » au lieu de « ; » (fichier réenregistré ?) ; "
        "lecture par nom de colonne"
    ]


def test_espaces_de_milliers_acceptes():
    resultat = lire(fichiers(commune_debit_filaire_csv="variantes/commune_debit_filaire_milliers.csv"))
    pd.testing.assert_frame_equal(resultat.frame, lire(fichiers()).frame)


def test_codes_ayant_perdu_leur_zero_initial_repares():
    contexte = Contexte(TERRITOIRE, frozenset({"56121", "56188", "56069", "01001"}),
                        (("departement", "56", 4), ("region", "53", 5), ("pays", "FR", 7)))
    resultat = lire(fichiers(commune_debit_filaire_csv="variantes/commune_debit_filaire_codes_sans_zero.csv"),
                    contexte)
    frame = resultat.frame
    ain = frame[(frame["code"] == "01001") & (frame["mesure"] == "nbr")]
    assert ain["fichier"].tolist() == ["debit_filaire"]
    assert ain["valeur"].tolist() == [420]
    france = frame[(frame["niveau"] == "france") & (frame["mesure"] == "nbr")]
    # only debit_filaire holds 7 of the 7 communes; the others 6 of 7 (< 90 %): no France row
    assert france["fichier"].tolist() == ["debit_filaire"]
    assert france["valeur"].tolist() == [1661420]
    assert resultat.avertissements[:2] == [
        "commune_debit_filaire.csv, colonne code_insee : 1 code(s) INSEE réparé(s) "
        "(zéro initial perdu ou format numérique), lignes 8",
        "commune_debit_filaire.csv, colonne code_dep : 1 code(s) réparé(s) (zéro initial perdu), lignes 8",
    ]
    assert any(a.startswith("pas de ligne de comparaison pour la France (commune_debit_terrestre.csv")
               and "6 sur 7 communes présentes" in a for a in resultat.avertissements)


# --------------------------------------------------------------------------- territory and comparisons
def test_commune_du_territoire_absente_signalee():
    contexte = Contexte(TERRITOIRE, frozenset({"56121", "56188", "56069", "56029"}), EFFECTIFS)
    resultat = lire(fichiers(), contexte)
    assert resultat.avertissements == [
        "1 commune(s) du territoire absente(s) de commune_debit_filaire.csv, commune_debit_terrestre.csv, "
        "commune_debit.csv, commune_meilleure_techno_thd.csv, commune_techno.csv : 56029"
    ]
    assert sorted(set(resultat.frame.loc[resultat.frame["niveau"] == "commune", "code"])) == [
        "56069", "56121", "56188"]


def test_pas_de_comparaison_si_moins_de_90_pourcent_des_communes():
    contexte = Contexte(TERRITOIRE, CONTEXTE.codes_communes,
                        (("departement", "56", 5), ("region", "53", 5), ("pays", "FR", 6)))
    resultat = lire(fichiers(), contexte)
    assert set(resultat.frame["niveau"]) == {"commune", "region", "france"}
    assert resultat.avertissements == [
        "pas de ligne de comparaison pour le département 56 (commune_debit_filaire.csv, "
        "commune_debit_terrestre.csv, commune_debit.csv, commune_meilleure_techno_thd.csv, commune_techno.csv) : "
        "4 sur 5 communes présentes, moins de 90\u00a0% : un total partiel fausserait la comparaison"
    ]


def test_pas_de_comparaison_si_effectif_inconnu():
    resultat = lire(fichiers(), Contexte(TERRITOIRE, CONTEXTE.codes_communes))
    assert set(resultat.frame["niveau"]) == {"commune"}
    assert len(resultat.avertissements) == 3
    assert all(a.endswith(": nombre de communes de référence inconnu") for a in resultat.avertissements)


# --------------------------------------------------------------------------- bad files
def erreur(**remplacements: str) -> ErreurFormat:
    with pytest.raises(ErreurFormat) as exc:
        lire(fichiers(**remplacements))
    return exc.value


def test_format_inconnu_erreur_avec_fichier_ligne_colonne():
    exc = erreur(commune_debit_filaire_csv="invalides/commune_debit_filaire_colonne_renommee.csv")
    assert (exc.fichier, exc.ligne, exc.colonne) == ("commune_debit_filaire.csv", 1, "elig_thd30")
    assert "colonne attendue « elig_thd30 » absente" in exc.message
    assert "elig_thd_30m" in exc.message


def test_colonne_manquante():
    exc = erreur(commune_debit_filaire_csv="invalides/commune_debit_filaire_colonne_manquante.csv")
    assert (exc.fichier, exc.ligne, exc.colonne) == ("commune_debit_filaire.csv", 1, "elig_thd30")


def test_separateur_inconnu():
    exc = erreur(commune_debit_filaire_csv="invalides/commune_debit_filaire_separateur_inconnu.csv")
    assert (exc.fichier, exc.ligne) == ("commune_debit_filaire.csv", 1)
    assert "séparateur" in exc.message


def test_virgule_dans_un_nombre_refusee():
    """``38,000`` would read as 38 with a decimal comma: refused, never guessed."""
    exc = erreur(commune_debit_filaire_csv="invalides/commune_debit_filaire_milliers_virgule.csv")
    assert (exc.fichier, exc.ligne, exc.colonne) == ("commune_debit_filaire.csv", 2, "nbr")
    assert "38,000" in exc.message


@pytest.mark.parametrize(
    ("cle", "fixture", "fichier", "ligne", "extrait"),
    [
        ("commune_debit_terrestre_csv", "commune_debit_terrestre_date_autre_edition.csv",
         "commune_debit_terrestre.csv", 2, "les cinq fichiers doivent venir de la même édition"),
        ("commune_debit_filaire_csv", "commune_debit_filaire_date_non_iso.csv", "commune_debit_filaire.csv", 2,
         "31/03/2026"),
        ("commune_debit_filaire_csv", "commune_debit_filaire_dates_melangees.csv", "commune_debit_filaire.csv", 4,
         "différente de celle de la première ligne"),
    ],
)
def test_dates_incoherentes(cle, fixture, fichier, ligne, extrait):
    exc = erreur(**{cle: f"invalides/{fixture}"})
    assert (exc.fichier, exc.ligne, exc.colonne) == (fichier, ligne, "date")
    assert extrait in exc.message


def test_comptage_superieur_a_nbr():
    exc = erreur(commune_debit_filaire_csv="invalides/commune_debit_filaire_depasse_nbr.csv")
    assert (exc.fichier, exc.ligne, exc.colonne) == ("commune_debit_filaire.csv", 3, "elig_hd05")
    assert exc.message == "elig_hd05 (960) supérieur à nbr (900) pour la commune 56188"


def test_meilleure_techno_dont_la_somme_differe():
    exc = erreur(commune_meilleure_techno_thd_csv="invalides/commune_meilleure_techno_thd_somme.csv")
    assert (exc.fichier, exc.ligne, exc.colonne) == ("commune_meilleure_techno_thd.csv", 4, "nbr_elig_8")
    assert "(2050) diffère de nbr_elig_8 (2100)" in exc.message


def test_seuils_permutes_sur_tout_le_fichier_erreur():
    exc = erreur(commune_debit_filaire_csv="invalides/commune_debit_filaire_seuils_permutes.csv")
    assert (exc.fichier, exc.ligne, exc.colonne) == ("commune_debit_filaire.csv", 2, "elig_thd100")
    assert "6 ligne(s) sur 6" in exc.message


def test_seuil_non_decroissant_sur_une_ligne_avertissement():
    contexte = Contexte(TERRITOIRE, frozenset({"56121", "56029"}), EFFECTIFS)
    resultat = lire(fichiers(commune_debit_filaire_csv="variantes/commune_debit_filaire_anomalie_seuil.csv"),
                    contexte)
    calan = resultat.frame[(resultat.frame["code"] == "56029") & (resultat.frame["fichier"] == "debit_filaire")]
    assert calan["valeur"].tolist() == [700, 10, 690, 680, 650, 500, 510, 400]
    assert resultat.avertissements[0] == (
        "commune_debit_filaire.csv : seuils de débit non décroissants sur 1 ligne(s) (données conservées, "
        "à signaler à l'ARCEP) — ligne 8 (56029) : elig_thd100 > elig_thd30"
    )


def test_commune_en_double():
    exc = erreur(commune_debit_filaire_csv="invalides/commune_debit_filaire_doublon.csv")
    assert (exc.fichier, exc.ligne, exc.colonne) == ("commune_debit_filaire.csv", 8, "code_insee")


def test_fichier_manquant():
    bruts = fichiers()
    del bruts["commune_techno.csv"]
    with pytest.raises(ErreurFormat, match=r"commune_techno\.csv"):
        lire(bruts)


def test_fichier_vide_ou_html():
    with pytest.raises(ErreurFormat) as exc:
        lire({**fichiers(), "commune_debit.csv": b"<!DOCTYPE html><html>maintenance</html>"})
    assert exc.value.fichier == "commune_debit.csv"


# --------------------------------------------------------------------------- real samples (skipped if absent)
FILAIRE_REEL = "arcep_mci_2026t1_commune_debit_filaire_sample.csv"
MEILLEURE_REEL = "arcep_mci_2026t1_commune_meilleure_techno_thd_sample.csv"


def _lignes_csv(chemin: Path) -> dict[str, dict[str, str]]:
    lecteur = csv.DictReader(io.StringIO(chemin.read_text(encoding="utf-8")), delimiter=";")
    return {ligne["code_insee"]: ligne for ligne in lecteur}


def test_echantillon_reel_debit_filaire_brest():
    chemin = echantillon_reel(FILAIRE_REEL)
    brut = _lignes_csv(chemin)["29019"]
    lu = lire_fichier("commune_debit_filaire.csv", chemin.read_bytes())
    brest = lu.frame.set_index("code_insee").loc["29019"]
    assert lu.date == "2026-03-31"
    assert (int(brest["nbr"]), int(brest["elig_thd30"])) == (int(brut["nbr"]), int(brut["elig_thd30"]))
    assert (int(brest["nbr"]), int(brest["elig_thd30"])) == (99335, 98269)
    assert formats.pourcentage(98269 / 99335) == "98,9\u00a0%"


def test_echantillon_reel_meilleure_techno_sommes():
    chemin = echantillon_reel(MEILLEURE_REEL)
    bruts = _lignes_csv(chemin)
    lu = lire_fichier("commune_meilleure_techno_thd.csv", chemin.read_bytes())
    technos = ["elig_ftth", "elig_coax", "elig_cu_30", "elig_thdr", "elig_cu_8", "elig_4gf", "elig_hdr", "elig_sat"]
    for code, ligne in bruts.items():
        assert sum(int(ligne[t]) for t in technos) == int(ligne["nbr_elig_8"]), code
    assert lu.frame["code_insee"].tolist() == list(bruts)
    assert lu.frame[technos].sum(axis=1).tolist() == lu.frame["nbr_elig_8"].tolist()


def test_echantillons_reels_dans_une_edition_complete():
    """Real files + our fixtures for the three others (same 2026-03-31 date) → indicators."""
    contexte = Contexte(TERRITOIRE, frozenset({"29019", "75056", "40101"}), EFFECTIFS)
    bruts = {**fichiers(), "commune_debit_filaire.csv": echantillon_reel(FILAIRE_REEL).read_bytes(),
             "commune_meilleure_techno_thd.csv": echantillon_reel(MEILLEURE_REEL).read_bytes()}
    frame = lire(bruts, contexte).frame
    brest = couverture.eligibilite(frame).set_index("code").loc["29019"]
    assert brest["part_elig_thd30"] == pytest.approx(98269 / 99335)
    assert formats.pourcentage(brest["part_elig_thd30"]) == "98,9\u00a0%"
    repartition = couverture.repartition_meilleure_techno(frame).set_index("code").loc["29019"]
    assert (repartition["elig_ftth"], repartition["elig_coax"], repartition["elig_4gf"],
            repartition["aucune_offre_8"]) == (97301, 968, 1066, 0)
    parts = [repartition[f"part_{c}"] for c, _ in couverture.TECHNOLOGIES]
    assert sum(parts) == pytest.approx(1.0)


# --------------------------------------------------------------------------- demonstration generator
@pytest.fixture(scope="module")
def demo_lue(contexte):
    bruts = demo.generer(contexte, 56)
    return bruts, SOURCE.lire_et_valider(bruts, contexte)


def test_demo_lue_par_le_parseur_officiel(demo_lue, contexte):
    bruts, resultat = demo_lue
    assert sorted(bruts) == sorted(NOMS)
    assert resultat.edition == "2026-06-30"
    assert resultat.libelle_edition == "T2 2026 (données au 30 juin 2026)"
    assert resultat.lignes_rejetees == []
    assert resultat.lignes_lues == 5 * 30
    communes = resultat.frame[resultat.frame["niveau"] == "commune"]
    assert set(communes["code"]) == set(contexte.codes_communes)
    assert set(resultat.frame["niveau"]) == {"commune"}  # 30 communes: no comparison (< 90 % of 56)
    assert len(resultat.avertissements) == 3


def test_demo_entetes_officiels(demo_lue):
    bruts, _ = demo_lue
    premieres = {nom: contenu.decode("utf-8").split("\n", 1)[0] for nom, contenu in bruts.items()}
    debit = ("code_insee;nom_com;code_dep;code_reg;nbr;type;inel_hd;elig_hd05;elig_hd3;elig_bhd8;elig_thd30;"
             "elig_thd100;elig_thd1g;date")
    assert premieres == {
        "commune_debit_filaire.csv": debit, "commune_debit_terrestre.csv": debit, "commune_debit.csv": debit,
        "commune_meilleure_techno_thd.csv": "code_insee;nom_com;code_dep;code_reg;nbr;type;nbr_elig_8;elig_ftth;"
        "elig_coax;elig_cu_30;elig_thdr;elig_cu_8;elig_4gf;elig_hdr;elig_sat;date",
        "commune_techno.csv": "code_insee;nom_com;code_dep;code_reg;nbr;type;elig_ftth;elig_coax;elig_cu;"
        "elig_thdr;elig_4gf;elig_hdr;elig_sat;date",
    }
    lorient = next(x for x in bruts["commune_debit.csv"].decode().splitlines() if x.startswith("56121;"))
    assert lorient.split(";")[1:4] == ["Lorient", "56", "53"]
    assert lorient.split(";")[5] == "all"


def test_demo_valeurs_coherentes(demo_lue, contexte):
    _, resultat = demo_lue
    frame = resultat.frame
    filaire = couverture.eligibilite(frame, "debit_filaire").set_index("code")
    terrestre = couverture.eligibilite(frame, "debit_terrestre").set_index("code")
    tout = couverture.eligibilite(frame, "debit").set_index("code")
    for seuil in ("elig_hd05", "elig_hd3", "elig_bhd8", "elig_thd30", "elig_thd100", "elig_thd1g"):
        assert (filaire[seuil] <= terrestre[seuil]).all(), seuil
        assert (terrestre[seuil] <= tout[seuil]).all(), seuil
    nbr = frame[frame["mesure"] == "nbr"].pivot(index="code", columns="fichier", values="valeur")
    assert (nbr.nunique(axis=1) == 1).all()  # the same locaux in all five files
    assert (tout["inel_hd"] == 0).all()  # satellite reaches every local
    techno = couverture.eligibilite(frame, "techno").set_index("code")
    meilleure = couverture.repartition_meilleure_techno(frame).set_index("code")
    assert (meilleure["elig_ftth"] == techno["elig_ftth"]).all()
    assert (filaire["elig_thd1g"] >= techno["elig_ftth"]).all()
    population = demo._communes_reference(contexte).set_index("code_insee")["population"]
    ratio = filaire["nbr"] / population.reindex(filaire.index)
    assert ratio.between(0.55, 0.65).all()


def test_demo_coherente_avec_la_demo_ftth(demo_lue, contexte):
    """A local raccordable to FttH in the FttH demo is FttH-eligible in the MCI demo."""
    _, resultat = demo_lue
    techno = couverture.eligibilite(resultat.frame, "techno").set_index("code")
    fibre = demo.fibre_de_la_demo_ftth(contexte, 56)
    assert techno["elig_ftth"].to_dict() == {code: r for code, (_base, r) in fibre.items()}
    assert techno["nbr"].to_dict() == {code: base for code, (base, _r) in fibre.items()}


def test_demo_communes_rurales_plus_de_zones_blanches(demo_lue):
    _, resultat = demo_lue
    sans_thd = couverture.locaux_sans_thd(resultat.frame).set_index("code")["part_locaux_sans_thd"]
    urbaines = sans_thd[["56121", "56098"]].max()  # Lorient, Lanester
    rurales = sans_thd[["56188", "56104", "56089", "56029", "56026"]]  # Quistinic, Lanvaudan, Inguiniel, Calan, Bubry
    assert (rurales > urbaines).all()
    ftth = couverture.repartition_meilleure_techno(resultat.frame).set_index("code")["part_elig_ftth"]
    assert ftth["56069"] < ftth["56121"]  # Groix, an island, behind Lorient


def test_demo_deterministe(contexte):
    assert demo.generer(contexte, 56) == demo.generer(contexte, 56)
    assert demo.generer(contexte, 56) != demo.generer(contexte, 57)


def test_demo_pure_avec_communes_fournies(contexte):
    communes = pd.DataFrame({"code_insee": ["56121", "56188", "99999"], "nom": ["Lorient", "Quistinic", "Hors"],
                             "population": [57149, 1431, 100], "superficie_km2": [15.03, 42.83, 1.0]})
    bruts = demo.generer(contexte, 3, communes=communes)
    assert [x.split(";")[0] for x in bruts["commune_techno.csv"].decode().splitlines()] == [
        "code_insee", "56121", "56188"]


def test_instantane_de_demonstration_embarque():
    from dashboard.magasin import Magasin

    instantane = Magasin(chemins.dossier_instantanes()).charger("arcep_mci")
    assert instantane.manifeste["demo"] is True
    assert instantane.manifeste["edition"] == "2026-06-30"
    assert list(instantane.frame.columns) == ["code", "niveau", "fichier", "mesure", "valeur", "date"]
    assert instantane.frame["code"].nunique() == 30
