"""AppTest smoke tests: every page runs without exception; key figures present."""

import html
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import RACINE

PAGE_KIOSQUE = "pages/kiosque.py"  # only reachable in kiosk mode (tested below)
PAGES = sorted(p.relative_to(RACINE).as_posix() for p in (RACINE / "pages").glob("*.py")
               if p.name != "kiosque.py")
DELAI = 60


def lancer(page: str | None = None, **parametres) -> AppTest:
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=DELAI)
    for cle, valeur in parametres.items():
        at.query_params[cle] = valeur
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def metriques(at: AppTest) -> dict[str, str]:
    """Figures on the page: ``st.metric`` ones and the key figures block (see ``vues.chiffres``)."""
    chiffres = {m.label: m.value for m in at.metric}
    for bloc in at.html:
        if 'class="chiffres-cles"' in bloc.value:
            chiffres |= {html.unescape(nom): html.unescape(valeur) for nom, valeur in
                         re.findall(r'<div data-chiffre="[^"]*"><dt>(.*?)</dt><dd>(.*?)</dd></div>', bloc.value)}
    return chiffres


@pytest.mark.parametrize("page", PAGES)
def test_chaque_page_sans_exception(page):
    at = lancer(page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title, "chaque page a un titre"
    pied = " ".join(c.value for c in at.caption)
    assert "Sources des données affichées" in pied


def test_vue_ensemble_chiffres_du_pays():
    at = lancer()
    assert at.title[0].value == "Vue d'ensemble"
    m = metriques(at)
    assert m["Communes"] == "30"
    assert m["Population municipale"] == "221\u202f257"
    assert "Licence Ouverte 2.0" in " ".join(c.value for c in at.caption)


def _tableau_html(at: AppTest) -> str:
    (tableau,) = [h.value for h in at.html if "tableau-donnees" in h.value]
    return tableau


def _lignes_du_tableau(at: AppTest) -> list[str]:
    return _tableau_html(at).split("<tbody>", 1)[1].split("</tr>")[:-1]


def test_vue_ensemble_tableau_trie():
    at = lancer()
    tri = at.radio(key="url_tri")
    assert tri.value == "nom" and tri.label == "Trier par"
    lignes = _lignes_du_tableau(at)
    assert len(lignes) == 30 and "<td>Brandérion</td>" in lignes[0]
    tri.set_value("population").run()
    lignes = _lignes_du_tableau(at)
    assert "<td>Lorient</td>" in lignes[0] and "<td>Lanester</td>" in lignes[1]
    assert "tri : population (décroissante)" in _tableau_html(at)
    assert at.query_params["tri"] == "population"  # a copied link keeps the order
    at.radio(key="perimetre_niveau").set_value("245600440").run()
    lignes = _lignes_du_tableau(at)
    assert len(lignes) == 5 and "<td>Kervignac</td>" in lignes[0]  # the order chosen is kept


def test_vue_ensemble_tri_depuis_l_url():
    at = lancer(tri="densite")
    assert "<td>Lorient</td>" in _lignes_du_tableau(at)[0]  # the densest commune
    at = lancer(tri="zzz")
    assert any("« tri »" in w.value for w in at.warning)
    assert "<td>Brandérion</td>" in _lignes_du_tableau(at)[0]


def test_perimetre_dans_l_url():
    at = lancer(perimetre="245600440")
    assert metriques(at)["Communes"] == "5"
    assert at.radio(key="perimetre_niveau").value == "245600440"
    assert not at.sidebar.selectbox  # the list of communes opens for « Une commune » only


def test_commune_dans_l_url():
    at = lancer(perimetre="56121")
    assert at.radio(key="perimetre_niveau").value == "commune"
    assert at.selectbox(key="perimetre_commune").value == "56121"
    assert metriques(at)["Communes"] == "1"


def test_perimetre_inconnu_message_clair():
    at = lancer(perimetre="zzz")
    assert not at.exception
    assert any("périmètre « zzz » inconnu" in w.value for w in at.sidebar.warning)
    assert metriques(at)["Communes"] == "30"


def test_changer_de_perimetre_met_a_jour_l_url():
    at = lancer()
    niveau = at.radio(key="perimetre_niveau")
    assert niveau.label == "Périmètre"
    assert niveau.options == ["Pays de Lorient (ensemble)", "Lorient Agglomération", "Blavet Bellevue Océan",
                              "Une commune"]
    niveau.set_value("200042174").run()
    assert at.query_params["perimetre"] == "200042174"
    assert metriques(at)["Communes"] == "25"
    at.radio(key="perimetre_niveau").set_value("commune").run()
    communes = at.selectbox(key="perimetre_commune")
    assert communes.label == "Commune" and len(communes.options) == 30
    assert communes.options[0] == "Brandérion" and communes.value == "56021"  # first commune by default
    assert at.query_params["perimetre"] == "56021"
    communes.set_value("56121").run()
    assert at.query_params["perimetre"] == "56121"
    assert metriques(at)["Communes"] == "1"
    at.radio(key="perimetre_niveau").set_value("pays").run()
    assert at.query_params["perimetre"] == "pays" and metriques(at)["Communes"] == "30"
    assert not at.sidebar.selectbox


def test_donnees_absentes_message_francais(tmp_path, monkeypatch):
    vide = tmp_path / "data"
    vide.mkdir()
    (vide / "territoire.toml").write_text((RACINE / "data/territoire.toml").read_text(encoding="utf-8"),
                                          encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(vide))
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=DELAI)
    at.run()
    assert not at.exception
    assert "géographie de référence absente" in at.error[0].value
    assert "python -m dashboard reference" in at.error[0].value


