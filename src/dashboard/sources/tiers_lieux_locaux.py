"""Tiers-lieux entered by the local network: one simple CSV or XLSX layout, read defensively.

Why this source: the national lists (CGET census frozen in 2019, médiation cartography)
miss places the local network knows. Its members fill in a plain table — the layout and
a template are documented in ``docs/modele-tiers-lieux.md`` and ``docs/modele-tiers-lieux.csv``
— and import it with ``python -m dashboard import tiers_lieux_locaux fichier.csv`` or upload
it in the application. Such a file is typed by hand, exported by Excel or LibreOffice, and
may come from anyone: every rule below turns a defect into a French message naming the
file, the *physical* line (Excel row) and the column, and no row is ever dropped silently:

    acceptées + rejetées + hors périmètre = lignes lues

Layout (header matching ignores accents, case, spaces and punctuation; synonyms such as
« Nom du lieu », « Code INSEE », « lat », « lon »/« lng », « x »/« y » are accepted)::

    nom (obligatoire), adresse, commune, code_insee, latitude, longitude, type, services,
    publics, horaires, site_web, gratuit, itinerant   [+ identifiant, facultatif]

Reading, in order (:func:`lire_televersement`):

1. **Nature by magic bytes**, never by the extension nor the uploaded name: ``PK\\x03\\x04``
   → XLSX (an OpenDocument ``.ods``, told by its ``mimetype`` member, is refused), ``D0 CF 11 E0``
   → legacy ``.xls`` refused,
   PNG/PDF/gzip/HTML refused, anything else → CSV text. Size cap ``taille_max`` first.
2. **CSV**: UTF-8 (BOM stripped), UTF-16 with BOM, or Windows-1252 accepted with a notice;
   a mostly-UTF-8 file with a stray Windows-1252 byte, and NUL bytes, are refused (line and
   column named).
   The header is searched in the first :data:`LIGNES_ENTETE_MAX` lines and the separator
   (``;`` ``,`` tab ``|``) is the one under which the header yields the most known columns.
   Records are read with :mod:`csv` keeping physical line numbers (quoted newlines inside
   an address are fine); a record spanning several lines with an odd number of quotes is
   an unclosed quote → the whole file is refused (everything after it would be garbage).
3. **XLSX**: :func:`dashboard.sources.classeur.ouvrir_classeur` with upload caps (20 MB
   uncompressed, ratio 100, 200 members) *before* any XML is parsed, openpyxl read-only
   with defusedxml (an entity declaration — « billion laughs », external entity — is
   refused as « structure XML dangereuse »). First sheet holding a ``nom`` header.
4. **Rows**: wrong number of cells, empty ``nom``, over-long cell, invalid ``code_insee``,
   unreadable coordinate → **rejected** (line, column, reason). Exact duplicate rows →
   rejected as duplicates and counted. Bidi controls, zero-width and control characters →
   stripped with a warning. HTML or Markdown in a cell is kept as literal text (it is
   escaped where displayed, see :mod:`dashboard.vues.securite`).
5. **Coordinates** (WGS84 degrees, ``.`` or ``,`` decimal mark): Lambert-93 metres
   (x ≈ 223 451, y ≈ 6 758 068) are detected and converted with a warning; latitude and
   longitude swapped are exchanged with a warning; a point outside the territory's extent
   (``contexte.territoire.emprise``, margin included) is **hors périmètre** — listed
   separately, not mapped. Missing coordinates: the place is kept, not mapped, counted.
6. **Commune**: ``code_insee`` outside the territory → hors périmètre. Missing code →
   recovered by point-in-polygon on the reference contours
   (:func:`dashboard.sources.mediation_numerique.retrouver_codes_par_contours`), else by
   the commune name when it is unique in the territory, else rejected.
7. Same name and commune with different content → both kept, flagged in a warning.

Limits (``taille_max``, ``lignes_max``, ``colonnes_max``, ``duree_max_s``) refuse the whole
file. The time limit is **cooperative**: elapsed time is checked between rows and between
steps, so one indivisible step (openpyxl loading the shared strings of a workbook, one csv
record) is not interrupted; the size caps bound those steps.

The uploaded file name is only *displayed*: cut to its last path component, stripped of
control characters, shortened, and never used to build a path. Messages are plain text:
escape them (and the name) where they are displayed, like any data.

Output columns (in this order) — those of :mod:`dashboard.sources.tiers_lieux_cget`, then
five more
--------------------------------------------------------------------------------------------
=========================== ======== ======================================================
column                      dtype    meaning
=========================== ======== ======================================================
``id``                      str      ``identifiant`` of the file, else ``<code_insee>-<slug
                                     of the name>`` (``-2``, ``-3``… on collision)
``nom``                     str      name, verbatim (escape it when displaying)
``adresse``                 str      address (line breaks → ``", "``), may be ``""``
``code_insee``              str      commune code, 5 characters (from the file or recovered)
``commune``                 str      reference name of the commune
``latitude``, ``longitude`` Float64  WGS84 degrees; ``<NA>`` when not given
``typologie``               str      ``tiers-lieu``, ``coworking``, ``fablab``, ``atelier
                                     partagé``, ``espace numérique``, ``autre`` or
                                     ``non renseignée``
``site_web``                str, NA  plain ``http(s)`` URL, else ``<NA>``
``edition``                 str      import date ``AAAA-MM-JJ``
``services``                str      ``|``-joined; spellings of the médiation schema v1
                                     when recognised, else as typed
``publics``                 str      ``|``-joined, same rule
``gratuit``                 boolean  ``oui``/``non``; ``<NA>`` unknown
``itinerant``               boolean  ``oui``/``non``; ``<NA>`` unknown
``horaires``                str, NA  free text or OSM ``opening_hours``
=========================== ======== ======================================================

Merging with the other places (not done here): :func:`dashboard.indicateurs.lieux.lieux_unifies`
knows three sources. To show these places there, add a fourth input converted like
``_depuis_tiers_lieux`` with ``source = "tiers_lieux_locaux"``, id prefix ``loc-``, category
« Tiers-lieu », ``typologies`` from :data:`TYPOLOGIES_NATIONALES`, ``services``/``publics``/
``gratuit``/``itinerant`` as they are, ``ouvert_samedi`` and ``heures_par_semaine`` from
:func:`dashboard.sources.mediation_numerique.analyser_horaires_osm` on ``horaires``,
``est_tiers_lieu`` True, and a merge priority after France services and before the national
médiation list (the local network knows its places best). Until then a page may pass this
frame as ``tiers_lieux`` (same columns as the CGET census) — the rows are then labelled
« tiers-lieux CGET 2019 », which is wrong: relabel ``source`` and ``id`` afterwards.
"""

from __future__ import annotations

import csv
import io
import re
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as heure
from zoneinfo import ZoneInfo

import pandas as pd

from dashboard import formats
from dashboard.erreurs import ErreurFormat, SourceIndisponible
from dashboard.sources import _lieux, classeur
from dashboard.sources.base import Colonne, Contexte, Fichier, Resultat, Source, typer
from dashboard.sources.lecture import RE_CODE_INSEE, SEPARATEURS, decoder
from dashboard.sources.mediation_numerique import (
    PUBLICS,
    SERVICES,
    Contours,
    cle,
    contours_reference,
    retrouver_codes_par_contours,
    separer,
)

FICHIER = "tiers-lieux-locaux.csv"
PAGE = "docs/modele-tiers-lieux.md"

# Limits of an upload (the CLI import uses the same ones).
TAILLE_MAX = 5_000_000  # octets du fichier téléversé
LIGNES_MAX = 5_000  # lignes de données
COLONNES_MAX = 60
DUREE_MAX_S = 5.0
XLSX_DECOMPRESSE_MAX = 20_000_000  # octets, tous membres de l'archive confondus
XLSX_RATIO_MAX = 100
XLSX_MEMBRES_MAX = 200
LIGNES_ENTETE_MAX = 10  # l'en-tête est cherché dans les 10 premières lignes
LIGNES_CITEES = 10
CELLULES_EXAMINEES = 200  # cellules d'en-tête comparées au modèle pour choisir le séparateur
LIMITE_CHAMP_CSV = csv.field_size_limit()  # 131 072 : au-delà, le module csv refuse la cellule

