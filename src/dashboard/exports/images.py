"""PNG images of the map and the charts, drawn by matplotlib — no browser, no network.

API
---
``carte_png(communes_gdf, valeurs, classes, titre, source_texte, *, titre_legende=None,
selection=None, demo=False, largeur_px=1600, hauteur_px=1200, dpi=150) -> bytes``
    The communes as polygons (drawn in Lambert-93, EPSG:2154, so shapes are true),
    coloured with the *same* classes and colours as the folium map
    (:func:`dashboard.vues.carte.couleur_pour`), « donnée non disponible » grey,
    hatched and dashed (never as zero); communes outside ``selection`` (INSEE codes)
    faded and the view fitted to the selection, as on screen. Legend (``titre_legende``
    carries the unit, e.g. « Part des locaux (%) »), title, a 10 km scale bar, the source
    line at the bottom and, with ``demo=True``, a red « DONNÉES DE DÉMONSTRATION » line.

``figure_png(figure, *, largeur_px=1400, hauteur_px=None, dpi=150, source_texte=None, demo=False) -> bytes``
    Re-draws a plotly figure of :mod:`dashboard.vues` with matplotlib from the data it
    holds: bar traces (horizontal or vertical; ``barmode`` stack, group, overlay; one
    colour or one per bar; ``text`` labels) and scatter traces (lines, markers, dashes,
    star/circle/square/diamond markers; numbers, categories or dates on x), layout
    title, axis ``ticksuffix`` and numeric ``range``. Any other trace type raises
    :class:`ErreurExport`. ``hauteur_px`` defaults to the figure's height (scaled).

``graphique_barres_png(libelles, valeurs, titre, *, suffixe="", textes=None, couleurs=None,
surlignage=None, source_texte=None, demo=False, largeur_px=1400, hauteur_px=None, dpi=150) -> bytes``
    Horizontal bars, first label at the top (a ranking reads top-down); ``surlignage``
    is a label drawn in the selection colour; ``suffixe`` is appended to axis ticks
    (``"\\u00a0%"``).

``graphique_serie_png(series, titre, *, suffixe="", objectifs=(), projection=None,
source_texte=None, demo=False, largeur_px=1400, hauteur_px=700, dpi=150) -> bytes``
    Time series: ``series`` maps a name to a ``pd.Series`` indexed by dates; the first is
    drawn thicker; ``objectifs`` are ``(label, date, value)`` stars; ``projection`` is
    ``(label, pd.Series)`` drawn dashed. Quarter ticks read « T2 2026 ».

Every PNG is exactly ``largeur_px × hauteur_px`` pixels. Numbers on axes are formatted
in French (``12 345``, ``87,5 %``). Data text is drawn literally (``$`` is escaped,
so matplotlib's mathtext never parses a commune name).

Why not plotly's own PNG export (kaleido)? Tested with kaleido 1.5.0 and Debian's
Chromium (``BROWSER_PATH=/usr/bin/chromium``): it works offline, but each image takes
3 to 6 s, starts a headless Chromium from the server process for every call, and fails
wherever Chrome is absent (reliability plan F-16) — and the PDF report must be built
without a browser. Re-drawing the few chart types the dashboard uses from their data is
fast (0.3 to 2 s), deterministic and testable, so kaleido is not a dependency.

matplotlib is used through its object API (``Figure`` + Agg canvas), never ``pyplot``
(no global figure registry), and every public function holds one module lock while it
draws: matplotlib is not thread-safe and Streamlit runs each session in its own thread.
"""

from __future__ import annotations

import functools
import io
import math
import textwrap
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import ParamSpec, TypeVar

import geopandas as gpd
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path as CheminMpl
from matplotlib.ticker import FuncFormatter, MaxNLocator
from shapely.geometry.base import BaseGeometry

from dashboard import formats
from dashboard.exports import ErreurExport
from dashboard.vues.classes import COULEUR_NON_DISPONIBLE, LIBELLE_NON_DISPONIBLE, Classe, couleur_pour
from dashboard.vues.graphiques import COULEUR_PRINCIPALE, COULEUR_SELECTION, PALETTE_CATEGORIES

