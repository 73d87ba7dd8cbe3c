"""Estimated illectronisme and the IFN-inspired fragility index: hand-computed values on 3 communes."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from dashboard.erreurs import ErreurConfiguration
from dashboard.illectronisme import (
    TAUX_ILLECTRONISME_2021,
    TauxIllectronisme,
    TrancheIllectronisme,
    charger_taux_illectronisme,
)
from dashboard.indicateurs import inclusion

NA = pd.NA
R15 = math.sqrt(1.5)  # z-score of (0.1, 0.2, 0.3): ±0.1 / sqrt(0.02 / 3)
R2 = math.sqrt(2)


def communes_insee() -> pd.DataFrame:
    """Three communes in the layout of the ``insee_communes`` source."""
    return pd.DataFrame({
        "code_insee": ["56001", "56002", "56003"],
        "millesime": "2021",
        "population": [1200, 400, 0],
        "pop_0_14": [200, 100, 0],
        "pop_15_29": [150, 300, 0],
        "pop_30_44": [200, 0, 0],
        "pop_45_59": [300, 0, 0],
        "pop_60_74": [250, 0, 0],
        "pop_75_plus": [100, 0, 0],
        "pop_65_plus": [360, NA, 0],
        "non_scolarises_15_plus": [900, 250, 0],
        "peu_diplomes_15_plus": [270, 50, 0],
        "menages": [500, 150, 0],
        "menages_une_personne": [150, 60, 0],
        "taux_pauvrete": [12.5, NA, NA],
        "taux_pauvrete_masque": [False, True, True],
    }).astype({"code_insee": "str", "millesime": "str", "taux_pauvrete": "Float64",
               "taux_pauvrete_masque": "boolean", **{c: "Int64" for c in (
                   "population", "pop_0_14", "pop_15_29", "pop_30_44", "pop_45_59", "pop_60_74", "pop_75_plus",
                   "pop_65_plus", "non_scolarises_15_plus", "peu_diplomes_15_plus", "menages",
                   "menages_une_personne")}})


# --------------------------------------------------------------------------- rates file
def test_fichier_des_taux_publies_et_hypotheses():
    taux = TAUX_ILLECTRONISME_2021
    assert (taux.publication, taux.annee_donnees, taux.url, taux.taux_ensemble) == (
        "Insee Première n° 1953", 2021, "https://www.insee.fr/fr/statistiques/7633654", 0.154)
    assert [(t.libelle, t.taux, t.statut) for t in taux.tranches] == [
        ("15-24 ans", 0.02, "publie"), ("25-39 ans", 0.04, "publie"), ("40-59 ans", 0.04, "hypothese"),
        ("60-74 ans", 0.24, "publie"), ("75 ans ou plus", 0.62, "publie")]
    assert taux.tranches[0].justification == "2 % des 15-24 ans"
    assert "borne basse" in taux.tranches[2].justification


@pytest.mark.parametrize(("remplacement", "ligne", "colonne", "message"), [
    (("age_min = 25", "age_min = 26"), 37, "age_min", "« age_min » vaut 26, 25 attendu"),
    (("taux = 0.24", "taux = 24"), 57, "taux", "« taux » doit être une part entre 0 et 1"),
    (('statut = "hypothese"', 'statut = "estime"'), 47, "statut", "« statut » doit valoir publie ou hypothese"),
    (("age_min = 75\n", "age_min = 75\nage_max = 99\n"), 63, "age_max", "la dernière tranche doit être ouverte"),
    (('citation = "2 % des 15-24 ans"', 'source = "x"'), 34, "source", "clé inconnue « source »"),
])
def test_fichier_des_taux_invalide(tmp_path: Path, remplacement, ligne, colonne, message):
    texte = (Path(__file__).resolve().parents[1] / "data" / "illectronisme_taux.toml").read_text(encoding="utf-8")
    ancien, nouveau = remplacement
    assert ancien in texte
    chemin = tmp_path / "illectronisme_taux.toml"
    chemin.write_text(texte.replace(ancien, nouveau, 1), encoding="utf-8")
    with pytest.raises(ErreurConfiguration) as exc:
        charger_taux_illectronisme(chemin)
    assert (exc.value.fichier, exc.value.ligne, exc.value.colonne) == ("illectronisme_taux.toml", ligne, colonne)
    assert message in exc.value.message


# --------------------------------------------------------------------------- illectronisme
def test_correspondance_des_tranches_insee():
    table = inclusion.taux_par_tranche_insee()
    assert table["tranche"].tolist() == ["pop_15_29", "pop_30_44", "pop_45_59", "pop_60_74", "pop_75_plus"]
    # 15-29: 10 years at 2 % (15-24) + 5 years at 4 % (25-29); 30-44: 10 years at 4 % + 5 at 4 % (hypothesis)
    assert table["taux"].tolist() == pytest.approx([(10 * 0.02 + 5 * 0.04) / 15, 0.04, 0.04, 0.24, 0.62])
    assert table["hypothese"].tolist() == [False, True, True, False, False]
    assert table.loc[0, "detail"] == ("15-24 ans (2\u00a0%, publié) sur 10 ans + 25-39 ans (4\u00a0%, publié) "
                                      "sur 5 ans")
    assert table.loc[2, "detail"] == "40-59 ans (4\u00a0%, hypothèse)"


def test_illectronisme_estime_valeurs_calculees_a_la_main():
    entree = communes_insee()
    copie = entree.copy()
    resultat = inclusion.illectronisme_estime(entree)
    # 56001: 150 × 0.4/15 + 200 × 0.04 + 300 × 0.04 + 250 × 0.24 + 100 × 0.62 = 4 + 8 + 12 + 60 + 62 = 146
    # 56002: 300 × 0.4/15 = 8 ; 56003: nobody aged 15+ → share not available
    attendu = pd.DataFrame({
        "code_insee": ["56001", "56002", "56003"],
        "population_15_plus": [1000, 300, 0],
        "personnes_estimees": [146.0, 8.0, 0.0],
        "part_estimee": [0.146, 8 / 300, NA],
    }).astype({"code_insee": "str", "population_15_plus": "Int64", "personnes_estimees": "Float64",
               "part_estimee": "Float64"})
    pd.testing.assert_frame_equal(resultat.drop(columns="methode"), attendu, check_exact=False, rtol=1e-12)
    pd.testing.assert_frame_equal(entree, copie)
    methode = resultat["methode"].iloc[0]
    assert resultat["methode"].nunique() == 1
    assert methode.startswith("Estimation, pas une mesure : l'INSEE ne publie pas l'illectronisme par commune.")
    assert "(recensement 2021)" in methode and "Insee Première n° 1953, données 2021" in methode
    assert "15-29 ans : 2,67\u00a0%" in methode and "Tranche 40-59 ans non publiée" in methode
    assert methode.endswith("Source : https://www.insee.fr/fr/statistiques/7633654")


def test_illectronisme_avec_d_autres_taux():
    taux = TauxIllectronisme(
        producteur="INSEE", publication="essai", titre="essai", date_publication="2020-01-01", annee_donnees=2019,
        url="https://example.invalid", enquete="essai", champ="essai", taux_ensemble=0.2, citation_ensemble="",
        tranches=(TrancheIllectronisme(15, 29, 0.10, "publie", "a"), TrancheIllectronisme(30, 59, 0.20, "publie", "b"),
                  TrancheIllectronisme(60, None, 0.50, "publie", "c")))
    resultat = inclusion.illectronisme_estime(communes_insee(), taux)
    # 150 × 0.1 + 200 × 0.2 + 300 × 0.2 + 250 × 0.5 + 100 × 0.5 = 15 + 40 + 60 + 125 + 50
    assert resultat["personnes_estimees"].tolist() == pytest.approx([290.0, 30.0, 0.0])
    assert "Tranche" not in resultat["methode"].iloc[0]  # no hypothesis to explain


# --------------------------------------------------------------------------- components
def test_composantes_calculees_et_valeurs_masquees_restent_masquees():
    entree = communes_insee()
    resultat = inclusion.composantes_fragilite(entree, pd.Series({"56001": 0.1, "56003": 0.3}))
    attendu = pd.DataFrame({
        "code_insee": ["56001", "56002", "56003"],
        "part_non_thd": [0.1, NA, 0.3],  # 56002 absent from the coverage series
        "part_65_plus": [0.3, NA, NA],  # 360 / 1200 ; unknown ; 0 / 0
        "part_peu_diplomes": [0.3, 0.2, NA],  # 270 / 900 ; 50 / 250 ; 0 / 0
        "taux_pauvrete": [0.125, NA, NA],  # 12.5 % → 0.125 ; masked stays masked
        "part_menages_une_personne": [0.3, 0.4, NA],
    }).astype({"code_insee": "str", **dict.fromkeys(inclusion.COMPOSANTES, "Float64")})
    pd.testing.assert_frame_equal(resultat, attendu)
    sans_couverture = inclusion.composantes_fragilite(entree)
    assert sans_couverture["part_non_thd"].isna().all()
    with pytest.raises(ValueError, match="part attendue entre 0 et 1"):
        inclusion.composantes_fragilite(entree, pd.Series({"56001": 12.5}))


def composantes() -> pd.DataFrame:
    return pd.DataFrame({
        "code_insee": ["A", "B", "C"],
        "part_non_thd": [0.1, 0.2, 0.3],  # z = −√1.5, 0, √1.5
        "part_65_plus": [0.3, 0.2, 0.1],  # z = √1.5, 0, −√1.5
        "part_peu_diplomes": [0.2, 0.2, 0.5],  # mean 0.3, std √0.02 → z = −1/√2, −1/√2, √2
        "taux_pauvrete": [0.10, NA, 0.20],  # B masked; mean 0.15, std 0.05 → z = −1, NA, 1
        "part_menages_une_personne": [0.3, 0.3, 0.3],
    }).astype({"code_insee": "str", **dict.fromkeys(inclusion.COMPOSANTES, "Float64")})


def test_indice_poids_par_defaut_et_renormalisation():
    entree = composantes()
    copie = entree.copy()
    resultat = inclusion.indice_fragilite(entree)
    q = 0.25
    indice_a = q * (-R15) + q * R15 + q * (-1 / R2) + q * (-1)
    indice_b = (0 + 0 - 1 / R2) / 3  # taux_pauvrete masked: 3 components, weights 1/3
    indice_c = q * R15 + q * (-R15) + q * R2 + q * 1
    etendue = indice_c - indice_a
    attendu = pd.DataFrame({
        "code_insee": ["A", "B", "C"],
        "indice": [indice_a, indice_b, indice_c],
        "score_0_10": [0.0, 10 * (indice_b - indice_a) / etendue, 10.0],
        "z_part_non_thd": [-R15, 0.0, R15],
        "poids_part_non_thd": [q, 1 / 3, q],
        "contribution_part_non_thd": [-q * R15, 0.0, q * R15],
        "z_part_65_plus": [R15, 0.0, -R15],
        "poids_part_65_plus": [q, 1 / 3, q],
        "contribution_part_65_plus": [q * R15, 0.0, -q * R15],
        "z_part_peu_diplomes": [-1 / R2, -1 / R2, R2],
        "poids_part_peu_diplomes": [q, 1 / 3, q],
        "contribution_part_peu_diplomes": [-q / R2, -1 / (3 * R2), q * R2],
        "z_taux_pauvrete": [-1.0, NA, 1.0],
        "poids_taux_pauvrete": [q, NA, q],
        "contribution_taux_pauvrete": [-q, NA, q],
        "nb_composantes": [4, 3, 4],
        "composantes_manquantes": ["", "taux_pauvrete", ""],
    })
    attendu = attendu.astype({c: "Float64" for c in attendu.columns
                              if c not in ("code_insee", "nb_composantes", "composantes_manquantes")})
    attendu = attendu.astype({"code_insee": "str", "nb_composantes": "Int64", "composantes_manquantes": "str"})
    pd.testing.assert_frame_equal(resultat, attendu, check_exact=False, rtol=1e-12, atol=1e-12)
    assert resultat["indice"].tolist() == pytest.approx([-0.4267766952966369, -0.23570226039551587,
                                                         0.6035533905932737])
    pd.testing.assert_frame_equal(entree, copie)


def test_indice_poids_choisis_par_l_utilisateur():
    resultat = inclusion.indice_fragilite(composantes(), {"part_65_plus": 3, "taux_pauvrete": 1})
    assert list(resultat.columns) == [
        "code_insee", "indice", "score_0_10", "z_part_65_plus", "poids_part_65_plus", "contribution_part_65_plus",
        "z_taux_pauvrete", "poids_taux_pauvrete", "contribution_taux_pauvrete", "nb_composantes",
        "composantes_manquantes"]
    # A: 0.75 × √1.5 + 0.25 × (−1) ; B: only the 65+ left, weight 1, z = 0 ; C: 0.75 × (−√1.5) + 0.25 × 1
    assert resultat["indice"].tolist() == pytest.approx([0.75 * R15 - 0.25, 0.0, -0.75 * R15 + 0.25])
    assert resultat["poids_part_65_plus"].tolist() == pytest.approx([0.75, 1.0, 0.75])
    assert resultat["poids_taux_pauvrete"].isna().tolist() == [False, True, False]
    assert resultat["score_0_10"].tolist() == pytest.approx([10.0, 5.0, 0.0])


def test_composante_absente_partout_et_composante_sans_dispersion():
    entree = composantes().drop(columns="part_non_thd")
    resultat = inclusion.indice_fragilite(entree, {"part_non_thd": 1, "part_menages_une_personne": 1})
    # non-THD missing everywhere; one-person households identical everywhere → z = 0
    assert resultat["composantes_manquantes"].tolist() == ["part_non_thd"] * 3
    assert resultat["z_part_menages_une_personne"].tolist() == [0.0, 0.0, 0.0]
    assert resultat["poids_part_menages_une_personne"].tolist() == [1.0, 1.0, 1.0]
    assert resultat["indice"].tolist() == [0.0, 0.0, 0.0]
    assert resultat["score_0_10"].tolist() == [5.0, 5.0, 5.0]


def test_commune_sans_aucune_composante():
    entree = composantes()
    entree.loc[1, list(inclusion.COMPOSANTES)] = NA
    resultat = inclusion.indice_fragilite(entree)
    assert pd.isna(resultat.at[1, "indice"]) and pd.isna(resultat.at[1, "score_0_10"])
    assert resultat.at[1, "nb_composantes"] == 0
    assert resultat.at[1, "composantes_manquantes"] == "part_non_thd, part_65_plus, part_peu_diplomes, taux_pauvrete"
    assert resultat["score_0_10"].tolist()[0::2] == [0.0, 10.0]


@pytest.mark.parametrize(("poids", "message"), [
    ({"part_non_thd": 0, "part_65_plus": 0}, "tous les poids sont nuls"),
    ({"ifn_officiel": 1}, "composante inconnue « ifn_officiel »"),
    ({"part_65_plus": -1}, "poids de « part_65_plus » invalide"),
    ({"part_65_plus": float("nan")}, "poids de « part_65_plus » invalide"),
])
def test_poids_invalides(poids, message):
    with pytest.raises(ErreurConfiguration, match=message):
        inclusion.indice_fragilite(composantes(), poids)


def test_explication_du_methode_en_francais():
    texte = inclusion.explication_indice()
    assert texte.startswith("Cet indice inspiré de l'indice de fragilité numérique (IFN) n'est pas l'IFN officiel")
    assert ("part des habitants de 65 ans ou plus, poids 25\u00a0%" in texte
            and "taux de pauvreté (seuil de 60 % du niveau de vie médian), poids 25\u00a0%" in texte)
    assert "remis à l'échelle" in texte and "relatif au territoire" in texte
    assert texte.endswith("Non retenue ici (poids nul) : part des ménages d'une personne.")
    autre = inclusion.explication_indice({"part_65_plus": 3, "taux_pauvrete": 1})
    assert "2 composantes : part des habitants de 65 ans ou plus, poids 75\u00a0%" in autre
    assert inclusion.LIBELLE_INDICE == "indice inspiré de l'indice de fragilité numérique (IFN)"
