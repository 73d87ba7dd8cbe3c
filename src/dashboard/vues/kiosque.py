"""Slides of the public screen (kiosk mode): pure builders, no Streamlit, no file access.

A :class:`Diapositive` is everything one slide shows — title, one sentence, big figures,
a static map (SVG) or a plotly figure, the legend, and the provenance of every dataset
it uses (so each slide carries its sources, editions and a demonstration notice). The
Streamlit side (``dashboard.ui.kiosque``) only lays these out.

Why static SVG maps rather than folium here: a kiosk needs no pan, zoom or tooltip; an
inline SVG draws instantly and identically after every reconnection, needs no script and
no iframe (nothing to fail offline), scales to any screen and lets us write commune names
at a size readable from the back of a room. Colours and classes are those of the folium
maps (:mod:`dashboard.vues.carte`), so the screen and the interactive pages agree.

Every data string put into HTML/SVG goes through :func:`~dashboard.vues.securite.safe_html`.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import segno

from dashboard import formats
from dashboard.indicateurs import inclusion
from dashboard.indicateurs import synthese_couverture as sc
from dashboard.indicateurs import synthese_inclusion as si
from dashboard.indicateurs.deploiement import fin_du_trimestre
from dashboard.indicateurs.territoire import chiffres_cles
from dashboard.parametres_kiosque import ParametresKiosque
from dashboard.vues.carte import COULEURS_CATEGORIES
from dashboard.vues.classes import (
    COULEUR_NON_DISPONIBLE,
    LIBELLE_NON_DISPONIBLE,
    PALETTE_ALERTE,
    Classe,
    classes_quantiles,
    couleur_pour,
)
from dashboard.vues.graphiques import libelle_sur
from dashboard.vues.provenance import Provenance
from dashboard.vues.securite import safe_html

#: Okabe–Ito blue (colour-blind safe) for the territory curve, black for targets.
COULEUR_SERIE = "#0072B2"
COULEUR_CIBLE = "#000000"
COULEUR_PROJECTION = "#D55E00"
TAILLE_POLICE_GRAPHIQUE = 28
TAILLE_ETIQUETTE = 34  # in the 640-high drawing, shown ≈ 560 px high: ≈ 30 px on screen
HAUTEUR_CARTE = 640
HAUTEUR_FIGURE = 590
SEUIL_LIEUX = "15min_marche"
SEUIL_LIEUX_VOITURE = "15min_voiture"
CORRECTION_QR = "m"


@dataclass(frozen=True)
class Chiffre:
    """One key figure: the value as displayed, its label, an optional short detail."""

    valeur: str
    libelle: str
    detail: str = ""


@dataclass(frozen=True)
class Diapositive:
    """One slide. ``carte_svg`` is ready-to-insert (escaped) SVG; ``figure`` a plotly figure."""

    identifiant: str
    titre: str
    phrase: str
    provenances: tuple[Provenance, ...]
    chiffres: tuple[Chiffre, ...] = ()
    carte_svg: str | None = None
    legende_titre: str = ""
    legende: tuple[Classe, ...] = ()
    legende_points: tuple[tuple[str, str], ...] = ()  # (colour, label) of point symbols
    figure: go.Figure | None = field(default=None, compare=False)
    mention: str = ""  # a method caveat shown with the figures (« indice inspiré de l'IFN… »)
    question: bool = False
    manquantes: tuple[str, ...] = ()  # datasets not loaded (the slide says so)

    @property
    def demo(self) -> bool:
        return any(p.demo for p in self.provenances)


@dataclass(frozen=True)
class DonneesKiosque:
    """What the slides are built from (frames of the store, ``None`` when not loaded).

    ``provenances``: source id → :class:`Provenance` (``reference``, ``arcep_mci``,
    ``arcep_ftth``, ``insee_communes``, ``lieux`` for the combined places).
    ``objectifs``: coverage targets (:class:`dashboard.objectifs.Objectif`).
    """

    communes: gpd.GeoDataFrame
    nom_territoire: str
    de_territoire: str  # « du Pays de Lorient »
    mci: pd.DataFrame | None
    ftth: pd.DataFrame | None
    insee: pd.DataFrame | None
    lieux_aide: pd.DataFrame | None
    objectifs: tuple = ()
    provenances: dict[str, Provenance] = field(default_factory=dict)


# --------------------------------------------------------------------------- text helpers
def _court(texte: str) -> str:
    """« Ma connexion internet — éligibilité … » → « Ma connexion internet »; « INSEE (…), … » → « INSEE »."""
    for separateur in (" — ", " (", ", "):
        texte = texte.split(separateur)[0]
    return texte.strip()


def ligne_source(p: Provenance) -> str:
    """« Ma connexion internet (ARCEP) — T2 2026 … — Licence Ouverte 2.0 » (+ « démonstration »)."""
    producteur = "" if " ; " in p.producteur else _court(p.producteur)  # combined datasets: see edition
    titre = _court(p.titre)
    morceaux = [f"{titre} ({producteur})" if producteur and producteur not in titre else titre,
                p.edition_courte(), p.licence]
    ligne = " — ".join(m for m in morceaux if m)
    return ligne + (" — DÉMONSTRATION" if p.demo else "")


def lignes_sources(diapo: Diapositive) -> list[str]:
    """One short line per dataset shown: title (producer) — edition (date of data) — licence."""
    return [ligne_source(p) for p in diapo.provenances]


def avertissement_demo(diapo: Diapositive) -> str | None:
    """The demonstration notice of a slide, or ``None`` when every dataset is official."""
    if not any(p.demo for p in diapo.provenances):
        return None
    return "DÉMONSTRATION : chiffres générés, ils ne décrivent pas la réalité (sources marquées)."


def _part_petite(part: float) -> str:
    """« moins de 0,1 % » rather than a misleading « 0,0 % » for a small non-zero share."""
    if not pd.isna(part) and 0 < float(part) < 0.001:
        return f"moins de {formats.pourcentage(0.001)}"
    return formats.pourcentage(part, 1)


def _non_disponible(titre: str) -> str:
    return f"Données « {titre} » non chargées : cette diapositive reste incomplète."


# --------------------------------------------------------------------------- static map
def _anneaux(geometrie) -> Iterable:
    polygones = [geometrie] if geometrie.geom_type == "Polygon" else list(getattr(geometrie, "geoms", []))
    for polygone in polygones:
        if polygone.geom_type != "Polygon":
            continue
        yield polygone.exterior
        yield from polygone.interiors


def carte_svg(
    communes: gpd.GeoDataFrame,
    valeurs: pd.Series,
    classes: Sequence[Classe],
    titre: str,
    *,
    infobulles: pd.Series | None = None,
    etiquettes: dict[str, str] | None = None,
    points: pd.DataFrame | None = None,
    hauteur: int = HAUTEUR_CARTE,
) -> str:
    """A static choropleth of the communes in SVG (Lambert-93, north up).

    ``valeurs``: indexed by ``code_insee`` (missing → grey, dashed outline, never zero);
    ``infobulles``: code → text read by screen readers (``<title>``); ``etiquettes``:
    code → label written on the map (a few communes only: legible from afar);
    ``points``: ``latitude``, ``longitude``, ``categorie`` (places, coloured by category).
    """
    gdf = communes[["code_insee", "nom", "geometry"]].to_crs(2154)
    xmin, ymin, xmax, ymax = gdf.total_bounds
    marge = 12
    # The drawing keeps the territory's proportions (no empty bands): width follows height.
    largeur = round((hauteur - 2 * marge) * (xmax - xmin) / (ymax - ymin)) + 2 * marge
    echelle = min((largeur - 2 * marge) / (xmax - xmin), (hauteur - 2 * marge) / (ymax - ymin))
    dx = (largeur - (xmax - xmin) * echelle) / 2
    dy = (hauteur - (ymax - ymin) * echelle) / 2

    def px(x: float, y: float) -> tuple[float, float]:
        return dx + (x - xmin) * echelle, hauteur - dy - (y - ymin) * echelle

    elements = []
    for ligne in gdf.itertuples(index=False):
        valeur = valeurs.get(ligne.code_insee)
        manquant = valeur is None or pd.isna(valeur)
        chemin = []
        for anneau in _anneaux(ligne.geometry):
            coords = [px(x, y) for x, y, *_ in anneau.coords]
            chemin.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in coords) + " Z")
        bulle = infobulles.get(ligne.code_insee) if infobulles is not None else None
        texte_titre = safe_html(f"{ligne.nom} : {bulle}" if bulle else ligne.nom)
        trait = 'stroke-width="1.6" stroke-dasharray="6 4"' if manquant else 'stroke-width="1.2"'
        elements.append(
            f'<path d="{" ".join(chemin)}" fill="{couleur_pour(valeur, classes)}" fill-rule="evenodd" '
            f'stroke="#1a1a1a" {trait}><title>{texte_titre}</title></path>'
        )
    if points is not None and not points.empty:
        from dashboard.indicateurs.lieux import vers_lambert93

        avec = points.dropna(subset=["latitude", "longitude"])
        x, y = vers_lambert93(avec["longitude"].astype(float).to_numpy(), avec["latitude"].astype(float).to_numpy())
        for xi, yi, categorie in zip(np.atleast_1d(x), np.atleast_1d(y), avec["categorie"], strict=True):
            cx, cy = px(float(xi), float(yi))
            couleur = COULEURS_CATEGORIES.get(str(categorie), "#555555")
            elements.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="9" fill="{couleur}" stroke="#000000" '
                            'stroke-width="2.5"/>')
    a_placer = []
    for code, texte in (etiquettes or {}).items():
        geometrie = gdf.loc[gdf["code_insee"] == code, "geometry"]
        if geometrie.empty:
            continue
        point = geometrie.iloc[0].representative_point()
        a_placer.append((texte, *px(point.x, point.y)))
    places = placer_etiquettes([(x, y, _largeur_etiquette(t), TAILLE_ETIQUETTE * 1.25) for t, x, y in a_placer],
                               largeur, hauteur)
    for (texte, _, _), (cx, cy) in zip(a_placer, places, strict=True):
        sur = safe_html(texte, 60)
        # Drawn twice (thick white halo, then black) so the label reads over any fill colour.
        for style in ('fill="#ffffff" stroke="#ffffff" stroke-width="8" stroke-linejoin="round"', 'fill="#000000"'):
            elements.append(f'<text x="{cx:.1f}" y="{cy:.1f}" text-anchor="middle" dominant-baseline="middle" '
                            f'font-size="{TAILLE_ETIQUETTE}" font-weight="700" font-family="DejaVu Sans, sans-serif" '
                            f"{style}>{sur}</text>")
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {largeur} {hauteur}" width="{largeur}" '
            f'height="{hauteur}" role="img" aria-label="{safe_html(titre)}" preserveAspectRatio="xMidYMid meet">'
            f"<title>{safe_html(titre)}</title>" + "".join(elements) + "</svg>")


def _largeur_etiquette(texte: str) -> float:
    """Width of a bold label, estimated (DejaVu Sans Bold: ~0.68 em per character, plus the halo)."""
    return len(texte) * TAILLE_ETIQUETTE * 0.68 + 8


def placer_etiquettes(boites: Sequence[tuple[float, float, float, float]], largeur: float,
                      hauteur: float) -> list[tuple[float, float]]:
    """Centres for labels wanted at (x, y) with a (width, height) box: kept inside the drawing and,
    in order, moved up or down (the smaller move first) until they overlap no label placed before."""
    places: list[tuple[float, float, float, float]] = []
    for x, y, larg, h in boites:
        x = min(max(x, larg / 2), largeur - larg / 2)
        essais = sorted({y} | {y + k * pas * (h + 2) / 2 for k in (-1, 1) for pas in range(1, 9)},
                        key=lambda v: abs(v - y))
        for cy in essais:
            cy = min(max(cy, h / 2), hauteur - h / 2)
            if all(abs(x - px_) >= (larg + pl) / 2 or abs(cy - py) >= (h + ph) / 2 for px_, py, pl, ph in places):
                break
        places.append((x, cy, larg, h))
    return [(x, y) for x, y, _, _ in places]


def html_carte(diapo: Diapositive) -> str:
    """The slide's map as an image (see :func:`image_svg`), described by its title."""
    if diapo.carte_svg is None:
        return ""
    return image_svg(diapo.carte_svg, diapo.legende_titre or diapo.titre, "kiosque-carte")


