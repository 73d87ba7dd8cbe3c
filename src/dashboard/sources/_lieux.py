"""Shared checks for the *places* sources (France services, tiers-lieux, médiation numérique).

Why a private module: the three national lists of places raise the same questions — is
this row in the territory, are its coordinates WGS84 degrees inside the territory, is its
web link a plain ``http(s)`` URL, how many hours a week is it open. Answering them once
keeps the three parsers short and their messages identical. The leading underscore keeps
the source registry from mistaking it for a source.

Every function is pure (frames in, values out) and locates problems by *physical* line,
as read by :func:`dashboard.sources.lecture.lire_csv`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlparse

import pandas as pd

from dashboard.erreurs import ErreurFormat
from dashboard.sources.lecture import COLONNE_LIGNE, ESPACES_MILLIERS, RE_CODE_INSEE, TableLue

LIGNES_CITEES = 10
# Lambert-93 (EPSG:2154) metres over metropolitan France: x ≈ 100 000–1 250 000, y ≈ 6 000 000–7 200 000.
LAMBERT93_X = (0.0, 1_300_000.0)
LAMBERT93_Y = (6_000_000.0, 7_200_000.0)
RE_CARACTERES_LIEN_INTERDITS = re.compile(r"[\s<>\"'`\\]")


# --------------------------------------------------------------------------- text
def citer_lignes(lignes: Iterable[int]) -> str:
    """``[12, 15, …]`` → ``"12, 15…"`` (at most :data:`LIGNES_CITEES` numbers)."""
    liste = [str(int(n)) for n in lignes]
    texte = ", ".join(liste[:LIGNES_CITEES])
    return texte + ("…" if len(liste) > LIGNES_CITEES else "")


def texte(table: TableLue, colonne: str) -> pd.Series:
    """Stripped text of a column; an absent optional column reads as empty cells."""
    if colonne not in table.frame.columns:
        return pd.Series("", index=table.frame.index, dtype="str")
    return table.frame[colonne].fillna("").astype("str").str.strip()


def texte_ou_na(serie: pd.Series) -> pd.Series:
    """Empty cells become ``<NA>`` (a nullable text column)."""
    serie = serie.fillna("").astype("str").str.strip()
    return serie.where(serie != "", None).astype("str")


def adresse_complete(table: TableLue, colonne: str = "adresse",
                     complement: str = "complement_adresse") -> pd.Series:
    """``"1 rue X"`` + ``"Bât. B"`` → ``"1 rue X, Bât. B"`` (either part may be empty)."""
    return joindre_adresse(texte(table, colonne), texte(table, complement))


def joindre_adresse(adresse: pd.Series, complement: pd.Series) -> pd.Series:
    """Join two text columns with ``", "``, skipping empty parts."""
    return pd.Series([", ".join(p for p in (a, c) if p) for a, c in zip(adresse, complement, strict=True)],
                     index=adresse.index, dtype="str")


def lien_http(valeur: object) -> str | None:
    """A plain ``http(s)`` URL with a host, else ``None``.

    The same rule as :func:`dashboard.vues.securite.lien_sur`, restated here so that
    sources do not depend on views: ``javascript:``, ``data:``, bare ``www.…`` and URLs
    carrying quotes, spaces or angle brackets are refused at import time.
    """
    if valeur is None or (isinstance(valeur, float) and pd.isna(valeur)):
        return None
    candidat = str(valeur).strip()
    if not candidat or len(candidat) > 2000 or RE_CARACTERES_LIEN_INTERDITS.search(candidat):
        return None
    partie = urlparse(candidat)
    if partie.scheme.lower() in ("http", "https") and partie.netloc:
        return candidat
    return None


# --------------------------------------------------------------------------- territory
def normaliser_codes(serie: pd.Series) -> pd.Series:
    """Lenient INSEE codes for *selecting* rows of a national file.

    ``56121.0`` → ``56121``, ``1001`` → ``01001``; anything else that is not a valid code
    becomes ``""`` (the row cannot be placed by its code). Strict checks with line numbers
    are then run on the territory's rows only, so a bad row elsewhere in France does not
    block the import.
    """
    codes = serie.fillna("").astype("str").str.strip().str.upper()
    codes = codes.str.replace(r"^(\d{4,5})\.0+$", r"\1", regex=True)
    codes = codes.where(~codes.str.fullmatch(r"\d{4}"), codes.str.zfill(5))
    return codes.where(codes.str.fullmatch(RE_CODE_INSEE), "")


def sous_table(table: TableLue, masque: pd.Series) -> TableLue:
    """The rows of ``table`` where ``masque`` holds, sharing its warnings list."""
    frame = table.frame.loc[masque.to_numpy()].reset_index(drop=True)
    return TableLue(frame, table.fichier, table.separateur, table.encodage,
                    table.avertissements, table.rejets)


def avertissement_perimetre(fichier: str, hors: int, total: int, nom_territoire: str) -> str:
    """« 2 837 lignes sur 2 845 concernent des communes hors du territoire (non retenues) »."""
    return (f"{fichier} : {hors} ligne(s) sur {total} concernent des communes hors du territoire "
            f"« {nom_territoire} » (hors périmètre, non retenues ; ce ne sont pas des rejets)")


def rejeter_doublons(table: TableLue, colonne: str) -> tuple[pd.Series, list[tuple[str, int, str]]]:
    """Keep the first row of each identifier; later ones are rejected with the line of the first."""
    ids = texte(table, colonne)
    lignes = table.frame[COLONNE_LIGNE]
    premiere: dict[str, int] = {}
    garder = []
    rejets: list[tuple[str, int, str]] = []
    for identifiant, ligne in zip(ids, lignes, strict=True):
        if identifiant == "":
            garder.append(False)
            rejets.append((table.fichier, int(ligne), f"identifiant ({colonne}) vide"))
        elif identifiant in premiere:
            garder.append(False)
            motif = (f"identifiant {colonne} « {identifiant[:40]} » en double "
                     f"(déjà ligne {premiere[identifiant]})")
            rejets.append((table.fichier, int(ligne), motif))
        else:
            premiere[identifiant] = int(ligne)
            garder.append(True)
    return pd.Series(garder, index=table.frame.index, dtype="bool"), rejets


# --------------------------------------------------------------------------- coordinates
def nombre_decimal(valeur: str) -> float | None:
    """``"47,73"`` → 47.73; empty or not a number → ``None`` (lenient, for selection only)."""
    nettoyee = valeur.strip().translate(ESPACES_MILLIERS).replace(",", ".")
    if nettoyee == "":
        return None
    try:
        nombre = float(nettoyee)
    except ValueError:
        return None
    return nombre if nombre == nombre else None  # NaN → None


def _lambert93(x: float, y: float) -> bool:
    return LAMBERT93_X[0] <= x <= LAMBERT93_X[1] and LAMBERT93_Y[0] <= y <= LAMBERT93_Y[1]


@dataclass
class Coordonnees:
    """Checked WGS84 coordinates of a table's rows (``<NA>`` when unusable)."""

    latitude: pd.Series
    longitude: pd.Series


