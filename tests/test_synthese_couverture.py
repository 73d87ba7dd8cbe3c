"""The page-level coverage synthesis on hand-made frames, and the charts built from it."""

import pandas as pd
import pytest

from dashboard.indicateurs import synthese_couverture as sc
from dashboard.objectifs import Objectif
from dashboard.territoire import Perimetre
from dashboard.vues import couverture as vues

DATE = "2026-06-30"


def mci_a_la_main() -> pd.DataFrame:
    """Two communes, wired file only: A has 100 locaux (90 ≥ 30 Mbit/s), B has 300 (150 ≥ 30)."""
    lignes = []
    for code, nbr, bhd8, thd30 in (("56001", 100, 95, 90), ("56002", 300, 240, 150)):
        for mesure, valeur in (("nbr", nbr), ("inel_hd", 0), ("elig_hd05", nbr), ("elig_hd3", nbr),
                               ("elig_bhd8", bhd8), ("elig_thd30", thd30), ("elig_thd100", thd30),
                               ("elig_thd1g", thd30)):
            lignes.append((code, "commune", "debit_filaire", mesure, valeur, DATE))
    frame = pd.DataFrame(lignes, columns=["code", "niveau", "fichier", "mesure", "valeur", "date"])
    return frame.astype({"valeur": "Int64"})


def ftth_a_la_main() -> pd.DataFrame:
    lignes = []
    for code, rurale, serie in (("56001", False, (50, 70, 80, 90, 100)), ("56002", True, (0, 60, 120, 180, 240))):
        for i, (trimestre, jour) in enumerate((("T2 2025", "2025-06-30"), ("T3 2025", "2025-09-30"),
                                               ("T4 2025", "2025-12-31"), ("T1 2026", "2026-03-31"),
                                               ("T2 2026", DATE))):
            base = 100 if code == "56001" else 300
            lignes.append((code, "commune", trimestre, jour, serie[i], base, 0, rurale))
    frame = pd.DataFrame(lignes, columns=["code", "niveau", "trimestre", "date", "locaux_raccordables",
                                          "meilleure_estimation_locaux", "locaux_en_construction",
                                          "commune_rurale"])
    return frame.astype({"locaux_raccordables": "Int64", "meilleure_estimation_locaux": "Int64",
                         "locaux_en_construction": "Int64", "commune_rurale": "boolean"})


def test_valeurs_par_commune_et_perimetre():
    mci = mci_a_la_main()
    v = sc.valeurs_communes(sc.INDICATEURS["sans_thd"], mci, None).set_index("code")
    assert v.loc["56001"].tolist() == [0.1, 10, 100]
    assert v.loc["56002"].tolist() == [0.5, 150, 300]
    somme = sc.valeur_perimetre(sc.INDICATEURS["sans_thd"], mci, None, ["56001", "56002"])
    assert (somme["nombre"], somme["base"]) == (160, 400)
    assert somme["valeur"] == pytest.approx(0.4)  # 160 / 400, not the mean of 10 % and 50 %
    eligibles = sc.valeurs_communes(sc.INDICATEURS["bhd8"], mci, None).set_index("code")
    assert eligibles.loc["56002", "valeur"] == pytest.approx(0.8)


def test_ftth_au_trimestre_choisi():
    ftth = ftth_a_la_main()
    v = sc.valeurs_communes(sc.INDICATEURS["ftth"], None, ftth, trimestre="T4 2025").set_index("code")
    assert v.loc["56001", "valeur"] == pytest.approx(0.8) and v.loc["56002", "valeur"] == pytest.approx(0.4)
    p = sc.valeur_perimetre(sc.INDICATEURS["ftth"], None, ftth, ["56001", "56002"], trimestre="T4 2025")
    assert (p["nombre"], p["base"]) == (200, 400)
    assert sc.trimestres(ftth) == ["T2 2025", "T3 2025", "T4 2025", "T1 2026", "T2 2026"]


def test_source_absente():
    v = sc.valeurs_communes(sc.INDICATEURS["ftth"], mci_a_la_main(), None)
    assert v.empty and list(v.columns) == ["code", "valeur", "nombre", "base"]
    assert pd.isna(sc.valeur_perimetre(sc.INDICATEURS["sans_thd"], None, None, ["56001"])["valeur"])


