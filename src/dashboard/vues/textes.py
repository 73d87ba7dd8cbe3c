"""Plain French sentences that state what a chart or map shows (the accessible alternative)."""

from __future__ import annotations

from dashboard import formats
from dashboard.indicateurs.territoire import ChiffresCles


def phrase_vue_ensemble(de_perimetre: str, cles: ChiffresCles) -> str:
    """« Les 30 communes du Pays de Lorient comptent 221 257 habitants … » (one commune: « La commune de … »).

    ``de_perimetre`` is the scope after « de », article included (« du Pays de Lorient »).
    """
    if cles.nb_communes == 1:
        debut = f"La commune {de_perimetre} compte"
    else:
        debut = f"Les {formats.nombre(cles.nb_communes)} communes {de_perimetre} comptent"
    return (
        f"{debut} {formats.nombre(cles.population)} habitants (population municipale) sur "
        f"{formats.superficie(cles.superficie_km2)}, soit une densité de "
        f"{formats.densite(cles.densite_hab_km2)}."
    )
