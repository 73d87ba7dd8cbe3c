"""Benchmark: the project app (``app.py``) against a naive streamlit-folium app, in ONE run.

    .venv/bin/python bench/run.py                 # 5 cold starts per app, 8 scope changes each
    .venv/bin/python bench/run.py --readme        # ... and rewrite the results in bench/README.md
    .venv/bin/python bench/run.py --streamlit server.fileWatcherType=none   # a config variant

Both apps run the same way (``bench/chrono.py`` wrapping ``streamlit run``, project
``.streamlit/config.toml``, same Debian Chromium, repetitions interleaved so that machine
load hits both alike). Measured, see bench/README.md for the method:

(a) cold start: process start -> the 30 polygons drawn in Chromium;
(b) after a scope change: server-side script time (``bench/chrono.py``), rerun request ->
    ``script_finished`` on the WebSocket (Chromium DevTools timestamps), and click -> the new
    map and key figure visible (``performance.now()`` in the page);
(c) map payload: the streamlit-folium component message and the iframe's resources.
"""

from __future__ import annotations

import argparse
import base64
import compileall
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from playwright.sync_api import Browser, CDPSession, Page, sync_playwright
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from dashboard.ressources import installer_ressources

RACINE = Path(__file__).resolve().parents[1]
BENCH = RACINE / "bench"
RESULTATS = BENCH / "resultats"
README = BENCH / "README.md"
CHROMIUM = Path("/usr/bin/chromium")
ARGUMENTS_CHROMIUM = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
NB_POLYGONES = 30
DELAI_S = 60
# Scope changes, in turn, the same scopes in both apps: (the project's radio button « Périmètre »,
# the naive version's option in its drop-down list, expected « Communes » metric). The project's
# « Une commune » shows the first commune, Brandérion, until another one is picked.
CHANGEMENTS = [
    ("Blavet Bellevue Océan", "Blavet Bellevue Océan", 5),
    ("Lorient Agglomération", "Lorient Agglomération", 25),
    ("Une commune", "Commune : Brandérion", 1),
    ("Pays de Lorient (ensemble)", "Pays de Lorient (ensemble)", 30),
]
# Targets of issue 2 (item 10).
CIBLE_DEMARRAGE_S = 3.0
CIBLE_RATIO_DEMARRAGE = 1.5
CIBLE_VISIBLE_S = 0.5
CIBLE_SERVEUR_S = 0.15
CIBLE_CHARGE_KO = 250
MARQUE_DEBUT = "<!-- resultats:debut -->"
MARQUE_FIN = "<!-- resultats:fin -->"

# True once the streamlit-folium iframe draws at least ``n`` polygons.
# Checked at every animation frame; returns the browser's wall clock (ms since the epoch) of the
# first frame with ``n`` polygons, so that the end of measure (a) is dated by Chromium itself, not
# by this process when it hears of it (see :func:`instant_carte`).
JS_CARTE_DESSINEE = """(n) => [...document.querySelectorAll('iframe[src*="streamlit_folium"]')].some(f => {
    try { return f.contentDocument.querySelectorAll('path.leaflet-interactive').length >= n; }
    catch (e) { return false; }
}) && Date.now()"""

# Before a scope change: tag the polygons on screen, note the time of the pointer press on
# an option, then check every animation frame for the NEW map (30 untagged polygons) and
# the expected « Communes » metric; ``window.__bench.t1`` is the first frame showing both.
JS_PREPARER_CHANGEMENT = """(attendu) => {
    const cartes = () => [...document.querySelectorAll('iframe[src*="streamlit_folium"]')]
        .map(f => { try { return f.contentDocument; } catch (e) { return null; } }).filter(Boolean);
    for (const d of cartes()) d.querySelectorAll('path.leaflet-interactive').forEach(p => p.dataset.benchAncien = '1');
    const etat = window.__bench = {t0: null, t1: null};
    document.addEventListener('pointerdown', e => {
        const choix = '[role="option"], [data-testid="stSidebar"] [data-testid="stRadioOption"]';
        if (etat.t0 === null && e.target.closest(choix)) etat.t0 = performance.now();
    }, {capture: true});
    const valeurMetrique = () => {
        // An st.metric (naive version) or the key figures block of the project (<dl class="chiffres-cles">).
        const m = [...document.querySelectorAll('[data-testid="stMetric"]')].find(
            x => (x.querySelector('[data-testid="stMetricLabel"]')?.textContent || '').trim() === 'Communes');
        if (m) return (m.querySelector('[data-testid="stMetricValue"]')?.textContent || '').trim();
        const c = [...document.querySelectorAll('dl.chiffres-cles > div')].find(
            x => (x.querySelector('dt')?.textContent || '').trim() === 'Communes');
        return (c?.querySelector('dd')?.textContent || '').trim();
    };
    const verifier = () => {
        if (etat.t0 !== null) {
            const neufs = Math.max(0, ...cartes().map(d =>
                [...d.querySelectorAll('path.leaflet-interactive')].filter(p => !p.dataset.benchAncien).length));
            if (neufs === NB_POLYGONES && valeurMetrique() === String(attendu)) { etat.t1 = performance.now(); return; }
        }
        requestAnimationFrame(verifier);
    };
    requestAnimationFrame(verifier);
}""".replace("NB_POLYGONES", str(NB_POLYGONES))

