"""The launcher ``python -m dashboard.serveur``: v1 pages flag cleared, warm-up of imports."""

from __future__ import annotations

import ast
import logging
import os
import subprocess
import sys
import textwrap
import threading
import time
from types import SimpleNamespace

import pytest

from dashboard import cache_gabarits, serveur
from dashboard.chemins import RACINE_PROJET


@pytest.fixture(autouse=True)
def compilation_jinja_intacte(monkeypatch):
    """A warm-up run by a test leaves its in-memory template store installed: put Jinja back."""
    import jinja2

    monkeypatch.setattr(jinja2.Environment, "compile", jinja2.Environment.compile)


@pytest.fixture
def bootstrap_intact(monkeypatch):
    """Whatever ``preparer`` changes in Streamlit is put back after the test."""
    from streamlit import delta_generator
    from streamlit.components.v1 import component_registry
    from streamlit.components.v2 import manifest_scanner
    from streamlit.web import bootstrap
    from streamlit.web.server.starlette import starlette_static_routes

    from dashboard import langue_page, statiques

    monkeypatch.setattr(bootstrap, "_on_server_start", bootstrap._on_server_start)
    monkeypatch.setattr(statiques, "_installee", False)
    monkeypatch.setattr(component_registry, "_get_module_name", component_registry._get_module_name)
    monkeypatch.setattr(serveur, "_index_inutile", False)
    monkeypatch.setattr(starlette_static_routes, "create_streamlit_static_handler",
                        starlette_static_routes.create_streamlit_static_handler)
    monkeypatch.setattr(langue_page, "_installee", False)
    monkeypatch.setattr(manifest_scanner, "_is_likely_streamlit_component_package",
                        manifest_scanner._is_likely_streamlit_component_package)
    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed",
                        delta_generator._use_warning_has_been_displayed)
    from streamlit.commands import page_config

    monkeypatch.setattr(page_config, "_get_favicon_string", page_config._get_favicon_string)
    return bootstrap


def test_prechauffer_importe_les_modules_dans_un_fil(monkeypatch):
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    monkeypatch.delitem(sys.modules, "netrc", raising=False)
    amorcages = []

    def amorcer() -> None:  # what the index sees, and whether a waiting script would already go on
        amorcages.append(("colorsys" in sys.modules, "netrc" in sys.modules, serveur._etapes_finies["carte"].is_set()))

    monkeypatch.setattr(serveur, "amorcer_index_des_modules", amorcer)
    fil = serveur.prechauffer((("donnees", ("colorsys",)), ("carte", ("netrc",))))
    fil.join(timeout=30)
    assert not fil.is_alive()
    assert fil.daemon and fil.name == "prechauffage"
    assert "colorsys" in sys.modules and "netrc" in sys.modules
    # Primed once, after all the imports, before the last step is signalled: a script waiting
    # for it must not index the same modules at the same time.
    assert amorcages == [(True, True, False)]
    assert serveur._etapes_finies["carte"].is_set()


def test_prechauffer_journalise_un_echec_sans_lever(caplog):
    with caplog.at_level(logging.WARNING, logger="dashboard.serveur"):
        fil = serveur.prechauffer((("donnees", ("module_qui_n_existe_pas_du_tout",)), ("carte", ("colorsys",))))
        fil.join(timeout=30)
    assert "Préchauffage : import de module_qui_n_existe_pas_du_tout impossible" in caplog.text
    # Every step counts as finished: no script run waits for a warm-up that gave up.
    assert all(fin.is_set() for fin in serveur._etapes_finies.values())
    debut = time.perf_counter()
    serveur.attendre_prechauffage("carte")
    assert time.perf_counter() - debut < 0.5


def test_la_liste_ne_contient_pas_streamlit_folium():
    # Imported outside a script run, streamlit_folium's component is never registered: blank map.
    assert not any(m.startswith("streamlit_folium") for m in serveur.MODULES_PRECHAUFFES)
    assert "folium.plugins" in serveur.MODULES_PRECHAUFFES


