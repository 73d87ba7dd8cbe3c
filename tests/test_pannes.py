"""Refresh faults of plan §6.2 that need real processes: crash between write and switch (F-10),
two refreshes at once with readers polling (F-11), and each source failing on its own with
``status`` showing per-source state and the last good edition.

The refreshes run as subprocesses (``tests/processus_actualisation.py``) against the local
fixture server of ``tests/serveur_local.py``; the crash is a real ``kill -9``.
"""

from __future__ import annotations

import functools
import hashlib
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dashboard import chemins, cli
from dashboard import sources as registre
from dashboard import telechargement as module_telechargement
from dashboard.actualisation import actualiser, importer_octets
from dashboard.erreurs import ErreurDonnees
from dashboard.magasin import Magasin
from dashboard.sources.base import Fichier
from dashboard.telechargement import telecharger
from tests.conftest import RACINE
from tests.serveur_local import HOTES_TEST, ServeurLocal, repondre
from tests.source_factice import SourceFactice, csv_factice

CSV = {"Content-Type": "text/csv"}
DELAI_S = 20


@pytest.fixture
def serveur():
    with ServeurLocal() as s:
        yield s


@pytest.fixture
def magasin(tmp_path, contexte) -> Magasin:
    """A store holding one edition of the test source: values 10, 11, 12 (T1 2026)."""
    m = Magasin(tmp_path / "snapshots")
    importer_octets(SourceFactice(), m, contexte, {"valeurs.csv": csv_factice("2026-03-31")})
    return m


def source_factice(identifiant: str, url: str) -> SourceFactice:
    source = SourceFactice()
    source.identifiant = identifiant
    source.fichiers = (Fichier("valeurs.csv", url),)
    return source


