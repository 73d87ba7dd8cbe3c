"""Security in a real browser and at HTTP level (plan §6.3: S-01…S-04, S-06, S-07, S-11).

The app runs on a temporary data folder: a copy of ``data/`` plus a new edition of
``mediation_numerique`` made by the official demonstration generator, whose place names,
addresses, communes and web sites are replaced by the canonical payload set P of §6.3,
imported through ``actualisation.importer_octets`` like any file. Then:

* « Lieux et tiers-lieux » and « Inclusion numérique » are opened; every place marker of
  every map is hovered and clicked. Pass = no dialog (``alert``) in any frame, every
  payload shown literally (tooltips, pop-ups, table cells), no injected element, no
  request to another host (``tracker.invalid``, ``phish.invalid``…), not even ``/x``;
* the hostile upload ``tests/fixtures/televersements/xss_charges.csv`` goes through the
  « Ajouter la liste locale des tiers-lieux » uploader under a hostile file name: same checks;
* with the upload session captured from the browser, raw HTTP requests (``requests``):
  an upload over ``server.maxUploadSize`` gets 413 (with and without ``Content-Length``),
  an upload without the XSRF token 403, hostile file names are accepted in memory and
  nothing is written anywhere; a WebSocket from another origin or Host is refused.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="paquet playwright absent : make install-test")

import requests
from playwright.sync_api import FrameLocator, Page, expect
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from dashboard.actualisation import importer_octets
from dashboard.demo.mediation_numerique import generer
from dashboard.magasin import Magasin
from dashboard.sources.mediation_numerique import FICHIER, SOURCE
from tests.fixtures.televersements.generer import CHARGES_XSS

from .conftest import ARTEFACTS, DELAI_DEMARRAGE_S, _fin_du_journal, _port_libre, _sante
from .outils import SELECTEUR_CARTE, attendre_fin_script, ouvrir_onglet

pytestmark = pytest.mark.navigateur

RACINE = Path(__file__).resolve().parents[2]
XSS_CSV = RACINE / "tests" / "fixtures" / "televersements" / "xss_charges.csv"
NOM_HOSTILE = "<img src=x onerror=alert(1)>.csv"
MARQUEURS = 'path.leaflet-interactive[d*="a"]'  # circle markers: arcs in their path
EXPANDEUR = "Ajouter la liste locale des tiers-lieux (CSV ou Excel)"
TAILLE_MAX_MO = 10  # server.maxUploadSize of .streamlit/config.toml
INJECTES = "img[src='x'], svg[onload], [onerror], [onload], a[href^='javascript'], a[href*='phish.invalid']"


# ------------------------------------------------------------------------------ fixtures
def ecrire_charges(texte: str) -> bytes:
    """The demonstration CSV with P in ``nom``, ``adresse``, ``commune`` and ``site_web``."""
    lecteur = csv.DictReader(io.StringIO(texte))
    lignes = list(lecteur)
    for i, ligne in enumerate(lignes):
        ligne["nom"] = CHARGES_XSS[i % len(CHARGES_XSS)]
        ligne["adresse"] = CHARGES_XSS[(i + 3) % len(CHARGES_XSS)]
        ligne["commune"] = CHARGES_XSS[(i + 5) % len(CHARGES_XSS)]
        ligne["site_web"] = CHARGES_XSS[(i + 7) % len(CHARGES_XSS)]
    sortie = io.StringIO()
    ecrivain = csv.DictWriter(sortie, fieldnames=lecteur.fieldnames, quoting=csv.QUOTE_ALL, lineterminator="\n")
    ecrivain.writeheader()
    ecrivain.writerows(lignes)
    return sortie.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def donnees_piegees(contexte, tmp_path_factory) -> Path:
    dossier = tmp_path_factory.mktemp("securite") / "data"
    shutil.copytree(RACINE / "data", dossier)
    bruts = {FICHIER: ecrire_charges(generer(contexte, 56)[FICHIER].decode("utf-8"))}
    manifeste = importer_octets(SOURCE, Magasin(dossier / "snapshots"), contexte, bruts, demo=True, forcer=True,
                                origine="tests de sécurité (charges XSS)")
    assert manifeste["lignes"] == 34 and manifeste["lignes_rejetees"] == 0
    return dossier


@pytest.fixture(scope="module")
def serveur_piege(chromium, donnees_piegees) -> Iterator[str]:
    """The production launcher (``python -m dashboard.serveur``, so a first request to
    ``/lieux`` opens that page) with ``DASHBOARD_DATA_DIR`` on the payload data; base URL."""
    ARTEFACTS.mkdir(exist_ok=True)
    journal = ARTEFACTS / "serveur-securite.log"
    port = _port_libre()
    env = {**os.environ, "DASHBOARD_DATA_DIR": str(donnees_piegees)}
    commande = [sys.executable, "-m", "dashboard.serveur", "--server.headless", "true",
                "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    with journal.open("w", encoding="utf-8") as sortie:
        processus = subprocess.Popen(commande, cwd=RACINE, env=env, stdout=sortie, stderr=subprocess.STDOUT)
        try:
            limite = time.monotonic() + DELAI_DEMARRAGE_S
            while not _sante(port):
                if processus.poll() is not None or time.monotonic() > limite:
                    pytest.fail("le serveur Streamlit (données piégées) ne démarre pas :\n" + _fin_du_journal(journal),
                                pytrace=False)
                time.sleep(0.1)
            yield f"http://localhost:{port}"
        finally:
            processus.terminate()
            try:
                processus.wait(timeout=15)
            except subprocess.TimeoutExpired:
                processus.kill()
                processus.wait(timeout=15)


class Surveillance:
    """Dialogs opened in any frame, and requests for an injected ``<img src=x>``."""

    def __init__(self, page: Page) -> None:
        self.dialogues: list[str] = []
        self.requetes_x: list[str] = []

        def dialogue(d) -> None:
            self.dialogues.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", dialogue)
        page.context.on("request", lambda r: self.requetes_x.append(r.url) if re.search(r"/x(\?|$)", r.url) else None)


@pytest.fixture
def onglet(navigateur, serveur_piege):
    onglet = ouvrir_onglet(navigateur)
    onglet.surveillance = Surveillance(onglet.page)
    yield onglet
    onglet.fermer()


# ------------------------------------------------------------------------------ helpers
def cadres_cartes(page: Page) -> list[FrameLocator]:
    """The streamlit-folium frames of the page, once each has drawn its layers.

    Frame locators, not frames: streamlit-folium may mount its iframe again while the
    page settles, and a locator finds the current one each time.
    """
    iframes = page.locator(SELECTEUR_CARTE)
    expect(iframes.first).to_be_attached(timeout=60_000)
    cadres = [page.frame_locator(SELECTEUR_CARTE).nth(i) for i in range(iframes.count())]
    for cadre in cadres:
        expect(cadre.locator("path.leaflet-interactive").first).to_be_attached(timeout=60_000)
    return cadres


def attendre_marqueurs(cadre: FrameLocator, minimum: int) -> None:
    limite = time.monotonic() + 60
    while cadre.locator(MARQUEURS).count() < minimum:
        assert time.monotonic() < limite, f"moins de {minimum} marqueurs sur la carte"
        time.sleep(0.2)


CARTE_JS = "Object.values(window).find(v => v instanceof L.Map)"


def remettre_la_vue(corps) -> None:
    corps.evaluate(f"""() => {{ const c = {CARTE_JS}; c.closePopup();
                                c.setView(window.__vue[0], window.__vue[1], {{animate: false}}); }}""")


def survoler_et_cliquer(page: Page, cadre: FrameLocator) -> list[tuple[str, str]]:
    """Hover and click every place marker; return (tooltip, pop-up) texts of each marker.

    First pass, the real mouse at the centre of each marker, as a person would (where
    markers overlap, the one on top gets the event). Second pass, ``mouseover`` and
    ``click`` sent to each marker's own element, so every marker's tooltip and pop-up is
    built and read, even under another one. The view is put back after each pop-up
    (Leaflet pans the map to show it).
    """
    corps = cadre.locator("body")
    corps.evaluate(f"() => {{ const c = {CARTE_JS}; window.__vue = [c.getCenter(), c.getZoom()]; }}")
    marqueurs = cadre.locator(MARQUEURS)
    for i in range(marqueurs.count()):
        marqueurs.nth(i).hover(force=True)
        marqueurs.nth(i).click(force=True)
        remettre_la_vue(corps)
    page.mouse.move(0, 0)  # leave the map: the commune under the mouse closes its tooltip
    expect(cadre.locator(".leaflet-tooltip")).to_have_count(0, timeout=5_000)
    vus = []
    for i in range(marqueurs.count()):
        marqueur = marqueurs.nth(i)
        marqueur.dispatch_event("mouseover")
        bulle = cadre.locator(".leaflet-tooltip").first
        expect(bulle).to_be_visible(timeout=5_000)
        infobulle = bulle.inner_text()
        marqueur.dispatch_event("mouseout")
        marqueur.dispatch_event("click")
        fenetre = cadre.locator(".leaflet-popup-content").first
        expect(fenetre).to_be_visible(timeout=5_000)
        vus.append((infobulle, fenetre.inner_text()))
        remettre_la_vue(corps)
    return vus


def champ(texte: str, libelle: str) -> str:
    """Value of the line « <libelle>\t<value> » of a folium tooltip or pop-up."""
    for ligne in texte.splitlines():
        if ligne.startswith(f"{libelle}\t"):
            return ligne.split("\t", 1)[1]
    raise AssertionError(f"pas de ligne « {libelle} » dans {texte!r}")


def cellules_du_tableau(page: Page, en_tete: str) -> list[str]:
    """Every cell of the ``st.dataframe`` whose first column is ``en_tete``, scrolling the grid
    (the accessible table behind the canvas holds only the visible rows)."""
    grille = page.locator('[data-testid="stDataFrame"]').filter(
        has=page.locator("th", has_text=re.compile(rf"^{re.escape(en_tete)}$"))).first
    grille.scroll_into_view_if_needed()
    grille.hover()
    cellules: set[str] = set()
    precedent, immobile = None, 0
    for _ in range(60):
        visibles = grille.locator("td").all_inner_texts()
        cellules.update(visibles)
        immobile = immobile + 1 if visibles == precedent else 0
        if immobile == 2:  # the end of the grid: two wheel turns without any change
            break
        precedent = visibles
        page.mouse.wheel(0, 250)
        page.wait_for_timeout(300)
    return sorted(cellules)


def aucun_element_injecte(page: Page) -> None:
    for cadre in page.frames:
        assert cadre.locator(INJECTES).count() == 0, f"élément injecté dans {cadre.url}"


def charges_absentes(textes: list[str], exactes: bool = False) -> list[str]:
    if exactes:
        return [c for c in CHARGES_XSS if c not in textes]
    tout = "\n".join(textes)
    return [c for c in CHARGES_XSS if c not in tout]


# ------------------------------------------------------------------------------ S-01…S-04
def test_s01_lieux_marqueurs_tableau_charges_litterales(onglet, serveur_piege):
    page = onglet.page
    page.goto(f"{serveur_piege}/lieux")
    attendre_fin_script(page)
    (cadre,) = cadres_cartes(page)
    attendre_marqueurs(cadre, 34)
    vus = survoler_et_cliquer(page, cadre)
    noms = [champ(infobulle, "Lieu") for infobulle, _ in vus]
    assert [champ(fenetre, "Lieu") for _, fenetre in vus] == noms  # each pop-up is its marker's
    # 34 places named P[i % 10]: each payload 3 or 4 times, character for character.
    assert Counter(n for n in noms if n in CHARGES_XSS) == {c: 4 if i < 4 else 3 for i, c in enumerate(CHARGES_XSS)}
    adresses = "\n".join(champ(fenetre, "Adresse") for _, fenetre in vus)
    assert charges_absentes([adresses]) == []
    cellules = cellules_du_tableau(page, "Lieu")
    assert charges_absentes(cellules, exactes=True) == []  # whole cells, character for character
    aucun_element_injecte(page)
    assert onglet.surveillance.dialogues == []
    assert onglet.surveillance.requetes_x == []
    assert onglet.requetes_externes == []


def test_s01_inclusion_aucun_dialogue(onglet, serveur_piege):
    page = onglet.page
    page.goto(f"{serveur_piege}/inclusion")
    attendre_fin_script(page)
    for cadre in cadres_cartes(page):
        survoler_et_cliquer(page, cadre)
    expect(page.locator("h1").first).to_have_text("Inclusion numérique")
    aucun_element_injecte(page)
    assert onglet.surveillance.dialogues == []
    assert onglet.surveillance.requetes_x == []
    assert onglet.requetes_externes == []


# ------------------------------------------------------------------------------ upload
@pytest.fixture(scope="module")
def televersement(navigateur, serveur_piege):
    """The payload CSV uploaded through the « liste locale » uploader under a hostile name;
    yields (tab, upload URL prefix of the session, headers, cookies) for the HTTP tests."""
    onglet = ouvrir_onglet(navigateur)
    onglet.surveillance = Surveillance(onglet.page)
    page = onglet.page
    page.goto(f"{serveur_piege}/lieux")
    attendre_fin_script(page)
    page.get_by_text(EXPANDEUR).click()
    with page.expect_request(lambda r: r.method == "PUT" and "/_stcore/upload_file/" in r.url) as envoi:
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            {"name": NOM_HOSTILE, "mimeType": "text/csv", "buffer": XSS_CSV.read_bytes()})
    requete = envoi.value
    expect(page.locator('[data-testid="stMetric"]').filter(has_text="Lignes lues")).to_be_visible(timeout=60_000)
    attendre_fin_script(page)
    session = re.search(r"(.*/_stcore/upload_file/[^/]+/)", requete.url).group(1)
    cookies = {c["name"]: c["value"] for c in onglet.contexte.cookies()}
    yield onglet, session, {"X-Xsrftoken": requete.headers["x-xsrftoken"]}, cookies
    onglet.fermer()


def test_s01_televersement_charges_litterales(televersement):
    onglet, _, _, _ = televersement
    page = onglet.page
    expandeur = page.locator('[data-testid="stExpander"]').filter(has_text=EXPANDEUR)
    metriques = expandeur.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert metriques == ["10", "10", "0", "0"]  # read, accepted, rejected, out of perimeter
    avis = expandeur.locator('[data-testid="stCaptionContainer"]').all_inner_texts()
    assert any(a.startswith(f"⚠ {NOM_HOSTILE}, colonne site_web : lien ignoré") for a in avis), avis
    assert charges_absentes(cellules_du_tableau(page, "nom"), exactes=True) == []
    assert charges_absentes(cellules_du_tableau(page, "Lieu"), exactes=True) == []  # added to the list
    aucun_element_injecte(page)
    assert onglet.surveillance.dialogues == []
    assert onglet.surveillance.requetes_x == []
    assert onglet.requetes_externes == []


# ------------------------------------------------------------------------------ S-06, S-07, S-11 (HTTP)
def corps_multipart(nom: str, taille: int, bloc: int = 1 << 20) -> Iterator[bytes]:
    """A multipart body streamed in blocks: ``requests`` sends it chunked, without Content-Length."""
    yield (f'--limite\r\nContent-Disposition: form-data; name="file"; filename="{nom}"\r\n'
           "Content-Type: text/csv\r\n\r\n").encode()
    for debut in range(0, taille, bloc):
        yield b"x" * min(bloc, taille - debut)
    yield b"\r\n--limite--\r\n"


def test_s07_televersement_trop_gros_refuse_413(televersement):
    _, session, entetes, cookies = televersement
    trop = (TAILLE_MAX_MO + 2) * 1024 * 1024
    reponse = requests.put(session + uuid.uuid4().hex, headers=entetes, cookies=cookies, timeout=60,
                           files={"file": ("gros.csv", b"x" * trop, "text/csv")})
    assert reponse.status_code == 413
    # Without Content-Length (chunked): the server counts while it reads and stops.
    reponse = requests.put(session + uuid.uuid4().hex, cookies=cookies, timeout=60,
                           headers={**entetes, "Content-Type": "multipart/form-data; boundary=limite"},
                           data=corps_multipart("gros.csv", trop))
    assert "Content-Length" not in reponse.request.headers
    assert reponse.status_code == 413
    # Just under the cap: accepted (the cap is the configured one, not a lower accident).
    reponse = requests.put(session + uuid.uuid4().hex, headers=entetes, cookies=cookies, timeout=60,
                           files={"file": ("juste.csv", b"x" * (TAILLE_MAX_MO * 1024 * 1024 - 4096), "text/csv")})
    assert reponse.status_code == 204


def test_s11_televersement_sans_jeton_xsrf_refuse_403(televersement):
    _, session, entetes, cookies = televersement
    reponse = requests.put(session + uuid.uuid4().hex, cookies=cookies, timeout=30,
                           files={"file": ("a.csv", b"nom\nx\n", "text/csv")})
    assert reponse.status_code == 403
    reponse = requests.put(session + uuid.uuid4().hex, headers=entetes, timeout=30,
                           files={"file": ("a.csv", b"nom\nx\n", "text/csv")})
    assert reponse.status_code == 403  # header without the matching cookie


def fichiers_marques(racines: list[Path], marque: str) -> list[str]:
    trouves = []
    for racine in racines:
        for dossier, sous_dossiers, fichiers in os.walk(racine):
            sous_dossiers[:] = [d for d in sous_dossiers if d not in (".venv", ".git", "node_modules")]
            trouves += [os.path.join(dossier, f) for f in fichiers + sous_dossiers if marque in f]
    return trouves


def empreinte_dossier(dossier: Path) -> dict[str, int]:
    return {str(p.relative_to(dossier)): p.stat().st_mtime_ns for p in sorted(dossier.rglob("*"))}


def test_s06_nom_de_fichier_traversant_rien_n_est_ecrit(televersement, donnees_piegees, tmp_path):
    _, session, entetes, cookies = televersement
    marque = f"traversee{uuid.uuid4().hex[:12]}"
    noms = [f"../../../../../../tmp/{marque}.csv", f"..\\..\\..\\{marque}.csv", f"/tmp/{marque}-abs.csv",
            f"a%00{marque}.csv", f"a\x00{marque}.csv", f"{marque}" + "x" * 4096 + ".csv",
            f"<img src=x onerror=alert(1)>{marque}.csv", f"../data/snapshots/{marque}.csv"]
    avant = empreinte_dossier(donnees_piegees)
    for nom in noms:
        reponse = requests.put(session + uuid.uuid4().hex, headers=entetes, cookies=cookies, timeout=30,
                               files={"file": (nom, b"nom;adresse\nx;y\n", "text/csv")})
        assert reponse.status_code == 204, (nom[:80], reponse.status_code)  # kept in memory, nowhere else
    cibles = [Path("/tmp") / f"{marque}.csv", Path("/tmp") / f"{marque}-abs.csv", Path(f"/{marque}.csv")]
    assert [c for c in cibles if c.exists()] == []
    assert fichiers_marques([RACINE, donnees_piegees.parent, Path("/tmp"), tmp_path], marque) == []
    assert empreinte_dossier(donnees_piegees) == avant


def ouvrir_websocket(port: int, hote: str, origine: str | None) -> str:
    """Open Streamlit's WebSocket through 127.0.0.1 with the given Host and Origin headers."""
    connexion = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        with connect(f"ws://{hote}:{port}/_stcore/stream", sock=connexion, origin=origine, open_timeout=10,
                     subprotocols=["streamlit"]):
            return "ouvert"
    except InvalidStatus as exc:
        return f"refusé {exc.response.status_code}"


def test_s11_websocket_d_une_autre_origine_ou_d_un_autre_hote_refuse(serveur_piege):
    port = int(serveur_piege.rsplit(":", 1)[1])
    assert ouvrir_websocket(port, "localhost", f"http://localhost:{port}") == "ouvert"  # the app itself
    assert ouvrir_websocket(port, "localhost", "https://evil.invalid") == "refusé 403"  # CORS
    assert ouvrir_websocket(port, "evil.invalid", f"http://evil.invalid:{port}") == "refusé 403"  # allowedHosts
    assert ouvrir_websocket(port, "evil.invalid", None) == "refusé 403"  # DNS rebinding without Origin
