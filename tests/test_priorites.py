"""Priority index (need × supply) on hand-computed communes, weights, URL form, real store."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.erreurs import ErreurConfiguration
from dashboard.indicateurs import priorites as P
from dashboard.indicateurs import synthese_inclusion as si
from dashboard.indicateurs.lieux import lieux_unifies
from dashboard.indicateurs.scenario import lieux_d_aide
from dashboard.magasin import Magasin
from dashboard.parametres_accessibilite import charger_parametres_accessibilite
from tests.conftest import RACINE

NBSP = "\u00a0"


def trois_communes(**remplacements) -> pd.DataFrame:
    """A (56001), B (56002), C (56003) with components chosen for easy normalisation.

    zones_blanches 0,10 / 0,30 / 0,50 → 0 / ½ / 1; fragilite 2 / 8 / 4 → 0 / 1 / ⅓;
    eloignement 0,2 / 0 / 0,1 → 1 / 0 / ½.
    """
    colonnes = {"code_insee": ["56001", "56002", "56003"], "zones_blanches": [0.10, 0.30, 0.50],
                "fragilite": [2.0, 8.0, 4.0], "eloignement": [0.2, 0.0, 0.1]}
    colonnes.update(remplacements)
    return pd.DataFrame(colonnes).astype({"code_insee": "str", "zones_blanches": "Float64", "fragilite": "Float64",
                                          "eloignement": "Float64"})


def attendu(lignes: list[tuple], manquantes: list[str] | None = None, nb: list[int] | None = None) -> pd.DataFrame:
    """Expected frame from rows (code, priorite, rang, raw ×3, norm ×3, contribution ×3)."""
    colonnes = ["code_insee", "priorite", "rang", "zones_blanches", "fragilite", "eloignement",
                "norm_zones_blanches", "norm_fragilite", "norm_eloignement", "contribution_zones_blanches",
                "contribution_fragilite", "contribution_eloignement"]
    cadre = pd.DataFrame(lignes, columns=colonnes)
    cadre = cadre.astype({"code_insee": "str", "rang": "Int64", **{c: "Float64" for c in colonnes
                                                                   if c not in ("code_insee", "rang")}})
    cadre["nb_composantes"] = pd.array(nb or [3] * len(cadre), dtype="Int64")
    cadre["composantes_manquantes"] = pd.array(manquantes or [""] * len(cadre), dtype="str")
    return cadre


def test_trois_communes_poids_egaux():
    tiers = 100 / 3
    pd.testing.assert_frame_equal(P.indice_priorites(trois_communes()), attendu([
        # C: (1 + ⅓ + ½) / 3 × 100 = 61,11 ; B: (½ + 1 + 0) / 3 × 100 = 50 ; A: (0 + 0 + 1) / 3 × 100 = 33,33
        ("56003", 100 * 11 / 18, 1, 0.5, 4.0, 0.1, 1.0, 1 / 3, 0.5, tiers, tiers / 3, tiers / 2),
        ("56002", 50.0, 2, 0.3, 8.0, 0.0, 0.5, 1.0, 0.0, tiers / 2, tiers, 0.0),
        ("56001", tiers, 3, 0.1, 2.0, 0.2, 0.0, 0.0, 1.0, 0.0, 0.0, tiers),
    ]), atol=1e-9)


def test_poids_inegaux_et_somme_des_contributions():
    resultat = P.indice_priorites(trois_communes(), {"zones_blanches": 2, "fragilite": 1, "eloignement": 1})
    # weights ½, ¼, ¼ → C: 50 + 8,33 + 12,5 = 70,83 ; B: 25 + 25 + 0 = 50 ; A: 0 + 0 + 25 = 25
    assert resultat["code_insee"].tolist() == ["56003", "56002", "56001"]
    assert resultat["priorite"].tolist() == pytest.approx([50 + 25 / 3 + 12.5, 50.0, 25.0])
    contributions = resultat[["contribution_zones_blanches", "contribution_fragilite", "contribution_eloignement"]]
    assert contributions.sum(axis=1).tolist() == pytest.approx(resultat["priorite"].tolist())


def test_composante_manquante_renormalise_et_signale():
    resultat = P.indice_priorites(trois_communes(fragilite=[2.0, None, 4.0])).set_index("code_insee")
    # fragility normalised over A and C only: A 0, C 1; B is scored on coverage and remoteness, ½ each
    assert resultat.loc["56002", "priorite"] == pytest.approx(100 * (0.5 * 0.5 + 0.5 * 0.0))
    assert resultat.loc["56002", "contribution_fragilite"] == 0.0
    assert pd.isna(resultat.loc["56002", "norm_fragilite"])
    assert resultat.loc["56002", "composantes_manquantes"] == "fragilite"
    assert resultat.loc["56002", "nb_composantes"] == 2
    assert resultat.loc["56003", "priorite"] == pytest.approx(100 / 3 * (1 + 1 + 0.5))
    assert resultat.loc["56001", "priorite"] == pytest.approx(100 / 3)
    assert resultat["rang"].to_dict() == {"56003": 1, "56001": 2, "56002": 3}


def test_poids_nul_ignore_la_composante():
    resultat = P.indice_priorites(trois_communes(fragilite=[2.0, None, 4.0]),
                                  {"zones_blanches": 1, "fragilite": 0, "eloignement": 1}).set_index("code_insee")
    assert resultat["priorite"].to_dict() == pytest.approx({"56001": 50.0, "56002": 25.0, "56003": 75.0})
    assert resultat["contribution_fragilite"].tolist() == [0.0, 0.0, 0.0]
    assert resultat["composantes_manquantes"].tolist() == ["", "", ""]  # not reported: not used
    assert resultat["nb_composantes"].tolist() == [2, 2, 2]
    assert resultat.loc["56003", "norm_fragilite"] == 1.0  # still shown, for information


def test_colonne_absente_et_commune_sans_aucune_composante():
    composantes = trois_communes(zones_blanches=[0.1, None, None], eloignement=[0.2, None, 0.4]).drop(
        columns="fragilite")
    resultat = P.indice_priorites(composantes)
    assert resultat["code_insee"].tolist() == ["56003", "56001", "56002"]  # unknown priority last
    assert resultat["rang"].tolist()[:2] == [1, 2] and pd.isna(resultat["rang"].iloc[2])
    assert pd.isna(resultat["priorite"].iloc[2])
    assert resultat["composantes_manquantes"].tolist() == ["zones_blanches, fragilite", "fragilite",
                                                          "zones_blanches, fragilite, eloignement"]
    # C: only remoteness known, normalised 1 → 100 ; A: coverage 0 (alone: does not vary), remoteness 0 → 0
    assert resultat["priorite"].tolist()[:2] == pytest.approx([100.0, 0.0])


def test_egalites_departagees_par_code_et_composante_constante():
    composantes = pd.DataFrame({
        "code_insee": ["56009", "56004", "56007"], "zones_blanches": [0.0, 1.0, 0.5],
        "fragilite": [5.0, 5.0, 5.0], "eloignement": [1.0, 0.0, 0.5],
    })
    resultat = P.indice_priorites(composantes)
    assert resultat["norm_fragilite"].tolist() == [0.0, 0.0, 0.0]  # does not vary → 0 everywhere
    assert resultat["priorite"].tolist() == pytest.approx([100 / 3] * 3)
    assert resultat["code_insee"].tolist() == ["56004", "56007", "56009"]
    assert resultat["rang"].tolist() == [1, 2, 3]


def test_resultat_independant_de_l_ordre_des_lignes():
    composantes = trois_communes()
    melange = composantes.iloc[[2, 0, 1]].reset_index(drop=True)
    pd.testing.assert_frame_equal(P.indice_priorites(melange), P.indice_priorites(composantes))
    pd.testing.assert_frame_equal(composantes, trois_communes())  # input untouched


@pytest.mark.parametrize(("poids", "message"), [
    ({"zones_blanches": 1, "couverture": 1}, "composante de priorité inconnue « couverture »"),
    ({"zones_blanches": -1}, "poids de « zones_blanches » invalide : -1"),
    ({"fragilite": float("nan")}, "poids de « fragilite » invalide : nan"),
    ({"fragilite": "2"}, "poids de « fragilite » invalide : '2'"),
    ({"zones_blanches": 0, "fragilite": 0}, "tous les poids de l'indice de priorité sont nuls"),
])
def test_poids_invalides_erreur_en_francais(poids, message):
    with pytest.raises(ErreurConfiguration, match=message):
        P.indice_priorites(trois_communes(), poids)


def test_valeurs_hors_bornes_et_doublons():
    with pytest.raises(ValueError, match="composante « fragilite » : valeur attendue entre 0 et 10"):
        P.indice_priorites(trois_communes(fragilite=[2.0, 12.0, 4.0]))
    with pytest.raises(ValueError, match=r"composante « zones_blanches » : valeur attendue entre 0 et 1 .* 56003"):
        P.indice_priorites(trois_communes(zones_blanches=[0.1, 0.3, 30.0]))
    with pytest.raises(ValueError, match="commune 56001 en double"):
        P.indice_priorites(trois_communes(code_insee=["56001", "56001", "56003"]))


def test_poids_depuis_et_vers_l_url():
    poids = P.poids_priorites_depuis_texte("zones_blanches:2,inconnu:9,fragilite:abc,eloignement:99")
    assert poids == {"zones_blanches": 2.0, "fragilite": 1.0, "eloignement": 5.0}  # bad ignored, capped
    assert P.poids_priorites_vers_texte(poids) == "zones_blanches:2,fragilite:1,eloignement:5"
    assert P.poids_priorites_depuis_texte(P.poids_priorites_vers_texte(poids)) == poids
    assert P.poids_priorites_depuis_texte(None) == P.POIDS_DEFAUT
    assert P.poids_priorites_depuis_texte("zones_blanches:0,fragilite:0,eloignement:0") == P.POIDS_DEFAUT
    assert P.poids_priorites_depuis_texte("fragilite:-3,eloignement:inf")["fragilite"] == 0.0


def test_explication():
    texte = P.explication_priorites({"zones_blanches": 1, "fragilite": 0, "eloignement": 1},
                                    "plus de 10 km à vol d'oiseau")
    assert "Il combine 2 composantes" in texte
    assert f"moins de 30 Mbit/s ; ARCEP, Ma connexion internet), poids 50{NBSP}%" in texte
    assert "à plus de 10 km à vol d'oiseau du lieu d'aide le plus proche" in texte
    assert "min-max" in texte and "centrage-réduction" in texte
    assert texte.endswith("Non retenue ici (poids nul) : fragilité sociale (indice inspiré de l'indice de "
                          "fragilité numérique (IFN), sans la couverture).")
    with pytest.raises(ErreurConfiguration):
        P.explication_priorites({"zones_blanches": 0})


def test_composantes_depuis_les_tableaux():
    mci = pd.DataFrame({
        "code": ["56001", "56001", "56002", "56002", "56003", "56003"], "niveau": "commune",
        "fichier": "debit_filaire", "mesure": ["nbr", "elig_thd30"] * 3,
        "valeur": pd.array([200, 150, 100, 100, 0, 0], dtype="Int64"), "date": "2026-06-30",
    })
    fragilite = pd.DataFrame({"code_insee": ["56002", "56001", "29001"], "score_0_10": [10.0, 0.0, 3.0]})
    eloignement = pd.DataFrame({"code_insee": ["56001", "56003"], "part_au_dela": [0.25, None]})
    resultat = P.composantes_priorites(["56003", "56001", "56002"], mci=mci, fragilite=fragilite,
                                       eloignement=eloignement)
    pd.testing.assert_frame_equal(resultat, pd.DataFrame({
        "code_insee": ["56001", "56002", "56003"],
        "zones_blanches": [0.25, 0.0, None],  # 50 / 200 ; 0 locaux → unknown, never 0
        "fragilite": [0.0, 10.0, None],
        "eloignement": [0.25, None, None],
    }).astype({"code_insee": "str", "zones_blanches": "Float64", "fragilite": "Float64", "eloignement": "Float64"}))
    sans_rien = P.composantes_priorites(["56001"])
    assert sans_rien[["zones_blanches", "fragilite", "eloignement"]].isna().all().all()
    with pytest.raises(ValueError, match="indice de fragilité : colonne\\(s\\) absente\\(s\\) : score_0_10"):
        P.composantes_priorites(["56001"], fragilite=pd.DataFrame({"code_insee": ["56001"]}))


def test_priorites_sur_les_donnees_du_magasin(reference):
    """The 30 communes, committed snapshots: ranks, bounds and sums hold on real-sized data."""
    magasin = Magasin(RACINE / "data" / "snapshots")
    frames = {s: magasin.charger(s).frame for s in ("insee_communes", "arcep_mci", "france_services",
                                                     "mediation_numerique", "tiers_lieux_cget")}
    parametres = charger_parametres_accessibilite(RACINE / "data" / "parametres_accessibilite.toml")
    fragilite = P.fragilite_pour_priorites(frames["insee_communes"])
    assert "z_part_non_thd" not in fragilite.columns  # coverage is not counted twice
    aide = lieux_d_aide(lieux_unifies(frames["france_services"], frames["tiers_lieux_cget"],
                                      frames["mediation_numerique"]).lieux)
    eloignement = si.eloignement_par_commune(reference.communes, aide, frames["insee_communes"],
                                             si.SEUILS["15min_marche"], parametres)
    composantes = P.composantes_priorites(reference.communes["code_insee"], mci=frames["arcep_mci"],
                                          fragilite=fragilite, eloignement=eloignement)
    resultat = P.indice_priorites(composantes)
    assert len(resultat) == 30 and resultat["rang"].tolist() == list(range(1, 31))
    assert resultat["composantes_manquantes"].eq("").all()
    assert resultat["priorite"].is_monotonic_decreasing
    contributions = resultat.filter(like="contribution_").sum(axis=1)
    assert contributions.tolist() == pytest.approx(resultat["priorite"].tolist())
    for cle in P.COMPOSANTES:
        assert (resultat[f"norm_{cle}"].min(), resultat[f"norm_{cle}"].max()) == (0.0, 1.0)
