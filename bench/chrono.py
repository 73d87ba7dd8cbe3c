"""Launch ``streamlit`` with a stopwatch around each script run (bench only, no app change).

Usage: ``python bench/chrono.py run APP.py [streamlit options]`` with the environment
variable ``BENCH_CHRONO`` naming a file: every script run appends one JSON line
``{"debut": t0, "duree_s": d, "cpu_s": c, "succes": bool}`` where ``d`` is the wall time of the
user script itself (``perf_counter`` around Streamlit's ``exec_func_with_error_handling``,
the call that executes the page script in ``ScriptRunner._run_script``). ``c`` is the
CPU time of the script thread over the same span (``d - c`` = time spent waiting: GIL,
other processes). It excludes Streamlit's own preparation and the network, and works
the same for any app.

With ``BENCH_LANCEUR=dashboard.serveur`` the project's launcher prepares the server first
(what ``python -m dashboard.serveur`` does: see that module), so the project is measured
as ``make run`` starts it.

With ``BENCH_PROFIL=prefix`` each run is also profiled (``cProfile`` timed on the
thread CPU clock, so other processes do not distort it; one file per run).

This patches a private Streamlit function: if a Streamlit upgrade renames it, the
launcher fails loudly at start rather than measuring nothing.
"""

from __future__ import annotations

import cProfile
import json
import os
import sys
import threading
import time

_VERROU = threading.Lock()


def _installer_chrono(fichier: str) -> None:
    from streamlit.runtime.scriptrunner import script_runner

    if not hasattr(script_runner, "exec_func_with_error_handling"):
        raise SystemExit("chrono : streamlit.runtime.scriptrunner.script_runner a changé, mesure impossible")
    original = script_runner.exec_func_with_error_handling

    profil_fichier = os.environ.get("BENCH_PROFIL")
    local = threading.local()

    def chronometre(func, ctx):
        # Fragments call the same function inside a run: only the outermost call is timed.
        if getattr(local, "profondeur", 0):
            return original(func, ctx)
        local.profondeur = 1
        profil = cProfile.Profile(time.thread_time) if profil_fichier else None
        debut, cpu, cpu_proc = time.perf_counter(), time.thread_time(), time.process_time()
        try:
            if profil:
                profil.enable()
            resultat = original(func, ctx)
        finally:
            duree, cpu = time.perf_counter() - debut, time.thread_time() - cpu
            cpu_proc = time.process_time() - cpu_proc
            local.profondeur = 0
            if profil:
                profil.disable()
                profil.dump_stats(f"{profil_fichier}.{int(debut * 1000)}")
        succes = bool(resultat[1]) if isinstance(resultat, tuple) and len(resultat) > 1 else None
        ligne = json.dumps(
            {"debut": debut, "duree_s": duree, "cpu_s": cpu, "cpu_processus_s": cpu_proc, "succes": succes}
        )
        with _VERROU, open(fichier, "a", encoding="utf-8") as sortie:
            sortie.write(ligne + "\n")
        return resultat

    script_runner.exec_func_with_error_handling = chronometre


def main() -> None:
    lanceur = os.environ.get("BENCH_LANCEUR") == "dashboard.serveur"
    if lanceur:
        from dashboard import serveur

        serveur.limiter_fils_de_calcul()
        if serveur.prechauffage_demande():  # as serveur.main does, before Streamlit is imported
            serveur.differer_theme_plotly()
    fichier = os.environ.get("BENCH_CHRONO")
    if fichier:
        _installer_chrono(fichier)
    if lanceur:
        # The project's launcher (``python -m dashboard.serveur``, used by ``make run``): same
        # Streamlit command line, plus what the launcher prepares (see its module doc).
        modules = os.environ.get("BENCH_MODULES")  # the floor app warms up its own imports only
        serveur.preparer((("carte", tuple(modules.split(","))),) if modules else serveur.ETAPES_PRECHAUFFAGE)
    from streamlit.web import cli

    sys.argv = ["streamlit", *sys.argv[1:]]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
