"""Inclusion numérique : indice de fragilité (inspiré de l'IFN), illectronisme estimé, éloignement des lieux."""

import streamlit as st
from streamlit_folium import st_folium

from dashboard import formats
from dashboard.indicateurs import inclusion
from dashboard.indicateurs import lieux as L
from dashboard.indicateurs import synthese_inclusion as si
from dashboard.indicateurs.territoire import communes_du_perimetre
from dashboard.objectifs_inclusion import charger_objectifs_inclusion
from dashboard.ui import composants, etat_url
from dashboard.vues import inclusion as vues
from dashboard.vues.carte import carte_communes
from dashboard.vues.classes import PALETTE_ALERTE, classes_quantiles

composants.exiger_coquille()
reference, perimetre = st.session_state["reference"], st.session_state["perimetre"]
st.title("Inclusion numérique")
st.caption(f"Périmètre : {perimetre.libelle}. L'indice est « {inclusion.LIBELLE_INDICE} », pas l'IFN officiel.")
instants = composants.charger_sources("insee_communes", "arcep_mci", "france_services", "mediation_numerique",
                                      "tiers_lieux_cget")
insee, mci, fs, med, tl = (i.frame if i else None for i in instants.values())
if insee is None:
    st.stop()
codes = list(communes_du_perimetre(reference.communes, perimetre)["code_insee"])
noms = reference.communes.set_index("code_insee")["nom"]

st.header("Fragilité numérique et illectronisme")
poids = composants.panneau_poids(si.poids_depuis_texte(st.query_params.get("poids")), si.poids_vers_texte)
tableau = si.tableau_fragilite(insee, mci, poids)
mesure = etat_url.choix(st, "Indicateur cartographié", list(si.MESURES), "mesure", si.MESURES.get)
valeurs = tableau.set_index("code_insee")[mesure]
format_valeur = (lambda v: formats.nombre(v, 1)) if mesure == "score_0_10" else formats.pourcentage
classes = classes_quantiles(valeurs, format_valeur, PALETTE_ALERTE)
st.markdown(vues.phrase_fragilite(tableau, noms, codes, perimetre.de))
carte = carte_communes(reference.communes, valeurs, classes, {
    si.MESURES[mesure]: valeurs.map(format_valeur),
    "Composantes manquantes": tableau.set_index("code_insee")["composantes_manquantes"].replace("", "aucune")},
    selection=set(codes))
st_folium(carte, key="carte_fragilite", height=480, use_container_width=True, returned_objects=[])
composants.legende(si.MESURES[mesure], classes)
st.plotly_chart(vues.figure_contributions(tableau, noms, codes), width="stretch")
with st.expander("Méthode de l'indice et de l'estimation de l'illectronisme", expanded=False):
    st.markdown(inclusion.explication_indice(poids))
    st.markdown(inclusion.methode_illectronisme())
composants.tableau_fragilite(tableau[tableau["code_insee"].isin(codes)], noms)
composants.exporter_tableau(tableau[tableau["code_insee"].isin(codes)], f"Fragilité — {perimetre.libelle}", "fragilite")

st.header("Qui est loin d'un lieu d'aide ?")
lieux = L.lieux_unifies(fs, tl, med).lieux
aide = L.filtrer_lieux(lieux, categories=[L.FRANCE_SERVICES, L.MEDIATION])
seuil = si.SEUILS[etat_url.choix(st, "Seuil d'éloignement", list(si.SEUILS), "seuil", lambda s: si.SEUILS[s].libelle)]
eloignement = si.eloignement_par_commune(reference.communes, aide, insee, seuil)
ligne = si.eloignement_perimetre(eloignement, codes)
st.markdown(vues.phrase_eloignement(ligne, seuil, perimetre.de))
composants.metriques(vues.metriques_eloignement(ligne, seuil))
parts = eloignement.set_index("code_insee")["part_au_dela"]
classes_e = classes_quantiles(parts, formats.pourcentage, PALETTE_ALERTE)
carte_e = carte_communes(reference.communes, parts, classes_e, {
    f"Part à {seuil.libelle}": parts.map(formats.pourcentage),
    "Habitants concernés": eloignement.set_index("code_insee")["population_au_dela"].map(formats.nombre)},
    selection=set(codes))
st_folium(carte_e, key="carte_eloignement", height=480, use_container_width=True, returned_objects=[])
composants.legende(f"Part de la population à {seuil.libelle}", classes_e)
composants.tableau_eloignement(eloignement[eloignement["code_insee"].isin(codes)], noms)
composants.exporter_tableau(eloignement[eloignement["code_insee"].isin(codes)],
                            f"Éloignement ({seuil.libelle}) — {perimetre.libelle}", "eloignement")

edition_lieux = instants["mediation_numerique"].manifeste["edition"] if instants["mediation_numerique"] else "?"
composants.tableau_objectifs_inclusion(si.etat_objectifs_inclusion(
    charger_objectifs_inclusion(), lieux, reference.communes, insee, codes, edition_lieux), perimetre.libelle)