def test_preparer_branche_le_prechauffage_apres_le_demarrage(bootstrap_intact, monkeypatch):
    monkeypatch.delenv("DASHBOARD_PRECHAUFFAGE", raising=False)
    appels = []
    monkeypatch.setattr(bootstrap_intact, "_on_server_start", lambda server: appels.append(("demarrage", server)))
    monkeypatch.setattr(serveur, "prechauffer",
                        lambda modules, differes: appels.append(("prechauffage", modules, differes)))
    serveur.preparer()
    assert appels == []
    bootstrap_intact._on_server_start("serveur")
    # After the server listens, never before; geopandas last (not on the first page's path).
    assert appels == [("demarrage", "serveur"),
                      ("prechauffage", serveur.ETAPES_PRECHAUFFAGE, serveur.MODULES_DIFFERES)]


def test_geopandas_hors_des_etapes_de_la_premiere_page():
    assert {"geopandas", "pyproj"} <= set(serveur.MODULES_DIFFERES)
    assert not {"geopandas", "pyproj", "shapely"} & set(serveur.MODULES_PRECHAUFFES)


def test_les_modules_differes_sont_importes_a_la_demande(tmp_path, monkeypatch):
    (tmp_path / "module_differe_du_test.py").write_text("VALEUR = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "module_differe_du_test", raising=False)
    monkeypatch.setattr(serveur, "_theme_demande", threading.Event())
    fil = serveur.prechauffer((("donnees", ("json",)),), ("module_differe_du_test",))
    serveur.attendre_prechauffage("donnees")
    time.sleep(0.2)
    assert "module_differe_du_test" not in sys.modules  # not before a page asks (or the delay)
    serveur.attendre_prechauffage()  # a page that needs everything
    assert not fil.is_alive() and "module_differe_du_test" in sys.modules


def test_preparer_sans_prechauffage(bootstrap_intact, monkeypatch):
    monkeypatch.setenv("DASHBOARD_PRECHAUFFAGE", "0")
    original = bootstrap_intact._on_server_start
    serveur.preparer()
    assert bootstrap_intact._on_server_start is original


def test_preparer_sert_la_page_en_francais(bootstrap_intact, monkeypatch):
    from streamlit.web.server.starlette import starlette_static_routes

    from dashboard import langue_page

    monkeypatch.setenv("DASHBOARD_PRECHAUFFAGE", "0")
    original = starlette_static_routes.create_streamlit_static_handler
    serveur.preparer()
    # The page goes out with lang="fr" (tests/test_langue_page.py); app.py then draws no frame for it.
    assert starlette_static_routes.create_streamlit_static_handler is not original
    assert langue_page.page_servie_en_francais()


@pytest.mark.parametrize("reglage", ["1", "0"])
def test_preparer_sert_l_interface_depuis_la_memoire(bootstrap_intact, monkeypatch, reglage):
    from streamlit import file_util
    from streamlit.web.server.starlette import starlette_static_routes

    monkeypatch.setenv("DASHBOARD_PRECHAUFFAGE", "0")
    monkeypatch.setenv("DASHBOARD_STATIQUES_MEMOIRE", reglage)
    serveur.preparer()
    gestionnaire = starlette_static_routes.create_streamlit_static_handler(
        directory=file_util.get_static_dir(), base_url=None)
    assert hasattr(gestionnaire, "memoire") == (reglage == "1")  # tests/test_statiques.py for the rest


def test_preparer_efface_le_drapeau_des_pages_v1(bootstrap_intact, monkeypatch):
    from streamlit.runtime.pages_manager import PagesManager

    monkeypatch.setattr(PagesManager, "uses_pages_directory", True)
    monkeypatch.setenv("DASHBOARD_PRECHAUFFAGE", "0")
    serveur.preparer()
    assert PagesManager.uses_pages_directory is False


def test_attendre_prechauffage_sans_prechauffage_rend_la_main(monkeypatch):
    monkeypatch.setattr(serveur, "_fil_prechauffage", None)
    debut = time.perf_counter()
    serveur.attendre_prechauffage()
    assert time.perf_counter() - debut < 0.5


def test_attendre_prechauffage_attend_la_fin_des_imports(tmp_path, monkeypatch):
    (tmp_path / "module_lent_du_test.py").write_text(textwrap.dedent("""
        import time
        time.sleep(0.5)
        FINI = True
    """), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "module_lent_du_test", raising=False)
    monkeypatch.setattr(serveur, "_fil_prechauffage", None)
    fil = serveur.prechauffer((("essai", ("module_lent_du_test",)),))
    serveur.attendre_prechauffage()
    assert not fil.is_alive()
    assert sys.modules["module_lent_du_test"].FINI


def test_attendre_une_etape_n_attend_pas_les_suivantes(tmp_path, monkeypatch):
    (tmp_path / "module_bloque_du_test.py").write_text(textwrap.dedent("""
        import threading
        LIBERE = threading.Event()
        LIBERE.wait(30)
    """), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "module_bloque_du_test", raising=False)
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    fil = serveur.prechauffer((("donnees", ("colorsys",)), ("carte", ("module_bloque_du_test",))))
    try:
        serveur.attendre_prechauffage("donnees")
        assert "colorsys" in sys.modules
        assert fil.is_alive() and not serveur._etapes_finies["carte"].is_set()
        attente = threading.Thread(target=serveur.attendre_prechauffage, args=("carte",))
        attente.start()
        attente.join(0.3)
        assert attente.is_alive()  # still waiting for the map step
    finally:
        while "module_bloque_du_test" not in sys.modules:
            time.sleep(0.01)
        sys.modules["module_bloque_du_test"].LIBERE.set()
    attente.join(10)
    fil.join(10)
    assert not attente.is_alive() and not fil.is_alive()


def test_l_etape_des_donnees_n_importe_pas_folium():
    # The first page sends its figures and table while the warm-up imports folium: nothing it
    # imports before waiting for the map step may bring folium in (two threads importing it at
    # once can deadlock). Checked in a fresh interpreter.
    (donnees,) = [modules for nom, modules in serveur.ETAPES_PRECHAUFFAGE if nom == "donnees"]
    arbre = ast.parse((RACINE_PROJET / "pages" / "vue_ensemble.py").read_text(encoding="utf-8"))
    attente = _ligne_de_l_attente(arbre, "carte")
    avant = [n.module for n in arbre.body if isinstance(n, ast.ImportFrom) and n.lineno < attente]
    apres = [n.module for n in arbre.body if isinstance(n, ast.ImportFrom) and n.lineno > attente]
    assert {"streamlit_folium", "dashboard.vues.carte"} <= set(apres)
    code = "import sys\n" + "".join(f"import {m}\n" for m in (*donnees, *avant)) + (
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('folium', 'branca', 'streamlit_folium')))")
    sortie = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert sortie.stdout.strip() == "[]"