COLONNES_MODELE = ("nom", "adresse", "commune", "code_insee", "latitude", "longitude", "type", "services",
                   "publics", "horaires", "site_web", "gratuit", "itinerant")
COLONNES_FACULTATIVES = ("identifiant",)
LONGUEURS_MAX = {"nom": 200, "adresse": 300, "commune": 100, "code_insee": 20, "latitude": 40, "longitude": 40,
                 "type": 60, "services": 1000, "publics": 1000, "horaires": 500, "site_web": 500, "gratuit": 20,
                 "itinerant": 20, "identifiant": 100}

#: normalised header (see :func:`cle_entete`) → column of the layout
SYNONYMES: dict[str, str] = {
    **{s: "nom" for s in ("nom", "nom_du_lieu", "nom_lieu", "nom_du_tiers_lieu", "nom_tiers_lieu", "lieu",
                          "tiers_lieu", "denomination", "structure", "nom_de_la_structure", "nom_structure")},
    **{s: "adresse" for s in ("adresse", "adresse_postale", "adresse_complete", "rue", "voie")},
    **{s: "commune" for s in ("commune", "ville", "nom_commune", "nom_de_la_commune", "localite")},
    **{s: "code_insee" for s in ("code_insee", "insee", "codeinsee", "code_commune", "code_commune_insee",
                                 "code_officiel_geographique", "cog", "insee_com")},
    **{s: "latitude" for s in ("latitude", "lat", "y", "coord_y", "coordonnee_y", "latitude_wgs84")},
    **{s: "longitude" for s in ("longitude", "lon", "lng", "long", "x", "coord_x", "coordonnee_x",
                                "longitude_wgs84")},
    **{s: "type" for s in ("type", "type_de_lieu", "type_lieu", "typologie", "categorie")},
    **{s: "services" for s in ("services", "services_proposes", "service", "offre")},
    **{s: "publics" for s in ("publics", "public", "publics_accueillis", "public_accueilli", "public_cible",
                              "publics_cibles")},
    **{s: "horaires" for s in ("horaires", "horaires_d_ouverture", "heures_d_ouverture", "ouverture",
                               "opening_hours")},
    **{s: "site_web" for s in ("site_web", "site", "site_internet", "siteweb", "web", "url", "lien")},
    **{s: "gratuit" for s in ("gratuit", "gratuite", "acces_gratuit")},
    **{s: "itinerant" for s in ("itinerant", "itinerance", "mobile")},
    **{s: "identifiant" for s in ("identifiant", "id", "id_lieu", "identifiant_lieu")},
}

TYPES = ("tiers-lieu", "coworking", "fablab", "atelier partagé", "espace numérique", "autre")
TYPE_NON_RENSEIGNE = "non renseignée"
#: matching key (:func:`dashboard.sources.mediation_numerique.cle`) → type of the layout
SYNONYMES_TYPES: dict[str, str] = {
    **{cle(t): t for t in TYPES},
    **{k: "tiers-lieu" for k in ("tierslieux", "tierlieu", "tierslieu")},
    **{k: "coworking" for k in ("espacedecoworking", "coworkings", "cotravail")},
    **{k: "fablab" for k in ("fablabs", "fabrique", "makerspace", "hackerspace")},
    **{k: "atelier partagé" for k in ("atelierspartages", "atelier", "repaircafe")},
    **{k: "espace numérique" for k in ("epn", "espacepublicnumerique", "espacesnumeriques", "cybercentre")},
    "autres": "autre",
}
#: type of the layout → typologie code of the national médiation schema (for the merge)
TYPOLOGIES_NATIONALES = {"tiers-lieu": "TIERS_LIEUX", "coworking": "TIERS_LIEUX", "fablab": "FABLAB",
                         "atelier partagé": "TIERS_LIEUX", "espace numérique": "EPN", "autre": "TIERS_LIEUX",
                         TYPE_NON_RENSEIGNE: "TIERS_LIEUX"}
OUI = frozenset({"oui", "o", "1", "vrai", "true", "x", "yes", "gratuit"})
NON = frozenset({"non", "n", "0", "faux", "false", "no", "payant"})

# Characters stripped from cells: C0/C1 controls (except tab and line breaks), zero-width, bidi controls.
RE_INVISIBLES = re.compile(
    "[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff]"
)
RE_SAUTS = re.compile(r"\s*[\r\n]+\s*")
RE_ESPACES = re.compile(r"[ \t\u00a0\u202f\u2009]+")
RE_CODE_REPARABLE = re.compile(r"^(\d{4,5})\.0+$")

COLONNES = (
    Colonne("id", "texte", "identifiant du lieu (colonne identifiant, sinon code INSEE + nom)"),
    Colonne("nom", "texte", "nom du lieu, tel que saisi"),
    Colonne("adresse", "texte", "adresse saisie (peut être vide)"),
    Colonne("code_insee", "texte", "code INSEE de la commune (saisi ou retrouvé)"),
    Colonne("commune", "texte", "nom de la commune (géographie de référence)"),
    Colonne("latitude", "decimal", "latitude WGS84", "degré", nullable=True),
    Colonne("longitude", "decimal", "longitude WGS84", "degré", nullable=True),
    Colonne("typologie", "texte", "tiers-lieu, coworking, fablab, atelier partagé, espace numérique, autre "
                                  "ou non renseignée"),
    Colonne("site_web", "texte", "site web (http ou https uniquement)", nullable=True),
    Colonne("edition", "texte", "date de l'import (AAAA-MM-JJ)"),
    Colonne("services", "texte", "services proposés séparés par |"),
    Colonne("publics", "texte", "publics accueillis séparés par |"),
    Colonne("gratuit", "booleen", "accès gratuit", nullable=True),
    Colonne("itinerant", "booleen", "lieu itinérant", nullable=True),
    Colonne("horaires", "texte", "horaires (texte libre ou syntaxe OpenStreetMap)", nullable=True),
)
COLONNES_HORS_PERIMETRE = {"ligne": "Int64", "nom": "str", "commune": "str", "code_insee": "str",
                           "latitude": "Float64", "longitude": "Float64", "motif": "str"}

_horloge = time.monotonic  # remplaçable dans les tests


# --------------------------------------------------------------------------- result
@dataclass
class Televersement:
    """What :func:`lire_televersement` found.

    ``frame``: accepted places (columns :data:`COLONNES`), ``lignes``: the physical line of
    each of them; ``rejets``: ``(ligne, colonne or None, motif)`` sorted by line;
    ``hors_perimetre``: rows outside the territory (columns ``ligne``, ``nom``, ``commune``,
    ``code_insee``, ``latitude``, ``longitude``, ``motif``); ``stats``: counts ``lues``,
    ``acceptees``, ``rejetees``, ``hors_perimetre``, ``sans_coordonnees`` (accepted places
    without a point). ``acceptees + rejetees + hors_perimetre == lues``.
    """

    frame: pd.DataFrame
    lignes: list[int]
    rejets: list[tuple[int, str | None, str]]
    hors_perimetre: pd.DataFrame
    avertissements: list[str]
    stats: dict[str, int]
    nom_affiche: str
    format: str  # « CSV » ou « XLSX »


@dataclass
class _Brut:
    """One data row: physical line and text cells by layout column."""

    ligne: int
    cellules: dict[str, str]
    signature: tuple[str, ...]  # every cell, stripped: exact duplicates share it


@dataclass
class _Table:
    lignes: list[_Brut]
    rejets: list[tuple[int, str | None, str]]
    avertissements: list[str]
    format: str


