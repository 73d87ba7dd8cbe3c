"""Vue d'ensemble : carte des communes (densité), chiffres clés et tableau par périmètre.

The map is drawn last although it shows above the table: on a fresh server, folium is still
being imported by the launcher's warm-up when this page first runs. Figures, legend, table and
exports go to the browser meanwhile (it loads their JavaScript modules), then the map comes
alone and its frame is created at once (measured in ``bench/README.md``). The page uses the
reference's table and contours, never its GeoDataFrame: geopandas is not imported on its path.
"""

import streamlit as st

from dashboard import formats
from dashboard.indicateurs.territoire import chiffres_cles, communes_du_perimetre, densite_par_commune
from dashboard.serveur import attendre_prechauffage
from dashboard.ui import composants, provenance
from dashboard.vues import textes
from dashboard.vues.classes import classes_quantiles
from dashboard.vues.tableau import COLONNES_COMMUNES, TRIS_COMMUNES

composants.exiger_coquille()
reference, perimetre = st.session_state["reference"], st.session_state["perimetre"]
provenance.declarer(reference.manifeste)

st.title("Vue d'ensemble")
st.caption(f"Périmètre : {perimetre.libelle}")

dans_perimetre = communes_du_perimetre(reference.tableau, perimetre)
cles = chiffres_cles(dans_perimetre)
composants.chiffres_cles(cles)
st.markdown(textes.phrase_vue_ensemble(perimetre.de, cles))

tableau = densite_par_commune(reference.tableau).set_index("code_insee")
classes = classes_quantiles(tableau["densite_hab_km2"], formats.nombre)
selection = set(dans_perimetre["code_insee"])
zone_carte = st.container()  # filled at the end of the page (see the module doc)
composants.legende("Densité de population (hab./km²)", classes)

st.subheader("Communes du périmètre")
tableau_perimetre = composants.tableau_trie(
    tableau.loc[dans_perimetre["code_insee"]].reset_index(), COLONNES_COMMUNES, TRIS_COMMUNES,
    f"{formats.nombre(len(dans_perimetre))} commune{'s' if len(dans_perimetre) > 1 else ''} — {perimetre.libelle}",
)
telechargements = composants.exporter_tableau(tableau_perimetre, f"Communes — {perimetre.libelle}", "vue_ensemble")
# The GeoDataFrame (geopandas) is built only when the PNG is asked for.
composants.exporter_carte_png(lambda: reference.communes, tableau["densite_hab_km2"], classes,
                              "Densité de population (hab./km²)", "vue_ensemble", selection, telechargements)

attendre_prechauffage("carte")
from streamlit_folium import st_folium  # noqa: E402 — only once folium's warm-up is over

from dashboard.vues.carte import carte_de_base, centre_et_zoom, couche_communes, emprise_selection  # noqa: E402

# The base map stays the same from one scope to the next: only the communes layer and the view
# change, so streamlit-folium updates the layer in place instead of rebuilding the map. The
# OpenStreetMap background is a box in the map itself (no widget, no script run to switch it).
base = carte_de_base(emprise_selection(reference.tableau, None), choix_du_fond=True)
couche = couche_communes(reference.tableau, tableau["densite_hab_km2"], classes, {
    "Population municipale": tableau["population"].map(formats.nombre),
    "Densité": tableau["densite_hab_km2"].map(formats.densite),
    "EPCI": tableau["nom_epci"],
}, selection=selection, contours=reference.contours)
centre, zoom = centre_et_zoom(emprise_selection(reference.tableau, selection))
with zone_carte:
    st_folium(base, key="carte_vue_ensemble", height=520, use_container_width=True, returned_objects=[],
              feature_group_to_add=couche, center=centre, zoom=zoom)
