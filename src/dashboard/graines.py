"""Real official places shipped with the code, so the app shows them without the Internet.

These are *not* demonstration data: each row below is a fact of a published official
file, written back in that file's own layout and imported through the same parser as a
download (``demo: false``, ``origine`` « extrait officiel embarqué … » in the manifest).

* France services of the territory, from « Liste des structures France services »
  (ANCT / Banque des Territoires, edition of 2024-08-01, Licence Ouverte 2.0): identifier,
  name, address, INSEE code, coordinates, ``type_fs`` and ``format_fs``.
* Tiers-lieux of the territory in the CGET « Mission Coworking » census of 2019
  (Licence Ouverte 2.0): identifier, name, typology, address, INSEE code, coordinates.

Only those fields are filled. Every other field of the official layout (opening hours,
phone, e-mail, postal code, labelling date, web site…) is left **empty**, never made up;
the parsers then report hours, phone and labelling date as unknown (``<NA>``). The commune
name (``lib_com``/``NOMCOM``) and département are derived from the INSEE code through the
reference geography. ``python -m dashboard refresh`` replaces these extracts with the full
current files when the Internet is available.

Run ``python scripts/graine_lieux_officiels.py`` to (re)write ``data/snapshots/`` for both.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from dashboard.actualisation import importer_octets
from dashboard.magasin import Magasin
from dashboard.sources import france_services, tiers_lieux_cget
from dashboard.sources.base import Contexte

EDITION_FRANCE_SERVICES = "2024-08-01"
ORIGINE_FRANCE_SERVICES = (
    "extrait officiel embarqué (édition 2024-08-01) de la « Liste des structures France services » "
    "(ANCT / Banque des Territoires) : champs connus seulement, les autres laissés vides"
)
ORIGINE_TIERS_LIEUX = (
    "extrait officiel embarqué (édition 2019) du recensement des tiers-lieux CGET « Mission Coworking » : "
    "champs connus seulement, les autres laissés vides"
)

ENTETE_FRANCE_SERVICES = (
    "id_fs", "insee_dep", "lib_fs", "adresse", "complement_adresse", "insee_com", "code_postal", "lib_com",
    "latitude", "longitude", "mail", "telephone", "h_lundi", "h_mardi", "h_mercredi", "h_jeudi", "h_vendredi",
    "h_samedi", "prise_rdv", "commentaire", "type_fs", "format_fs", "groupe_fs", "labellisation_fs",
)
ENTETE_CGET = (
    "ID", "NOM_TL", "ADRESSE", "CP", "COMINIT", "INSEECOM", "NOMCOM", "WEB", "TWITTER", "FACEBOOK", "TYPO",
    "LAT", "LONG", "GEOCOD", "PRECISION", "CONTACT", "MAIL", "METRO", "NOMMETRO", "INSEEREG", "NOMREG",
    "INSEEMETRO", "INSEEDEP", "NOMCOMMETRO", "POPCOM", "COMCLASS", "INSEE_ZE", "NOM_ZE", "CLASS_ZE", "POP_ZE",
)
TYPO_CGET = {"coworking": "Tiers lieux à dominante coworking", "fablab": "Tiers lieux à dominante fablab"}


@dataclass(frozen=True)
class LieuOfficiel:
    """The published facts of one place (coordinates kept as published text)."""

    identifiant: str
    nom: str
    adresse: str
    code_insee: str
    latitude: str
    longitude: str
    categorie: str  # France services: type_fs ; CGET: coworking | fablab
    format_fs: str = ""


FRANCE_SERVICES = (
    LieuOfficiel("328", "France services Groix", "13 Rue de l'Église", "56069", "47.63856", "-3.45494",
                 "Principal", "Fixe"),
    LieuOfficiel("926", "France services Blavet Bellevue Océan", "1 Allée de Ti Neùé", "56130",
                 "47.738115", "-3.225503", "Principal", "Fixe"),
    LieuOfficiel("1422", "France services EREF Riantec-Gâvres-Locmiquélic-Port-Louis",
                 "22 Rue de la madeleine", "56193", "47.712721", "-3.3084", "Principal", "Fixe"),
    LieuOfficiel("2431", "France services Pimms Médiation Lorient", "17 Boulevard Cosmao Dumanoir", "56121",
                 "47.7548168", "-3.3644143", "Principal", "Multisites"),
    LieuOfficiel("2624", "Bus France services PIMMS Médiation Lorient",
                 "17 Boulevard Eugène Cosmao-Dumanoir", "56121", "47.754662", "-3.364806", "Principal",
                 "Bus_équivalent"),
    LieuOfficiel("2625", "France services de Languidic", "Rue de la Poste", "56101", "47.83294", "-3.156567",
                 "Principal", "Fixe"),
    LieuOfficiel("2777", "France services de Plouay", "Place du Vieux Chateau", "56166", "47.916037",
                 "-3.334388", "Principal", "Fixe"),
    LieuOfficiel("3000", "France services de Quéven", "Place Pierre Quinio", "56185", "47.789556",
                 "-3.419257", "Principal", "Fixe"),
)

TIERS_LIEUX = (
    LieuOfficiel("299", "La Colloc", "42 avenue de la Perrière", "56121", "47.733097", "-3.364176",
                 "coworking"),
    LieuOfficiel("1431", "CréaFab", "Parc Technologique de Soye, 15 rue Galilée", "56162", "47.740649",
                 "-3.408082", "fablab"),
)


def _ligne_france_services(lieu: LieuOfficiel, communes: dict[str, str]) -> list[str]:
    valeurs = dict.fromkeys(ENTETE_FRANCE_SERVICES, "")
    valeurs.update({
        "id_fs": lieu.identifiant, "insee_dep": lieu.code_insee[:2], "lib_fs": lieu.nom,
        "adresse": lieu.adresse, "insee_com": lieu.code_insee, "lib_com": communes[lieu.code_insee],
        "latitude": lieu.latitude, "longitude": lieu.longitude, "type_fs": lieu.categorie,
        "format_fs": lieu.format_fs,
    })
    return [valeurs[c] for c in ENTETE_FRANCE_SERVICES]


def fichiers_france_services(communes: dict[str, str]) -> dict[str, bytes]:
    """``liste-fs.csv`` in the official layout: text quoted, coordinates bare, empty cells bare.

    ``communes`` maps INSEE code → commune name (reference geography).
    """
    def cellule(colonne: str, valeur: str) -> str:
        if valeur == "" or colonne in ("latitude", "longitude"):
            return valeur
        return '"' + valeur.replace('"', '""') + '"'

    lignes = [",".join(f'"{c}"' for c in ENTETE_FRANCE_SERVICES)]
    for lieu in FRANCE_SERVICES:
        valeurs = _ligne_france_services(lieu, communes)
        lignes.append(",".join(cellule(c, v) for c, v in zip(ENTETE_FRANCE_SERVICES, valeurs, strict=True)))
    return {france_services.FICHIER: ("\n".join(lignes) + "\n").encode("utf-8")}


def fichiers_tiers_lieux(communes: dict[str, str]) -> dict[str, bytes]:
    """``CGET_TiersLieux_2019.csv`` in the official 30-column layout (minimal quoting)."""
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, lineterminator="\n")
    ecrivain.writerow(ENTETE_CGET)
    for lieu in TIERS_LIEUX:
        valeurs = dict.fromkeys(ENTETE_CGET, "")
        valeurs.update({
            "ID": lieu.identifiant, "NOM_TL": lieu.nom, "ADRESSE": lieu.adresse, "INSEECOM": lieu.code_insee,
            "NOMCOM": communes[lieu.code_insee], "TYPO": TYPO_CGET[lieu.categorie], "LAT": lieu.latitude,
            "LONG": lieu.longitude, "INSEEDEP": lieu.code_insee[:2],
        })
        ecrivain.writerow([valeurs[c] for c in ENTETE_CGET])
    return {tiers_lieux_cget.FICHIER: tampon.getvalue().encode("utf-8")}


def importer_graines(magasin: Magasin, contexte: Contexte, communes: dict[str, str], *,
                     forcer: bool = False) -> list[dict]:
    """Import both official extracts as non-demonstration editions; return their manifests."""
    source_fs = france_services.SourceFranceServices(edition=EDITION_FRANCE_SERVICES)
    return [
        importer_octets(source_fs, magasin, contexte, fichiers_france_services(communes), forcer=forcer,
                        demo=False, origine=ORIGINE_FRANCE_SERVICES),
        importer_octets(tiers_lieux_cget.SOURCE, magasin, contexte, fichiers_tiers_lieux(communes),
                        forcer=forcer, demo=False, origine=ORIGINE_TIERS_LIEUX),
    ]