@dataclass
class _Lieu:
    ligne: int
    nom: str
    adresse: str
    commune: str
    code: str
    lat: float | None
    lon: float | None
    typologie: str
    services: str
    publics: str
    horaires: str | None
    site_web: str | None
    gratuit: bool | None
    itinerant: bool | None
    identifiant: str


class _Chrono:
    """Cooperative time limit: :meth:`verifier` is called between rows and between steps."""

    def __init__(self, duree_max_s: float, fichier: str) -> None:
        self.fin = _horloge() + duree_max_s
        self.duree = duree_max_s
        self.fichier = fichier

    def verifier(self, ligne: int | None = None) -> None:
        if _horloge() > self.fin:
            raise ErreurFormat(
                f"lecture interrompue : durée maximale de {formats.nombre(self.duree, 1)} s dépassée",
                fichier=self.fichier, ligne=ligne,
                conseil="fichier trop gros ou trop complexe ; découpez-le ou enregistrez-le en CSV",
            )


# --------------------------------------------------------------------------- small helpers
def nom_affichable(nom: str | None) -> str:
    """The uploaded name as plain text for messages: last path component, no control,
    bidi or zero-width character, at most 80 characters. Never use it as a path."""
    texte = RE_INVISIBLES.sub("", unicodedata.normalize("NFC", str(nom or "")).replace("\x00", ""))
    texte = re.split(r"[/\\]", texte)[-1].strip()
    if len(texte) > 80:
        texte = texte[:79] + "…"
    return texte or "fichier téléversé"


def cle_entete(entete: str) -> str:
    """``" Code INSÉE "`` → ``"code_insee"``; ``"Nom du lieu"`` → ``"nom_du_lieu"``."""
    texte = unicodedata.normalize("NFKD", RE_INVISIBLES.sub("", entete)).encode("ascii", "ignore").decode()
    return re.sub(r"[^0-9a-z]+", "_", texte.casefold()).strip("_")


def colonne_du_modele(entete: str) -> str | None:
    """The layout column a header stands for (``"Latitude (WGS84)"`` → ``latitude``), or ``None``."""
    cle_brute = cle_entete(entete)
    if cle_brute in SYNONYMES:
        return SYNONYMES[cle_brute]
    return SYNONYMES.get(cle_entete(re.sub(r"\(.*?\)|\[.*?\]", " ", entete)))


def _citer(lignes: list[int]) -> str:
    return _lieux.citer_lignes(lignes)


def _texte_cellule(valeur: object) -> str:
    """An XLSX cell value → text (``56121.0`` → ``"56121"``, ``True`` → ``"oui"``)."""
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, int):
        return str(valeur)
    if isinstance(valeur, float):
        if valeur != valeur:  # NaN
            return ""
        return str(int(valeur)) if valeur.is_integer() and abs(valeur) < 1e15 else repr(valeur)
    if isinstance(valeur, datetime):
        return valeur.isoformat(sep=" ")
    if isinstance(valeur, date | heure):
        return valeur.isoformat()
    return str(valeur)


# --------------------------------------------------------------------------- header
@dataclass
class _Entete:
    noms: list[str | None]  # layout column of each position (None: ignored)
    bruts: list[str]


def _analyser_entete(cellules: list[str], fichier: str, ligne: int, colonnes_max: int) -> _Entete:
    """Map header cells to the layout; duplicates and too many columns refuse the file."""
    if len(cellules) > colonnes_max:
        raise ErreurFormat(f"trop de colonnes ({formats.nombre(len(cellules))}, maximum {colonnes_max})",
                           fichier=fichier, ligne=ligne, conseil="gardez les colonnes du modèle")
    noms = [colonne_du_modele(c) for c in cellules]
    vues: dict[str, int] = {}
    for position, nom in enumerate(noms, start=1):
        if nom is None:
            continue
        if nom in vues:
            premiere = vues[nom]
            raise ErreurFormat(
                f"colonne « {nom} » en double (positions {premiere} et {position} : "
                f"« {cellules[premiere - 1].strip()[:40]} » et « {cellules[position - 1].strip()[:40]} »)",
                fichier=fichier, ligne=ligne, colonne=nom,
                conseil="supprimez ou renommez l'une des deux colonnes",
            )
        vues[nom] = position
    return _Entete(noms, [c.strip() for c in cellules])


def _avertissements_entete(entete: _Entete, fichier: str) -> list[str]:
    messages = []
    renommees = [f"« {b[:40]} » → {n}" for b, n in zip(entete.bruts, entete.noms, strict=True)
                 if n is not None and cle_entete(b) != n]
    if renommees:
        messages.append(f"{fichier} : en-têtes reconnus : {', '.join(renommees)}")
    ignorees = [f"« {b[:40]} »" if b else f"(sans titre, position {i})"
                for i, (b, n) in enumerate(zip(entete.bruts, entete.noms, strict=True), start=1) if n is None]
    if ignorees:
        messages.append(f"{fichier} : colonne(s) hors modèle ignorée(s) : {', '.join(ignorees[:20])}"
                        + ("…" if len(ignorees) > 20 else ""))
    return messages


def _cellules_csv(ligne: str, separateur: str) -> list[str]:
    try:
        return next(csv.reader([ligne], delimiter=separateur, strict=False), [])
    except csv.Error:
        return []


def _sniffer(ligne: str) -> tuple[str, list[str], set[str]]:
    """Separator under which ``ligne`` yields the most layout columns: ``(sep, cells, known)``.

    Only the first :data:`CELLULES_EXAMINEES` cells are matched: a header 100 000 cells wide
    is refused later for its width, without paying for 100 000 matches first.
    """
    meilleur: tuple[str, list[str], set[str]] = (";", [ligne], set())
    for separateur in SEPARATEURS:
        cellules = _cellules_csv(ligne, separateur)
        connues = {n for n in map(colonne_du_modele, cellules[:CELLULES_EXAMINEES]) if n is not None}
        if (len(connues), len(cellules)) > (len(meilleur[2]), len(meilleur[1])):
            meilleur = (separateur, cellules, connues)
    return meilleur


# --------------------------------------------------------------------------- decoding
def _decoder(contenu: bytes, fichier: str) -> tuple[str, list[str]]:
    """Bytes → text: UTF-16 with BOM, else :func:`dashboard.sources.lecture.decoder` (UTF-8,
    Windows-1252 with a notice). A NUL byte or a UTF-8 file with a stray Windows-1252 byte
    refuses the file, naming the line and (best effort) the column."""
    if contenu.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            texte = contenu.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ErreurFormat("texte UTF-16 endommagé", fichier=fichier,
                               conseil="réenregistrez le fichier en CSV UTF-8") from exc
        if "\x00" in texte:
            _refuser_nul(texte.encode("utf-8"), fichier)
        return texte, [f"{fichier} : encodage détecté : UTF-16 (converti en UTF-8)"]
    if b"\x00" in contenu:
        _refuser_nul(contenu, fichier)
    try:
        texte, _encodage, avertissements = decoder(contenu, fichier)
    except ErreurFormat as exc:
        if not exc.message.startswith("octet 0x"):
            raise
        try:
            contenu.decode("utf-8-sig")
            position = 0
        except UnicodeDecodeError as erreur:
            position = erreur.start
        ligne, colonne = _situer(contenu, position)
        raise ErreurFormat(exc.message, fichier=fichier, ligne=ligne, colonne=colonne,
                           conseil=exc.conseil) from exc
    return texte, avertissements


