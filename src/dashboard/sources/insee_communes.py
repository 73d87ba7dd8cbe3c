"""INSEE per-commune socio-demographic components: census bases + Filosofi poverty rate.

Four official INSEE files, one row per commune of France, ``;``-separated, a header row,
the commune code in ``CODGEO``. Each is published as a zip; the parser accepts the zip (it
extracts the right member) or the CSV itself, and recognises each file by its name pattern
(``evol-struct-pop``, ``diplomes-formation``, ``coupl-fam-men``, ``indic-struct-distrib-revenu``
or ``FILO<aaaa>_DISP_PAUVRES_COM``), so a hand-downloaded later edition imports as well as
the one declared below for ``refresh``.

===========================  =====================================================  ===========================
role                         official file (edition declared for ``refresh``)       columns used
===========================  =====================================================  ===========================
« Évolution et structure     ``base-cc-evol-struct-pop-2021_csv.zip``                ``P21_POP``, ``P21_POP0014``,
de la population »           → ``base-cc-evol-struct-pop-2021.CSV``                  ``P21_POP1529``, ``P21_POP3044``,
                             (page https://www.insee.fr/fr/statistiques/8201904)     ``P21_POP4559``, ``P21_POP6074``,
                                                                                     ``P21_POP7589`` + ``P21_POP90P``
                                                                                     (or ``P21_POP75P``); 65+ from
                                                                                     ``P21_POP65P`` or ``P21_H65P`` +
                                                                                     ``P21_F65P``
« Diplômes – formation »     ``base-cc-diplomes-formation-2021_csv.zip``             ``P21_NSCOL15P``,
                             → ``base-cc-diplomes-formation-2021.CSV``               ``P21_NSCOL15P_DIPLMIN``,
                             (page …/statistiques/8202319)                           ``P21_NSCOL15P_BEPC``
« Couples – familles –       ``base-cc-coupl-fam-men-2021_csv.zip``                  ``C21_MEN``, ``C21_MENPSEUL``
ménages »                    → ``base-cc-coupl-fam-men-2021.CSV``
                             (page …/statistiques/8205182)
Filosofi, « Indicateurs de   ``indic-struct-distrib-revenu-2021-COMMUNES_csv.zip``   ``TP6021`` (taux de pauvreté au
structure et de              → ``FILO2021_DISP_PAUVRES_COM.csv``                     seuil de 60 % du niveau de vie
distribution des revenus »   (page …/statistiques/7756855)                           médian, en %)
===========================  =====================================================  ===========================

What was verified, and where (no Internet here: public third-party code and pages, read
through a search index, not the files themselves):

* File names, zip names and ``https://www.insee.fr/fr/statistiques/fichier/<page>/<zip>``
  URLs of the 2021 census bases (pages 8201904, 8202319, 8205182) and of Filosofi 2021
  (page 7756855, member ``FILO2021_DISP_PAUVRES_COM.csv``, column ``TP6021``): seen in
  several independent public code bases; the 2022 census bases (pages 8581696, 8581488,
  8582452) likewise. One catalogue « constaté le 02/10/2026 » lists the same pages and warns
  that the ``-COM`` suffix of the census CSVs inside the zips designates the *collectivités
  d'outre-mer* (5 rows), not the communes: that member is never read.
* Census columns (third-party code reading the real 2021 and 2022 files): the commune base
  « Évolution et structure » carries **several vintages side by side** (``P22_POP``,
  ``P16_POP``, ``P11_POP`` in the 2022 edition), in 15-year bands ``POP0014 … POP6074``,
  ``POP7589``, ``POP90P``, and by sex ``H65P``/``F65P`` (seen for 2022); the IRIS base
  has ``POP75P`` and ``POP65P`` instead. The vintage is therefore detected from the header
  — the **most recent** ``P<yy>_POP`` — never assumed.
* Diplomas (third-party variable dictionaries): in the 2021/2022 editions, which split
  higher education into ``SUP2``/``SUP34``/``SUP5``, ``NSCOL15P_DIPLMIN`` = « sans diplôme
  ou au plus le CEP » and the brevet is the separate ``NSCOL15P_BEPC``; a 2015-edition
  teaching document describes ``P15_NSCOL15P_DIPLMIN`` (with a single ``NSCOL15P_SUP``) as
  « aucun diplôme ou au plus un BEPC, brevet des collèges ou DNB »; the 2010 edition split
  ``DIPL0``/``CEP``/``BEPC``. The layout is recognised by these signature columns.
* Households come from the *exploitation complémentaire*: prefix ``C`` (``C21_MEN``,
  ``C21_MENPSEUL``), not ``P``. Census values are weighted estimates: decimals are normal
  (``C`` columns everywhere, ``P`` columns in communes of 10 000 inhabitants or more).
* Filosofi masks small communes with ``s`` (secret statistique) or ``nd`` (non disponible);
  files have been read by third parties as UTF-8 and as latin-1 (both accepted here).
  Older Filosofi members are spelt ``FILO2019_DISP_Pauvres_COM.csv``.

Output (tidy, one row per commune of the territory found in the census base, by code):

=============================  ========  =================================================================
column                         dtype     meaning (unit)
=============================  ========  =================================================================
``code_insee``                 str       commune code, 5 characters (``1001`` repaired to ``01001``)
``millesime``                  str       census vintage (``"2021"``), from the column prefix
``population``                 Int64     ``P<yy>_POP`` (inhabitants)
``pop_0_14`` … ``pop_60_74``   Int64     15-year age bands (inhabitants)
``pop_75_plus``                Int64     ``P<yy>_POP75P``, else ``P<yy>_POP7589 + P<yy>_POP90P``
``pop_65_plus``                Int64     ``P<yy>_POP65P``, else ``H65P + F65P``, else ``POP6579 +
                                         POP80P`` — all exact; ``<NA>`` when only the 60–74 band exists
                                         (no apportioning of that band is ever made up)
``non_scolarises_15_plus``     Int64     ``P<yy>_NSCOL15P`` (persons aged 15+ no longer in education);
                                         ``<NA>`` (here and below) if the commune is absent from that base
``peu_diplomes_15_plus``       Int64     among them, no diploma or at most the brevet: ``DIPLMIN + BEPC``
                                         (current layout), ``DIPLMIN`` (older), ``DIPL0 + CEP + BEPC``
``menages``                    Int64     ``C<yy>_MEN`` (households)
``menages_une_personne``       Int64     ``C<yy>_MENPSEUL`` (one-person households)
``taux_pauvrete``              Float64   ``TP60<yy>`` (%, 0–100); ``<NA>`` when not published — never 0
``taux_pauvrete_masque``       boolean   True when the rate is not published: ``s``, ``nd``, ``ns``,
                                         empty cell, or commune absent from the Filosofi file
=============================  ========  =================================================================

Counts are the published weighted estimates summed *before* rounding, then rounded to the
nearest integer (half up). Checks that raise :class:`ErreurFormat` (file, line, column, in
French): missing column, non-numeric or negative count, duplicated code, invalid code, a
territory row with an empty census value, bands that do not add up to the population,
65+ below 75+, a subgroup above its total, a poverty rate outside 0–100, census bases of
different vintages. ``edition`` is the 1st of January of the census vintage; the label
names both vintages (« recensement 2021, Filosofi 2021 »).

Functions: :func:`attribuer` (file → base), :func:`extraire` (zip member), :func:`ouvrir`
(decode, header), :func:`table` (selected columns with physical line numbers, streaming),
:func:`millesime` (vintage from the header), then one reader per base —
:func:`lire_evol_struct_pop`, :func:`lire_diplomes`, :func:`lire_menages`,
:func:`lire_filosofi` — each returning a :class:`Lu` indexed by INSEE code.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import numpy as np
import pandas as pd

from dashboard.erreurs import ErreurFormat
from dashboard.sources.base import Colonne, Contexte, Fichier, Resultat, Source, typer, valider_schema
from dashboard.sources.lecture import (
    COLONNE_LIGNE,
    VALEURS_MASQUEES,
    TableLue,
    convertir_codes_insee,
    convertir_nombres,
    decoder,
    detecter_separateur,
    normaliser_entete,
)

URL_FICHIER = "https://www.insee.fr/fr/statistiques/fichier/"
MASQUES_FILOSOFI = VALEURS_MASQUEES | {"ns"}
TAILLE_MAX_MEMBRE = 1_500_000_000  # bytes, far above the national CSVs (≈ 250 MB)
MAX_CELLULE = 10_000
#: tolerance when checking that the age bands add up to the population (weighted estimates)
TOLERANCE_ABSOLUE, TOLERANCE_RELATIVE = 1.0, 0.001
#: census 15-year bands (column suffix) → output column
BANDES = {"0014": "pop_0_14", "1529": "pop_15_29", "3044": "pop_30_44", "4559": "pop_45_59", "6074": "pop_60_74"}


@dataclass(frozen=True)
class Base:
    """One official file: role, official zip name and URL, how to recognise it."""

    role: str
    libelle: str
    fichier_officiel: str
    page: str
    motif_nom: re.Pattern
    motif_membre: re.Pattern

    @property
    def url(self) -> str:
        return f"{URL_FICHIER}{self.page}/{self.fichier_officiel}"


BASES = (
    Base("evol_struct_pop", "« Évolution et structure de la population »", "base-cc-evol-struct-pop-2021_csv.zip",
         "8201904", re.compile(r"evol[-_]struct[-_]pop", re.I),
         re.compile(r"^base[-_]cc[-_]evol[-_]struct[-_]pop[-_]\d{4}\.csv$", re.I)),
    Base("diplomes", "« Diplômes – formation »", "base-cc-diplomes-formation-2021_csv.zip",
         "8202319", re.compile(r"diplomes[-_]formation", re.I),
         re.compile(r"^base[-_]cc[-_]diplomes[-_]formation[-_]\d{4}\.csv$", re.I)),
    Base("menages", "« Couples – familles – ménages »", "base-cc-coupl-fam-men-2021_csv.zip",
         "8205182", re.compile(r"coupl[-_]fam[-_]men", re.I),
         re.compile(r"^base[-_]cc[-_]coupl[-_]fam[-_]men[-_]\d{4}\.csv$", re.I)),
    Base("filosofi", "Filosofi (taux de pauvreté)", "indic-struct-distrib-revenu-2021-COMMUNES_csv.zip",
         "7756855", re.compile(r"indic[-_]struct[-_]distrib[-_]revenu|filo\d{4}[-_]disp[-_]pauvres", re.I),
         re.compile(r"^filo\d{4}_disp_pauvres_com\.csv$", re.I)),
)
BASE_PAR_ROLE = {b.role: b for b in BASES}
RE_COM_OUTRE_MER = re.compile(r"-com\.csv$", re.I)


def annee_du_prefixe(yy: str) -> int:
    """Two-digit census year → year: ``"21" → 2021``, ``"99" → 1999`` (RP 1999)."""
    n = int(yy)
    return 1900 + n if n >= 60 else 2000 + n


# --------------------------------------------------------------------------- reading
@dataclass
class FichierCsv:
    """A decoded CSV: text, separator, header normalised then upper-cased (``P21_POP``)."""

    fichier: str
    texte: str
    separateur: str
    encodage: str
    noms: list[str]
    avertissements: list[str] = field(default_factory=list)


def extraire(contenu: bytes, fichier: str, base: Base) -> tuple[str, bytes]:
    """The CSV of ``base``: ``contenu`` itself, or the one right member of a zip archive.

    Returns ``(name used in messages, bytes)``. Metadata (``meta_…``) and overseas
    collectivities (``…-COM.CSV``) members are never taken.
    """
    if not contenu.startswith(b"PK\x03\x04"):
        if base.role != "filosofi" and RE_COM_OUTRE_MER.search(fichier):
            raise ErreurFormat(
                "ce fichier « -COM » couvre les collectivités d'outre-mer, pas les communes", fichier=fichier,
                conseil=f"fournissez le fichier principal de la base {base.libelle} (sans « -COM »)",
            )
        return fichier, contenu
    try:
        archive = zipfile.ZipFile(io.BytesIO(contenu))
    except zipfile.BadZipFile as exc:
        raise ErreurFormat("archive zip illisible ou tronquée", fichier=fichier,
                           conseil="téléchargez-la de nouveau") from exc
    membres = [i for i in archive.infolist()
               if not i.is_dir() and base.motif_membre.match(PurePosixPath(i.filename).name)]
    if len(membres) != 1:
        contenu_archive = ", ".join(PurePosixPath(i.filename).name for i in archive.infolist())[:300]
        raise ErreurFormat(
            (f"aucun fichier de la base {base.libelle} dans l'archive" if not membres else
             f"{len(membres)} fichiers de la base {base.libelle} dans l'archive, un seul attendu")
            + f" (contenu : {contenu_archive or 'vide'})", fichier=fichier,
            conseil="l'archive n'est pas celle attendue ou sa structure a changé",
        )
    info = membres[0]
    if info.file_size > TAILLE_MAX_MEMBRE:
        raise ErreurFormat(f"fichier de {info.file_size} octets dans l'archive : taille anormale", fichier=fichier)
    nom = f"{fichier} › {PurePosixPath(info.filename).name}"
    try:
        return nom, archive.read(info)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ErreurFormat("archive zip corrompue (lecture impossible)", fichier=nom) from exc


def ouvrir(contenu: bytes, fichier: str) -> FichierCsv:
    """Decode, find the separator (``;`` expected) and read the header; ``CODGEO`` is required."""
    texte, encodage, avertissements = decoder(contenu, fichier)
    fin = texte.find("\n")
    premiere = texte if fin < 0 else texte[:fin]  # not split(): it would copy the whole file
    separateur = detecter_separateur(premiere, fichier, ";")
    entete = next(csv.reader(io.StringIO(premiere.rstrip("\r")), delimiter=separateur))
    noms = [normaliser_entete(n).upper() for n in entete]
    vus: dict[str, int] = {}
    for position, nom in enumerate(noms, start=1):
        if nom and nom in vus:
            raise ErreurFormat(f"colonne « {nom} » en double (positions {vus[nom]} et {position})",
                               fichier=fichier, ligne=1, colonne=nom)
        vus[nom] = position
    if "CODGEO" not in vus:
        raise ErreurFormat(
            f"colonne attendue « CODGEO » absente ; colonnes trouvées : {', '.join(noms)[:300]}",
            fichier=fichier, ligne=1, colonne="CODGEO",
            conseil="le fichier n'est pas une base communale INSEE (ou son format a changé)",
        )
    return FichierCsv(fichier, texte, separateur, encodage, noms, avertissements)


def exiger(csv_: FichierCsv, colonnes: list[str]) -> None:
    """Every one of ``colonnes`` is in the header, else a French error naming the first missing."""
    manquantes = [c for c in colonnes if c not in csv_.noms]
    if manquantes:
        autres = f" (et {len(manquantes) - 1} autre(s) : {', '.join(manquantes[1:])})" \
            if len(manquantes) > 1 else ""
        raise ErreurFormat(
            f"colonne attendue « {manquantes[0]} » absente{autres}", fichier=csv_.fichier, ligne=1,
            colonne=manquantes[0],
            conseil="le format du fichier a peut-être changé ; l'édition précédente est conservée",
        )


def lignes_physiques(texte: str) -> Iterator[str]:
    """The lines of ``texte`` with their ``\n``, lazily: ``io.StringIO`` would hold a second,
    up to four times larger copy of a 250 MB national file."""
    debut, taille = 0, len(texte)
    while debut < taille:
        fin = texte.find("\n", debut)
        if fin < 0:
            yield texte[debut:]
            return
        yield texte[debut:fin + 1]
        debut = fin + 1


def table(csv_: FichierCsv, colonnes: list[str]) -> TableLue:
    """Only ``CODGEO`` and ``colonnes`` as text, with the physical line of each record.

    The national bases have 100 to 330 columns and ~35 000 rows: keeping a dozen columns
    keeps memory low. Every record is still checked for its number of cells.
    """
    exiger(csv_, colonnes)
    gardees = ["CODGEO", *colonnes]
    positions = [csv_.noms.index(c) for c in gardees]
    lecteur = csv.reader(lignes_physiques(csv_.texte), delimiter=csv_.separateur, strict=False)
    next(lecteur)
    n = len(csv_.noms)
    lignes: list[list[str]] = []
    numeros: list[int] = []
    fin_precedente = lecteur.line_num
    for enregistrement in lecteur:
        debut = fin_precedente + 1
        fin_precedente = lecteur.line_num
        if not enregistrement or (len(enregistrement) == 1 and not enregistrement[0].strip()):
            continue
        if len(enregistrement) != n:
            raise ErreurFormat(f"{len(enregistrement)} valeurs au lieu de {n}", fichier=csv_.fichier, ligne=debut,
                               conseil="la ligne est mal formée ; rien n'a été importé")
        cellules = [enregistrement[p] for p in positions]
        for valeur, nom in zip(cellules, gardees, strict=True):
            if len(valeur) > MAX_CELLULE:
                raise ErreurFormat(f"cellule trop longue ({len(valeur)} caractères)", fichier=csv_.fichier,
                                   ligne=debut, colonne=nom)
        lignes.append(cellules)
        numeros.append(debut)
    if not lignes:
        raise ErreurFormat("aucune ligne de données (en-tête seul)", fichier=csv_.fichier, ligne=2)
    frame = pd.DataFrame(lignes, columns=gardees, dtype="str")
    frame[COLONNE_LIGNE] = pd.Series(numeros, dtype="int64")
    return TableLue(frame, csv_.fichier, csv_.separateur, csv_.encodage, list(csv_.avertissements), [])


def millesime(csv_: FichierCsv, motif: str, attendu: str) -> tuple[int, str]:
    """Most recent vintage among columns matching ``motif`` (one group: the 2-digit year).

    Returns ``(year, yy)``: ``(2021, "21")``. Several vintages in one file are normal.
    """
    trouves = {}
    for nom in csv_.noms:
        correspondance = re.fullmatch(motif, nom)
        if correspondance:
            yy = correspondance.group(1)
            trouves[annee_du_prefixe(yy)] = yy
    if not trouves:
        raise ErreurFormat(f"aucune colonne {attendu} (millésime introuvable)", fichier=csv_.fichier, ligne=1,
                           colonne=attendu, conseil="le fichier n'est pas la base INSEE attendue")
    annee = max(trouves)
    return annee, trouves[annee]


def nombres(table_: TableLue, colonnes: list[str], *, masques: frozenset[str] = frozenset()) -> dict[str, pd.Series]:
    """Census counts as ``Float64`` (weighted estimates); any non-number or negative raises."""
    valeurs = {}
    for colonne in colonnes:
        serie = convertir_nombres(table_, colonne, entier=False, masques=masques)
        negatifs = serie < 0
        if negatifs.fillna(False).any():
            i = int(negatifs.fillna(False).to_numpy().argmax())
            raise ErreurFormat(f"nombre négatif : « {table_.frame[colonne].iloc[i]} »", fichier=table_.fichier,
                               ligne=int(table_.frame[COLONNE_LIGNE].iloc[i]), colonne=colonne)
        valeurs[colonne] = serie
    return valeurs


def arrondir(serie: pd.Series) -> pd.Series:
    """Nearest integer, half up (``2.5 → 3``), ``Int64``; ``<NA>`` stays ``<NA>``."""
    return np.floor(serie.astype("Float64") + 0.5).astype("Int64")


def codes_et_lignes(table_: TableLue, contexte: Contexte) -> pd.DataFrame:
    """Codes repaired and unique; the territory's rows (their index in ``table_.frame``)."""
    codes = convertir_codes_insee(table_, "CODGEO")
    doublons = codes.duplicated(keep="first")
    if doublons.any():
        i = int(doublons.to_numpy().argmax())
        raise ErreurFormat(f"commune « {codes.iloc[i]} » en double", fichier=table_.fichier,
                           ligne=int(table_.frame[COLONNE_LIGNE].iloc[i]), colonne="CODGEO",
                           conseil="une commune ne doit figurer qu'une fois")
    table_.frame["CODGEO"] = codes
    return table_.frame[codes.isin(contexte.codes_communes)]