def _ligne_de_l_attente(arbre: ast.Module, *arguments: str) -> int:
    return next(n.lineno for n in arbre.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)
                and getattr(n.value.func, "id", None) == "attendre_prechauffage"
                and [a.value for a in n.value.args] == list(arguments))


def test_app_attend_le_prechauffage_avant_ses_imports():
    # Importing alongside the warm-up thread deadlocked once (_DeadlockError on branca):
    # app.py must wait for it before importing the dashboard's heavy modules.
    arbre = ast.parse((RACINE_PROJET / "app.py").read_text(encoding="utf-8"))
    attente = _ligne_de_l_attente(arbre, "donnees")
    imports_lourds = [n.lineno for n in arbre.body if isinstance(n, ast.ImportFrom)
                      and (n.module or "").startswith("dashboard") and n.module != "dashboard.serveur"]
    assert imports_lourds and attente < min(imports_lourds)


def test_crochet_de_streamlit_absent_le_serveur_demarre_sans_prechauffage(bootstrap_intact, monkeypatch, caplog):
    monkeypatch.delenv("DASHBOARD_PRECHAUFFAGE", raising=False)
    monkeypatch.delattr(bootstrap_intact, "_on_server_start")
    with caplog.at_level(logging.WARNING, logger="dashboard.serveur"):
        serveur.preparer()
    assert "Préchauffage désactivé" in caplog.text
    assert not hasattr(bootstrap_intact, "_on_server_start")


def test_les_autres_pages_attendent_tout_le_prechauffage():
    # Every page but « Vue d'ensemble » imports folium first thing: app.py waits for the whole
    # warm-up before running them (and before the kiosk page).
    source = (RACINE_PROJET / "app.py").read_text(encoding="utf-8")
    arbre = ast.parse(source)
    attentes = [n for n in ast.walk(arbre) if isinstance(n, ast.Call)
                and getattr(n.func, "id", None) == "attendre_prechauffage" and not n.args]
    executions = [n for n in ast.walk(arbre) if isinstance(n, ast.Call)
                  and isinstance(n.func, ast.Attribute) and n.func.attr == "run"]
    assert len(attentes) == 2 and len(executions) == 2
    # One wait before each page run: the kiosk's, then the interactive pages'.
    for attente, execution in zip(sorted(attentes, key=lambda n: n.lineno),
                                  sorted(executions, key=lambda n: n.lineno), strict=True):
        assert attente.lineno < execution.lineno
    garde = next(n for n in ast.walk(arbre) if isinstance(n, ast.If) and "accueil" in ast.unparse(n.test))
    assert ast.unparse(garde.test) == "navigation is not accueil"


