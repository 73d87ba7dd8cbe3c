"""F-14: clock and time-zone edge cases.

Every test runs twice, with ``TZ=UTC`` and ``TZ=Europe/Paris`` (``time.tzset``): stored
times are UTC with a ``Z``, shown times are Paris time whatever the server's zone, the
HTTP ``Last-Modified`` date (GMT) is parsed exactly, « il y a N jours » is never negative,
and an edition dated in the future (clock skew) is flagged by ``status`` and not trusted
to order editions. Instants are passed explicitly (``maintenant``), so nothing depends on
when the suite runs; the daylight-saving edges of 2026 (29 March, 25 October) are covered.
"""

from __future__ import annotations

import functools
import time
from datetime import UTC, datetime, timedelta

import pytest

import dashboard.magasin as module_magasin
from dashboard import formats
from dashboard.actualisation import actualiser
from dashboard.cli import etat_source
from dashboard.magasin import Magasin, du_futur, horodatage_edition
from dashboard.sources.base import Fichier
from dashboard.telechargement import date_http, telecharger
from tests.serveur_local import HOTES_TEST, ServeurLocal, repondre
from tests.source_factice import SourceFactice, csv_factice

SOURCE = SourceFactice()


@pytest.fixture(params=["UTC", "Europe/Paris"], autouse=True)
def fuseau(request, monkeypatch):
    """Run the test with the process time zone set to ``request.param``."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def test_fuseau_du_processus_applique(fuseau):
    """The fixture really changes the local zone (otherwise the parametrization proves nothing)."""
    ete = datetime(2026, 7, 1, 12, tzinfo=UTC).timestamp()
    assert time.localtime(ete).tm_gmtoff == (0 if fuseau == "UTC" else 7200)


@pytest.mark.parametrize(("entete", "attendu"), [
    ("Sun, 29 Mar 2026 00:59:59 GMT", "2026-03-29T00:59:59Z"),   # one second before summer time in Paris
    ("Sun, 29 Mar 2026 01:00:00 GMT", "2026-03-29T01:00:00Z"),   # 03:00 in Paris
    ("Sun, 25 Oct 2026 00:30:00 GMT", "2026-10-25T00:30:00Z"),   # first 02:30 in Paris
    ("Sun, 25 Oct 2026 01:30:00 GMT", "2026-10-25T01:30:00Z"),   # second 02:30 in Paris
    ("Thu, 31 Dec 2026 23:30:00 GMT", "2026-12-31T23:30:00Z"),
    ("Sunday, 06-Nov-94 08:49:37 GMT", "1994-11-06T08:49:37Z"),  # obsolete RFC 850 form
    ("pas une date", None),
    ("", None),
    (None, None),
])
def test_last_modified_gmt_lu_en_utc(entete, attendu):
    assert date_http(entete) == attendu


@pytest.mark.parametrize(("instant", "affiche"), [
    ("2026-03-29T00:59:00Z", "29 mars 2026 à 01 h 59 (heure de Paris)"),
    ("2026-03-29T01:01:00Z", "29 mars 2026 à 03 h 01 (heure de Paris)"),
    ("2026-10-25T00:30:00Z", "25 octobre 2026 à 02 h 30 (heure de Paris)"),
    ("2026-10-25T01:30:00Z", "25 octobre 2026 à 02 h 30 (heure de Paris)"),
    ("2026-06-30T22:30:00Z", "1er juillet 2026 à 00 h 30 (heure de Paris)"),
    ("2026-12-31T23:00:00+00:00", "1er janvier 2027 à 00 h 00 (heure de Paris)"),
    (None, formats.NON_DISPONIBLE),
])
def test_horodatage_affiche_en_heure_de_paris(instant, affiche):
    assert formats.horodatage(instant) == affiche


@pytest.mark.parametrize(("instant", "maintenant", "texte"), [
    ("2026-03-28T22:30:00Z", datetime(2026, 3, 29, 1, 1, tzinfo=UTC), "il y a 1 jour"),   # across the DST switch
    ("2026-03-28T23:30:00Z", datetime(2026, 3, 29, 1, 1, tzinfo=UTC), "aujourd'hui"),     # 00:30 in Paris
    ("2026-03-29T00:59:00Z", datetime(2026, 3, 29, 1, 1, tzinfo=UTC), "aujourd'hui"),
    ("2026-10-24T22:30:00Z", datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "aujourd'hui"),  # both on 25 Oct in Paris
    ("2026-10-20T12:00:00Z", datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "il y a 5 jours"),
    ("2026-11-28T12:04:00Z", datetime(2026, 11, 28, 12, 0, tzinfo=UTC), "aujourd'hui"),  # within the tolerance
    ("2026-11-29T12:00:00Z", datetime(2026, 11, 28, 12, 0, tzinfo=UTC), "date dans le futur (horloge décalée ?)"),
])
def test_anciennete_jamais_negative(instant, maintenant, texte):
    assert formats.anciennete(instant, maintenant) == texte


def test_actualisation_horodatee_en_utc_et_last_modified_garde(contexte, tmp_path):
    """A refresh stores UTC times with ``Z`` (not shifted by the local zone) and the
    ``Last-Modified`` of the response, which ``status`` shows in Paris time."""
    entetes = {"Content-Type": "text/csv", "Last-Modified": "Sun, 29 Mar 2026 00:59:59 GMT", "ETag": '"v1"'}
    magasin = Magasin(tmp_path / "snapshots")
    with ServeurLocal() as serveur:
        url = serveur.route("/v.csv", repondre(200, csv_factice("2026-03-31"), entetes))
        source = SourceFactice()
        source.fichiers = (Fichier("valeurs.csv", url),)
        avant = datetime.now(UTC).replace(microsecond=0)
        manifeste = actualiser(source, magasin, contexte,
                               telecharger=functools.partial(telecharger, hotes=HOTES_TEST, tentatives=1))
        apres = datetime.now(UTC)
    assert manifeste["http"] == [{"url": url, "last_modified": "2026-03-29T00:59:59Z", "etag": '"v1"'}]
    recupere = datetime.fromisoformat(manifeste["retrieved_at"].replace("Z", "+00:00"))
    assert manifeste["retrieved_at"].endswith("Z") and avant <= recupere <= apres
    assert avant <= horodatage_edition(manifeste["identifiant_edition"]) <= apres
    etat = magasin.etat_actualisation("factice")
    assert etat["derniere_reussite"].endswith("Z")
    lignes = etat_source(magasin, "factice")
    assert f"fichier publié le 29 mars 2026 à 01 h 59 (heure de Paris) (Last-Modified de {url})" in lignes


def enregistrer(magasin: Magasin, contexte, date: str):
    bruts = {"valeurs.csv": csv_factice(date)}
    return magasin.enregistrer(SOURCE, SOURCE.lire_et_valider(bruts, contexte), bruts)


class HorlogeDecalee:
    """Replace the store's clock by one shifted by ``decalage`` (a machine with a wrong clock)."""

    def __init__(self, monkeypatch, decalage: timedelta) -> None:
        vraie = datetime

        class Decalee(datetime):
            @classmethod
            def now(cls, tz=None):
                return vraie.now(tz) + decalage

        monkeypatch.setattr(module_magasin, "datetime", Decalee)
        monkeypatch.setattr(module_magasin, "maintenant_utc",
                            lambda: (vraie.now(UTC) + decalage).replace(microsecond=0).isoformat().replace(
                                "+00:00", "Z"))


