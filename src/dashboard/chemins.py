"""Where things live, anchored on the package location, never on the current directory.

``DASHBOARD_DATA_DIR`` overrides the data folder (tests, read-only kiosk copies).
"""

from __future__ import annotations

import os
from pathlib import Path

RACINE_PROJET = Path(__file__).resolve().parents[2]


def dossier_donnees() -> Path:
    """The ``data/`` folder: bundled snapshot, reference geography, territory config."""
    return Path(os.environ.get("DASHBOARD_DATA_DIR", RACINE_PROJET / "data"))


def fichier_territoire() -> Path:
    return dossier_donnees() / "territoire.toml"


def dossier_reference() -> Path:
    return dossier_donnees() / "reference"


def dossier_instantanes() -> Path:
    return dossier_donnees() / "snapshots"


def dossier_statique() -> Path:
    """Streamlit serves ``static/`` beside ``app.py`` at ``/app/static/``."""
    return RACINE_PROJET / "static"
