"""One list of places (France services, tiers-lieux, lieux de médiation numérique) and its filters.

Pure functions (no file access, no Streamlit, inputs never modified). Inputs are the tidy
frames of the sources ``france_services``, ``tiers_lieux_cget`` and ``mediation_numerique``
(see the column tables at the top of :mod:`dashboard.sources.france_services`,
:mod:`dashboard.sources.tiers_lieux_cget`, :mod:`dashboard.sources.mediation_numerique`);
any of them may be ``None`` or empty (source not loaded).

Functions
---------
``lieux_unifies(france_services, tiers_lieux, mediation)`` → :class:`LieuxUnifies`
    ``.lieux``: one row per place, columns below; ``.fusions``: the list of
    :class:`Fusion` — every place merged into another is reported there, never silently.
``filtrer_lieux(lieux, categories=None, services=None, publics=None, gratuit=None,
itinerant=None, samedi=None)``
    the rows matching every given criterion (``None`` = no filter), same columns.
``vers_lambert93(longitude, latitude)`` → ``(x, y)`` arrays in metres (EPSG:2154).
``similarite_noms(a, b, commune="")`` → score in [0, 1] used by the deduplication.

Columns of ``lieux`` (in this order)
------------------------------------
======================== ========= ===========================================================
column                   dtype     meaning
======================== ========= ===========================================================
``id``                   str       source prefix + source id: ``fs-328``, ``cget-299``,
                                   ``med-<id>`` (unique)
``source``               str       ``france_services`` | ``tiers_lieux_cget`` |
                                   ``mediation_numerique`` (the source of the row *kept*)
``nom``                  str       as published (escape it when displaying)
``adresse``              str       as published (may be ``""``)
``code_insee``           str       commune code, 5 characters
``commune``              str       commune name as published
``latitude``             Float64   WGS84 degrees, ``<NA>`` when unknown
``longitude``            Float64   WGS84 degrees, ``<NA>`` when unknown
``categorie``            str       :data:`FRANCE_SERVICES` (« France services »),
                                   :data:`TIERS_LIEU` (« Tiers-lieu », CGET census) or
                                   :data:`MEDIATION` (« Lieu de médiation numérique »):
                                   the category of the *source*, see ``est_tiers_lieu``
``typologies``           str       ``|``-joined typologie codes of the national schema
                                   (``RFS`` for France services, ``TIERS_LIEUX`` / ``FABLAB``
                                   for the CGET census), may be ``""``
``services``             str       ``|``-joined services of the médiation schema v1; France
                                   services: « Aide aux démarches administratives » (the
                                   label's core mission); CGET tiers-lieux: ``""`` (unknown)
``publics``              str       ``|``-joined publics specifically addressed; ``""`` = no
                                   specific public (open to all)
``gratuit``              boolean   a free offer exists (« Gratuit » among ``frais_a_charge``);
                                   False when fees are declared without « Gratuit »; True for
                                   France services (free public service); ``<NA>`` unknown
``itinerant``            boolean   itinerant (bus…): the point is a base, not a desk
``ouvert_samedi``        boolean   open on Saturday; ``<NA>`` when hours are unknown
``heures_par_semaine``   Float64   opening hours a week (h); ``<NA>`` when unknown
``site_web``             str, NA   ``http(s)`` link or ``<NA>``
``conseiller_numerique`` boolean   a « Conseiller numérique » works there; ``<NA>`` unknown
                                   (France services and CGET lists do not say)
``est_tiers_lieu``       boolean   tiers-lieu, fablab or fabrique (any source)
``ids_fusionnes``        str       ``|``-joined ids of the rows merged into this one, ``""``
======================== ========= ===========================================================

Deduplication (why conservative): the three lists overlap (a France services desk is
often also listed in the médiation cartography), but two different services in the same
town hall must stay two places. A row of a lower-priority source is merged into a row of
a higher-priority source (France services > médiation numérique > CGET 2019) only when
**all three** hold: same ``code_insee``, less than :data:`DISTANCE_FUSION_M` (50 m) apart
in Lambert-93, and :func:`similarite_noms` ≥ :data:`SEUIL_SIMILARITE`. Rows of the same
source are never merged with each other (the France services bus and the desk at the same
address are two entries of the official list). Rows without coordinates are never merged.
The kept row is completed with what the merged row knows (unknown values filled, services,
publics and typologies united, ``est_tiers_lieu`` or-ed) and lists its id in
``ids_fusionnes``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import NamedTuple

import numpy as np
import pandas as pd
from pyproj import Transformer

FRANCE_SERVICES = "France services"
TIERS_LIEU = "Tiers-lieu"
MEDIATION = "Lieu de médiation numérique"
CATEGORIES = (FRANCE_SERVICES, TIERS_LIEU, MEDIATION)
SOURCE_FS = "france_services"
SOURCE_CGET = "tiers_lieux_cget"
SOURCE_MED = "mediation_numerique"
PREFIXES = {SOURCE_FS: "fs-", SOURCE_CGET: "cget-", SOURCE_MED: "med-"}
#: merge priority: a row is merged into a row of a source listed before its own
PRIORITE = (SOURCE_FS, SOURCE_MED, SOURCE_CGET)
LIBELLES_SOURCES = {SOURCE_FS: "France services", SOURCE_CGET: "tiers-lieux CGET 2019",
                    SOURCE_MED: "médiation numérique"}
SERVICE_FRANCE_SERVICES = "Aide aux démarches administratives"
DISTANCE_FUSION_M = 50.0
SEUIL_SIMILARITE = 0.8
SEPARATEUR = "|"

COLONNES = ("id", "source", "nom", "adresse", "code_insee", "commune", "latitude", "longitude", "categorie",
            "typologies", "services", "publics", "gratuit", "itinerant", "ouvert_samedi", "heures_par_semaine",
            "site_web", "conseiller_numerique", "est_tiers_lieu", "ids_fusionnes")
TYPES = {
    "id": "str", "source": "str", "nom": "str", "adresse": "str", "code_insee": "str", "commune": "str",
    "latitude": "Float64", "longitude": "Float64", "categorie": "str", "typologies": "str", "services": "str",
    "publics": "str", "gratuit": "boolean", "itinerant": "boolean", "ouvert_samedi": "boolean",
    "heures_par_semaine": "Float64", "site_web": "str", "conseiller_numerique": "boolean",
    "est_tiers_lieu": "boolean", "ids_fusionnes": "str",
}
# Columns filled from a merged row when the kept row does not know them.
COMPLETABLES = ("adresse", "gratuit", "ouvert_samedi", "heures_par_semaine", "site_web", "conseiller_numerique")
UNIONS = ("typologies", "services", "publics")
MOTS_VIDES = frozenset({"a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "sur",
                        "demo"})

_TRANSFORMATEUR = Transformer.from_crs("EPSG:4326", "EPSG:2154", always_xy=True)


# --------------------------------------------------------------------------- result types
@dataclass(frozen=True)
class Fusion:
    """One place merged into another (reported to the user, never silent).

    ``distance_m`` in metres (Lambert-93), ``similarite`` in [0, 1] (:func:`similarite_noms`).
    """

    id_conserve: str
    id_fusionne: str
    nom_conserve: str
    nom_fusionne: str
    code_insee: str
    distance_m: float
    similarite: float

    @property
    def message(self) -> str:
        """French sentence for a warning list."""
        source_f = LIBELLES_SOURCES.get(_source_de(self.id_fusionne), "?")
        source_c = LIBELLES_SOURCES.get(_source_de(self.id_conserve), "?")
        return (f"« {self.nom_fusionne} » ({source_f}, {self.id_fusionne}) fusionné avec « {self.nom_conserve} » "
                f"({source_c}, {self.id_conserve}) : même commune {self.code_insee}, "
                f"{self.distance_m:.0f} m d'écart, noms semblables ({_virgule(self.similarite)})")


class LieuxUnifies(NamedTuple):
    """Output of :func:`lieux_unifies`: the places and the merges made."""

    lieux: pd.DataFrame
    fusions: list[Fusion]


def _virgule(valeur: float) -> str:
    return f"{valeur:.2f}".replace(".", ",")


def _source_de(identifiant: str) -> str | None:
    for source, prefixe in PREFIXES.items():
        if identifiant.startswith(prefixe):
            return source
    return None


# --------------------------------------------------------------------------- helpers
def vers_lambert93(longitude: Iterable[float] | float, latitude: Iterable[float] | float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 degrees → Lambert-93 metres (EPSG:2154). Missing values stay ``NaN``."""
    lon = np.atleast_1d(np.asarray(pd.array(longitude, dtype="Float64").to_numpy(dtype="float64",
                                                                                   na_value=np.nan)))
    lat = np.atleast_1d(np.asarray(pd.array(latitude, dtype="Float64").to_numpy(dtype="float64",
                                                                                na_value=np.nan)))
    x = np.full(lon.shape, np.nan)
    y = np.full(lat.shape, np.nan)
    connus = ~(np.isnan(lon) | np.isnan(lat))
    if connus.any():
        x[connus], y[connus] = _TRANSFORMATEUR.transform(lon[connus], lat[connus])
    return x, y


