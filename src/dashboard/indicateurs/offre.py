"""Supply of places per commune and per scope: counts, rate per 10 000 inhabitants, hours.

Pure functions (no file access, no Streamlit, inputs never modified). Inputs: ``lieux``,
the unified places of :func:`dashboard.indicateurs.lieux.lieux_unifies` (filter them first
with :func:`~dashboard.indicateurs.lieux.filtrer_lieux` to count, say, only free places),
and ``communes``, the reference communes (``code_insee``, ``nom``, ``population``; a
GeoDataFrame is accepted, its geometry is ignored).

Functions
---------
``offre_par_commune(lieux, communes)``
    one row per commune of ``communes`` (those without any place included), sorted by
    ``code_insee``; columns below.
``agreger_offre(offre, lieux, codes, code="perimetre", libelle="")``
    one row for a scope (an EPCI, the whole territory): counts **summed** over the
    communes ``codes``, then the rate and the median **recomputed** (never an average of
    communal rates, which would weigh Gâvres like Lorient; the median is taken over the
    scope's places, not over communal medians).
``communes_sans_lieu(offre)``
    the rows of ``offre`` whose ``sans_lieu`` is True (``code_insee``, ``nom``, ``population``).

Columns of ``offre_par_commune`` (counts ``Int64``, in places)
--------------------------------------------------------------
==================================== ========= ================================================
column                               dtype     meaning (unit)
==================================== ========= ================================================
``code_insee``, ``nom``              str       the commune
``population``                       Int64     inhabitants (reference vintage), ``<NA>`` unknown
``nb_lieux``                         Int64     places located in the commune
``nb_france_services``               Int64     ``categorie`` « France services »
``nb_tiers_lieux``                   Int64     ``categorie`` « Tiers-lieu » (CGET census 2019)
``nb_lieux_mediation``               Int64     ``categorie`` « Lieu de médiation numérique »
``nb_lieux_est_tiers_lieu``          Int64     ``est_tiers_lieu`` (tiers-lieux of any source)
``nb_service_<clé>``                 Int64     places offering the service (one column per
                                               service of :data:`COLONNES_SERVICES`)
``nb_lieux_gratuits``                Int64     ``gratuit`` True
``nb_lieux_gratuite_inconnue``       Int64     ``gratuit`` unknown
``nb_lieux_itinerants``              Int64     ``itinerant`` True (counted at their base)
``nb_lieux_ouverts_samedi``          Int64     ``ouvert_samedi`` True
``nb_lieux_horaires_connus``         Int64     ``heures_par_semaine`` known
``lieux_pour_10000_hab``             Float64   ``nb_lieux / population × 10 000``; ``<NA>``
                                               when the population is unknown or 0
``heures_hebdo_total``               Float64   sum of weekly opening hours (h/week) of the
                                               places whose hours are known — a *floor* when
                                               some are unknown (see ``nb_lieux_horaires_connus``);
                                               0 without any place, ``<NA>`` when there are
                                               places but no hours are known
``heures_hebdo_mediane``             Float64   median weekly hours (h/week) of those places,
                                               ``<NA>`` when none is known
``sans_lieu``                        boolean   ``nb_lieux == 0``
==================================== ========= ================================================

``agreger_offre`` returns ``code``, ``libelle``, ``nb_communes``, ``nb_communes_sans_lieu``,
then the same columns from ``population`` to ``heures_hebdo_mediane`` (no ``sans_lieu``).
Places whose ``code_insee`` is not among ``communes`` are not counted anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from dashboard.indicateurs.lieux import FRANCE_SERVICES, MEDIATION, SEPARATEUR, TIERS_LIEU
from dashboard.sources.mediation_numerique import SERVICES

#: service of the médiation schema v1 → its column in the supply tables
COLONNES_SERVICES: dict[str, str] = dict(zip(SERVICES, (
    "nb_service_demarches_administratives",
    "nb_service_outils_quotidien",
    "nb_service_insertion_professionnelle",
    "nb_service_utilisation_securisee",
    "nb_service_parentalite_education",
    "nb_service_loisirs_creations",
    "nb_service_comprehension_numerique",
    "nb_service_acces_internet_materiel",
    "nb_service_materiel_prix_solidaire",
), strict=True))
COLONNES_CATEGORIES = {FRANCE_SERVICES: "nb_france_services", TIERS_LIEU: "nb_tiers_lieux",
                       MEDIATION: "nb_lieux_mediation"}
COMPTES = ("nb_lieux", *COLONNES_CATEGORIES.values(), "nb_lieux_est_tiers_lieu", *COLONNES_SERVICES.values(),
           "nb_lieux_gratuits", "nb_lieux_gratuite_inconnue", "nb_lieux_itinerants", "nb_lieux_ouverts_samedi",
           "nb_lieux_horaires_connus")
MESURES = ("lieux_pour_10000_hab", "heures_hebdo_total", "heures_hebdo_mediane")


def _par_lieu(lieux: pd.DataFrame) -> pd.DataFrame:
    """One 0/1 column per count of :data:`COMPTES`, plus ``code_insee`` and ``heures``."""
    services = lieux["services"].fillna("").astype("str").str.split(SEPARATEUR)
    indicateurs = {
        "code_insee": lieux["code_insee"].astype("str").to_numpy(),
        "nb_lieux": 1,
    }
    for categorie, colonne in COLONNES_CATEGORIES.items():
        indicateurs[colonne] = (lieux["categorie"] == categorie).astype("int64").to_numpy()
    indicateurs["nb_lieux_est_tiers_lieu"] = lieux["est_tiers_lieu"].fillna(False).astype("int64").to_numpy()
    for service, colonne in COLONNES_SERVICES.items():
        indicateurs[colonne] = services.map(lambda liste, s=service: s in liste).astype("int64").to_numpy()
    indicateurs["nb_lieux_gratuits"] = lieux["gratuit"].fillna(False).astype("int64").to_numpy()
    indicateurs["nb_lieux_gratuite_inconnue"] = lieux["gratuit"].isna().astype("int64").to_numpy()
    indicateurs["nb_lieux_itinerants"] = lieux["itinerant"].fillna(False).astype("int64").to_numpy()
    indicateurs["nb_lieux_ouverts_samedi"] = lieux["ouvert_samedi"].fillna(False).astype("int64").to_numpy()
    heures = lieux["heures_par_semaine"].astype("Float64")
    indicateurs["nb_lieux_horaires_connus"] = heures.notna().astype("int64").to_numpy()
    indicateurs["heures"] = heures.to_numpy()
    return pd.DataFrame(indicateurs, index=range(len(lieux)))


def _taux_10000(nb: pd.Series, population: pd.Series) -> pd.Series:
    pop = population.astype("Float64")
    return (nb.astype("Float64") / pop.where(pop > 0) * 10_000).astype("Float64")


def offre_par_commune(lieux: pd.DataFrame, communes: pd.DataFrame) -> pd.DataFrame:
    """Supply of places per commune (columns and units in the module docstring)."""
    base = pd.DataFrame({
        "code_insee": communes["code_insee"].astype("str").to_numpy(),
        "nom": communes["nom"].astype("str").to_numpy(),
        "population": pd.array(communes["population"], dtype="Int64"),
    }).sort_values("code_insee", kind="stable").reset_index(drop=True)
    par_lieu = _par_lieu(lieux)
    par_lieu = par_lieu[par_lieu["code_insee"].isin(base["code_insee"])]
    sommes = par_lieu.groupby("code_insee")[list(COMPTES)].sum()
    heures = par_lieu.dropna(subset=["heures"]).groupby("code_insee")["heures"]
    resultat = base.join(sommes, on="code_insee")
    for colonne in COMPTES:
        resultat[colonne] = resultat[colonne].fillna(0).astype("Int64")
    resultat["lieux_pour_10000_hab"] = _taux_10000(resultat["nb_lieux"], resultat["population"])
    total = resultat["code_insee"].map(heures.sum()).astype("Float64")
    resultat["heures_hebdo_total"] = total.mask(resultat["nb_lieux"] == 0, 0.0)
    resultat["heures_hebdo_mediane"] = resultat["code_insee"].map(heures.median()).astype("Float64")
    resultat["sans_lieu"] = (resultat["nb_lieux"] == 0).astype("boolean")
    return resultat


def agreger_offre(offre: pd.DataFrame, lieux: pd.DataFrame, codes: Iterable[str], code: str = "perimetre",
                  libelle: str = "") -> pd.DataFrame:
    """One row for the scope made of the communes ``codes`` (see module docstring).

    Counts are summed over the communes of ``offre`` among ``codes``; ``population`` is
    ``<NA>`` if one of them lacks it (so is the rate); ``lieux_pour_10000_hab`` is
    recomputed from the sums; ``heures_hebdo_total`` and ``heures_hebdo_mediane`` are the
    sum and the median over the places of ``lieux`` located in those communes.
    """
    codes = set(codes)
    selection = offre[offre["code_insee"].isin(codes)]
    population = selection["population"]
    ligne: dict[str, object] = {
        "code": code, "libelle": libelle, "nb_communes": len(selection),
        "nb_communes_sans_lieu": int(selection["sans_lieu"].fillna(False).sum()),
        "population": pd.NA if population.empty or population.isna().any() else int(population.sum()),
    }
    for colonne in COMPTES:
        ligne[colonne] = int(selection[colonne].sum())
    resultat = pd.DataFrame([ligne]).astype({"code": "str", "libelle": "str", "nb_communes": "Int64",
                                             "nb_communes_sans_lieu": "Int64", "population": "Int64",
                                             **dict.fromkeys(COMPTES, "Int64")})
    resultat["lieux_pour_10000_hab"] = _taux_10000(resultat["nb_lieux"], resultat["population"])
    heures = lieux.loc[lieux["code_insee"].isin(selection["code_insee"]), "heures_par_semaine"].astype("Float64")
    heures = heures.dropna()
    total = float(heures.sum()) if len(heures) or ligne["nb_lieux"] == 0 else pd.NA
    resultat["heures_hebdo_total"] = pd.array([total], dtype="Float64")
    resultat["heures_hebdo_mediane"] = pd.array([float(heures.median()) if len(heures) else pd.NA],
                                                dtype="Float64")
    return resultat


def communes_sans_lieu(offre: pd.DataFrame) -> pd.DataFrame:
    """Communes with no place at all: ``code_insee``, ``nom``, ``population``, by ``code_insee``."""
    sans = offre.loc[offre["sans_lieu"].fillna(False).to_numpy(), ["code_insee", "nom", "population"]]
    return sans.sort_values("code_insee", kind="stable").reset_index(drop=True)