def _situer(contenu: bytes, position: int) -> tuple[int, str | None]:
    """Physical line of byte ``position`` and, when the header can be read, its column."""
    ligne = contenu[:position].count(b"\n") + 1
    debut = contenu.rfind(b"\n", 0, position) + 1
    fin_ligne = contenu.find(b"\n", position)
    fin_ligne = len(contenu) if fin_ligne < 0 else fin_ligne
    marque = contenu[debut:position] + b"\x01" + contenu[position + 1:fin_ligne]
    premiere = contenu.split(b"\n", 1)[0].decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r")
    separateur, titres, connues = _sniffer(premiere)
    if not connues or ligne == 1:
        return ligne, None
    cellules = _cellules_csv(marque.decode("utf-8", errors="replace"), separateur)
    for titre, cellule in zip(titres, cellules, strict=False):
        if "\x01" in cellule:
            return ligne, colonne_du_modele(titre) or titre.strip()[:40]
    return ligne, None


def _refuser_nul(contenu: bytes, fichier: str) -> None:
    ligne, colonne = _situer(contenu, contenu.find(b"\x00"))
    raise ErreurFormat("caractère nul (octet 0x00) : fichier binaire ou endommagé", fichier=fichier,
                       ligne=ligne, colonne=colonne,
                       conseil="réenregistrez le tableau en CSV UTF-8 ; rien n'a été importé")


# --------------------------------------------------------------------------- CSV
def _lire_csv(contenu: bytes, fichier: str, lignes_max: int, colonnes_max: int, chrono: _Chrono) -> _Table:
    texte, avertissements = _decoder(contenu, fichier)
    physiques = io.StringIO(texte, newline="").readlines()
    position_entete = None
    separateur = ";"
    cellules: list[str] = []
    for k, brute in enumerate(physiques[:LIGNES_ENTETE_MAX]):
        chrono.verifier(k + 1)
        if not brute.strip():
            continue
        separateur, cellules, connues = _sniffer(brute.rstrip("\r\n"))
        if "nom" in connues:
            position_entete = k
            break
    if position_entete is None:
        premieres = next((p.strip() for p in physiques if p.strip()), "")
        raise ErreurFormat(
            f"colonne obligatoire « nom » introuvable dans les {LIGNES_ENTETE_MAX} premières lignes "
            "(séparateurs essayés : ; , tabulation |) ; première ligne : "
            f"« {premieres[:120]} »",
            fichier=fichier, ligne=1, colonne="nom",
            conseil="la première ligne doit contenir les titres de colonnes du modèle (nom;adresse;commune;…)",
        )
    numero_entete = position_entete + 1
    entete = _analyser_entete(cellules, fichier, numero_entete, colonnes_max)
    if position_entete > 0:
        avertissements.append(f"{fichier} : ligne(s) 1 à {position_entete} avant l'en-tête ignorée(s)")
    avertissements += _avertissements_entete(entete, fichier)
    if separateur != ";":
        nom_sep = {"\t": "tabulation", ",": "virgule", "|": "barre verticale"}[separateur]
        avertissements.append(f"{fichier} : séparateur détecté : {nom_sep}")
    n = len(entete.noms)
    lecteur = csv.reader(iter(physiques[numero_entete:]), delimiter=separateur, strict=False)
    lignes: list[_Brut] = []
    rejets: list[tuple[int, str | None, str]] = []
    fin = 0  # lines consumed by the reader
    while True:
        debut = numero_entete + fin + 1
        try:
            enregistrement = next(lecteur)
        except StopIteration:
            break
        except csv.Error as exc:
            fin = lecteur.line_num
            chrono.verifier(debut)
            rejets.append(_rejet_csv(exc, physiques[debut - 1], separateur, entete, debut))
            continue
        fin = lecteur.line_num
        chrono.verifier(debut)
        if not enregistrement or all(not c.strip() for c in enregistrement):
            continue  # blank line: not a record
        if len(lignes) + len(rejets) >= lignes_max:
            raise ErreurFormat(f"trop de lignes : plus de {formats.nombre(lignes_max)} lignes de données",
                               fichier=fichier, ligne=debut, conseil="découpez le fichier")
        derniere = numero_entete + fin
        if derniere > debut:
            brut = "".join(physiques[debut - 1:derniere])
            if brut.count('"') % 2:
                colonne = next((entete.noms[i] or entete.bruts[i] for i, c in enumerate(enregistrement[:n])
                                if "\n" in c or "\r" in c), None)
                raise ErreurFormat(
                    f"guillemet non fermé à partir de la ligne {debut} (l'enregistrement court jusqu'à la "
                    f"ligne {derniere})", fichier=fichier, ligne=debut, colonne=colonne,
                    conseil="fermez le guillemet ou retirez-le ; rien n'a été importé",
                )
        if len(enregistrement) > n and all(not c.strip() for c in enregistrement[n:]):
            enregistrement = enregistrement[:n]  # séparateurs en trop en fin de ligne (export tableur)
        if len(enregistrement) != n:
            rejets.append((debut, None, f"{len(enregistrement)} valeurs au lieu de {n}"))
            continue
        lignes.append(_brut(debut, enregistrement, entete))
    return _Table(lignes, rejets, avertissements, "CSV")


def _rejet_csv(exc: csv.Error, physique: str, separateur: str, entete: _Entete,
               ligne: int) -> tuple[int, str | None, str]:
    if "field larger" in str(exc):
        morceaux = physique.split(separateur)
        indice = max(range(len(morceaux)), key=lambda i: len(morceaux[i]))
        colonne = (entete.noms[indice] or entete.bruts[indice]) if indice < len(entete.noms) else None
        return (ligne, colonne,
                f"cellule trop longue (plus de {formats.nombre(LIMITE_CHAMP_CSV)} caractères) : ligne rejetée")
    return (ligne, None, f"ligne illisible ({exc}) : ligne rejetée")


def _brut(ligne: int, valeurs: list[str], entete: _Entete) -> _Brut:
    cellules = {nom: valeur for nom, valeur in zip(entete.noms, valeurs, strict=True) if nom is not None}
    return _Brut(ligne, cellules, tuple(v.strip() for v in valeurs))


# --------------------------------------------------------------------------- XLSX
def _structure_dangereuse(exc: BaseException) -> bool:
    from defusedxml import DefusedXmlException

    vues: set[int] = set()
    courante: BaseException | None = exc
    while courante is not None and id(courante) not in vues:
        vues.add(id(courante))
        if isinstance(courante, DefusedXmlException):
            return True
        courante = courante.__cause__ or courante.__context__
    return False


def _lire_xlsx(contenu: bytes, fichier: str, lignes_max: int, colonnes_max: int, chrono: _Chrono) -> _Table:
    if b"application/vnd.oasis.opendocument" in contenu[:120]:
        raise ErreurFormat("classeur OpenDocument (.ods) non pris en charge", fichier=fichier,
                           conseil="enregistrez-le au format .xlsx ou CSV UTF-8 ; rien n'a été lu")
    try:
        with classeur.ouvrir_classeur(contenu, fichier, taille_max=XLSX_DECOMPRESSE_MAX, ratio_max=XLSX_RATIO_MAX,
                                      membres_max=XLSX_MEMBRES_MAX) as ouvert:
            chrono.verifier()
            return _lire_feuilles(ouvert, fichier, lignes_max, colonnes_max, chrono)
    except ErreurFormat as exc:
        if _structure_dangereuse(exc):
            raise ErreurFormat(
                "fichier Excel refusé : structure XML dangereuse (déclaration d'entités : « bombe XML » "
                "ou référence à un fichier externe)", fichier=fichier,
                conseil="rien n'a été lu ; recréez le classeur ou enregistrez le tableau en CSV",
            ) from exc
        if exc.message.startswith(("archive suspecte", "classeur trop volumineux")):
            raise ErreurFormat(f"fichier Excel refusé : {exc.message}", fichier=fichier,
                               conseil=exc.conseil) from exc
        raise