LAMBERT_93 = "EPSG:2154"
AVIS_DEMO = "DONNÉES DE DÉMONSTRATION — générées pour illustrer l'outil, non officielles"
COULEUR_DEMO = "#b00020"
COULEUR_TEXTE_SECONDAIRE = "#444444"
TAILLE_TITRE, TAILLE_TEXTE, TAILLE_SOURCE = 15, 10.5, 8.5
MARQUEURS = {"star": "*", "circle": "o", "square": "s", "diamond": "D", "triangle-up": "^",
             "triangle-down": "v", "cross": "P", "x": "X"}
TIRETS = {"dash": "--", "dot": ":", "dashdot": "-.", "longdash": (0, (8, 3)), "solid": "-"}


_VERROU = threading.Lock()
P = ParamSpec("P")
R = TypeVar("R")


def _un_a_la_fois(fonction: Callable[P, R]) -> Callable[P, R]:
    """Serialise drawing: matplotlib's font cache and text layout are not thread-safe."""

    @functools.wraps(fonction)
    def enveloppe(*args: P.args, **kwargs: P.kwargs) -> R:
        with _VERROU:
            return fonction(*args, **kwargs)

    return enveloppe


# --- common helpers ----------------------------------------------------------------------

def texte_sur(texte: object) -> str:
    """Literal text for matplotlib: ``$`` escaped so mathtext never parses data."""
    return "" if texte is None else str(texte).replace("$", r"\$")


