"""FttH indicators: rate, scope sums, pace over 4 quarters, projection, target status."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard.indicateurs.deploiement import (
    HISTORIQUE_INSUFFISANT,
    NON_ATTEINT,
    agreger_perimetre,
    fin_du_trimestre,
    libelle_du_rang,
    projection_100_pourcent,
    rang_trimestre,
    statut_objectif,
    taux_ftth,
    tendance_4_trimestres,
)

NA = pd.NA
TRIMESTRES = [("T2 2025", "2025-06-30"), ("T3 2025", "2025-09-30"), ("T4 2025", "2025-12-31"),
              ("T1 2026", "2026-03-31"), ("T2 2026", "2026-06-30")]


def _source(series: list[tuple], trimestres: list[tuple[str, str]] = TRIMESTRES) -> pd.DataFrame:
    """A frame shaped like the ``arcep_ftth`` source: ``(code, niveau, valeurs, estimation, construction)``."""
    lignes = [
        (code, niveau, t, d, v, estimation, construction, NA)
        for code, niveau, valeurs, estimation, construction in series
        for (t, d), v in zip(trimestres, valeurs, strict=True)
    ]
    return pd.DataFrame(lignes, columns=[
        "code", "niveau", "trimestre", "date", "locaux_raccordables", "meilleure_estimation_locaux",
        "locaux_en_construction", "commune_rurale",
    ]).astype({"code": "str", "niveau": "str", "trimestre": "str", "date": "str",
               "locaux_raccordables": "Int64", "meilleure_estimation_locaux": "Int64",
               "locaux_en_construction": "Int64", "commune_rurale": "boolean"})


# --------------------------------------------------------------------------- quarters
def test_trimestres():
    assert rang_trimestre("T2 2026") == 2026 * 4 + 1
    assert libelle_du_rang(rang_trimestre("T4 2026") + 1) == "T1 2027"
    assert fin_du_trimestre("T1 2024") == date(2024, 3, 31)
    assert fin_du_trimestre("T4 2025") == date(2025, 12, 31)
    with pytest.raises(ValueError, match="trimestre « 2026-T2 » invalide"):
        rang_trimestre("2026-T2")


# --------------------------------------------------------------------------- rate
def test_taux_ftth_valeurs_calculees_a_la_main():
    frame = _source([
        # 900 / (1000 − 100) = 1 : base corrigée des locaux en construction
        ("A", "commune", [900], 1000, 100),
        # construction inconnue : 450 / 600 = 0,75 (estimation seule)
        ("B", "commune", [450], 600, NA),
        # raccordables > base : plafonné à 1, comptes bruts conservés
        ("C", "commune", [520], 500, 0),
        # base nulle : taux non disponible (jamais 0)
        ("D", "commune", [0], 10, 10),
        # raccordables masqués
        ("E", "commune", [NA], 800, 0),
        # estimation manquante
        ("F", "commune", [5], NA, 0),
    ], [("T2 2026", "2026-06-30")])
    attendu = pd.DataFrame({
        "code": ["A", "B", "C", "D", "E", "F"],
        "niveau": ["commune"] * 6,
        "trimestre": ["T2 2026"] * 6,
        "date": ["2026-06-30"] * 6,
        "locaux_raccordables": pd.array([900, 450, 520, 0, NA, 5], dtype="Int64"),
        "locaux_base": pd.array([900, 600, 500, 0, 800, NA], dtype="Int64"),
        "taux_ftth": pd.array([1.0, 0.75, 1.0, NA, NA, NA], dtype="Float64"),
    }).astype({"code": "str", "niveau": "str", "trimestre": "str", "date": "str"})
    pd.testing.assert_frame_equal(taux_ftth(frame), attendu)


def test_taux_ftth_ne_modifie_pas_l_entree():
    frame = _source([("A", "commune", [1, 2, 3, 4, 5], 10, 1)])
    copie = frame.copy(deep=True)
    taux_ftth(frame)
    tendance_4_trimestres(frame)
    agreger_perimetre(frame, {"A"}, "P")
    pd.testing.assert_frame_equal(frame, copie)


# --------------------------------------------------------------------------- scope
def test_agreger_perimetre_somme_et_valeurs_manquantes():
    frame = _source([
        ("56121", "commune", [100, 200, 300, NA, 500], 1000, 10),
        ("56098", "commune", [10, 20, 30, 40, 50], 100, NA),
        ("56260", "commune", [1, 1, 1, 1, 1], 5, 0),  # hors périmètre
        ("56", "departement", [9, 9, 9, 9, 9], 9, 9),  # pas une commune
    ])
    resultat = agreger_perimetre(frame, {"56121", "56098"}, "pays-de-lorient", "pays")
    attendu = _source([("pays-de-lorient", "pays", [110, 220, 330, NA, 550], 1100, NA)])
    pd.testing.assert_frame_equal(resultat, attendu)


def test_agreger_perimetre_commune_absente_donne_na():
    frame = _source([("56121", "commune", [100, 200, 300, 400, 500], 1000, 10)])
    resultat = agreger_perimetre(frame, {"56121", "56098"}, "P", "pays")
    assert resultat["locaux_raccordables"].isna().all()
    assert resultat["meilleure_estimation_locaux"].isna().all()


# --------------------------------------------------------------------------- pace and projection
@pytest.mark.parametrize(
    ("reste", "rythme", "trimestre", "attendu"),
    [
        (200, 50.0, "T2 2026", "T2 2027"),  # 4 trimestres pile
        (201, 50.0, "T2 2026", "T3 2027"),  # 4,02 → 5 trimestres
        (1, 1.0, "T4 2026", "T1 2027"),  # passage d'année
        (10, 0.25, "T2 2026", "T2 2036"),  # 40 trimestres = 10 ans
        (0, 10.0, "T2 2026", None),  # déjà atteint
        (-3, 10.0, "T2 2026", None),
        (10, 0.0, "T2 2026", NON_ATTEINT),
        (10, -2.5, "T2 2026", NON_ATTEINT),
        (10_000, 1.0, "T2 2026", NON_ATTEINT),  # plus de 100 ans
        (10, None, "T2 2026", HISTORIQUE_INSUFFISANT),
        (10, float("nan"), "T2 2026", HISTORIQUE_INSUFFISANT),
        (None, 5.0, "T2 2026", HISTORIQUE_INSUFFISANT),
    ],
)
def test_projection_100_pourcent(reste, rythme, trimestre, attendu):
    assert projection_100_pourcent(reste, rythme, trimestre) == attendu


def test_tendance_4_trimestres_valeurs_calculees_a_la_main():
    frame = _source([
        # (300 − 100) / 4 = 50 locaux/trimestre ; reste 500 − 300 = 200 → 4 trimestres → T2 2027
        ("A", "commune", [100, 150, 200, 250, 300], 500, 0),
        # déjà à 100 % : projection vide
        ("B", "commune", [80, 90, 95, 98, 100], 100, 0),
        # plat : rythme 0 → non atteint ; base 60 − 10 = 50, reste 10
        ("C", "commune", [40, 40, 40, 40, 40], 60, 10),
        # trimestre de référence masqué : rythme inconnu
        ("D", "commune", [NA, 10, 20, 30, 40], 100, NA),
        # recul (correction de l'opérateur) : rythme négatif → non atteint
        ("E", "commune", [60, 55, 50, 50, 50], 100, 0),
    ])
    attendu = pd.DataFrame({
        "code": ["A", "B", "C", "D", "E"],
        "niveau": ["commune"] * 5,
        "trimestre": ["T2 2026"] * 5,
        "date": ["2026-06-30"] * 5,
        "locaux_raccordables": pd.array([300, 100, 40, 40, 50], dtype="Int64"),
        "locaux_base": pd.array([500, 100, 50, 100, 100], dtype="Int64"),
        "taux_ftth": pd.array([0.6, 1.0, 0.8, 0.4, 0.5], dtype="Float64"),
        "trimestre_reference": ["T2 2025"] * 5,
        "rythme_trimestriel": pd.array([50.0, 5.0, 0.0, NA, -2.5], dtype="Float64"),
        "reste_a_raccorder": pd.array([200, 0, 10, 60, 50], dtype="Int64"),
        "projection_100_pourcent": pd.array(
            ["T2 2027", NA, NON_ATTEINT, HISTORIQUE_INSUFFISANT, NON_ATTEINT], dtype="string"),
    }).astype({"code": "str", "niveau": "str", "trimestre": "str", "date": "str",
               "trimestre_reference": "str"})
    pd.testing.assert_frame_equal(tendance_4_trimestres(frame), attendu)


def test_tendance_historique_trop_court():
    frame = _source([("A", "commune", [100, 150, 200], 500, 0)], TRIMESTRES[2:])
    ligne = tendance_4_trimestres(frame).iloc[0]
    assert ligne["trimestre_reference"] == "T2 2025"
    assert pd.isna(ligne["rythme_trimestriel"])
    assert ligne["projection_100_pourcent"] == HISTORIQUE_INSUFFISANT


def test_tendance_par_code_et_niveau():
    # le même code à deux niveaux (ex. « 56 ») reste deux lignes distinctes
    frame = _source([("56", "departement", [1, 2, 3, 4, 5], 10, 0), ("56", "commune", [5, 5, 5, 5, 5], 5, 0)])
    resultat = tendance_4_trimestres(frame)
    assert resultat[["code", "niveau"]].values.tolist() == [["56", "commune"], ["56", "departement"]]
    assert resultat["rythme_trimestriel"].tolist() == [0.0, 1.0]


# --------------------------------------------------------------------------- target status
@pytest.mark.parametrize(
    ("taux", "date_cible", "trajectoire", "attendu"),
    [
        (1.0, "2026-12-31", None, "atteint"),
        (1.0, "2020-12-31", NON_ATTEINT, "atteint"),
        (0.9, "2026-12-31", "T3 2026", "en bonne voie"),
        (0.9, "2026-12-31", "T4 2026", "en bonne voie"),  # fin de trimestre = échéance
        (0.9, "2026-12-31", "T1 2027", "en retard"),
        (0.9, "2026-12-31", "2026-11-30", "en bonne voie"),
        (0.9, date(2026, 12, 31), date(2027, 1, 1), "en retard"),
        (0.9, "2026-12-31", NON_ATTEINT, "en retard"),
        (0.9, "2026-12-31", HISTORIQUE_INSUFFISANT, "en retard"),
        (0.9, "2026-12-31", None, "en retard"),
        (0.9, "2025-12-31", "T3 2027", "en retard"),  # échéance passée
        (None, "2026-12-31", "T3 2026", "non disponible"),
        (float("nan"), "2026-12-31", "T3 2026", "non disponible"),
        (NA, "2026-12-31", "T3 2026", "non disponible"),
    ],
)
def test_statut_objectif(taux, date_cible, trajectoire, attendu):
    assert statut_objectif(taux, date_cible, trajectoire) == attendu


def test_statut_objectif_cible_partielle():
    assert statut_objectif(0.85, "2022-12-31", None, cible=0.8) == "atteint"
    assert statut_objectif(0.75, "2022-12-31", "T2 2022", cible=0.8) == "en bonne voie"


def test_chaine_complete_sur_les_fixtures(territoire):
    """Source → indicators on the hand-made workbook: Lorient at T2 2026."""
    from dashboard.sources.arcep_deploiements import FICHIER, SOURCE
    from dashboard.sources.base import Contexte
    from tests.conftest import FIXTURES

    contexte = Contexte(territoire, frozenset({"56121", "56098", "56188"}), ())
    frame = SOURCE.lire_et_valider({FICHIER: (FIXTURES / "arcep_ftth" / "actuel.xlsx").read_bytes()},
                                   contexte).frame
    tendance = tendance_4_trimestres(frame).set_index("code")
    # Lorient : 35 400 / (35 880 − 300) ; rythme (35 400 − 34 000) / 4 = 350 ; reste 180 → 1 trimestre
    assert tendance.loc["56121", "taux_ftth"] == pytest.approx(35400 / 35580)
    assert tendance.loc["56121", "rythme_trimestriel"] == 350.0
    assert tendance.loc["56121", "reste_a_raccorder"] == 180
    assert tendance.loc["56121", "projection_100_pourcent"] == "T3 2026"
    # Quistinic : (760 − 400) / 4 = 90 ; reste 845 − 760 = 85 → T3 2026
    assert tendance.loc["56188", "projection_100_pourcent"] == "T3 2026"
    assert statut_objectif(tendance.loc["56121", "taux_ftth"], "2026-12-31",
                           tendance.loc["56121", "projection_100_pourcent"]) == "en bonne voie"
