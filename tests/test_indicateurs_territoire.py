import pandas as pd

from dashboard.indicateurs.territoire import chiffres_cles, communes_du_perimetre, densite_par_commune
from dashboard.territoire import Perimetre

COMMUNES = pd.DataFrame({
    "code_insee": ["56001", "56002", "56003"],
    "nom": ["A", "B", "C"],
    "siren_epci": ["111111111", "111111111", "222222222"],
    "nom_epci": ["E1", "E1", "E2"],
    "population": pd.array([1000, 3000, None], dtype="Int64"),
    "superficie_km2": [10.0, 20.0, 0.0],
})


def test_perimetres():
    assert len(communes_du_perimetre(COMMUNES, Perimetre("pays", "pays", "T"))) == 3
    assert communes_du_perimetre(COMMUNES, Perimetre("epci", "111111111", "E1"))["nom"].tolist() == ["A", "B"]
    assert communes_du_perimetre(COMMUNES, Perimetre("commune", "56003", "C"))["nom"].tolist() == ["C"]


def test_chiffres_cles_calcul_a_la_main():
    e1 = chiffres_cles(COMMUNES.iloc[:2])
    assert (e1.nb_communes, e1.population, e1.superficie_km2) == (2, 4000, 30.0)
    assert round(e1.densite_hab_km2, 3) == round(4000 / 30, 3)
    tout = chiffres_cles(COMMUNES)
    assert tout.population is None and tout.densite_hab_km2 is None  # unknown, never a partial sum


def test_densite_par_commune_sans_division_par_zero():
    d = densite_par_commune(COMMUNES)
    assert d["densite_hab_km2"].tolist()[:2] == [100.0, 150.0]
    assert pd.isna(d["densite_hab_km2"].iloc[2])
    assert list(d.columns) == ["code_insee", "nom", "nom_epci", "population", "superficie_km2", "densite_hab_km2"]
    assert COMMUNES["population"].isna().sum() == 1  # input untouched


def test_territoire_reel(reference):
    cles = chiffres_cles(reference.communes)
    assert cles.nb_communes == 30
    assert cles.population == int(reference.communes["population"].sum()) == 221_257
