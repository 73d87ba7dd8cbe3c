"""Refresh and import: each failure leaves the last good edition current and says why."""

import functools

import pytest

from dashboard.actualisation import actualiser, importer, importer_octets
from dashboard.erreurs import ErreurFormat, SourceIndisponible
from dashboard.integrite import sha256_fichier
from dashboard.magasin import Magasin
from dashboard.telechargement import telecharger
from tests.serveur_local import HOTES_TEST, ServeurLocal, repondre
from tests.source_factice import SourceFactice, csv_factice


@pytest.fixture
def serveur():
    with ServeurLocal() as s:
        yield s


def source_pointant_sur(url: str) -> SourceFactice:
    source = SourceFactice()
    source.fichiers = (source.fichiers[0].__class__("valeurs.csv", url),)
    return source


def empreintes(magasin: Magasin) -> dict:
    dossier = magasin.dossier("factice")
    return {p.relative_to(dossier).as_posix(): sha256_fichier(p)
            for p in sorted(dossier.rglob("*")) if p.is_file() and p.name not in ("etat.json", ".lock")}


@pytest.fixture
def magasin_initial(tmp_path, contexte):
    magasin = Magasin(tmp_path / "snapshots")
    importer_octets(SourceFactice(), magasin, contexte, {"valeurs.csv": csv_factice("2026-03-31")})
    return magasin


def charger_local(url, **kwargs):
    return telecharger(url, hotes=HOTES_TEST, pause_base=0.01, tentatives=2, **kwargs)


def test_actualisation_reussie(serveur, magasin_initial, contexte):
    url = serveur.route("/v.csv", repondre(200, csv_factice("2026-06-30", valeur=50), {"Content-Type": "text/csv"}))
    m = actualiser(source_pointant_sur(url), magasin_initial, contexte, telecharger=charger_local)
    assert m["libelle_edition"] == "T2 2026" and m["origine"] == "téléchargement officiel"
    assert magasin_initial.charger("factice").frame["valeur"].tolist() == [50, 51, 52]
    assert magasin_initial.etat_actualisation("factice")["derniere_erreur"] is None


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (repondre(503, b"", {"Retry-After": "0"}), "HTTP 503"),
        (repondre(200, b"<!DOCTYPE html><p>maintenance", {"Content-Type": "text/html"}), "page HTML"),
        (repondre(200, b"code;val\n1;2\n", {"Content-Type": "text/csv"}), "colonne attendue « code_insee » absente"),
        (repondre(200, csv_factice("2025-12-31"), {"Content-Type": "text/csv"}), "plus ancienne"),
        (repondre(200, csv_factice("2026-06-30", n=1), {"Content-Type": "text/csv"}), "chute suspecte"),
        (repondre(200, b"", {"Content-Type": "text/csv"}), "fichier vide"),
    ],
)
def test_echec_garde_la_derniere_edition(serveur, magasin_initial, contexte, action, message):
    avant = empreintes(magasin_initial)
    url = serveur.route("/v.csv", action)
    with pytest.raises((SourceIndisponible, ErreurFormat)) as exc:
        actualiser(source_pointant_sur(url), magasin_initial, contexte, telecharger=charger_local)
    assert message in str(exc.value)
    assert empreintes(magasin_initial) == avant
    assert magasin_initial.charger("factice").frame["valeur"].tolist() == [10, 11, 12]
    assert message in magasin_initial.etat_actualisation("factice")["derniere_erreur"]


def test_forcer_accepte_une_edition_plus_ancienne(serveur, magasin_initial, contexte):
    url = serveur.route("/v.csv", repondre(200, csv_factice("2025-12-31"), {"Content-Type": "text/csv"}))
    m = actualiser(source_pointant_sur(url), magasin_initial, contexte, telecharger=charger_local, forcer=True)
    assert m["edition"] == "2025-12-31"


def test_donnees_officielles_remplacent_la_demo(tmp_path, contexte):
    magasin = Magasin(tmp_path / "s")
    importer_octets(SourceFactice(), magasin, contexte, {"valeurs.csv": csv_factice("2026-09-30", n=5)}, demo=True)
    assert magasin.charger("factice").manifeste["demo"] is True
    importer_octets(SourceFactice(), magasin, contexte, {"valeurs.csv": csv_factice("2026-03-31", n=2)})
    manifeste = magasin.charger("factice").manifeste
    assert manifeste["demo"] is False and manifeste["edition"] == "2026-03-31"


def test_import_d_un_fichier_telecharge_a_la_main(tmp_path, contexte):
    fichier = tmp_path / "téléchargé (1).csv"
    fichier.write_bytes(csv_factice("2026-06-30"))
    magasin = Magasin(tmp_path / "s")
    m = importer(SourceFactice(), magasin, contexte, [fichier])
    assert m["origine"] == "import manuel"
    assert list(m["fichiers_bruts"]) == ["valeurs.csv"]


def test_disque_plein(serveur, magasin_initial, contexte, monkeypatch):
    import dashboard.magasin as module

    url = serveur.route("/v.csv", repondre(200, csv_factice("2026-06-30"), {"Content-Type": "text/csv"}))
    original = module.ecrire_atomique

    def plein(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(module, "ecrire_atomique", plein)
    with pytest.raises(Exception, match="espace disque insuffisant"):
        actualiser(source_pointant_sur(url), magasin_initial, contexte, telecharger=charger_local)
    monkeypatch.setattr(module, "ecrire_atomique", original)
    assert magasin_initial.charger("factice").manifeste["edition"] == "2026-03-31"
    assert not list(magasin_initial.dossier("factice").glob(".staging-*"))


def test_source_inaccessible_message(magasin_initial, contexte):
    source = source_pointant_sur("http://127.0.0.1:9/v.csv")
    with pytest.raises(SourceIndisponible, match="réseau indisponible"):
        actualiser(source, magasin_initial, contexte,
                   telecharger=functools.partial(charger_local, delai_connexion=1))
