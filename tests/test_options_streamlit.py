"""The launcher reads Streamlit's options as ``streamlit run`` does (click), or leaves it to it."""

from __future__ import annotations

import pytest
from streamlit import config
from streamlit.web import cli

from dashboard import serveur
from dashboard.options_streamlit import lire_options

MODELES = config._config_options_template


def options_de_streamlit_run(arguments: list[str], environ: dict[str, str], monkeypatch) -> dict:
    """What ``streamlit run app.py <arguments>`` passes to its bootstrap (``flag_options``),
    values left unset (``None``, ``()``) aside, as ``bootstrap.load_config_options`` does."""
    for nom in [n for n in __import__("os").environ if n.startswith("STREAMLIT_")]:
        monkeypatch.delenv(nom)
    for nom, valeur in environ.items():
        monkeypatch.setenv(nom, valeur)
    recues = {}
    monkeypatch.setattr(cli, "_main_run", lambda _fichier, _args=None, flag_options=None: recues.update(flag_options))
    cli.main.main(["run", "app.py", *arguments], prog_name="streamlit", standalone_mode=False)
    return {cle: valeur for cle, valeur in recues.items() if valeur is not None and valeur != ()}


@pytest.mark.parametrize(("arguments", "environ"), [
    ([], {}),
    (["--server.port", "8502", "--server.headless", "true", "--browser.gatherUsageStats", "false"], {}),
    (["--server.port=8503", "--client.toolbarMode", "minimal", "--server.headless=False"], {}),
    (["--server.allowedHosts", "localhost", "--server.allowedHosts", "observatoire.example.fr"], {}),
    (["--server.port", "8502", "--server.port", "8504"], {}),  # the last one counts
    (["--server.maxUploadSize", "12", "--runner.postScriptGC", "yes"], {}),
    ([], {"STREAMLIT_SERVER_PORT": "9000", "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "poll",
          "STREAMLIT_SERVER_ALLOWED_HOSTS": "localhost  127.0.0.1", "STREAMLIT_SERVER_HEADLESS": "",
          "STREAMLIT_CLIENT_TOOLBARMODE": "minimal", "STREAMLIT_RUN_SERVER_MAXUPLOADSIZE": "20"}),
    (["--server.port", "8502"], {"STREAMLIT_SERVER_PORT": "9000", "STREAMLIT_THEME_BASE": "dark"}),
    ([], {"STREAMLIT_SERVER_COOKIE_SECRET": "secret"}),  # read by Streamlit's configuration itself
])
def test_memes_options_que_streamlit_run(arguments, environ, monkeypatch):
    attendu = options_de_streamlit_run(arguments, environ, monkeypatch)
    assert lire_options(arguments, MODELES, environ) == attendu


@pytest.mark.parametrize("arguments", [
    ["--help"],
    ["app.py"],
    ["--server.port"],
    ["--server.port", "huit"],
    ["--server.headless", "peut-être"],
    ["--server.optionInconnue", "1"],
    ["--server.cookieSecret", "secret"],  # refused by streamlit run: let it say so
    ["--", "--server.port", "8502"],
])
def test_le_reste_est_laisse_a_streamlit_run(arguments):
    assert lire_options(arguments, MODELES, {}) is None


def test_le_lanceur_passe_par_streamlit_run_quand_il_ne_sait_pas(monkeypatch):
    from streamlit.web import bootstrap

    appels = []
    monkeypatch.setattr(bootstrap, "run", lambda *a, **k: appels.append(a))
    assert serveur.lancer_sans_click("app.py", ["--help"]) is False
    assert appels == []


def test_le_lanceur_demarre_le_bootstrap_avec_les_options(monkeypatch):
    from streamlit.web import bootstrap

    appels, chargees = [], []
    monkeypatch.setattr(bootstrap, "run", lambda *a, **k: appels.append(a))
    monkeypatch.setattr(bootstrap, "load_config_options", lambda flag_options: chargees.append(flag_options))
    monkeypatch.setattr(config, "_main_script_path", config._main_script_path)
    monkeypatch.setattr("streamlit.runtime.credentials.check_credentials", lambda: None)
    assert serveur.lancer_sans_click("/projet/app.py", ["--server.port", "8502"]) is True
    assert chargees == [{"server_port": 8502}]
    assert appels == [("/projet/app.py", False, [], {"server_port": 8502})]
    assert config._main_script_path == "/projet/app.py"
