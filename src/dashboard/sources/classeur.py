"""Safe, located reading of official Excel workbooks (``.xlsx``) shared by the sources.

Why not ``pd.read_excel`` straight away: an ``.xlsx`` is a zip of XML files, so a
hostile or broken download can be a zip bomb (a few kB inflating to gigabytes), an
XML entity bomb, a CSV or HTML page renamed ``.xlsx``, or a real workbook whose
header moved down two rows. Here:

1. :func:`verifier_zip` inspects the zip *central directory only* (nothing inflated)
   and refuses too many members, a too large total uncompressed size, a suspicious
   compression ratio on any member, or a zip that is not a workbook
   (no ``xl/workbook.xml`` / ``xl/worksheets/``). Python's ``zipfile`` never inflates a
   member beyond its declared size, so the declared sizes checked here bound memory.
2. :func:`ouvrir_classeur` then opens it with openpyxl in ``read_only`` mode (rows are
   streamed, not loaded) after checking that openpyxl parses XML with ``defusedxml``
   (``openpyxl.DEFUSEDXML`` is ``True``), so entity expansion attacks are refused.
3. :meth:`Classeur.feuille` finds a sheet by name (French error listing the sheets),
   :func:`trouver_entete` finds the header row *by its content* (title rows above it
   vary between editions) and :func:`lignes_donnees` yields every data row with its
   Excel row number, so an error reads « feuille Communes, ligne 123, colonne T2 2026 ».

Row numbers are the physical Excel row numbers (1-based, as shown in Excel), empty
rows included.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

from dashboard.erreurs import ErreurFormat
from dashboard.sources.lecture import SIGNATURES, VALEURS_MASQUEES

TAILLE_DECOMPRESSEE_MAX = 1_000_000_000  # octets, tous membres confondus (le classeur ARCEP ≈ 250 Mo)
RATIO_MAX = 200  # taille décompressée / taille compressée, par membre (XML réel : 5 à 30)
MEMBRES_MAX = 2_000  # un classeur réel en compte quelques dizaines
TAILLE_SANS_RATIO = 1_000_000  # en dessous d'1 Mo décompressé, un fort taux de compression est sans danger
LIGNES_ENTETE_MAX = 50  # l'en-tête est cherché dans les 50 premières lignes
ESPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
ESPACES_MILLIERS = str.maketrans("", "", "\u202f\u00a0\u2009 ")
RE_ENTIER_TEXTE = re.compile(r"^\d+(?:[.,]0+)?$")


class ErreurClasseur(ErreurFormat):
    """An :class:`ErreurFormat` that also names the sheet:
    « fichier « x.xlsx », feuille « Communes », ligne 123, colonne « T2 2026 » »."""

    def __init__(self, message: str, *, feuille: str | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.feuille = feuille

    @property
    def position(self) -> str:
        parties = []
        if self.fichier:
            parties.append(f"fichier « {self.fichier} »")
        if self.feuille:
            parties.append(f"feuille « {self.feuille} »")
        if self.ligne is not None:
            parties.append(f"ligne {self.ligne}")
        if self.colonne:
            parties.append(f"colonne « {self.colonne} »")
        return ", ".join(parties)


def normaliser_texte(valeur: object) -> str:
    """Cell → text with every run of spaces (incl. U+00A0, U+202F, line breaks) as one space."""
    if valeur is None:
        return ""
    return ESPACES.sub(" ", str(valeur)).strip()


# --------------------------------------------------------------------------- zip pre-check
def verifier_zip(
    contenu: bytes,
    fichier: str,
    *,
    taille_max: int = TAILLE_DECOMPRESSEE_MAX,
    ratio_max: float = RATIO_MAX,
    membres_max: int = MEMBRES_MAX,
) -> None:
    """Refuse what is not a plausible ``.xlsx`` before any XML is parsed or inflated."""
    if not contenu:
        raise ErreurFormat("fichier vide", fichier=fichier, conseil="vérifiez le téléchargement")
    if not contenu.startswith(b"PK\x03\x04"):
        nature = _nature(contenu)
        raise ErreurFormat(
            f"ce n'est pas un classeur Excel .xlsx : le fichier est {nature}",
            fichier=fichier,
            conseil="téléchargez le classeur officiel (.xlsx) ; rien n'a été importé",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(contenu))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ErreurFormat(
            "classeur .xlsx endommagé (archive zip illisible, téléchargement tronqué ?)",
            fichier=fichier, conseil="retéléchargez le fichier",
        ) from exc
    with archive:
        membres = archive.infolist()
        if len(membres) > membres_max:
            raise ErreurFormat(
                f"archive suspecte : {len(membres)} fichiers internes (maximum {membres_max})",
                fichier=fichier, conseil="ce n'est pas un classeur ARCEP ordinaire ; rien n'a été lu",
            )
        total = 0
        for membre in membres:
            total += membre.file_size
            compresse = max(membre.compress_size, 1)
            if membre.file_size > TAILLE_SANS_RATIO and membre.file_size / compresse > ratio_max:
                raise ErreurFormat(
                    f"archive suspecte (« bombe zip ») : le fichier interne {membre.filename[:80]} "
                    f"passe de {membre.compress_size} à {membre.file_size} octets "
                    f"(rapport {membre.file_size // compresse}, maximum {ratio_max:g})",
                    fichier=fichier, conseil="rien n'a été décompressé ni importé",
                )
        if total > taille_max:
            raise ErreurFormat(
                f"classeur trop volumineux une fois décompressé ({total} octets, maximum {taille_max})",
                fichier=fichier, conseil="rien n'a été décompressé ni importé",
            )
        noms = {m.filename for m in membres}
        if "xl/workbook.xml" not in noms or not any(n.startswith("xl/worksheets/") for n in noms):
            raise ErreurFormat(
                "archive zip qui n'est pas un classeur Excel (xl/workbook.xml ou xl/worksheets/ absents)",
                fichier=fichier, conseil="téléchargez le classeur officiel (.xlsx)",
            )


def _nature(contenu: bytes) -> str:
    for signature, nature in SIGNATURES:
        if contenu.startswith(signature):
            if signature == b"\xd0\xcf\x11\xe0":
                return "un classeur ancien format (.xls) ou un classeur protégé par mot de passe"
            return nature
    debut = contenu.lstrip()[:64].lower()
    if debut.startswith((b"<!doctype html", b"<html")):
        return "une page HTML (page d'erreur ou de maintenance ?)"
    if b"\x00" not in contenu[:4096]:
        return "un fichier texte (CSV ?)"
    return "d'un format inconnu"


# --------------------------------------------------------------------------- workbook
@dataclass
class Classeur:
    """An open read-only workbook and the name it was given (for error messages)."""

    classeur: object  # openpyxl.Workbook in read-only mode
    fichier: str

    @property
    def feuilles(self) -> list[str]:
        return list(self.classeur.sheetnames)  # type: ignore[attr-defined]

    def feuille(self, nom: str) -> Feuille:
        """The sheet named ``nom`` (exact, then ignoring case and spaces), or a French error."""
        noms = self.feuilles
        trouve = nom if nom in noms else None
        if trouve is None:
            cle = normaliser_texte(nom).casefold()
            proches = [n for n in noms if normaliser_texte(n).casefold() == cle]
            trouve = proches[0] if proches else None
        if trouve is None:
            raise ErreurClasseur(
                f"feuille « {nom} » absente ; feuilles disponibles : {', '.join(noms) or 'aucune'}",
                fichier=self.fichier,
                conseil="le classeur n'a pas la structure attendue ; le jeu précédent est conservé",
            )
        ws = self.classeur[trouve]  # type: ignore[index]
        with contextlib.suppress(AttributeError):
            ws.reset_dimensions()  # ne pas se fier à la balise <dimension>, souvent fausse
        return Feuille(ws, trouve, self.fichier)


@dataclass
class Feuille:
    """A worksheet with its name and file name, to locate errors."""

    ws: object
    nom: str
    fichier: str

    def erreur(self, message: str, *, ligne: int | None = None, colonne: str | None = None,
               conseil: str | None = None) -> ErreurClasseur:
        return ErreurClasseur(message, fichier=self.fichier, feuille=self.nom, ligne=ligne,
                              colonne=colonne, conseil=conseil)

    def lignes(self, debut: int = 1) -> Iterator[tuple[int, tuple]]:
        """``(numéro de ligne Excel, valeurs)`` for every row from ``debut`` (empty rows included)."""
        try:
            for numero, valeurs in enumerate(
                self.ws.iter_rows(min_row=debut, values_only=True), start=debut  # type: ignore[attr-defined]
            ):
                yield numero, tuple(valeurs)
        except ErreurFormat:
            raise
        except Exception as exc:  # XML cassé au milieu de la feuille : plusieurs types possibles
            raise self.erreur(f"feuille illisible ({type(exc).__name__})",
                              conseil="classeur endommagé ; retéléchargez-le") from exc


@contextlib.contextmanager
def ouvrir_classeur(contenu: bytes, fichier: str, **limites) -> Iterator[Classeur]:
    """Check the zip (:func:`verifier_zip`), then open it read-only with openpyxl.

    ``limites`` are passed to :func:`verifier_zip` (tests use tiny caps). The workbook
    is closed on exit (read-only mode keeps the archive open while rows are read).
    """
    import openpyxl

    if openpyxl.DEFUSEDXML is not True:  # assertion explicite, conservée même avec python -O
        raise ErreurFormat(
            "lecture des classeurs refusée : openpyxl n'utilise pas defusedxml",
            fichier=fichier, conseil="installez le paquet defusedxml (voir requirements.txt)",
        )
    verifier_zip(contenu, fichier, **limites)
    try:
        classeur = openpyxl.load_workbook(io.BytesIO(contenu), read_only=True, data_only=True,
                                          keep_links=False)
    except Exception as exc:  # openpyxl lève KeyError, ValueError, InvalidFileException, erreurs XML…
        raise ErreurFormat(
            f"classeur .xlsx illisible ({type(exc).__name__})",
            fichier=fichier, conseil="fichier endommagé ou d'un autre format ; retéléchargez-le",
        ) from exc
    try:
        yield Classeur(classeur, fichier)
    finally:
        classeur.close()


# --------------------------------------------------------------------------- header and rows
@dataclass(frozen=True)
class Entete:
    """The header row: its Excel row number and its normalised cell texts (``""`` if empty)."""

    ligne: int
    noms: tuple[str, ...]

    def index(self, nom: str) -> int | None:
        try:
            return self.noms.index(nom)
        except ValueError:
            return None


def trouver_entete(feuille: Feuille, premiere_cellule: tuple[str, ...], *,
                   lignes_max: int = LIGNES_ENTETE_MAX) -> Entete:
    """The first row whose first non-empty cell is one of ``premiere_cellule`` (case-insensitive).

    Title rows above the header (their number changes between editions) are skipped.
    """
    attendus = {normaliser_texte(t).casefold() for t in premiere_cellule}
    for numero, valeurs in feuille.lignes():
        if numero > lignes_max:
            break
        textes = [normaliser_texte(v) for v in valeurs]
        premiere = next((t for t in textes if t), "")
        if premiere.casefold() in attendus:
            while textes and not textes[-1]:
                textes.pop()
            return Entete(numero, tuple(textes))
    raise feuille.erreur(
        f"ligne d'en-tête introuvable : aucune des {lignes_max} premières lignes ne commence par "
        f"« {premiere_cellule[0]} »",
        conseil="la mise en page du fichier a changé ; le jeu précédent est conservé",
    )


def lignes_donnees(feuille: Feuille, entete: Entete) -> Iterator[tuple[int, tuple]]:
    """Rows below the header, padded or cut to the header width; blank rows are skipped."""
    largeur = len(entete.noms)
    for numero, valeurs in feuille.lignes(entete.ligne + 1):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in valeurs):
            continue
        if len(valeurs) < largeur:
            valeurs = valeurs + (None,) * (largeur - len(valeurs))
        yield numero, valeurs[:largeur]


# --------------------------------------------------------------------------- cells
def est_vide(valeur: object) -> bool:
    return valeur is None or (isinstance(valeur, str) and not normaliser_texte(valeur))


def convertir_entier(valeur: object, feuille: Feuille, ligne: int, colonne: str,
                     masques: frozenset[str] = VALEURS_MASQUEES) -> int | None:
    """A count cell → ``int``, or ``None`` when empty or masked (``s``, ``nd``, ``secret``…).

    Numbers stored as text with thousands separators (U+202F, U+00A0, U+2009, space) are
    accepted, as is ``1234.0``. Anything else (text, decimals, negatives, dates) raises
    an error naming the sheet, the Excel row and the column. Never turns a gap into 0.
    """
    if valeur is None:
        return None
    if isinstance(valeur, bool) or isinstance(valeur, (datetime, date, time)):
        raise feuille.erreur(f"nombre attendu, valeur « {valeur} » trouvée", ligne=ligne, colonne=colonne)
    if isinstance(valeur, int):
        nombre = valeur
    elif isinstance(valeur, float):
        if valeur != valeur or valeur % 1 != 0:  # NaN ou décimal
            raise feuille.erreur(f"nombre entier attendu : « {valeur} »", ligne=ligne, colonne=colonne)
        nombre = int(valeur)
    else:
        texte = str(valeur).strip()
        if not texte.translate(ESPACES_MILLIERS) or texte.casefold() in masques:
            return None
        nettoye = texte.translate(ESPACES_MILLIERS)
        if not RE_ENTIER_TEXTE.match(nettoye):
            raise feuille.erreur(f"nombre invalide : « {texte[:40]} »", ligne=ligne, colonne=colonne)
        nombre = int(re.split(r"[.,]", nettoye)[0])
    if nombre < 0:
        raise feuille.erreur(f"nombre négatif inattendu : « {valeur} »", ligne=ligne, colonne=colonne)
    return nombre


VRAIS = frozenset({"1", "oui", "o", "vrai", "true", "x"})
FAUX = frozenset({"0", "non", "n", "faux", "false"})


def convertir_booleen(valeur: object, feuille: Feuille, ligne: int, colonne: str) -> bool | None:
    """A flag cell (``1``/``0``, ``Oui``/``Non``, ``VRAI``/``FAUX``, ``x``) → bool; empty → ``None``."""
    if est_vide(valeur):
        return None
    if isinstance(valeur, bool):
        return valeur
    if isinstance(valeur, (int, float)) and valeur in (0, 1):
        return bool(valeur)
    texte = normaliser_texte(valeur).casefold()
    if texte in VRAIS:
        return True
    if texte in FAUX:
        return False
    raise feuille.erreur(f"valeur oui/non attendue : « {str(valeur)[:40]} »", ligne=ligne, colonne=colonne)