def exiger_valeurs(table_: TableLue, lignes: pd.DataFrame, valeurs: dict[str, pd.Series]) -> None:
    """No empty census value for a commune of the territory (the census masks nothing)."""
    for colonne, serie in valeurs.items():
        vides = serie.loc[lignes.index].isna()
        if vides.any():
            i = vides.index[vides.to_numpy().argmax()]
            raise ErreurFormat("valeur manquante pour une commune du territoire", fichier=table_.fichier,
                               ligne=int(table_.frame.at[i, COLONNE_LIGNE]), colonne=colonne,
                               conseil="le recensement publie toutes les communes ; le fichier est incomplet")


def erreur_ligne(table_: TableLue, index: object, colonne: str, message: str) -> ErreurFormat:
    return ErreurFormat(message, fichier=table_.fichier, ligne=int(table_.frame.at[index, COLONNE_LIGNE]),
                        colonne=colonne)


# --------------------------------------------------------------------------- the four bases
@dataclass
class Lu:
    """One base read: its vintage, the territory rows (by code) and notes."""

    annee: int
    frame: pd.DataFrame  # indexed by code_insee
    lignes_lues: int
    avertissements: list[str]


def lire_evol_struct_pop(contenu: bytes, fichier: str, contexte: Contexte) -> Lu:
    """Population, 15-year bands, 75+ and 65+ of the most recent vintage of the file."""
    csv_ = ouvrir(contenu, fichier)
    annee, yy = millesime(csv_, r"P(\d\d)_POP", "P<aa>_POP (ex. P21_POP)")
    p = f"P{yy}_"
    notes: list[str] = []
    bandes = [f"{p}POP{b}" for b in BANDES]
    plus_75 = [f"{p}POP75P"] if f"{p}POP75P" in csv_.noms else [f"{p}POP7589", f"{p}POP90P"]
    for candidats in ([f"{p}POP65P"], [f"{p}H65P", f"{p}F65P"], [f"{p}POP6579", f"{p}POP80P"]):
        if all(c in csv_.noms for c in candidats):
            plus_65 = candidats
            break
    else:
        plus_65 = []
        notes.append(f"{fichier} : pas de colonne des 65 ans ou plus ({p}POP65P, {p}H65P et {p}F65P, "
                     f"{p}POP6579 et {p}POP80P) ; pop_65_plus laissée non disponible (la tranche 60-74 ans "
                     "n'est jamais répartie par hypothèse)")
    colonnes = [f"{p}POP", *bandes, *plus_75, *plus_65]
    lue = table(csv_, colonnes)
    lignes = codes_et_lignes(lue, contexte)
    valeurs = nombres(lue, colonnes)
    exiger_valeurs(lue, lignes, valeurs)
    v = {c: s.loc[lignes.index] for c, s in valeurs.items()}
    total = v[f"{p}POP"]
    somme_bandes = sum(v[c] for c in [*bandes, *plus_75])
    trop = (somme_bandes - total).abs() > TOLERANCE_ABSOLUE + TOLERANCE_RELATIVE * total
    if trop.any():
        i = trop.index[trop.to_numpy().argmax()]
        raise erreur_ligne(lue, i, f"{p}POP",
                           f"la somme des tranches d'âge ({float(somme_bandes[i]):.0f}) diffère de la population "
                           f"({float(total[i]):.0f}) : colonnes décalées ou fichier altéré")
    pop_75 = sum(v[c] for c in plus_75)
    if plus_65:
        pop_65 = sum(v[c] for c in plus_65)
        incoherent = (pop_65 + TOLERANCE_ABSOLUE < pop_75) | (pop_65 > pop_75 + v[f"{p}POP6074"] + TOLERANCE_ABSOLUE)
        if incoherent.any():
            i = incoherent.index[incoherent.to_numpy().argmax()]
            raise erreur_ligne(lue, i, plus_65[0], f"65 ans ou plus ({' + '.join(plus_65)}) incohérent avec les "
                               "tranches 60-74 ans et 75 ans ou plus")
    else:
        pop_65 = pd.Series(pd.NA, index=total.index, dtype="Float64")
    if len(plus_75) == 1:
        notes.append(f"{fichier} : 75 ans ou plus lus dans {plus_75[0]} (ancienne présentation)")
    frame = pd.DataFrame({
        "code_insee": lignes["CODGEO"],
        "population": arrondir(total),
        **{nom: arrondir(v[f"{p}POP{b}"]) for b, nom in BANDES.items()},
        "pop_75_plus": arrondir(pop_75),
        "pop_65_plus": arrondir(pop_65),
    }).set_index("code_insee")
    return Lu(annee, frame, len(lue.frame), [*lue.avertissements, *notes])


