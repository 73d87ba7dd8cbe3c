"""Fixtures of the browser tests: the app as a subprocess, driven by Debian's Chromium.

Never ``playwright install``: the Chromium of the distribution (``/usr/bin/chromium``)
is driven through Playwright's ``executable_path``. Without it the tests are skipped
with a message that says how to install it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[2]
ARTEFACTS = RACINE / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
ARGUMENTS_CHROMIUM = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DELAI_DEMARRAGE_S = 60
LIGNES_JOURNAL = 80
MESSAGE_SANS_CHROMIUM = (
    f"Chromium introuvable ({CHROMIUM}) : installez-le avec `sudo apt-get install chromium` "
    f"(jamais `playwright install`). / Chromium not found at {CHROMIUM}: install it with "
    "`sudo apt-get install chromium` (never `playwright install`)."
)
CLE_JOURNAL = pytest.StashKey[Path]()
DOSSIER = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test of this folder drives a browser: mark it ``navigateur``."""
    for item in items:
        if DOSSIER in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.navigateur)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Attach the end of the Streamlit server log to the report of a failed browser test."""
    rapport = yield
    journal = item.config.stash.get(CLE_JOURNAL, None)
    if rapport.failed and journal is not None and "serveur_app" in getattr(item, "fixturenames", ()):
        rapport.sections.append(("journal du serveur Streamlit", _fin_du_journal(journal)))
    return rapport


def _fin_du_journal(chemin: Path) -> str:
    try:
        lignes = chemin.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        return f"(journal illisible : {exc})"
    return "\n".join(lignes[-LIGNES_JOURNAL:]) or "(journal vide)"


def _port_libre() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sante(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as reponse:
            return reponse.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(MESSAGE_SANS_CHROMIUM)
    return CHROMIUM


@pytest.fixture(scope="session")
def serveur_app(chromium: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """Start the app as ``make run`` does (``python -m dashboard.serveur``) on a free port (bundled
    data), yield its base URL."""
    ARTEFACTS.mkdir(exist_ok=True)
    journal = ARTEFACTS / "serveur-streamlit.log"
    request.config.stash[CLE_JOURNAL] = journal
    port = _port_libre()
    env = {k: v for k, v in os.environ.items() if k != "DASHBOARD_DATA_DIR"}
    commande = [
        sys.executable, "-m", "dashboard.serveur",
        "--server.headless", "true",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
    ]
    with journal.open("w", encoding="utf-8") as sortie:
        processus = subprocess.Popen(
            commande, cwd=RACINE, env=env, stdout=sortie, stderr=subprocess.STDOUT, text=True
        )
        try:
            limite = time.monotonic() + DELAI_DEMARRAGE_S
            while not _sante(port):
                if processus.poll() is not None:
                    pytest.fail(
                        f"le serveur Streamlit s'est arrêté (code {processus.returncode}) :\n"
                        + _fin_du_journal(journal),
                        pytrace=False,
                    )
                if time.monotonic() > limite:
                    pytest.fail(
                        f"le serveur Streamlit ne répond pas sur /_stcore/health après "
                        f"{DELAI_DEMARRAGE_S} s :\n" + _fin_du_journal(journal),
                        pytrace=False,
                    )
                time.sleep(0.1)
            yield f"http://localhost:{port}"
        finally:
            processus.terminate()
            try:
                processus.wait(timeout=15)
            except subprocess.TimeoutExpired:
                processus.kill()
                processus.wait(timeout=15)


@pytest.fixture(scope="session")
def navigateur(chromium: Path):
    """Headless Chromium of the distribution, shared by the session."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="paquet playwright absent : make install-test"
    )
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(chromium), args=ARGUMENTS_CHROMIUM, headless=True
        )
        yield instance
        instance.close()
