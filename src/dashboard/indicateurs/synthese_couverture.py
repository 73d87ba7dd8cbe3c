"""One value per commune (or per scope) for the indicator chosen on the « Couverture » page.

Glue between the two ARCEP sources and the page: the page picks an indicator, a network
perimeter (wired / terrestrial / all) and a quarter; these pure functions return the
share, the count of locaux concerned and the base, per commune or summed over a scope
(counts summed, share recomputed — never averaged).

Returned columns of :func:`valeurs_communes`: ``code`` (INSEE), ``valeur`` (Float64,
share 0–1), ``nombre`` (Int64, locaux concerned: e.g. locaux *without* THD),
``base`` (Int64, all locaux of the commune).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from dashboard.indicateurs import couverture, deploiement


@dataclass(frozen=True)
class IndicateurCouverture:
    """``besoin``: a high value is bad (white zones) → alert palette, ranking worst first."""

    identifiant: str
    libelle: str
    source: str
    besoin: bool
    nombre_libelle: str
    seuil: str | None = None  # MCI measure for eligibility shares


INDICATEURS: dict[str, IndicateurCouverture] = {
    i.identifiant: i
    for i in (
        IndicateurCouverture("sans_thd", "Locaux sans très haut débit (moins de 30 Mbit/s) — zones blanches THD",
                             "arcep_mci", True, "locaux sans très haut débit"),
        IndicateurCouverture("sans_bhd", "Locaux sans bon haut débit (moins de 8 Mbit/s)",
                             "arcep_mci", True, "locaux sans bon haut débit"),
        IndicateurCouverture("ftth", "Locaux raccordables à la fibre (FttH)",
                             "arcep_ftth", False, "locaux raccordables à la fibre"),
        IndicateurCouverture("bhd8", "Locaux éligibles à 8 Mbit/s ou plus (bon haut débit)",
                             "arcep_mci", False, "locaux éligibles ≥ 8 Mbit/s", "elig_bhd8"),
        IndicateurCouverture("thd30", "Locaux éligibles à 30 Mbit/s ou plus (très haut débit)",
                             "arcep_mci", False, "locaux éligibles ≥ 30 Mbit/s", "elig_thd30"),
        IndicateurCouverture("thd100", "Locaux éligibles à 100 Mbit/s ou plus",
                             "arcep_mci", False, "locaux éligibles ≥ 100 Mbit/s", "elig_thd100"),
        IndicateurCouverture("thd1g", "Locaux éligibles à 1 Gbit/s ou plus",
                             "arcep_mci", False, "locaux éligibles ≥ 1 Gbit/s", "elig_thd1g"),
    )
}

RESEAUX: dict[str, str] = {
    "debit_filaire": "Réseaux filaires seulement (fibre, câble, cuivre)",
    "debit_terrestre": "Filaire + 4G fixe + THD radio (sans satellite)",
    "debit": "Toutes technologies, satellite compris",
}


def _table_mci(indicateur: IndicateurCouverture, mci: pd.DataFrame, reseau: str) -> tuple[pd.DataFrame, str]:
    if indicateur.identifiant == "sans_thd":
        return couverture.locaux_sans_thd(mci, reseau), "locaux_sans_thd"
    if indicateur.identifiant == "sans_bhd":
        return couverture.locaux_sans_bon_haut_debit(mci, reseau), "locaux_sans_bon_haut_debit"
    return couverture.eligibilite(mci, reseau), str(indicateur.seuil)


def _normaliser(table: pd.DataFrame, compte: str, base: str, part: str) -> pd.DataFrame:
    return pd.DataFrame({
        "code": table["code"].astype("str"),
        "valeur": table[part].astype("Float64"),
        "nombre": table[compte].astype("Int64"),
        "base": table[base].astype("Int64"),
    }).reset_index(drop=True)


def valeurs_communes(indicateur: IndicateurCouverture, mci: pd.DataFrame | None, ftth: pd.DataFrame | None,
                     reseau: str = "debit_filaire", trimestre: str | None = None) -> pd.DataFrame:
    """Per commune: ``code``, ``valeur`` (share), ``nombre`` (locaux concerned), ``base`` (locaux)."""
    if indicateur.source == "arcep_mci":
        if mci is None:
            return _vide()
        table, compte = _table_mci(indicateur, mci, reseau)
        return _normaliser(table, compte, "nbr", f"part_{compte}")
    if ftth is None:
        return _vide()
    taux = deploiement.taux_ftth(ftth[ftth["niveau"] == "commune"])
    trimestre = trimestre or dernier_trimestre(ftth)
    taux = taux[taux["trimestre"] == trimestre]
    return _normaliser(taux, "locaux_raccordables", "locaux_base", "taux_ftth")


def valeur_perimetre(indicateur: IndicateurCouverture, mci: pd.DataFrame | None, ftth: pd.DataFrame | None,
                     codes: Iterable[str], reseau: str = "debit_filaire",
                     trimestre: str | None = None) -> pd.Series:
    """One scope: ``valeur``, ``nombre``, ``base`` summed over ``codes`` (NA if any is missing)."""
    codes = set(codes)
    if indicateur.source == "arcep_mci":
        if mci is None:
            return _vide_ligne()
        table, compte = _table_mci(indicateur, mci, reseau)
        ligne = couverture.agreger_perimetre(table, codes)
        return _normaliser(ligne, compte, "nbr", f"part_{compte}").iloc[0]
    if ftth is None:
        return _vide_ligne()
    trimestre = trimestre or dernier_trimestre(ftth)
    somme = deploiement.agreger_perimetre(ftth[ftth["trimestre"] == trimestre], codes, "perimetre")
    if somme.empty:
        return _vide_ligne()
    return _normaliser(deploiement.taux_ftth(somme), "locaux_raccordables", "locaux_base", "taux_ftth").iloc[0]


def _vide() -> pd.DataFrame:
    return pd.DataFrame({"code": pd.Series(dtype="str"), "valeur": pd.Series(dtype="Float64"),
                         "nombre": pd.Series(dtype="Int64"), "base": pd.Series(dtype="Int64")})


def _vide_ligne() -> pd.Series:
    return pd.Series({"code": "perimetre", "valeur": pd.NA, "nombre": pd.NA, "base": pd.NA})


def trimestres(ftth: pd.DataFrame) -> list[str]:
    """Quarters of the FttH history, oldest first (« T4 2017 » … « T2 2026 »)."""
    return sorted(ftth["trimestre"].unique(), key=deploiement.rang_trimestre)


def dernier_trimestre(ftth: pd.DataFrame) -> str:
    return trimestres(ftth)[-1]


def series_ftth(ftth: pd.DataFrame, groupes: dict[str, Iterable[str]]) -> pd.DataFrame:
    """FttH rate per quarter for several named groups of communes (a commune, an EPCI, the Pays).

    Returns ``serie`` (the group's name), ``trimestre``, ``date`` (ISO), ``taux_ftth``
    (Float64, 0–1), ``locaux_raccordables`` and ``locaux_base`` (Int64, locaux).
    """
    morceaux = []
    for nom, codes in groupes.items():
        somme = deploiement.agreger_perimetre(ftth, set(codes), nom)
        taux = deploiement.taux_ftth(somme)
        morceaux.append(taux.assign(serie=nom))
    if not morceaux:
        return pd.DataFrame(columns=["serie", "trimestre", "date", "taux_ftth", "locaux_raccordables",
                                     "locaux_base"])
    tout = pd.concat(morceaux, ignore_index=True)
    return tout[["serie", "trimestre", "date", "taux_ftth", "locaux_raccordables", "locaux_base"]]


def projection_perimetre(ftth: pd.DataFrame, codes: Iterable[str]) -> pd.Series:
    """Pace over the last 4 quarters and projected quarter of 100 % for a scope (an extrapolation)."""
    somme = deploiement.agreger_perimetre(ftth, set(codes), "perimetre")
    return deploiement.tendance_4_trimestres(somme).iloc[0]


def ventilation_rurale(valeurs: pd.DataFrame, ftth: pd.DataFrame | None) -> pd.DataFrame:
    """Rural vs urban communes (ARCEP « Commune rurale » flag): ``zone``, ``nb_communes``,
    ``nombre`` and ``base`` (locaux, summed), ``valeur`` (share recomputed). Empty without flags."""
    if ftth is None or "commune_rurale" not in ftth:
        return pd.DataFrame(columns=["zone", "nb_communes", "nombre", "base", "valeur"])
    drapeaux = ftth[ftth["niveau"] == "commune"].drop_duplicates("code").set_index("code")["commune_rurale"]
    avec = valeurs.assign(rurale=valeurs["code"].map(drapeaux))
    lignes = []
    zones = (("Communes rurales", avec["rurale"].eq(True)), ("Communes urbaines", avec["rurale"].eq(False)))
    for zone, masque in zones:
        sous = avec[masque.fillna(False)]
        nombre = sous["nombre"].sum() if sous["nombre"].notna().all() else pd.NA
        base = sous["base"].sum() if sous["base"].notna().all() else pd.NA
        valeur = nombre / base if not pd.isna(nombre) and not pd.isna(base) and base > 0 else pd.NA
        lignes.append({"zone": zone, "nb_communes": len(sous), "nombre": nombre, "base": base, "valeur": valeur})
    resultat = pd.DataFrame(lignes)
    return resultat.astype({"nb_communes": "Int64", "nombre": "Int64", "base": "Int64", "valeur": "Float64"})


def etat_objectifs(objectifs, mci: pd.DataFrame | None, ftth: pd.DataFrame | None,
                   codes: Iterable[str]) -> pd.DataFrame:
    """Status of each public target for a scope.

    Returns ``libelle``, ``programme``, ``cible`` (share), ``echeance`` (ISO), ``valeur``
    (Float64 share, NA when the measuring source is not loaded), ``statut`` (« atteint »,
    « en bonne voie », « en retard », « non disponible »), ``source_titre``, ``source_url``.
    MCI targets are compared on wired networks for THD and on all technologies for
    « bon haut débit » (the 2020 target counted satellite and 4G fixe).
    """
    codes = set(codes)
    lignes = []
    for o in objectifs:
        trajectoire = None
        if o.source_donnees == "arcep_ftth" and ftth is not None:
            valeur = valeur_perimetre(INDICATEURS["ftth"], None, ftth, codes)["valeur"]
            trajectoire = projection_perimetre(ftth, codes)["projection_100_pourcent"]
            trajectoire = None if pd.isna(trajectoire) else trajectoire
        elif o.source_donnees == "arcep_mci" and mci is not None:
            identifiant = "bhd8" if o.indicateur == "elig_bhd8" else "thd30"
            reseau = "debit" if identifiant == "bhd8" else "debit_filaire"
            valeur = valeur_perimetre(INDICATEURS[identifiant], mci, None, codes, reseau)["valeur"]
        else:
            valeur = pd.NA
        lignes.append({
            "libelle": o.libelle, "programme": o.programme, "cible": o.cible, "echeance": o.echeance,
            "valeur": valeur,
            "statut": deploiement.statut_objectif(None if pd.isna(valeur) else float(valeur), o.echeance,
                                                  trajectoire, cible=o.cible),
            "source_titre": o.source_titre, "source_url": o.source_url,
        })
    return pd.DataFrame(lignes).astype({"valeur": "Float64"})


def tableau_communes(valeurs: pd.DataFrame, communes: pd.DataFrame) -> pd.DataFrame:
    """The accessible table under the map: ``code_insee``, ``commune``, ``epci``, ``part`` (share),
    ``nombre`` and ``base`` (locaux), one row per commune of ``communes`` (missing → NA)."""
    tableau = communes[["code_insee", "nom", "nom_epci"]].merge(
        valeurs.rename(columns={"code": "code_insee"}), on="code_insee", how="left")
    tableau = tableau.rename(columns={"nom": "commune", "nom_epci": "epci", "valeur": "part"})
    return tableau[["code_insee", "commune", "epci", "part", "nombre", "base"]].reset_index(drop=True)


def chiffres_couverture(mci: pd.DataFrame | None, ftth: pd.DataFrame | None, codes: Iterable[str],
                        reseau: str = "debit_filaire") -> dict[str, pd.Series | object]:
    """Key figures of a scope: ``sans_thd`` and ``sans_bhd`` (rows of :func:`valeur_perimetre`,
    on ``reseau``), ``ftth`` (last quarter) and ``projection`` (quarter label, ``None`` when
    reached, or a French phrase — an extrapolation at the pace of the last 4 quarters)."""
    codes = set(codes)
    resultat: dict[str, pd.Series | object] = {
        "sans_thd": valeur_perimetre(INDICATEURS["sans_thd"], mci, ftth, codes, reseau),
        "sans_bhd": valeur_perimetre(INDICATEURS["sans_bhd"], mci, ftth, codes, reseau),
        "ftth": valeur_perimetre(INDICATEURS["ftth"], mci, ftth, codes),
        "projection": None,
    }
    if ftth is not None:
        projection = projection_perimetre(ftth, codes)["projection_100_pourcent"]
        resultat["projection"] = None if pd.isna(projection) else projection
    return resultat
