"""The plain HTML data table (``dashboard.vues.tableau``): escaped, French, sorted."""

import math

import pandas as pd
import pytest

from dashboard.indicateurs.territoire import densite_par_commune
from dashboard.vues.tableau import (
    COLONNES_COMMUNES,
    CSS,
    TRIS_COMMUNES,
    Colonne,
    cle_alphabetique,
    decimal,
    entier,
    tableau_html,
    texte,
    trier,
)

CHARGE = '<img src=x onerror="alert(1)">&amp;'


def _communes() -> pd.DataFrame:
    return pd.DataFrame({
        "nom": ["Guidel", "Étel", CHARGE, "elven", None],
        "population": pd.array([11550, 2063, 7, 6500, None], dtype="Int64"),
        "densite": [216.74, 1018.45, math.nan, 80.0, 10.0],
    })


COLONNES = (Colonne("nom", "Commune", texte), Colonne("population", "Population", entier, numerique=True),
            Colonne("densite", "Densité (hab./km²)", decimal(1), numerique=True))


def test_tableau_semantique_et_en_francais():
    sortie = tableau_html(_communes(), COLONNES, "5 communes — essai")
    assert sortie.startswith('<table class="tableau-donnees"><caption>5 communes — essai</caption>')
    assert sortie.count('<th scope="col"') == 3
    assert '<th scope="col" class="nombre">Population</th>' in sortie
    assert sortie.count("<tr>") == 1 + 5
    assert '<td class="nombre">11\u202f550</td>' in sortie
    assert '<td class="nombre">1\u202f018,5</td>' in sortie  # one decimal, French comma
    assert sortie.count("<td>n.d.</td>") == 1 and sortie.count('<td class="nombre">n.d.</td>') == 2


def test_les_donnees_ne_deviennent_jamais_du_html():
    sortie = tableau_html(_communes(), COLONNES, "<b>légende</b>")
    assert "<img" not in sortie and "<b>" not in sortie
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;amp;" in sortie
    assert "&lt;b&gt;légende&lt;/b&gt;" in sortie


def test_css_limite_a_la_classe_du_tableau():
    regles = [ligne for ligne in CSS.splitlines() if "{" in ligne]
    assert regles and all(ligne.startswith(".tableau-donnees") for ligne in regles)


def test_ordre_alphabetique_francais():
    assert cle_alphabetique("Étel") == cle_alphabetique("etel")
    noms = trier(_communes(), "nom")["nom"].tolist()
    assert noms[:4] == [CHARGE, "elven", "Étel", "Guidel"]  # accents and case ignored
    assert pd.isna(noms[4])  # missing last
    assert trier(_communes(), "nom", decroissant=True)["nom"].tolist()[:2] == ["Guidel", "Étel"]


@pytest.mark.parametrize("cle", ["population", "densite"])
def test_tri_numerique_decroissant_manquants_en_dernier(cle):
    triees = trier(_communes(), cle, decroissant=True)[cle]
    presentes = triees.dropna().tolist()
    assert presentes == sorted(presentes, reverse=True)
    assert pd.isna(triees.iloc[-1])


def test_colonnes_et_tris_des_communes_existent(reference):
    tableau = densite_par_commune(reference.communes)
    assert {c.cle for c in COLONNES_COMMUNES} <= set(tableau.columns)
    assert {colonne for _, colonne, _ in TRIS_COMMUNES.values()} <= set(tableau.columns)
    assert all(valeur.isascii() and valeur.isalpha() for valeur in TRIS_COMMUNES)  # readable in a URL
    sortie = tableau_html(trier(tableau, "population", decroissant=True), COLONNES_COMMUNES, "Pays")
    assert sortie.count("<tr>") == 31
    premiere = sortie.split("<tbody><tr>", 1)[1].split("</tr>", 1)[0]
    assert "<td>Lorient</td>" in premiere and "57\u202f149" in premiere
