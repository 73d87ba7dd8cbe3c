"""A PDF working document for the Conseil de développement (CDPL), built offline.

API
---
``ContenuRapport`` (dataclass) — what goes in the report:
    ``titre``, ``perimetre`` (« Pays de Lorient (30 communes) », « Sainte-Hélène »),
    ``chiffres``: ``(libelle, valeur, provenance)`` — the value already formatted in French
    (:mod:`dashboard.formats`), the provenance a :class:`~dashboard.vues.provenance.Provenance`
    or ``None``; ``images``: ``(titre, png_bytes, source)`` — PNGs from
    :mod:`dashboard.exports.images`; ``tableaux``: ``(titre, DataFrame)`` — text printed
    as is, integers as ``12 345``, other numbers with at most 2 decimals (format shares
    beforehand with ``formats.pourcentage``), missing values ``n.d.``; ``provenances``:
    every dataset used; ``precautions``: methodological cautions (defaults to
    :data:`PRECAUTIONS_GENERALES`); ``demo``: force the demonstration notice;
    ``genere_le``: generation time (default: now, Europe/Paris); ``lignes_a_remplir``:
    ruled lines under « Constats » and « Préconisations ».

``rapport_pdf(contenu) -> bytes`` — A4 portrait PDF:
    1. cover: observatory name, title, scope, date and time of generation, « Document
       de travail du CDPL », a framed demonstration notice when needed, contents;
    2. « Chiffres clés »: each figure with its source, edition and licence;
    3. « Cartes et graphiques »: each image with its title and source line;
    4. « Tableaux » (headers repeated across pages);
    5. « Sources, éditions et licences »: producer, edition, licence, address,
       retrieval date and demonstration flag of every dataset;
    6. « Précautions méthodologiques »;
    7. « Constats » and « Préconisations »: empty, ruled, for the council's own text.
    Every page has a footer with the page number; when any dataset is demonstration
    data (``demo=True`` or a provenance flagged ``demo``), the cover says so in a red
    frame and every footer repeats it. The PDF has no links, no JavaScript, no
    attachment: data text is drawn as plain text (fpdf2 without markdown).

Why fpdf2 rather than HTML → PDF: no browser and no system library (Cairo, Pango) is
needed, so it works on the offline kiosk. fpdf2 needs a TrueType font for accents and
French typography (« », narrow no-break spaces); we use the DejaVu Sans files matplotlib
ships in ``matplotlib/mpl-data/fonts/ttf/`` (matplotlib is already a dependency for the
PNGs), located at run time — no copy in the repository.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import matplotlib
import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image, UnidentifiedImageError

from dashboard import formats
from dashboard.exports import ErreurExport
from dashboard.vues.provenance import Provenance

ORGANISME = "Conseil de développement du Pays de Lorient (CDPL)"
MENTION_DOCUMENT = "Document de travail du CDPL"
OBSERVATOIRE = "Observatoire du numérique inclusif du Pays de Lorient"
AVIS_DEMO = ("DONNÉES DE DÉMONSTRATION : certains chiffres de ce document sont générés pour illustrer "
             "l'outil. Ils ne décrivent pas la réalité et ne doivent pas être cités.")
PIED_DEMO = "DONNÉES DE DÉMONSTRATION (générées, non officielles)"
PRECAUTION_DEMO = ("Les données marquées « démonstration » sont générées pour illustrer l'outil : elles ne "
                   "décrivent pas la réalité du territoire et seront remplacées par les données officielles.")
PRECAUTIONS_GENERALES = (
    "Les parts de locaux rapportent un nombre de locaux à la « meilleure estimation des locaux » de "
    "l'ARCEP : cette base change d'une édition à l'autre.",
    "Un taux communal ne dit rien d'un foyer en particulier : une commune très bien couverte peut "
    "compter des lieux-dits sans bon débit.",
    "Les projections (« 100 % fibre projeté ») prolongent le rythme moyen des quatre derniers trimestres : "
    "ce sont des extrapolations, pas des prévisions.",
    "L'illectronisme par commune est une estimation (taux nationaux par âge appliqués à la population "
    "de la commune), pas une mesure locale.",
    "Les contours des communes sont simplifiés : ils conviennent à une carte, pas à des calculs de "
    "surface précis.",
    "Les sources n'ont pas toutes la même date (voir « Sources, éditions et licences ») : ne comparez "
    "que des chiffres de même édition.",
)
SECTIONS = ("Chiffres clés", "Cartes et graphiques", "Tableaux", "Sources, éditions et licences",
            "Précautions méthodologiques", "Constats", "Préconisations")
FUSEAU = ZoneInfo("Europe/Paris")
POLICE = "DejaVu"
ALIAS_PAGES = "{nb_pages_rapport}"
ROUGE = (176, 0, 32)
GRIS = (90, 90, 90)
BLEU = (31, 95, 168)


@dataclass
class ContenuRapport:
    """Everything the report shows (see the module docstring)."""

    titre: str
    perimetre: str
    chiffres: list[tuple[str, str, Provenance | None]] = field(default_factory=list)
    images: list[tuple[str, bytes, str]] = field(default_factory=list)
    tableaux: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    provenances: list[Provenance] = field(default_factory=list)
    precautions: list[str] = field(default_factory=lambda: list(PRECAUTIONS_GENERALES))
    demo: bool = False
    genere_le: datetime | None = None
    lignes_a_remplir: int = 11

    def toutes_les_provenances(self) -> list[Provenance]:
        """The declared provenances, then those of the key figures not declared (no duplicates)."""
        vues: dict[tuple[str, str, str], Provenance] = {}
        for p in [*self.provenances, *(p for _, _, p in self.chiffres if p is not None)]:
            vues.setdefault((p.source, p.titre, p.edition), p)
        return list(vues.values())

    @property
    def contient_demo(self) -> bool:
        return self.demo or any(p.demo for p in self.toutes_les_provenances())


def chiffres_depuis_metriques(metriques: Sequence[tuple[str, str, str]],
                              provenance: Provenance | None) -> list[tuple[str, str, Provenance | None]]:
    """``(label, value, help)`` triples of a page's metric row → report key figures."""
    return [(libelle, valeur, provenance) for libelle, valeur, _aide in metriques]


