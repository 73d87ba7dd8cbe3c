"""Map builder: 30 features, local assets only, escaped tooltips, missing data drawn apart."""

import json
import re

import pandas as pd
import pytest

from dashboard import formats
from dashboard.indicateurs.territoire import densite_par_commune
from dashboard.vues.carte import PAS_DE_ZOOM, carte_communes, carte_de_base, centre_et_zoom, html_autonome
from dashboard.vues.classes import (
    COULEUR_NON_DISPONIBLE,
    PALETTE_SEQUENTIELLE,
    classes_quantiles,
    couleur_pour,
)


@pytest.fixture(scope="module")
def tableau(reference):
    return densite_par_commune(reference.communes).set_index("code_insee")


def couche_geojson(carte):
    return next(c for c in carte._children.values() if type(c).__name__ == "GeoJson")


def test_trente_polygones_et_ressources_locales(reference, tableau):
    classes = classes_quantiles(tableau["densite_hab_km2"], formats.nombre)
    carte = carte_communes(reference.communes, tableau["densite_hab_km2"], classes,
                           {"Population": tableau["population"].map(formats.nombre)})
    assert len(couche_geojson(carte).data["features"]) == 30
    page = html_autonome(carte)
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert urls == ["/app/static/vendor/leaflet/leaflet.js", "/app/static/vendor/leaflet/leaflet.css"]
    assert "cdn" not in page.lower() and "tile.openstreetmap" not in page
    assert len(page.encode()) < 250_000


def test_infobulles_echappees(reference):
    communes = reference.communes.copy()
    communes.loc[0, "nom"] = "<img src=x onerror=alert(1)>${alert(2)}"
    valeurs = pd.Series(1.0, index=communes["code_insee"])
    carte = carte_communes(communes, valeurs, classes_quantiles(valeurs, str),
                           {"Libellé `x`": pd.Series("`+alert(4)+`", index=communes["code_insee"])})
    donnees = json.dumps(couche_geojson(carte).data)
    assert "<img" not in donnees and "${" not in donnees and "`" not in donnees
    assert "&lt;img src=x onerror=alert(1)&gt;&#36;{alert(2)}" in donnees
    page = html_autonome(carte)
    assert "Libell\\u00e9 \\u0026#96;x\\u0026#96;" in page  # JSON-encoded, escaped entity
    assert "`x`" not in page and "`+alert(4)+`" not in page


def test_valeur_manquante_en_gris_jamais_zero(reference, tableau):
    valeurs = tableau["densite_hab_km2"].copy()
    valeurs.iloc[0] = pd.NA
    classes = classes_quantiles(valeurs, formats.nombre)
    carte = carte_communes(reference.communes, valeurs, classes, {})
    proprietes = couche_geojson(carte).data["features"][0]["properties"]
    assert proprietes["couleur"] == COULEUR_NON_DISPONIBLE and proprietes["manquant"] is True


def test_classes_et_couleurs():
    valeurs = pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], dtype="Float64")
    classes = classes_quantiles(valeurs, lambda v: formats.nombre(v, 1))
    assert [c.couleur for c in classes] == list(PALETTE_SEQUENTIELLE)
    assert classes[0].minimum == 1 and classes[-1].maximum == 10
    assert couleur_pour(1, classes) == PALETTE_SEQUENTIELLE[0]
    assert couleur_pour(10, classes) == PALETTE_SEQUENTIELLE[-1]
    assert couleur_pour(None, classes) == COULEUR_NON_DISPONIBLE
    assert classes_quantiles(pd.Series([pd.NA], dtype="Float64"), str) == []
    egales = classes_quantiles(pd.Series([3.0, 3.0]), str)
    assert len(egales) == 1 and egales[0].libelle == "3.0"


def test_selection_attenue_le_reste(reference, tableau):
    codes_bbo = set(reference.communes.loc[reference.communes["siren_epci"] == "245600440", "code_insee"])
    carte = carte_communes(reference.communes, tableau["densite_hab_km2"],
                           classes_quantiles(tableau["densite_hab_km2"], str), {}, selection=codes_bbo)
    dedans = [f["properties"]["code_insee"] for f in couche_geojson(carte).data["features"]
              if f["properties"]["dans_selection"]]
    assert set(dedans) == codes_bbo and len(dedans) == 5


def test_fond_osm_optionnel(reference, tableau):
    carte = carte_communes(reference.communes, tableau["densite_hab_km2"], [], {}, fond_osm=True)
    html = html_autonome(carte)
    assert "tile.openstreetmap.org" in html
    assert re.search(r"\btile_layer_\w+\.addTo\(", html)  # shown
    assert "L.control.layers" not in html


def test_choix_du_fond_dans_la_carte_decoche(reference):
    # « Vue d'ensemble »: a box of Leaflet's layer control; the tile layer is defined, listed in
    # the control, and not added to the map (no tile asked for) until the box is ticked.
    html = html_autonome(carte_de_base(reference.communes.total_bounds, choix_du_fond=True))
    assert "tile.openstreetmap.org" in html
    assert not re.search(r"\btile_layer_\w+\.addTo\(", html)
    assert re.search(r'"Fond OpenStreetMap \(Internet requis\)" : tile_layer_\w+', html)
    assert '"collapsed": false' in html
    sans = html_autonome(carte_de_base(reference.communes.total_bounds))
    assert "tile.openstreetmap.org" not in sans and "L.control.layers" not in sans


def _taille_px(emprise, zoom: float) -> tuple[float, float]:
    """Size in pixels of ``emprise`` at a Web-Mercator zoom (256-pixel tiles)."""
    import math

    ouest, sud, est, nord = emprise
    y = lambda lat: math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))  # noqa: E731
    echelle = 256 * 2 ** zoom
    return (est - ouest) / 360 * echelle, (y(nord) - y(sud)) / (2 * math.pi) * echelle


@pytest.mark.parametrize("perimetre", ["pays", "200042174", "245600440", "56021"])
def test_zoom_au_quart_de_niveau_le_plus_grand_qui_contient_le_perimetre(reference, perimetre):
    communes = reference.communes
    if perimetre == "pays":
        choisies = communes
    elif len(perimetre) == 9:
        choisies = communes[communes["siren_epci"] == perimetre]
    else:
        choisies = communes[communes["code_insee"] == perimetre]
    emprise = tuple(float(v) for v in choisies.total_bounds)
    centre, zoom = centre_et_zoom(emprise, 900, 500)
    assert zoom % PAS_DE_ZOOM == 0
    largeur, hauteur = _taille_px(emprise, zoom)
    assert largeur <= 900 and hauteur <= 500  # it fits…
    largeur, hauteur = _taille_px(emprise, zoom + PAS_DE_ZOOM)
    assert largeur > 900 or hauteur > 500  # …and a quarter level more would not
    assert centre == pytest.approx([(emprise[1] + emprise[3]) / 2, (emprise[0] + emprise[2]) / 2])


def test_les_cartes_acceptent_les_quarts_de_niveau(reference):
    html = carte_de_base(reference.communes.total_bounds).get_root().render()
    assert f'"zoomSnap": {PAS_DE_ZOOM}' in html