# --------------------------------------------------------------------------- QR code
def qr_code(adresse: str) -> segno.QRCode:
    """The QR code of ``adresse`` (error correction ``M`` at least), generated offline by segno."""
    return segno.make(adresse, error=CORRECTION_QR, micro=False)


def qr_svg(adresse: str) -> str:
    """Standalone SVG of the QR code (black on white, quiet zone of 4 modules, scalable)."""
    tampon = io.BytesIO()
    qr_code(adresse).save(tampon, kind="svg", scale=1, border=4, dark="#000000", light="#ffffff", omitsize=True,
                          xmldecl=False, svgns=True, svgclass=None, lineclass=None)
    return tampon.getvalue().decode("utf-8")


def image_svg(svg: str, alternative: str, classe: str) -> str:
    """An ``<img>`` with the SVG as a data URI.

    Why: ``st.html`` sanitizes with DOMPurify's HTML profile, which drops inline ``<svg>``;
    an image keeps the drawing intact, and ``alt`` carries the accessible description.
    """
    donnees = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img class="{classe}" alt="{safe_html(alternative, 300)}" src="data:image/svg+xml;base64,{donnees}">'



# --------------------------------------------------------------------------- slides
def provenance_objectifs(objectifs: Sequence) -> Provenance | None:
    """Provenance of the public fibre targets (``data/objectifs_couverture.toml``)."""
    fibre = [o for o in objectifs if o.indicateur == "taux_ftth"]
    if not fibre:
        return None
    programmes = " ; ".join(dict.fromkeys(o.programme for o in fibre))
    return Provenance(source="objectifs", titre="Objectifs publics de couverture", producteur="",
                      edition=programmes, licence="", url=fibre[0].source_url, demo=False,
                      edition_abregee=" ; ".join(dict.fromkeys(_court(o.programme) for o in fibre)))


