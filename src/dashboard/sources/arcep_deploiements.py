"""ARCEP « Le marché du haut et très haut débit fixe (déploiements) »: FttH per commune per quarter.

Official file: the quarterly workbook ``YYYYtQ-obs-hd-thd-deploiement(-vf).xlsx`` (≈ 24 Mo),
published on data.gouv.fr. Its sheet ``Communes`` holds one row per French commune and
one column per quarter since T4 2017 (``T4 2017`` … ``T2 2026``) counting the **locaux
raccordables en fibre optique (FttH)**: the history of deployment, commune by commune.

Layout handled (data-sources.md §3.3 and §8):

* title rows above the header, whose number changes between editions: the header is
  the row whose first cell is ``Code commune`` (``INSEE_COM``, ``Code INSEE`` are accepted
  as aliases with a warning: the meaning is unambiguous and every code is validated);
* quarter columns matched by ``^T[1-4] \\d{4}$``, which must be in chronological order
  (a gap is reported as a warning, a step back or a duplicate is an error);
* the locaux estimate matched by the prefix ``Meilleure estimation des locaux`` (older
  editions: ``… à date``; recent ones: ``… T4 2025``);
* the optional recent column ``Estimation locaux en cours de construction``: when it is
  absent (older layout) ``locaux_en_construction`` is ``<NA>`` — unknown, *not* zero —
  and the coverage rate falls back to the estimate alone;
* the optional flag ``Commune rurale`` (``1``/``0``, ``Oui``/``Non``…);
* numbers stored as text with thousands separators (U+202F, U+00A0); empty or masked
  cells become ``<NA>``, never 0;
* ``Total`` rows and notes below the table are skipped with a warning; codes stored as
  numbers (``56121.0``, ``1001``) are repaired with a warning.

Output (``SOURCE.colonnes``), one row per code and quarter, sorted by niveau, code, date:

========================== ======= =====================================================
``code``                   str     INSEE code (commune), département / région code, ``FR``
``niveau``                 str     ``commune`` | ``departement`` | ``region`` | ``france``
``trimestre``              str     ``T2 2026``
``date``                   str     end of the quarter, ISO (``2026-06-30``)
``locaux_raccordables``    Int64   locaux raccordables FttH at the end of the quarter
``meilleure_estimation_locaux`` Int64 locaux estimate of *this edition* (same value for
                                   every quarter of a code)
``locaux_en_construction`` Int64   locaux under construction (estimate); ``<NA>`` if unknown
``commune_rurale``         boolean ARCEP flag; ``<NA>`` for aggregates or when absent
========================== ======= =====================================================

Comparison rows (département, région, France of ``data/territoire.toml``) are sums over
the communes of the sheet, computed only when the sheet holds at least 90 % of that
area's communes (``Contexte.effectif``); per quarter, a sum is ``<NA>`` when fewer than
90 % of the area's communes have a value. Otherwise a warning says why the line is absent.

Downloading: :meth:`SourceArcepDeploiements.telecharger` asks the data.gouv.fr API for the
dataset and picks the newest workbook with :func:`choisir_ressource` (pure, unit tested).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from dashboard.erreurs import ErreurFormat, SourceIndisponible
from dashboard.sources.base import Colonne, Contexte, Fichier, Resultat, Source, typer
from dashboard.sources.classeur import (
    Entete,
    Feuille,
    convertir_booleen,
    convertir_entier,
    est_vide,
    lignes_donnees,
    normaliser_texte,
    ouvrir_classeur,
    trouver_entete,
)
from dashboard.sources.lecture import RE_CODE_INSEE

FICHIER = "obs-hd-thd-deploiement.xlsx"
FEUILLE = "Communes"
SLUG = "le-marche-du-haut-et-tres-haut-debit-fixe-deploiements"
URL_API = f"https://www.data.gouv.fr/api/1/datasets/{SLUG}/"
PAGE = f"https://www.data.gouv.fr/datasets/{SLUG}"

ENTETE_CODE = "Code commune"
ALIAS_CODE = ("INSEE_COM", "Code INSEE", "code_insee", "Code commune INSEE")
ALIAS_DEPARTEMENT = ("code département", "code departement", "code_dep", "dep")
ALIAS_REGION = ("code région", "code region", "code_reg", "reg")
RE_TRIMESTRE = re.compile(r"^T([1-4]) (\d{4})$", re.IGNORECASE)
RE_ESTIMATION = re.compile(r"^meilleure estimation des locaux", re.IGNORECASE)
RE_CONSTRUCTION = re.compile(r"^estimation (?:des )?locaux en cours de construction", re.IGNORECASE)
RE_RURALE = re.compile(r"^commune rurale$", re.IGNORECASE)
RE_TITRE_RESSOURCE = "obs-hd-thd-deploiement"
RE_TRIMESTRE_TITRE = re.compile(r"(\d{4})\s*[-_ ]?\s*t([1-4])", re.IGNORECASE)
SEUIL_COMPLETUDE = 0.9
NIVEAUX = ("commune", "departement", "region", "france")
FIN_TRIMESTRE = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


# --------------------------------------------------------------------------- quarters
def date_fin_trimestre(annee: int, numero: int) -> str:
    """``(2026, 2) → "2026-06-30"``."""
    mois, jour = FIN_TRIMESTRE[numero]
    return date(annee, mois, jour).isoformat()


def libelle_trimestre(annee: int, numero: int) -> str:
    return f"T{numero} {annee}"


# --------------------------------------------------------------------------- download
def _trimestre_du_titre(titre: str) -> tuple[int, int]:
    m = RE_TRIMESTRE_TITRE.search(titre)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def choisir_ressource(donnees: dict) -> dict:
    """The newest workbook resource of the data.gouv dataset JSON (``/api/1/datasets/{slug}/``).

    Candidates: resources whose ``title`` contains ``obs-hd-thd-deploiement`` and whose
    ``format`` is ``xlsx``. Newest = highest quarter read in the title (``2026t2-…``), then
    latest ``last_modified``. Why the quarter first: when ARCEP re-uploads a corrected
    *older* workbook, its ``last_modified`` becomes the most recent, and picking it would
    make the refresh fail as « édition plus ancienne ». Returns the resource dict.
    """
    if not isinstance(donnees, dict) or not isinstance(donnees.get("resources"), list):
        raise ErreurFormat(
            "réponse inattendue de l'API data.gouv.fr (liste « resources » absente)",
            fichier="API data.gouv.fr", conseil="l'API a peut-être changé ; réessayez plus tard",
        )
    candidates = []
    for ressource in donnees["resources"]:
        if not isinstance(ressource, dict):
            continue
        titre = str(ressource.get("title") or "")
        fmt = str(ressource.get("format") or "").strip().lower().lstrip(".")
        url = str(ressource.get("url") or "")
        if RE_TITRE_RESSOURCE in titre.lower() and fmt == "xlsx" and url.startswith("https://"):
            candidates.append(ressource)
    if not candidates:
        titres = ", ".join(str(r.get("title")) for r in donnees["resources"] if isinstance(r, dict))
        raise ErreurFormat(
            f"aucun classeur « {RE_TITRE_RESSOURCE} » au format xlsx dans le jeu de données "
            f"(ressources : {titres[:300] or 'aucune'})",
            fichier="API data.gouv.fr",
            conseil="importez le classeur à la main : python -m dashboard import arcep_ftth FICHIER.xlsx",
        )
    return max(
        candidates,
        key=lambda r: (_trimestre_du_titre(str(r.get("title"))), str(r.get("last_modified") or "")),
    )


# --------------------------------------------------------------------------- columns
@dataclass(frozen=True)
class Trimestre:
    index: int  # position in the row
    libelle: str  # "T2 2026"
    annee: int
    numero: int

    @property
    def rang(self) -> int:
        return self.annee * 4 + self.numero - 1

    @property
    def date(self) -> str:
        return date_fin_trimestre(self.annee, self.numero)


@dataclass(frozen=True)
class Colonnes:
    code: int
    departement: int | None
    region: int | None
    estimation: int
    construction: int | None
    rurale: int | None
    trimestres: tuple[Trimestre, ...]


def _chercher(entete: Entete, motif: re.Pattern) -> list[int]:
    return [i for i, nom in enumerate(entete.noms) if nom and motif.search(nom)]


def _un_parmi(entete: Entete, noms: tuple[str, ...]) -> int | None:
    cles = {n.casefold() for n in noms}
    for i, nom in enumerate(entete.noms):
        if nom.casefold() in cles:
            return i
    return None


def reperer_colonnes(feuille: Feuille, entete: Entete, avertissements: list[str]) -> Colonnes:
    """Find every needed column by name in the header row; French error if one is missing."""
    code = _un_parmi(entete, (ENTETE_CODE, *ALIAS_CODE))
    if code is None:  # pragma: no cover - the header row was found by this very cell
        raise feuille.erreur("colonne « Code commune » absente", ligne=entete.ligne)
    if entete.noms[code].casefold() != ENTETE_CODE.casefold():
        avertissements.append(
            f"{feuille.fichier}, feuille {feuille.nom} : en-tête « {entete.noms[code]} » lu comme "
            f"« {ENTETE_CODE} » (codes INSEE des communes)"
        )
    trimestres: list[Trimestre] = []
    for i, nom in enumerate(entete.noms):
        m = RE_TRIMESTRE.match(nom)
        if not m:
            continue
        annee, numero = int(m.group(2)), int(m.group(1))
        t = Trimestre(i, libelle_trimestre(annee, numero), annee, numero)
        if trimestres and t.rang <= trimestres[-1].rang:
            nature = "en double" if t.rang == trimestres[-1].rang else "hors de l'ordre chronologique"
            raise feuille.erreur(
                f"colonne trimestrielle {nature} : « {nom} » après « {trimestres[-1].libelle} »",
                ligne=entete.ligne, colonne=nom,
                conseil="les colonnes de trimestres doivent aller du plus ancien au plus récent",
            )
        if trimestres and t.rang > trimestres[-1].rang + 1:
            avertissements.append(
                f"{feuille.fichier}, feuille {feuille.nom} : trimestre(s) manquant(s) entre "
                f"{trimestres[-1].libelle} et {t.libelle}"
            )
        trimestres.append(t)
    if not trimestres:
        raise feuille.erreur(
            "aucune colonne de trimestre (« T1 2026 », « T2 2026 »…) dans l'en-tête",
            ligne=entete.ligne, conseil="le format du fichier a changé ; le jeu précédent est conservé",
        )
    estimations = _chercher(entete, RE_ESTIMATION)
    if not estimations:
        raise feuille.erreur(
            "colonne « Meilleure estimation des locaux… » absente ; colonnes trouvées : "
            + ", ".join(n for n in entete.noms if n)[:300],
            ligne=entete.ligne, colonne="Meilleure estimation des locaux",
            conseil="le format du fichier a changé ; le jeu précédent est conservé",
        )
    estimation = estimations[-1]
    if len(estimations) > 1:
        dernier = trimestres[-1].libelle.casefold()
        preferees = [i for i in estimations if entete.noms[i].casefold().endswith(dernier)]
        estimation = preferees[-1] if preferees else estimation
        avertissements.append(
            f"{feuille.fichier}, feuille {feuille.nom} : plusieurs colonnes d'estimation des locaux, "
            f"« {entete.noms[estimation]} » retenue"
        )
    constructions = _chercher(entete, RE_CONSTRUCTION)
    rurales = _chercher(entete, RE_RURALE)
    if not constructions:
        avertissements.append(
            f"{feuille.fichier}, feuille {feuille.nom} : pas de colonne « Estimation locaux en cours "
            "de construction » (ancienne mise en page) : locaux en construction inconnus, le taux "
            "de couverture est calculé sur la meilleure estimation des locaux seule"
        )
    return Colonnes(
        code=code,
        departement=_un_parmi(entete, ALIAS_DEPARTEMENT),
        region=_un_parmi(entete, ALIAS_REGION),
        estimation=estimation,
        construction=constructions[0] if constructions else None,
        rurale=rurales[0] if rurales else None,
        trimestres=tuple(trimestres),
    )


# --------------------------------------------------------------------------- rows
def lire_code(valeur: object) -> tuple[str, bool]:
    """A ``Code commune`` cell → ``(code, réparé)``: ``56121.0`` → ``56121``, ``1001`` → ``01001``."""
    repare = False
    if isinstance(valeur, bool):
        texte = str(valeur)
    elif isinstance(valeur, int):
        texte = str(valeur)
    elif isinstance(valeur, float):
        texte = str(int(valeur)) if valeur.is_integer() else str(valeur)
        repare = True
    else:
        texte = normaliser_texte(valeur).upper()
        m = re.fullmatch(r"(\d{4,5})\.0+", texte)
        if m:
            texte, repare = m.group(1), True
    if re.fullmatch(r"\d{4}", texte):
        texte, repare = texte.zfill(5), True
    return texte, repare


def _code_zone(valeur: object) -> str | None:
    """A département / région cell → ``"56"`` (``56``, ``56.0``, ``"2A"``); empty → ``None``."""
    if est_vide(valeur):
        return None
    if isinstance(valeur, float) and valeur.is_integer():
        valeur = int(valeur)
    texte = normaliser_texte(valeur).upper()
    return texte.zfill(2) if texte.isdigit() else texte


def _departement_du_code(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


@dataclass
class Commune:
    code: str
    ligne: int
    departement: str
    region: str | None
    estimation: int | None
    construction: int | None
    rurale: bool | None
    raccordables: list[int | None]


def _lire_communes(feuille: Feuille, entete: Entete, col: Colonnes,
                   avertissements: list[str]) -> list[Commune]:
    communes: list[Commune] = []
    vues: dict[str, int] = {}
    repares: list[int] = []
    ignorees: list[str] = []
    nom_code = entete.noms[col.code]
    for ligne, valeurs in lignes_donnees(feuille, entete):
        brut = valeurs[col.code]
        texte = normaliser_texte(brut)
        cellules = [valeurs[t.index] for t in col.trimestres]
        if texte.casefold().startswith("total"):
            ignorees.append(f"ligne {ligne} (« {texte[:30]} »)")
            continue
        code, repare = lire_code(brut) if texte else ("", False)
        if not RE_CODE_INSEE.match(code):
            if all(est_vide(c) for c in cellules) and not isinstance(brut, (int, float)):
                ignorees.append(f"ligne {ligne} (note « {texte[:30]} »)" if texte else f"ligne {ligne}")
                continue
            raise feuille.erreur(
                f"code INSEE invalide : « {texte[:20]} »" if texte else "code commune manquant",
                ligne=ligne, colonne=nom_code,
            )
        if code in vues:
            raise feuille.erreur(f"commune {code} en double (déjà ligne {vues[code]})",
                                 ligne=ligne, colonne=nom_code)
        vues[code] = ligne
        if repare:
            repares.append(ligne)
        departement = _code_zone(valeurs[col.departement]) if col.departement is not None else None
        communes.append(
            Commune(
                code=code,
                ligne=ligne,
                departement=departement or _departement_du_code(code),
                region=_code_zone(valeurs[col.region]) if col.region is not None else None,
                estimation=convertir_entier(valeurs[col.estimation], feuille, ligne,
                                            entete.noms[col.estimation]),
                construction=(
                    convertir_entier(valeurs[col.construction], feuille, ligne, entete.noms[col.construction])
                    if col.construction is not None else None
                ),
                rurale=(convertir_booleen(valeurs[col.rurale], feuille, ligne, entete.noms[col.rurale])
                        if col.rurale is not None else None),
                raccordables=[convertir_entier(c, feuille, ligne, t.libelle)
                              for c, t in zip(cellules, col.trimestres, strict=True)],
            )
        )
    if repares:
        avertissements.append(
            f"{feuille.fichier}, feuille {feuille.nom}, colonne {nom_code} : {len(repares)} code(s) INSEE "
            f"réparé(s) (zéro initial perdu ou format numérique), lignes "
            f"{', '.join(map(str, repares[:10]))}" + ("…" if len(repares) > 10 else "")
        )
    if ignorees:
        avertissements.append(
            f"{feuille.fichier}, feuille {feuille.nom} : {len(ignorees)} ligne(s) sans commune ignorée(s) "
            f"(total ou note) : {', '.join(ignorees[:5])}" + ("…" if len(ignorees) > 5 else "")
        )
    if not communes:
        raise feuille.erreur("aucune ligne de commune sous l'en-tête", ligne=entete.ligne + 1)
    return communes


# --------------------------------------------------------------------------- tidy frame
def _lignes_commune(c: Commune, col: Colonnes) -> list[dict]:
    return [
        {
            "code": c.code, "niveau": "commune", "trimestre": t.libelle, "date": t.date,
            "locaux_raccordables": v, "meilleure_estimation_locaux": c.estimation,
            "locaux_en_construction": c.construction, "commune_rurale": c.rurale,
        }
        for t, v in zip(col.trimestres, c.raccordables, strict=True)
    ]


def _somme(valeurs: np.ndarray, seuil: float) -> int | None:
    """Sum of known values along axis 0, or ``None`` when fewer than ``seuil`` are known."""
    connus = ~np.isnan(valeurs)
    if connus.sum() < seuil:
        return None
    return int(np.nansum(valeurs))


def _agregats(communes: list[Commune], col: Colonnes, contexte: Contexte,
              avertissements: list[str], fichier: str) -> list[dict]:
    territoire = contexte.territoire
    zones = (
        ("departement", "departement", territoire.departement, f"département {territoire.departement}",
         lambda c: c.departement == territoire.departement),
        ("region", "region", territoire.region, f"région {territoire.region}",
         lambda c: c.region == territoire.region),
        ("france", "pays", "FR", "France", lambda c: True),
    )
    if col.region is None:
        avertissements.append(
            f"{fichier} : pas de colonne « Code région » : comparaison régionale non calculée")
    lignes: list[dict] = []
    for niveau, niveau_reference, code, libelle, appartient in zones:
        if niveau == "region" and col.region is None:
            continue
        effectif = contexte.effectif(niveau_reference, code)
        membres = [c for c in communes if appartient(c)]
        if not effectif:
            avertissements.append(f"{fichier} : comparaison {libelle} non calculée (nombre de communes "
                                  "de référence inconnu)")
            continue
        seuil = SEUIL_COMPLETUDE * effectif
        if len(membres) < seuil:
            avertissements.append(
                f"{fichier} : comparaison {libelle} non calculée : {len(membres)} commune(s) présente(s) "
                f"sur {effectif} (moins de {SEUIL_COMPLETUDE * 100:.0f} %)"
            )
            continue

        def en_tableau(valeurs: list[int | None]) -> np.ndarray:
            return np.array([np.nan if v is None else float(v) for v in valeurs], dtype="float64")

        raccordables = np.array(
            [[np.nan if v is None else float(v) for v in c.raccordables] for c in membres], dtype="float64")
        estimation = _somme(en_tableau([c.estimation for c in membres]), seuil)
        construction = (_somme(en_tableau([c.construction for c in membres]), seuil)
                        if col.construction is not None else None)
        for k, t in enumerate(col.trimestres):
            lignes.append({
                "code": code, "niveau": niveau, "trimestre": t.libelle, "date": t.date,
                "locaux_raccordables": _somme(raccordables[:, k], seuil),
                "meilleure_estimation_locaux": estimation,
                "locaux_en_construction": construction, "commune_rurale": None,
            })
    return lignes


# --------------------------------------------------------------------------- source
class SourceArcepDeploiements(Source):
    identifiant = "arcep_ftth"
    titre = "Déploiement de la fibre (FttH) par commune et par trimestre"
    producteur = "ARCEP"
    licence = "Licence Ouverte 2.0"
    page = PAGE
    frequence = "trimestrielle"
    fichiers = (
        Fichier(
            FICHIER,
            URL_API,
            "classeur trimestriel YYYYtQ-obs-hd-thd-deploiement(-vf).xlsx, feuille « Communes » ; "
            "le plus récent est choisi via l'API data.gouv.fr",
        ),
    )
    colonnes = (
        Colonne("code", "texte", "code INSEE de la commune, code du département ou de la région, FR"),
        Colonne("niveau", "texte", "commune | departement | region | france"),
        Colonne("trimestre", "texte", "trimestre observé (« T2 2026 »)"),
        Colonne("date", "date", "dernier jour du trimestre (ISO)"),
        Colonne("locaux_raccordables", "entier", "locaux raccordables à la fibre (FttH) en fin de trimestre",
                "locaux", nullable=True),
        Colonne("meilleure_estimation_locaux", "entier",
                "meilleure estimation ARCEP du nombre de locaux (édition courante)", "locaux", nullable=True),
        Colonne("locaux_en_construction", "entier",
                "estimation des locaux en cours de construction ; vide si non publiée", "locaux",
                nullable=True),
        Colonne("commune_rurale", "booleen", "commune rurale selon l'ARCEP ; vide pour les agrégats",
                nullable=True),
    )

    def telecharger(self, telecharger: Callable) -> dict[str, bytes]:
        """Ask the data.gouv.fr API for the dataset, then download the newest workbook."""
        reponse = telecharger(URL_API)
        try:
            donnees = json.loads(reponse.contenu)
        except (ValueError, UnicodeDecodeError) as exc:
            raise SourceIndisponible(
                "réponse illisible de l'API data.gouv.fr (JSON invalide)", fichier=URL_API,
                conseil="réessayez plus tard ou importez le classeur à la main",
            ) from exc
        ressource = choisir_ressource(donnees)
        return {FICHIER: telecharger(str(ressource["url"])).contenu}

    def lire(self, fichiers: dict[str, bytes], contexte: Contexte) -> Resultat:
        avertissements: list[str] = []
        with ouvrir_classeur(fichiers[FICHIER], FICHIER) as classeur:
            feuille = classeur.feuille(FEUILLE)
            entete = trouver_entete(feuille, (ENTETE_CODE, *ALIAS_CODE))
            col = reperer_colonnes(feuille, entete, avertissements)
            communes = _lire_communes(feuille, entete, col, avertissements)
        du_territoire = sorted((c for c in communes if c.code in contexte.codes_communes),
                               key=lambda c: c.code)
        if not du_territoire:
            raise ErreurFormat(
                f"aucune commune du territoire {contexte.territoire.nom} dans la feuille {FEUILLE} "
                f"({len(communes)} communes lues)",
                fichier=FICHIER, conseil="le fichier ne couvre pas ce territoire ; rien n'a été remplacé",
            )
        absentes = sorted(contexte.codes_communes - {c.code for c in du_territoire})
        if absentes:
            avertissements.append(
                f"{FICHIER} : {len(absentes)} commune(s) du territoire absente(s) de la feuille {FEUILLE} : "
                + ", ".join(absentes)
            )
        lignes = [ligne for c in du_territoire for ligne in _lignes_commune(c, col)]
        lignes += _agregats(communes, col, contexte, avertissements, FICHIER)
        frame = pd.DataFrame(lignes, columns=[c.nom for c in self.colonnes])
        for c in self.colonnes:
            if c.type == "entier":
                frame[c.nom] = pd.array(frame[c.nom].tolist(), dtype="Int64")
            elif c.type == "booleen":
                frame[c.nom] = pd.array(frame[c.nom].tolist(), dtype="boolean")
        dernier = col.trimestres[-1]
        return Resultat(
            frame=typer(frame, self.colonnes).reset_index(drop=True),
            edition=dernier.date,
            libelle_edition=dernier.libelle,
            lignes_lues=len(communes),
            avertissements=avertissements,
        )


SOURCE = SourceArcepDeploiements()