JS_SCRIPT_TERMINE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.dataset.testScriptState === 'notRunning';
}"""


@dataclass(frozen=True)
class Application:
    nom: str
    libelle: str
    script: Path
    changements: bool = True  # has the « Périmètre » selector of measure (b)


@dataclass
class Espion:
    """Chromium DevTools (CDP) Network events: WebSocket frames and HTTP transfers."""

    cdp: CDPSession
    trames: list[dict] = field(default_factory=list)
    requetes: dict[str, dict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.cdp.send("Network.enable")
        self.cdp.on("Network.webSocketFrameSent", lambda e: self._trame(e, envoyee=True))
        self.cdp.on("Network.webSocketFrameReceived", lambda e: self._trame(e, envoyee=False))
        self.cdp.on("Network.requestWillBeSent", self._requete)
        self.cdp.on("Network.dataReceived", self._donnees)
        self.cdp.on("Network.loadingFinished", self._fin)

    def _trame(self, evenement: dict, envoyee: bool) -> None:
        reponse = evenement["response"]
        brut = base64.b64decode(reponse["payloadData"]) if reponse.get("opcode") == 2 else b""
        trame = {"t": evenement["timestamp"], "envoyee": envoyee, "octets": len(brut), "type": None}
        try:
            message = BackMsg() if envoyee else ForwardMsg()
            message.ParseFromString(brut)
            trame["type"] = message.WhichOneof("type")
            if not envoyee and trame["type"] == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                if element.WhichOneof("type") == "component_instance":
                    trame["composant"] = element.component_instance.component_name
                    trame["arguments_octets"] = len(element.component_instance.json_args.encode())
        except Exception:
            trame["type"] = "?"
        self.trames.append(trame)

    def _requete(self, e: dict) -> None:
        self.requetes[e["requestId"]] = {"url": e["request"]["url"], "transfere": 0, "corps": 0}

    def _donnees(self, e: dict) -> None:
        if e["requestId"] in self.requetes:
            self.requetes[e["requestId"]]["corps"] += e.get("dataLength", 0)

    def _fin(self, e: dict) -> None:
        if e["requestId"] in self.requetes:
            self.requetes[e["requestId"]]["transfere"] = e.get("encodedDataLength", 0)

    def charge_carte(self) -> dict:
        """Bytes of the map: component message(s) and the iframe's own resources."""
        composants = [t for t in self.trames if "folium" in (t.get("composant") or "")]
        ressources = [
            r for r in self.requetes.values()
            if "/component/streamlit_folium" in r["url"] or "/app/static/vendor/" in r["url"]
        ]
        message = composants[0]["octets"] if composants else 0
        transfere = sum(r["transfere"] for r in ressources)
        return {
            "message_composant_o": message,
            "arguments_composant_o": composants[0]["arguments_octets"] if composants else 0,
            "ressources_iframe_transferees_o": transfere,
            "ressources_iframe_decompressees_o": sum(r["corps"] for r in ressources),
            "ressources_iframe": sorted({re.sub(r"\?.*", "", r["url"].split("//", 1)[-1].split("/", 1)[-1])
                                         for r in ressources}),
            "total_carte_o": message + transfere,
        }

    def aller_retour(self, depuis: int) -> float | None:
        """Seconds from the first ``rerun_script`` sent after frame ``depuis`` to the next ``script_finished``."""
        debut = None
        for trame in self.trames[depuis:]:
            if debut is None and trame["envoyee"] and trame["type"] == "rerun_script":
                debut = trame["t"]
            elif debut is not None and not trame["envoyee"] and trame["type"] == "script_finished":
                return trame["t"] - debut
        return None


