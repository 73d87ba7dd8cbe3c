"""Reading the project's TOML data files with French errors naming file and line.

Why a module: several files of ``data/`` are reviewable data (targets, model constants)
and must fail the same way — missing file, not UTF-8, TOML syntax error with its line.
Line lookup inside ``[[objectif]]`` blocks reuses :mod:`dashboard.objectifs`.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from dashboard.erreurs import ErreurConfiguration


def lire_toml(chemin: Path, description: str, conseil_absent: str) -> tuple[str, dict]:
    """``(text, parsed dict)`` of ``chemin``; :class:`ErreurConfiguration` in French otherwise.

    ``description`` names the file in messages (« fichier des objectifs d'inclusion »);
    ``conseil_absent`` tells how to restore a missing file.
    """
    nom = chemin.name
    try:
        texte = chemin.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ErreurConfiguration(f"{description} introuvable", fichier=nom, conseil=conseil_absent) from exc
    except UnicodeDecodeError as exc:
        raise ErreurConfiguration("fichier non encodé en UTF-8", fichier=nom) from exc
    try:
        return texte, tomllib.loads(texte)
    except tomllib.TOMLDecodeError as exc:
        ligne = getattr(exc, "lineno", None)  # Python ≥ 3.14 ; avant, seulement dans le message
        if ligne is None and (m := re.search(r"at line (\d+)", str(exc))):
            ligne = int(m.group(1))
        raise ErreurConfiguration(f"syntaxe TOML invalide ({exc})", fichier=nom, ligne=ligne) from exc


def ligne_de_section(texte: str, section: str) -> int | None:
    """Line (1-based) of the ``[section]`` header, ``None`` if absent."""
    motif = re.compile(rf"^\s*\[\s*{re.escape(section)}\s*\]")
    for numero, ligne in enumerate(texte.splitlines(), start=1):
        if motif.match(ligne):
            return numero
    return None