def controler_coordonnees(
    table: TableLue,
    colonne_lat: str,
    colonne_lon: str,
    emprise: tuple[float, float, float, float],
    *,
    strict: bool,
) -> Coordonnees:
    """Parse and check coordinates of rows that belong to the territory.

    ``emprise`` is (west, south, east, north) in degrees. For each row:

    * both cells empty → kept with ``<NA>`` and one warning listing the lines;
    * Lambert-93 metres, or latitude/longitude swapped → with ``strict`` an
      :class:`ErreurFormat` naming file, line and column (a systematic error of the file);
      otherwise ``<NA>`` and a warning (crowd-sourced files: one bad row must not block all);
    * not a number → error (``strict``) or ``<NA>`` + warning;
    * WGS84 but outside the territory's extent → ``<NA>`` + warning in both modes
      (the row belongs to the territory by its INSEE code; only its point is wrong).
    """
    fichier = table.fichier
    lats = texte(table, colonne_lat)
    lons = texte(table, colonne_lon)
    lignes = table.frame[COLONNE_LIGNE].astype(int).tolist()
    ouest, sud, est, nord = emprise
    sortie_lat: list[float | None] = []
    sortie_lon: list[float | None] = []
    absentes: list[int] = []
    hors_emprise: list[int] = []
    problemes: list[str] = []

    def dans(lat: float, lon: float) -> bool:
        return sud <= lat <= nord and ouest <= lon <= est

    def signaler(message: str, ligne: int, colonne: str, conseil: str) -> None:
        if strict:
            raise ErreurFormat(message, fichier=fichier, ligne=ligne, colonne=colonne, conseil=conseil)
        problemes.append(f"{fichier}, ligne {ligne}, colonne {colonne} : {message} — point ignoré")

    for brut_lat, brut_lon, ligne in zip(lats, lons, lignes, strict=True):
        if brut_lat == "" and brut_lon == "":
            absentes.append(ligne)
            sortie_lat.append(None)
            sortie_lon.append(None)
            continue
        lat, lon = nombre_decimal(brut_lat), nombre_decimal(brut_lon)
        if lat is None or lon is None:
            colonne = colonne_lat if lat is None else colonne_lon
            valeur = brut_lat if lat is None else brut_lon
            if valeur == "":
                absentes.append(ligne)
            else:
                signaler(f"coordonnée invalide : « {valeur[:40]} »", ligne, colonne,
                         "nombre décimal en degrés WGS84 attendu")
            sortie_lat.append(None)
            sortie_lon.append(None)
            continue
        if abs(lat) > 90 or abs(lon) > 180:
            if _lambert93(lon, lat) or _lambert93(lat, lon):
                signaler(f"coordonnées en mètres Lambert-93 (EPSG:2154) probables ({lat:.0f} ; {lon:.0f}), "
                         "degrés WGS84 attendus", ligne, colonne_lat,
                         "convertissez les coordonnées en WGS84 (EPSG:4326) avant l'import")
            else:
                signaler(f"coordonnées hors des limites WGS84 ({brut_lat} ; {brut_lon})", ligne, colonne_lat,
                         "latitude entre -90 et 90, longitude entre -180 et 180")
            sortie_lat.append(None)
            sortie_lon.append(None)
            continue
        if dans(lat, lon):
            sortie_lat.append(lat)
            sortie_lon.append(lon)
            continue
        if dans(lon, lat):
            signaler(f"latitude et longitude inversées (latitude {brut_lat}, longitude {brut_lon})",
                     ligne, colonne_lat, "échangez les colonnes latitude et longitude")
        else:
            hors_emprise.append(ligne)
        sortie_lat.append(None)
        sortie_lon.append(None)
    if absentes:
        table.avertissements.append(
            f"{fichier} : {len(absentes)} lieu(x) sans coordonnées, conservé(s) sans point sur la carte "
            f"(lignes {citer_lignes(absentes)})")
    if hors_emprise:
        table.avertissements.append(
            f"{fichier} : {len(hors_emprise)} lieu(x) du territoire avec des coordonnées hors de son "
            f"emprise, point ignoré (lignes {citer_lignes(hors_emprise)})")
    table.avertissements.extend(problemes[:LIGNES_CITEES])
    if len(problemes) > LIGNES_CITEES:
        reste = len(problemes) - LIGNES_CITEES
        table.avertissements.append(f"{fichier} : {reste} autre(s) point(s) ignoré(s)")
    return Coordonnees(pd.Series(sortie_lat, dtype="Float64"), pd.Series(sortie_lon, dtype="Float64"))


# --------------------------------------------------------------------------- opening hours
def minutes_ouvertes(intervalles: Iterable[tuple[int, int]]) -> int:
    """Length in minutes of the union of ``[debut, fin)`` intervals (overlaps counted once)."""
    total = 0
    fin_courante = -1
    debut_courant = -1
    for debut, fin in sorted(intervalles):
        if debut > fin_courante:
            total += max(0, fin_courante - debut_courant)
            debut_courant, fin_courante = debut, fin
        else:
            fin_courante = max(fin_courante, fin)
    total += max(0, fin_courante - debut_courant)
    return total
