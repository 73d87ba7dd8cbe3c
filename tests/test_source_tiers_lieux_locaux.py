"""Local tiers-lieux uploads: the documented layout and the bad-input cases BI-xx of the reliability plan.

Fixtures are written by ``tests/fixtures/televersements/generer.py`` (one function per case,
with the defect's physical line commented there). Every test checks, where it applies:
the French message with its line and column, accepted + rejected + hors périmètre = read,
and that an XSS-looking name (in a row, or as the uploaded file name) comes out verbatim.
"""

from __future__ import annotations

import os
import time

import openpyxl
import pandas as pd
import pytest

from dashboard.erreurs import ErreurFormat, SourceIndisponible
from dashboard.sources import source
from dashboard.sources import tiers_lieux_locaux as module
from dashboard.sources.tiers_lieux_locaux import (
    COLONNES,
    FICHIER,
    SOURCE,
    SourceTiersLieuxLocaux,
    colonne_du_modele,
    lire_televersement,
    nom_affichable,
)
from tests.conftest import RACINE
from tests.fixtures.televersements import generer as G

EDITION = "2026-05-01"
NOM_XSS = G.NOM_XSS
FICHIER_XSS = "<img src=x onerror=alert(1)>.csv"  # a hostile upload name, shown verbatim, never a path
TYPES = {c.nom: {"texte": "str", "decimal": "Float64", "booleen": "boolean"}[c.type] for c in COLONNES}
NA = pd.NA
MODELE = RACINE / "docs" / "modele-tiers-lieux.csv"


# --------------------------------------------------------------------------- helpers
def octets(nom: str) -> bytes:
    if nom in G.EN_MEMOIRE:
        return G.generer(nom)
    return (G.DOSSIER / nom).read_bytes()


@pytest.fixture(scope="module")
def contours(reference):
    return reference.communes


def lire(nom: str, contexte, contours, **options) -> module.Televersement:
    resultat = lire_televersement(octets(nom), nom, contexte, contours=contours, edition=EDITION, **options)
    verifier_comptes(resultat)
    return resultat


def refuser(nom: str, contexte, contours, **options) -> ErreurFormat:
    """Read fixture ``nom`` uploaded under a hostile name; the whole file must be refused."""
    with pytest.raises(ErreurFormat) as exc:
        lire_televersement(octets(nom), FICHIER_XSS, contexte, contours=contours, edition=EDITION, **options)
    assert exc.value.fichier == FICHIER_XSS  # name kept verbatim as text (escaped at display)
    assert str(exc.value).startswith(f"fichier « {FICHIER_XSS} »")
    return exc.value


def verifier_comptes(t: module.Televersement) -> None:
    s = t.stats
    assert s["acceptees"] + s["rejetees"] + s["hors_perimetre"] == s["lues"]
    assert (len(t.frame), len(t.rejets), len(t.hors_perimetre), len(t.lignes)) == (
        s["acceptees"], s["rejetees"], s["hors_perimetre"], s["acceptees"])
    assert s["sans_coordonnees"] == int(t.frame["latitude"].isna().sum())
    assert list(t.frame.columns) == [c.nom for c in COLONNES]


def noms(t: module.Televersement) -> list[str]:
    return t.frame["nom"].tolist()


def attendu(lignes: list[dict]) -> pd.DataFrame:
    base = {"adresse": "", "latitude": NA, "longitude": NA, "typologie": "non renseignée", "site_web": None,
            "edition": EDITION, "services": "", "publics": "", "gratuit": NA, "itinerant": NA, "horaires": None}
    return pd.DataFrame([{**base, **ligne} for ligne in lignes], columns=list(TYPES)).astype(TYPES)


# --------------------------------------------------------------------------- declaration and fixtures
def test_declaration_de_la_source():
    assert source("tiers_lieux_locaux") is SOURCE
    assert SOURCE.producteur == "réseau local des tiers-lieux (saisie locale)"
    assert SOURCE.licence == "à préciser par le réseau local (par défaut Licence Ouverte 2.0)"
    assert SOURCE.page == "docs/modele-tiers-lieux.md"
    assert (RACINE / SOURCE.page).is_file()
    assert [f.nom for f in SOURCE.fichiers] == ["tiers-lieux-locaux.csv"]
    assert [c.nom for c in COLONNES] == [
        "id", "nom", "adresse", "code_insee", "commune", "latitude", "longitude", "typologie", "site_web", "edition",
        "services", "publics", "gratuit", "itinerant", "horaires"]


def test_colonnes_communes_avec_le_recensement_cget():
    from dashboard.sources.tiers_lieux_cget import COLONNES as CGET

    assert [(c.nom, c.type) for c in COLONNES[:len(CGET)]] == [(c.nom, c.type) for c in CGET]


def test_fixtures_a_jour():
    """The committed fixtures are exactly what the generator writes (reviewable source)."""
    for nom in G.FIXTURES:
        if nom not in G.EN_MEMOIRE:
            assert (G.DOSSIER / nom).read_bytes() == G.generer(nom), nom


