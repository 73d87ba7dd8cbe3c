"""France services parser: own fixtures in the official layout, then the real dep. 56 sample."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.erreurs import ErreurFormat
from dashboard.sources import source
from dashboard.sources.base import valider_schema
from dashboard.sources.france_services import (
    COLONNES,
    FICHIER,
    SOURCE,
    SourceFranceServices,
    decrire_horaires,
    minutes_jour,
)
from tests.conftest import FIXTURES, echantillon_reel

LIEUX = FIXTURES / "lieux"


def lire(nom: str, contexte, edition: str = "2024-08-01"):
    contenu = (LIEUX / nom).read_bytes()
    return SourceFranceServices(edition=edition).lire_et_valider({FICHIER: contenu}, contexte)


def attendu(lignes: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(lignes, columns=[c.nom for c in COLONNES])
    return frame.astype({
        "id": "str", "nom": "str", "adresse": "str", "code_insee": "str", "commune": "str",
        "latitude": "Float64", "longitude": "Float64", "type_fs": "str", "format_fs": "str",
        "itinerant": "boolean", "horaires": "str", "heures_par_semaine": "Float64", "ouvert_samedi": "boolean",
        "telephone": "str", "prise_rdv": "boolean", "date_labellisation": "str",
    })


SEMAINE_LORIENT = " ; ".join(
    [f"{j} 09:00 - 12:00 / 13:30 - 17:00" for j in ("Lu", "Ma", "Me", "Je", "Ve")] + ["Sa 09:00 - 12:00"])


def test_declaration_de_la_source():
    assert source("france_services") is SOURCE
    assert SOURCE.producteur == "ANCT / Banque des Territoires"
    assert SOURCE.licence == "Licence Ouverte 2.0"
    assert SOURCE.page == "https://www.data.gouv.fr/fr/datasets/liste-des-structures-france-services/"
    assert [(f.nom, f.url) for f in SOURCE.fichiers] == [
        ("liste-fs.csv", "https://www.data.gouv.fr/fr/datasets/r/31576dff-fd61-4de9-819f-32c2f880b142")]


def test_fixture_territoire_cadre_exact(contexte):
    resultat = lire("liste-fs_territoire.csv", contexte)
    na = pd.NA
    pd.testing.assert_frame_equal(resultat.frame, attendu([
        # 5 × (3 h + 3 h 30) + 3 h = 35,5 h
        {"id": "9001", "nom": "France services test Lorient", "adresse": "1 Rue de l'Essai, Bâtiment B",
         "code_insee": "56121", "commune": "Lorient", "latitude": 47.748, "longitude": -3.366,
         "type_fs": "Principal", "format_fs": "Fixe", "itinerant": False, "horaires": SEMAINE_LORIENT,
         "heures_par_semaine": 35.5, "ouvert_samedi": True, "telephone": "02 97 00 00 01", "prise_rdv": True,
         "date_labellisation": "2020-09-01"},
        # overlapping ranges 08:30–18:00 and 14:00–18:00 count once: 9,5 h; name kept verbatim
        {"id": "9003", "nom": "<script>alert('x')</script> Bus test", "adresse": "3 Rue de l'Essai",
         "code_insee": "56098", "commune": "Lanester", "latitude": 47.762, "longitude": -3.34,
         "type_fs": "Principal", "format_fs": "Bus_équivalent", "itinerant": True,
         "horaires": "Lu 08:30 - 18:00 / 14:00 - 18:00", "heures_par_semaine": 9.5, "ouvert_samedi": False,
         "telephone": "02 97 00 00 03", "prise_rdv": False, "date_labellisation": "2022-04-20"},
        # no coordinates, no hours: kept, everything unknown
        {"id": "9004", "nom": "France services test Groix", "adresse": "4 Rue de l'Essai", "code_insee": "56069",
         "commune": "Groix", "latitude": na, "longitude": na, "type_fs": "Principal", "format_fs": "Fixe",
         "itinerant": False, "horaires": None, "heures_par_semaine": na, "ouvert_samedi": na, "telephone": None,
         "prise_rdv": na, "date_labellisation": None},
        # « 9h-12h » is not a range of the official layout: text kept, hours unknown
        {"id": "9005", "nom": "France services test Plouay", "adresse": "5 Rue de l'Essai", "code_insee": "56166",
         "commune": "Plouay", "latitude": 47.916, "longitude": -3.334, "type_fs": "Principal",
         "format_fs": "Fixe", "itinerant": False, "horaires": "Lu 9h-12h", "heures_par_semaine": na,
         "ouvert_samedi": False, "telephone": None, "prise_rdv": False, "date_labellisation": "2022-07-01"},
        {"id": "9006", "nom": "France services test Quéven", "adresse": "6 Rue de l'Essai", "code_insee": "56185",
         "commune": "Quéven", "latitude": 47.789, "longitude": -3.419, "type_fs": "Antenne",
         "format_fs": "Itinérante", "itinerant": True, "horaires": "Ma 14:00 - 17:00", "heures_par_semaine": 3.0,
         "ouvert_samedi": False, "telephone": None, "prise_rdv": na, "date_labellisation": None},
    ]))
    valider_schema(resultat.frame, COLONNES, "france_services")


def test_fixture_territoire_comptes_et_messages(contexte):
    resultat = lire("liste-fs_territoire.csv", contexte)
    assert resultat.edition == "2024-08-01"
    assert resultat.libelle_edition == "1er août 2024"
    assert resultat.lignes_lues == 7
    # the multi-line comment of line 6 pushes the duplicate to physical line 9
    assert resultat.lignes_rejetees == [
        ("liste-fs.csv", 9, "identifiant id_fs « 9001 » en double (déjà ligne 2)")]
    assert resultat.avertissements == [
        "liste-fs.csv : 1 ligne(s) sur 7 concernent des communes hors du territoire « Pays de Lorient » "
        "(hors périmètre, non retenues ; ce ne sont pas des rejets)",
        "liste-fs.csv : 1 lieu(x) sans coordonnées, conservé(s) sans point sur la carte (lignes 5)",
        "liste-fs.csv, colonne prise_rdv : valeur autre que Oui/Non, laissée vide (lignes 8)",
        "liste-fs.csv, colonne labellisation_fs : date illisible, laissée vide (lignes 8)",
    ]


def test_edition_par_defaut_est_le_jour_de_lecture(contexte):
    from datetime import UTC, datetime

    resultat = SOURCE.lire_et_valider({FICHIER: (LIEUX / "liste-fs_territoire.csv").read_bytes()}, contexte)
    assert resultat.edition == datetime.now(UTC).date().isoformat()


def test_latitude_longitude_inversees_erreur_nommant_la_ligne(contexte):
    with pytest.raises(ErreurFormat) as exc:
        lire("liste-fs_inversees.csv", contexte)
    assert exc.value.fichier == "liste-fs.csv"
    assert exc.value.ligne == 3
    assert exc.value.colonne == "latitude"
    assert "latitude et longitude inversées (latitude -3.277, longitude 47.805)" in exc.value.message


def test_lambert93_erreur(contexte):
    with pytest.raises(ErreurFormat) as exc:
        lire("liste-fs_lambert93.csv", contexte)
    assert exc.value.ligne == 2
    assert "Lambert-93 (EPSG:2154)" in exc.value.message
    assert "WGS84" in str(exc.value)


def test_colonne_manquante_nommee(contexte):
    with pytest.raises(ErreurFormat) as exc:
        lire("liste-fs_sans_insee_com.csv", contexte)
    assert exc.value.colonne == "insee_com"
    assert exc.value.ligne == 1
    assert "colonne attendue « insee_com » absente" in exc.value.message


def test_fichier_windows_1252(contexte):
    resultat = lire("liste-fs_cp1252.csv", contexte)
    assert resultat.frame["nom"].tolist() == ["France services test Quéven"]
    assert resultat.frame["adresse"].tolist() == ["6 Rue de l'Église"]
    assert resultat.frame["date_labellisation"].tolist() == ["2022-11-15"]
    assert resultat.avertissements[0] == "liste-fs.csv : encodage détecté : Windows-1252 (converti en UTF-8)"


@pytest.mark.parametrize(("cellule", "minutes"), [
    ("", 0),
    ("09:00 - 12:00", 180),
    ("09:00 - 12:00 / 13:30 - 17:00", 390),
    ("08:30 - 18:00 / 14:00 - 18:00", 570),  # real row of Belle-Île: overlap counted once
    ("9h00 - 12h00", 180),
    ("12:00 - 09:00", None),
    ("09:00 - 25:00", None),
    ("matin", None),
])
def test_minutes_jour(cellule, minutes):
    assert minutes_jour(cellule) == minutes


def test_decrire_horaires_semaine_vide_est_inconnue():
    assert decrire_horaires([""] * 6) == (None, None, None)
    assert decrire_horaires(["09:00 - 12:00", "", "", "", "", "10:00 - 11:30"]) == (
        "Lu 09:00 - 12:00 ; Sa 10:00 - 11:30", 4.5, True)


# --------------------------------------------------------------------------- real sample
def test_echantillon_reel_dep56_les_huit_du_pays_de_lorient(contexte):
    contenu = echantillon_reel("france_services_liste-fs-20240801_dep56.csv").read_bytes()
    resultat = SourceFranceServices(edition="2024-08-01").lire_et_valider({FICHIER: contenu}, contexte)
    frame = resultat.frame
    assert frame["id"].tolist() == ["328", "926", "1422", "2431", "2624", "2625", "2777", "3000"]
    assert frame["code_insee"].tolist() == ["56069", "56130", "56193", "56121", "56121", "56101", "56166", "56185"]
    assert frame["format_fs"].tolist() == ["Fixe", "Fixe", "Fixe", "Multisites", "Bus_équivalent", "Fixe", "Fixe",
                                           "Fixe"]
    assert frame["itinerant"].tolist() == [False, False, False, False, True, False, False, False]
    # hand-computed from the published ranges, e.g. Groix: 4 × (4 h + 3 h) + 4 h = 32 h;
    # Languidic: 3 h + 4 × 6 h + 3 h (Saturday) = 30 h; bus: 5 × 7 h 45 = 38,75 h
    assert frame["heures_par_semaine"].tolist() == [32.0, 30.0, 27.0, 20.5, 38.75, 30.0, 24.0, 26.0]
    assert frame["ouvert_samedi"].tolist() == [False, False, False, False, False, True, False, False]
    assert frame["date_labellisation"].tolist() == [
        "2020-01-01", "2020-09-01", "2021-01-15", "2022-01-01", "2022-04-20", "2022-04-20", "2022-07-01",
        "2022-11-15"]
    assert frame.loc[1, "adresse"] == "1 Allée de Ti Neùé, Parc d'activités de Bellevue"
    assert frame.loc[3, "latitude"] == pytest.approx(47.7548168227592)
    assert resultat.lignes_lues == 32
    assert resultat.lignes_rejetees == []
    assert resultat.avertissements == [
        "liste-fs.csv : 24 ligne(s) sur 32 concernent des communes hors du territoire « Pays de Lorient » "
        "(hors périmètre, non retenues ; ce ne sont pas des rejets)"]


# --------------------------------------------------------------------------- embedded official extract
def test_graine_officielle_format_et_lecture(contexte, reference):
    from dashboard.graines import EDITION_FRANCE_SERVICES, ENTETE_FRANCE_SERVICES, fichiers_france_services

    communes = dict(zip(reference.communes["code_insee"], reference.communes["nom"], strict=True))
    contenu = fichiers_france_services(communes)[FICHIER]
    entete, premiere = contenu.decode("utf-8").splitlines()[:2]
    assert len(ENTETE_FRANCE_SERVICES) == 24
    assert entete == ",".join(f'"{c}"' for c in ENTETE_FRANCE_SERVICES)
    assert premiere == ('"328","56","France services Groix","13 Rue de l\'Église",,"56069",,"Groix",'
                        '47.63856,-3.45494,,,,,,,,,,,"Principal","Fixe",,')
    resultat = SourceFranceServices(edition=EDITION_FRANCE_SERVICES).lire_et_valider({FICHIER: contenu}, contexte)
    na = pd.NA

    def fs(id_, nom, adresse, code, commune, lat, lon, format_fs, itinerant=False):
        # unknown fields stay unknown: no hours, phone, appointment or labelling date
        return {"id": id_, "nom": nom, "adresse": adresse, "code_insee": code, "commune": commune,
                "latitude": lat, "longitude": lon, "type_fs": "Principal", "format_fs": format_fs,
                "itinerant": itinerant, "horaires": None, "heures_par_semaine": na, "ouvert_samedi": na,
                "telephone": None, "prise_rdv": na, "date_labellisation": None}

    pd.testing.assert_frame_equal(resultat.frame, attendu([
        fs("328", "France services Groix", "13 Rue de l'Église", "56069", "Groix", 47.63856, -3.45494, "Fixe"),
        fs("926", "France services Blavet Bellevue Océan", "1 Allée de Ti Neùé", "56130", "Merlevenez",
           47.738115, -3.225503, "Fixe"),
        fs("1422", "France services EREF Riantec-Gâvres-Locmiquélic-Port-Louis", "22 Rue de la madeleine",
           "56193", "Riantec", 47.712721, -3.3084, "Fixe"),
        fs("2431", "France services Pimms Médiation Lorient", "17 Boulevard Cosmao Dumanoir", "56121", "Lorient",
           47.7548168, -3.3644143, "Multisites"),
        fs("2624", "Bus France services PIMMS Médiation Lorient", "17 Boulevard Eugène Cosmao-Dumanoir", "56121",
           "Lorient", 47.754662, -3.364806, "Bus_équivalent", itinerant=True),
        fs("2625", "France services de Languidic", "Rue de la Poste", "56101", "Languidic", 47.83294, -3.156567,
           "Fixe"),
        fs("2777", "France services de Plouay", "Place du Vieux Chateau", "56166", "Plouay", 47.916037, -3.334388,
           "Fixe"),
        fs("3000", "France services de Quéven", "Place Pierre Quinio", "56185", "Quéven", 47.789556, -3.419257,
           "Fixe"),
    ]))
    assert resultat.edition == "2024-08-01"
    assert resultat.avertissements == []


def test_graine_conforme_au_fichier_reel(reference):
    """Every embedded fact matches the published 2024-08-01 file (when the sample is present)."""
    from dashboard.graines import FRANCE_SERVICES

    reel = pd.read_csv(echantillon_reel("france_services_liste-fs-20240801_dep56.csv"), dtype=str,
                       keep_default_na=False).set_index("id_fs")
    for lieu in FRANCE_SERVICES:
        ligne = reel.loc[lieu.identifiant]
        assert (ligne["lib_fs"], ligne["adresse"], ligne["insee_com"], ligne["type_fs"], ligne["format_fs"]) == (
            lieu.nom, lieu.adresse, lieu.code_insee, lieu.categorie, lieu.format_fs)
        assert float(ligne["latitude"]) == pytest.approx(float(lieu.latitude), abs=1e-6)
        assert float(ligne["longitude"]) == pytest.approx(float(lieu.longitude), abs=1e-6)


def test_importer_graines_editions_officielles(tmp_path, contexte, reference):
    from dashboard.graines import importer_graines
    from dashboard.magasin import Magasin

    communes = dict(zip(reference.communes["code_insee"], reference.communes["nom"], strict=True))
    magasin = Magasin(tmp_path)
    fs, tl = importer_graines(magasin, contexte, communes)
    assert (fs["source"], fs["edition"], fs["libelle_edition"], fs["lignes"], fs["demo"]) == (
        "france_services", "2024-08-01", "1er août 2024", 8, False)
    assert fs["origine"].startswith("extrait officiel embarqué (édition 2024-08-01)")
    assert (tl["source"], tl["edition"], tl["lignes"], tl["demo"]) == ("tiers_lieux_cget", "2019-12-31", 2, False)
    assert tl["origine"].startswith("extrait officiel embarqué (édition 2019)")
    assert magasin.charger("france_services").frame["id"].tolist()[:2] == ["328", "926"]