def lire_diplomes(contenu: bytes, fichier: str, contexte: Contexte) -> Lu:
    """Non-students aged 15+, and among them those with no diploma or at most the brevet.

    The layout is recognised by its signature columns, not by its year: ``…_BEPC`` beside
    ``…_DIPLMIN`` (current: DIPLMIN = at most CEP); ``…_DIPL0``/``_CEP``/``_BEPC`` (oldest);
    ``…_DIPLMIN`` with a single ``…_SUP`` and no ``…_SUP5`` (older: DIPLMIN includes BEPC).
    """
    csv_ = ouvrir(contenu, fichier)
    annee, yy = millesime(csv_, r"P(\d\d)_NSCOL15P", "P<aa>_NSCOL15P (ex. P21_NSCOL15P)")
    p = f"P{yy}_NSCOL15P"
    notes: list[str] = []
    noms = set(csv_.noms)
    if {f"{p}_DIPLMIN", f"{p}_BEPC"} <= noms:
        peu = [f"{p}_DIPLMIN", f"{p}_BEPC"]
    elif {f"{p}_DIPL0", f"{p}_CEP", f"{p}_BEPC"} <= noms:
        peu = [f"{p}_DIPL0", f"{p}_CEP", f"{p}_BEPC"]
        notes.append(f"{fichier} : présentation ancienne des diplômes ({' + '.join(peu)})")
    elif {f"{p}_DIPLMIN", f"{p}_SUP"} <= noms and f"{p}_SUP5" not in noms:
        peu = [f"{p}_DIPLMIN"]
        notes.append(f"{fichier} : présentation ancienne des diplômes ({p}_DIPLMIN comprend déjà le BEPC)")
    else:
        peu = [f"{p}_DIPLMIN", f"{p}_BEPC"]  # current layout expected: exiger() names what is missing
    colonnes = [p, *peu]
    lue = table(csv_, colonnes)
    lignes = codes_et_lignes(lue, contexte)
    valeurs = nombres(lue, colonnes)
    exiger_valeurs(lue, lignes, valeurs)
    v = {c: s.loc[lignes.index] for c, s in valeurs.items()}
    somme = sum(v[c] for c in peu)
    depasse = somme > v[p] + TOLERANCE_ABSOLUE
    if depasse.any():
        i = depasse.index[depasse.to_numpy().argmax()]
        raise erreur_ligne(lue, i, peu[0], "plus de peu diplômés que de personnes non scolarisées")
    frame = pd.DataFrame({
        "code_insee": lignes["CODGEO"],
        "non_scolarises_15_plus": arrondir(v[p]),
        "peu_diplomes_15_plus": arrondir(somme),
    }).set_index("code_insee")
    return Lu(annee, frame, len(lue.frame), [*lue.avertissements, *notes])


