"""ARCEP building-level files (« immeubles »), filtered to the territory and gridded at 500 m.

Two official layouts are read (columns selected by name, see ``data-sources.md`` §3.2, §3.3 c):

========================  ==================================  =======================================
layout                    file                                what is used
========================  ==================================  =======================================
MCI ``base_imb``          ``base_imb_<dép>.csv.gz`` (``;``,   ``imb_code_insee``, ``imb_x``/``imb_y``
                          UTF-8, gzip), one per département,   (**EPSG:3857**), ``imb_nbr_logloc``
                          ``refresh`` downloads the
                          territory's département(s)
MCI ``base_imb`` 2021     same, coordinates named             ``imb_longitude``/``imb_latitude``
                          ``imb_longitude``/``imb_latitude``  (still EPSG:3857, despite the names)
Cartefibre ``immeubles``  ``carte_fibre_immeubles_AAAA_TN_    ``code_insee``, ``x``/``y`` (**WGS84**),
                          AAAAMMJJ.csv`` (``,``, national,    ``imb_etat``
                          4.5 GB, 25 M rows), or its zip,
                          given to ``import``
========================  ==================================  =======================================

Why a grid: tens of thousands of buildings cannot be drawn as markers, and a building is
personal-ish data at address level. They are counted on a regular **500 m grid in
Lambert-93** (EPSG:2154): square cells are exact to compute (no geometry library), stable
across editions (a cell is the same place every quarter, so editions can be compared
cell by cell), and close to the official INSEE grids (200 m / 1 km squares). Hexagons
would look rounder but would need their own indexing library and give no official
correspondence. A cell crossed by a commune boundary gives one row per commune, so that
sums per commune stay exact and the perimeter selector works.

Output, one row per (commune, cell), sorted: ``code_insee``; ``carreau``, the cell id
``L93_500m_E{x}N{y}`` with x and y the lower-left corner in hectometres (``E2235N67580``
= x 223 500 m, y 6 758 000 m); ``x_centre``, ``y_centre`` (Lambert-93 metres) and ``lon``,
``lat`` (WGS84, 6 decimals) of the cell centre; ``immeubles`` (buildings/addresses);
``locaux`` (sum of ``imb_nbr_logloc``; an empty cell counts 1, with an avertissement;
Cartefibre has no count of locaux per building — ``catg_loc_imb`` is a class — so there
``locaux`` = ``immeubles``); ``locaux_ftth_deploye`` (Cartefibre: buildings whose
``imb_etat`` is ``deploye``; **base_imb: not available** (NA), eligibility is in the
separate ``eligibilite`` table); ``date``, the edition.

Edition date: the parameter ``edition`` if given, else a quarter or ISO date in the file
name (``…_2026_T2_…``, ``2026t2-immeuble.zip``, ``2026_T2/base_imb_56.csv.gz`` — the quarter
folder data.arcep.fr redirects ``last/`` to), else the import date, said in an avertissement.

How the huge file is read without loading it: :mod:`._prefiltre_csv` maps it in memory (or
streams it, when compressed) in 1 MB blocks and keeps the records that contain a territory
INSEE code as a field (a superset), two processes at once for a plain file; pyarrow parses
those in memory with explicit types (every column text, codes included) and the physical
line numbers kept by the pre-filter — DuckDB does when anything is unusual, and names line
and column of a malformed record — then the territory's rows are converted with
:mod:`~dashboard.sources.lecture` (errors name file, line and column) and reprojected with
pyproj. The raw files are **not** kept in the store (``garder_bruts = False``): the
manifest records their name, size and sha256 only.

Rows, and what happens to them (accepted + rejected + outside = read):

* another commune's row: outside the territory, counted in an avertissement;
* a territory row without coordinates, or whose point falls outside the territory's
  ``emprise`` (``territoire.toml``): rejected, listed with its line; if that is the case of
  half the rows or more, the coordinates are in another system than declared: error;
* a malformed territory row (wrong number of fields, non-numeric coordinate or count,
  negative count): error naming file, line and column — nothing is imported.
"""

from __future__ import annotations

import gzip
import io
import re
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from dashboard import formats
from dashboard.erreurs import ErreurFormat
from dashboard.sources import _lieux
from dashboard.sources._prefiltre_csv import FILS, Extrait, extraire
from dashboard.sources.base import Colonne, Contexte, Fichier, Resultat, Source, typer
from dashboard.sources.lecture import (
    COLONNE_LIGNE,
    TableLue,
    convertir_codes_insee,
    convertir_nombres,
    normaliser_entete,
)

URL_BASE_IMB = ("https://data.arcep.fr/fixe/maconnexioninternet/base_imb/last/departement/"
                "base_imb_{departement}.csv.gz")
