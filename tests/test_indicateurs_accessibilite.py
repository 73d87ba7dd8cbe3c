"""Accessibility: population points, nearest place, people beyond thresholds, gain of a new place."""

from __future__ import annotations

import math
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import box

from dashboard.erreurs import ErreurConfiguration
from dashboard.indicateurs.accessibilite import (
    ParametresAccessibilite,
    agreger_au_dela,
    ajouter_population_fragile,
    distance_au_plus_proche,
    distances_avec_nouveau_lieu,
    gain_nouveau_lieu,
    points_de_population,
    population_au_dela,
    seuil_m_pour_temps,
)
from dashboard.parametres_accessibilite import charger_parametres_accessibilite
from tests.conftest import RACINE

VERS_WGS84 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
X0, Y0 = 220_000.0, 6_760_000.0
PARAMETRES = ParametresAccessibilite(facteur_detour=1.3, vitesse_voiture_kmh=40.0, vitesse_marche_kmh=4.5)
GROIX = ParametresAccessibilite(communes_insulaires=("56069",))
# France services of the embedded official extract (2024-08-01): Lorient (Pimms) and Groix.
LORIENT_FS = (47.754817, -3.364414)
GROIX_FS = (47.63856, -3.45494)


def lieux_l93(*places: tuple[str, str, float, float]) -> pd.DataFrame:
    """Places given in Lambert-93 (id, code_insee, x, y) → the unified columns used here (WGS84)."""
    lignes = []
    for id_, code, x, y in places:
        lon, lat = VERS_WGS84.transform(x, y)
        lignes.append({"id": id_, "code_insee": code, "latitude": lat, "longitude": lon})
    frame = pd.DataFrame(lignes, columns=["id", "code_insee", "latitude", "longitude"])
    return frame.astype({"id": "str", "code_insee": "str", "latitude": "Float64", "longitude": "Float64"})


def points(*lignes: tuple[str, float, float, float]) -> pd.DataFrame:
    return pd.DataFrame(lignes, columns=["code_insee", "x", "y", "population"]).astype({"code_insee": "str"})


# --------------------------------------------------------------------------- distances
def test_deux_points_a_1000_m():
    resultat = distance_au_plus_proche(points(("56001", X0 + 1000, Y0, 10.0)),
                                       lieux_l93(("a", "56001", X0, Y0)), PARAMETRES)
    attendu = pd.DataFrame({
        "distance_m": [1000.0],
        "id_lieu": pd.array(["a"], dtype="str"),
        "temps_voiture_min": [1000 * 1.3 / (40_000 / 60)],  # 1,95 min
        "temps_marche_min": [1000 * 1.3 / (4_500 / 60)],  # 17,33 min
    })
    pd.testing.assert_frame_equal(resultat, attendu, atol=1e-6)


def test_plus_proche_parmi_plusieurs_et_index_conserve():
    pts = points(("56001", X0, Y0, 1.0), ("56001", X0 + 900, Y0 + 1200, 1.0)).set_axis([7, 9])
    resultat = distance_au_plus_proche(pts, lieux_l93(("loin", "56001", X0 + 5000, Y0),
                                                      ("pres", "56001", X0 + 300, Y0 + 400)))
    assert resultat.index.tolist() == [7, 9]
    assert resultat["id_lieu"].tolist() == ["pres", "pres"]
    assert resultat["distance_m"].tolist() == pytest.approx([500.0, 1000.0])  # 3-4-5 triangles


