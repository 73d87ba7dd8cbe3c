"""Demonstration edition of the INSEE commune bases (census 2021 + Filosofi 2021), official layout.

NOT real data. Four zip archives named like the official ones, each holding the CSV under
its official name (``;`` separator, header row, ``CODGEO``), restricted to the territory's
communes and to a subset of the official columns (those the parser reads, plus a few of
their neighbours and an older vintage ``P15_…`` beside ``P21_…``, as in the real
« Évolution et structure » base). Same seed → same bytes (fixed dates inside the zips).

How the numbers are made, per commune:

* ``P21_POP`` = municipal population of the committed reference geography.
* Age structure: a « young families » profile and an « old » profile are mixed by an
  ageing factor: high on the coast (Larmor-Plage, Gâvres, Groix, Port-Louis, Ploemeur…)
  and in inland rural communes (rurality from density, as in the other demo modules:
  Quistinic, Lanvaudan, Inguiniel, Bubry, Calan come out old), low in the periurban ring
  (Quéven, Caudan, Kervignac, Brandérion…); Lorient gets more 15-29 year-olds (students).
  Communes of 10 000 inhabitants or more get non-integer counts, as the weighted census
  estimates do; the others integers. Bands always add up to the population.
* Diplomas: low-diploma share rises with ageing and rurality; households: smaller and more
  often one-person in Lorient (≈ 50 %) than in rural communes (≈ 30 %); ``C21_…``
  values are non-integer everywhere (exploitation complémentaire).
* Poverty rate (``TP6021``, %): higher in Lorient (≈ 21 %), then Lanester and Hennebont,
  lowest on the wealthy coast and periurban ring; **masked with ``s``** for communes under
  2 000 inhabitants, as INSEE does for small communes.
"""

from __future__ import annotations

import io
import math
import zipfile

import numpy as np
import pandas as pd

from dashboard import chemins
from dashboard.sources.base import Contexte

SOURCE_ID = "insee_communes"
DATE_ZIP = (2024, 6, 27, 12, 0, 0)
SEUIL_SECRET = 2000  # inhabitants: poverty rate masked below
SEUIL_ESTIMATIONS = 10_000  # inhabitants: census counts become weighted (non-integer) estimates

LITTORAL_AGE = frozenset({"56107", "56062", "56069", "56181", "56162", "56193", "56118", "56169", "56078"})
PAUVRETE_URBAINE = {"56121": 21.0, "56098": 15.5, "56083": 14.0}

#: shares of the 7 census bands 0-14, 15-29, 30-44, 45-59, 60-74, 75-89, 90+
PROFIL_JEUNE = np.array([0.21, 0.14, 0.21, 0.21, 0.15, 0.07, 0.01])
PROFIL_AGE = np.array([0.11, 0.10, 0.12, 0.20, 0.27, 0.17, 0.03])
SUFFIXES = ("0014", "1529", "3044", "4559", "6074", "7589", "90P")

ENTETE_POP = ("CODGEO", "P21_POP", *(f"P21_POP{s}" for s in SUFFIXES), "P21_POPH", "P21_H65P", "P21_POPF",
              "P21_F65P", "P15_POP", *(f"P15_POP{s}" for s in SUFFIXES))
ENTETE_DIPLOMES = ("CODGEO", "P21_NSCOL15P", "P21_NSCOL15P_DIPLMIN", "P21_NSCOL15P_BEPC", "P21_NSCOL15P_CAPBEP",
                   "P21_NSCOL15P_BAC", "P21_NSCOL15P_SUP2", "P21_NSCOL15P_SUP34", "P21_NSCOL15P_SUP5")
ENTETE_MENAGES = ("CODGEO", "C21_MEN", "C21_MENPSEUL", "C21_MENHSEUL", "C21_MENFSEUL", "C21_MENSFAM",
                  "C21_MENFAM")
ENTETE_FILOSOFI = ("CODGEO", "TP6021", "TP60AGE121", "TP60AGE221", "TP60AGE321", "TP60AGE421", "TP60AGE521",
                   "TP60AGE621", "TP60TOL121", "TP60TOL221")
