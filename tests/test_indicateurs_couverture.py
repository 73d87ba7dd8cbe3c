"""Coverage indicators on hand-made rows of the arcep_mci tidy frame (exact values)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.indicateurs import couverture

NA = pd.NA
SEUILS = ["inel_hd", "elig_hd05", "elig_hd3", "elig_bhd8", "elig_thd30", "elig_thd100", "elig_thd1g"]
TECHNOS = ["elig_ftth", "elig_coax", "elig_cu_30", "elig_thdr", "elig_cu_8", "elig_4gf", "elig_hdr", "elig_sat"]


def long(lignes: list[tuple[str, str, str, dict[str, int]]]) -> pd.DataFrame:
    """(code, niveau, fichier, {mesure: valeur}) → the source's tidy frame."""
    enregistrements = [
        {"code": code, "niveau": niveau, "fichier": fichier, "mesure": m, "valeur": v, "date": "2026-06-30"}
        for code, niveau, fichier, valeurs in lignes for m, v in valeurs.items()
    ]
    return pd.DataFrame(enregistrements).astype({"code": "str", "niveau": "str", "fichier": "str", "mesure": "str",
                                                 "valeur": "Int64", "date": "str"})


def debit(nbr: int, *seuils: int) -> dict[str, int]:
    return {"nbr": nbr, **dict(zip(SEUILS, seuils, strict=True))}


FRAME = long([
    ("56121", "commune", "debit_filaire", debit(1000, 10, 990, 980, 950, 900, 880, 870)),
    ("56188", "commune", "debit_filaire", debit(200, 20, 180, 170, 150, 100, 90, 90)),
    ("56062", "commune", "debit_filaire", debit(0, 0, 0, 0, 0, 0, 0, 0)),
    ("56", "departement", "debit_filaire", debit(10000, 100, 9900, 9800, 9600, 9000, 8800, 8700)),
    ("56121", "commune", "debit_terrestre", debit(1000, 0, 1000, 995, 990, 960, 880, 870)),
    ("56188", "commune", "debit_terrestre", debit(200, 5, 195, 190, 185, 170, 90, 90)),
    ("56121", "commune", "meilleure_techno_thd",
     {"nbr": 1000, "nbr_elig_8": 990, **dict(zip(TECHNOS, [870, 10, 20, 0, 50, 30, 0, 10], strict=True))}),
    ("56188", "commune", "meilleure_techno_thd",
     {"nbr": 200, "nbr_elig_8": 196, **dict(zip(TECHNOS, [90, 0, 10, 20, 30, 40, 2, 4], strict=True))}),
])


def f64(*valeurs) -> pd.Series:
    return pd.Series(list(valeurs), dtype="Float64")


def test_eligibilite_exacte():
    resultat = couverture.eligibilite(FRAME)
    attendu = pd.DataFrame({"code": pd.Series(["56062", "56121", "56188"], dtype="str"),
                            "nbr": pd.array([0, 1000, 200], dtype="Int64")})
    valeurs = {"inel_hd": [0, 10, 20], "elig_hd05": [0, 990, 180], "elig_hd3": [0, 980, 170],
               "elig_bhd8": [0, 950, 150], "elig_thd30": [0, 900, 100], "elig_thd100": [0, 880, 90],
               "elig_thd1g": [0, 870, 90]}
    for mesure, comptes in valeurs.items():
        attendu[mesure] = pd.array(comptes, dtype="Int64")
        # 0 locaux → share unknown, never 0 or infinite
        attendu[f"part_{mesure}"] = f64(NA, comptes[1] / 1000, comptes[2] / 200)
    pd.testing.assert_frame_equal(resultat, attendu)


def test_eligibilite_autre_niveau_et_fichier():
    departement = couverture.eligibilite(FRAME, niveau="departement")
    assert departement["code"].tolist() == ["56"]
    assert departement["part_elig_thd30"].tolist() == [0.9]
    terrestre = couverture.eligibilite(FRAME, "debit_terrestre")
    assert terrestre["elig_thd30"].tolist() == [960, 170]
    assert terrestre["part_elig_thd30"].tolist() == [0.96, 0.85]


def test_eligibilite_vide():
    resultat = couverture.eligibilite(FRAME, "debit")
    assert list(resultat.columns) == ["code", "nbr"]
    assert resultat.empty


