"""ARCEP « Ma connexion internet » (MCI): fixed-broadband eligibility statistics per commune.

Five national files of one quarterly edition, ``;``-separated UTF-8, one row per commune
(about 34 900), published under ``statistiques/last/commune/`` at data.arcep.fr:

======================================  ==========================  =============================================
official file                           ``fichier`` in the output    measures (``mesure``), all in locaux
======================================  ==========================  =============================================
``commune_debit_filaire.csv``           ``debit_filaire``            ``nbr``, ``inel_hd``, ``elig_hd05``,
``commune_debit_terrestre.csv``         ``debit_terrestre``          ``elig_hd3``, ``elig_bhd8``, ``elig_thd30``,
``commune_debit.csv``                   ``debit``                    ``elig_thd100``, ``elig_thd1g``
``commune_meilleure_techno_thd.csv``    ``meilleure_techno_thd``     ``nbr``, ``nbr_elig_8``, ``elig_ftth``,
                                                                     ``elig_coax``, ``elig_cu_30``, ``elig_thdr``,
                                                                     ``elig_cu_8``, ``elig_4gf``, ``elig_hdr``,
                                                                     ``elig_sat``
``commune_techno.csv``                  ``techno``                   ``nbr``, ``elig_ftth``, ``elig_coax``,
                                                                     ``elig_cu`` (or ``elig_cu_30`` + ``elig_cu_8``),
                                                                     ``elig_thdr``, ``elig_4gf``, ``elig_hdr``,
                                                                     ``elig_sat`` (+ ``elig_ftth_rad`` in 2021 files)
======================================  ==========================  =============================================

What the numbers mean (ARCEP documentation, see ``data-sources.md`` §3.1):

* ``nbr``: locaux (logements + locaux professionnels) of the commune.
* ``debit_*``: **cumulative thresholds**, not a partition: ``elig_thd30`` counts the locaux
  eligible to *at least* 30 Mbit/s, and is included in ``elig_bhd8`` (≥ 8 Mbit/s), itself in
  ``elig_hd3`` (≥ 3), ``elig_hd05`` (≥ 512 kbit/s). ``inel_hd`` = locaux below 512 kbit/s.
  ``_filaire`` = wired networks only (fibre, cable, copper): use it for « zones blanches »;
  ``_terrestre`` adds fixed radio (4G fixe, THD/HD radio); ``debit`` adds satellite, hence
  ≈ 100 % everywhere.
* ``techno``: eligibility per technology; columns **overlap** (one local may have FttH,
  copper and satellite).
* ``meilleure_techno_thd``: each local with a ≥ 8 Mbit/s offer counted **once**, under its
  best technology; the 8 technology columns sum to ``nbr_elig_8``, and
  ``nbr − nbr_elig_8`` locaux have no ≥ 8 Mbit/s offer at all.

Output (tidy, long): ``code``, ``niveau``, ``fichier``, ``mesure``, ``valeur``, ``date``.
Commune rows only for the communes of the territory; plus comparison rows, the sums over
every commune of the file in the territory's département (``niveau="departement"``), region
(``"region"``) and the whole file (``"france"``, code ``"FR"``) — but only when the file
holds at least 90 % of that area's communes (otherwise a partial national file would give
a wrong comparison; an avertissement says so).

Historical variants accepted (each noted in an avertissement):

* 2021 speed columns ``elig_cd_1 … elig_cd_6`` → ``elig_hd05, elig_hd3, elig_bhd8, elig_thd30,
  elig_thd100, elig_thd1g`` (ARCEP-dev documentation of 2021).
* ``commune_techno`` with ``elig_cu_30`` and ``elig_cu_8`` instead of ``elig_cu`` (one study
  reports that layout): both are kept under their own names. ``elig_cu`` is *not*
  reconstructed: copper below 8 Mbit/s is not in those columns, so no sum would be right.
* 2021 ``commune_techno`` columns: ``elig_ftth_rac`` (locaux raccordables) → ``elig_ftth``,
  which is what ``elig_ftth`` counts today; ``elig_ftth_rad`` (raccordables à la demande) is
  kept as its own measure ``elig_ftth_rad`` and *not* added to ``elig_ftth`` (the two may
  overlap, and today's definition is not documented to include them); ``elig_wimax`` →
  ``elig_hdr`` (WiMAX was the HD radio technology: ARCEP code ``WMX``/HDR). A renaming is
  applied only when the current name is absent; both present is an error.
* ``type``: current files only have ``all``; the 2021 documentation also allowed ``log``
  (logements) and ``loc`` (locaux professionnels). Only ``all`` rows are kept; the others
  are listed in ``lignes_rejetees`` with their reason (accepted + rejected = read).
* ``nom_com``, ``code_dep``, ``code_reg``, ``type`` are optional: a file without
  ``code_dep`` gets it from the INSEE code; without ``code_reg``, from the
  ``code_dep → code_reg`` pairs of the other files of the edition; without ``type``, every
  row is taken as ``all`` (with an avertissement each time).
* Codes that lost their leading zero (``1001``, département ``1``) are repaired with an
  avertissement; columns are selected by name, never by position; unknown extra columns
  are ignored with an avertissement.

Consistency checks, and why each is an error or a warning:

* **Error** — a count above ``nbr`` (any eligibility column, any file), a negative or
  non-integer count, an empty/masked cell, a duplicated commune, a ``date`` that is not
  ISO or differs between rows or between the five files, and in ``meilleure_techno_thd``
  8 technology columns whose sum differs from ``nbr_elig_8``. These cannot happen in a
  correct file: they mean shifted columns, a truncated or hand-edited file, or files of
  different editions. Loading them would put wrong numbers on screen; refusing keeps the
  last good edition, and the message names file, line and column.
* **Warning, escalated to an error when widespread** — cumulative thresholds that
  increase (``elig_thd100 > elig_thd30`` …). By definition they nest, so a violation on a
  few rows is an anomaly of those communes' data, not of the layout: refusing the whole
  national edition for one commune elsewhere in France would deprive the territory of its
  new figures, so the rows are kept and listed in an avertissement (each count remains
  meaningful on its own). When more than 10 % of a file's rows violate the order, the
  columns are almost surely permuted or wrongly mapped (e.g. ``elig_cd_N`` that would be
  classes rather than thresholds): that is an error.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from dashboard import formats
from dashboard.erreurs import ErreurFormat
from dashboard.sources.base import Colonne, Contexte, Fichier, Resultat, Source, typer
from dashboard.sources.lecture import COLONNE_LIGNE, TableLue, convertir_codes_insee, convertir_nombres, lire_csv

URL_BASE = "https://data.arcep.fr/fixe/maconnexioninternet/statistiques/last/commune/"

#: official file name → short name used in the ``fichier`` column (declaration order = output order)
FICHIERS_MCI: dict[str, str] = {
    "commune_debit_filaire.csv": "debit_filaire",
    "commune_debit_terrestre.csv": "debit_terrestre",
    "commune_debit.csv": "debit",
    "commune_meilleure_techno_thd.csv": "meilleure_techno_thd",
    "commune_techno.csv": "techno",
}
NOM_OFFICIEL = {court: nom for nom, court in FICHIERS_MCI.items()}
FICHIERS_DEBIT = ("debit_filaire", "debit_terrestre", "debit")

#: cumulative speed thresholds, from the lowest to the highest
SEUILS = ("elig_hd05", "elig_hd3", "elig_bhd8", "elig_thd30", "elig_thd100", "elig_thd1g")
MESURES_DEBIT = ("inel_hd", *SEUILS)
#: the 8 best-technology columns of ``meilleure_techno_thd``, in official order (they partition ``nbr_elig_8``)
TECHNOS_MEILLEURE = (
    "elig_ftth", "elig_coax", "elig_cu_30", "elig_thdr", "elig_cu_8", "elig_4gf", "elig_hdr", "elig_sat",
)
MESURES_MEILLEURE = ("nbr_elig_8", *TECHNOS_MEILLEURE)
MESURES_TECHNO = ("elig_ftth", "elig_coax", "elig_cu", "elig_thdr", "elig_4gf", "elig_hdr", "elig_sat")
#: every measure name the output may contain, in output order
ORDRE_MESURES = (
    "nbr", *MESURES_DEBIT, "nbr_elig_8", "elig_ftth", "elig_ftth_rad", "elig_coax", "elig_cu", "elig_cu_30",
    "elig_thdr", "elig_cu_8", "elig_4gf", "elig_hdr", "elig_sat",
)

ALIAS_DEBIT = {f"elig_cd_{i}": seuil for i, seuil in enumerate(SEUILS, start=1)}
ALIAS_TECHNO = {"elig_ftth_rac": "elig_ftth", "elig_wimax": "elig_hdr"}
COLONNES_IDENTITE = ("code_insee", "nom_com", "code_dep", "code_reg", "nbr", "type", "date")

NIVEAUX = ("commune", "departement", "region", "france")
SEUIL_COMPLETUDE = 0.9
SEUIL_ERREUR_ORDRE = 0.10
RE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
RE_CODE_DEP = re.compile(r"^(?:\d{2}|2[AB]|9[78]\d)$")
RE_CODE_REG = re.compile(r"^\d{2}$")


@dataclass
class FichierMci:
    """One MCI file read and checked: a wide frame (one row per ``all`` commune).

    ``frame`` columns: ``code_insee``, ``code_dep`` (``<NA>`` if the file has none),
    ``code_reg`` (idem), ``nbr`` and the file's measures (``Int64``, locaux), ``_ligne``.
    """

    nom: str
    fichier: str
    frame: pd.DataFrame
    mesures: tuple[str, ...]
    date: str
    ligne_date: int
    lignes_lues: int
    rejets: list[tuple[str, int, str]] = field(default_factory=list)
    avertissements: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- one file
def _mesures_attendues(fichier: str, colonnes: list[str]) -> tuple[str, ...]:
    if fichier in FICHIERS_DEBIT:
        return MESURES_DEBIT
    if fichier == "meilleure_techno_thd":
        return MESURES_MEILLEURE
    mesures = list(MESURES_TECHNO)
    if "elig_cu" not in colonnes and "elig_cu_30" in colonnes and "elig_cu_8" in colonnes:
        mesures[mesures.index("elig_cu")] = "elig_cu_30"
        mesures.insert(mesures.index("elig_thdr") + 1, "elig_cu_8")
    if "elig_ftth_rad" in colonnes:
        mesures.insert(1, "elig_ftth_rad")
    return tuple(mesures)


def _renommer_historiques(table: TableLue, fichier: str) -> None:
    """Apply the historical names (2021 ``elig_cd_N``, ``elig_ftth_rac``, ``elig_wimax``)."""
    alias = ALIAS_DEBIT if fichier in FICHIERS_DEBIT else ALIAS_TECHNO if fichier == "techno" else {}
    colonnes = list(table.frame.columns)
    renommees = {}
    for ancien, nouveau in alias.items():
        if ancien not in colonnes:
            continue
        if nouveau in colonnes:
            raise ErreurFormat(
                f"colonnes « {ancien} » (ancien nom) et « {nouveau} » toutes deux présentes : "
                "impossible de savoir laquelle utiliser",
                fichier=table.fichier, ligne=1, colonne=ancien,
            )
        renommees[ancien] = nouveau
    if renommees:
        table.frame = table.frame.rename(columns=renommees)
        table.avertissements.append(
            f"{table.fichier} : ancien format de colonnes reconnu ("
            + ", ".join(f"{a} → {n}" for a, n in renommees.items()) + ")"
        )


def _verifier_colonnes(table: TableLue, mesures: tuple[str, ...]) -> None:
    colonnes = [c for c in table.frame.columns if c != COLONNE_LIGNE]
    manquantes = [m for m in ("code_insee", "nbr", *mesures, "date") if m not in colonnes]
    if manquantes:
        raise ErreurFormat(
            f"colonne attendue « {manquantes[0]} » absente"
            + (f" (et {len(manquantes) - 1} autre(s) : {', '.join(manquantes[1:])})" if len(manquantes) > 1 else "")
            + f" ; colonnes trouvées : {', '.join(colonnes)[:300]}",
            fichier=table.fichier, ligne=1, colonne=manquantes[0],
            conseil="le format du fichier a peut-être changé ; l'édition précédente est conservée",
        )
    inconnues = [c for c in colonnes if c not in (*COLONNES_IDENTITE, *mesures)]
    if inconnues:
        table.avertissements.append(
            f"{table.fichier} : colonne(s) inconnue(s) ignorée(s) : {', '.join(inconnues)}"
        )
    if "elig_cu_30" in mesures and table.fichier == NOM_OFFICIEL["techno"]:
        table.avertissements.append(
            f"{table.fichier} : colonnes elig_cu_30 et elig_cu_8 au lieu de elig_cu ; "
            "l'éligibilité au cuivre toutes vitesses n'est pas disponible dans cette édition"
        )


def _filtrer_type(table: TableLue) -> tuple[TableLue, list[tuple[str, int, str]]]:
    """Keep ``type == all`` rows; the others become rejections with their reason."""
    if "type" not in table.frame.columns:
        table.avertissements.append(
            f"{table.fichier} : pas de colonne « type » ; toutes les lignes sont prises comme « all »"
        )
        return table, []
    types = table.frame["type"].fillna("").str.strip().str.casefold()
    gardees = types.eq("all")
    rejets = [
        (table.fichier, int(ligne),
         f"type « {valeur} » : seules les lignes « all » (logements + locaux professionnels) sont retenues")
        for ligne, valeur in zip(table.frame.loc[~gardees, COLONNE_LIGNE], table.frame.loc[~gardees, "type"],
                                 strict=True)
    ]
    if not gardees.any():
        raise ErreurFormat("aucune ligne de type « all »", fichier=table.fichier, ligne=2, colonne="type",
                           conseil="le fichier ne contient que des lignes log/loc")
    filtree = dataclasses.replace(table, frame=table.frame[gardees].reset_index(drop=True))
    return filtree, rejets


def _erreur(table: TableLue, index: int, colonne: str, message: str, conseil: str | None = None) -> ErreurFormat:
    ligne = int(table.frame[COLONNE_LIGNE].iloc[index])
    return ErreurFormat(message, fichier=table.fichier, ligne=ligne, colonne=colonne, conseil=conseil)


def _convertir_comptes(table: TableLue, colonnes: tuple[str, ...]) -> dict[str, pd.Series]:
    """Integer counts; refuse ``,``/``.`` inside them (``38,000`` would read as 38)."""
    valeurs = {}
    for colonne in colonnes:
        brutes = table.frame[colonne].fillna("").astype(str)
        douteuses = brutes.str.contains(r"[.,]", regex=True)
        if douteuses.any():
            i = int(douteuses.to_numpy().argmax())
            raise _erreur(table, i, colonne, f"nombre de locaux attendu (entier sans virgule ni point) : "
                          f"« {brutes.iloc[i][:40]} »",
                          "séparateur de milliers ou décimale ambigu ; utilisez le fichier officiel")
        if brutes.str.fullmatch(r"[0-9]+").all():  # the usual case: plain digits, fast path
            valeurs[colonne] = pd.to_numeric(brutes).astype("Int64")
            continue
        serie = convertir_nombres(table, colonne)
        manquantes = serie.isna()
        if manquantes.any():
            i = int(manquantes.to_numpy().argmax())
            raise _erreur(table, i, colonne, f"valeur manquante ou masquée : « {brutes.iloc[i][:40]} »")
        valeurs[colonne] = serie
    return valeurs


def _convertir_code(table: TableLue, colonne: str, motif: re.Pattern, largeur: int) -> pd.Series:
    brutes = table.frame[colonne].fillna("").astype(str).str.strip().str.upper()
    reparees = brutes.where(~brutes.str.fullmatch(rf"\d{{1,{largeur - 1}}}"), brutes.str.zfill(largeur))
    modifiees = reparees != brutes
    if modifiees.any():
        lignes = table.frame.loc[modifiees, COLONNE_LIGNE].astype(str).tolist()
        table.avertissements.append(
            f"{table.fichier}, colonne {colonne} : {int(modifiees.sum())} code(s) réparé(s) (zéro initial perdu), "
            f"lignes {', '.join(lignes[:10])}" + ("…" if len(lignes) > 10 else "")
        )
    invalides = ~reparees.str.fullmatch(motif)
    if invalides.any():
        i = int(invalides.to_numpy().argmax())
        raise _erreur(table, i, colonne, f"code invalide : « {brutes.iloc[i][:20]} »")
    return reparees


def _lire_date(table: TableLue) -> tuple[str, int]:
    dates = table.frame["date"].fillna("").astype(str).str.strip()
    for valeur in dates.unique():  # a national file has one date: check each distinct value once
        i = int(dates.eq(valeur).to_numpy().argmax())
        if not RE_DATE.match(valeur):
            raise _erreur(table, i, "date", f"date « {valeur[:20]} » au format inattendu (AAAA-MM-JJ attendu)")
        try:
            date.fromisoformat(valeur)
        except ValueError:
            raise _erreur(table, i, "date", f"date « {valeur} » invalide") from None
    differentes = dates.ne(dates.iloc[0])
    if differentes.any():
        i = int(differentes.to_numpy().argmax())
        raise _erreur(table, i, "date", f"date « {dates.iloc[i]} » différente de celle de la première ligne "
                      f"({dates.iloc[0]}) : un fichier ne doit contenir qu'une édition")
    return str(dates.iloc[0]), int(table.frame[COLONNE_LIGNE].iloc[0])


def _controler_plafond(table: TableLue, frame: pd.DataFrame, mesures: tuple[str, ...], plafond: str) -> None:
    for mesure in mesures:
        depasse = frame[mesure] > frame[plafond]
        if depasse.any():
            i = int(depasse.to_numpy().argmax())
            raise _erreur(
                table, i, mesure,
                f"{mesure} ({frame[mesure].iloc[i]}) supérieur à {plafond} ({frame[plafond].iloc[i]}) "
                f"pour la commune {frame['code_insee'].iloc[i]}",
                "colonnes décalées ou fichier modifié ; l'édition précédente est conservée",
            )


def _controler_seuils(table: TableLue, frame: pd.DataFrame) -> None:
    """Cumulative thresholds must not increase: warning on a few rows, error when widespread."""
    violations: list[tuple[int, str, str]] = []  # (index, lower column, higher column)
    en_defaut = pd.Series(False, index=frame.index)
    for bas, haut in itertools.pairwise(SEUILS):
        masque = frame[haut] > frame[bas]
        en_defaut |= masque
        violations += [(int(i), bas, haut) for i in frame.index[masque]]
    if not violations:
        return
    violations.sort()
    n = int(en_defaut.sum())
    if n > SEUIL_ERREUR_ORDRE * len(frame):
        i, bas, haut = violations[0]
        raise _erreur(
            table, i, haut,
            f"{haut} ({frame[haut].iloc[i]}) supérieur à {bas} ({frame[bas].iloc[i]}) alors que les seuils "
            f"de débit sont cumulatifs ; {n} ligne(s) sur {len(frame)} dans ce cas",
            "colonnes probablement permutées ou mal renommées ; l'édition précédente est conservée",
        )
    details = [
        f"ligne {int(frame[COLONNE_LIGNE].iloc[i])} ({frame['code_insee'].iloc[i]}) : {haut} > {bas}"
        for i, bas, haut in violations[:10]
    ]
    table.avertissements.append(
        f"{table.fichier} : seuils de débit non décroissants sur {n} ligne(s) (données conservées, "
        f"à signaler à l'ARCEP) — {' ; '.join(details)}" + (" …" if len(violations) > 10 else "")
    )


def lire_fichier(nom: str, contenu: bytes) -> FichierMci:
    """Read and check one MCI commune file (``nom`` = official file name)."""
    if nom not in FICHIERS_MCI:
        raise ErreurFormat(f"fichier inattendu pour la source arcep_mci (attendus : {', '.join(FICHIERS_MCI)})",
                           fichier=nom)
    fichier = FICHIERS_MCI[nom]
    table = lire_csv(contenu, nom, separateur=";")
    colonnes_lues = [c for c in table.frame.columns if c != COLONNE_LIGNE]
    if len(colonnes_lues) == 1:
        raise ErreurFormat(
            f"une seule colonne lue (« {colonnes_lues[0][:60]} ») : séparateur non reconnu, « ; » attendu",
            fichier=nom, ligne=1, colonne=colonnes_lues[0][:60],
            conseil="les fichiers ARCEP sont séparés par des points-virgules ; utilisez le fichier officiel",
        )
    if table.separateur != ";":
        table.avertissements.append(
            f"{nom} : séparateur « {table.separateur} » au lieu de « ; » (fichier réenregistré ?) ; "
            "lecture par nom de colonne"
        )
    lignes_lues = len(table.frame)
    _renommer_historiques(table, fichier)
    mesures = _mesures_attendues(fichier, list(table.frame.columns))
    _verifier_colonnes(table, mesures)
    table, rejets = _filtrer_type(table)

    frame = pd.DataFrame({"code_insee": convertir_codes_insee(table, "code_insee")})
    for colonne, motif, largeur in (("code_dep", RE_CODE_DEP, 2), ("code_reg", RE_CODE_REG, 2)):
        if colonne in table.frame.columns:
            frame[colonne] = _convertir_code(table, colonne, motif, largeur)
        else:
            frame[colonne] = pd.Series(pd.NA, index=frame.index, dtype="str")
    for colonne, serie in _convertir_comptes(table, ("nbr", *mesures)).items():
        frame[colonne] = serie
    frame[COLONNE_LIGNE] = table.frame[COLONNE_LIGNE]
    date_fichier, ligne_date = _lire_date(table)

    doublons = frame["code_insee"].duplicated()
    if doublons.any():
        i = int(doublons.to_numpy().argmax())
        raise _erreur(table, i, "code_insee", f"commune {frame['code_insee'].iloc[i]} en double",
                      "chaque commune doit figurer une seule fois par type")
    if fichier == "meilleure_techno_thd":
        _controler_plafond(table, frame, ("nbr_elig_8",), "nbr")
        _controler_plafond(table, frame, TECHNOS_MEILLEURE, "nbr_elig_8")
        somme = frame[list(TECHNOS_MEILLEURE)].sum(axis=1)
        ecart = somme != frame["nbr_elig_8"]
        if ecart.any():
            i = int(ecart.to_numpy().argmax())
            raise _erreur(
                table, i, "nbr_elig_8",
                f"la somme des 8 colonnes de technologie ({somme.iloc[i]}) diffère de nbr_elig_8 "
                f"({frame['nbr_elig_8'].iloc[i]}) pour la commune {frame['code_insee'].iloc[i]} : chaque local "
                "est compté une fois sous sa meilleure technologie",
                "colonnes décalées ou fichier modifié ; l'édition précédente est conservée",
            )
    else:
        _controler_plafond(table, frame, mesures, "nbr")
    if fichier in FICHIERS_DEBIT:
        _controler_seuils(table, frame)
    return FichierMci(nom, fichier, frame, mesures, date_fichier, ligne_date, lignes_lues, rejets,
                      table.avertissements)


# --------------------------------------------------------------------------- whole edition
def _completer_geographie(lus: list[FichierMci], avertissements: list[str]) -> None:
    """Fill a missing ``code_dep`` from the INSEE code and ``code_reg`` from the other files."""
    paires: dict[str, str] = {}
    for lu in lus:
        connues = lu.frame.dropna(subset=["code_dep", "code_reg"])
        paires.update(zip(connues["code_dep"], connues["code_reg"], strict=True))
    for lu in lus:
        if lu.frame["code_dep"].isna().all():
            codes = lu.frame["code_insee"]
            lu.frame["code_dep"] = codes.str[:2].where(~codes.str.startswith(("97", "98")), codes.str[:3])
            avertissements.append(f"{lu.nom} : pas de colonne code_dep ; département déduit du code INSEE")
        if lu.frame["code_reg"].isna().all():
            lu.frame["code_reg"] = lu.frame["code_dep"].map(paires).astype("str")
            avertissements.append(f"{lu.nom} : pas de colonne code_reg ; région déduite des autres fichiers")


def _verifier_dates(lus: list[FichierMci]) -> str:
    reference = lus[0]
    for lu in lus[1:]:
        if lu.date != reference.date:
            raise ErreurFormat(
                f"date {lu.date} différente de celle de {reference.nom} ({reference.date}) : les cinq fichiers "
                "doivent venir de la même édition",
                fichier=lu.nom, ligne=lu.ligne_date, colonne="date",
                conseil="téléchargez à nouveau tous les fichiers de la même édition",
            )
    return reference.date


def _agregats(lu: FichierMci, contexte: Contexte, absents: dict[tuple, list[str]]) -> list[pd.DataFrame]:
    """Commune rows of the territory + comparison sums (when the file covers ≥ 90 % of the area)."""
    colonnes = ["nbr", *lu.mesures]
    morceaux = []
    communes = lu.frame[lu.frame["code_insee"].isin(contexte.codes_communes)]
    morceaux.append(pd.DataFrame({"code": communes["code_insee"], "niveau": "commune", **{
        c: communes[c] for c in colonnes}}))
    territoire = contexte.territoire
    for niveau, cle, code, masque in (
        ("departement", "departement", territoire.departement, lu.frame["code_dep"] == territoire.departement),
        ("region", "region", territoire.region, lu.frame["code_reg"] == territoire.region),
        ("france", "pays", "FR", pd.Series(True, index=lu.frame.index)),
    ):
        presentes = int(masque.fillna(False).sum())
        effectif = contexte.effectif(cle, code)
        if effectif is None or effectif == 0:
            absents.setdefault((niveau, code, "inconnu"), []).append(lu.nom)
            continue
        if presentes < SEUIL_COMPLETUDE * effectif:
            absents.setdefault((niveau, code, f"{presentes} sur {effectif}"), []).append(lu.nom)
            continue
        sommes = lu.frame.loc[masque.fillna(False), colonnes].sum()
        morceaux.append(pd.DataFrame({"code": [code], "niveau": [niveau],
                                      **{c: [sommes[c]] for c in colonnes}}))
    return morceaux


class SourceArcepMci(Source):
    identifiant = "arcep_mci"
    titre = "Ma connexion internet — éligibilité au haut et très haut débit fixe par commune"
    producteur = "ARCEP"
    licence = "Licence Ouverte 2.0"
    page = "https://www.data.gouv.fr/datasets/ma-connexion-internet"
    frequence = "trimestrielle"
    fichiers = (
        Fichier("commune_debit_filaire.csv", URL_BASE + "commune_debit_filaire.csv",
                "locaux éligibles par seuil de débit, réseaux filaires seuls (fibre, câble, cuivre)"),
        Fichier("commune_debit_terrestre.csv", URL_BASE + "commune_debit_terrestre.csv",
                "locaux éligibles par seuil de débit, réseaux terrestres (filaires + 4G fixe et radio)"),
        Fichier("commune_debit.csv", URL_BASE + "commune_debit.csv",
                "locaux éligibles par seuil de débit, toutes technologies (satellite compris)"),
        Fichier("commune_meilleure_techno_thd.csv", URL_BASE + "commune_meilleure_techno_thd.csv",
                "locaux ayant une offre d'au moins 8 Mbit/s, comptés une fois sous leur meilleure technologie"),
        Fichier("commune_techno.csv", URL_BASE + "commune_techno.csv",
                "locaux éligibles par technologie (un local peut compter sous plusieurs technologies)"),
    )
    colonnes = (
        Colonne("code", "texte", "code INSEE de la commune, code du département ou de la région, "
                "ou « FR » pour la France entière"),
        Colonne("niveau", "texte", "niveau géographique : commune, departement, region ou france"),
        Colonne("fichier", "texte", "fichier ARCEP d'origine : debit_filaire, debit_terrestre, debit, "
                "meilleure_techno_thd ou techno"),
        Colonne("mesure", "texte", "colonne ARCEP : nbr (locaux), inel_hd, elig_hd05 … elig_thd1g (seuils de "
                "débit cumulatifs), nbr_elig_8, elig_ftth, elig_coax, elig_cu…"),
        Colonne("valeur", "entier", "nombre de locaux (logements et locaux professionnels)", unite="locaux"),
        Colonne("date", "date", "date des données (AAAA-MM-JJ), commune aux cinq fichiers de l'édition"),
    )

    def lire(self, fichiers: dict[str, bytes], contexte: Contexte) -> Resultat:
        lus = [lire_fichier(nom, fichiers[nom]) for nom in FICHIERS_MCI]
        date_edition = _verifier_dates(lus)
        avertissements = [a for lu in lus for a in lu.avertissements]
        _completer_geographie(lus, avertissements)

        absents_comparaison: dict[tuple, list[str]] = {}
        manquantes: dict[tuple[str, ...], list[str]] = {}
        morceaux = []
        for lu in lus:
            manque = tuple(sorted(contexte.codes_communes - set(lu.frame["code_insee"])))
            if manque:
                manquantes.setdefault(manque, []).append(lu.nom)
            for large in _agregats(lu, contexte, absents_comparaison):
                long = large.melt(id_vars=["code", "niveau"], var_name="mesure", value_name="valeur")
                long["fichier"] = lu.fichier
                morceaux.append(long)
        for codes, noms in manquantes.items():
            avertissements.append(
                f"{len(codes)} commune(s) du territoire absente(s) de {', '.join(noms)} : {', '.join(codes)}"
            )
        libelles = {"departement": "le département {}", "region": "la région {}", "france": "la France"}
        for (niveau, code, detail), noms in absents_comparaison.items():
            if detail == "inconnu":
                raison = "nombre de communes de référence inconnu"
            else:
                raison = (f"{detail} communes présentes, moins de {formats.pourcentage(SEUIL_COMPLETUDE, 0)} : "
                          "un total partiel fausserait la comparaison")
            avertissements.append(
                f"pas de ligne de comparaison pour {libelles[niveau].format(code)} ({', '.join(noms)}) : {raison}"
            )

        frame = pd.concat(morceaux, ignore_index=True)
        frame["date"] = date_edition
        frame["valeur"] = frame["valeur"].astype("Int64")
        ordre = {
            "niveau": {n: i for i, n in enumerate(NIVEAUX)},
            "fichier": {f: i for i, f in enumerate(FICHIERS_MCI.values())},
            "mesure": {m: i for i, m in enumerate(ORDRE_MESURES)},
        }
        frame = frame.sort_values(
            ["niveau", "code", "fichier", "mesure"],
            key=lambda s: s.map(ordre[s.name]) if s.name in ordre else s,
        ).reset_index(drop=True)
        return Resultat(
            frame=typer(frame, self.colonnes),
            edition=date_edition,
            libelle_edition=f"{formats.trimestre(date_edition)} (données au {formats.date_longue(date_edition)})",
            lignes_lues=sum(lu.lignes_lues for lu in lus),
            lignes_rejetees=[r for lu in lus for r in lu.rejets],
            avertissements=avertissements,
        )


SOURCE = SourceArcepMci()