def _provenances(donnees: DonneesKiosque, *identifiants: str) -> tuple[Provenance, ...]:
    return tuple(donnees.provenances[i] for i in identifiants if i in donnees.provenances)


def _noms(donnees: DonneesKiosque) -> pd.Series:
    return donnees.communes.set_index("code_insee")["nom"]


def _eloignement(donnees: DonneesKiosque, seuil: str) -> pd.DataFrame | None:
    if donnees.lieux_aide is None:
        return None
    return si.eloignement_par_commune(donnees.communes, donnees.lieux_aide, donnees.insee, si.SEUILS[seuil])


def diapo_chiffres_cles(donnees: DonneesKiosque) -> Diapositive:
    """Six key figures of the territory: people, fibre, white zones, places, illectronisme, distance."""
    codes = list(donnees.communes["code_insee"])
    cles = chiffres_cles(donnees.communes)
    chiffres = [Chiffre(formats.nombre(cles.population), "habitants",
                        f"{formats.nombre(cles.nb_communes)} communes")]
    manquantes = []
    if donnees.ftth is not None:
        ligne = sc.valeur_perimetre(sc.INDICATEURS["ftth"], None, donnees.ftth, codes)
        chiffres.append(Chiffre(formats.pourcentage(ligne["valeur"], 0), "des locaux raccordables à la fibre",
                                sc.dernier_trimestre(donnees.ftth)))
    else:
        manquantes.append("déploiement de la fibre")
    if donnees.mci is not None:
        ligne = sc.valeur_perimetre(sc.INDICATEURS["sans_thd"], donnees.mci, None, codes)
        chiffres.append(Chiffre(formats.nombre(ligne["nombre"]), "locaux sans très haut débit",
                                f"{formats.pourcentage(ligne['valeur'])} des locaux"))
    else:
        manquantes.append("Ma connexion internet")
    if donnees.lieux_aide is not None:
        chiffres.append(Chiffre(formats.nombre(len(donnees.lieux_aide)), "lieux d'aide au numérique",
                                "France services et médiation"))
    if donnees.insee is not None:
        illectronisme = inclusion.illectronisme_estime(donnees.insee)
        personnes = illectronisme["personnes_estimees"].sum()
        base = illectronisme["population_15_plus"].sum()
        chiffres.append(Chiffre(formats.nombre(round(float(personnes), -2)),
                                "personnes en difficulté avec le numérique",
                                f"estimation, {formats.pourcentage(personnes / base, 0)} des 15 ans et plus"))
    else:
        manquantes.append("recensement INSEE")
    loin = _eloignement(donnees, SEUIL_LIEUX)
    if loin is not None:
        ligne = si.eloignement_perimetre(loin, codes)
        chiffres.append(Chiffre(formats.nombre(round(float(ligne["population_au_dela"]), -2)),
                                "habitants à plus de 15 min à pied d'un lieu d'aide",
                                f"estimation, {formats.pourcentage(ligne['part_au_dela'], 0)} de la population"))
    else:
        manquantes.append("lieux d'aide")
    return Diapositive(
        identifiant="chiffres_cles",
        titre=f"Chiffres clés {donnees.de_territoire}",
        phrase=f"Le numérique au quotidien dans les {formats.nombre(cles.nb_communes)} communes "
               f"{donnees.de_territoire}.",
        chiffres=tuple(chiffres),
        provenances=_provenances(donnees, "reference", "arcep_ftth", "arcep_mci", "lieux", "insee_communes"),
        manquantes=tuple(manquantes),
    )


