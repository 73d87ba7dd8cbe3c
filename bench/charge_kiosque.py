"""Load test: the public screen (kiosk) + 30 phones opened from the QR code, on this machine.

    .venv/bin/python bench/charge_kiosque.py                 # 15 minutes, 30 phones (the target run)
    .venv/bin/python bench/charge_kiosque.py --duree 60      # 1-minute smoke run
    .venv/bin/python bench/charge_kiosque.py --readme        # ... and write the results in bench/README.md

What runs (the venue set-up, both on this machine, as documented in the README):
- the kiosk instance (``DASHBOARD_KIOSQUE=1``, ``make kiosque`` flags) with one screen whose
  slides rotate every ``intervalle_secondes`` of ``data/kiosque.toml`` (its watchdog polls
  ``/_stcore/health`` every 3 s, as the real page does);
- the interactive instance (``make run``) that the QR code leads to, with ``--telephones``
  sessions opened within ``--ouverture`` seconds, half on « Vue d'ensemble », half on
  « Couverture »; each first loads the page over HTTP (``/``, the JS/CSS bundle, host
  config, health) like a browser with an empty cache, then opens the WebSocket and, every
  ``--periode`` seconds (± 20 % jitter), changes the scope (the « Périmètre » radio buttons;
  for « Une commune », the commune too, in the « Commune » list).

Why a protocol-level client and not 31 Chromium pages: on 2 cores, 31 browser renderers
would take most of the CPU themselves and the measure would be the browsers', not the
server's. Each client here speaks Streamlit's own protocol (protobuf over the WebSocket:
``BackMsg.rerun_script`` with the widget state, then every ``ForwardMsg`` until
``script_finished``), exactly what the browser sends. What it does not do: draw the page
(the folium iframe and plotly run in each phone, not on the server).

Measured: rerun time = ``rerun_script`` sent → ``script_finished`` received (server work +
queueing + transfer), per interaction, and for every kiosk slide change; WebSocket
disconnects (any close before the end); server RSS every 10 s (``/proc/<pid>/status``)
and CPU. Targets (issue 6): p95 rerun ≤ 3 s, 0 disconnects, memory flat after warm-up.
Only loopback traffic; every loop is bounded by ``--duree``; the servers are stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates

RACINE = Path(__file__).resolve().parents[1]
RESULTATS = RACINE / "bench" / "resultats"
README = RACINE / "bench" / "README.md"
TITRE_SECTION = "## Charge : écran public + 30 téléphones"
MARQUE_DEBUT = "<!-- charge-kiosque:debut -->"
MARQUE_FIN = "<!-- charge-kiosque:fin -->"
CIBLE_P95_S = 3.0
ECHANTILLON_RSS_S = 10
PERIODE_SANTE_S = 3  # the kiosk page's watchdog
PAGES = {"vue-ensemble": "", "couverture": "couverture"}  # url path sent ("" = the default page)
# (« Périmètre » radio button, commune picked in the « Commune » list once that list has been seen)
PERIMETRES = (("Lorient Agglomération", None), ("Blavet Bellevue Océan", None), ("Une commune", "Hennebont"),
              ("Pays de Lorient (ensemble)", None))
DELAI_REPONSE_S = 120
SUCCES = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


@dataclass
class Mesures:
    """What every client appends to (single event loop: no lock needed)."""

    reruns: list[dict] = field(default_factory=list)  # {client, genre, duree_s, t, statut}
    deconnexions: list[str] = field(default_factory=list)
    erreurs: list[str] = field(default_factory=list)  # exceptions shown by the app, failed runs
    chargements_http_s: list[float] = field(default_factory=list)


# --------------------------------------------------------------------------- servers
def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sante(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def demarrer_serveur(nom: str, port: int, kiosque: bool, journal: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("DASHBOARD_KIOSQUE", "DASHBOARD_DATA_DIR")}
    options = ["--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    if kiosque:
        env["DASHBOARD_KIOSQUE"] = "1"
        options += ["--client.toolbarMode", "minimal", "--client.showErrorDetails", "none"]
    sortie = journal.open("w", encoding="utf-8")
    processus = subprocess.Popen([sys.executable, "-m", "dashboard.serveur", *options], cwd=RACINE, env=env,
                                 stdout=sortie, stderr=subprocess.STDOUT, start_new_session=True)
    limite = time.monotonic() + 90
    while not sante(port):
        if processus.poll() is not None or time.monotonic() > limite:
            arreter(processus)
            raise SystemExit(f"le serveur {nom} ne démarre pas, voir {journal}")
        time.sleep(0.2)
    return processus


def arreter(processus: subprocess.Popen) -> None:
    if processus.poll() is None:
        processus.send_signal(signal.SIGTERM)
        try:
            processus.wait(timeout=20)
        except subprocess.TimeoutExpired:
            processus.kill()
            processus.wait(timeout=20)


def rss_mo(pid: int) -> float | None:
    try:
        texte = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    trouve = re.search(r"^VmRSS:\s+(\d+) kB", texte, flags=re.MULTILINE)
    return int(trouve.group(1)) / 1024 if trouve else None


def cpu_s(pid: int) -> float | None:
    try:
        champs = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(champs[11]) + int(champs[12])) / os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- protocol client
class Session:
    """One browser tab, at the protocol level."""

    def __init__(self, nom: str, port: int, mesures: Mesures, page: str = "") -> None:
        self.nom, self.port, self.mesures, self.page = nom, port, mesures, page
        self.ws = None
        self.widgets: dict[str, str] = {}  # label → widget id
        self.options: dict[str, list[str]] = {}
        self.hash_page = ""
        self.fragment: tuple[str, float] | None = None  # (fragment id, interval s) of an auto-rerun
        self.ferme_volontairement = False

    async def ouvrir(self) -> None:
        self.ws = await websockets.connect(
            f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"],
            origin=f"http://127.0.0.1:{self.port}", max_size=None, open_timeout=30, ping_interval=20,
            ping_timeout=60)

    def _etat(self, widgets: list[WidgetState] | None = None, fragment: str = "") -> BackMsg:
        etat = ClientState(query_string="", page_script_hash=self.hash_page,
                           page_name="" if self.hash_page else self.page,
                           widget_states=WidgetStates(widgets=widgets or []))
        if fragment:
            etat.fragment_id = fragment
            etat.is_auto_rerun = True
        return BackMsg(rerun_script=etat)

    def _lire(self, message: ForwardMsg) -> int | None:
        genre = message.WhichOneof("type")
        if genre == "new_session":
            self.hash_page = message.new_session.page_script_hash or self.hash_page
        elif genre == "navigation":
            self.hash_page = message.navigation.page_script_hash or self.hash_page
        elif genre == "auto_rerun":
            self.fragment = (message.auto_rerun.fragment_id, message.auto_rerun.interval)
        elif genre == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            type_element = element.WhichOneof("type")
            if type_element == "selectbox":
                self.widgets[element.selectbox.label] = element.selectbox.id
                self.options[element.selectbox.label] = list(element.selectbox.options)
            elif type_element == "radio":
                self.widgets[element.radio.label] = element.radio.id
                self.options[element.radio.label] = list(element.radio.options)
            elif type_element == "exception":
                self.mesures.erreurs.append(f"{self.nom} : exception {element.exception.type}")
        elif genre == "script_finished":
            return message.script_finished
        return None

    async def executer(self, genre: str, message: BackMsg) -> float | None:
        """Send one rerun request and wait for its ``script_finished``; return the duration."""
        debut = time.perf_counter()
        await self.ws.send(message.SerializeToString())
        while True:
            donnees = await asyncio.wait_for(self.ws.recv(), timeout=DELAI_REPONSE_S)
            reponse = ForwardMsg()
            reponse.ParseFromString(donnees)
            statut = self._lire(reponse)
            if statut is None:
                continue
            duree = time.perf_counter() - debut
            nom_statut = ForwardMsg.ScriptFinishedStatus.Name(statut)
            self.mesures.reruns.append({"client": self.nom, "page": self.page or "vue-ensemble", "genre": genre,
                                        "duree_s": duree, "t": time.time(), "statut": nom_statut})
            if statut not in SUCCES:
                self.mesures.erreurs.append(f"{self.nom} : {genre} terminé par {nom_statut}")
            return duree

    def perimetre(self, numero: int) -> BackMsg | None:
        identifiant = self.widgets.get("Périmètre")
        if identifiant is None:
            return None
        choix, commune = PERIMETRES[numero % len(PERIMETRES)]
        etats = [WidgetState(id=identifiant, string_value=choix)]
        if commune is not None and "Commune" in self.widgets:
            etats.append(WidgetState(id=self.widgets["Commune"], string_value=commune))
        return self._etat(etats)

    async def fermer(self) -> None:
        self.ferme_volontairement = True
        if self.ws is not None:
            await self.ws.close()


def charger_page_http(port: int) -> float:
    """What a browser with an empty cache fetches before the WebSocket (blocking; run in a thread)."""
    debut = time.perf_counter()
    base = f"http://127.0.0.1:{port}"
    with urllib.request.urlopen(base + "/", timeout=60) as r:  # noqa: S310 — loopback http only
        index = r.read().decode("utf-8", errors="replace")
    ressources = re.findall(r'(?:src|href)="(\./static/[^"]+|/static/[^"]+|static/[^"]+)"', index)
    for chemin in ["/_stcore/health", "/_stcore/host-config", *ressources]:
        url = base + "/" + chemin.lstrip("./")
        with urllib.request.urlopen(url, timeout=60) as r:  # noqa: S310 — loopback http only
            r.read()
    return time.perf_counter() - debut


async def telephone(numero: int, port: int, mesures: Mesures, debut_s: float, fin: float, periode_s: float,
                    alea: random.Random, pages: list[str]) -> None:
    page = PAGES[pages[numero % len(pages)]]
    session = Session(f"telephone-{numero:02d}", port, mesures, page)
    await asyncio.sleep(debut_s)
    try:
        duree_http = await asyncio.to_thread(charger_page_http, port)
        mesures.chargements_http_s.append(duree_http)
        await session.ouvrir()
        await session.executer("ouverture", session._etat())
        tour = 0
        while True:
            attente = periode_s * alea.uniform(0.8, 1.2)
            if time.monotonic() + attente >= fin:
                break
            await asyncio.sleep(attente)
            message = session.perimetre(tour + numero)
            if message is None:
                mesures.erreurs.append(f"{session.nom} : sélecteur « Périmètre » introuvable")
                break
            await session.executer("interaction", message)
            tour += 1
    except websockets.ConnectionClosed as exc:
        mesures.deconnexions.append(f"{session.nom} : {exc!r}")
    except (TimeoutError, OSError) as exc:
        mesures.erreurs.append(f"{session.nom} : {exc!r}")
    finally:
        await session.fermer()


async def ecran(port: int, mesures: Mesures, fin: float) -> None:
    """The kiosk screen: initial run, then the fragment auto-reruns the page asks for."""
    session = Session("ecran", port, mesures)
    try:
        mesures.chargements_http_s.append(await asyncio.to_thread(charger_page_http, port))
        await session.ouvrir()
        await session.executer("ecran-ouverture", session._etat())
        if session.fragment is None:
            mesures.erreurs.append("écran : aucune rotation automatique demandée (auto_rerun absent)")
            return
        identifiant, intervalle = session.fragment
        prochaine = time.monotonic() + intervalle
        while prochaine < fin:
            await asyncio.sleep(max(0.0, prochaine - time.monotonic()))
            await session.executer("ecran-diapositive", session._etat(fragment=identifiant))
            prochaine += intervalle
    except websockets.ConnectionClosed as exc:
        mesures.deconnexions.append(f"écran : {exc!r}")
    except (TimeoutError, OSError) as exc:
        mesures.erreurs.append(f"écran : {exc!r}")
    finally:
        await session.fermer()


async def veille(port: int, fin: float, mesures: Mesures) -> None:
    """The kiosk page's watchdog: GET /_stcore/health every 3 s."""
    while time.monotonic() < fin:
        if not await asyncio.to_thread(sante, port):
            mesures.erreurs.append("écran : /_stcore/health sans réponse")
        await asyncio.sleep(PERIODE_SANTE_S)


