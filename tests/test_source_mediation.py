"""Lieux de médiation numérique parser: schema v1 and v0.1 fixtures, point-in-polygon, real example."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from dashboard.erreurs import ErreurFormat
from dashboard.sources import source
from dashboard.sources.base import Contexte
from dashboard.sources.mediation_numerique import (
    COLONNES,
    FICHIER,
    SOURCE,
    SourceMediationNumerique,
    analyser_horaires_osm,
    code_postal,
    date_iso,
    lire_lieux,
    premier_lien,
    retrouver_codes_par_contours,
    retrouver_codes_par_nom,
    separer,
)
from tests.conftest import FIXTURES, echantillon_reel

LIEUX = FIXTURES / "lieux"
TYPES = {c.nom: {"texte": "str", "date": "str", "decimal": "Float64", "booleen": "boolean"}[c.type]
         for c in COLONNES}
NA = pd.NA


def attendu(lignes: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(lignes, columns=[c.nom for c in COLONNES]).astype(TYPES)


def lieu(**valeurs) -> dict:
    """A row of the expected frame: defaults for an unremarkable place, then ``valeurs``."""
    base = {"code_postal": None, "latitude": NA, "longitude": NA, "typologies": "", "services": "", "publics": "",
            "frais": "", "dispositifs": "", "itinerant": False, "horaires": None, "heures_par_semaine": NA,
            "ouvert_samedi": NA, "site_web": None, "date_maj": None, "est_tiers_lieu": False,
            "conseiller_numerique": False, "aidants_connect": False, "pivot": None}
    return {**base, **valeurs}


@pytest.fixture(scope="module")
def contours(reference):
    return reference.communes


def lire(nom: str, contexte, contours) -> object:
    source_test = SourceMediationNumerique(contours=contours)
    return source_test.lire_et_valider({FICHIER: (LIEUX / nom).read_bytes()}, contexte)


def test_declaration_de_la_source():
    assert source("mediation_numerique") is SOURCE
    assert SOURCE.producteur == "ANCT (Cartographie nationale des lieux d'inclusion numérique)"
    assert SOURCE.licence == "Licence Ouverte 2.0 / etalab-2.0"
    assert [(f.nom, f.url) for f in SOURCE.fichiers] == [(
        "lieux-de-mediation-numerique.csv",
        "https://www.data.gouv.fr/api/1/datasets/r/398edc71-0d51-4cb6-9cbe-2540a4db573c")]


# --------------------------------------------------------------------------- schema v1, pipes
def test_v1_cadre_exact(contexte, contours):
    resultat = lire("mediation_v1.csv", contexte, contours)
    pd.testing.assert_frame_equal(resultat.frame, attendu([
        # Mo-Fr 5 × (3 h + 4 h 30) + Sa 3 h 30 = 41 h; javascript: link skipped for the next one
        lieu(id="med-1", nom="Espace test Lorient", adresse="1 rue de l'Essai, Rez-de-chaussée",
             code_postal="56100", code_insee="56121", commune="Lorient", latitude=47.748, longitude=-3.366,
             typologies="EPN|BIB",
             services="Aide aux démarches administratives|Maîtrise des outils numériques du quotidien",
             publics="Seniors", frais="Gratuit", dispositifs="Conseillers numériques|Aidants Connect",
             horaires="Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", heures_par_semaine=41.0,
             ouvert_samedi=True, site_web="https://exemple.org/med1", date_maj="2024-03-15",
             conseiller_numerique=True, aidants_connect=True, pivot="12345678900012"),
        # no code_insee: found in Lanester by its point; pivot 000… = unknown; unknown service dropped
        lieu(id="med-2", nom="Tiers-lieu test Lanester", adresse="2 rue de l'Essai", code_postal="56600",
             code_insee="56098", commune="Lanester", latitude=47.762, longitude=-3.34, typologies="TIERS_LIEUX",
             services="Loisirs et créations numériques", frais="Payant", itinerant=True,
             site_web="https://exemple.org/med2", date_maj="2024-05-02", est_tiers_lieu=True),
        # name kept verbatim; 56700.0 re-padded; swapped point dropped; 24/7 is not a simple form
        lieu(id="med-4", nom="<img src=x onerror=alert(1)>", adresse="4 rue de l'Essai", code_postal="56700",
             code_insee="56083", commune="Hennebont", typologies="ASSO",
             services="Compréhension du monde numérique", publics="Jeunes", frais="Gratuit sous condition",
             horaires="24/7", date_maj="2024-02-01", est_tiers_lieu=True, pivot="12345678900020"),
        # no code, no point: found by commune name + postal code of the département
        lieu(id="med-5", nom="Lieu test Quéven", adresse="5 rue de l'Essai", code_postal="56530",
             code_insee="56185", commune="Quéven", typologies="MUNI",
             services="Accès internet et matériel informatique", dispositifs="Aidants Connect",
             horaires="Tu,Th 14:00-17:00", heures_par_semaine=6.0, ouvert_samedi=False, date_maj="2024-01-10",
             aidants_connect=True),
        # Lambert-93 point dropped, missing date_maj left empty
        lieu(id="med-7", nom="Lieu test Groix", adresse="7 rue de l'Essai", code_postal="56590",
             code_insee="56069", commune="Groix", typologies="BIB", services="Utilisation sécurisée du numérique",
             pivot="12345678900038"),
    ]))


def test_v1_edition_comptes_et_avertissements(contexte, contours):
    resultat = lire("mediation_v1.csv", contexte, contours)
    # the most recent date_maj of the whole file, Reims included
    assert resultat.edition == "2024-06-30"
    assert resultat.libelle_edition == "mise à jour du 30 juin 2024"
    assert resultat.lignes_lues == 8
    assert resultat.lignes_rejetees == [
        ("lieux-de-mediation-numerique.csv", 9, "identifiant id « med-1 » en double (déjà ligne 2)")]
    f = "lieux-de-mediation-numerique.csv"
    assert resultat.avertissements == [
        f"{f} : 1 ligne(s) sur 8 concernent des communes hors du territoire « Pays de Lorient » "
        "(hors périmètre, non retenues ; ce ne sont pas des rejets)",
        f"{f} : 1 code(s) INSEE absent(s) retrouvé(s) par les coordonnées et les contours des communes (lignes 3)",
        f"{f} : 1 code(s) INSEE absent(s) retrouvé(s) par le nom de commune et le code postal (lignes 6)",
        f"{f} : 1 lieu(x) sans code INSEE ni coordonnées exploitables, impossibles à situer, non retenus "
        "(lignes 7)",
        f"{f}, colonne typologie, ligne(s) 5 : valeur « COMMUNE » absente du schéma national, ignorée",
        f"{f}, colonne services, ligne(s) 3 : valeur « Réparer des vélos » absente du schéma national, ignorée",
        f"{f} : 1 lieu(x) sans coordonnées, conservé(s) sans point sur la carte (lignes 6)",
        f"{f}, ligne 5, colonne latitude : latitude et longitude inversées (latitude -3.277, longitude 47.805) "
        "— point ignoré",
        f"{f}, ligne 8, colonne latitude : coordonnées en mètres Lambert-93 (EPSG:2154) probables "
        "(6740000 ; 205000), degrés WGS84 attendus — point ignoré",
        f"{f}, colonne date_maj : date absente ou illisible (AAAA-MM-JJ attendu), laissée vide (lignes 8)",
        f"{f}, colonne horaires : forme OSM non simple, heures par semaine non calculées (lignes 5)",
    ]


def test_source_par_defaut_lit_les_contours_de_reference(contexte):
    resultat = SOURCE.lire_et_valider({FICHIER: (LIEUX / "mediation_v1.csv").read_bytes()}, contexte)
    assert resultat.frame.loc[resultat.frame["id"] == "med-2", "code_insee"].tolist() == ["56098"]


def test_sans_contours_les_lieux_sans_code_ne_sont_pas_situes(contexte):
    resultat = lire_lieux({FICHIER: (LIEUX / "mediation_v1.csv").read_bytes()}, contexte, contours=None)
    assert resultat.frame["id"].tolist() == ["med-1", "med-4", "med-7"]
    assert ("lieux-de-mediation-numerique.csv : 3 lieu(x) sans code INSEE et aucun contour de commune fourni "
            "pour les localiser : non retenus") in resultat.avertissements


# --------------------------------------------------------------------------- older layouts
def test_schema_v01_points_virgules_et_anciennes_valeurs(contexte, contours):
    resultat = lire("mediation_v01.csv", contexte, contours)
    pd.testing.assert_frame_equal(resultat.frame, attendu([
        lieu(id="v01-1", nom="Point numérique test Lanester", adresse="8 rue de l'Essai", code_postal="56600",
             code_insee="56098", commune="Lanester", latitude=47.762, longitude=-3.34, typologies="CCAS|EPN",
             services="Aide aux démarches administratives|Maîtrise des outils numériques du quotidien"
                      "|Accès internet et matériel informatique",
             publics="Seniors", frais="Gratuit", dispositifs="Conseillers numériques|France Services",
             horaires="Mo-We 10:00-12:00", heures_par_semaine=6.0, ouvert_samedi=False,
             site_web="https://a.exemple.org", date_maj="2022-11-10", conseiller_numerique=True,
             pivot="12345678900046"),
        # « Fabriques de Territoire » was a national label in v0.1; Payant + Adhésion → Payant once
        lieu(id="v01-2", nom="Fablab test Ploemeur", adresse="9 rue de l'Essai", code_postal="56270",
             code_insee="56162", commune="Ploemeur", latitude=47.737, longitude=-3.42, typologies="FABLAB",
             services="Loisirs et créations numériques", frais="Payant", dispositifs="Aidants Connect",
             date_maj="2023-01-20", est_tiers_lieu=True, aidants_connect=True, pivot="12345678900053"),
    ]))
    assert resultat.avertissements == []
    assert resultat.edition == "2023-01-20"


def test_sans_structure_parente_et_points_virgules(contexte, contours):
    resultat = lire("mediation_sans_structure_parente.csv", contexte, contours)
    pd.testing.assert_frame_equal(resultat.frame, attendu([
        lieu(id="sp-1", nom="Lieu test Riantec", adresse="10 rue de l'Essai", code_postal="56670",
             code_insee="56193", commune="Riantec", latitude=47.712, longitude=-3.31, typologies="CCAS|MUNI",
             services="Aide aux démarches administratives|Accès internet et matériel informatique",
             frais="Gratuit", dispositifs="Conseillers numériques", horaires="Mo-Fr 09:00-12:00",
             heures_par_semaine=15.0, ouvert_samedi=False, date_maj="2023-09-01", conseiller_numerique=True,
             pivot="12345678900061"),
    ]))


def test_colonne_obligatoire_manquante(contexte, contours):
    with pytest.raises(ErreurFormat) as exc:
        lire("mediation_sans_nom.csv", contexte, contours)
    assert (exc.value.fichier, exc.value.ligne, exc.value.colonne) == ("lieux-de-mediation-numerique.csv", 1, "nom")


def test_aucune_date_valide(contexte, contours):
    texte = (LIEUX / "mediation_sans_structure_parente.csv").read_text(encoding="utf-8")
    with pytest.raises(ErreurFormat) as exc:
        SourceMediationNumerique(contours=contours).lire(
            {FICHIER: texte.replace('"2023-09-01"', '"bientôt"').encode()}, contexte)
    assert exc.value.colonne == "date_maj"


def test_ligne_mal_formee_rejetee_pas_perdue(contexte, contours):
    texte = (LIEUX / "mediation_sans_structure_parente.csv").read_text(encoding="utf-8")
    texte += '"sp-2","x","Ligne courte"\n'
    resultat = SourceMediationNumerique(contours=contours).lire({FICHIER: texte.encode()}, contexte)
    assert resultat.frame["id"].tolist() == ["sp-1"]
    assert resultat.lignes_lues == 2
    assert resultat.lignes_rejetees == [("lieux-de-mediation-numerique.csv", 3, "3 valeurs au lieu de 31")]


# --------------------------------------------------------------------------- point in polygon
@pytest.fixture
def deux_carres():
    """Two 0.1° squares side by side: 99001 west of -3.3, 99002 east of it."""
    return gpd.GeoDataFrame(
        {"code_insee": ["99001", "99002"], "nom": ["Ouest", "Est"]},
        geometry=[shapely.box(-3.4, 47.7, -3.3, 47.8), shapely.box(-3.3, 47.7, -3.2, 47.8)], crs="EPSG:4326")


def test_retrouver_codes_par_contours(deux_carres):
    # 47.75 N: 0.001° of longitude ≈ 75 m, 0.01° ≈ 750 m
    latitudes = pd.Series([47.75, 47.75, 47.75, 47.75, None], index=[10, 11, 12, 13, 14], dtype="Float64")
    longitudes = pd.Series([-3.35, -3.25, -3.401, -3.41, -3.35], index=[10, 11, 12, 13, 14], dtype="Float64")
    codes = retrouver_codes_par_contours(latitudes, longitudes, deux_carres)
    pd.testing.assert_series_equal(
        codes, pd.Series(["99001", "99002", "99001", "", ""], index=[10, 11, 12, 13, 14], dtype="str"))


def test_retrouver_codes_par_nom_exige_le_departement(deux_carres):
    codes = retrouver_codes_par_nom(pd.Series(["OUEST", "Est", "Est", "Nord"]),
                                    pd.Series(["99100", "29100", "", "99100"]), deux_carres, "99")
    assert codes.tolist() == ["99001", "", "", ""]


def test_lire_avec_un_petit_contour(contexte, deux_carres):
    petit = Contexte(replace(contexte.territoire, emprise=(-3.5, 47.6, -3.1, 47.9)), frozenset({"99001", "99002"}))
    texte = (LIEUX / "mediation_sans_structure_parente.csv").read_text(encoding="utf-8")
    texte = texte.replace('"56193","10 rue', '"","10 rue').replace('"47.712","-3.31"', '"47.75","-3.25"')
    resultat = lire_lieux({FICHIER: texte.encode()}, petit, contours=lambda: deux_carres)
    assert resultat.frame["code_insee"].tolist() == ["99002"]


# --------------------------------------------------------------------------- small parsers
@pytest.mark.parametrize(("horaires", "attendu_"), [
    ("Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", (41.0, True)),
    ("Mo-Fr 09:00-18:00; We 09:00-12:00; PH off", (39.0, False)),  # later rule replaces Wednesday
    ("Mo,We,Fr 14:00-18:00", (12.0, False)),
    ("Sa-Mo 10:00-12:00", (6.0, True)),  # wrapping range: Sa, Su, Mo
    ("Mo-Sa 09:00-12:00; Sa off", (15.0, False)),
    ("Mo 08:00-12:00,10:00-14:00", (6.0, False)),  # overlap counted once
    ("", (None, None)),
    ("24/7", (None, None)),
    ("Mo-Fr 22:00-02:00", (None, None)),
    ("Jan-Mar Mo 10:00-12:00", (None, None)),
    ("Mo-Fr 09:00-12:00 || Sa 10:00-11:00", (None, None)),
    ("Mo-Fr 09:00-12:00; PH 10:00-11:00", (None, None)),
])
def test_analyser_horaires_osm(horaires, attendu_):
    assert analyser_horaires_osm(horaires) == attendu_


@pytest.mark.parametrize(("brut", "attendu_"), [
    ("56100", "56100"), ("6100", "06100"), ("56100.0", "56100"), (" 56 100 ", "56100"), ("561", None), ("", None),
])
def test_code_postal(brut, attendu_):
    assert code_postal(brut) == attendu_


@pytest.mark.parametrize(("brut", "attendu_"), [
    ("2024-04-02", "2024-04-02"), ("2024-04-02T10:00:00.000Z", "2024-04-02"), ("02/04/2024", "2024-04-02"),
    ("2024-02-30", None), ("hier", None),
])
def test_date_iso(brut, attendu_):
    assert date_iso(brut) == attendu_


def test_separer_et_premier_lien():
    assert separer("A|B; C ;") == ["A", "B", "C"]
    assert premier_lien("data:text/html,x|http://exemple.org/a") == "http://exemple.org/a"
    assert premier_lien("https://a.exemple.org,https://b.exemple.org") == "https://a.exemple.org"
    assert premier_lien("www.exemple.org") is None


# --------------------------------------------------------------------------- real example
def test_exemple_officiel_v102(contexte):
    """The official valid example (Reims) read with a context whose territory is Reims."""
    contenu = echantillon_reel("lamednum_exemple-valide_v1.0.2.csv").read_bytes()
    reims = Contexte(replace(contexte.territoire, emprise=(-5.5, 41.0, 10.0, 51.5)), frozenset({"51454"}))
    resultat = SourceMediationNumerique(contours=None).lire_et_valider({FICHIER: contenu}, reims)
    pd.testing.assert_frame_equal(resultat.frame, attendu([lieu(
        id="structure-1", nom="Anonymal", adresse="12 BIS RUE DE LECLERCQ, Le patio du bois de l'Aulne",
        code_postal="51100", code_insee="51454", commune="Reims", latitude=43.52609, longitude=5.41423,
        typologies="TIERS_LIEUX|ASSO",
        services="Maîtrise des outils numériques du quotidien|Insertion professionnelle via le numérique"
                 "|Loisirs et créations numériques",
        publics="Jeunes|Femmes", frais="Gratuit sous condition|Payant",
        dispositifs="Aidants Connect|Conseillers numériques|La Croix Rouge", itinerant=True,
        horaires="Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00", heures_par_semaine=41.0, ouvert_samedi=True,
        site_web="https://www.laquincaillerie.tl/", date_maj="2024-04-02", est_tiers_lieu=True,
        conseiller_numerique=True, aidants_connect=True, pivot="43493312300029",
    )]))
    assert resultat.avertissements == []
    assert resultat.edition == "2024-04-02"


def test_exemple_officiel_hors_territoire(contexte):
    contenu = echantillon_reel("lamednum_exemple-valide_v1.0.2.csv").read_bytes()
    resultat = SOURCE.lire_et_valider({FICHIER: contenu}, contexte)
    assert len(resultat.frame) == 0
    assert resultat.lignes_lues == 1


# --------------------------------------------------------------------------- demonstration data
def test_demo_lue_par_le_vrai_parseur(contexte):
    from dashboard.demo import generateurs
    from dashboard.demo.mediation_numerique import generer
    from dashboard.sources.mediation_numerique import SERVICES

    assert generateurs()["mediation_numerique"] is generer
    bruts = generer(contexte, 56)
    assert bruts == generer(contexte, 56)
    assert bruts != generer(contexte, 57)
    entete = bruts[FICHIER].decode("utf-8").splitlines()[0]
    assert entete == (LIEUX / "mediation_v1.csv").read_text(encoding="utf-8").splitlines()[0]
    resultat = SOURCE.lire_et_valider(bruts, contexte)
    frame = resultat.frame
    assert 20 <= len(frame) <= 35
    assert set(frame["code_insee"]) == set(contexte.codes_communes)
    assert frame["nom"].str.contains("(démo)", regex=False).all()
    typologies = set(frame["typologies"].str.split("|").explode())
    assert typologies == {"EPN", "BIB", "CCAS", "MUNI", "ASSO", "TIERS_LIEUX", "FABLAB"}
    assert set(frame["services"].str.split("|").explode()) <= set(SERVICES)
    assert int(frame["itinerant"].sum()) == 3
    assert 0 < int(frame["conseiller_numerique"].sum()) < len(frame)
    assert int(frame["est_tiers_lieu"].sum()) == 2
    assert frame["site_web"].isna().all() and frame["pivot"].isna().all()
    assert frame["latitude"].notna().all()
    # two rows leave code_insee empty, as in the national file, and are placed by their point
    assert len(resultat.avertissements) == 1
    assert "2 code(s) INSEE absent(s) retrouvé(s) par les coordonnées" in resultat.avertissements[0]