def diapo_zones_blanches(donnees: DonneesKiosque) -> Diapositive:
    """Map of the share of locaux without ≥ 30 Mbit/s (wired networks) per commune."""
    titre = "Où le très haut débit manque-t-il ?"
    provenances = _provenances(donnees, "arcep_mci", "reference")
    if donnees.mci is None:
        return Diapositive("zones_blanches", titre, _non_disponible("Ma connexion internet"), provenances,
                           manquantes=("Ma connexion internet",))
    indicateur = sc.INDICATEURS["sans_thd"]
    valeurs = sc.valeurs_communes(indicateur, donnees.mci, None).set_index("code")
    codes = list(donnees.communes["code_insee"])
    ligne = sc.valeur_perimetre(indicateur, donnees.mci, None, codes)
    noms = _noms(donnees)
    # The two worst communes: each named on the map has its card next to the territory's figure.
    pires = valeurs.dropna(subset=["valeur"]).sort_values(["valeur", "nombre"], ascending=False).head(2)
    classes = classes_quantiles(valeurs["valeur"], formats.pourcentage, PALETTE_ALERTE)
    carte = carte_svg(
        donnees.communes, valeurs["valeur"], classes,
        "Carte : part des locaux sans très haut débit par commune",
        infobulles=valeurs["valeur"].map(formats.pourcentage),
        etiquettes={c: str(noms.get(c, c)) for c in pires.index},
    )
    chiffres = [Chiffre(formats.nombre(ligne["nombre"]), "locaux sans très haut débit",
                        f"{formats.pourcentage(ligne['valeur'])} des locaux, réseaux filaires")]
    chiffres += [Chiffre(formats.pourcentage(v, 0), str(noms.get(c, c)),
                         f"{formats.nombre(n)} locaux sans très haut débit")
                 for c, v, n in zip(pires.index, pires["valeur"], pires["nombre"], strict=True)]
    return Diapositive(
        identifiant="zones_blanches",
        titre=titre,
        phrase="Locaux (logements et locaux professionnels) sans offre fixe d'au moins 30 Mbit/s "
               "(fibre, câble ou cuivre).",
        chiffres=tuple(chiffres),
        carte_svg=carte,
        legende_titre="Part des locaux sans très haut débit",
        legende=tuple(classes),
        provenances=provenances,
    )