async def echantillonner(pids: dict[str, int], fin: float, releves: list[dict]) -> None:
    while True:
        charge = float(Path("/proc/loadavg").read_text().split()[0])
        releves.append({"t": time.time(), "charge_1min": charge, **{f"rss_{n}_mo": rss_mo(p) for n, p in pids.items()},
                        **{f"cpu_{n}_s": cpu_s(p) for n, p in pids.items()}})
        if time.monotonic() >= fin:
            return
        await asyncio.sleep(min(ECHANTILLON_RSS_S, max(0.0, fin - time.monotonic())))


async def scenario(args, port_ecran: int, port_app: int, pids: dict[str, int]) -> tuple[Mesures, list[dict]]:
    mesures, releves = Mesures(), []
    debut = time.monotonic()
    fin = debut + args.duree
    alea = random.Random(args.graine)
    departs = sorted(alea.uniform(0, args.ouverture) for _ in range(args.telephones))
    taches = [asyncio.create_task(ecran(port_ecran, mesures, fin)),
              asyncio.create_task(veille(port_ecran, fin, mesures)),
              asyncio.create_task(echantillonner(pids, fin, releves))]
    taches += [asyncio.create_task(telephone(i, port_app, mesures, d, fin, args.periode,
                                             random.Random(args.graine + i), args.pages.split(",")))
               for i, d in enumerate(departs)]
    await asyncio.wait_for(asyncio.gather(*taches), timeout=args.duree + 2 * DELAI_REPONSE_S)
    return mesures, releves


