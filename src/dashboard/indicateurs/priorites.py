"""Where to act first: a need × supply priority index per commune, transparent and adjustable.

Pure functions (no file access, no Streamlit, inputs never modified). The index crosses
three components, each a known quantity with a unit and a source:

=================== ============================== ==================================================
component           unit (raw value)               source
=================== ============================== ==================================================
``zones_blanches``  share of locaux, 0–1           ARCEP « Ma connexion internet », file
                                                   ``debit_filaire``: locaux with no wired offer of at
                                                   least 30 Mbit/s (``couverture.locaux_sans_thd``)
``fragilite``       score 0–10                     INSEE (census, Filosofi): ``score_0_10`` of the
                                                   index inspired by the IFN
                                                   (:func:`~dashboard.indicateurs.inclusion.indice_fragilite`)
``eloignement``     share of inhabitants, 0–1      population points (500 m grid, uniform spreading)
                                                   beyond the chosen threshold of the nearest help
                                                   place (``synthese_inclusion.eloignement_par_commune``)
=================== ============================== ==================================================

Choices (and why)
-----------------
* **Fragility = the 0–10 score, computed without the coverage share.** The score is an
  affine rescaling of the index (in standard deviations); min–max normalisation is
  invariant under such a rescaling, so the score and the z-score index give *the same*
  normalised value on the same communes — the score is simply the one users already read on
  the « Inclusion numérique » page. The IFN-like index counts ``part_non_thd`` among its
  components; left in, coverage would enter the priority twice and its real weight would
  exceed the weight shown. :func:`fragilite_pour_priorites` therefore recomputes the index
  with ``part_non_thd`` at weight 0 (the other weights as chosen by the user).
* **Min–max standardisation to [0, 1]** over the territory's communes (not the displayed
  scope: choosing « Lorient Agglomération » must not change a commune's score):
  ``norm = (valeur − min) / (max − min)``, 0 = the least affected commune of the
  territory, 1 = the most affected. Why not z-scores (used by the fragility index): the
  priority must read as *points out of 100 that add up* — each component gives
  ``100 × poids × norm`` points, never negative, at most its weight share. The price:
  min–max is sensitive to one extreme commune (it squeezes the others) and is relative to
  the territory (a 0 is « the best here », not « no need »). A component that does not vary
  (or is known for one commune only) normalises to 0 for all: it does not separate communes.
* **Missing component** (coverage file absent, remoteness unknown…): the commune is scored
  on its available components, the weights renormalised over them (so its priority stays
  on 0–100) and it is listed in ``composantes_manquantes``. With no component at all,
  ``priorite`` and ``rang`` are ``<NA>``. A component of weight 0 is ignored everywhere
  (neither used nor reported missing; its contribution is 0).
* **Ranking**: ``rang`` 1 = highest priority; ties (priorities equal to 1e-9) are broken by
  ``code_insee`` — the ranking is deterministic and every rank is distinct.

Functions and returned columns
------------------------------
``composantes_priorites(codes, *, mci=None, fragilite=None, eloignement=None)``
    one row per code of ``codes`` (the territory's communes), sorted by code:
    ``code_insee`` (str), ``zones_blanches``, ``fragilite``, ``eloignement`` (``Float64``,
    raw values in the units above, ``<NA>`` when unknown). ``mci`` is the tidy ARCEP MCI
    frame; ``fragilite`` a frame with ``code_insee`` and ``score_0_10``; ``eloignement`` a
    frame with ``code_insee`` and ``part_au_dela``.
``fragilite_pour_priorites(insee, poids=None)``
    :func:`~dashboard.indicateurs.inclusion.indice_fragilite` of the INSEE table with
    ``part_non_thd`` forced to weight 0 (same columns as that function).
``indice_priorites(composantes, poids=None)``
    one row per commune, sorted by ``rang`` (``<NA>`` last, by code):
    ``code_insee`` (str); ``priorite`` (``Float64``, points out of 100); ``rang``
    (``Int64``, 1 = highest); the raw components ``zones_blanches``, ``fragilite``,
    ``eloignement``; ``norm_<c>`` (``Float64``, 0–1, min–max over the communes given);
    ``contribution_<c>`` (``Float64``, points out of 100; the three add up to
    ``priorite``); ``nb_composantes`` (``Int64``, weighted components available);
    ``composantes_manquantes`` (str, keys joined by ``", "``, ``""`` when none).
``valider_poids_priorites(poids)``
    weights completed with 0 for unlisted components; :class:`~dashboard.erreurs.ErreurConfiguration`
    (French message) for an unknown component, a negative, non-finite or non-numeric
    weight, or all weights at 0.
``explication_priorites(poids=None, seuil_libelle="…")``
    a plain French paragraph describing the method with the weights and threshold used.
``poids_priorites_depuis_texte(texte)`` / ``poids_priorites_vers_texte(poids)``
    the URL form ``"zones_blanches:1,fragilite:2,eloignement:1"``.

No per-cell (500 m) version is offered: two of the three components (coverage, fragility)
are only known per commune, and remoteness per cell is a yes/no — a cell « priority »
would mix a communal share with a binary and could not be compared with the communal
one. « Where in the commune? » is answered by :func:`dashboard.indicateurs.scenario.meilleurs_sites`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from dashboard import formats
from dashboard.indicateurs import inclusion
from dashboard.indicateurs.couverture import locaux_sans_thd


@dataclass(frozen=True)
class Composante:
    """One component of the priority index: French label, unit and source (shown to users)."""

    libelle: str
    unite: str
    source: str
    borne_max: float  # raw values must lie in [0, borne_max]


COMPOSANTES: dict[str, Composante] = {
    "zones_blanches": Composante(
        "part des locaux sans très haut débit filaire (moins de 30 Mbit/s)", "part des locaux",
        "ARCEP, Ma connexion internet (réseaux filaires)", 1.0),
    "fragilite": Composante(
        f"fragilité sociale ({inclusion.LIBELLE_INDICE}, sans la couverture)", "score de 0 à 10",
        "INSEE, recensement de la population et Filosofi", 10.0),
    "eloignement": Composante(
        "part de la population éloignée du lieu d'aide le plus proche", "part des habitants",
        "France services, cartographie de la médiation numérique, tiers-lieux ; population de référence "
        "répartie sur une grille de 500 m", 1.0),
}
POIDS_DEFAUT: dict[str, float] = {"zones_blanches": 1.0, "fragilite": 1.0, "eloignement": 1.0}
POIDS_MAX_URL = 5.0
TOLERANCE_EGALITE = 9  # decimals of ``priorite`` compared when ranking (ties → code_insee)


# --------------------------------------------------------------------------- weights
def valider_poids_priorites(poids: Mapping[str, float] | None) -> dict[str, float]:
    """Known components, finite non-negative weights, at least one positive; missing keys → 0."""
    from dashboard.indicateurs.poids import valider_poids

    return valider_poids(poids, COMPOSANTES, POIDS_DEFAUT, composante="composante de priorité",
                         tous_nuls="tous les poids de l'indice de priorité sont nuls")


def poids_priorites_depuis_texte(texte: str | None) -> dict[str, float]:
    """``"zones_blanches:1,fragilite:2"`` (URL form) → weights.

    Unknown keys and unreadable values are ignored, values are clamped to [0, 5], missing
    components keep their default weight; if every weight ends at 0 the defaults are
    returned (a hand-edited URL must not break the page).
    """
    poids = dict(POIDS_DEFAUT)
    for morceau in (texte or "").split(","):
        cle, _, valeur = morceau.partition(":")
        cle = cle.strip()
        if cle in poids:
            try:
                nombre = float(valeur)
            except ValueError:
                continue
            if math.isfinite(nombre):
                poids[cle] = max(0.0, min(POIDS_MAX_URL, nombre))
    return poids if sum(poids.values()) > 0 else dict(POIDS_DEFAUT)


def poids_priorites_vers_texte(poids: Mapping[str, float]) -> str:
    return ",".join(f"{c}:{poids[c]:g}" for c in COMPOSANTES if c in poids)


# --------------------------------------------------------------------------- components
def fragilite_pour_priorites(insee: pd.DataFrame, poids: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Fragility index without the coverage share (already the ``zones_blanches`` component).

    ``poids``: the fragility weights chosen by the user (``inclusion.POIDS_DEFAUT`` when
    ``None``); ``part_non_thd`` is set to 0 whatever its value. Raises
    :class:`~dashboard.erreurs.ErreurConfiguration` when no other component keeps a weight.
    """
    sans_couverture = {**inclusion.valider_poids(poids), "part_non_thd": 0.0}
    return inclusion.indice_fragilite(inclusion.composantes_fragilite(insee, None), sans_couverture)


