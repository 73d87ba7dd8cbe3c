"""Unified list of places: columns per source, conservative deduplication (reported), filters."""

from __future__ import annotations

import pandas as pd
import pytest
from pyproj import Transformer

from dashboard.indicateurs.lieux import (
    COLONNES,
    TYPES,
    Fusion,
    filtrer_lieux,
    lieux_unifies,
    similarite_noms,
    vers_lambert93,
)

VERS_WGS84 = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
# A point of Quéven in Lambert-93 metres, and its WGS84 coordinates.
X0, Y0 = 213_000.0, 6_758_000.0


def wgs84(x: float, y: float) -> tuple[float, float]:
    """(latitude, longitude) of a Lambert-93 point."""
    lon, lat = VERS_WGS84.transform(x, y)
    return lat, lon


def france_services(lignes: list[dict]) -> pd.DataFrame:
    colonnes = {"id": "str", "nom": "str", "adresse": "str", "code_insee": "str", "commune": "str",
                "latitude": "Float64", "longitude": "Float64", "type_fs": "str", "format_fs": "str",
                "itinerant": "boolean", "heures_par_semaine": "Float64", "ouvert_samedi": "boolean"}
    return pd.DataFrame(lignes, columns=list(colonnes)).astype(colonnes)


def tiers_lieux(lignes: list[dict]) -> pd.DataFrame:
    colonnes = {"id": "str", "nom": "str", "adresse": "str", "code_insee": "str", "commune": "str",
                "latitude": "Float64", "longitude": "Float64", "typologie": "str", "site_web": "str",
                "edition": "str"}
    return pd.DataFrame(lignes, columns=list(colonnes)).astype(colonnes)


def mediation(lignes: list[dict]) -> pd.DataFrame:
    colonnes = {"id": "str", "nom": "str", "adresse": "str", "code_insee": "str", "commune": "str",
                "latitude": "Float64", "longitude": "Float64", "typologies": "str", "services": "str",
                "publics": "str", "frais": "str", "dispositifs": "str", "itinerant": "boolean",
                "heures_par_semaine": "Float64", "ouvert_samedi": "boolean", "site_web": "str",
                "est_tiers_lieu": "boolean", "conseiller_numerique": "boolean"}
    return pd.DataFrame(lignes, columns=list(colonnes)).astype(colonnes)


def fs(id_: str, nom: str, x: float, y: float, code: str = "56185", commune: str = "Quéven", **autres) -> dict:
    lat, lon = wgs84(x, y)
    return {"id": id_, "nom": nom, "adresse": "Place Pierre Quinio", "code_insee": code, "commune": commune,
            "latitude": lat, "longitude": lon, "type_fs": "Principal", "format_fs": "Fixe", "itinerant": False,
            "heures_par_semaine": None, "ouvert_samedi": None, **autres}


def med(id_: str, nom: str, x: float, y: float, code: str = "56185", commune: str = "Quéven", **autres) -> dict:
    lat, lon = wgs84(x, y)
    ligne = {"id": id_, "nom": nom, "adresse": "1 rue A", "code_insee": code, "commune": commune,
             "latitude": lat, "longitude": lon, "typologies": "EPN", "services": "Loisirs et créations numériques",
             "publics": "", "frais": "Gratuit", "dispositifs": "", "itinerant": False,
             "heures_par_semaine": 12.0, "ouvert_samedi": False, "site_web": None, "est_tiers_lieu": False,
             "conseiller_numerique": False}
    ligne.update(autres)
    return ligne


def test_vers_lambert93_aller_retour_et_valeurs_manquantes():
    lat, lon = wgs84(X0, Y0)
    x, y = vers_lambert93([lon, None], [lat, None])
    assert x[0] == pytest.approx(X0, abs=1e-6) and y[0] == pytest.approx(Y0, abs=1e-6)
    assert pd.isna(x[1]) and pd.isna(y[1])