# --------------------------------------------------------------------------- analysis
def centile(valeurs: list[float], q: float) -> float | None:
    if not valeurs:
        return None
    if len(valeurs) == 1:
        return valeurs[0]
    return statistics.quantiles(valeurs, n=100, method="inclusive")[int(q) - 1]


def memoire(releves: list[dict], cle: str, echauffement_s: float) -> dict:
    """RSS after warm-up: first and last minute medians, slope (MB/min, least squares), max."""
    t0 = releves[0]["t"]
    points = [(r["t"] - t0, r[cle]) for r in releves if r.get(cle) is not None and r["t"] - t0 >= echauffement_s]
    if len(points) < 3:
        return {"echantillons": len(points)}
    xs, ys = [p[0] / 60 for p in points], [p[1] for p in points]
    pente = statistics.linear_regression(xs, ys).slope
    debut = statistics.median([y for x, y in zip(xs, ys, strict=True) if x <= xs[0] + 1])
    fin = statistics.median([y for x, y in zip(xs, ys, strict=True) if x >= xs[-1] - 1])
    return {"echantillons": len(points), "debut_mo": round(debut, 1), "fin_mo": round(fin, 1),
            "max_mo": round(max(ys), 1), "pente_mo_par_min": round(pente, 2),
            "plate": abs(fin - debut) <= max(0.05 * debut, 10) and abs(pente) <= 1.0}


