"""Floor of the benchmark: the least a streamlit-folium app can do to show the same map.

A title and the 30 communes of ``data/reference/communes.geojson`` (read with ``json``, no
pandas, no geopandas), one ``folium.GeoJson`` with a fixed style, ``st_folium`` with
``returned_objects=[]``; no sidebar, no figures, no table. ``bench/run.py`` starts it with
folium's imports warmed up once the server listens (what the project's launcher does), so
its start-up time is what any app on this stack pays at best on the machine: Streamlit's
server start, its interface in the browser, the component iframe and Leaflet. Measured for
(a) and (c) only (it has no scope selector).
"""

import json
import os
from pathlib import Path

import folium
import streamlit as st
from streamlit_folium import st_folium

FICHIER = Path(
    os.environ.get(
        "BENCH_COMMUNES", Path(__file__).resolve().parents[1] / "data" / "reference" / "communes.geojson"
    )
)
LEAFLET = "/app/static/vendor/leaflet"

st.set_page_config(page_title="Vue d'ensemble (plancher)", layout="wide")
st.title("Vue d'ensemble")
communes = json.loads(FICHIER.read_text(encoding="utf-8"))
carte = folium.Map(location=[47.85, -3.3], zoom_start=10, tiles=None)
carte.default_js = [("leaflet", f"{LEAFLET}/leaflet.js")]
carte.default_css = [("leaflet_css", f"{LEAFLET}/leaflet.css")]
style = {"fillColor": "#4a90c2", "color": "#222222", "weight": 1}
folium.GeoJson(communes, style_function=lambda _: style).add_to(carte)
st_folium(carte, height=520, use_container_width=True, returned_objects=[])
