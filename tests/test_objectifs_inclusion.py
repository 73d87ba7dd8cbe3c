"""Local inclusion targets: loader (French errors with line and key), measure, status and trend."""

from __future__ import annotations

import pandas as pd
import pytest
from pyproj import Transformer

from dashboard.erreurs import ErreurConfiguration
from dashboard.indicateurs.accessibilite import ParametresAccessibilite
from dashboard.indicateurs.objectifs_inclusion import mesurer_objectifs_inclusion, progression_inclusion
from dashboard.objectifs_inclusion import ObjectifInclusion, charger_objectifs_inclusion
from tests.conftest import RACINE

BLOC = """[[objectif]]
identifiant = "lieu_partout"
libelle = "Un lieu dans chaque commune"
indicateur = "part_communes_avec_lieu"
sens = "au_moins"
cible = 1.0
echeance = 2028-12-31
perimetre = "Pays de Lorient"
statut = "proposition"
porteur = "Observatoire"
source = "Proposition locale"
"""


def _charger(tmp_path, texte: str):
    chemin = tmp_path / "objectifs_inclusion.toml"
    chemin.write_text(texte, encoding="utf-8")
    return charger_objectifs_inclusion(chemin)


def objectif(identifiant: str = "o", indicateur: str = "part_communes_avec_lieu", sens: str = "au_moins",
             cible: float = 1.0, echeance: str = "2028-12-31", **autres) -> ObjectifInclusion:
    return ObjectifInclusion(identifiant=identifiant, libelle=identifiant, indicateur=indicateur, sens=sens,
                             cible=cible, echeance=echeance, perimetre="P", statut="proposition", porteur="Obs",
                             source="Proposition", **autres)


# --------------------------------------------------------------------------- loader
def test_fichier_du_projet():
    objectifs = charger_objectifs_inclusion(RACINE / "data" / "objectifs_inclusion.toml")
    assert [(o.identifiant, o.indicateur, o.sens, o.cible, o.seuil_minutes, o.mode) for o in objectifs] == [
        ("mediation_dans_chaque_commune", "part_communes_avec_lieu", "au_moins", 1.0, None, None),
        ("lieu_a_moins_de_15_minutes", "part_population_au_dela", "au_plus", 0.0, 15.0, "voiture"),
        ("seniors_a_moins_de_15_minutes", "part_population_fragile_au_dela", "au_plus", 0.0, 15.0, "voiture"),
        ("lieux_pour_10000_habitants", "lieux_pour_10000_hab", "au_moins", 2.5, None, None),
    ]
    # Local proposals for discussion, each with its owner and origin.
    assert all(o.est_proposition and o.porteur and o.source for o in objectifs)
    assert all(o.categories == ("Lieu de médiation numérique", "France services") for o in objectifs)
    assert objectifs[1].reference_url.startswith("https://www.rtl.fr/")


def test_bloc_minimal(tmp_path):
    assert _charger(tmp_path, BLOC) == (ObjectifInclusion(
        identifiant="lieu_partout", libelle="Un lieu dans chaque commune", indicateur="part_communes_avec_lieu",
        sens="au_moins", cible=1.0, echeance="2028-12-31", perimetre="Pays de Lorient", statut="proposition",
        porteur="Observatoire", source="Proposition locale"),)


