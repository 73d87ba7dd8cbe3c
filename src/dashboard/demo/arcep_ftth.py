"""Demonstration workbook for ``arcep_ftth``, in the layout of the ARCEP ``Communes`` sheet.

Writes ``obs-hd-thd-deploiement.xlsx`` with the sheet ``Communes``: title rows (which say
in plain words that the values are *generated*), the header row starting with
``Code commune``, then the communes of the territory with one column per quarter from
T4 2017 to T2 2026 of locaux raccordables FttH. The values are invented but plausible:

* locaux ≈ population × 0.6 (reference geography), split into logements / établissements;
* S-shaped deployment curves (logistic): urban communes (the private « AMII » zone of the
  agglomeration, deployed first) near 100 % early; rural communes (density below
  150 hab./km², flagged ``Commune rurale``) later, through the public network; the inland
  rural communes (Quistinic, Lanvaudan, Inguiniel, Calan, Bubry, Nostang…) last, some still
  below 100 % at T2 2026;
* some counts stored as text with thousands separators (U+202F, U+00A0), as in the
  exports of the real file.

Same ``graine`` → same bytes: the workbook dates and the zip timestamps are fixed.
Nothing here is ARCEP data; the manifest of the imported edition says ``demo: true``.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

import numpy as np
import openpyxl

from dashboard.sources.base import Contexte

SOURCE_ID = "arcep_ftth"
FICHIER = "obs-hd-thd-deploiement.xlsx"
PREMIER_TRIMESTRE = (2017, 4)
DERNIER_TRIMESTRE = (2026, 2)
DATE_FIGEE = datetime(2026, 9, 10, 9, 0, 0)
HORODATAGE_ZIP = (2026, 9, 10, 9, 0, 0)
SEUIL_RURAL_HAB_KM2 = 150
#: inland rural communes deployed last (by name, as in the reference geography)
COMMUNES_TARDIVES = frozenset({"Quistinic", "Lanvaudan", "Inguiniel", "Calan", "Bubry", "Nostang"})
LOCAUX_PAR_HABITANT = 0.6


def trimestres(premier: tuple[int, int] = PREMIER_TRIMESTRE,
               dernier: tuple[int, int] = DERNIER_TRIMESTRE) -> list[str]:
    """``["T4 2017", "T1 2018", …, "T2 2026"]``."""
    annee, numero = premier
    libelles = []
    while (annee, numero) <= dernier:
        libelles.append(f"T{numero} {annee}")
        annee, numero = (annee + 1, 1) if numero == 4 else (annee, numero + 1)
    return libelles


def octets_reproductibles(classeur: openpyxl.Workbook) -> bytes:
    """Save ``classeur`` and rewrite the zip with fixed dates, so equal content → equal bytes.

    openpyxl stamps ``dcterms:modified`` with the current time and ``zipfile`` stamps each
    member with the current time; both are replaced by :data:`DATE_FIGEE`.
    """
    classeur.properties.created = DATE_FIGEE
    classeur.properties.modified = DATE_FIGEE
    tampon = io.BytesIO()
    classeur.save(tampon)
    horodatage = DATE_FIGEE.strftime("%Y-%m-%dT%H:%M:%SZ")
    sortie = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(tampon.getvalue())) as source, \
            zipfile.ZipFile(sortie, "w", zipfile.ZIP_DEFLATED) as cible:
        for membre in source.infolist():
            contenu = source.read(membre.filename)
            if membre.filename == "docProps/core.xml":
                contenu = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                                 rb"\g<1>" + horodatage.encode() + rb"\g<2>", contenu)
            info = zipfile.ZipInfo(membre.filename, date_time=HORODATAGE_ZIP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            cible.writestr(info, contenu)
    return sortie.getvalue()


def avec_separateur(valeur: int, separateur: str) -> str:
    """``12345 → "12 345"`` with the given thousands separator (text cell, as in exports)."""
    return f"{valeur:,}".replace(",", separateur)


def _courbe(rng: np.random.Generator, n: int, rurale: bool, tardive: bool) -> np.ndarray:
    """Share of locaux raccordables per quarter (0–1), non-decreasing, S-shaped."""
    if tardive:
        milieu, pente, plafond = rng.uniform(23, 30), rng.uniform(0.35, 0.6), rng.uniform(0.80, 0.97)
    elif rurale:
        milieu, pente, plafond = rng.uniform(12, 20), rng.uniform(0.4, 0.7), rng.uniform(0.95, 1.0)
    else:  # zone d'initiative privée : déploiement commencé avant T4 2017
        milieu, pente, plafond = rng.uniform(-3, 5), rng.uniform(0.35, 0.7), rng.uniform(0.985, 1.0)
    t = np.arange(n, dtype="float64")
    # Les derniers locaux (raccordements complexes) arrivent lentement : le plafond monte
    # vers 100 % de façon linéaire après le milieu de la courbe.
    plafond_t = plafond + (1.0 - plafond) * np.clip((t - milieu) / rng.uniform(30, 60), 0.0, 1.0)
    part = plafond_t / (1.0 + np.exp(-pente * (t - milieu)))
    part[part < 0.02] = 0.0  # pas encore de déploiement
    return np.maximum.accumulate(part)


def generer(contexte: Contexte, graine: int) -> dict[str, bytes]:
    """``{"obs-hd-thd-deploiement.xlsx": bytes}`` for the communes of ``contexte``."""
    from dashboard import chemins
    from dashboard.reference import charger_reference

    reference = charger_reference(chemins.dossier_reference(), contexte.territoire)
    communes = reference.communes[reference.communes["code_insee"].isin(contexte.codes_communes)]
    communes = communes.sort_values("code_insee")
    rng = np.random.default_rng(graine)
    libelles = trimestres()
    dernier = libelles[-1]

    classeur = openpyxl.Workbook()
    feuille = classeur.active
    feuille.title = "Communes"
    classeur.properties.creator = "Observatoire du numérique inclusif (données de démonstration)"
    classeur.properties.title = "DÉMONSTRATION — déploiements FttH par commune"
    feuille.append([f"Observatoire du haut et très haut débit : déploiements FttH par commune — {dernier}"])
    feuille.append(["DONNÉES DE DÉMONSTRATION générées par l'observatoire du numérique inclusif : "
                    "ce ne sont PAS des données de l'ARCEP."])
    feuille.append([f"Mise en page de la feuille « Communes » du classeur ARCEP ; valeurs simulées "
                    f"(graine {graine})."])
    feuille.append([])
    feuille.append([
        "Code commune", "Nom commune", "Code département", "Code région", "Siren EPCI", "Nom EPCI",
        "Logements", "Établissements", f"Meilleure estimation des locaux {dernier}",
        "Source retenue pour l'estimation des locaux", "Estimation locaux en cours de construction",
        "Commune rurale", "Commune de montagne", "Zone très dense", *libelles,
    ])
    for commune in communes.itertuples():
        densite = commune.population / commune.superficie_km2 if commune.superficie_km2 else 0
        rurale = densite < SEUIL_RURAL_HAB_KM2
        locaux = round(int(commune.population) * LOCAUX_PAR_HABITANT * rng.uniform(0.95, 1.05))
        logements = round(locaux * rng.uniform(0.85, 0.92))
        construction = round(locaux * rng.uniform(0.0, 0.015))
        a_couvrir = locaux - construction
        parts = _courbe(rng, len(libelles), rurale, commune.nom in COMMUNES_TARDIVES)
        raccordables = np.minimum(np.floor(parts * a_couvrir), a_couvrir).astype(int)
        texte_estimation = rng.random() < 0.35 and locaux >= 1000
        separateur_trimestres = "\u00a0" if rng.random() < 0.25 else None
        cellules_trimestres: list[int | str] = [
            avec_separateur(int(v), separateur_trimestres) if separateur_trimestres and v >= 1000 else int(v)
            for v in raccordables
        ]
        feuille.append([
            commune.code_insee, commune.nom, commune.code_insee[:2], contexte.territoire.region,
            commune.siren_epci, commune.nom_epci, logements, locaux - logements,
            avec_separateur(locaux, "\u202f") if texte_estimation else locaux,
            "IPE" if rng.random() < 0.8 else "INSEE", construction,
            1 if rurale else 0, 0, 0, *cellules_trimestres,
        ])
    return {FICHIER: octets_reproductibles(classeur)}