def lire_menages(contenu: bytes, fichier: str, contexte: Contexte) -> Lu:
    """Households and one-person households (exploitation complémentaire, prefix ``C``)."""
    csv_ = ouvrir(contenu, fichier)
    annee, yy = millesime(csv_, r"C(\d\d)_MEN", "C<aa>_MEN (ex. C21_MEN)")
    colonnes = [f"C{yy}_MEN", f"C{yy}_MENPSEUL"]
    lue = table(csv_, colonnes)
    lignes = codes_et_lignes(lue, contexte)
    valeurs = nombres(lue, colonnes)
    exiger_valeurs(lue, lignes, valeurs)
    men, seul = (valeurs[c].loc[lignes.index] for c in colonnes)
    depasse = seul > men + TOLERANCE_ABSOLUE
    if depasse.any():
        i = depasse.index[depasse.to_numpy().argmax()]
        raise erreur_ligne(lue, i, colonnes[1], "plus de ménages d'une personne que de ménages")
    frame = pd.DataFrame({"code_insee": lignes["CODGEO"], "menages": arrondir(men),
                          "menages_une_personne": arrondir(seul)}).set_index("code_insee")
    return Lu(annee, frame, len(lue.frame), list(lue.avertissements))


def lire_filosofi(contenu: bytes, fichier: str, contexte: Contexte) -> Lu:
    """Poverty rate at 60 % of the median standard of living (%); masked values kept ``<NA>``."""
    csv_ = ouvrir(contenu, fichier)
    annee, yy = millesime(csv_, r"TP60(\d\d)", "TP60<aa> (ex. TP6021)")
    colonne = f"TP60{yy}"
    lue = table(csv_, [colonne])
    lignes = codes_et_lignes(lue, contexte)
    taux = convertir_nombres(lue, colonne, entier=False, masques=MASQUES_FILOSOFI)
    hors = ((taux < 0) | (taux > 100)).fillna(False)
    if hors.any():
        i = taux.index[hors.to_numpy().argmax()]
        raise erreur_ligne(lue, i, colonne, f"taux de pauvreté hors de 0-100 % : « {lue.frame.at[i, colonne]} »")
    frame = pd.DataFrame({"code_insee": lignes["CODGEO"],
                          "taux_pauvrete": taux.loc[lignes.index]}).set_index("code_insee")
    return Lu(annee, frame, len(lue.frame), list(lue.avertissements))