PAGE = "https://www.data.gouv.fr/datasets/ma-connexion-internet"
PAGE_CARTEFIBRE = "https://www.data.gouv.fr/datasets/le-marche-du-haut-et-tres-haut-debit-fixe-deploiements"
PAS_GRILLE = 500  # metres
CRS_L93 = "EPSG:2154"
SEUIL_SYSTEME = 0.5  # share of rows outside the emprise above which the coordinate system is wrong
ETATS_CARTEFIBRE = frozenset({"deploye", "en cours de deploiement", "cible", "signe", "raccordable demande",
                              "abandonne"})
RE_TRIMESTRE = re.compile(r"(20\d{2})[_\-\s]?[tT]([1-4])(?![0-9])")
RE_DATE = re.compile(r"(20\d{2})-(\d{2})-(\d{2})")
RE_TRIMESTRE_URL = re.compile(r"/(20\d{2})_[tT]([1-4])/")


@dataclass(frozen=True)
class Disposition:
    """One official layout: which named columns hold what, and the coordinate system."""

    nom: str
    code: str
    x: str
    y: str
    crs: str
    locaux: str | None = None
    etat: str | None = None


DISPOSITIONS = (
    Disposition("base_imb (MCI)", "imb_code_insee", "imb_x", "imb_y", "EPSG:3857", locaux="imb_nbr_logloc"),
    Disposition("base_imb (MCI, ancien schéma imb_longitude/imb_latitude)", "imb_code_insee", "imb_longitude",
                "imb_latitude", "EPSG:3857", locaux="imb_nbr_logloc"),
    Disposition("Cartefibre immeubles", "code_insee", "x", "y", "EPSG:4326", etat="imb_etat"),
)


def reconnaitre(colonnes: list[str], fichier: str) -> Disposition:
    """The layout whose columns are all present (first match), or a French error."""
    presentes = set(colonnes)
    for disposition in DISPOSITIONS:
        requises = [c for c in (disposition.code, disposition.x, disposition.y, disposition.etat) if c]
        if all(c in presentes for c in requises):
            return disposition
    raise ErreurFormat(
        "colonnes non reconnues : ni base_imb de l'ARCEP (imb_code_insee ; imb_x ; imb_y ; imb_nbr_logloc…) "
        "ni Cartefibre immeubles (x, y, code_insee, imb_etat…) ; colonnes trouvées : "
        + ", ".join(colonnes)[:300],
        fichier=fichier, ligne=1,
        conseil="fournissez base_imb_<département>.csv.gz (« Ma connexion internet ») ou le fichier "
                "carte_fibre_immeubles_… du jeu « déploiements »",
    )


# --------------------------------------------------------------------------- edition
def fin_de_trimestre(annee: int, trimestre: int) -> str:
    mois = 3 * trimestre
    jour = 31 if mois in (3, 12) else 30
    return date(annee, mois, jour).isoformat()


def edition_du_nom(nom: str) -> str | None:
    """``…_2026_T2_…`` / ``2026t2-…`` → ``2026-06-30``; an ISO date → itself; else ``None``."""
    if m := RE_TRIMESTRE.search(nom):
        return fin_de_trimestre(int(m.group(1)), int(m.group(2)))
    if m := RE_DATE.search(nom):
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            return None
    return None