def _lire_feuilles(ouvert: classeur.Classeur, fichier: str, lignes_max: int, colonnes_max: int,
                   chrono: _Chrono) -> _Table:
    for nom_feuille in ouvert.feuilles:
        feuille = ouvert.feuille(nom_feuille)
        lignes_iter = feuille.lignes()
        entete = None
        numero_entete = 0
        for numero, valeurs in lignes_iter:
            chrono.verifier(numero)
            textes = [_texte_cellule(v) for v in valeurs]
            while textes and not textes[-1].strip():
                textes.pop()
            if "nom" in {colonne_du_modele(t) for t in textes[:CELLULES_EXAMINEES]}:
                entete = _analyser_entete(textes, fichier, numero, colonnes_max)
                numero_entete = numero
                break
            if numero >= LIGNES_ENTETE_MAX:
                break
        if entete is None:
            continue
        autres = [f for f in ouvert.feuilles if f != nom_feuille]
        avertissements = [f"{fichier} : feuille « {nom_feuille} » lue"
                          + (f" (autres feuilles ignorées : {', '.join(autres)})" if autres else "")]
        if numero_entete > 1:
            avertissements.append(f"{fichier} : ligne(s) 1 à {numero_entete - 1} avant l'en-tête ignorée(s)")
        avertissements += _avertissements_entete(entete, fichier)
        return _lignes_xlsx(lignes_iter, entete, fichier, lignes_max, chrono, avertissements)
    raise ErreurFormat(
        f"colonne obligatoire « nom » introuvable dans les {LIGNES_ENTETE_MAX} premières lignes des feuilles "
        f"({', '.join(ouvert.feuilles)})", fichier=fichier, colonne="nom",
        conseil="la première ligne doit contenir les titres de colonnes du modèle (nom, adresse, commune…)",
    )


def _lignes_xlsx(lignes_iter: Iterator[tuple[int, tuple]], entete: _Entete, fichier: str, lignes_max: int,
                 chrono: _Chrono, avertissements: list[str]) -> _Table:
    n = len(entete.noms)
    lignes: list[_Brut] = []
    hors_colonnes: list[int] = []
    for numero, valeurs in lignes_iter:
        chrono.verifier(numero)
        textes = [_texte_cellule(v) for v in valeurs]
        if all(not t.strip() for t in textes):
            continue
        if len(lignes) >= lignes_max:
            raise ErreurFormat(f"trop de lignes : plus de {formats.nombre(lignes_max)} lignes de données",
                               fichier=fichier, ligne=numero, conseil="découpez le fichier")
        if any(t.strip() for t in textes[n:]):
            hors_colonnes.append(numero)
        textes = (textes + [""] * n)[:n]
        lignes.append(_brut(numero, textes, entete))
    if hors_colonnes:
        avertissements.append(f"{fichier} : valeurs à droite des colonnes titrées ignorées "
                              f"(lignes {_citer(hors_colonnes)})")
    return _Table(lignes, [], avertissements, "XLSX")


# --------------------------------------------------------------------------- rows
def _nettoyer(valeur: str, colonne: str) -> str:
    """Strip, line breaks → ``", "`` (address) or ``"; "`` (hours) or space, space runs → one."""
    valeur = valeur.strip()
    remplacement = {"adresse": ", ", "horaires": "; "}.get(colonne, " ")
    valeur = RE_SAUTS.sub(remplacement, valeur)
    return RE_ESPACES.sub(" ", valeur)


def _code_insee(brut: str) -> tuple[str, bool]:
    """``"56121.0"`` → ``("56121", True)``; the flag says it was repaired."""
    code = brut.strip().upper().replace(" ", "")
    repare = RE_CODE_REPARABLE.sub(r"\1", code)
    if re.fullmatch(r"\d{4}", repare):
        repare = repare.zfill(5)
    return repare, repare != code


def _booleen(valeur: str) -> bool | str | None:
    """``oui``/``non`` (and friends) → bool; empty → None; anything else → the text (an error)."""
    c = valeur.strip().casefold()
    if not c:
        return None
    if c in OUI:
        return True
    if c in NON:
        return False
    return valeur


def _multi(valeur: str, vocabulaire: tuple[str, ...]) -> str:
    """``"Seniors ; ateliers"`` → ``"Seniors|ateliers"``; known values get the schema's spelling."""
    canon = {cle(v): v for v in vocabulaire}
    valeurs = [canon.get(cle(v), v) for v in separer(valeur)]
    return "|".join(dict.fromkeys(v for v in valeurs if v))


