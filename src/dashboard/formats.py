"""French formatting of numbers, shares and dates: ``12 345``, ``87,5 %``, ``T2 2026``.

Why a module: every screen, export and sentence must format the same way, and
``locale`` is process-global and often missing on servers, so we format by hand.
The thousands separator is the narrow no-break space (U+202F) recommended by the
Imprimerie nationale; the space before ``%`` is a no-break space (U+00A0).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pandas as pd

ESPACE_MILLIERS = "\u202f"
ESPACE_INSECABLE = "\u00a0"
NON_DISPONIBLE = "n.d."
FUSEAU = ZoneInfo("Europe/Paris")  # stored times are UTC; shown times are Paris time

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


def _moment(valeur: datetime | str) -> datetime | None:
    """An aware datetime from a datetime or ISO text with ``Z``/offset; None if naive or a plain date."""
    if isinstance(valeur, str):
        if "T" not in valeur:
            return None
        try:
            valeur = datetime.fromisoformat(valeur.replace("Z", "+00:00"))
        except ValueError:
            return None
    return valeur if valeur.tzinfo is not None else None


def date_longue(jour: date | datetime | str | None) -> str:
    """``2026-06-30 → "30 juin 2026"`` (1er for the first day of a month).

    A timestamp with a time zone (``2026-06-30T22:30:00Z``) is first converted to Paris
    time: that one is the 1er juillet 2026 in Lorient.
    """
    if jour is None or jour == "":
        return NON_DISPONIBLE
    moment = _moment(jour) if isinstance(jour, str | datetime) else None
    if moment is not None:
        jour = moment.astimezone(FUSEAU).date()
    elif isinstance(jour, str):
        jour = date.fromisoformat(jour[:10])
    numero = "1er" if jour.day == 1 else str(jour.day)
    return f"{numero} {MOIS[jour.month - 1]} {jour.year}"


def horodatage(moment: datetime | str | None) -> str:
    """``2026-03-29T01:01:00Z → "29 mars 2026 à 03 h 01 (heure de Paris)"`` (summer time applied).

    For UTC timestamps of manifests and refresh states; text without a time zone is
    shown as given (never shifted by the server's own zone).
    """
    if moment is None or moment == "":
        return NON_DISPONIBLE
    aware = _moment(moment) if isinstance(moment, str | datetime) else None
    if aware is None:
        return str(moment)
    local = aware.astimezone(FUSEAU)
    return f"{date_longue(local.date())} à {local:%H} h {local:%M} (heure de Paris)"


def anciennete(moment: datetime | str | None, maintenant: datetime | None = None) -> str:
    """« aujourd'hui », « il y a 1 jour », « il y a 12 jours » — never negative: a time in the
    future (wrong clock) gives « date dans le futur (horloge décalée ?) »."""
    aware = _moment(moment) if isinstance(moment, str | datetime) else None
    if aware is None:
        return NON_DISPONIBLE
    maintenant = maintenant or datetime.now(UTC)
    ecart = maintenant - aware
    if ecart.total_seconds() < -300:
        return "date dans le futur (horloge décalée ?)"
    jours = (maintenant.astimezone(FUSEAU).date() - aware.astimezone(FUSEAU).date()).days
    if jours <= 0:
        return "aujourd'hui"
    return f"il y a {jours} jour{'s' if jours > 1 else ''}"


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
