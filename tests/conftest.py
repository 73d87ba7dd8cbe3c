"""Shared fixtures: project paths, the configured territory, the optional real samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.reference import charger_reference
from dashboard.territoire import charger_territoire

RACINE = Path(__file__).resolve().parents[1]
ECHANTILLONS = RACINE.parent / "shared" / "data" / "real-samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def echantillon_reel(nom: str) -> Path:
    """Path of a real official sample, or skip the test when the shared folder is absent."""
    chemin = ECHANTILLONS / nom
    if not chemin.exists():
        pytest.skip(f"échantillon réel absent : {nom} (dossier shared/ non disponible)")
    return chemin


@pytest.fixture(scope="session")
def territoire():
    return charger_territoire(RACINE / "data" / "territoire.toml")


@pytest.fixture(scope="session")
def reference(territoire):
    return charger_reference(RACINE / "data" / "reference", territoire)


@pytest.fixture(scope="session")
def contexte(territoire, reference):
    from dashboard.cli import contexte_depuis_reference

    return contexte_depuis_reference(territoire, reference)


@pytest.fixture(autouse=True)
def pages_v2(monkeypatch):
    """Run AppTest as the server runs (``python -m dashboard.serveur``): ``pages/`` holds
    ``st.navigation`` pages, not Streamlit's v1 multipage directory (AppTest resets the flag)."""
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