def _par_code(frame: pd.DataFrame | None, colonne: str, nom: str, cle: str = "code_insee") -> pd.Series | None:
    if frame is None:
        return None
    manquantes = [c for c in (cle, colonne) if c not in frame.columns]
    if manquantes:
        raise ValueError(f"{nom} : colonne(s) absente(s) : {', '.join(manquantes)}")
    serie = pd.Series(frame[colonne].astype("Float64").to_numpy(), index=frame[cle].astype("str").to_numpy())
    if serie.index.duplicated().any():
        raise ValueError(f"{nom} : plusieurs lignes pour la commune {serie.index[serie.index.duplicated()][0]}")
    return serie


def composantes_priorites(codes: Iterable[str], *, mci: pd.DataFrame | None = None,
                          fragilite: pd.DataFrame | None = None,
                          eloignement: pd.DataFrame | None = None) -> pd.DataFrame:
    """Raw components per commune of ``codes`` (see module doc); an absent input → ``<NA>``."""
    codes = sorted({str(c) for c in codes})
    sources = {
        "zones_blanches": _par_code(locaux_sans_thd(mci) if mci is not None else None, "part_locaux_sans_thd",
                                    "couverture (ARCEP)", cle="code"),
        "fragilite": _par_code(fragilite, "score_0_10", "indice de fragilité"),
        "eloignement": _par_code(eloignement, "part_au_dela", "éloignement des lieux d'aide"),
    }
    resultat = pd.DataFrame({"code_insee": pd.array(codes, dtype="str")})
    for cle, serie in sources.items():
        valeurs = (pd.Series(pd.NA, index=codes, dtype="Float64") if serie is None
                   else pd.Series(codes, index=codes).map(serie).astype("Float64"))
        resultat[cle] = valeurs.to_numpy()
    return resultat.astype(dict.fromkeys(COMPOSANTES, "Float64"))


