"""Tiers-lieux of the CGET (now ANCT) « Mission Coworking » census, 2019.

Official file ``CGET_TiersLieux_2019.csv`` (GitHub ``anct-carto/mission_coworking``):
UTF-8, comma separator, 30 columns, 1 512 places, frozen in 2019::

    ID, NOM_TL, ADRESSE, CP, COMINIT, INSEECOM, NOMCOM, WEB, TWITTER, FACEBOOK, TYPO, LAT,
    LONG, GEOCOD, PRECISION, CONTACT, MAIL, METRO, NOMMETRO, INSEEREG, NOMREG, INSEEMETRO,
    INSEEDEP, NOMCOMMETRO, POPCOM, COMCLASS, INSEE_ZE, NOM_ZE, CLASS_ZE, POP_ZE

``TYPO`` reads « Tiers lieux à dominante coworking » or « … à dominante fablab ». A few rows
have ``INSEECOM`` = ``0``; for them ``INSEEMETRO`` carries the commune code (e.g. « Le
Champ Commun », Augan: ``INSEECOM`` 0, ``INSEEMETRO`` 56006) and is used, with a warning.

Only the territory's rows are kept; the others are outside the perimeter (counted in a
warning, not rejected). This census is not updated: for current places see the
``mediation_numerique`` source (typologie ``TIERS_LIEUX``/``FABLAB``/``FABRIQUE``).

Output columns (in this order)
------------------------------
=========================== ======== ======================================================
column                      dtype    meaning
=========================== ======== ======================================================
``id``                      str      ``ID`` of the census
``nom``                     str      ``NOM_TL``, verbatim (escape it when displaying)
``adresse``                 str      ``ADRESSE`` as published (may be empty)
``code_insee``              str      commune code, 5 characters
``commune``                 str      ``NOMCOM``
``latitude``, ``longitude`` Float64  WGS84 degrees; ``<NA>`` if missing or off the territory
``typologie``               str      ``coworking``, ``fablab``, else the ``TYPO`` text, or
                                     ``non renseignée``
``site_web``                str, NA  ``WEB`` when it is a plain ``http(s)`` URL
``edition``                 str      ``"2019"``
=========================== ======== ======================================================

Coordinates: swapped latitude/longitude or Lambert-93 metres raise :class:`ErreurFormat`
naming the line; missing ones are kept as ``<NA>`` with a warning.
"""

from __future__ import annotations

import re

import pandas as pd

from dashboard.sources import _lieux
from dashboard.sources.base import Colonne, Contexte, Fichier, Resultat, Source, typer
from dashboard.sources.lecture import COLONNE_LIGNE, convertir_codes_insee, lire_csv

FICHIER = "CGET_TiersLieux_2019.csv"
URL = "https://raw.githubusercontent.com/anct-carto/mission_coworking/master/CGET_TiersLieux_2019.csv"
EDITION = "2019-12-31"
MILLESIME = "2019"
COLONNES_REQUISES = ("id", "nom_tl", "adresse", "inseecom", "nomcom", "web", "typo", "lat", "long")
RE_DOMINANTE = re.compile(r"dominante\s+(coworking|fablab)", re.IGNORECASE)

COLONNES = (
    Colonne("id", "texte", "identifiant du recensement CGET (ID)"),
    Colonne("nom", "texte", "nom du tiers-lieu (NOM_TL), tel que publié"),
    Colonne("adresse", "texte", "adresse publiée (peut être vide)"),
    Colonne("code_insee", "texte", "code INSEE de la commune (5 caractères)"),
    Colonne("commune", "texte", "nom de la commune (NOMCOM)"),
    Colonne("latitude", "decimal", "latitude WGS84", "degré", nullable=True),
    Colonne("longitude", "decimal", "longitude WGS84", "degré", nullable=True),
    Colonne("typologie", "texte", "coworking, fablab ou libellé TYPO d'origine"),
    Colonne("site_web", "texte", "site web (http ou https uniquement)", nullable=True),
    Colonne("edition", "texte", "millésime du recensement"),
)


def typologie(typo: str) -> str:
    """« Tiers lieux à dominante coworking » → ``coworking``; empty → ``non renseignée``."""
    trouve = RE_DOMINANTE.search(typo)
    if trouve:
        return trouve.group(1).lower()
    return typo.strip() or "non renseignée"


class SourceTiersLieuxCget(Source):
    identifiant = "tiers_lieux_cget"
    titre = "Tiers-lieux recensés par la Mission Coworking (CGET, 2019)"
    producteur = "CGET / ANCT — Mission Coworking"
    licence = "Licence Ouverte 2.0"
    page = "https://github.com/anct-carto/mission_coworking"
    fichiers = (Fichier(FICHIER, URL, "recensement national des tiers-lieux 2019 (CSV, 30 colonnes)"),)
    colonnes = COLONNES
    frequence = "figé (recensement de 2019)"

    def lire(self, fichiers: dict[str, bytes], contexte: Contexte) -> Resultat:
        table = lire_csv(fichiers[FICHIER], FICHIER, colonnes_requises=COLONNES_REQUISES, separateur=",")
        lues = len(table.frame)
        codes = _lieux.normaliser_codes(table.frame["inseecom"])
        secours = _lieux.normaliser_codes(_lieux.texte(table, "inseemetro"))
        repli = (codes == "") & (secours != "")
        codes = codes.where(~repli, secours)
        dans = codes.isin(contexte.codes_communes)
        if (repli & dans).any():
            table.avertissements.append(
                f"{FICHIER}, colonne INSEECOM : code absent ou nul, commune prise dans INSEEMETRO "
                f"(lignes {_lieux.citer_lignes(table.frame.loc[repli & dans, COLONNE_LIGNE])})")
        if (~dans).any():
            table.avertissements.append(_lieux.avertissement_perimetre(
                FICHIER, int((~dans).sum()), lues, contexte.territoire.nom))
        table.frame["inseecom"] = codes
        sous = _lieux.sous_table(table, dans)
        garder, rejets = _lieux.rejeter_doublons(sous, "id")
        sous = _lieux.sous_table(sous, garder)
        coordonnees = _lieux.controler_coordonnees(sous, "lat", "long", contexte.territoire.emprise,
                                                   strict=True)
        web = _lieux.texte(sous, "web")
        sites = web.map(_lieux.lien_http)
        refuses = (web != "") & sites.isna()
        if refuses.any():
            table.avertissements.append(
                f"{FICHIER}, colonne WEB : lien non http(s) ignoré "
                f"(lignes {_lieux.citer_lignes(sous.frame.loc[refuses, COLONNE_LIGNE])})")
        n = len(sous.frame)
        frame = pd.DataFrame({
            "id": _lieux.texte(sous, "id"),
            "nom": _lieux.texte(sous, "nom_tl"),
            "adresse": _lieux.texte(sous, "adresse"),
            "code_insee": convertir_codes_insee(sous, "inseecom") if n else pd.Series([], dtype="str"),
            "commune": _lieux.texte(sous, "nomcom"),
            "latitude": coordonnees.latitude,
            "longitude": coordonnees.longitude,
            "typologie": _lieux.texte(sous, "typo").map(typologie),
            "site_web": sites.astype("str"),
            "edition": pd.Series([MILLESIME] * n, dtype="str"),
        })
        return Resultat(
            frame=typer(frame, COLONNES),
            edition=EDITION,
            libelle_edition="recensement 2019",
            lignes_lues=lues,
            lignes_rejetees=rejets,
            avertissements=table.avertissements,
        )


SOURCE = SourceTiersLieuxCget()
