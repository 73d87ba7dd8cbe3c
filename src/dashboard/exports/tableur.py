"""Tables for spreadsheets: CSV and XLSX in French conventions, inert when opened.

API
---
``vers_csv(frame, provenances=None) -> bytes``
    ``;`` separator, UTF-8 with BOM (French Excel detects the encoding), CRLF line ends,
    decimal comma (``0,875``), no thousands separator, dates ISO (``2026-06-30``,
    ``2026-06-30 14:05:00``), booleans ``VRAI``/``FAUX`` (French Excel's own words),
    missing values (``None``, ``NaN``, ``pd.NA``, ``NaT``) as empty cells, infinities too.
    A non-default index is written as leading column(s).

    Formula injection (OWASP; reliability plan §0.4 and S-05): a *text* cell — or a
    column header — that starts with ``=``, ``+``, ``-``, ``@``, tab, CR (or their
    full-width forms ``＝ ＋ － ＠``) gets a leading ``'`` so Excel and LibreOffice show it
    as text and never evaluate it. Quoting alone does not help: Excel evaluates ``"=…"``
    after unquoting. A text cell that already starts with ``'`` gets one more ``'``, so
    the escape is reversible: :func:`lire_csv` removes exactly one leading ``'``.
    Numbers are never prefixed: ``-12,5`` stays a number for the spreadsheet.

    With ``provenances``, the table is followed by **one empty line** and one line per
    dataset, ``# Source : <Provenance.texte()>`` (which starts with « DONNÉES DE
    DÉMONSTRATION » for demo data). The table itself never contains an empty line (an
    all-empty record of a one-column table is written ``""``), so the first empty line is
    an unambiguous end-of-table marker. Read it back with :func:`lire_csv`, or with
    pandas alone: ``pd.read_csv(io.BytesIO(octets), sep=";", decimal=",",
    encoding="utf-8-sig", nrows=<number of data rows>)``. When the table must be pure
    (another program imports it), call ``vers_csv(frame)`` and offer the sources apart:
    the XLSX export carries them on its « Sources » sheet.

``lire_csv(octets, **options) -> tuple[pd.DataFrame, list[str]]``
    The documented reader of :func:`vers_csv`: the table (``'`` escapes removed, only
    empty cells are NA, ``VRAI``/``FAUX`` are booleans (pandas 3 parses floats
    exactly, so ``repr`` values come back bit for bit); ``options`` go to
    ``pd.read_csv``, e.g. ``dtype={"code_insee": str}``) and the source lines (without
    their ``# Source : `` prefix).

``vers_xlsx(frame, provenances=None, titre=None, *, pourcentages=(), formats_nombres=None) -> bytes``
    openpyxl workbook. Sheet 1 holds the table: bold grey header row, frozen, with an
    auto-filter, column widths from the content. Every text cell is stored as a string
    (``data_type == "s"``, inline string) — openpyxl would otherwise store any text that
    starts with ``=`` as a *formula* — and text cells that start with a trigger
    character also get Excel's « quote prefix » flag, so editing the cell in Excel keeps
    it text. Numbers stay numbers, with locale-neutral format codes Excel renders in
    French (``# ##0``, ``0,0 %``): integers ``#,##0``, floats ``#,##0.0##``, columns named
    in ``pourcentages`` (shares 0–1) ``0.0%``; ``formats_nombres`` overrides per column.
    Dates ``dd/mm/yyyy``, datetimes ``dd/mm/yyyy hh:mm`` (timezone-aware ones are
    converted to UTC), booleans as booleans. Control characters Excel refuses are
    replaced by ``�``; carriage returns become line feeds (XML parsers, Excel's
    included, normalise a raw CR to LF anyway); text longer than Excel's 32 767
    characters is cut with ``…``.
    Sheet 2, « Sources », lists every dataset: title, producer, edition, licence,
    address, retrieval date and the demonstration flag. When any dataset is demo data,
    the data sheet's name starts with « DÉMO » and its tab is orange. ``titre`` names the
    data sheet (sanitised: no ``[]:*?/\\``, no leading/trailing ``'``, at most 31
    characters) and the workbook's title property.

``nom_de_fichier(texte, extension) -> str``
    A safe ASCII file name for ``st.download_button(file_name=…)``: accents folded,
    anything but letters, digits, ``.``, ``_`` and ``-`` replaced by ``_``, no path, no
    leading ``.``/``-``/``=``…, at most 80 characters before the extension, Windows
    reserved names avoided, ``export`` when nothing is left.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time

import numpy as np
import pandas as pd

from dashboard.exports import ErreurExport
from dashboard.vues.provenance import Provenance

# Control characters an XLSX cell cannot hold: openpyxl's own ``ILLEGAL_CHARACTERS_RE``, copied so
# that openpyxl (~0.2 s to import) is loaded only when a workbook is actually written.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

# Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection),
# plus their full-width forms, which some Excel locales also accept.
DECLENCHEURS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
APOSTROPHE = "'"
SEPARATEUR = ";"
PREFIXE_SOURCE = "# Source : "
VRAI, FAUX = "VRAI", "FAUX"

LIMITE_CELLULE_XLSX = 32_767
LONGUEUR_MAX_FEUILLE = 31
FORMAT_ENTIER = "#,##0"
FORMAT_DECIMAL = "#,##0.0##"
FORMAT_POURCENTAGE = "0.0%"
FORMAT_DATE = "dd/mm/yyyy"
FORMAT_DATE_HEURE = "dd/mm/yyyy hh:mm"
COULEUR_ENTETE = "E8E8E8"
COULEUR_ONGLET_DEMO = "E69F00"
COLONNES_SOURCES = ("Jeu de données", "Producteur", "Édition", "Licence", "Adresse", "Récupéré le",
                    "Données de démonstration")
NOMS_RESERVES_WINDOWS = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                         *(f"LPT{i}" for i in range(1, 10))}


# --- text neutralisation ---------------------------------------------------------------

def est_dangereux(texte: str) -> bool:
    """True when a spreadsheet could read ``texte`` as a formula."""
    return texte.startswith(DECLENCHEURS)


def neutraliser(texte: str) -> str:
    """``"=1+1" → "'=1+1"``; ``"'x" → "''x"`` (reversible); other text unchanged."""
    if est_dangereux(texte) or texte.startswith(APOSTROPHE):
        return APOSTROPHE + texte
    return texte


def restaurer(valeur: object) -> object:
    """Inverse of :func:`neutraliser` on one read-back cell (non-text values unchanged)."""
    if isinstance(valeur, str) and valeur.startswith(APOSTROPHE):
        return valeur[1:]
    return valeur


def _manquant(valeur: object) -> bool:
    if valeur is None or valeur is pd.NA or valeur is pd.NaT:
        return True
    if isinstance(valeur, float | np.floating):
        return not math.isfinite(float(valeur))
    return False


def _libelle_colonne(colonne: object) -> str:
    if isinstance(colonne, tuple):
        return " – ".join(str(c) for c in colonne if str(c))
    return str(colonne)


def _avec_index(frame: pd.DataFrame) -> pd.DataFrame:
    """A meaningful index (named or not a plain RangeIndex) becomes leading column(s)."""
    index = frame.index
    if isinstance(index, pd.RangeIndex) and index.name is None:
        return frame
    return frame.reset_index()


# --- CSV -------------------------------------------------------------------------------

def _cellule_csv(valeur: object) -> str:
    if _manquant(valeur):
        return ""
    if isinstance(valeur, bool | np.bool_):
        return VRAI if valeur else FAUX
    if isinstance(valeur, numbers.Integral):
        return str(int(valeur))
    if isinstance(valeur, numbers.Real):
        return repr(float(valeur)).replace(".", ",")
    if isinstance(valeur, datetime):
        if valeur.tzinfo is None and valeur.time() == time(0):
            return valeur.date().isoformat()
        return valeur.isoformat(sep=" ")
    if isinstance(valeur, date | time):
        return valeur.isoformat()
    return neutraliser(str(valeur).replace("\x00", "\ufffd"))


def vers_csv(frame: pd.DataFrame, provenances: Sequence[Provenance] | None = None) -> bytes:
    """The table as French-Excel CSV bytes, inert when opened (see the module docstring)."""
    tableau = _avec_index(frame)
    tampon = io.StringIO(newline="")
    ecrivain = csv.writer(tampon, delimiter=SEPARATEUR, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    ecrivain.writerow([neutraliser(_libelle_colonne(c).replace("\x00", "\ufffd")) for c in tableau.columns])
    for ligne in tableau.itertuples(index=False, name=None):
        ecrivain.writerow([_cellule_csv(v) for v in ligne])
    if provenances:
        ecrivain.writerow([])
        for provenance in provenances:
            ecrivain.writerow([PREFIXE_SOURCE + provenance.texte()])
    return tampon.getvalue().encode("utf-8-sig")


def lire_csv(octets: bytes, **options) -> tuple[pd.DataFrame, list[str]]:
    """Read back a :func:`vers_csv` export: ``(table, source lines)``.

    ``options`` are passed to ``pd.read_csv`` (``dtype``, ``parse_dates``…).
    """
    texte = octets.decode("utf-8-sig")
    enregistrements = list(csv.reader(io.StringIO(texte, newline=""), delimiter=SEPARATEUR))
    fin = next((i for i, ligne in enumerate(enregistrements) if ligne == []), len(enregistrements))
    if fin == 0:
        raise ErreurExport("fichier CSV sans ligne d'en-tête")
    sources = [ligne[0].removeprefix(PREFIXE_SOURCE) for ligne in enregistrements[fin + 1:] if ligne]
    parametres = {"keep_default_na": False, "na_values": [""], "true_values": [VRAI],
                  "false_values": [FAUX], **options}
    tableau = pd.read_csv(io.StringIO(texte, newline=""), sep=SEPARATEUR, decimal=",",
                          nrows=fin - 1, **parametres)
    tableau.columns = [restaurer(c) for c in tableau.columns]
    for colonne in tableau.columns:
        serie = tableau[colonne]
        if not (pd.api.types.is_numeric_dtype(serie) or pd.api.types.is_datetime64_any_dtype(serie)):
            tableau[colonne] = serie.map(restaurer)
    return tableau, sources


# --- XLSX ------------------------------------------------------------------------------

def _texte_xlsx(texte: str) -> str:
    # XML parsers (Excel's included) turn a raw CR into LF: write what will be read.
    texte = texte.replace("\r\n", "\n").replace("\r", "\n")
    texte = ILLEGAL_CHARACTERS_RE.sub("\ufffd", texte)
    if len(texte) > LIMITE_CELLULE_XLSX:
        texte = texte[: LIMITE_CELLULE_XLSX - 1] + "…"
    return texte


def _ecrire_texte(cellule, texte: str) -> None:
    """Store ``texte`` as a string, never a formula (openpyxl infers ``f`` from ``=``)."""
    texte = _texte_xlsx(texte)
    cellule.value = texte
    cellule.data_type = "s"
    if est_dangereux(texte):
        cellule.quotePrefix = True


def _ecrire_valeur(cellule, valeur: object, format_nombre: str | None) -> str:
    """Write one value; return its display text (for the column width)."""
    if _manquant(valeur):
        return ""
    if isinstance(valeur, bool | np.bool_):
        cellule.value = bool(valeur)
        return VRAI if valeur else FAUX
    if isinstance(valeur, numbers.Integral):
        cellule.value = int(valeur)
        cellule.number_format = format_nombre or FORMAT_ENTIER
        return f"{int(valeur):,}"
    if isinstance(valeur, numbers.Real):
        cellule.value = float(valeur)
        cellule.number_format = format_nombre or FORMAT_DECIMAL
        return f"{float(valeur):,.3f}"
    if isinstance(valeur, datetime):
        if valeur.tzinfo is not None:
            valeur = valeur.astimezone(UTC).replace(tzinfo=None)
        if isinstance(valeur, pd.Timestamp):
            valeur = valeur.to_pydatetime()
        cellule.value = valeur
        minuit = valeur.time() == time(0)
        cellule.number_format = FORMAT_DATE if minuit else FORMAT_DATE_HEURE
        return "00/00/0000" if minuit else "00/00/0000 00:00"
    if isinstance(valeur, date):
        cellule.value = valeur
        cellule.number_format = FORMAT_DATE
        return "00/00/0000"
    texte = str(valeur)
    if texte:  # an empty string stays an empty cell, as in the CSV
        _ecrire_texte(cellule, texte)
    return texte


def nom_de_feuille(texte: str | None, deja: Iterable[str] = (), defaut: str = "Données") -> str:
    """A valid, unique Excel sheet name (≤ 31 characters, no ``[]:*?/\\``)."""
    nom = ILLEGAL_CHARACTERS_RE.sub("", str(texte or ""))
    nom = re.sub(r"[\[\]:*?/\\\r\n\t]+", " ", nom)
    nom = re.sub(r"\s+", " ", nom).strip().strip("'").strip()
    nom = nom[:LONGUEUR_MAX_FEUILLE].strip().strip("'").strip() or defaut
    if nom.lower() == "history":
        nom = f"{nom} (feuille)"
    pris = {d.lower() for d in deja}
    candidat, n = nom, 2
    while candidat.lower() in pris:
        suffixe = f" ({n})"
        candidat = nom[: LONGUEUR_MAX_FEUILLE - len(suffixe)].rstrip() + suffixe
        n += 1
    return candidat


def _mettre_en_forme_entete(feuille, nb_colonnes: int, largeurs: list[int]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    gras = Font(bold=True)
    fond = PatternFill("solid", start_color=COULEUR_ENTETE, end_color=COULEUR_ENTETE)
    for j in range(1, nb_colonnes + 1):
        cellule = feuille.cell(row=1, column=j)
        cellule.font = gras
        cellule.fill = fond
        cellule.alignment = Alignment(wrap_text=True, vertical="top")
    feuille.freeze_panes = "A2"
    for j, largeur in enumerate(largeurs, start=1):
        feuille.column_dimensions[get_column_letter(j)].width = min(max(largeur + 2, 8), 60)
    if nb_colonnes:
        feuille.auto_filter.ref = f"A1:{get_column_letter(nb_colonnes)}{max(feuille.max_row, 1)}"


def _remplir(feuille, entetes: list[str], lignes: Iterable[Sequence[object]],
             formats_colonnes: Sequence[str | None]) -> None:
    largeurs = []
    for j, entete in enumerate(entetes, start=1):
        _ecrire_texte(feuille.cell(row=1, column=j), entete)
        largeurs.append(max((len(m) for m in entete.split()), default=0))
    for i, ligne in enumerate(lignes, start=2):
        for j, valeur in enumerate(ligne, start=1):
            affiche = _ecrire_valeur(feuille.cell(row=i, column=j), valeur, formats_colonnes[j - 1])
            largeurs[j - 1] = max(largeurs[j - 1], min(len(affiche), 60))
    _mettre_en_forme_entete(feuille, len(entetes), largeurs)


def lignes_sources(provenances: Sequence[Provenance]) -> list[tuple[str, ...]]:
    """Rows of the « Sources » sheet (same order as :data:`COLONNES_SOURCES`)."""
    from dashboard import formats

    return [
        (p.titre, p.producteur, p.edition, p.licence, p.url,
         formats.date_longue(p.recupere_le) if p.recupere_le else "",
         "OUI — données générées, non officielles" if p.demo else "non")
        for p in provenances
    ]


def vers_xlsx(
    frame: pd.DataFrame,
    provenances: Sequence[Provenance] | None = None,
    titre: str | None = None,
    *,
    pourcentages: Iterable[str] = (),
    formats_nombres: Mapping[str, str] | None = None,
) -> bytes:
    """The table as an XLSX workbook with a « Sources » sheet (see the module docstring)."""
    provenances = list(provenances or [])
    tableau = _avec_index(frame)
    entetes = [_libelle_colonne(c) for c in tableau.columns]
    parts = set(pourcentages)
    formats_nombres = dict(formats_nombres or {})
    formats_colonnes = [formats_nombres.get(e, FORMAT_POURCENTAGE if e in parts else None) for e in entetes]

    import openpyxl

    classeur = openpyxl.Workbook()
    feuille = classeur.active
    demo = any(p.demo for p in provenances)
    nom = nom_de_feuille(titre, defaut="Données")
    feuille.title = nom_de_feuille(f"DÉMO {nom}") if demo else nom
    if demo:
        feuille.sheet_properties.tabColor = COULEUR_ONGLET_DEMO
    _remplir(feuille, entetes, tableau.itertuples(index=False, name=None), formats_colonnes)

    sources = classeur.create_sheet(nom_de_feuille("Sources", deja=[feuille.title]))
    _remplir(sources, list(COLONNES_SOURCES), lignes_sources(provenances), [None] * len(COLONNES_SOURCES))

    classeur.properties.title = _texte_xlsx(titre or nom)
    classeur.properties.creator = "Observatoire du numérique inclusif du Pays de Lorient"
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


# --- file names ------------------------------------------------------------------------

def nom_de_fichier(texte: str, extension: str) -> str:
    """``("Couverture — Sainte-Hélène T2 2026", "csv") → "Couverture_Sainte-Helene_T2_2026.csv"``."""
    base = unicodedata.normalize("NFKD", str(texte)).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base)
    base = re.sub(r"\.{2,}", ".", re.sub(r"_{2,}", "_", base))
    base = base.strip("._-")[:80].rstrip("._-")
    if not base:
        base = "export"
    if base.split(".")[0].upper() in NOMS_RESERVES_WINDOWS:
        base = f"export_{base}"
    suffixe = re.sub(r"[^a-z0-9]", "", str(extension).lower())[:10] or "bin"
    return f"{base}.{suffixe}"
