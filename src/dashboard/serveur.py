"""Start the Streamlit server for ``app.py``: ``python -m dashboard.serveur [streamlit options]``.

Why not plain ``streamlit run app.py``:

1. Streamlit keeps a process-wide « pages directory » flag (multipage apps v1) that is only
   cleared once some run has called ``st.navigation``. Because our pages live in ``pages/``
   (as ``st.navigation`` pages), the *first* request of a fresh server to a sub-page URL
   (``/couverture``) would run that page alone, without the shell of ``app.py``. Clearing the
   flag before the server starts removes that trap.
2. Warm-up: as soon as the server listens, a background thread imports what the first page
   needs (pandas, folium…) while the first visitor's browser is still loading
   Streamlit's interface (~1 s during which the server idles). The first script run then finds
   them in ``sys.modules``. Started *after* the server is up: imports during start-up only
   delay it. It goes in two steps: the data modules (``"donnees"``), then folium (``"carte"``).
   A script run that starts before a step is over waits for it (:func:`attendre_prechauffage`):
   importing the same modules from two threads at once can deadlock on Python's module locks.
   ``app.py`` waits for the data step only; « Vue d'ensemble » sends its figures, table and
   exports meanwhile (the browser loads their JavaScript modules) and waits for the map step
   just before drawing the map; every other page waits for the whole warm-up before it runs,
   including geopandas and pyproj (:data:`MODULES_DIFFERES`), imported last, on demand: the
   first page does not use them.
   ``streamlit_folium`` itself is left to the script: importing it declares its component,
   which Streamlit registers only from a script run (from any other thread the component is
   never served and the map stays empty). Measured in ``bench/README.md``.
   ``DASHBOARD_PRECHAUFFAGE=0`` disables it.
3. Three things Streamlit does on every start are made cheaper, with the same outcome: the
   inventory of installed « v2 » components before the server listens (~0.2 s, see
   :func:`accelerer_inventaire_des_composants`), the « are we in a REPL? » check on the first
   element (~0.1 s, see :func:`_avertissement_deja_verifie`) and the import of PIL to hand the
   tab's icon, a static URL, over unchanged (~0.03 s, see :func:`favicon_sans_pil`).
4. While the warm-up imports folium, the code Jinja compiles from its ~80 templates is cached
   on disk, like Python's ``.pyc`` (:mod:`dashboard.cache_gabarits`; ~0.17 s of CPU less on the
   path of the first map). Then, for the rest of the process, the templates that branca compiles
   at render time (each element's output, data included) are kept in memory, a bounded number of
   them (:func:`dashboard.cache_gabarits.installer_memoire`): a scope change no longer compiles
   again the same base map and layers. ``DASHBOARD_CACHE_GABARITS=0`` disables both.
5. Before numpy is loaded, OpenBLAS is limited to one thread (:func:`limiter_fils_de_calcul`):
   otherwise it starts one per core as numpy loads, and they burn ~0.1 s of CPU that Chromium
   needs while it loads the interface. The dashboard does no linear algebra worth spreading over
   cores; an explicit ``OPENBLAS_NUM_THREADS`` is kept.
6. Importing Streamlit builds its Plotly theme (a ``plotly`` template with its validators:
   ~0.15 s of CPU, a quarter of the import) before the server can listen. With the warm-up on,
   :func:`main` defers it to the end of the warm-up (:func:`differer_theme_plotly`), after the
   map's modules, and builds it there only when a page waits for the whole warm-up (every page
   that draws a Plotly figure does) or ``DELAI_THEME_PLOTLY_S`` later: built right away, it took
   the processor from the first run of « Vue d'ensemble », which draws none.
7. When ``streamlit_folium`` declares its component (first script run), Streamlit finds the
   declaring module with ``inspect.getmodule``, which first indexes the file of every loaded
   module (~0.1 s of CPU). The launcher names it from the caller's frame instead, checked against
   the module's file (:func:`nom_de_module_sans_index`); failing that, the warm-up ends by
   building the index (:func:`amorcer_index_des_modules`), off the script's path.
8. The page is served with ``<html lang="fr">`` (:mod:`dashboard.langue_page`) instead of
   Streamlit's ``lang="en"``: no frame in ``app.py`` to set it after the first run.
9. Streamlit's interface files (``static/js/…``, named after their content, cached a year by
   browsers) are answered from memory once read (:mod:`dashboard.statiques`) instead of going
   to a worker thread for every file operation, each of which waited for the global lock held by
   the warm-up. ``DASHBOARD_STATIQUES_MEMOIRE=0`` disables it.
10. Streamlit's configuration options given on the command line (``--server.port 8502``) or in
    ``STREAMLIT_…`` variables are read by :mod:`dashboard.options_streamlit`, with the rules of
    ``streamlit run``, instead of its ``click`` command line (~0.05 s of CPU before the server
    listens, see :func:`lancer_sans_click`); anything else (``--help``, an unknown option…) goes
    to ``streamlit run``, which answers as usual.

``streamlit run app.py`` still works (a page reached that way redirects to the shell).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import inspect
import logging
import os
import sys
import threading
from collections.abc import Callable

from dashboard import cache_gabarits, langue_page, statiques
from dashboard.chemins import RACINE_PROJET

# A warm-up: named steps, each a tuple of modules imported in order.
Etapes = tuple[tuple[str, tuple[str, ...]], ...]

# What the first run of « Vue d'ensemble » imports, heaviest first, in two steps: the data
# modules (none of them imports folium), then folium, which the page needs last, for the map.
ETAPES_PRECHAUFFAGE: Etapes = (
    ("donnees", (
        "pandas",
        "dashboard.reference",
        "dashboard.vues.provenance",
        "dashboard.indicateurs.territoire",
        "dashboard.ui.composants",
        "dashboard.ui.donnees",
    )),
    ("carte", (
        "folium",
        "folium.plugins",  # what makes importing streamlit_folium slow; the script imports that one
        "dashboard.vues.carte",
    )),
)
MODULES_PRECHAUFFES = tuple(module for _, modules in ETAPES_PRECHAUFFAGE for module in modules)
# Not on the first page's path (« Vue d'ensemble » uses the reference's table and contours, see
# :class:`dashboard.reference.Reference`): imported after the steps, with the deferred Plotly theme
# (when a page asks for the whole warm-up, or ``DELAI_THEME_PLOTLY_S`` later), not while the first
# map is being sent. Every other page waits for them (attendre_prechauffage()).
MODULES_DIFFERES = ("geopandas", "pyproj")

_journal = logging.getLogger(__name__)
_fil_prechauffage: threading.Thread | None = None
_etapes_finies: dict[str, threading.Event] = {}

# Streamlit's module that builds its Plotly theme when ``streamlit.elements.plotly_chart`` is
# imported (see the module doc, point 6), and the real function while it is deferred.
_MODULE_THEME_PLOTLY = "streamlit.elements.lib.streamlit_plotly_theme"
_FONCTION_THEME_PLOTLY = "configure_streamlit_plotly_theme"
_theme_plotly_differe: Callable[[], None] | None = None
# « Vue d'ensemble » draws no Plotly figure: once its steps are done, the warm-up builds the theme
# when a page asks for the whole warm-up (attendre_prechauffage(), every Plotly page does) or
# after this delay, whichever comes first — not while the first map is being sent.
DELAI_THEME_PLOTLY_S = 5.0
_theme_demande = threading.Event()


def desactiver_pages_v1() -> None:
    """Tell Streamlit that ``pages/`` is not a v1 multipage directory (see module doc)."""
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


def prechauffer(etapes: Etapes = ETAPES_PRECHAUFFAGE, differes: tuple[str, ...] = ()) -> threading.Thread:
    """Import the modules of each step, in order, in a daemon thread; each finished step is
    signalled to :func:`attendre_prechauffage`. A failure is logged, never raised (the script
    will import the module itself and show the error where it belongs) and ends the warm-up:
    every step is then marked finished, so that no script run waits for it. ``differes``: modules
    imported at the end, with the deferred Plotly theme (see :data:`MODULES_DIFFERES`)."""
    finies = {nom: threading.Event() for nom, _ in etapes}

    def importer() -> None:
        module = ""
        cache = os.environ.get("DASHBOARD_CACHE_GABARITS", "1") != "0"
        try:
            with cache_gabarits.actif() if cache else contextlib.nullcontext():
                for rang, (nom, modules) in enumerate(etapes, start=1):
                    for module in modules:
                        importlib.import_module(module)
                    if rang == len(etapes):
                        # Before the last step is marked done: a script waiting for it goes on at
                        # once and would index the same modules at the same time (done twice).
                        amorcer_index_des_modules()
                    finies[nom].set()
            if cache:
                cache_gabarits.installer_memoire()
        except Exception:  # warm-up only: the script imports it again and the page reports the error
            _journal.warning("Préchauffage : import de %s impossible", module, exc_info=True)
        finally:
            for fin in finies.values():
                fin.set()
            # Last, off the path of the first map; attendre_prechauffage() (all steps) waits for it.
            if _theme_plotly_differe is not None or differes:
                _theme_demande.wait(DELAI_THEME_PLOTLY_S)
            for module in differes:
                try:
                    importlib.import_module(module)
                except Exception:  # the page that needs it imports it again and reports the error
                    _journal.warning("Préchauffage : import de %s impossible", module, exc_info=True)
            configurer_theme_plotly()

    global _fil_prechauffage, _etapes_finies
    fil = threading.Thread(target=importer, name="prechauffage", daemon=True)
    _fil_prechauffage, _etapes_finies = fil, finies
    fil.start()
    return fil


_index_inutile = False


def nom_de_module_sans_index() -> bool:
    """Streamlit names a v1 component after the module that declares it, found with
    ``inspect.getmodule`` on the caller's frame: the first call indexes the file of every loaded
    module (~1,400 after the warm-up, ~0.1 s of CPU), on the path of the first map, since
    ``streamlit_folium`` declares its component when the first script run imports it. The
    frame's globals name that module: when the module of that name has the frame's file, the
    name is the answer ``inspect.getmodule`` would give, without the index. Anything else
    (``__main__``, a module without a file, another file) goes to Streamlit's function. Private
    Streamlit name (``component_registry._get_module_name``): when it is gone, nothing is
    changed and the warm-up builds the index as before (:func:`amorcer_index_des_modules`)."""
    global _index_inutile
    try:
        from streamlit.components.v1 import component_registry
    except ImportError:
        return False
    origine = getattr(component_registry, "_get_module_name", None)
    if not callable(origine):
        return False
    if getattr(origine, "fonction_d_origine", None) is not None:
        return True

    def nom_de_module(caller_frame) -> str:
        nom = caller_frame.f_globals.get("__name__")
        module = sys.modules.get(nom) if isinstance(nom, str) and nom != "__main__" else None
        fichier = getattr(module, "__file__", None)
        if fichier and os.path.realpath(fichier) == os.path.realpath(caller_frame.f_code.co_filename):
            return nom
        return nom_de_module.fonction_d_origine(caller_frame)

    nom_de_module.fonction_d_origine = origine
    component_registry._get_module_name = nom_de_module
    _index_inutile = True
    return True


def amorcer_index_des_modules() -> None:
    """``inspect.getmodule`` indexes the file of every module in ``sys.modules`` the first time it
    is asked about an object that is not a module, then only the modules imported since.
    Streamlit asks it when a component is declared, i.e. when the first script run imports
    ``streamlit_folium``: ~0.1 s of indexing on the path of the first map. The warm-up does it
    once its imports are in (the same stdlib function, called once more, on another thread)."""
    if not _index_inutile:
        inspect.getmodule(amorcer_index_des_modules.__code__)


class _DiffererThemePlotly(importlib.abc.MetaPathFinder):
    """Import hook, used once: loads Streamlit's Plotly theme module as usual, then keeps its
    configuration function aside (see :func:`differer_theme_plotly`)."""

    def find_spec(self, nom, chemin, cible=None):
        if nom != _MODULE_THEME_PLOTLY:
            return None
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(nom, chemin, cible)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        executer = spec.loader.exec_module

        def exec_module(module) -> None:
            global _theme_plotly_differe
            executer(module)
            configurer = getattr(module, _FONCTION_THEME_PLOTLY, None)
            if not callable(configurer):  # renamed by Streamlit: nothing deferred, nothing changed
                return
            _theme_plotly_differe = configurer
            setattr(module, _FONCTION_THEME_PLOTLY, lambda: None)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def differer_theme_plotly() -> bool:
    """Before Streamlit is imported: defer the building of its Plotly theme (the ``streamlit``
    template of ``plotly.io``, ~0.15 s of CPU) to :func:`configurer_theme_plotly`, which the
    warm-up calls once its steps are done. Private Streamlit names: when the module or the
    function is gone, or Streamlit is already imported, nothing is deferred. Returns whether the
    hook is in place."""
    if _MODULE_THEME_PLOTLY in sys.modules:
        return False
    if not any(isinstance(chercheur, _DiffererThemePlotly) for chercheur in sys.meta_path):
        sys.meta_path.insert(0, _DiffererThemePlotly())
    return True


def configurer_theme_plotly() -> None:
    """Build Streamlit's Plotly theme if it was deferred (once; a failure is logged: Plotly
    figures are then drawn with Plotly's own default template)."""
    global _theme_plotly_differe
    # Streamlit is imported by now: a hook still waiting for the module (renamed) goes away.
    sys.meta_path[:] = [c for c in sys.meta_path if not isinstance(c, _DiffererThemePlotly)]
    configurer, _theme_plotly_differe = _theme_plotly_differe, None
    if configurer is None:
        return
    try:
        configurer()
    except Exception:
        _journal.warning("Thème Plotly de Streamlit non configuré", exc_info=True)


