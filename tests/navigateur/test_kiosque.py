"""The public screen (kiosk mode) in a real browser at 1920×1080.

The kiosk runs as documented (``python -m dashboard.serveur`` with ``DASHBOARD_KIOSQUE=1``,
``--client.toolbarMode minimal --client.showErrorDetails none``), with a settings file
whose interval is 3 s so slide changes can be watched. Checks: the slides change by
themselves, nothing interactive is on screen, type is large, every slide is saved as a
screenshot in ``test-artifacts/``, and the page recovers by itself after a server restart.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="paquet playwright absent : make install-test")

from .conftest import DELAI_DEMARRAGE_S, RACINE, _fin_du_journal, _port_libre, _sante
from .outils import ARTEFACTS, attendre_fin_script, ouvrir_onglet

pytestmark = pytest.mark.navigateur

INTERVALLE_S = 3
DIAPOSITIVES = ("chiffres_cles", "zones_blanches", "fibre", "fragilite", "lieux", "question")
TAILLE_ECRAN = {"width": 1920, "height": 1080}
REGLAGES = f"""
[diaporama]
intervalle_secondes = {INTERVALLE_S}
diapositives = [{", ".join(f'"{d}"' for d in DIAPOSITIVES)}]

[debat]
question = "Le numérique, danger ou opportunité pour notre territoire ?"
precision = "Qui reste à l'écart, et que pouvons-nous faire ensemble ?"