def test_inventaire_des_composants_meme_reponse_que_streamlit(bootstrap_intact, monkeypatch):
    import importlib.metadata

    from streamlit.components.v2 import manifest_scanner

    original = manifest_scanner._is_likely_streamlit_component_package
    assert not hasattr(original, "filtre_d_origine")
    monkeypatch.setattr(manifest_scanner, "_is_likely_streamlit_component_package", original)
    serveur.accelerer_inventaire_des_composants()
    rapide = manifest_scanner._is_likely_streamlit_component_package
    assert rapide is not original and rapide.filtre_d_origine is original
    distributions = list(importlib.metadata.distributions())
    assert len(distributions) > 20
    # Same answer for every installed package (streamlit and streamlit-folium among the "yes").
    assert [rapide(d) for d in distributions] == [original(d) for d in distributions]
    assert {"streamlit", "streamlit-folium"} <= {d.name.lower() for d in distributions if rapide(d)}
    # Applying it twice does not wrap the fast filter in itself.
    serveur.accelerer_inventaire_des_composants()
    assert manifest_scanner._is_likely_streamlit_component_package is rapide


def test_inventaire_des_composants_nom_en_st_tiret(bootstrap_intact, tmp_path, monkeypatch):
    import importlib.metadata

    from streamlit.components.v2 import manifest_scanner

    monkeypatch.setattr(manifest_scanner, "_is_likely_streamlit_component_package",
                        manifest_scanner._is_likely_streamlit_component_package)
    serveur.accelerer_inventaire_des_composants()
    rapide = manifest_scanner._is_likely_streamlit_component_package
    for nom, attendu in (("st-carte", True), ("st_carte", True), ("stade", False), ("outil", False)):
        dossier = tmp_path / f"{nom}-1.0.dist-info"
        dossier.mkdir()
        (dossier / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {nom}\nVersion: 1.0\nSummary: Un outil\n",
                                          encoding="utf-8")
        distribution = importlib.metadata.PathDistribution(dossier)
        assert rapide(distribution) is attendu
        assert rapide(distribution) == rapide.filtre_d_origine(distribution)


def test_verification_repl_marquee_faite(bootstrap_intact, monkeypatch):
    from streamlit import delta_generator

    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    serveur._avertissement_deja_verifie()
    assert delta_generator._use_warning_has_been_displayed is True


def test_favicon_meme_reponse_que_streamlit(bootstrap_intact):
    from streamlit.commands import page_config

    origine = page_config._get_favicon_string
    serveur.favicon_sans_pil()
    rapide = page_config._get_favicon_string
    assert rapide is not origine and rapide.fonction_d_origine is origine
    for icone in ("/app/static/icone.png", "🗺️", ":material/map:", "https://exemple.fr/icone.png"):
        assert rapide(icone) == origine(icone)
    assert rapide("/app/static/icone.png") == "/app/static/icone.png"
    serveur.favicon_sans_pil()  # twice: not wrapped in itself
    assert page_config._get_favicon_string is rapide


def test_l_icone_de_l_onglet_n_importe_pas_pil():
    resultat = _dans_un_interpreteur_neuf("""
        import sys
        from dashboard import serveur
        serveur.favicon_sans_pil()
        from streamlit.commands import page_config
        print(page_config._get_favicon_string("/app/static/icone.png"), "PIL.Image" in sys.modules)
    """)
    assert resultat == "/app/static/icone.png False"


