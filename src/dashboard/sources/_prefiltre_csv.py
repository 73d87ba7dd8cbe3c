"""Streamed pre-filter of huge CSV files: keep only the records that hold one of a few codes.

Why: the national Cartefibre building file is 4.5 GB (about 25 M rows) and a territory of
30 communes needs about 0.3 % of it. Parsing every field of every row is what a CSV reader
does, and on a 2-core machine it runs at 1–3 M rows/s (DuckDB, measured in
``bench/README.md``). Finding the rows whose fields equal one of the territory's INSEE
codes is a byte search that SIMD string routines (StringZilla) do at memory speed. The
records found — a superset of the territory's rows, since a postal code or a street number
may look like an INSEE code — are then parsed for real (see ``arcep_immeubles``).

How, block by block (1 MB, so memory stays constant whatever the size of the file). A plain
file is mapped in memory (``mmap``: no copy; the pages of finished blocks leave the process
and stay in the system's cache); any other binary stream (gzip, zip member, bytes) is read
into reused buffers. A plain file of 64 MB or more is cut in two parts (``FILS``), each cut
after a newline and searched by its own process (``fork``): the search runs Python code
between SIMD calls, which holds the GIL, so threads would wait for one another. A part that
does not end on a record end (the newline was inside a quoted field) or any failure sends
the whole file to one process, which gives the exact error if there is one. A mapped file must
not shrink while it is read (the system would stop the process): import a finished download.

* **record boundaries** are the newlines outside quoted fields (RFC 4180: ``"`` opens and
  closes, ``""`` inside is a quote). Quotes are rare in the official files: each opening
  quote is found, then the next quote or newline (``find_first_of``): a newline met before
  the closing quote is inside the field. A block is cut after its last boundary and the
  rest goes to the next block, so every block starts at a record start, outside quotes;
* **hits**: one SIMD substring search per byte that may precede a field — separator,
  newline, space — followed by the codes' first two characters (``,56``: rare, about 60 per
  megabyte), plus the quotes found above; each hit is kept when followed by the rest of a
  code and then a separator, quote, space, ``.`` (``56121.0``), CR or LF. A code that lost
  its leading zero (``1001`` for ``01001``) is searched too;
* **physical line numbers**: the newlines of each block are counted (quoted newlines
  included), so an error names the line a user sees in a text editor.

A file with an unterminated quote would make the rest of the file one record: a record
longer than four blocks is refused with the line where it starts (« guillemet non fermé
probable »). Blank lines count as lines (they hold no code, so they are never candidates).
"""

from __future__ import annotations

import io
import itertools
import mmap
import multiprocessing
import os
import stat
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np
import stringzilla as sz

from dashboard.erreurs import ErreurFormat
from dashboard.sources.lecture import detecter_separateur

TAILLE_BLOC = 1 << 20  # 1 MB: a block stays in the CPU cache between the searches
FILS = 2  # processes searching a plain file at once
AUCUN = np.empty(0, dtype=np.int64)
GUILLEMET = ord('"')
FIN_LIGNE = ord("\n")
PLAFOND_GUILLEMETS = 4096  # per block: beyond, quotes are located with numpy (every field quoted)


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


PLAFOND_TOUCHES = 256  # per block: beyond, the codes are located with numpy (the territory's own area)


