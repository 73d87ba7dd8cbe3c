"""Commune profile on hand-made data: sums, recomputed shares, honest n.d."""

import geopandas as gpd
import pandas as pd
import pytest

from dashboard.indicateurs.fiche import DonneesFiche, tableau_fiche, valeurs_communes

COMMUNES = gpd.GeoDataFrame({
    "code_insee": ["56001", "56002"], "nom": ["A", "B"], "siren_epci": ["1", "1"],
    "population": pd.array([1000, 3000], dtype="Int64"), "superficie_km2": [10.0, 30.0]})
COMPARAISONS = pd.DataFrame({"niveau": ["departement"], "code": ["56"], "nom": ["Morbihan"],
                             "population": [750000], "superficie_km2": [6871.2], "nb_communes": [249]})
INSEE = pd.DataFrame({
    "code_insee": ["56001", "56002"], "population": pd.array([1000, 3000], dtype="Int64"),
    "pop_65_plus": pd.array([300, 600], dtype="Int64"), "pop_75_plus": pd.array([100, 300], dtype="Int64"),
    "peu_diplomes_15_plus": pd.array([200, 300], dtype="Int64"),
    "non_scolarises_15_plus": pd.array([800, 2400], dtype="Int64"),
    "taux_pauvrete": pd.array([None, 12.5], dtype="Float64")})


def test_sommes_et_parts_recalculees():
    d = DonneesFiche(COMMUNES, COMPARAISONS, insee=INSEE)
    v = valeurs_communes(d, ["56001", "56002"])
    assert (v["population"], v["superficie"], v["densite"]) == (4000, 40, 100)
    assert v["part_65_plus"] == pytest.approx(900 / 4000)
    assert v["part_peu_diplomes"] == pytest.approx(500 / 3200)
    assert v["taux_pauvrete"] is None  # rates do not add up: n.d. for a group
    assert valeurs_communes(d, ["56002"])["taux_pauvrete"] == pytest.approx(0.125)
    assert valeurs_communes(d, ["56001"])["taux_pauvrete"] is None  # masked stays masked
    assert v["taux_ftth"] is None  # source not loaded


def test_tableau_avec_departement():
    d = DonneesFiche(COMMUNES, COMPARAISONS)
    t = tableau_fiche(d, {"A": ["56001"], "Tout": ["56001", "56002"]}, {"Morbihan": ("departement", "56")})
    assert list(t.columns) == ["indicateur", "libelle", "unite", "source", "A", "Tout", "Morbihan"]
    ligne = t.set_index("indicateur").loc["population"]
    assert (ligne["A"], ligne["Tout"], ligne["Morbihan"]) == (1000, 4000, 750000)
    assert pd.isna(t.set_index("indicateur").loc["part_sans_thd", "Morbihan"])
