"""Value classes of a choropleth: palettes, quantile classes, colour of a value.

Kept apart from :mod:`dashboard.vues.carte` so that what only needs a legend or a colour (key
figures, legends, image exports) does not import folium: on a fresh server the first page sends
its figures, table and legend while folium is still being imported (see ``dashboard.serveur``).
Colours are ColorBrewer sequential palettes (colour-blind safe); a missing value is grey, never 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

# ColorBrewer YlGnBu (sequential, colour-blind safe), 5 classes.
PALETTE_SEQUENTIELLE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
# ColorBrewer YlOrRd: for "need" indicators (white zones, fragility).
PALETTE_ALERTE = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
COULEUR_NON_DISPONIBLE = "#bdbdbd"
LIBELLE_NON_DISPONIBLE = "donnée non disponible"


@dataclass(frozen=True)
class Classe:
    """One legend entry: colour and the half-open interval [minimum, maximum)."""

    couleur: str
    minimum: float
    maximum: float
    libelle: str


def classes_quantiles(
    valeurs: pd.Series,
    formatteur: Callable[[float], str],
    palette: Sequence[str] = PALETTE_SEQUENTIELLE,
) -> list[Classe]:
    """Quantile classes of the known values (at most ``len(palette)``, fewer if ties)."""
    connues = pd.to_numeric(valeurs, errors="coerce").dropna().astype(float)
    if connues.empty:
        return []
    bornes = np.unique(np.quantile(connues, np.linspace(0, 1, len(palette) + 1)))
    distinctes = connues.nunique()
    if len(bornes) - 1 < min(len(palette), distinctes - 1) and len(bornes) < 4:
        # Skewed data (e.g. most communes at 0 %): quantiles collapse; equal intervals still
        # separate the few communes that differ.
        bornes = np.linspace(float(connues.min()), float(connues.max()), len(palette) + 1)
    if len(bornes) == 1:
        v = float(bornes[0])
        return [Classe(palette[-1], v, v, formatteur(v))]
    couleurs = _repartir(palette, len(bornes) - 1)
    classes = []
    for i, couleur in enumerate(couleurs):
        bas, haut = float(bornes[i]), float(bornes[i + 1])
        classes.append(Classe(couleur, bas, haut, f"{formatteur(bas)} – {formatteur(haut)}"))
    return classes


def _repartir(palette: Sequence[str], n: int) -> list[str]:
    if n >= len(palette):
        return list(palette)
    indices = np.round(np.linspace(0, len(palette) - 1, n)).astype(int)
    return [palette[i] for i in indices]


def couleur_pour(valeur: object, classes: Sequence[Classe]) -> str:
    """Colour of a value; grey for a missing value or an empty legend."""
    if valeur is None or pd.isna(valeur) or not classes:
        return COULEUR_NON_DISPONIBLE
    v = float(valeur)  # type: ignore[arg-type]
    for classe in classes:
        if v < classe.maximum:
            return classe.couleur
    return classes[-1].couleur