@pytest.mark.parametrize(
    ("avant", "apres", "message", "ligne", "cle"),
    [
        ('indicateur = "part_communes_avec_lieu"', 'indicateur = "part_communes"',
         "objectif n°2 : indicateur « part_communes » inconnu", 16, "indicateur"),
        ('sens = "au_moins"', 'sens = "plus"', "objectif n°2 : sens « plus » invalide", 17, "sens"),
        ("cible = 1.0", "cible = 1.5", "objectif n°2 : cible « 1.5 » invalide", 18, "cible"),
        ("echeance = 2028-12-31", 'echeance = "2028"', "objectif n°2 : échéance absente ou invalide", 19,
         "echeance"),
        ('statut = "proposition"', 'statut = "adopte"', "objectif n°2 : un objectif adopté doit citer sa délibération",
         13, "reference_url"),
        ('porteur = "Observatoire"', 'porteur = ""', "objectif n°2 : la clé « porteur » est absente ou vide", 22,
         "porteur"),
        ('source = "Proposition locale"', 'source = "Proposition locale"\ncategories = ["Bibliothèque"]',
         "objectif n°2 : catégories de lieux invalides", 24, "categories"),
        ('source = "Proposition locale"', 'source = "Proposition locale"\nmode = "voiture"',
         "objectif n°2 : clé « mode » sans effet pour l'indicateur part_communes_avec_lieu", 24, "mode"),
    ],
)
def test_erreurs_nomment_fichier_ligne_et_cle(tmp_path, avant, apres, message, ligne, cle):
    second = BLOC.replace(avant, apres).replace('"lieu_partout"', '"lieu_partout_2"')
    with pytest.raises(ErreurConfiguration) as exc:
        _charger(tmp_path, BLOC + "\n" + second)
    assert (exc.value.message, exc.value.fichier, exc.value.ligne, exc.value.colonne) == (
        message, "objectifs_inclusion.toml", ligne, cle)


def test_indicateur_de_temps_exige_seuil_et_mode(tmp_path):
    texte = BLOC.replace('"part_communes_avec_lieu"', '"part_population_au_dela"')
    with pytest.raises(ErreurConfiguration) as exc:
        _charger(tmp_path, texte)
    assert (exc.value.message, exc.value.ligne) == ("objectif n°1 : seuil « None » absent ou invalide", 1)
    ok = _charger(tmp_path, texte + 'seuil_minutes = 20\nmode = "marche"\n')[0]
    assert (ok.seuil_minutes, ok.mode) == (20.0, "marche")


# --------------------------------------------------------------------------- measure
def test_mesurer_objectifs():
    vers_wgs84 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
    lon, lat = vers_wgs84.transform(220_000, 6_760_000)
    lieux = pd.DataFrame({"id": ["med-1", "cget-1"], "code_insee": ["56001", "56002"],
                          "categorie": ["Lieu de médiation numérique", "Tiers-lieu"],
                          "latitude": [lat, lat], "longitude": [lon, lon]}).astype(
        {"latitude": "Float64", "longitude": "Float64"})
    communes = pd.DataFrame({"code_insee": ["56001", "56002"], "population": pd.array([15_000, 5_000], "Int64")})
    # 56001: 15 000 inhabitants at the place; 56002: 5 000 at 10 km (13 km by road at 40 km/h = 19,5 min)
    points = pd.DataFrame({"code_insee": ["56001", "56002"], "x": [220_000.0, 230_000.0],
                           "y": [6_760_000.0, 6_760_000.0], "population": [15_000.0, 5_000.0],
                           "population_fragile": [1_000.0, 1_000.0]})
    mediation = ("Lieu de médiation numérique",)
    objectifs = [
        objectif("communes", categories=mediation),
        objectif("communes_tous"),
        objectif("densite", indicateur="lieux_pour_10000_hab", cible=2.0, categories=mediation),
        objectif("temps", indicateur="part_population_au_dela", sens="au_plus", cible=0.0, seuil_minutes=15.0,
                 mode="voiture", categories=mediation),
        objectif("fragiles", indicateur="part_population_fragile_au_dela", sens="au_plus", cible=0.0,
                 seuil_minutes=15.0, mode="voiture", categories=mediation),
    ]
    resultat = mesurer_objectifs_inclusion(objectifs, lieux, communes, points, ParametresAccessibilite())
    attendu = pd.DataFrame({
        "identifiant": ["communes", "communes_tous", "densite", "temps", "fragiles"],
        "valeur": [0.5, 1.0, 0.5, 0.25, 0.5],
        "commentaire": ["1 commune(s) sur 2", "2 commune(s) sur 2", "1 lieu(x)", "", ""],
    }).astype({"identifiant": "str", "valeur": "Float64", "commentaire": "str"})
    pd.testing.assert_frame_equal(resultat, attendu)
    sans_insee = mesurer_objectifs_inclusion(objectifs[4:], lieux, communes, points.drop(columns="population_fragile"))
    assert pd.isna(sans_insee["valeur"].iloc[0])
    assert sans_insee["commentaire"].iloc[0].startswith("population des 75 ans et plus non disponible")