def test_colonnes_par_source():
    resultat = lieux_unifies(
        france_services([fs("328", "France services Groix", 190_000, 6_744_000, "56069", "Groix",
                            heures_par_semaine=24.0, ouvert_samedi=True)]),
        tiers_lieux([{"id": "299", "nom": "La Colloc", "adresse": "42 avenue de la Perrière", "code_insee": "56121",
                      "commune": "Lorient", "latitude": 47.733097, "longitude": -3.364176, "typologie": "coworking",
                      "site_web": "https://lacolloc.example", "edition": "2019"}]),
        mediation([med("m1", "Médiathèque", X0, Y0, publics="Seniors|Jeunes", frais="Gratuit sous condition|Payant",
                       conseiller_numerique=True, est_tiers_lieu=True, site_web="https://m.example",
                       ouvert_samedi=None, heures_par_semaine=None)]),
    )
    assert resultat.fusions == []
    lat_g, lon_g = wgs84(190_000, 6_744_000)
    lat_m, lon_m = wgs84(X0, Y0)
    attendu = pd.DataFrame({
        "id": ["fs-328", "cget-299", "med-m1"],
        "source": ["france_services", "tiers_lieux_cget", "mediation_numerique"],
        "nom": ["France services Groix", "La Colloc", "Médiathèque"],
        "adresse": ["Place Pierre Quinio", "42 avenue de la Perrière", "1 rue A"],
        "code_insee": ["56069", "56121", "56185"],
        "commune": ["Groix", "Lorient", "Quéven"],
        "latitude": [lat_g, 47.733097, lat_m],
        "longitude": [lon_g, -3.364176, lon_m],
        "categorie": ["France services", "Tiers-lieu", "Lieu de médiation numérique"],
        "typologies": ["RFS", "TIERS_LIEUX", "EPN"],
        "services": ["Aide aux démarches administratives", "", "Loisirs et créations numériques"],
        "publics": ["", "", "Seniors|Jeunes"],
        "gratuit": [True, None, False],
        "itinerant": [False, False, False],
        "ouvert_samedi": [True, None, None],
        "heures_par_semaine": [24.0, None, None],
        "site_web": [None, "https://lacolloc.example", "https://m.example"],
        "conseiller_numerique": [None, None, True],
        "est_tiers_lieu": [False, True, True],
        "ids_fusionnes": ["", "", ""],
    }).astype(TYPES)
    pd.testing.assert_frame_equal(resultat.lieux, attendu)


def test_sources_absentes_donnent_un_tableau_vide_type():
    resultat = lieux_unifies(None, None, mediation([]))
    assert list(resultat.lieux.columns) == list(COLONNES)
    assert resultat.lieux.empty and resultat.fusions == []
    assert resultat.lieux.dtypes.astype(str).to_dict() == {c: str(pd.Series(dtype=t).dtype) for c, t in TYPES.items()}


def test_colonne_manquante_nommee():
    with pytest.raises(ValueError, match="tableau mediation_numerique : colonne\\(s\\) absente\\(s\\) : frais"):
        lieux_unifies(None, None, mediation([]).drop(columns="frais"))


def test_doublon_fusionne_et_signale():
    """France services and a médiation entry 30 m apart, same commune, alike names: one place."""
    resultat = lieux_unifies(
        france_services([fs("3000", "France services de Quéven", X0, Y0)]),
        None,
        mediation([
            med("m12", "Espace France Services Quéven", X0 + 30, Y0, publics="Seniors",
                services="Aide aux démarches administratives|Utilisation sécurisée du numérique",
                heures_par_semaine=30.0, ouvert_samedi=True, conseiller_numerique=True,
                site_web="https://queven.example"),
            med("m13", "Médiathèque de Quéven", X0 + 10, Y0),  # close but another service
        ]),
    )
    assert resultat.fusions == [Fusion(id_conserve="fs-3000", id_fusionne="med-m12",
                                       nom_conserve="France services de Quéven",
                                       nom_fusionne="Espace France Services Quéven",
                                       code_insee="56185", distance_m=30.0, similarite=1.0)]
    assert resultat.fusions[0].message == (
        "« Espace France Services Quéven » (médiation numérique, med-m12) fusionné avec "
        "« France services de Quéven » (France services, fs-3000) : même commune 56185, "
        "30 m d'écart, noms semblables (1,00)")
    lieux = resultat.lieux
    assert lieux["id"].tolist() == ["fs-3000", "med-m13"]
    garde = lieux.iloc[0]
    assert (garde["source"], garde["categorie"], garde["ids_fusionnes"]) == (
        "france_services", "France services", "med-m12")
    assert garde["services"] == "Aide aux démarches administratives|Utilisation sécurisée du numérique"
    assert garde["typologies"] == "RFS|EPN"
    assert garde["publics"] == "Seniors"
    assert (garde["heures_par_semaine"], garde["ouvert_samedi"], garde["conseiller_numerique"]) == (30.0, True, True)
    assert garde["site_web"] == "https://queven.example"
    assert garde["gratuit"]  # France services stays free (not overwritten)


@pytest.mark.parametrize(
    ("decalage_m", "nom", "code", "fusion"),
    [
        (49.0, "France services Quéven", "56185", True),
        (51.0, "France services Quéven", "56185", False),  # 50 m or more: two places
        (10.0, "Mairie de Quéven", "56185", False),  # close but another name
        (10.0, "France services Quéven", "56078", False),  # another commune (border)
    ],
)
def test_regle_de_fusion(decalage_m, nom, code, fusion):
    resultat = lieux_unifies(france_services([fs("3000", "France services de Quéven", X0, Y0)]), None,
                             mediation([med("m1", nom, X0, Y0 + decalage_m, code=code)]))
    assert len(resultat.fusions) == int(fusion)
    assert len(resultat.lieux) == 2 - int(fusion)


def test_pas_de_fusion_dans_une_meme_source_ni_sans_coordonnees():
    """The France services bus and desk at the same address are two entries of the official list."""
    resultat = lieux_unifies(
        france_services([fs("2431", "France services Pimms Lorient", X0, Y0),
                         fs("2624", "Bus France services Pimms Lorient", X0 + 5, Y0, itinerant=True)]),
        None,
        mediation([med("m1", "France services Pimms Lorient", X0, Y0) | {"latitude": None, "longitude": None}]),
    )
    assert resultat.fusions == []
    assert resultat.lieux["id"].tolist() == ["fs-2431", "fs-2624", "med-m1"]


