"""Each page of the app in a real browser, plus the scope (« périmètre ») in the URL.

Pages come from ``pages.PAGES``: a page added there gets every check below. Each page is
loaded once per module (fixture ``page_chargee``); the console and foreign-host checks
come last so they also cover the hovering done by the earlier tests.
"""

from __future__ import annotations

import re

import pytest

pytest.importorskip("playwright.sync_api", reason="paquet playwright absent : make install-test")

from playwright.sync_api import expect

from .outils import (
    POLYGONES,
    attendre_fin_script,
    attendre_polygones,
    cadre_carte,
    capturer,
    choisir_perimetre,
    hauteur_contenu,
    noms_communes,
    ouvrir_onglet,
    survoler_jusqu_a_infobulle,
    taille_png,
    valeur_metrique,
)
from .pages import PAGES, PageApp

pytestmark = pytest.mark.navigateur

COMMUNES = noms_communes()
PAGE_CARTE = next(p for p in PAGES if p.carte)


@pytest.fixture(scope="module", params=PAGES, ids=lambda p: p.identifiant)
def page_chargee(request, navigateur, serveur_app):
    page_app: PageApp = request.param
    onglet = ouvrir_onglet(navigateur)
    onglet.page.goto(serveur_app + page_app.chemin)
    attendre_fin_script(onglet.page)
    if page_app.carte:
        attendre_polygones(onglet.page, len(COMMUNES))
    yield page_app, onglet
    onglet.fermer()


def test_la_page_affiche_son_titre(page_chargee):
    page_app, onglet = page_chargee
    expect(onglet.page.locator("h1").first).to_have_text(page_app.titre)


def test_le_document_est_en_francais(page_chargee):
    # Screen readers pick their voice from <html lang>; Streamlit leaves it to "en" (see app.py).
    _, onglet = page_chargee
    expect(onglet.page.locator("html")).to_have_attribute("lang", "fr")


def test_l_icone_de_l_onglet_est_servie(page_chargee):
    # The favicon is served from static/ as is (no data URL built by the server).
    _, onglet = page_chargee
    lien = onglet.page.locator('link[rel="shortcut icon"], link[rel="icon"]').first
    expect(lien).to_have_attribute("href", re.compile(r"/app/static/icone\.png$"))
    reponse = onglet.page.request.get(lien.evaluate("l => l.href"))
    assert reponse.status == 200 and reponse.headers["content-type"] == "image/png"
    assert reponse.body()[:8] == b"\x89PNG\r\n\x1a\n"


def test_aucune_exception_affichee(page_chargee):
    _, onglet = page_chargee
    assert onglet.page.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in onglet.page.locator("body").inner_text()


def test_la_carte_dessine_toutes_les_communes(page_chargee):
    page_app, onglet = page_chargee
    if not page_app.carte:
        pytest.skip("page sans carte")
    assert len(COMMUNES) == 30
    assert cadre_carte(onglet.page).locator(POLYGONES).count() == 30


def test_le_survol_montre_une_commune(page_chargee):
    page_app, onglet = page_chargee
    if not page_app.carte:
        pytest.skip("page sans carte")
    texte = survoler_jusqu_a_infobulle(onglet.page)
    trouve = re.search(r"^Commune\s+(.+)$", texte, flags=re.MULTILINE)
    assert trouve, f"infobulle sans ligne « Commune » : {texte!r}"
    assert trouve.group(1).strip() in COMMUNES


def test_capture_pleine_page(page_chargee):
    page_app, onglet = page_chargee
    hauteur = hauteur_contenu(onglet.page)
    chemin = capturer(onglet.page, page_app.identifiant)
    largeur, hauteur_image = taille_png(chemin)
    assert largeur == 1400
    assert hauteur_image >= hauteur


def test_console_sans_erreur(page_chargee):
    _, onglet = page_chargee
    assert onglet.erreurs_console == []


def test_aucune_requete_vers_un_autre_hote(page_chargee):
    _, onglet = page_chargee
    assert onglet.requetes_externes == []


@pytest.fixture
def onglet(navigateur, serveur_app):
    onglet = ouvrir_onglet(navigateur)
    yield onglet
    onglet.fermer()


def test_perimetre_epci_depuis_l_url(onglet, serveur_app):
    page = onglet.page
    page.goto(f"{serveur_app}{PAGE_CARTE.chemin}?perimetre=245600440")
    attendre_fin_script(page)
    expect(page.get_by_text("Périmètre : Blavet Bellevue Océan")).to_be_visible()
    expect(page.get_by_role("radio", name="Blavet Bellevue Océan", exact=True)).to_be_checked()
    expect(page.get_by_role("combobox", name="Commune")).to_have_count(0)
    expect(valeur_metrique(page, "Communes")).to_have_text("5")
    attendre_polygones(page, 30)
    assert onglet.erreurs_console == []


def test_perimetre_inconnu_avertit_et_garde_la_carte(onglet, serveur_app):
    page = onglet.page
    page.goto(f"{serveur_app}{PAGE_CARTE.chemin}?perimetre=zzz")
    attendre_fin_script(page)
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="périmètre « zzz » inconnu")).to_be_visible()
    expect(valeur_metrique(page, "Communes")).to_have_text("30")
    attendre_polygones(page, 30)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_choisir_un_perimetre_met_a_jour_l_url(onglet, serveur_app):
    page = onglet.page
    page.goto(f"{serveur_app}{PAGE_CARTE.chemin}")
    attendre_fin_script(page)
    attendre_polygones(page, 30)

    choisir_perimetre(page, "Blavet Bellevue Océan")
    page.wait_for_url(re.compile(r"[?&]perimetre=245600440(&|$)"))
    expect(valeur_metrique(page, "Communes")).to_have_text("5")
    attendre_polygones(page, 30)

    choisir_perimetre(page, "Une commune", "Hennebont")
    page.wait_for_url(re.compile(r"[?&]perimetre=56083(&|$)"))
    expect(valeur_metrique(page, "Communes")).to_have_text("1")
    expect(page.get_by_text("Périmètre : Hennebont")).to_be_visible()
    capturer(page, "perimetre-une-commune")

    choisir_perimetre(page, "Pays de Lorient (ensemble)")
    page.wait_for_url(re.compile(r"[?&]perimetre=pays(&|$)"))
    expect(valeur_metrique(page, "Communes")).to_have_text("30")
    expect(page.get_by_role("combobox", name="Commune")).to_have_count(0)
    assert onglet.erreurs_console == []