def test_telechargement_impossible():
    with pytest.raises(SourceIndisponible) as exc:
        SOURCE.telecharger(lambda url: None)
    assert exc.value.message == "source locale : il n'y a rien à télécharger"
    assert "python -m dashboard import tiers_lieux_locaux" in exc.value.conseil


# --------------------------------------------------------------------------- BI-05: the reference file
def test_bi05_point_virgule_cadre_exact(contexte, contours):
    t = lire("bi05_point_virgule.csv", contexte, contours)
    pd.testing.assert_frame_equal(t.frame, attendu([
        {"id": "56121-la-forge-test", "nom": "La Forge test", "adresse": "1 rue de l'Essai", "code_insee": "56121",
         "commune": "Lorient", "latitude": 47.7507, "longitude": -3.3731, "typologie": "tiers-lieu",
         "site_web": "https://exemple.org/forge", "services": "Loisirs et créations numériques|impression 3D",
         "publics": "Jeunes|Seniors", "gratuit": True, "itinerant": False,
         "horaires": "Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00"},
        {"id": "56083-atelier-img-src-x-onerror-alert-1", "nom": NOM_XSS, "adresse": "2 rue de l'Essai",
         "code_insee": "56083", "commune": "Hennebont", "latitude": 47.8056, "longitude": -3.2736,
         "typologie": "fablab", "services": "Accès internet et matériel informatique", "gratuit": False,
         "horaires": "mardi et jeudi après-midi"},
        {"id": "56185-bus-numerique-test", "nom": "Bus numérique test", "code_insee": "56185", "commune": "Quéven",
         "typologie": "espace numérique", "services": "Aide aux démarches administratives", "publics": "Seniors",
         "gratuit": True, "itinerant": True},
        {"id": "56098-coworking-du-port-test", "nom": "Coworking du port test", "adresse": "3 quai de l'Essai",
         "code_insee": "56098", "commune": "Lanester", "latitude": 47.7687, "longitude": -3.3329,
         "typologie": "autre", "site_web": "http://exemple.org/port", "itinerant": False},
    ]))
    assert t.lignes == [2, 3, 4, 5]
    assert t.rejets == []
    assert t.hors_perimetre.empty
    assert t.stats == {"lues": 4, "acceptees": 4, "rejetees": 0, "hors_perimetre": 0, "sans_coordonnees": 1}
    assert t.format == "CSV"
    assert t.avertissements == [
        "bi05_point_virgule.csv, colonne type : valeur « bureau partagé » hors liste, classée « autre » (lignes 5 ; "
        "valeurs possibles : tiers-lieu, coworking, fablab, atelier partagé, espace numérique, autre)",
        "bi05_point_virgule.csv : code INSEE absent retrouvé par les coordonnées et les contours des communes "
        "(lignes 5)",
        "bi05_point_virgule.csv : code INSEE absent retrouvé par le nom de la commune (lignes 4)",
        "bi05_point_virgule.csv : 1 lieu(x) sans coordonnées, conservé(s) mais absent(s) de la carte (lignes 4)",
    ]


# --------------------------------------------------------------------------- encodings and separators
def test_bi01_bom_retire_de_la_premiere_colonne(contexte, contours):
    t = lire("bi01_utf8_bom.csv", contexte, contours)
    assert noms(t) == ["La Forge test", NOM_XSS]
    assert t.avertissements == []  # « \ufeffnom » would have been an unknown column


def test_bi02_windows_1252_accepte_avec_avis(contexte, contours):
    t = lire("bi02_cp1252.csv", contexte, contours)
    assert noms(t) == ["La Forge test", NOM_XSS, "Bus numérique test"]
    assert t.frame["commune"].tolist() == ["Lorient", "Hennebont", "Quéven"]
    assert t.avertissements[0] == "bi02_cp1252.csv : encodage détecté : Windows-1252 (converti en UTF-8)"


def test_bi04_encodage_mixte_refuse_avec_ligne_et_colonne(contexte, contours):
    erreur = refuser("bi04_encodage_mixte.csv", contexte, contours)
    assert (erreur.message, erreur.ligne, erreur.colonne) == ("octet 0xE9 invalide en UTF-8", 4, "commune")
    assert erreur.conseil == "le fichier mélange deux encodages ; réenregistrez-le en UTF-8"


def test_bi06_virgule_et_guillemets(contexte, contours):
    t = lire("bi06_virgule_guillemets.csv", contexte, contours)
    assert noms(t) == ["La Forge test", NOM_XSS]
    assert t.frame["adresse"].tolist() == ["1, rue de l'Essai", "Zone de l'Essai, bâtiment B"]
    assert t.frame["latitude"].tolist() == [47.7507, 47.8056]
    assert t.avertissements == ["bi06_virgule_guillemets.csv : séparateur détecté : virgule"]


def test_bi07_tabulation_detectee(contexte, contours):
    t = lire("bi07_tabulation.tsv", contexte, contours)
    assert noms(t) == ["La Forge test", NOM_XSS]
    assert t.frame["code_insee"].tolist() == ["56121", "56069"]
    assert t.avertissements == ["bi07_tabulation.tsv : séparateur détecté : tabulation"]