[qr]
adresse = "http://192.168.1.20:8501/"
legende = "Explorez les données sur votre téléphone"
"""
# Every element with its own visible text: (tag, classes, font size in px, text).
JS_TAILLES = """() => {
  const resultats = [];
  for (const e of document.querySelectorAll('[data-testid="stMain"] *')) {
    const propre = [...e.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim()).length > 0;
    const boite = e.getBoundingClientRect();
    if (!propre || boite.width === 0 || boite.height === 0) continue;
    const style = getComputedStyle(e);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    resultats.push([e.tagName, String(e.className.baseVal ?? e.className), parseFloat(style.fontSize),
                    e.textContent.trim().slice(0, 40)]);
  }
  return resultats;
}"""
JS_INTERACTIFS = """() => [...document.querySelectorAll('input, select, textarea, button, [contenteditable="true"]')]
  .filter(e => { const b = e.getBoundingClientRect(); const s = getComputedStyle(e);
                 return b.width > 0 && b.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; })
  .map(e => e.outerHTML.slice(0, 100))"""


class ServeurKiosque:
    """A kiosk instance on a fixed port that can be stopped and started again (restart test)."""

    def __init__(self, reglages: Path, port: int, journal: Path) -> None:
        self.reglages, self.port, self.journal = reglages, port, journal
        self.processus: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}/"

    def demarrer(self) -> None:
        env = {k: v for k, v in os.environ.items() if k != "DASHBOARD_DATA_DIR"}
        env.update(DASHBOARD_KIOSQUE="1", DASHBOARD_KIOSQUE_CONFIG=str(self.reglages))
        commande = [sys.executable, "-m", "dashboard.serveur", "--server.port", str(self.port),
                    "--server.headless", "true", "--browser.gatherUsageStats", "false",
                    "--client.toolbarMode", "minimal", "--client.showErrorDetails", "none"]
        with self.journal.open("a", encoding="utf-8") as sortie:
            self.processus = subprocess.Popen(commande, cwd=RACINE, env=env, stdout=sortie,
                                              stderr=subprocess.STDOUT, text=True)
        limite = time.monotonic() + DELAI_DEMARRAGE_S
        while not _sante(self.port):
            if self.processus.poll() is not None or time.monotonic() > limite:
                self.arreter()
                pytest.fail("le serveur du kiosque ne démarre pas :\n" + _fin_du_journal(self.journal),
                            pytrace=False)
            time.sleep(0.1)

    def arreter(self) -> None:
        if self.processus is None:
            return
        self.processus.terminate()
        try:
            self.processus.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.processus.kill()
            self.processus.wait(timeout=15)
        self.processus = None


def nouveau_serveur(tmp_path_factory, nom: str) -> ServeurKiosque:
    dossier = tmp_path_factory.mktemp(nom)
    reglages = dossier / "kiosque.toml"
    reglages.write_text(REGLAGES, encoding="utf-8")
    ARTEFACTS.mkdir(exist_ok=True)
    journal = ARTEFACTS / f"serveur-{nom}.log"
    journal.write_text("", encoding="utf-8")
    return ServeurKiosque(reglages, _port_libre(), journal)


@pytest.fixture(scope="module")
def kiosque(chromium, tmp_path_factory):
    serveur = nouveau_serveur(tmp_path_factory, "kiosque")
    serveur.demarrer()
    yield serveur
    serveur.arreter()


@pytest.fixture(scope="module")
def ecran(navigateur, kiosque):
    onglet = ouvrir_onglet(navigateur)
    onglet.page.set_viewport_size(TAILLE_ECRAN)
    onglet.page.goto(kiosque.url)
    onglet.page.wait_for_selector(".kiosque-entete", timeout=60_000)
    yield onglet
    onglet.fermer()


def diapo_affichee(page) -> str:
    return page.locator(".kiosque-entete").first.get_attribute("data-diapo") or ""


def attendre_changement(page, actuelle: str, delai_s: float = 4 * INTERVALLE_S + 10) -> str:
    page.wait_for_function(
        "(avant) => { const e = document.querySelector('.kiosque-entete');"
        " return e && e.dataset.diapo !== avant; }", arg=actuelle, timeout=delai_s * 1000)
    return diapo_affichee(page)


def test_les_diapositives_changent_seules(ecran):
    page = ecran.page
    premiere = diapo_affichee(page)
    debut = time.monotonic()
    deuxieme = attendre_changement(page, premiere)
    milieu = time.monotonic()
    troisieme = attendre_changement(page, deuxieme)
    fin = time.monotonic()
    assert len({premiere, deuxieme, troisieme}) == 3
    ordre = list(DIAPOSITIVES)
    assert ordre.index(troisieme) == (ordre.index(deuxieme) + 1) % len(ordre)
    assert 0.5 * INTERVALLE_S <= fin - milieu <= 3 * INTERVALLE_S
    assert fin - debut <= 6 * INTERVALLE_S


def test_aucun_element_interactif_ni_barre_streamlit(ecran):
    page = ecran.page
    assert page.evaluate(JS_INTERACTIFS) == []
    for testid in ("stHeader", "stToolbar", "stSidebar", "stStatusWidget", "stMainMenu"):
        assert page.locator(f'[data-testid="{testid}"]:visible').count() == 0, testid
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in page.locator("body").inner_text()


def test_captures_de_chaque_diapositive_en_grands_caracteres(ecran):
    page = ecran.page
    vues: dict[str, Path] = {}
    limite = time.monotonic() + len(DIAPOSITIVES) * INTERVALLE_S * 3 + 30
    actuelle = diapo_affichee(page)
    while len(vues) < len(DIAPOSITIVES) and time.monotonic() < limite:
        if actuelle not in vues:
            attendre_fin_script(page)
            page.wait_for_timeout(300)  # images decoded, layout settled
            if diapo_affichee(page) != actuelle:  # changed meanwhile: take it on its next turn
                actuelle = diapo_affichee(page)
                continue
            assert page.locator(".kiosque-pied .kiosque-sources").first.inner_text().startswith(
                "Sources et date des données")
            assert page.locator(".kiosque-demo").count() == 1  # bundled ARCEP/INSEE data are demonstration
            tailles = page.evaluate(JS_TAILLES)
            petites = [t for t in tailles if t[2] < 28]
            assert not petites, f"{actuelle} : texte de moins de 28 px : {petites[:5]}"
            valeurs = [t for t in tailles if "kiosque-valeur" in t[1]]
            assert all(t[2] >= 64 for t in valeurs), valeurs
            hauteur = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
            assert hauteur <= TAILLE_ECRAN["height"], f"{actuelle} dépasse l'écran ({hauteur} px)"
            if actuelle == "fibre":
                page.wait_for_selector(".js-plotly-plot .main-svg", timeout=10_000)
            chemin = ARTEFACTS / f"kiosque-{DIAPOSITIVES.index(actuelle) + 1}-{actuelle}.png"
            page.screenshot(path=str(chemin))
            if diapo_affichee(page) != actuelle:  # changed during the capture: retake it next turn
                actuelle = diapo_affichee(page)
                continue
            vues[actuelle] = chemin
        actuelle = attendre_changement(page, actuelle)
    assert sorted(vues) == sorted(DIAPOSITIVES)
    assert page.locator(".kiosque-qr-coin img").count() == 1


def test_hors_ligne_et_sans_erreur_console(ecran):
    assert ecran.requetes_externes == []
    erreurs = [e for e in ecran.erreurs_console if "favicon" not in e]
    assert erreurs == []


def test_le_kiosque_survit_au_redemarrage_du_serveur(navigateur, tmp_path_factory):
    serveur = nouveau_serveur(tmp_path_factory, "kiosque-redemarrage")
    serveur.demarrer()
    onglet = ouvrir_onglet(navigateur)
    page = onglet.page
    try:
        page.set_viewport_size(TAILLE_ECRAN)
        page.goto(serveur.url)
        page.wait_for_selector(".kiosque-entete", timeout=60_000)
        page.evaluate("() => { window.__avant_redemarrage = true; }")
        serveur.arreter()
        page.wait_for_function(
            "() => document.querySelector('[data-testid=\"stApp\"]')?.dataset.testConnectionState !== 'CONNECTED'",
            timeout=30_000)
        time.sleep(5)  # the watchdog sees the server down at least once
        serveur.demarrer()
        # The watchdog reloads the page once the server answers again (a new document: the marker is gone) …
        page.wait_for_function("() => window.__avant_redemarrage === undefined", timeout=60_000)
        page.wait_for_selector(".kiosque-entete", timeout=60_000)
        attendre_fin_script(page)
        assert page.evaluate("() => sessionStorage.getItem('kiosque-raison')") == "serveur revenu"
        # … and the show goes on: data on screen, slides rotating, no error.
        actuelle = diapo_affichee(page)
        assert attendre_changement(page, actuelle) in DIAPOSITIVES
        assert page.locator(".kiosque-sources").count() == 1
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(ARTEFACTS / "kiosque-apres-redemarrage.png"))
    finally:
        onglet.fermer()
        serveur.arreter()