def _mots(nom: str) -> list[str]:
    sans_accents = unicodedata.normalize("NFKD", nom).encode("ascii", "ignore").decode().casefold()
    return [m for m in re.split(r"[^0-9a-z]+", sans_accents) if m and m not in MOTS_VIDES]


def similarite_noms(a: str, b: str, commune: str = "") -> float:
    """How alike two place names are, in [0, 1], once normalised.

    Names are unaccented, case-folded, cut into words; small words (« de », « la »…) and
    the words of the commune name are dropped (every place of Groix may say « Groix »).
    The score is the larger of (1) the share of the shorter name's words found in the
    other (« France services Quéven » vs « Espace France services de Quéven » → 1) and
    (2) :class:`difflib.SequenceMatcher` ratio of the joined words (spelling variants).
    Two names reduced to nothing (only the commune name) compare their full words.
    """
    communes = set(_mots(commune))
    mots_a = [m for m in _mots(a) if m not in communes] or _mots(a)
    mots_b = [m for m in _mots(b) if m not in communes] or _mots(b)
    if not mots_a or not mots_b:
        return 0.0
    ensemble_a, ensemble_b = set(mots_a), set(mots_b)
    recouvrement = len(ensemble_a & ensemble_b) / min(len(ensemble_a), len(ensemble_b))
    ratio = SequenceMatcher(None, " ".join(mots_a), " ".join(mots_b)).ratio()
    return float(max(recouvrement, ratio))


