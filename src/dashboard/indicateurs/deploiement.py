"""FttH deployment indicators from the ``arcep_ftth`` frame: rate, pace, projection, status.

Pure functions (no file access, no mutation of inputs, no Streamlit). Input: the tidy
frame of the source ``arcep_ftth`` (see :mod:`dashboard.sources.arcep_deploiements`):
``code``, ``niveau``, ``trimestre`` (« T2 2026 »), ``date`` (ISO end of quarter),
``locaux_raccordables``, ``meilleure_estimation_locaux``, ``locaux_en_construction``,
``commune_rurale``.

For the « Couverture » page:

* :func:`agreger_perimetre` — sums communes into one scope (the Pays, an EPCI) per quarter;
* :func:`taux_ftth` — share of locaux raccordables per code and quarter (the series to plot);
* :func:`tendance_4_trimestres` — last quarter, pace over the last 4 quarters, remaining
  locaux and the projected quarter of 100 % (an *extrapolation* at constant pace);
* :func:`projection_100_pourcent` — the same projection for one scope (scalar);
* :func:`statut_objectif` — « atteint » / « en bonne voie » / « en retard » against a
  target of ``data/objectifs_couverture.toml`` (loaded by :mod:`dashboard.objectifs`).

Units: counts are *locaux* (logements + locaux professionnels); rates are shares in
[0, 1] (format with ``formats.pourcentage``); the pace is in locaux per quarter.
Missing data stay ``<NA>``; nothing is ever turned into 0.
"""

from __future__ import annotations

import math
import re
from datetime import date

import pandas as pd

NON_ATTEINT = "non atteint au rythme actuel"
HISTORIQUE_INSUFFISANT = "historique insuffisant"
ATTEINT = "atteint"
EN_BONNE_VOIE = "en bonne voie"
EN_RETARD = "en retard"
NON_DISPONIBLE = "non disponible"
TRIMESTRES_MAX = 400  # au-delà de 100 ans, « non atteint au rythme actuel »
RE_TRIMESTRE = re.compile(r"^T([1-4]) (\d{4})$")
FIN_TRIMESTRE = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}
CLES = ["code", "niveau"]


# --------------------------------------------------------------------------- quarters
def rang_trimestre(libelle: str) -> int:
    """``"T2 2026"`` → a quarter number that increases by 1 each quarter (year × 4 + q − 1)."""
    m = RE_TRIMESTRE.match(str(libelle).strip())
    if not m:
        raise ValueError(f"trimestre « {libelle} » invalide (« T2 2026 » attendu)")
    return int(m.group(2)) * 4 + int(m.group(1)) - 1


def libelle_du_rang(rang: int) -> str:
    """Inverse of :func:`rang_trimestre`: ``8105 → "T2 2026"``."""
    return f"T{rang % 4 + 1} {rang // 4}"