def test_bi07_separateur_inconnu(contexte, contours):
    erreur = refuser("bi07_separateur_inconnu.csv", contexte, contours)
    assert erreur.message == (
        "colonne obligatoire « nom » introuvable dans les 10 premières lignes (séparateurs essayés : ; , "
        "tabulation |) ; première ligne : « nom#adresse#commune »")
    assert (erreur.ligne, erreur.colonne) == (1, "nom")


# --------------------------------------------------------------------------- empty, header, ragged, quotes
@pytest.mark.parametrize("contenu", [b"", b"  \r\n\n"])
def test_bi10_fichier_vide(contenu, contexte, contours):
    with pytest.raises(ErreurFormat) as exc:
        lire_televersement(contenu, FICHIER_XSS, contexte, contours=contours)
    assert exc.value.message == "fichier vide"
    assert exc.value.fichier == FICHIER_XSS
    assert octets("bi10_vide.csv") == b""


def test_bi11_entete_seul(contexte, contours):
    erreur = refuser("bi11_entete_seul.csv", contexte, contours)
    assert erreur.message == "aucune ligne de données (en-tête seul)"


def test_bi12_lignes_irregulieres_rejetees_pas_ignorees(contexte, contours):
    t = lire("bi12_lignes_irregulieres.csv", contexte, contours)
    assert t.rejets == [(7, None, "6 valeurs au lieu de 5"), (9, None, "4 valeurs au lieu de 5")]
    assert t.lignes == [2, 3, 4, 5, 6, 8, 10]  # line 10's trailing empty cell is tolerated
    assert t.stats["lues"] == 9
    assert NOM_XSS in noms(t)


def test_bi13_guillemet_non_ferme(contexte, contours):
    erreur = refuser("bi13_guillemet_non_ferme.csv", contexte, contours)
    assert erreur.message == ("guillemet non fermé à partir de la ligne 12 (l'enregistrement court jusqu'à la "
                              "ligne 15)")
    assert (erreur.ligne, erreur.colonne) == (12, "adresse")
    assert erreur.conseil == "fermez le guillemet ou retirez-le ; rien n'a été importé"


def test_bi14_adresse_multiligne_et_lignes_physiques(contexte, contours):
    t = lire("bi14_adresse_multiligne.csv", contexte, contours)
    assert t.frame["adresse"].tolist() == ["1 rue de l'Essai, Bâtiment B, 2e étage", ""]
    assert t.lignes == [2, 5]
    assert t.rejets == [(6, "code_insee", "code INSEE invalide : « 5612X » (5 caractères attendus, par exemple "
                                          "56121)")]
    assert noms(t) == ["La Forge test", NOM_XSS]


def test_bi15_colonne_en_double(contexte, contours):
    erreur = refuser("bi15_entete_double.csv", contexte, contours)
    assert erreur.message == "colonne « nom » en double (positions 2 et 3 : « nom » et « Nom »)"
    assert (erreur.ligne, erreur.colonne) == (1, "nom")


def test_bi17_colonnes_en_plus_ignorees_et_listees(contexte, contours):
    t = lire("bi17_colonnes_en_plus.csv", contexte, contours)
    assert noms(t) == ["La Forge test", NOM_XSS]
    assert t.avertissements[0] == ("bi17_colonnes_en_plus.csv : colonne(s) hors modèle ignorée(s) : « Contact », "
                                   "« Commentaire interne », (sans titre, position 6)")


def test_bi18_variantes_d_entete(contexte, contours):
    t = lire("bi18_variantes_entete.csv", contexte, contours)
    pd.testing.assert_frame_equal(t.frame, attendu([{
        "id": "56121-atelier-img-src-x-onerror-alert-1", "nom": NOM_XSS, "adresse": "1 rue de l'Essai",
        "code_insee": "56121", "commune": "Lorient", "latitude": 47.7507, "longitude": -3.3731,
        "typologie": "coworking", "site_web": "https://exemple.org", "services": "Compréhension du monde numérique",
        "publics": "Étudiants", "gratuit": True, "itinerant": False, "horaires": "Mo-Fr 10:00-18:00"}]))
    assert t.avertissements == [
        "bi18_variantes_entete.csv : en-têtes reconnus : « Nom du lieu » → nom, « Latitude (WGS84) » → latitude, "
        "« Lng » → longitude, « Type de lieu » → type, « Site Internet » → site_web, « Itinérance » → itinerant, "
        "« Publics accueillis » → publics, « Services proposés » → services, « Horaires d'ouverture » → horaires, "
        "« Gratuité » → gratuit"]


@pytest.mark.parametrize(("entete", "colonne"), [
    ("Nom du lieu", "nom"), ("Code INSEE", "code_insee"), ("code_insée", "code_insee"), ("CODE_INSEE", "code_insee"),
    ("lat", "latitude"), ("lon", "longitude"), ("lng", "longitude"), ("Longitude (degrés)", "longitude"),
    ("Site web", "site_web"), ("Itinérant ?", "itinerant"), ("Téléphone", None),
])
def test_colonne_du_modele(entete, colonne):
    assert colonne_du_modele(entete) == colonne


