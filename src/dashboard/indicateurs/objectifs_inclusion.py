"""Measure the local inclusion targets and follow their progress across editions.

Pure functions (no file access, no Streamlit, inputs never modified). The targets are
:class:`~dashboard.objectifs_inclusion.ObjectifInclusion` read from
``data/objectifs_inclusion.toml`` — local *proposals* for discussion unless ``statut`` is
``adopte``; say so wherever a status is shown.

``mesurer_objectifs_inclusion(objectifs, lieux, communes, points, parametres=None,
colonne_fragile="population_fragile")``
    the value of each target's indicator for one edition of the data. ``lieux``: *all*
    unified places (a place just over the border still serves the scope); ``communes``:
    the scope's communes (``code_insee``, ``population``); ``points``: population points
    of those communes (:func:`~dashboard.indicateurs.accessibilite.points_de_population`,
    with ``colonne_fragile`` added by ``ajouter_population_fragile`` when the census is
    loaded). Returns ``identifiant`` (str), ``valeur`` (Float64: a share 0–1, or places per
    10 000 inhabitants; ``<NA>`` when not measurable), ``commentaire`` (str, French, ``""``).
``progression_inclusion(objectifs, mesures)``
    ``mesures``: rows ``edition`` (ISO date str), ``identifiant``, ``valeur`` — one edition
    or several (``mesurer_objectifs_inclusion`` output plus an ``edition`` column, stacked).
    Returns one row per target: ``identifiant``, ``libelle``, ``indicateur``, ``sens``,
    ``cible`` (float64), ``echeance`` (str), ``statut_objectif`` (``proposition`` |
    ``adopte``), ``edition`` (str, the latest edition of ``mesures``, ``<NA>`` if none),
    ``valeur`` (Float64, at that edition), ``nb_editions`` (Int64, editions with a value),
    ``evolution_par_an`` (Float64, least-squares slope per year, ``<NA>`` below 2
    editions), ``tendance`` (``en amélioration`` | ``en dégradation`` | ``stable`` |
    ``inconnue``), ``valeur_projetee`` (Float64, the trend extended to the deadline),
    ``statut`` (:data:`ATTEINT`, :data:`EN_BONNE_VOIE`, :data:`EN_RETARD`,
    :data:`NON_MESURABLE`), ``commentaire`` (str, French: why this status).

Status rules, in order: no value at the latest edition → « non mesurable »; the value
meets the target (≥ ``cible`` for ``au_moins``, ≤ for ``au_plus``) → « atteint »; the
latest edition is after the deadline → « en retard »; two editions or more and the linear
trend reaches the target by the deadline → « en bonne voie »; otherwise « en retard »
(a single edition gives no trend: the status stays prudent and the comment says why —
the same convention as :func:`dashboard.indicateurs.deploiement.statut_objectif`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from dashboard import formats
from dashboard.indicateurs.accessibilite import ParametresAccessibilite, distance_au_plus_proche
from dashboard.indicateurs.lieux import filtrer_lieux

if TYPE_CHECKING:
    from dashboard.objectifs_inclusion import ObjectifInclusion

ATTEINT = "atteint"
EN_BONNE_VOIE = "en bonne voie"
EN_RETARD = "en retard"
NON_MESURABLE = "non mesurable"
TOLERANCE = 1e-9
JOURS_PAR_AN = 365.25


# --------------------------------------------------------------------------- measure
def _lieux_de(objectif: ObjectifInclusion, lieux: pd.DataFrame) -> pd.DataFrame:
    return filtrer_lieux(lieux, categories=objectif.categories) if objectif.categories else lieux


def mesurer_objectifs_inclusion(objectifs: Sequence[ObjectifInclusion], lieux: pd.DataFrame,
                                communes: pd.DataFrame, points: pd.DataFrame,
                                parametres: ParametresAccessibilite | None = None,
                                colonne_fragile: str = "population_fragile") -> pd.DataFrame:
    """Value of each target's indicator for one edition (columns in the module docstring)."""
    codes = set(communes["code_insee"].astype("str"))
    population = communes["population"].astype("Float64")
    points = points[points["code_insee"].astype("str").isin(codes)]
    distances_par_categories: dict[tuple[str, ...], pd.DataFrame] = {}
    lignes = []
    for objectif in objectifs:
        selection = _lieux_de(objectif, lieux)
        valeur: float | None = None
        commentaire = ""
        if objectif.indicateur == "part_communes_avec_lieu":
            avec = set(selection["code_insee"].astype("str")) & codes
            valeur = len(avec) / len(codes) if codes else None
            commentaire = f"{len(avec)} commune(s) sur {len(codes)}"
        elif objectif.indicateur == "lieux_pour_10000_hab":
            nb = int(selection["code_insee"].astype("str").isin(codes).sum())
            if population.isna().any() or float(population.sum()) <= 0:
                commentaire = "population inconnue"
            else:
                valeur = nb / float(population.sum()) * 10_000
                commentaire = f"{nb} lieu(x)"
        else:
            if objectif.categories not in distances_par_categories:
                distances_par_categories[objectif.categories] = distance_au_plus_proche(points, selection,
                                                                                        parametres)
            distances = distances_par_categories[objectif.categories]
            poids_colonne = "population" if objectif.indicateur == "part_population_au_dela" else colonne_fragile
            if poids_colonne not in points.columns:
                commentaire = "population des 75 ans et plus non disponible (recensement INSEE non chargé)"
            else:
                poids = points[poids_colonne].to_numpy(dtype="float64", na_value=np.nan)
                temps = distances[f"temps_{objectif.mode}_min"].to_numpy(dtype="float64")
                if np.isnan(poids).any() or poids.sum() <= 0:
                    commentaire = "population inconnue pour au moins une commune"
                else:
                    valeur = float(poids[temps > float(objectif.seuil_minutes or 0)].sum() / poids.sum())
        lignes.append({"identifiant": objectif.identifiant, "valeur": valeur, "commentaire": commentaire})
    resultat = pd.DataFrame(lignes, columns=["identifiant", "valeur", "commentaire"])
    return resultat.astype({"identifiant": "str", "valeur": "Float64", "commentaire": "str"})


