"""Physical accessibility of places: population points, distance to the nearest place, people beyond.

Pure, vectorised functions (no file access, no Streamlit, inputs never modified), fast
enough to be called again at every click of the « what if we open a place here »
scenario. Coordinates are Lambert-93 metres (EPSG:2154); inputs in WGS84 are projected.

Population model (an approximation, say so wherever it is shown)
-----------------------------------------------------------------
:func:`points_de_population` lays a regular grid of step ``pas_m`` (500 m by default,
cell centres at ``(k + ½) × pas``, the same grid for every commune) over each commune
polygon, keeps the centres inside it and spreads the commune's population **uniformly**
over them. A commune too small to hold a centre (or oddly shaped) gets one point, its
representative point (Port-Louis, 1 km², is never lost). Uniform spreading puts people in
fields and woods as much as in the bourg: **« à remplacer par les carreaux Filosofi 200 m
quand disponibles »** (INSEE's gridded population, which places people where they live).

Distances and times
-------------------
Straight-line (« à vol d'oiseau ») distance from each point to the nearest place with
coordinates. Travel times are *estimates*: ``distance × facteur_detour / vitesse`` with
the constants of :class:`ParametresAccessibilite` (values, sources and hypotheses in
``data/parametres_accessibilite.toml``, loaded by
:func:`dashboard.parametres_accessibilite.charger_parametres_accessibilite`). No road
network is used: Gâvres → Port-Louis is 1.5 km across the water but 15 km by road.
Island communes (``communes_insulaires``, Groix) only reach places of the same commune,
and their places only serve them (the crossing is a ferry, not a road).

Functions and returned columns
------------------------------
``points_de_population(communes, pas_m=500)``
    ``code_insee`` (str), ``x``, ``y`` (float64, metres L93), ``population`` (float64,
    inhabitants; ``NaN`` when the commune's population is unknown). Sorted by code, y, x.
``ajouter_population_fragile(points, table, colonne="pop_75_plus", total="population",
nom="population_fragile")``
    ``points`` + ``nom`` (float64) = ``population × table[colonne] / table[total]`` of the
    commune (e.g. the 75+ share of the INSEE census base); ``NaN`` when unknown.
``distance_au_plus_proche(points, lieux, parametres=None)``
    same index as ``points``: ``distance_m`` (float64, metres, ``inf`` when no place is
    reachable), ``id_lieu`` (str, ``NaN`` when none), ``temps_voiture_min``,
    ``temps_marche_min`` (float64, minutes).
``population_au_dela(points, distances, seuils_km=(5, 10, 15), seuils_min=(15, 30),
modes=("voiture", "marche"), colonne_ponderation=None)``
    long table, one row per commune × measure × threshold: ``code_insee``, ``mesure``
    (``distance`` | ``temps_voiture`` | ``temps_marche``), ``seuil`` (float64, in ``unite``),
    ``unite`` (``km`` | ``min``), ``population`` (Float64, inhabitants),
    ``population_au_dela`` (Float64, inhabitants strictly beyond the threshold),
    ``part_au_dela`` (Float64, 0–1), and the same three weighted by
    ``colonne_ponderation`` (e.g. ``population_fragile``): ``population_ponderee``,
    ``population_ponderee_au_dela``, ``part_ponderee_au_dela`` (``<NA>`` without weighting).
``agreger_au_dela(tableau, codes, code="perimetre")``
    the same per scope: ``code``, ``nb_communes``, ``mesure``, ``seuil``, ``unite`` then the
    six measures, populations **summed** and shares **recomputed** (``<NA>`` if one commune
    is unknown).
``seuil_m_pour_temps(minutes, mode, parametres=None)``
    the straight-line distance (m) that the time model turns into ``minutes``.
``gain_nouveau_lieu(points, distances_actuelles, x, y, seuil_m, *, code_insee=None,
colonne_ponderation=None, parametres=None)`` → :class:`GainNouveauLieu`
    population (and weighted population) beyond ``seuil_m`` today and within it from a new
    place at (x, y): total and ``par_commune`` (``code_insee``, ``population_gagnee``,
    ``population_ponderee_gagnee``; communes with a gain only, by decreasing gain).
``distances_avec_nouveau_lieu(points, distances, x, y, *, id_lieu="nouveau",
code_insee=None, parametres=None)``
    ``distances`` updated as if the place existed (to chain several openings).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from dashboard.indicateurs.lieux import vers_lambert93

CRS_CALCUL = "EPSG:2154"
CELLULES_PAR_BLOC = 2_000_000  # points × places per block of the distance matrix (≈ 16 Mo per array)
MODES = ("voiture", "marche")
COLONNES_DISTANCES = ("distance_m", "id_lieu", "temps_voiture_min", "temps_marche_min")
COLONNES_AU_DELA = ("population", "population_au_dela", "part_au_dela", "population_ponderee",
                    "population_ponderee_au_dela", "part_ponderee_au_dela")


@dataclass(frozen=True)
class ParametresAccessibilite:
    """Constants of the travel-time model; defaults = ``data/parametres_accessibilite.toml``.

    ``facteur_detour``: road (or path) distance / straight-line distance, ≥ 1;
    ``vitesse_voiture_kmh`` and ``vitesse_marche_kmh``: average door-to-door speeds (km/h);
    ``communes_insulaires``: INSEE codes of islands reached by ferry only (the project
    file names Groix; the code default is none, so that the model stays territory-free);
    ``justifications``: (key, text) pairs shown to users (sources or stated hypotheses).
    """

    facteur_detour: float = 1.3
    vitesse_voiture_kmh: float = 40.0
    vitesse_marche_kmh: float = 4.5
    communes_insulaires: tuple[str, ...] = ()
    justifications: tuple[tuple[str, str], ...] = ()

    def minutes(self, distance_m: np.ndarray | float, mode: str) -> np.ndarray | float:
        """Straight-line metres → estimated minutes by ``mode`` (``voiture`` or ``marche``)."""
        return np.asarray(distance_m, dtype="float64") * self.facteur_detour / (self._vitesse(mode) * 1000 / 60)

    def _vitesse(self, mode: str) -> float:
        if mode == "voiture":
            return self.vitesse_voiture_kmh
        if mode == "marche":
            return self.vitesse_marche_kmh
        raise ValueError(f"mode de déplacement « {mode} » inconnu (voiture ou marche)")


@dataclass(frozen=True)
class GainNouveauLieu:
    """Population newly within the threshold thanks to one new place (inhabitants, float)."""

    population: float
    population_ponderee: float | None
    par_commune: pd.DataFrame


# --------------------------------------------------------------------------- population points
def points_de_population(communes: gpd.GeoDataFrame, pas_m: float = 500.0) -> pd.DataFrame:
    """Regular grid of population points clipped to each commune (see module docstring)."""
    if pas_m <= 0:
        raise ValueError("le pas de la grille doit être positif (en mètres)")
    projetees = communes.to_crs(CRS_CALCUL) if communes.crs is not None else communes
    codes: list[np.ndarray] = []
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    pops: list[np.ndarray] = []
    for code, population, geometrie in zip(projetees["code_insee"].astype("str"), projetees["population"],
                                           projetees.geometry, strict=True):
        minx, miny, maxx, maxy = geometrie.bounds
        gx = (np.arange(np.floor(minx / pas_m), np.ceil(maxx / pas_m)) + 0.5) * pas_m
        gy = (np.arange(np.floor(miny / pas_m), np.ceil(maxy / pas_m)) + 0.5) * pas_m
        grille_x, grille_y = np.meshgrid(gx, gy)
        grille_x, grille_y = grille_x.ravel(), grille_y.ravel()
        dedans = shapely.contains_xy(geometrie, grille_x, grille_y)
        px, py = grille_x[dedans], grille_y[dedans]
        if not len(px):
            point = geometrie.representative_point()
            px, py = np.array([point.x]), np.array([point.y])
        pop = np.nan if pd.isna(population) else float(population)
        codes.append(np.full(len(px), code, dtype=object))
        xs.append(px)
        ys.append(py)
        pops.append(np.full(len(px), pop / len(px)))
    if not codes:
        return pd.DataFrame({"code_insee": pd.Series(dtype="str"), "x": pd.Series(dtype="float64"),
                             "y": pd.Series(dtype="float64"), "population": pd.Series(dtype="float64")})
    points = pd.DataFrame({"code_insee": pd.array(np.concatenate(codes), dtype="str"), "x": np.concatenate(xs),
                           "y": np.concatenate(ys), "population": np.concatenate(pops)})
    return points.sort_values(["code_insee", "y", "x"], kind="stable").reset_index(drop=True)


def ajouter_population_fragile(points: pd.DataFrame, table: pd.DataFrame, colonne: str = "pop_75_plus",
                               total: str = "population", nom: str = "population_fragile") -> pd.DataFrame:
    """Copy of ``points`` with ``nom`` = point population × the commune's share ``colonne / total``.

    The share, not the count, is carried over: the census vintage of ``table`` may differ
    from the reference population of the points. Communes absent from ``table``, or with an
    unknown or zero ``total``, get ``NaN`` (never 0).
    """
    manquantes = [c for c in ("code_insee", colonne, total) if c not in table.columns]
    if manquantes:
        raise ValueError(f"tableau de population fragile : colonne(s) absente(s) : {', '.join(manquantes)}")
    denominateur = table[total].astype("Float64")
    part = (table[colonne].astype("Float64") / denominateur.where(denominateur > 0)).to_numpy(
        dtype="float64", na_value=np.nan)
    parts = pd.Series(part, index=table["code_insee"].astype("str").to_numpy())
    if parts.index.duplicated().any():
        raise ValueError("tableau de population fragile : plusieurs lignes pour une même commune")
    resultat = points.copy()
    resultat[nom] = points["population"].to_numpy(dtype="float64") * points["code_insee"].map(parts).to_numpy(
        dtype="float64", na_value=np.nan)
    return resultat


# --------------------------------------------------------------------------- distances
def _lieux_l93(lieux: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Places with coordinates → (x, y, ids, codes) arrays."""
    x, y = vers_lambert93(lieux["longitude"], lieux["latitude"])
    connus = ~np.isnan(x)
    return (x[connus], y[connus], lieux["id"].astype("str").to_numpy(dtype=object)[connus],
            lieux["code_insee"].astype("str").to_numpy(dtype=object)[connus])