# --------------------------------------------------------------------------- index
def _min_max(valeurs: pd.Series) -> pd.Series:
    """(v − min) / (max − min) over the known values; 0 for all when they do not vary."""
    disponibles = valeurs.dropna()
    if disponibles.empty:
        return valeurs.astype("Float64")
    mini, maxi = float(disponibles.min()), float(disponibles.max())
    if maxi == mini:
        return valeurs.where(valeurs.isna(), 0.0).astype("Float64")
    return ((valeurs - mini) / (maxi - mini)).astype("Float64")


def _verifier_composantes(composantes: pd.DataFrame) -> None:
    if "code_insee" not in composantes.columns:
        raise ValueError("composantes de priorité : colonne « code_insee » absente")
    doublons = composantes["code_insee"].astype("str").duplicated()
    if doublons.any():
        raise ValueError(f"composantes de priorité : commune {composantes['code_insee'][doublons].iloc[0]} "
                         "en double")
    for cle, composante in COMPOSANTES.items():
        if cle not in composantes.columns:
            continue
        valeurs = composantes[cle].astype("Float64")
        hors = ((valeurs < 0) | (valeurs > composante.borne_max)).fillna(False)
        if hors.any():
            raise ValueError(f"composante « {cle} » : valeur attendue entre 0 et {composante.borne_max:g} "
                             f"({composante.unite}), « {valeurs[hors].iloc[0]} » reçu pour "
                             f"{composantes['code_insee'][hors].iloc[0]}")


