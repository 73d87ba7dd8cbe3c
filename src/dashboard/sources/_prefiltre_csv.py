"""Streamed pre-filter of huge CSV files: keep only the records that hold one of a few codes.

Why: the national Cartefibre building file is 4.5 GB (about 25 M rows) and a territory of
30 communes needs about 0.3 % of it. Parsing every field of every row is what a CSV reader
does, and on a 2-core machine it runs at 1–3 M rows/s (DuckDB, measured in
``bench/README.md``). Finding the rows whose fields equal one of the territory's INSEE
codes is a byte search that numpy does at memory speed. The records found — a superset of
the territory's rows, since a postal code or a street number may look like an INSEE code —
are then parsed for real, with explicit types, by DuckDB (see ``arcep_immeubles``).

How, block by block (1 MB, so memory stays constant whatever the size of the file, gzip or
zip members included since the input is any binary stream):

* **record boundaries** are the newlines outside quoted fields (RFC 4180: ``"`` opens and
  closes, ``""`` inside is a quote, so the parity of the number of quotes tells whether a
  newline is inside a field). A block is cut at its last boundary and the rest carried to
  the next block, so every block starts at a record start with an even quote count;
* **hits**: the positions of the 2-character prefix(es) of the codes (one vectorised
  comparison on ``uint16`` views at both byte offsets), kept when preceded by a separator,
  quote, newline or space, followed by the rest of a code and then a separator, quote,
  space, ``.`` (``56121.0``), CR or LF. A code that lost its leading zero (``1001`` for
  ``01001``) is searched too;
* **physical line numbers**: the newlines before each kept record are counted (quoted
  newlines included), so an error names the line a user sees in a text editor.

A file with an unterminated quote would make the rest of the file one record: a record
longer than four blocks is refused with the line where it starts (« guillemet non fermé
probable »). Blank lines count as lines (they hold no code, so they are never candidates).
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np

from dashboard.erreurs import ErreurFormat
from dashboard.sources.lecture import detecter_separateur

TAILLE_BLOC = 1 << 20  # 1 MB: numpy's temporaries stay in the CPU cache
FILS = 2
AUCUN = np.empty(0, dtype=np.int64)
GUILLEMET = ord('"')
FIN_LIGNE = ord("\n")


@dataclass
class Extrait:
    """The header and the candidate records of a CSV stream.

    ``enregistrements`` are the raw bytes of each candidate record (line end removed);
    ``lignes`` the physical line where each starts (the header is line 1); ``total`` the
    number of data records in the whole file; ``octets`` the (decompressed) bytes read.
    """

    entete: str
    separateur: str
    enregistrements: list[bytes] = field(default_factory=list)
    lignes: list[int] = field(default_factory=list)
    total: int = 0
    octets: int = 0


def variantes(codes: Iterable[str]) -> set[str]:
    """The codes, plus each one without its leading zero (``01001`` → ``1001``)."""
    resultat: set[str] = set()
    for code in codes:
        resultat.add(code)
        if code.startswith("0") and len(code) > 1:
            resultat.add(code[1:])
    return resultat


def _tables(separateur: int) -> tuple[np.ndarray, np.ndarray]:
    avant = np.zeros(256, dtype=bool)
    avant[[separateur, GUILLEMET, FIN_LIGNE, ord(" ")]] = True
    apres = np.zeros(256, dtype=bool)
    apres[[separateur, GUILLEMET, FIN_LIGNE, ord("\r"), ord(" "), ord(".")]] = True
    return avant, apres


def _empaqueter(octets: np.ndarray, positions: np.ndarray, longueur: int) -> np.ndarray:
    """``longueur`` bytes from each position, packed little-endian in one ``uint64``."""
    valeur = np.zeros(len(positions), dtype=np.uint64)
    for j in range(longueur):
        valeur |= octets[positions + j].astype(np.uint64) << np.uint64(8 * j)
    return valeur


class _Chercheur:
    """Vectorised search of the codes in a block that ends on a record boundary."""

    def __init__(self, codes: Iterable[str], separateur: str) -> None:
        self.variantes = sorted(variantes(codes))
        if not self.variantes or any(len(v) < 2 or not v.isascii() for v in self.variantes):
            raise ValueError("codes à rechercher invalides")
        self.avant, self.apres = _tables(ord(separateur))
        self.prefixes = sorted({v[:2].encode() for v in self.variantes})
        self.par_longueur: dict[int, np.ndarray] = {}
        for longueur in sorted({len(v) for v in self.variantes}):
            paquets = [int.from_bytes(v.encode(), "little") for v in self.variantes if len(v) == longueur]
            self.par_longueur[longueur] = np.array(sorted(paquets), dtype=np.uint64)

    def positions(self, tampon: bytearray, fin: int) -> np.ndarray:
        """Start positions of the codes found in ``tampon[:fin]``, sorted."""
        octets = np.frombuffer(tampon, dtype=np.uint8, count=fin)
        trouvees = []
        if fin < 3:
            return np.empty(0, dtype=np.int64)
        n = (fin - 1) // 2  # pairs k: bytes (2k, 2k+1) in « pairs », (2k+1, 2k+2) in « impairs »
        pairs = np.frombuffer(tampon, dtype="<u2", count=n, offset=0)
        impairs = np.frombuffer(tampon, dtype="<u2", count=n, offset=1)
        for prefixe in self.prefixes:
            valeur = int.from_bytes(prefixe, "little")
            # one pass over both alignments, then one nonzero: hits are sparse
            k = np.flatnonzero((pairs == valeur) | (impairs == valeur))
            trouvees.append(2 * k[pairs[k] == valeur])
            trouvees.append(2 * k[impairs[k] == valeur] + 1)
        if not trouvees:
            return np.empty(0, dtype=np.int64)
        positions = np.concatenate(trouvees)
        # position 0 is a record start (a block starts on a boundary): preceded « by a newline »
        precedent = np.where(positions > 0, octets[np.maximum(positions - 1, 0)], FIN_LIGNE)
        positions = positions[self.avant[precedent]]
        gardees = np.zeros(len(positions), dtype=bool)
        for longueur, paquets in self.par_longueur.items():
            possibles = positions + longueur < fin  # the terminator must exist in the block
            candidates = positions[possibles]
            valeurs = _empaqueter(octets, candidates, longueur)
            rangs = np.minimum(np.searchsorted(paquets, valeurs), len(paquets) - 1)
            bons = paquets[rangs] == valeurs
            bons &= self.apres[octets[candidates + longueur]]
            gardees[np.flatnonzero(possibles)[bons]] = True
        return np.sort(positions[gardees])


PLAFOND_GUILLEMETS = 4096  # per block: beyond, quote positions are found with numpy


def _guillemets(tampon: bytearray, fin: int) -> np.ndarray:
    """Positions of the quotes of ``tampon[:fin]``: ``memchr`` one by one while they are few
    (the usual case: a quoted field now and then), numpy when they are many."""
    positions: list[int] = []
    i = tampon.find(b'"', 0, fin)
    while i >= 0:
        positions.append(i)
        if len(positions) > PLAFOND_GUILLEMETS:
            return np.flatnonzero(np.frombuffer(tampon, dtype=np.uint8, count=fin) == GUILLEMET)
        i = tampon.find(b'"', i + 1, fin)
    return np.array(positions, dtype=np.int64)


def _retours_entre_guillemets(tampon: bytearray, fin: int, guillemets: np.ndarray) -> np.ndarray:
    """Newlines inside quoted fields (they do not end a record), sorted.

    Quotes pair up as opening/closing (a doubled quote inside a field closes and reopens at
    once, with nothing between); an odd last quote opens a field that runs past ``fin``.
    """
    if len(guillemets) > PLAFOND_GUILLEMETS:  # many quotes: parity of the quotes before each newline
        retours = np.flatnonzero(np.frombuffer(tampon, dtype=np.uint8, count=fin) == FIN_LIGNE)
        return retours[(np.searchsorted(guillemets, retours) & 1) == 1]
    internes: list[int] = []
    ouvertures = guillemets[0::2].tolist()
    fermetures = [*guillemets[1::2].tolist(), fin]
    for ouverture, fermeture in zip(ouvertures, fermetures, strict=False):
        k = tampon.find(b"\n", ouverture, fermeture)
        while k >= 0:
            internes.append(k)
            k = tampon.find(b"\n", k + 1, fermeture)
    return np.array(internes, dtype=np.int64)


@dataclass
class _Bloc:
    """Whole records: ``tampon[:taille]``; ``internes``: its newlines inside quoted fields."""

    tampon: bytearray
    taille: int
    internes: np.ndarray


@dataclass
class _Analyse:
    retours: int
    enregistrements: int
    candidats: list[bytes]
    lignes: np.ndarray  # physical line of each candidate, relative to the block's first line (0-based)


class _SansFin(Exception):
    """A record without an end (unterminated quote): ``extraire`` adds its line number."""

    def __init__(self, taille: int) -> None:
        super().__init__(taille)
        self.taille = taille


def _lire_entete(flux: BinaryIO, fichier: str) -> bytes:
    """The header line, refused when empty, binary-looking, HTML or with an odd quote count."""
    entete = flux.readline(1 << 20)
    if not entete.strip():
        raise ErreurFormat("fichier vide ou sans ligne d'en-tête", fichier=fichier, ligne=1)
    if not entete.endswith(b"\n") and len(entete) >= 1 << 20:
        raise ErreurFormat("ligne d'en-tête illisible (plus d'un mégaoctet sans fin de ligne)", fichier=fichier,
                           ligne=1, conseil="le fichier n'est probablement pas un CSV")
    if entete.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html", b"<?xml")):
        raise ErreurFormat("le fichier est une page HTML ou XML, pas un CSV", fichier=fichier, ligne=1,
                           conseil="page d'erreur ou de maintenance téléchargée à la place des données")
    if entete.count(b'"') % 2:
        raise ErreurFormat("guillemet non fermé dans la ligne d'en-tête", fichier=fichier, ligne=1)
    return entete


def _decouper(flux: BinaryIO, taille_bloc: int, compteur: list[int], tampons: int) -> Iterator[_Bloc]:
    """Blocks of whole records; the incomplete last record of a block starts the next one.

    ``compteur[0]`` accumulates the bytes read. The buffers are reused in turn (``tampons``
    of them: more than the blocks the caller keeps in flight), which spares allocating and
    zeroing a megabyte per block.
    """
    reserve = [bytearray(2 * taille_bloc + 1) for _ in range(tampons)]
    reste = b""
    for numero in itertools.count():
        tampon = reserve[numero % tampons]
        if len(tampon) < len(reste) + taille_bloc + 1:  # a long record carried over
            tampon = reserve[numero % tampons] = bytearray(len(reste) + taille_bloc + 1)
        tampon[:len(reste)] = reste
        lus = flux.readinto(memoryview(tampon)[len(reste):len(reste) + taille_bloc])
        compteur[0] += lus
        fin = len(reste) + lus
        if lus == 0:
            if fin == 0:
                return
            if tampon[fin - 1] != FIN_LIGNE:  # last record without a line end
                tampon[fin] = FIN_LIGNE
                fin += 1
        internes = AUCUN
        limite = tampon.rfind(b"\n", 0, fin) + 1
        if tampon.find(b'"', 0, fin) >= 0:
            # the block starts outside quotes; a newline inside a quoted field does not end
            # a record, so the block is cut after the last newline that does
            internes = _retours_entre_guillemets(tampon, fin, _guillemets(tampon, fin))
            if len(internes):
                interdits = set(internes.tolist())
                while limite and (limite - 1) in interdits:
                    limite = tampon.rfind(b"\n", 0, limite - 1) + 1
                internes = internes[internes < limite]
        if limite == 0:
            if lus == 0 or fin > 4 * taille_bloc:
                raise _SansFin(fin)
            reste = bytes(tampon[:fin])
            continue
        reste = bytes(tampon[limite:fin])
        yield _Bloc(tampon, limite, internes)
        if lus == 0 and not reste:
            return


def _analyser(bloc: _Bloc, chercheur: _Chercheur) -> _Analyse:
    internes = bloc.internes
    positions = chercheur.positions(bloc.tampon, bloc.taille)
    octets = np.frombuffer(bloc.tampon, dtype=np.uint8, count=bloc.taille)
    if not len(positions):
        n = int(np.count_nonzero(octets == FIN_LIGNE))
        return _Analyse(n, n - len(internes), [], np.empty(0, dtype=np.int64))
    retours = np.flatnonzero(octets == FIN_LIGNE)
    bornes = retours[~np.isin(retours, internes)] if len(internes) else retours
    rangs = np.unique(np.searchsorted(bornes, positions))
    debuts = np.where(rangs > 0, bornes[np.maximum(rangs - 1, 0)] + 1, 0)
    fins = bornes[rangs]
    vue = memoryview(bloc.tampon)
    candidats = []
    for debut, fin in zip(debuts.tolist(), fins.tolist(), strict=True):
        if fin > debut and bloc.tampon[fin - 1] == 13:  # CRLF
            fin -= 1
        candidats.append(bytes(vue[debut:fin]))
    return _Analyse(len(retours), len(bornes), candidats, np.searchsorted(retours, debuts))


def extraire(flux: BinaryIO, codes: Iterable[str], fichier: str, *, separateur: str | None = None,
             taille_bloc: int = TAILLE_BLOC, fils: int = FILS) -> Extrait:
    """Read ``flux`` block by block and keep the records holding one of ``codes``.

    ``separateur`` is the expected one (detected from the header otherwise); ``fils``
    threads analyse blocks in parallel (numpy releases the GIL), in order.
    """
    entete = _lire_entete(flux, fichier)
    texte = entete.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n")
    sep = detecter_separateur(texte, fichier, separateur)
    chercheur = _Chercheur(codes, sep)
    extrait = Extrait(entete=texte, separateur=sep)
    compteur = [len(entete)]
    ligne = 2  # physical line of the next block's first byte

    def recueillir(analyse: _Analyse) -> None:
        nonlocal ligne
        extrait.total += analyse.enregistrements
        extrait.enregistrements.extend(analyse.candidats)
        extrait.lignes.extend((analyse.lignes + ligne).tolist())
        ligne += analyse.retours

    blocs = _decouper(flux, taille_bloc, compteur, tampons=2 * fils + 3)
    en_cours: deque[Future[_Analyse]] = deque()
    try:
        if fils <= 1:
            for bloc in blocs:
                recueillir(_analyser(bloc, chercheur))
        else:
            with ThreadPoolExecutor(fils) as pool:
                for bloc in blocs:
                    en_cours.append(pool.submit(_analyser, bloc, chercheur))
                    while len(en_cours) > 2 * fils:
                        recueillir(en_cours.popleft().result())
                while en_cours:
                    recueillir(en_cours.popleft().result())
    except _SansFin as exc:
        while en_cours:  # the blocks before it tell on which line the endless record starts
            recueillir(en_cours.popleft().result())
        taille = f"{exc.taille >> 20} Mo" if exc.taille >= 1 << 20 else f"{exc.taille} octets"
        raise ErreurFormat(
            f"enregistrement sans fin ({taille} lus sans fin de ligne hors guillemets) : "
            "guillemet non fermé probable", fichier=fichier, ligne=ligne,
            conseil="un champ entre guillemets n'est pas refermé ; rien n'a été importé",
        ) from None
    extrait.octets = compteur[0]
    return extrait
