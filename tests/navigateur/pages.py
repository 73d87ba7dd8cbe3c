"""The pages the browser tests visit — the ONE list to extend when a page is added.

Each entry mirrors an ``st.Page(...)`` of ``app.py``: its ``url_path``, the title the
page shows (``st.title``) and whether it draws the communes map (a streamlit-folium
component). The tests in ``test_pages.py`` are parametrized over this list: a new page
gets the same checks (no exception, no console error, no request to another host,
a full-page screenshot, and for maps: 30 polygons and a tooltip) by adding one line.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageApp:
    url_path: str
    titre: str
    carte: bool
    # Streamlit serves the default page at "/" and ignores its url_path there
    # (opening /<url_path> of the default page logs "page does not exist" in the console).
    defaut: bool = False

    @property
    def chemin(self) -> str:
        """Path to open in the browser, relative to the server root."""
        return "/" if self.defaut else f"/{self.url_path}"

    @property
    def identifiant(self) -> str:
        """Name used for test ids and screenshot files."""
        return self.url_path


PAGES: list[PageApp] = [
    PageApp("vue-ensemble", "Vue d'ensemble", carte=True, defaut=True),
    PageApp("couverture", "Couverture haut et très haut débit", carte=True),
    PageApp("inclusion", "Inclusion numérique", carte=True),
    PageApp("lieux", "Lieux d'aide et tiers-lieux", carte=True),
    PageApp("priorites", "Priorités d'action", carte=True),
    PageApp("fiche", "Fiche commune", carte=False),
]
