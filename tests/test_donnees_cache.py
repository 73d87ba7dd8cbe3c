"""The Streamlit cache of the data (``dashboard.ui.donnees``) follows the files: a new edition, a
rebuilt reference or an edited territory is served at the next run, without restarting the server
(``python -m dashboard refresh`` while the app runs, the kiosk's automatic reload)."""

from __future__ import annotations

import json
import shutil
import time

import pytest
import streamlit as st

from dashboard import chemins
from dashboard.erreurs import ErreurDonnees
from dashboard.magasin import Magasin
from dashboard.ui import donnees
from tests.conftest import RACINE
from tests.source_factice import SourceFactice, csv_factice

SOURCE = SourceFactice()


@pytest.fixture
def dossier(tmp_path, monkeypatch):
    """A data folder of its own (territory and reference copied), and an empty Streamlit cache."""
    shutil.copy2(RACINE / "data" / "territoire.toml", tmp_path / "territoire.toml")
    shutil.copytree(RACINE / "data" / "reference", tmp_path / "reference")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path))
    st.cache_data.clear()
    yield tmp_path
    st.cache_data.clear()


def _enregistrer(contexte, date: str, valeur: int) -> None:
    bruts = {"valeurs.csv": csv_factice(date, valeur=valeur)}
    Magasin(chemins.dossier_instantanes()).enregistrer(SOURCE, SOURCE.lire_et_valider(bruts, contexte), bruts)


@pytest.fixture
def lectures(monkeypatch):
    """Files actually read (cache misses), by kind."""
    compte = {"instantane": 0, "reference": 0}
    charger, charger_reference = Magasin.charger, donnees.charger_reference

    def lire_instantane(self, source):
        compte["instantane"] += 1
        return charger(self, source)

    def lire_reference(*args):
        compte["reference"] += 1
        return charger_reference(*args)

    monkeypatch.setattr(Magasin, "charger", lire_instantane)
    monkeypatch.setattr(donnees, "charger_reference", lire_reference)
    return compte


def test_nouvelle_edition_servie_sans_redemarrer(dossier, contexte, lectures):
    _enregistrer(contexte, "2026-03-31", 10)
    premiere = donnees.instantane("factice")
    assert premiere.frame["valeur"].tolist()[0] == 10
    donnees.instantane("factice")
    assert lectures["instantane"] == 1  # same edition: from the cache

    _enregistrer(contexte, "2026-06-30", 20)
    seconde = donnees.instantane("factice")
    assert seconde.frame["valeur"].tolist()[0] == 20
    assert seconde.manifeste["identifiant_edition"] != premiere.manifeste["identifiant_edition"]


def test_territoire_modifie_relu(dossier):
    assert donnees.territoire().nom == "Pays de Lorient"
    fichier = dossier / "territoire.toml"
    texte = fichier.read_text(encoding="utf-8")
    assert 'nom = "Pays de Lorient"' in texte
    time.sleep(0.01)
    fichier.write_text(texte.replace('nom = "Pays de Lorient"', 'nom = "Pays de Lorient (essai)"', 1),
                       encoding="utf-8")
    assert donnees.territoire().nom == "Pays de Lorient (essai)"


def test_reference_reconstruite_relue(dossier, lectures):
    donnees.reference()
    donnees.reference()
    assert lectures["reference"] == 1  # unchanged files: from the cache
    # A rebuilt reference has new checksums in its manifest: the cache key changes with them.
    manifeste = dossier / "reference" / "manifest.json"
    contenu = json.loads(manifeste.read_text(encoding="utf-8"))
    for fichier in contenu["fichiers"].values():
        fichier["sha256"] = fichier["sha256"][::-1]
    manifeste.write_text(json.dumps(contenu), encoding="utf-8")
    with pytest.raises(ErreurDonnees):  # the files no longer match these checksums: read again, refused
        donnees.reference()
    assert lectures["reference"] == 2