def test_lorient_groix_a_vol_d_oiseau_et_regle_insulaire():
    """A point at the Groix France services, the only place at the Lorient one (≈ 14,6 km)."""
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True).transform(GROIX_FS[1], GROIX_FS[0])
    groix = points(("56069", x, y, 100.0))
    lorient = pd.DataFrame({"id": ["fs-2431"], "code_insee": ["56121"], "latitude": [LORIENT_FS[0]],
                            "longitude": [LORIENT_FS[1]]}).astype({"latitude": "Float64", "longitude": "Float64"})
    # Haversine by hand (sphere of radius 6 371 km): the Lambert-93 distance agrees within 0.1 %
    # (linear alteration of the projection in Brittany, below 1 m per km).
    la1, lo1, la2, lo2 = map(math.radians, (*LORIENT_FS, *GROIX_FS))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    haversine = 2 * 6_371_008.8 * math.asin(math.sqrt(h))
    assert haversine == pytest.approx(14_595, abs=1)
    sans_ile = distance_au_plus_proche(groix, lorient, PARAMETRES)
    assert sans_ile["distance_m"].iloc[0] == pytest.approx(haversine, rel=1e-3)
    # Groix is an island: the sea is not a road; with no place on the island, nothing is reachable.
    avec_ile = distance_au_plus_proche(groix, lorient, GROIX)
    assert avec_ile["distance_m"].iloc[0] == math.inf and pd.isna(avec_ile["id_lieu"].iloc[0])
    assert avec_ile["temps_voiture_min"].iloc[0] == math.inf
    # With the Groix France services, the island point uses it; a mainland point never does.
    deux = pd.concat([lorient, pd.DataFrame({"id": ["fs-328"], "code_insee": ["56069"], "latitude": [GROIX_FS[0]],
                                             "longitude": [GROIX_FS[1]]})], ignore_index=True)
    deux = deux.astype({"latitude": "Float64", "longitude": "Float64"})
    continent = points(("56069", x, y, 1.0), ("56162", x + 3000, y + 6000, 1.0))  # Ploemeur coast-ish
    resultat = distance_au_plus_proche(continent, deux, GROIX)
    assert resultat["id_lieu"].tolist() == ["fs-328", "fs-2431"]
    assert resultat["distance_m"].iloc[0] == pytest.approx(0.0, abs=1e-6)


def test_sans_lieu_ou_sans_coordonnees():
    pts = points(("56001", X0, Y0, 1.0))
    vide = distance_au_plus_proche(pts, lieux_l93())
    assert vide["distance_m"].tolist() == [math.inf] and vide["id_lieu"].isna().all()
    sans_coord = pd.DataFrame({"id": ["a"], "code_insee": ["56001"], "latitude": pd.array([None], dtype="Float64"),
                               "longitude": pd.array([None], dtype="Float64")})
    assert distance_au_plus_proche(pts, sans_coord)["distance_m"].tolist() == [math.inf]


def test_seuil_m_pour_temps():
    assert seuil_m_pour_temps(15, "voiture", PARAMETRES) == pytest.approx(15 * 40_000 / 60 / 1.3)  # 7 692 m
    assert seuil_m_pour_temps(15, "marche", PARAMETRES) == pytest.approx(15 * 4_500 / 60 / 1.3)  # 865 m
    with pytest.raises(ValueError, match="mode de déplacement « velo » inconnu"):
        seuil_m_pour_temps(15, "velo")


# --------------------------------------------------------------------------- population points
def test_points_de_population_grille_et_petite_commune():
    communes = gpd.GeoDataFrame({
        "code_insee": ["56002", "56001"],
        "population": pd.array([40, 1000], dtype="Int64"),
        # a 100 m square that holds no cell centre, and a 1 km square aligned on the 500 m grid
        "geometry": [box(201_100, 6_750_100, 201_200, 6_750_200), box(200_000, 6_750_000, 201_000, 6_751_000)],
    }, crs="EPSG:2154")
    resultat = points_de_population(communes, pas_m=500)
    attendu = pd.DataFrame({
        "code_insee": pd.array(["56001"] * 4 + ["56002"], dtype="str"),
        "x": [200_250.0, 200_750.0, 200_250.0, 200_750.0, 201_150.0],
        "y": [6_750_250.0, 6_750_250.0, 6_750_750.0, 6_750_750.0, 6_750_150.0],
        "population": [250.0, 250.0, 250.0, 250.0, 40.0],
    })
    pd.testing.assert_frame_equal(resultat, attendu)


def test_points_de_population_du_territoire(reference):
    communes = reference.communes
    resultat = points_de_population(communes)
    assert set(resultat["code_insee"]) == set(communes["code_insee"])  # no commune lost (Port-Louis, Gâvres)
    sommes = resultat.groupby("code_insee")["population"].sum()
    attendues = communes.set_index("code_insee")["population"].astype("float64")
    pd.testing.assert_series_equal(sommes.sort_index(), attendues.sort_index(), check_names=False,
                                   check_index_type=False)
    assert 3_000 < len(resultat) < 4_000  # ≈ 870 km² / 0,25 km²
    sur_grille = (resultat["x"] % 500 == 250) & (resultat["y"] % 500 == 250)
    par_commune = sur_grille.groupby(resultat["code_insee"]).agg(["all", "size"])
    assert (par_commune["all"] | (par_commune["size"] == 1)).all()  # grid centres, or one representative point
    assert par_commune.loc["56181", "size"] >= 1  # Port-Louis, 1 km²


