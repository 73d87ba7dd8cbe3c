"""Timeline of one cold start, step by step: where the seconds of measure (a) go.

``python bench/chronologie.py [--repetitions 4]`` starts, in turn, the project, the naive
version and the floor (see README.md), opens each in Chromium and notes, on one clock
(``time.perf_counter``, the server's stopwatch uses the same monotonic clock): server health,
WebSocket opened, start and end of the first script run, the WebSocket frame carrying the map,
the request of the component iframe, and the 30 polygons drawn. Prints one JSON line per start
and the medians per application. Exploratory companion of ``bench/run.py`` (no README rewrite).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as banc  # bench/run.py: same Chromium, helpers and stopwatch

# Chromium's Performance.getMetrics (seconds of the renderer's main thread), read when the map is drawn.
METRIQUES = [("taches", "TaskDuration"), ("script", "ScriptDuration"), ("mise_en_page", "LayoutDuration"),
             ("styles", "RecalcStyleDuration")]
ETAPES = ["sante", "websocket", "script_debut", "script_fin", "trame_carte", "iframe_carte", "carte",
          "carte_vue_par_le_banc"]


def demarrer(nom: str, script: Path, navigateur, dossier: Path, k: int) -> dict:
    port = banc.port_libre()
    chrono = dossier / f"chrono-{nom}-{k}.jsonl"
    env = {c: v for c, v in os.environ.items() if c != "DASHBOARD_DATA_DIR"}
    env |= {"BENCH_CHRONO": str(chrono), "BENCH_COMMUNES": str(banc.RACINE / "data" / "reference" / "communes.geojson")}
    if nom == "projet":
        env["BENCH_LANCEUR"] = "dashboard.serveur"
    elif nom == "plancher":
        env |= {"BENCH_LANCEUR": "dashboard.serveur", "BENCH_MODULES": "folium,folium.plugins"}
    contexte = navigateur.new_context(locale="fr-FR", viewport={"width": 1400, "height": 1000})
    page = contexte.new_page()
    cdp = contexte.new_cdp_session(page)
    cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
    banc.attendre_navigateur_au_repos(navigateur)  # the new context's own set-up is not timed (see run.py)
    t: dict[str, float] = {}

    def websocket(ws) -> None:
        t.setdefault("websocket", time.perf_counter())

        def trame(contenu) -> None:
            octets = contenu if isinstance(contenu, bytes) else contenu.encode()
            if b"st_folium" in octets:
                t.setdefault("trame_carte", time.perf_counter())

        ws.on("framereceived", trame)

    page.on("websocket", websocket)
    page.on("request", lambda r: "streamlit_folium" in r.url and t.setdefault("iframe_carte", time.perf_counter()))
    commande = [sys.executable, str(banc.BENCH / "chrono.py"), "run", str(script), "--server.headless", "true",
                "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    with (dossier / f"serveur-{nom}-{k}.log").open("w", encoding="utf-8") as journal:
        t0, t0_mur = time.perf_counter(), time.time()
        processus = subprocess.Popen(commande, cwd=banc.RACINE, env=env, stdout=journal, stderr=subprocess.STDOUT)
        try:
            banc.attendre(lambda: banc.sante(port), f"{nom} : /_stcore/health muet")
            t["sante"] = time.perf_counter()
            page.goto(f"http://localhost:{port}/", wait_until="commit")
            carte, carte_vue_ici = banc.instant_carte(page, t0_mur)  # by Chromium's clock, and as heard here
            t["carte"], t["carte_vue_par_le_banc"] = t0 + carte, t0 + carte_vue_ici
            # Main-thread time of the page's renderer until then (JavaScript, layout, style…).
            metriques = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
            page.wait_for_function(banc.JS_SCRIPT_TERMINE, timeout=banc.DELAI_S * 1000)
            page.wait_for_timeout(300)
            premiere = banc.lire_chrono(chrono)[0]
        finally:
            contexte.close()
            banc.arreter(processus)
    t["script_debut"], t["script_fin"] = premiere["debut"], premiere["debut"] + premiere["duree_s"]
    return {"application": nom, **{e: round(t[e] - t0, 3) for e in ETAPES if e in t},
            "script_cpu": round(premiere["cpu_s"], 3),
            **{f"navigateur_{cle.lower()}": round(metriques.get(nom_cdp, 0.0), 3) for cle, nom_cdp in METRIQUES}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repetitions", type=int, default=4)
    parser.add_argument("--seulement", nargs="+", choices=["projet", "naif", "plancher"],
                        help="ne lancer que ces applications (variantes du projet comparées entre elles)")
    args = parser.parse_args(argv)
    banc.preparer_projet()
    resultats: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-chronologie-") as temporaire:
        dossier = Path(temporaire)
        for fichier in ("app_naive.py", "app_plancher.py"):
            shutil.copy2(banc.BENCH / fichier, dossier / fichier)
        shutil.copytree(banc.RACINE / "static" / "vendor", dossier / "static" / "vendor")
        applications = [("projet", banc.RACINE / "app.py"), ("naif", dossier / "app_naive.py"),
                        ("plancher", dossier / "app_plancher.py")]
        if args.seulement:
            applications = [a for a in applications if a[0] in args.seulement]
        with sync_playwright() as playwright:
            navigateur = playwright.chromium.launch(executable_path=str(banc.CHROMIUM), args=banc.ARGUMENTS_CHROMIUM)
            for k in range(args.repetitions):
                for nom, script in applications[k % len(applications):] + applications[:k % len(applications)]:
                    mesure = demarrer(nom, script, navigateur, dossier, k)
                    print(json.dumps(mesure, ensure_ascii=False), flush=True)
                    resultats.setdefault(nom, []).append(mesure)
            navigateur.close()
    for nom, mesures in resultats.items():
        cles = [*ETAPES, "script_cpu", *(f"navigateur_{c}" for c, _ in METRIQUES)]
        medianes = {e: round(statistics.median(m[e] for m in mesures if e in m), 3) for e in cles}
        print(f"médianes {nom} : {json.dumps(medianes, ensure_ascii=False)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
