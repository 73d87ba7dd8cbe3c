"""Naive baseline of the benchmark: the usual one-script streamlit-folium app, same data.

Deliberately written the way tutorials do it, to compare with ``app.py``:

- reads ``data/reference/communes.geojson`` with geopandas on every rerun (no cache) and
  projects it to Lambert-93 to compute the areas, on every rerun too;
- a choropleth-like ``folium.GeoJson`` (colour = density, branca colormap) with a
  ``GeoJsonTooltip``; a sidebar selectbox of the scope fades the communes outside it;
- ``st_folium`` without ``returned_objects`` (every map event is sent back) nor ``key``;
- folium's default page, EXCEPT its JS/CSS, pointed at the Leaflet that the benchmark
  serves locally: folium's defaults (Leaflet, jQuery, Bootstrap, Font Awesome from CDNs)
  leave the map blank offline, since streamlit-folium stops at the first script that fails.

``bench/run.py`` runs it from a temporary folder holding a copy of ``static/vendor`` and
sets ``BENCH_COMMUNES`` to the project's file.
"""

import os
from pathlib import Path

import branca.colormap
import folium
import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

FICHIER = Path(
    os.environ.get(
        "BENCH_COMMUNES", Path(__file__).resolve().parents[1] / "data" / "reference" / "communes.geojson"
    )
)
LEAFLET = "/app/static/vendor/leaflet"
TOUT = "Pays de Lorient (ensemble)"

st.set_page_config(page_title="Vue d'ensemble (version naïve)", layout="wide")

communes = gpd.read_file(FICHIER)
communes["superficie"] = communes.to_crs(2154).area / 1e6
communes["densite"] = (communes["population"] / communes["superficie"]).round(1)

options = [TOUT, *sorted(communes["nom_epci"].unique()), *(f"Commune : {n}" for n in sorted(communes["nom"]))]
choix = st.sidebar.selectbox("Périmètre", options)
if choix.startswith("Commune : "):
    dedans = communes["nom"] == choix.removeprefix("Commune : ")
elif choix == TOUT:
    dedans = communes["nom"].notna()
else:
    dedans = communes["nom_epci"] == choix
communes["dans_perimetre"] = dedans
selection = communes[dedans]

st.title("Vue d'ensemble")
st.caption(f"Périmètre : {choix}")
c1, c2, c3, c4 = st.columns(4)
c1.metric("Communes", len(selection))
c2.metric("Population municipale", int(selection["population"].sum()))
c3.metric("Superficie", f"{selection['superficie'].sum():.1f} km²")
c4.metric("Densité", f"{selection['population'].sum() / selection['superficie'].sum():.0f} hab./km²")

couleurs = branca.colormap.linear.YlGnBu_05.scale(communes["densite"].min(), communes["densite"].max())
ouest, sud, est, nord = selection.total_bounds
carte = folium.Map(location=[(sud + nord) / 2, (ouest + est) / 2], zoom_start=10, tiles=None)
carte.default_js = [("leaflet", f"{LEAFLET}/leaflet.js")]
carte.default_css = [("leaflet_css", f"{LEAFLET}/leaflet.css")]
folium.GeoJson(
    communes,
    style_function=lambda f: {
        "fillColor": couleurs(f["properties"]["densite"]),
        "fillOpacity": 0.85 if f["properties"]["dans_perimetre"] else 0.25,
        "color": "#222222",
        "weight": 1,
    },
    tooltip=folium.GeoJsonTooltip(
        fields=["nom", "population", "densite", "nom_epci"],
        aliases=["Commune", "Population municipale", "Densité", "EPCI"],
    ),
).add_to(carte)
carte.fit_bounds([[sud, ouest], [nord, est]])
st_folium(carte, height=520, use_container_width=True)

st.subheader("Communes du périmètre")
st.dataframe(selection.drop(columns="geometry"), hide_index=True)