@pytest.mark.parametrize("reglage", ["1", "0"])
def test_le_prechauffage_garde_les_gabarits_compiles(tmp_path, monkeypatch, reglage):
    import jinja2

    (tmp_path / "module_a_gabarit_du_test.py").write_text(
        "import jinja2\nGABARIT = jinja2.Template('<p>{{ commune }}</p>')\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "module_a_gabarit_du_test", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("DASHBOARD_CACHE_GABARITS", reglage)
    origine = jinja2.Environment.compile
    serveur.prechauffer((("carte", ("module_a_gabarit_du_test",)),)).join(30)
    assert sys.modules["module_a_gabarit_du_test"].GABARIT.render(commune="Lanester") == "<p>Lanester</p>"
    dossier = tmp_path / "cache" / "observatoire-numerique-lorient" / "gabarits-jinja"
    assert len(list(dossier.glob("*"))) == (1 if reglage == "1" else 0)
    if reglage == "1":
        # Templates built later (with data in them) are kept in memory only, never on disk.
        assert getattr(jinja2.Environment.compile, "compilation_d_origine", None) is origine
        jinja2.Template("<i>{{ x }}</i>").render(x=1)
        assert len(list(dossier.glob("*"))) == 1
        cache_gabarits.desinstaller()
    assert jinja2.Environment.compile is origine


def _dans_un_interpreteur_neuf(code: str) -> str:
    sortie = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                            check=True, timeout=180, cwd=RACINE_PROJET)
    return sortie.stdout.strip().splitlines()[-1]


def test_theme_plotly_differe_puis_configure():
    # Before the server listens, Streamlit's import no longer builds its Plotly theme (nor imports
    # plotly); the real function is kept and builds the « streamlit » template when called.
    resultat = _dans_un_interpreteur_neuf("""
        import sys
        from dashboard import serveur
        assert serveur.differer_theme_plotly()
        import streamlit, streamlit.web.bootstrap
        avant = ("plotly" in sys.modules, serveur._theme_plotly_differe is not None,
                 any(isinstance(c, serveur._DiffererThemePlotly) for c in sys.meta_path))
        serveur.configurer_theme_plotly()
        import plotly.io as pio
        print(avant, "streamlit" in pio.templates, serveur._theme_plotly_differe)
    """)
    assert resultat == "(False, True, False) True None"


def test_theme_plotly_trop_tard_rien_n_est_differe():
    # Streamlit already imported (AppTest, ``streamlit run``): its theme is built already.
    import streamlit  # noqa: F401

    assert serveur.differer_theme_plotly() is False
    assert not any(isinstance(c, serveur._DiffererThemePlotly) for c in sys.meta_path)


def test_le_prechauffage_finit_par_le_theme_plotly():
    # attendre_prechauffage() (all steps: every page that draws Plotly figures) returns once the
    # theme is built; the map step is marked finished before it (« Vue d'ensemble » waits for it
    # only).
    resultat = _dans_un_interpreteur_neuf("""
        from dashboard import serveur
        serveur.differer_theme_plotly()
        import streamlit, plotly.io as pio
        ordre = []
        configurer = serveur._theme_plotly_differe
        def configurer_en_notant():
            ordre.append(("carte finie", serveur._etapes_finies["carte"].is_set()))
            configurer()
        serveur._theme_plotly_differe = configurer_en_notant
        serveur.prechauffer((("carte", ("colorsys",)),))
        serveur.attendre_prechauffage()
        print(ordre, "streamlit" in pio.templates)
    """)
    assert resultat == "[('carte finie', True)] True"


def _theme_differe_puis(delai_s: float, suite: str) -> str:
    """In a fresh interpreter: theme deferred, Streamlit imported, a one-step warm-up (``fil``)
    whose theme delay is ``delai_s``, then the lines of ``suite``."""
    return _dans_un_interpreteur_neuf(f"""
        import time
        from dashboard import serveur
        serveur.differer_theme_plotly()
        import streamlit, plotly.io as pio
        serveur.DELAI_THEME_PLOTLY_S = {delai_s}
        fil = serveur.prechauffer((("carte", ("colorsys",)),))
""" + suite)


def test_le_theme_plotly_attend_qu_une_page_le_demande():
    # The map step over, the theme is not built while « Vue d'ensemble » (no Plotly) sends its
    # first map: only when a page waits for the whole warm-up, or after DELAI_THEME_PLOTLY_S.
    resultat = _theme_differe_puis(60.0, """
        serveur.attendre_prechauffage("carte")
        time.sleep(0.5)
        avant = (fil.is_alive(), serveur._theme_plotly_differe is not None)
        debut = time.perf_counter()
        serveur.attendre_prechauffage()
        print(avant, "streamlit" in pio.templates, not fil.is_alive(), time.perf_counter() - debut < 30)
    """)
    assert resultat == "(True, True) True True True"


