"""Supply per commune and per scope: counts, places per 10 000 inhabitants, hours, communes without a place."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.indicateurs.lieux import TYPES
from dashboard.indicateurs.offre import (
    COLONNES_SERVICES,
    COMPTES,
    agreger_offre,
    communes_sans_lieu,
    offre_par_commune,
)

DEMARCHES = "Aide aux démarches administratives"
LOISIRS = "Loisirs et créations numériques"


def lieu(id_: str, code: str, categorie: str = "Lieu de médiation numérique", **autres) -> dict:
    ligne = {"id": id_, "source": "mediation_numerique", "nom": id_, "adresse": "", "code_insee": code,
             "commune": code, "latitude": 47.7, "longitude": -3.3, "categorie": categorie, "typologies": "",
             "services": "", "publics": "", "gratuit": None, "itinerant": False, "ouvert_samedi": None,
             "heures_par_semaine": None, "site_web": None, "conseiller_numerique": None, "est_tiers_lieu": False,
             "ids_fusionnes": ""}
    ligne.update(autres)
    return ligne


@pytest.fixture
def communes() -> pd.DataFrame:
    return pd.DataFrame({
        "code_insee": ["56004", "56001", "56002", "56003"],  # unsorted on purpose
        "nom": ["D", "A", "B", "C"],
        "population": pd.array([None, 20_000, 5_000, 800], dtype="Int64"),
    })


@pytest.fixture
def lieux() -> pd.DataFrame:
    lignes = [
        lieu("fs-1", "56001", "France services", services=DEMARCHES, gratuit=True, heures_par_semaine=24.0),
        lieu("fs-2", "56001", "France services", services=DEMARCHES, gratuit=True, heures_par_semaine=30.0,
             itinerant=True),
        lieu("med-1", "56001", services=f"{DEMARCHES}|{LOISIRS}", gratuit=True, ouvert_samedi=True,
             heures_par_semaine=12.0),
        lieu("med-2", "56001", services=LOISIRS),  # fees and hours unknown
        lieu("cget-1", "56002", "Tiers-lieu", est_tiers_lieu=True),
        lieu("med-3", "56004", gratuit=False, heures_par_semaine=6.0),
        lieu("med-4", "29019", gratuit=True),  # outside the communes: never counted
    ]
    return pd.DataFrame(lignes).astype(TYPES)


def test_offre_par_commune(communes, lieux):
    offre = offre_par_commune(lieux, communes)
    assert offre.columns.tolist() == ["code_insee", "nom", "population", *COMPTES, "lieux_pour_10000_hab",
                                      "heures_hebdo_total", "heures_hebdo_mediane", "sans_lieu"]
    colonnes = ["code_insee", "nom", "population", "nb_lieux", "nb_france_services", "nb_tiers_lieux",
                "nb_lieux_mediation", "nb_lieux_est_tiers_lieu", "nb_service_demarches_administratives",
                "nb_service_loisirs_creations", "nb_lieux_gratuits", "nb_lieux_gratuite_inconnue",
                "nb_lieux_itinerants", "nb_lieux_ouverts_samedi", "nb_lieux_horaires_connus",
                "lieux_pour_10000_hab", "heures_hebdo_total", "heures_hebdo_mediane", "sans_lieu"]
    entiers = dict.fromkeys(colonnes[3:15], "Int64")
    attendu = pd.DataFrame([
        # A: 4 places for 20 000 inhabitants → 2 per 10 000; hours 24 + 30 + 12 = 66, median 24
        ["56001", "A", 20_000, 4, 2, 0, 2, 0, 3, 2, 3, 1, 1, 1, 3, 2.0, 66.0, 24.0, False],
        # B: 1 place for 5 000 → 2 per 10 000; its hours are unknown → total and median unknown
        ["56002", "B", 5_000, 1, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2.0, None, None, False],
        # C: no place → rate 0, 0 hours, flagged
        ["56003", "C", 800, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.0, 0.0, None, True],
        # D: population unknown → rate unknown (never 0)
        ["56004", "D", None, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, None, 6.0, 6.0, False],
    ], columns=colonnes).astype({"code_insee": "str", "nom": "str", "population": "Int64", **entiers,
                                 "lieux_pour_10000_hab": "Float64", "heures_hebdo_total": "Float64",
                                 "heures_hebdo_mediane": "Float64", "sans_lieu": "boolean"})
    pd.testing.assert_frame_equal(offre[colonnes], attendu)
    autres_services = [c for c in COLONNES_SERVICES.values()
                       if c not in ("nb_service_demarches_administratives", "nb_service_loisirs_creations")]
    assert offre[autres_services].sum().sum() == 0


def test_agreger_offre_somme_puis_recalcule(communes, lieux):
    offre = offre_par_commune(lieux, communes)
    perimetre = agreger_offre(offre, lieux, ["56001", "56002", "56003"], code="200042174", libelle="EPCI")
    ligne = perimetre.iloc[0]
    assert (ligne["code"], ligne["libelle"], ligne["nb_communes"], ligne["nb_communes_sans_lieu"]) == (
        "200042174", "EPCI", 3, 1)
    assert (ligne["population"], ligne["nb_lieux"], ligne["nb_france_services"], ligne["nb_lieux_gratuits"]) == (
        25_800, 5, 2, 3)
    # 5 places for 25 800 inhabitants, not the mean of the communal rates (2, 2, 0)
    assert ligne["lieux_pour_10000_hab"] == pytest.approx(5 / 25_800 * 10_000)
    # median over the places (24, 30, 12), not over communal medians
    assert (ligne["heures_hebdo_total"], ligne["heures_hebdo_mediane"]) == (66.0, 24.0)
    assert perimetre.dtypes["population"] == "Int64" and perimetre.dtypes["lieux_pour_10000_hab"] == "Float64"


def test_agreger_offre_population_inconnue(communes, lieux):
    offre = offre_par_commune(lieux, communes)
    ligne = agreger_offre(offre, lieux, ["56001", "56004"]).iloc[0]
    assert ligne["nb_lieux"] == 5 and pd.isna(ligne["population"]) and pd.isna(ligne["lieux_pour_10000_hab"])
    assert ligne["heures_hebdo_mediane"] == 18.0  # median of 24, 30, 12, 6


def test_communes_sans_lieu(communes, lieux):
    pd.testing.assert_frame_equal(
        communes_sans_lieu(offre_par_commune(lieux, communes)),
        pd.DataFrame({"code_insee": ["56003"], "nom": ["C"], "population": pd.array([800], dtype="Int64")}
                     ).astype({"code_insee": "str", "nom": "str"}))


def test_aucun_lieu(communes, lieux):
    offre = offre_par_commune(lieux.iloc[0:0], communes)
    assert offre["sans_lieu"].all() and (offre["nb_lieux"] == 0).all()
    assert offre["lieux_pour_10000_hab"].tolist()[:3] == [0.0, 0.0, 0.0]
    assert pd.isna(offre["lieux_pour_10000_hab"].iloc[3])  # D: population unknown