def fin_du_trimestre(libelle: str) -> date:
    """``"T2 2026"`` → ``date(2026, 6, 30)``."""
    rang = rang_trimestre(libelle)
    mois, jour = FIN_TRIMESTRE[rang % 4 + 1]
    return date(rang // 4, mois, jour)


# --------------------------------------------------------------------------- scope
def agreger_perimetre(frame: pd.DataFrame, codes: list[str] | set[str] | frozenset[str], code: str,
                      niveau: str = "perimetre") -> pd.DataFrame:
    """Sum the communes ``codes`` of ``frame`` into one scope, quarter by quarter.

    Returns the columns of the source frame with ``code`` = ``code``, ``niveau`` =
    ``niveau`` and ``commune_rurale`` = ``<NA>``. A quarter's sum is ``<NA>`` when any of
    the communes lacks a value (or is absent from ``frame``): a partial sum would look
    like a fall in coverage. ``locaux_en_construction`` is ``<NA>`` when unknown.
    """
    communes = frame[(frame["niveau"] == "commune") & frame["code"].isin(list(codes))]
    attendues = len(set(codes))
    colonnes = ["locaux_raccordables", "meilleure_estimation_locaux", "locaux_en_construction"]
    # One groupby rather than a Python loop per quarter: pages call this on every rerun
    # (several scopes, several targets), and the loop dominated the « Couverture » page
    # under load (bench/README.md, « Charge : écran public + 30 téléphones »).
    groupes = communes.groupby(["trimestre", "date"], sort=False)
    sommes = groupes[colonnes].sum()
    connues = groupes[colonnes].count()  # non-missing values per quarter
    toutes = groupes["code"].nunique() == attendues
    resultat = pd.DataFrame(index=sommes.index, columns=list(frame.columns))
    for colonne in colonnes:
        complet = toutes & (connues[colonne] == groupes.size())
        resultat[colonne] = sommes[colonne].astype("Int64").where(complet, pd.NA)
    resultat["code"], resultat["niveau"], resultat["commune_rurale"] = code, niveau, pd.NA
    resultat["trimestre"] = sommes.index.get_level_values(0)
    resultat["date"] = sommes.index.get_level_values(1)
    resultat = resultat.reset_index(drop=True)[list(frame.columns)]
    return resultat.astype(frame.dtypes.to_dict()).sort_values("date", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- rate
def taux_ftth(frame: pd.DataFrame) -> pd.DataFrame:
    """FttH coverage rate per code and quarter.

    ``taux_ftth = locaux_raccordables / locaux_base`` where ``locaux_base`` =
    ``meilleure_estimation_locaux − locaux_en_construction`` when the latter is known
    (as ARCEP computes it), else ``meilleure_estimation_locaux``. The rate is capped at
    1: the estimate lags behind new buildings, so a ratio above 1 means a stale
    denominator, not more than full coverage (the raw counts are kept alongside).

    Returns columns ``code``, ``niveau``, ``trimestre``, ``date`` (ISO),
    ``locaux_raccordables`` (Int64, locaux), ``locaux_base`` (Int64, locaux),
    ``taux_ftth`` (Float64, share 0–1; ``<NA>`` when a count is missing or the base ≤ 0),
    sorted by niveau, code and date.
    """
    construction = frame["locaux_en_construction"].astype("Int64")
    estimation = frame["meilleure_estimation_locaux"].astype("Int64")
    base = (estimation - construction.fillna(0)).astype("Int64")
    raccordables = frame["locaux_raccordables"].astype("Int64")
    taux = raccordables.astype("Float64") / base.where(base > 0).astype("Float64")
    resultat = pd.DataFrame({
        "code": frame["code"].astype("str"),
        "niveau": frame["niveau"].astype("str"),
        "trimestre": frame["trimestre"].astype("str"),
        "date": frame["date"].astype("str"),
        "locaux_raccordables": raccordables,
        "locaux_base": base,
        "taux_ftth": taux.clip(upper=1.0).astype("Float64"),
    })
    return resultat.sort_values(["niveau", "code", "date"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- projection
def projection_100_pourcent(reste_a_raccorder: int | None, rythme_trimestriel: float | None,
                            trimestre: str) -> str | None:
    """Quarter at which 100 % would be reached if the recent pace went on unchanged.

    An *extrapolation*, not a forecast: it ignores the slowdown of the last, hardest
    locaux. ``reste_a_raccorder`` (locaux) and ``rythme_trimestriel`` (locaux per quarter)
    come from :func:`tendance_4_trimestres`; ``trimestre`` is the last observed quarter.

    Returns ``None`` when nothing remains (already reached), :data:`NON_ATTEINT`
    (« non atteint au rythme actuel ») when the pace is ≤ 0 or the date would be more than
    100 years away, :data:`HISTORIQUE_INSUFFISANT` when the remainder or the pace is
    unknown, else the label of the quarter (``"T3 2027"``): the first quarter whose end
    would see the remainder covered (``ceil(reste / rythme)`` quarters after ``trimestre``).
    """
    if reste_a_raccorder is None or pd.isna(reste_a_raccorder):
        return HISTORIQUE_INSUFFISANT
    if reste_a_raccorder <= 0:
        return None
    if rythme_trimestriel is None or pd.isna(rythme_trimestriel):
        return HISTORIQUE_INSUFFISANT
    if rythme_trimestriel <= 0:
        return NON_ATTEINT
    trimestres = math.ceil(float(reste_a_raccorder) / float(rythme_trimestriel))
    if trimestres > TRIMESTRES_MAX:
        return NON_ATTEINT
    return libelle_du_rang(rang_trimestre(trimestre) + trimestres)


def tendance_4_trimestres(frame: pd.DataFrame) -> pd.DataFrame:
    """Pace of deployment over the last 4 quarters and projected date of 100 %, per code.

    One row per ``(code, niveau)``, for its most recent quarter. Returns columns
    ``code``, ``niveau``, ``trimestre`` (last quarter), ``date`` (ISO),
    ``locaux_raccordables`` (Int64, locaux), ``locaux_base`` (Int64, locaux, see
    :func:`taux_ftth`), ``taux_ftth`` (Float64, 0–1), ``trimestre_reference`` (str, the
    quarter 4 quarters earlier), ``rythme_trimestriel`` (Float64, locaux made raccordables
    per quarter on average over those 4 quarters = (R_last − R_ref) / 4; ``<NA>`` when
    the reference quarter is absent or a count is missing), ``reste_a_raccorder`` (Int64,
    locaux, ``max(locaux_base − locaux_raccordables, 0)``), ``projection_100_pourcent``
    (str or ``<NA>`` when already reached; see :func:`projection_100_pourcent`).
    """
    taux = taux_ftth(frame)
    taux["_rang"] = taux["trimestre"].map(rang_trimestre)
    lignes = []
    for (code, niveau), groupe in taux.groupby(CLES, sort=True):
        groupe = groupe.sort_values("_rang")
        dernier = groupe.iloc[-1]
        rang_reference = int(dernier["_rang"]) - 4
        reference = groupe[groupe["_rang"] == rang_reference]
        rythme: float | None = None
        if not reference.empty and pd.notna(dernier["locaux_raccordables"]) \
                and pd.notna(reference["locaux_raccordables"].iloc[0]):
            rythme = (int(dernier["locaux_raccordables"]) - int(reference["locaux_raccordables"].iloc[0])) / 4
        reste = None
        if pd.notna(dernier["locaux_base"]) and pd.notna(dernier["locaux_raccordables"]):
            reste = max(int(dernier["locaux_base"]) - int(dernier["locaux_raccordables"]), 0)
        lignes.append({
            "code": code, "niveau": niveau, "trimestre": dernier["trimestre"], "date": dernier["date"],
            "locaux_raccordables": dernier["locaux_raccordables"], "locaux_base": dernier["locaux_base"],
            "taux_ftth": dernier["taux_ftth"], "trimestre_reference": libelle_du_rang(rang_reference),
            "rythme_trimestriel": rythme, "reste_a_raccorder": reste,
            "projection_100_pourcent": projection_100_pourcent(reste, rythme, dernier["trimestre"]),
        })
    colonnes = ["code", "niveau", "trimestre", "date", "locaux_raccordables", "locaux_base", "taux_ftth",
                "trimestre_reference", "rythme_trimestriel", "reste_a_raccorder", "projection_100_pourcent"]
    resultat = pd.DataFrame(lignes, columns=colonnes)
    return resultat.astype({
        "code": "str", "niveau": "str", "trimestre": "str", "date": "str",
        "locaux_raccordables": "Int64", "locaux_base": "Int64", "taux_ftth": "Float64",
        "trimestre_reference": "str", "rythme_trimestriel": "Float64", "reste_a_raccorder": "Int64",
        "projection_100_pourcent": "string",
    })


# --------------------------------------------------------------------------- target status
def _date(valeur: str | date) -> date:
    if isinstance(valeur, date):
        return valeur
    texte = str(valeur).strip()
    if RE_TRIMESTRE.match(texte):
        return fin_du_trimestre(texte)
    return date.fromisoformat(texte[:10])


def statut_objectif(taux: float | None, date_cible: str | date, trajectoire: str | date | None, *,
                    cible: float = 1.0) -> str:
    """Where a scope stands against a coverage target.

    ``taux``: current share (0–1); ``date_cible``: the deadline (ISO date or
    ``date``); ``trajectoire``: when the target would be reached at the current pace —
    a quarter label (``"T3 2027"``, read as its last day), an ISO date, a ``date``, or
    ``None`` / :data:`NON_ATTEINT` / :data:`HISTORIQUE_INSUFFISANT` when there is no such
    date (typically :func:`projection_100_pourcent`); ``cible``: the target share.

    Returns ``"atteint"`` when ``taux ≥ cible``; ``"en bonne voie"`` when the trajectory
    reaches it by the deadline; ``"en retard"`` otherwise (including a passed deadline or
    no trajectory); ``"non disponible"`` when ``taux`` is missing (never read as 0).
    """
    if taux is None or pd.isna(taux):
        return NON_DISPONIBLE
    if float(taux) >= cible - 1e-12:
        return ATTEINT
    if trajectoire is None or (isinstance(trajectoire, str)
                               and trajectoire in (NON_ATTEINT, HISTORIQUE_INSUFFISANT)):
        return EN_RETARD
    return EN_BONNE_VOIE if _date(trajectoire) <= _date(date_cible) else EN_RETARD
