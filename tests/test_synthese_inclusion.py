"""Inclusion synthesis on hand-made cases: weights from the URL, distance to help per commune."""

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from dashboard.indicateurs import inclusion
from dashboard.indicateurs import synthese_inclusion as si
from dashboard.vues.inclusion import metriques_eloignement, phrase_eloignement


def test_poids_depuis_et_vers_l_url():
    poids = si.poids_depuis_texte("part_non_thd:2,inconnu:9,part_65_plus:abc,taux_pauvrete:99")
    assert poids["part_non_thd"] == 2.0
    assert poids["part_65_plus"] == inclusion.POIDS_DEFAUT["part_65_plus"]  # bad value ignored
    assert poids["taux_pauvrete"] == 5.0  # capped
    assert si.poids_depuis_texte(si.poids_vers_texte(poids)) == poids
    assert si.poids_depuis_texte(None) == dict(inclusion.POIDS_DEFAUT)


@pytest.fixture
def deux_communes():
    """Two 2 km × 2 km squares side by side in Lambert-93, 1 000 and 3 000 inhabitants."""
    carres = [box(200_000, 6_750_000, 202_000, 6_752_000), box(202_000, 6_750_000, 204_000, 6_752_000)]
    gdf = gpd.GeoDataFrame({"code_insee": ["56001", "56002"], "nom": ["A", "B"],
                            "population": pd.array([1000, 3000], dtype="Int64")},
                           geometry=carres, crs="EPSG:2154")
    return gdf.to_crs("EPSG:4326")


def test_eloignement_a_la_main(deux_communes):
    # One place at the west edge of A: A's 4 cells are within 2 km; B's centres are 2.25–3.75 km away.
    lieu = gpd.GeoSeries.from_xy([200_000], [6_751_000], crs="EPSG:2154").to_crs("EPSG:4326")
    lieux = pd.DataFrame({"id": ["x"], "code_insee": ["56001"], "latitude": lieu.y, "longitude": lieu.x})
    seuil = si.Seuil("2km", "plus de 2 km", "distance", 2.0)
    tableau = si.eloignement_par_commune(deux_communes, lieux, None, seuil).set_index("code_insee")
    assert tableau.loc["56001", "population_au_dela"] == 0
    assert tableau.loc["56002", "population_au_dela"] == pytest.approx(3000)
    assert pd.isna(tableau.loc["56002", "population_75_plus_au_dela"])  # no INSEE table given
    total = si.eloignement_perimetre(tableau.reset_index(), ["56001", "56002"])
    assert total["population_au_dela"] == pytest.approx(3000)
    assert total["part_au_dela"] == pytest.approx(0.75)  # 3 000 / 4 000, not the mean of 0 % and 100 %


def test_textes_eloignement():
    ligne = pd.Series({"population_au_dela": 9538.6, "part_au_dela": 0.0431,
                       "population_75_plus_au_dela": 1550.4, "part_75_plus_au_dela": 0.0495})
    phrase = phrase_eloignement(ligne, si.SEUILS["5km"], "du Pays de Lorient")
    assert phrase.startswith("Environ 9\u202f539 habitants du Pays de Lorient (4,3\u00a0%)")
    assert "dont environ 1\u202f550 personnes de 75 ans et plus" in phrase and "estimation" in phrase
    assert [m[1] for m in metriques_eloignement(ligne, si.SEUILS["5km"])] == [
        "9\u202f539", "4,3\u00a0%", "1\u202f550", "5,0\u00a0%"]


def test_objectifs_inclusion_sur_le_territoire(reference, contexte):
    from dashboard.indicateurs import lieux as L
    from dashboard.magasin import Magasin
    from dashboard.objectifs_inclusion import charger_objectifs_inclusion
    from dashboard.vues.inclusion import objectifs_affiches
    from tests.conftest import RACINE

    m = Magasin(RACINE / "data" / "snapshots")
    lieux = L.lieux_unifies(m.charger("france_services").frame, m.charger("tiers_lieux_cget").frame,
                            m.charger("mediation_numerique").frame).lieux
    objectifs = charger_objectifs_inclusion()
    etat = si.etat_objectifs_inclusion(objectifs, lieux, reference.communes, m.charger("insee_communes").frame,
                                       list(reference.communes["code_insee"]), "2026-10-20")
    assert len(etat) == len(objectifs)
    assert set(etat["statut"]) <= {"atteint", "en bonne voie", "en retard", "non mesurable"}
    # every commune has at least one place in the bundled data: that target is met
    ligne = etat.set_index("indicateur").loc["part_communes_avec_lieu"]
    assert ligne["valeur"] == 1.0 and ligne["statut"] == "atteint"
    affiche = objectifs_affiches(etat).set_index("indicateur")
    assert affiche.loc["part_communes_avec_lieu", "valeur"] == "100,0\u00a0%"
    assert affiche.loc["lieux_pour_10000_hab", "valeur"].endswith("pour 10 000 hab.")