def test_pages_listees(tmp_path):
    assert "pages/vue_ensemble.py" in PAGES
    assert all(Path(RACINE / p).read_text(encoding="utf-8").count("\n") <= 100 for p in PAGES)


def test_couverture_etat_dans_l_url():
    at = lancer("pages/couverture.py", indicateur="ftth", trimestre="T4 2020", perimetre="200042174")
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="url_indicateur").value == "ftth"
    assert at.select_slider(key="url_trimestre").value == "T4 2020"
    assert any("T4 2020" in m.value for m in at.markdown)
    m = metriques(at)
    assert "Locaux sans très haut débit" in m and "Raccordables à la fibre" in m


def test_couverture_grille_des_immeubles():
    at = lancer("pages/couverture.py", perimetre="245600440")
    interrupteur = at.toggle(key="url_grille")
    assert interrupteur.label == "Afficher la grille des immeubles (carreaux de 500 m)"
    assert interrupteur.value is False and "grille" not in at.query_params
    assert not any("carreaux de 500 m" in c.value for c in at.caption)
    interrupteur.set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params["grille"] == "oui"
    textes = " ".join(c.value for c in at.caption)
    assert "de Blavet Bellevue Océan occupent" in textes  # the grid's sentence, for the scope
    assert "Immeubles et locaux" in textes and "démonstration" in textes  # source in the footer
    assert any("Grille des immeubles" in e.label for e in at.expander)
    at.toggle(key="url_grille").set_value(False).run()
    assert "grille" not in at.query_params


def test_couverture_grille_sans_donnees(monkeypatch):
    from dashboard.ui import donnees

    charger = donnees.instantane_facultatif
    monkeypatch.setattr(donnees, "instantane_facultatif",
                        lambda source: None if source == "arcep_immeubles" else charger(source))
    at = lancer("pages/couverture.py", grille="oui")
    assert not at.exception, [e.value for e in at.exception]
    assert at.toggle(key="url_grille").value is True
    message = " ".join(i.value for i in at.info)
    assert "Immeubles et locaux (ARCEP), par carreau de 500 m" in message and "non chargées" in message
    assert "python -m dashboard refresh arcep_immeubles" in message
    assert "python -m dashboard import arcep_immeubles" in message
    assert not any("carreaux de 500 m habités" in c.value or " occupent " in c.value for c in at.caption)
    assert at.metric  # the rest of the page still works


def test_inclusion_poids_et_seuil_dans_l_url():
    at = lancer("pages/inclusion.py", poids="part_non_thd:0,part_65_plus:2", seuil="10km", mesure="illectronisme_part")
    assert not at.exception, [e.value for e in at.exception]
    assert at.slider(key="poids_part_non_thd").value == 0.0
    assert at.slider(key="poids_part_65_plus").value == 2.0
    assert at.selectbox(key="url_seuil").value == "10km"
    assert any("plus de 10 km" in m.value for m in at.markdown)
    assert "Habitants concernés (estimation)" in metriques(at)


def test_lieux_filtres():
    at = lancer("pages/lieux.py")
    assert not at.exception, [e.value for e in at.exception]
    total = int(metriques(at)["Lieux"])
    at.toggle[2].set_value(True).run()  # « Ouverts le samedi »
    assert not at.exception
    assert int(metriques(at)["Lieux"]) < total


def test_fiche_commune_et_comparaison():
    at = lancer("pages/fiche_commune.py", commune="56166", comparer="200042174,pays")
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="url_commune").value == "56166"
    assert at.markdown[-1].value.startswith("Plouay compte") or any(
        m.value.startswith("Plouay compte") for m in at.markdown)
    assert at.multiselect(key="url_comparer").value == ["200042174", "pays"]
    assert len(at.dataframe) >= 3  # profile, sparklines, comparison


def test_mode_kiosque_sans_barre_laterale():
    at = lancer(kiosque="1")
    assert not at.exception, [e.value for e in at.exception]
    assert not at.sidebar.selectbox  # no scope selector, no widgets in the sidebar
    assert (RACINE / PAGE_KIOSQUE).exists()


def test_priorites_et_scenario_depuis_l_url():
    at = lancer("pages/priorites.py", lieu="47.95,-3.25", type_lieu="arret_bus", seuil="15min_marche",
                poids_priorite="zones_blanches:2,fragilite:1,eloignement:0")
    assert not at.exception, [e.value for e in at.exception]
    assert at.slider(key="prio_eloignement").value == 0.0
    assert any(s.value.startswith("Effet estimé — Arrêt d'un bus itinérant") for s in at.subheader)
    assert "Habitants rapprochés" in metriques(at)
    assert any("Les communes prioritaires" in m.value for m in at.markdown)