def test_tiers_lieu_cget_fusionne_dans_la_mediation():
    lat, lon = wgs84(X0 + 20, Y0)
    resultat = lieux_unifies(None, tiers_lieux([{
        "id": "299", "nom": "La Colloc", "adresse": "", "code_insee": "56185", "commune": "Quéven",
        "latitude": lat, "longitude": lon, "typologie": "coworking", "site_web": None, "edition": "2019"}]),
        mediation([med("m1", "La Colloc coworking", X0, Y0, typologies="TIERS_LIEUX", est_tiers_lieu=True)]))
    assert [(f.id_conserve, f.id_fusionne, f.distance_m) for f in resultat.fusions] == [("med-m1", "cget-299", 20.0)]
    assert resultat.lieux["typologies"].tolist() == ["TIERS_LIEUX"]


def test_similarite_noms():
    assert similarite_noms("France services de Quéven", "Espace France Services Quéven", "Quéven") == 1.0
    # Without the commune word, « mairie » and « mediatheque » share nothing; ratio of the two words:
    assert similarite_noms("Mairie de Groix", "Médiathèque de Groix", "Groix") == pytest.approx(6 / 17)
    assert similarite_noms("Groix", "GROIX", "Groix") == 1.0  # only the commune name: full words compared
    assert similarite_noms("", "Médiathèque") == 0.0


@pytest.fixture
def lieux() -> pd.DataFrame:
    return lieux_unifies(
        france_services([fs("1", "FS", X0, Y0, ouvert_samedi=True)]),
        tiers_lieux([{"id": "2", "nom": "Fablab", "adresse": "", "code_insee": "56121", "commune": "Lorient",
                      "latitude": 47.75, "longitude": -3.37, "typologie": "fablab", "site_web": None,
                      "edition": "2019"}]),
        mediation([
            med("a", "Seniors", X0 + 1000, Y0, publics="Seniors", services="Aide aux démarches administratives"),
            med("b", "Tous", X0 + 2000, Y0, publics="", frais="Payant", itinerant=True, ouvert_samedi=True),
            med("c", "Jeunes", X0 + 3000, Y0, publics="Jeunes", frais=""),
        ]),
    ).lieux


def _ids(frame: pd.DataFrame) -> list[str]:
    return frame["id"].tolist()


def test_filtres(lieux):
    assert _ids(filtrer_lieux(lieux)) == ["fs-1", "cget-2", "med-a", "med-b", "med-c"]
    assert _ids(filtrer_lieux(lieux, categories=["Tiers-lieu", "France services"])) == ["fs-1", "cget-2"]
    assert _ids(filtrer_lieux(lieux, services=["Aide aux démarches administratives"])) == ["fs-1", "med-a"]
    assert _ids(filtrer_lieux(lieux, publics=["Seniors"])) == ["fs-1", "cget-2", "med-a", "med-b"]
    assert _ids(filtrer_lieux(lieux, publics=["Seniors"], tous_publics_inclus=False)) == ["med-a"]
    assert _ids(filtrer_lieux(lieux, gratuit=True)) == ["fs-1", "med-a"]  # unknown (cget, med-c) never matches
    assert _ids(filtrer_lieux(lieux, gratuit=False)) == ["med-b"]
    assert _ids(filtrer_lieux(lieux, itinerant=True)) == ["med-b"]
    assert _ids(filtrer_lieux(lieux, samedi=True)) == ["fs-1", "med-b"]
    assert _ids(filtrer_lieux(lieux, categories=["Lieu de médiation numérique"], samedi=False)) == ["med-a", "med-c"]
    assert _ids(filtrer_lieux(lieux, services=[])) == []
    assert list(filtrer_lieux(lieux, samedi=True).columns) == list(COLONNES)


def test_liste_locale_ajoutee_aux_lieux(contexte):
    """The local list's accepted rows become « Tiers-lieu (liste locale) » places, names verbatim."""
    from dashboard.indicateurs.lieux import TIERS_LIEU_LOCAL, lieux_depuis_liste_locale
    from dashboard.sources.tiers_lieux_locaux import lire_televersement
    from tests.conftest import FIXTURES

    contenu = (FIXTURES / "televersements" / "xss_charges.csv").read_bytes()
    resultat = lire_televersement(contenu, "xss_charges.csv", contexte)
    lieux = lieux_depuis_liste_locale(resultat.frame)
    assert len(lieux) == len(resultat.frame) > 0
    assert set(lieux["categorie"]) == {TIERS_LIEU_LOCAL}
    assert lieux["id"].str.startswith("loc-").all()
    assert list(lieux["nom"]) == list(resultat.frame["nom"])  # escaping happens at display, not here
    assert lieux["est_tiers_lieu"].all()