def analyser(args, mesures: Mesures, releves: list[dict]) -> dict:
    def durees(*genres: str, page: str | None = None) -> list[float]:
        return [r["duree_s"] for r in mesures.reruns if r["genre"] in genres and page in (None, r["page"])]

    resume = {}
    for page in ("vue-ensemble", "couverture"):
        valeurs = durees("interaction", page=page)
        resume[f"interactions-{page}"] = {"n": len(valeurs), "p50_s": centile(valeurs, 50),
                                          "p95_s": centile(valeurs, 95), "max_s": max(valeurs) if valeurs else None}
    for nom, genres in (("interactions", ("interaction",)), ("ouvertures", ("ouverture",)),
                        ("ecran", ("ecran-diapositive",)), ("tous", ("interaction", "ouverture", "ecran-diapositive",
                                                                     "ecran-ouverture"))):
        valeurs = durees(*genres)
        resume[nom] = {"n": len(valeurs), "p50_s": centile(valeurs, 50), "p95_s": centile(valeurs, 95),
                       "max_s": max(valeurs) if valeurs else None}
    echauffement = min(120.0, args.duree / 4)
    duree_cpu = releves[-1]["t"] - releves[0]["t"] if len(releves) > 1 else 0
    cpu = {n: round((releves[-1][f"cpu_{n}_s"] - releves[0][f"cpu_{n}_s"]) / duree_cpu * 100, 1)
           for n in ("ecran", "app") if duree_cpu and releves[-1].get(f"cpu_{n}_s") is not None}
    p95 = resume["tous"]["p95_s"]
    resultat = {
        "parametres": {k: v for k, v in vars(args).items() if k != "readme"},
        "machine": {"coeurs": os.cpu_count(), "python": sys.version.split()[0]},
        "reruns": resume,
        "deconnexions": mesures.deconnexions,
        "erreurs": mesures.erreurs,
        "chargement_http": {"n": len(mesures.chargements_http_s),
                            "p95_s": centile(mesures.chargements_http_s, 95)},
        "memoire": {n: memoire(releves, f"rss_{n}_mo", echauffement) for n in ("ecran", "app")},
        "cpu_moyen_pourcent": cpu,
        "charge_machine": {"moyenne": round(statistics.mean(r["charge_1min"] for r in releves), 2),
                           "max": max(r["charge_1min"] for r in releves)},
        "echauffement_s": echauffement,
    }
    resultat["cibles"] = {
        "p95_rerun_inferieur_3_s": p95 is not None and p95 <= CIBLE_P95_S,
        "zero_deconnexion": not mesures.deconnexions,
        "memoire_plate": all(m.get("plate", False) for m in resultat["memoire"].values()),
        "aucune_erreur": not mesures.erreurs,
    }
    return resultat