# --------------------------------------------------------------------------- codes and perimeter
def test_bi22_codes_corses_et_invalides(contexte, contours):
    t = lire("bi22_codes_invalides.csv", contexte, contours)
    assert noms(t) == [NOM_XSS, "Lieu Excel test"]
    assert t.frame["code_insee"].tolist() == ["56121", "56121"]  # « 56121.0 » repaired
    motif = "code INSEE invalide : « {} » (5 caractères attendus, par exemple 56121)"
    assert t.rejets == [(5, "code_insee", motif.format("2C001")), (6, "code_insee", motif.format("561")),
                        (7, "code_insee", motif.format("ABCDE"))]
    assert t.hors_perimetre["code_insee"].tolist() == ["2A004", "2B033"]  # valid codes, outside
    assert t.hors_perimetre["motif"].tolist() == ["commune 2A004 hors du territoire « Pays de Lorient »",
                                                  "commune 2B033 hors du territoire « Pays de Lorient »"]
    assert ("bi22_codes_invalides.csv, colonne code_insee : code(s) réparé(s) (format numérique ou zéro initial "
            "perdu), lignes 8") in t.avertissements


def test_bi24_hors_perimetre_liste_a_part(contexte, contours):
    t = lire("bi24_hors_perimetre.csv", contexte, contours)
    assert noms(t) == [NOM_XSS]
    attendu_hors = pd.DataFrame({
        "ligne": [3, 4], "nom": ["Tiers-lieu rennais test", "Lieu de Quimperlé test"],
        "commune": ["Rennes", "Quimperlé"], "code_insee": ["35238", ""], "latitude": [48.1113, 47.872],
        "longitude": [-1.68, -3.549],
        "motif": ["commune 35238 hors du territoire « Pays de Lorient »",
                  "point hors des communes du territoire « Pays de Lorient » et code INSEE absent"],
    }).astype(module.COLONNES_HORS_PERIMETRE)
    pd.testing.assert_frame_equal(t.hors_perimetre, attendu_hors)
    assert t.stats == {"lues": 3, "acceptees": 1, "rejetees": 0, "hors_perimetre": 2, "sans_coordonnees": 0}
    assert t.avertissements == ["bi24_hors_perimetre.csv : 2 ligne(s) hors périmètre, listée(s) à part et non "
                                "retenue(s) (lignes 3, 4)"]


def test_bi25_doublons(contexte, contours):
    t = lire("bi25_doublons.csv", contexte, contours)
    assert t.frame["id"].tolist() == ["A1", "B2", "C3"]
    assert noms(t) == ["La Forge test", NOM_XSS, "La Forge test"]
    assert t.rejets == [(4, None, "doublon exact de la ligne 2 (supprimé)"),
                        (6, None, "doublon exact de la ligne 3 (supprimé)"),
                        (7, "identifiant", "identifiant « A1 » en double (déjà ligne 2)")]
    assert t.avertissements[:2] == [
        "bi25_doublons.csv : 2 doublon(s) exact(s) supprimé(s) (lignes 4, 6)",
        "bi25_doublons.csv : lignes 2, 5 : même nom « La Forge test » et même commune (56121) avec des contenus "
        "différents ; vérifiez s'il s'agit du même lieu (toutes les lignes sont conservées)"]


def test_identifiants_generes_uniques(contexte, contours):
    contenu = "nom;commune;adresse\nLa Forge;Lorient;1 rue A\nLa Forge;Lorient;2 rue B\nLa Forge!;Lorient;3\n"
    t = lire_televersement(contenu.encode(), "x.csv", contexte, contours=contours, edition=EDITION)
    assert t.frame["id"].tolist() == ["56121-la-forge", "56121-la-forge-2", "56121-la-forge-3"]


# --------------------------------------------------------------------------- coordinates
def test_bi26_sans_coordonnees_conserves_jamais_a_zero(contexte, contours):
    t = lire("bi26_sans_coordonnees.csv", contexte, contours)
    assert t.stats["sans_coordonnees"] == 3
    assert t.frame["latitude"].isna().tolist() == [True, True, True, False]
    assert not (t.frame["latitude"].fillna(1) == 0).any()
    assert NOM_XSS in noms(t)
    assert t.avertissements == ["bi26_sans_coordonnees.csv : 3 lieu(x) sans coordonnées, conservé(s) mais "
                                "absent(s) de la carte (lignes 2, 3, 4)"]


def test_bi27_lambert93_converti_avec_avertissement(contexte, contours):
    t = lire("bi27_lambert93.csv", contexte, contours)
    assert t.frame["latitude"].tolist()[:2] == [pytest.approx(47.750003, abs=1e-6)] * 2
    assert t.frame["longitude"].tolist()[:2] == [pytest.approx(-3.366702, abs=1e-6)] * 2
    assert t.frame["code_insee"].tolist() == ["56121", "56121", "56083"]  # line 3 placed by its point
    assert t.avertissements[0] == (
        "bi27_lambert93.csv : coordonnées en mètres Lambert-93 (EPSG:2154) détectées et converties en degrés WGS84, "
        "vérifiez ces points (lignes 2, 3)")
    assert noms(t)[0] == NOM_XSS


