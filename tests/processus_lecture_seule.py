"""What an unprivileged account sees with a read-only data folder (F-08), run in its own process.

    python -m tests.processus_lecture_seule cli <fichier de démonstration mediation_numerique>
    python -m tests.processus_lecture_seule app

``DASHBOARD_DATA_DIR`` names the read-only copy of ``data/``. The test runs this module as a
non-root user (root ignores permission bits) and reads the JSON it prints on stdout:

* ``cli``: ``status``, ``import`` of a file and ``refresh`` (download replaced by the file's
  bytes, so the write is what fails), each with its exit code, stdout and stderr;
* ``app``: the app (AppTest) on the « Lieux et tiers-lieux » page: exceptions, errors,
  titles, metrics and captions.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

from dashboard import cli

RACINE = Path(__file__).resolve().parents[1]


def _commande(argv: list[str]) -> dict:
    sortie, erreur = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(sortie), contextlib.redirect_stderr(erreur):
        try:
            code = cli.main(argv)
        except BaseException as exc:  # a crash is reported, not hidden: the test fails on it
            code = f"exception {type(exc).__name__}: {exc}"
    return {"code": code, "sortie": sortie.getvalue(), "erreur": erreur.getvalue()}


def mode_cli(fichier: str) -> dict:
    from dashboard import telechargement

    contenu = Path(fichier).read_bytes()
    resultats = {"status": _commande(["status"]),
                 "import": _commande(["import", "mediation_numerique", fichier])}
    # refresh: the official download is replaced by the same bytes (no network in tests).
    telechargement.telecharger = lambda url, **_k: telechargement.Telechargement(
        url, url, contenu, "text/csv", None, None)
    resultats["refresh"] = _commande(["refresh", "mediation_numerique"])
    return resultats


def mode_app() -> dict:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    # As in tests/conftest.py: pages/ holds st.navigation pages, not v1 multipage scripts.
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/lieux.py")
    at.run()
    return {
        "exceptions": [e.value for e in at.exception],
        "erreurs": [e.value for e in at.error],
        "titres": [t.value for t in at.title],
        "metriques": {m.label: m.value for m in at.metric},
        "legendes": [c.value for c in at.caption],
        "infos": [i.value for i in at.info],
    }


if __name__ == "__main__":
    mode = sys.argv[1]
    resultat = mode_cli(sys.argv[2]) if mode == "cli" else mode_app()
    sys.stdout.write("\n" + json.dumps(resultat, ensure_ascii=False) + "\n")
