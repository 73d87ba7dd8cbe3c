"""Lieux d'aide et tiers-lieux : carte filtrable, offre par commune, liste locale téléversée."""

import streamlit as st
from streamlit_folium import st_folium

from dashboard import formats
from dashboard.indicateurs import lieux as L
from dashboard.indicateurs import offre
from dashboard.indicateurs.territoire import communes_du_perimetre
from dashboard.sources.mediation_numerique import PUBLICS
from dashboard.ui import composants
from dashboard.vues import lieux as vues
from dashboard.vues.carte import ajouter_lieux, carte_communes
from dashboard.vues.classes import classes_quantiles

composants.exiger_coquille()
reference, perimetre = st.session_state["reference"], st.session_state["perimetre"]
st.title("Lieux d'aide et tiers-lieux")
instants = composants.charger_sources("france_services", "mediation_numerique", "tiers_lieux_cget")
fs, med, tl = (i.frame if i else None for i in instants.values())
unifies = L.lieux_unifies(fs, tl, med)
lieux = composants.ajouter_liste_locale(unifies.lieux, reference)
codes = list(communes_du_perimetre(reference.communes, perimetre)["code_insee"])

f1, f2, f3 = st.columns(3)
categories = f1.multiselect("Types de lieux", sorted(lieux["categorie"].unique()), placeholder="Tous")
services = f2.multiselect("Services proposés", list(offre.COLONNES_SERVICES), placeholder="Tous")
publics = f3.multiselect("Publics accueillis spécifiquement", list(PUBLICS), placeholder="Tous")
t1, t2, t3 = st.columns(3)
gratuit = True if t1.toggle("Gratuit uniquement") else None
itinerant = True if t2.toggle("Itinérants uniquement (bus…)") else None
samedi = True if t3.toggle("Ouverts le samedi") else None
filtres = L.filtrer_lieux(lieux, categories or None, services or None, publics or None, gratuit, itinerant, samedi)
dans = filtres[filtres["code_insee"].isin(codes)]

par_commune = offre.offre_par_commune(filtres, reference.communes)
ligne = offre.agreger_offre(par_commune, filtres, codes).iloc[0]
st.markdown(vues.phrase_offre(ligne, perimetre.de))
composants.metriques(vues.metriques_offre(ligne, int(dans["latitude"].isna().sum())))

taux = par_commune.set_index("code_insee")["lieux_pour_10000_hab"]
classes = classes_quantiles(taux, lambda v: formats.nombre(v, 1))
carte = carte_communes(reference.communes, taux, classes, {
    "Lieux pour 10 000 habitants": taux.map(lambda v: formats.nombre(v, 1)),
    "Lieux": par_commune.set_index("code_insee")["nb_lieux"].map(formats.nombre)}, selection=set(codes), opacite=0.45)
st_folium(ajouter_lieux(carte, filtres), key="carte_lieux", height=560, use_container_width=True,
          returned_objects=[])
st.html(f'<div style="font-size:.9rem">{vues.legende_categories()}</div>')
composants.legende("Fond : lieux pour 10 000 habitants", classes)
for fusion in unifies.fusions:
    st.caption(f"Doublon fusionné : {fusion.message}")

st.subheader("Liste des lieux du périmètre")
composants.tableau_lieux(vues.tableau_lieux(dans))
composants.exporter_tableau(vues.tableau_lieux(dans), f"Lieux — {perimetre.libelle}", "lieux")
st.subheader("Offre par commune")
composants.tableau_offre(par_commune[par_commune["code_insee"].isin(codes)])
