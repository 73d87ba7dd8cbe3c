"""« Et si on ouvrait un lieu ici ? » — simulate a new help place, and search the best sites.

Pure functions over the population points and distances of
:mod:`dashboard.indicateurs.accessibilite` (no file access, no Streamlit, inputs never
modified). Coordinates: Lambert-93 metres (EPSG:2154) for computations, WGS84 degrees for
display (``longitude``, ``latitude``).

The help network (« lieux d'aide »)
-----------------------------------
Remoteness is measured to the nearest **help place**, :func:`lieux_d_aide`: every France
services desk (administrative help is its mission), every place of the national
cartography of *médiation numérique* (being listed there means offering digital help),
and the tiers-lieux (CGET census) that declare at least one service of the médiation
schema (« Accès internet et matériel informatique », « Aide aux démarches
administratives »…). The CGET 2019 census lists no services, so its tiers-lieux are not
counted until a source says what they offer: a coworking space is not help by itself.
Compute ``distances_actuelles`` with ``distance_au_plus_proche(points, lieux_d_aide(lieux))``.

Types of new place (:data:`TYPES_DE_LIEU`)
------------------------------------------
All three join the help network with **the same reach** (a straight-line distance, or the
distance equivalent of a travel time); they differ by what is assumed, which the result
states in ``avertissements``:

* ``tiers_lieu_fixe``: assumed to offer digital mediation (otherwise it would not bring
  anyone closer to *help*);
* ``permanence_france_services``: a France services desk or outpost;
* ``arret_bus``: a stop of an itinerant bus — a **part-time** presence (a few hours a
  week or a month). It is counted like a fixed place, so its gain is an *upper bound*:
  the people brought within the threshold have a place nearby only on the bus days.

Functions and returned values
-----------------------------
``lieux_d_aide(lieux)``
    the rows of the unified places (:func:`~dashboard.indicateurs.lieux.lieux_unifies`)
    that belong to the help network (same columns, original order, index reset).
``seuil_en_metres(seuil, parametres=None)``
    a :class:`~dashboard.indicateurs.synthese_inclusion.Seuil` (distance or time) or a
    number of metres → straight-line metres.
``commune_du_point(communes, x, y)`` → ``(code_insee, distance_m)``
    the commune containing the Lambert-93 point (distance 0), else the nearest one and its
    distance (metres) — a click in the sea is attached to the closest shore.
``simuler_ouverture(points, distances_actuelles, lon, lat, type_lieu, seuil, parametres=None,
*, communes=None, colonne_fragile="population_fragile")`` → :class:`ResultatOuverture`
    population (and fragile population, e.g. 75+, when the column is present) beyond the
    threshold before and after, the gain in total and per commune (``par_commune``:
    ``code_insee`` str, ``population_gagnee`` float64 inhabitants, ``fragile_gagnee``
    Float64 persons — communes with a gain only, by decreasing gain then code), the site's
    commune, the updated distances and the caveats (French sentences).
``candidats_depuis_points(points, pas_m=1000)``
    candidate sites: in every ``pas_m`` square (origin 0, Lambert-93) holding inhabited
    points, its most populated point (ties: code, y, x). Columns ``code_insee`` (str),
    ``x``, ``y`` (float64, m), ``longitude``, ``latitude`` (float64, degrees),
    ``population`` (float64, inhabitants of that point); sorted by code, y, x.
``candidats_depuis_communes(communes)``
    one candidate per commune, its representative point (inside the polygon): same
    columns, ``population`` = the commune's population (``NaN`` unknown).
``meilleurs_sites(points, distances_actuelles, candidats, k, seuil, poids_fragilite=None,
*, alpha=1.0, parametres=None)``
    greedy maximal coverage (below): at most ``k`` rows, ``rang`` (Int64, 1 = first
    pick), ``code_insee``, ``longitude``, ``latitude``, ``x``, ``y`` of the site,
    ``gain_population`` (inhabitants newly within the threshold), ``gain_ponderee``
    (weighted inhabitants, see below), ``cumul_population``, ``cumul_ponderee`` (running
    sums), ``population_au_dela_restante`` (inhabitants still beyond after this pick).

Greedy maximal coverage, weighted by fragility
----------------------------------------------
Each inhabitant beyond the threshold weighs ``1 + alpha × score / 10``, where ``score``
is the fragility score (0–10) of their commune (``poids_fragilite``; unknown score → no
bonus, weight 1): with ``alpha = 1`` an inhabitant of the most fragile commune counts
double, with ``alpha = 0`` the search maximises plain population. The 75+ population was
the alternative; the score was preferred because it also carries poverty and low
diploma, and never gives a weight of 0 to anyone. At each step the candidate that brings
the largest weighted population within the threshold is chosen (ties: the first in
code, y, x order), the distances are updated with
:func:`~dashboard.indicateurs.accessibilite.distances_avec_nouveau_lieu`, and the search
goes on; it stops early when no candidate brings anyone closer (never a site that helps
nobody). Greedy is not optimal in general, but for maximal coverage it always reaches at
least 63 % (1 − 1/e) of the best possible gain, and its picks are easy to explain one by one.
Cost: the (site, point) pairs within the threshold are listed once (≈ 920 candidates ×
3 400 points for the Pays de Lorient: ≈ 8 000 pairs at 15 minutes on foot, 0,5 million at 15
minutes by car); each step is then two weighted counts over them. Measured on the 30 communes
(2 cores): 0,05–0,3 s for 5 sites, candidates included (up to 0,75 s on a busy machine).
Island rule: a site in an island commune of ``parametres`` serves that island only, a
mainland site never serves it (as in :mod:`~dashboard.indicateurs.accessibilite`).
Points with unknown population count as 0 inhabitants everywhere here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from dashboard import formats
from dashboard.indicateurs import accessibilite
from dashboard.indicateurs.accessibilite import ParametresAccessibilite
from dashboard.indicateurs.lieux import FRANCE_SERVICES, MEDIATION, SEPARATEUR, TIERS_LIEU, vers_lambert93
from dashboard.indicateurs.synthese_inclusion import Seuil
from dashboard.sources.mediation_numerique import SERVICES

_VERS_WGS84 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)

AVERTISSEMENTS_GENERAUX = (
    "Population répartie uniformément sur une grille de 500 m dans chaque commune : un ordre de grandeur, "
    "pas un recensement des habitants touchés.",
    "Distances à vol d'oiseau ; les temps de trajet sont estimés (facteur de détour et vitesse moyenne), sans "
    "réseau routier ni transports en commun.",
)


@dataclass(frozen=True)
class TypeDeLieu:
    """A kind of place that could be opened: label, presence and what the simulation assumes."""

    identifiant: str
    libelle: str
    presence: str  # « permanente » or « partielle »
    avertissement: str


TYPES_DE_LIEU: dict[str, TypeDeLieu] = {t.identifiant: t for t in (
    TypeDeLieu("tiers_lieu_fixe", "Tiers-lieu fixe", "permanente",
               "On suppose que ce tiers-lieu propose un accompagnement au numérique (médiation) : sans lui, il ne "
               "rapprocherait personne d'un lieu d'aide."),
    TypeDeLieu("permanence_france_services", "Permanence France services", "permanente",
               "Une permanence compte comme un lieu ouvert toute la semaine : si elle n'ouvre que certains jours, "
               "le gain est surestimé."),
    TypeDeLieu("arret_bus", "Arrêt d'un bus itinérant", "partielle",
               "Un bus itinérant n'est présent que quelques heures par semaine ou par mois : l'arrêt est compté "
               "comme un lieu fixe de même portée, le gain est donc un maximum ; les habitants rapprochés n'ont un "
               "lieu proche que les jours de passage."),
)}


@dataclass(frozen=True)
class ResultatOuverture:
    """Outcome of :func:`simuler_ouverture` (inhabitants as floats; ``None`` = no fragile column)."""

    type_lieu: TypeDeLieu
    longitude: float
    latitude: float
    x: float
    y: float
    code_insee: str  # commune of the site (containing it, else the nearest)
    seuil_m: float  # straight-line metres
    population_au_dela_avant: float
    population_au_dela_apres: float
    population_gagnee: float
    fragile_au_dela_avant: float | None
    fragile_au_dela_apres: float | None
    fragile_gagnee: float | None
    par_commune: pd.DataFrame
    distances_apres: pd.DataFrame
    avertissements: tuple[str, ...]


# --------------------------------------------------------------------------- help network, thresholds
def lieux_d_aide(lieux: pd.DataFrame) -> pd.DataFrame:
    """Places of the help network (see module doc): France services, médiation, tiers-lieux with a service."""
    services_aide = set(SERVICES)
    avec_service = lieux["services"].fillna("").map(
        lambda v: bool(services_aide & set(str(v).split(SEPARATEUR)))).astype("bool")
    garder = lieux["categorie"].isin([FRANCE_SERVICES, MEDIATION]) | (lieux["categorie"].eq(TIERS_LIEU)
                                                                       & avec_service)
    return lieux.loc[garder.to_numpy()].reset_index(drop=True)


def seuil_en_metres(seuil: Seuil | float, parametres: ParametresAccessibilite | None = None) -> float:
    """A threshold → straight-line metres (a time goes through the travel-time model)."""
    if isinstance(seuil, Seuil):
        if seuil.mesure == "distance":
            return float(seuil.valeur) * 1000
        if seuil.mesure in ("temps_voiture", "temps_marche"):
            return accessibilite.seuil_m_pour_temps(seuil.valeur, seuil.mesure.removeprefix("temps_"), parametres)
        raise ValueError(f"mesure de seuil « {seuil.mesure} » inconnue (distance, temps_voiture ou temps_marche)")
    if isinstance(seuil, bool) or not isinstance(seuil, int | float) or not math.isfinite(seuil) or seuil <= 0:
        raise ValueError(f"seuil invalide : {seuil!r} (un nombre de mètres positif est attendu)")
    return float(seuil)


def _type_de_lieu(type_lieu: str | TypeDeLieu) -> TypeDeLieu:
    if isinstance(type_lieu, TypeDeLieu):
        return type_lieu
    if type_lieu not in TYPES_DE_LIEU:
        possibles = ", ".join(f"« {t} »" for t in TYPES_DE_LIEU)
        raise ValueError(f"type de lieu « {type_lieu} » inconnu (types possibles : {possibles})")
    return TYPES_DE_LIEU[type_lieu]


def vers_wgs84(x: np.ndarray | float, y: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Lambert-93 metres → (longitude, latitude) degrees."""
    lon, lat = _VERS_WGS84.transform(np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64"))
    return np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64")


# --------------------------------------------------------------------------- where is the site
def commune_du_point(communes: gpd.GeoDataFrame, x: float, y: float) -> tuple[str, float]:
    """The commune containing (x, y) (Lambert-93), else the nearest; and the distance to it (m)."""
    if communes.empty:
        raise ValueError("aucune commune de référence pour situer le lieu")
    projetees = communes.to_crs(accessibilite.CRS_CALCUL) if communes.crs is not None else communes
    geometries = projetees.geometry.to_numpy()
    dedans = shapely.contains_xy(geometries, float(x), float(y))
    codes = projetees["code_insee"].astype("str").to_numpy()
    if dedans.any():
        return str(sorted(codes[dedans])[0]), 0.0
    distances = shapely.distance(geometries, shapely.Point(float(x), float(y)))
    ordre = np.lexsort((codes, distances))
    return str(codes[ordre[0]]), float(distances[ordre[0]])


def _commune_par_points(points: pd.DataFrame, x: float, y: float) -> tuple[str, float]:
    """Without reference polygons: the commune of the nearest population point."""
    distances = np.hypot(points["x"].to_numpy(dtype="float64") - x, points["y"].to_numpy(dtype="float64") - y)
    codes = points["code_insee"].astype("str").to_numpy()
    ordre = np.lexsort((codes, distances))
    return str(codes[ordre[0]]), float(distances[ordre[0]])


# --------------------------------------------------------------------------- one new place
def _somme_au_dela(valeurs: np.ndarray, distance: np.ndarray, seuil_m: float) -> float:
    return float(np.nan_to_num(valeurs)[distance > seuil_m].sum())


def simuler_ouverture(points: pd.DataFrame, distances_actuelles: pd.DataFrame, lon: float, lat: float,
                      type_lieu: str | TypeDeLieu, seuil: Seuil | float,
                      parametres: ParametresAccessibilite | None = None, *,
                      communes: gpd.GeoDataFrame | None = None,
                      colonne_fragile: str = "population_fragile") -> ResultatOuverture:
    """Before/after of opening a help place at (lon, lat) in WGS84 (see module doc).

    ``distances_actuelles``: :func:`~dashboard.indicateurs.accessibilite.distance_au_plus_proche`
    of ``points`` to :func:`lieux_d_aide`. ``communes`` (reference polygons) situate the
    site; without them, the commune of the nearest population point is used. The fragile
    figures use ``colonne_fragile`` when ``points`` has it (e.g. ``population_fragile``,
    the 75+ from :func:`~dashboard.indicateurs.accessibilite.ajouter_population_fragile`).
    """
    type_ = _type_de_lieu(type_lieu)
    parametres = parametres or ParametresAccessibilite()
    seuil_m = seuil_en_metres(seuil, parametres)
    if points.empty:
        raise ValueError("aucun point de population : impossible de simuler l'ouverture d'un lieu")
    x_arr, y_arr = vers_lambert93([float(lon)], [float(lat)])
    x, y = float(x_arr[0]), float(y_arr[0])
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValueError(f"coordonnées invalides : longitude {lon!r}, latitude {lat!r}")
    avertissements = [type_.avertissement]
    code, ecart = commune_du_point(communes, x, y) if communes is not None else _commune_par_points(points, x, y)
    if communes is not None and ecart > 0:
        avertissements.append(f"Le point choisi est hors des communes du territoire : il est rattaché à la commune "
                              f"la plus proche ({code}, à {formats.nombre(ecart)} m).")
    if code in parametres.communes_insulaires:
        avertissements.append("Le lieu est sur une île : il ne sert que les habitants de l'île (la traversée se fait "
                              "en bateau).")
    fragile = colonne_fragile in points.columns
    gain = accessibilite.gain_nouveau_lieu(points, distances_actuelles, x, y, seuil_m, code_insee=code,
                                           colonne_ponderation=colonne_fragile if fragile else None,
                                           parametres=parametres)
    apres = accessibilite.distances_avec_nouveau_lieu(points, distances_actuelles, x, y,
                                                      id_lieu=f"projet_{type_.identifiant}", code_insee=code,
                                                      parametres=parametres)
    population = points["population"].to_numpy(dtype="float64", na_value=np.nan)
    avant_m = distances_actuelles["distance_m"].to_numpy(dtype="float64")
    apres_m = apres["distance_m"].to_numpy(dtype="float64")
    fragile_avant = fragile_apres = None
    if fragile:
        valeurs = points[colonne_fragile].to_numpy(dtype="float64", na_value=np.nan)
        fragile_avant = _somme_au_dela(valeurs, avant_m, seuil_m)
        fragile_apres = _somme_au_dela(valeurs, apres_m, seuil_m)
        if np.isnan(valeurs).any():
            avertissements.append("Population fragile inconnue pour une partie des communes : comptée 0.")
    else:
        avertissements.append("Population fragile (75 ans ou plus) non disponible : seul le total est calculé.")
    if np.isnan(population).any():
        avertissements.append("Population inconnue pour une partie des communes : comptée 0.")
    if gain.population == 0:
        avertissements.append("Aucun habitant ne passe sous le seuil : la zone est déjà desservie ou peu peuplée.")
    avertissements.extend(AVERTISSEMENTS_GENERAUX)
    par_commune = gain.par_commune.rename(columns={"population_ponderee_gagnee": "fragile_gagnee"})
    return ResultatOuverture(
        type_lieu=type_, longitude=float(lon), latitude=float(lat), x=x, y=y, code_insee=code, seuil_m=seuil_m,
        population_au_dela_avant=_somme_au_dela(population, avant_m, seuil_m),
        population_au_dela_apres=_somme_au_dela(population, apres_m, seuil_m),
        population_gagnee=gain.population,
        fragile_au_dela_avant=fragile_avant, fragile_au_dela_apres=fragile_apres,
        fragile_gagnee=gain.population_ponderee if fragile else None,
        par_commune=par_commune, distances_apres=apres, avertissements=tuple(avertissements),
    )


# --------------------------------------------------------------------------- candidate sites
def _cadre_candidats(codes: np.ndarray, x: np.ndarray, y: np.ndarray, population: np.ndarray) -> pd.DataFrame:
    lon, lat = vers_wgs84(x, y) if len(x) else (np.array([]), np.array([]))
    cadre = pd.DataFrame({"code_insee": pd.array(codes, dtype="str"), "x": np.asarray(x, dtype="float64"),
                          "y": np.asarray(y, dtype="float64"), "longitude": lon, "latitude": lat,
                          "population": np.asarray(population, dtype="float64")})
    return cadre.sort_values(["code_insee", "y", "x"], kind="stable").reset_index(drop=True)


def candidats_depuis_points(points: pd.DataFrame, pas_m: float = 1000.0) -> pd.DataFrame:
    """The most populated inhabited point of every ``pas_m`` square (see module doc)."""
    if not (isinstance(pas_m, int | float) and math.isfinite(pas_m) and pas_m > 0):
        raise ValueError("le pas de la grille des sites candidats doit être un nombre de mètres positif")
    population = points["population"].to_numpy(dtype="float64", na_value=np.nan)
    habites = points.loc[np.nan_to_num(population) > 0, ["code_insee", "x", "y", "population"]].copy()
    habites["code_insee"] = habites["code_insee"].astype("str")
    habites["_cx"] = np.floor(habites["x"].to_numpy(dtype="float64") / pas_m)
    habites["_cy"] = np.floor(habites["y"].to_numpy(dtype="float64") / pas_m)
    habites = habites.sort_values(["population", "code_insee", "y", "x"], ascending=[False, True, True, True],
                                  kind="stable")
    retenus = habites.drop_duplicates(["_cx", "_cy"], keep="first")
    return _cadre_candidats(retenus["code_insee"].to_numpy(dtype=object), retenus["x"].to_numpy(dtype="float64"),
                            retenus["y"].to_numpy(dtype="float64"), retenus["population"].to_numpy(dtype="float64"))


def candidats_depuis_communes(communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """One candidate per commune: its representative point (always inside the polygon)."""
    projetees = communes.to_crs(accessibilite.CRS_CALCUL) if communes.crs is not None else communes
    representatifs = projetees.geometry.representative_point()
    population = pd.to_numeric(projetees["population"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return _cadre_candidats(projetees["code_insee"].astype("str").to_numpy(dtype=object),
                            representatifs.x.to_numpy(), representatifs.y.to_numpy(), population)


# --------------------------------------------------------------------------- greedy search
def _poids_habitants(points: pd.DataFrame, poids_fragilite: pd.Series | pd.DataFrame | None,
                     alpha: float) -> np.ndarray:
    """Weight of one inhabitant of each point: 1 + alpha × score / 10 (score unknown → 1)."""
    if poids_fragilite is None or alpha == 0:
        return np.ones(len(points))
    if isinstance(poids_fragilite, pd.DataFrame):
        manquantes = [c for c in ("code_insee", "score_0_10") if c not in poids_fragilite.columns]
        if manquantes:
            raise ValueError(f"poids de fragilité : colonne(s) absente(s) : {', '.join(manquantes)}")
        scores = pd.Series(poids_fragilite["score_0_10"].to_numpy(dtype="float64", na_value=np.nan),
                           index=poids_fragilite["code_insee"].astype("str").to_numpy())
    else:
        scores = pd.Series(poids_fragilite.to_numpy(dtype="float64", na_value=np.nan),
                           index=poids_fragilite.index.astype("str"))
    if scores.index.duplicated().any():
        raise ValueError("poids de fragilité : plusieurs scores pour une même commune")
    connus = scores.dropna()
    if ((connus < 0) | (connus > 10)).any():
        raise ValueError("poids de fragilité : score attendu entre 0 et 10 (score_0_10 de l'indice)")
    par_point = points["code_insee"].astype("str").map(scores).to_numpy(dtype="float64", na_value=np.nan)
    return 1.0 + alpha * np.nan_to_num(par_point) / 10.0


def _paires_a_portee(points: pd.DataFrame, candidats: pd.DataFrame, seuil_m: float,
                     parametres: ParametresAccessibilite) -> tuple[np.ndarray, np.ndarray]:
    """(candidate index, point index) of every pair within ``seuil_m``, island rule applied.

    Sparse on purpose: only the points of the vertical band ``|x − x_site| ≤ seuil`` (found
    by binary search on the sorted x) are measured, with ``np.hypot`` in the same order as
    :func:`~dashboard.indicateurs.accessibilite.distances_avec_nouveau_lieu`, so that the
    gain counted here is exactly the decrease seen after the update.
    """
    px = points["x"].to_numpy(dtype="float64")
    py = points["y"].to_numpy(dtype="float64")
    cx = candidats["x"].to_numpy(dtype="float64")
    cy = candidats["y"].to_numpy(dtype="float64")
    insulaires = list(parametres.communes_insulaires)
    codes, _ = pd.factorize(pd.concat([points["code_insee"], candidats["code_insee"]], ignore_index=True)
                            .astype("str"))
    codes_p, codes_c = codes[:len(px)], codes[len(px):]
    ile_p = points["code_insee"].astype("str").isin(insulaires).to_numpy()
    ile_c = candidats["code_insee"].astype("str").isin(insulaires).to_numpy()
    ordre = np.argsort(px, kind="stable")
    px_tries = px[ordre]
    marge = seuil_m + 1.0  # wider band: rounding of x ± seuil never drops a point at the limit
    bornes_g = np.searchsorted(px_tries, cx - marge, side="left")
    bornes_d = np.searchsorted(px_tries, cx + marge, side="right")
    lignes: list[np.ndarray] = []
    colonnes: list[np.ndarray] = []
    for i in range(len(cx)):
        j = ordre[bornes_g[i]:bornes_d[i]]
        garder = np.hypot(px[j] - cx[i], py[j] - cy[i]) <= seuil_m
        if ile_c[i]:
            garder &= codes_p[j] == codes_c[i]
        elif insulaires:
            garder &= ~ile_p[j]
        j = j[garder]
        colonnes.append(j)
        lignes.append(np.full(len(j), i, dtype=np.int64))
    if not lignes:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    return np.concatenate(lignes), np.concatenate(colonnes)


COLONNES_SITES = ("rang", "code_insee", "longitude", "latitude", "x", "y", "gain_population", "gain_ponderee",
                  "cumul_population", "cumul_ponderee", "population_au_dela_restante")


def meilleurs_sites(points: pd.DataFrame, distances_actuelles: pd.DataFrame, candidats: pd.DataFrame, k: int,
                    seuil: Seuil | float, poids_fragilite: pd.Series | pd.DataFrame | None = None, *,
                    alpha: float = 1.0, parametres: ParametresAccessibilite | None = None) -> pd.DataFrame:
    """Greedy choice of up to ``k`` sites among ``candidats`` (see module doc for method and columns).

    ``candidats``: ``code_insee``, ``x``, ``y`` (Lambert-93; ``longitude``/``latitude``
    are recomputed), e.g. :func:`candidats_depuis_points`. ``poids_fragilite``: the
    fragility score 0–10 per commune, as a Series indexed by ``code_insee`` or a frame with
    ``code_insee`` and ``score_0_10``; ``None`` = plain population.
    """
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"nombre de sites invalide : {k!r} (un entier au moins égal à 1 est attendu)")
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not math.isfinite(alpha) or alpha < 0:
        raise ValueError(f"coefficient de fragilité alpha invalide : {alpha!r} (un nombre positif ou nul est attendu)")
    manquantes = [c for c in ("code_insee", "x", "y") if c not in candidats.columns]
    if manquantes:
        raise ValueError(f"sites candidats : colonne(s) absente(s) : {', '.join(manquantes)}")
    parametres = parametres or ParametresAccessibilite()
    seuil_m = seuil_en_metres(seuil, parametres)
    candidats = candidats.assign(code_insee=candidats["code_insee"].astype("str")).sort_values(
        ["code_insee", "y", "x"], kind="stable").reset_index(drop=True)
    population = np.nan_to_num(points["population"].to_numpy(dtype="float64", na_value=np.nan))
    ponderee = population * _poids_habitants(points, poids_fragilite, alpha)
    sites_paires, points_paires = _paires_a_portee(points, candidats, seuil_m, parametres)
    nb = len(candidats)
    distances = distances_actuelles
    au_dela = distances["distance_m"].to_numpy(dtype="float64") > seuil_m
    lignes = []
    cumul_p = cumul_w = 0.0
    for rang in range(1, int(k) + 1):
        if not len(candidats):
            break
        restant = au_dela[points_paires]
        gains_w = np.bincount(sites_paires, weights=np.where(restant, ponderee[points_paires], 0.0), minlength=nb)
        gains_p = np.bincount(sites_paires, weights=np.where(restant, population[points_paires], 0.0), minlength=nb)
        meilleur = int(np.argmax(np.round(gains_w, 6)))  # first maximum: stable order of the candidates
        if gains_w[meilleur] <= 0 and gains_p[meilleur] <= 0:
            break
        site = candidats.iloc[meilleur]
        distances = accessibilite.distances_avec_nouveau_lieu(
            points, distances, float(site["x"]), float(site["y"]), id_lieu=f"site_{rang}",
            code_insee=str(site["code_insee"]), parametres=parametres)
        au_dela = distances["distance_m"].to_numpy(dtype="float64") > seuil_m
        cumul_p += float(gains_p[meilleur])
        cumul_w += float(gains_w[meilleur])
        lignes.append({"rang": rang, "code_insee": str(site["code_insee"]), "x": float(site["x"]),
                       "y": float(site["y"]), "gain_population": float(gains_p[meilleur]),
                       "gain_ponderee": float(gains_w[meilleur]), "cumul_population": cumul_p,
                       "cumul_ponderee": cumul_w,
                       "population_au_dela_restante": float(population[au_dela].sum())})
    sites = pd.DataFrame(lignes, columns=[c for c in COLONNES_SITES if c not in ("longitude", "latitude")])
    lon, lat = vers_wgs84(sites["x"].to_numpy(), sites["y"].to_numpy()) if len(sites) else ([], [])
    sites.insert(2, "longitude", np.asarray(lon, dtype="float64"))
    sites.insert(3, "latitude", np.asarray(lat, dtype="float64"))
    return sites.astype({"rang": "Int64", "code_insee": "str", **{c: "float64" for c in COLONNES_SITES[2:]}})
