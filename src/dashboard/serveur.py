"""Start the Streamlit server for ``app.py``: ``python -m dashboard.serveur [streamlit options]``.

Why not plain ``streamlit run app.py``:

1. Streamlit keeps a process-wide « pages directory » flag (multipage apps v1) that is only
   cleared once some run has called ``st.navigation``. Because our pages live in ``pages/``
   (as ``st.navigation`` pages), the *first* request of a fresh server to a sub-page URL
   (``/couverture``) would run that page alone, without the shell of ``app.py``. Clearing the
   flag before the server starts removes that trap.
2. Warm-up: as soon as the server listens, a background thread imports what the first page
   needs (pandas, geopandas, folium…) while the first visitor's browser is still loading
   Streamlit's interface (~1 s during which the server idles). The first script run then finds
   them in ``sys.modules``. Started *after* the server is up: imports during start-up only
   delay it. A script run that starts before the warm-up is over waits for it
   (:func:`attendre_prechauffage`, called at the top of ``app.py``): importing from two threads
   at once can deadlock on Python's module locks. ``streamlit_folium`` itself is left to the
   script: importing it declares its component, which Streamlit registers only from a script run
   (from any other thread the component is never served and the map stays empty).
   Measured in ``bench/README.md``. ``DASHBOARD_PRECHAUFFAGE=0`` disables it.

``streamlit run app.py`` still works (a page reached that way redirects to the shell).
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import threading

from dashboard.chemins import RACINE_PROJET

# What the first run of « Vue d'ensemble » imports, heaviest first.
MODULES_PRECHAUFFES = (
    "PIL.Image",  # st.set_page_config converts the favicon
    "pandas",
    "geopandas",
    "pyogrio",
    "pyproj",
    "folium",
    "folium.plugins",  # what makes importing streamlit_folium slow; the script imports that one
    "dashboard.reference",
    "dashboard.vues.carte",
    "dashboard.vues.provenance",
    "dashboard.indicateurs.territoire",
    "dashboard.ui.composants",
    "dashboard.ui.donnees",
)

_journal = logging.getLogger(__name__)
_fil_prechauffage: threading.Thread | None = None


def desactiver_pages_v1() -> None:
    """Tell Streamlit that ``pages/`` is not a v1 multipage directory (see module doc)."""
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


def prechauffer(modules: tuple[str, ...] = MODULES_PRECHAUFFES) -> threading.Thread:
    """Import ``modules`` in a daemon thread; a failure is logged, never raised (the script will
    import the module itself and show the error where it belongs)."""

    def importer() -> None:
        _avertissement_deja_verifie()  # first: the fewer modules loaded, the cheaper it is
        for module in modules:
            try:
                importlib.import_module(module)
            except Exception:  # warm-up only: the script imports it again and the page reports the error
                _journal.warning("Préchauffage : import de %s impossible", module, exc_info=True)
                return

    global _fil_prechauffage
    fil = threading.Thread(target=importer, name="prechauffage", daemon=True)
    _fil_prechauffage = fil
    fil.start()
    return fil


def attendre_prechauffage(delai_s: float = 120.0) -> None:
    """Block until the warm-up imports are done; at once if there is no warm-up (AppTest,
    ``streamlit run app.py``) or once it has finished.

    ``app.py`` calls it before importing anything heavy. Two threads importing the same packages
    at the same time can deadlock on Python's per-module import locks (seen here: the first
    kiosk run died on ``_DeadlockError`` for ``branca``, imported by the warm-up and by the page
    at once). Waiting costs nothing more: the script would need those imports anyway.
    """
    fil = _fil_prechauffage
    if fil is not None and fil is not threading.current_thread():
        fil.join(delai_s)


def _avertissement_deja_verifie() -> None:
    """Streamlit checks once per process, on the first element a script sends, whether it runs in
    a REPL (``inspect.stack()`` with source lines: ~0.1 s with our modules loaded). Doing that
    check here takes it off the first visitor's path. Private Streamlit function: skipped if gone."""
    from streamlit import delta_generator

    verifier = getattr(delta_generator, "_maybe_print_use_warning", None)
    if callable(verifier):
        verifier()


def _prechauffer_apres_demarrage(modules: tuple[str, ...]) -> None:
    """Run :func:`prechauffer` right after the server starts listening (hook on bootstrap)."""
    from streamlit.web import bootstrap

    demarrage = getattr(bootstrap, "_on_server_start", None)
    if not callable(demarrage):  # private Streamlit hook renamed: serve without warm-up
        _journal.warning("Préchauffage désactivé : crochet de démarrage de Streamlit introuvable")
        return

    def au_demarrage(server) -> None:
        demarrage(server)
        prechauffer(modules)

    bootstrap._on_server_start = au_demarrage


def preparer(modules: tuple[str, ...] = MODULES_PRECHAUFFES) -> None:
    """Everything the launcher does before handing over to Streamlit's command line."""
    desactiver_pages_v1()
    if os.environ.get("DASHBOARD_PRECHAUFFAGE", "1") != "0":
        _prechauffer_apres_demarrage(modules)


def main(arguments: list[str] | None = None) -> None:
    from streamlit.web import cli

    preparer()
    sys.argv = ["streamlit", "run", str(RACINE_PROJET / "app.py"), *(arguments or sys.argv[1:])]
    cli.main()


if __name__ == "__main__":
    main()