def _nouvelle_figure(largeur_px: int, hauteur_px: int, dpi: int) -> Figure:
    if largeur_px < 100 or hauteur_px < 100:
        raise ErreurExport("image trop petite : au moins 100 × 100 pixels")
    figure = Figure(figsize=(largeur_px / dpi, hauteur_px / dpi), dpi=dpi, facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure, dpi: int) -> bytes:
    tampon = io.BytesIO()
    figure.savefig(tampon, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    return tampon.getvalue()


def _caracteres_par_ligne(largeur_px: int, dpi: int, taille_pt: float) -> int:
    largeur_caractere_px = taille_pt * dpi / 72 * 0.56
    return max(20, int(largeur_px * 0.94 / largeur_caractere_px))


def _hauteur_texte(nb_lignes: int, taille_pt: float, dpi: int, hauteur_px: int) -> float:
    """Height of ``nb_lignes`` lines of text as a fraction of the figure height."""
    return nb_lignes * taille_pt * 1.35 * dpi / 72 / hauteur_px


def _cadre(figure: Figure, titre: str, source_texte: str | None, demo: bool, largeur_px: int,
           hauteur_px: int, dpi: int) -> tuple[float, float]:
    """Title (+ demo line) at the top, wrapped source at the bottom.

    Returns the (bottom, top) figure fractions left free for the drawing.
    """
    marge = 12 / hauteur_px
    lignes_titre = textwrap.wrap(texte_sur(titre), _caracteres_par_ligne(largeur_px, dpi, TAILLE_TITRE)) or [""]
    haut = 1 - marge
    figure.text(0.02, haut, "\n".join(lignes_titre), ha="left", va="top", fontsize=TAILLE_TITRE,
                fontweight="bold")
    haut -= _hauteur_texte(len(lignes_titre), TAILLE_TITRE, dpi, hauteur_px)
    if demo:
        lignes_demo = textwrap.wrap(AVIS_DEMO, _caracteres_par_ligne(largeur_px, dpi, TAILLE_TEXTE))
        figure.text(0.02, haut, "\n".join(lignes_demo), ha="left", va="top", fontsize=TAILLE_TEXTE,
                    fontweight="bold", color=COULEUR_DEMO)
        haut -= _hauteur_texte(len(lignes_demo), TAILLE_TEXTE, dpi, hauteur_px)
    bas = marge
    if source_texte:
        largeur = _caracteres_par_ligne(largeur_px, dpi, TAILLE_SOURCE)
        lignes = [ligne for paragraphe in texte_sur(source_texte).splitlines()
                  for ligne in (textwrap.wrap(paragraphe, largeur) or [""])]
        figure.text(0.02, bas, "\n".join(lignes), ha="left", va="bottom", fontsize=TAILLE_SOURCE,
                    color=COULEUR_TEXTE_SECONDAIRE)
        bas += _hauteur_texte(len(lignes), TAILLE_SOURCE, dpi, hauteur_px)
    return bas + marge, haut - marge


def _format_nombre(suffixe: str):
    def formatter(valeur: float, _position: int | None = None) -> str:
        decimales = 0 if abs(valeur - round(valeur)) < 1e-9 else (1 if abs(valeur * 10 - round(valeur * 10)) < 1e-9
                                                                   else 2)
        return f"{formats.nombre(valeur, decimales)}{suffixe}"

    return FuncFormatter(formatter)


def _format_trimestre(valeur: float, _position: int | None = None) -> str:
    return formats.trimestre(mdates.num2date(valeur).date())


# --- map -----------------------------------------------------------------------------------

def _chemin(geometrie: BaseGeometry) -> CheminMpl | None:
    """A matplotlib path for a (multi)polygon, holes included."""
    polygones = getattr(geometrie, "geoms", [geometrie])
    sommets, codes = [], []
    for polygone in polygones:
        if polygone.is_empty or polygone.geom_type != "Polygon":
            continue
        for anneau in (polygone.exterior, *polygone.interiors):
            points = np.asarray(anneau.coords)[:, :2]
            sommets.append(points)
            codes.append([CheminMpl.MOVETO] + [CheminMpl.LINETO] * (len(points) - 2) + [CheminMpl.CLOSEPOLY])
    if not sommets:
        return None
    return CheminMpl(np.concatenate(sommets), np.concatenate(codes))


def _barre_d_echelle(axe, emprise: np.ndarray) -> None:
    largeur = emprise[2] - emprise[0]
    longueur = 10_000 if largeur > 25_000 else (5_000 if largeur > 12_000 else 1_000)
    x0 = emprise[2] - largeur * 0.03 - longueur  # lower right: the sea, on this coast
    y0 = emprise[1] + (emprise[3] - emprise[1]) * 0.03
    epaisseur = (emprise[3] - emprise[1]) * 0.008
    axe.add_patch(Rectangle((x0, y0), longueur, epaisseur, facecolor="black", edgecolor="black"))
    axe.text(x0 + longueur / 2, y0 + epaisseur * 2, f"{longueur // 1000} km", ha="center", va="bottom",
             fontsize=TAILLE_SOURCE)


@_un_a_la_fois
def carte_png(
    communes_gdf: gpd.GeoDataFrame,
    valeurs: pd.Series,
    classes: Sequence[Classe],
    titre: str,
    source_texte: str | None,
    *,
    titre_legende: str | None = None,
    selection: set[str] | None = None,
    cadrer_selection: bool = True,
    demo: bool = False,
    largeur_px: int = 1600,
    hauteur_px: int = 1200,
    dpi: int = 150,
) -> bytes:
    """The choropleth map as PNG bytes (see the module docstring)."""
    if communes_gdf.empty:
        raise ErreurExport("aucune commune à dessiner")
    gdf = communes_gdf[["code_insee", "geometry"]]
    gdf = gdf.to_crs(LAMBERT_93) if gdf.crs is not None else gdf
    selection = set(gdf["code_insee"]) if selection is None else set(selection)
    figure = _nouvelle_figure(largeur_px, hauteur_px, dpi)
    bas, haut = _cadre(figure, titre, source_texte, demo, largeur_px, hauteur_px, dpi)
    axe = figure.add_axes((0.01, bas, 0.66, max(haut - bas, 0.1)))
    axe.set_axis_off()
    axe.set_aspect("equal")
    manque = False
    for code, geometrie in zip(gdf["code_insee"], gdf.geometry, strict=True):
        chemin = _chemin(geometrie) if geometrie is not None else None
        if chemin is None:
            continue
        valeur = valeurs.get(code)
        absente = valeur is None or bool(pd.isna(valeur))
        manque |= absente
        dedans = code in selection
        axe.add_patch(PathPatch(
            chemin, facecolor=couleur_pour(valeur, classes), alpha=1.0 if dedans or not cadrer_selection else 0.3,
            edgecolor="#222222" if dedans else "#888888",
            linewidth=(0.8 if cadrer_selection else 2.2) if dedans else 0.4,
            linestyle="--" if absente else "-", hatch="////" if absente else None,
        ))
    dans = gdf[gdf["code_insee"].isin(selection)]
    emprise = (dans if not dans.empty and cadrer_selection else gdf).total_bounds
    marge_x, marge_y = (emprise[2] - emprise[0]) * 0.04, (emprise[3] - emprise[1]) * 0.04
    axe.set_xlim(emprise[0] - marge_x, emprise[2] + marge_x)
    axe.set_ylim(emprise[1] - marge_y, emprise[3] + marge_y)
    _barre_d_echelle(axe, np.array([emprise[0] - marge_x, emprise[1] - marge_y,
                                    emprise[2] + marge_x, emprise[3] + marge_y]))
    poignees = [Patch(facecolor=c.couleur, edgecolor="#555555", label=texte_sur(c.libelle)) for c in classes]
    if manque or not classes:
        poignees.append(Patch(facecolor=COULEUR_NON_DISPONIBLE, edgecolor="#333333", hatch="////",
                              linestyle="--", label=LIBELLE_NON_DISPONIBLE))
    legende = "\n".join(textwrap.wrap(texte_sur(titre_legende or "Légende"), 30))
    figure.legend(handles=poignees, loc="upper left", bbox_to_anchor=(0.69, haut), title=legende,
                  fontsize=TAILLE_TEXTE, title_fontsize=TAILLE_TEXTE, frameon=False, alignment="left")
    return _png(figure, dpi)


# --- charts --------------------------------------------------------------------------------

@dataclass
class _Trace:
    """One drawable series, from a plotly trace or from data."""

    genre: str  # "barres" | "courbe"
    x: list
    y: np.ndarray
    nom: str = ""
    couleurs: str | list[str] | None = None
    textes: list[str] | None = None
    horizontal: bool = False
    tirets: object = "-"
    ligne: bool = True
    marqueur: str | None = None
    epaisseur: float = 2.0
    taille_marqueur: float = 6.0
    legende: bool = True


def _nombres(valeurs) -> np.ndarray:
    return pd.to_numeric(pd.Series(list(valeurs) if valeurs is not None else [], dtype="object"),
                         errors="coerce").to_numpy(dtype=float)


def _est_date(valeurs: list) -> bool:
    return bool(valeurs) and all(isinstance(v, datetime | date | np.datetime64) for v in valeurs)


def _dessiner(traces: Sequence[_Trace], titre: str, *, suffixe_valeurs: str = "", empilement: str = "group",
              plage_valeurs: tuple[float, float] | None = None, source_texte: str | None, demo: bool,
              largeur_px: int, hauteur_px: int, dpi: int) -> bytes:
    if not traces:
        raise ErreurExport("graphique vide : aucune série à dessiner")
    figure = _nouvelle_figure(largeur_px, hauteur_px, dpi)
    bas, haut = _cadre(figure, titre, source_texte, demo, largeur_px, hauteur_px, dpi)
    legendes = [t for t in traces if t.legende and t.nom]
    avec_legende = len(legendes) > 1
    largeur_ligne = _caracteres_par_ligne(largeur_px, dpi, TAILLE_TEXTE) - 6
    colonnes = 2 if max((len(t.nom) for t in legendes), default=0) <= largeur_ligne // 2 - 6 else 1
    libelles_legende = {id(t): "\n".join(textwrap.wrap(texte_sur(t.nom), largeur_ligne // colonnes - 6))
                        for t in legendes}
    lignes_legende = sum(max(1, libelles_legende[id(t)].count("\n") + 1) for t in legendes[::colonnes]) \
        if colonnes == 1 else math.ceil(len(legendes) / 2)
    ligne_px = TAILLE_TEXTE * dpi / 72
    hauteur_legende = (lignes_legende * 1.65 + 0.5) * ligne_px / hauteur_px if avec_legende else 0
    barres = [t for t in traces if t.genre == "barres"]
    horizontal = bool(barres) and barres[0].horizontal
    categories: list[str] = []
    for t in barres:
        categories += [c for c in map(str, t.x) if c not in categories]
    marge_gauche = 0.08
    if horizontal:
        plus_longue = max((len(c) for c in categories), default=4)
        marge_gauche = min(0.45, (plus_longue * TAILLE_TEXTE * 0.6 * dpi / 72 + 20) / largeur_px)
    etiquettes_inclinees = not horizontal and len(categories) > 6
    hauteur_graduations = (2.4 + (0.5 * max((len(c) for c in categories), default=0) if etiquettes_inclinees
                                  else 0)) * ligne_px / hauteur_px
    axe = figure.add_axes((marge_gauche, bas + hauteur_legende + hauteur_graduations,
                           0.97 - marge_gauche - 0.02,
                           max(haut - bas - hauteur_legende - hauteur_graduations - 0.01, 0.1)))
    axe.grid(True, color="#eeeeee", zorder=0)
    axe.set_axisbelow(True)
    for cote in ("top", "right"):
        axe.spines[cote].set_visible(False)
    axe_valeurs = axe.xaxis if horizontal else axe.yaxis
    axe_valeurs.set_major_formatter(_format_nombre(suffixe_valeurs))
    axe_valeurs.set_major_locator(MaxNLocator(nbins=8))

    positions = {c: i for i, c in enumerate(categories)}
    n_barres = max(len(barres), 1)
    largeur_barre = 0.8 / (n_barres if empilement == "group" else 1)
    cumul_positif = np.zeros(len(categories))
    cumul_negatif = np.zeros(len(categories))
    for k, t in enumerate(barres):
        pos = np.array([positions[str(c)] for c in t.x], dtype=float)
        valeurs = np.nan_to_num(t.y, nan=0.0)
        depart = np.zeros(len(pos))
        if empilement == "stack":
            idx = pos.astype(int)
            depart = np.where(valeurs >= 0, cumul_positif[idx], cumul_negatif[idx])
            np.add.at(cumul_positif, idx, np.where(valeurs >= 0, valeurs, 0))
            np.add.at(cumul_negatif, idx, np.where(valeurs < 0, valeurs, 0))
        elif empilement == "group":
            pos = pos - 0.4 + largeur_barre * (k + 0.5)
        couleur = t.couleurs or PALETTE_CATEGORIES[k % len(PALETTE_CATEGORIES)]
        trace_fn = axe.barh if horizontal else axe.bar
        if horizontal:
            rectangles = trace_fn(pos, valeurs, largeur_barre, left=depart, color=couleur,
                                  label=libelles_legende.get(id(t), ""), zorder=2)
        else:
            rectangles = trace_fn(pos, valeurs, largeur_barre, bottom=depart, color=couleur,
                                  label=libelles_legende.get(id(t), ""), zorder=2)
        if t.textes:
            axe.bar_label(rectangles, labels=[texte_sur(x) for x in t.textes], padding=3,
                          fontsize=TAILLE_SOURCE, label_type="edge" if empilement != "stack" else "center")
    if categories:
        ticks = list(range(len(categories)))
        libelles = [texte_sur(c) for c in categories]
        if horizontal:
            axe.set_yticks(ticks, libelles, fontsize=TAILLE_TEXTE if len(categories) <= 35 else 7)
            axe.set_ylim(-0.6, len(categories) - 0.4)
        else:
            axe.set_xticks(ticks, libelles, rotation=30 if etiquettes_inclinees else 0,
                           ha="right" if etiquettes_inclinees else "center")

    dates = False
    for k, t in enumerate(t for t in traces if t.genre == "courbe"):
        x = list(t.x)
        if _est_date(x):
            dates = True
            x = list(pd.to_datetime(pd.Series(x)).dt.to_pydatetime())
        couleur = t.couleurs if isinstance(t.couleurs, str) else PALETTE_CATEGORIES[k % len(PALETTE_CATEGORIES)]
        axe.plot(x, t.y, linestyle=t.tirets if t.ligne else "none", marker=t.marqueur,
                 color=couleur, linewidth=t.epaisseur, markersize=t.taille_marqueur,
                 label=libelles_legende.get(id(t), ""), zorder=3)
    if dates:
        debut, fin = (mdates.num2date(v) for v in axe.get_xlim())
        if (fin - debut).days > 3 * 365:
            axe.xaxis.set_major_locator(mdates.YearLocator())
            axe.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        else:
            axe.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))
            axe.xaxis.set_major_formatter(FuncFormatter(_format_trimestre))
    if plage_valeurs is not None:
        (axe.set_xlim if horizontal else axe.set_ylim)(*plage_valeurs)
    for etiquette in axe.get_xticklabels() + axe.get_yticklabels():
        etiquette.set_fontsize(TAILLE_TEXTE)
    if avec_legende:
        figure.legend(handles=[h for h, lab in zip(*axe.get_legend_handles_labels(), strict=True) if lab],
                      loc="lower left", bbox_to_anchor=(0.02, bas), ncols=colonnes, fontsize=TAILLE_TEXTE,
                      frameon=False)
    return _png(figure, dpi)


def _traces_plotly(figure) -> list[_Trace]:
    traces = []
    for k, trace in enumerate(figure.data):
        nom = str(trace.name) if trace.name is not None else ""
        legende = trace.showlegend is not False
        if trace.type == "bar":
            horizontal = trace.orientation == "h"
            categories = list(trace.y if horizontal else trace.x)
            valeurs = _nombres(trace.x if horizontal else trace.y)
            couleur = trace.marker.color
            couleurs = list(couleur) if isinstance(couleur, list | tuple | np.ndarray) else couleur
            textes = trace.text
            textes = [str(x) for x in textes] if isinstance(textes, list | tuple | np.ndarray) else None
            traces.append(_Trace("barres", categories, valeurs, nom, couleurs, textes, horizontal,
                                 legende=legende))
        elif trace.type == "scatter":
            mode = trace.mode or ("lines+markers" if len(trace.x or []) < 20 else "lines")
            symbole = trace.marker.symbol if trace.marker is not None else None
            marqueur = MARQUEURS.get(str(symbole), "o") if "markers" in mode else None
            couleur = (trace.line.color if trace.line is not None else None) or trace.marker.color
            traces.append(_Trace(
                "courbe", list(trace.x if trace.x is not None else []), _nombres(trace.y), nom,
                couleur if isinstance(couleur, str) else PALETTE_CATEGORIES[k % len(PALETTE_CATEGORIES)],
                tirets=TIRETS.get(str(trace.line.dash), "-") if trace.line is not None else "-",
                ligne="lines" in mode, marqueur=marqueur,
                epaisseur=float(trace.line.width or 2) if trace.line is not None else 2.0,
                taille_marqueur=float(trace.marker.size or 6) * 0.8 if trace.marker is not None else 6.0,
                legende=legende,
            ))
        else:
            raise ErreurExport(f"type de graphique non pris en charge pour l'image : « {trace.type} »",
                               conseil="exportez les données (CSV ou XLSX) à la place")
    return traces


@_un_a_la_fois
def figure_png(figure, *, largeur_px: int = 1400, hauteur_px: int | None = None, dpi: int = 150,
               source_texte: str | None = None, demo: bool = False) -> bytes:
    """A plotly figure of :mod:`dashboard.vues` re-drawn as PNG bytes (see the module docstring)."""
    traces = _traces_plotly(figure)
    mise_en_page = figure.layout
    titre = mise_en_page.title.text if mise_en_page.title is not None else None
    horizontal = any(t.genre == "barres" and t.horizontal for t in traces)
    axe_valeurs = mise_en_page.xaxis if horizontal else mise_en_page.yaxis
    plage = None
    if axe_valeurs.range is not None and all(isinstance(v, int | float) for v in axe_valeurs.range):
        plage = (float(axe_valeurs.range[0]), float(axe_valeurs.range[1]))
    if hauteur_px is None:
        hauteur_px = int((mise_en_page.height or 450) * largeur_px / 900) + (120 if source_texte else 40)
    return _dessiner(traces, titre or "", suffixe_valeurs=axe_valeurs.ticksuffix or "",
                     empilement=mise_en_page.barmode or "group", plage_valeurs=plage,
                     source_texte=source_texte, demo=demo, largeur_px=largeur_px, hauteur_px=hauteur_px, dpi=dpi)


@_un_a_la_fois
def graphique_barres_png(
    libelles: Sequence[str],
    valeurs: Sequence[float | None],
    titre: str,
    *,
    suffixe: str = "",
    textes: Sequence[str] | None = None,
    couleurs: Sequence[str] | None = None,
    surlignage: str | None = None,
    source_texte: str | None = None,
    demo: bool = False,
    largeur_px: int = 1400,
    hauteur_px: int | None = None,
    dpi: int = 150,
) -> bytes:
    """Horizontal bars, first label on top (see the module docstring)."""
    if len(libelles) != len(valeurs):
        raise ErreurExport("autant de libellés que de valeurs sont attendus")
    libelles = [str(x) for x in libelles][::-1]  # matplotlib draws bottom-up
    if couleurs is None:
        couleurs = [COULEUR_SELECTION if lib == surlignage else COULEUR_PRINCIPALE for lib in libelles]
    else:
        couleurs = list(couleurs)[::-1]
    trace = _Trace("barres", libelles, _nombres(valeurs)[::-1], "", couleurs,
                   list(textes)[::-1] if textes is not None else None, horizontal=True, legende=False)
    if hauteur_px is None:
        hauteur_px = max(500, 34 * len(libelles) + 260)
    return _dessiner([trace], titre, suffixe_valeurs=suffixe, source_texte=source_texte, demo=demo,
                     largeur_px=largeur_px, hauteur_px=hauteur_px, dpi=dpi)


@_un_a_la_fois
def graphique_serie_png(
    series: Mapping[str, pd.Series],
    titre: str,
    *,
    suffixe: str = "",
    objectifs: Sequence[tuple[str, date | str, float]] = (),
    projection: tuple[str, pd.Series] | None = None,
    source_texte: str | None = None,
    demo: bool = False,
    largeur_px: int = 1400,
    hauteur_px: int = 700,
    dpi: int = 150,
) -> bytes:
    """Time series with targets and an optional dashed projection (see the module docstring)."""
    traces = []
    for k, (nom, serie) in enumerate(series.items()):
        traces.append(_Trace("courbe", list(pd.to_datetime(pd.Series(serie.index))), _nombres(serie.to_numpy()),
                             str(nom), PALETTE_CATEGORIES[k % 8], marqueur="o", epaisseur=3 if k == 0 else 2))
    if projection is not None:
        nom, serie = projection
        traces.append(_Trace("courbe", list(pd.to_datetime(pd.Series(serie.index))), _nombres(serie.to_numpy()),
                             str(nom), PALETTE_CATEGORIES[0], tirets="--"))
    for libelle, jour, cible in objectifs:
        traces.append(_Trace("courbe", [pd.Timestamp(jour)], np.array([float(cible)]), f"Objectif : {libelle}",
                             "#444444", ligne=False, marqueur="*", taille_marqueur=14))
    return _dessiner(traces, titre, suffixe_valeurs=suffixe, source_texte=source_texte, demo=demo,
                     largeur_px=largeur_px, hauteur_px=hauteur_px, dpi=dpi)