def test_population_fragile():
    pts = points(("56001", X0, Y0, 100.0), ("56002", X0, Y0, 50.0), ("56003", X0, Y0, 10.0))
    insee = pd.DataFrame({"code_insee": ["56001", "56002"], "population": pd.array([1000, 0], dtype="Int64"),
                          "pop_75_plus": pd.array([150, 0], dtype="Int64")})
    resultat = ajouter_population_fragile(pts, insee)
    assert resultat["population_fragile"].tolist()[0] == pytest.approx(15.0)  # 100 × 150 / 1000
    assert resultat["population_fragile"].isna().tolist() == [False, True, True]  # total 0, absent
    assert "population_fragile" not in pts.columns  # input untouched


# --------------------------------------------------------------------------- people beyond
@pytest.fixture
def trois_communes() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A: 100 inhabitants at 1 km and 100 at 6 km; B: 300 at 12 km; C: 50 at 16 km (existing place at X0)."""
    pts = points(("56001", X0 + 1_000, Y0, 100.0), ("56001", X0 + 6_000, Y0, 100.0),
                 ("56002", X0 + 12_000, Y0, 300.0), ("56003", X0 + 16_000, Y0, 50.0))
    pts["population_fragile"] = [10.0, 20.0, 30.0, 5.0]
    return pts, distance_au_plus_proche(pts, lieux_l93(("a", "56001", X0, Y0)), PARAMETRES)


def test_population_au_dela_trois_communes(trois_communes):
    pts, distances = trois_communes
    tableau = population_au_dela(pts, distances, seuils_km=(5, 10, 15), seuils_min=(15,), modes=("voiture",),
                                 colonne_ponderation="population_fragile")
    # 15 min by car = 7 692 m straight line: A's far point (6 km) is within, B and C beyond.
    lignes = [
        ("56001", "distance", 5.0, "km", 200.0, 100.0, 0.5, 30.0, 20.0, 20 / 30),
        ("56002", "distance", 5.0, "km", 300.0, 300.0, 1.0, 30.0, 30.0, 1.0),
        ("56003", "distance", 5.0, "km", 50.0, 50.0, 1.0, 5.0, 5.0, 1.0),
        ("56001", "distance", 10.0, "km", 200.0, 0.0, 0.0, 30.0, 0.0, 0.0),
        ("56002", "distance", 10.0, "km", 300.0, 300.0, 1.0, 30.0, 30.0, 1.0),
        ("56003", "distance", 10.0, "km", 50.0, 50.0, 1.0, 5.0, 5.0, 1.0),
        ("56001", "distance", 15.0, "km", 200.0, 0.0, 0.0, 30.0, 0.0, 0.0),
        ("56002", "distance", 15.0, "km", 300.0, 0.0, 0.0, 30.0, 0.0, 0.0),
        ("56003", "distance", 15.0, "km", 50.0, 50.0, 1.0, 5.0, 5.0, 1.0),
        ("56001", "temps_voiture", 15.0, "min", 200.0, 0.0, 0.0, 30.0, 0.0, 0.0),
        ("56002", "temps_voiture", 15.0, "min", 300.0, 300.0, 1.0, 30.0, 30.0, 1.0),
        ("56003", "temps_voiture", 15.0, "min", 50.0, 50.0, 1.0, 5.0, 5.0, 1.0),
    ]
    colonnes = ["code_insee", "mesure", "seuil", "unite", "population", "population_au_dela", "part_au_dela",
                "population_ponderee", "population_ponderee_au_dela", "part_ponderee_au_dela"]
    attendu = pd.DataFrame(lignes, columns=colonnes).astype(
        {"code_insee": "str", "mesure": "str", "unite": "str", **dict.fromkeys(colonnes[4:], "Float64")})
    pd.testing.assert_frame_equal(tableau, attendu)

    perimetre = agreger_au_dela(tableau, ["56001", "56002", "56003"], code="pays")
    cinq = perimetre[(perimetre["mesure"] == "distance") & (perimetre["seuil"] == 5.0)].iloc[0]
    assert (cinq["code"], cinq["nb_communes"], cinq["population"], cinq["population_au_dela"]) == (
        "pays", 3, 550.0, 450.0)
    assert cinq["part_au_dela"] == pytest.approx(450 / 550)  # not the mean of 0.5, 1 and 1
    assert cinq["part_ponderee_au_dela"] == pytest.approx(55 / 65)
    quinze_min = perimetre[perimetre["mesure"] == "temps_voiture"].iloc[0]
    assert quinze_min["population_au_dela"] == 350.0


def test_population_au_dela_sans_ponderation_et_population_inconnue(trois_communes):
    pts, distances = trois_communes
    pts = pts.assign(population=[100.0, np.nan, 300.0, 50.0])
    tableau = population_au_dela(pts, distances, seuils_km=(5,), seuils_min=(), modes=())
    assert tableau["code_insee"].tolist() == ["56001", "56002", "56003"]
    assert tableau["population"].isna().tolist() == [True, False, False]  # never a partial sum
    assert tableau["part_au_dela"].isna().tolist() == [True, False, False]
    assert tableau["population_ponderee"].isna().all()
    assert pd.isna(agreger_au_dela(tableau, ["56001", "56002"])["population"].iloc[0])
    assert agreger_au_dela(tableau, ["56002", "56003"])["population"].iloc[0] == 350.0


# --------------------------------------------------------------------------- new place
def test_gain_nouveau_lieu(trois_communes):
    pts, distances = trois_communes
    gain = gain_nouveau_lieu(pts, distances, X0 + 14_000, Y0, 5_000, colonne_ponderation="population_fragile")
    # Beyond 5 km today: A's point at 6 km (8 km from the new site: no gain), B (2 km: gain), C (2 km: gain).
    assert (gain.population, gain.population_ponderee) == (350.0, 35.0)
    pd.testing.assert_frame_equal(gain.par_commune, pd.DataFrame({
        "code_insee": pd.array(["56002", "56003"], dtype="str"),
        "population_gagnee": [300.0, 50.0],
        "population_ponderee_gagnee": pd.array([30.0, 5.0], dtype="Float64"),
    }))
    # People already within the threshold never count as a gain.
    assert gain_nouveau_lieu(pts, distances, X0 + 500, Y0, 5_000).population == 0.0
    # A site on the island serves the island only; without code_insee the rule is not applied.
    ile = ParametresAccessibilite(communes_insulaires=("56003",))
    assert gain_nouveau_lieu(pts, distances, X0 + 14_000, Y0, 5_000, code_insee="56003",
                             parametres=ile).population == 50.0
    assert gain_nouveau_lieu(pts, distances, X0 + 14_000, Y0, 5_000, code_insee="56002",
                             parametres=ile).population == 300.0


def test_distances_avec_nouveau_lieu(trois_communes):
    pts, distances = trois_communes
    avant = distances.copy()
    apres = distances_avec_nouveau_lieu(pts, distances, X0 + 14_000, Y0, id_lieu="projet", parametres=PARAMETRES)
    assert apres["id_lieu"].tolist() == ["a", "a", "projet", "projet"]
    assert apres["distance_m"].tolist() == pytest.approx([1_000.0, 6_000.0, 2_000.0, 2_000.0])
    assert apres["temps_voiture_min"].iloc[2] == pytest.approx(2_000 * 1.3 / (40_000 / 60))
    pd.testing.assert_frame_equal(distances, avant)


def test_gain_rapide_sur_le_territoire(reference):
    """Five candidate sites on the 30 real communes in well under a second (interactive scenario)."""
    pts = points_de_population(reference.communes)
    lieux = lieux_l93(("existant", "56121", 223_665.0, 6_758_587.0))
    distances = distance_au_plus_proche(pts, lieux, GROIX)
    seuil = seuil_m_pour_temps(15, "voiture", GROIX)
    sites = [(220_000, 6_770_000, "56040"), (215_000, 6_780_000, "56166"), (205_000, 6_760_000, "56078"),
             (230_000, 6_790_000, "56026"), (216_000, 6_746_000, "56069")]
    debut = time.perf_counter()
    gains = [gain_nouveau_lieu(pts, distances, x, y, seuil, code_insee=c, parametres=GROIX) for x, y, c in sites]
    duree = time.perf_counter() - debut
    assert duree < 1.0
    assert gains[4].par_commune["code_insee"].tolist() == ["56069"]  # a Groix site serves Groix only
    assert gains[4].population == pytest.approx(2263.0)  # every inhabitant of Groix was unreachable


# --------------------------------------------------------------------------- parameters file
def test_fichier_des_parametres_du_projet():
    parametres = charger_parametres_accessibilite(RACINE / "data" / "parametres_accessibilite.toml")
    defaut = ParametresAccessibilite()
    assert (parametres.facteur_detour, parametres.vitesse_voiture_kmh, parametres.vitesse_marche_kmh) == (
        defaut.facteur_detour, defaut.vitesse_voiture_kmh, defaut.vitesse_marche_kmh)  # code defaults = file
    assert parametres.communes_insulaires == ("56069",)
    assert [cle for cle, _ in parametres.justifications] == [
        "facteur_detour", "vitesse_voiture_kmh", "vitesse_marche_kmh", "communes_insulaires"]
    assert all(texte.startswith(("Hypothèse", "Groix")) for _, texte in parametres.justifications)


PARAMETRES_TOML = """[parametres]
facteur_detour = 1.3
vitesse_voiture_kmh = 40.0
vitesse_marche_kmh = 4.5
communes_insulaires = ["56069"]

