"""A person using the pages: move the quarter slider, click a commune, open a shared link,
place a new place on the scenario map — and see the view follow. Screenshots saved."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

pytest.importorskip("playwright.sync_api", reason="paquet playwright absent : make install-test")

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from .outils import (
    ARTEFACTS,
    POLYGONES,
    RACINE,
    SELECTEUR_CARTE,
    attendre_fin_script,
    attendre_polygones,
    cadre_carte,
    capturer,
    ouvrir_onglet,
)

pytestmark = pytest.mark.navigateur


@pytest.fixture
def onglet(navigateur, serveur_app):
    onglet = ouvrir_onglet(navigateur)
    yield onglet
    onglet.fermer()


def parametres(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def couleurs(page) -> list[str]:
    return cadre_carte(page).locator(POLYGONES).evaluate_all("els => els.map(e => e.getAttribute('fill'))")


def test_curseur_trimestre_redessine_la_carte(onglet, serveur_app):
    page = onglet.page
    page.goto(f"{serveur_app}/couverture?indicateur=ftth")
    attendre_fin_script(page)
    attendre_polygones(page, 30)
    avant = couleurs(page)
    page.locator('[data-testid="stSlider"] input[type="range"]').first.focus()
    page.keyboard.press("Home")  # back to the first quarter of the history (T4 2017)
    page.wait_for_function("() => location.search.includes('trimestre=T4')", timeout=30_000)
    attendre_fin_script(page)
    expect(page.get_by_text(re.compile(r"^T4 2017 : "))).to_be_visible(timeout=30_000)
    attendre_polygones(page, 30)
    apres = couleurs(page)
    assert apres != avant  # the choropleth follows the quarter
    assert parametres(page)["trimestre"] == "T4 2017"
    capturer(page, "interaction-couverture-T4-2017")
    assert onglet.erreurs_console == []


def test_clic_sur_une_commune_la_selectionne(onglet, serveur_app):
    page = onglet.page
    page.goto(f"{serveur_app}/couverture")
    attendre_fin_script(page)
    attendre_polygones(page, 30)
    polygones = cadre_carte(page).locator(POLYGONES)
    for i in range(polygones.count()):
        polygones.nth(i).click()
        try:
            page.wait_for_function("() => location.search.includes('commune=56')", timeout=5_000)
            break
        except PlaywrightTimeoutError:  # the centre of a concave commune may be outside it: next one
            continue
    attendre_fin_script(page)
    code = parametres(page)["commune"]
    assert re.fullmatch(r"56\d{3}", code)
    capturer(page, "interaction-couverture-clic")


def carreaux_attendus(codes: set[str] | None = None) -> int:
    """Squares of the bundled buildings grid holding buildings of ``codes`` (all communes if None)."""
    from dashboard.magasin import Magasin

    grille = Magasin(RACINE / "data" / "snapshots").charger("arcep_immeubles").frame
    if codes is not None:
        grille = grille[grille["code_insee"].isin(codes)]
    return grille["carreau"].nunique()


def test_grille_des_immeubles_sur_la_couverture(onglet, serveur_app, reference):
    page = onglet.page
    page.goto(f"{serveur_app}/couverture")
    attendre_fin_script(page)
    attendre_polygones(page, 30)
    interrupteur = page.get_by_role("switch", name="Afficher la grille des immeubles (carreaux de 500 m)")
    expect(interrupteur).not_to_be_checked()
    interrupteur.click(force=True)  # the input is visually hidden behind Streamlit's toggle
    page.wait_for_function("() => location.search.includes('grille=oui')", timeout=30_000)
    attendre_fin_script(page)
    carreaux = carreaux_attendus()
    assert carreaux > 1_000
    attendre_polygones(page, 30 + carreaux)  # the 30 communes, then one path per 500 m square
    remplissages = set(cadre_carte(page).locator(POLYGONES).evaluate_all(
        "els => els.slice(30).map(e => e.getAttribute('fill'))"))
    assert len(remplissages) >= 4  # several classes of the legend are drawn
    legende = page.get_by_role("img", name=re.compile(r"^Légende : Grille des immeubles"))
    expect(legende).to_contain_text("par carreau de 500 m")
    expect(legende).to_contain_text("DONNÉES DE DÉMONSTRATION")
    expect(page.get_by_text(re.compile(r"occupent [\d\u202f]+ carreaux de 500 m"))).to_be_visible()
    page.locator(SELECTEUR_CARTE).first.scroll_into_view_if_needed()  # no scroll between hover and screenshot
    cadre = cadre_carte(page)
    cadre.locator(POLYGONES).nth(30 + carreaux // 2).hover()  # a square (drawn after the communes)
    infobulle = cadre.locator(".leaflet-tooltip").filter(has_text="Immeubles (adresses)")
    expect(infobulle).to_be_visible(timeout=10_000)
    assert re.search(r"Commune\(s\)\s+\S", infobulle.inner_text()) and "Locaux" in infobulle.inner_text()
    page.locator(SELECTEUR_CARTE).first.screenshot(path=str(ARTEFACTS / "interaction-couverture-grille-carte.png"))
    source = page.get_by_role("listitem").filter(has_text="Immeubles et locaux (ARCEP), par carreau de 500 m")
    expect(source).to_contain_text("DONNÉES DE DÉMONSTRATION")  # footer: source, edition, licence
    expect(source).to_contain_text("Licence Ouverte 2.0")
    capturer(page, "interaction-couverture-grille")
    assert onglet.erreurs_console == []
    assert onglet.requetes_externes == []

    # A shared link keeps the grid, restricted to the scope's communes.
    page.goto(f"{serveur_app}/couverture?grille=oui&perimetre=245600440")
    attendre_fin_script(page)
    expect(page.get_by_role("switch", name="Afficher la grille des immeubles (carreaux de 500 m)")).to_be_checked()
    bbo = set(reference.communes.loc[reference.communes["siren_epci"] == "245600440", "code_insee"])
    assert 0 < carreaux_attendus(bbo) < carreaux
    attendre_polygones(page, 30 + carreaux_attendus(bbo))


def test_lien_partage_restaure_la_vue(onglet, serveur_app):
    page = onglet.page
    lien = (f"{serveur_app}/priorites?perimetre=200042174&seuil=5km"
            "&poids_priorite=zones_blanches:2,fragilite:1,eloignement:0")
    page.goto(lien)
    attendre_fin_script(page)
    expect(page.get_by_text("Lorient Agglomération").first).to_be_visible()
    page.get_by_text("Pondération des priorités (modifiable)").click()
    curseurs = page.locator('[data-testid="stExpander"] [data-testid="stSlider"] input[type="range"]')
    expect(curseurs).to_have_count(3)
    valeurs = [curseurs.nth(i).get_attribute("aria-valuetext") for i in range(3)]
    assert [float(v.replace(",", ".")) for v in valeurs] == [2.0, 1.0, 0.0]
    assert parametres(page)["seuil"] == "5km"
    assert parametres(page)["perimetre"] == "200042174"
    capturer(page, "interaction-lien-partage")


def test_clic_sur_la_carte_du_scenario(onglet, serveur_app):
    page = onglet.page
    page.goto(f"{serveur_app}/priorites?seuil=15min_marche")
    attendre_fin_script(page)
    cartes = page.locator(SELECTEUR_CARTE)
    expect(cartes).to_have_count(2, timeout=60_000)
    scenario = cartes.nth(1)
    scenario.scroll_into_view_if_needed()
    expect(scenario.content_frame.locator(POLYGONES)).to_have_count(30, timeout=60_000)
    boite = scenario.bounding_box()
    page.mouse.click(boite["x"] + boite["width"] * 0.55, boite["y"] + boite["height"] * 0.3)
    page.wait_for_function("() => location.search.includes('lieu=')", timeout=30_000)
    attendre_fin_script(page)
    expect(page.get_by_text(re.compile(r"^Effet estimé — Tiers-lieu fixe"))).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Habitants rapprochés").first).to_be_visible()
    capturer(page, "interaction-scenario")


def telecharger(page, bouton: str) -> tuple[str, bytes]:
    """Click the download button ``bouton``; the file's suggested name and its bytes."""
    with page.expect_download(timeout=120_000) as telechargement:
        page.get_by_role("button", name=bouton).click()
    fichier = telechargement.value
    with open(fichier.path(), "rb") as flux:
        return fichier.suggested_filename, flux.read()