def dossier_polices() -> Path:
    """Where matplotlib keeps its DejaVu fonts."""
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


_CONTROLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _propre(texte: object, une_ligne: bool = False) -> str:
    """Plain printable text: control characters dropped, tabs and CR normalised."""
    texte = "" if texte is None else str(texte)
    texte = texte.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    texte = _CONTROLE.sub("", texte)
    return " ".join(texte.split()) if une_ligne else texte


def texte_cellule(valeur: object) -> str:
    """A table cell in French: ``12 345``, ``0,87``, ``n.d.``, ``oui``/``non``."""
    if valeur is None or valeur is pd.NA or valeur is pd.NaT:
        return formats.NON_DISPONIBLE
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, int):
        return formats.nombre(valeur)
    if isinstance(valeur, float):
        if pd.isna(valeur):
            return formats.NON_DISPONIBLE
        texte = formats.nombre(valeur, 2)
        return texte.rstrip("0").rstrip(",") if "," in texte else texte
    if isinstance(valeur, datetime):
        return formats.date_longue(valeur)
    if hasattr(valeur, "item") and not isinstance(valeur, str):  # numpy scalar
        return texte_cellule(valeur.item())
    return _propre(valeur)


class _Document(FPDF):
    def __init__(self, demo: bool) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.demo = demo
        dossier = dossier_polices()
        fichiers = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf",
                    "BI": "DejaVuSans-BoldOblique.ttf"}
        for style, nom in fichiers.items():
            chemin = dossier / nom
            if not chemin.exists():
                raise ErreurExport(f"police introuvable : {nom}", fichier=str(chemin),
                                   conseil="réinstallez matplotlib (pip install -r requirements.txt)")
            self.add_font(POLICE, style, str(chemin))
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=24)
        self.alias_nb_pages(ALIAS_PAGES)

    def footer(self) -> None:
        self.set_y(-18)
        if self.demo:
            self.set_font(POLICE, "B", 8)
            self.set_text_color(*ROUGE)
            self.cell(0, 4, PIED_DEMO, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font(POLICE, "", 7.5)
        self.set_text_color(*GRIS)
        self.cell(0, 4, f"{OBSERVATOIRE} — {MENTION_DOCUMENT} — page {self.page_no()} / {ALIAS_PAGES}",
                  align="C")
        self.set_text_color(0, 0, 0)

    # --- blocks ------------------------------------------------------------------------
    def titre_section(self, texte: str, place_mm: float = 45) -> None:
        """A numbered heading; a new page first when less than ``place_mm`` would follow it."""
        if self.get_y() + 16 + place_mm > self.h - self.b_margin:
            self.add_page()
        self.ln(3)
        self.set_font(POLICE, "B", 15)
        self.set_text_color(*BLEU)
        self.multi_cell(0, 8, _propre(texte), align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(*BLEU)
        self.set_line_width(0.5)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(3)
        self.set_text_color(0, 0, 0)
        self.set_draw_color(0, 0, 0)
        self.set_line_width(0.2)

    def paragraphe(self, texte: str, taille: float = 10, style: str = "", couleur=(0, 0, 0),
                   hauteur: float = 5) -> None:
        self.set_font(POLICE, style, taille)
        self.set_text_color(*couleur)
        self.multi_cell(0, hauteur, _propre(texte), align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)

    def source(self, texte: str) -> None:
        self.paragraphe(texte, taille=7.5, couleur=GRIS, hauteur=3.6)

    def cadre_demo(self) -> None:
        self.set_draw_color(*ROUGE)
        self.set_line_width(0.8)
        self.set_font(POLICE, "B", 11)
        self.set_text_color(*ROUGE)
        self.multi_cell(0, 6, AVIS_DEMO, border=1, padding=3, align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0, 0, 0)
        self.set_draw_color(0, 0, 0)
        self.set_line_width(0.2)


def _date_generation(genere_le: datetime | None) -> datetime:
    moment = genere_le or datetime.now(FUSEAU)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=FUSEAU)


def _couverture(doc: _Document, contenu: ContenuRapport, moment: datetime) -> None:
    doc.add_page()
    doc.set_font(POLICE, "", 10)
    doc.set_text_color(*GRIS)
    doc.cell(0, 6, OBSERVATOIRE, new_x="LMARGIN", new_y="NEXT")
    doc.ln(30)
    doc.paragraphe(contenu.titre, taille=24, style="B", couleur=BLEU, hauteur=11)
    doc.ln(4)
    doc.paragraphe(f"Périmètre : {contenu.perimetre}", taille=14, hauteur=7)
    local = moment.astimezone(FUSEAU)
    doc.paragraphe(f"Généré le {formats.date_longue(local)} à {local:%H} h {local:%M}", taille=11, couleur=GRIS)
    doc.ln(6)
    doc.paragraphe(MENTION_DOCUMENT, taille=13, style="B")
    doc.paragraphe(f"{ORGANISME} — document préparatoire, non validé, à compléter par le Conseil.",
                   taille=9.5, couleur=GRIS)
    doc.ln(8)
    if contenu.contient_demo:
        doc.cadre_demo()
        doc.ln(6)
    doc.paragraphe("Sommaire", taille=12, style="B", hauteur=7)
    for numero, section in enumerate(SECTIONS, start=1):
        doc.paragraphe(f"{numero}. {section}", taille=10, hauteur=5.5)
    provenances = contenu.toutes_les_provenances()
    if provenances:
        doc.ln(6)
        doc.paragraphe("Données utilisées", taille=10, style="B", hauteur=5.5)
        for p in provenances:
            mention = " — démonstration" if p.demo else ""
            doc.source(f"{p.titre_court()} : {p.edition_courte()}{mention}")


def _chiffres(doc: _Document, contenu: ContenuRapport) -> None:
    doc.titre_section("1. Chiffres clés")
    if not contenu.chiffres:
        doc.paragraphe("Aucun chiffre clé pour ce périmètre.", couleur=GRIS)
    for libelle, valeur, provenance in contenu.chiffres:
        if doc.get_y() > doc.h - 50:
            doc.add_page()
        doc.paragraphe(libelle, taille=10, style="B")
        doc.paragraphe(valeur, taille=16, style="B", couleur=BLEU, hauteur=8)
        doc.source(f"Source : {provenance.texte()}" if provenance is not None else "Source : non précisée")
        doc.ln(2.5)


def _dimensions_image(doc: _Document, titre: str, png: bytes) -> tuple[float, float]:
    """Width and height (mm) of an image fitted to the text width and a page height."""
    try:
        with Image.open(io.BytesIO(png)) as image:
            if image.format != "PNG":
                raise ErreurExport(f"image « {titre} » : PNG attendu, {image.format} reçu")
            largeur_px, hauteur_px = image.size
    except (UnidentifiedImageError, OSError) as erreur:
        raise ErreurExport(f"image « {titre} » illisible (PNG attendu)") from erreur
    largeur = doc.w - doc.l_margin - doc.r_margin
    hauteur_max = doc.h - doc.t_margin - doc.b_margin - 30
    hauteur = largeur * hauteur_px / largeur_px
    if hauteur > hauteur_max:
        hauteur, largeur = hauteur_max, hauteur_max * largeur_px / hauteur_px
    return largeur, hauteur


def _images(doc: _Document, contenu: ContenuRapport) -> None:
    dimensions = [_dimensions_image(doc, titre, png) for titre, png, _ in contenu.images]
    doc.titre_section("2. Cartes et graphiques", place_mm=dimensions[0][1] + 20 if dimensions else 20)
    if not contenu.images:
        doc.paragraphe("Aucune carte ni aucun graphique.", couleur=GRIS)
    largeur_utile = doc.w - doc.l_margin - doc.r_margin
    for (titre, png, source), (largeur, hauteur) in zip(contenu.images, dimensions, strict=True):
        if doc.get_y() + hauteur + 18 > doc.h - doc.b_margin:
            doc.add_page()
        doc.paragraphe(titre, taille=11, style="B", hauteur=6)
        doc.image(io.BytesIO(png), x=doc.l_margin + (largeur_utile - largeur) / 2, w=largeur, h=hauteur)
        if source:
            doc.source(source)
        doc.ln(4)


def _largeurs(tableau: pd.DataFrame, textes: list[list[str]]) -> list[float]:
    poids = []
    for j, colonne in enumerate(tableau.columns):
        entete = max((len(m) for m in str(colonne).split()), default=1)
        contenu = max((len(ligne[j]) for ligne in textes), default=1)
        poids.append(min(max(entete, contenu, 4), 40))
    return poids


def _tableaux(doc: _Document, contenu: ContenuRapport) -> None:
    doc.titre_section("3. Tableaux")
    if not contenu.tableaux:
        doc.paragraphe("Aucun tableau.", couleur=GRIS)
    for titre, tableau in contenu.tableaux:
        if doc.get_y() > doc.h - 60:
            doc.add_page()
        doc.paragraphe(titre, taille=11, style="B", hauteur=6)
        textes = [[texte_cellule(v) for v in ligne] for ligne in tableau.itertuples(index=False, name=None)]
        alignements = tuple("RIGHT" if pd.api.types.is_numeric_dtype(tableau[c]) and
                            not pd.api.types.is_bool_dtype(tableau[c]) else "LEFT"
                            for c in tableau.columns)
        doc.set_font(POLICE, "", 7.5)
        with doc.table(col_widths=_largeurs(tableau, textes), text_align=alignements, line_height=4,
                       headings_style=FontFace(emphasis="BOLD", fill_color=(232, 232, 232)),
                       repeat_headings=1, first_row_as_headings=True, markdown=False) as table:
            entete = table.row()
            for colonne in tableau.columns:
                entete.cell(_propre(colonne, une_ligne=True))
            for ligne in textes:
                rangee = table.row()
                for texte in ligne:
                    rangee.cell(texte)
        doc.ln(4)


def _sources(doc: _Document, contenu: ContenuRapport) -> None:
    doc.titre_section("4. Sources, éditions et licences")
    provenances = contenu.toutes_les_provenances()
    if not provenances:
        doc.paragraphe("Aucune source déclarée.", couleur=GRIS)
    for p in provenances:
        if doc.get_y() > doc.h - 50:
            doc.add_page()
        doc.paragraphe(p.titre, taille=10, style="B")
        lignes = [("Producteur", p.producteur), ("Édition", p.edition), ("Licence", p.licence),
                  ("Adresse", p.url),
                  ("Récupérée le", formats.date_longue(p.recupere_le) if p.recupere_le else "")]
        for libelle, valeur in lignes:
            if valeur:
                doc.paragraphe(f"{libelle} : {valeur}", taille=8.5, hauteur=4.2)
        if p.demo:
            doc.paragraphe("Données de démonstration : générées, non officielles.", taille=8.5, style="B",
                           couleur=ROUGE, hauteur=4.2)
        doc.ln(2.5)


def _precautions(doc: _Document, contenu: ContenuRapport) -> None:
    doc.titre_section("5. Précautions méthodologiques")
    precautions = list(contenu.precautions)
    if contenu.contient_demo:
        precautions.insert(0, PRECAUTION_DEMO)
    for texte in precautions:
        doc.paragraphe(f"•  {texte}", taille=9.5, hauteur=5)
        doc.ln(1)


def _a_remplir(doc: _Document, titre: str, lignes: int) -> None:
    doc.titre_section(titre)
    doc.paragraphe("À rédiger par le Conseil de développement.", taille=8.5, style="I", couleur=GRIS)
    doc.set_draw_color(170, 170, 170)
    for _ in range(lignes):
        doc.ln(8.5)
        if doc.get_y() > doc.h - doc.b_margin:
            doc.add_page()
        doc.line(doc.l_margin, doc.get_y(), doc.w - doc.r_margin, doc.get_y())
    doc.set_draw_color(0, 0, 0)
    doc.ln(6)


def rapport_pdf(contenu: ContenuRapport) -> bytes:
    """The report as PDF bytes (see the module docstring)."""
    moment = _date_generation(contenu.genere_le)
    doc = _Document(contenu.contient_demo)
    doc.set_title(_propre(contenu.titre, une_ligne=True))
    doc.set_author(ORGANISME)
    doc.set_creator(OBSERVATOIRE)
    doc.set_subject(_propre(f"{contenu.titre} — {contenu.perimetre}", une_ligne=True))
    doc.set_creation_date(moment)
    _couverture(doc, contenu, moment)
    doc.add_page()
    _chiffres(doc, contenu)
    _images(doc, contenu)
    _tableaux(doc, contenu)
    _sources(doc, contenu)
    _precautions(doc, contenu)
    doc.add_page()
    _a_remplir(doc, "6. Constats", contenu.lignes_a_remplir)
    _a_remplir(doc, "7. Préconisations", contenu.lignes_a_remplir)
    return bytes(doc.output())
