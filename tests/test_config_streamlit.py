"""Production Streamlit configuration (plan §2.5, S-11, S-12): the protections are on.

``.streamlit/config.toml`` is read as TOML; every option it sets must exist in the
installed Streamlit (a misspelt option is ignored silently by Streamlit, so a typo here
would switch a protection off without any sign).
"""

from __future__ import annotations

import tomllib

from streamlit import config

from tests.conftest import RACINE

CONFIG = RACINE / ".streamlit" / "config.toml"


def reglages() -> dict:
    with CONFIG.open("rb") as f:
        return tomllib.load(f)


def test_options_connues_de_streamlit():
    connues = set(config._config_options_template)
    definies = {f"{section}.{cle}" for section, options in reglages().items() for cle in options}
    assert definies - connues == set()


def test_xsrf_cors_et_hotes_autorises():
    serveur = reglages()["server"]
    assert serveur["enableXsrfProtection"] is True
    assert serveur["enableCORS"] is True
    hotes = serveur["allowedHosts"]
    assert {"localhost", "127.0.0.1"} <= set(hotes)
    assert "*" not in hotes and not any(h.strip() == "" for h in hotes)
    assert "corsAllowedOrigins" not in serveur  # no extra origin may open the WebSocket


def test_pas_de_details_d_erreur_ni_outils_de_developpement():
    assert reglages()["client"]["showErrorDetails"] == "none"
    assert reglages()["client"]["toolbarMode"] == "viewer"


def test_plafond_de_televersement_et_hors_ligne():
    assert reglages()["server"]["maxUploadSize"] == 10  # Mo, the only cap the server enforces (S-07)
    assert reglages()["browser"]["gatherUsageStats"] is False
    assert reglages()["server"]["headless"] is True


def test_commentaire_pour_ajouter_le_nom_public():
    texte = CONFIG.read_text(encoding="utf-8")
    assert "ajoutez le nom public" in texte


def test_sans_magie_aucune_page_ne_compte_sur_elle():
    # With runner.magicEnabled = false, a bare expression (``tableau`` alone on a line) shows
    # nothing: no page may rely on one (docstrings and calls excepted).
    import ast

    assert reglages()["runner"]["magicEnabled"] is False
    scripts = [RACINE / "app.py", *sorted((RACINE / "pages").glob("*.py"))]
    assert len(scripts) > 5
    nues = []
    for script in scripts:
        for noeud in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if not isinstance(noeud, ast.Expr) or isinstance(noeud.value, (ast.Call, ast.Await, ast.Yield)):
                continue
            if not (isinstance(noeud.value, ast.Constant) and isinstance(noeud.value.value, str)):
                nues.append(f"{script.name}:{noeud.lineno}")
    assert nues == []
