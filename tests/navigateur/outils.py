"""Helpers of the browser tests: a tab that records what it should not do, waits, screenshots.

Kept apart from ``conftest.py`` so the fixtures stay short and the helpers can be
imported by test modules.
"""

from __future__ import annotations

import json
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, FrameLocator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

RACINE = Path(__file__).resolve().parents[2]
ARTEFACTS = RACINE / "test-artifacts"
HOTES_LOCAUX = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
SCHEMAS_RESEAU = frozenset({"http", "https", "ws", "wss"})
SELECTEUR_CARTE = 'iframe[src*="streamlit_folium"]'
# Commune polygons: Leaflet draws circle markers (places) as paths too, but with arc
# commands (« a ») in their ``d`` attribute, which a polygon never has.
POLYGONES = 'path.leaflet-interactive:not([d*="a"])'
DELAI_MS = 60_000


@dataclass
class Onglet:
    """A fresh browser context and page, with what went wrong while it was open.

    ``erreurs_console``: console messages of type ``error`` and uncaught page exceptions.
    ``requetes_externes``: every request (HTTP or WebSocket) to a host other than this
    machine — the app must work offline, so any CDN or tracker shows up here.
    """

    contexte: BrowserContext
    page: Page
    erreurs_console: list[str] = field(default_factory=list)
    requetes_externes: list[str] = field(default_factory=list)

    def fermer(self) -> None:
        self.contexte.close()


def sonde_de_streamlit(url: str) -> bool:
    """Streamlit's front end, opened on a sub-page URL (``/couverture``), first probes
    ``/couverture/_stcore/health`` and ``/couverture/_stcore/host-config`` to detect a base path,
    gets 404, then uses the server root. Those two 404s are its own detection, not an error of
    the app (a shared link to a page always produces them); every other error still counts."""
    chemin = urlsplit(url).path
    return chemin.endswith(("/_stcore/health", "/_stcore/host-config")) and chemin.count("/") > 2


def est_externe(url: str) -> bool:
    morceaux = urlsplit(url)
    return morceaux.scheme in SCHEMAS_RESEAU and (morceaux.hostname or "") not in HOTES_LOCAUX


def ouvrir_onglet(navigateur: Browser) -> Onglet:
    contexte = navigateur.new_context(locale="fr-FR", viewport={"width": 1400, "height": 1000})
    page = contexte.new_page()
    onglet = Onglet(contexte, page)

    def console(message) -> None:
        if message.type == "error":
            lieu = message.location.get("url") or "?"
            if sonde_de_streamlit(lieu):
                return
            onglet.erreurs_console.append(f"{message.text} ({lieu})")

    def requete(requete_) -> None:
        if est_externe(requete_.url):
            onglet.requetes_externes.append(f"{requete_.method} {requete_.url}")

    def websocket(ws) -> None:
        if est_externe(ws.url):
            onglet.requetes_externes.append(f"WEBSOCKET {ws.url}")

    page.on("console", console)
    page.on("pageerror", lambda exc: onglet.erreurs_console.append(f"exception JavaScript : {exc}"))
    page.on("websocket", websocket)
    contexte.on("request", requete)
    return onglet


