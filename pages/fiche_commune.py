"""Fiche commune : tous les indicateurs d'une commune face à son EPCI, au territoire, au département, à la France."""

import streamlit as st

from dashboard.indicateurs import fiche
from dashboard.ui import composants, etat_url
from dashboard.vues import fiche as vues
from dashboard.vues.rapport import contenu_rapport

composants.exiger_coquille()
reference, perimetre, territoire = (st.session_state[k] for k in ("reference", "perimetre", "territoire"))
st.title("Fiche commune")
donnees, sources = composants.donnees_fiche(reference)
communes = reference.communes.sort_values("nom")
noms = dict(zip(communes["code_insee"], communes["nom"], strict=True))
defaut = perimetre.code if perimetre.niveau == "commune" else "56121" if "56121" in noms else next(iter(noms))
code = etat_url.choix(st, "Commune", list(noms), "commune", noms.get, defaut=defaut)
ligne = communes.set_index("code_insee").loc[code]
groupes = {noms[code]: [code],
           ligne["nom_epci"]: list(communes.loc[communes["siren_epci"] == ligne["siren_epci"], "code_insee"]),
           territoire.nom: list(communes["code_insee"])}
externes = {territoire.nom_departement: ("departement", territoire.departement), "France": ("france", "FR")}
tableau = fiche.tableau_fiche(donnees, groupes, externes)

texte, notes = vues.paragraphe(tableau, noms[code], territoire.nom, territoire.complement, sources)
st.markdown(texte)
st.caption("\n\n".join(f"[{i}] {composants.markdown_inerte(n)}" for i, n in enumerate(notes, start=1)))
affiche = vues.tableau_affiche(tableau, sources)
st.dataframe(affiche, hide_index=True, width="stretch", height=680)
composants.exporter_tableau(affiche, f"Fiche {noms[code]}", "fiche")
r1, r2 = st.columns(2)
with r1:
    composants.exporter_rapport(lambda: contenu_rapport(donnees, sources, groupes, externes, noms[code],
                                                        f"Fiche commune — {noms[code]}"), noms[code], "commune")
with r2:
    composants.exporter_rapport(lambda: contenu_rapport(donnees, sources, {territoire.nom: groupes[territoire.nom]},
                                                        externes, territoire.nom, f"Rapport — {territoire.nom}"),
                                territoire.nom, "territoire")
st.caption("n.d. : donnée non disponible (source non chargée, valeur masquée par le secret statistique, ou "
           "indicateur qui ne s'agrège pas honnêtement, comme un score relatif). Les colonnes département et "
           "France n'apparaissent que si les fichiers nationaux ont été chargés.")
composants.sparklines(fiche.series_ftth_groupes(donnees, groupes), "Locaux raccordables à la fibre, par trimestre")

st.header("Comparer des communes ou des périmètres")
choix = composants.choisir_comparaison(reference, territoire, [code])
if len(choix) >= 2:
    comparaison = fiche.tableau_fiche(donnees, choix)
    st.dataframe(vues.tableau_affiche(comparaison, sources), hide_index=True, width="stretch", height=680)
    composants.sparklines(fiche.series_ftth_groupes(donnees, choix), "Fibre, par trimestre")
else:
    st.info("Choisissez de 2 à 4 communes ou périmètres, par exemple Lorient Agglomération seule et l'ensemble "
            "du Pays, pour comparer le périmètre du plan actuel à celui du territoire.")