def fmt(valeur: float | None) -> str:
    return "—" if valeur is None else f"{valeur:.2f}".replace(".", ",")


def tableau_markdown(r: dict) -> str:
    p = r["parametres"]
    lignes = [
        f"Mesure du {r['date']} : {p['telephones']} téléphones (pages {p['pages']}) ouverts en "
        f"{p['ouverture']:g} s, une interaction "
        f"toutes les ~{p['periode']:g} s pendant {p['duree'] / 60:.4g} min, écran public (une diapositive toutes les "
        f"{r['intervalle_ecran_s']:g} s) ; {r['machine']['coeurs']} cœurs, Python {r['machine']['python']}.",
        "",
        "| mesure | n | médiane (s) | p95 (s) | max (s) |",
        "|---|---|---|---|---|",
    ]
    for nom, libelle in (("interactions-vue-ensemble", "changement de périmètre — page Vue d'ensemble"),
                         ("interactions-couverture", "changement de périmètre — page Couverture"),
                         ("interactions", "changement de périmètre (téléphones, les deux pages)"),
                         ("ouvertures", "ouverture de page (téléphones)"),
                         ("ecran", "changement de diapositive (écran)"), ("tous", "**toutes exécutions**")):
        m = r["reruns"][nom]
        lignes.append(f"| {libelle} | {m['n']} | {fmt(m['p50_s'])} | {fmt(m['p95_s'])} | {fmt(m['max_s'])} |")
    lignes += ["", "| serveur | RSS après échauffement : début → fin (Mo) | pente (Mo/min) | max (Mo) | CPU moyen |",
               "|---|---|---|---|---|"]
    for nom, libelle in (("app", "tableau de bord (téléphones)"), ("ecran", "écran public")):
        m = r["memoire"][nom]
        lignes.append(f"| {libelle} | {fmt(m.get('debut_mo'))} → {fmt(m.get('fin_mo'))} | "
                      f"{fmt(m.get('pente_mo_par_min'))} | {fmt(m.get('max_mo'))} | "
                      f"{fmt(r['cpu_moyen_pourcent'].get(nom))} % |")
    c = r["cibles"]
    lignes += ["", f"Charge de la machine pendant la mesure (load average 1 min, {r['machine']['coeurs']} cœurs) : "
               f"moyenne {fmt(r['charge_machine']['moyenne'])}, max {fmt(r['charge_machine']['max'])}."]
    lignes += ["", f"Déconnexions WebSocket : **{len(r['deconnexions'])}** ; erreurs : **{len(r['erreurs'])}** ; "
               f"chargement HTTP initial (p95) : {fmt(r['chargement_http']['p95_s'])} s.", "",
               "Cibles : p95 ≤ 3 s " + ("✅" if c["p95_rerun_inferieur_3_s"] else "❌")
               + " · 0 déconnexion " + ("✅" if c["zero_deconnexion"] else "❌")
               + " · mémoire plate après échauffement " + ("✅" if c["memoire_plate"] else "❌")
               + " · aucune erreur " + ("✅" if c["aucune_erreur"] else "❌")]
    return "\n".join(lignes)