def _acces(codes_points: np.ndarray, codes_lieux: np.ndarray, insulaires: Iterable[str]) -> np.ndarray | None:
    """Boolean matrix point × place: may this point use this place? ``None`` = all allowed."""
    insulaires = set(insulaires)
    if not insulaires:
        return None
    ile_p = np.isin(codes_points, list(insulaires))
    ile_l = np.isin(codes_lieux, list(insulaires))
    if not ile_p.any() and not ile_l.any():
        return None
    meme = codes_points[:, None] == codes_lieux[None, :]
    return (~ile_p[:, None] & ~ile_l[None, :]) | meme


def _plus_proche(px: np.ndarray, py: np.ndarray, cp: np.ndarray, lx: np.ndarray, ly: np.ndarray,
                 cl: np.ndarray, insulaires: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Distance (m) and index of the nearest allowed place, by blocks of points."""
    n = len(px)
    distance = np.full(n, np.inf)
    indice = np.full(n, -1, dtype=np.int64)
    if not len(lx):
        return distance, indice
    taille = max(1, CELLULES_PAR_BLOC // len(lx))
    for debut in range(0, n, taille):
        fin = min(debut + taille, n)
        dx = px[debut:fin, None] - lx[None, :]
        dy = py[debut:fin, None] - ly[None, :]
        d2 = dx * dx + dy * dy
        acces = _acces(cp[debut:fin], cl, insulaires)
        if acces is not None:
            d2 = np.where(acces, d2, np.inf)
        meilleur = np.argmin(d2, axis=1)
        valeur = d2[np.arange(fin - debut), meilleur]
        trouve = np.isfinite(valeur)
        distance[debut:fin] = np.sqrt(valeur)
        indice[debut:fin] = np.where(trouve, meilleur, -1)
    return distance, indice


def _cadre_distances(distance: np.ndarray, ids: np.ndarray, index: pd.Index,
                     parametres: ParametresAccessibilite) -> pd.DataFrame:
    return pd.DataFrame({
        "distance_m": distance,
        "id_lieu": pd.array(ids, dtype="str"),
        "temps_voiture_min": parametres.minutes(distance, "voiture"),
        "temps_marche_min": parametres.minutes(distance, "marche"),
    }, index=index)


def distance_au_plus_proche(points: pd.DataFrame, lieux: pd.DataFrame,
                            parametres: ParametresAccessibilite | None = None) -> pd.DataFrame:
    """Straight-line distance (m) and estimated times (min) from each point to its nearest place.

    Places without coordinates are ignored (they are still counted by the supply
    indicators). Island communes of ``parametres`` only reach their own places. Returns
    the columns listed in the module docstring, on the index of ``points``.
    """
    parametres = parametres or ParametresAccessibilite()
    lx, ly, ids, cl = _lieux_l93(lieux)
    px = points["x"].to_numpy(dtype="float64")
    py = points["y"].to_numpy(dtype="float64")
    cp = points["code_insee"].astype("str").to_numpy(dtype=object)
    distance, indice = _plus_proche(px, py, cp, lx, ly, cl, parametres.communes_insulaires)
    proches = np.where(indice >= 0, ids[np.maximum(indice, 0)] if len(ids) else None, None)
    return _cadre_distances(distance, proches, points.index, parametres)


def seuil_m_pour_temps(minutes: float, mode: str, parametres: ParametresAccessibilite | None = None) -> float:
    """Straight-line metres reached in ``minutes`` by ``mode`` under the time model."""
    parametres = parametres or ParametresAccessibilite()
    return float(minutes) * parametres._vitesse(mode) * 1000 / 60 / parametres.facteur_detour


# --------------------------------------------------------------------------- people beyond
def _sommes(codes: np.ndarray, nb: int, valeurs: np.ndarray) -> np.ndarray:
    """Sum per commune; ``NaN`` when one value of the commune is ``NaN``."""
    return np.bincount(codes, weights=valeurs, minlength=nb)


def population_au_dela(points: pd.DataFrame, distances: pd.DataFrame, seuils_km: Sequence[float] = (5, 10, 15),
                       seuils_min: Sequence[float] = (15, 30), modes: Sequence[str] = MODES,
                       colonne_ponderation: str | None = None) -> pd.DataFrame:
    """Population strictly beyond each threshold, per commune (columns in the module docstring).

    ``distances`` is the output of :func:`distance_au_plus_proche` for ``points`` (same
    index). A point beyond a threshold counts its whole population. Communes whose
    population (or weighting) is unknown get ``<NA>``, never 0.
    """
    for mode in modes:
        if mode not in MODES:
            raise ValueError(f"mode de déplacement « {mode} » inconnu (voiture ou marche)")
    if colonne_ponderation is not None and colonne_ponderation not in points.columns:
        raise ValueError(f"colonne de pondération « {colonne_ponderation} » absente des points")
    codes, uniques = pd.factorize(points["code_insee"].astype("str"), sort=True)
    nb = len(uniques)
    population = points["population"].to_numpy(dtype="float64")
    ponderation = (points[colonne_ponderation].to_numpy(dtype="float64", na_value=np.nan)
                   if colonne_ponderation else None)
    pop_commune = _sommes(codes, nb, population)
    pond_commune = _sommes(codes, nb, ponderation) if ponderation is not None else np.full(nb, np.nan)
    mesures: list[tuple[str, float, str, np.ndarray]] = [
        ("distance", float(s), "km", distances["distance_m"].to_numpy(dtype="float64") > float(s) * 1000)
        for s in seuils_km]
    for mode in modes:
        temps = distances[f"temps_{mode}_min"].to_numpy(dtype="float64")
        mesures.extend((f"temps_{mode}", float(s), "min", temps > float(s)) for s in seuils_min)
    morceaux = []
    for mesure, seuil, unite, au_dela in mesures:
        pop_au_dela = _sommes(codes, nb, np.where(au_dela, population, 0.0) + np.where(np.isnan(population),
                                                                                       np.nan, 0.0))
        if ponderation is not None:
            pond_au_dela = _sommes(codes, nb, np.where(au_dela, ponderation, 0.0)
                                   + np.where(np.isnan(ponderation), np.nan, 0.0))
        else:
            pond_au_dela = np.full(nb, np.nan)
        morceaux.append(pd.DataFrame({
            "code_insee": np.asarray(uniques, dtype=object), "mesure": mesure, "seuil": seuil, "unite": unite,
            "population": pop_commune, "population_au_dela": pop_au_dela,
            "population_ponderee": pond_commune, "population_ponderee_au_dela": pond_au_dela,
        }))
    colonnes = ["code_insee", "mesure", "seuil", "unite"]
    if not morceaux:
        tableau = pd.DataFrame(columns=[*colonnes, "population", "population_au_dela", "population_ponderee",
                                        "population_ponderee_au_dela"])
    else:
        tableau = pd.concat(morceaux, ignore_index=True)
    return _finaliser(tableau, colonnes)


def _part(numerateur: pd.Series, denominateur: pd.Series) -> pd.Series:
    return (numerateur / denominateur.where(denominateur > 0)).astype("Float64")


def _finaliser(tableau: pd.DataFrame, cles: list[str]) -> pd.DataFrame:
    """Types, shares recomputed, column order; ``NaN`` → ``<NA>``."""
    resultat = tableau.astype({c: "str" for c in cles if c not in ("seuil", "nb_communes")})
    resultat["seuil"] = resultat["seuil"].astype("float64")
    for colonne in ("population", "population_au_dela", "population_ponderee", "population_ponderee_au_dela"):
        resultat[colonne] = pd.array(resultat[colonne].to_numpy(dtype="float64"), dtype="Float64")
        resultat[colonne] = resultat[colonne].mask(resultat[colonne].isna(), pd.NA)
    resultat["part_au_dela"] = _part(resultat["population_au_dela"], resultat["population"])
    resultat["part_ponderee_au_dela"] = _part(resultat["population_ponderee_au_dela"],
                                              resultat["population_ponderee"])
    return resultat[[*cles, *COLONNES_AU_DELA]].reset_index(drop=True)


def agreger_au_dela(tableau: pd.DataFrame, codes: Iterable[str], code: str = "perimetre") -> pd.DataFrame:
    """Scope rows from :func:`population_au_dela`: sums per measure and threshold, shares recomputed."""
    codes = set(codes)
    selection = tableau[tableau["code_insee"].isin(codes)]
    lignes = []
    for (mesure, seuil, unite), groupe in selection.groupby(["mesure", "seuil", "unite"], sort=False):
        ligne: dict[str, object] = {"code": code, "nb_communes": groupe["code_insee"].nunique(),
                                    "mesure": mesure, "seuil": seuil, "unite": unite}
        for colonne in ("population", "population_au_dela", "population_ponderee", "population_ponderee_au_dela"):
            valeurs = groupe[colonne]
            ligne[colonne] = np.nan if valeurs.isna().any() else float(valeurs.sum())
        lignes.append(ligne)
    cles = ["code", "nb_communes", "mesure", "seuil", "unite"]
    cadre = pd.DataFrame(lignes, columns=[*cles, "population", "population_au_dela", "population_ponderee",
                                          "population_ponderee_au_dela"])
    resultat = _finaliser(cadre, cles)
    resultat["nb_communes"] = resultat["nb_communes"].astype("Int64")
    return resultat


# --------------------------------------------------------------------------- scenario
def _distance_actuelle(distances_actuelles: pd.DataFrame | pd.Series | np.ndarray) -> np.ndarray:
    if isinstance(distances_actuelles, pd.DataFrame):
        return distances_actuelles["distance_m"].to_numpy(dtype="float64")
    return np.asarray(distances_actuelles, dtype="float64")


def _portee_nouveau_lieu(points: pd.DataFrame, x: float, y: float, code_insee: str | None,
                         parametres: ParametresAccessibilite) -> np.ndarray:
    """Distance (m) from each point to the new place; ``inf`` where the sea forbids it."""
    px = points["x"].to_numpy(dtype="float64")
    py = points["y"].to_numpy(dtype="float64")
    distance = np.hypot(px - float(x), py - float(y))
    insulaires = set(parametres.communes_insulaires)
    if insulaires and code_insee is not None:
        codes = points["code_insee"].astype("str").to_numpy(dtype=object)
        if code_insee in insulaires:
            distance = np.where(codes == code_insee, distance, np.inf)
        else:
            distance = np.where(np.isin(codes, list(insulaires)), np.inf, distance)
    return distance


def gain_nouveau_lieu(points: pd.DataFrame, distances_actuelles: pd.DataFrame | pd.Series | np.ndarray,
                      x: float, y: float, seuil_m: float, *, code_insee: str | None = None,
                      colonne_ponderation: str | None = None,
                      parametres: ParametresAccessibilite | None = None) -> GainNouveauLieu:
    """Population beyond ``seuil_m`` (straight-line metres) today and within it from a place at (x, y).

    ``x``, ``y`` in Lambert-93 metres (use :func:`~dashboard.indicateurs.lieux.vers_lambert93`
    for a map click); ``code_insee`` of the site lets the island rule apply (a site in
    Groix serves Groix only, a mainland site never serves Groix); without it the island
    rule is not applied. For a time threshold, pass :func:`seuil_m_pour_temps`.
    Points with unknown population count as 0 in the gain.
    """
    parametres = parametres or ParametresAccessibilite()
    actuelle = _distance_actuelle(distances_actuelles)
    nouvelle = _portee_nouveau_lieu(points, x, y, code_insee, parametres)
    gagne = (actuelle > seuil_m) & (nouvelle <= seuil_m)
    population = np.nan_to_num(points["population"].to_numpy(dtype="float64"))
    codes, uniques = pd.factorize(points["code_insee"].astype("str"), sort=True)
    par_commune = np.bincount(codes[gagne], weights=population[gagne], minlength=len(uniques))
    ponderee_totale: float | None = None
    par_commune_ponderee = np.full(len(uniques), np.nan)
    if colonne_ponderation is not None:
        poids = np.nan_to_num(points[colonne_ponderation].to_numpy(dtype="float64", na_value=np.nan))
        par_commune_ponderee = np.bincount(codes[gagne], weights=poids[gagne], minlength=len(uniques))
        ponderee_totale = float(par_commune_ponderee.sum())
    tableau = pd.DataFrame({
        "code_insee": pd.array(np.asarray(uniques, dtype=object), dtype="str"),
        "population_gagnee": par_commune,
        "population_ponderee_gagnee": pd.array(par_commune_ponderee, dtype="Float64"),
    })
    gagnantes = np.bincount(codes[gagne], minlength=len(uniques)) > 0
    tableau = tableau[gagnantes].sort_values(["population_gagnee", "code_insee"], ascending=[False, True],
                                             kind="stable").reset_index(drop=True)
    return GainNouveauLieu(float(population[gagne].sum()), ponderee_totale, tableau)


def distances_avec_nouveau_lieu(points: pd.DataFrame, distances: pd.DataFrame, x: float, y: float, *,
                                id_lieu: str = "nouveau", code_insee: str | None = None,
                                parametres: ParametresAccessibilite | None = None) -> pd.DataFrame:
    """``distances`` as if a place ``id_lieu`` existed at (x, y) (L93 metres); inputs untouched."""
    parametres = parametres or ParametresAccessibilite()
    nouvelle = _portee_nouveau_lieu(points, x, y, code_insee, parametres)
    actuelle = distances["distance_m"].to_numpy(dtype="float64")
    plus_proche = nouvelle < actuelle
    distance = np.where(plus_proche, nouvelle, actuelle)
    ids = np.where(plus_proche, id_lieu, distances["id_lieu"].to_numpy(dtype=object))
    return _cadre_distances(distance, ids, distances.index, parametres)
