"""Public coverage targets, kept as data in ``data/objectifs_couverture.toml``.

Why data and not code: targets change with plans and announcements (Plan France Très
Haut Débit, Bretagne Très Haut Débit…) and each must carry its source; editing a TOML
file is reviewable by people who do not write Python. :func:`charger_objectifs` reads
and validates the file, raising :class:`~dashboard.erreurs.ErreurConfiguration` naming
the file, the line and the key of any problem.

Each :class:`Objectif` says which source and indicator measure it (``source_donnees``:
``arcep_ftth`` / ``arcep_mci``; ``indicateur``: ``taux_ftth``, ``elig_bhd8``,
``elig_thd30``), the target share ``cible`` (0–1) and the deadline ``echeance`` (ISO
date). Compare with :func:`dashboard.indicateurs.deploiement.statut_objectif`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dashboard import chemins
from dashboard.erreurs import ErreurConfiguration

NOM_FICHIER = "objectifs_couverture.toml"
RE_IDENTIFIANT = re.compile(r"^[a-z0-9_]{1,60}$")
RE_URL = re.compile(r"^https?://[^\s]+$")
CLES_TEXTE = ("identifiant", "libelle", "programme", "source_donnees", "indicateur", "perimetre",
              "source_titre", "source_url")
CLES_FACULTATIVES = ("seuil_debit_mbit_s", "source_date", "note")
CLES_CONNUES = frozenset((*CLES_TEXTE, "cible", "echeance", *CLES_FACULTATIVES))


@dataclass(frozen=True)
class Objectif:
    """One coverage target. ``cible`` is a share (1.0 = 100 % of locaux), ``echeance`` ISO."""

    identifiant: str
    libelle: str
    programme: str
    source_donnees: str
    indicateur: str
    cible: float
    echeance: str
    perimetre: str
    source_titre: str
    source_url: str
    seuil_debit_mbit_s: float | None = None
    source_date: str | None = None
    note: str | None = None


def fichier_objectifs() -> Path:
    return chemins.dossier_donnees() / NOM_FICHIER


def _lignes_des_blocs(texte: str) -> list[int]:
    """Line number (1-based) of each ``[[objectif]]`` header, in order."""
    return [i for i, ligne in enumerate(texte.splitlines(), start=1)
            if re.match(r"^\s*\[\[\s*objectif\s*\]\]", ligne)]


def _ligne_de_cle(texte: str, debut: int | None, cle: str) -> int | None:
    """Line of ``cle = …`` inside the block starting at line ``debut`` (else the block line)."""
    if debut is None:
        return None
    lignes = texte.splitlines()
    for numero in range(debut + 1, len(lignes) + 1):
        ligne = lignes[numero - 1]
        if re.match(r"^\s*\[", ligne):
            break
        if re.match(rf"^\s*{re.escape(cle)}\s*=", ligne):
            return numero
    return debut


def _date_iso(valeur: object) -> str | None:
    if isinstance(valeur, date):
        return valeur.isoformat()
    if isinstance(valeur, str):
        try:
            return date.fromisoformat(valeur.strip()).isoformat()
        except ValueError:
            return None
    return None


Erreur = Callable[..., ErreurConfiguration]


def blocs_objectifs(chemin: Path, description: str, nom_fichier: str) -> list[tuple[int, dict, Erreur]]:
    """The ``[[objectif]]`` blocks of a targets file, each with its index and an ``erreur``
    builder that names the file, the line of the offending key and the key itself.

    Shared by the coverage targets and the local inclusion targets: same file layout, same
    French errors (missing file, TOML syntax, unexpected section, no target).
    """
    from dashboard.configuration_toml import lire_toml

    nom = chemin.name
    texte, brut = lire_toml(chemin, description, f"restaurez data/{nom_fichier} depuis le dépôt")
    inconnues = sorted(set(brut) - {"objectif"})
    if inconnues:
        raise ErreurConfiguration(f"section inattendue « {inconnues[0]} »", fichier=nom, colonne=inconnues[0],
                                  conseil="chaque objectif est une section [[objectif]]")
    entrees = brut.get("objectif", [])
    if not isinstance(entrees, list) or not entrees:
        raise ErreurConfiguration("aucun objectif déclaré", fichier=nom,
                                  conseil="ajoutez au moins une section [[objectif]]")
    debuts = _lignes_des_blocs(texte)
    blocs = []
    for n, entree in enumerate(entrees):
        debut = debuts[n] if n < len(debuts) else None

        def erreur(message: str, cle: str, conseil: str | None = None,
                   _debut: int | None = debut, _n: int = n) -> ErreurConfiguration:
            return ErreurConfiguration(f"objectif n°{_n + 1} : {message}", fichier=nom,
                                       ligne=_ligne_de_cle(texte, _debut, cle), colonne=cle, conseil=conseil)

        blocs.append((n, entree, erreur))
    return blocs


def charger_objectifs(chemin: Path | None = None) -> tuple[Objectif, ...]:
    """Read and validate the targets file; French error naming file, line and key."""
    chemin = chemin or fichier_objectifs()
    objectifs: list[Objectif] = []
    vus: dict[str, int] = {}
    for n, entree, erreur in blocs_objectifs(chemin, "fichier des objectifs de couverture", NOM_FICHIER):
        for cle in entree:
            if cle not in CLES_CONNUES:
                raise erreur(f"clé inconnue « {cle} »", cle,
                             f"clés permises : {', '.join(sorted(CLES_CONNUES))}")
        valeurs: dict[str, object] = {}
        for cle in CLES_TEXTE:
            valeur = entree.get(cle)
            if not isinstance(valeur, str) or not valeur.strip():
                raise erreur(f"la clé « {cle} » est absente ou vide", cle, "texte entre guillemets attendu")
            valeurs[cle] = valeur.strip()
        identifiant = str(valeurs["identifiant"])
        if not RE_IDENTIFIANT.match(identifiant):
            raise erreur(f"identifiant « {identifiant[:40]} » invalide", "identifiant",
                         "lettres minuscules sans accent, chiffres et _ seulement")
        if identifiant in vus:
            raise erreur(f"identifiant « {identifiant} » en double (déjà l'objectif n°{vus[identifiant]})",
                         "identifiant")
        vus[identifiant] = n + 1
        if not RE_URL.match(str(valeurs["source_url"])):
            raise erreur("adresse de la source invalide (http:// ou https:// attendu)", "source_url")
        cible = entree.get("cible")
        if isinstance(cible, bool) or not isinstance(cible, (int, float)) or not 0 < cible <= 1:
            raise erreur(f"cible « {cible} » invalide", "cible",
                         "part des locaux entre 0 et 1 (1.0 = 100 %)")
        echeance = _date_iso(entree.get("echeance"))
        if echeance is None:
            raise erreur("échéance absente ou invalide", "echeance", "date AAAA-MM-JJ attendue")
        seuil = entree.get("seuil_debit_mbit_s")
        seuil_invalide = isinstance(seuil, bool) or not isinstance(seuil, (int, float)) or seuil <= 0
        if seuil is not None and seuil_invalide:
            raise erreur(f"seuil de débit « {seuil} » invalide", "seuil_debit_mbit_s",
                         "nombre de Mbit/s positif attendu")
        source_date = None
        if "source_date" in entree:
            source_date = _date_iso(entree["source_date"])
            if source_date is None:
                raise erreur("date de la source invalide", "source_date", "date AAAA-MM-JJ attendue")
        note = entree.get("note")
        if note is not None and not isinstance(note, str):
            raise erreur("la note doit être un texte", "note")
        objectifs.append(Objectif(
            cible=float(cible), echeance=echeance,
            seuil_debit_mbit_s=float(seuil) if seuil is not None else None,
            source_date=source_date, note=note.strip() if note else None,
            **valeurs,  # type: ignore[arg-type]
        ))
    return tuple(objectifs)
