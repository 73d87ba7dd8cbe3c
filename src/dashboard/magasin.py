"""The store: versioned snapshots of each source on disk, with provenance.

Layout, one folder per source::

    data/snapshots/<source>/
        current.json                  {"edition": "<id>", "precedente": "<id>", ...}
        <id>/manifest.json            provenance: URL, edition, retrieved_at (UTC), sha256, rows, licence, demo
        <id>/data.parquet             the tidy validated frame
        <id>/raw/<official file>      the bytes as published (or as generated, for demo data);
                                      absent for a source with ``garder_bruts = False`` (files of
                                      several GB): its manifest keeps their name, size and sha256
        etat.json                     last refresh attempt and its error, if any

Why: the app must never lose its last good data. A new edition is written to a staging
folder, fsynced, renamed into place, and only then is ``current.json`` swapped with
``os.replace`` (atomic). Readers therefore see the old edition or the new one, never a
mixture; a failed refresh leaves everything as it was. The previous editions are kept.

Clock: edition ids embed the UTC time of retrieval. An id dated in the future (a clock set
back, or a copy made on a machine with a wrong clock) is not trusted for ordering: such
editions sort last, so they never pass for the newest one.

Fault injection (crash tests only): ``DASHBOARD_PANNE=apres_ecriture`` (staging written,
not yet renamed) or ``avant_bascule`` (edition in place, pointer not yet swapped) makes
:meth:`Magasin.enregistrer` announce the step on stderr and wait there to be killed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import signal
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from dashboard import __version__
from dashboard.erreurs import ActualisationEnCours, DonneesCorrompues, EcritureImpossible
from dashboard.integrite import ecrire_atomique, fsync_dossier, maintenant_utc, sha256_fichier
from dashboard.sources.base import Resultat, Source

POINTEUR = "current.json"
MANIFESTE = "manifest.json"
DONNEES = "data.parquet"
ETAT = "etat.json"
EDITIONS_GARDEES = 3
FORMAT_HORODATAGE = "%Y%m%dT%H%M%S%fZ"
TOLERANCE_HORLOGE = timedelta(minutes=5)
PANNE = "DASHBOARD_PANNE"
journal = logging.getLogger(__name__)


def _point_de_panne(etape: str) -> None:
    """Crash tests (F-10): stop here, as a power cut or ``kill -9`` would, when asked to.

    With ``DASHBOARD_PANNE=<etape>`` the process writes ``PANNE <etape>`` on stderr, waits
    for the test to kill it, and kills itself if nobody does. Unset in normal use.
    """
    if os.environ.get(PANNE) != etape:
        return
    sys.stderr.write(f"PANNE {etape} {os.getpid()}\n")
    sys.stderr.flush()
    time.sleep(30)
    os.kill(os.getpid(), signal.SIGKILL)


def horodatage_edition(identifiant: str) -> datetime | None:
    """UTC time of retrieval embedded in an edition id (``<edition>_<horodatage>_<sha>``)."""
    morceaux = identifiant.split("_")
    if len(morceaux) < 3:
        return None
    try:
        return datetime.strptime(morceaux[-2], FORMAT_HORODATAGE).replace(tzinfo=UTC)
    except ValueError:
        return None


def du_futur(moment: datetime | str | None, maintenant: datetime | None = None) -> bool:
    """True when ``moment`` (aware datetime or ISO UTC text) is later than now (5 min tolerance)."""
    if moment is None:
        return False
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError:
            return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment > (maintenant or datetime.now(UTC)) + TOLERANCE_HORLOGE


def empreintes_bruts(bruts: Mapping[str, bytes | Path]) -> tuple[str, dict[str, dict]]:
    """sha256 of all raw files concatenated in name order (the edition id), and per file
    ``{"sha256", "octets"}``. Files given as paths are hashed in 1 MB blocks, never loaded."""
    globale = hashlib.sha256()
    fichiers: dict[str, dict] = {}
    for nom in sorted(bruts):
        contenu = bruts[nom]
        h = hashlib.sha256()
        if isinstance(contenu, bytes | bytearray):
            h.update(contenu)
            globale.update(contenu)
            taille = len(contenu)
        else:
            taille = 0
            tampon = memoryview(bytearray(1 << 20))  # one reused buffer: no allocation per block
            with Path(contenu).open("rb", buffering=0) as f:
                while lus := f.readinto(tampon):
                    h.update(tampon[:lus])
                    if len(bruts) > 1:
                        globale.update(tampon[:lus])
                    taille += lus
        fichiers[Path(nom).name] = {"sha256": h.hexdigest(), "octets": taille}
    if len(bruts) == 1:  # the concatenation of one file is that file
        return next(iter(fichiers.values()))["sha256"], fichiers
    return globale.hexdigest(), fichiers


@dataclass(frozen=True)
class Instantane:
    """A loaded edition: the frame, its manifest, and a warning if it is a fallback."""

    frame: pd.DataFrame
    manifeste: dict
    avertissement: str | None = None

    @property
    def identifiant(self) -> str:
        return self.manifeste["identifiant_edition"]


class Magasin:
    """Snapshots under ``racine`` (normally ``data/snapshots``)."""

    def __init__(self, racine: Path) -> None:
        self.racine = racine

    # ------------------------------------------------------------------ paths
    def dossier(self, source: str) -> Path:
        return self.racine / source

    def sources_presentes(self) -> list[str]:
        if not self.racine.exists():
            return []
        return sorted(p.name for p in self.racine.iterdir() if p.is_dir() and not p.name.startswith("."))

    # ------------------------------------------------------------------ locking
    @contextlib.contextmanager
    def verrou(self, source: str) -> Iterator[None]:
        """Single-flight lock per source across processes (``flock``, non-blocking)."""
        dossier = self.dossier(source)
        try:
            dossier.mkdir(parents=True, exist_ok=True)
            fichier_verrou = (dossier / ".lock").open("a")
        except OSError as exc:
            raise EcritureImpossible(
                f"dossier des données non modifiable ({exc.strerror}) : {dossier}",
                conseil="actualisation impossible avec ce compte (dossier en lecture seule ?) ; "
                        "les données actuelles restent utilisées",
            ) from exc
        with fichier_verrou as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise ActualisationEnCours(
                    f"une actualisation de « {source} » est déjà en cours",
                    conseil="attendez qu'elle se termine",
                ) from exc
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    # ------------------------------------------------------------------ writing
    def enregistrer(
        self,
        source: Source,
        resultat: Resultat,
        bruts: Mapping[str, bytes | Path],
        *,
        url: str | None = None,
        origine: str = "téléchargement",
        garder: int = EDITIONS_GARDEES,
        http: list[dict] | None = None,
    ) -> dict:
        """Write a new edition and switch to it atomically; return its manifest.

        ``bruts`` maps each raw file's name to its bytes or its path. They are copied under
        ``raw/`` unless ``source.garder_bruts`` is false; in both cases the manifest lists
        their size and sha256. ``http`` lists the responses of a download (final URL,
        ``Last-Modified`` in UTC, ``ETag``). The caller holds :meth:`verrou`. Any exception
        leaves the current edition intact.
        """
        dossier = self.dossier(source.identifiant)
        dossier.mkdir(parents=True, exist_ok=True)
        self.nettoyer_orphelins(source.identifiant)
        recupere_le = maintenant_utc()
        empreinte_brute, fichiers_bruts = empreintes_bruts(bruts)
        horodatage = datetime.now(UTC).strftime(FORMAT_HORODATAGE)  # orders editions, µs resolution
        identifiant = f"{resultat.edition}_{horodatage}_{empreinte_brute[:8]}"
        staging = dossier / f".staging-{uuid.uuid4().hex}"
        staging.mkdir(parents=True)
        try:
            if source.garder_bruts:
                (staging / "raw").mkdir()
                for nom, contenu in bruts.items():
                    nom_sur = Path(nom).name  # never a path from outside
                    if not isinstance(contenu, bytes | bytearray):
                        contenu = Path(contenu).read_bytes()
                    ecrire_atomique(staging / "raw" / nom_sur, bytes(contenu))
            frame = resultat.frame.reset_index(drop=True)
            frame.to_parquet(staging / DONNEES, index=False)
            with (staging / DONNEES).open("rb") as f:
                os.fsync(f.fileno())
            manifeste = {
                "source": source.identifiant,
                "titre": source.titre,
                "producteur": source.producteur,
                "licence": source.licence,
                "page": source.page,
                "url": url or ", ".join(f.url for f in source.fichiers),
                "origine": origine,
                "edition": resultat.edition,
                "libelle_edition": resultat.libelle_edition,
                "identifiant_edition": identifiant,
                "retrieved_at": recupere_le,
                "http": list(http or []),
                "sha256": sha256_fichier(staging / DONNEES),
                "fichiers_bruts": fichiers_bruts,
                "bruts_conserves": bool(source.garder_bruts),
                "lignes": len(frame),
                "lignes_lues": resultat.lignes_lues,
                "lignes_rejetees": len(resultat.lignes_rejetees),
                "colonnes": list(frame.columns),
                "avertissements": resultat.avertissements[:50],
                "demo": bool(resultat.demo),
                "version_application": __version__,
            }
            ecrire_atomique(staging / MANIFESTE, json.dumps(manifeste, ensure_ascii=False, indent=2).encode())
            fsync_dossier(staging)
            _point_de_panne("apres_ecriture")
            os.replace(staging, dossier / identifiant)
            fsync_dossier(dossier)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _point_de_panne("avant_bascule")
        precedent = self.pointeur(source.identifiant)
        self._ecrire_pointeur(source.identifiant, identifiant, precedent.get("edition") if precedent else None)
        self.elaguer(source.identifiant, garder)
        return manifeste

    def _ecrire_pointeur(self, source: str, edition: str, precedente: str | None) -> None:
        contenu = {"edition": edition, "precedente": precedente, "bascule_le": maintenant_utc()}
        ecrire_atomique(self.dossier(source) / POINTEUR, json.dumps(contenu, indent=2).encode())

    def revenir_a_precedente(self, source: str) -> str:
        """Roll back ``current.json`` to the previous edition (``python -m dashboard rollback``)."""
        pointeur = self.pointeur(source)
        if not pointeur or not pointeur.get("precedente"):
            raise DonneesCorrompues(f"aucune édition précédente pour « {source} »")
        cible = pointeur["precedente"]
        if not (self.dossier(source) / cible / MANIFESTE).exists():
            raise DonneesCorrompues(f"l'édition précédente {cible} n'existe plus")
        self._ecrire_pointeur(source, cible, pointeur["edition"])
        return cible

    def nettoyer_orphelins(self, source: str) -> None:
        """Remove staging folders left by a crash between write and switch."""
        for p in self.dossier(source).glob(".staging-*"):
            shutil.rmtree(p, ignore_errors=True)

    def elaguer(self, source: str, garder: int) -> None:
        """Keep the current edition and the ``garder - 1`` most recent others."""
        pointeur = self.pointeur(source) or {}
        proteges = {pointeur.get("edition"), pointeur.get("precedente")}
        editions = self.editions(source)
        for ancienne in editions[garder:]:
            if ancienne not in proteges:
                shutil.rmtree(self.dossier(source) / ancienne, ignore_errors=True)

    # ------------------------------------------------------------------ reading
    def pointeur(self, source: str) -> dict | None:
        chemin = self.dossier(source) / POINTEUR
        if not chemin.exists():
            return None
        try:
            contenu = json.loads(chemin.read_text(encoding="utf-8"))
            if not isinstance(contenu, dict) or "edition" not in contenu:
                raise ValueError("clé « edition » absente")
            return contenu
        except (ValueError, json.JSONDecodeError):
            return {"edition": None, "corrompu": True}

    def editions(self, source: str, maintenant: datetime | None = None) -> list[str]:
        """Edition folders, newest retrieval first (the id embeds the UTC timestamp).

        Ids dated in the future (clock skew) come last, oldest of them first: their date
        says nothing about their order.
        """
        dossier = self.dossier(source)
        if not dossier.exists():
            return []
        noms = [p.name for p in dossier.iterdir() if p.is_dir() and not p.name.startswith(".")]
        plancher = datetime.min.replace(tzinfo=UTC)
        dates = {n: horodatage_edition(n) or plancher for n in noms}
        fiables = [n for n in noms if not du_futur(dates[n], maintenant)]
        futures = [n for n in noms if du_futur(dates[n], maintenant)]
        return sorted(fiables, key=dates.__getitem__, reverse=True) + sorted(futures, key=dates.__getitem__)

    def lire_manifeste(self, source: str, edition: str) -> dict:
        chemin = self.dossier(source) / edition / MANIFESTE
        try:
            manifeste = json.loads(chemin.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise DonneesCorrompues("manifeste absent", fichier=str(chemin.relative_to(self.racine))) from exc
        except json.JSONDecodeError as exc:
            raise DonneesCorrompues(
                f"manifeste illisible ({exc.msg})", fichier=str(chemin.relative_to(self.racine)), ligne=exc.lineno
            ) from exc
        if not isinstance(manifeste, dict) or "sha256" not in manifeste:
            raise DonneesCorrompues("manifeste incomplet (sha256 absent)",
                                    fichier=str(chemin.relative_to(self.racine)))
        return manifeste

    def _charger_edition(self, source: str, edition: str) -> Instantane:
        manifeste = self.lire_manifeste(source, edition)
        chemin = self.dossier(source) / edition / DONNEES
        if not chemin.exists() or sha256_fichier(chemin) != manifeste["sha256"]:
            raise DonneesCorrompues(
                "fichier de données absent ou modifié (sha256 différent du manifeste)",
                fichier=str(chemin.relative_to(self.racine)),
            )
        try:
            frame = pd.read_parquet(chemin)
        except Exception as exc:  # pyarrow raises several types on corrupt files
            raise DonneesCorrompues(f"parquet illisible ({type(exc).__name__})",
                                    fichier=str(chemin.relative_to(self.racine))) from exc
        return Instantane(frame, manifeste)

    def charger(self, source: str) -> Instantane:
        """Load the current edition, verified by sha256.

        On a corrupt pointer, manifest or data file, fall back to the previous good
        edition and say so in ``avertissement``. Raise only when nothing is usable.
        """
        pointeur = self.pointeur(source)
        candidats: list[str] = []
        if pointeur and pointeur.get("edition"):
            candidats.append(pointeur["edition"])
            if pointeur.get("precedente"):
                candidats.append(pointeur["precedente"])
        candidats += [e for e in self.editions(source) if e not in candidats]
        if not candidats:
            raise DonneesCorrompues(
                f"aucune donnée pour la source « {source} »",
                conseil=f"chargez-la : python -m dashboard refresh {source} (en ligne) ou "
                        f"python -m dashboard import {source} FICHIER",
            )
        erreurs: list[str] = []
        for i, edition in enumerate(candidats):
            try:
                instantane = self._charger_edition(source, edition)
            except DonneesCorrompues as exc:
                erreurs.append(str(exc))
                continue
            if i > 0 or (pointeur or {}).get("corrompu"):
                return Instantane(
                    instantane.frame,
                    instantane.manifeste,
                    "données locales corrompues, version précédente utilisée "
                    f"(édition {instantane.manifeste.get('libelle_edition')}) : "
                    f"{erreurs[0] if erreurs else 'pointeur illisible'}",
                )
            return instantane
        raise DonneesCorrompues(
            f"aucune édition lisible pour « {source} » : {' ; '.join(erreurs)}",
            conseil=f"réimportez la source : python -m dashboard refresh {source}",
        )

    # ------------------------------------------------------------------ status
    def noter_tentative(self, source: str, erreur: str | None) -> None:
        """Record the last refresh attempt (``etat.json``) without touching the data."""
        dossier = self.dossier(source)
        etat = self.etat_actualisation(source)
        etat["derniere_tentative"] = maintenant_utc()
        if not dossier.is_dir():
            try:
                dossier.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                journal.warning("état de %s non enregistré : %s", source, exc)
                return
        etat["derniere_erreur"] = erreur
        if erreur is None:
            etat["derniere_reussite"] = etat["derniere_tentative"]
        try:
            ecrire_atomique(dossier / ETAT, json.dumps(etat, ensure_ascii=False, indent=2).encode())
        except OSError as exc:
            # Disk full or read-only: the status note is lost, but the real error (which
            # the caller re-raises) must not be masked by this one.
            journal.warning("état de %s non enregistré : %s", source, exc)

    def etat_actualisation(self, source: str) -> dict:
        chemin = self.dossier(source) / ETAT
        try:
            return json.loads(chemin.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return {}
