"""Priorités d'action (besoin × offre) et scénario « Et si on ouvrait un lieu ici ? »."""

import streamlit as st
from streamlit_folium import st_folium

from dashboard import formats
from dashboard.indicateurs import priorites as P
from dashboard.indicateurs import scenario as S
from dashboard.indicateurs.territoire import communes_du_perimetre
from dashboard.ui import composants, etat_url
from dashboard.vues import priorites as vues
from dashboard.vues.carte import ajouter_lieux, ajouter_sites, carte_communes
from dashboard.vues.classes import PALETTE_ALERTE, classes_quantiles

composants.exiger_coquille()
reference, perimetre = st.session_state["reference"], st.session_state["perimetre"]
st.title("Priorités d'action")
st.caption("Où agir d'abord : zones blanches du très haut débit, fragilité des habitants, éloignement des lieux "
           "d'aide — et l'effet d'un nouveau lieu.")
contexte = composants.contexte_priorites(reference)
if contexte is None:
    st.stop()
codes = list(communes_du_perimetre(reference.communes, perimetre)["code_insee"])
noms = reference.communes.set_index("code_insee")["nom"]

seuil = contexte.seuils[etat_url.choix(st, "Éloignement mesuré à", list(contexte.seuils), "seuil",
                                       lambda s: contexte.seuils[s].libelle, defaut="15min_marche")]
poids = composants.panneau_poids_priorites(P.poids_priorites_depuis_texte(st.query_params.get("poids_priorite")))
tableau = composants.tableau_priorites(contexte, seuil, poids)
st.markdown(vues.phrase_priorites(tableau, noms, codes, perimetre.de))
valeurs = tableau.set_index("code_insee")["priorite"]
classes = classes_quantiles(valeurs, lambda v: formats.nombre(v, 0), PALETTE_ALERTE)
carte = carte_communes(reference.communes, valeurs, classes, {
    "Priorité (sur 100)": valeurs.map(lambda v: formats.nombre(v, 0)),
    "Rang": tableau.set_index("code_insee")["rang"].map(formats.nombre)}, selection=set(codes))
st_folium(carte, key="carte_priorites", height=480, use_container_width=True, returned_objects=[])
composants.legende("Priorité d'action (points sur 100)", classes)
st.plotly_chart(vues.figure_priorites(tableau, noms, codes), width="stretch")
with st.expander("Méthode", expanded=False):
    st.markdown(P.explication_priorites(poids, seuil.libelle))
composants.tableau_priorites_affiche(tableau[tableau["code_insee"].isin(codes)], noms)
composants.exporter_tableau(tableau[tableau["code_insee"].isin(codes)], f"Priorités — {perimetre.libelle}", "priorites")

st.header("Et si on ouvrait un lieu ici ?")
st.caption("Cliquez sur la carte pour placer le lieu (ou choisissez une commune), puis lisez l'effet estimé.")
type_lieu = etat_url.choix(st, "Type de lieu", list(S.TYPES_DE_LIEU), "type_lieu", lambda t: S.TYPES_DE_LIEU[t].libelle)
site = composants.site_choisi(reference)
resultat = S.simuler_ouverture(contexte.points, contexte.distances(seuil), site[1], site[0], type_lieu, seuil,
                               communes=reference.communes) if site else None
nb = st.slider("Proposer les K meilleurs sites (couverture maximale pondérée par la fragilité)", 1, 5, 3,
               key="k_sites")
sites = composants.meilleurs_sites(contexte, seuil, nb)
marqueurs = [(la, lo, f"Site proposé n°{r} ({noms.get(c, c)})", "#D55E00")
             for r, c, la, lo in zip(sites["rang"], sites["code_insee"], sites["latitude"], sites["longitude"],
                                     strict=True)]
if site:
    marqueurs.append((site[0], site[1], f"Lieu simulé : {S.TYPES_DE_LIEU[type_lieu].libelle}", "#FFFFFF"))
fond = carte_communes(reference.communes, valeurs, classes, {}, selection=set(codes), opacite=0.35)
clic = st_folium(ajouter_sites(ajouter_lieux(fond, contexte.aide), marqueurs), key="carte_scenario", height=520,
                 use_container_width=True, returned_objects=["last_clicked"])
composants.enregistrer_clic(clic)
if resultat is not None:
    composants.afficher_resultat_scenario(resultat, noms, vues)
composants.tableau_sites(vues.tableau_sites(sites, noms), seuil.libelle)