def attendre_prechauffage(etape: str | None = None, delai_s: float = 120.0) -> None:
    """Block until the warm-up step ``etape`` (all steps when ``None``, then the Plotly theme) is
    done; at once if there is no warm-up (AppTest, ``streamlit run app.py``) or once it has finished.

    Called before importing anything heavy (see the module doc). Two threads importing the same
    packages at the same time can deadlock on Python's per-module import locks (seen here: the
    first kiosk run died on ``_DeadlockError`` for ``branca``, imported by the warm-up and by the
    page at once). Waiting costs nothing more: the script would need those imports anyway.
    """
    fil = _fil_prechauffage
    if fil is None or fil is threading.current_thread():
        return
    fin = _etapes_finies.get(etape) if etape is not None else None
    if fin is not None:
        fin.wait(delai_s)
    else:
        _theme_demande.set()  # the whole warm-up: the Plotly theme is wanted now
        fil.join(delai_s)


def _avertissement_deja_verifie() -> None:
    """Streamlit checks once per process, on the first element a script sends, whether it runs in
    a REPL (``inspect.stack()`` with source lines: ~0.1 s of CPU with our modules loaded), to warn
    that an app must be started by ``streamlit run``. The launcher always starts it that way, so
    the check can only conclude « no warning »: mark it as done. Private Streamlit names: when
    they are gone, nothing is changed."""
    from streamlit import delta_generator

    if hasattr(delta_generator, "_use_warning_has_been_displayed") and callable(
        getattr(delta_generator, "_maybe_print_use_warning", None)
    ):
        delta_generator._use_warning_has_been_displayed = True


