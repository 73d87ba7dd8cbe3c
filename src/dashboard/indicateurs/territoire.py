"""Population, area and density of a scope (territory, EPCI or commune)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.territoire import Perimetre


def communes_du_perimetre(communes: pd.DataFrame, perimetre: Perimetre) -> pd.DataFrame:
    """Rows of ``communes`` inside the scope (a copy; the input is not modified)."""
    if perimetre.niveau == "pays":
        return communes.copy()
    colonne = "siren_epci" if perimetre.niveau == "epci" else "code_insee"
    return communes[communes[colonne] == perimetre.code].copy()


@dataclass(frozen=True)
class ChiffresCles:
    """Key figures of a scope. Units: inhabitants, km², inhabitants per km²."""

    nb_communes: int
    population: int | None
    superficie_km2: float
    densite_hab_km2: float | None


def chiffres_cles(communes: pd.DataFrame) -> ChiffresCles:
    """Count, total population (``None`` if any is missing), total area and density."""
    population = None if communes["population"].isna().any() else int(communes["population"].sum())
    superficie = float(communes["superficie_km2"].sum())
    densite = population / superficie if population is not None and superficie > 0 else None
    return ChiffresCles(len(communes), population, superficie, densite)


def densite_par_commune(communes: pd.DataFrame) -> pd.DataFrame:
    """One row per commune.

    Returns columns ``code_insee``, ``nom``, ``nom_epci``, ``population`` (hab.),
    ``superficie_km2`` (km²), ``densite_hab_km2`` (hab./km², ``<NA>`` if unknown).
    """
    resultat = pd.DataFrame(
        {
            "code_insee": communes["code_insee"].to_numpy(),
            "nom": communes["nom"].to_numpy(),
            "nom_epci": communes["nom_epci"].to_numpy(),
            "population": communes["population"].astype("Int64").to_numpy(),
            "superficie_km2": communes["superficie_km2"].astype("Float64").to_numpy(),
        }
    )
    surface = resultat["superficie_km2"].where(resultat["superficie_km2"] > 0)
    resultat["densite_hab_km2"] = (resultat["population"].astype("Float64") / surface).round(1)
    return resultat.sort_values("code_insee").reset_index(drop=True)