def figure_fibre(series: pd.DataFrame, echeances: list[tuple[str, str, float]],
                 projection: tuple[str, float] | None) -> go.Figure:
    """The FttH rate of the territory per quarter, targets as black stars, projection dashed.

    ``series``: ``trimestre``, ``date``, ``taux_ftth``; ``echeances``: (label, ISO date,
    share); ``projection``: (quarter of 100 %, current share) or ``None``. Large type for a
    public screen; static (no hover, no toolbar — set in the Streamlit config).
    """
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=pd.to_datetime(series["date"]), y=series["taux_ftth"].astype("float") * 100, mode="lines+markers",
        name="Locaux raccordables", line={"color": COULEUR_SERIE, "width": 7}, marker={"size": 10},
    ))
    if projection is not None and not series.empty:
        trimestre, actuel = projection
        fig.add_trace(go.Scatter(
            x=[pd.Timestamp(series["date"].max()), pd.Timestamp(fin_du_trimestre(trimestre))], y=[actuel * 100, 100],
            mode="lines", name=f"Projection : 100 % {trimestre}",
            line={"dash": "dash", "color": COULEUR_PROJECTION, "width": 6},
        ))
    if echeances:
        fig.add_trace(go.Scatter(
            x=[pd.Timestamp(jour) for _, jour, _ in echeances], y=[cible * 100 for _, _, cible in echeances],
            mode="markers", name="Objectifs publics",
            marker={"symbol": "star", "size": 36, "color": COULEUR_CIBLE, "line": {"color": "#ffffff", "width": 2}},
            hovertext=[f"{libelle_sur(libelle)} : {formats.pourcentage(cible, 0)} au {formats.date_longue(jour)}"
                       for libelle, jour, cible in echeances], hoverinfo="text",
        ))
    fig.update_layout(
        separators=", ",
        font={"family": "DejaVu Sans, Source Sans Pro, sans-serif", "size": TAILLE_POLICE_GRAPHIQUE,
              "color": "#000000"},
        margin={"l": 10, "r": 30, "t": 10, "b": 10},
        height=HAUTEUR_FIGURE,
        plot_bgcolor="white",
        paper_bgcolor="white",
        showlegend=True,
        legend={"orientation": "h", "yanchor": "top", "y": -0.14, "x": 0, "font": {"size": TAILLE_POLICE_GRAPHIQUE}},
    )
    fig.update_yaxes(ticksuffix="\u00a0%", range=[0, 108], showgrid=True, gridcolor="#bbbbbb", zeroline=False,
                     tickfont={"size": TAILLE_POLICE_GRAPHIQUE, "color": "#000000"}, dtick=25)
    fig.update_xaxes(showgrid=False, tickfont={"size": TAILLE_POLICE_GRAPHIQUE, "color": "#000000"},
                     linecolor="#000000")
    return fig