def port_libre() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sante(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as reponse:
            return reponse.status == 200
    except (urllib.error.URLError, OSError):
        return False


def lire_chrono(chemin: Path) -> list[dict]:
    if not chemin.exists():
        return []
    return [json.loads(ligne) for ligne in chemin.read_text(encoding="utf-8").splitlines() if ligne.strip()]


def cpu_processus(pid: int) -> float:
    """CPU time (user + system, seconds) used so far by process ``pid`` (Linux /proc)."""
    champs = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(champs[11]) + int(champs[12])) / os.sysconf("SC_CLK_TCK")


def cpu_machine() -> float:
    """CPU time (seconds, all processors) the whole machine has spent busy since boot (Linux
    /proc/stat: every state but idle and iowait). Chromium, the server, this bench and anything
    else: during a cold start the two processors are saturated, so this is what the start costs."""
    valeurs = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(valeurs) - valeurs[3] - valeurs[4]) / os.sysconf("SC_CLK_TCK")


def cpu_chromium(navigateur: Browser) -> float:
    """CPU time (seconds) of all of Chromium's processes (DevTools ``SystemInfo.getProcessInfo``)."""
    session = navigateur.new_browser_cdp_session()
    try:
        return sum(p["cpuTime"] for p in session.send("SystemInfo.getProcessInfo")["processInfo"])
    finally:
        session.detach()


def attendre_navigateur_au_repos(navigateur: Browser, fenetre_s: float = 0.25, seuil_s: float = 0.02,
                                 delai_s: float = 10.0) -> float:
    """Wait until Chromium's processes, together, spend less than ``seuil_s`` of CPU over
    ``fenetre_s``; return the seconds waited. A new browser context is not idle when Playwright
    hands it over: in the first second, Chromium 156 builds the omnibox pop-up of its own
    interface (``chrome://omnibox-popup.top-chrome/``, a WebUI page in a renderer of its own,
    even headless), ~1.4 s of CPU that has nothing to do with the page and used to be spent
    during measure (a), on two processors (measured: see README.md)."""
    debut = time.perf_counter()
    avant = cpu_chromium(navigateur)
    while time.perf_counter() - debut < delai_s:
        time.sleep(fenetre_s)
        apres = cpu_chromium(navigateur)
        if apres - avant < seuil_s:
            break
        avant = apres
    return time.perf_counter() - debut


def arreter(processus: subprocess.Popen) -> None:
    processus.terminate()
    try:
        processus.wait(timeout=15)
    except subprocess.TimeoutExpired:
        processus.kill()
        processus.wait(timeout=15)


def attendre(condition, message: str, delai_s: float = DELAI_S) -> None:
    limite = time.monotonic() + delai_s
    while not condition():
        if time.monotonic() > limite:
            raise TimeoutError(message)
        time.sleep(0.02)


def choisir(page: Page, libelle: str, boutons: bool) -> None:
    if boutons:  # the project: radio buttons in the sidebar
        # force: Streamlit draws its own circle over the visually hidden input; the pointer
        # lands on the button's label, like a person's click.
        page.locator('[data-testid="stSidebar"]').get_by_role("radio", name=libelle, exact=True).click(force=True)
        return
    page.get_by_role("combobox", name="Périmètre").click()  # the naive version: a drop-down list
    page.get_by_role("option", name=libelle, exact=True).click()


def changer_perimetre(page: Page, espion: Espion, chrono: Path, libelle: str, attendu: int,
                      boutons: bool = False) -> dict:
    """(b) one scope change: visible time, WebSocket round trip, server script time."""
    executions_avant, trames_avant = len(lire_chrono(chrono)), len(espion.trames)
    page.evaluate(JS_PREPARER_CHANGEMENT, attendu)
    choisir(page, libelle, boutons)
    page.wait_for_function("() => window.__bench.t1 !== null", timeout=DELAI_S * 1000)
    visible = page.evaluate("() => (window.__bench.t1 - window.__bench.t0) / 1000")
    page.wait_for_function(JS_SCRIPT_TERMINE, timeout=DELAI_S * 1000)
    page.wait_for_timeout(500)  # let follow-up reruns (component values sent back) happen and finish
    page.wait_for_function(JS_SCRIPT_TERMINE, timeout=DELAI_S * 1000)
    executions = lire_chrono(chrono)[executions_avant:]
    if not executions:
        raise RuntimeError(f"aucune exécution du script enregistrée après le choix « {libelle} »")
    return {
        "perimetre": libelle,
        "visible_s": visible,
        "aller_retour_s": espion.aller_retour(trames_avant),
        "serveur_s": executions[0]["duree_s"],
        "serveur_cpu_s": executions[0]["cpu_s"],
        "serveur_cpu_processus_s": executions[0]["cpu_processus_s"],
        "executions": len(executions),
        "serveur_total_s": sum(e["duree_s"] for e in executions),
    }


