"""Charts and sentences of the « Inclusion numérique » and « Lieux » pages."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard import formats
from dashboard.indicateurs import inclusion
from dashboard.indicateurs.synthese_inclusion import Seuil
from dashboard.vues.graphiques import PALETTE_CATEGORIES, libelle_sur, mise_en_forme


def figure_contributions(tableau: pd.DataFrame, noms: pd.Series, codes: list[str]) -> go.Figure:
    """Stacked bars of each component's contribution to the index (standard deviations), most
    fragile commune at the top. Positive = more fragile than the territory's average commune."""
    sous = tableau[tableau["code_insee"].isin(codes)].sort_values("indice", na_position="first")
    fig = go.Figure()
    for (composante, libelle), couleur in zip(inclusion.COMPOSANTES.items(), PALETTE_CATEGORIES, strict=False):
        colonne = f"contribution_{composante}"
        if colonne not in sous:
            continue
        fig.add_trace(go.Bar(
            x=sous[colonne].astype("float"), y=sous["code_insee"].map(noms).map(libelle_sur), orientation="h",
            name=libelle, marker_color=couleur,
            hovertext=[f"{libelle_sur(noms.get(c, c))} — {libelle} : {formats.nombre(v, 2)} écart-type"
                       for c, v in zip(sous["code_insee"], sous[colonne], strict=True)], hoverinfo="text",
        ))
    fig.update_layout(barmode="relative")
    fig.update_xaxes(title_text="Contribution à l'indice (en écarts-types)")
    return mise_en_forme(fig, "Ce qui fait la fragilité de chaque commune", hauteur=max(360, 22 * len(sous) + 160))


def phrase_fragilite(tableau: pd.DataFrame, noms: pd.Series, codes: list[str], de_perimetre: str) -> str:
    """« Parmi les communes du Pays de Lorient, les plus fragiles selon l'indice sont … »."""
    sous = tableau[tableau["code_insee"].isin(codes)].dropna(subset=["score_0_10"])
    if sous.empty:
        return "Indice non calculable : composantes manquantes."
    tete = sous.sort_values("score_0_10", ascending=False).head(3)
    liste = ", ".join(f"{noms.get(c, c)} ({formats.nombre(s, 1)}/10)"
                      for c, s in zip(tete["code_insee"], tete["score_0_10"], strict=True))
    if len(sous) == 1:
        return f"Score de la commune : {liste} — sur l'échelle des 30 communes du territoire (0 = la moins fragile)."
    return (f"Communes les plus fragiles {de_perimetre} selon l'{inclusion.LIBELLE_INDICE} : {liste}. "
            "Le score compare les communes entre elles (0 = la moins fragile, 10 = la plus fragile).")


def phrase_eloignement(ligne: pd.Series, seuil: Seuil, de_perimetre: str) -> str:
    """« 9 539 habitants du Pays de Lorient (4,3 %) vivent à plus de 5 km … dont 1 550 de 75 ans et plus. »"""
    if pd.isna(ligne["population_au_dela"]):
        return "Éloignement non calculable (population inconnue)."
    texte = (f"Environ {formats.nombre(ligne['population_au_dela'])} habitants {de_perimetre} "
             f"({formats.pourcentage(ligne['part_au_dela'])}) vivent à {seuil.libelle} du lieu d'aide le plus proche")
    if not pd.isna(ligne.get("population_75_plus_au_dela", pd.NA)):
        texte += f", dont environ {formats.nombre(ligne['population_75_plus_au_dela'])} personnes de 75 ans et plus"
    return texte + " (estimation : population répartie uniformément sur une grille de 500 m)."


def metriques_eloignement(ligne: pd.Series, seuil: Seuil) -> list[tuple[str, str, str]]:
    """(label, value, help) for the distance-to-help key figures of a scope."""
    aide = (f"Habitants à {seuil.libelle} du lieu d'aide le plus proche (France services ou lieu de médiation "
            "numérique). Estimation : population répartie uniformément sur une grille de 500 m, distances à vol "
            "d'oiseau, temps calculés avec un facteur de détour et une vitesse moyenne documentés.")
    return [
        ("Habitants concernés (estimation)", formats.nombre(ligne["population_au_dela"]), aide),
        ("Part de la population", formats.pourcentage(ligne["part_au_dela"]), aide),
        ("Personnes de 75 ans et plus concernées", formats.nombre(ligne["population_75_plus_au_dela"]), aide),
        ("Part des 75 ans et plus", formats.pourcentage(ligne["part_75_plus_au_dela"]), aide),
    ]


def _valeur_objectif(valeur: object, indicateur: str) -> str:
    if valeur is None or pd.isna(valeur):
        return formats.NON_DISPONIBLE
    if "10000" in indicateur or "10_000" in indicateur or "pour_10" in indicateur:
        return f"{formats.nombre(float(valeur), 1)} pour 10 000 hab."
    return formats.pourcentage(float(valeur))


def objectifs_affiches(etat: pd.DataFrame) -> pd.DataFrame:
    """Targets table in French: value and target formatted by the indicator's unit, dates spelled out."""
    return etat.assign(
        valeur=[_valeur_objectif(v, str(i)) for v, i in zip(etat["valeur"], etat["indicateur"], strict=True)],
        cible=[_valeur_objectif(c, str(i)) for c, i in zip(etat["cible"], etat["indicateur"], strict=True)],
        echeance=etat["echeance"].map(formats.date_longue),
    )