def diapo_fibre(donnees: DonneesKiosque) -> Diapositive:
    """FttH progression of the territory with the public fibre targets and the projection."""
    titre = "La fibre progresse : où en est-on ?"
    provenances = _provenances(donnees, "arcep_ftth", "objectifs")
    if donnees.ftth is None:
        return Diapositive("fibre", titre, _non_disponible("déploiement de la fibre"), provenances,
                           manquantes=("déploiement de la fibre",))
    codes = list(donnees.communes["code_insee"])
    series = sc.series_ftth(donnees.ftth, {donnees.nom_territoire: codes})
    tendance = sc.projection_perimetre(donnees.ftth, codes)
    quand = tendance["projection_100_pourcent"]
    projection = None
    if isinstance(quand, str) and quand.startswith("T") and not pd.isna(tendance["taux_ftth"]):
        projection = (quand, float(tendance["taux_ftth"]))
    cibles = [o for o in donnees.objectifs if o.indicateur == "taux_ftth"]
    echeances = [(o.programme, o.echeance, o.cible) for o in cibles]
    dernier = series.iloc[-1] if not series.empty else None
    chiffres = []
    if dernier is not None:
        chiffres.append(Chiffre(formats.pourcentage(dernier["taux_ftth"], 0), "des locaux raccordables à la fibre",
                                f"{dernier['trimestre']} — {formats.nombre(dernier['locaux_raccordables'])} locaux"))
    if cibles:
        o = cibles[-1]
        chiffres.append(Chiffre(formats.pourcentage(o.cible, 0), f"objectif au {formats.date_longue(o.echeance)}",
                                o.programme))
    if quand is None or (not isinstance(quand, str) and pd.isna(quand)):
        texte_projection = "atteint" if dernier is not None and dernier["taux_ftth"] >= 1 else formats.NON_DISPONIBLE
    else:
        texte_projection = str(quand)
    chiffres.append(Chiffre(texte_projection, "100 % au rythme des 4 derniers trimestres",
                            "projection, pas une prévision"))
    return Diapositive(
        identifiant="fibre",
        titre=titre,
        phrase=f"Part des locaux {donnees.de_territoire} raccordables à la fibre optique (FttH), trimestre "
               "par trimestre, face aux objectifs publics.",
        chiffres=tuple(chiffres),
        figure=figure_fibre(series, echeances, projection),
        provenances=provenances,
    )


def diapo_fragilite(donnees: DonneesKiosque) -> Diapositive:
    """Map of the fragility score (0–10), an index *inspired by* the IFN — labelled so."""
    titre = "Fragilité numérique des communes"
    mention = (f"Score 0 à 10 : {inclusion.LIBELLE_INDICE}, calculé par l'observatoire ; "
               "ce n'est pas l'IFN officiel.")
    provenances = _provenances(donnees, "insee_communes", "arcep_mci", "reference")
    if donnees.insee is None:
        return Diapositive("fragilite", titre, _non_disponible("recensement INSEE"), provenances,
                           mention=mention, manquantes=("recensement INSEE",))
    tableau = si.tableau_fragilite(donnees.insee, donnees.mci).set_index("code_insee")
    scores = tableau["score_0_10"]
    noms = _noms(donnees)
    tete = scores.dropna().sort_values(ascending=False).head(3)
    classes = classes_quantiles(scores, lambda v: formats.nombre(v, 1), PALETTE_ALERTE)
    carte = carte_svg(donnees.communes, scores, classes,
                      f"Carte : score de fragilité numérique ({inclusion.LIBELLE_INDICE}) par commune",
                      infobulles=scores.map(lambda v: f"{formats.nombre(v, 1)} sur 10"),
                      etiquettes={c: str(noms.get(c, c)) for c in tete.index})
    chiffres = tuple(Chiffre(f"{formats.nombre(s, 1)}/10", str(noms.get(c, c))) for c, s in tete.items())
    return Diapositive(
        identifiant="fragilite",
        titre=titre,
        phrase="Âge, diplôme, pauvreté et accès au très haut débit combinés en un score par commune "
               "(0 = la commune la moins fragile du territoire).",
        chiffres=chiffres,
        carte_svg=carte,
        legende_titre="Score de fragilité (0 à 10)",
        legende=tuple(classes),
        mention=mention,
        provenances=provenances,
    )