def _joindre(valeurs: Iterable[str]) -> str:
    vues: list[str] = []
    for valeur in valeurs:
        for morceau in str(valeur).split(SEPARATEUR):
            morceau = morceau.strip()
            if morceau and morceau not in vues:
                vues.append(morceau)
    return SEPARATEUR.join(vues)


def _exiger(frame: pd.DataFrame, colonnes: Iterable[str], nom: str) -> None:
    manquantes = [c for c in colonnes if c not in frame.columns]
    if manquantes:
        raise ValueError(f"tableau {nom} : colonne(s) absente(s) : {', '.join(manquantes)}")


def _vide() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in TYPES.items()})


def _texte(frame: pd.DataFrame, colonne: str) -> pd.Series:
    return frame[colonne].fillna("").astype("str").to_numpy()


def _cadre(frame: pd.DataFrame, source: str, categorie: str, valeurs: dict[str, object]) -> pd.DataFrame:
    """Build the unified columns for one source; ``valeurs`` holds the source-specific ones."""
    n = len(frame)
    base: dict[str, object] = {
        "id": PREFIXES[source] + frame["id"].astype("str").to_numpy(dtype=object),
        "source": [source] * n,
        "nom": _texte(frame, "nom"),
        "adresse": _texte(frame, "adresse"),
        "code_insee": _texte(frame, "code_insee"),
        "commune": _texte(frame, "commune"),
        "latitude": frame["latitude"].astype("Float64").to_numpy(),
        "longitude": frame["longitude"].astype("Float64").to_numpy(),
        "categorie": [categorie] * n,
        "ids_fusionnes": [""] * n,
    }
    base.update(valeurs)
    resultat = pd.DataFrame({c: base[c] for c in COLONNES})
    return resultat.astype(TYPES)


