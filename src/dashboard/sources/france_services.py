"""France services: the national list of labelled structures (ANCT / Banque des Territoires).

Official file ``liste-fs.csv`` (stable data.gouv.fr URL, always the current list): UTF-8,
comma separator, text fields double-quoted, latitude/longitude unquoted with ``.``
decimals, 24 columns::

    id_fs, insee_dep, lib_fs, adresse, complement_adresse, insee_com, code_postal, lib_com,
    latitude, longitude, mail, telephone, h_lundi … h_samedi, prise_rdv ("Oui"/"Non"),
    commentaire, type_fs (Principal|Antenne), format_fs (Fixe|Multisites|Bus_équivalent|
    Fixe_antenne(s)|Itinérante), groupe_fs, labellisation_fs ("Espace labellisé DD/MM/YYYY")

Opening hours are one cell per weekday, e.g. ``"09:00 - 12:00 / 13:30 - 17:00"``.

Only the territory's rows are kept (``insee_com`` in ``contexte.codes_communes``); the
others are *outside the perimeter*, not rejected, and are counted in a warning.

Output columns (in this order)
------------------------------
============================ ========= ====================================================
column                       dtype     meaning
============================ ========= ====================================================
``id``                       str       ``id_fs``, the national identifier
``nom``                      str       ``lib_fs``, verbatim (escape it when displaying)
``adresse``                  str       ``adresse``, then ``, complement_adresse`` if any
``code_insee``               str       commune code, 5 characters
``commune``                  str       ``lib_com``
``latitude``, ``longitude``  Float64   WGS84 degrees; ``<NA>`` if missing or off the territory
``type_fs``                  str       ``Principal`` or ``Antenne`` (as published)
``format_fs``                str       ``Fixe``, ``Multisites``, ``Bus_équivalent``… (as published)
``itinerant``                boolean   ``format_fs`` is ``Bus_équivalent`` or ``Itinérante``:
                                       the point is a base, not where people are received
``horaires``                 str, NA   ``"Lu 09:00 - 12:00 / 13:30 - 17:00 ; Ma …"`` (open days
                                       only); ``<NA>`` when no day is filled (hours unknown)
``heures_par_semaine``       Float64   hours open a week (h), overlaps counted once;
                                       ``<NA>`` when unknown or a range cannot be read
``ouvert_samedi``            boolean   ``h_samedi`` filled; ``<NA>`` when hours are unknown
``telephone``                str, NA   as published
``prise_rdv``                boolean   ``Oui`` → True, ``Non`` → False, else ``<NA>``
``date_labellisation``       str, NA   ISO ``YYYY-MM-DD`` from ``labellisation_fs``
============================ ========= ====================================================

Coordinates of the territory's rows are checked against ``territoire.emprise``: swapped
latitude/longitude or Lambert-93 metres raise :class:`ErreurFormat` naming the line (a
systematic error of the file); missing ones are kept as ``<NA>`` with a warning.

Edition: the stable URL serves the *current* list and the file carries no date, so the
edition is the day it is read (UTC) unless the source is built with an explicit
``edition`` — as :mod:`dashboard.graines` does for the embedded official extract of
2024-08-01.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime

import pandas as pd

from dashboard import formats
from dashboard.sources import _lieux
from dashboard.sources.base import Colonne, Contexte, Fichier, Resultat, Source, typer
from dashboard.sources.lecture import COLONNE_LIGNE, convertir_codes_insee, lire_csv

FICHIER = "liste-fs.csv"
URL = "https://www.data.gouv.fr/fr/datasets/r/31576dff-fd61-4de9-819f-32c2f880b142"
JOURS = (("h_lundi", "Lu"), ("h_mardi", "Ma"), ("h_mercredi", "Me"), ("h_jeudi", "Je"),
         ("h_vendredi", "Ve"), ("h_samedi", "Sa"))
COLONNES_REQUISES = ("id_fs", "lib_fs", "adresse", "insee_com", "lib_com", "latitude", "longitude",
                     *(j for j, _ in JOURS), "type_fs", "format_fs")
FORMATS_ITINERANTS = frozenset({"bus_equivalent", "itinerante"})
RE_PLAGE = re.compile(r"^(\d{1,2})\s*[:hH]\s*(\d{2})\s*-\s*(\d{1,2})\s*[:hH]\s*(\d{2})$")
RE_DATE_FR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
RE_DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")

COLONNES = (
    Colonne("id", "texte", "identifiant national de la structure (id_fs)"),
    Colonne("nom", "texte", "nom de la structure (lib_fs), tel que publié"),
    Colonne("adresse", "texte", "adresse, suivie du complément d'adresse s'il existe"),
    Colonne("code_insee", "texte", "code INSEE de la commune (5 caractères)"),
    Colonne("commune", "texte", "nom de la commune (lib_com)"),
    Colonne("latitude", "decimal", "latitude WGS84", "degré", nullable=True),
    Colonne("longitude", "decimal", "longitude WGS84", "degré", nullable=True),
    Colonne("type_fs", "texte", "Principal ou Antenne"),
    Colonne("format_fs", "texte", "Fixe, Multisites, Bus_équivalent, Fixe_antenne(s), Itinérante"),
    Colonne("itinerant", "booleen", "structure itinérante (bus ou format itinérant)"),
    Colonne("horaires", "texte", "horaires par jour (« Lu 09:00 - 12:00 / 13:30 - 17:00 ; Ma … »)",
            nullable=True),
    Colonne("heures_par_semaine", "decimal", "heures d'ouverture par semaine", "h", nullable=True),
    Colonne("ouvert_samedi", "booleen", "ouvert le samedi", nullable=True),
    Colonne("telephone", "texte", "téléphone publié", nullable=True),
    Colonne("prise_rdv", "booleen", "prise de rendez-vous (Oui/Non)", nullable=True),
    Colonne("date_labellisation", "date", "date de labellisation (AAAA-MM-JJ)", nullable=True),
)


def _sans_accents(valeur: str) -> str:
    return unicodedata.normalize("NFKD", valeur).encode("ascii", "ignore").decode().casefold().strip()


def minutes_jour(cellule: str) -> int | None:
    """``"09:00 - 12:00 / 13:30 - 17:00"`` → 390 minutes; ``""`` → 0; unreadable → ``None``."""
    cellule = cellule.strip()
    if not cellule:
        return 0
    intervalles = []
    for morceau in cellule.split("/"):
        trouve = RE_PLAGE.match(morceau.strip())
        if not trouve:
            return None
        h1, m1, h2, m2 = (int(g) for g in trouve.groups())
        debut, fin = h1 * 60 + m1, h2 * 60 + m2
        if m1 > 59 or m2 > 59 or fin > 24 * 60 or fin <= debut:
            return None
        intervalles.append((debut, fin))
    return _lieux.minutes_ouvertes(intervalles)


def decrire_horaires(cellules: list[str]) -> tuple[str | None, float | None, bool | None]:
    """Six day cells (Monday → Saturday) → (text, hours a week, open on Saturday).

    All cells empty means the hours are *unknown* (every France services structure is
    open at least 24 h a week), not « closed all week ».
    """
    cellules = [re.sub(r"\s+", " ", c.strip()) for c in cellules]
    if not any(cellules):
        return None, None, None
    texte = " ; ".join(f"{abrege} {c}" for (_, abrege), c in zip(JOURS, cellules, strict=True) if c)
    minutes = [minutes_jour(c) for c in cellules]
    heures = None if any(m is None for m in minutes) else round(sum(minutes) / 60, 2)  # type: ignore[misc]
    return texte, heures, bool(cellules[-1])


def _date_labellisation(valeur: str) -> str | None:
    for motif, ordre in ((RE_DATE_FR, (3, 2, 1)), (RE_DATE_ISO, (1, 2, 3))):
        trouve = motif.search(valeur)
        if trouve:
            annee, mois, jour = (int(trouve.group(i)) for i in ordre)
            try:
                return date(annee, mois, jour).isoformat()
            except ValueError:
                return None
    return None


class SourceFranceServices(Source):
    """The France services list; ``edition`` fixes the edition date of an extract."""

    identifiant = "france_services"
    titre = "Liste des structures France services"
    producteur = "ANCT / Banque des Territoires"
    licence = "Licence Ouverte 2.0"
    page = "https://www.data.gouv.fr/fr/datasets/liste-des-structures-france-services/"
    fichiers = (Fichier(FICHIER, URL, "liste courante des structures labellisées (CSV, 24 colonnes)"),)
    colonnes = COLONNES
    frequence = "mensuelle environ"

    def __init__(self, edition: str | None = None) -> None:
        self.edition = edition

    def lire(self, fichiers: dict[str, bytes], contexte: Contexte) -> Resultat:
        table = lire_csv(fichiers[FICHIER], FICHIER, colonnes_requises=COLONNES_REQUISES, separateur=",")
        lues = len(table.frame)
        codes = _lieux.normaliser_codes(table.frame["insee_com"])
        dans = codes.isin(contexte.codes_communes)
        if (~dans).any():
            table.avertissements.append(_lieux.avertissement_perimetre(
                FICHIER, int((~dans).sum()), lues, contexte.territoire.nom))
        sous = _lieux.sous_table(table, dans)
        garder, rejets = _lieux.rejeter_doublons(sous, "id_fs")
        sous = _lieux.sous_table(sous, garder)
        frame = self._convertir(sous, contexte)
        edition = self.edition or datetime.now(UTC).date().isoformat()
        return Resultat(
            frame=typer(frame, COLONNES),
            edition=edition,
            libelle_edition=formats.date_longue(edition),
            lignes_lues=lues,
            lignes_rejetees=rejets,
            avertissements=table.avertissements,
        )

    @staticmethod
    def _convertir(sous, contexte: Contexte) -> pd.DataFrame:
        n = len(sous.frame)
        coordonnees = _lieux.controler_coordonnees(sous, "latitude", "longitude", contexte.territoire.emprise,
                                                   strict=True)
        adresse = _lieux.adresse_complete(sous)
        format_fs = _lieux.texte(sous, "format_fs")
        jours = [_lieux.texte(sous, j).tolist() for j, _ in JOURS]
        horaires = [decrire_horaires([jour[i] for jour in jours]) for i in range(n)]
        rdv_brut = _lieux.texte(sous, "prise_rdv")
        rdv = rdv_brut.str.casefold().map({"oui": True, "non": False})
        inconnus = (rdv_brut != "") & rdv.isna()
        if inconnus.any():
            sous.avertissements.append(
                f"{FICHIER}, colonne prise_rdv : valeur autre que Oui/Non, laissée vide "
                f"(lignes {_lieux.citer_lignes(sous.frame.loc[inconnus, COLONNE_LIGNE])})")
        label_brut = _lieux.texte(sous, "labellisation_fs")
        labels = label_brut.map(_date_labellisation)
        illisibles = (label_brut != "") & labels.isna()
        if illisibles.any():
            sous.avertissements.append(
                f"{FICHIER}, colonne labellisation_fs : date illisible, laissée vide "
                f"(lignes {_lieux.citer_lignes(sous.frame.loc[illisibles, COLONNE_LIGNE])})")
        return pd.DataFrame({
            "id": _lieux.texte(sous, "id_fs"),
            "nom": _lieux.texte(sous, "lib_fs"),
            "adresse": adresse,
            "code_insee": convertir_codes_insee(sous, "insee_com") if n else pd.Series([], dtype="str"),
            "commune": _lieux.texte(sous, "lib_com"),
            "latitude": coordonnees.latitude,
            "longitude": coordonnees.longitude,
            "type_fs": _lieux.texte(sous, "type_fs"),
            "format_fs": format_fs,
            "itinerant": format_fs.map(_sans_accents).isin(FORMATS_ITINERANTS),
            "horaires": pd.Series([h[0] for h in horaires], dtype="str"),
            "heures_par_semaine": pd.Series([h[1] for h in horaires], dtype="Float64"),
            "ouvert_samedi": pd.Series([h[2] for h in horaires], dtype="boolean"),
            "telephone": _lieux.texte_ou_na(_lieux.texte(sous, "telephone")),
            "prise_rdv": rdv.astype("boolean"),
            "date_labellisation": labels.astype("str"),
        })


SOURCE = SourceFranceServices()