def test_bi28_inversees_echangees_avec_avertissement(contexte, contours):
    t = lire("bi28_inversees.csv", contexte, contours)
    assert (t.frame.loc[0, "latitude"], t.frame.loc[0, "longitude"]) == (47.8, -3.28)
    assert noms(t)[0] == NOM_XSS
    assert t.avertissements == ["bi28_inversees.csv : latitude et longitude inversées probables, valeurs échangées "
                                "automatiquement ; corrigez le fichier (lignes 2)"]


def test_bi29_hors_zone_et_coordonnees_invalides(contexte, contours):
    t = lire("bi29_ile_nulle_paris.csv", contexte, contours)
    assert noms(t) == [NOM_XSS]
    emprise = "hors de l'emprise du territoire « Pays de Lorient » (marge comprise)"
    assert t.hors_perimetre["motif"].tolist() == [f"coordonnées (0,00000 ; 0,00000) {emprise}",
                                                  f"coordonnées (48,85660 ; 2,35220) {emprise}"]
    assert t.hors_perimetre["ligne"].tolist() == [2, 3]
    assert t.rejets == [
        (5, "latitude", "coordonnées hors des limites WGS84 (147.5 ; -3.37) : latitude entre -90 et 90, longitude "
                        "entre -180 et 180 attendues"),
        (6, "latitude", "coordonnée invalide : « 47,75 N » (nombre décimal attendu, par exemple 47,7483 ou "
                        "47.7483)"),
        (7, "longitude", "longitude absente alors que la latitude est renseignée"),
    ]


# --------------------------------------------------------------------------- odd text
def test_bi31_texte_etrange(contexte, contours):
    t = lire("bi31_texte_etrange.csv", contexte, contours)
    assert noms(t) == ["<script>alert('x')</script> Forge test", "Lieu est test", NOM_XSS]  # HTML kept as text
    assert t.frame["commune"].tolist() == ["Lorient", "Lorient", "Groix"]  # « Lo\u200brient » cleaned
    assert t.frame["adresse"].tolist()[2] == "rue de l'Essai"
    assert t.rejets == [(4, "nom", "cellule trop longue (258 caractères, maximum 200)"),
                        (6, "nom", "nom du lieu vide (colonne obligatoire)")]
    assert t.avertissements[0] == (
        "bi31_texte_etrange.csv : caractères invisibles supprimés (contrôle, largeur nulle ou inversion du sens "
        "d'écriture) : ligne 3 colonne nom, ligne 3 colonne commune, ligne 5 colonne adresse")


def test_bi31_octet_nul_refuse_avec_ligne_et_colonne(contexte, contours):
    erreur = refuser("bi31_nul.csv", contexte, contours)
    assert erreur.message == "caractère nul (octet 0x00) : fichier binaire ou endommagé"
    assert (erreur.ligne, erreur.colonne) == (3, "adresse")


def test_bi31_cellule_d_un_mega_octet_rejetee(contexte, contours):
    debut = time.perf_counter()
    t = lire("bi31_cellule_1mo.csv", contexte, contours)
    assert time.perf_counter() - debut < 5
    assert t.rejets == [(3, "adresse", "cellule trop longue (plus de 131\u202f072 caractères) : ligne rejetée")]
    assert noms(t) == [NOM_XSS, "Lieu suivant test"]  # the line after is read normally
    assert t.lignes == [2, 4]


# --------------------------------------------------------------------------- formats (magic bytes)
def test_bi32_classeur_nomme_csv_lu_comme_classeur(contexte, contours):
    t = lire("bi32_classeur_nomme.csv", contexte, contours)
    assert t.format == "XLSX"
    assert noms(t) == [NOM_XSS]


@pytest.mark.parametrize(("nom", "message"), [
    ("bi32_ancien.xls", "format non pris en charge : le fichier est un classeur Excel ancien format (.xls) ou "
                        "protégé par mot de passe"),
    ("bi32_image.csv", "format non pris en charge : le fichier est en réalité une image PNG"),
    ("bi32_tableur.ods", "classeur OpenDocument (.ods) non pris en charge"),
])
def test_bi32_formats_refuses(nom, message, contexte, contours, monkeypatch):
    monkeypatch.setattr(openpyxl, "load_workbook", _interdit)
    erreur = refuser(nom, contexte, contours)
    assert erreur.message == message


def _interdit(*_args, **_kwargs):
    raise AssertionError("openpyxl ne doit pas être appelé")


# --------------------------------------------------------------------------- XLSX
def test_xlsx_valide(contexte, contours):
    t = lire("xlsx_valide.xlsx", contexte, contours)
    pd.testing.assert_frame_equal(t.frame, attendu([
        {"id": "56121-la-forge-test", "nom": "La Forge test", "adresse": "1 rue de l'Essai", "code_insee": "56121",
         "commune": "Lorient", "latitude": 47.7507, "longitude": -3.3731, "typologie": "tiers-lieu",
         "gratuit": True},
        {"id": "56069-atelier-img-src-x-onerror-alert-1", "nom": NOM_XSS, "code_insee": "56069", "commune": "Groix",
         "latitude": 47.6369, "longitude": -3.461, "typologie": "fablab", "gratuit": False},
        {"id": "56083-lieu-sans-code-test", "nom": "Lieu sans code test", "code_insee": "56083",
         "commune": "Hennebont", "typologie": "coworking"},
    ]))
    assert t.lignes == [4, 5, 7]  # Excel row numbers
    assert t.rejets == [(8, "code_insee", "code INSEE invalide : « ABCDE » (5 caractères attendus, par exemple "
                                          "56121)")]
    assert t.avertissements[:4] == [
        "xlsx_valide.xlsx : feuille « Lieux » lue",
        "xlsx_valide.xlsx : ligne(s) 1 à 2 avant l'en-tête ignorée(s)",
        "xlsx_valide.xlsx : en-têtes reconnus : « Nom du lieu » → nom",
        "xlsx_valide.xlsx : valeurs à droite des colonnes titrées ignorées (lignes 7)",
    ]


