"""Downloads against a local fixture server: retries, HTML pages, truncation, caps, redirects."""

import pytest

from dashboard.erreurs import SourceIndisponible
from dashboard.telechargement import telecharger
from tests.serveur_local import HOTES_TEST, ServeurLocal, goutte_a_goutte, repondre

CSV = b"code_insee;valeur\n56121;1\n"


@pytest.fixture
def serveur():
    with ServeurLocal() as s:
        yield s


def charger(url, **kwargs):
    return telecharger(url, hotes=HOTES_TEST, pause_base=0.01, **kwargs)


def test_succes_avec_provenance(serveur):
    url = serveur.route("/ok.csv", repondre(200, CSV, {"Content-Type": "text/csv",
                                                       "Last-Modified": "Tue, 14 Sep 2026 08:00:00 GMT"}))
    t = charger(url)
    assert t.contenu == CSV
    assert t.last_modified == "Tue, 14 Sep 2026 08:00:00 GMT"
    assert len(t.sha256) == 64


def test_503_avec_retry_after_puis_succes(serveur):
    def action(h, n):
        if n == 1:
            repondre(503, b"", {"Retry-After": "0"})(h, n)
        else:
            repondre(200, CSV, {"Content-Type": "text/csv"})(h, n)

    url = serveur.route("/instable.csv", action)
    assert charger(url).contenu == CSV
    assert serveur.appels("/instable.csv") == 2


def test_500_persistant(serveur):
    url = serveur.route("/panne.csv", repondre(500))
    with pytest.raises(SourceIndisponible, match="HTTP 500"):
        charger(url, tentatives=2)
    assert serveur.appels("/panne.csv") == 2


def test_404_non_retente(serveur):
    with pytest.raises(SourceIndisponible) as exc:
        charger(serveur.url + "/absent.csv")
    assert "HTTP 404" in str(exc.value) and "à mettre à jour" in str(exc.value)
    assert serveur.appels("/absent.csv") == 1


def test_page_html_refusee(serveur):
    url = serveur.route("/portail", repondre(200, b"<!DOCTYPE html><p>maintenance</p>",
                                             {"Content-Type": "text/html; charset=utf-8"}))
    with pytest.raises(SourceIndisponible, match="page HTML"):
        charger(url)
    url2 = serveur.route("/deguise.csv", repondre(200, b"<html><body>erreur</body></html>",
                                                  {"Content-Type": "text/csv"}))
    with pytest.raises(SourceIndisponible, match="page HTML"):
        charger(url2)


def test_corps_tronque(serveur):
    url = serveur.route("/tronque.csv", repondre(200, CSV, {"Content-Type": "text/csv"}, longueur=len(CSV) + 500))
    with pytest.raises(SourceIndisponible, match=r"tronqué|interrompu"):
        charger(url, tentatives=1, delai_lecture=2)


def test_redirection_vers_hote_non_autorise(serveur):
    url = serveur.route("/redir", repondre(302, b"", {"Location": "http://evil.invalid/x.csv"}))
    with pytest.raises(SourceIndisponible, match="non autorisé"):
        charger(url)


def test_redirection_interne_suivie(serveur):
    serveur.route("/final.csv", repondre(200, CSV, {"Content-Type": "text/csv"}))
    url = serveur.route("/redir2", repondre(301, b"", {"Location": "/final.csv"}))
    t = charger(url)
    assert t.contenu == CSV and t.url_finale.endswith("/final.csv")


def test_taille_maximale(serveur):
    url = serveur.route("/gros.csv", repondre(200, b"x" * 5000, {"Content-Type": "text/csv"}))
    with pytest.raises(SourceIndisponible, match="trop volumineux"):
        charger(url, taille_max=1000)


def test_goutte_a_goutte_echeance(serveur):
    url = serveur.route("/lent.csv", goutte_a_goutte(1000, 0.05))
    with pytest.raises(SourceIndisponible, match="trop lent"):
        charger(url, echeance=0.5, tentatives=1)


def test_reseau_coupe():
    with pytest.raises(SourceIndisponible, match="réseau indisponible"):
        telecharger("http://127.0.0.1:9/x.csv", hotes=HOTES_TEST, tentatives=2, pause_base=0.01,
                    delai_connexion=1)


def test_schema_non_http_refuse():
    with pytest.raises(SourceIndisponible, match="adresse refusée"):
        telecharger("file:///etc/passwd")