def test_le_theme_plotly_est_construit_apres_le_delai_sans_demande():
    resultat = _theme_differe_puis(0.2, """
        fil.join(60)
        print(not fil.is_alive(), serveur._theme_plotly_differe is None, "streamlit" in pio.templates)
    """)
    assert resultat == "True True True"


def _declaration_du_composant(avant: str = "pass", amorcage: str = "pass") -> tuple[int, int, str]:
    """In a fresh interpreter: ``avant``, Streamlit and the warm-up's modules, ``amorcage``, then
    the import of streamlit_folium (which declares its component). Returns the number of objects
    inspect.getabsfile was asked about meanwhile (the index), of modules loaded, and the name of
    the component."""
    code = """
        import importlib, inspect, sys
        from dashboard import serveur
        {avant}
        import streamlit
        for module in serveur.MODULES_PRECHAUFFES:
            importlib.import_module(module)
        {amorcage}
        fichiers = []
        origine = inspect.getabsfile
        def getabsfile(objet, _filename=None):
            fichiers.append(objet)
            return origine(objet, _filename)
        inspect.getabsfile = getabsfile
        import streamlit_folium
        print(len(fichiers), len(sys.modules), streamlit_folium._component_func.name)
    """
    fichiers, modules, nom = _dans_un_interpreteur_neuf(code.replace("{avant}", avant).replace(
        "{amorcage}", amorcage)).split()
    return int(fichiers), int(modules), nom


def test_l_index_des_modules_est_amorce_par_le_prechauffage():
    # Declaring streamlit_folium's component asks inspect.getmodule, which indexes the file of
    # every module loaded since its last call: after the warm-up, only the few new ones.
    sans, modules, _ = _declaration_du_composant()
    avec, _, _ = _declaration_du_composant(amorcage="serveur.amorcer_index_des_modules()")
    assert sans > 1_000 and modules > 1_000  # every loaded module indexed in the script
    assert avec < 50


def test_nom_du_composant_sans_index_des_modules():
    # With the launcher's hook, declaring streamlit_folium's component indexes no module at all
    # (the warm-up's call has nothing left to do), and the component keeps the name Streamlit
    # gives it (its URL in the page).
    fichiers, _, nom = _declaration_du_composant(avant="assert serveur.nom_de_module_sans_index()",
                                                 amorcage="serveur.amorcer_index_des_modules()")
    assert fichiers == 0
    assert nom == "streamlit_folium.st_folium"
    assert _declaration_du_composant()[2] == nom  # Streamlit's own way gives the same name