def test_telecharger_csv_et_pdf_de_la_fiche(onglet, serveur_app):
    page = onglet.page
    page.goto(f"{serveur_app}/fiche?commune=56166")
    attendre_fin_script(page)
    nom, contenu = telecharger(page, "Télécharger (CSV)")
    assert nom.endswith(".csv")
    assert contenu.startswith(b"\xef\xbb\xbf") and b"Plouay" in contenu
    assert b"# Source" in contenu
    nom, contenu = telecharger(page, "Télécharger le rapport PDF — Plouay")
    assert nom.endswith(".pdf") and contenu[:4] == b"%PDF"
    capturer(page, "interaction-fiche-telechargements")


def test_trier_le_tableau_des_communes(onglet, serveur_app):
    # The table of communes is a real table (caption, column headers: what screen readers and
    # printing see), all 30 rows in the page; « Trier par » reorders it.
    page = onglet.page
    page.goto(serveur_app)
    attendre_fin_script(page)
    attendre_polygones(page, 30)
    tableau = page.get_by_role("table", name=re.compile(r"^30 communes — Pays de Lorient"))
    expect(tableau.get_by_role("columnheader", name="Population municipale")).to_be_visible()
    lignes = tableau.locator("tbody tr")
    expect(lignes).to_have_count(30)
    expect(lignes.first.locator("td").nth(1)).to_have_text("Brandérion")
    page.get_by_text("Population (décroissante)").click()
    expect(lignes.first.locator("td").nth(1)).to_have_text("Lorient", timeout=30_000)
    expect(lignes.nth(1).locator("td").nth(1)).to_have_text("Lanester")
    expect(lignes.first.locator("td").nth(3)).to_have_text("57\u202f149")
    page.wait_for_function("() => location.search.includes('tri=population')", timeout=30_000)
    attendre_fin_script(page)
    capturer(page, "interaction-tableau-trie")


