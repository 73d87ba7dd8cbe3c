"""Start the Streamlit server for ``app.py``: ``python -m dashboard.serveur [streamlit options]``.

Why not plain ``streamlit run app.py``: Streamlit keeps a process-wide « pages directory »
flag (multipage apps v1) that is only cleared once some run has called ``st.navigation``.
Because our pages live in ``pages/`` (as ``st.navigation`` pages), the *first* request of
a fresh server to a sub-page URL (``/couverture``) would run that page alone, without the
shell of ``app.py``. Clearing the flag before the server starts removes that trap.
``streamlit run app.py`` still works (a page reached that way redirects to the shell).
"""

from __future__ import annotations

import sys

from dashboard.chemins import RACINE_PROJET


def desactiver_pages_v1() -> None:
    """Tell Streamlit that ``pages/`` is not a v1 multipage directory (see module doc)."""
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


# Heavy modules the first script run needs (≈ 1,5 s of imports on a 2-core machine). Importing
# them in a background thread while the server starts and the browser downloads Streamlit's
# front end takes that time off « process start → map visible ». streamlit_folium is NOT in the
# list: imported before the server exists, its component is registered too early and the map
# stays empty.
MODULES_A_PRECHARGER = (
    "numpy", "pandas", "pyarrow", "shapely", "pyproj", "pyogrio", "geopandas", "jinja2", "branca", "folium",
    "plotly.graph_objects", "dashboard.reference", "dashboard.magasin", "dashboard.vues.carte",
    "dashboard.indicateurs.couverture", "dashboard.indicateurs.deploiement",
)


def precharger_modules() -> None:
    """Import the heavy modules (see :data:`MODULES_A_PRECHARGER`); never fails the server."""
    import importlib
    import logging

    for nom in MODULES_A_PRECHARGER:
        try:
            importlib.import_module(nom)
        except Exception as exc:  # a failed warm-up only costs time later, never the server
            logging.getLogger(__name__).warning("préchargement de %s impossible : %s", nom, exc)


def main(arguments: list[str] | None = None) -> None:
    import threading

    from streamlit.web import cli

    desactiver_pages_v1()
    threading.Thread(target=precharger_modules, name="prechargement", daemon=True).start()
    sys.argv = ["streamlit", "run", str(RACINE_PROJET / "app.py"), *(arguments or sys.argv[1:])]
    cli.main()


if __name__ == "__main__":
    main()