def instant_carte(page: Page, depart_mur: float) -> tuple[float, float]:
    """Wait for the 30 polygons; return (seconds from ``depart_mur`` (``time.time()`` taken with
    the start) to the frame that shows them, by Chromium's clock; the same, by this process's
    clock when Playwright reports it). The second adds the way back through the DevTools protocol
    and Playwright's driver, and whatever this process has to read first (network events of
    :class:`Espion`): on a loaded machine, up to tenths of a second, so (a) uses the first."""
    poignee = page.wait_for_function(JS_CARTE_DESSINEE, arg=NB_POLYGONES, polling="raf", timeout=DELAI_S * 1000)
    vu_ici = time.time()
    return poignee.json_value() / 1000 - depart_mur, vu_ici - depart_mur


def preparer_projet() -> None:
    """The project as ``make run`` starts it: static/vendor installed, the package's bytecode
    written (``make bytecode``: pip does as much for every installed library the three apps use)."""
    installer_ressources()
    compileall.compile_dir(str(RACINE / "src"), quiet=1)


def mesurer(app: Application, navigateur: Browser, dossier: Path, repetition: int, options: list[str],
            nb_changements: int, sans_prechauffage: bool = False, espion_au_demarrage: bool = False,
            sans_attente_navigateur: bool = False) -> dict:
    """One cold start of ``app`` (a), then, in a second fresh browser context on the same server,
    the map's payload (c) and ``nb_changements`` scope changes (b).

    (a) is timed without the DevTools Network domain: with it, Chromium reports every chunk of
    every download and every WebSocket frame to this process (through Playwright's driver), which
    decodes the frames; on two processors, that work competes with the page it times (measured:
    see README.md). The second context has an empty cache too, so (c) counts the same bytes as a
    first visit. ``espion_au_demarrage``: the former method, (a) and (c) on the same watched start.
    The clock starts once the new context is idle (:func:`attendre_navigateur_au_repos`), unless
    ``sans_attente_navigateur`` (the former method).
    """
    port = port_libre()
    chrono = dossier / f"chrono-{app.nom}-{repetition}.jsonl"
    journal = dossier / f"serveur-{app.nom}-{repetition}.log"
    env = {k: v for k, v in os.environ.items() if k != "DASHBOARD_DATA_DIR"}
    env |= {"BENCH_CHRONO": str(chrono), "BENCH_COMMUNES": str(RACINE / "data" / "reference" / "communes.geojson")}
    if app.nom == "projet":
        # The project is started the way ``make run`` starts it (``python -m dashboard.serveur``:
        # warm-up of the first page's imports once the server listens, see its module doc).
        env["BENCH_LANCEUR"] = "dashboard.serveur"
        if sans_prechauffage:
            env["DASHBOARD_PRECHAUFFAGE"] = "0"
    elif app.nom == "plancher":
        # Same launcher, warming up the floor app's own imports (folium) only.
        env |= {"BENCH_LANCEUR": "dashboard.serveur", "BENCH_MODULES": "folium,folium.plugins"}
    commande = [
        sys.executable, str(BENCH / "chrono.py"), "run", str(app.script),
        "--server.headless", "true", "--server.port", str(port), "--browser.gatherUsageStats", "false",
        *options,
    ]
    contexte = navigateur.new_context(locale="fr-FR", viewport={"width": 1400, "height": 1000})
    page = contexte.new_page()
    espion = Espion(contexte.new_cdp_session(page)) if espion_au_demarrage else None
    attente_navigateur = 0.0 if sans_attente_navigateur else attendre_navigateur_au_repos(navigateur)
    charge_avant = os.getloadavg()[0]
    with journal.open("w", encoding="utf-8") as sortie:
        t0, t0_mur, machine0 = time.perf_counter(), time.time(), cpu_machine()
        processus = subprocess.Popen(commande, cwd=RACINE, env=env, stdout=sortie, stderr=subprocess.STDOUT)
        try:
            attendre(lambda: sante(port) or processus.poll() is not None, f"{app.nom} : /_stcore/health muet")
            if processus.poll() is not None:
                raise RuntimeError(f"{app.nom} s'est arrêté :\n{journal.read_text(encoding='utf-8')[-3000:]}")
            t_sante = time.perf_counter() - t0
            page.goto(f"http://localhost:{port}/", wait_until="commit")
            t_carte, t_carte_vue_ici = instant_carte(page, t0_mur)
            cpu_serveur, cpu_toute_machine = cpu_processus(processus.pid), cpu_machine() - machine0
            page.wait_for_function(JS_SCRIPT_TERMINE, timeout=DELAI_S * 1000)
            page.wait_for_timeout(500)
            premiere = lire_chrono(chrono)[0]
            if espion is None:
                contexte.close()
                contexte = navigateur.new_context(locale="fr-FR", viewport={"width": 1400, "height": 1000})
                page = contexte.new_page()
                espion = Espion(contexte.new_cdp_session(page))
                page.goto(f"http://localhost:{port}/", wait_until="commit")
                page.wait_for_function(JS_CARTE_DESSINEE, arg=NB_POLYGONES, polling="raf", timeout=DELAI_S * 1000)
                page.wait_for_function(JS_SCRIPT_TERMINE, timeout=DELAI_S * 1000)
                page.wait_for_timeout(500)
                page.wait_for_function(JS_SCRIPT_TERMINE, timeout=DELAI_S * 1000)
            charge = espion.charge_carte()
            changements = []
            for k in range(nb_changements if app.changements else 0):
                bouton, option, attendu = CHANGEMENTS[k % len(CHANGEMENTS)]
                boutons = app.nom == "projet"
                changements.append(changer_perimetre(page, espion, chrono, bouton if boutons else option, attendu,
                                                     boutons))
        finally:
            contexte.close()
            arreter(processus)
    return {
        "application": app.nom,
        "repetition": repetition,
        "charge_systeme_1min": charge_avant,
        "attente_navigateur_s": attente_navigateur,
        "demarrage": {
            "total_s": t_carte,
            "total_vu_par_le_banc_s": t_carte_vue_ici,
            "sante_s": t_sante,
            "premier_script_s": premiere["duree_s"],
            "premier_script_cpu_s": premiere["cpu_s"],
            "apres_sante_s": t_carte - t_sante,
            "cpu_serveur_s": cpu_serveur,
            "cpu_machine_s": cpu_toute_machine,
        },
        "charge_carte": charge,
        "changements": changements,
    }