def _depuis_france_services(frame: pd.DataFrame) -> pd.DataFrame:
    _exiger(frame, ("id", "nom", "adresse", "code_insee", "commune", "latitude", "longitude", "itinerant",
                    "heures_par_semaine", "ouvert_samedi"), "france_services")
    n = len(frame)
    return _cadre(frame, SOURCE_FS, FRANCE_SERVICES, {
        "typologies": ["RFS"] * n,
        "services": [SERVICE_FRANCE_SERVICES] * n,
        "publics": [""] * n,
        "gratuit": pd.array([True] * n, dtype="boolean"),
        "itinerant": frame["itinerant"].astype("boolean").to_numpy(),
        "ouvert_samedi": frame["ouvert_samedi"].astype("boolean").to_numpy(),
        "heures_par_semaine": frame["heures_par_semaine"].astype("Float64").to_numpy(),
        "site_web": [None] * n,
        "conseiller_numerique": pd.array([pd.NA] * n, dtype="boolean"),
        "est_tiers_lieu": pd.array([False] * n, dtype="boolean"),
    })


def _depuis_tiers_lieux(frame: pd.DataFrame) -> pd.DataFrame:
    _exiger(frame, ("id", "nom", "adresse", "code_insee", "commune", "latitude", "longitude", "typologie"),
            "tiers_lieux_cget")
    n = len(frame)
    codes = {"coworking": "TIERS_LIEUX", "fablab": "FABLAB"}
    typologies = [codes.get(str(t), "TIERS_LIEUX") for t in frame["typologie"].fillna("")]
    site = frame["site_web"] if "site_web" in frame.columns else pd.Series([None] * n)
    return _cadre(frame, SOURCE_CGET, TIERS_LIEU, {
        "typologies": typologies,
        "services": [""] * n,
        "publics": [""] * n,
        "gratuit": pd.array([pd.NA] * n, dtype="boolean"),
        "itinerant": pd.array([False] * n, dtype="boolean"),
        "ouvert_samedi": pd.array([pd.NA] * n, dtype="boolean"),
        "heures_par_semaine": pd.array([pd.NA] * n, dtype="Float64"),
        "site_web": site.to_numpy(dtype=object),
        "conseiller_numerique": pd.array([pd.NA] * n, dtype="boolean"),
        "est_tiers_lieu": pd.array([True] * n, dtype="boolean"),
    })


def _gratuit(frais: str) -> bool | None:
    valeurs = [v for v in frais.split(SEPARATEUR) if v.strip()]
    if not valeurs:
        return None
    return "Gratuit" in (v.strip() for v in valeurs)


def _depuis_mediation(frame: pd.DataFrame) -> pd.DataFrame:
    _exiger(frame, ("id", "nom", "adresse", "code_insee", "commune", "latitude", "longitude", "typologies",
                    "services", "publics", "frais", "itinerant", "ouvert_samedi", "heures_par_semaine",
                    "site_web", "conseiller_numerique", "est_tiers_lieu"), "mediation_numerique")
    return _cadre(frame, SOURCE_MED, MEDIATION, {
        "typologies": _texte(frame, "typologies"),
        "services": _texte(frame, "services"),
        "publics": _texte(frame, "publics"),
        "gratuit": pd.array([_gratuit(f) for f in _texte(frame, "frais")], dtype="boolean"),
        "itinerant": frame["itinerant"].astype("boolean").to_numpy(),
        "ouvert_samedi": frame["ouvert_samedi"].astype("boolean").to_numpy(),
        "heures_par_semaine": frame["heures_par_semaine"].astype("Float64").to_numpy(),
        "site_web": frame["site_web"].to_numpy(dtype=object),
        "conseiller_numerique": frame["conseiller_numerique"].astype("boolean").to_numpy(),
        "est_tiers_lieu": frame["est_tiers_lieu"].astype("boolean").to_numpy(),
    })