def test_locaux_sans_bon_haut_debit_filaire_par_defaut():
    resultat = couverture.locaux_sans_bon_haut_debit(FRAME)
    attendu = pd.DataFrame({
        "code": pd.Series(["56062", "56121", "56188"], dtype="str"),
        "nbr": pd.array([0, 1000, 200], dtype="Int64"),
        "locaux_sans_bon_haut_debit": pd.array([0, 50, 50], dtype="Int64"),
        "part_locaux_sans_bon_haut_debit": f64(NA, 0.05, 0.25),
    })
    pd.testing.assert_frame_equal(resultat, attendu)


def test_locaux_sans_bon_haut_debit_terrestre():
    resultat = couverture.locaux_sans_bon_haut_debit(FRAME, fichier="debit_terrestre")
    assert resultat["locaux_sans_bon_haut_debit"].tolist() == [10, 15]
    assert resultat["part_locaux_sans_bon_haut_debit"].tolist() == [0.01, 0.075]


def test_locaux_sans_thd():
    resultat = couverture.locaux_sans_thd(FRAME)
    attendu = pd.DataFrame({
        "code": pd.Series(["56062", "56121", "56188"], dtype="str"),
        "nbr": pd.array([0, 1000, 200], dtype="Int64"),
        "locaux_sans_thd": pd.array([0, 100, 100], dtype="Int64"),
        "part_locaux_sans_thd": f64(NA, 0.1, 0.5),
    })
    pd.testing.assert_frame_equal(resultat, attendu)


def test_locaux_sans_thd_refuse_un_fichier_non_debit():
    with pytest.raises(ValueError, match="debit_filaire"):
        couverture.locaux_sans_thd(FRAME, fichier="techno")


def test_repartition_meilleure_techno():
    resultat = couverture.repartition_meilleure_techno(FRAME)
    attendu = pd.DataFrame({"code": pd.Series(["56121", "56188"], dtype="str"),
                            "nbr": pd.array([1000, 200], dtype="Int64")})
    comptes = {"elig_ftth": (870, 90), "elig_coax": (10, 0), "elig_cu_30": (20, 10), "elig_thdr": (0, 20),
               "elig_cu_8": (50, 30), "elig_4gf": (30, 40), "elig_hdr": (0, 2), "elig_sat": (10, 4),
               "aucune_offre_8": (10, 4)}
    for colonne, (a, b) in comptes.items():
        attendu[colonne] = pd.array([a, b], dtype="Int64")
        attendu[f"part_{colonne}"] = f64(a / 1000, b / 200)
    pd.testing.assert_frame_equal(resultat, attendu)
    parts = resultat[[c for c in resultat.columns if c.startswith("part_")]].sum(axis=1)
    assert parts.tolist() == pytest.approx([1.0, 1.0])


def test_repartition_longue():
    resultat = couverture.repartition_longue(couverture.repartition_meilleure_techno(FRAME))
    quistinic = resultat[resultat["code"] == "56188"].reset_index(drop=True)
    assert quistinic["technologie"].tolist() == [c for c, _ in couverture.TECHNOLOGIES]
    assert quistinic["libelle"].tolist()[0] == "Fibre optique (FttH)"
    assert quistinic["libelle"].tolist()[-1] == "Aucune offre d'au moins 8 Mbit/s"
    assert quistinic["locaux"].tolist() == [90, 0, 10, 20, 30, 40, 2, 4, 4]
    assert quistinic["part"].tolist() == pytest.approx([0.45, 0, 0.05, 0.1, 0.15, 0.2, 0.01, 0.02, 0.02])
    assert list(resultat.columns) == ["code", "technologie", "libelle", "locaux", "part"]
    assert resultat["code"].tolist()[:9] == ["56121"] * 9


def test_agreger_perimetre_somme_puis_recalcule_les_parts():
    sans_thd = couverture.locaux_sans_thd(FRAME)
    resultat = couverture.agreger_perimetre(sans_thd, ["56121", "56188"], code="pays")
    attendu = pd.DataFrame({
        "code": pd.Series(["pays"], dtype="str"),
        "nb_communes": pd.array([2], dtype="Int64"),
        "nbr": pd.array([1200], dtype="Int64"),
        "locaux_sans_thd": pd.array([200], dtype="Int64"),
        "part_locaux_sans_thd": f64(200 / 1200),
    })
    pd.testing.assert_frame_equal(resultat, attendu)
    moyenne_des_parts = sans_thd.set_index("code").loc[["56121", "56188"], "part_locaux_sans_thd"].mean()
    assert moyenne_des_parts == pytest.approx(0.3)  # what must NOT be shown
    assert resultat["part_locaux_sans_thd"].iloc[0] != pytest.approx(moyenne_des_parts)