def attendre_fin_script(page: Page, delai_ms: int = DELAI_MS) -> None:
    """Wait until Streamlit is connected and the script run is over."""
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            return app && app.dataset.testConnectionState === 'CONNECTED'
                && app.dataset.testScriptState === 'notRunning';
        }""",
        timeout=delai_ms,
    )


def cadre_carte(page: Page) -> FrameLocator:
    """The first streamlit-folium iframe of the page (its URL contains ``streamlit_folium``);
    pages with several maps show the communes map first."""
    return page.locator(SELECTEUR_CARTE).first.content_frame


def attendre_polygones(page: Page, nombre: int, delai_ms: int = DELAI_MS) -> None:
    """Wait until the map draws exactly ``nombre`` interactive polygons."""
    expect(cadre_carte(page).locator(POLYGONES)).to_have_count(nombre, timeout=delai_ms)


def valeur_metrique(page: Page, libelle: str):
    """Locator of the value of the figure named ``libelle``: an ``st.metric``, or a key figure of
    the HTML block (``dashboard.vues.chiffres``, as the visitor reads it: name, then value)."""
    carte = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(rf"^\s*{re.escape(libelle)}\s*$"))
    )
    chiffre = page.locator("dl.chiffres-cles > div").filter(
        has=page.locator("dt", has_text=re.compile(rf"^\s*{re.escape(libelle)}\s*$"))
    )
    return carte.locator('[data-testid="stMetricValue"]').or_(chiffre.locator("dd"))


def choisir_perimetre(page: Page, libelle: str, commune: str | None = None) -> None:
    """Pick a scope in the sidebar: a radio button of « Périmètre »; for « Une commune », then
    ``commune`` in the drop-down list « Commune » that opens."""
    page.locator('[data-testid="stSidebar"]').get_by_role("radio", name=libelle, exact=True).check(force=True)
    if commune is not None:
        liste = page.get_by_role("combobox", name="Commune")
        expect(liste).to_be_visible(timeout=DELAI_MS)
        liste.click()
        page.get_by_role("option", name=commune, exact=True).click()


def survoler_jusqu_a_infobulle(page: Page, essais: int = 15) -> str:
    """Hover polygons one after the other until a Leaflet tooltip shows; return its text.

    Playwright hovers the centre of a polygon's bounding box, which can fall outside a
    concave commune: the next polygon is then tried.
    """
    cadre = cadre_carte(page)
    polygones = cadre.locator(POLYGONES)
    infobulle = cadre.locator(".leaflet-tooltip")
    for i in range(min(essais, polygones.count())):
        try:  # a place marker drawn over the polygon's centre intercepts the pointer: next polygon
            polygones.nth(i).hover(timeout=3_000)
        except PlaywrightTimeoutError:
            continue
        # A place marker may sit on the polygon's centre (its tooltip has no « Commune »):
        # only a commune tooltip ends the search.
        commune = infobulle.filter(has_text="Commune")
        try:
            expect(commune.first).to_be_visible(timeout=1_500)
        except AssertionError:
            continue
        return commune.first.inner_text()
    raise AssertionError(f"aucune infobulle après le survol de {essais} polygones")


def hauteur_contenu(page: Page) -> int:
    """Height of the app content: Streamlit scrolls inside its main block, not the document."""
    return int(
        page.evaluate(
            """() => Math.max(
                document.documentElement.scrollHeight,
                ...['[data-testid="stMain"]', '[data-testid="stSidebarContent"]']
                    .map(s => document.querySelector(s))
                    .filter(Boolean)
                    .map(e => e.scrollHeight))"""
        )
    )


def capturer(page: Page, nom: str) -> Path:
    """Full-page screenshot in ``test-artifacts/<nom>.png``.

    ``full_page`` alone would stop at the viewport (the scrolling happens inside
    Streamlit's main block), so the viewport is first grown to the content height.
    """
    ARTEFACTS.mkdir(exist_ok=True)
    page.mouse.move(0, 0)  # close any tooltip left by a hover
    taille = page.viewport_size or {"width": 1400, "height": 1000}
    page.set_viewport_size({"width": taille["width"], "height": max(taille["height"], hauteur_contenu(page))})
    page.wait_for_timeout(500)  # let Streamlit and Leaflet lay out again
    chemin = ARTEFACTS / f"{nom}.png"
    page.screenshot(path=str(chemin), full_page=True)
    page.set_viewport_size(taille)
    return chemin


def taille_png(chemin: Path) -> tuple[int, int]:
    """(width, height) read from the PNG header."""
    entete = chemin.read_bytes()[:24]
    if entete[:8] != b"\x89PNG\r\n\x1a\n":
        raise AssertionError(f"{chemin.name} n'est pas un PNG")
    largeur, hauteur = struct.unpack(">II", entete[16:24])
    return largeur, hauteur


def noms_communes(racine: Path = RACINE) -> set[str]:
    """Names of the communes of the bundled reference geography."""
    donnees = json.loads((racine / "data" / "reference" / "communes.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["nom"] for f in donnees["features"]}