def resume(valeurs: list[float]) -> dict:
    valeurs = [v for v in valeurs if v is not None]
    if not valeurs:
        return {"n": 0, "mediane": None, "min": None, "max": None}
    return {"n": len(valeurs), "mediane": statistics.median(valeurs), "min": min(valeurs), "max": max(valeurs)}


def synthese(mesures: list[dict], app: str) -> dict:
    m = [x for x in mesures if x["application"] == app]
    ch = [c for x in m for c in x["changements"]]
    return {
        "demarrage_total_s": resume([x["demarrage"]["total_s"] for x in m]),
        "demarrage_total_vu_par_le_banc_s": resume([x["demarrage"].get("total_vu_par_le_banc_s") for x in m]),
        "demarrage_sante_s": resume([x["demarrage"]["sante_s"] for x in m]),
        "demarrage_cpu_serveur_s": resume([x["demarrage"]["cpu_serveur_s"] for x in m]),
        "demarrage_cpu_machine_s": resume([x["demarrage"].get("cpu_machine_s") for x in m]),
        "demarrage_premier_script_s": resume([x["demarrage"]["premier_script_s"] for x in m]),
        "demarrage_premier_script_cpu_s": resume([x["demarrage"]["premier_script_cpu_s"] for x in m]),
        "changement_visible_s": resume([c["visible_s"] for c in ch]),
        "changement_aller_retour_s": resume([c["aller_retour_s"] for c in ch]),
        "changement_serveur_s": resume([c["serveur_s"] for c in ch]),
        "changement_serveur_cpu_s": resume([c["serveur_cpu_s"] for c in ch]),
        "changement_serveur_cpu_processus_s": resume([c["serveur_cpu_processus_s"] for c in ch]),
        "changement_executions": resume([c["executions"] for c in ch]),
        "changement_serveur_total_s": resume([c["serveur_total_s"] for c in ch]),
        "carte_message_o": resume([x["charge_carte"]["message_composant_o"] for x in m]),
        "carte_arguments_o": resume([x["charge_carte"]["arguments_composant_o"] for x in m]),
        "carte_ressources_transferees_o": resume([x["charge_carte"]["ressources_iframe_transferees_o"] for x in m]),
        "carte_ressources_decompressees_o": resume([x["charge_carte"]["ressources_iframe_decompressees_o"] for x in m]),
        "carte_total_o": resume([x["charge_carte"]["total_carte_o"] for x in m]),
    }


