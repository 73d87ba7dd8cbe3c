"""INSEE commune bases (census + Filosofi): official layouts, older vintages, masked values, bad files, demo."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from dashboard.demo import generateurs
from dashboard.demo import insee_communes as demo
from dashboard.erreurs import ErreurFormat
from dashboard.sources import source
from dashboard.sources.base import Contexte
from dashboard.sources.insee_communes import SOURCE, lire_diplomes, lire_evol_struct_pop, lire_filosofi
from dashboard.territoire import Epci, Territoire

RACINE = Path(__file__).resolve().parents[1]
FIXTURES = RACINE / "tests" / "fixtures" / "insee"
TERRITOIRE = Territoire(
    nom="Territoire d'essai", identifiant="essai", departement="56", nom_departement="Morbihan",
    region="53", nom_region="Bretagne", emprise=(-3.75, 47.55, -2.95, 48.05),
    epci=(Epci("200042174", "Lorient Agglomération"),),
)
# 56098 (Lanester) is in the territory but in none of the fixtures
CONTEXTE = Contexte(TERRITOIRE, frozenset({"56029", "56062", "56104", "56121", "56188", "56098"}))
CONTEXTE_ANCIEN = Contexte(TERRITOIRE, frozenset({"01001", "56062", "56121"}))
NOMS_ACTUELS = ("base-cc-evol-struct-pop-2021.CSV", "base-cc-diplomes-formation-2021.CSV",
                "base-cc-coupl-fam-men-2021.CSV", "FILO2021_DISP_PAUVRES_COM.csv")
ZIPS = ("base-cc-evol-struct-pop-2021_csv.zip", "base-cc-diplomes-formation-2021_csv.zip",
        "base-cc-coupl-fam-men-2021_csv.zip", "indic-struct-distrib-revenu-2021-COMMUNES_csv.zip")
COLONNES_ENTIERES = ("population", "pop_0_14", "pop_15_29", "pop_30_44", "pop_45_59", "pop_60_74", "pop_75_plus",
                     "pop_65_plus", "non_scolarises_15_plus", "peu_diplomes_15_plus", "menages",
                     "menages_une_personne")


def fichiers(dossier: str = "actuel") -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((FIXTURES / dossier).iterdir())}


def avec(remplacant: str, dossier: str = "actuel") -> dict[str, bytes]:
    """The ``actuel`` files with one replaced by a fixture of ``invalides/`` or ``variantes/``."""
    chemin = FIXTURES / remplacant
    bruts = fichiers(dossier)
    prefixe = chemin.name[:12].lower()
    (cle,) = [n for n in bruts if n[:12].lower() == prefixe]
    del bruts[cle]
    bruts[chemin.name] = chemin.read_bytes()
    return bruts


def attendu(lignes: dict[str, list], millesime: str) -> pd.DataFrame:
    frame = pd.DataFrame(lignes)
    frame.insert(1, "millesime", millesime)
    return frame.astype({"code_insee": "str", "millesime": "str", **dict.fromkeys(COLONNES_ENTIERES, "Int64"),
                         "taux_pauvrete": "Float64", "taux_pauvrete_masque": "boolean"})


NA = pd.NA

ATTENDU_ACTUEL = {
    "code_insee": ["56029", "56062", "56104", "56121", "56188"],
    "population": [1206, 675, 798, 57149, 1431],
    "pop_0_14": [250, 80, 150, 7512, 230],
    "pop_15_29": [170, 70, 110, 12651, 180],  # 12650.7821 → 12651
    "pop_30_44": [270, 95, 160, 10023, 250],
    "pop_45_59": [250, 140, 170, 10212, 300],  # 10211.5544 → 10212
    "pop_60_74": [180, 190, 140, 10555, 310],
    "pop_75_plus": [86, 100, 68, 6196, 161],  # P21_POP7589 + P21_POP90P: 5620.2659 + 575.5
    "pop_65_plus": [210, 270, 160, 12952, 350],  # P21_H65P + P21_F65P: 5432.1234 + 7519.4321
    "non_scolarises_15_plus": [900, 560, 600, 42501, 1100],
    "peu_diplomes_15_plus": [235, 155, 180, 10601, 330],  # DIPLMIN + BEPC: 8500.2222 + 2100.3
    "menages": [460, 340, 331, 31500, NA],  # 330.5 → 331 (half up), 31500.4999 → 31500; 56188 absent
    "menages_une_personne": [110, 121, 95, 16201, NA],  # 16200.5 → 16201
    "taux_pauvrete": [NA, NA, NA, 21.3, NA],  # absent, « s », empty, 21.3, « nd »
    "taux_pauvrete_masque": [True, True, True, False, True],
}


def test_fichiers_officiels_lus_exactement():
    resultat = SOURCE.lire_et_valider(fichiers(), CONTEXTE)
    pd.testing.assert_frame_equal(resultat.frame, attendu(ATTENDU_ACTUEL, "2021"))
    assert resultat.edition == "2021-01-01"
    assert resultat.libelle_edition == "recensement 2021, Filosofi 2021"
    assert resultat.lignes_lues == 7 + 7 + 6 + 6
    assert resultat.lignes_rejetees == []


def test_avertissements_codes_repares_absences_et_masques():
    avertissements = SOURCE.lire_et_valider(fichiers(), CONTEXTE).avertissements
    assert ("base-cc-evol-struct-pop-2021.CSV, colonne CODGEO : 1 code(s) INSEE réparé(s) (zéro initial perdu ou "
            "format numérique), lignes 2") in avertissements
    assert "1 commune(s) du territoire absente(s) du recensement : 56098" in avertissements
    assert "commune(s) absente(s) de la base « Couples – familles – ménages » : 56188" in avertissements
    assert ("taux de pauvreté non diffusé par l'INSEE (secret statistique ou commune absente de Filosofi) pour "
            "4 commune(s) : 56029, 56062, 56104, 56188") in avertissements


def test_taux_masque_reste_masque_jamais_zero():
    frame = SOURCE.lire_et_valider(fichiers(), CONTEXTE).frame.set_index("code_insee")
    for code in ("56062", "56104", "56188", "56029"):  # « s », empty, « nd », absent
        assert pd.isna(frame.at[code, "taux_pauvrete"])
        assert bool(frame.at[code, "taux_pauvrete_masque"]) is True
    assert (frame["taux_pauvrete"].fillna(-1) != 0).all()


def _zip(membres: dict[str, bytes]) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as archive:
        for nom, contenu in membres.items():
            archive.writestr(nom, contenu)
    return tampon.getvalue()


def test_archives_zip_officielles_donnent_le_meme_resultat():
    csv = fichiers()
    bruts = {}
    for nom_zip, nom_csv in zip(ZIPS, NOMS_ACTUELS, strict=True):
        membres = {nom_csv: csv[nom_csv]}
        if nom_zip.startswith("base-cc"):
            # the real archives also hold the metadata and the overseas collectivities (-COM)
            membres[f"meta_{nom_csv}"] = b"COD_VAR;LIB_VAR\nCODGEO;Code du departement suivi du numero de commune\n"
            membres[nom_csv.replace(".CSV", "-COM.CSV")] = b"CODGEO;P21_POP\n97501;5974\n"
        else:
            membres["FILO2021_DISP_COM.csv"] = b"CODGEO;NBMENFISC21;MED21\n56121;30000;21000\n"
        bruts[nom_zip] = _zip(membres)
    depuis_zip = SOURCE.lire_et_valider(bruts, CONTEXTE)
    pd.testing.assert_frame_equal(depuis_zip.frame, attendu(ATTENDU_ACTUEL, "2021"))
    assert any("base-cc-evol-struct-pop-2021_csv.zip › base-cc-evol-struct-pop-2021.CSV, colonne CODGEO" in a
               for a in depuis_zip.avertissements)


def test_archive_sans_le_bon_fichier():
    bruts = fichiers()
    del bruts["FILO2021_DISP_PAUVRES_COM.csv"]
    bruts["indic-struct-distrib-revenu-2021-COMMUNES_csv.zip"] = _zip({"FILO2021_DISP_COM.csv": b"CODGEO\n1\n"})
    with pytest.raises(ErreurFormat) as exc:
        SOURCE.lire_et_valider(bruts, CONTEXTE)
    assert exc.value.fichier == "indic-struct-distrib-revenu-2021-COMMUNES_csv.zip"
    assert "aucun fichier de la base Filosofi (taux de pauvreté) dans l'archive" in exc.value.message
    assert "FILO2021_DISP_COM.csv" in exc.value.message


def test_archive_tronquee():
    bruts = fichiers()
    del bruts["base-cc-evol-struct-pop-2021.CSV"]
    bruts["base-cc-evol-struct-pop-2021_csv.zip"] = _zip({"base-cc-evol-struct-pop-2021.CSV": b"x" * 500})[:60]
    with pytest.raises(ErreurFormat, match="archive zip illisible ou tronquée"):
        SOURCE.lire_et_valider(bruts, CONTEXTE)


def test_fichier_com_des_collectivites_d_outre_mer_refuse():
    bruts = fichiers()
    bruts["base-cc-evol-struct-pop-2021-COM.CSV"] = bruts.pop("base-cc-evol-struct-pop-2021.CSV")
    with pytest.raises(ErreurFormat, match="collectivités d'outre-mer"):
        SOURCE.lire_et_valider(bruts, CONTEXTE)


def test_millesime_et_presentations_anciennes():
    """P15 prefix, 75+ in one column, 65+ in POP65P, DIPLMIN including the BEPC, older
    Filosofi spelling (« Pauvres ») with decimal commas, codes 1001 and 56062.0 repaired."""
    resultat = SOURCE.lire_et_valider(fichiers("ancien"), CONTEXTE_ANCIEN)
    pd.testing.assert_frame_equal(resultat.frame, attendu({
        "code_insee": ["01001", "56062", "56121"],
        "population": [780, 720, 57274],
        "pop_0_14": [160, 90, 7601],  # 7600.5 → 7601 (half up)
        "pop_15_29": [110, 80, 12800],
        "pop_30_44": [170, 105, 10300],
        "pop_45_59": [175, 150, 10401],
        "pop_60_74": [115, 185, 10011],
        "pop_75_plus": [50, 110, 6162],  # P15_POP75P
        "pop_65_plus": [110, 230, 12801],  # P15_POP65P
        "non_scolarises_15_plus": [600, 590, 42900],
        "peu_diplomes_15_plus": [150, 210, 12401],  # P15_NSCOL15P_DIPLMIN alone (BEPC included)
        "menages": [320, 350, 31201],
        "menages_une_personne": [70, 125, 15800],
        "taux_pauvrete": [NA, NA, 20.8],  # « 20,8 »
        "taux_pauvrete_masque": [True, True, False],
    }, "2015"))
    assert resultat.libelle_edition == "recensement 2015, Filosofi 2019"
    assert ("base-cc-diplomes-formation-2015.csv : présentation ancienne des diplômes (P15_NSCOL15P_DIPLMIN "
            "comprend déjà le BEPC)") in resultat.avertissements
    assert "base-cc-evol-struct-pop-2015.csv : 75 ans ou plus lus dans P15_POP75P (ancienne présentation)" \
        in resultat.avertissements
    assert any("2 code(s) INSEE réparé(s)" in a and "lignes 2, 3" in a for a in resultat.avertissements)


def test_sans_colonne_des_65_ans_la_valeur_reste_non_disponible():
    resultat = SOURCE.lire_et_valider(avec("variantes/base-cc-evol-struct-pop-2021-sans-65-ans.CSV"), CONTEXTE)
    assert resultat.frame["pop_65_plus"].isna().all()
    assert resultat.frame["pop_60_74"].tolist() == [180, 190, 140, 10555, 310]
    assert any("pas de colonne des 65 ans ou plus" in a and "n'est jamais répartie" in a
               for a in resultat.avertissements)


def test_diplomes_presentation_la_plus_ancienne():
    contenu = (FIXTURES / "variantes" / "base-cc-diplomes-formation-2010.csv").read_bytes()
    lu = lire_diplomes(contenu, "base-cc-diplomes-formation-2010.csv", CONTEXTE)
    assert lu.annee == 2010
    attendu_frame = pd.DataFrame({"code_insee": ["56062", "56121"],
                                  "non_scolarises_15_plus": [600, 43100],
                                  "peu_diplomes_15_plus": [240, 14301]},  # DIPL0 + CEP + BEPC: 14300.8
                                 ).astype({"code_insee": "str", "non_scolarises_15_plus": "Int64",
                                           "peu_diplomes_15_plus": "Int64"}).set_index("code_insee")
    pd.testing.assert_frame_equal(lu.frame, attendu_frame)
    assert any("DIPL0 + P10_NSCOL15P_CEP + P10_NSCOL15P_BEPC" in a for a in lu.avertissements)


def test_filosofi_windows_1252_crlf_guillemets():
    contenu = (FIXTURES / "variantes" / "FILO2021_DISP_PAUVRES_COM-windows.csv").read_bytes()
    lu = lire_filosofi(contenu, "FILO2021_DISP_PAUVRES_COM.csv", CONTEXTE)
    assert list(lu.frame.index) == ["56062", "56121"]
    assert pd.isna(lu.frame.at["56062", "taux_pauvrete"])
    assert lu.frame.at["56121", "taux_pauvrete"] == 21.3
    assert "FILO2021_DISP_PAUVRES_COM.csv : encodage détecté : Windows-1252 (converti en UTF-8)" in lu.avertissements


def test_le_millesime_le_plus_recent_est_choisi_meme_place_apres():
    entete = "CODGEO;P15_POP;P15_POP0014;P15_POP1529;P15_POP3044;P15_POP4559;P15_POP6074;P15_POP75P;" \
             "P21_POP;P21_POP0014;P21_POP1529;P21_POP3044;P21_POP4559;P21_POP6074;P21_POP75P\n"
    ligne = "56121;100;10;20;20;20;20;10;200;20;40;40;40;40;20\n"
    lu = lire_evol_struct_pop((entete + ligne).encode(), "base-cc-evol-struct-pop-2021.CSV", CONTEXTE)
    assert lu.annee == 2021
    assert lu.frame.at["56121", "population"] == 200


@pytest.mark.parametrize(("remplacant", "fichier", "ligne", "colonne", "message"), [
    ("invalides/base-cc-evol-struct-pop-2021-colonne-manquante.CSV",
     "base-cc-evol-struct-pop-2021-colonne-manquante.CSV", 1, "P21_POP4559",
     "colonne attendue « P21_POP4559 » absente"),
    ("invalides/base-cc-evol-struct-pop-2021-nombre-invalide.CSV",
     "base-cc-evol-struct-pop-2021-nombre-invalide.CSV", 7, "P21_POP3044", "nombre invalide : « 10O23.1199 »"),
    ("invalides/base-cc-evol-struct-pop-2021-tranches-incoherentes.CSV",
     "base-cc-evol-struct-pop-2021-tranches-incoherentes.CSV", 5, "P21_POP",
     "la somme des tranches d'âge (594) diffère de la population (675)"),
    ("invalides/base-cc-evol-struct-pop-2021-cellule-manquante.CSV",
     "base-cc-evol-struct-pop-2021-cellule-manquante.CSV", 6, None, "20 valeurs au lieu de 21"),
    ("invalides/base-cc-diplomes-formation-2021-masque.CSV",
     "base-cc-diplomes-formation-2021-masque.CSV", 5, "P21_NSCOL15P_DIPLMIN", "nombre invalide : « s »"),
    ("invalides/base-cc-coupl-fam-men-2021-seuls-superieurs.CSV",
     "base-cc-coupl-fam-men-2021-seuls-superieurs.CSV", 6, "C21_MENPSEUL",
     "plus de ménages d'une personne que de ménages"),
    ("invalides/base-cc-coupl-fam-men-2021-doublon.CSV",
     "base-cc-coupl-fam-men-2021-doublon.CSV", 7, "CODGEO", "commune « 56121 » en double"),
    ("invalides/FILO2021_DISP_PAUVRES_COM-taux-hors-bornes.csv",
     "FILO2021_DISP_PAUVRES_COM-taux-hors-bornes.csv", 6, "TP6021", "taux de pauvreté hors de 0-100 % : « 213 »"),
])
def test_fichiers_invalides(remplacant, fichier, ligne, colonne, message):
    with pytest.raises(ErreurFormat) as exc:
        SOURCE.lire_et_valider(avec(remplacant), CONTEXTE)
    assert (exc.value.fichier, exc.value.ligne, exc.value.colonne) == (fichier, ligne, colonne)
    assert message in exc.value.message


def test_millesimes_differents_refuses():
    with pytest.raises(ErreurFormat) as exc:
        SOURCE.lire_et_valider(avec("invalides/base-cc-diplomes-formation-2020.CSV"), CONTEXTE)
    assert exc.value.message == (
        "bases du recensement de millésimes différents : « Évolution et structure de la population » 2021, "
        "« Diplômes – formation » 2020, « Couples – familles – ménages » 2021")


def test_fichier_manquant_et_fichier_en_double():
    bruts = fichiers()
    del bruts["base-cc-coupl-fam-men-2021.CSV"]
    with pytest.raises(ErreurFormat, match=r"« Couples – familles – ménages » \(base-cc-coupl-fam-men-2021_csv.zip\)"):
        SOURCE.lire_et_valider(bruts, CONTEXTE)
    bruts = fichiers()
    bruts["base-cc-coupl-fam-men-2022.CSV"] = bruts["base-cc-coupl-fam-men-2021.CSV"]
    with pytest.raises(ErreurFormat, match="deux fichiers pour la base"):
        SOURCE.lire_et_valider(bruts, CONTEXTE)


def test_page_html_ou_fichier_vide():
    bruts = fichiers()
    bruts["FILO2021_DISP_PAUVRES_COM.csv"] = b"<!DOCTYPE html><html><body>Maintenance</body></html>"
    with pytest.raises(ErreurFormat, match="page HTML"):
        SOURCE.lire_et_valider(bruts, CONTEXTE)
    bruts["FILO2021_DISP_PAUVRES_COM.csv"] = b""
    with pytest.raises(ErreurFormat, match="fichier vide"):
        SOURCE.lire_et_valider(bruts, CONTEXTE)


def test_aucune_commune_du_territoire():
    autre = Contexte(TERRITOIRE, frozenset({"35238"}))
    with pytest.raises(ErreurFormat, match="aucune commune du territoire"):
        SOURCE.lire_et_valider(fichiers(), autre)


def test_declaration_de_la_source():
    assert source("insee_communes") is SOURCE
    assert (SOURCE.producteur, SOURCE.licence) == ("INSEE", "Licence Ouverte 2.0")
    assert [f.nom for f in SOURCE.fichiers] == list(ZIPS)
    assert [f.url for f in SOURCE.fichiers] == [
        "https://www.insee.fr/fr/statistiques/fichier/8201904/base-cc-evol-struct-pop-2021_csv.zip",
        "https://www.insee.fr/fr/statistiques/fichier/8202319/base-cc-diplomes-formation-2021_csv.zip",
        "https://www.insee.fr/fr/statistiques/fichier/8205182/base-cc-coupl-fam-men-2021_csv.zip",
        "https://www.insee.fr/fr/statistiques/fichier/7756855/indic-struct-distrib-revenu-2021-COMMUNES_csv.zip",
    ]
    assert [c.nom for c in SOURCE.colonnes] == ["code_insee", "millesime", *COLONNES_ENTIERES, "taux_pauvrete",
                                                "taux_pauvrete_masque"]


# --------------------------------------------------------------------------- demonstration data
def test_demo_formats_officiels_et_valeurs_plausibles(contexte, reference):
    assert generateurs()["insee_communes"] is demo.generer
    bruts = demo.generer(contexte, 56)
    assert bruts == demo.generer(contexte, 56)
    assert sorted(bruts) == sorted(ZIPS)
    for nom, contenu in bruts.items():
        membres = zipfile.ZipFile(io.BytesIO(contenu)).namelist()
        assert membres == [demo.FICHIERS[nom][0]]
    frame = SOURCE.lire_et_valider(bruts, contexte).frame.set_index("code_insee")
    assert len(frame) == 30
    populations = reference.communes.set_index("code_insee")["population"]
    assert frame["population"].to_dict() == populations.astype("Int64").to_dict()
    petites = populations[populations < 2000].index
    assert frame.loc[petites, "taux_pauvrete_masque"].all() and frame.loc[petites, "taux_pauvrete"].isna().all()
    assert not frame.drop(index=petites)["taux_pauvrete_masque"].any()
    assert frame["taux_pauvrete"].idxmax() == "56121"  # Lorient
    part_65 = frame["pop_65_plus"] / frame["population"]
    assert part_65["56188"] > part_65["56185"]  # Quistinic (inland rural) older than Quéven (periurban)
    assert frame.notna().drop(columns="taux_pauvrete").all().all()


def test_instantane_de_demo_versionne_reproductible(contexte):
    dossier = RACINE / "data" / "snapshots" / "insee_communes"
    pointeur = json.loads((dossier / "current.json").read_text(encoding="utf-8"))
    manifeste = json.loads((dossier / pointeur["edition"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifeste["demo"] is True and manifeste["lignes"] == 30
    for nom, contenu in demo.generer(contexte, 56).items():
        assert manifeste["fichiers_bruts"][nom]["sha256"] == hashlib.sha256(contenu).hexdigest()