def test_agreger_perimetre_eligibilite_et_commune_absente():
    resultat = couverture.agreger_perimetre(couverture.eligibilite(FRAME), ["56121", "56188", "56062", "56999"])
    assert resultat["nb_communes"].tolist() == [3]
    assert resultat["code"].tolist() == ["perimetre"]
    assert resultat["elig_thd30"].tolist() == [1000]
    assert resultat["part_elig_thd30"].tolist() == [1000 / 1200]
    assert list(resultat.columns) == ["code", "nb_communes", *couverture.eligibilite(FRAME).columns[1:]]


def test_agreger_perimetre_valeur_manquante_et_vide():
    tableau = pd.DataFrame({"code": pd.Series(["a", "b"], dtype="str"),
                            "nbr": pd.array([100, 50], dtype="Int64"),
                            "locaux_sans_thd": pd.array([10, NA], dtype="Int64"),
                            "part_locaux_sans_thd": f64(0.1, NA)})
    resultat = couverture.agreger_perimetre(tableau, ["a", "b"])
    assert resultat["nbr"].tolist() == [150]
    assert resultat["locaux_sans_thd"].isna().tolist() == [True]  # unknown, never summed as 0
    assert resultat["part_locaux_sans_thd"].isna().tolist() == [True]
    vide = couverture.agreger_perimetre(tableau, ["z"])
    assert vide["nb_communes"].tolist() == [0]
    assert vide[["nbr", "locaux_sans_thd", "part_locaux_sans_thd"]].isna().all(axis=None)


def test_agreger_perimetre_de_la_repartition_puis_forme_longue():
    total = couverture.agreger_perimetre(couverture.repartition_meilleure_techno(FRAME), ["56121", "56188"])
    longue = couverture.repartition_longue(total)
    assert longue["locaux"].tolist() == [960, 10, 30, 20, 80, 70, 2, 14, 14]
    assert longue["locaux"].sum() == 1200
    assert longue["part"].sum() == pytest.approx(1.0)


def test_entrees_non_modifiees():
    copie = FRAME.copy(deep=True)
    tableau = couverture.eligibilite(FRAME)
    copie_tableau = tableau.copy(deep=True)
    couverture.locaux_sans_thd(FRAME)
    couverture.repartition_meilleure_techno(FRAME)
    couverture.agreger_perimetre(tableau, ["56121"])
    pd.testing.assert_frame_equal(FRAME, copie)
    pd.testing.assert_frame_equal(tableau, copie_tableau)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5000), st.lists(st.integers(0, 1000), min_size=6, max_size=6)),
                min_size=1, max_size=8))
def test_proprietes_parts_et_agregat(communes):
    """Nested thresholds → shares in [0, 1], ``sans_thd + thd30 = nbr``, aggregate = ratio of sums."""
    lignes = []
    for i, (nbr, retraits) in enumerate(communes):
        seuils, courant = [], nbr
        for retrait in retraits:
            courant = max(0, courant - retrait)
            seuils.append(courant)
        lignes.append((f"56{i:03d}", "commune", "debit_filaire", debit(nbr, nbr - seuils[0], *seuils)))
    frame = long(lignes)
    eligibles = couverture.eligibilite(frame)
    sans_thd = couverture.locaux_sans_thd(frame)
    assert (sans_thd["locaux_sans_thd"] + eligibles["elig_thd30"] == eligibles["nbr"]).all()
    parts = eligibles["part_elig_thd30"].dropna()
    assert ((parts >= 0) & (parts <= 1)).all()
    total = couverture.agreger_perimetre(sans_thd, sans_thd["code"])
    nbr_total = sum(n for n, _ in communes)
    assert total["nbr"].iloc[0] == nbr_total
    if nbr_total:
        assert total["part_locaux_sans_thd"].iloc[0] == pytest.approx(
            int(sans_thd["locaux_sans_thd"].sum()) / nbr_total)
    else:
        assert pd.isna(total["part_locaux_sans_thd"].iloc[0])
