"""Cached computations of the « Couverture » page, keyed by plain values (cache boundary).

Why: without a cache the page costs ~0.65 s of CPU per rerun (scope aggregates, FttH
series, projections and target status recomputed every time). With 15 phones changing
the scope every ~15 s, that alone keeps one Python process busy and the p95 rerun time
went far above 3 s (bench/README.md, « Charge : écran public + 30 téléphones »). The
results only depend on the data editions and a few plain parameters, and phones go back
and forth between a handful of scopes, so a cache answers almost every time.

Same signatures as the pure functions they wrap (:mod:`dashboard.indicateurs.synthese_couverture`,
:func:`dashboard.vues.couverture.figure_ftth_perimetre`) plus ``cle``, the identifiers of
the editions on screen (:func:`cle_donnees`): a new snapshot gives new keys, hence fresh
results. Frames are passed unhashed (leading underscore): the edition identifiers stand
for them. No TTL: the store, not this cache, is the last-known-good copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.indicateurs import synthese_couverture as sc
from dashboard.magasin import Instantane
from dashboard.vues import couverture as vues
from dashboard.vues import grille as grille_vues

ENTREES_MAX = 256


def cle_donnees(instants: Mapping[str, Instantane | None], reference_manifeste: dict) -> tuple:
    """Identifiers of the editions shown (``None`` for a source not loaded) and of the reference."""
    editions = tuple(sorted((s, i.identifiant if i is not None else None) for s, i in instants.items()))
    fichiers = reference_manifeste.get("fichiers", {})
    return editions, tuple(sorted((nom, f.get("sha256", "")) for nom, f in fichiers.items()))


@st.cache_data(show_spinner=False, max_entries=ENTREES_MAX)
def _valeurs_communes(cle: tuple, indicateur: str, reseau: str, trimestre: str | None,
                      _mci: pd.DataFrame | None, _ftth: pd.DataFrame | None) -> pd.DataFrame:
    return sc.valeurs_communes(sc.INDICATEURS[indicateur], _mci, _ftth, reseau, trimestre)


def valeurs_communes(cle: tuple, indicateur: sc.IndicateurCouverture, mci: pd.DataFrame | None,
                     ftth: pd.DataFrame | None, reseau: str = "debit_filaire",
                     trimestre: str | None = None) -> pd.DataFrame:
    return _valeurs_communes(cle, indicateur.identifiant, reseau, trimestre, mci, ftth)


@st.cache_data(show_spinner=False, max_entries=ENTREES_MAX)
def _valeur_perimetre(cle: tuple, indicateur: str, codes: tuple[str, ...], reseau: str, trimestre: str | None,
                      _mci: pd.DataFrame | None, _ftth: pd.DataFrame | None) -> pd.Series:
    return sc.valeur_perimetre(sc.INDICATEURS[indicateur], _mci, _ftth, codes, reseau, trimestre)


def valeur_perimetre(cle: tuple, indicateur: sc.IndicateurCouverture, mci: pd.DataFrame | None,
                     ftth: pd.DataFrame | None, codes: Iterable[str], reseau: str = "debit_filaire",
                     trimestre: str | None = None) -> pd.Series:
    return _valeur_perimetre(cle, indicateur.identifiant, tuple(sorted(codes)), reseau, trimestre, mci, ftth)


@st.cache_data(show_spinner=False, max_entries=ENTREES_MAX)
def _chiffres_couverture(cle: tuple, codes: tuple[str, ...], reseau: str, _mci: pd.DataFrame | None,
                         _ftth: pd.DataFrame | None) -> dict:
    return sc.chiffres_couverture(_mci, _ftth, codes, reseau)


def chiffres_couverture(cle: tuple, mci: pd.DataFrame | None, ftth: pd.DataFrame | None, codes: Iterable[str],
                        reseau: str = "debit_filaire") -> dict:
    return _chiffres_couverture(cle, tuple(sorted(codes)), reseau, mci, ftth)


@st.cache_data(show_spinner=False, max_entries=ENTREES_MAX)
def _etat_objectifs(cle: tuple, objectifs: tuple, codes: tuple[str, ...], _mci: pd.DataFrame | None,
                    _ftth: pd.DataFrame | None) -> pd.DataFrame:
    return sc.etat_objectifs(objectifs, _mci, _ftth, codes)


def etat_objectifs(cle: tuple, objectifs, mci: pd.DataFrame | None, ftth: pd.DataFrame | None,
                   codes: Iterable[str]) -> pd.DataFrame:
    return _etat_objectifs(cle, tuple(objectifs), tuple(sorted(codes)), mci, ftth)


@st.cache_data(show_spinner=False, max_entries=ENTREES_MAX)
def _figure_ftth_perimetre(cle: tuple, perimetre, codes: tuple[str, ...], selection: str | None, objectifs: tuple,
                           nom_territoire: str, comparaisons: tuple, _ftth: pd.DataFrame,
                           _communes: pd.DataFrame) -> go.Figure:
    return vues.figure_ftth_perimetre(_ftth, _communes, perimetre, list(codes), selection, objectifs,
                                      nom_territoire, dict(comparaisons) or None)


def figure_ftth_perimetre(cle: tuple, ftth: pd.DataFrame, communes: pd.DataFrame, perimetre, codes: list[str],
                          selection: str | None, objectifs, nom_territoire: str,
                          comparaisons: Mapping[str, tuple[str, str]] | None = None) -> go.Figure:
    # ``codes`` keeps its order here: the figure lists communes in the order given.
    return _figure_ftth_perimetre(cle, perimetre, tuple(codes), selection, tuple(objectifs), nom_territoire,
                                  tuple((comparaisons or {}).items()), ftth, communes)


@st.cache_data(show_spinner=False, max_entries=ENTREES_MAX)
def _repartition_longue(cle: tuple, _mci: pd.DataFrame) -> pd.DataFrame:
    from dashboard.indicateurs import couverture as cv

    return cv.repartition_longue(cv.repartition_meilleure_techno(_mci))


def repartition_longue(cle: tuple, mci: pd.DataFrame) -> pd.DataFrame:
    """Best technology per local, long form (``couverture.repartition_longue``), all communes."""
    return _repartition_longue(cle, mci)


@st.cache_data(show_spinner=False, max_entries=ENTREES_MAX)
def _ventilation_rurale(cle: tuple, indicateur: str, reseau: str, trimestre: str | None, codes: tuple[str, ...],
                        _valeurs: pd.DataFrame, _ftth: pd.DataFrame | None) -> pd.DataFrame:
    return sc.ventilation_rurale(_valeurs[_valeurs["code"].isin(codes)], _ftth)


def ventilation_rurale(cle: tuple, indicateur: sc.IndicateurCouverture, reseau: str, trimestre: str | None,
                       codes: Iterable[str], valeurs: pd.DataFrame, ftth: pd.DataFrame | None) -> pd.DataFrame:
    """Rural/urban split of ``valeurs`` (the output of :func:`valeurs_communes` for the same
    indicator, network and quarter) restricted to ``codes``."""
    return _ventilation_rurale(cle, indicateur.identifiant, reseau, trimestre, tuple(sorted(codes)), valeurs, ftth)


@st.cache_data(show_spinner=False, max_entries=ENTREES_MAX)
def _grille_immeubles(cle: tuple, codes: tuple[str, ...], de: str, edition: str, demo: bool,
                      _grille: pd.DataFrame, _noms: pd.Series) -> grille_vues.GrilleAffichee:
    return grille_vues.preparer_grille(_grille, codes, _noms, de=de, edition=edition, demo=demo)


def grille_immeubles(instant: Instantane | None, reference_manifeste: dict, noms: pd.Series, codes: Iterable[str],
                     de: str) -> grille_vues.GrilleAffichee | None:
    """The buildings grid of ``codes`` ready to draw (:func:`dashboard.vues.grille.preparer_grille`),
    or ``None`` when the source ``arcep_immeubles`` has no edition. Cached: building the
    squares of the whole territory (~2 600) costs ~0.2 s; the key is the edition and the
    reference, so the names ``noms`` (from that reference) need not be hashed."""
    if instant is None:
        return None
    cle = cle_donnees({"arcep_immeubles": instant}, reference_manifeste)
    manifeste = instant.manifeste
    return _grille_immeubles(cle, tuple(sorted(codes)), de, manifeste.get("libelle_edition", "?"),
                             bool(manifeste.get("demo", False)), instant.frame, noms)