class _Analyse:
    """Row-level checks; collects rejections and grouped warnings."""

    def __init__(self, fichier: str, emprise: tuple[float, float, float, float]) -> None:
        self.fichier = fichier
        self.emprise = emprise
        self.rejets: list[tuple[int, str | None, str]] = []
        self.invisibles: list[str] = []
        self.lambert: list[int] = []
        self.inversees: list[int] = []
        self.codes_repares: list[int] = []
        self.types_inconnus: dict[str, list[int]] = {}
        self.liens_refuses: list[int] = []
        self.booleens_invalides: dict[str, list[int]] = {}
        self.hors_zone: set[int] = set()

    def dans_emprise(self, lat: float, lon: float) -> bool:
        ouest, sud, est, nord = self.emprise
        return sud <= lat <= nord and ouest <= lon <= est

    def rejeter(self, ligne: int, colonne: str | None, motif: str) -> None:
        self.rejets.append((ligne, colonne, motif))

    def analyser(self, brut: _Brut) -> _Lieu | None:
        cellules: dict[str, str] = {}
        for colonne in (*COLONNES_MODELE, *COLONNES_FACULTATIVES):
            valeur = brut.cellules.get(colonne, "")
            propre = RE_INVISIBLES.sub("", valeur)
            if propre != valeur:
                self.invisibles.append(f"ligne {brut.ligne} colonne {colonne}")
            propre = _nettoyer(propre, colonne)
            if len(propre) > LONGUEURS_MAX[colonne]:
                self.rejeter(brut.ligne, colonne, f"cellule trop longue ({formats.nombre(len(propre))} caractères, "
                                                  f"maximum {formats.nombre(LONGUEURS_MAX[colonne])})")
                return None
            cellules[colonne] = propre
        ligne = brut.ligne
        if not cellules["nom"]:
            self.rejeter(ligne, "nom", "nom du lieu vide (colonne obligatoire)")
            return None
        if cle(cellules["nom"]).startswith("exemple"):
            self.rejeter(ligne, "nom", "ligne d'exemple du modèle (nom commençant par « Exemple ») : "
                                       "supprimez-la ou remplacez-la par un vrai lieu")
            return None
        code = ""
        if cellules["code_insee"]:
            code, repare = _code_insee(cellules["code_insee"])
            if not RE_CODE_INSEE.fullmatch(code):
                self.rejeter(ligne, "code_insee", f"code INSEE invalide : « {cellules['code_insee'][:20]} » "
                                                  "(5 caractères attendus, par exemple 56121)")
                return None
            if repare:
                self.codes_repares.append(ligne)
        coordonnees = self.coordonnees(ligne, cellules["latitude"], cellules["longitude"])
        if coordonnees is False:
            return None
        lat, lon = coordonnees if coordonnees else (None, None)
        typologie = TYPE_NON_RENSEIGNE
        if cellules["type"]:
            typologie = SYNONYMES_TYPES.get(cle(cellules["type"]), "autre")
            if cle(cellules["type"]) not in SYNONYMES_TYPES:
                self.types_inconnus.setdefault(cellules["type"][:40], []).append(ligne)
        site = _lieux.lien_http(cellules["site_web"]) if cellules["site_web"] else None
        if cellules["site_web"] and site is None:
            self.liens_refuses.append(ligne)
        drapeaux: dict[str, bool | None] = {}
        for colonne in ("gratuit", "itinerant"):
            valeur = _booleen(cellules[colonne])
            if isinstance(valeur, str):
                self.booleens_invalides.setdefault(colonne, []).append(ligne)
                valeur = None
            drapeaux[colonne] = valeur
        return _Lieu(
            ligne=ligne, nom=cellules["nom"], adresse=cellules["adresse"], commune=cellules["commune"], code=code,
            lat=lat, lon=lon, typologie=typologie, services=_multi(cellules["services"], SERVICES),
            publics=_multi(cellules["publics"], PUBLICS), horaires=cellules["horaires"] or None, site_web=site,
            gratuit=drapeaux["gratuit"], itinerant=drapeaux["itinerant"], identifiant=cellules["identifiant"],
        )

    def coordonnees(self, ligne: int, brut_lat: str, brut_lon: str) -> tuple[float, float] | bool | None:
        """WGS84 ``(lat, lon)``; ``None`` when both are empty; ``False`` when the row is rejected.

        A point outside the extent is returned as is and its line noted in ``hors_zone``.
        """
        if not brut_lat and not brut_lon:
            return None
        if not brut_lat or not brut_lon:
            absente, presente = ("latitude", "longitude") if not brut_lat else ("longitude", "latitude")
            self.rejeter(ligne, absente, f"{absente} absente alors que la {presente} est renseignée")
            return False
        lat, lon = _lieux.nombre_decimal(brut_lat), _lieux.nombre_decimal(brut_lon)
        if lat is None or lon is None:
            colonne, valeur = ("latitude", brut_lat) if lat is None else ("longitude", brut_lon)
            self.rejeter(ligne, colonne, f"coordonnée invalide : « {valeur[:40]} » "
                                         "(nombre décimal attendu, par exemple 47,7483 ou 47.7483)")
            return False
        if abs(lat) > 90 or abs(lon) > 180:
            converti = _depuis_lambert93(lat, lon)
            if converti is None:
                self.rejeter(ligne, "latitude", f"coordonnées hors des limites WGS84 ({brut_lat} ; {brut_lon}) : "
                                                "latitude entre -90 et 90, longitude entre -180 et 180 attendues")
                return False
            self.lambert.append(ligne)
            lat, lon = converti
        if not self.dans_emprise(lat, lon) and self.dans_emprise(lon, lat):
            self.inversees.append(ligne)
            lat, lon = lon, lat
        if not self.dans_emprise(lat, lon):
            self.hors_zone.add(ligne)
        return round(lat, 7), round(lon, 7)

    def avertissements(self) -> list[str]:
        f = self.fichier
        messages = []
        if self.invisibles:
            messages.append(f"{f} : caractères invisibles supprimés (contrôle, largeur nulle ou inversion du sens "
                            f"d'écriture) : {', '.join(self.invisibles[:LIGNES_CITEES])}"
                            + ("…" if len(self.invisibles) > LIGNES_CITEES else ""))
        if self.codes_repares:
            messages.append(f"{f}, colonne code_insee : code(s) réparé(s) (format numérique ou zéro initial perdu), "
                            f"lignes {_citer(self.codes_repares)}")
        if self.lambert:
            messages.append(f"{f} : coordonnées en mètres Lambert-93 (EPSG:2154) détectées et converties en degrés "
                            f"WGS84, vérifiez ces points (lignes {_citer(self.lambert)})")
        if self.inversees:
            messages.append(f"{f} : latitude et longitude inversées probables, valeurs échangées automatiquement ; "
                            f"corrigez le fichier (lignes {_citer(self.inversees)})")
        for valeur, lignes in self.types_inconnus.items():
            messages.append(f"{f}, colonne type : valeur « {valeur} » hors liste, classée « autre » "
                            f"(lignes {_citer(lignes)} ; valeurs possibles : {', '.join(TYPES)})")
        if self.liens_refuses:
            messages.append(f"{f}, colonne site_web : lien ignoré, seule une adresse commençant par http:// ou "
                            f"https:// est acceptée (lignes {_citer(self.liens_refuses)})")
        for colonne, lignes in self.booleens_invalides.items():
            messages.append(f"{f}, colonne {colonne} : « oui » ou « non » attendu, valeur ignorée "
                            f"(lignes {_citer(lignes)})")
        return messages


def _depuis_lambert93(a: float, b: float) -> tuple[float, float] | None:
    """``(a, b)`` read as (latitude, longitude) cells holding Lambert-93 metres, in either
    order → WGS84 ``(lat, lon)``; ``None`` if they are not plausible Lambert-93 values."""
    x_min, x_max = _lieux.LAMBERT93_X
    y_min, y_max = _lieux.LAMBERT93_Y
    if x_min <= b <= x_max and y_min <= a <= y_max:
        x, y = b, a
    elif x_min <= a <= x_max and y_min <= b <= y_max:
        x, y = a, b
    else:
        return None
    from pyproj import Transformer

    lon, lat = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True).transform(x, y)
    return float(lat), float(lon)


# --------------------------------------------------------------------------- locating
def _charger_contours(contours: Contours, contexte: Contexte):
    geo = contours() if callable(contours) else contours
    if geo is None:
        geo = contours_reference(contexte.territoire)
    return geo[geo["code_insee"].astype(str).isin(contexte.codes_communes)]


def _localiser(lieux: list[_Lieu], analyse: _Analyse, contexte: Contexte, contours: Contours,
               chrono: _Chrono) -> tuple[list[_Lieu], list[tuple[_Lieu, str]], list[str]]:
    """Split the rows into (inside, outside with reason); codes recovered, commune names set."""
    nom_territoire = contexte.territoire.nom
    emprise = "emprise du territoire « " + nom_territoire + " » (marge comprise)"
    geo = _charger_contours(contours, contexte) if lieux else None
    chrono.verifier()
    noms_par_code: dict[str, str] = {}
    codes_par_nom: dict[str, list[str]] = {}
    if geo is not None:
        for code, nom in zip(geo["code_insee"].astype(str), geo["nom"].astype(str), strict=True):
            noms_par_code[code] = nom
            codes_par_nom.setdefault(cle(nom), []).append(code)
    a_placer = [lieu for lieu in lieux
                if not lieu.code and lieu.lat is not None and lieu.ligne not in analyse.hors_zone]
    par_point: dict[int, str] = {}
    if a_placer and geo is not None and not geo.empty:
        index = pd.RangeIndex(len(a_placer))
        latitudes = pd.Series([lieu.lat for lieu in a_placer], index=index, dtype="float64")
        longitudes = pd.Series([lieu.lon for lieu in a_placer], index=index, dtype="float64")
        trouves = retrouver_codes_par_contours(latitudes, longitudes, geo)
        par_point = {lieu.ligne: code for lieu, code in zip(a_placer, trouves, strict=True)}
    chrono.verifier()
    dedans: list[_Lieu] = []
    dehors: list[tuple[_Lieu, str]] = []
    messages: list[str] = []
    retrouves_point: list[int] = []
    retrouves_nom: list[int] = []
    discordances: list[str] = []
    for lieu in lieux:
        chrono.verifier(lieu.ligne)
        if lieu.code and lieu.code not in contexte.codes_communes:
            dehors.append((lieu, f"commune {lieu.code} hors du territoire « {nom_territoire} »"))
            continue
        if lieu.ligne in analyse.hors_zone:
            dehors.append((lieu, f"coordonnées ({formats.nombre(lieu.lat, 5)} ; {formats.nombre(lieu.lon, 5)}) "
                                 f"hors de l'{emprise}"))
            continue
        candidats = codes_par_nom.get(cle(lieu.commune), []) if lieu.commune else []
        if not lieu.code and par_point.get(lieu.ligne):
            lieu.code = par_point[lieu.ligne]
            retrouves_point.append(lieu.ligne)
        elif not lieu.code and len(candidats) == 1:
            lieu.code = candidats[0]
            retrouves_nom.append(lieu.ligne)
        elif not lieu.code:
            if lieu.ligne in par_point:
                dehors.append((lieu, f"point hors des communes du territoire « {nom_territoire} » et code INSEE "
                                     "absent"))
            elif geo is None or geo.empty:
                analyse.rejeter(lieu.ligne, "code_insee", "code INSEE absent et géographie de référence "
                                                          "indisponible pour le retrouver")
            elif lieu.commune:
                analyse.rejeter(lieu.ligne, "commune", f"code INSEE absent et commune « {lieu.commune[:40]} » "
                                                       f"introuvable parmi les communes du territoire "
                                                       f"« {nom_territoire} » : indiquez le code INSEE")
            else:
                analyse.rejeter(lieu.ligne, "code_insee", "ni code INSEE, ni commune, ni coordonnées : "
                                                          "impossible de situer le lieu")
            continue
        reference = noms_par_code.get(lieu.code)
        if reference and lieu.commune and cle(lieu.commune) != cle(reference):
            discordances.append(f"ligne {lieu.ligne} : « {lieu.commune[:40]} » pour {lieu.code} ({reference})")
        lieu.commune = reference or lieu.commune
        dedans.append(lieu)
    f = analyse.fichier
    if retrouves_point:
        messages.append(f"{f} : code INSEE absent retrouvé par les coordonnées et les contours des communes "
                        f"(lignes {_citer(retrouves_point)})")
    if retrouves_nom:
        messages.append(f"{f} : code INSEE absent retrouvé par le nom de la commune (lignes {_citer(retrouves_nom)})")
    if discordances:
        messages.append(f"{f}, colonne commune : nom différent de celui du code INSEE, le code est retenu : "
                        + "; ".join(discordances[:LIGNES_CITEES]) + ("…" if len(discordances) > LIGNES_CITEES else ""))
    return dedans, dehors, messages