def machine(navigateur: Browser) -> dict:
    modele = "?"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for ligne in f:
            if ligne.startswith("model name"):
                modele = ligne.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as f:
        memoire_ko = int(next(ligne for ligne in f if ligne.startswith("MemTotal")).split()[1])
    versions = {p: metadata.version(p) for p in
                ("streamlit", "streamlit-folium", "folium", "geopandas", "pandas", "pyogrio", "playwright")}
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "memoire_gio": round(memoire_ko / 1024 / 1024, 1),
        "processeur": modele,
        "systeme": platform.platform(),
        "python": platform.python_version(),
        "chromium": navigateur.version,
        **versions,
    }


def _f(valeur: float | None, unite: str) -> str:
    if valeur is None:
        return "n.d."
    if unite == "s":
        return f"{valeur:.3f} s".replace(".", ",")
    if unite == "ko":
        return f"{valeur / 1000:.1f} ko".replace(".", ",")
    return f"{valeur:g}"


def _g(valeur: float) -> str:
    return f"{valeur:g}".replace(".", ",")


def _x(rapport: float) -> str:
    """A ratio, to the thousandth (« 1,495× »: a target of 1,5× is met or missed by less than 0,005)."""
    return f"{rapport:.3f}×".replace(".", ",")


# Rows of the results table: (label, key of :func:`synthese`, unit).
LIGNES_RAPPORT = [
    ("(a) démarrage du processus → 30 polygones dessinés", "demarrage_total_s", "s"),
    ("… le même instant, quand le banc l'apprend (protocole DevTools, pilote de Playwright)",
     "demarrage_total_vu_par_le_banc_s", "s"),
    ("… temps CPU de toute la machine jusque-là (Chromium, serveur, banc)", "demarrage_cpu_machine_s", "s"),
    ("… dont démarrage → `/_stcore/health` répond", "demarrage_sante_s", "s"),
    ("… temps CPU du processus serveur jusque-là", "demarrage_cpu_serveur_s", "s"),
    ("… dont 1re exécution du script (durée murale)", "demarrage_premier_script_s", "s"),
    ("… dont 1re exécution du script (temps CPU du fil)", "demarrage_premier_script_cpu_s", "s"),
    ("(b) clic → nouvelle carte et chiffre visibles", "changement_visible_s", "s"),
    ("(b) script côté serveur (durée murale)", "changement_serveur_s", "s"),
    ("(b) script côté serveur (temps CPU du fil)", "changement_serveur_cpu_s", "s"),
    ("(b) idem, CPU de tout le processus serveur", "changement_serveur_cpu_processus_s", "s"),
    ("(b) `rerun_script` → `script_finished` (WebSocket)", "changement_aller_retour_s", "s"),
    ("(b) exécutions du script par changement", "changement_executions", ""),
    ("(c) message du composant carte (WebSocket)", "carte_message_o", "ko"),
    ("(c) … dont arguments JSON du composant", "carte_arguments_o", "ko"),
    ("(c) ressources de l'iframe (transférées)", "carte_ressources_transferees_o", "ko"),
    ("(c) ressources de l'iframe (décompressées)", "carte_ressources_decompressees_o", "ko"),
    ("(c) total carte (message + ressources transférées)", "carte_total_o", "ko"),
]


def _ligne(libelle: str, projet: dict, naif: dict, unite: str, plancher: dict | None = None) -> str:
    def cellule(r: dict | None) -> str:
        if not r or not r["n"]:
            return "–"
        return f"{_f(r['mediane'], unite)} ({_f(r['min'], unite)} – {_f(r['max'], unite)})"

    return f"| {libelle} | {cellule(projet)} | {cellule(naif)} | {cellule(plancher)} |"