#: poverty rate of each age group (<30, 30-39, 40-49, 50-59, 60-74, 75+) and owners/tenants, relative to all
RAPPORTS_FILOSOFI = (1.45, 1.15, 1.05, 0.95, 0.65, 0.6, 0.45, 1.8)

FICHIERS = {
    "base-cc-evol-struct-pop-2021_csv.zip": ("base-cc-evol-struct-pop-2021.CSV", ENTETE_POP),
    "base-cc-diplomes-formation-2021_csv.zip": ("base-cc-diplomes-formation-2021.CSV", ENTETE_DIPLOMES),
    "base-cc-coupl-fam-men-2021_csv.zip": ("base-cc-coupl-fam-men-2021.CSV", ENTETE_MENAGES),
    "indic-struct-distrib-revenu-2021-COMMUNES_csv.zip": ("FILO2021_DISP_PAUVRES_COM.csv", ENTETE_FILOSOFI),
}


def _communes_reference(contexte: Contexte) -> pd.DataFrame:
    from dashboard.reference import charger_reference

    reference = charger_reference(chemins.dossier_reference(), contexte.territoire)
    return pd.DataFrame(reference.communes.drop(columns="geometry"))


def _ruralite(population: float, superficie: float) -> float:
    densite = population / superficie if superficie > 0 else 3000.0
    return float(np.clip((math.log10(3000) - math.log10(max(densite, 1.0))) / 2.0, 0.0, 1.0))


def _vieillissement(code: str, r: float, rng: np.random.Generator) -> float:
    if code in LITTORAL_AGE:
        base = 0.78
    elif code == "56121":
        base = 0.45
    else:
        base = 0.12 + 0.6 * r
    return float(np.clip(base + rng.normal(0, 0.05), 0.0, 1.0))


def _repartir(total: float, parts: np.ndarray, entier: bool) -> list[float]:
    """Split ``total`` by ``parts``: integers by largest remainder, else 4-decimal estimates."""
    parts = parts / parts.sum()
    if entier:
        bruts = parts * total
        entiers = np.floor(bruts).astype(int)
        reste = round(total) - int(entiers.sum())
        for i in np.argsort(-(bruts - entiers))[:reste]:
            entiers[i] += 1
        return [int(v) for v in entiers]
    valeurs = [round(float(p * total), 4) for p in parts[:-1]]
    return [*valeurs, round(float(total) - sum(valeurs), 4)]


def _texte(valeur: float | int | str) -> str:
    if isinstance(valeur, str):
        return valeur
    if isinstance(valeur, int | np.integer) or float(valeur).is_integer():
        return str(int(valeur))
    return f"{float(valeur):.6f}".rstrip("0").rstrip(".")


