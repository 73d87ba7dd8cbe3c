"""The store: atomic switch, last good edition kept, corruption detected and survived."""

import json
import os

import pytest

from dashboard.erreurs import ActualisationEnCours, DonneesCorrompues
from dashboard.magasin import Magasin
from tests.source_factice import SourceFactice, csv_factice

SOURCE = SourceFactice()


@pytest.fixture
def magasin(tmp_path):
    return Magasin(tmp_path / "snapshots")


def enregistrer(magasin, contexte, date="2026-03-31", valeur=10, demo=False):
    bruts = {"valeurs.csv": csv_factice(date, valeur=valeur)}
    resultat = SOURCE.lire_et_valider(bruts, contexte)
    resultat.demo = demo
    return magasin.enregistrer(SOURCE, resultat, bruts)


def test_enregistrer_puis_charger(magasin, contexte):
    m = enregistrer(magasin, contexte)
    inst = magasin.charger("factice")
    assert inst.avertissement is None
    assert inst.frame["valeur"].tolist() == [10, 11, 12]
    assert inst.frame["code_insee"].tolist() == ["56121", "56122", "56123"]
    assert m["lignes"] == 3 and m["licence"] == "Licence Ouverte 2.0"
    assert m["retrieved_at"].endswith("Z")
    assert m["libelle_edition"] == "T1 2026"
    assert m["demo"] is False
    dossier = magasin.dossier("factice") / m["identifiant_edition"]
    assert (dossier / "raw" / "valeurs.csv").read_bytes() == csv_factice()
    assert json.loads((magasin.dossier("factice") / "current.json").read_text())["edition"] == m[
        "identifiant_edition"]


def test_bascule_garde_la_precedente(magasin, contexte):
    ancien = enregistrer(magasin, contexte, "2026-03-31", 10)
    nouveau = enregistrer(magasin, contexte, "2026-06-30", 20)
    pointeur = magasin.pointeur("factice")
    assert pointeur["edition"] == nouveau["identifiant_edition"]
    assert pointeur["precedente"] == ancien["identifiant_edition"]
    assert magasin.charger("factice").frame["valeur"].tolist() == [20, 21, 22]
    assert magasin.revenir_a_precedente("factice") == ancien["identifiant_edition"]
    assert magasin.charger("factice").frame["valeur"].tolist() == [10, 11, 12]


def test_parquet_corrompu_repli_sur_precedente(magasin, contexte):
    enregistrer(magasin, contexte, "2026-03-31", 10)
    nouveau = enregistrer(magasin, contexte, "2026-06-30", 20)
    parquet = magasin.dossier("factice") / nouveau["identifiant_edition"] / "data.parquet"
    parquet.write_bytes(parquet.read_bytes()[: parquet.stat().st_size // 2])
    inst = magasin.charger("factice")
    assert inst.frame["valeur"].tolist() == [10, 11, 12]
    assert "données locales corrompues, version précédente utilisée" in inst.avertissement


def test_manifeste_corrompu_detecte(magasin, contexte):
    m = enregistrer(magasin, contexte)
    (magasin.dossier("factice") / m["identifiant_edition"] / "manifest.json").write_text("{pas du json")
    with pytest.raises(DonneesCorrompues) as exc:
        magasin.charger("factice")
    assert "manifeste illisible" in str(exc.value)
    assert "python -m dashboard refresh factice" in str(exc.value)


def test_pointeur_corrompu_repli(magasin, contexte):
    enregistrer(magasin, contexte)
    (magasin.dossier("factice") / "current.json").write_text("{tronqué")
    inst = magasin.charger("factice")
    assert inst.frame["valeur"].tolist() == [10, 11, 12]
    assert inst.avertissement is not None


def test_aucune_donnee(magasin):
    with pytest.raises(DonneesCorrompues, match="aucune donnée pour la source « factice »"):
        magasin.charger("factice")


def test_echec_pendant_ecriture_laisse_tout_intact(magasin, contexte, monkeypatch):
    ancien = enregistrer(magasin, contexte)
    import dashboard.magasin as module

    def panne(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(module.os, "replace", panne)
    with pytest.raises(OSError):
        enregistrer(magasin, contexte, "2026-06-30", 99)
    monkeypatch.undo()
    assert magasin.pointeur("factice")["edition"] == ancien["identifiant_edition"]
    assert magasin.charger("factice").frame["valeur"].tolist() == [10, 11, 12]
    assert not list(magasin.dossier("factice").glob(".staging-*"))


def test_orphelins_nettoyes(magasin, contexte):
    orphelin = magasin.dossier("factice") / ".staging-abc"
    orphelin.mkdir(parents=True)
    enregistrer(magasin, contexte)
    assert not orphelin.exists()


def test_verrou_exclusif(magasin):
    with magasin.verrou("factice"), pytest.raises(ActualisationEnCours, match="déjà en cours"):
        with magasin.verrou("factice"):
            pass
    with magasin.verrou("factice"):
        pass  # released: can be taken again


def test_elagage_garde_trois_editions(magasin, contexte):
    for mois in ("03-31", "06-30", "09-30", "12-31"):
        enregistrer(magasin, contexte, f"2025-{mois}")
    assert len(magasin.editions("factice")) == 3
    assert magasin.charger("factice").manifeste["edition"] == "2025-12-31"


def test_noter_tentative(magasin):
    magasin.noter_tentative("factice", "HTTP 503")
    etat = magasin.etat_actualisation("factice")
    assert etat["derniere_erreur"] == "HTTP 503"
    magasin.noter_tentative("factice", None)
    etat = magasin.etat_actualisation("factice")
    assert etat["derniere_erreur"] is None and etat["derniere_reussite"] == etat["derniere_tentative"]


def test_fichiers_lisibles_par_tous(magasin, contexte):
    m = enregistrer(magasin, contexte)
    mode = os.stat(magasin.dossier("factice") / m["identifiant_edition"] / "manifest.json").st_mode
    assert mode & 0o044 == 0o044