def test_fond_openstreetmap_coche_dans_la_carte(onglet, serveur_app):
    # The background is a box of Leaflet's layer control, unticked: no tile is asked for until
    # it is ticked; ticking it asks the tile server (made unreachable here, as offline) and the
    # communes stay drawn.
    page = onglet.page
    tuiles = re.compile(r"^https://tile\.openstreetmap\.org/")
    page.route(tuiles, lambda route: route.abort("internetdisconnected"))
    page.goto(serveur_app)
    attendre_fin_script(page)
    attendre_polygones(page, 30)
    case = cadre_carte(page).get_by_role("checkbox", name="Fond OpenStreetMap (Internet requis)")
    expect(case).not_to_be_checked()
    assert onglet.requetes_externes == []
    with page.expect_request(tuiles):
        case.check()
    expect(case).to_be_checked()
    assert cadre_carte(page).locator(POLYGONES).count() == 30
    assert all(tuiles.match(r.split(" ", 1)[1]) for r in onglet.requetes_externes)
    capturer(page, "interaction-vue-ensemble-fond-osm")


def test_telecharger_la_carte_png_de_la_vue_d_ensemble(onglet, serveur_app):
    # The page draws its map without geopandas; the PNG (geopandas, matplotlib) is made on click.
    page = onglet.page
    page.goto(f"{serveur_app}/?perimetre=245600440")
    attendre_fin_script(page)
    nom, contenu = telecharger(page, "Télécharger la carte (PNG)")
    assert nom.endswith(".png") and contenu[:8] == b"\x89PNG\r\n\x1a\n"
    capturer(page, "interaction-vue-ensemble-png")