def favicon_sans_pil() -> None:
    """``st.set_page_config(page_icon="/app/static/icone.png")`` goes through Streamlit's
    ``image_to_url``, which imports PIL first thing (~0.03 s of CPU on the first script run), then
    returns a relative static URL (``/app/static/…``) as it is. Same answer for such a URL without
    the import; anything else goes to Streamlit's function unchanged. Private Streamlit name:
    when it is gone, nothing is changed."""
    import os.path

    from streamlit import url_util
    from streamlit.commands import page_config

    origine = getattr(page_config, "_get_favicon_string", None)
    est_statique = getattr(url_util, "is_relative_static_url", None)
    if not callable(origine) or not callable(est_statique) or getattr(origine, "fonction_d_origine", None):
        return

    def favicon(page_icon):
        if isinstance(page_icon, str) and est_statique(page_icon) and not os.path.isfile(page_icon):
            return page_icon
        return origine(page_icon)

    favicon.fonction_d_origine = origine  # type: ignore[attr-defined]
    page_config._get_favicon_string = favicon


def accelerer_inventaire_des_composants() -> None:
    """Before its server listens, Streamlit looks for « v2 » components in every installed
    distribution. Its first filter parses each package's metadata with the ``email`` module:
    ~0.2 s for the ~100 packages of this environment, on the path of every start. Same answer
    from the raw metadata text: a package that never writes « streamlit » and whose name does not
    start with ``st-``/``st_`` cannot pass Streamlit's filter; every other one goes to that filter
    unchanged. Private Streamlit function: when it is gone, nothing is changed."""
    try:
        from streamlit.components.v2 import manifest_scanner
    except ImportError:
        return
    filtre = getattr(manifest_scanner, "_is_likely_streamlit_component_package", None)
    if not callable(filtre) or getattr(filtre, "filtre_d_origine", None):
        return

    def filtre_rapide(distribution) -> bool:
        try:
            texte = distribution.read_text("METADATA") or distribution.read_text("PKG-INFO")
        except Exception:  # unreadable metadata: Streamlit's filter decides (and logs)
            texte = None
        if texte is None:
            return filtre(distribution)
        texte = texte.lower()
        nom = next((ligne[5:].strip() for ligne in texte.splitlines() if ligne.startswith("name:")), "")
        if "streamlit" in texte or nom.startswith(("st-", "st_")):
            return filtre(distribution)
        return False

    filtre_rapide.filtre_d_origine = filtre  # type: ignore[attr-defined]
    manifest_scanner._is_likely_streamlit_component_package = filtre_rapide