class _Chercheur:
    """Search of the codes in a block that ends on a record boundary."""

    def __init__(self, codes: Iterable[str], separateur: str) -> None:
        self.variantes = sorted(variantes(codes))
        if not self.variantes or any(not 2 <= len(v) < 8 or not v.isascii() for v in self.variantes):
            raise ValueError("codes à rechercher invalides")
        self.prefixes = sorted({v[:2] for v in self.variantes})
        self.valeurs = [int.from_bytes(p.encode(), "little") for p in self.prefixes]
        # a quote may precede a code too: those hits come from the quotes found while cutting
        self.motifs = [avant + prefixe for prefixe in self.prefixes for avant in (separateur, "\n", " ")]
        self.avant = np.zeros(256, dtype=bool)
        self.avant[[ord(separateur), GUILLEMET, FIN_LIGNE, ord(" ")]] = True
        self.apres = np.zeros(256, dtype=bool)
        self.apres[[ord(separateur), GUILLEMET, FIN_LIGNE, ord("\r"), ord(" "), ord(".")]] = True
        # per length: the mask of its bytes in a little-endian word, and its codes so packed, sorted
        self.par_longueur = []
        for longueur in sorted({len(v) for v in self.variantes}):
            paquets = sorted(int.from_bytes(v.encode(), "little") for v in self.variantes if len(v) == longueur)
            self.par_longueur.append((longueur, np.uint64((1 << 8 * longueur) - 1), np.array(paquets, np.uint64)))
        self.decalages = np.arange(8)

    def positions(self, vue: memoryview, texte: sz.Str, guillemets: np.ndarray) -> np.ndarray:
        """Start positions of the codes found in the block ``vue`` (``texte`` is the same
        bytes), sorted; ``guillemets`` are its quotes."""
        debuts: list[int] = []
        chercher = texte.find
        for motif in self.motifs:
            i = chercher(motif)
            while i >= 0:
                debuts.append(i + 1)
                if len(debuts) > PLAFOND_TOUCHES:
                    return self.positions_numpy(vue)
                i = chercher(motif, i + 1)
        if any(texte.startswith(prefixe) for prefixe in self.prefixes):  # a block starts a record
            debuts.append(0)
        if not debuts and not len(guillemets):
            return AUCUN
        octets = np.frombuffer(vue, dtype=np.uint8)
        touches = np.array(debuts, dtype=np.int64)
        if len(guillemets):
            suivants = guillemets[guillemets + 2 < len(octets)] + 1
            for valeur in self.valeurs:
                touches = np.concatenate((touches, suivants[(octets[suivants] == valeur & 0xFF)
                                                            & (octets[suivants + 1] == valeur >> 8)]))
        return self.verifier(octets, touches)

    def positions_numpy(self, vue: memoryview) -> np.ndarray:
        """:meth:`positions` for a block dense in hits: the codes' first two characters on
        ``uint16`` views at both byte offsets, one vectorised comparison each."""
        octets = np.frombuffer(vue, dtype=np.uint8)
        n = (len(octets) - 1) // 2  # pairs k: bytes (2k, 2k+1) in « pairs », (2k+1, 2k+2) in « impairs »
        pairs = np.frombuffer(vue, dtype="<u2", count=n, offset=0)
        impairs = np.frombuffer(vue, dtype="<u2", count=n, offset=1)
        trouvees = np.zeros(n, dtype=bool)
        for valeur in self.valeurs:
            trouvees |= (pairs == valeur) | (impairs == valeur)
        k = np.flatnonzero(trouvees)
        # both bytes of each pair are possible starts: :meth:`verifier` sorts them out
        touches = np.concatenate((2 * k, 2 * k + 1))
        # preceded by a separator, quote, space or newline; position 0 reads the block's last
        # byte, a newline: a block starts a record
        return self.verifier(octets, touches[self.avant[octets[touches - 1]]])

    def verifier(self, octets: np.ndarray, touches: np.ndarray) -> np.ndarray:
        """The ``touches`` where a whole code starts, followed by a terminator in the block."""
        fin = len(octets)
        fenetres = octets[np.minimum(touches[:, None] + self.decalages, fin - 1)]  # 8 bytes from each
        mots = fenetres.view("<u8").ravel()
        gardees = np.zeros(len(touches), dtype=bool)
        for longueur, masque, paquets in self.par_longueur:
            valeurs = mots & masque
            rangs = np.minimum(np.searchsorted(paquets, valeurs), len(paquets) - 1)
            gardees |= (paquets[rangs] == valeurs) & self.apres[fenetres[:, longueur]] & (touches + longueur < fin)
        return np.unique(touches[gardees])


def _guillemets(vue: memoryview, texte: sz.Str) -> tuple[np.ndarray, np.ndarray]:
    """The quotes of ``vue`` (which starts outside quotes) and its newlines inside quoted
    fields, both sorted. Quotes pair up as opening/closing (a doubled quote inside a field
    closes and reopens at once); an odd last quote opens a field that runs past the end."""
    guillemets: list[int] = []
    internes: list[int] = []
    chercher, premier_de = texte.find, texte.find_first_of  # bound once: this loop runs per quoted field
    ouverture = chercher('"')
    while ouverture >= 0:
        fermeture = premier_de('"\n', ouverture + 1)
        while fermeture >= 0 and vue[fermeture] == FIN_LIGNE:
            internes.append(fermeture)
            fermeture = premier_de('"\n', fermeture + 1)
        if fermeture < 0:
            guillemets.append(ouverture)
            break
        guillemets += (ouverture, fermeture)
        if len(guillemets) > PLAFOND_GUILLEMETS:
            return _guillemets_numpy(vue)
        ouverture = chercher('"', fermeture + 1)
    return np.array(guillemets, dtype=np.int64), np.array(internes, dtype=np.int64)


