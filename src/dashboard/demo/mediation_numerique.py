"""Demonstration edition of the national « lieux de médiation numérique » file (schema v1.0.2).

NOT real data. No real row of the national export for the territory is available offline,
so this module writes a plausible one in the official layout (32 columns, comma, ``|``
multi-values), which the real parser then reads. Every place is fictitious and says so in
its name (« Espace numérique (démo) — Lorient »), its address (« … rue de la
Démonstration ») and its ``source``; no phone, e-mail or web site is made up.

How it is made, from the seed:

* one place per commune of the reference geography, plus a tiers-lieu and a fablab in
  the largest commune and a CCAS and an association in the next two (34 for the Pays de
  Lorient); typology of the per-commune place drawn among EPN, BIB, MUNI, CCAS, ASSO with
  libraries and public digital spaces likelier in larger communes;
* a point drawn uniformly inside the commune's contour; two rows leave ``code_insee``
  empty, as in the national file, so the parser recovers it from the point;
* three itinerant places (« Bus numérique (démo) ») in the least populated communes;
* services drawn from the schema's enumeration (2 to 5), « Conseillers numériques » for
  about half the places, « Aidants Connect » for about a quarter, OSM opening hours from a
  few common patterns (some left empty), ``date_maj`` in 2026, ``pivot`` unknown (``0…``).
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import geopandas as gpd
import numpy as np
import shapely

from dashboard import chemins
from dashboard.sources.base import Contexte
from dashboard.sources.mediation_numerique import DISPOSITIFS, FICHIER, SERVICES

SOURCE_ID = "mediation_numerique"
ENTETE = (
    "id", "pivot", "nom", "commune", "code_postal", "code_insee", "adresse", "complement_adresse", "latitude",
    "longitude", "typologie", "telephone", "courriels", "site_web", "horaires", "presentation_resume",
    "presentation_detail", "source", "itinerance", "structure_parente", "date_maj", "services",
    "publics_specifiquement_adresses", "prise_en_charge_specifique", "frais_a_charge",
    "dispositif_programmes_nationaux", "formations_labels", "autres_formations_labels", "modalites_acces",
    "modalites_accompagnement", "fiche_acces_libre", "prise_rdv",
)
# La Poste postal codes of the Pays de Lorient communes (several communes share one).
CODES_POSTAUX = {
    "56021": "56700", "56026": "56310", "56029": "56240", "56036": "56850", "56040": "56620", "56062": "56680",
    "56063": "56530", "56069": "56590", "56078": "56520", "56083": "56700", "56089": "56240", "56090": "56650",
    "56094": "56700", "56098": "56600", "56101": "56440", "56104": "56240", "56107": "56260", "56118": "56570",
    "56121": "56100", "56130": "56700", "56148": "56690", "56162": "56270", "56166": "56240", "56169": "56680",
    "56179": "56620", "56181": "56290", "56185": "56530", "56188": "56310", "56193": "56670", "56220": "56700",
}
NOMS = {
    "EPN": "Espace numérique (démo)", "BIB": "Médiathèque, point numérique (démo)",
    "MUNI": "Mairie, point numérique (démo)", "CCAS": "CCAS, accompagnement numérique (démo)",
    "ASSO": "Association numérique (démo)", "TIERS_LIEUX": "Tiers-lieu (démo)", "FABLAB": "Fablab (démo)",
}
HORAIRES = (
    "Mo-Fr 09:00-12:00,14:00-17:30", "Tu-Sa 10:00-12:30,14:00-18:00", "Mo,We,Fr 14:00-18:00",
    "Tu,Th 09:00-12:00; Sa 09:30-12:30", "Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00", "We 14:00-17:00",
    "Mo-Th 09:00-17:00; Fr 09:00-12:00; PH off",
)
PUBLICS = ("Jeunes", "Seniors", "Familles et/ou enfants", "Étudiants", "Femmes")
ACCOMPAGNEMENTS = ("En autonomie", "Accompagnement individuel", "Dans un atelier collectif", "À distance")
DEBUT_MAJ = date(2026, 1, 5)
JOURS_MAJ = 298  # up to 2026-10-30
SANS_CODE = 2
ITINERANTS = 3


def _communes(contexte: Contexte) -> gpd.GeoDataFrame:
    from dashboard.reference import charger_reference

    communes = charger_reference(chemins.dossier_reference(), contexte.territoire).communes
    return communes[communes["code_insee"].isin(contexte.codes_communes)].sort_values("code_insee")


def _point(rng: np.random.Generator, geometrie) -> tuple[float, float]:
    """A point drawn uniformly inside ``geometrie`` (rejection sampling in its bounds)."""
    ouest, sud, est, nord = geometrie.bounds
    for _ in range(10_000):
        x, y = rng.uniform(ouest, est), rng.uniform(sud, nord)
        if geometrie.contains(shapely.Point(x, y)):
            return round(float(y), 6), round(float(x), 6)
    point = geometrie.representative_point()  # pragma: no cover - a sliver-shaped commune
    return round(point.y, 6), round(point.x, 6)


def _plan(communes: gpd.GeoDataFrame, rng: np.random.Generator) -> list[tuple[str, str, str]]:
    """``(code_insee, typologie, itinerance)`` of every demo place."""
    population = communes["population"].fillna(0).astype(float).to_numpy()
    rangs = np.argsort(-population, kind="stable")
    codes = communes["code_insee"].tolist()
    itinerants = {codes[i] for i in rangs[-ITINERANTS:]}
    plan = []
    for code, pop in zip(codes, population, strict=True):
        if code in itinerants:
            plan.append((code, "ASSO", "Itinérant"))
            continue
        grande = pop >= 5000
        poids = np.array([3, 3, 1, 1, 1] if grande else [1, 2, 3, 1, 1], dtype=float)
        typologie = str(rng.choice(["EPN", "BIB", "MUNI", "CCAS", "ASSO"], p=poids / poids.sum()))
        plan.append((code, typologie, "Fixe"))
    plan.append((codes[rangs[0]], "TIERS_LIEUX", "Fixe"))
    plan.append((codes[rangs[0]], "FABLAB", "Fixe"))
    if len(codes) > 2:
        plan.append((codes[rangs[1]], "CCAS", "Fixe"))
        plan.append((codes[rangs[2]], "ASSO", "Fixe"))
    return plan


def _choisir(rng: np.random.Generator, valeurs: tuple[str, ...], minimum: int, maximum: int) -> list[str]:
    n = int(rng.integers(minimum, maximum + 1))
    indices = sorted(rng.choice(len(valeurs), size=min(n, len(valeurs)), replace=False))
    return [valeurs[i] for i in indices]


def generer(contexte: Contexte, graine: int) -> dict[str, bytes]:
    """``lieux-de-mediation-numerique.csv`` (schema v1.0.2 layout) for the territory's communes."""
    rng = np.random.default_rng(graine)
    communes = _communes(contexte)
    par_code = communes.set_index("code_insee")
    plan = _plan(communes, rng)
    sans_code = set(rng.choice(len(plan), size=min(SANS_CODE, len(plan)), replace=False).tolist())
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, quoting=csv.QUOTE_ALL, lineterminator="\n")
    ecrivain.writerow(ENTETE)
    vus: dict[str, int] = {}
    for numero, (code, typologie, itinerance) in enumerate(plan, start=1):
        commune = str(par_code.loc[code, "nom"])
        latitude, longitude = _point(rng, par_code.loc[code, "geometry"])
        prefixe = "Bus numérique (démo)" if itinerance == "Itinérant" else NOMS[typologie]
        nom = f"{prefixe} — {commune}"
        vus[nom] = vus.get(nom, 0) + 1
        if vus[nom] > 1:
            nom += f" {vus[nom]}"
        typologies = [typologie]
        if typologie == "BIB" and rng.random() < 0.4:
            typologies.append("MUNI")
        if typologie in ("TIERS_LIEUX", "FABLAB") or (itinerance == "Itinérant" and rng.random() < 0.5):
            typologies.append("ASSO" if typologie != "ASSO" else "EPN")
        services = _choisir(rng, SERVICES, 2, 5)
        if typologie in ("TIERS_LIEUX", "FABLAB") and "Loisirs et créations numériques" not in services:
            services.append("Loisirs et créations numériques")
        dispositifs = []
        if rng.random() < 0.5:
            dispositifs.append("Conseillers numériques")
        if rng.random() < 0.25:
            dispositifs.append("Aidants Connect")
        dispositifs = [d for d in DISPOSITIFS if d in dispositifs]
        payant = typologie in ("TIERS_LIEUX", "FABLAB")
        frais = ["Gratuit sous condition", "Payant"] if payant else ["Gratuit"]
        horaires = "" if rng.random() < 0.15 else str(rng.choice(HORAIRES))
        publics = _choisir(rng, PUBLICS, 0, 2)
        labels = "Fabriques de Territoire" if typologie == "FABLAB" else ""
        date_maj = DEBUT_MAJ + timedelta(days=int(rng.integers(0, JOURS_MAJ + 1)))
        valeurs = {
            "id": f"demo-mediation-{numero:03d}",
            "pivot": "00000000000000",
            "nom": nom,
            "commune": commune,
            "code_postal": CODES_POSTAUX.get(code, ""),
            "code_insee": "" if numero - 1 in sans_code else code,
            "adresse": f"{int(rng.integers(1, 60))} rue de la Démonstration",
            "latitude": f"{latitude:.6f}",
            "longitude": f"{longitude:.6f}",
            "typologie": "|".join(typologies),
            "horaires": horaires,
            "presentation_resume": "Lieu fictif généré pour la démonstration du tableau de bord.",
            "source": "Données de démonstration (générées)",
            "itinerance": itinerance,
            "date_maj": date_maj.isoformat(),
            "services": "|".join(services),
            "publics_specifiquement_adresses": "|".join(publics),
            "frais_a_charge": "|".join(frais),
            "dispositif_programmes_nationaux": "|".join(dispositifs),
            "formations_labels": labels,
            "modalites_acces": "Se présenter|Téléphoner",
            "modalites_accompagnement": "|".join(_choisir(rng, ACCOMPAGNEMENTS, 1, 3)),
        }
        ecrivain.writerow([valeurs.get(c, "") for c in ENTETE])
    return {FICHIER: tampon.getvalue().encode("utf-8")}