def _prechauffer_apres_demarrage(etapes: Etapes) -> None:
    """Run :func:`prechauffer` right after the server starts listening (hook on bootstrap)."""
    from streamlit.web import bootstrap

    demarrage = getattr(bootstrap, "_on_server_start", None)
    if not callable(demarrage):  # private Streamlit hook renamed: serve without warm-up
        _journal.warning("Préchauffage désactivé : crochet de démarrage de Streamlit introuvable")
        configurer_theme_plotly()
        return

    def au_demarrage(server) -> None:
        demarrage(server)
        prechauffer(etapes, MODULES_DIFFERES if etapes is ETAPES_PRECHAUFFAGE else ())

    bootstrap._on_server_start = au_demarrage


def preparer(etapes: Etapes = ETAPES_PRECHAUFFAGE) -> None:
    """Everything the launcher does before handing over to Streamlit's command line."""
    desactiver_pages_v1()
    langue_page.servir_en_francais()
    if os.environ.get("DASHBOARD_STATIQUES_MEMOIRE", "1") != "0":
        statiques.installer()
    accelerer_inventaire_des_composants()
    _avertissement_deja_verifie()
    favicon_sans_pil()
    nom_de_module_sans_index()
    if prechauffage_demande():
        _prechauffer_apres_demarrage(etapes)
    else:
        configurer_theme_plotly()


