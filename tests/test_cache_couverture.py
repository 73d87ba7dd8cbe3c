"""Cached « Couverture » computations: same results as the pure functions, keyed by edition."""

from __future__ import annotations

import pandas as pd
import pytest
import streamlit as st

from dashboard import chemins
from dashboard.indicateurs import synthese_couverture as sc
from dashboard.magasin import Magasin
from dashboard.objectifs import charger_objectifs
from dashboard.territoire import Perimetre
from dashboard.ui import cache_couverture as cache
from dashboard.vues import couverture as vues


@pytest.fixture(scope="module")
def instants():
    magasin = Magasin(chemins.dossier_instantanes())
    return {s: magasin.charger(s) for s in ("arcep_mci", "arcep_ftth")}


@pytest.fixture(autouse=True)
def cache_vide():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def test_memes_resultats_que_les_fonctions_pures(instants, reference):
    mci, ftth = instants["arcep_mci"].frame, instants["arcep_ftth"].frame
    cle = cache.cle_donnees(instants, reference.manifeste)
    codes = list(reference.communes["code_insee"][:7])
    indicateur = sc.INDICATEURS["sans_thd"]
    pd.testing.assert_frame_equal(cache.valeurs_communes(cle, indicateur, mci, ftth),
                                  sc.valeurs_communes(indicateur, mci, ftth))
    pd.testing.assert_series_equal(cache.valeur_perimetre(cle, indicateur, mci, ftth, codes),
                                   sc.valeur_perimetre(indicateur, mci, ftth, codes))
    attendu, obtenu = sc.chiffres_couverture(mci, ftth, codes), cache.chiffres_couverture(cle, mci, ftth, codes)
    assert obtenu.keys() == attendu.keys() and obtenu["projection"] == attendu["projection"]
    pd.testing.assert_series_equal(obtenu["ftth"], attendu["ftth"])
    objectifs = charger_objectifs()
    pd.testing.assert_frame_equal(cache.etat_objectifs(cle, objectifs, mci, ftth, codes),
                                  sc.etat_objectifs(objectifs, mci, ftth, codes))
    perimetre = Perimetre("epci", "200042174", "Lorient Agglomération")
    figure = cache.figure_ftth_perimetre(cle, ftth, reference.communes, perimetre, codes, None, objectifs, "Pays")
    assert figure == vues.figure_ftth_perimetre(ftth, reference.communes, perimetre, codes, None, objectifs, "Pays")


def test_une_nouvelle_edition_change_la_cle(instants, reference):
    mci, ftth = instants["arcep_mci"].frame, instants["arcep_ftth"].frame
    cle = cache.cle_donnees(instants, reference.manifeste)
    indicateur = sc.INDICATEURS["sans_thd"]
    premier = cache.valeurs_communes(cle, indicateur, mci, ftth)
    autre_mci = mci.assign(valeur=mci["valeur"].where(mci["mesure"] != "nbr", mci["valeur"] * 2))
    # Same key: the cached result (the frames are not hashed, the edition ids stand for them) …
    pd.testing.assert_frame_equal(cache.valeurs_communes(cle, indicateur, autre_mci, ftth), premier)
    # … a new edition id: recomputed.
    nouvelle = dict(instants)
    nouvelle["arcep_mci"] = type(instants["arcep_mci"])(autre_mci, {**instants["arcep_mci"].manifeste,
                                                                    "identifiant_edition": "nouvelle"})
    cle2 = cache.cle_donnees(nouvelle, reference.manifeste)
    assert cle2 != cle
    pd.testing.assert_frame_equal(cache.valeurs_communes(cle2, indicateur, autre_mci, ftth),
                                  sc.valeurs_communes(indicateur, autre_mci, ftth))
    assert not sc.valeurs_communes(indicateur, autre_mci, ftth).equals(premier)
    assert cache.cle_donnees({**instants, "arcep_ftth": None}, reference.manifeste)[0][0] == ("arcep_ftth", None)


def test_repartition_et_ventilation_rurale(instants, reference):
    from dashboard.indicateurs import couverture as cv

    mci, ftth = instants["arcep_mci"].frame, instants["arcep_ftth"].frame
    cle = cache.cle_donnees(instants, reference.manifeste)
    pd.testing.assert_frame_equal(cache.repartition_longue(cle, mci),
                                  cv.repartition_longue(cv.repartition_meilleure_techno(mci)))
    indicateur = sc.INDICATEURS["ftth"]
    trimestre = sc.dernier_trimestre(ftth)
    valeurs = sc.valeurs_communes(indicateur, mci, ftth, "debit_filaire", trimestre)
    codes = list(reference.communes["code_insee"][5:20])
    pd.testing.assert_frame_equal(
        cache.ventilation_rurale(cle, indicateur, "debit_filaire", trimestre, codes, valeurs, ftth),
        sc.ventilation_rurale(valeurs[valeurs["code"].isin(codes)], ftth))


def test_grille_des_immeubles_en_cache(reference):
    from dashboard.vues import grille as grille_vues

    instant = Magasin(chemins.dossier_instantanes()).charger("arcep_immeubles")
    noms = reference.communes.set_index("code_insee")["nom"]
    codes = list(noms.index[:5])
    obtenu = cache.grille_immeubles(instant, reference.manifeste, noms, codes, "d'ici")
    attendu = grille_vues.preparer_grille(instant.frame, sorted(codes), noms, de="d'ici",
                                          edition=instant.manifeste["libelle_edition"], demo=True)
    assert obtenu.geojson == attendu.geojson and obtenu.titre == attendu.titre and obtenu.phrase == attendu.phrase
    pd.testing.assert_frame_equal(obtenu.tableau, attendu.tableau)
    assert cache.grille_immeubles(None, reference.manifeste, noms, codes, "d'ici") is None
