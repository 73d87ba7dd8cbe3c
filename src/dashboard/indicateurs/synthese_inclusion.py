"""Page-level synthesis for « Inclusion numérique »: fragility, illectronisme, distance to help.

Pure glue over :mod:`dashboard.indicateurs.inclusion` (index, illectronisme) and
:mod:`dashboard.indicateurs.accessibilite` (population points, distances).

:func:`tableau_fragilite` columns: ``code_insee``; ``indice`` (standard deviations),
``score_0_10``; the components (shares 0–1, see ``inclusion.COMPOSANTES``) and
``contribution_<c>``; ``illectronisme_personnes`` (persons, estimate) and
``illectronisme_part`` (share of the 15+); ``composantes_manquantes`` (str).

:func:`eloignement_par_commune` columns: ``code_insee``, ``population`` (inhabitants),
``population_au_dela`` and ``part_au_dela`` (beyond the chosen threshold),
``population_75_plus``, ``population_75_plus_au_dela``, ``part_75_plus_au_dela``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from dashboard.indicateurs import accessibilite, inclusion
from dashboard.indicateurs.couverture import locaux_sans_thd


@dataclass(frozen=True)
class Seuil:
    """A distance (km, straight line) or a travel time (min, by car or on foot)."""

    identifiant: str
    libelle: str
    mesure: str  # distance | temps_voiture | temps_marche
    valeur: float


SEUILS: dict[str, Seuil] = {s.identifiant: s for s in (
    Seuil("5km", "plus de 5 km à vol d'oiseau", "distance", 5),
    Seuil("10km", "plus de 10 km à vol d'oiseau", "distance", 10),
    Seuil("15km", "plus de 15 km à vol d'oiseau", "distance", 15),
    Seuil("15min_voiture", "plus de 15 minutes en voiture (estimation)", "temps_voiture", 15),
    Seuil("30min_voiture", "plus de 30 minutes en voiture (estimation)", "temps_voiture", 30),
    Seuil("15min_marche", "plus de 15 minutes à pied (estimation)", "temps_marche", 15),
    Seuil("30min_marche", "plus de 30 minutes à pied (estimation)", "temps_marche", 30),
)}

MESURES: dict[str, str] = {
    "score_0_10": f"Indice de fragilité ({inclusion.LIBELLE_INDICE}), score 0–10",
    **{f"comp_{c}": libelle for c, libelle in inclusion.COMPOSANTES.items()},
    "illectronisme_part": "Illectronisme estimé (part des 15 ans et plus)",
}


def part_non_thd(mci: pd.DataFrame | None) -> pd.Series | None:
    """Share of locaux without ≥ 30 Mbit/s on wired networks, by INSEE code (or None)."""
    if mci is None:
        return None
    return locaux_sans_thd(mci).set_index("code")["part_locaux_sans_thd"]


def tableau_fragilite(insee: pd.DataFrame, mci: pd.DataFrame | None,
                      poids: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Index, components, contributions and estimated illectronisme per commune (see module doc)."""
    composantes = inclusion.composantes_fragilite(insee, part_non_thd(mci))
    indice = inclusion.indice_fragilite(composantes, poids)
    illectronisme = inclusion.illectronisme_estime(insee)[["code_insee", "personnes_estimees", "part_estimee"]]
    tableau = indice.merge(composantes.rename(columns={c: f"comp_{c}" for c in inclusion.COMPOSANTES}),
                           on="code_insee", how="left")
    tableau = tableau.merge(illectronisme.rename(columns={"personnes_estimees": "illectronisme_personnes",
                                                          "part_estimee": "illectronisme_part"}),
                            on="code_insee", how="left")
    return tableau.sort_values("code_insee").reset_index(drop=True)


def poids_depuis_texte(texte: str | None) -> dict[str, float]:
    """``"part_non_thd:1,part_65_plus:2"`` (URL form) → weights; unknown or bad parts are ignored,
    missing components take their default weight."""
    poids = dict(inclusion.POIDS_DEFAUT)
    for morceau in (texte or "").split(","):
        cle, _, valeur = morceau.partition(":")
        if cle in poids:
            try:
                poids[cle] = max(0.0, min(5.0, float(valeur)))
            except ValueError:
                continue
    return poids