def ecrire_readme(bloc: str) -> None:
    texte = README.read_text(encoding="utf-8") if README.exists() else "# Bancs d'essai\n"
    contenu = f"{MARQUE_DEBUT}\n{bloc}\n{MARQUE_FIN}"
    if MARQUE_DEBUT in texte and MARQUE_FIN in texte:
        avant, reste = texte.split(MARQUE_DEBUT, 1)
        texte = avant + contenu + reste.split(MARQUE_FIN, 1)[1]
    else:
        texte = texte.rstrip("\n") + f"\n\n{TITRE_SECTION}\n\n{contenu}\n"
    README.write_text(texte, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duree", type=float, default=900, help="durée de la phase de charge, en s (900)")
    parser.add_argument("--telephones", type=int, default=30, help="sessions « téléphone » (30)")
    parser.add_argument("--ouverture", type=float, default=5, help="fenêtre d'ouverture des téléphones, en s (5)")
    parser.add_argument("--periode", type=float, default=15, help="une interaction toutes les ~N s (15)")
    parser.add_argument("--pages", default="vue-ensemble,couverture",
                        help="pages des téléphones, réparties à tour de rôle (vue-ensemble,couverture)")
    parser.add_argument("--graine", type=int, default=6, help="graine du hasard (décalages)")
    parser.add_argument("--readme", action="store_true", help="écrire le résultat dans bench/README.md")
    args = parser.parse_args()
    if not (10 <= args.duree <= 3600 and 1 <= args.telephones <= 200):
        parser.error("durée entre 10 et 3600 s, 1 à 200 téléphones")
    if not set(args.pages.split(",")) <= set(PAGES):
        parser.error(f"pages possibles : {', '.join(PAGES)}")

    from dashboard.parametres_kiosque import charger_parametres_kiosque
    from dashboard.ressources import installer_ressources

    installer_ressources()  # static/vendor, as `make install` does (outside data/)
    horodatage = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    dossier = RESULTATS / f"{horodatage}-charge-kiosque"
    dossier.mkdir(parents=True, exist_ok=True)
    port_ecran, port_app = port_libre(), port_libre()
    serveurs = {}
    try:
        serveurs["ecran"] = demarrer_serveur("écran", port_ecran, True, dossier / "serveur-ecran.log")
        serveurs["app"] = demarrer_serveur("tableau de bord", port_app, False, dossier / "serveur-app.log")
        pids = {n: p.pid for n, p in serveurs.items()}
        print(f"écran sur :{port_ecran}, tableau de bord sur :{port_app} ; {args.telephones} téléphones, "
              f"{args.duree:g} s…", file=sys.stderr)
        mesures, releves = asyncio.run(scenario(args, port_ecran, port_app, pids))
    finally:
        for processus in serveurs.values():
            arreter(processus)
    resultat = analyser(args, mesures, releves)
    resultat["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    resultat["intervalle_ecran_s"] = charger_parametres_kiosque().intervalle_s
    (dossier / "resultats.json").write_text(json.dumps(resultat, indent=2, ensure_ascii=False), encoding="utf-8")
    (dossier / "reruns.jsonl").write_text("\n".join(json.dumps(r) for r in mesures.reruns), encoding="utf-8")
    (dossier / "memoire.jsonl").write_text("\n".join(json.dumps(r) for r in releves), encoding="utf-8")
    bloc = tableau_markdown(resultat)
    print(bloc)
    print(f"\nDétails : {dossier.relative_to(RACINE)}", file=sys.stderr)
    if args.readme:
        ecrire_readme(bloc)
    sys.exit(0 if all(resultat["cibles"].values()) else 1)


if __name__ == "__main__":
    main()
