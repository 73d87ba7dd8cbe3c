"""Lieux de médiation numérique: the national schema (LaMednum / ANCT), versions 0.1 to 1.x.

Official file ``lieux-de-mediation-numerique.csv`` (national consolidated export of the
« Cartographie nationale des lieux d'inclusion numérique », data.gouv.fr resource
``398edc71-…``): UTF-8, comma separator, one row per place. Schema v1.0.2 fields::

    id, pivot, nom, commune, code_postal, code_insee, adresse, complement_adresse, latitude,
    longitude, typologie, telephone, courriels, site_web, horaires, presentation_resume,
    presentation_detail, source, itinerance, structure_parente, date_maj, services,
    publics_specifiquement_adresses, prise_en_charge_specifique, frais_a_charge,
    dispositif_programmes_nationaux, formations_labels, autres_formations_labels,
    modalites_acces, modalites_accompagnement, fiche_acces_libre, prise_rdv

Tolerated variants, all met in published files:

* multi-values joined by ``|`` (v1.x) or ``;`` (v0.1 and pre-2024 exports);
* schema v0.1 fields (``courriel``, ``publics_accueillis``, ``conditions_acces``,
  ``labels_nationaux``, ``labels_autres``, ``accessibilite``, no ``itinerance``) and its 15
  old services, mapped to their v1 equivalents (see ``SERVICES_V01`` and friends);
* ``structure_parente`` absent (announced removal in v2), any optional column absent;
* ``code_postal`` that lost its leading zero (``6100`` → ``06100``) or was written ``56100.0``;
* ``pivot`` ``00000000000000`` meaning « unknown » (→ ``<NA>``);
* ``code_insee`` empty or invalid: recovered by point-in-polygon on the commune contours
  of the reference geography (a 150 m tolerance absorbs simplified coastlines), else by
  commune name within the département's postal codes.

Values outside the schema's enumerations are reported in a warning naming line, column and
value, and left out of the coded columns (never a crash). Only the territory's rows are
kept; the others are outside the perimeter and counted in a warning. Coordinates of the
territory's rows that are swapped, in Lambert-93 or off the territory are dropped (``<NA>``)
with a warning naming the line: in a crowd-sourced national file one bad row must not
block the import.

Edition: the most recent ``date_maj`` of the whole file that is not in the future.

Contours: the parser needs the commune contours only when a territory row may lack its
code. :func:`lire_lieux` takes them as an argument (a GeoDataFrame with ``code_insee``,
``nom`` and ``geometry`` in WGS84, or a callable returning it); ``SOURCE`` passes
:func:`contours_reference`, which reads ``data/reference/`` — the one file access of a
parser, done lazily and only when needed.

Output columns (in this order)
------------------------------
=========================== ======== =========================================================
column                      dtype    meaning
=========================== ======== =========================================================
``id``                      str      local identifier of the place (``id``)
``nom``                     str      name, verbatim (escape it when displaying)
``adresse``                 str      ``adresse``, then ``, complement_adresse`` if any
``code_postal``             str, NA  5 characters, leading zero restored
``code_insee``              str      commune code (from the file, or recovered)
``commune``                 str      commune name as published
``latitude``, ``longitude`` Float64  WGS84 degrees; ``<NA>`` if missing or unusable
``typologies``              str      ``|``-joined typologie codes (``EPN|BIB``), may be ``""``
``services``                str      ``|``-joined services of the v1 enumeration
``publics``                 str      ``|``-joined ``publics_specifiquement_adresses``
``frais``                   str      ``|``-joined ``frais_a_charge``
``dispositifs``             str      ``|``-joined ``dispositif_programmes_nationaux``
``itinerant``               boolean  ``itinerance`` contains ``Itinérant``
``horaires``                str, NA  OSM ``opening_hours`` text as published
``heures_par_semaine``      Float64  hours a week (h) for simple OSM forms
                                     (``Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00``),
                                     ``<NA>`` otherwise
``ouvert_samedi``           boolean  open on Saturday per ``horaires``; ``<NA>`` if unknown
``site_web``                str, NA  first ``http(s)`` URL of ``site_web``
``date_maj``                str, NA  ISO ``YYYY-MM-DD`` date of the row's last update
``est_tiers_lieu``          boolean  typologie ``TIERS_LIEUX``, ``FABLAB`` or ``FABRIQUE``, or
                                     label « Fabriques de Territoire »
``conseiller_numerique``    boolean  dispositifs include « Conseillers numériques »
``aidants_connect``         boolean  dispositifs include « Aidants Connect »
``pivot``                   str, NA  SIRET/RNA; ``<NA>`` when unknown (``000…``)
=========================== ======== =========================================================
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime

import geopandas as gpd
import pandas as pd

from dashboard import formats
from dashboard.erreurs import ErreurFormat
from dashboard.sources import _lieux
from dashboard.sources.base import Colonne, Contexte, Fichier, Resultat, Source, typer
from dashboard.sources.lecture import COLONNE_LIGNE, TableLue, lire_csv
from dashboard.territoire import Territoire

FICHIER = "lieux-de-mediation-numerique.csv"
URL = "https://www.data.gouv.fr/api/1/datasets/r/398edc71-0d51-4cb6-9cbe-2540a4db573c"
COLONNES_REQUISES = ("id", "nom", "commune", "code_postal", "adresse", "date_maj")
# v0.1 headers renamed in v1 (values unchanged).
ALIAS_V01 = {"courriel": "courriels", "labels_autres": "autres_formations_labels",
             "accessibilite": "fiche_acces_libre"}
TOLERANCE_CONTOURS_M = 150.0
RE_SEPARATEUR_MULTI = re.compile(r"\s*[|;]\s*")
RE_SEPARATEUR_LIENS = re.compile(r"\s*[|;]\s*|\s*,\s*(?=https?://)")
RE_PIVOT_INCONNU = re.compile(r"^0+$")
AVERTISSEMENTS_ENUMERATION_MAX = 20

# --------------------------------------------------------------------------- vocabularies
# data·inclusion « typologies de structures » (91 codes), as used by the national cartography.
TYPOLOGIES: dict[str, str] = {
    "ACI": "Structures porteuses d’ateliers et chantiers d’insertion",
    "ACIPHC": "SIAE — Atelier chantier d’insertion premières heures en chantier",
    "AFPA": "Agence nationale pour la formation professionnelle des adultes",
    "AI": "Associations intermédiaires",
    "ASE": "Aide sociale à l’enfance",
    "ASSO": "Associations",
    "ASSO_CHOMEUR": "Associations de chômeurs",
    "Autre": "Autre",
    "AVIP": "Crèche à vocation d'insertion professionnelle",
    "BIB": "Bibliothèque / Médiathèque",
    "CAARUD": "Centre d'accueil et d'accompagnement à la réduction de risques pour usagers de drogues",
    "CADA": "Centres d’accueil de demandeurs d’asile",
    "CAF": "Caisses d’allocation familiale",
    "CAP_EMPLOI": "Cap Emploi",
    "CAVA": "Centres d’adaptation à la vie active",
    "CC": "Communautés de Commune",
    "CCAS": "Centres communaux d’action sociale",
    "CCONS": "Chambres consulaires",
    "CD": "Conseils Départementaux",
    "CDAS": "Centre départemental d'action sociale",
    "CFP": "Centre des finances publiques",
    "CHRS": "Centres d’hébergement et de réinsertion sociale",
    "CHU": "Centres d’hébergement d’urgence",
    "CIAS": "Centres intercommunaux d’action sociale",
    "CIDFF": "Centres d’information sur les droits des femmes et des familles",
    "CITMET": "Cité des métiers",
    "CMP": "Centre Médico Psychologique",
    "CMS": "Centre médico-social",
    "CPAM": "Caisse primaire d'assurance maladie",
    "CPH": "Centres provisoires d’hébergement",
    "CS": "Centre social",
    "CSAPA": "- Centre de soins, d'accompagnement et de prévention en addictologie",
    "CSC": "Centre socioculturel",
    "DEETS": "Directions de l’Economie, de l’Emploi, du Travail et des Solidarités",
    "DEPT": "Services sociaux du Conseil départemental",
    "DIPLP": "Délégation interministérielle à la prévention et à la lutte contre la pauvreté",
    "EA": "Entreprise adaptée",
    "EATT": "Entreprise adaptée",
    "EI": "Entreprises d’insertion",
    "EITI": "Entreprises d’insertion par le travail indépendant",
    "ENM": "Espace Numérique Mobile",
    "EPCI": "Intercommunalité",
    "EPI": "Espace Public Internet",
    "EPIDE": "Établissement pour l'insertion dans l'emploi",
    "EPN": "Espace publique numérique",
    "ES": "Épicerie solidaire",
    "ESAT": "Établissements ou services d'aide par le travail",
    "ESS": "Entreprise def l'Économie Sociale et Solidaire",
    "ETTI": "Entreprises de travail temporaire d’insertion",
    "EVS": "Espace de vie sociale",
    "FABLAB": "Fablab",
    "FABRIQUE": "Fabrique",
    "FAIS": "Fédérations d’acteurs de l’insertion et de la solidarité",
    "FT": "France travail",
    "GEIQ": "Groupements d’employeurs pour l’insertion et la qualification",
    "HUDA": "Hébergement d'urgence pour demandeurs d'asile",
    "LA_POSTE": "La Poste",
    "MDE": "Maison de l'emploi",
    "MDH": "Maison des Habitants",
    "MDEF": "Maison de l'emploi et de la formation",
    "MDPH": "Maison Départementale des Personnes Handicapées",
    "MDS": "Maison Départementale des Solidarités",
    "MJC": "Maison des jeunes et de la culture",
    "ML": "Mission Locale",
    "MQ": "Maison de quartier",
    "MSA": "Mutualité Sociale Agricole",
    "MSAP": "Maison de Services Au Public",
    "MUNI": "Municipalités",
    "OACAS": "Structures agréées Organisme d’accueil communautaire et d’activité solidaire",
    "ODC": "Organisation délégataire d'un CD",
    "OF": "Organisme de formations",
    "OIL": "Opérateur d'intermédiation locative",
    "OPCS": "Organisation porteuse de la clause sociale",
    "PAD": "Point d'Accès au Droit",
    "PENSION": "Pension de famille",
    "PI": "Point info",
    "PIJ_BIJ": "Points et bureaux information jeunesse",
    "PIMMS": "Point Information Médiation Multi Services",
    "PJJ": "Protection judiciaire de la jeunesse",
    "PLIE": "Plans locaux pour l’insertion et l’emploi",
    "PREF": "Préfecture, Sous-Préfecture",
    "PREVENTION": "Service ou club de prévention",
    "REG": "Région",
    "RELAIS_LECTURE": "Relais lecture",
    "RESSOURCERIE": "Ressourcerie",
    "RFS": "Réseau France Services",
    "RS_FJT": "Résidence sociale - Foyer de Jeunes Travailleurs",
    "SCP": "Services et clubs de prévention",
    "SPIP": "Services pénitentiaires d’insertion et de probation",
    "TIERS_LIEUX": "Tiers lieu & coworking",
    "UDAF": "Union Départementale d’Aide aux Familles",
}
TYPOLOGIES_TIERS_LIEUX = frozenset({"TIERS_LIEUX", "FABLAB", "FABRIQUE"})

# Enumerations of schema v1.0.2 (canonical spellings).
SERVICES = (
    "Aide aux démarches administratives", "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique", "Utilisation sécurisée du numérique",
    "Parentalité et éducation avec le numérique", "Loisirs et créations numériques",
    "Compréhension du monde numérique", "Accès internet et matériel informatique",
    "Acquisition de matériel informatique à prix solidaire",
)
PUBLICS = ("Jeunes", "Étudiants", "Familles et/ou enfants", "Seniors", "Femmes")
PRISES_EN_CHARGE = ("Surdité", "Handicaps moteurs", "Handicaps mentaux", "Illettrisme",
                    "Langues étrangères (anglais)", "Langues étrangères (autres)", "Déficience visuelle")
FRAIS = ("Gratuit", "Gratuit sous condition", "Payant")
DISPOSITIFS = (
    "Aidants Connect", "Bibliothèques numérique de référence", "Certification PIX", "Conseillers numériques",
    "Emmaüs Connect", "France Services", "Grande école du numérique", "La Croix Rouge",
    "Point d'accès numérique CAF", "Promeneurs du net", "Relais numérique (Emmaüs Connect)",
)
FORMATIONS_LABELS = (
    "Formé à « Mon Espace Santé »", "Formé à « DUPLEX » (illettrisme)",
    "Arnia/MedNum BFC (Bourgogne-Franche-Comté)", "Collectif ressources et acteurs réemploi (Normandie)",
    "Étapes numériques (La Poste)", "Fabriques de Territoire", "Les Éclaireurs du numérique (Drôme)",
    "Mes Papiers (Métropole de Lyon)", "ORDI 3.0", "SUD LABS (PACA)",
)
MODALITES_ACCES = ("Se présenter", "Téléphoner", "Contacter par mail", "Prendre un RDV en ligne",
                   "Ce lieu n'accueille pas de public", "Envoyer un mail avec une fiche de prescription")
MODALITES_ACCOMPAGNEMENT = ("En autonomie", "Accompagnement individuel", "Dans un atelier collectif",
                            "À distance")
ITINERANCES = ("Itinérant", "Fixe")

# Schema v0.1 values → v1 equivalents (None: no v1 equivalent, silently not carried over).
SERVICES_V01: dict[str, str | None] = {
    "Devenir autonome dans les démarches administratives": "Aide aux démarches administratives",
    "Réaliser des démarches administratives avec un accompagnement": "Aide aux démarches administratives",
    "Accompagner les démarches de santé": "Aide aux démarches administratives",
    "Prendre en main un smartphone ou une tablette": "Maîtrise des outils numériques du quotidien",
    "Prendre en main un ordinateur": "Maîtrise des outils numériques du quotidien",
    "Utiliser le numérique au quotidien": "Maîtrise des outils numériques du quotidien",
    "Approfondir ma culture numérique": "Compréhension du monde numérique",
    "Promouvoir la citoyenneté numérique": "Compréhension du monde numérique",
    "Favoriser mon insertion professionnelle": "Insertion professionnelle via le numérique",
    "Créer et développer mon entreprise": "Insertion professionnelle via le numérique",
    "Accéder à une connexion internet": "Accès internet et matériel informatique",
    "Accéder à du matériel": "Accès internet et matériel informatique",
    "S’équiper en matériel informatique": "Acquisition de matériel informatique à prix solidaire",
    "Équipement informatique": "Acquisition de matériel informatique à prix solidaire",
    "Créer avec le numérique": "Loisirs et créations numériques",
    "Soutenir la parentalité et l'éducation avec le numérique": "Parentalité et éducation avec le numérique",
}
PUBLICS_V01: dict[str, str | None] = {
    "Seniors (+ 65 ans)": "Seniors", "Familles/enfants": "Familles et/ou enfants",
    "Jeunes (16-26 ans)": "Jeunes", "Uniquement femmes": "Femmes", "Adultes": None,
    "Public langues étrangères": None, "Déficience visuelle": None, "Surdité": None,
    "Handicaps psychiques": None, "Handicaps mentaux": None, "Personnes en situation d'illettrisme": None,
}
FRAIS_V01: dict[str, str | None] = {  # v0.1 values read « Gratuit : explanation… »: matched on the prefix
    "Gratuit": "Gratuit", "Gratuit sous condition": "Gratuit sous condition", "Payant": "Payant",
    "Adhésion": "Payant", "Accepte le Pass numérique": None,
}
LABELS_NATIONAUX_V01: dict[str, str | None] = {
    "France Services": "France Services", "CNFS": "Conseillers numériques",
    "Aidants Connect": "Aidants Connect", "Grandes écoles du numérique": "Grande école du numérique",
    "Point numérique CAF": "Point d'accès numérique CAF", "Point relais CAF": "Point d'accès numérique CAF",
    "Fabriques de Territoire": None, "APTIC": None, "Relais pôle emploi": None, "French Tech": None,
    "Campus connecté": None,
}
MODALITES_ACCOMPAGNEMENT_V01: dict[str, str | None] = {  # « Seul : j'ai accès… »: matched on the prefix
    "Seul": "En autonomie", "Avec de l'aide": "Accompagnement individuel",
    "Dans un atelier": "Dans un atelier collectif", "A ma place": None,
}
JOURS_OSM = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")

COLONNES = (
    Colonne("id", "texte", "identifiant local du lieu"),
    Colonne("nom", "texte", "nom du lieu, tel que publié"),
    Colonne("adresse", "texte", "adresse, suivie du complément d'adresse s'il existe"),
    Colonne("code_postal", "texte", "code postal (5 caractères)", nullable=True),
    Colonne("code_insee", "texte", "code INSEE de la commune (du fichier ou retrouvé par les contours)"),
    Colonne("commune", "texte", "nom de la commune publié"),
    Colonne("latitude", "decimal", "latitude WGS84", "degré", nullable=True),
    Colonne("longitude", "decimal", "longitude WGS84", "degré", nullable=True),
    Colonne("typologies", "texte", "codes de typologie séparés par |"),
    Colonne("services", "texte", "services (énumération du schéma) séparés par |"),
    Colonne("publics", "texte", "publics spécifiquement adressés séparés par |"),
    Colonne("frais", "texte", "frais à charge séparés par |"),
    Colonne("dispositifs", "texte", "dispositifs et programmes nationaux séparés par |"),
    Colonne("itinerant", "booleen", "lieu itinérant"),
    Colonne("horaires", "texte", "horaires au format OpenStreetMap opening_hours", nullable=True),
    Colonne("heures_par_semaine", "decimal", "heures d'ouverture par semaine", "h", nullable=True),
    Colonne("ouvert_samedi", "booleen", "ouvert le samedi", nullable=True),
    Colonne("site_web", "texte", "site web (http ou https uniquement)", nullable=True),
    Colonne("date_maj", "date", "date de mise à jour de la fiche (AAAA-MM-JJ)", nullable=True),
    Colonne("est_tiers_lieu", "booleen", "tiers-lieu, fablab ou fabrique de territoire"),
    Colonne("conseiller_numerique", "booleen", "lieu du dispositif Conseillers numériques"),
    Colonne("aidants_connect", "booleen", "lieu habilité Aidants Connect"),
    Colonne("pivot", "texte", "SIRET ou RNA (vide si inconnu)", nullable=True),
)


# --------------------------------------------------------------------------- small parsers
def cle(valeur: str) -> str:
    """Matching key: unaccented, case-folded, letters and digits only (« Étapes numériques(La Poste) »
    and « Etapes numériques (La Poste) » meet)."""
    sans_accents = unicodedata.normalize("NFKD", valeur).encode("ascii", "ignore").decode()
    return re.sub(r"[^0-9a-z]", "", sans_accents.casefold())


def separer(valeur: str) -> list[str]:
    """``"A|B; C"`` → ``["A", "B", "C"]``: multi-values split on ``|`` and ``;``."""
    return [v for v in RE_SEPARATEUR_MULTI.split(valeur.strip()) if v]


def date_iso(valeur: str) -> str | None:
    """``2024-04-02``, ``2024-04-02T10:00:00Z`` or ``02/04/2024`` → ``"2024-04-02"``; else ``None``."""
    valeur = valeur.strip()
    trouve = re.match(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$", valeur)
    ordre = (1, 2, 3)
    if not trouve:
        trouve = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", valeur)
        ordre = (3, 2, 1)
    if not trouve:
        return None
    try:
        return date(*(int(trouve.group(i)) for i in ordre)).isoformat()
    except ValueError:
        return None


def code_postal(valeur: str) -> str | None:
    """``"6100"`` → ``"06100"``, ``"56100.0"`` → ``"56100"``; not a postal code → ``None``."""
    valeur = re.sub(r"\.0+$", "", valeur.strip().replace(" ", ""))
    if re.fullmatch(r"\d{4}", valeur):
        valeur = valeur.zfill(5)
    return valeur if re.fullmatch(r"\d{5}", valeur) else None


def _jours(expression: str) -> list[int] | None:
    jours: list[int] = []
    for morceau in expression.split(","):
        bornes = [b.strip() for b in morceau.split("-")]
        if len(bornes) > 2 or any(b not in JOURS_OSM for b in bornes):
            return None
        debut = JOURS_OSM.index(bornes[0])
        fin = JOURS_OSM.index(bornes[-1])
        jours += [(debut + i) % 7 for i in range((fin - debut) % 7 + 1)]
    return jours


def _plages(expression: str) -> list[tuple[int, int]] | None:
    if expression.strip().casefold() in ("off", "closed"):
        return []
    plages = []
    for morceau in expression.split(","):
        trouve = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", morceau)
        if not trouve:
            return None
        h1, m1, h2, m2 = (int(g) for g in trouve.groups())
        debut, fin = h1 * 60 + m1, h2 * 60 + m2
        if m1 > 59 or m2 > 59 or fin > 24 * 60 or fin <= debut:
            return None
        plages.append((debut, fin))
    return plages


def analyser_horaires_osm(horaires: str) -> tuple[float | None, bool | None]:
    """Hours a week and « open on Saturday » from the simple forms of OSM ``opening_hours``.

    Supported: rules ``<days> <ranges>`` separated by ``;`` — days ``Mo``…``Su``, ranges
    (``Mo-Fr``, ``Sa-Mo``) and lists (``Mo,We``); times ``HH:MM-HH:MM`` separated by ``,``;
    ``off``/``closed``; ``PH off`` (ignored: public holidays do not change a normal week).
    A later rule replaces the hours of the days it names, as in OSM. Anything else
    (months, weeks, ``24/7``, ``||``, comments, times past midnight) → ``(None, None)``.
    """
    if not horaires.strip() or "||" in horaires:
        return None, None
    semaine: dict[int, list[tuple[int, int]]] = {}
    for regle in (r.strip() for r in horaires.split(";")):
        if not regle:
            continue
        if re.fullmatch(r"PH\s+(off|closed)", regle, flags=re.IGNORECASE):
            continue
        trouve = re.fullmatch(r"([A-Za-z]{2}(?:\s*[-,]\s*[A-Za-z]{2})*)\s+(.+)", regle)
        if not trouve:
            return None, None
        jours = _jours(re.sub(r"\s+", "", trouve.group(1)))
        plages = _plages(trouve.group(2))
        if jours is None or plages is None:
            return None, None
        for jour in jours:
            semaine[jour] = plages
    if not semaine:
        return None, None
    minutes = sum(_lieux.minutes_ouvertes(p) for p in semaine.values())
    samedi = JOURS_OSM.index("Sa")
    return round(minutes / 60, 2), bool(semaine.get(samedi))


def premier_lien(valeur: str) -> str | None:
    """First plain ``http(s)`` URL of a ``|``/``;``/``,``-separated list."""
    for morceau in RE_SEPARATEUR_LIENS.split(valeur.strip()):
        lien = _lieux.lien_http(morceau)
        if lien:
            return lien
    return None


# --------------------------------------------------------------------------- contours
Contours = gpd.GeoDataFrame | Callable[[], gpd.GeoDataFrame] | None


def contours_reference(territoire: Territoire) -> gpd.GeoDataFrame:
    """Commune contours of the committed reference geography (``data/reference/``)."""
    from dashboard import chemins
    from dashboard.reference import charger_reference

    return charger_reference(chemins.dossier_reference(), territoire).communes


def retrouver_codes_par_contours(latitudes: pd.Series, longitudes: pd.Series, contours: gpd.GeoDataFrame,
                                 tolerance_m: float = TOLERANCE_CONTOURS_M) -> pd.Series:
    """INSEE code of the commune containing each point (``""`` when none).

    Points within ``tolerance_m`` metres of a contour (Lambert-93) are given that commune:
    the reference contours are simplified, so a harbour or beach point may fall just out.
    """
    resultat = pd.Series("", index=latitudes.index, dtype="str")
    connus = latitudes.notna() & longitudes.notna()
    if not connus.any() or contours.empty:
        return resultat
    polygones = contours[["code_insee", "geometry"]]
    if polygones.crs is None:
        polygones = polygones.set_crs("EPSG:4326")
    points = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(longitudes[connus].astype(float), latitudes[connus].astype(float)),
        index=latitudes.index[connus], crs="EPSG:4326",
    ).to_crs(polygones.crs)
    dedans = gpd.sjoin(points, polygones, how="left", predicate="within")
    dedans = dedans[~dedans.index.duplicated(keep="first")]
    trouves = dedans["code_insee"].dropna()
    resultat.loc[trouves.index] = trouves.astype(str)
    restants = points.loc[dedans["code_insee"].isna()]
    if not restants.empty:
        proches = gpd.sjoin_nearest(restants.to_crs("EPSG:2154"), polygones.to_crs("EPSG:2154"),
                                    how="left", max_distance=tolerance_m)
        proches = proches[~proches.index.duplicated(keep="first")]["code_insee"].dropna()
        resultat.loc[proches.index] = proches.astype(str)
    return resultat


def retrouver_codes_par_nom(communes: pd.Series, codes_postaux: pd.Series, contours: gpd.GeoDataFrame,
                            departement: str) -> pd.Series:
    """INSEE code from the commune name, only when the postal code is in ``departement``
    (two Plouhinec exist in Bretagne: 29 and 56). ``""`` when no single match."""
    par_nom: dict[str, list[str]] = {}
    for code, nom in zip(contours["code_insee"], contours["nom"], strict=True):
        par_nom.setdefault(cle(str(nom)), []).append(str(code))
    sortie = []
    for nom, cp in zip(communes, codes_postaux, strict=True):
        candidats = par_nom.get(cle(nom), [])
        sortie.append(candidats[0] if len(candidats) == 1 and cp.startswith(departement) else "")
    return pd.Series(sortie, index=communes.index, dtype="str")


# --------------------------------------------------------------------------- enumerations
class _Enumerations:
    """Collects out-of-schema values as (column, value) → lines, for grouped warnings."""

    def __init__(self) -> None:
        self.inconnues: dict[tuple[str, str], list[int]] = {}

    def valeurs(self, table: TableLue, colonne: str, autorisees: tuple[str, ...] | dict[str, str],
                anciennes: dict[str, str | None] | None = None, prefixe: bool = False) -> list[list[str]]:
        """Canonical values of a multi-valued column, row by row."""
        canon = {cle(v): v for v in autorisees}
        anciennes_cles = {cle(k): v for k, v in (anciennes or {}).items()}
        sortie: list[list[str]] = []
        for cellule, ligne in zip(_lieux.texte(table, colonne), table.frame[COLONNE_LIGNE], strict=True):
            valeurs: list[str] = []
            for brute in separer(cellule):
                c = cle(brute.split(" : ")[0] if prefixe else brute)
                if c in canon:
                    valeurs.append(canon[c])
                elif c in anciennes_cles:
                    if anciennes_cles[c]:
                        valeurs.append(anciennes_cles[c])  # type: ignore[arg-type]
                else:
                    valeur = brute if len(brute) <= 60 else brute[:59] + "…"
                    self.inconnues.setdefault((colonne, valeur), []).append(int(ligne))
            sortie.append(valeurs)
        return sortie

    def avertissements(self) -> list[str]:
        messages = [
            f"{FICHIER}, colonne {colonne}, ligne(s) {_lieux.citer_lignes(lignes)} : "
            f"valeur « {valeur} » absente du schéma national, ignorée"
            for (colonne, valeur), lignes in self.inconnues.items()
        ]
        if len(messages) > AVERTISSEMENTS_ENUMERATION_MAX:
            reste = len(messages) - AVERTISSEMENTS_ENUMERATION_MAX
            messages = [*messages[:AVERTISSEMENTS_ENUMERATION_MAX],
                        f"{FICHIER} : {reste} autre(s) valeur(s) hors schéma ignorée(s)"]
        return messages


def _fusionner(*listes: list[list[str]]) -> list[list[str]]:
    """Row-wise union of several value lists, first-seen order, no duplicates."""
    return [list(dict.fromkeys(v for liste in rangee for v in liste)) for rangee in zip(*listes, strict=True)]


def _joindre(valeurs: list[list[str]]) -> pd.Series:
    return pd.Series(["|".join(v) for v in valeurs], dtype="str")


# --------------------------------------------------------------------------- reading
def _charger(contours: Contours) -> gpd.GeoDataFrame | None:
    return contours() if callable(contours) else contours


def _localiser(table: TableLue, contexte: Contexte,
               contours: Contours) -> tuple[pd.Series, pd.Series, list[str]]:
    """INSEE code of every row (``""`` if unknown), the rows impossible to place, and warnings."""
    codes = _lieux.normaliser_codes(_lieux.texte(table, "code_insee"))
    sans_code = codes == ""
    messages: list[str] = []
    if not sans_code.any():
        return codes, sans_code, messages
    geo = _charger(contours)
    if geo is None:
        messages.append(f"{FICHIER} : {int(sans_code.sum())} lieu(x) sans code INSEE et aucun contour "
                        "de commune fourni pour les localiser : non retenus")
        return codes, sans_code, messages
    lat = _lieux.texte(table, "latitude").map(_lieux.nombre_decimal)
    lon = _lieux.texte(table, "longitude").map(_lieux.nombre_decimal)
    plausibles = sans_code & lat.notna() & lon.notna() & lat.abs().le(90) & lon.abs().le(180)
    par_contours = retrouver_codes_par_contours(lat[plausibles].astype(float), lon[plausibles].astype(float),
                                                geo)
    codes.loc[par_contours.index] = par_contours
    lignes = table.frame[COLONNE_LIGNE]
    trouves = par_contours[par_contours != ""].index
    if len(trouves):
        messages.append(f"{FICHIER} : {len(trouves)} code(s) INSEE absent(s) retrouvé(s) par les coordonnées "
                        f"et les contours des communes (lignes {_lieux.citer_lignes(lignes[trouves])})")
    sans_point = sans_code & ~plausibles
    if sans_point.any() and "nom" in geo.columns:
        cps = _lieux.texte(table, "code_postal").map(lambda v: code_postal(v) or "")
        par_nom = retrouver_codes_par_nom(_lieux.texte(table, "commune")[sans_point], cps[sans_point], geo,
                                          contexte.territoire.departement)
        codes.loc[par_nom.index] = par_nom
        trouves_nom = par_nom[par_nom != ""].index
        if len(trouves_nom):
            messages.append(f"{FICHIER} : {len(trouves_nom)} code(s) INSEE absent(s) retrouvé(s) par le nom "
                            "de commune et le code postal "
                            f"(lignes {_lieux.citer_lignes(lignes[trouves_nom])})")
    perdus = sans_point & (codes == "")
    if perdus.any():
        messages.append(f"{FICHIER} : {int(perdus.sum())} lieu(x) sans code INSEE ni coordonnées "
                        "exploitables, impossibles à situer, non retenus "
                        f"(lignes {_lieux.citer_lignes(lignes[perdus])})")
    return codes, perdus, messages


def _edition(table: TableLue) -> str:
    """The most recent ``date_maj`` of the file that is not in the future."""
    aujourd_hui = datetime.now(UTC).date().isoformat()
    dates = [d for d in map(date_iso, _lieux.texte(table, "date_maj")) if d and d <= aujourd_hui]
    if not dates:
        raise ErreurFormat("aucune date de mise à jour (date_maj) valide dans le fichier", fichier=FICHIER,
                           colonne="date_maj", conseil="date au format AAAA-MM-JJ attendue")
    return max(dates)


def lire_lieux(fichiers: dict[str, bytes], contexte: Contexte, contours: Contours = None) -> Resultat:
    """Parse the national file; ``contours`` (GeoDataFrame or callable) serve to recover missing codes."""
    table = lire_csv(fichiers[FICHIER], FICHIER, colonnes_requises=COLONNES_REQUISES, alias=ALIAS_V01,
                     separateur=",", strict=False)
    lues = len(table.frame) + len(table.rejets)
    rejets = [(FICHIER, ligne, motif) for ligne, motif in table.rejets]
    edition = _edition(table)
    codes, perdus, messages = _localiser(table, contexte, contours)
    dans = codes.isin(contexte.codes_communes)
    hors = ~dans & ~perdus
    if hors.any():
        table.avertissements.append(_lieux.avertissement_perimetre(
            FICHIER, int(hors.sum()), len(table.frame), contexte.territoire.nom))
    table.avertissements.extend(messages)
    table.frame["code_insee"] = codes
    sous = _lieux.sous_table(table, dans)
    garder, doublons = _lieux.rejeter_doublons(sous, "id")
    rejets += doublons
    sous = _lieux.sous_table(sous, garder)
    frame = _convertir(sous, contexte)
    return Resultat(
        frame=typer(frame, COLONNES),
        edition=edition,
        libelle_edition=f"mise à jour du {formats.date_longue(edition)}",
        lignes_lues=lues,
        lignes_rejetees=rejets,
        avertissements=table.avertissements,
    )


def _convertir(sous: TableLue, contexte: Contexte) -> pd.DataFrame:
    """Territory rows → output columns (enumerations checked, v0.1 values mapped)."""
    n = len(sous.frame)
    lignes = sous.frame[COLONNE_LIGNE]
    enum = _Enumerations()
    typologies = enum.valeurs(sous, "typologie", TYPOLOGIES)
    services = _fusionner(enum.valeurs(sous, "services", SERVICES, SERVICES_V01))
    publics = _fusionner(enum.valeurs(sous, "publics_specifiquement_adresses", PUBLICS),
                         enum.valeurs(sous, "publics_accueillis", (), PUBLICS_V01))
    enum.valeurs(sous, "prise_en_charge_specifique", PRISES_EN_CHARGE)
    frais = _fusionner(enum.valeurs(sous, "frais_a_charge", FRAIS),
                       enum.valeurs(sous, "conditions_acces", (), FRAIS_V01, prefixe=True))
    dispositifs = _fusionner(enum.valeurs(sous, "dispositif_programmes_nationaux", DISPOSITIFS),
                             enum.valeurs(sous, "labels_nationaux", (), LABELS_NATIONAUX_V01))
    formations = enum.valeurs(sous, "formations_labels", FORMATIONS_LABELS)
    enum.valeurs(sous, "modalites_acces", MODALITES_ACCES)
    enum.valeurs(sous, "modalites_accompagnement", MODALITES_ACCOMPAGNEMENT, MODALITES_ACCOMPAGNEMENT_V01,
                 prefixe=True)
    itinerances = enum.valeurs(sous, "itinerance", ITINERANCES)
    fabriques_v01 = [cle("Fabriques de Territoire") in {cle(v) for v in separer(c)}
                     for c in _lieux.texte(sous, "labels_nationaux")]
    sous.avertissements.extend(enum.avertissements())

    coordonnees = _lieux.controler_coordonnees(sous, "latitude", "longitude", contexte.territoire.emprise,
                                               strict=False)
    cp_brut = _lieux.texte(sous, "code_postal")
    cps = cp_brut.map(code_postal)
    if ((cp_brut != "") & cps.isna()).any():
        sous.avertissements.append(
            f"{FICHIER}, colonne code_postal : code postal invalide, laissé vide "
            f"(lignes {_lieux.citer_lignes(lignes[(cp_brut != '') & cps.isna()])})")
    dates_brutes = _lieux.texte(sous, "date_maj")
    dates = dates_brutes.map(date_iso)
    if dates.isna().any():
        sous.avertissements.append(
            f"{FICHIER}, colonne date_maj : date absente ou illisible (AAAA-MM-JJ attendu), laissée vide "
            f"(lignes {_lieux.citer_lignes(lignes[dates.isna()])})")
    horaires = _lieux.texte(sous, "horaires")
    analyses = [analyser_horaires_osm(h) for h in horaires]
    illisibles = (horaires != "") & pd.Series([a[0] is None for a in analyses], index=horaires.index)
    if illisibles.any():
        sous.avertissements.append(
            f"{FICHIER}, colonne horaires : forme OSM non simple, heures par semaine non calculées "
            f"(lignes {_lieux.citer_lignes(lignes[illisibles])})")
    pivots = _lieux.texte(sous, "pivot").str.replace(" ", "", regex=False)
    pivots = pivots.where(~pivots.str.fullmatch(RE_PIVOT_INCONNU.pattern), "")
    typo_ensembles = [set(t) for t in typologies]
    return pd.DataFrame({
        "id": _lieux.texte(sous, "id"),
        "nom": _lieux.texte(sous, "nom"),
        "adresse": _lieux.adresse_complete(sous),
        "code_postal": cps.astype("str"),
        "code_insee": _lieux.texte(sous, "code_insee"),
        "commune": _lieux.texte(sous, "commune"),
        "latitude": coordonnees.latitude,
        "longitude": coordonnees.longitude,
        "typologies": _joindre(typologies),
        "services": _joindre(services),
        "publics": _joindre(publics),
        "frais": _joindre(frais),
        "dispositifs": _joindre(dispositifs),
        "itinerant": pd.Series(["Itinérant" in i for i in itinerances], dtype="boolean"),
        "horaires": _lieux.texte_ou_na(horaires),
        "heures_par_semaine": pd.Series([a[0] for a in analyses], dtype="Float64"),
        "ouvert_samedi": pd.Series([a[1] for a in analyses], dtype="boolean"),
        "site_web": _lieux.texte(sous, "site_web").map(premier_lien).astype("str"),
        "date_maj": dates.astype("str"),
        "est_tiers_lieu": pd.Series(
            [bool(t & TYPOLOGIES_TIERS_LIEUX) or "Fabriques de Territoire" in f or v01
             for t, f, v01 in zip(typo_ensembles, formations, fabriques_v01, strict=True)], dtype="boolean"),
        "conseiller_numerique": pd.Series(["Conseillers numériques" in d for d in dispositifs],
                                          dtype="boolean"),
        "aidants_connect": pd.Series(["Aidants Connect" in d for d in dispositifs], dtype="boolean"),
        "pivot": _lieux.texte_ou_na(pivots),
    }, index=pd.RangeIndex(n))


class SourceMediationNumerique(Source):
    """National lieux de médiation numérique; ``contours`` default to the reference geography."""

    identifiant = "mediation_numerique"
    titre = "Lieux de médiation numérique (schéma national)"
    producteur = "ANCT (Cartographie nationale des lieux d'inclusion numérique)"
    licence = "Licence Ouverte 2.0 / etalab-2.0"
    page = "https://cartographie.societenumerique.gouv.fr/"
    fichiers = (Fichier(FICHIER, URL, "export national consolidé au schéma LaMednum (CSV)"),)
    colonnes = COLONNES
    frequence = "continue (hebdomadaire environ)"

    def __init__(self, contours: Contours = None) -> None:
        self.contours = contours

    def lire(self, fichiers: dict[str, bytes], contexte: Contexte) -> Resultat:
        contours = self.contours if self.contours is not None else (
            lambda: contours_reference(contexte.territoire))
        return lire_lieux(fichiers, contexte, contours)


SOURCE = SourceMediationNumerique()
