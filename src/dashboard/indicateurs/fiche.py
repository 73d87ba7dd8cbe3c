"""« Fiche commune »: every indicator of a commune next to its EPCI, the territory, the département, France.

One table, one row per indicator, one column per scope (a commune, an EPCI, the territory,
or any 2–4 scopes to compare). Values of a scope are computed from **sums** over its
communes (shares recomputed); indicators that cannot be aggregated honestly are ``<NA>``
(the poverty rate: only counts could be summed, and Filosofi publishes rates; the
fragility score: it ranks communes against each other). Département and France columns
come from the comparison rows of each source when the national file was loaded
(``niveau`` ``departement`` / ``france``), and from the reference geography for population.

:func:`tableau_fiche` returns columns ``indicateur`` (id), ``libelle``, ``unite``
(``habitants``, ``km²``, ``hab./km²``, ``part``, ``locaux``, ``score``, ``lieux``,
``pour 10 000 hab.``, ``trimestre``), ``source`` (source id), then one ``Float64``/object
column per scope name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from dashboard.indicateurs import couverture, deploiement


@dataclass(frozen=True)
class DonneesFiche:
    """Everything a profile may show; any frame may be ``None`` (source not loaded)."""

    communes: pd.DataFrame  # reference: code_insee, nom, siren_epci, population, superficie_km2
    comparaisons: pd.DataFrame  # reference: niveau, code, nom, population, superficie_km2
    mci: pd.DataFrame | None = None
    ftth: pd.DataFrame | None = None
    insee: pd.DataFrame | None = None
    fragilite: pd.DataFrame | None = None  # synthese_inclusion.tableau_fragilite
    lieux_aide: pd.DataFrame | None = None  # unified places counted as help
    eloignement: pd.DataFrame | None = None  # synthese_inclusion.eloignement_par_commune


INDICATEURS: tuple[tuple[str, str, str, str], ...] = (
    ("population", "Population municipale", "habitants", "reference"),
    ("superficie", "Superficie", "km²", "reference"),
    ("densite", "Densité", "hab./km²", "reference"),
    ("locaux", "Locaux (logements et locaux professionnels)", "locaux", "arcep_mci"),
    ("part_sans_bhd", "Locaux sans bon haut débit (moins de 8 Mbit/s, filaire)", "part", "arcep_mci"),
    ("part_sans_thd", "Locaux sans très haut débit (moins de 30 Mbit/s, filaire)", "part", "arcep_mci"),
    ("part_thd1g", "Locaux éligibles à 1 Gbit/s ou plus (filaire)", "part", "arcep_mci"),
    ("taux_ftth", "Locaux raccordables à la fibre (dernier trimestre)", "part", "arcep_ftth"),
    ("projection_ftth", "100 % fibre projeté (au rythme des 4 derniers trimestres)", "trimestre", "arcep_ftth"),
    ("part_65_plus", "Part des 65 ans et plus", "part", "insee_communes"),
    ("part_75_plus", "Part des 75 ans et plus", "part", "insee_communes"),
    ("part_peu_diplomes", "Part des peu ou pas diplômés (15 ans et plus non scolarisés)", "part", "insee_communes"),
    ("taux_pauvrete", "Taux de pauvreté (Filosofi)", "part", "insee_communes"),
    ("illectronisme", "Illectronisme estimé (part des 15 ans et plus)", "part", "insee_communes"),
    ("score_fragilite", "Indice de fragilité (inspiré de l'IFN), score 0–10", "score", "insee_communes"),
    ("nb_lieux", "Lieux d'aide numérique (France services, médiation)", "lieux", "lieux"),
    ("lieux_10000", "Lieux d'aide pour 10 000 habitants", "pour 10 000 hab.", "lieux"),
    ("part_loin", "Population à plus de 5 km d'un lieu d'aide (estimation)", "part", "lieux"),
)


def _somme(serie: pd.Series) -> float | None:
    return None if serie.empty or serie.isna().any() else float(serie.sum())


def _rapport(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b not in (None, 0) else None


def valeurs_communes(d: DonneesFiche, codes: Iterable[str]) -> dict[str, object]:
    """Every indicator for a set of communes (sums, shares recomputed; None when unknown)."""
    codes = set(codes)
    c = d.communes[d.communes["code_insee"].isin(codes)]
    v: dict[str, object] = dict.fromkeys(i[0] for i in INDICATEURS)
    v["population"] = _somme(c["population"])
    v["superficie"] = _somme(c["superficie_km2"])
    v["densite"] = _rapport(v["population"], v["superficie"])  # type: ignore[arg-type]
    if d.mci is not None:
        filaire = couverture.agreger_perimetre(couverture.eligibilite(d.mci, "debit_filaire"), codes).iloc[0]
        v["locaux"] = None if pd.isna(filaire["nbr"]) else float(filaire["nbr"])
        v.update(_parts_mci(filaire))
    if d.ftth is not None:
        somme = deploiement.agreger_perimetre(d.ftth, codes, "perimetre")
        if not somme.empty:
            tendance = deploiement.tendance_4_trimestres(somme).iloc[0]
            v["taux_ftth"] = None if pd.isna(tendance["taux_ftth"]) else float(tendance["taux_ftth"])
            v["projection_ftth"] = _projection(tendance)
    if d.insee is not None:
        i = d.insee[d.insee["code_insee"].isin(codes)]
        population = _somme(i["population"])
        v["part_65_plus"] = _rapport(_somme(i["pop_65_plus"]), population)
        v["part_75_plus"] = _rapport(_somme(i["pop_75_plus"]), population)
        v["part_peu_diplomes"] = _rapport(_somme(i["peu_diplomes_15_plus"]), _somme(i["non_scolarises_15_plus"]))
        if len(i) == 1 and not pd.isna(i["taux_pauvrete"].iloc[0]):
            v["taux_pauvrete"] = float(i["taux_pauvrete"].iloc[0]) / 100
    if d.fragilite is not None:
        f = d.fragilite[d.fragilite["code_insee"].isin(codes)]
        v["illectronisme"] = _rapport(_somme(f["illectronisme_personnes"]),
                                      _somme(d.insee[d.insee["code_insee"].isin(codes)][
                                          ["pop_15_29", "pop_30_44", "pop_45_59", "pop_60_74", "pop_75_plus"]
                                      ].sum(axis=1)) if d.insee is not None else None)
        if len(f) == 1 and not pd.isna(f["score_0_10"].iloc[0]):
            v["score_fragilite"] = float(f["score_0_10"].iloc[0])
    if d.lieux_aide is not None:
        v["nb_lieux"] = float(d.lieux_aide["code_insee"].isin(codes).sum())
        v["lieux_10000"] = _rapport(v["nb_lieux"] * 10_000, v["population"])  # type: ignore[operator]
    if d.eloignement is not None:
        e = d.eloignement[d.eloignement["code_insee"].isin(codes)]
        v["part_loin"] = _rapport(_somme(e["population_au_dela"]), _somme(e["population"]))
    return v


def _parts_mci(ligne: pd.Series) -> dict[str, float | None]:
    def part(colonne: str, complement: bool = False) -> float | None:
        valeur = ligne.get(f"part_{colonne}")
        if valeur is None or pd.isna(valeur):
            return None
        return 1 - float(valeur) if complement else float(valeur)

    return {"part_sans_bhd": part("elig_bhd8", True), "part_sans_thd": part("elig_thd30", True),
            "part_thd1g": part("elig_thd1g")}


def _projection(tendance: pd.Series) -> str | None:
    quand = tendance["projection_100_pourcent"]
    if pd.isna(quand):
        return "atteint" if not pd.isna(tendance["taux_ftth"]) else None
    return str(quand)


def valeurs_comparaison(d: DonneesFiche, niveau: str, code: str) -> dict[str, object]:
    """The département / France column: reference population and area, and the sources'
    comparison rows when they were computed at ingestion (national files only)."""
    v: dict[str, object] = dict.fromkeys(i[0] for i in INDICATEURS)
    niveau_ref = "pays" if niveau == "france" else niveau
    ligne = d.comparaisons[(d.comparaisons["niveau"] == niveau_ref) & (d.comparaisons["code"] == code)]
    if not ligne.empty:
        v["population"] = float(ligne["population"].iloc[0])
        v["superficie"] = float(ligne["superficie_km2"].iloc[0])
        v["densite"] = _rapport(v["population"], v["superficie"])  # type: ignore[arg-type]
    if d.mci is not None and (d.mci["niveau"] == niveau).any():
        filaire = couverture.eligibilite(d.mci, "debit_filaire", niveau)
        filaire = filaire[filaire["code"] == code]
        if not filaire.empty:
            v["locaux"] = float(filaire["nbr"].iloc[0])
            v.update(_parts_mci(filaire.iloc[0]))
    if d.ftth is not None and (d.ftth["niveau"] == niveau).any():
        sous = d.ftth[(d.ftth["niveau"] == niveau) & (d.ftth["code"] == code)]
        if not sous.empty:
            tendance = deploiement.tendance_4_trimestres(sous).iloc[0]
            v["taux_ftth"] = None if pd.isna(tendance["taux_ftth"]) else float(tendance["taux_ftth"])
            v["projection_ftth"] = _projection(tendance)
    return v


def tableau_fiche(d: DonneesFiche, groupes: Mapping[str, Iterable[str]],
                  externes: Mapping[str, tuple[str, str]] | None = None) -> pd.DataFrame:
    """Rows = indicators, columns = scopes. ``groupes``: name → commune codes; ``externes``:
    name → (niveau, code) for the département / France columns."""
    colonnes = {nom: valeurs_communes(d, codes) for nom, codes in groupes.items()}
    for nom, (niveau, code) in (externes or {}).items():
        colonnes[nom] = valeurs_comparaison(d, niveau, code)
    lignes = []
    for identifiant, libelle, unite, source in INDICATEURS:
        ligne = {"indicateur": identifiant, "libelle": libelle, "unite": unite, "source": source}
        ligne.update({nom: valeurs[identifiant] for nom, valeurs in colonnes.items()})
        lignes.append(ligne)
    return pd.DataFrame(lignes)


def series_ftth_groupes(d: DonneesFiche, groupes: Mapping[str, Iterable[str]]) -> dict[str, list[float]]:
    """FttH rate per quarter (oldest first) for each scope: the sparklines of the profile."""
    if d.ftth is None:
        return {}
    resultat = {}
    for nom, codes in groupes.items():
        somme = deploiement.agreger_perimetre(d.ftth, set(codes), nom)
        taux = deploiement.taux_ftth(somme)
        resultat[nom] = [None if pd.isna(t) else float(t) for t in taux["taux_ftth"]]
    return resultat
