"""Exports of what the dashboard shows: tables (CSV, XLSX), images (PNG), report (PDF).

Pure functions returning ``bytes`` (no Streamlit, no file written): a page hands them
to ``st.download_button(data=…, file_name=nom_de_fichier(…), mime=…)``.

- :mod:`dashboard.exports.tableur` — ``vers_csv``, ``lire_csv``, ``vers_xlsx``,
  ``nom_de_fichier``: French spreadsheet conventions, safe against formula injection.
- :mod:`dashboard.exports.images` — ``carte_png``, ``figure_png``, ``graphique_barres_png``,
  ``graphique_serie_png``: PNG drawn by matplotlib, no browser needed.
- :mod:`dashboard.exports.rapport_pdf` — ``ContenuRapport`` and ``rapport_pdf``: a PDF
  working document for the council (fpdf2, offline, no browser).

Every export carries the provenance (source, edition, licence) of its data and says
loudly when the data are demonstration data.
"""

from __future__ import annotations

from dashboard.erreurs import ErreurDonnees

MIME_CSV = "text/csv"
MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIME_PNG = "image/png"
MIME_PDF = "application/pdf"


class ErreurExport(ErreurDonnees):
    """An export cannot be produced (unsupported chart, empty data, image too small…)."""
