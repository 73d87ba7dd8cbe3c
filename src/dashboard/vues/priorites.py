"""Charts, sentences and key figures of the « Priorités » page (need × supply, scenario)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard import formats
from dashboard.indicateurs.priorites import COMPOSANTES
from dashboard.vues.graphiques import PALETTE_CATEGORIES, libelle_sur, mise_en_forme


def figure_priorites(tableau: pd.DataFrame, noms: pd.Series, codes: list[str]) -> go.Figure:
    """Stacked contributions (points out of 100) per commune, highest priority at the top."""
    sous = tableau[tableau["code_insee"].isin(codes)].dropna(subset=["priorite"])
    sous = sous.sort_values("priorite")
    fig = go.Figure()
    for (cle, composante), couleur in zip(COMPOSANTES.items(), (PALETTE_CATEGORIES[4], PALETTE_CATEGORIES[0],
                                                                 PALETTE_CATEGORIES[1]), strict=True):
        colonne = f"contribution_{cle}"
        if colonne not in sous:
            continue
        fig.add_trace(go.Bar(
            x=sous[colonne].astype("float"), y=sous["code_insee"].map(noms).map(libelle_sur), orientation="h",
            name=composante.libelle, marker_color=couleur,
            hovertext=[f"{libelle_sur(noms.get(c, c))} — {composante.libelle} : {formats.nombre(v, 1)} points"
                       for c, v in zip(sous["code_insee"], sous[colonne], strict=True)], hoverinfo="text",
        ))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text="Priorité (points sur 100)", range=[0, 100])
    return mise_en_forme(fig, "Priorité d'action par commune et ce qui la compose",
                         hauteur=max(360, 22 * len(sous) + 160))


def phrase_priorites(tableau: pd.DataFrame, noms: pd.Series, codes: list[str], de_perimetre: str) -> str:
    """« Les trois communes prioritaires du Pays de Lorient sont Quistinic (82/100), … »."""
    sous = tableau[tableau["code_insee"].isin(codes)].dropna(subset=["priorite"]).sort_values("rang").head(3)
    if sous.empty:
        return "Priorités non calculables : composantes manquantes."
    liste = ", ".join(f"{noms.get(c, c)} ({formats.nombre(p, 0)}/100)"
                      for c, p in zip(sous["code_insee"], sous["priorite"], strict=True))
    if len(sous) == 1:
        rang = int(sous["rang"].iloc[0])
        return f"Priorité de la commune : {liste} (rang parmi les communes du territoire : {rang})."
    return f"Les communes prioritaires {de_perimetre} sont, dans l'ordre : {liste}."


def metriques_scenario(resultat) -> list[tuple[str, str, str]]:
    """Before/after key figures of :func:`dashboard.indicateurs.scenario.simuler_ouverture`."""
    aide = "Estimation : population répartie uniformément sur une grille de 500 m, distances à vol d'oiseau."
    fragile = (formats.nombre(resultat.fragile_gagnee) if resultat.fragile_gagnee is not None
               else formats.NON_DISPONIBLE)
    return [
        ("Habitants au-delà du seuil, avant", formats.nombre(resultat.population_au_dela_avant), aide),
        ("Après l'ouverture", formats.nombre(resultat.population_au_dela_apres), aide),
        ("Habitants rapprochés", formats.nombre(resultat.population_gagnee), aide),
        ("dont 75 ans et plus", fragile, aide),
    ]


def tableau_sites(sites: pd.DataFrame, noms: pd.Series) -> pd.DataFrame:
    """The suggested sites for display: rank, commune, gains (rounded), coordinates."""
    return pd.DataFrame({
        "rang": sites["rang"],
        "commune": sites["code_insee"].map(noms),
        "gain_population": sites["gain_population"].round(0),
        "gain_ponderee": sites["gain_ponderee"].round(0),
        "cumul_population": sites["cumul_population"].round(0),
        "latitude": sites["latitude"].round(5),
        "longitude": sites["longitude"].round(5),
    })