def test_edition_du_futur_signalee_et_pas_utilisee_pour_l_ordre(contexte, tmp_path, monkeypatch):
    """An edition written while the clock was 2 days ahead: ``status`` flags it (no negative
    age), and once the clock is right again the editions made afterwards sort before it."""
    magasin = Magasin(tmp_path / "snapshots")
    premiere = enregistrer(magasin, contexte, "2026-03-31")
    with monkeypatch.context() as m:
        HorlogeDecalee(m, timedelta(days=2))
        future = enregistrer(magasin, contexte, "2026-06-30")
    assert du_futur(future["retrieved_at"]) and not du_futur(premiere["retrieved_at"])

    lignes = etat_source(magasin, "factice")
    assert lignes[0] == "état : à jour (dernière édition valide chargée)"
    assert lignes[1].endswith(", date dans le futur (horloge décalée ?) (téléchargement)")
    assert ("ATTENTION : date de récupération dans le futur (horloge décalée ?) ; "
            "elle n'est pas prise en compte pour ordonner les éditions") in lignes
    assert not any("il y a -" in ligne for ligne in lignes)

    suivante = enregistrer(magasin, contexte, "2026-09-30")
    assert magasin.editions("factice") == [suivante["identifiant_edition"], premiere["identifiant_edition"],
                                           future["identifiant_edition"]]
    assert magasin.pointeur("factice")["edition"] == suivante["identifiant_edition"]
    assert not any("ATTENTION" in ligne for ligne in etat_source(magasin, "factice"))
    # Two days later the clock has caught up: the edition is in the past and sorts normally.
    plus_tard = datetime.now(UTC) + timedelta(days=3)
    assert magasin.editions("factice", plus_tard)[0] == future["identifiant_edition"]


def test_elagage_ne_garde_pas_une_edition_du_futur_a_la_place_des_recentes(contexte, tmp_path, monkeypatch):
    """Pruning keeps the current, the previous and the most recent trusted editions; an
    edition from the future is the first to go (it would otherwise look newest forever)."""
    magasin = Magasin(tmp_path / "snapshots")
    with monkeypatch.context() as m:
        HorlogeDecalee(m, timedelta(days=30))
        future = enregistrer(magasin, contexte, "2025-03-31")
    editions = [enregistrer(magasin, contexte, f"2025-{mois}")["identifiant_edition"]
                for mois in ("06-30", "09-30", "12-31")]
    assert future["identifiant_edition"] not in magasin.editions("factice")
    assert magasin.editions("factice") == editions[::-1]
