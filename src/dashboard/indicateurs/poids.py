"""Validation of user-adjustable weights, shared by the fragility and the priority indices."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from dashboard.erreurs import ErreurConfiguration


def valider_poids(poids: Mapping[str, float] | None, composantes: Iterable[str], defaut: Mapping[str, float], *,
                  composante: str = "composante", tous_nuls: str = "tous les poids sont nuls") -> dict[str, float]:
    """Known components, finite non-negative weights, at least one positive; missing keys → 0.

    ``composante`` and ``tous_nuls`` word the French errors for the index concerned.
    """
    composantes = list(composantes)
    if poids is None:
        return dict(defaut)
    inconnues = sorted(set(poids) - set(composantes))
    if inconnues:
        raise ErreurConfiguration(f"{composante} inconnue « {inconnues[0]} » dans les poids",
                                  conseil=f"composantes possibles : {', '.join(composantes)}")
    valides: dict[str, float] = {}
    for cle in composantes:
        valeur = poids.get(cle, 0.0)
        if isinstance(valeur, bool) or not isinstance(valeur, int | float) or not math.isfinite(valeur) or valeur < 0:
            raise ErreurConfiguration(f"poids de « {cle} » invalide : {valeur!r}",
                                      conseil="un poids est un nombre positif ou nul")
        valides[cle] = float(valeur)
    if sum(valides.values()) <= 0:
        raise ErreurConfiguration(tous_nuls, conseil="donnez un poids positif à une composante au moins")
    return valides
