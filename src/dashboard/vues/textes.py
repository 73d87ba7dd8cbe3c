"""Plain French sentences that state what a chart or map shows (the accessible alternative)."""

from __future__ import annotations

from dashboard import formats
from dashboard.indicateurs.territoire import ChiffresCles


def phrase_vue_ensemble(libelle: str, cles: ChiffresCles) -> str:
    """« Lorient Agglomération compte 25 communes et 203 309 habitants sur … km², soit … hab./km². »"""
    communes = "1 commune" if cles.nb_communes == 1 else f"{formats.nombre(cles.nb_communes)} communes"
    if cles.nb_communes == 1:
        debut = f"{libelle} compte"
    else:
        debut = f"{libelle} compte {communes} et"
    return (
        f"{debut} {formats.nombre(cles.population)} habitants (population municipale) sur "
        f"{formats.superficie(cles.superficie_km2)}, soit une densité de "
        f"{formats.densite(cles.densite_hab_km2)}."
    )