def verdicts(s: dict) -> list[str]:
    p, n = s["projet"], s["naif"]
    lignes = []
    dp, dn = p["demarrage_total_s"]["mediane"], n["demarrage_total_s"]["mediane"]
    if dp is not None and dn is not None:
        ratio = dn / dp
        ok = dp <= CIBLE_DEMARRAGE_S and ratio >= CIBLE_RATIO_DEMARRAGE
        cp, cn = p["demarrage_cpu_serveur_s"]["mediane"], n["demarrage_cpu_serveur_s"]["mediane"]
        cpu = f" ; en temps CPU du serveur : {_x(cn / cp)}" if cp and cn else ""
        mp, mn = (x.get("demarrage_cpu_machine_s", {}).get("mediane") for x in (p, n))
        cpu += f", de toute la machine : {_x(mn / mp)}" if mp and mn else ""
        lignes.append(f"- (a) démarrage → carte : {_f(dp, 's')} (cible ≤ {CIBLE_DEMARRAGE_S:g} s), "
                      f"{_x(ratio)} plus rapide que la version naïve (cible ≥ {_x(CIBLE_RATIO_DEMARRAGE)}){cpu} : "
                      f"**{'atteinte' if ok else 'manquée'}**")
    v, sv = p["changement_visible_s"]["mediane"], p["changement_serveur_s"]["mediane"]
    if v is not None and sv is not None:
        ok = v <= CIBLE_VISIBLE_S and sv <= CIBLE_SERVEUR_S
        sc = p["changement_serveur_cpu_s"]["mediane"]
        lignes.append(f"- (b) changement de périmètre : visible {_f(v, 's')} (cible ≤ {_g(CIBLE_VISIBLE_S)} s), "
                      f"serveur {_f(sv, 's')} (cible ≤ {_g(CIBLE_SERVEUR_S)} s ; temps CPU du script "
                      f"{_f(sc, 's')}) : **{'atteinte' if ok else 'manquée'}**")
    f = s.get("plancher", {}).get("demarrage_total_s", {}).get("mediane")
    if f is not None and dn is not None:
        lignes.append(f"- plancher (titre + carte seuls, imports préchauffés) : {_f(f, 's')}, soit "
                      f"{_x(dn / f)} plus rapide que la version naïve : le rapport le plus élevé qu'une application "
                      f"streamlit-folium puisse atteindre ici (cible (a) : ≥ {_x(CIBLE_RATIO_DEMARRAGE)})")
    c = p["carte_total_o"]["mediane"]
    if c is not None:
        lignes.append(f"- (c) charge de la carte : {_f(c, 'ko')} (cible ≤ {CIBLE_CHARGE_KO} ko) : "
                      f"**{'atteinte' if c <= CIBLE_CHARGE_KO * 1000 else 'manquée'}**")
    return lignes


def rapport(resultat: dict) -> str:
    s, m = resultat["synthese"], resultat["machine"]
    p, n, f = s["projet"], s["naif"], s.get("plancher", {})
    lignes = [
        f"Mesuré le {resultat['date']} — {resultat['repetitions']} démarrages à froid par application, "
        f"{resultat['changements']} changements de périmètre par démarrage"
        + (f", options Streamlit : `{' '.join(resultat['options_streamlit'])}`"
           if resultat["options_streamlit"] else "")
        + (", application du projet **sans** préchauffage des imports (`--sans-prechauffage`)"
           if resultat.get("sans_prechauffage") else "")
        + (", réseau de Chromium observé pendant (a) (`--espion-au-demarrage`)"
           if resultat.get("espion_au_demarrage") else "")
        + (", chronomètre lancé sans attendre le repos de Chromium (`--sans-attente-navigateur`)"
           if resultat.get("sans_attente_navigateur") else "")
        + ".",
        "",
        f"Machine : {m['nproc']} processeurs ({m['processeur']}), {m['memoire_gio']} Gio de mémoire, "
        f"{m['systeme']} ; charge moyenne (1 min) {resultat['charge_systeme'][0]:.2f} au début, "
        f"{resultat['charge_systeme'][1]:.2f} à la fin. Python {m['python']}, Chromium {m['chromium']}, "
        f"streamlit {m['streamlit']}, streamlit-folium {m['streamlit-folium']}, folium {m['folium']}, "
        f"geopandas {m['geopandas']}, pandas {m['pandas']}, pyogrio {m['pyogrio']}, playwright {m['playwright']}.",
        "",
        "Médiane (min – max).",
        "",
        "| mesure | application du projet | version naïve | plancher (titre + carte) |",
        "|---|---|---|---|",
        # Rows measured since the results were written show « n.d. » (``--depuis`` an older file).
        *(_ligne(libelle, p.get(cle, resume([])), n.get(cle, resume([])), unite, f.get(cle))
          for libelle, cle, unite in LIGNES_RAPPORT),
        "",
        "Cibles (application du projet) :",
        "",
        *verdicts(s),
    ]
    return "\n".join(lignes)