def libelle(edition: str) -> str:
    """``2026-06-30`` → « T2 2026 » (a quarter's last day), any other date → « 2 septembre 2026 »."""
    jour = date.fromisoformat(edition)
    if edition == fin_de_trimestre(jour.year, (jour.month + 2) // 3):
        return formats.trimestre(edition)
    return formats.date_longue(edition)


def departements(codes: frozenset[str]) -> list[str]:
    """Départements of INSEE codes: ``56121 → 56``, ``97411 → 974``, ``2A004 → 2A``."""
    return sorted({c[:3] if c.startswith("97") else c[:2] for c in codes})


# --------------------------------------------------------------------------- streams
@contextmanager
def ouvrir_flux(brut: BinaryIO, nom: str) -> Iterator[tuple[BinaryIO, str]]:
    """The CSV stream inside ``brut`` (plain, gzip or a zip holding one CSV) and its name."""
    debut = brut.read(4)
    brut.seek(0)
    if debut.startswith(b"\x1f\x8b"):
        with gzip.GzipFile(fileobj=brut, mode="rb") as flux:
            yield flux, nom
    elif debut.startswith(b"PK\x03\x04"):
        try:
            archive = zipfile.ZipFile(brut)
        except zipfile.BadZipFile as exc:
            raise ErreurFormat("archive zip illisible", fichier=nom) from exc
        with archive:
            membres = [m for m in archive.namelist() if m.lower().endswith(".csv")]
            if len(membres) != 1:
                raise ErreurFormat(
                    f"l'archive doit contenir exactement un fichier CSV ({len(membres)} trouvé(s) : "
                    f"{', '.join(membres)[:200]})", fichier=nom,
                    conseil="extrayez le CSV des immeubles et importez-le directement",
                )
            with archive.open(membres[0]) as flux:
                yield flux, f"{nom}/{membres[0]}"
    else:
        yield brut, nom


# --------------------------------------------------------------------------- one file
@dataclass
class _Lu:
    """The territory's buildings of one file (one row per building) and what was counted."""

    fichier: str
    edition: str | None
    batiments: pd.DataFrame  # code_insee, x_l93, y_l93, locaux, deploye (Int64 or NA), _ligne
    total: int
    disposition: Disposition
    rejets: list[tuple[str, int, str]] = field(default_factory=list)
    avertissements: list[str] = field(default_factory=list)


def _colonnes_entete(extrait: Extrait, fichier: str) -> list[str]:
    import csv

    brutes = next(csv.reader([extrait.entete], delimiter=extrait.separateur))
    noms = []
    for position, brut in enumerate(brutes, start=1):
        nom = normaliser_entete(brut) or f"_sans_nom_{position}"
        if nom in noms:
            raise ErreurFormat(f"colonne « {nom} » en double (positions {noms.index(nom) + 1} et {position})",
                               fichier=fichier, ligne=1, colonne=nom)
        noms.append(nom)
    return noms


def _decoder(extrait: Extrait, fichier: str, avertissements: list[str]) -> list[str]:
    """Candidate records as text: UTF-8, or Windows-1252 for a record that is not (with a notice)."""
    textes: list[str] = []
    lignes_cp1252: list[int] = []
    for enregistrement, ligne in zip(extrait.enregistrements, extrait.lignes, strict=True):
        try:
            textes.append(enregistrement.decode("utf-8"))
        except UnicodeDecodeError:
            textes.append(enregistrement.decode("cp1252", errors="replace"))
            lignes_cp1252.append(ligne)
    if lignes_cp1252:
        avertissements.append(f"{fichier} : texte non UTF-8 lu comme Windows-1252, lignes "
                              f"{_lieux.citer_lignes(lignes_cp1252)}")
    return textes


MESSAGES_DUCKDB = {
    "MISSING COLUMNS": "valeurs manquantes",
    "TOO MANY COLUMNS": "trop de valeurs",
    "UNQUOTED VALUE": "guillemet mal placé",
    "LINE SIZE OVER MAXIMUM": "ligne trop longue",
    "INVALID ENCODING": "octets invalides",
    "INVALID UNICODE": "octets invalides",
}


LONGUEUR_RAPIDE = 1 << 20  # bytes: a longer record goes to DuckDB, which refuses records over 2 MB


def _parser(extrait: Extrait, noms: list[str], fichier: str, disposition: Disposition,
            avertissements: list[str]) -> pd.DataFrame:
    """The candidate records, every column as text plus the physical line (``_ligne``).

    pyarrow's CSV reader reads them in memory (a few hundredths of a second for 100 000
    records) when nothing is unusual: UTF-8, no CR, no huge record, and each record holding
    a quote is plain RFC 4180 (quoted fields whole, quotes inside doubled). Otherwise — and
    when pyarrow finds a wrong number of values — DuckDB reads them (:func:`_parser_duckdb`),
    whose errors name line and column: the result is then exactly the careful reading's.
    """
    voulues = list(dict.fromkeys(nom for nom in (disposition.code, disposition.x, disposition.y,
                                                 disposition.locaux, disposition.etat) if nom))
    frame = _parser_rapide(extrait, noms, voulues)
    if frame is None:
        return _parser_duckdb(extrait, noms, fichier, disposition, avertissements)
    return frame


def _avec_guillemets(donnees: bytes, enregistrements: list[bytes]) -> list[int]:
    """Indices of the records (joined by newlines in ``donnees``) that hold a quote."""
    guillemet = donnees.find(b'"')
    if guillemet < 0:
        return []
    positions = np.flatnonzero(np.frombuffer(donnees, dtype=np.uint8)[guillemet:] == ord('"')) + guillemet
    fins = np.cumsum(np.fromiter(map(len, enregistrements), dtype=np.int64, count=len(enregistrements)) + 1)
    return np.unique(np.searchsorted(fins, positions, side="right")).tolist()


def _parser_rapide(extrait: Extrait, noms: list[str], voulues: list[str]) -> pd.DataFrame | None:
    """pyarrow's reading of the candidate records, or ``None`` when anything is unusual
    (see :func:`_parser`)."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    enregistrements = extrait.enregistrements
    donnees = b"\n".join(enregistrements)
    if b"\r" in donnees or max(map(len, enregistrements), default=0) > LONGUEUR_RAPIDE:
        return None
    if not donnees.isascii():
        try:
            donnees.decode("utf-8")
        except UnicodeDecodeError:
            return None
    guillemets = _avec_guillemets(donnees, enregistrements)
    if guillemets:
        sep = re.escape(extrait.separateur)
        champ = rf'(?:"(?:[^"]|"")*"|[^"{sep}\n]*)'
        rfc4180 = re.compile(rf"{champ}(?:{sep}{champ})*".encode())
        if not all(rfc4180.fullmatch(enregistrements[i]) for i in guillemets):
            return None
    internes = [f"c{i}" for i in range(len(noms))]
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(donnees + b"\n"),
            read_options=pa_csv.ReadOptions(column_names=internes),
            parse_options=pa_csv.ParseOptions(delimiter=extrait.separateur, quote_char='"', double_quote=True,
                                              escape_char=False, newlines_in_values=bool(guillemets),
                                              ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={c: pa.string() for c in internes}, strings_can_be_null=False,
                include_columns=[internes[noms.index(nom)] for nom in voulues]),
        )
    except (pa.ArrowInvalid, ValueError):
        return None
    if table.num_rows != len(enregistrements):
        return None
    frame = table.to_pandas()
    frame.columns = voulues
    frame.insert(0, COLONNE_LIGNE, np.array(extrait.lignes, dtype="int64"))
    return frame


def _parser_duckdb(extrait: Extrait, noms: list[str], fichier: str, disposition: Disposition,
                   avertissements: list[str]) -> pd.DataFrame:
    """DuckDB reads the candidate records, every column as text plus the physical line."""
    import duckdb

    sep = extrait.separateur
    textes = _decoder(extrait, fichier, avertissements)
    lignes = "\n".join(f"{n}{sep}{texte}" for n, texte in zip(extrait.lignes, textes, strict=True))
    internes = [f"c{i}" for i in range(len(noms))]
    voulues = {nom: internes[noms.index(nom)]
               for nom in (disposition.code, disposition.x, disposition.y, disposition.locaux, disposition.etat)
               if nom}
    with tempfile.TemporaryDirectory(prefix="arcep_immeubles_") as dossier:
        chemin = Path(dossier) / "candidats.csv"
        chemin.write_text(sep.join(["_ligne", *internes]) + "\n" + lignes + "\n", encoding="utf-8")
        types = ", ".join(["'_ligne': 'BIGINT'", *(f"'{c}': 'VARCHAR'" for c in internes)])
        quote = sep.replace("'", "''")
        with duckdb.connect(config={"temp_directory": tempfile.gettempdir()}) as con:
            selection = ", ".join(f"{interne} AS {nom}" for nom, interne in voulues.items())
            # Only trusted tokens are interpolated: a separator from lecture.SEPARATEURS, column
            # names c0…cN and the layout's constant names; the path is a bound parameter.
            requete = (
                f"SELECT _ligne, {selection} FROM read_csv(?, delim='{quote}', quote='\"', escape='\"', "  # noqa: S608
                f"header=true, auto_detect=false, columns={{{types}}}, store_rejects=true, "
                "rejects_table='rejets_csv', rejects_scan='rejets_lecture')"
            )
            frame = con.execute(requete, [str(chemin)]).df()
            rejet = con.execute("SELECT csv_line, error_type, error_message, column_name FROM rejets_csv "
                                "ORDER BY line LIMIT 1").fetchone()
    if rejet is not None:
        ligne_csv, type_erreur, message, colonne = rejet
        prefixe = re.match(r"^(\d+)", ligne_csv or "")
        ligne = int(prefixe.group(1)) if prefixe else None
        nombres = re.findall(r"\d+", message or "")
        libelle_erreur = MESSAGES_DUCKDB.get(type_erreur, f"ligne mal formée ({type_erreur})")
        if type_erreur in ("MISSING COLUMNS", "TOO MANY COLUMNS") and len(nombres) >= 2:
            libelle_erreur = f"{int(nombres[1]) - 1} valeurs au lieu de {int(nombres[0]) - 1}"
        nom_colonne = noms[internes.index(colonne)] if colonne in internes else None
        raise ErreurFormat(libelle_erreur, fichier=fichier, ligne=ligne, colonne=nom_colonne,
                           conseil="la ligne est mal formée ; rien n'a été importé")
    return frame


def _nombres(table: TableLue, colonne: str, *, entier: bool) -> pd.Series:
    """:func:`convertir_nombres`, with a fast path for plain numbers (``-374512.34``, ``12``):
    the careful conversion (thousands spaces, decimal commas, errors with line and column)
    runs only when a cell is not a plain number."""
    brutes = table.frame[colonne]
    valeurs = pd.to_numeric(brutes.where(brutes != "", None), errors="coerce")
    douteuses = valeurs.isna() & (brutes != "")
    if entier:
        douteuses |= (valeurs % 1 != 0) | (valeurs < 0)
    if douteuses.any():
        return convertir_nombres(table, colonne, entier=entier)
    return valeurs.astype("Int64" if entier else "Float64")


def _etat_normalise(serie: pd.Series) -> pd.Series:
    """``" Déployé "`` → ``"deploye"`` (unaccented, casefolded, single spaces); computed once per
    distinct value, there are only a handful."""
    def normaliser(valeur: str) -> str:
        sans_accents = unicodedata.normalize("NFKD", valeur).encode("ascii", "ignore").decode()
        return " ".join(sans_accents.casefold().split())

    valeurs = serie.fillna("").astype(str)
    return valeurs.map({v: normaliser(v) for v in valeurs.unique()})


def _vers_l93(x: np.ndarray, y: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    transformation = Transformer.from_crs(crs, CRS_L93, always_xy=True)
    return transformation.transform(x, y)


def _vers_wgs84(x: np.ndarray, y: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    if crs == "EPSG:4326":
        return x, y
    from pyproj import Transformer

    return Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x, y)


def _batiments(frame: pd.DataFrame, fichier: str, disposition: Disposition, contexte: Contexte,
               avertissements: list[str]) -> tuple[pd.DataFrame, list[tuple[str, int, str]]]:
    """Typed, checked, reprojected territory rows (one per building) and the rejected ones."""
    for colonne in frame.columns:
        if colonne != COLONNE_LIGNE:
            frame[colonne] = frame[colonne].astype("str").where(frame[colonne].notna(), "")
    # lenient selection first, so that a bad row elsewhere in France never blocks the import;
    # then strict conversions (errors with line and official column name) on the territory's rows
    dans = _lieux.normaliser_codes(frame[disposition.code]).isin(contexte.codes_communes)
    table = TableLue(frame.loc[dans.to_numpy()].reset_index(drop=True), fichier, "", "UTF-8", avertissements)
    n = len(table.frame)
    lignes = table.frame[COLONNE_LIGNE].astype("int64")
    codes = convertir_codes_insee(table, disposition.code) if n else pd.Series([], dtype="str")
    x = _nombres(table, disposition.x, entier=False).to_numpy(dtype="float64", na_value=np.nan)
    y = _nombres(table, disposition.y, entier=False).to_numpy(dtype="float64", na_value=np.nan)
    if disposition.locaux:
        locaux = _nombres(table, disposition.locaux, entier=True)
        vides = locaux.isna()
        if vides.any():
            avertissements.append(
                f"{fichier}, colonne {disposition.locaux} : {int(vides.sum())} immeuble(s) sans nombre de locaux, "
                f"comptés pour 1 local (lignes {_lieux.citer_lignes(lignes[vides.to_numpy()])})")
        locaux = locaux.fillna(1)
    else:
        locaux = pd.Series(1, index=table.frame.index, dtype="Int64")
    if disposition.etat:
        etats = _etat_normalise(table.frame[disposition.etat])
        inconnus = etats[~etats.isin(ETATS_CARTEFIBRE)]
        if len(inconnus):
            valeurs = ", ".join(f"« {v or '(vide)'} » ({k})" for v, k in inconnus.value_counts().items())
            avertissements.append(f"{fichier}, colonne {disposition.etat} : état(s) inconnu(s), comptés comme non "
                                  f"déployés : {valeurs[:300]}")
        deploye = pd.Series((etats == "deploye").astype("int64").to_numpy(), dtype="Int64")
    else:
        deploye = pd.Series(pd.NA, index=table.frame.index, dtype="Int64")

    crs = disposition.crs
    presentes = ~(np.isnan(x) | np.isnan(y))
    if crs != "EPSG:4326" and presentes.any() and (np.abs(x[presentes]).max() <= 180
                                                   and np.abs(y[presentes]).max() <= 90):
        crs = "EPSG:4326"
        avertissements.append(f"{fichier} : coordonnées {disposition.x}/{disposition.y} en degrés (WGS84) et non en "
                              "Web Mercator (EPSG:3857) comme documenté ; lues comme WGS84")
    lon, lat = _vers_wgs84(np.where(presentes, x, 0.0), np.where(presentes, y, 0.0), crs)
    ouest, sud, est, nord = contexte.territoire.emprise
    dedans = presentes & (lon >= ouest) & (lon <= est) & (lat >= sud) & (lat <= nord)
    rejets: list[tuple[str, int, str]] = []
    for ligne, present in zip(lignes[~dedans].tolist(), presentes[~dedans].tolist(), strict=True):
        rejets.append((fichier, ligne, "coordonnées absentes" if present is False else
                       f"point hors de l'emprise du territoire {contexte.territoire.nom} "
                       "(coordonnées erronées ?)"))
    hors_emprise = presentes & ~dedans
    if presentes.sum() and hors_emprise.sum() >= SEUIL_SYSTEME * presentes.sum():
        premiere = int(lignes[hors_emprise].iloc[0])
        raise ErreurFormat(
            f"{int(hors_emprise.sum())} immeuble(s) sur {int(presentes.sum())} hors de l'emprise du territoire : "
            f"coordonnées dans un autre système que {crs} ?",
            fichier=fichier, ligne=premiere, colonne=disposition.x,
            conseil="vérifiez le fichier (base_imb : EPSG:3857 ; Cartefibre : WGS84)",
        )
    if rejets:
        absentes = int((~presentes).sum())
        avertissements.append(
            f"{fichier} : {len(rejets)} immeuble(s) du territoire non placé(s) sur la grille "
            f"({absentes} sans coordonnées, {len(rejets) - absentes} hors de l'emprise) ; lignes "
            f"{_lieux.citer_lignes(r[1] for r in rejets)}")
    x_l93, y_l93 = _vers_l93(lon[dedans], lat[dedans], "EPSG:4326")
    batiments = pd.DataFrame({
        "code_insee": codes[dedans].to_numpy(),
        "x_l93": x_l93,
        "y_l93": y_l93,
        "locaux": locaux[dedans].to_numpy(),
        "deploye": deploye[dedans].to_numpy(),
        COLONNE_LIGNE: lignes[dedans].to_numpy(),
    })
    return batiments, rejets


def lire_flux(brut: BinaryIO, nom: str, contexte: Contexte, *, fils: int = FILS) -> _Lu:
    """One official file, given as a binary stream (file, bytes, gzip, zip)."""
    avertissements: list[str] = []
    try:
        with ouvrir_flux(brut, nom) as (flux, fichier):
            extrait = extraire(flux, contexte.codes_communes, fichier, fils=fils)
    except (EOFError, zlib.error, zipfile.BadZipFile, gzip.BadGzipFile) as exc:
        raise ErreurFormat(f"archive compressée tronquée ou corrompue ({type(exc).__name__})", fichier=nom,
                           conseil="téléchargez le fichier à nouveau ; rien n'a été importé") from exc
    noms = _colonnes_entete(extrait, fichier)
    disposition = reconnaitre(noms, fichier)
    if disposition.nom.startswith("base_imb") and "ancien" in disposition.nom:
        avertissements.append(f"{fichier} : ancien schéma base_imb reconnu (imb_longitude/imb_latitude, "
                              "coordonnées Web Mercator EPSG:3857)")
    candidats = _parser(extrait, noms, fichier, disposition, avertissements) if extrait.enregistrements else (
        pd.DataFrame(columns=[COLONNE_LIGNE, *(c for c in (disposition.code, disposition.x, disposition.y,
                                                           disposition.locaux, disposition.etat) if c)]))
    batiments, rejets = _batiments(candidats, fichier, disposition, contexte, avertissements)
    dans = len(batiments) + len(rejets)
    avertissements.insert(0, (
        f"{fichier} ({disposition.nom}) : {formats.nombre(extrait.total)} immeuble(s) lu(s), "
        f"{formats.nombre(dans)} dans les communes du territoire {contexte.territoire.nom}, "
        f"{formats.nombre(extrait.total - dans)} hors territoire (non retenus ; ce ne sont pas des rejets)"))
    return _Lu(fichier, edition_du_nom(fichier), batiments, extrait.total, disposition, rejets, avertissements)


# --------------------------------------------------------------------------- grid
def agreger(batiments: pd.DataFrame, date_edition: str) -> pd.DataFrame:
    """Buildings (``code_insee``, ``x_l93``, ``y_l93``, ``locaux``, ``deploye``) → 500 m cells.

    Returns one row per (commune, cell): ``code_insee``, ``carreau``, ``x_centre``,
    ``y_centre`` (Lambert-93 m), ``lon``, ``lat`` (WGS84 degrees, 6 decimals),
    ``immeubles``, ``locaux``, ``locaux_ftth_deploye`` (NA when the file has no state),
    ``date``; sorted by ``code_insee``, ``carreau``.
    """
    from pyproj import Transformer

    ix = np.floor(batiments["x_l93"].to_numpy(dtype="float64") / PAS_GRILLE).astype("int64")
    iy = np.floor(batiments["y_l93"].to_numpy(dtype="float64") / PAS_GRILLE).astype("int64")
    cellules = pd.DataFrame({
        "code_insee": batiments["code_insee"].astype("str").to_numpy(),
        "ix": ix, "iy": iy,
        "locaux": batiments["locaux"].astype("Int64").to_numpy(),
        "deploye": batiments["deploye"].astype("Int64").to_numpy(),
    })
    groupes = cellules.groupby(["code_insee", "ix", "iy"], sort=True)
    frame = groupes.agg(immeubles=("locaux", "size"), locaux=("locaux", "sum"))
    # a commune's buildings all come from one file, so « deployed » is known for all or none of a cell
    frame["locaux_ftth_deploye"] = groupes["deploye"].sum(min_count=1)
    frame = frame.reset_index()
    pas_hm = PAS_GRILLE // 100
    frame["carreau"] = [f"L93_{PAS_GRILLE}m_E{i * pas_hm}N{j * pas_hm}"
                        for i, j in zip(frame["ix"].tolist(), frame["iy"].tolist(), strict=True)]
    frame["x_centre"] = frame["ix"] * PAS_GRILLE + PAS_GRILLE / 2
    frame["y_centre"] = frame["iy"] * PAS_GRILLE + PAS_GRILLE / 2
    lon, lat = Transformer.from_crs(CRS_L93, "EPSG:4326", always_xy=True).transform(
        frame["x_centre"].to_numpy(dtype="float64"), frame["y_centre"].to_numpy(dtype="float64"))
    frame["lon"] = np.round(lon, 6)
    frame["lat"] = np.round(lat, 6)
    frame["date"] = date_edition
    frame = frame.sort_values(["code_insee", "carreau"]).reset_index(drop=True)
    return frame


# --------------------------------------------------------------------------- source
class SourceArcepImmeubles(Source):
    """ARCEP building files; ``edition`` fixes the edition date when the file name has none;
    ``fils``: processes searching a plain national file at once (see :mod:`._prefiltre_csv`)."""

    identifiant = "arcep_immeubles"
    titre = "Immeubles et locaux (ARCEP), par carreau de 500 m"
    producteur = "ARCEP"
    licence = "Licence Ouverte 2.0"
    page = PAGE
    frequence = "trimestrielle"
    garder_bruts = False
    fichiers = (
        Fichier("base_imb_<département>.csv.gz", URL_BASE_IMB.format(departement="<département>"),
                "« Ma connexion internet », base des immeubles d'un département (CSV ; gzip, EPSG:3857) ; "
                "refresh télécharge les départements des communes du territoire"),
        Fichier("carte_fibre_immeubles_AAAA_TN_AAAAMMJJ.csv", PAGE_CARTEFIBRE,
                "Cartefibre, immeubles de toute la France (4,5 Go, ressource AAAAtN-immeuble.zip) : "
                "à importer à la main (python -m dashboard import arcep_immeubles FICHIER)"),
    )
    colonnes = (
        Colonne("code_insee", "texte", "code INSEE de la commune des immeubles"),
        Colonne("carreau", "texte", "identifiant du carreau de 500 m en Lambert-93 : L93_500m_E{x}N{y}, "
                "coin sud-ouest en hectomètres"),
        Colonne("x_centre", "decimal", "abscisse du centre du carreau (Lambert-93)", "m"),
        Colonne("y_centre", "decimal", "ordonnée du centre du carreau (Lambert-93)", "m"),
        Colonne("lon", "decimal", "longitude du centre du carreau (WGS84)", "degrés"),
        Colonne("lat", "decimal", "latitude du centre du carreau (WGS84)", "degrés"),
        Colonne("immeubles", "entier", "immeubles (adresses) de la commune dans le carreau", "immeubles"),
        Colonne("locaux", "entier", "locaux (logements et locaux professionnels) ; Cartefibre : un par immeuble",
                "locaux"),
        Colonne("locaux_ftth_deploye", "entier", "immeubles où la fibre est déployée (Cartefibre, imb_etat = "
                "deploye) ; non disponible dans base_imb", "locaux", nullable=True),
        Colonne("date", "date", "date de l'édition (ISO)"),
    )

    def __init__(self, edition: str | None = None, fils: int = FILS) -> None:
        self.edition = edition
        self.fils = fils

    def controler_fichiers(self, noms) -> None:
        """Files are recognised by their columns, not their names: any non-empty set will do."""
        if not list(noms):
            raise ErreurFormat("aucun fichier fourni pour la source arcep_immeubles",
                               conseil="fournissez base_imb_<département>.csv.gz ou le fichier Cartefibre immeubles")

    def telecharger_pour(self, telecharger: Callable, contexte: Contexte) -> dict[str, bytes]:
        """``base_imb_<dép>.csv.gz`` of each département of the territory's communes.

        data.arcep.fr redirects ``last/`` to the quarter's folder (``…/2026_T2/…``): when the
        final URL shows it, the file is named ``2026_T2/base_imb_56.csv.gz`` so that the
        parser knows the edition.
        """
        fichiers: dict[str, bytes] = {}
        for dep in departements(contexte.codes_communes):
            reponse = telecharger(URL_BASE_IMB.format(departement=dep))
            nom = f"base_imb_{dep}.csv.gz"
            if m := RE_TRIMESTRE_URL.search(str(getattr(reponse, "url_finale", "") or "")):
                nom = f"{m.group(1)}_T{m.group(2)}/{nom}"
            fichiers[nom] = reponse.contenu
        return fichiers

    def lire(self, fichiers: dict[str, bytes], contexte: Contexte) -> Resultat:
        return self._lire({nom: (lambda c=contenu: io.BytesIO(c)) for nom, contenu in fichiers.items()}, contexte)

    def lire_chemins(self, chemins: dict[str, Path], contexte: Contexte) -> Resultat:
        """Stream each file from disk: never loaded whole (the national file is 4.5 GB)."""
        return self._lire({nom: (lambda p=Path(chemin): p.open("rb")) for nom, chemin in chemins.items()},
                          contexte)

    def _lire(self, ouvertures: dict[str, Callable[[], BinaryIO]], contexte: Contexte) -> Resultat:
        lus: list[_Lu] = []
        for nom, ouvrir in ouvertures.items():
            with ExitStack() as pile:
                lus.append(lire_flux(pile.enter_context(ouvrir()), nom, contexte, fils=self.fils))
        avertissements = [a for lu in lus for a in lu.avertissements]
        edition = self._edition(lus, avertissements)
        vus: dict[str, str] = {}
        for lu in lus:
            for code in sorted(lu.batiments["code_insee"].unique().tolist()):
                if code in vus:
                    raise ErreurFormat(f"la commune {code} figure dans deux fichiers ({vus[code]} et {lu.fichier})",
                                       fichier=lu.fichier, conseil="importez un seul fichier par département")
                vus[code] = lu.fichier
        if not vus:
            raise ErreurFormat(
                f"aucun immeuble des communes du territoire {contexte.territoire.nom} dans "
                + ", ".join(lu.fichier for lu in lus),
                conseil=f"fournissez le fichier du département {', '.join(departements(contexte.codes_communes))} "
                        "ou le fichier national ; rien n'a été remplacé",
            )
        absentes = sorted(contexte.codes_communes - set(vus))
        if absentes:
            avertissements.append(f"{len(absentes)} commune(s) du territoire sans aucun immeuble dans le(s) "
                                  f"fichier(s) : {', '.join(absentes)}")
        batiments = pd.concat([lu.batiments for lu in lus], ignore_index=True)
        frame = agreger(batiments, edition)
        return Resultat(
            frame=typer(frame, self.colonnes),
            edition=edition,
            libelle_edition=libelle(edition),
            lignes_lues=sum(lu.total for lu in lus),
            lignes_rejetees=[r for lu in lus for r in lu.rejets],
            avertissements=avertissements,
        )

    def _edition(self, lus: list[_Lu], avertissements: list[str]) -> str:
        if self.edition:
            return self.edition
        dates = {lu.edition for lu in lus if lu.edition}
        if len(dates) > 1:
            raise ErreurFormat("fichiers d'éditions différentes : " + ", ".join(
                f"{lu.fichier} ({lu.edition})" for lu in lus), conseil="importez des fichiers d'une même édition")
        if dates:
            return dates.pop()
        aujourd_hui = datetime.now(UTC).date().isoformat()
        avertissements.append(
            f"date d'édition absente du nom du fichier ({', '.join(lu.fichier for lu in lus)}) : date d'import "
            f"{formats.date_longue(aujourd_hui)} retenue ; renommez le fichier avec son trimestre "
            "(ex. base_imb_56_2026_T2.csv.gz) pour dater l'édition")
        return aujourd_hui


SOURCE = SourceArcepImmeubles()
