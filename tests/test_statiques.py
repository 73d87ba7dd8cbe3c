"""Streamlit's interface files answered from memory (``dashboard.statiques``): same answers as
Streamlit's own handler, no worker thread, and everything unusual left to Starlette."""

from __future__ import annotations

import os

import anyio.to_thread
import pytest
from streamlit import file_util
from streamlit.web.server.starlette import starlette_static_routes as routes

from dashboard import langue_page, statiques
from tests.asgi_local import get

DOSSIER = file_util.get_static_dir()
ORIGINE = routes.create_streamlit_static_handler


def _un_fichier(sous_dossier: str, extension: str) -> str:
    noms = sorted(n for n in os.listdir(os.path.join(DOSSIER, "static", sous_dossier)) if n.endswith(extension))
    return f"static/{sous_dossier}/{noms[0]}"


FICHIERS = [_un_fichier("js", ".js"), _un_fichier("css", ".css"), _un_fichier("media", ".woff2"), "favicon.png"]


@pytest.fixture
def installe(monkeypatch):
    """Streamlit's factory wrapped as the launcher does (French page, then memory), undone after."""
    monkeypatch.setattr(routes, "create_streamlit_static_handler", ORIGINE)
    monkeypatch.setattr(langue_page, "_installee", False)
    monkeypatch.setattr(statiques, "_installee", False)
    assert langue_page.servir_en_francais()
    assert statiques.installer()


def _nouveau():
    return routes.create_streamlit_static_handler(directory=DOSSIER, base_url=None)


def _sans_date(entetes: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in entetes.items() if k != "date"}


@pytest.mark.parametrize("chemin", FICHIERS)
def test_meme_reponse_que_streamlit(installe, chemin):
    temoin = ORIGINE(directory=DOSSIER, base_url=None)
    gestionnaire = _nouveau()
    attendu = get(temoin, "/" + chemin)
    for _ in range(2):  # read from disk, then from memory
        statut, entetes, corps = get(gestionnaire, "/" + chemin)
        assert statut == attendu[0] == 200
        assert corps == attendu[2]
        assert _sans_date(entetes) == _sans_date(attendu[1])
    assert "immutable" in entetes["cache-control"]
    with open(os.path.join(DOSSIER, chemin), "rb") as fichier:
        assert corps == fichier.read()
    assert len(gestionnaire.memoire) == 1 and gestionnaire.memoire.octets == len(corps)


def test_aucun_fil_de_travail_et_lu_une_seule_fois(installe, monkeypatch):
    gestionnaire = _nouveau()
    get(gestionnaire, "/" + FICHIERS[1])  # Starlette checks its folder once, on a worker thread

    def interdit(*args, **kwargs):
        raise AssertionError("fil de travail sollicité")

    monkeypatch.setattr(anyio.to_thread, "run_sync", interdit)
    statut, _, corps = get(gestionnaire, "/" + FICHIERS[0])
    assert statut == 200 and len(corps) > 0
    monkeypatch.setattr(gestionnaire, "lookup_path", interdit)  # the second time, from memory
    assert get(gestionnaire, "/" + FICHIERS[0])[2] == corps


@pytest.mark.parametrize("chemin", ["/", "/couverture", "/static/js/absent.js"])
def test_la_page_et_les_chemins_inconnus_suivent_le_chemin_habituel(installe, chemin):
    gestionnaire = _nouveau()
    statut, entetes, corps = get(gestionnaire, chemin)
    assert statut == 200 and entetes["cache-control"] == "no-cache"
    assert '<html lang="fr">' in corps.decode("utf-8")  # the French page, not a file of the folder
    assert len(gestionnaire.memoire) == 0


def test_chemin_hors_du_dossier_refuse(installe):
    gestionnaire = _nouveau()
    assert get(gestionnaire, "/static/../../etc/passwd")[0] == 400  # Streamlit's check, before ours
    # Even asked directly, the memory reads nothing outside the folder (Starlette's lookup_path).
    dehors = os.path.relpath(os.path.join(os.path.dirname(DOSSIER), "__init__.py"), DOSSIER)
    assert dehors.startswith("..") and os.path.isfile(os.path.join(DOSSIER, dehors))
    assert gestionnaire.memoire.reponse(dehors, {"method": "GET", "headers": []}) is None
    assert len(gestionnaire.memoire) == 0


@pytest.mark.parametrize(("entetes", "statut_attendu"), [
    ({"range": "bytes=0-9"}, 206),
    ({"if-none-match": "*"}, 304),
])
def test_plages_et_revalidations_laissees_a_starlette(installe, entetes, statut_attendu):
    gestionnaire = _nouveau()
    statut, reponse, corps = get(gestionnaire, "/" + FICHIERS[0], entetes)
    assert statut == statut_attendu
    if statut == 206:
        assert len(corps) == 10 and reponse["content-range"].startswith("bytes 0-9/")
    assert len(gestionnaire.memoire) == 0


def test_head_laisse_a_starlette(installe):
    gestionnaire = _nouveau()
    statut, entetes, corps = get(gestionnaire, "/" + FICHIERS[0], methode="HEAD")
    assert statut == 200 and corps == b"" and int(entetes["content-length"]) > 0
    assert len(gestionnaire.memoire) == 0


def test_au_dela_du_budget_servi_sans_etre_garde(installe):
    gestionnaire = _nouveau()
    gestionnaire.memoire.budget = 10
    statut, _, corps = get(gestionnaire, "/" + FICHIERS[0])
    assert statut == 200 and len(corps) > 10
    assert len(gestionnaire.memoire) == 0 and gestionnaire.memoire.octets == 0


def test_gestionnaire_introuvable_rien_n_est_change(monkeypatch):
    monkeypatch.delattr(routes, "create_streamlit_static_handler")
    monkeypatch.setattr(statiques, "_installee", False)
    assert not statiques.installer()


def test_gestionnaire_inattendu_servi_tel_quel(monkeypatch):
    class Inattendu:  # no lookup_path, file_response… : left alone
        async def get_response(self, path, scope):
            raise AssertionError

    monkeypatch.setattr(routes, "create_streamlit_static_handler", lambda directory, base_url: Inattendu())
    monkeypatch.setattr(statiques, "_installee", False)
    assert statiques.installer()
    gestionnaire = routes.create_streamlit_static_handler(directory=DOSSIER, base_url=None)
    assert isinstance(gestionnaire, Inattendu) and not hasattr(gestionnaire, "memoire")
