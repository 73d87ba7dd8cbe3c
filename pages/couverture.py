"""Couverture haut et très haut débit : zones blanches, éligibilité, fibre par trimestre, objectifs."""

import streamlit as st
from streamlit_folium import st_folium

from dashboard import formats
from dashboard.indicateurs import synthese_couverture as sc
from dashboard.indicateurs.territoire import communes_du_perimetre
from dashboard.objectifs import charger_objectifs
from dashboard.ui import cache_couverture as cache
from dashboard.ui import composants, etat_url, provenance
from dashboard.vues import couverture as vues
from dashboard.vues import grille as grille_vues
from dashboard.vues.carte import carte_communes
from dashboard.vues.classes import PALETTE_ALERTE, PALETTE_SEQUENTIELLE, classes_quantiles

composants.exiger_coquille()
reference, perimetre = st.session_state["reference"], st.session_state["perimetre"]
provenance.declarer(reference.manifeste)
st.title("Couverture haut et très haut débit")
instants = composants.charger_sources("arcep_mci", "arcep_ftth")
mci, ftth = (i.frame if i else None for i in instants.values())
cle = cache.cle_donnees(instants, reference.manifeste)  # cached computations (bench/README.md, charge)

c1, c2, c3 = st.columns([3, 2, 3])
indicateur = sc.INDICATEURS[etat_url.choix(c1, "Indicateur", list(sc.INDICATEURS), "indicateur",
                                           lambda i: sc.INDICATEURS[i].libelle)]
reseau = etat_url.choix(c2, "Réseaux pris en compte", list(sc.RESEAUX), "reseau", sc.RESEAUX.get,
                        disabled=indicateur.source != "arcep_mci",
                        aide="Les zones blanches se mesurent d'abord sur les réseaux filaires (recommandation ARCEP).")
trimestre = etat_url.curseur(c3, "Trimestre (historique fibre)", sc.trimestres(ftth) if ftth is not None else [],
                             "trimestre", disabled=indicateur.source != "arcep_ftth")
codes = list(communes_du_perimetre(reference.communes, perimetre)["code_insee"])
edition = trimestre if indicateur.source == "arcep_ftth" else composants.libelle_edition(instants["arcep_mci"])
valeurs = cache.valeurs_communes(cle, indicateur, mci, ftth, reseau, trimestre)
ligne_perimetre = cache.valeur_perimetre(cle, indicateur, mci, ftth, codes, reseau, trimestre)
st.markdown(vues.phrase_couverture(indicateur, perimetre.de, ligne_perimetre, edition))
composants.metriques(vues.metriques_couverture(cache.chiffres_couverture(cle, mci, ftth, codes, reseau)))

noms = reference.communes.set_index("code_insee")["nom"]
selection = etat_url.commune_selectionnee(list(noms.index))
serie_valeurs = valeurs.set_index("code")
classes = classes_quantiles(serie_valeurs["valeur"], lambda v: formats.pourcentage(v),
                            PALETTE_ALERTE if indicateur.besoin else PALETTE_SEQUENTIELLE)
grille = composants.grille_demandee(reference.manifeste, noms, codes, perimetre.de)  # None: off or not loaded
carte = carte_communes(reference.communes, serie_valeurs["valeur"], classes, {
    indicateur.libelle: serie_valeurs["valeur"].map(formats.pourcentage),
    "Locaux concernés": serie_valeurs["nombre"].map(formats.nombre),
    "Locaux (total)": serie_valeurs["base"].map(formats.nombre)}, selection=set(codes),
    opacite=0.15 if grille is not None else 0.85)
clic = st_folium(grille_vues.ajouter_grille(carte, grille), key="carte_couverture", height=520,
                 use_container_width=True, returned_objects=["last_active_drawing"])
composants.legende(f"{indicateur.libelle} — part des locaux ({edition})"
                   + (" — couleurs atténuées sous la grille" if grille is not None else ""), classes)
composants.grille_immeubles(grille)
etat_url.selectionner_commune(composants.code_clique(clic))
st.caption("Cliquez sur une commune pour la sélectionner dans les graphiques ci-dessous.")

gauche, droite = st.columns(2)
dans = valeurs[valeurs["code"].isin(codes)]
gauche.plotly_chart(vues.figure_classement(dans, noms, indicateur, selection), width="stretch")
if mci is not None:
    longue = cache.repartition_longue(cle, mci)
    droite.plotly_chart(vues.figure_meilleure_techno(longue[longue["code"].isin(codes)], noms),
                        width="stretch")
if ftth is not None:
    objectifs = charger_objectifs()
    territoire = st.session_state["territoire"]
    st.plotly_chart(cache.figure_ftth_perimetre(
        cle, ftth, reference.communes, perimetre, codes, selection, objectifs, territoire.nom,
        {territoire.nom_departement: ("departement", territoire.departement),
         territoire.nom_region: ("region", territoire.region), "France": ("france", "FR")}), width="stretch")
    composants.tableau_objectifs(cache.etat_objectifs(cle, objectifs, mci, ftth, codes), perimetre.libelle)
rurale = cache.ventilation_rurale(cle, indicateur, reseau, trimestre, codes, valeurs, ftth)
composants.tableau_rural(rurale, indicateur)
st.subheader("Données par commune")
donnees_communes = sc.tableau_communes(valeurs, communes_du_perimetre(reference.communes, perimetre))
composants.tableau_parts(donnees_communes, indicateur.nombre_libelle)
telechargements = composants.exporter_tableau(
    donnees_communes, f"{indicateur.libelle} — {perimetre.libelle} ({edition})", "couverture")
composants.exporter_carte_png(reference.communes, serie_valeurs["valeur"], classes, f"{indicateur.libelle} ({edition})",
                              "couverture", set(codes), telechargements)