def indice_priorites(composantes: pd.DataFrame, poids: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Priority (0–100), rank, normalised components and contributions per commune (see module doc).

    ``composantes``: ``code_insee`` and any of ``zones_blanches``, ``fragilite``,
    ``eloignement`` in their raw units (:func:`composantes_priorites`); an absent column
    counts as missing everywhere. Normalisation is over the rows given: pass the whole
    territory, filter the scope afterwards.
    """
    poids_valides = valider_poids_priorites(poids)
    _verifier_composantes(composantes)
    index = composantes.index
    brutes = {c: composantes[c].astype("Float64") if c in composantes.columns
              else pd.Series(pd.NA, index=index, dtype="Float64") for c in COMPOSANTES}
    normees = {c: _min_max(brutes[c]) for c in COMPOSANTES}
    actives = [c for c in COMPOSANTES if poids_valides[c] > 0]
    disponibles = pd.DataFrame({c: normees[c].notna() for c in actives}, index=index, dtype="bool")
    somme_poids = sum((disponibles[c].astype("float64") * poids_valides[c] for c in actives),
                      start=pd.Series(0.0, index=index))
    contributions: dict[str, pd.Series] = {}
    for c in COMPOSANTES:
        if c not in actives:
            contributions[c] = pd.Series(0.0, index=index, dtype="Float64")
            continue
        part = (poids_valides[c] / somme_poids.where(somme_poids > 0)).where(disponibles[c])
        contributions[c] = (100 * part.astype("Float64") * normees[c]).astype("Float64")
    connue = somme_poids > 0
    priorite = pd.Series(0.0, index=index, dtype="Float64")
    for c in actives:
        priorite = priorite + contributions[c].fillna(0.0)
    priorite = priorite.where(connue).astype("Float64")
    for c in actives:  # a missing component adds no point (rather than <NA>) when the priority is known
        contributions[c] = contributions[c].fillna(0.0).where(connue).astype("Float64")
    resultat = pd.DataFrame({"code_insee": composantes["code_insee"].astype("str").to_numpy()}, index=index)
    resultat["priorite"] = priorite
    cle_tri = pd.DataFrame({"p": priorite.round(TOLERANCE_EGALITE).astype("float64").fillna(-math.inf),
                            "c": resultat["code_insee"]}, index=index)
    ordre = cle_tri.sort_values(["p", "c"], ascending=[False, True], kind="stable").index
    rangs = pd.Series(range(1, len(ordre) + 1), index=ordre).reindex(index)
    resultat["rang"] = pd.array(rangs.where(connue).to_numpy(dtype="float64"), dtype="Int64")
    for c in COMPOSANTES:
        resultat[c] = brutes[c]
    for c in COMPOSANTES:
        resultat[f"norm_{c}"] = normees[c]
    for c in COMPOSANTES:
        resultat[f"contribution_{c}"] = contributions[c]
    resultat["nb_composantes"] = pd.array(disponibles.sum(axis=1).to_numpy(), dtype="Int64")
    resultat["composantes_manquantes"] = [", ".join(c for c in actives if not disponibles.at[i, c]) for i in index]
    resultat = resultat.loc[ordre].reset_index(drop=True)
    return resultat.astype({"code_insee": "str", "composantes_manquantes": "str"})


# --------------------------------------------------------------------------- explanation
def explication_priorites(poids: Mapping[str, float] | None = None,
                          seuil_libelle: str = "plus de 15 minutes en voiture (estimation)") -> str:
    """A plain French paragraph describing the priority index with the given weights and threshold."""
    poids_valides = valider_poids_priorites(poids)
    total = sum(poids_valides.values())
    descriptions = {
        "zones_blanches": "la part des locaux sans très haut débit sur les réseaux filaires (moins de 30 Mbit/s ; "
                          "ARCEP, Ma connexion internet)",
        "fragilite": "le score de fragilité de 0 à 10 (âge, diplôme, pauvreté… ; INSEE) de "
                     f"l'{inclusion.LIBELLE_INDICE}, recalculé sans la couverture pour ne pas la compter deux fois",
        "eloignement": f"la part des habitants à {seuil_libelle} du lieu d'aide le plus proche (France services, "
                       "lieux de médiation numérique, tiers-lieux proposant un accompagnement ; population répartie "
                       "uniformément sur une grille de 500 m, distances à vol d'oiseau)",
    }
    actives = [c for c in COMPOSANTES if poids_valides[c] > 0]
    liste = " ; ".join(f"{descriptions[c]}, poids {formats.pourcentage(poids_valides[c] / total, 0)}"
                       for c in actives)
    texte = (
        "L'indice de priorité croise le besoin (fragilité des habitants) et l'offre (couverture en très haut débit, "
        f"proximité d'un lieu d'aide). Il combine {len(actives)} composante{'s' if len(actives) > 1 else ''} : "
        f"{liste}. Chaque composante est ramenée entre 0 et 1 sur les communes du territoire : 0 pour la commune la "
        "moins concernée, 1 pour la plus concernée, les autres en proportion (mise à l'échelle « min-max »). La "
        "priorité, de 0 à 100, est la moyenne pondérée de ces valeurs multipliée par 100 : chaque composante "
        "apporte des points, et la somme des points fait la priorité. Nous avons préféré cette mise à l'échelle "
        "au centrage-réduction (écarts-types, utilisé par l'indice de fragilité) parce que les points se lisent "
        "et s'additionnent ; en contrepartie, une commune très atypique tasse les autres, et une composante qui "
        "ne varie pas vaut 0 partout. Quand une composante manque pour une commune, la priorité est calculée sur "
        "les autres, leurs poids remis à l'échelle, et la commune est signalée. Les communes sont classées de la "
        "plus prioritaire (rang 1) à la moins prioritaire ; à égalité, par code INSEE. Le score est relatif au "
        "territoire : il désigne où regarder en premier, il ne dit pas à lui seul où ouvrir un lieu."
    )
    ecartees = [c for c in COMPOSANTES if poids_valides[c] == 0]
    if ecartees:
        texte += (f" Non retenu{'es' if len(ecartees) > 1 else 'e'} ici (poids nul) : "
                  f"{', '.join(COMPOSANTES[c].libelle for c in ecartees)}.")
    return texte