def test_projection_et_chiffres():
    ftth = ftth_a_la_main()
    tendance = sc.projection_perimetre(ftth, ["56001", "56002"])
    # raccordables 50 → 340 over 4 quarters: 72.5 per quarter; 60 remain → 1 quarter → T3 2026
    assert tendance["rythme_trimestriel"] == pytest.approx(72.5)
    assert tendance["projection_100_pourcent"] == "T3 2026"
    chiffres = sc.chiffres_couverture(mci_a_la_main(), ftth, ["56001", "56002"])
    assert chiffres["projection"] == "T3 2026"
    assert chiffres["ftth"]["valeur"] == pytest.approx(340 / 400)
    libelles = [m[0] for m in vues.metriques_couverture(chiffres)]
    assert libelles == ["Locaux sans très haut débit", "Locaux sans bon haut débit", "Raccordables à la fibre",
                        "100 % fibre projeté"]


def test_ventilation_rurale():
    valeurs = sc.valeurs_communes(sc.INDICATEURS["sans_thd"], mci_a_la_main(), None)
    r = sc.ventilation_rurale(valeurs, ftth_a_la_main()).set_index("zone")
    assert r.loc["Communes rurales", "valeur"] == pytest.approx(0.5)
    assert r.loc["Communes urbaines", "nombre"] == 10


def test_objectifs_statut():
    objectifs = [
        Objectif("thd", "THD pour tous", "Plan", "arcep_mci", "elig_thd30", 1.0, "2022-12-31", "France", "s", "https://x"),
        Objectif("fibre", "Fibre", "Plan", "arcep_ftth", "taux_ftth", 1.0, "2026-12-31", "France", "s", "https://x"),
    ]
    etat = sc.etat_objectifs(objectifs, mci_a_la_main(), ftth_a_la_main(), ["56001", "56002"]).set_index("libelle")
    assert etat.loc["THD pour tous", "valeur"] == pytest.approx(0.6)
    assert etat.loc["THD pour tous", "statut"] == "en retard"
    assert etat.loc["Fibre", "statut"] == "en bonne voie"  # T3 2026 ≤ 31/12/2026
    sans = sc.etat_objectifs(objectifs, None, None, ["56001"])
    assert sans["statut"].tolist() == ["non disponible", "non disponible"]


def test_figures():
    mci, ftth = mci_a_la_main(), ftth_a_la_main()
    noms = pd.Series({"56001": "Alpha <b>", "56002": "Bêta"})
    valeurs = sc.valeurs_communes(sc.INDICATEURS["sans_thd"], mci, None)
    fig = vues.figure_classement(valeurs, noms, sc.INDICATEURS["sans_thd"], selection="56002")
    assert list(fig.data[0].y) == ["Alpha b", "Bêta"]  # worst at the top (drawn last), tags stripped
    assert fig.layout.separators == ", "
    communes = pd.DataFrame({"code_insee": ["56001", "56002"], "nom": ["Alpha", "Bêta"],
                             "siren_epci": ["1", "1"]})
    serie = vues.figure_ftth_perimetre(ftth, communes, Perimetre("pays", "pays", "T"), ["56001", "56002"],
                                       "56001", [], "Territoire")
    noms_traces = [t.name for t in serie.data]
    assert noms_traces == ["Alpha", "Territoire"]  # Alpha is at 100 %: nothing to project
    sans_selection = vues.figure_ftth_perimetre(ftth, communes, Perimetre("pays", "pays", "T"),
                                                ["56001", "56002"], None, [], "Territoire")
    assert [t.name for t in sans_selection.data] == [
        "Territoire", "Projection au rythme des 4 derniers trimestres (Territoire)"]
    assert list(sans_selection.data[1].y) == [85.0, 100]


def test_series_de_comparaison_quand_disponibles():
    ftth = ftth_a_la_main()
    dep = ftth[ftth["code"] == "56002"].assign(code="56", niveau="departement", commune_rurale=pd.NA)
    avec = pd.concat([ftth, dep], ignore_index=True).astype(ftth.dtypes.to_dict())
    communes = pd.DataFrame({"code_insee": ["56001", "56002"], "nom": ["A", "B"], "siren_epci": ["1", "1"]})
    fig = vues.figure_ftth_perimetre(avec, communes, Perimetre("pays", "pays", "T"), ["56001", "56002"], None, [],
                                     "Territoire", {"Morbihan": ("departement", "56"), "France": ("france", "FR")})
    noms = [t.name for t in fig.data]
    assert "Morbihan" in noms and "France" not in noms  # only what the loaded file contains