def lancer_actualisation(racine: Path, url: str, **env) -> subprocess.Popen:
    """``python -m tests.processus_actualisation`` as a separate process (its own lock holder)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.processus_actualisation", str(racine), url],
        cwd=RACINE, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def attendre_ligne(flux, debut: str, delai_s: float = DELAI_S) -> str:
    """Read ``flux`` line by line until one starts with ``debut`` (fails after ``delai_s``)."""
    limite = time.monotonic() + delai_s
    lues = []
    while time.monotonic() < limite:
        prets, _, _ = select.select([flux], [], [], max(0.0, limite - time.monotonic()))
        if not prets:
            break
        ligne = flux.readline()
        if not ligne:
            break
        lues.append(ligne)
        if ligne.startswith(debut):
            return ligne.strip()
    raise AssertionError(f"« {debut} » jamais lu ; reçu : {''.join(lues)!r}")


def empreinte(chemin: Path) -> str:
    return hashlib.sha256(chemin.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------------- F-10
@pytest.mark.parametrize("etape", ["apres_ecriture", "avant_bascule"])
def test_f10_kill_9_entre_ecriture_et_bascule(etape, serveur, magasin):
    """A refresh killed with SIGKILL after writing its files but before the pointer swap:
    the old edition is still the current one for a restarted reader, the lock is free,
    and the next refresh removes the orphan staging folder and switches normally."""
    dossier = magasin.dossier("factice")
    ancienne = magasin.pointeur("factice")["edition"]
    pointeur_avant = empreinte(dossier / "current.json")
    url = serveur.route("/v.csv", repondre(200, csv_factice("2026-06-30", valeur=50), CSV))

    processus = lancer_actualisation(magasin.racine, url, DASHBOARD_PANNE=etape)
    try:
        assert attendre_ligne(processus.stderr, "PANNE").startswith(f"PANNE {etape}")
        os.kill(processus.pid, signal.SIGKILL)
        assert processus.wait(timeout=DELAI_S) == -signal.SIGKILL
    finally:
        if processus.poll() is None:
            processus.kill()
        processus.communicate()

    # Restart: a fresh store object (no state in memory) reads the old edition, intact.
    relu = Magasin(magasin.racine)
    assert empreinte(dossier / "current.json") == pointeur_avant
    instantane = relu.charger("factice")
    assert instantane.identifiant == ancienne and instantane.avertissement is None
    assert instantane.frame["valeur"].tolist() == [10, 11, 12]
    orphelins = list(dossier.glob(".staging-*"))
    if etape == "apres_ecriture":
        assert len(orphelins) == 1 and (orphelins[0] / "data.parquet").is_file()
    else:
        assert orphelins == []
        assert len(relu.editions("factice")) == 2  # complete but never switched to
    with relu.verrou("factice"):
        pass  # the killed process's lock died with it

    nouveau = actualiser(source_factice("factice", url), relu, None,
                         telecharger=functools.partial(telecharger, hotes=HOTES_TEST, tentatives=1))
    assert list(dossier.glob(".staging-*")) == []
    assert relu.charger("factice").identifiant == nouveau["identifiant_edition"]
    assert relu.pointeur("factice")["precedente"] == ancienne
    assert relu.charger("factice").frame["valeur"].tolist() == [50, 51, 52]


# ---------------------------------------------------------------------------------- F-11
def retenue(arrivee: threading.Event, liberer: threading.Event, corps: bytes):
    """A route that signals the request came in, then answers only once released."""

    def action(h, n: int) -> None:
        arrivee.set()
        liberer.wait(DELAI_S)
        repondre(200, corps, CSV)(h, n)

    return action


def test_f11_deux_actualisations_simultanees_lecteurs_coherents(serveur, magasin):
    """Process A holds the lock (its download is held by the server); process B, started
    meanwhile, is refused with « déjà en cours » and downloads nothing. Readers polling all
    along only ever see the old or the new edition, each with its own values, never an error."""
    ancienne = magasin.pointeur("factice")["edition"]
    arrivee, liberer, fin = threading.Event(), threading.Event(), threading.Event()
    url = serveur.route("/lent.csv", retenue(arrivee, liberer, csv_factice("2026-06-30", valeur=50)))
    lectures: list[tuple[str, tuple]] = []
    erreurs: list[str] = []

    def lire_en_boucle() -> None:
        lecteur = Magasin(magasin.racine)
        while not fin.is_set():
            try:
                inst = lecteur.charger("factice")
                lectures.append((inst.identifiant, tuple(inst.frame["valeur"].tolist()), inst.avertissement))
            except Exception as exc:  # any error seen by a reader is a failure of the test
                erreurs.append(repr(exc))
            time.sleep(0.002)  # leave the GIL to the fixture server's thread

    lecteurs = [threading.Thread(target=lire_en_boucle, daemon=True) for _ in range(2)]
    for fil in lecteurs:
        fil.start()
    a = lancer_actualisation(magasin.racine, url)
    b = None
    try:
        assert arrivee.wait(DELAI_S), "le processus A n'a jamais demandé le fichier"
        b = lancer_actualisation(magasin.racine, url)
        sortie_b, erreur_b = b.communicate(timeout=DELAI_S)
        assert b.returncode == 1, erreur_b
        assert "actualisation de « factice » est déjà en cours" in sortie_b
        assert "Traceback" not in erreur_b
        liberer.set()
        sortie_a, erreur_a = a.communicate(timeout=DELAI_S)
        assert a.returncode == 0, erreur_a
        time.sleep(0.3)  # readers keep polling after the switch
    finally:
        liberer.set()
        fin.set()
        for p in (a, b):
            if p is not None and p.poll() is None:
                p.kill()
                p.communicate()
        for fil in lecteurs:
            fil.join(timeout=DELAI_S)

    nouvelle = sortie_a.split()[1]
    assert serveur.appels("/lent.csv") == 1  # B never downloaded
    assert erreurs == []
    valeurs_attendues = {ancienne: (10, 11, 12), nouvelle: (50, 51, 52)}
    assert {identifiant for identifiant, _, _ in lectures} == {ancienne, nouvelle}
    assert all(valeurs == valeurs_attendues[identifiant] and avertissement is None
               for identifiant, valeurs, avertissement in lectures)
    assert sorted(magasin.editions("factice")) == sorted([ancienne, nouvelle])  # exactly one new edition
    assert magasin.pointeur("factice") | {"bascule_le": None} == {
        "edition": nouvelle, "precedente": ancienne, "bascule_le": None}


# ----------------------------------------------------- each source on its own, and status
@pytest.fixture
def deux_sources(tmp_path, contexte, monkeypatch, serveur):
    """Two test sources in the registry (a: its server answers 503, b: a new edition),
    both with a first good edition, in a temporary store the CLI uses."""
    racine = tmp_path / "snapshots"
    url_a = serveur.route("/a.csv", repondre(503, b"", {"Retry-After": "0"}))
    url_b = serveur.route("/b.csv", repondre(200, csv_factice("2026-06-30", valeur=70), CSV))
    sources = {"factice_a": source_factice("factice_a", url_a), "factice_b": source_factice("factice_b", url_b)}
    magasin = Magasin(racine)
    for s in sources.values():
        importer_octets(s, magasin, contexte, {"valeurs.csv": csv_factice("2026-03-31")})
    monkeypatch.setattr(registre, "toutes_les_sources", lambda: sources)
    monkeypatch.setattr(registre, "source", lambda identifiant: sources[identifiant])
    monkeypatch.setattr(chemins, "dossier_instantanes", lambda: racine)
    monkeypatch.setattr(module_telechargement, "telecharger",
                        functools.partial(telecharger, hotes=HOTES_TEST, tentatives=2, pause_base=0.01))
    return magasin


def test_chaque_source_echoue_seule(deux_sources, capsys):
    """``refresh`` of both: a fails (HTTP 503) and keeps its edition, b is refreshed; exit 1."""
    magasin = deux_sources
    avant_a = magasin.pointeur("factice_a")["edition"]
    assert cli.main(["refresh"]) == 1
    erreur = capsys.readouterr().err
    assert "Traceback" not in erreur
    bloc_a = erreur[erreur.index("Actualisation de factice_a"):erreur.index("Actualisation de factice_b")]
    bloc_b = erreur[erreur.index("Actualisation de factice_b"):]
    assert "ÉCHEC : le serveur a répondu HTTP 503" in bloc_a
    assert "Les dernières données valides restent utilisées." in bloc_a
    assert "OK : édition T2 2026, 3 lignes" in bloc_b
    assert magasin.pointeur("factice_a")["edition"] == avant_a
    assert magasin.charger("factice_a").frame["valeur"].tolist() == [10, 11, 12]
    assert magasin.charger("factice_b").frame["valeur"].tolist() == [70, 71, 72]
    assert "HTTP 503" in magasin.etat_actualisation("factice_a")["derniere_erreur"]
    assert magasin.etat_actualisation("factice_b")["derniere_erreur"] is None


def test_status_etat_par_source_et_derniere_edition_valide(deux_sources, capsys):
    """``status`` after that partial refresh: per-source state, the last good edition with its
    date (Paris time), and the failure with its date for the source that failed."""
    magasin = deux_sources
    cli.main(["refresh"])
    capsys.readouterr()
    assert cli.main(["status"]) == 0
    sortie = capsys.readouterr().out
    bloc_a = sortie[sortie.index("- factice_a"):sortie.index("- factice_b")].splitlines()
    bloc_b = sortie[sortie.index("- factice_b"):].splitlines()
    recupere_a = cli.formats.horodatage(magasin.charger("factice_a").manifeste["retrieved_at"])
    tentative_a = cli.formats.horodatage(magasin.etat_actualisation("factice_a")["derniere_tentative"])
    assert bloc_a[1:] == [
        "    état : ÉCHEC de la dernière actualisation, dernière édition valide affichée",
        f"    dernière édition valide : T1 2026 (officielle), 3 lignes, récupérée le {recupere_a}, "
        "aujourd'hui (import manuel)",
        f"    dernière actualisation échouée le {tentative_a} : le serveur a répondu HTTP 503 pour "
        f"{magasin.charger('factice_a').manifeste['url']}",
    ]
    assert bloc_b[1] == "    état : à jour (dernière édition valide chargée)"
    assert bloc_b[2].startswith("    dernière édition valide : T2 2026 (officielle), 3 lignes, récupérée le ")
    assert bloc_b[2].endswith("(heure de Paris), aujourd'hui (téléchargement officiel)")
    assert bloc_b[3].startswith("    dernière actualisation réussie le ")


def test_status_source_jamais_chargee(tmp_path, monkeypatch, capsys):
    """A source without any edition: status says so and how to load it, exit code 0."""
    source = source_factice("factice_vide", "http://127.0.0.1:9/v.csv")
    monkeypatch.setattr(registre, "toutes_les_sources", lambda: {"factice_vide": source})
    monkeypatch.setattr(chemins, "dossier_instantanes", lambda: tmp_path / "snapshots")
    assert cli.main(["status"]) == 0
    sortie = capsys.readouterr().out
    assert ("    état : AUCUNE DONNÉE UTILISABLE — aucune donnée pour la source « factice_vide » — "
            "chargez-la : python -m dashboard refresh factice_vide (en ligne) ou "
            "python -m dashboard import factice_vide FICHIER") in sortie


def test_erreur_d_ecriture_en_francais_sans_trace(magasin, contexte, monkeypatch, capsys):
    """An import that cannot write its edition (EACCES) is an ErreurDonnees in French, never a
    raw OSError; the last good edition stays current and the failure is noted."""
    import pandas as pd

    def refus(*_a, **_k):
        raise PermissionError(13, "Permission denied")

    avant = magasin.pointeur("factice")
    monkeypatch.setattr(pd.DataFrame, "to_parquet", refus)
    with pytest.raises(ErreurDonnees) as exc:
        importer_octets(SourceFactice(), magasin, contexte, {"valeurs.csv": csv_factice("2026-06-30")})
    assert str(exc.value) == ("dossier des données en lecture seule (Permission denied) — "
                              "les données précédentes sont conservées")
    monkeypatch.undo()
    assert magasin.pointeur("factice") == avant
    assert list(magasin.dossier("factice").glob(".staging-*")) == []
    assert magasin.etat_actualisation("factice")["derniere_erreur"] == (
        "dossier des données en lecture seule (Permission denied)")