def diapo_lieux(donnees: DonneesKiosque) -> Diapositive:
    """Places of digital help on the map, communes coloured by the share beyond 15 min on foot."""
    titre = "Un lieu d'aide au numérique à moins de 15 minutes ?"
    provenances = _provenances(donnees, "lieux", "insee_communes", "reference")
    if donnees.lieux_aide is None:
        return Diapositive("lieux", titre, _non_disponible("lieux d'aide"), provenances,
                           manquantes=("lieux d'aide",))
    codes = list(donnees.communes["code_insee"])
    a_pied = si.eloignement_par_commune(donnees.communes, donnees.lieux_aide, donnees.insee, si.SEUILS[SEUIL_LIEUX])
    en_voiture = si.eloignement_par_commune(donnees.communes, donnees.lieux_aide, donnees.insee,
                                            si.SEUILS[SEUIL_LIEUX_VOITURE])
    ligne_pied = si.eloignement_perimetre(a_pied, codes)
    ligne_voiture = si.eloignement_perimetre(en_voiture, codes)
    parts = a_pied.set_index("code_insee")["part_au_dela"]
    classes = classes_quantiles(parts, lambda v: formats.pourcentage(v, 0), PALETTE_ALERTE)
    carte = carte_svg(donnees.communes, parts, classes,
                      "Carte : lieux d'aide au numérique et part des habitants à plus de 15 minutes à pied",
                      infobulles=parts.map(formats.pourcentage), points=donnees.lieux_aide)
    categories = [c for c in COULEURS_CATEGORIES if c in set(donnees.lieux_aide["categorie"])]
    chiffres = (
        Chiffre(formats.nombre(len(donnees.lieux_aide)), "lieux d'aide au numérique",
                "France services et lieux de médiation"),
        Chiffre(formats.nombre(round(float(ligne_pied["population_au_dela"]), -2)),
                "habitants à plus de 15 min à pied",
                f"{formats.pourcentage(ligne_pied['part_au_dela'], 0)} de la population, dont "
                f"{formats.nombre(round(float(ligne_pied['population_75_plus_au_dela']), -2))} de 75 ans et plus"),
        Chiffre(formats.nombre(round(float(ligne_voiture["population_au_dela"]), -1)),
                "habitants à plus de 15 min en voiture",
                f"{_part_petite(ligne_voiture['part_au_dela'])} de la population"),
    )
    return Diapositive(
        identifiant="lieux",
        titre=titre,
        phrase="Sans voiture, l'aide est souvent loin. Temps estimés : un ordre de grandeur, pas un itinéraire.",
        chiffres=chiffres,
        carte_svg=carte,
        legende_titre="Habitants à plus de 15 min à pied",
        legende=tuple(classes),
        legende_points=tuple((COULEURS_CATEGORIES[c], c) for c in categories),
        provenances=provenances,
    )


def diapo_question(donnees: DonneesKiosque, parametres: ParametresKiosque) -> Diapositive:
    """The question of the evening; its sources are every dataset the show presents."""
    ordre = ("reference", "arcep_mci", "arcep_ftth", "insee_communes", "lieux")
    return Diapositive(
        identifiant="question",
        titre="La question du débat",
        phrase=parametres.question,
        mention=parametres.precision,
        provenances=_provenances(donnees, *ordre),
        question=True,
    )


CONSTRUCTEURS = {
    "chiffres_cles": diapo_chiffres_cles,
    "zones_blanches": diapo_zones_blanches,
    "fibre": diapo_fibre,
    "fragilite": diapo_fragilite,
    "lieux": diapo_lieux,
}


def construire_diapositives(donnees: DonneesKiosque, parametres: ParametresKiosque) -> list[Diapositive]:
    """Every slide named in the settings, in their order."""
    return [diapo_question(donnees, parametres) if d == "question" else CONSTRUCTEURS[d](donnees)
            for d in parametres.diapositives]


