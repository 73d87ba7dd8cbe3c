"""Download official files with timeouts, retries, a deadline, a byte cap and a host allow-list.

Why not plain ``requests.get``: an official server may be down, answer an HTML
maintenance page with status 200, drip bytes forever or redirect elsewhere. Each of
those must become a clear French :class:`SourceIndisponible`, never a partial file.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlparse

import requests

from dashboard.erreurs import SourceIndisponible
from dashboard.integrite import sha256_octets

HOTES_AUTORISES = frozenset(
    {
        "www.data.gouv.fr",
        "data.gouv.fr",
        "static.data.gouv.fr",
        "object.files.data.gouv.fr",
        "files.data.gouv.fr",
        "geo.api.gouv.fr",
        "data.arcep.fr",
        "arcep.s3.rbx.io.cloud.ovh.net",
        "www.insee.fr",
        "contours-administratifs.s3.rbx.io.cloud.ovh.net",
        "raw.githubusercontent.com",
    }
)
HOTES_LOCAUX = frozenset({"127.0.0.1", "localhost", "::1"})
USER_AGENT = "observatoire-numerique-pays-de-lorient/0.1 (+donnees ouvertes)"

Progression = Callable[[int, int | None], None]


@dataclass(frozen=True)
class Telechargement:
    url: str
    url_finale: str
    contenu: bytes
    type_contenu: str
    last_modified: str | None
    etag: str | None

    @property
    def sha256(self) -> str:
        return sha256_octets(self.contenu)


def _verifier_hote(url: str, hotes: frozenset[str]) -> None:
    partie = urlparse(url)
    if partie.scheme not in ("https", "http") or partie.hostname is None:
        raise SourceIndisponible(f"adresse refusée : {url}", conseil="seules les URL http(s) sont permises")
    if partie.hostname not in hotes:
        raise SourceIndisponible(
            f"redirection ou adresse vers un hôte non autorisé ({partie.hostname})",
            conseil="vérifiez l'URL officielle de la source",
        )


def _attente_retry_after(valeur: str | None, defaut: float) -> float:
    if not valeur:
        return defaut
    try:
        return min(float(valeur), 60.0)
    except ValueError:
        try:
            return max(0.0, min(60.0, parsedate_to_datetime(valeur).timestamp() - time.time()))
        except (TypeError, ValueError):
            return defaut


def date_http(valeur: str | None) -> str | None:
    """An HTTP date (``Last-Modified``, always GMT per RFC 9110) as ISO 8601 UTC text with a ``Z``.

    ``"Sun, 29 Mar 2026 00:59:59 GMT" → "2026-03-29T00:59:59Z"``, whatever the machine's time
    zone; ``None`` for a missing or unreadable date (never a guess).
    """
    if not valeur:
        return None
    try:
        moment = parsedate_to_datetime(valeur)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # "-0000" in RFC 5322 means UTC without a known zone
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def barre_progression(nom: str) -> Progression:
    """A plain text progress bar on stderr for the CLI (no extra dependency)."""

    def afficher(recu: int, total: int | None) -> None:
        if total:
            part = recu / total
            barre = "#" * int(part * 30)
            sys.stderr.write(f"\r{nom} [{barre:<30}] {part:6.1%} ({recu / 1e6:.1f} Mo)")
        else:
            sys.stderr.write(f"\r{nom} {recu / 1e6:.1f} Mo")
        sys.stderr.flush()

    return afficher


def telecharger(
    url: str,
    *,
    delai_connexion: float = 10.0,
    delai_lecture: float = 60.0,
    echeance: float = 600.0,
    taille_max: int = 2_000_000_000,
    tentatives: int = 3,
    accepter_html: bool = False,
    hotes: frozenset[str] = HOTES_AUTORISES,
    progression: Progression | None = None,
    session: requests.Session | None = None,
    pause_base: float = 1.0,
) -> Telechargement:
    """GET ``url`` and return its bytes, or raise :class:`SourceIndisponible` in French.

    Redirects are followed by hand so every hop is checked against ``hotes``.
    5xx and network errors are retried ``tentatives`` times (``Retry-After`` honoured);
    4xx are not. ``echeance`` bounds the whole download, ``taille_max`` its size.
    """
    session = session or requests.Session()
    derniere_erreur: SourceIndisponible | None = None
    for essai in range(1, tentatives + 1):
        try:
            return _une_tentative(
                url, session, delai_connexion, delai_lecture, echeance, taille_max,
                accepter_html, hotes, progression,
            )
        except _Reessayable as exc:
            derniere_erreur = exc.erreur
            if essai < tentatives:
                time.sleep(exc.attente if exc.attente is not None else pause_base * 2 ** (essai - 1))
    raise derniere_erreur or SourceIndisponible(f"téléchargement impossible : {url}")


class _Reessayable(Exception):
    def __init__(self, erreur: SourceIndisponible, attente: float | None = None) -> None:
        super().__init__(str(erreur))
        self.erreur = erreur
        self.attente = attente


def _une_tentative(url, session, delai_connexion, delai_lecture, echeance, taille_max,
                   accepter_html, hotes, progression) -> Telechargement:
    debut = time.monotonic()
    courante = url
    for _ in range(6):
        _verifier_hote(courante, hotes)
        try:
            reponse = session.get(
                courante,
                timeout=(delai_connexion, delai_lecture),
                stream=True,
                allow_redirects=False,
                headers={"User-Agent": USER_AGENT},
            )
        except requests.RequestException as exc:
            raise _Reessayable(
                SourceIndisponible(
                    f"réseau indisponible pour {url} ({type(exc).__name__})",
                    conseil="vérifiez la connexion ; les dernières données valides restent affichées",
                )
            ) from exc
        if reponse.is_redirect:
            courante = urljoin(courante, reponse.headers.get("Location", ""))
            reponse.close()
            continue
        break
    else:
        raise SourceIndisponible(f"trop de redirections pour {url}")

    statut = reponse.status_code
    if statut >= 500 or statut == 429:
        attente = _attente_retry_after(reponse.headers.get("Retry-After"), 1.0)
        reponse.close()
        raise _Reessayable(SourceIndisponible(f"le serveur a répondu HTTP {statut} pour {url}"), attente)
    if statut >= 400:
        reponse.close()
        raise SourceIndisponible(
            f"HTTP {statut} pour {url}",
            conseil="l'URL de la source est peut-être à mettre à jour" if statut == 404 else None,
        )
    type_contenu = reponse.headers.get("Content-Type", "")
    if not accepter_html and "text/html" in type_contenu.lower():
        reponse.close()
        raise SourceIndisponible(
            f"une page HTML a été reçue au lieu d'un fichier de données ({url})",
            conseil="page de maintenance ou portail captif probable ; réessayez plus tard",
        )
    annonce = reponse.headers.get("Content-Length")
    total = int(annonce) if annonce and annonce.isdigit() else None
    if total is not None and total > taille_max:
        reponse.close()
        raise SourceIndisponible(f"fichier trop volumineux ({total} octets > {taille_max})")
    morceaux: list[bytes] = []
    recu = 0
    try:
        # read1 returns as soon as some bytes arrive, so the deadline is checked even
        # when a server drips one byte at a time.
        while morceau := reponse.raw.read1(1 << 16, decode_content=True):
            recu += len(morceau)
            if recu > taille_max:
                raise SourceIndisponible(f"fichier trop volumineux (plus de {taille_max} octets)")
            if time.monotonic() - debut > echeance:
                raise _Reessayable(SourceIndisponible(f"téléchargement trop lent, abandon après {echeance:.0f} s"))
            morceaux.append(morceau)
            if progression:
                progression(recu, total)
    except requests.exceptions.RequestException as exc:
        raise _Reessayable(SourceIndisponible(f"téléchargement interrompu ({type(exc).__name__})")) from exc
    except Exception as exc:  # urllib3 ProtocolError / IncompleteRead on truncated bodies
        if isinstance(exc, (SourceIndisponible, _Reessayable)):
            raise
        raise _Reessayable(
            SourceIndisponible(f"téléchargement tronqué ou interrompu ({type(exc).__name__})")
        ) from exc
    finally:
        reponse.close()
    contenu = b"".join(morceaux)
    if total is not None and len(contenu) < total and not reponse.headers.get("Content-Encoding"):
        raise _Reessayable(SourceIndisponible(f"téléchargement tronqué ({len(contenu)} octets sur {total})"))
    if not accepter_html and contenu.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        raise SourceIndisponible(
            f"une page HTML a été reçue au lieu d'un fichier de données ({url})",
            conseil="page de maintenance ou portail captif probable",
        )
    return Telechargement(
        url=url,
        url_finale=courante,
        contenu=contenu,
        type_contenu=type_contenu,
        last_modified=reponse.headers.get("Last-Modified"),
        etag=reponse.headers.get("ETag"),
    )
