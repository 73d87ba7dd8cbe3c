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


def main(arguments: list[str] | None = None) -> None:
    from streamlit.web import cli

    desactiver_pages_v1()
    sys.argv = ["streamlit", "run", str(RACINE_PROJET / "app.py"), *(arguments or sys.argv[1:])]
    cli.main()


if __name__ == "__main__":
    main()
