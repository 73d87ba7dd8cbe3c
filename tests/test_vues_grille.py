"""Buildings grid on the « Couverture » map: squares merged per scope, classes, sentence, escaping."""

from __future__ import annotations

import json

import folium
import numpy as np
import pandas as pd
import pytest

from dashboard.vues import grille as G
from dashboard.vues.carte import html_autonome

NA = pd.NA
MECHANT = "<img src=x onerror=alert(1)>${alert(2)}`"


def grille(fibre: list | None = None) -> pd.DataFrame:
    """Four rows: square C1 shared by 56001 and 56002, C2 in 56002, C3 in 56003 (out of scope).
    Centres in Lambert-93 metres; C1 and C2 are neighbours (C2 is east of C1)."""
    return pd.DataFrame({
        "code_insee": ["56001", "56002", "56002", "56003"],
        "carreau": ["L93_500m_E7000N66000", "L93_500m_E7000N66000", "L93_500m_E7005N66000",
                    "L93_500m_E7010N66000"],
        "x_centre": pd.array([700250.0, 700250.0, 700750.0, 701250.0], dtype="Float64"),
        "y_centre": pd.array([6600250.0] * 4, dtype="Float64"),
        "immeubles": pd.array([2, 3, 4, 1], dtype="Int64"),
        "locaux": pd.array([10, 5, 4, 1], dtype="Int64"),
        "locaux_ftth_deploye": pd.array(fibre if fibre is not None else [NA] * 4, dtype="Int64"),
        "date": ["2026-06-30"] * 4,
    })


NOMS = pd.Series({"56001": "Béta", "56002": "Alpha", "56003": "Gamma"})


def test_carreaux_fusionnes_et_limites_au_perimetre():
    carreaux = G.carreaux_du_perimetre(grille([1, 3, 0, 1]), ["56001", "56002"], NOMS)
    assert carreaux["carreau"].tolist() == ["L93_500m_E7000N66000", "L93_500m_E7005N66000"]
    assert carreaux["communes"].tolist() == ["Alpha, Béta", "Alpha"]  # shared square drawn once
    assert carreaux["immeubles"].tolist() == [5, 4]
    assert carreaux["locaux"].tolist() == [15, 4]
    assert carreaux["fibre"].tolist() == [4, 0]
    assert carreaux["part_fibre"].tolist() == pytest.approx([0.8, 0.0])  # 4/5 buildings, 0/4
    seule = G.carreaux_du_perimetre(grille([1, 3, 0, 1]), ["56002"], NOMS)
    assert seule["immeubles"].tolist() == [3, 4] and seule["part_fibre"].tolist() == pytest.approx([1.0, 0.0])


def test_fibre_inconnue_jamais_zero():
    carreaux = G.carreaux_du_perimetre(grille([1, NA, 0, 1]), ["56001", "56002"], NOMS)
    assert carreaux["fibre"].isna().tolist() == [True, False]  # one commune of C1 does not say
    assert carreaux["part_fibre"].isna().tolist() == [True, False]
    assert G.mesure_grille(carreaux) == G.MESURE_FIBRE
    base_imb = G.carreaux_du_perimetre(grille(), ["56001", "56002"], NOMS)
    assert base_imb["fibre"].isna().all()
    assert G.mesure_grille(base_imb) == G.MESURE_LOCAUX


def test_perimetre_sans_immeuble():
    vide = G.carreaux_du_perimetre(grille(), ["99999"], NOMS)
    assert vide.empty
    affichee = G.preparer_grille(grille(), ["99999"], NOMS, de="de Nulle-Part", edition="T2 2026", demo=False)
    assert affichee.geojson["features"] == []
    assert affichee.phrase == "Aucun immeuble de Nulle-Part dans le fichier des immeubles de l'ARCEP."
    carte = folium.Map(tiles=None)
    assert G.ajouter_grille(carte, affichee) is carte and G.ajouter_grille(carte, None) is carte


@pytest.mark.parametrize(("valeur", "indice"), [(0.0, 0), (0.001, 1), (0.4999, 1), (0.5, 2), (0.8, 3),
                                                  (0.999, 3), (1.0, 4), (None, None), (NA, None)])
def test_classes_fibre(valeur, indice):
    classes = G.classes_grille(G.MESURE_FIBRE)
    assert G.indice_classe(valeur, classes) == indice
    assert classes[0].couleur == G.COULEUR_SANS_FIBRE
    assert classes[0].libelle == "0\u00a0% : aucun immeuble raccordable"
    assert classes[-1].libelle == "100\u00a0%"