# --------------------------------------------------------------------------- duplicates and ids
def _doublons_exacts(lignes: list[_Brut]) -> tuple[list[_Brut], list[tuple[int, str | None, str]], list[int]]:
    """Rows identical, cell for cell, to an earlier row are rejected as duplicates."""
    premieres: dict[tuple[str, ...], int] = {}
    gardees: list[_Brut] = []
    rejets: list[tuple[int, str | None, str]] = []
    doublons: list[int] = []
    for brut in lignes:
        if brut.signature in premieres:
            rejets.append((brut.ligne, None, f"doublon exact de la ligne {premieres[brut.signature]} (supprimé)"))
            doublons.append(brut.ligne)
        else:
            premieres[brut.signature] = brut.ligne
            gardees.append(brut)
    return gardees, rejets, doublons


def _signaler_homonymes(lieux: list[_Lieu], fichier: str) -> list[str]:
    groupes: dict[tuple[str, str], list[_Lieu]] = {}
    for lieu in lieux:
        groupes.setdefault((cle(lieu.nom), lieu.code), []).append(lieu)
    messages = []
    for (_nom, code), membres in groupes.items():
        if len(membres) > 1:
            messages.append(
                f"{fichier} : lignes {_citer([m.ligne for m in membres])} : même nom « {membres[0].nom[:60]} » et "
                f"même commune ({code}) avec des contenus différents ; vérifiez s'il s'agit du même lieu "
                "(toutes les lignes sont conservées)")
    return messages


def _slug(texte: str) -> str:
    sans_accents = unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode().casefold()
    return re.sub(r"[^0-9a-z]+", "-", sans_accents).strip("-")[:40].strip("-") or "lieu"


def _identifiants(lieux: list[_Lieu], analyse: _Analyse) -> list[_Lieu]:
    """Give each place its id; a repeated ``identifiant`` rejects the later row."""
    vus: dict[str, int] = {}
    gardes = []
    for lieu in lieux:
        if lieu.identifiant:
            if lieu.identifiant in vus:
                analyse.rejeter(lieu.ligne, "identifiant", f"identifiant « {lieu.identifiant[:40]} » en double "
                                                           f"(déjà ligne {vus[lieu.identifiant]})")
                continue
            vus[lieu.identifiant] = lieu.ligne
        gardes.append(lieu)
    for lieu in gardes:
        if lieu.identifiant:
            continue
        base = f"{lieu.code}-{_slug(lieu.nom)}"
        candidat, suffixe = base, 2
        while candidat in vus:
            candidat, suffixe = f"{base}-{suffixe}", suffixe + 1
        vus[candidat] = lieu.ligne
        lieu.identifiant = candidat
    return gardes


# --------------------------------------------------------------------------- entry point
def _nature(contenu: bytes) -> str | None:
    """``"XLSX"``, ``"CSV"``, or ``None`` for a format refused by :func:`_refuser_format`."""
    if contenu.startswith(b"PK\x03\x04"):
        return "XLSX"
    if contenu.startswith((b"\xd0\xcf\x11\xe0", b"\x89PNG", b"%PDF", b"\x1f\x8b", b"GIF8", b"\xff\xd8\xff")):
        return None
    return "CSV"


def _refuser_format(contenu: bytes, fichier: str) -> None:
    if contenu.startswith(b"\xd0\xcf\x11\xe0"):
        raise ErreurFormat(
            "format non pris en charge : le fichier est un classeur Excel ancien format (.xls) ou protégé par mot "
            "de passe", fichier=fichier,
            conseil="enregistrez-le au format .xlsx (Excel 2007 et suivants) ou CSV UTF-8 ; rien n'a été lu")
    natures = {b"\x89PNG": "une image PNG", b"%PDF": "un document PDF", b"\x1f\x8b": "une archive gzip",
               b"GIF8": "une image GIF", b"\xff\xd8\xff": "une image JPEG"}
    nature = next(n for s, n in natures.items() if contenu.startswith(s))
    raise ErreurFormat(f"format non pris en charge : le fichier est en réalité {nature}", fichier=fichier,
                       conseil="téléversez le tableau des lieux en CSV ou .xlsx ; rien n'a été lu")


