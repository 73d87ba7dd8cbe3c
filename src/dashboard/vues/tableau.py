"""A data table as plain, escaped HTML: semantic (caption, column headers), printable in full,
read cell by cell by screen readers, and light in the browser.

Why not ``st.dataframe`` everywhere: its grid is drawn on a canvas (only the visible rows exist
for assistive technologies and for printing) and it makes the browser load ~1.2 MB of JavaScript
(the grid and Apache Arrow). On the first page, a table of at most 30 communes, that was the
costliest element of the page (measured in ``bench/README.md``). Sorting is offered by
:func:`trier`, driven by a « Trier par » choice on the page.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from dashboard import formats

CLASSE = "tableau-donnees"

# Scoped to the table's class; colours follow Streamlit's light theme (grey lines, dark text).
CSS = f"""<style>
.{CLASSE} {{ border-collapse: collapse; width: 100%; font-size: 0.875rem; line-height: 1.5; }}
.{CLASSE} caption {{ caption-side: top; text-align: left; color: rgba(49, 51, 63, 0.6);
  font-size: 0.875rem; padding-bottom: 0.25rem; }}
.{CLASSE} th, .{CLASSE} td {{ border: 1px solid rgba(49, 51, 63, 0.1); padding: 0.25rem 0.75rem;
  text-align: left; vertical-align: top; }}
.{CLASSE} thead th {{ background: #f0f2f6; font-weight: 600; color: rgba(49, 51, 63, 0.8); }}
.{CLASSE} .nombre {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
.{CLASSE} tbody tr:nth-child(even) {{ background: rgba(240, 242, 246, 0.5); }}
</style>"""


@dataclass(frozen=True)
class Colonne:
    """One column: the DataFrame column, its French header, how a value is written."""

    cle: str
    libelle: str
    ecrire: Callable[[object], str] = str
    numerique: bool = False


def texte(valeur: object) -> str:
    return formats.NON_DISPONIBLE if pd.isna(valeur) else str(valeur)


def decimal(decimales: int) -> Callable[[object], str]:
    def ecrire(valeur: object) -> str:
        return formats.nombre(valeur, decimales)  # type: ignore[arg-type]

    return ecrire


entier = decimal(0)


def tableau_html(donnees: pd.DataFrame, colonnes: Sequence[Colonne], legende: str) -> str:
    """The table (``<table>`` with its ``<caption>``), every text escaped: data never becomes HTML."""
    entetes = "".join(
        f'<th scope="col"{_classe(c)}>{html.escape(c.libelle)}</th>' for c in colonnes
    )
    lignes = []
    for ligne in donnees[[c.cle for c in colonnes]].itertuples(index=False, name=None):
        cellules = "".join(
            f"<td{_classe(c)}>{html.escape(c.ecrire(v))}</td>" for c, v in zip(colonnes, ligne, strict=True)
        )
        lignes.append(f"<tr>{cellules}</tr>")
    return (f'<table class="{CLASSE}"><caption>{html.escape(legende)}</caption>'
            f"<thead><tr>{entetes}</tr></thead><tbody>{''.join(lignes)}</tbody></table>")


def _classe(colonne: Colonne) -> str:
    return ' class="nombre"' if colonne.numerique else ""


def cle_alphabetique(nom: object) -> str:
    """French alphabetical order: accents and case ignored (« Étel » between « Elven » and « Guidel »)."""
    decompose = unicodedata.normalize("NFKD", str(nom))
    return "".join(c for c in decompose if not unicodedata.combining(c)).casefold()


def trier(donnees: pd.DataFrame, cle: str, decroissant: bool = False) -> pd.DataFrame:
    """Rows sorted on one column (text in French alphabetical order); missing values last, ties
    keep their order."""
    alphabetique = None if pd.api.types.is_numeric_dtype(donnees[cle]) else (
        lambda serie: serie.map(cle_alphabetique, na_action="ignore"))
    return donnees.sort_values(cle, ascending=not decroissant, na_position="last", kind="stable", key=alphabetique)


# The table of communes (« Vue d'ensemble »): columns, and the orders offered.
COLONNES_COMMUNES = (
    Colonne("code_insee", "Code INSEE", texte),
    Colonne("nom", "Commune", texte),
    Colonne("nom_epci", "EPCI", texte),
    Colonne("population", "Population municipale", entier, numerique=True),
    Colonne("superficie_km2", "Superficie (km²)", decimal(2), numerique=True),
    Colonne("densite_hab_km2", "Densité (hab./km²)", decimal(1), numerique=True),
)
# URL value → (label, column, descending).
TRIS_COMMUNES = {
    "nom": ("Nom (A → Z)", "nom", False),
    "population": ("Population (décroissante)", "population", True),
    "densite": ("Densité (décroissante)", "densite_hab_km2", True),
    "superficie": ("Superficie (décroissante)", "superficie_km2", True),
}