def test_xlsx_bombe_refusee_avant_openpyxl(contexte, contours, monkeypatch):
    monkeypatch.setattr(openpyxl, "load_workbook", _interdit)
    erreur = refuser("xlsx_bombe.xlsx", contexte, contours)
    assert erreur.message.startswith("fichier Excel refusé : archive suspecte (« bombe zip ») : le fichier interne "
                                     "xl/worksheets/sheet1.xml passe de ")
    assert erreur.message.endswith("(rapport 968, maximum 100)")


def test_xlsx_plafond_decompresse_des_televersements(contexte, contours, monkeypatch):
    monkeypatch.setattr(module, "XLSX_DECOMPRESSE_MAX", 1_000)
    monkeypatch.setattr(openpyxl, "load_workbook", _interdit)
    erreur = refuser("xlsx_valide.xlsx", contexte, contours)
    assert erreur.message.startswith("fichier Excel refusé : classeur trop volumineux une fois décompressé (")
    assert erreur.message.endswith("octets, maximum 1000)")


@pytest.mark.parametrize("nom", ["xlsx_milliard_de_rires.xlsx", "xlsx_entite_externe.xlsx"])
def test_xlsx_entites_xml_refusees(nom, contexte, contours):
    assert openpyxl.DEFUSEDXML is True
    erreur = refuser(nom, contexte, contours)
    assert erreur.message == ("fichier Excel refusé : structure XML dangereuse (déclaration d'entités : « bombe XML » "
                              "ou référence à un fichier externe)")
    assert erreur.conseil == "rien n'a été lu ; recréez le classeur ou enregistrez le tableau en CSV"


# --------------------------------------------------------------------------- XSS payloads (§6.3)
def test_payloads_xss_literal(contexte, contours):
    t = lire("xss_charges.csv", contexte, contours)
    assert noms(t) == list(G.CHARGES_XSS)
    assert t.frame["adresse"].tolist() == list(G.CHARGES_XSS)
    assert t.frame["site_web"].isna().all()  # none of them is an http(s) link
    assert t.lignes == list(range(2, 12))
    assert ("xss_charges.csv, colonne site_web : lien ignoré, seule une adresse commençant par http:// ou https:// "
            "est acceptée (lignes 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)") in t.avertissements


def test_payloads_xss_dans_le_nom_du_fichier(contexte, contours):
    for charge in G.CHARGES_XSS:
        if "/" in charge or "\\" in charge:
            continue  # a path separator: only the last component is shown (see below)
        t = lire_televersement(octets("bi01_utf8_bom.csv"), charge + ".csv", contexte, contours=contours)
        assert t.nom_affiche == charge + ".csv"


# --------------------------------------------------------------------------- upload name and limits
@pytest.mark.parametrize(("nom", "affiche"), [
    ("../../etc/cron.d/x.csv", "x.csv"),
    ("..\\..\\windows\\x.csv", "x.csv"),
    ("/abs/path.csv", "path.csv"),
    ("a\x00b.csv", "ab.csv"),
    ("\u202egpj.csv", "gpj.csv"),
    ("=cmd|' /C calc'!A0.csv", "C calc'!A0.csv"),  # « / » : only the last component
    ("", "fichier téléversé"),
    ("n" * 4096 + ".csv", "n" * 79 + "…"),
])
def test_nom_affichable(nom, affiche):
    assert nom_affichable(nom) == affiche


def test_le_nom_televerse_n_est_jamais_un_chemin(contexte, contours, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "etc").mkdir()
    t = lire_televersement(octets("bi05_point_virgule.csv"), "../../etc/x.csv", contexte, contours=contours)
    assert t.nom_affiche == "x.csv"
    assert all(a.startswith("x.csv") for a in t.avertissements)
    assert sorted(os.listdir(tmp_path)) == ["etc"] and os.listdir(tmp_path / "etc") == []


def test_taille_max(contexte, contours):
    erreur = refuser("bi05_point_virgule.csv", contexte, contours, taille_max=100)
    assert erreur.message == "fichier trop volumineux (711 octets, maximum 100)"


def test_lignes_max(contexte, contours):
    erreur = refuser("bi12_lignes_irregulieres.csv", contexte, contours, lignes_max=3)
    assert (erreur.message, erreur.ligne) == ("trop de lignes : plus de 3 lignes de données", 5)


