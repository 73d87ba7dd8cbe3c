"""Demonstration edition of ARCEP « Ma connexion internet » (five commune files, official layout).

NOT real data. Plausible counts for the territory's communes only, generated from a seed so
the same seed gives the same bytes, and internally consistent so the real parser accepts
them (cumulative thresholds, best-technology partition, one date).

How the numbers are made — per commune, a small simulation of groups of locaux rather
than independent random columns, so that all five files describe the same locaux:

* ``nbr`` ≈ 0.6 × municipal population of the reference geography (± 4 %).
* Rurality ``r`` ∈ [0, 1] from the population density on a log scale (≥ 3 000 hab./km²
  → 0, ≤ 30 hab./km² → 1): Quistinic, Lanvaudan, Inguiniel, Bubry, Calan come out rural,
  Lorient and Lanester urban. Islands (Groix) get less fibre and more fixed radio.
* Locaux split into FttH (≈ 97 % urban → 70 % rural), coaxial cable (dense communes only),
  and copper-only locaux whose DSL speed class worsens with rurality; copper-only locaux
  may also have THD radio, 4G fixe or HD radio. Satellite (≥ 100 Mbit/s) reaches every
  local, so ``nbr_elig_8 = nbr`` and ``inel_hd`` = 0 in ``commune_debit`` — as in the real
  files, where satellite makes the all-technology figures ≈ 100 %.
* Speed class of each group: FttH ≥ 1 Gbit/s; cable ≥ 100 Mbit/s (half ≥ 1 Gbit/s); THD
  radio and 4G fixe ≥ 30 Mbit/s; HD radio ≥ 8 Mbit/s; satellite ≥ 100 Mbit/s. Each file's
  threshold ``elig_x`` counts locaux whose best class on that file's networks is ≥ x.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd

from dashboard import chemins
from dashboard.sources.base import Contexte

SOURCE_ID = "arcep_mci"
DATE_DEMO = "2026-06-30"
ILES = frozenset({"56069"})  # Groix

# speed class index: 0 < 512 kbit/s, 1 ≥ 512 k, 2 ≥ 3 M, 3 ≥ 8 M, 4 ≥ 30 M, 5 ≥ 100 M, 6 ≥ 1 G
CLASSE_FTTH, CLASSE_COAX, CLASSE_COAX_1G, CLASSE_SAT = 6, 5, 6, 5
CLASSE_RADIO = {"aucune": -1, "thdr": 4, "4gf": 4, "hdr": 3}
RADIOS = ("aucune", "thdr", "4gf", "hdr")

ENTETE_DEBIT = ("code_insee", "nom_com", "code_dep", "code_reg", "nbr", "type", "inel_hd", "elig_hd05",
                "elig_hd3", "elig_bhd8", "elig_thd30", "elig_thd100", "elig_thd1g", "date")
ENTETE_MEILLEURE = ("code_insee", "nom_com", "code_dep", "code_reg", "nbr", "type", "nbr_elig_8", "elig_ftth",
                    "elig_coax", "elig_cu_30", "elig_thdr", "elig_cu_8", "elig_4gf", "elig_hdr", "elig_sat",
                    "date")
ENTETE_TECHNO = ("code_insee", "nom_com", "code_dep", "code_reg", "nbr", "type", "elig_ftth", "elig_coax",
                 "elig_cu", "elig_thdr", "elig_4gf", "elig_hdr", "elig_sat", "date")


def _communes_reference(contexte: Contexte) -> pd.DataFrame:
    from dashboard.reference import charger_reference

    reference = charger_reference(chemins.dossier_reference(), contexte.territoire)
    return pd.DataFrame(reference.communes.drop(columns="geometry"))


def _ruralite(population: float, superficie: float) -> float:
    densite = population / superficie if superficie > 0 else 3000.0
    return float(np.clip((math.log10(3000) - math.log10(max(densite, 1.0))) / 2.0, 0.0, 1.0))


def _groupes(rng: np.random.Generator, nbr: int, r: float, ile: bool, n_ftth: int | None = None) -> list[dict]:
    """Groups of locaux: ``n``, wired class, radio, copper line (yes/no), FttH, coax.

    ``n_ftth`` (locaux raccordables to FttH) is taken from the FttH demonstration edition
    when given, so that the two demonstration sources tell the same story.
    """
    p_ftth = float(np.clip(0.97 - 0.27 * r - (0.2 if ile else 0.0) + rng.normal(0, 0.015), 0.4, 0.995))
    tire = int(rng.binomial(nbr, p_ftth))  # drawn anyway: the random stream stays the same
    n_ftth = tire if n_ftth is None else min(int(n_ftth), nbr)
    p_coax = 0.35 * max(0.0, 0.35 - r) if not ile else 0.0
    n_coax = int(rng.binomial(nbr - n_ftth, p_coax))
    reste = nbr - n_ftth - n_coax
    # DSL class of copper-only locaux: ≥30, ≥8, ≥3, ≥0.5, <0.5 Mbit/s
    urbain, rural = np.array([0.40, 0.35, 0.15, 0.08, 0.02]), np.array([0.08, 0.27, 0.30, 0.27, 0.08])
    classes_cu = rng.multinomial(reste, (1 - r) * urbain + r * rural)
    radio_urbain, radio_rural = np.array([0.70, 0.02, 0.26, 0.02]), np.array([0.30, 0.12, 0.45, 0.13])
    p_radio = (1 - r) * radio_urbain + r * radio_rural
    if ile:
        p_radio = np.array([0.25, 0.25, 0.45, 0.05])
    groupes = [
        {"n": n_ftth, "filaire": CLASSE_FTTH, "radio": "aucune", "ftth": True, "coax": False},
        {"n": n_coax // 2, "filaire": CLASSE_COAX, "radio": "aucune", "ftth": False, "coax": True},
        {"n": n_coax - n_coax // 2, "filaire": CLASSE_COAX_1G, "radio": "aucune", "ftth": False, "coax": True},
    ]
    for classe, n in zip((4, 3, 2, 1, 0), classes_cu, strict=True):
        for radio, m in zip(RADIOS, rng.multinomial(int(n), p_radio), strict=True):
            groupes.append({"n": int(m), "filaire": classe, "radio": radio, "ftth": False, "coax": False})
    return groupes


def _meilleure(g: dict) -> str:
    """ARCEP order of precedence of ``commune_meilleure_techno_thd``."""
    if g["ftth"]:
        return "elig_ftth"
    if g["coax"]:
        return "elig_coax"
    if g["filaire"] >= 4:
        return "elig_cu_30"
    if g["radio"] == "thdr":
        return "elig_thdr"
    if g["filaire"] == 3:
        return "elig_cu_8"
    if g["radio"] == "4gf":
        return "elig_4gf"
    if g["radio"] == "hdr":
        return "elig_hdr"
    return "elig_sat"


def _seuils(groupes: list[dict], classe) -> list[int]:
    """``inel_hd`` then the six cumulative thresholds for a class function of a group."""
    n = [sum(g["n"] for g in groupes if classe(g) >= k) for k in range(1, 7)]
    total = sum(g["n"] for g in groupes)
    return [total - n[0], *n]


def _commune(rng: np.random.Generator, code: str, population: int, superficie: float,
             fibre: tuple[int, int] | None = None) -> dict[str, list[int]]:
    """``fibre``: (locaux, locaux raccordables FttH) of the FttH demonstration at the same date."""
    nbr = max(50, round(0.6 * population * rng.uniform(0.96, 1.04)))
    if fibre is not None:
        nbr = int(fibre[0])
    r = _ruralite(population, superficie)
    ile = code in ILES
    groupes = _groupes(rng, nbr, r, ile, None if fibre is None else fibre[1])
    filaire = _seuils(groupes, lambda g: g["filaire"])
    terrestre = _seuils(groupes, lambda g: max(g["filaire"], CLASSE_RADIO[g["radio"]]))
    tout = _seuils(groupes, lambda g: max(g["filaire"], CLASSE_RADIO[g["radio"]], CLASSE_SAT))
    meilleure = dict.fromkeys(ENTETE_MEILLEURE[7:15], 0)
    for g in groupes:
        meilleure[_meilleure(g)] += g["n"]
    # technology file (overlapping): FttH/cable locaux keep their copper line (≈ 97 %) and
    # may also be covered by 4G fixe; copper-only locaux have copper by definition.
    n_ftth = sum(g["n"] for g in groupes if g["ftth"])
    n_coax = sum(g["n"] for g in groupes if g["coax"])
    coax_sur_fibre = int(rng.binomial(n_ftth, 0.35 * max(0.0, 0.35 - r))) if not ile else 0
    cuivre = nbr - n_ftth - n_coax + int(rng.binomial(n_ftth + n_coax, 0.97))
    radio = {nom: sum(g["n"] for g in groupes if g["radio"] == nom) for nom in ("thdr", "4gf", "hdr")}
    radio["4gf"] += int(rng.binomial(n_ftth + n_coax, 0.3 + 0.4 * r))
    techno = [n_ftth, n_coax + coax_sur_fibre, cuivre, radio["thdr"], radio["4gf"], radio["hdr"], nbr]
    return {
        "nbr": [nbr],
        "commune_debit_filaire.csv": filaire,
        "commune_debit_terrestre.csv": terrestre,
        "commune_debit.csv": tout,
        "commune_meilleure_techno_thd.csv": [nbr, *meilleure.values()],
        "commune_techno.csv": techno,
    }


def _csv(entete: tuple[str, ...], lignes: list[list[object]]) -> bytes:
    tampon = io.StringIO()
    tampon.write(";".join(entete) + "\n")
    for ligne in lignes:
        tampon.write(";".join(str(v) for v in ligne) + "\n")
    return tampon.getvalue().encode("utf-8")


def fibre_de_la_demo_ftth(contexte: Contexte, graine: int) -> dict[str, tuple[int, int]]:
    """``code → (locaux, locaux raccordables)`` at the MCI demo date, from the FttH demo.

    Both demonstration editions are generated from the same seed; reading the FttH one
    with its own parser keeps « locaux sans THD filaire » consistent with FttH coverage
    (a local raccordable to fibre is eligible to ≥ 30 Mbit/s on wired networks).
    """
    from dashboard.demo import arcep_ftth
    from dashboard.sources.arcep_deploiements import SOURCE as SOURCE_FTTH

    frame = SOURCE_FTTH.lire(arcep_ftth.generer(contexte, graine), contexte).frame
    frame = frame[(frame["niveau"] == "commune") & (frame["date"] == DATE_DEMO)]
    base = frame["meilleure_estimation_locaux"] - frame["locaux_en_construction"].fillna(0)
    return {str(c): (int(b), int(r)) for c, b, r in zip(frame["code"], base, frame["locaux_raccordables"],
                                                       strict=True)}


def generer(contexte: Contexte, graine: int, *, communes: pd.DataFrame | None = None,
            fibre: dict[str, tuple[int, int]] | None = None) -> dict[str, bytes]:
    """The five official files for the territory's communes (official names, ``;``, UTF-8).

    ``communes`` (``code_insee``, ``nom``, ``population``, ``superficie_km2``) defaults to
    the committed reference geography; only those in ``contexte.codes_communes`` are used.
    ``fibre`` defaults to :func:`fibre_de_la_demo_ftth` when ``communes`` is not given.
    """
    if fibre is None and communes is None:
        fibre = fibre_de_la_demo_ftth(contexte, graine)
    fibre = fibre or {}
    communes = _communes_reference(contexte) if communes is None else communes
    communes = communes[communes["code_insee"].isin(contexte.codes_communes)].sort_values("code_insee")
    rng = np.random.default_rng(graine)
    dep, reg = contexte.territoire.departement, contexte.territoire.region
    lignes: dict[str, list[list[object]]] = {nom: [] for nom in (
        "commune_debit_filaire.csv", "commune_debit_terrestre.csv", "commune_debit.csv",
        "commune_meilleure_techno_thd.csv", "commune_techno.csv")}
    for c in communes.itertuples(index=False):
        valeurs = _commune(rng, str(c.code_insee), int(c.population), float(c.superficie_km2),
                           fibre.get(str(c.code_insee)))
        debut = [c.code_insee, c.nom, dep, reg, valeurs["nbr"][0], "all"]
        for nom in lignes:
            lignes[nom].append([*debut, *valeurs[nom], DATE_DEMO])
    return {
        nom: _csv(ENTETE_MEILLEURE if "meilleure" in nom else ENTETE_TECHNO if "techno" in nom else ENTETE_DEBIT,
                  contenu)
        for nom, contenu in lignes.items()
    }