# --------------------------------------------------------------------------- unification
def _fusionner_ligne(lieux: pd.DataFrame, garde: int, fusionne: int) -> None:
    """Complete row ``garde`` (positional) of the working copy with row ``fusionne``."""
    for colonne in COMPLETABLES:
        actuelle = lieux.at[garde, colonne]
        if pd.isna(actuelle) or actuelle == "":
            lieux.at[garde, colonne] = lieux.at[fusionne, colonne]
    for colonne in UNIONS:
        lieux.at[garde, colonne] = _joindre([lieux.at[garde, colonne], lieux.at[fusionne, colonne]])
    lieux.at[garde, "est_tiers_lieu"] = bool(lieux.at[garde, "est_tiers_lieu"]) or bool(
        lieux.at[fusionne, "est_tiers_lieu"])
    lieux.at[garde, "ids_fusionnes"] = _joindre([lieux.at[garde, "ids_fusionnes"], lieux.at[fusionne, "id"],
                                                 lieux.at[fusionne, "ids_fusionnes"]])


def lieux_unifies(france_services: pd.DataFrame | None, tiers_lieux: pd.DataFrame | None,
                  mediation: pd.DataFrame | None) -> LieuxUnifies:
    """All places of the three sources in one frame, cross-source duplicates merged and reported.

    Returns :class:`LieuxUnifies` (``lieux``, ``fusions``); columns and merge rule in the
    module docstring. Rows are ordered France services, then CGET tiers-lieux, then
    médiation, each in its source order (merged rows removed). Inputs are not modified.
    """
    morceaux = []
    for frame, conversion in ((france_services, _depuis_france_services), (tiers_lieux, _depuis_tiers_lieux),
                              (mediation, _depuis_mediation)):
        if frame is not None:
            converti = conversion(frame)  # checks the columns even when there is no row
            if len(converti):
                morceaux.append(converti)
    if not morceaux:
        return LieuxUnifies(_vide(), [])
    lieux = pd.concat(morceaux, ignore_index=True).astype(TYPES)
    if lieux["id"].duplicated().any():
        doublon = lieux.loc[lieux["id"].duplicated(), "id"].iloc[0]
        raise ValueError(f"identifiant de lieu en double : {doublon}")
    x, y = vers_lambert93(lieux["longitude"], lieux["latitude"])
    codes = lieux["code_insee"].to_numpy(dtype=object)
    sources = lieux["source"].to_numpy(dtype=object)
    rang = np.array([PRIORITE.index(s) for s in sources])
    retire = np.zeros(len(lieux), dtype=bool)
    absorbe: set[tuple[int, str]] = set()  # (kept row, source) already used once
    fusions: list[Fusion] = []
    for i in np.argsort(rang, kind="stable"):
        if rang[i] == 0 or np.isnan(x[i]):
            continue
        candidats = np.flatnonzero((rang < rang[i]) & ~retire & (codes == codes[i]) & ~np.isnan(x))
        if not len(candidats):
            continue
        distances = np.hypot(x[candidats] - x[i], y[candidats] - y[i])
        proches = [(float(d), int(j)) for d, j in zip(distances, candidats, strict=True)
                   if d < DISTANCE_FUSION_M and (int(j), sources[i]) not in absorbe]
        retenu = None
        for distance, j in sorted(proches):
            score = similarite_noms(lieux.at[j, "nom"], lieux.at[i, "nom"], lieux.at[i, "commune"])
            if score >= SEUIL_SIMILARITE:
                retenu = (distance, j, score)
                break
        if retenu is None:
            continue
        distance, j, score = retenu
        _fusionner_ligne(lieux, j, int(i))
        retire[i] = True
        absorbe.add((j, sources[i]))
        fusions.append(Fusion(lieux.at[j, "id"], lieux.at[i, "id"], lieux.at[j, "nom"], lieux.at[i, "nom"],
                              str(codes[i]), round(distance, 1), round(score, 3)))
    resultat = lieux.loc[~retire].reset_index(drop=True).astype(TYPES)
    return LieuxUnifies(resultat, fusions)


# --------------------------------------------------------------------------- filters
def _contient_un(colonne: pd.Series, voulus: Iterable[str]) -> pd.Series:
    voulus = set(voulus)
    return colonne.fillna("").map(lambda v: bool(voulus & set(str(v).split(SEPARATEUR)))).astype("bool")