def lire_televersement(
    contenu: bytes,
    nom_affiche: str,
    contexte: Contexte,
    *,
    taille_max: int = TAILLE_MAX,
    lignes_max: int = LIGNES_MAX,
    colonnes_max: int = COLONNES_MAX,
    duree_max_s: float = DUREE_MAX_S,
    contours: Contours = None,
    edition: str | None = None,
) -> Televersement:
    """Read an uploaded (or imported) table of local tiers-lieux; see the module docstring.

    ``nom_affiche`` is only shown in messages (see :func:`nom_affichable`). ``contours``:
    commune contours (GeoDataFrame with ``code_insee``, ``nom``, ``geometry`` in WGS84, or a
    callable returning it), by default the reference geography, read only when rows exist.
    ``edition``: the ``edition`` column (default: today's date in Europe/Paris).

    Raises :class:`~dashboard.erreurs.ErreurFormat` (nothing accepted) for a file-level
    problem: empty, too big, too many lines or columns, too slow, wrong format, NUL byte,
    mixed encodings, unclosed quote, no ``nom`` column, duplicated column, header only.
    No Streamlit, no file written; reads the reference contours at most once.
    """
    fichier = nom_affichable(nom_affiche)
    chrono = _Chrono(duree_max_s, fichier)
    if not contenu or not contenu.strip():
        raise ErreurFormat("fichier vide", fichier=fichier, conseil="choisissez le tableau des lieux rempli")
    if len(contenu) > taille_max:
        raise ErreurFormat(f"fichier trop volumineux ({formats.nombre(len(contenu))} octets, maximum "
                           f"{formats.nombre(taille_max)})", fichier=fichier,
                           conseil="un tableau de lieux pèse quelques dizaines de kilo-octets ; rien n'a été lu")
    nature = _nature(contenu)
    if nature is None:
        _refuser_format(contenu, fichier)
    if nature == "XLSX":
        table = _lire_xlsx(contenu, fichier, lignes_max, colonnes_max, chrono)
    else:
        table = _lire_csv(contenu, fichier, lignes_max, colonnes_max, chrono)
    lues = len(table.lignes) + len(table.rejets)
    if lues == 0:
        raise ErreurFormat("aucune ligne de données (en-tête seul)", fichier=fichier,
                           conseil="ajoutez une ligne par lieu sous la ligne des titres")
    avertissements = list(table.avertissements)
    gardees, rejets_doublons, doublons = _doublons_exacts(table.lignes)
    if doublons:
        avertissements.append(f"{fichier} : {len(doublons)} doublon(s) exact(s) supprimé(s) "
                              f"(lignes {_citer(doublons)})")
    analyse = _Analyse(fichier, contexte.territoire.emprise)
    analyse.rejets.extend(table.rejets)
    analyse.rejets.extend(rejets_doublons)
    lieux: list[_Lieu] = []
    for brut in gardees:
        chrono.verifier(brut.ligne)
        lieu = analyse.analyser(brut)
        if lieu is not None:
            lieux.append(lieu)
    avertissements += analyse.avertissements()
    dedans, dehors, messages = _localiser(lieux, analyse, contexte, contours, chrono)
    avertissements += messages
    avertissements += _signaler_homonymes(dedans, fichier)
    dedans = _identifiants(dedans, analyse)
    sans_point = [lieu.ligne for lieu in dedans if lieu.lat is None]
    if sans_point:
        avertissements.append(f"{fichier} : {len(sans_point)} lieu(x) sans coordonnées, conservé(s) mais absent(s) "
                              f"de la carte (lignes {_citer(sans_point)})")
    if dehors:
        avertissements.append(f"{fichier} : {len(dehors)} ligne(s) hors périmètre, listée(s) à part et non "
                              f"retenue(s) (lignes {_citer([lieu.ligne for lieu, _ in dehors])})")
    rejets = sorted(analyse.rejets, key=lambda r: r[0])
    stats = {"lues": lues, "acceptees": len(dedans), "rejetees": len(rejets), "hors_perimetre": len(dehors),
             "sans_coordonnees": len(sans_point)}
    if stats["acceptees"] + stats["rejetees"] + stats["hors_perimetre"] != lues:  # garde-fou : jamais de perte
        raise AssertionError(f"comptes incohérents : {stats}")
    return Televersement(
        frame=_cadre(dedans, edition or _aujourd_hui()),
        lignes=[lieu.ligne for lieu in dedans],
        rejets=rejets,
        hors_perimetre=_cadre_hors(dehors),
        avertissements=avertissements,
        stats=stats,
        nom_affiche=fichier,
        format=table.format,
    )


def _aujourd_hui() -> str:
    return datetime.now(ZoneInfo("Europe/Paris")).date().isoformat()


def _cadre(lieux: list[_Lieu], edition: str) -> pd.DataFrame:
    frame = pd.DataFrame({
        "id": [lieu.identifiant for lieu in lieux],
        "nom": [lieu.nom for lieu in lieux],
        "adresse": [lieu.adresse for lieu in lieux],
        "code_insee": [lieu.code for lieu in lieux],
        "commune": [lieu.commune for lieu in lieux],
        "latitude": pd.array([lieu.lat for lieu in lieux], dtype="Float64"),
        "longitude": pd.array([lieu.lon for lieu in lieux], dtype="Float64"),
        "typologie": [lieu.typologie for lieu in lieux],
        "site_web": [lieu.site_web for lieu in lieux],
        "edition": [edition] * len(lieux),
        "services": [lieu.services for lieu in lieux],
        "publics": [lieu.publics for lieu in lieux],
        "gratuit": pd.array([lieu.gratuit for lieu in lieux], dtype="boolean"),
        "itinerant": pd.array([lieu.itinerant for lieu in lieux], dtype="boolean"),
        "horaires": [lieu.horaires for lieu in lieux],
    }, index=pd.RangeIndex(len(lieux)))
    return typer(frame, COLONNES)


def _cadre_hors(dehors: list[tuple[_Lieu, str]]) -> pd.DataFrame:
    frame = pd.DataFrame({
        "ligne": [lieu.ligne for lieu, _ in dehors],
        "nom": [lieu.nom for lieu, _ in dehors],
        "commune": [lieu.commune for lieu, _ in dehors],
        "code_insee": [lieu.code for lieu, _ in dehors],
        "latitude": pd.array([lieu.lat for lieu, _ in dehors], dtype="Float64"),
        "longitude": pd.array([lieu.lon for lieu, _ in dehors], dtype="Float64"),
        "motif": [motif for _, motif in dehors],
    }, index=pd.RangeIndex(len(dehors)))
    return frame.astype(COLONNES_HORS_PERIMETRE)


def resumer_rejets(rejets: list[tuple[int, str | None, str]], fichier: str, maximum: int = LIGNES_CITEES
                   ) -> list[str]:
    """« x.csv, ligne 5, colonne code_insee : code INSEE invalide… » (at most ``maximum``, then a count)."""
    messages = [f"{fichier}, ligne {ligne}" + (f", colonne {colonne}" if colonne else "") + f" : {motif}"
                for ligne, colonne, motif in rejets[:maximum]]
    if len(rejets) > maximum:
        messages.append(f"{fichier} : {len(rejets) - maximum} autre(s) ligne(s) rejetée(s)")
    return messages


# --------------------------------------------------------------------------- source
class SourceTiersLieuxLocaux(Source):
    """The local network's table, imported by hand (``python -m dashboard import``) or uploaded."""

    identifiant = "tiers_lieux_locaux"
    titre = "Tiers-lieux du réseau local (saisie locale)"
    producteur = "réseau local des tiers-lieux (saisie locale)"
    licence = "à préciser par le réseau local (par défaut Licence Ouverte 2.0)"
    page = PAGE
    fichiers = (Fichier(FICHIER, "", "tableau des lieux saisi par le réseau local (CSV ou XLSX, modèle "
                                     "docs/modele-tiers-lieux.csv)"),)
    colonnes = COLONNES
    frequence = "à chaque mise à jour du réseau local (import manuel)"

    def __init__(self, contours: Contours = None) -> None:
        self.contours = contours

    def telecharger(self, telecharger) -> dict[str, bytes]:
        raise SourceIndisponible(
            "source locale : il n'y a rien à télécharger",
            conseil="importez le tableau du réseau : python -m dashboard import tiers_lieux_locaux fichier.csv",
        )

    def lire(self, fichiers: dict[str, bytes], contexte: Contexte) -> Resultat:
        """:func:`lire_televersement`; hors-périmètre rows count among the rejected ones here,
        with the reason « hors périmètre : … », so that accepted + rejected = read."""
        edition = _aujourd_hui()
        lu = lire_televersement(fichiers[FICHIER], FICHIER, contexte, contours=self.contours, edition=edition)
        hors = [(int(ligne), None, f"hors périmètre : {motif}")
                for ligne, motif in zip(lu.hors_perimetre["ligne"], lu.hors_perimetre["motif"], strict=True)]
        tous = sorted([*lu.rejets, *hors], key=lambda r: r[0])
        if lu.frame.empty:
            raise ErreurFormat(
                f"aucun lieu accepté sur {lu.stats['lues']} ligne(s) : "
                + " ; ".join(m.removeprefix(f"{FICHIER}, ") for m in resumer_rejets(tous, FICHIER, 3)),
                fichier=FICHIER, conseil="corrigez le fichier ; les données précédentes sont conservées",
            )
        return Resultat(
            frame=lu.frame,
            edition=edition,
            libelle_edition=f"saisie locale importée le {formats.date_longue(edition)}",
            lignes_lues=lu.stats["lues"],
            lignes_rejetees=[(FICHIER, ligne, (f"colonne {colonne} : " if colonne else "") + motif)
                             for ligne, colonne, motif in tous],
            avertissements=[*lu.avertissements, *resumer_rejets(tous, FICHIER)],
        )


SOURCE = SourceTiersLieuxLocaux()
