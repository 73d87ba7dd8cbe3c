"""The page served by the launcher is in French from its first byte (``<html lang="fr">``)."""

from __future__ import annotations

import os

import pytest
from streamlit import file_util
from streamlit.web.server.starlette import starlette_static_routes as routes

from dashboard import langue_page
from tests.asgi_local import get as _get


@pytest.fixture
def gestionnaire(monkeypatch):
    """Streamlit's static file handler, created after the launcher wrapped it (undone afterwards)."""
    monkeypatch.setattr(routes, "create_streamlit_static_handler", routes.create_streamlit_static_handler)
    monkeypatch.setattr(langue_page, "_installee", False)
    assert langue_page.servir_en_francais()
    assert langue_page.page_servie_en_francais()
    return routes.create_streamlit_static_handler(directory=file_util.get_static_dir(), base_url=None)


def test_page_en_francais_ne_change_que_la_balise_racine():
    debut = '<!doctype html><html lang="en"><head>'
    assert langue_page.page_en_francais(debut) == '<!doctype html><html lang="fr"><head>'
    assert langue_page.page_en_francais("<html><head>") is None  # nothing recognisable: left alone
    assert langue_page.page_en_francais('<html lang="en"><html lang="en">') is None


@pytest.mark.parametrize("chemin", ["/", "/couverture", "/fiche"])
def test_la_page_est_servie_en_francais(gestionnaire, chemin):
    statut, entetes, corps = _get(gestionnaire, chemin)
    assert statut == 200
    html = corps.decode("utf-8")
    assert '<html lang="fr">' in html and 'lang="en"' not in html
    assert entetes["content-type"].startswith("text/html")
    assert int(entetes["content-length"]) == len(corps)
    assert entetes["cache-control"] == "no-cache"  # Streamlit's rule for the page is kept
    assert "etag" not in entetes  # the file's tag would not describe this page
    with open(os.path.join(file_util.get_static_dir(), "index.html"), encoding="utf-8") as f:
        assert html == f.read().replace('<html lang="en">', '<html lang="fr">')


def test_les_autres_fichiers_sont_servis_tels_quels(gestionnaire):
    dossier = os.path.join(file_util.get_static_dir(), "static", "js")
    nom = sorted(n for n in os.listdir(dossier) if n.endswith(".js"))[0]
    statut, entetes, corps = _get(gestionnaire, f"/static/js/{nom}")
    assert statut == 200
    with open(os.path.join(dossier, nom), "rb") as f:
        assert corps == f.read()
    assert "etag" in entetes and "immutable" in entetes["cache-control"]


def test_sans_le_lanceur_l_application_pose_la_langue_elle_meme(monkeypatch):
    # AppTest or ``streamlit run app.py``: nothing installed, app.py keeps its one-pixel frame.
    monkeypatch.setattr(langue_page, "_installee", False)
    assert not langue_page.page_servie_en_francais()


def test_page_inattendue_rien_n_est_change(monkeypatch, tmp_path):
    (tmp_path / "index.html").write_text("<html><head></head></html>", encoding="utf-8")
    monkeypatch.setattr(file_util, "get_static_dir", lambda: str(tmp_path))
    monkeypatch.setattr(routes, "create_streamlit_static_handler", routes.create_streamlit_static_handler)
    monkeypatch.setattr(langue_page, "_installee", False)
    origine = routes.create_streamlit_static_handler
    assert not langue_page.servir_en_francais()
    assert routes.create_streamlit_static_handler is origine
    assert not langue_page.page_servie_en_francais()


def test_une_plage_d_octets_recoit_la_page_entiere(gestionnaire):
    # The page is only ever sent whole (HTTP lets a server ignore Range), and says so.
    statut, entetes, corps = _get(gestionnaire, "/", {"range": "bytes=0-15"})
    assert statut == 200 and '<html lang="fr">' in corps.decode("utf-8")
    assert "accept-ranges" not in entetes and "content-range" not in entetes