def filtrer_lieux(lieux: pd.DataFrame, categories: Iterable[str] | None = None,
                  services: Iterable[str] | None = None, publics: Iterable[str] | None = None,
                  gratuit: bool | None = None, itinerant: bool | None = None, samedi: bool | None = None,
                  *, tous_publics_inclus: bool = True) -> pd.DataFrame:
    """Places matching every given criterion; ``None`` leaves a criterion out.

    * ``categories``: ``categorie`` among them (strict: a médiation place flagged
      ``est_tiers_lieu`` stays in « Lieu de médiation numérique »);
    * ``services``: offers **at least one** of them (or within a facet, and between facets);
    * ``publics``: addresses at least one of them specifically; with
      ``tous_publics_inclus`` (default) places with no specific public (open to all) are
      kept too — a senior is welcome there;
    * ``gratuit`` / ``itinerant`` / ``samedi``: the boolean column equals the value;
      unknown (``<NA>``) never matches.

    Returns the same columns as ``lieux``, rows in their original order, index reset.
    An empty list for a facet selects nothing.
    """
    garder = pd.Series(True, index=lieux.index)
    if categories is not None:
        garder &= lieux["categorie"].isin(list(categories))
    if services is not None:
        garder &= _contient_un(lieux["services"], services)
    if publics is not None:
        publics = list(publics)
        cible = _contient_un(lieux["publics"], publics)
        if tous_publics_inclus and publics:
            cible |= lieux["publics"].fillna("").eq("")
        garder &= cible
    for colonne, valeur in (("gratuit", gratuit), ("itinerant", itinerant), ("ouvert_samedi", samedi)):
        if valeur is not None:
            garder &= lieux[colonne].eq(bool(valeur)).fillna(False).astype("bool")
    return lieux.loc[garder.to_numpy()].reset_index(drop=True)


SOURCE_LOCALE = "tiers_lieux_locaux"
TIERS_LIEU_LOCAL = "Tiers-lieu (liste locale)"
PREFIXES[SOURCE_LOCALE] = "loc-"
LIBELLES_SOURCES[SOURCE_LOCALE] = "liste locale des tiers-lieux"


def lieux_depuis_liste_locale(frame: pd.DataFrame) -> pd.DataFrame:
    """The places of the local tiers-lieux list (:mod:`dashboard.sources.tiers_lieux_locaux`) in the
    unified columns, category « Tiers-lieu (liste locale) ». They are added, not merged: a local
    list that repeats a national place shows it twice, on purpose visible (different colours)."""
    from dashboard.sources.mediation_numerique import analyser_horaires_osm
    from dashboard.sources.tiers_lieux_locaux import TYPOLOGIES_NATIONALES

    _exiger(frame, ("id", "nom", "adresse", "code_insee", "commune", "latitude", "longitude", "typologie"),
            SOURCE_LOCALE)
    n = len(frame)
    horaires = [analyser_horaires_osm(str(h)) if isinstance(h, str) else (None, None)
                for h in (frame["horaires"] if "horaires" in frame.columns else [None] * n)]

    def colonne(nom: str, defaut: object) -> list:
        return list(frame[nom]) if nom in frame.columns else [defaut] * n

    return _cadre(frame, SOURCE_LOCALE, TIERS_LIEU_LOCAL, {
        "typologies": [TYPOLOGIES_NATIONALES.get(str(t), "TIERS_LIEUX") for t in frame["typologie"].fillna("")],
        "services": [str(s or "") for s in colonne("services", "")],
        "publics": [str(p or "") for p in colonne("publics", "")],
        "gratuit": pd.array(colonne("gratuit", pd.NA), dtype="boolean"),
        "itinerant": pd.array([bool(v) if v is not None and not pd.isna(v) else False
                               for v in colonne("itinerant", False)], dtype="boolean"),
        "ouvert_samedi": pd.array([s for _, s in horaires], dtype="boolean"),
        "heures_par_semaine": pd.array([h for h, _ in horaires], dtype="Float64"),
        "site_web": colonne("site_web", None),
        "conseiller_numerique": pd.array([pd.NA] * n, dtype="boolean"),
        "est_tiers_lieu": pd.array([True] * n, dtype="boolean"),
    })