def test_lignes_max_xlsx(contexte, contours):
    erreur = refuser("xlsx_valide.xlsx", contexte, contours, lignes_max=1)
    assert (erreur.message, erreur.ligne) == ("trop de lignes : plus de 1 lignes de données", 5)


def test_colonnes_max(contexte, contours):
    erreur = refuser("bi05_point_virgule.csv", contexte, contours, colonnes_max=5)
    assert (erreur.message, erreur.ligne) == ("trop de colonnes (13, maximum 5)", 1)


def test_duree_max_cooperative(contexte, contours, monkeypatch):
    horloge = iter(range(1000))
    monkeypatch.setattr(module, "_horloge", lambda: float(next(horloge)))  # one second per check
    erreur = refuser("bi12_lignes_irregulieres.csv", contexte, contours, duree_max_s=5)
    assert erreur.message == "lecture interrompue : durée maximale de 5,0 s dépassée"
    assert erreur.ligne is not None


@pytest.mark.parametrize(("contenu", "message"), [
    (b"nom;commune\n" + b"a;b\n" * 1_200_000, "trop de lignes : plus de 5\u202f000 lignes de données"),
    ((";".join(f"c{i}" for i in range(100_000)) + ";nom\nx\n").encode(), "colonne obligatoire « nom » introuvable"),
    (("nom;" + ";".join(f"c{i}" for i in range(100_000)) + "\nx\n").encode(), "trop de colonnes (100\u202f001"),
])
def test_gros_fichiers_refuses_vite(contenu, message, contexte, contours):
    debut = time.perf_counter()
    with pytest.raises(ErreurFormat) as exc:
        lire_televersement(contenu, "gros.csv", contexte, contours=contours)
    assert time.perf_counter() - debut < 5
    assert exc.value.message.startswith(message)


# --------------------------------------------------------------------------- small rules
def test_oui_non_et_types(contexte, contours):
    contenu = ("nom;commune;gratuit;itinerant;type\n"
               "A;Lorient;OUI;Non;Tiers lieux\n"
               "B;Lorient;peut-être;x;EPN\n"
               "C;Lorient;;;Repair Café\n").encode()
    t = lire_televersement(contenu, "x.csv", contexte, contours=contours, edition=EDITION)
    assert t.frame["gratuit"].tolist() == [True, NA, NA]
    assert t.frame["itinerant"].tolist() == [False, True, NA]
    assert t.frame["typologie"].tolist() == ["tiers-lieu", "espace numérique", "atelier partagé"]
    assert "x.csv, colonne gratuit : « oui » ou « non » attendu, valeur ignorée (lignes 3)" in t.avertissements


def test_commune_discordante_le_code_prime(contexte, contours):
    contenu = "nom;commune;code_insee\nA;Quéven;56121\nB;lorient;56121\n".encode()
    t = lire_televersement(contenu, "x.csv", contexte, contours=contours, edition=EDITION)
    assert t.frame["commune"].tolist() == ["Lorient", "Lorient"]
    assert t.avertissements == ["x.csv, colonne commune : nom différent de celui du code INSEE, le code est retenu : "
                                "ligne 2 : « Quéven » pour 56121 (Lorient)",
                                "x.csv : 2 lieu(x) sans coordonnées, conservé(s) mais absent(s) de la carte "
                                "(lignes 2, 3)"]


def test_lieu_impossible_a_situer_rejete(contexte, contours):
    contenu = b"nom;commune\nA;Rennes\nB;\n"
    t = lire_televersement(contenu, "x.csv", contexte, contours=contours, edition=EDITION)
    assert t.rejets == [
        (2, "commune", "code INSEE absent et commune « Rennes » introuvable parmi les communes du territoire "
                       "« Pays de Lorient » : indiquez le code INSEE"),
        (3, "code_insee", "ni code INSEE, ni commune, ni coordonnées : impossible de situer le lieu"),
    ]
    assert t.stats == {"lues": 2, "acceptees": 0, "rejetees": 2, "hors_perimetre": 0, "sans_coordonnees": 0}


def test_utf16_accepte(contexte, contours):
    contenu = "nom\tcommune\nLa Forge test\tLorient\n".encode("utf-16")
    t = lire_televersement(contenu, "x.txt", contexte, contours=contours, edition=EDITION)
    assert noms(t) == ["La Forge test"]
    assert t.avertissements[0] == "x.txt : encodage détecté : UTF-16 (converti en UTF-8)"


# --------------------------------------------------------------------------- template and source
def test_modele_docs_lisible_et_lignes_d_exemple_refusees(contexte, contours):
    t = lire_televersement(MODELE.read_bytes(), MODELE.name, contexte, contours=contours, edition=EDITION)
    assert t.avertissements == []  # every column of the template is recognised as is
    motif = ("ligne d'exemple du modèle (nom commençant par « Exemple ») : supprimez-la ou remplacez-la par un vrai "
             "lieu")
    assert t.rejets == [(2, "nom", motif), (3, "nom", motif)]


