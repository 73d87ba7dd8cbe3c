"""French formatting of numbers, shares and dates: ``12 345``, ``87,5 %``, ``T2 2026``.

Why a module: every screen, export and sentence must format the same way, and
``locale`` is process-global and often missing on servers, so we format by hand.
The thousands separator is the narrow no-break space (U+202F) recommended by the
Imprimerie nationale; the space before ``%`` is a no-break space (U+00A0).
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

ESPACE_MILLIERS = "\u202f"
ESPACE_INSECABLE = "\u00a0"
NON_DISPONIBLE = "n.d."

MOIS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)


def _manquant(valeur: object) -> bool:
    """None, NaN, pd.NA and NaT all mean « donnée non disponible »."""
    try:
        return bool(pd.isna(valeur))
    except (TypeError, ValueError):
        return False


def nombre(valeur: float | int | None, decimales: int = 0) -> str:
    """``12345.6 → "12 346"``, ``nombre(1234.56, 1) → "1 234,6"``; missing → ``n.d.``."""
    if _manquant(valeur):
        return NON_DISPONIBLE
    texte = f"{float(valeur):,.{decimales}f}"  # type: ignore[arg-type]
    texte = texte.replace(",", "\x00").replace(".", ",").replace("\x00", ESPACE_MILLIERS)
    if texte.startswith("-") and set(texte[1:]) <= {"0", ",", ESPACE_MILLIERS}:
        texte = texte[1:]  # no "-0"
    return texte


def pourcentage(part: float | None, decimales: int = 1) -> str:
    """A share in [0, 1] → ``"87,5 %"``; missing → ``n.d.``."""
    if _manquant(part):
        return NON_DISPONIBLE
    return f"{nombre(float(part) * 100, decimales)}{ESPACE_INSECABLE}%"  # type: ignore[arg-type]


def superficie(km2: float | None) -> str:
    """``184.3 → "184,3 km²"``."""
    if _manquant(km2):
        return NON_DISPONIBLE
    return f"{nombre(km2, 1)}{ESPACE_INSECABLE}km²"


def densite(hab_km2: float | None) -> str:
    """``612.4 → "612 hab./km²"``."""
    if _manquant(hab_km2):
        return NON_DISPONIBLE
    return f"{nombre(hab_km2, 0)}{ESPACE_INSECABLE}hab./km²"


def date_longue(jour: date | datetime | str | None) -> str:
    """``2026-06-30 → "30 juin 2026"`` (1er for the first day of a month)."""
    if jour is None or jour == "":
        return NON_DISPONIBLE
    if isinstance(jour, str):
        jour = date.fromisoformat(jour[:10])
    numero = "1er" if jour.day == 1 else str(jour.day)
    return f"{numero} {MOIS[jour.month - 1]} {jour.year}"


def de(nom: str) -> str:
    """French « de » with elision: ``de("Hennebont") → "d'Hennebont"``, ``de("Lorient") → "de Lorient"``."""
    initiale = nom[:1].upper()
    return f"d'{nom}" if initiale and initiale in "AEIOUYÂÉÈÊÎÔÛH" else f"de {nom}"


def sur(complement: str) -> str:
    """« du Pays de Lorient » → « sur le Pays de Lorient » (for « contre 92 % sur le Pays de Lorient »)."""
    for debut, remplacement in (("du ", "sur le "), ("de la ", "sur la "), ("de l'", "sur l'"), ("des ", "sur les "),
                                ("d'", "sur "), ("de ", "sur ")):
        if complement.startswith(debut):
            return remplacement + complement[len(debut):]
    return f"sur {complement}"


def trimestre(jour: date | str) -> str:
    """The quarter a date falls in: ``2026-06-30 → "T2 2026"``."""
    if isinstance(jour, str):
        jour = date.fromisoformat(jour[:10])
    return f"T{(jour.month - 1) // 3 + 1} {jour.year}"