@pytest.mark.parametrize(("valeur", "indice"), [(1, 0), (9, 0), (10, 1), (49, 1), (50, 2), (199, 2),
                                                  (200, 3), (999, 3), (1000, 4), (25_000, 4)])
def test_classes_locaux(valeur, indice):
    classes = G.classes_grille(G.MESURE_LOCAUX)
    assert G.indice_classe(valeur, classes) == indice
    assert [c.libelle for c in classes] == ["1 à 9 locaux", "10 à 49 locaux", "50 à 199 locaux",
                                            "200 à 999 locaux", "1\u202f000 locaux et plus"]


def test_carres_lambert93_projetes_et_jointifs():
    anneaux = G.coins_wgs84(np.array([700250.0, 700750.0]), np.array([6600250.0, 6600250.0]))
    assert anneaux.shape == (2, 5, 2)
    assert (anneaux[:, 0] == anneaux[:, 4]).all()  # closed rings
    # Lambert-93 (700 000, 6 600 000) is the projection's origin, 3° E 46.5° N: the south-west corner.
    assert anneaux[0, 0].tolist() == pytest.approx([3.0, 46.5], abs=1e-4)
    # 500 m east at 46.5° N: 500 / (111 320 × cos 46.5°) = 0.00653° of longitude.
    assert anneaux[0, 1, 0] - anneaux[0, 0, 0] == pytest.approx(0.00653, abs=2e-4)
    # Neighbours share their corners exactly (no gap, no overlap).
    assert anneaux[0, 1].tolist() == anneaux[1, 0].tolist() and anneaux[0, 2].tolist() == anneaux[1, 3].tolist()
    assert all(round(v, G.DECIMALES) == v for v in anneaux.ravel().tolist())


def test_geojson_locaux_et_fibre():
    locaux = G.preparer_grille(grille(), ["56001", "56002"], NOMS, de="d'ici", edition="T2 2026", demo=True)
    proprietes = [f["properties"] for f in locaux.geojson["features"]]
    assert proprietes == [{"k": 1, "communes": "Alpha, Béta", "immeubles": "5", "locaux": "15"},
                          {"k": 0, "communes": "Alpha", "immeubles": "4", "locaux": "4"}]
    fibre = G.preparer_grille(grille([1, 3, 0, 1]), ["56001", "56002"], NOMS, de="d'ici", edition="T2 2026",
                              demo=False)
    assert [f["properties"]["fibre"] for f in fibre.geojson["features"]] == [
        "4 sur 5 (80,0\u00a0%)", "0 sur 4 (0,0\u00a0%)"]
    assert [f["properties"]["k"] for f in fibre.geojson["features"]] == [3, 0]
    assert G.style_carreau(0, fibre.classes, G.MESURE_FIBRE)["color"] == G.CONTOUR_SANS_FIBRE
    assert G.style_carreau(-1, fibre.classes, G.MESURE_FIBRE)["fillColor"] == G.COULEUR_INCONNUE


def test_titre_unites_et_demonstration():
    demo = G.preparer_grille(grille(), ["56001"], NOMS, de="de Béta", edition="T2 2026", demo=True)
    assert demo.titre == ("Grille des immeubles — Nombre de locaux (logements et locaux professionnels) par "
                          "carreau de 500 m — ARCEP, T2 2026 — DONNÉES DE DÉMONSTRATION")
    officielle = G.preparer_grille(grille([1, 3, 0, 1]), ["56001"], NOMS, de="de Béta", edition="T2 2026",
                                   demo=False)
    assert "en % par carreau de 500 m" in officielle.titre and "DÉMONSTRATION" not in officielle.titre
    assert not officielle.avec_non_disponible
    partielle = G.preparer_grille(grille([1, NA, 0, 1]), ["56001", "56002"], NOMS, de="d'ici", edition="T2 2026",
                                  demo=False)
    assert partielle.avec_non_disponible  # the legend then shows « donnée non disponible »


def test_phrase_locaux_calculee_a_la_main():
    # Squares of 100, 5, 3 and 2 locaux (110 in all): the largest alone holds half of them;
    # three squares have fewer than 10 locaux, 10 locaux in all (9,1 %).
    frame = pd.DataFrame({
        "code_insee": ["56001"] * 4,
        "carreau": [f"L93_500m_E{7000 + 5 * i}N66000" for i in range(4)],
        "x_centre": [700250.0 + 500 * i for i in range(4)], "y_centre": [6600250.0] * 4,
        "immeubles": pd.array([20, 5, 3, 2], dtype="Int64"), "locaux": pd.array([100, 5, 3, 2], dtype="Int64"),
        "locaux_ftth_deploye": pd.array([NA] * 4, dtype="Int64"), "date": ["2026-06-30"] * 4,
    })
    carreaux = G.carreaux_du_perimetre(frame, ["56001"], NOMS)
    assert G.phrase_grille(carreaux, G.MESURE_LOCAUX, "de Béta").startswith(
        "Les 110 locaux de Béta occupent 4 carreaux de 500 m : la moitié d'entre eux se concentre dans "
        "1 carreau (25,0\u00a0%), tandis que 3 carreaux comptent moins de 10 locaux (habitat dispersé : "
        "10 locaux, 9,1\u00a0% du total).")


