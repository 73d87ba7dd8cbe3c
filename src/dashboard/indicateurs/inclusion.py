"""Digital inclusion: estimated illectronisme and an IFN-inspired fragility index, per commune.

Input: the tidy frame of the ``insee_communes`` source (one row per commune: age bands,
diplomas, households, Filosofi poverty rate — see :mod:`dashboard.sources.insee_communes`),
and for the index an optional coverage share. Pure functions: no file, no Streamlit, inputs
never modified. Shares are ``Float64`` in [0, 1]; counts of persons are ``Float64``
(estimates are not rounded here: views round them for display).

Functions and the columns they return
-------------------------------------
``taux_par_tranche_insee(taux=TAUX_ILLECTRONISME_2021)``
    how the survey's age bands are mapped onto the census bands: ``tranche`` (census column,
    ``pop_15_29`` … ``pop_75_plus``), ``age_min``, ``age_max`` (``<NA>`` = open),
    ``taux`` (share applied, [0, 1]), ``hypothese`` (bool: part of the band uses a rate that
    is not published), ``detail`` (French text: which survey bands, how many years each).
``illectronisme_estime(communes_insee, taux=TAUX_ILLECTRONISME_2021)``
    ``code_insee``, ``population_15_plus`` (``Int64``, inhabitants aged 15+ =
    sum of the five census bands from 15), ``personnes_estimees`` (``Float64``, persons),
    ``part_estimee`` (``Float64``, share of the 15+; ``<NA>`` when no inhabitant aged 15+),
    ``methode`` (str, the same French explanation on every row). **An estimate, not a
    measure**: national rates by age applied to the local age structure.
``methode_illectronisme(taux=TAUX_ILLECTRONISME_2021, millesime=None)``
    that French explanation alone (str): rates applied per band, published or hypothesis.
``composantes_fragilite(communes_insee, part_non_thd=None)``
    ``code_insee`` then the components (all ``Float64`` shares in [0, 1]): ``part_non_thd``,
    ``part_65_plus`` (``pop_65_plus / population``), ``part_peu_diplomes``
    (``peu_diplomes_15_plus / non_scolarises_15_plus``), ``taux_pauvrete`` (Filosofi rate
    **converted from % to a share**: 14.2 % → 0.142; masked → ``<NA>``),
    ``part_menages_une_personne`` (``menages_une_personne / menages``). ``<NA>`` whenever the
    numerator or denominator is unknown or the denominator is 0 — never 0 by default.
``indice_fragilite(composantes, poids=None)``
    ``code_insee``, ``indice`` (weighted mean of z-scores, in standard deviations of the
    territory; > 0 = more fragile than the average commune), ``score_0_10`` (the index
    rescaled over the communes given: 0 = least fragile, 10 = most fragile), then for each
    component ``c`` with a positive weight: ``z_c`` (z-score), ``poids_c`` (weight actually
    used for that commune, renormalised over its available components, sums to 1),
    ``contribution_c`` (= ``poids_c × z_c``; the contributions add up to ``indice``); then
    ``nb_composantes`` (``Int64``, components available) and ``composantes_manquantes``
    (str, names of the missing ones joined by ``", "``, ``""`` when none).
``explication_indice(poids=None)``
    a plain French paragraph describing the method with the weights used.
``valider_poids(poids)``
    the weights completed with 0 for unlisted components (dict); raises
    :class:`~dashboard.erreurs.ErreurConfiguration` (French message) for an unknown
    component, a negative or non-finite weight, or all weights at 0.

Constants: :data:`LIBELLE_INDICE`, :data:`COMPOSANTES` (name → French label, display
order), :data:`POIDS_DEFAUT` (the four IFN-like components at 1, one-person households
at 0), :data:`TRANCHES_INSEE`.

The index is *inspired by* the « indice de fragilité numérique » (IFN) of La MedNum / ANSA
(data-sources §5.5: THD and 4G non-coverage, share of 65+, low diploma, poverty; context:
one-person households). It is **not** the official IFN: components, standardisation and
weights are ours, computed on open data, and the scale is relative to the communes passed.
Always label it :data:`LIBELLE_INDICE`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from dashboard import formats
from dashboard.erreurs import ErreurConfiguration
from dashboard.illectronisme import TAUX_ILLECTRONISME_2021, TauxIllectronisme

LIBELLE_INDICE = "indice inspiré de l'indice de fragilité numérique (IFN)"

#: census age bands from 15 years: column → (first age, last age or None = open)
TRANCHES_INSEE: dict[str, tuple[int, int | None]] = {
    "pop_15_29": (15, 29), "pop_30_44": (30, 44), "pop_45_59": (45, 59), "pop_60_74": (60, 74),
    "pop_75_plus": (75, None),
}

#: components of the index, in display order, with their French labels
COMPOSANTES: dict[str, str] = {
    "part_non_thd": "part des locaux sans très haut débit (moins de 30 Mbit/s)",
    "part_65_plus": "part des habitants de 65 ans ou plus",
    "part_peu_diplomes": "part des 15 ans ou plus non scolarisés sans diplôme ou au plus le brevet",
    "taux_pauvrete": "taux de pauvreté (seuil de 60 % du niveau de vie médian)",
    "part_menages_une_personne": "part des ménages d'une personne",
}
#: default weights: the four IFN-like components equally, one-person households off (optional)
POIDS_DEFAUT: dict[str, float] = {
    "part_non_thd": 1.0, "part_65_plus": 1.0, "part_peu_diplomes": 1.0, "taux_pauvrete": 1.0,
    "part_menages_une_personne": 0.0,
}


# --------------------------------------------------------------------------- illectronisme
def taux_par_tranche_insee(taux: TauxIllectronisme = TAUX_ILLECTRONISME_2021) -> pd.DataFrame:
    """Rate applied to each census band: the mean of the survey rates over its years.

    Rule: each year of age of a closed census band takes the rate of the survey band that
    contains it, and the band's rate is the mean over its years (ages assumed evenly spread
    within the band). Example with Insee Première n° 1953: 15-29 ans = 10 years at 2 %
    (15-24) + 5 years at 4 % (25-39) → 2,67 %. The open band (75 ans ou plus) must fall in
    a single survey band. ``hypothese`` is True when one of the rates used is not published.
    """
    lignes = []
    for colonne, (debut, fin) in TRANCHES_INSEE.items():
        if fin is None:
            tranche = taux.tranche(debut)
            if tranche is None or tranche.age_max is not None:
                raise ErreurConfiguration(
                    f"la tranche ouverte du recensement ({debut} ans ou plus) n'est pas couverte par une seule "
                    "tranche ouverte de l'enquête", conseil="la dernière tranche de l'enquête doit commencer "
                    f"au plus tard à {debut} ans")
            morceaux = {tranche: 1}
        else:
            morceaux = {}
            for age in range(debut, fin + 1):
                tranche = taux.tranche(age)
                if tranche is None:
                    raise ErreurConfiguration(f"âge {age} ans non couvert par les tranches de l'enquête")
                morceaux[tranche] = morceaux.get(tranche, 0) + 1
        annees = sum(morceaux.values())
        valeur = sum(t.taux * n for t, n in morceaux.items()) / annees
        detail = " + ".join(
            f"{t.libelle} ({formats.pourcentage(t.taux, 0)}, {'publié' if t.statut == 'publie' else 'hypothèse'})"
            + (f" sur {n} an{'s' if n > 1 else ''}" if fin is not None and len(morceaux) > 1 else "")
            for t, n in morceaux.items()
        )
        lignes.append({"tranche": colonne, "age_min": debut, "age_max": fin, "taux": valeur,
                       "hypothese": any(t.statut != "publie" for t in morceaux), "detail": detail})
    return pd.DataFrame(lignes).astype({"tranche": "str", "age_min": "Int64", "age_max": "Int64",
                                        "taux": "Float64", "hypothese": "bool", "detail": "str"})


def methode_illectronisme(taux: TauxIllectronisme = TAUX_ILLECTRONISME_2021, millesime: str | None = None) -> str:
    """The French explanation stored in the ``methode`` column of :func:`illectronisme_estime`."""
    correspondance = taux_par_tranche_insee(taux)
    bandes = "; ".join(
        f"{'75 ans ou plus' if pd.isna(r.age_max) else f'{r.age_min}-{r.age_max} ans'} : "
        f"{formats.pourcentage(r.taux, 2 if round(r.taux * 100, 2) % 1 else 0)} ({r.detail})"
        for r in correspondance.itertuples(index=False)
    )
    hypotheses = [t for t in taux.tranches if t.statut != "publie"]
    texte = (
        "Estimation, pas une mesure : l'INSEE ne publie pas l'illectronisme par commune. Le nombre de personnes "
        f"est obtenu en appliquant à la population de chaque tranche d'âge (recensement"
        f"{f' {millesime}' if millesime else ''}) les taux nationaux par âge de l'{taux.producteur} "
        f"({taux.publication}, données {taux.annee_donnees} ; {taux.champ}). Taux appliqués : {bandes}. "
    )
    for t in hypotheses:
        texte += f"Tranche {t.libelle} non publiée : {t.justification} "
    texte += ("Ni le diplôme, ni le niveau de vie, ni la composition des ménages, qui comptent aussi, ne sont pris "
              "en compte ; les personnes vivant en institution (EHPAD…) sont hors du champ de l'enquête. "
              f"Source : {taux.url}")
    return texte


def illectronisme_estime(communes_insee: pd.DataFrame,
                         taux: TauxIllectronisme = TAUX_ILLECTRONISME_2021) -> pd.DataFrame:
    """Persons aged 15+ estimated in a situation of illectronisme, per commune (see module doc)."""
    correspondance = taux_par_tranche_insee(taux)
    population = pd.Series(0, index=communes_insee.index, dtype="Int64")
    personnes = pd.Series(0.0, index=communes_insee.index, dtype="Float64")
    for r in correspondance.itertuples(index=False):
        effectif = communes_insee[r.tranche].astype("Int64")
        population = population + effectif
        personnes = personnes + effectif.astype("Float64") * float(r.taux)
    part = personnes / population.astype("Float64").where(population > 0)
    millesimes = communes_insee["millesime"].dropna().unique() if "millesime" in communes_insee else []
    methode = methode_illectronisme(taux, str(millesimes[0]) if len(millesimes) == 1 else None)
    return pd.DataFrame({
        "code_insee": communes_insee["code_insee"].astype("str").to_numpy(),
        "population_15_plus": population.to_numpy(),
        "personnes_estimees": personnes.to_numpy(),
        "part_estimee": part.astype("Float64").to_numpy(),
        "methode": methode,
    }).astype({"code_insee": "str", "population_15_plus": "Int64", "personnes_estimees": "Float64",
               "part_estimee": "Float64", "methode": "str"})


# --------------------------------------------------------------------------- fragility index
def _rapport(numerateur: pd.Series, denominateur: pd.Series) -> pd.Series:
    """``numerateur / denominateur`` as ``Float64``; ``<NA>`` when either is unknown or the denominator is 0."""
    bas = denominateur.astype("Float64")
    return (numerateur.astype("Float64") / bas.where(bas > 0)).astype("Float64")


def composantes_fragilite(communes_insee: pd.DataFrame, part_non_thd: pd.Series | None = None) -> pd.DataFrame:
    """The index components per commune (see module doc), shares in [0, 1].

    ``part_non_thd`` is indexed by INSEE code, e.g. from the coverage indicators:
    ``couverture.locaux_sans_thd(mci).set_index("code")["part_locaux_sans_thd"]``. Absent
    (``None``) or missing for a commune → ``<NA>`` (the index then renormalises its weights).
    """
    codes = communes_insee["code_insee"].astype("str")
    if part_non_thd is None:
        non_thd = pd.Series(pd.NA, index=communes_insee.index, dtype="Float64")
    else:
        valeurs = part_non_thd.astype("Float64")
        hors = ((valeurs < 0) | (valeurs > 1)).fillna(False)
        if hors.any():
            raise ValueError(f"part_non_thd : part attendue entre 0 et 1, « {valeurs[hors].iloc[0]} » reçu "
                             f"pour {valeurs[hors].index[0]}")
        valeurs.index = valeurs.index.astype("str")
        non_thd = pd.Series(codes.map(valeurs).to_numpy(), index=communes_insee.index, dtype="Float64")
    resultat = pd.DataFrame({
        "code_insee": codes.to_numpy(),
        "part_non_thd": non_thd.to_numpy(),
        "part_65_plus": _rapport(communes_insee["pop_65_plus"], communes_insee["population"]).to_numpy(),
        "part_peu_diplomes": _rapport(communes_insee["peu_diplomes_15_plus"],
                                      communes_insee["non_scolarises_15_plus"]).to_numpy(),
        "taux_pauvrete": (communes_insee["taux_pauvrete"].astype("Float64") / 100).to_numpy(),
        "part_menages_une_personne": _rapport(communes_insee["menages_une_personne"],
                                              communes_insee["menages"]).to_numpy(),
    })
    return resultat.astype({"code_insee": "str", **dict.fromkeys(COMPOSANTES, "Float64")})


def valider_poids(poids: Mapping[str, float] | None) -> dict[str, float]:
    """Known components, finite non-negative weights, at least one positive; missing keys → 0."""
    from dashboard.indicateurs.poids import valider_poids as valider

    return valider(poids, COMPOSANTES, POIDS_DEFAUT)


def _z_score(valeurs: pd.Series) -> pd.Series:
    """(x − mean) / population std over the available values; 0 when they do not vary."""
    disponibles = valeurs.dropna().astype(float)
    if disponibles.empty:
        return pd.Series(pd.NA, index=valeurs.index, dtype="Float64")
    ecart_type = float(disponibles.std(ddof=0))
    if ecart_type == 0 or not math.isfinite(ecart_type):
        return valeurs.where(valeurs.isna(), 0.0).astype("Float64")
    return ((valeurs.astype("Float64") - float(disponibles.mean())) / ecart_type).astype("Float64")


def indice_fragilite(composantes: pd.DataFrame, poids: Mapping[str, float] | None = None) -> pd.DataFrame:
    """IFN-inspired index per commune (see module doc for columns and method).

    Standardisation: z-scores across the communes given (population standard deviation,
    ``ddof=0``), each component on the communes where it is known. A commune missing a
    component is scored on the others, with weights renormalised to sum to 1, and listed in
    ``composantes_manquantes``; with no component at all its index is ``<NA>``. A component
    absent from ``composantes`` counts as missing everywhere; one that does not vary (or is
    known for a single commune) gets z = 0. ``score_0_10`` = 10 × (indice −
    min) / (max − min) over the communes given (5 for all when they are equal).
    """
    poids_valides = valider_poids(poids)
    actives = [c for c in COMPOSANTES if poids_valides[c] > 0]
    index = composantes.index
    z = {c: _z_score(composantes[c].astype("Float64")) if c in composantes else
         pd.Series(pd.NA, index=index, dtype="Float64") for c in actives}
    disponibles = pd.DataFrame({c: z[c].notna() for c in actives}, index=index)
    somme_poids = sum(disponibles[c].astype(float) * poids_valides[c] for c in actives)
    resultat = pd.DataFrame({"code_insee": composantes["code_insee"].astype("str")}, index=index)
    colonnes_detail: dict[str, pd.Series] = {}
    contributions = []
    for c in actives:
        effectif = (pd.Series(poids_valides[c], index=index, dtype="Float64")
                    / pd.Series(somme_poids, index=index, dtype="Float64").where(somme_poids > 0))
        effectif = effectif.where(disponibles[c])
        contribution = (effectif * z[c]).astype("Float64")
        colonnes_detail[f"z_{c}"] = z[c]
        colonnes_detail[f"poids_{c}"] = effectif.astype("Float64")
        colonnes_detail[f"contribution_{c}"] = contribution
        contributions.append(contribution)
    indice = pd.concat(contributions, axis=1).sum(axis=1, min_count=1).astype("Float64")
    mini, maxi = indice.min(skipna=True), indice.max(skipna=True)
    if pd.isna(mini):
        score = pd.Series(pd.NA, index=index, dtype="Float64")
    elif maxi == mini:
        score = indice.where(indice.isna(), 5.0).astype("Float64")
    else:
        score = (10 * (indice - mini) / (maxi - mini)).astype("Float64")
    resultat["indice"] = indice
    resultat["score_0_10"] = score
    for nom, serie in colonnes_detail.items():
        resultat[nom] = serie
    resultat["nb_composantes"] = disponibles.sum(axis=1).astype("Int64")
    resultat["composantes_manquantes"] = [
        ", ".join(c for c in actives if not disponibles.at[i, c]) for i in index
    ]
    return resultat.astype({"composantes_manquantes": "str"}).reset_index(drop=True)


def explication_indice(poids: Mapping[str, float] | None = None) -> str:
    """A plain French paragraph explaining the index with the given weights."""
    poids_valides = valider_poids(poids)
    total = sum(poids_valides.values())
    actives = [c for c in COMPOSANTES if poids_valides[c] > 0]
    liste = " ; ".join(f"{COMPOSANTES[c]}, poids {formats.pourcentage(poids_valides[c] / total, 0)}" for c in actives)
    ecartees = [COMPOSANTES[c] for c in COMPOSANTES if poids_valides[c] == 0]
    texte = (
        f"Cet {LIBELLE_INDICE} n'est pas l'IFN officiel publié par La MedNum et l'ANSA : il en reprend l'esprit "
        f"avec des données ouvertes. Il combine, pour chaque commune, {len(actives)} composante"
        f"{'s' if len(actives) > 1 else ''} : {liste}. "
        "Chaque composante est centrée et réduite sur les communes du territoire (écart à la moyenne des communes, "
        "exprimé en écarts-types) ; l'indice est la moyenne pondérée de ces écarts : il est positif quand la "
        "commune est plus fragile que la moyenne du territoire, négatif quand elle l'est moins. "
        "Quand une composante manque pour une commune (taux de pauvreté couvert par le secret statistique, "
        "couverture inconnue), l'indice est calculé sur les composantes disponibles, leurs poids étant remis à "
        "l'échelle, et la commune est signalée. Le score de 0 à 10 place chaque commune entre la moins fragile (0) "
        "et la plus fragile (10) du territoire : il est relatif au territoire et ne se compare ni à d'autres "
        "territoires ni aux scores de l'IFN officiel. Sources : INSEE (recensement de la population, Filosofi) et "
        "ARCEP (Ma connexion internet)."
    )
    if ecartees:
        texte += f" Non retenu{'es' if len(ecartees) > 1 else 'e'} ici (poids nul) : {', '.join(ecartees)}."
    return texte
