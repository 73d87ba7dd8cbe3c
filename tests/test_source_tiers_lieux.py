"""CGET 2019 tiers-lieux parser: own fixture in the official 30-column layout, then the real sample."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.erreurs import ErreurFormat
from dashboard.sources import source
from dashboard.sources.tiers_lieux_cget import COLONNES, FICHIER, SOURCE, typologie
from tests.conftest import FIXTURES, echantillon_reel

LIEUX = FIXTURES / "lieux"
TYPES = {"id": "str", "nom": "str", "adresse": "str", "code_insee": "str", "commune": "str",
         "latitude": "Float64", "longitude": "Float64", "typologie": "str", "site_web": "str", "edition": "str"}


def lire(contenu: bytes, contexte):
    return SOURCE.lire_et_valider({FICHIER: contenu}, contexte)


def test_declaration_de_la_source():
    assert source("tiers_lieux_cget") is SOURCE
    assert SOURCE.licence == "Licence Ouverte 2.0"
    assert SOURCE.page == "https://github.com/anct-carto/mission_coworking"
    assert [(f.nom, f.url) for f in SOURCE.fichiers] == [(
        "CGET_TiersLieux_2019.csv",
        "https://raw.githubusercontent.com/anct-carto/mission_coworking/master/CGET_TiersLieux_2019.csv")]


def test_fixture_cadre_exact(contexte):
    resultat = lire((LIEUX / "cget_tiers_lieux.csv").read_bytes(), contexte)
    attendu = pd.DataFrame([
        ["9101", "Coworking test", "1 rue de l'Essai", "56121", "Lorient", 47.748, -3.366, "coworking",
         "https://exemple.org/cowork", "2019"],
        # markup kept verbatim as data; javascript: link refused
        ["9102", "Fablab <b>test</b>", "2 rue de l'Essai", "56083", "Hennebont", 47.805, -3.277, "fablab", None,
         "2019"],
        # INSEECOM 0: commune taken from INSEEMETRO; other TYPO kept; link without scheme refused
        ["9104", "Atelier test", "", "56098", "", 47.762, -3.34, "Tiers lieux à dominante atelier partagé", None,
         "2019"],
        ["9105", "Lieu sans typologie", "5 rue de l'Essai", "56069", "Groix", pd.NA, pd.NA, "non renseignée", None,
         "2019"],
    ], columns=[c.nom for c in COLONNES]).astype(TYPES)
    pd.testing.assert_frame_equal(resultat.frame, attendu)
    assert resultat.edition == "2019-12-31"
    assert resultat.lignes_lues == 5
    assert resultat.lignes_rejetees == []
    assert resultat.avertissements == [
        "CGET_TiersLieux_2019.csv, colonne INSEECOM : code absent ou nul, commune prise dans INSEEMETRO (lignes 5)",
        "CGET_TiersLieux_2019.csv : 1 ligne(s) sur 5 concernent des communes hors du territoire "
        "« Pays de Lorient » (hors périmètre, non retenues ; ce ne sont pas des rejets)",
        "CGET_TiersLieux_2019.csv : 1 lieu(x) sans coordonnées, conservé(s) sans point sur la carte (lignes 6)",
        "CGET_TiersLieux_2019.csv, colonne WEB : lien non http(s) ignoré (lignes 3, 5)",
    ]


def test_coordonnees_inversees_erreur(contexte):
    texte = (LIEUX / "cget_tiers_lieux.csv").read_text(encoding="utf-8")
    texte = texte.replace("47.805,-3.277", "-3.277,47.805")
    with pytest.raises(ErreurFormat) as exc:
        lire(texte.encode(), contexte)
    assert (exc.value.fichier, exc.value.ligne, exc.value.colonne) == ("CGET_TiersLieux_2019.csv", 3, "lat")


def test_colonne_manquante(contexte):
    texte = (LIEUX / "cget_tiers_lieux.csv").read_text(encoding="utf-8").replace("INSEECOM", "CODE", 1)
    with pytest.raises(ErreurFormat) as exc:
        lire(texte.encode(), contexte)
    assert exc.value.colonne == "inseecom"


@pytest.mark.parametrize(("typo", "attendue"), [
    ("Tiers lieux à dominante coworking", "coworking"),
    ("Tiers lieux à dominante fablab", "fablab"),
    ("Tiers lieux à dominante FabLab", "fablab"),
    ("Hybride", "Hybride"),
    ("", "non renseignée"),
])
def test_typologie(typo, attendue):
    assert typologie(typo) == attendue


def test_echantillon_reel_deux_lieux_du_pays_de_lorient(contexte):
    resultat = lire(echantillon_reel("cget_tierslieux_2019_dep56.csv").read_bytes(), contexte)
    attendu = pd.DataFrame([
        ["299", "La Colloc", "42 avenue de la Perrière", "56121", "Lorient", 47.733097, -3.364176, "coworking",
         "https://www.la-colloc.com", "2019"],
        ["1431", "CréaFab", "Espace Créa — Parc Technologique de Soye 15 rue Galilée", "56162", "Ploemeur",
         47.740649, -3.408082, "fablab", "http://www.creafab-lorient.com", "2019"],
    ], columns=[c.nom for c in COLONNES]).astype(TYPES)
    pd.testing.assert_frame_equal(resultat.frame, attendu)
    assert resultat.lignes_lues == 20
    # « Le Champ Commun » (INSEECOM 0) is placed in Augan by INSEEMETRO: outside, not lost
    assert resultat.avertissements == [
        "CGET_TiersLieux_2019.csv : 18 ligne(s) sur 20 concernent des communes hors du territoire "
        "« Pays de Lorient » (hors périmètre, non retenues ; ce ne sont pas des rejets)"]


def test_graine_officielle(contexte, reference):
    from dashboard.graines import ENTETE_CGET, fichiers_tiers_lieux

    communes = dict(zip(reference.communes["code_insee"], reference.communes["nom"], strict=True))
    contenu = fichiers_tiers_lieux(communes)[FICHIER]
    assert len(ENTETE_CGET) == 30
    assert contenu.decode("utf-8").splitlines()[0] == ",".join(ENTETE_CGET)
    resultat = lire(contenu, contexte)
    attendu = pd.DataFrame([
        ["299", "La Colloc", "42 avenue de la Perrière", "56121", "Lorient", 47.733097, -3.364176, "coworking",
         None, "2019"],
        ["1431", "CréaFab", "Parc Technologique de Soye, 15 rue Galilée", "56162", "Ploemeur", 47.740649,
         -3.408082, "fablab", None, "2019"],
    ], columns=[c.nom for c in COLONNES]).astype(TYPES)
    pd.testing.assert_frame_equal(resultat.frame, attendu)
    assert resultat.avertissements == []