# --------------------------------------------------------------------------- progress
def mesures(*lignes: tuple[str, str, float | None]) -> pd.DataFrame:
    return pd.DataFrame(lignes, columns=["edition", "identifiant", "valeur"]).astype({"valeur": "Float64"})


def test_progression_une_edition():
    objectifs = [objectif("atteint", cible=1.0), objectif("retard", cible=1.0),
                 objectif("absent"), objectif("sous_plafond", sens="au_plus", cible=0.1),
                 objectif("depasse", echeance="2025-12-31")]
    resultat = progression_inclusion(objectifs, mesures(
        ("2026-10-20", "atteint", 1.0), ("2026-10-20", "retard", 0.8), ("2026-10-20", "absent", None),
        ("2026-10-20", "sous_plafond", 0.05), ("2026-10-20", "depasse", 0.9)))
    assert resultat["statut"].tolist() == ["atteint", "en retard", "non mesurable", "atteint", "en retard"]
    assert resultat["commentaire"].tolist() == [
        "cible atteinte", "une seule édition mesurée : pas de tendance, cible non atteinte",
        "pas de valeur pour la dernière édition", "cible atteinte", "échéance dépassée sans atteindre la cible"]
    assert resultat["edition"].unique().tolist() == ["2026-10-20"]
    assert resultat["tendance"].unique().tolist() == ["inconnue"]
    assert resultat["nb_editions"].tolist() == [1, 1, 0, 1, 1]
    assert resultat["statut_objectif"].unique().tolist() == ["proposition"]


def test_progression_tendance_sur_plusieurs_editions():
    objectifs = [
        objectif("bonne_voie", cible=1.0, echeance="2028-01-01"),
        objectif("trop_lent", cible=1.0, echeance="2028-01-01"),
        objectif("plafond_baisse", sens="au_plus", cible=0.0, echeance="2028-01-01"),
    ]
    resultat = progression_inclusion(objectifs, mesures(
        # +0.2 a year from 0.6 (2026-01-01) → 1.0 on 2028-01-01 (two years of 365.25 days, up to a day)
        ("2025-01-01", "bonne_voie", 0.4), ("2026-01-01", "bonne_voie", 0.6),
        ("2025-01-01", "trop_lent", 0.5), ("2026-01-01", "trop_lent", 0.55),
        ("2025-01-01", "plafond_baisse", 0.30), ("2026-01-01", "plafond_baisse", 0.20),
    ))
    ligne = resultat.set_index("identifiant")
    assert ligne.loc["bonne_voie", "evolution_par_an"] == pytest.approx(0.2 * 365.25 / 365, rel=1e-9)
    assert ligne.loc["bonne_voie", "valeur_projetee"] == pytest.approx(1.0, abs=2e-3)
    assert ligne.loc["trop_lent", "valeur_projetee"] == pytest.approx(0.65, abs=1e-3)
    assert ligne.loc["plafond_baisse", "valeur_projetee"] == pytest.approx(0.0, abs=1e-3)
    assert resultat["statut"].tolist() == ["en bonne voie", "en retard", "en bonne voie"]
    assert resultat["tendance"].tolist() == ["en amélioration", "en amélioration", "en amélioration"]
    assert resultat["nb_editions"].tolist() == [2, 2, 2]
    assert ligne.loc["trop_lent", "commentaire"] == "au rythme actuel, 65,0\u00a0% à l'échéance (cible 100,0\u00a0%)"


def test_progression_degradation_et_doublons():
    objectifs = [objectif("baisse", indicateur="lieux_pour_10000_hab", cible=3.0, echeance="2030-12-31")]
    resultat = progression_inclusion(objectifs, mesures(("2025-06-30", "baisse", 2.5), ("2026-06-30", "baisse", 2.0)))
    assert (resultat["tendance"].iloc[0], resultat["statut"].iloc[0]) == ("en dégradation", "en retard")
    with pytest.raises(ValueError, match="plusieurs valeurs pour un même objectif et une même édition"):
        progression_inclusion(objectifs, mesures(("2026-06-30", "baisse", 2.5), ("2026-06-30", "baisse", 2.0)))
