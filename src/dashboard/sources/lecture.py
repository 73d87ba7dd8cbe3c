"""Careful CSV reading for official French files: every problem named by file, line, column.

Why not ``pd.read_csv`` straight away: with default options pandas silently turns an
unknown separator into one column, ``01001`` into ``1001``, UTF-8 read as latin-1 into
mojibake, and ``on_bad_lines="skip"`` drops rows. Here every cell is read as text with
the stdlib ``csv`` module, which tells us the *physical* line of each record (quoted
newlines included), then typed columns are converted with positions kept.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from dashboard.erreurs import ErreurFormat

COLONNE_LIGNE = "_ligne"
SEPARATEURS = (";", ",", "\t", "|")
VALEURS_MASQUEES = frozenset({"s", "nd", "n.d.", "nc", "secret", "-", "x"})
RE_CODE_INSEE = re.compile(r"^(?:[013-9]\d|2[AB1-9])\d{3}$")
RE_MOJIBAKE = re.compile(r"Ã[\x80-\xbf©¨ª«®´]")
ESPACES_MILLIERS = str.maketrans("", "", "\u202f\u00a0\u2009 ")

SIGNATURES = (
    (b"PK\x03\x04", "un classeur Excel ou une archive zip"),
    (b"\xd0\xcf\x11\xe0", "un classeur Excel ancien format (.xls)"),
    (b"\x89PNG", "une image PNG"),
    (b"%PDF", "un document PDF"),
    (b"\x1f\x8b", "une archive gzip"),
)


@dataclass
class TableLue:
    """Cells as text plus ``_ligne`` (physical line of each record, 1-based)."""

    frame: pd.DataFrame
    fichier: str
    separateur: str
    encodage: str
    avertissements: list[str] = field(default_factory=list)
    rejets: list[tuple[int, str]] = field(default_factory=list)


def normaliser_entete(nom: str) -> str:
    """``" Code INSÉE "`` → ``"code_insee"``: strip, unaccent, casefold, spaces → ``_``."""
    nom = nom.replace("\ufeff", "").strip()
    nom = unicodedata.normalize("NFKD", nom).encode("ascii", "ignore").decode()
    return re.sub(r"[\s\-]+", "_", nom.casefold())


def decoder(contenu: bytes, fichier: str) -> tuple[str, str, list[str]]:
    """Bytes → text. UTF-8 (BOM stripped) first, then Windows-1252 with a notice.

    Refuses empty files, binary formats under a text name, NUL bytes and HTML pages.
    """
    if not contenu.strip():
        raise ErreurFormat("fichier vide", fichier=fichier, conseil="vérifiez le téléchargement")
    for signature, nature in SIGNATURES:
        if contenu.startswith(signature):
            raise ErreurFormat(f"le fichier est en réalité {nature}, pas un CSV", fichier=fichier)
    debut = contenu.lstrip()[:64].lower()
    if debut.startswith((b"<!doctype html", b"<html")):
        raise ErreurFormat("le fichier est une page HTML, pas un CSV", fichier=fichier,
                           conseil="page d'erreur ou de maintenance téléchargée à la place des données")
    position_nul = contenu.find(b"\x00")
    if position_nul >= 0:
        ligne = contenu[:position_nul].count(b"\n") + 1
        colonne = position_nul - contenu.rfind(b"\n", 0, position_nul)
        raise ErreurFormat(f"caractère nul (octet 0x00) à la position {colonne}", fichier=fichier, ligne=ligne)
    avertissements: list[str] = []
    try:
        texte = contenu.decode("utf-8-sig")
        encodage = "UTF-8"
    except UnicodeDecodeError as exc:
        ligne = contenu[: exc.start].count(b"\n") + 1
        if contenu.count(b"\xc3") > 2:  # mostly UTF-8 with a stray byte: refuse
            raise ErreurFormat(
                f"octet 0x{contenu[exc.start]:02X} invalide en UTF-8", fichier=fichier, ligne=ligne,
                conseil="le fichier mélange deux encodages ; réenregistrez-le en UTF-8",
            ) from exc
        texte = contenu.decode("cp1252", errors="strict") if _cp1252_ok(contenu) else contenu.decode("latin-1")
        encodage = "Windows-1252"
        avertissements.append(f"{fichier} : encodage détecté : Windows-1252 (converti en UTF-8)")
    if RE_MOJIBAKE.search(texte):
        ligne = texte[: RE_MOJIBAKE.search(texte).start()].count("\n") + 1  # type: ignore[union-attr]
        avertissements.append(f"{fichier}, ligne {ligne} : texte mal encodé probable (« Ã© » pour « é »)")
    return texte, encodage, avertissements


def _cp1252_ok(contenu: bytes) -> bool:
    try:
        contenu.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def detecter_separateur(premiere_ligne: str, fichier: str, attendu: str | None = None) -> str:
    """The separator of the header line; the expected one wins when present."""
    if attendu and attendu in premiere_ligne:
        return attendu
    comptes = {s: premiere_ligne.count(s) for s in SEPARATEURS}
    meilleur = max(comptes, key=comptes.get)  # type: ignore[arg-type]
    if comptes[meilleur] == 0 and attendu:
        return attendu  # a one-column file
    if comptes[meilleur] == 0:
        raise ErreurFormat(
            "séparateur non reconnu (essayés : ; , tabulation |)", fichier=fichier, ligne=1,
            conseil="le fichier doit être un CSV avec une ligne d'en-tête",
        )
    return meilleur


def lire_csv(
    contenu: bytes,
    fichier: str,
    *,
    colonnes_requises: tuple[str, ...] = (),
    alias: dict[str, str] | None = None,
    separateur: str | None = None,
    strict: bool = True,
    max_lignes: int | None = None,
    max_cellule: int = 10_000,
) -> TableLue:
    """Read ``contenu`` into a text-only frame with canonical column names.

    ``alias`` maps *normalised* historical headers to canonical names (e.g.
    ``elig_cd_4 → elig_thd30``). With ``strict`` a row with the wrong number of
    cells raises; otherwise it is returned in ``rejets`` (never dropped silently).
    """
    texte, encodage, avertissements = decoder(contenu, fichier)
    premiere = texte.split("\n", 1)[0]
    sep = detecter_separateur(premiere, fichier, separateur)
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=sep, strict=False)
    try:
        entete = next(lecteur)
    except StopIteration as exc:  # pragma: no cover - empty handled in decoder
        raise ErreurFormat("fichier vide", fichier=fichier) from exc
    alias = alias or {}
    noms = []
    for brut in entete:
        norme = normaliser_entete(brut)
        noms.append(alias.get(norme, norme))
    vus: dict[str, int] = {}
    for position, nom in enumerate(noms, start=1):
        if nom in vus and nom:
            raise ErreurFormat(
                f"colonne « {nom} » en double (positions {vus[nom]} et {position})",
                fichier=fichier, ligne=1, colonne=nom,
            )
        vus[nom] = position
    manquantes = [c for c in colonnes_requises if c not in vus]
    if manquantes:
        raise ErreurFormat(
            f"colonne attendue « {manquantes[0]} » absente"
            + (f" (et {len(manquantes) - 1} autre(s) : {', '.join(manquantes[1:])})" if len(manquantes) > 1 else "")
            + f" ; colonnes trouvées : {', '.join(n for n in noms if n)[:300]}",
            fichier=fichier, ligne=1, colonne=manquantes[0],
            conseil="le format du fichier a peut-être changé ; le jeu précédent est conservé",
        )
    lignes: list[list[str]] = []
    numeros: list[int] = []
    rejets: list[tuple[int, str]] = []
    fin_precedente = lecteur.line_num
    n = len(noms)
    for enregistrement in lecteur:
        debut = fin_precedente + 1
        fin_precedente = lecteur.line_num
        if not enregistrement or (len(enregistrement) == 1 and not enregistrement[0].strip()):
            continue  # blank line: not a record
        if len(enregistrement) != n:
            message = f"{len(enregistrement)} valeurs au lieu de {n}"
            if lecteur.line_num - debut > 50:
                message += " (guillemet non fermé probable)"
            if strict:
                raise ErreurFormat(message, fichier=fichier, ligne=debut,
                                   conseil="la ligne est mal formée ; rien n'a été importé")
            rejets.append((debut, message))
            continue
        for valeur, nom in zip(enregistrement, noms, strict=True):
            if len(valeur) > max_cellule:
                raise ErreurFormat(f"cellule trop longue ({len(valeur)} caractères)", fichier=fichier,
                                   ligne=debut, colonne=nom)
        lignes.append(enregistrement)
        numeros.append(debut)
        if max_lignes is not None and len(lignes) > max_lignes:
            raise ErreurFormat(f"trop de lignes (plus de {max_lignes})", fichier=fichier, ligne=debut)
    if not lignes and not rejets:
        raise ErreurFormat("aucune ligne de données (en-tête seul)", fichier=fichier, ligne=2)
    gardees = [i for i, nom in enumerate(noms) if nom]
    frame = pd.DataFrame([[ligne[i] for i in gardees] for ligne in lignes],
                         columns=[noms[i] for i in gardees], dtype="str")
    frame[COLONNE_LIGNE] = pd.Series(numeros, dtype="int64")
    return TableLue(frame, fichier, sep, encodage, avertissements, rejets)


def _erreur_cellule(table: TableLue, index: int, colonne: str, message: str) -> ErreurFormat:
    ligne = int(table.frame[COLONNE_LIGNE].iloc[index])
    valeur = str(table.frame[colonne].iloc[index])[:40]
    return ErreurFormat(f"{message} : « {valeur} »", fichier=table.fichier, ligne=ligne, colonne=colonne)


def convertir_nombres(table: TableLue, colonne: str, *, entier: bool = True,
                      masques: frozenset[str] = VALEURS_MASQUEES) -> pd.Series:
    """Text → ``Int64``/``Float64``. Thousands spaces and ``,`` decimals accepted.

    Masked values (``s``, ``nd``, ``secret``…) and empty cells become ``<NA>`` —
    never 0. Anything else that is not a number raises with its line and column.
    """
    brutes = table.frame[colonne].fillna("").astype(str).str.strip()
    nettoyees = brutes.str.translate(ESPACES_MILLIERS).str.replace(",", ".", regex=False)
    manquantes = nettoyees.eq("") | brutes.str.casefold().isin(masques)
    valeurs = pd.to_numeric(nettoyees.where(~manquantes), errors="coerce")
    invalides = valeurs.isna() & ~manquantes
    if invalides.any():
        raise _erreur_cellule(table, int(invalides.to_numpy().argmax()), colonne, "nombre invalide")
    if entier:
        non_entiers = valeurs.notna() & (valeurs % 1 != 0)
        if non_entiers.any():
            raise _erreur_cellule(table, int(non_entiers.to_numpy().argmax()), colonne, "nombre entier attendu")
        negatifs = valeurs < 0
        if negatifs.any():
            raise _erreur_cellule(table, int(negatifs.to_numpy().argmax()), colonne, "nombre négatif inattendu")
        return valeurs.astype("Int64")
    return valeurs.astype("Float64")


def convertir_codes_insee(table: TableLue, colonne: str = "code_insee") -> pd.Series:
    """Normalise INSEE codes as 5-character strings, never numbers.

    ``56121.0`` and 4-digit codes that lost their leading zero are repaired with a
    warning listing the lines; anything else invalid raises with line and column.
    """
    codes = table.frame[colonne].fillna("").astype(str).str.strip().str.upper()
    repares = codes.str.replace(r"^(\d{4,5})\.0+$", r"\1", regex=True)
    repares = repares.where(~repares.str.fullmatch(r"\d{4}"), repares.str.zfill(5))
    modifies = repares != codes
    if modifies.any():
        lignes = table.frame.loc[modifies, COLONNE_LIGNE].astype(str).tolist()
        table.avertissements.append(
            f"{table.fichier}, colonne {colonne} : {int(modifies.sum())} code(s) INSEE réparé(s) "
            f"(zéro initial perdu ou format numérique), lignes {', '.join(lignes[:10])}"
            + ("…" if len(lignes) > 10 else "")
        )
    invalides = ~repares.str.fullmatch(RE_CODE_INSEE)
    if invalides.any():
        raise _erreur_cellule(table, int(invalides.to_numpy().argmax()), colonne, "code INSEE invalide")
    return repares
