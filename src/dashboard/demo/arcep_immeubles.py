"""Demonstration edition of the ARCEP « base_imb » building file (official layout, département 56).

NOT real data. One ``base_imb_<dép>.csv.gz`` (``;``, UTF-8, gzip, the 18 official columns,
coordinates in Web Mercator EPSG:3857 as in the real file) holding plausible buildings of
the territory's communes only, generated from a seed:

* locaux per commune = ``nbr`` of the « Ma connexion internet » demonstration edition at
  the same date (30 June 2026), so both demonstrations describe the same locaux;
* buildings: houses (``PA``, one local) and blocks of flats (``IM``, 2 to ~60 locaux), more
  blocks in dense communes; the last building of a commune is sized so that the sum of
  ``imb_nbr_logloc`` equals ``nbr`` exactly;
* positions: clustered around a few centres (the town and hamlets) drawn inside the
  commune's contour of ``data/reference/communes.geojson``, each point kept only if it
  falls inside that contour.

The file is named ``2026_T2/base_imb_56.csv.gz``: the quarter folder is where data.arcep.fr
serves the edition (``last/`` redirects there), and tells the parser the date.
"""

from __future__ import annotations

import gzip
import io

import numpy as np
import pandas as pd
import shapely

from dashboard import chemins
from dashboard.sources.base import Contexte

SOURCE_ID = "arcep_immeubles"
DATE_DEMO = "2026-06-30"
DOSSIER_EDITION = "2026_T2"
ENTETE = ("imb_id", "imb_x", "imb_y", "imb_code", "imb_code_insee", "imb_nbr_logloc", "imb_source", "imb_type",
          "addr_code", "imb_num", "addr_numero", "addr_rep", "addr_nom_voie", "addr_nom_ld", "addr_code_insee",
          "addr_nom_commune", "addr_id_fantoir", "addr_source")
VOIES = ("rue de la Gare", "rue de l'Église", "rue du Port", "rue des Écoles", "route de Lorient", "rue Jean Jaurès",
         "allée des Ajoncs", "impasse des Genêts", "rue du Moulin", "place de la Mairie", "rue de Kerguestenen",
         "chemin de Kerlivio", "rue Victor Hugo", "boulevard de la Mer", "rue des Mimosas", "rue de Pen Mane")
LIEUX_DITS = ("Kerlann", "Kerihuel", "Le Bourg", "Kervénanec", "Locunel", "Keryado", "Penher", "Le Moustoir")


def _communes(contexte: Contexte) -> pd.DataFrame:
    from dashboard.reference import charger_reference

    communes = charger_reference(chemins.dossier_reference(), contexte.territoire).communes
    return communes[communes["code_insee"].isin(contexte.codes_communes)].sort_values("code_insee")


def locaux_de_la_demo_mci(contexte: Contexte, graine: int) -> dict[str, int]:
    """``code → nbr`` of the MCI demonstration at :data:`DATE_DEMO` (parsed by its own source)."""
    from dashboard.demo import arcep_mci
    from dashboard.sources.arcep_mci import SOURCE as SOURCE_MCI

    frame = SOURCE_MCI.lire(arcep_mci.generer(contexte, graine), contexte).frame
    nbr = frame[(frame["niveau"] == "commune") & (frame["mesure"] == "nbr") & (frame["fichier"] == "debit_filaire")]
    return {str(c): int(v) for c, v in zip(nbr["code"], nbr["valeur"], strict=True)}


def _tailles(rng: np.random.Generator, locaux: int, part_collectif: float) -> list[int]:
    """Locaux per building, summing to ``locaux``: mostly 1, some blocks of flats."""
    tailles: list[int] = []
    reste = locaux
    while reste > 0:
        taille = int(min(reste, 2 + rng.geometric(1 / 10))) if rng.random() < part_collectif else 1
        tailles.append(taille)
        reste -= taille
    return tailles