def poids_vers_texte(poids: Mapping[str, float]) -> str:
    return ",".join(f"{c}:{poids[c]:g}" for c in inclusion.COMPOSANTES if c in poids)


def eloignement_par_commune(communes, lieux: pd.DataFrame, insee: pd.DataFrame | None, seuil: Seuil,
                            parametres=None) -> pd.DataFrame:
    """Population (and 75+) beyond ``seuil`` of the nearest place, per commune (see module doc).

    Population is spread uniformly on a 500 m grid inside each commune (an approximation);
    distances are straight lines, times are estimates (detour factor and average speed).
    """
    points = accessibilite.points_de_population(communes)
    ponderation = None
    if insee is not None:
        points = accessibilite.ajouter_population_fragile(points, insee, "pop_75_plus")
        ponderation = "population_fragile"
    distances = accessibilite.distance_au_plus_proche(points, lieux, parametres)
    km = (seuil.valeur,) if seuil.mesure == "distance" else ()
    minutes = (seuil.valeur,) if seuil.mesure != "distance" else ()
    modes = (seuil.mesure.removeprefix("temps_"),) if seuil.mesure != "distance" else ("voiture",)
    long = accessibilite.population_au_dela(points, distances, seuils_km=km or (seuil.valeur,), seuils_min=minutes,
                                            modes=modes, colonne_ponderation=ponderation)
    long = long[(long["mesure"] == seuil.mesure) & (long["seuil"] == seuil.valeur)]
    return pd.DataFrame({
        "code_insee": long["code_insee"].to_numpy(),
        "population": long["population"].to_numpy(),
        "population_au_dela": long["population_au_dela"].to_numpy(),
        "part_au_dela": long["part_au_dela"].to_numpy(),
        "population_75_plus": long["population_ponderee"].to_numpy(),
        "population_75_plus_au_dela": long["population_ponderee_au_dela"].to_numpy(),
        "part_75_plus_au_dela": long["part_ponderee_au_dela"].to_numpy(),
    }).astype({c: "Float64" for c in ("population", "population_au_dela", "part_au_dela", "population_75_plus",
                                      "population_75_plus_au_dela", "part_75_plus_au_dela")})


def eloignement_perimetre(par_commune: pd.DataFrame, codes: Iterable[str]) -> pd.Series:
    """Sums over a scope, shares recomputed (NA if a commune is unknown)."""
    sous = par_commune[par_commune["code_insee"].isin(set(codes))]
    resultat = {}
    for colonne in ("population", "population_au_dela", "population_75_plus", "population_75_plus_au_dela"):
        resultat[colonne] = sous[colonne].sum() if sous[colonne].notna().all() and len(sous) else pd.NA
    for part, num, den in (("part_au_dela", "population_au_dela", "population"),
                           ("part_75_plus_au_dela", "population_75_plus_au_dela", "population_75_plus")):
        n, d = resultat[num], resultat[den]
        resultat[part] = n / d if not pd.isna(n) and not pd.isna(d) and d > 0 else pd.NA
    return pd.Series(resultat)


def etat_objectifs_inclusion(objectifs, lieux: pd.DataFrame, communes, insee: pd.DataFrame | None,
                             codes: Iterable[str], edition: str) -> pd.DataFrame:
    """Status of the local inclusion targets for a scope at one edition of the places data.

    Returns the columns of :func:`dashboard.indicateurs.objectifs_inclusion.progression_inclusion`
    (``libelle``, ``cible``, ``echeance``, ``valeur``, ``statut``, ``tendance``, ``commentaire``…).
    """
    from dashboard.indicateurs.objectifs_inclusion import mesurer_objectifs_inclusion, progression_inclusion

    dans = communes[communes["code_insee"].isin(set(codes))]
    points = accessibilite.points_de_population(dans)
    if insee is not None:
        points = accessibilite.ajouter_population_fragile(points, insee, "pop_75_plus")
    mesures = mesurer_objectifs_inclusion(objectifs, lieux, dans, points).assign(edition=edition)
    return progression_inclusion(objectifs, mesures)