# --------------------------------------------------------------------------- progress
def _annees(jour: str) -> float:
    return date.fromisoformat(str(jour)[:10]).toordinal() / JOURS_PAR_AN


def _atteint(valeur: float, objectif: ObjectifInclusion) -> bool:
    if objectif.sens == "au_moins":
        return valeur >= objectif.cible - TOLERANCE
    return valeur <= objectif.cible + TOLERANCE


def _nombre(valeur: float, objectif: ObjectifInclusion) -> str:
    """French text of a value: a share as « 12,5 % », a rate as « 2,32 »."""
    if objectif.indicateur.startswith("part_"):
        return formats.pourcentage(valeur, 1)
    return formats.nombre(valeur, 2)


def progression_inclusion(objectifs: Sequence[ObjectifInclusion], mesures: pd.DataFrame) -> pd.DataFrame:
    """Status and trend of each target (columns and rules in the module docstring)."""
    manquantes = [c for c in ("edition", "identifiant", "valeur") if c not in mesures.columns]
    if manquantes:
        raise ValueError(f"mesures : colonne(s) absente(s) : {', '.join(manquantes)}")
    mesures = mesures.assign(edition=mesures["edition"].astype("str").str.slice(0, 10),
                             valeur=mesures["valeur"].astype("Float64"))
    if mesures.duplicated(["edition", "identifiant"]).any():
        raise ValueError("mesures : plusieurs valeurs pour un même objectif et une même édition")
    derniere = mesures["edition"].max() if len(mesures) else None
    lignes = []
    for objectif in objectifs:
        serie = mesures[(mesures["identifiant"] == objectif.identifiant) & mesures["valeur"].notna()]
        serie = serie.sort_values("edition")
        actuelle = serie[serie["edition"] == derniere]["valeur"]
        valeur = float(actuelle.iloc[0]) if len(actuelle) else None
        pente = projection = None
        tendance = "inconnue"
        if len(serie) >= 2:
            temps = np.array([_annees(e) for e in serie["edition"]])
            valeurs = serie["valeur"].to_numpy(dtype="float64")
            pente, origine = np.polyfit(temps - temps[-1], valeurs, 1)
            pente = float(pente)
            projection = float(origine + pente * (_annees(objectif.echeance) - temps[-1]))
            amelioration = pente if objectif.sens == "au_moins" else -pente
            tendance = ("stable" if abs(pente) <= TOLERANCE
                        else "en amélioration" if amelioration > 0 else "en dégradation")
        if valeur is None:
            statut, commentaire = NON_MESURABLE, "pas de valeur pour la dernière édition"
        elif _atteint(valeur, objectif):
            statut, commentaire = ATTEINT, "cible atteinte"
        elif derniere is not None and derniere > objectif.echeance:
            statut, commentaire = EN_RETARD, "échéance dépassée sans atteindre la cible"
        elif projection is None:
            statut = EN_RETARD
            commentaire = "une seule édition mesurée : pas de tendance, cible non atteinte"
        elif _atteint(projection, objectif):
            statut = EN_BONNE_VOIE
            commentaire = (f"au rythme actuel, {_nombre(projection, objectif)} à l'échéance "
                           f"(cible {_nombre(objectif.cible, objectif)})")
        else:
            statut = EN_RETARD
            commentaire = (f"au rythme actuel, {_nombre(projection, objectif)} à l'échéance "
                           f"(cible {_nombre(objectif.cible, objectif)})")
        lignes.append({
            "identifiant": objectif.identifiant, "libelle": objectif.libelle, "indicateur": objectif.indicateur,
            "sens": objectif.sens, "cible": objectif.cible, "echeance": objectif.echeance,
            "statut_objectif": objectif.statut, "edition": derniere, "valeur": valeur,
            "nb_editions": len(serie), "evolution_par_an": pente, "tendance": tendance,
            "valeur_projetee": projection, "statut": statut, "commentaire": commentaire,
        })
    colonnes = ["identifiant", "libelle", "indicateur", "sens", "cible", "echeance", "statut_objectif", "edition",
                "valeur", "nb_editions", "evolution_par_an", "tendance", "valeur_projetee", "statut", "commentaire"]
    resultat = pd.DataFrame(lignes, columns=colonnes)
    return resultat.astype({
        "identifiant": "str", "libelle": "str", "indicateur": "str", "sens": "str", "cible": "float64",
        "echeance": "str", "statut_objectif": "str", "edition": "str", "valeur": "Float64",
        "nb_editions": "Int64", "evolution_par_an": "Float64", "tendance": "str", "valeur_projetee": "Float64",
        "statut": "str", "commentaire": "str",
    })