def test_nom_de_module_rapide_meme_reponse_que_streamlit(monkeypatch, tmp_path):
    import inspect

    from streamlit.components.v1 import component_registry

    monkeypatch.setattr(component_registry, "_get_module_name", component_registry._get_module_name)
    monkeypatch.setattr(serveur, "_index_inutile", False)
    origine = component_registry._get_module_name
    assert serveur.nom_de_module_sans_index()
    rapide = component_registry._get_module_name
    assert rapide is not origine and rapide.fonction_d_origine is origine
    assert serveur.nom_de_module_sans_index()  # once only
    assert component_registry._get_module_name is rapide

    (tmp_path / "paquet_essai").mkdir()
    (tmp_path / "paquet_essai" / "__init__.py").write_text("")
    (tmp_path / "paquet_essai" / "composant.py").write_text(
        "import inspect\nCADRE = inspect.currentframe()\ndef cadre():\n    return inspect.currentframe()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import paquet_essai.composant as module

    try:
        for cadre in (module.CADRE, module.cadre()):
            assert rapide(cadre) == origine(cadre) == inspect.getmodule(cadre).__name__ == "paquet_essai.composant"
        # Globals that do not name the module of the frame's file, or the main module: Streamlit's
        # own function answers.
        appels = []
        monkeypatch.setattr(rapide, "fonction_d_origine", lambda cadre: appels.append(cadre) or "origine")
        for nom in ("json", "__main__", "module_absent"):
            faux = SimpleNamespace(f_globals={"__name__": nom}, f_code=module.CADRE.f_code)
            assert rapide(faux) == "origine"
        assert len(appels) == 3
    finally:
        sys.modules.pop("paquet_essai.composant", None)
        sys.modules.pop("paquet_essai", None)


def test_sans_prechauffage_le_theme_plotly_est_configure(bootstrap_intact, monkeypatch):
    appels = []
    monkeypatch.setattr(serveur, "_theme_plotly_differe", lambda: appels.append("theme"))
    monkeypatch.setenv("DASHBOARD_PRECHAUFFAGE", "0")
    serveur.preparer()
    assert appels == ["theme"] and serveur._theme_plotly_differe is None


def test_la_carte_et_le_theme_plotly_n_importent_pas_les_memes_modules():
    # « Vue d'ensemble » imports streamlit_folium and the map views once the map step is over,
    # possibly while the warm-up builds the Plotly theme: two threads importing the same module
    # at once can deadlock. Their new modules must not overlap (checked in fresh interpreters).
    preparation = """
        import importlib, sys
        from dashboard import serveur
        serveur.differer_theme_plotly()
        import streamlit, streamlit.web.bootstrap
        for module in serveur.MODULES_PRECHAUFFES:
            importlib.import_module(module)
        avant = set(sys.modules)
    """
    carte = _dans_un_interpreteur_neuf(preparation + """
        import streamlit_folium, dashboard.vues.carte
        print(sorted(set(sys.modules) - avant))
    """)
    theme = _dans_un_interpreteur_neuf(preparation + """
        serveur.configurer_theme_plotly()
        print(sorted(set(sys.modules) - avant))
    """)
    modules_carte, modules_theme = set(ast.literal_eval(carte)), set(ast.literal_eval(theme))
    assert "streamlit_folium" in modules_carte and "plotly.graph_objects" in modules_theme
    assert modules_carte.isdisjoint(modules_theme)


def test_la_premiere_page_n_importe_pas_gdal():
    # The reference geography is read without pyogrio (GDAL's drivers: ~0.1 s of CPU on a fresh
    # server); it is not warmed up any more, so nothing on the first page's path may need it.
    assert "pyogrio" not in serveur.MODULES_PRECHAUFFES
    resultat = _dans_un_interpreteur_neuf("""
        import importlib, sys
        from dashboard import serveur
        for module in serveur.MODULES_PRECHAUFFES:
            importlib.import_module(module)
        from dashboard.chemins import RACINE_PROJET
        from dashboard.reference import charger_reference
        from dashboard.territoire import charger_territoire
        territoire = charger_territoire(RACINE_PROJET / "data" / "territoire.toml")
        communes = charger_reference(RACINE_PROJET / "data" / "reference", territoire).communes
        print(len(communes), "pyogrio" in sys.modules)
    """)
    assert resultat == "30 False"


def test_un_seul_fil_openblas_sauf_reglage_explicite(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    serveur.limiter_fils_de_calcul()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    serveur.limiter_fils_de_calcul()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "4"


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="fils du processus lus dans /proc (Linux)")
def test_le_lanceur_limite_openblas_avant_numpy():
    # The setting only counts before numpy loads: in the launcher's order, numpy then starts no
    # OpenBLAS thread (the process keeps its single thread).
    resultat = _dans_un_interpreteur_neuf("""
        import os, sys
        os.environ.pop("OPENBLAS_NUM_THREADS", None)
        from dashboard import serveur
        numpy_avant = "numpy" in sys.modules
        serveur.limiter_fils_de_calcul()
        import numpy
        print(numpy_avant, len(os.listdir("/proc/self/task")))
    """)
    assert resultat == "False 1"


def test_la_vue_d_ensemble_n_importe_pas_geopandas():
    # The first page of a fresh server, run whole (shell, figures, table, exports, map): neither
    # geopandas nor shapely nor pyproj (see dashboard.reference.Reference).
    resultat = _dans_un_interpreteur_neuf("""
        import sys
        from streamlit.runtime.pages_manager import PagesManager
        from streamlit.testing.v1 import AppTest
        original = PagesManager.__init__
        def init(self, *args, **kwargs):
            original(self, *args, **kwargs)
            PagesManager.uses_pages_directory = False
        PagesManager.__init__ = init
        app = AppTest.from_file("app.py", default_timeout=60).run()
        assert not app.exception, app.exception
        assert any(t.value == "Vue d'ensemble" for t in app.title)
        print(sorted(m for m in ("geopandas", "shapely", "pyproj") if m in sys.modules))
    """)
    assert resultat == "[]"
