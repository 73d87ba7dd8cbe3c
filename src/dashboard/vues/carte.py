"""Folium choropleth maps of the communes, light and fully offline.

One ``GeoJson`` layer (30 polygons), tooltips from pre-escaped properties, no tile
layer unless asked (tiles need the network), Leaflet served locally. Colours and legend
classes come from :mod:`dashboard.vues.classes` (no folium there); missing data is drawn grey
with a dashed outline, never as zero. The legend is returned as data for the page to show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import branca.element
import folium
import numpy as np
import pandas as pd
import xyzservices

from dashboard.reference import COLONNES_EMPRISE, contours_geojson
from dashboard.ressources import CSS_CARTE, CSS_GROUPES, JS_CARTE, JS_GROUPES, PREFIXE_URL
from dashboard.vues.classes import Classe, couleur_pour
from dashboard.vues.securite import safe_html

if TYPE_CHECKING:
    import geopandas as gpd

ATTRIBUTION_OSM = "© contributeurs OpenStreetMap (ODbL)"
TUILES_OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
LIBELLE_FOND_OSM = "Fond OpenStreetMap (Internet requis)"
# Given as a provider, not as a string: folium looks every string up in xyzservices' catalogue
# (a name, or failing that an address) at every map built, ~5 ms of CPU per script run.
FOND_OSM = xyzservices.TileProvider(name="OpenStreetMap", url=TUILES_OSM, attribution=ATTRIBUTION_OSM,
                                    html_attribution=ATTRIBUTION_OSM, max_zoom=19)
PAS_DE_ZOOM = 0.25  # Leaflet's zoomSnap on every map of the dashboard


def localiser_ressources(carte: folium.Map) -> folium.Map:
    """Point every JS/CSS dependency of the map at the locally served copies.

    Raises if an element needs an asset we do not ship (it would hit a CDN offline).
    """
    remplacements_js = {nom: url for nom, url in (*JS_CARTE, *JS_GROUPES)}
    remplacements_css = {nom: url for nom, url in (*CSS_CARTE, *CSS_GROUPES)}

    def visiter(element) -> None:
        if isinstance(element, folium.Map):
            element.default_js = list(JS_CARTE)
            element.default_css = list(CSS_CARTE)
        elif hasattr(element, "default_js") or hasattr(element, "default_css"):
            js = [(n, remplacements_js.get(n, u)) for n, u in getattr(element, "default_js", [])]
            css = [(n, remplacements_css.get(n, u)) for n, u in getattr(element, "default_css", [])]
            for _, url in (*js, *css):
                if not url.startswith(PREFIXE_URL):
                    raise ValueError(f"ressource non disponible hors ligne : {url}")
            element.default_js, element.default_css = js, css
        for enfant in getattr(element, "_children", {}).values():
            visiter(enfant)

    visiter(carte)
    return carte


def carte_de_base(emprise: Sequence[float], *, choix_du_fond: bool = False, fond_osm: bool = False,
                  hauteur: int = 520) -> folium.Map:
    """An empty map (no data layer) centred on ``emprise`` (west, south, east, north, WGS84).

    Kept identical from one rerun to the next, it lets ``st_folium`` update only the layer
    given as ``feature_group_to_add`` instead of rebuilding the whole map (faster, no flicker).

    ``choix_du_fond``: a box in the map's corner (Leaflet's layer control), unticked, to show the
    OpenStreetMap tiles when online; the tile server is asked for nothing until it is ticked,
    and ticking it needs no script run. ``fond_osm``: those tiles always shown.
    """
    carte = folium.Map(
        location=[(emprise[1] + emprise[3]) / 2, (emprise[0] + emprise[2]) / 2],
        zoom_start=10,
        tiles=None,
        control_scale=True,
        zoom_control=True,
        attribution_control=True,
        height=hauteur,
        # Quarter zoom levels: a territory, an EPCI or a commune fills the map instead of the
        # next whole level down (which can leave it at a quarter of the frame).
        zoom_snap=PAS_DE_ZOOM,
    )
    if fond_osm or choix_du_fond:
        # Attribution and maximum zoom come from the provider.
        folium.TileLayer(FOND_OSM, name=LIBELLE_FOND_OSM, overlay=True, control=choix_du_fond,
                         show=fond_osm).add_to(carte)
    if choix_du_fond:
        # Added last on purpose: the control lists the layers already on the map (only this one).
        folium.LayerControl(position="topright", collapsed=False).add_to(carte)
    return localiser_ressources(carte)


def centre_et_zoom(emprise: Sequence[float], largeur_px: int = 900, hauteur_px: int = 500) -> tuple[list[float], float]:
    """Centre and the largest Web-Mercator zoom (a multiple of :data:`PAS_DE_ZOOM`) at which
    ``emprise`` fits the given size."""
    ouest, sud, est, nord = (float(v) for v in emprise)
    centre = [(sud + nord) / 2, (ouest + est) / 2]

    def y_merc(lat: float) -> float:
        return np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))

    largeur_deg = max(est - ouest, 1e-6)
    hauteur_rad = max(y_merc(nord) - y_merc(sud), 1e-9)
    zoom_x = np.log2(largeur_px * 360 / (256 * largeur_deg))
    zoom_y = np.log2(hauteur_px * 2 * np.pi / (256 * hauteur_rad))
    zoom = np.floor(min(zoom_x, zoom_y) / PAS_DE_ZOOM) * PAS_DE_ZOOM
    return centre, float(max(1.0, min(18.0, zoom)))


def couche_communes(
    communes: pd.DataFrame,
    valeurs: pd.Series,
    classes: Sequence[Classe],
    infobulles: dict[str, pd.Series],
    *,
    selection: set[str] | None = None,
    opacite: float = 0.85,
    contours: Mapping[str, dict] | None = None,
) -> folium.FeatureGroup:
    """The communes layer (one ``GeoJson``) in a feature group; see :func:`carte_communes`.

    ``communes``: a GeoDataFrame, or a table (``code_insee``, ``nom``) with ``contours`` (INSEE
    code → GeoJSON geometry, :attr:`dashboard.reference.Reference.contours`): the map is then made
    without geopandas."""
    proprietes = communes[["code_insee", "nom"]].reset_index(drop=True)
    codes = proprietes["code_insee"]
    if contours is None:
        contours = contours_geojson(communes)
    proprietes["nom"] = proprietes["nom"].map(safe_html)
    champs, alias = ["nom"], ["Commune"]
    for i, (libelle, serie) in enumerate(infobulles.items()):
        proprietes[f"t{i}"] = codes.map(serie).map(
            lambda v: safe_html(v) if v is not None and not pd.isna(v) else "n.d.")
        champs.append(f"t{i}")
        alias.append(safe_html(libelle))
    selection = set(codes) if selection is None else selection
    proprietes["couleur"] = codes.map(valeurs).map(lambda v: couleur_pour(v, classes))
    proprietes["manquant"] = codes.map(valeurs).isna()
    proprietes["dans_selection"] = codes.isin(selection)
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": ligne, "geometry": contours[code]}
        for code, ligne in zip(codes, proprietes.to_dict("records"), strict=True)
    ]}

    def style(feature: dict) -> dict:
        p = feature["properties"]
        dedans = p["dans_selection"]
        return {
            "fillColor": p["couleur"],
            "fillOpacity": opacite if dedans else opacite * 0.3,
            "color": "#222222" if dedans else "#888888",
            "weight": 1.5 if dedans else 0.6,
            "dashArray": "4 3" if p["manquant"] else None,
        }

    groupe = folium.FeatureGroup(name="Communes")
    folium.GeoJson(
        collection,  # the dict itself (a JSON string would be parsed again)
        name="Communes",
        style_function=style,
        highlight_function=lambda _f: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=champs, aliases=alias, sticky=True, labels=True),
        zoom_on_click=False,
    ).add_to(groupe)
    return groupe


def emprise_selection(communes: pd.DataFrame, selection: set[str] | None) -> np.ndarray:
    """Bounds (west, south, east, north) of the selected communes (all when none): of their
    geometries (GeoDataFrame) or of their bounds (the reference's table, ``ouest``… ``nord``)."""
    dans = communes[communes["code_insee"].isin(selection)] if selection else communes
    dans = dans if not dans.empty else communes
    if "geometry" in dans.columns:
        return dans.total_bounds
    ouest, sud, est, nord = COLONNES_EMPRISE
    return np.array([dans[ouest].min(), dans[sud].min(), dans[est].max(), dans[nord].max()], dtype=float)


def carte_communes(
    communes: gpd.GeoDataFrame,
    valeurs: pd.Series,
    classes: Sequence[Classe],
    infobulles: dict[str, pd.Series],
    *,
    selection: set[str] | None = None,
    fond_osm: bool = False,
    hauteur: int = 520,
    opacite: float = 0.85,
) -> folium.Map:
    """A choropleth of ``communes`` coloured by ``valeurs`` (indexed by ``code_insee``).

    ``infobulles`` maps a tooltip label to a Series of display strings indexed by
    ``code_insee``; every value and label is escaped here. Communes outside
    ``selection`` are faded; the view fits the selection.
    """
    emprise = emprise_selection(communes, selection)
    carte = carte_de_base(emprise, fond_osm=fond_osm, hauteur=hauteur)
    for enfant in list(couche_communes(communes, valeurs, classes, infobulles, selection=selection,
                                       opacite=opacite)._children.values()):
        enfant.add_to(carte)
    carte.fit_bounds([[emprise[1], emprise[0]], [emprise[3], emprise[2]]], padding=(10, 10))
    return localiser_ressources(carte)


def html_autonome(carte: folium.Map) -> str:
    """Full standalone HTML of a map (for exports and tests), assets still local."""
    figure = carte.get_root()
    if not isinstance(figure, branca.element.Figure):
        raise TypeError("la carte n'est pas rattachée à une figure folium")
    return figure.render()


COULEURS_CATEGORIES = {
    "France services": "#0072B2",
    "Lieu de médiation numérique": "#009E73",
    "Tiers-lieu": "#E69F00",
    "Tiers-lieu (liste locale)": "#CC79A7",
}


def ajouter_lieux(carte: folium.Map, lieux: pd.DataFrame, *, nom_couche: str = "Lieux") -> folium.Map:
    """Add the places as ONE GeoJson layer of circle markers (light with thousands of points).

    ``lieux``: ``id``, ``nom``, ``adresse``, ``commune``, ``categorie``, ``latitude``,
    ``longitude``, ``itinerant``, and optionally ``services``, ``horaires_texte``, ``site_web``.
    Places without coordinates are skipped (the page counts them). Every value is escaped;
    links are emitted only for ``http(s)`` URLs. Itinerant places (buses) get a dashed ring:
    the point is their base, not a desk.
    """
    from dashboard.vues.securite import lien_sur

    avec = lieux.dropna(subset=["latitude", "longitude"])
    entites = []
    for lieu in avec.itertuples(index=False):
        itinerant = bool(getattr(lieu, "itinerant", False) is True)
        lien = lien_sur(getattr(lieu, "site_web", None))
        proprietes = {
            "id": safe_html(lieu.id),
            "nom": safe_html(lieu.nom),
            "categorie": safe_html(lieu.categorie) + (" — itinérant (point de départ)" if itinerant else ""),
            "adresse": safe_html(f"{lieu.adresse or ''}, {lieu.commune or ''}".strip(", ")),
            "services": safe_html(str(getattr(lieu, "services", "") or "").replace("|", ", ") or "non renseignés",
                                  300),
            "lien": (f'<a href="{safe_html(lien, 2000)}" target="_blank" rel="noopener noreferrer">'
                     f"{safe_html(lien, 60)}</a>") if lien else "",
            "couleur": COULEURS_CATEGORIES.get(str(lieu.categorie), "#555555"),
            "itinerant": itinerant,
        }
        entites.append({"type": "Feature", "properties": proprietes,
                        "geometry": {"type": "Point", "coordinates": [float(lieu.longitude), float(lieu.latitude)]}})
    if not entites:
        return carte

    def style(feature: dict) -> dict:
        p = feature["properties"]
        return {"fill": True, "fillColor": p["couleur"], "color": "#ffffff" if not p["itinerant"] else "#000000",
                "weight": 2, "fillOpacity": 0.95, "radius": 7, "dashArray": "3 3" if p["itinerant"] else None}

    folium.GeoJson(
        {"type": "FeatureCollection", "features": entites},
        name=nom_couche,
        marker=folium.CircleMarker(radius=7, fill=True, fill_opacity=0.95, weight=2),
        style_function=style,
        tooltip=folium.GeoJsonTooltip(fields=["nom", "categorie", "adresse"],
                                      aliases=["Lieu", "Type", "Adresse"], sticky=True),
        popup=folium.GeoJsonPopup(fields=["nom", "categorie", "adresse", "services", "lien"],
                                  aliases=["Lieu", "Type", "Adresse", "Services", "Site"], max_width=320),
    ).add_to(carte)
    return localiser_ressources(carte)


def ajouter_sites(carte: folium.Map, sites: list[tuple[float, float, str, str]]) -> folium.Map:
    """Markers for simulated or suggested sites: (latitude, longitude, label, colour), one layer."""
    if not sites:
        return carte
    entites = [{"type": "Feature", "properties": {"libelle": safe_html(libelle), "couleur": couleur},
                "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]}}
               for lat, lon, libelle, couleur in sites]
    folium.GeoJson(
        {"type": "FeatureCollection", "features": entites},
        name="Sites",
        marker=folium.CircleMarker(radius=10, fill=True, fill_opacity=1, weight=3),
        style_function=lambda f: {"fill": True, "fillColor": f["properties"]["couleur"], "color": "#000000",
                                  "weight": 3, "fillOpacity": 1, "radius": 10},
        tooltip=folium.GeoJsonTooltip(fields=["libelle"], aliases=["Site"], sticky=True),
    ).add_to(carte)
    return localiser_ressources(carte)