def _guillemets_numpy(vue: memoryview) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_guillemets` for a block full of quotes: the parity of the quotes before each
    newline tells whether it is inside a field."""
    octets = np.frombuffer(vue, dtype=np.uint8)
    guillemets = np.flatnonzero(octets == GUILLEMET)
    retours = np.flatnonzero(octets == FIN_LIGNE)
    return guillemets, retours[(np.searchsorted(guillemets, retours) & 1) == 1]


@dataclass
class _Bloc:
    """Whole records (``vue``, which starts a record); ``internes``: its newlines inside
    quoted fields; ``guillemets``: its quotes; ``fin``: its end in a mapped file."""

    vue: memoryview
    internes: np.ndarray
    guillemets: np.ndarray
    fin: int = 0


def _couper(vue: memoryview) -> _Bloc | None:
    """The whole records at the start of ``vue`` (which starts a record, outside quotes), or
    ``None`` when it holds no record end outside quotes."""
    texte = sz.Str(vue)
    limite = texte.rfind("\n") + 1
    guillemets, internes = _guillemets(vue, texte) if texte.find('"') >= 0 else (AUCUN, AUCUN)
    if len(internes):
        # a newline inside a quoted field does not end a record: cut after the last one that does
        interdits = set(internes.tolist())
        while limite and (limite - 1) in interdits:
            limite = texte.rfind("\n", 0, limite - 1) + 1
        internes = internes[internes < limite]
    if limite == 0:
        return None
    if len(guillemets):
        guillemets = guillemets[guillemets < limite]
    return _Bloc(vue[:limite], internes, guillemets)


@dataclass
class _Analyse:
    retours: int
    enregistrements: int
    candidats: list[bytes]
    lignes: np.ndarray  # physical line of each candidate, relative to the block's first line (0-based)
    fin: int = 0


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


def _fin_des_donnees(vue: memoryview) -> Iterator[_Bloc]:
    """The last records of the data (``vue`` starts a record); a line end is added to the last
    one when it has none. What is left after the last record end outside quotes is refused."""
    if vue[len(vue) - 1] != FIN_LIGNE:
        vue = memoryview(bytes(vue) + b"\n")
    bloc = _couper(vue)
    if bloc is not None:
        yield bloc
    reste = len(vue) - (len(bloc.vue) if bloc is not None else 0)
    if reste:
        raise _SansFin(reste)


def _decouper(flux: BinaryIO, taille_bloc: int, compteur: list[int], tampons: int) -> Iterator[_Bloc]:
    """Blocks of whole records read from a stream; the incomplete last record of a block
    starts the next one.

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
            if fin:
                yield from _fin_des_donnees(memoryview(tampon)[:fin])
            return
        bloc = _couper(memoryview(tampon)[:fin])
        if bloc is None:
            if fin > 4 * taille_bloc:
                raise _SansFin(fin)
            reste = bytes(tampon[:fin])
            continue
        reste = bytes(tampon[len(bloc.vue):fin])
        yield bloc


def _carte(flux: BinaryIO, entete: bytes) -> mmap.mmap | None:
    """A read-only memory map of ``flux`` when it is a plain file on disk (not gzip or zip:
    those give decompressed bytes), else ``None``."""
    if not isinstance(flux, io.BufferedReader | io.FileIO):
        return None
    try:
        descripteur = flux.fileno()
        if not stat.S_ISREG(os.fstat(descripteur).st_mode):
            return None
        carte = mmap.mmap(descripteur, 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
    debut = flux.tell()
    if debut < len(entete) or carte[debut - len(entete):debut] != entete:  # not the bytes read: the stream
        carte.close()
        return None
    if hasattr(mmap, "MADV_SEQUENTIAL"):
        carte.madvise(mmap.MADV_SEQUENTIAL)
    return carte


def _decouper_carte(carte: mmap.mmap, debut: int, fin: int, taille_bloc: int) -> Iterator[_Bloc]:
    """Blocks of whole records of a mapped file, from ``debut`` (a record start) to ``fin``
    (the file's end, or a record end: else :class:`_Coupure`): views, no copy."""
    taille = len(carte)
    vue_carte = memoryview(carte)
    try:
        while debut < fin:
            limite = min(debut + taille_bloc, fin)
            while True:
                if limite == taille:
                    for bloc in _fin_des_donnees(vue_carte[debut:taille]):
                        bloc.fin = min(debut + len(bloc.vue), taille)
                        yield bloc
                    return
                bloc = _couper(vue_carte[debut:limite])
                if bloc is not None and (limite < fin or len(bloc.vue) == limite - debut):
                    break
                if limite == fin:  # ``fin`` is inside a quoted field: not a record end
                    raise _Coupure
                if limite - debut > 4 * taille_bloc:
                    raise _SansFin(limite - debut)
                limite = min(limite + taille_bloc, fin)
            bloc.fin = debut + len(bloc.vue)
            yield bloc
            debut = bloc.fin
    finally:
        vue_carte.release()


class _Coupure(Exception):
    """A part of a mapped file does not end on a record end (a quoted newline there)."""


def _analyser(bloc: _Bloc, chercheur: _Chercheur) -> _Analyse:
    vue, internes = bloc.vue, bloc.internes
    texte = sz.Str(vue)
    positions = chercheur.positions(vue, texte, bloc.guillemets)
    if not len(positions):
        n = texte.count("\n")
        return _Analyse(n, n - len(internes), [], AUCUN, bloc.fin)
    retours = np.flatnonzero(np.frombuffer(vue, dtype=np.uint8) == FIN_LIGNE)
    bornes = retours[~np.isin(retours, internes)] if len(internes) else retours
    rangs = np.unique(np.searchsorted(bornes, positions))
    debuts = np.where(rangs > 0, bornes[np.maximum(rangs - 1, 0)] + 1, 0)
    fins = bornes[rangs]
    candidats = []
    for debut, fin in zip(debuts.tolist(), fins.tolist(), strict=True):
        if fin > debut and vue[fin - 1] == 13:  # CRLF
            fin -= 1
        candidats.append(bytes(vue[debut:fin]))
    return _Analyse(len(retours), len(bornes), candidats, np.searchsorted(retours, debuts), bloc.fin)


@dataclass
class _Partie:
    """What a run of blocks holds: ``retours`` newlines, ``enregistrements`` records, the
    candidates and their lines (0-based, from the run's first line)."""

    retours: int = 0
    enregistrements: int = 0
    candidats: list[bytes] = field(default_factory=list)
    lignes: list[int] = field(default_factory=list)


def _balayer(blocs: Iterator[_Bloc], chercheur: _Chercheur, carte: mmap.mmap | None = None,
             taille_bloc: int = TAILLE_BLOC) -> _Partie:
    """Search every block, in order; the pages of a mapped file's finished blocks leave the
    process (they stay in the system's cache). On :class:`_SansFin`, its ``retours`` tell
    how many newlines precede the endless record."""
    partie = _Partie()
    libere = -1
    try:
        for bloc in blocs:
            analyse = _analyser(bloc, chercheur)
            partie.enregistrements += analyse.enregistrements
            partie.candidats.extend(analyse.candidats)
            partie.lignes.extend((analyse.lignes + partie.retours).tolist())
            partie.retours += analyse.retours
            if carte is not None and hasattr(mmap, "MADV_DONTNEED"):
                fin = analyse.fin // mmap.PAGESIZE * mmap.PAGESIZE
                if libere < 0:
                    libere = fin
                elif fin - libere >= taille_bloc:
                    carte.madvise(mmap.MADV_DONTNEED, libere, fin - libere)
                    libere = fin
    except _SansFin as exc:
        exc.retours = partie.retours
        raise
    return partie


_CARTES: dict[int, tuple[mmap.mmap, _Chercheur]] = {}  # inherited by the forked workers


def _balayer_partie(cle: int, debut: int, fin: int, taille_bloc: int) -> _Partie:
    """In a forked worker: search ``[debut, fin)`` of the mapped file it inherited."""
    carte, chercheur = _CARTES[cle]
    return _balayer(_decouper_carte(carte, debut, fin, taille_bloc), chercheur, carte, taille_bloc)


SEUIL_PARALLELE = 64 << 20  # bytes: below, one process is as fast


def _parties(carte: mmap.mmap, debut: int, nombre: int) -> list[tuple[int, int]]:
    """``[debut, len(carte))`` cut in ``nombre`` parts, each ending after a newline."""
    bornes = [debut]
    for i in range(1, nombre):
        retour = carte.find(b"\n", debut + (len(carte) - debut) * i // nombre)
        if retour < 0 or retour + 1 <= bornes[-1] or retour + 1 >= len(carte):
            break
        bornes.append(retour + 1)
    bornes.append(len(carte))
    return list(itertools.pairwise(bornes))


def _en_parallele(carte: mmap.mmap, debut: int, chercheur: _Chercheur, fils: int, taille_bloc: int
                  ) -> list[_Partie] | None:
    """The file's parts searched by ``fils - 1`` forked processes and this one (the last
    part), or ``None`` when that cannot be done: one part, no ``fork``, a part that does
    not end on a record end, an endless record, a worker that failed. The caller then
    searches the whole file in this process, which gives the exact error if there is one."""
    parties = _parties(carte, debut, fils)
    if len(parties) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    cle = id(carte)
    _CARTES[cle] = (carte, chercheur)
    try:
        with ProcessPoolExecutor(len(parties) - 1, mp_context=multiprocessing.get_context("fork")) as pool:
            travaux = [pool.submit(_balayer_partie, cle, d, f, taille_bloc) for d, f in parties[:-1]]
            derniere = _balayer(_decouper_carte(carte, *parties[-1], taille_bloc), chercheur, carte, taille_bloc)
            return [travail.result() for travail in travaux] + [derniere]
    except Exception:  # any failure: the caller reads the file in one process
        return None
    finally:
        del _CARTES[cle]


def extraire(flux: BinaryIO, codes: Iterable[str], fichier: str, *, separateur: str | None = None,
             taille_bloc: int = TAILLE_BLOC, fils: int = FILS) -> Extrait:
    """Read ``flux`` block by block and keep the records holding one of ``codes``.

    ``separateur`` is the expected one (detected from the header otherwise). A plain file
    of 64 MB or more is cut in ``fils`` parts searched at once, each by its own process
    (``fork``: the search holds Python's GIL, threads would wait for one another).
    """
    entete = _lire_entete(flux, fichier)
    texte = entete.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n")
    sep = detecter_separateur(texte, fichier, separateur)
    chercheur = _Chercheur(codes, sep)
    extrait = Extrait(entete=texte, separateur=sep)
    carte = _carte(flux, entete)
    try:
        if carte is None:
            compteur = [len(entete)]
            parties = [_balayer(_decouper(flux, taille_bloc, compteur, tampons=2), chercheur)]
            extrait.octets = compteur[0]
        else:
            debut = flux.tell()
            extrait.octets = len(carte) - debut + len(entete)
            parties = None
            if fils > 1 and len(carte) - debut >= SEUIL_PARALLELE:
                parties = _en_parallele(carte, debut, chercheur, fils, taille_bloc)
            if parties is None:
                parties = [_balayer(_decouper_carte(carte, debut, len(carte), taille_bloc), chercheur, carte,
                                    taille_bloc)]
    except _SansFin as exc:
        taille = f"{exc.taille >> 20} Mo" if exc.taille >= 1 << 20 else f"{exc.taille} octets"
        raise ErreurFormat(
            f"enregistrement sans fin ({taille} lus sans fin de ligne hors guillemets) : "
            "guillemet non fermé probable", fichier=fichier, ligne=2 + exc.retours,
            conseil="un champ entre guillemets n'est pas refermé ; rien n'a été importé",
        ) from None
    finally:
        if carte is not None:
            try:
                carte.close()
            except BufferError:  # a view still referenced: the map goes with it
                pass
    ligne = 2  # physical line of each part's first byte
    for partie in parties:
        extrait.total += partie.enregistrements
        extrait.enregistrements.extend(partie.candidats)
        extrait.lignes.extend(ligne + n for n in partie.lignes)
        ligne += partie.retours
    return extrait