LECTEURS = {"evol_struct_pop": lire_evol_struct_pop, "diplomes": lire_diplomes, "menages": lire_menages,
            "filosofi": lire_filosofi}


def attribuer(fichiers: dict[str, bytes]) -> tuple[dict[str, tuple[str, bytes]], list[str]]:
    """Recognise each given file (zip or CSV, official or extracted name) as one of the four bases."""
    roles: dict[str, tuple[str, bytes]] = {}
    ignores: list[str] = []
    for nom, contenu in fichiers.items():
        court = PurePosixPath(nom).name
        base = next((b for b in BASES if b.motif_nom.search(court)), None)
        if base is None:
            ignores.append(court)
            continue
        if base.role in roles:
            raise ErreurFormat(f"deux fichiers pour la base {base.libelle} : {roles[base.role][0]} et {court}",
                               conseil="ne fournissez qu'une édition de chaque base")
        roles[base.role] = (court, contenu)
    manquantes = [b for b in BASES if b.role not in roles]
    if manquantes:
        raise ErreurFormat(
            "fichier(s) manquant(s) pour la source insee_communes : "
            + ", ".join(f"{b.libelle} ({b.fichier_officiel})" for b in manquantes),
            conseil="fournissez les quatre fichiers INSEE (archives zip ou CSV extraits)",
        )
    avertissements = [f"fichier non reconnu, ignoré : {n}" for n in ignores]
    return roles, avertissements


