"""Fixed-broadband coverage of the territory: eligibility by speed, « zones blanches », best technology.

Input: the tidy frame of the ``arcep_mci`` source (ARCEP « Ma connexion internet »), columns
``code``, ``niveau``, ``fichier``, ``mesure``, ``valeur`` (locaux), ``date`` — one edition.
All counts are **locaux** (logements + locaux professionnels), never inhabitants.

Functions and the columns they return (one row per ``code`` of the chosen ``niveau``,
sorted by ``code``; counts ``Int64`` in locaux, shares ``Float64`` in [0, 1]):

``eligibilite(frame, fichier="debit_filaire", niveau="commune")``
    ``code``, ``nbr``, then for each measure ``m`` of the file (for the speed files:
    ``inel_hd``, ``elig_hd05``, ``elig_hd3``, ``elig_bhd8``, ``elig_thd30``, ``elig_thd100``,
    ``elig_thd1g``): ``m`` and ``part_m`` = ``m / nbr``. The speed columns are cumulative
    thresholds (``elig_thd30`` = locaux eligible to *at least* 30 Mbit/s).
``locaux_sans_bon_haut_debit(frame, fichier="debit_filaire", niveau="commune")``
    ``code``, ``nbr``, ``locaux_sans_bon_haut_debit`` (= ``nbr − elig_bhd8``: no offer of
    at least 8 Mbit/s on that file's networks), ``part_locaux_sans_bon_haut_debit``.
``locaux_sans_thd(frame, fichier="debit_filaire", niveau="commune")``
    ``code``, ``nbr``, ``locaux_sans_thd`` (= ``nbr − elig_thd30``: below 30 Mbit/s),
    ``part_locaux_sans_thd``.
``repartition_meilleure_techno(frame, niveau="commune")``
    ``code``, ``nbr``, then ``elig_ftth``, ``elig_coax``, ``elig_cu_30``, ``elig_thdr``,
    ``elig_cu_8``, ``elig_4gf``, ``elig_hdr``, ``elig_sat``, ``aucune_offre_8``
    (= ``nbr − nbr_elig_8``), each followed by its ``part_``. Each local is counted once,
    under its best technology: the nine counts sum to ``nbr`` and the nine shares to 1.
``repartition_longue(repartition)``
    the same in long form for a pie or stacked bar: ``code``, ``technologie`` (column
    name), ``libelle`` (French label, :data:`TECHNOLOGIES`), ``locaux``, ``part``.
``agreger_perimetre(tableau, codes, code="perimetre")``
    one row for a set of communes (an EPCI, the whole territory) from any of the wide
    tables above: ``code``, ``nb_communes`` (communes found among ``codes``), then every
    count **summed** and every ``part_x`` **recomputed** as ``x / nbr`` — shares are never
    averaged (a mean of communal shares would weigh Gâvres like Lorient).

Which file: ``debit_filaire`` (wired networks only) is the reference for « zones blanches »
(ARCEP recommendation, data-sources §3.4); ``debit_terrestre`` also counts 4G fixe and THD
radio; ``debit`` also counts satellite (≈ 100 % everywhere, so not discriminating).

Conventions: every share column is named ``part_<count column>`` and its denominator is
``nbr``; a share is ``<NA>`` when ``nbr`` is 0 or unknown (never 0, never infinite); a count
is ``<NA>`` only if the source had no value. Pure functions: inputs are never modified.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from dashboard.sources.arcep_mci import FICHIERS_DEBIT, ORDRE_MESURES, TECHNOS_MEILLEURE

#: best-technology categories in ARCEP order, with their French labels
TECHNOLOGIES: tuple[tuple[str, str], ...] = (
    ("elig_ftth", "Fibre optique (FttH)"),
    ("elig_coax", "Câble (coaxial)"),
    ("elig_cu_30", "Cuivre (DSL) 30 Mbit/s ou plus"),
    ("elig_thdr", "THD radio"),
    ("elig_cu_8", "Cuivre (DSL) de 8 à 30 Mbit/s"),
    ("elig_4gf", "4G fixe"),
    ("elig_hdr", "HD radio"),
    ("elig_sat", "Satellite"),
    ("aucune_offre_8", "Aucune offre d'au moins 8 Mbit/s"),
)
LIBELLES_SEUILS = {
    "inel_hd": "moins de 512 kbit/s",
    "elig_hd05": "512 kbit/s ou plus",
    "elig_hd3": "3 Mbit/s ou plus",
    "elig_bhd8": "8 Mbit/s ou plus (bon haut débit)",
    "elig_thd30": "30 Mbit/s ou plus (très haut débit)",
    "elig_thd100": "100 Mbit/s ou plus",
    "elig_thd1g": "1 Gbit/s ou plus",
}


def _large(frame: pd.DataFrame, fichier: str, niveau: str) -> pd.DataFrame:
    """Long → wide: one row per code, one ``Int64`` column per measure (``nbr`` first)."""
    selection = frame[(frame["fichier"] == fichier) & (frame["niveau"] == niveau)]
    if selection.empty:
        return pd.DataFrame({"code": pd.Series(dtype="str"), "nbr": pd.Series(dtype="Int64")})
    if selection.duplicated(["code", "mesure"]).any():
        raise ValueError(f"plusieurs valeurs par commune et mesure pour {fichier} : une seule édition attendue")
    large = selection.pivot(index="code", columns="mesure", values="valeur")
    connues = [m for m in ORDRE_MESURES if m in large.columns]
    autres = sorted(m for m in large.columns if m not in ORDRE_MESURES)
    large = large[connues + autres].astype("Int64").sort_index()
    large.columns.name = None
    return large.reset_index().astype({"code": "str"})


def _part(comptes: pd.Series, nbr: pd.Series) -> pd.Series:
    """``comptes / nbr`` as Float64; ``<NA>`` where ``nbr`` is 0 or missing."""
    denominateur = nbr.astype("Float64")
    return comptes.astype("Float64") / denominateur.where(denominateur > 0)


def _avec_parts(base: pd.DataFrame, colonnes: list[str]) -> pd.DataFrame:
    """``code``, ``nbr`` then each column followed by its ``part_`` column."""
    resultat = base[["code", "nbr"]].copy()
    for colonne in colonnes:
        resultat[colonne] = base[colonne].astype("Int64")
        resultat[f"part_{colonne}"] = _part(base[colonne], base["nbr"])
    return resultat.reset_index(drop=True)


def _exiger(large: pd.DataFrame, colonnes: Iterable[str], fichier: str) -> None:
    manquantes = [c for c in colonnes if c not in large.columns]
    if manquantes and len(large):
        raise ValueError(f"mesure(s) absente(s) du fichier {fichier} : {', '.join(manquantes)}")


def eligibilite(frame: pd.DataFrame, fichier: str = "debit_filaire", niveau: str = "commune") -> pd.DataFrame:
    """Locaux eligible per measure of ``fichier`` and their share of ``nbr`` (see module doc)."""
    large = _large(frame, fichier, niveau)
    return _avec_parts(large, [c for c in large.columns if c not in ("code", "nbr")])


def _locaux_sous(frame: pd.DataFrame, fichier: str, niveau: str, seuil: str, nom: str) -> pd.DataFrame:
    if fichier not in FICHIERS_DEBIT:
        raise ValueError(f"fichier « {fichier} » : attendu parmi {', '.join(FICHIERS_DEBIT)}")
    large = _large(frame, fichier, niveau)
    _exiger(large, [seuil], fichier)
    if large.empty:
        large[seuil] = pd.Series(dtype="Int64")
    large[nom] = large["nbr"] - large[seuil]
    return _avec_parts(large, [nom])


def locaux_sans_bon_haut_debit(frame: pd.DataFrame, fichier: str = "debit_filaire",
                               niveau: str = "commune") -> pd.DataFrame:
    """Locaux without any offer of at least 8 Mbit/s: ``nbr − elig_bhd8`` (see module doc).

    ``fichier``: ``debit_filaire`` (wired only, default), ``debit_terrestre`` (with fixed
    radio) or ``debit`` (all technologies, satellite included).
    """
    return _locaux_sous(frame, fichier, niveau, "elig_bhd8", "locaux_sans_bon_haut_debit")


def locaux_sans_thd(frame: pd.DataFrame, fichier: str = "debit_filaire", niveau: str = "commune") -> pd.DataFrame:
    """Locaux without very-high-speed access (below 30 Mbit/s): ``nbr − elig_thd30``."""
    return _locaux_sous(frame, fichier, niveau, "elig_thd30", "locaux_sans_thd")


def repartition_meilleure_techno(frame: pd.DataFrame, niveau: str = "commune") -> pd.DataFrame:
    """Locaux by best available technology, each counted once (see module doc)."""
    large = _large(frame, "meilleure_techno_thd", niveau)
    _exiger(large, ["nbr_elig_8", *TECHNOS_MEILLEURE], "meilleure_techno_thd")
    for colonne in ("nbr_elig_8", *TECHNOS_MEILLEURE):
        if colonne not in large.columns:
            large[colonne] = pd.Series(dtype="Int64")
    large["aucune_offre_8"] = large["nbr"] - large["nbr_elig_8"]
    return _avec_parts(large, [c for c, _ in TECHNOLOGIES])


def repartition_longue(repartition: pd.DataFrame) -> pd.DataFrame:
    """Output of :func:`repartition_meilleure_techno` (or its aggregate) in long form.

    Columns ``code``, ``technologie``, ``libelle``, ``locaux`` (Int64), ``part`` (Float64),
    rows ordered by code then by :data:`TECHNOLOGIES` order.
    """
    morceaux = [
        pd.DataFrame({
            "code": repartition["code"].astype("str").to_numpy(),
            "technologie": colonne,
            "libelle": libelle,
            "locaux": repartition[colonne].astype("Int64").to_numpy(),
            "part": repartition[f"part_{colonne}"].astype("Float64").to_numpy(),
        })
        for colonne, libelle in TECHNOLOGIES
    ]
    longue = pd.concat(morceaux, ignore_index=True)
    rang = {c: i for i, (c, _) in enumerate(TECHNOLOGIES)}
    longue = longue.assign(_rang=longue["technologie"].map(rang))
    longue = longue.sort_values(["code", "_rang"], kind="stable").drop(columns="_rang").reset_index(drop=True)
    return longue.astype({"code": "str", "technologie": "str", "libelle": "str",
                          "locaux": "Int64", "part": "Float64"})


def agreger_perimetre(tableau: pd.DataFrame, codes: Iterable[str], code: str = "perimetre") -> pd.DataFrame:
    """Sum the counts of the communes ``codes`` and recompute the shares (see module doc).

    ``tableau``: a wide table of this module (``code``, ``nbr``, counts, ``part_*``). A count
    is ``<NA>`` in the result if it is missing for one of the communes, or if none of
    ``codes`` is in ``tableau`` (``nb_communes`` = 0): an unknown is never summed as 0.
    """
    codes = set(codes)
    selection = tableau[tableau["code"].isin(codes)]
    comptes = [c for c in tableau.columns if c not in ("code", "nb_communes") and not c.startswith("part_")]
    for colonne in tableau.columns:
        if colonne.startswith("part_") and colonne.removeprefix("part_") not in tableau.columns:
            raise ValueError(f"colonne {colonne} sans la colonne de comptes {colonne.removeprefix('part_')}")
    nb = int(selection["nb_communes"].sum()) if "nb_communes" in selection else len(selection)
    ligne: dict[str, object] = {"code": code, "nb_communes": nb}
    for colonne in comptes:
        valeurs = selection[colonne]
        ligne[colonne] = pd.NA if valeurs.empty or valeurs.isna().any() else int(valeurs.sum())
    resultat = pd.DataFrame({"code": pd.Series([code], dtype="str"),
                             "nb_communes": pd.Series([nb], dtype="Int64")})
    for colonne in tableau.columns:
        if colonne in ("code", "nb_communes"):
            continue
        if colonne.startswith("part_"):
            base = colonne.removeprefix("part_")
            resultat[colonne] = _part(pd.Series([ligne[base]], dtype="Int64"),
                                      pd.Series([ligne.get("nbr", pd.NA)], dtype="Int64"))
        else:
            resultat[colonne] = pd.Series([ligne[colonne]], dtype="Int64")
    return resultat
