"""The ARCEP buildings grid (500 m squares) drawn over the « Couverture » map: pure builders.

The store holds one row per (commune, square) (:func:`dashboard.sources.arcep_immeubles.agreger`).
For display, the rows of the communes in scope are merged per square (a square crossed by a
commune boundary is drawn once, its communes listed in the tooltip) and drawn as ONE
``GeoJson`` layer of real Lambert-93 squares (the grid is tilted a few degrees from the
meridians at Lorient: latitude/longitude rectangles would leave gaps).

What the colour means depends on what the edition holds:

* ``fibre`` — Cartefibre file: share of the square's buildings where fibre is deployed
  (``imb_etat = deploye``, i.e. raccordables). Squares with none are drawn white with a red
  outline: the « zones blanches » of fibre, the first thing an elected official looks for.
* ``locaux`` — ``base_imb`` file (« Ma connexion internet »): it does not say building by
  building whether fibre is deployed, so the grid shows where the locaux are (number per
  square); scattered housing (few locaux per square) is where networks arrive last.
  Eligibility stays measured per commune on the map below the squares.

Every text put in a tooltip is escaped with :func:`~dashboard.vues.securite.safe_html`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import folium
import numpy as np
import pandas as pd

from dashboard import formats
from dashboard.vues.carte import localiser_ressources
from dashboard.vues.classes import Classe
from dashboard.vues.securite import safe_html

PAS_M = 500
CRS_L93 = "EPSG:2154"
DECIMALES = 4  # about 10 m: invisible on 500 m squares, keeps the map payload small
MESURE_FIBRE = "fibre"
MESURE_LOCAUX = "locaux"
SEUIL_DISPERSE = 10  # locaux per square under which housing is called scattered
COULEUR_SANS_FIBRE = "#ffffff"
CONTOUR_SANS_FIBRE = "#bd0026"
COULEUR_INCONNUE = "#bdbdbd"
# ColorBrewer YlGnBu (colour-blind safe): the more fibre, the darker.
PALETTE_FIBRE = ("#c7e9b4", "#41b6c4", "#2c7fb8", "#253494")
# ColorBrewer BuPu (6 classes, colour-blind safe) without its palest shade: squares must stand out
# from the faded communes, and blue-to-purple sets them apart from the communes' palettes.
PALETTE_LOCAUX = ("#bfd3e6", "#9ebcda", "#8c96c6", "#8856a7", "#810f7c")
LIBELLE_INTERRUPTEUR = "Afficher la grille des immeubles (carreaux de 500 m)"
AIDE_INTERRUPTEUR = (
    "Immeubles du fichier de l'ARCEP comptés sur une grille régulière de 500 m (Lambert-93), "
    "limitée aux communes du périmètre. Un carreau partagé entre deux communes réunit leurs immeubles."
)


@dataclass(frozen=True)
class GrilleAffichee:
    """Everything the page shows about the grid: legend, GeoJSON layer, sentence and table."""

    mesure: str
    titre: str
    classes: tuple[Classe, ...]
    geojson: dict
    phrase: str
    tableau: pd.DataFrame
    avec_non_disponible: bool


def _pct(part: float, decimales: int = 0) -> str:
    return formats.pourcentage(part, decimales)


def classes_grille(mesure: str) -> tuple[Classe, ...]:
    """Fixed classes (the same every edition, so that two quarters compare square by square).

    ``fibre``: share of buildings in [0, 1]; 0 and 100 % are classes of their own
    (``minimum == maximum``), the others are half-open ``[minimum, maximum)``.
    ``locaux``: number of locaux per square.
    """
    if mesure == MESURE_FIBRE:
        return (
            Classe(COULEUR_SANS_FIBRE, 0.0, 0.0, f"{_pct(0)} : aucun immeuble raccordable"),
            Classe(PALETTE_FIBRE[0], 0.0, 0.5, f"moins de {_pct(0.5)}"),
            Classe(PALETTE_FIBRE[1], 0.5, 0.8, f"{_pct(0.5)} à {_pct(0.8)}"),
            Classe(PALETTE_FIBRE[2], 0.8, 1.0, f"{_pct(0.8)} à moins de {_pct(1)}"),
            Classe(PALETTE_FIBRE[3], 1.0, 1.0, _pct(1)),
        )
    bornes = (1, SEUIL_DISPERSE, 50, 200, 1000)
    classes = []
    for i, couleur in enumerate(PALETTE_LOCAUX):
        bas = bornes[i]
        haut = bornes[i + 1] if i + 1 < len(bornes) else math.inf
        libelle = (f"{formats.nombre(bas)} locaux et plus" if math.isinf(haut)
                   else f"{formats.nombre(bas)} à {formats.nombre(haut - 1)} locaux")
        classes.append(Classe(couleur, float(bas), float(haut), libelle))
    return tuple(classes)


def indice_classe(valeur: object, classes: Sequence[Classe]) -> int | None:
    """Index of the class of ``valeur`` (``None`` when missing or outside every class)."""
    if valeur is None or pd.isna(valeur):
        return None
    v = float(valeur)  # type: ignore[arg-type]
    for i, classe in enumerate(classes):
        if classe.minimum == classe.maximum == v or classe.minimum <= v < classe.maximum:
            return i
    return None


def carreaux_du_perimetre(grille: pd.DataFrame, codes: Iterable[str], noms: pd.Series) -> pd.DataFrame:
    """The squares holding buildings of the communes ``codes``, one row per square.

    ``grille``: the stored frame (``code_insee``, ``carreau``, ``x_centre``, ``y_centre``,
    ``immeubles``, ``locaux``, ``locaux_ftth_deploye``); ``noms``: INSEE code → name.
    Only the buildings of the communes in ``codes`` are counted.

    Returns ``carreau``, ``x_centre``, ``y_centre`` (Lambert-93 m), ``communes`` (names, sorted,
    joined by « , »), ``immeubles``, ``locaux`` (counts), ``fibre`` (buildings with fibre
    deployed; NA when the file does not say, for any commune of the square) and ``part_fibre``
    (``fibre / immeubles``, share in [0, 1], NA likewise), sorted by ``carreau``.
    """
    dans = grille[grille["code_insee"].isin(set(codes))]
    colonnes = ["carreau", "x_centre", "y_centre", "communes", "immeubles", "locaux", "fibre", "part_fibre"]
    if dans.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in colonnes})
    dans = dans.assign(nom=dans["code_insee"].map(noms).fillna(dans["code_insee"]),
                       inconnu=dans["locaux_ftth_deploye"].isna())
    groupes = dans.groupby("carreau", sort=True)
    carreaux = groupes.agg(x_centre=("x_centre", "first"), y_centre=("y_centre", "first"),
                           immeubles=("immeubles", "sum"), locaux=("locaux", "sum"),
                           fibre=("locaux_ftth_deploye", "sum"), inconnu=("inconnu", "any"))
    carreaux["communes"] = groupes["nom"].agg(lambda n: ", ".join(sorted(set(map(str, n)))))
    carreaux["immeubles"] = carreaux["immeubles"].astype("Int64")
    carreaux["locaux"] = carreaux["locaux"].astype("Int64")
    carreaux["fibre"] = carreaux["fibre"].astype("Int64").mask(carreaux["inconnu"])
    base = carreaux["immeubles"].astype("Float64")
    carreaux["part_fibre"] = (carreaux["fibre"].astype("Float64") / base.mask(base == 0)).astype("Float64")
    return carreaux.reset_index()[colonnes]


def mesure_grille(carreaux: pd.DataFrame) -> str:
    """``fibre`` when at least one square knows its deployed buildings, else ``locaux``."""
    return MESURE_FIBRE if carreaux["fibre"].notna().any() else MESURE_LOCAUX


def valeurs_mesure(carreaux: pd.DataFrame, mesure: str) -> pd.Series:
    """The value coloured on the map: share of buildings with fibre, or number of locaux."""
    return carreaux["part_fibre"] if mesure == MESURE_FIBRE else carreaux["locaux"]


def coins_wgs84(x_centre: np.ndarray, y_centre: np.ndarray, pas: float = PAS_M) -> np.ndarray:
    """Closed rings of the squares, shape (n, 5, 2), as (longitude, latitude) rounded to
    :data:`DECIMALES`. Neighbouring squares share corners computed from the same Lambert-93
    point, so they meet exactly."""
    from pyproj import Transformer

    demi = pas / 2
    dx = np.array([-demi, demi, demi, -demi, -demi])
    dy = np.array([-demi, -demi, demi, demi, -demi])
    x = (np.asarray(x_centre, dtype="float64")[:, None] + dx).ravel()
    y = (np.asarray(y_centre, dtype="float64")[:, None] + dy).ravel()
    lon, lat = Transformer.from_crs(CRS_L93, "EPSG:4326", always_xy=True).transform(x, y)
    return np.round(np.column_stack([lon, lat]), DECIMALES).reshape(-1, 5, 2)


def geojson_grille(carreaux: pd.DataFrame, mesure: str, classes: Sequence[Classe]) -> dict:
    """A FeatureCollection of the squares: ``k`` (class index, ``-1`` when not available) and
    escaped tooltip texts ``communes``, ``immeubles``, then ``locaux`` (measure ``locaux``) or
    ``fibre`` (« 3 sur 4 (75,0 %) », measure ``fibre``)."""
    if carreaux.empty:
        return {"type": "FeatureCollection", "features": []}
    anneaux = coins_wgs84(carreaux["x_centre"].to_numpy(dtype="float64"),
                          carreaux["y_centre"].to_numpy(dtype="float64"))
    valeurs = valeurs_mesure(carreaux, mesure)
    entites = []
    for i, ligne in enumerate(carreaux.itertuples(index=False)):
        k = indice_classe(valeurs.iloc[i], classes)
        proprietes = {"k": -1 if k is None else k, "communes": safe_html(ligne.communes),
                      "immeubles": safe_html(formats.nombre(ligne.immeubles))}
        if mesure == MESURE_LOCAUX:
            proprietes["locaux"] = safe_html(formats.nombre(ligne.locaux))
        else:  # Cartefibre counts buildings only (one « local » each): no separate locaux line
            proprietes["fibre"] = safe_html(
                formats.NON_DISPONIBLE if pd.isna(ligne.fibre)
                else f"{formats.nombre(ligne.fibre)} sur {formats.nombre(ligne.immeubles)} "
                     f"({formats.pourcentage(ligne.part_fibre)})")
        entites.append({"type": "Feature", "id": str(i), "properties": proprietes,
                        "geometry": {"type": "Polygon", "coordinates": [anneaux[i].tolist()]}})
    return {"type": "FeatureCollection", "features": entites}


def style_carreau(k: int, classes: Sequence[Classe], mesure: str) -> dict:
    """Leaflet style of a square of class ``k`` (``-1``: not available, grey and dashed)."""
    if k < 0:
        return {"fillColor": COULEUR_INCONNUE, "fillOpacity": 0.85, "stroke": True, "color": "#555555",
                "weight": 0.6, "opacity": 0.9, "dashArray": "2 2"}
    if mesure == MESURE_FIBRE and classes[k].couleur == COULEUR_SANS_FIBRE:
        return {"fillColor": COULEUR_SANS_FIBRE, "fillOpacity": 1, "stroke": True, "color": CONTOUR_SANS_FIBRE,
                "weight": 1, "opacity": 1}
    # No outline: at the territory's zoom a 500 m square is a few pixels wide and outlines would
    # wash the colours out; neighbouring squares touch exactly, so the grid still reads as a grid.
    return {"fillColor": classes[k].couleur, "fillOpacity": 0.9, "stroke": False}


def titre_grille(mesure: str, edition: str, demo: bool) -> str:
    """Legend title, with unit, source, edition and the demonstration mention."""
    quoi = ("Part des immeubles raccordables à la fibre (FttH déployé), en % par carreau de 500 m"
            if mesure == MESURE_FIBRE else "Nombre de locaux (logements et locaux professionnels) par carreau de 500 m")
    return f"Grille des immeubles — {quoi} — ARCEP, {edition}" + (" — DONNÉES DE DÉMONSTRATION" if demo else "")


def _accord(n: float, singulier: str, pluriel: str) -> str:
    """« 1 carreau », « 0 carreau », « 2 carreaux » (French: singular under 2)."""
    return f"{formats.nombre(n)} {singulier if abs(n) < 2 else pluriel}"


def phrase_grille(carreaux: pd.DataFrame, mesure: str, de: str) -> str:
    """One plain sentence summarising the squares (the map's accessible alternative)."""
    n = len(carreaux)
    if n == 0:
        return f"Aucun immeuble {de} dans le fichier des immeubles de l'ARCEP."
    locaux = carreaux["locaux"].astype("float64")
    total = float(locaux.sum())
    if mesure == MESURE_FIBRE:
        connus = carreaux[carreaux["part_fibre"].notna()]
        sans = connus[connus["fibre"] == 0]
        pleins = int((connus["part_fibre"] == 1).sum())
        immeubles = float(connus["immeubles"].astype("float64").sum())
        immeubles_sans = float(sans["immeubles"].astype("float64").sum())
        part_sans = immeubles_sans / immeubles if immeubles else float("nan")
        debut = ("Sur le seul carreau de 500 m habité" if n == 1
                 else f"Sur les {formats.nombre(n)} carreaux de 500 m habités")
        if sans.empty:
            manque = ("il a" if n == 1 else "tous ont") + " au moins un immeuble raccordable à la fibre"
        else:
            sans_fibre = _accord(len(sans), "carreau n'a", "carreaux n'ont")
            manque = (f"{sans_fibre} encore aucun immeuble raccordable à "
                      f"la fibre ({_accord(immeubles_sans, 'immeuble', 'immeubles')}, "
                      f"{formats.pourcentage(part_sans)} du total)")
        complets = ("aucun n'est entièrement raccordable" if pleins == 0 else
                    "1 est entièrement raccordable" if pleins == 1 else
                    f"{formats.nombre(pleins)} sont entièrement raccordables")
        return f"{debut} {de}, {manque} ; {complets}."
    tries = np.sort(locaux.to_numpy())[::-1]
    moitie = int(np.searchsorted(np.cumsum(tries), total / 2) + 1)
    disperses = locaux < SEUIL_DISPERSE
    nb_disperses, locaux_disperses = int(disperses.sum()), float(locaux[disperses].sum())
    return (f"Les {formats.nombre(total)} locaux {de} occupent {_accord(n, 'carreau', 'carreaux')} de 500 m : "
            f"la moitié d'entre eux se concentre dans {_accord(moitie, 'carreau', 'carreaux')} "
            f"({formats.pourcentage(moitie / n)}), tandis que "
            f"{_accord(nb_disperses, 'carreau compte', 'carreaux comptent')} moins de {SEUIL_DISPERSE} locaux "
            f"(habitat dispersé : {_accord(locaux_disperses, 'local', 'locaux')}, "
            f"{formats.pourcentage(locaux_disperses / total)} du total). Le fichier « Ma connexion "
            "internet » ne dit pas immeuble par immeuble si la fibre est déployée : l'éligibilité reste mesurée "
            "par commune.")


def tableau_grille(grille: pd.DataFrame, codes: Iterable[str], noms: pd.Series) -> pd.DataFrame:
    """Per commune of ``codes``: ``commune``, ``carreaux`` (squares holding its buildings),
    ``locaux``, ``carreaux_disperses`` / ``locaux_disperses`` (squares with fewer than
    :data:`SEUIL_DISPERSE` of its locaux, and their locaux), ``carreaux_sans_fibre`` and
    ``part_fibre`` (share of its buildings with fibre deployed, NA when unknown); sorted by name."""
    dans = grille[grille["code_insee"].isin(set(codes))]
    disperses = dans["locaux"].astype("float64") < SEUIL_DISPERSE
    dans = dans.assign(
        carreaux_disperses=disperses.astype("int64"),
        locaux_disperses=dans["locaux"].astype("float64").where(disperses, 0.0),
        sans_fibre=(dans["locaux_ftth_deploye"].astype("Float64") == 0).fillna(False).astype("int64"),
        fibre=dans["locaux_ftth_deploye"].astype("Float64"))
    groupes = dans.groupby("code_insee", sort=False)
    tableau = groupes.agg(carreaux=("carreau", "size"), locaux=("locaux", "sum"),
                          carreaux_disperses=("carreaux_disperses", "sum"),
                          locaux_disperses=("locaux_disperses", "sum"),
                          carreaux_sans_fibre=("sans_fibre", "sum"), fibre=("fibre", lambda s: s.sum(min_count=len(s))),
                          immeubles=("immeubles", "sum"))
    tableau["part_fibre"] = (tableau["fibre"] / tableau["immeubles"].astype("Float64")).astype("Float64")
    tableau["carreaux_sans_fibre"] = tableau["carreaux_sans_fibre"].astype("Int64").mask(tableau["fibre"].isna())
    tableau = tableau.reset_index()
    tableau.insert(0, "commune", tableau["code_insee"].map(noms).fillna(tableau["code_insee"]))
    tableau = tableau.astype({"carreaux": "int64", "locaux": "int64", "carreaux_disperses": "int64",
                              "locaux_disperses": "int64"})
    colonnes = ["commune", "code_insee", "carreaux", "locaux", "carreaux_disperses", "locaux_disperses",
                "carreaux_sans_fibre", "part_fibre"]
    return tableau.sort_values("commune").reset_index(drop=True)[colonnes]


def preparer_grille(grille: pd.DataFrame, codes: Iterable[str], noms: pd.Series, *, de: str, edition: str,
                    demo: bool) -> GrilleAffichee:
    """The grid of the communes ``codes``, ready to draw (see :class:`GrilleAffichee`)."""
    codes = list(codes)
    carreaux = carreaux_du_perimetre(grille, codes, noms)
    mesure = mesure_grille(carreaux) if not carreaux.empty else MESURE_LOCAUX
    classes = classes_grille(mesure)
    valeurs = valeurs_mesure(carreaux, mesure) if not carreaux.empty else pd.Series(dtype="float64")
    return GrilleAffichee(
        mesure=mesure,
        titre=titre_grille(mesure, edition, demo),
        classes=classes,
        geojson=geojson_grille(carreaux, mesure, classes),
        phrase=phrase_grille(carreaux, mesure, de),
        tableau=tableau_grille(grille, codes, noms),
        avec_non_disponible=bool(valeurs.isna().any()),
    )


def ajouter_grille(carte: folium.Map, grille: GrilleAffichee | None) -> folium.Map:
    """Draw the squares over the communes (one ``GeoJson`` layer); ``None``: the map unchanged."""
    if grille is None or not grille.geojson["features"]:
        return carte
    classes, mesure = grille.classes, grille.mesure
    if mesure == MESURE_FIBRE:
        champs, alias = ["communes", "immeubles", "fibre"], ["Commune(s)", "Immeubles (adresses)",
                                                              "Immeubles raccordables à la fibre"]
    else:
        champs, alias = ["communes", "locaux", "immeubles"], ["Commune(s)", "Locaux", "Immeubles (adresses)"]
    folium.GeoJson(
        grille.geojson,
        name="Grille des immeubles (carreaux de 500 m)",
        style_function=lambda f: style_carreau(int(f["properties"]["k"]), classes, mesure),
        highlight_function=lambda _f: {"stroke": True, "weight": 2, "color": "#000000", "opacity": 1},
        tooltip=folium.GeoJsonTooltip(fields=champs, aliases=[safe_html(a) for a in alias], sticky=True,
                                      labels=True),
        zoom_on_click=False,
    ).add_to(carte)
    return localiser_ressources(carte)