def _points(rng: np.random.Generator, contour, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points (lon, lat) inside ``contour``, clustered around a town and hamlets."""
    ouest, sud, est, nord = contour.bounds
    centre = shapely.get_coordinates(contour.representative_point())[0]
    hameaux = []
    while len(hameaux) < 5:
        x, y = rng.uniform(ouest, est), rng.uniform(sud, nord)
        if shapely.contains_xy(contour, x, y):
            hameaux.append((x, y))
    centres = np.array([tuple(centre), *hameaux])
    poids = np.array([0.6, 0.12, 0.1, 0.08, 0.06, 0.04])
    etendue = max(est - ouest, nord - sud)
    ecarts = np.array([0.08, 0.03, 0.03, 0.03, 0.02, 0.02]) * etendue
    lon, lat = np.empty(0), np.empty(0)
    while len(lon) < n:
        k = rng.choice(len(centres), size=2 * n, p=poids)
        x = centres[k, 0] + rng.normal(0, ecarts[k]) * 1.5  # degrees of longitude are shorter
        y = centres[k, 1] + rng.normal(0, ecarts[k])
        dedans = shapely.contains_xy(contour, x, y)
        lon, lat = np.concatenate([lon, x[dedans]]), np.concatenate([lat, y[dedans]])
    return lon[:n], lat[:n]


def generer(contexte: Contexte, graine: int, *, locaux: dict[str, int] | None = None) -> dict[str, bytes]:
    """``{"2026_T2/base_imb_<dép>.csv.gz": gzip bytes}`` per département of the territory.

    ``locaux`` (``code → nbr``) defaults to the MCI demonstration edition of the same seed.
    """
    from pyproj import Transformer

    locaux = locaux_de_la_demo_mci(contexte, graine) if locaux is None else locaux
    rng = np.random.default_rng(graine)
    vers_mercator = Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True)
    par_departement: dict[str, list[str]] = {}
    numero = 0
    for commune in _communes(contexte).itertuples(index=False):
        code = str(commune.code_insee)
        total = int(locaux.get(code, 0))
        if total <= 0:
            continue
        densite = float(commune.population) / max(float(commune.superficie_km2), 0.1)
        part_collectif = float(np.clip(0.02 + densite / 20_000, 0.02, 0.2))
        tailles = _tailles(rng, total, part_collectif)
        lon, lat = _points(rng, commune.geometry, len(tailles))
        x, y = vers_mercator.transform(lon, lat)
        lignes = par_departement.setdefault(code[:2], [])
        for i, taille in enumerate(tailles):
            numero += 1
            voie = VOIES[int(rng.integers(len(VOIES)))]
            ld = LIEUX_DITS[int(rng.integers(len(LIEUX_DITS)))] if rng.random() < 0.15 else ""
            num = int(rng.integers(1, 120))
            rep = "bis" if rng.random() < 0.03 else ""
            ban = rng.random() < 0.9
            champs = (
                str(numero), f"{x[i]:.2f}", f"{y[i]:.2f}", f"IMB/{code}/X/{i:05X}", code, str(taille),
                str(rng.choice(["fo", "fpb", "fpban"], p=[0.5, 0.2, 0.3])), "IM" if taille > 1 else "PA",
                f"{code}_{int(rng.integers(1000, 9999))}_{num:05d}" if ban else "", str(i), str(num), rep, voie, ld,
                code, str(commune.nom), f"{code}{int(rng.integers(0, 9999)):04d}", "ban" if ban else "fo",
            )
            lignes.append(";".join(champs))
    fichiers = {}
    for dep, lignes in par_departement.items():
        texte = ";".join(ENTETE) + "\n" + "\n".join(lignes) + "\n"
        tampon = io.BytesIO()
        with gzip.GzipFile(fileobj=tampon, mode="wb", mtime=0) as gz:  # mtime=0: same seed, same bytes
            gz.write(texte.encode("utf-8"))
        fichiers[f"{DOSSIER_EDITION}/base_imb_{dep}.csv.gz"] = tampon.getvalue()
    return fichiers