def test_phrase_fibre_calculee_a_la_main():
    carreaux = G.carreaux_du_perimetre(grille([1, 3, 0, 1]), ["56001", "56002"], NOMS)
    # C2 (4 buildings of 9) has no fibre: 44,4 %; no square is fully served.
    assert G.phrase_grille(carreaux, G.MESURE_FIBRE, "d'ici") == (
        "Sur les 2 carreaux de 500 m habités d'ici, 1 carreau n'a encore aucun immeuble raccordable à la fibre "
        "(4 immeubles, 44,4\u00a0% du total) ; aucun n'est entièrement raccordable.")
    # 56002's part of square C1 alone: its 3 buildings all served.
    seule = G.carreaux_du_perimetre(grille([1, 3, 0, 1]), ["56002"], NOMS).iloc[:1]
    assert G.phrase_grille(seule, G.MESURE_FIBRE, "d'Alpha") == (
        "Sur le seul carreau de 500 m habité d'Alpha, il a au moins un immeuble raccordable à la fibre ; "
        "1 est entièrement raccordable.")


def test_tableau_par_commune():
    tableau = G.tableau_grille(grille([1, 3, 0, 1]), ["56001", "56002"], NOMS)
    assert tableau["commune"].tolist() == ["Alpha", "Béta"]
    assert tableau["carreaux"].tolist() == [2, 1]
    assert tableau["locaux"].tolist() == [9, 10]
    assert tableau["carreaux_disperses"].tolist() == [2, 0]  # 5 and 4 locaux < 10; 10 is not
    assert tableau["locaux_disperses"].tolist() == [9, 0]
    assert tableau["carreaux_sans_fibre"].tolist() == [1, 0]
    assert tableau["part_fibre"].tolist() == pytest.approx([3 / 7, 1 / 2])
    inconnue = G.tableau_grille(grille(), ["56001", "56002"], NOMS)
    assert inconnue["part_fibre"].isna().all() and inconnue["carreaux_sans_fibre"].isna().all()


def test_textes_echappes_dans_l_infobulle():
    noms = pd.Series({"56001": MECHANT, "56002": "Alpha"})
    affichee = G.preparer_grille(grille([1, 3, 0, 1]), ["56001", "56002"], noms, de="d'ici", edition="T2 2026",
                                 demo=False)
    donnees = json.dumps(affichee.geojson)
    assert "<img" not in donnees and "${" not in donnees and "`" not in donnees
    assert "&lt;img src=x onerror=alert(1)&gt;&#36;{alert(2)}&#96;" in donnees
    carte = G.ajouter_grille(folium.Map(tiles=None), affichee)
    page = html_autonome(carte)
    assert "onerror=alert(1)>" not in page and "${alert(2)}" not in page
    assert "Immeubles raccordables \\u00e0 la fibre" in page or "Immeubles raccordables à la fibre" in page
    assert page.count("/app/static/vendor/leaflet/leaflet.js") == 1 and "cdn" not in page.lower()


def test_poids_de_la_carte_du_territoire(reference):
    """The whole territory's grid (bundled edition) stays a few hundred kB once rendered."""
    from dashboard import chemins
    from dashboard.magasin import Magasin
    from dashboard.vues.carte import carte_communes
    from dashboard.vues.classes import classes_quantiles

    frame = Magasin(chemins.dossier_instantanes()).charger("arcep_immeubles").frame
    noms = reference.communes.set_index("code_insee")["nom"]
    affichee = G.preparer_grille(frame, list(noms.index), noms, de="du Pays", edition="T2 2026", demo=True)
    assert len(affichee.geojson["features"]) == frame["carreau"].nunique()
    valeurs = pd.Series(1.0, index=noms.index)
    carte = carte_communes(reference.communes, valeurs, classes_quantiles(valeurs, str), {})
    taille_sans = len(html_autonome(carte).encode())
    taille_avec = len(html_autonome(G.ajouter_grille(carte, affichee)).encode())
    assert taille_avec - taille_sans < 900_000
