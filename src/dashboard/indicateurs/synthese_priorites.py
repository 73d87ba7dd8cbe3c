"""Everything the « Priorités » page computes once per run: places, population points, distances.

:func:`preparer` returns a :class:`ContextePriorites`; distances to the nearest help place do
not depend on the threshold, so they are computed once and reused by the priority index,
the scenario and the best-sites search.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from dashboard.indicateurs import accessibilite, priorites, scenario
from dashboard.indicateurs import lieux as L
from dashboard.indicateurs.synthese_inclusion import SEUILS, Seuil, eloignement_par_commune


@dataclass
class ContextePriorites:
    communes: gpd.GeoDataFrame
    mci: pd.DataFrame | None
    insee: pd.DataFrame | None
    aide: pd.DataFrame
    points: pd.DataFrame
    distances_actuelles: pd.DataFrame
    seuils: dict[str, Seuil] = field(default_factory=lambda: dict(SEUILS))

    def distances(self, _seuil: Seuil | None = None) -> pd.DataFrame:
        return self.distances_actuelles

    def fragilite(self) -> pd.DataFrame | None:
        return priorites.fragilite_pour_priorites(self.insee) if self.insee is not None else None


def preparer(communes: gpd.GeoDataFrame, mci: pd.DataFrame | None, insee: pd.DataFrame | None,
             france_services: pd.DataFrame | None, tiers_lieux: pd.DataFrame | None,
             mediation: pd.DataFrame | None) -> ContextePriorites:
    aide = scenario.lieux_d_aide(L.lieux_unifies(france_services, tiers_lieux, mediation).lieux)
    points = accessibilite.points_de_population(communes)
    if insee is not None:
        points = accessibilite.ajouter_population_fragile(points, insee, "pop_75_plus")
    distances = accessibilite.distance_au_plus_proche(points, aide)
    return ContextePriorites(communes, mci, insee, aide, points, distances)


def tableau_priorites(ctx: ContextePriorites, seuil: Seuil, poids: Mapping[str, float]) -> pd.DataFrame:
    """The priority index of every commune of the territory (normalised over all of them)."""
    eloignement = eloignement_par_commune(ctx.communes, ctx.aide, ctx.insee, seuil)
    composantes = priorites.composantes_priorites(ctx.communes["code_insee"], mci=ctx.mci,
                                                  fragilite=ctx.fragilite(), eloignement=eloignement)
    return priorites.indice_priorites(composantes, poids)


def meilleurs_sites(ctx: ContextePriorites, seuil: Seuil, k: int) -> pd.DataFrame:
    """Greedy best ``k`` sites among 1 km candidates, people weighted by commune fragility."""
    candidats = scenario.candidats_depuis_points(ctx.points, pas_m=1000)
    fragilite = ctx.fragilite()
    return scenario.meilleurs_sites(ctx.points, ctx.distances_actuelles, candidats, k, seuil,
                                    fragilite[["code_insee", "score_0_10"]] if fragilite is not None else None)
