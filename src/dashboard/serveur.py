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
   delay it. ``streamlit_folium`` itself is left to the script: importing it declares its
   component, which Streamlit registers only from a script run (from any other thread the
   component is never served and the map stays empty).
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

# What the first run of « Vue d'ensemble » imports, heaviest first, in the order the script
# would import them (same order = no lock-order surprise between the two threads).
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

    fil = threading.Thread(target=importer, name="prechauffage", daemon=True)
    fil.start()
    return fil


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

    demarrage = bootstrap._on_server_start

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