def test_modele_docs_rempli(contexte, contours):
    rempli = MODELE.read_bytes().replace("Exemple — ".encode(), b"")
    t = lire_televersement(rempli, MODELE.name, contexte, contours=contours, edition=EDITION)
    pd.testing.assert_frame_equal(t.frame, attendu([
        {"id": "56121-la-fabrique-du-port-lieu-fictif", "nom": "La Fabrique du Port (lieu fictif)",
         "adresse": "12 rue de l'Exemple", "code_insee": "56121", "commune": "Lorient", "latitude": 47.7507,
         "longitude": -3.3731, "typologie": "tiers-lieu", "site_web": "https://exemple.org/fabrique",
         "services": "Loisirs et créations numériques|Accès internet et matériel informatique",
         "publics": "Jeunes|Seniors", "gratuit": True, "itinerant": False,
         "horaires": "Mo-Fr 09:00-18:00; Sa 10:00-12:00"},
        {"id": "56083-bus-numerique-lieu-fictif", "nom": "Bus numérique (lieu fictif)", "code_insee": "56083",
         "commune": "Hennebont", "typologie": "espace numérique", "services": "Aide aux démarches administratives",
         "publics": "Seniors", "gratuit": True, "itinerant": True, "horaires": "mardi 9 h – 12 h, place du marché"},
    ]))


def test_source_lire_et_valider(contexte, contours):
    resultat = SourceTiersLieuxLocaux(contours).lire_et_valider({FICHIER: octets("bi22_codes_invalides.csv")},
                                                                contexte)
    assert resultat.lignes_lues == 7
    assert len(resultat.frame) + len(resultat.lignes_rejetees) == 7
    assert resultat.lignes_rejetees == [
        (FICHIER, 3, "hors périmètre : commune 2A004 hors du territoire « Pays de Lorient »"),
        (FICHIER, 4, "hors périmètre : commune 2B033 hors du territoire « Pays de Lorient »"),
        (FICHIER, 5, "colonne code_insee : code INSEE invalide : « 2C001 » (5 caractères attendus, par exemple 56121)"),
        (FICHIER, 6, "colonne code_insee : code INSEE invalide : « 561 » (5 caractères attendus, par exemple 56121)"),
        (FICHIER, 7, "colonne code_insee : code INSEE invalide : « ABCDE » (5 caractères attendus, par exemple "
                     "56121)"),
    ]
    assert resultat.edition == module._aujourd_hui()
    assert "tiers-lieux-locaux.csv, ligne 5, colonne code_insee : code INSEE invalide : « 2C001 » (5 caractères " \
           "attendus, par exemple 56121)" in resultat.avertissements
    assert resultat.frame["nom"].tolist() == [NOM_XSS, "Lieu Excel test"]


def test_source_sans_lieu_accepte_refusee(contexte, contours):
    with pytest.raises(ErreurFormat) as exc:
        SourceTiersLieuxLocaux(contours).lire_et_valider({FICHIER: MODELE.read_bytes()}, contexte)
    assert exc.value.message.startswith("aucun lieu accepté sur 2 ligne(s) : ligne 2, colonne nom : ligne d'exemple "
                                        "du modèle")


def test_import_en_ligne_de_commande(tmp_path, monkeypatch, capsys):
    from dashboard import chemins
    from dashboard.cli import main

    monkeypatch.setattr(chemins, "dossier_instantanes", lambda: tmp_path / "snapshots")
    fichier = tmp_path / "mes-lieux.xlsx"  # any name, any extension: the content decides
    fichier.write_bytes(octets("xlsx_valide.xlsx"))
    assert main(["import", "tiers_lieux_locaux", str(fichier)]) == 0
    sortie = capsys.readouterr().out
    assert "Import réussi : tiers_lieux_locaux" in sortie
    assert "3 lignes (1 rejetées)" in sortie
    assert ("avertissement : tiers-lieux-locaux.csv, ligne 8, colonne code_insee : code INSEE invalide : « ABCDE » "
            "(5 caractères attendus, par exemple 56121)") in sortie


def test_actualiser_tout_ignore_la_source_locale(tmp_path, monkeypatch):
    from dashboard import actualisation, chemins
    from dashboard.cli import main

    monkeypatch.setattr(chemins, "dossier_instantanes", lambda: tmp_path / "snapshots")
    appelees = []

    def actualiser(s, *_args, **_kwargs):
        appelees.append(s.identifiant)
        return {"libelle_edition": "test", "lignes": 1}

    monkeypatch.setattr(actualisation, "actualiser", actualiser)
    assert main(["refresh"]) == 0
    assert "tiers_lieux_locaux" not in appelees
    assert "tiers_lieux_cget" in appelees


def test_table_des_cas_documentee():
    """Every row of docs/cas-fiabilite.md pointing at this module names real tests and fixtures."""
    import re

    lignes = [ligne for ligne in (RACINE / "docs" / "cas-fiabilite.md").read_text(encoding="utf-8").splitlines()
              if "test_source_tiers_lieux_locaux.py::" in ligne]
    assert len(lignes) == 30
    tests = set(re.findall(r"test_source_tiers_lieux_locaux\.py::(\w+)", "\n".join(lignes)))
    assert tests <= set(globals())
    fixtures = set(re.findall(r"televersements/(\w+\.\w+)`", "\n".join(lignes)))
    assert fixtures and fixtures <= set(G.FIXTURES)
    assert all((G.DOSSIER / f).is_file() for f in fixtures)