def ecrire_readme(texte: str) -> None:
    contenu = README.read_text(encoding="utf-8")
    debut, fin = contenu.index(MARQUE_DEBUT), contenu.index(MARQUE_FIN)
    README.write_text(contenu[: debut + len(MARQUE_DEBUT)] + "\n" + texte + "\n" + contenu[fin:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repetitions", type=int, default=5, help="démarrages à froid par application (≥ 5)")
    parser.add_argument("--changements", type=int, default=8, help="changements de périmètre par démarrage")
    parser.add_argument("--streamlit", action="append", default=[], metavar="OPTION=VALEUR",
                        help="option Streamlit passée aux deux applications (ex. server.fileWatcherType=none)")
    parser.add_argument("--sans-prechauffage", action="store_true",
                        help="variante : lancer le projet sans le préchauffage des imports de son lanceur")
    parser.add_argument("--sans-plancher", action="store_true",
                        help="ne pas mesurer le plancher (bench/app_plancher.py : titre + carte seuls)")
    parser.add_argument("--espion-au-demarrage", action="store_true",
                        help="ancienne méthode : réseau de Chromium observé pendant (a) (voir README.md)")
    parser.add_argument("--sans-attente-navigateur", action="store_true",
                        help="ancienne méthode : chronomètre lancé sans attendre que le contexte neuf de Chromium "
                             "soit au repos (voir README.md)")
    parser.add_argument("--readme", action="store_true", help="réécrire la section des résultats de bench/README.md")
    parser.add_argument("--depuis", type=Path, metavar="RESULTATS_JSON",
                        help="ne rien mesurer : refaire le rapport d'une exécution précédente")
    args = parser.parse_args(argv)
    if args.depuis:
        texte = rapport(json.loads(args.depuis.read_text(encoding="utf-8")))
        print(texte)
        if args.readme:
            ecrire_readme(texte)
        return 0
    if not CHROMIUM.exists():
        print(f"Chromium introuvable ({CHROMIUM}) : sudo apt-get install chromium", file=sys.stderr)
        return 2
    options = []
    for option in args.streamlit:
        cle, _, valeur = option.partition("=")
        options += [f"--{cle}", valeur]

    preparer_projet()
    horodatage = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    dossier = RESULTATS / horodatage  # server logs and chrono files of this run (git-ignored)
    dossier.mkdir(parents=True)
    charge_debut = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-naif-") as temporaire:
        # The naive app runs from a folder with its own static/vendor (Streamlit serves the
        # "static" folder next to the main script).
        naif = Path(temporaire)
        shutil.copy2(BENCH / "app_naive.py", naif / "app_naive.py")
        shutil.copy2(BENCH / "app_plancher.py", naif / "app_plancher.py")
        shutil.copytree(RACINE / "static" / "vendor", naif / "static" / "vendor")
        applications = [
            Application("projet", "application du projet", RACINE / "app.py"),
            Application("naif", "version naïve", naif / "app_naive.py"),
            *([] if args.sans_plancher else
              [Application("plancher", "plancher", naif / "app_plancher.py", changements=False)]),
        ]
        mesures = []
        with sync_playwright() as playwright:
            navigateur = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGUMENTS_CHROMIUM)
            infos = machine(navigateur)
            for i in range(args.repetitions):
                ordre = applications[i % len(applications):] + applications[:i % len(applications)]
                for app in ordre:
                    mesure = mesurer(app, navigateur, dossier, i, options, args.changements, args.sans_prechauffage,
                                     args.espion_au_demarrage, args.sans_attente_navigateur)
                    d = mesure["demarrage"]
                    visibles = [c["visible_s"] for c in mesure["changements"]]
                    print(f"[{i + 1}/{args.repetitions}] {app.nom:8} démarrage {d['total_s']:.2f} s "
                          f"(santé {d['sante_s']:.2f} s, 1er script {d['premier_script_s']:.2f} s)"
                          + (f" ; changement visible médiane {statistics.median(visibles):.3f} s" if visibles else ""),
                          flush=True)
                    mesures.append(mesure)
            navigateur.close()
    resultat = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "repetitions": args.repetitions,
        "changements": args.changements,
        "options_streamlit": options,
        "sans_prechauffage": args.sans_prechauffage,
        "espion_au_demarrage": args.espion_au_demarrage,
        "sans_attente_navigateur": args.sans_attente_navigateur,
        "machine": infos,
        "charge_systeme": [charge_debut, os.getloadavg()[0]],
        "synthese": {app.nom: synthese(mesures, app.nom) for app in applications},
        "mesures": mesures,
    }
    (dossier / "resultats.json").write_text(json.dumps(resultat, indent=2, ensure_ascii=False), encoding="utf-8")
    texte = rapport(resultat)
    print("\n" + texte)
    if args.readme:
        ecrire_readme(texte)
    return 0


if __name__ == "__main__":
    sys.exit(main())