# --------------------------------------------------------------------------- HTML
def html_entete(diapo: Diapositive, numero: int, total: int) -> str:
    """Title, sentence and the slide counter (« 2 / 6 »)."""
    classe = "kiosque-question" if diapo.question else "kiosque-phrase"
    return (f'<header class="kiosque-entete" data-diapo="{safe_html(diapo.identifiant)}">'
            f'<div class="kiosque-compteur" aria-label="Diapositive {numero} sur '
            f'{total}">{numero} / {total}</div><h1 class="kiosque-titre">{safe_html(diapo.titre)}</h1>'
            f'<p class="{classe}">{safe_html(diapo.phrase, 400)}</p></header>')


def html_chiffres(diapo: Diapositive, *, grille: bool = False) -> str:
    """The big figures (value ≥ 64 px, label ≥ 28 px) and the method caveat."""
    blocs = []
    for c in diapo.chiffres:
        valeur = f'<div class="kiosque-valeur">{safe_html(c.valeur)}</div>' if c.valeur else ""
        detail = f'<div class="kiosque-detail">{safe_html(c.detail)}</div>' if c.detail else ""
        blocs.append(f'<div class="kiosque-chiffre">{valeur}<div class="kiosque-libelle">'
                     f'{safe_html(c.libelle, 300)}</div>{detail}</div>')
    mention = f'<p class="kiosque-mention">{safe_html(diapo.mention, 300)}</p>' if diapo.mention else ""
    manquantes = "".join(f'<p class="kiosque-manque">{safe_html(_non_disponible(m))}</p>' for m in diapo.manquantes
                         if not diapo.phrase.startswith("Données"))
    classe = "kiosque-grille" if grille else "kiosque-colonne"
    return f'<section class="{classe}">{"".join(blocs)}</section>{mention}{manquantes}'


def html_legende(diapo: Diapositive) -> str:
    """Legend under the map: colour classes, « donnée non disponible », point symbols."""
    if not diapo.legende and not diapo.legende_points:
        return ""
    elements = [f'<span class="kiosque-case"><span class="kiosque-pastille" style="background:{c.couleur}">'
                f"</span>{safe_html(c.libelle)}</span>" for c in diapo.legende]
    if diapo.legende:
        elements.append(f'<span class="kiosque-case"><span class="kiosque-pastille kiosque-nd" '
                        f'style="background:{COULEUR_NON_DISPONIBLE}"></span>{LIBELLE_NON_DISPONIBLE}</span>')
    points = [f'<span class="kiosque-case"><span class="kiosque-point" style="background:{couleur}"></span>'
              f"{safe_html(libelle)}</span>" for couleur, libelle in diapo.legende_points]
    return (f'<div class="kiosque-legende" role="img" aria-label="Légende : {safe_html(diapo.legende_titre)}">'
            f'<strong>{safe_html(diapo.legende_titre)}</strong><div>{"".join(elements)}</div>'
            f'<div>{"".join(points)}</div></div>')


def html_pied(diapo: Diapositive) -> str:
    """Sources with their edition (date of data) and licence; the demonstration notice first."""
    demo = avertissement_demo(diapo)
    bandeau = f'<div class="kiosque-demo" role="alert">⚠ {safe_html(demo, 400)}</div>' if demo else ""
    lignes = " · ".join(f"<span>{safe_html(ligne, 300)}</span>" for ligne in lignes_sources(diapo))
    return (f'<div class="kiosque-pied">{bandeau}<p class="kiosque-sources"><strong>Sources et date des '
            f"données :</strong> {lignes}</p></div>")


def html_debat(diapo: Diapositive, parametres: ParametresKiosque) -> str:
    """Body of the question slide: the organisers' sentence and the large QR code."""
    precision = f'<p class="kiosque-precision">{safe_html(diapo.mention, 400)}</p>' if diapo.mention else ""
    return f'<div class="kiosque-debat"><div>{precision}</div>{html_qr(parametres, grand=True)}</div>'


def html_qr(parametres: ParametresKiosque, *, grand: bool = False) -> str:
    """The QR code box (bottom-right corner; large on the question slide) with the address."""
    classe = "kiosque-qr-grand" if grand else "kiosque-qr-coin"
    legende = f'<div class="kiosque-qr-legende">{safe_html(parametres.legende_qr)}</div>' \
        if parametres.legende_qr else ""
    image = image_svg(qr_svg(parametres.adresse_qr), f"QR code vers {parametres.adresse_qr}", "kiosque-qr")
    return (f'<aside class="{classe}" aria-label="QR code vers le tableau de bord interactif">'
            f'{image}{legende}<div class="kiosque-qr-adresse">{safe_html(parametres.adresse_qr, 120)}</div></aside>')