# --------------------------------------------------------------------------- the source
class SourceInseeCommunes(Source):
    identifiant = "insee_communes"
    titre = "Recensement de la population et Filosofi — composantes socio-démographiques par commune"
    producteur = "INSEE"
    licence = "Licence Ouverte 2.0"
    page = "https://www.insee.fr/fr/statistiques/8201904"
    frequence = "annuelle"
    fichiers = tuple(Fichier(b.fichier_officiel, b.url, f"{b.libelle}, base communale "
                             f"(https://www.insee.fr/fr/statistiques/{b.page})") for b in BASES)
    colonnes = (
        Colonne("code_insee", "texte", "code INSEE de la commune (5 caractères)"),
        Colonne("millesime", "texte", "millésime du recensement (année de référence)"),
        Colonne("population", "entier", "population municipale au recensement", "habitants"),
        Colonne("pop_0_14", "entier", "habitants de 0 à 14 ans", "habitants"),
        Colonne("pop_15_29", "entier", "habitants de 15 à 29 ans", "habitants"),
        Colonne("pop_30_44", "entier", "habitants de 30 à 44 ans", "habitants"),
        Colonne("pop_45_59", "entier", "habitants de 45 à 59 ans", "habitants"),
        Colonne("pop_60_74", "entier", "habitants de 60 à 74 ans", "habitants"),
        Colonne("pop_75_plus", "entier", "habitants de 75 ans ou plus", "habitants"),
        Colonne("pop_65_plus", "entier", "habitants de 65 ans ou plus (non disponible si le fichier ne le "
                "permet pas exactement)", "habitants", nullable=True),
        Colonne("non_scolarises_15_plus", "entier", "personnes de 15 ans ou plus non scolarisées", "personnes",
                nullable=True),
        Colonne("peu_diplomes_15_plus", "entier", "parmi elles, sans diplôme ou au plus le brevet des collèges",
                "personnes", nullable=True),
        Colonne("menages", "entier", "ménages", "ménages", nullable=True),
        Colonne("menages_une_personne", "entier", "ménages d'une personne", "ménages", nullable=True),
        Colonne("taux_pauvrete", "decimal", "taux de pauvreté au seuil de 60 % du niveau de vie médian "
                "(Filosofi) ; non disponible quand l'INSEE ne le diffuse pas", "%", nullable=True),
        Colonne("taux_pauvrete_masque", "booleen", "taux de pauvreté non diffusé (secret statistique, "
                "non disponible ou commune absente du fichier Filosofi)"),
    )

    def lire_et_valider(self, fichiers: dict[str, bytes], contexte: Contexte) -> Resultat:
        """Files are recognised by their name pattern (zip or extracted CSV, any edition),
        not by the exact names declared for ``refresh``; then the schema is checked."""
        resultat = self.lire(fichiers, contexte)
        valider_schema(resultat.frame, self.colonnes, self.identifiant)
        return resultat

    def lire(self, fichiers: dict[str, bytes], contexte: Contexte) -> Resultat:
        roles, avertissements = attribuer(fichiers)
        lus: dict[str, Lu] = {}
        for role, (nom, contenu) in roles.items():
            nom_csv, octets = extraire(contenu, nom, BASE_PAR_ROLE[role])
            lus[role] = LECTEURS[role](octets, nom_csv, contexte)
            avertissements.extend(lus[role].avertissements)
        annees_rp = {role: lus[role].annee for role in ("evol_struct_pop", "diplomes", "menages")}
        if len(set(annees_rp.values())) > 1:
            raise ErreurFormat(
                "bases du recensement de millésimes différents : "
                + ", ".join(f"{BASE_PAR_ROLE[r].libelle} {a}" for r, a in annees_rp.items()),
                conseil="utilisez les trois bases d'une même édition du recensement",
            )
        annee = annees_rp["evol_struct_pop"]
        population = lus["evol_struct_pop"].frame
        if population.empty:
            raise ErreurFormat(
                f"aucune commune du territoire dans la base {BASE_PAR_ROLE['evol_struct_pop'].libelle}",
                fichier=roles["evol_struct_pop"][0],
                conseil="fichier d'un autre territoire, ou géographie communale différente de la référence",
            )
        frame = population.join([lus["diplomes"].frame, lus["menages"].frame, lus["filosofi"].frame], how="left")
        frame = frame.reset_index().sort_values("code_insee").reset_index(drop=True)
        frame.insert(1, "millesime", str(annee))
        frame["taux_pauvrete_masque"] = frame["taux_pauvrete"].isna()

        absentes = sorted(contexte.codes_communes - set(frame["code_insee"]))
        if absentes:
            avertissements.append(f"{len(absentes)} commune(s) du territoire absente(s) du recensement : "
                                  + ", ".join(absentes))
        for role, colonne in (("diplomes", "non_scolarises_15_plus"), ("menages", "menages")):
            manque = frame.loc[frame[colonne].isna(), "code_insee"].tolist()
            if manque:
                avertissements.append(f"commune(s) absente(s) de la base {BASE_PAR_ROLE[role].libelle} : "
                                      + ", ".join(manque))
        masquees = frame.loc[frame["taux_pauvrete_masque"], "code_insee"].tolist()
        if masquees:
            avertissements.append(
                f"taux de pauvreté non diffusé par l'INSEE (secret statistique ou commune absente de Filosofi) "
                f"pour {len(masquees)} commune(s) : {', '.join(masquees)}"
            )
        annee_filo = lus["filosofi"].annee
        return Resultat(
            frame=typer(frame, self.colonnes),
            edition=f"{annee}-01-01",
            libelle_edition=f"recensement {annee}, Filosofi {annee_filo}",
            lignes_lues=sum(lu.lignes_lues for lu in lus.values()),
            avertissements=avertissements,
        )


SOURCE = SourceInseeCommunes()