[justifications]
facteur_detour = "h"
vitesse_voiture_kmh = "h"
vitesse_marche_kmh = "h"
communes_insulaires = "h"
"""


@pytest.mark.parametrize(
    ("avant", "apres", "message", "ligne", "cle"),
    [
        ("facteur_detour = 1.3", "facteur_detour = 0.8", "[parametres] valeur « 0.8 » invalide", 2,
         "facteur_detour"),
        ("vitesse_marche_kmh = 4.5", 'vitesse_marche_kmh = "4,5"', "[parametres] valeur « 4,5 » invalide", 4,
         "vitesse_marche_kmh"),
        ('["56069"]', '["Groix"]', "[parametres] liste de codes INSEE invalide", 5, "communes_insulaires"),
        ('vitesse_voiture_kmh = "h"', 'vitesse_voiture_kmh = ""',
         "[justifications] la justification de « vitesse_voiture_kmh » est vide", 9, "vitesse_voiture_kmh"),
        ("facteur_detour = 1.3", "facteur_detours = 1.3", "[parametres] clé inconnue « facteur_detours »", 2,
         "facteur_detours"),
    ],
)
def test_parametres_erreurs_nomment_ligne_et_cle(tmp_path, avant, apres, message, ligne, cle):
    chemin = tmp_path / "parametres_accessibilite.toml"
    chemin.write_text(PARAMETRES_TOML.replace(avant, apres, 1), encoding="utf-8")
    with pytest.raises(ErreurConfiguration) as exc:
        charger_parametres_accessibilite(chemin)
    assert (exc.value.message, exc.value.fichier, exc.value.ligne, exc.value.colonne) == (
        message, "parametres_accessibilite.toml", ligne, cle)


def test_parametres_fichier_absent_ou_illisible(tmp_path):
    with pytest.raises(ErreurConfiguration, match="fichier des paramètres d'accessibilité introuvable"):
        charger_parametres_accessibilite(tmp_path / "parametres_accessibilite.toml")
    chemin = tmp_path / "parametres_accessibilite.toml"
    chemin.write_text("[parametres]\nfacteur_detour = \n", encoding="utf-8")
    with pytest.raises(ErreurConfiguration) as exc:
        charger_parametres_accessibilite(chemin)
    assert exc.value.ligne == 2 and exc.value.message.startswith("syntaxe TOML invalide")


def test_calcul_par_blocs_identique(monkeypatch):
    """Blocks of the distance matrix (memory bound for a national file) change nothing."""
    from dashboard.indicateurs import accessibilite

    rng = np.random.default_rng(4)
    pts = points(*((f"5600{i % 3}", X0 + float(dx), Y0 + float(dy), 1.0)
                   for i, (dx, dy) in enumerate(rng.uniform(0, 20_000, size=(50, 2)))))
    lieux = lieux_l93(*((f"l{i}", "56001", X0 + float(dx), Y0 + float(dy))
                        for i, (dx, dy) in enumerate(rng.uniform(0, 20_000, size=(7, 2)))))
    entier = distance_au_plus_proche(pts, lieux)
    monkeypatch.setattr(accessibilite, "CELLULES_PAR_BLOC", 10)  # 1 point per block
    pd.testing.assert_frame_equal(distance_au_plus_proche(pts, lieux), entier)