def prechauffage_demande() -> bool:
    """The warm-up is on unless ``DASHBOARD_PRECHAUFFAGE=0``."""
    return os.environ.get("DASHBOARD_PRECHAUFFAGE", "1") != "0"


def limiter_fils_de_calcul() -> None:
    """One OpenBLAS thread unless told otherwise (see the module doc, point 5); before numpy loads."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def lancer_sans_click(script: str, arguments: list[str]) -> bool:
    """Start Streamlit's server on ``script`` as ``streamlit run script arguments`` does, without
    its command line (see :mod:`dashboard.options_streamlit` and the module doc, point 9): the
    options are read, the configuration loaded with them, the credentials checked (a message in
    headless mode), then Streamlit's bootstrap runs. Returns ``False``, having done nothing, when
    the arguments or Streamlit's private names are not those expected: ``streamlit run`` then."""
    from streamlit import config
    from streamlit.web import bootstrap

    from dashboard.options_streamlit import lire_options

    modeles = getattr(config, "_config_options_template", None)
    if not isinstance(modeles, dict) or not hasattr(config, "_main_script_path") or not all(
        callable(getattr(bootstrap, nom, None)) for nom in ("load_config_options", "run")
    ):
        return False
    options = lire_options(arguments, modeles)
    if options is None:
        return False
    from streamlit.runtime.credentials import check_credentials

    config._main_script_path = script  # read by the configuration (config.toml next to the script)
    bootstrap.load_config_options(flag_options=options)
    check_credentials()
    bootstrap.run(script, False, [], options)
    return True


def main(arguments: list[str] | None = None) -> None:
    limiter_fils_de_calcul()
    if prechauffage_demande():
        differer_theme_plotly()  # before Streamlit is imported (see the module doc, point 6)
    arguments = list(sys.argv[1:] if arguments is None else arguments)
    preparer()
    script = str(RACINE_PROJET / "app.py")
    sys.argv = ["streamlit", "run", script, *arguments]
    if not lancer_sans_click(script, arguments):
        from streamlit.web import cli

        cli.main()


if __name__ == "__main__":
    main()