def _commune(rng: np.random.Generator, code: str, population: int, superficie: float) -> dict[str, list]:
    r = _ruralite(population, superficie)
    v = _vieillissement(code, r, rng)
    estime = population >= SEUIL_ESTIMATIONS
    parts = (1 - v) * PROFIL_JEUNE + v * PROFIL_AGE
    if code == "56121":
        parts = parts + np.array([-0.02, 0.08, 0.0, -0.03, -0.02, -0.01, 0.0])
    parts = np.clip(parts * rng.normal(1.0, 0.03, size=7), 0.002, None)
    bandes = _repartir(population, parts, not estime)
    plus_65 = bandes[5] + bandes[6] + bandes[4] * rng.uniform(0.60, 0.66)
    hommes_65 = plus_65 * rng.uniform(0.42, 0.46)
    hommes = population * rng.uniform(0.47, 0.49)
    if not estime:
        plus_65, hommes_65, hommes = round(plus_65), round(hommes_65), round(hommes)
    else:
        plus_65, hommes_65, hommes = round(plus_65, 4), round(hommes_65, 4), round(hommes, 4)
    croissance = rng.uniform(0.95, 1.04)
    population_15 = round(population / croissance)
    bandes_15 = _repartir(population_15, parts * rng.normal(1.0, 0.02, size=7), True)
    ligne_pop = [code, population, *bandes, hommes, hommes_65, round(population - hommes, 4),
                 round(plus_65 - hommes_65, 4), population_15, *bandes_15]

    # diplomas of the 15+ no longer in education
    quinze_plus = population - bandes[0]
    scolarises = 0.12 if code == "56121" else rng.uniform(0.06, 0.08)
    non_scolarises = quinze_plus * (1 - scolarises)
    urbain = 0.04 if code in ("56121", "56098", "56083") else 0.0
    parts_diplomes = np.array([
        0.13 + 0.09 * v + 0.05 * r + urbain,  # sans diplôme ou au plus CEP
        0.055 + 0.01 * v,  # BEPC
        0.25 + 0.05 * r,  # CAP-BEP
        0.17,  # bac
        0.12 - 0.02 * r,  # bac+2
        0.10 - 0.03 * r,  # bac+3/4
        0.10 - 0.05 * r + (0.03 if code in LITTORAL_AGE else 0.0),  # bac+5
    ]) * rng.normal(1.0, 0.04, size=7)
    diplomes = _repartir(non_scolarises, parts_diplomes, False)
    if not estime:
        diplomes = _repartir(round(non_scolarises), parts_diplomes, True)
    ligne_diplomes = [code, sum(diplomes), *diplomes]

    # households (exploitation complémentaire: weighted, non-integer everywhere)
    taille = 1.78 if code == "56121" else 2.45 - 0.35 * v + rng.normal(0, 0.05)
    menages = population * 0.98 / taille
    seul = menages * (0.50 if code == "56121" else float(np.clip(0.27 + 0.14 * v + rng.normal(0, 0.02), 0.2, 0.45)))
    femmes_seules = seul * rng.uniform(0.53, 0.58)
    sans_famille = menages * rng.uniform(0.015, 0.03)
    ligne_menages = [code, round(menages, 5), round(seul, 5), round(seul - femmes_seules, 5), round(femmes_seules, 5),
                     round(sans_famille, 5), round(menages - seul - sans_famille, 5)]

    # Filosofi: poverty rate (%), masked for small communes
    if population < SEUIL_SECRET:
        ligne_filosofi = [code, *["s"] * (len(ENTETE_FILOSOFI) - 1)]
    else:
        taux = PAUVRETE_URBAINE.get(code, 6.5 + 5.0 * r - (1.0 if code in LITTORAL_AGE else 0.0))
        taux = round(float(np.clip(taux + rng.normal(0, 0.6), 3.0, 30.0)), 1)
        ligne_filosofi = [code, taux, *(round(taux * k * rng.uniform(0.95, 1.05), 1) for k in RAPPORTS_FILOSOFI)]
    return {"pop": ligne_pop, "diplomes": ligne_diplomes, "menages": ligne_menages, "filosofi": ligne_filosofi}


def _csv(entete: tuple[str, ...], lignes: list[list]) -> bytes:
    texte = ";".join(entete) + "\n" + "".join(";".join(_texte(v) for v in ligne) + "\n" for ligne in lignes)
    return texte.encode("utf-8")


def _zip(membre: str, contenu: bytes) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(membre, date_time=DATE_ZIP)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        archive.writestr(info, contenu)
    return tampon.getvalue()


def generer(contexte: Contexte, graine: int, *, communes: pd.DataFrame | None = None) -> dict[str, bytes]:
    """The four official zips for the territory's communes (official names and members).

    ``communes`` (``code_insee``, ``population``, ``superficie_km2``) defaults to the
    committed reference geography; only those in ``contexte.codes_communes`` are used.
    """
    communes = _communes_reference(contexte) if communes is None else communes
    communes = communes[communes["code_insee"].isin(contexte.codes_communes)].sort_values("code_insee")
    rng = np.random.default_rng(graine)
    lignes: dict[str, list[list]] = {"pop": [], "diplomes": [], "menages": [], "filosofi": []}
    for c in communes.itertuples(index=False):
        for cle, ligne in _commune(rng, str(c.code_insee), int(c.population), float(c.superficie_km2)).items():
            lignes[cle].append(ligne)
    contenus = dict(zip(FICHIERS, (lignes["pop"], lignes["diplomes"], lignes["menages"], lignes["filosofi"]),
                        strict=True))
    return {nom: _zip(membre, _csv(entete, contenus[nom])) for nom, (membre, entete) in FICHIERS.items()}
