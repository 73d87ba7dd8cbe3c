"""Local digital-inclusion targets, kept as data in ``data/objectifs_inclusion.toml``.

Why data: these targets (a place in every commune, everyone within 15 minutes…) are
**local proposals for discussion**, not adopted commitments; partners must be able to
read and amend them without Python, and each carries its owner (``porteur``), its
origin (``source``) and its ``statut`` (``proposition`` or ``adopte`` — an adopted target
must cite its deliberation in ``reference_url``). :func:`charger_objectifs_inclusion`
reads and validates the file, raising :class:`~dashboard.erreurs.ErreurConfiguration`
naming the file, the line and the key. Line lookup and date parsing reuse the helpers of
:mod:`dashboard.objectifs` (coverage targets), whose ``[[objectif]]`` layout this file shares.

Measuring and following them (pure functions) is in
:mod:`dashboard.indicateurs.objectifs_inclusion` (``mesurer_objectifs_inclusion``,
``progression_inclusion``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dashboard import chemins
from dashboard.indicateurs.accessibilite import MODES
from dashboard.indicateurs.lieux import CATEGORIES
from dashboard.objectifs import RE_IDENTIFIANT, RE_URL, _date_iso, blocs_objectifs

NOM_FICHIER = "objectifs_inclusion.toml"
#: indicator → (is a share in [0, 1], needs seuil_minutes and mode)
INDICATEURS = {
    "part_communes_avec_lieu": (True, False),
    "lieux_pour_10000_hab": (False, False),
    "part_population_au_dela": (True, True),
    "part_population_fragile_au_dela": (True, True),
}
SENS = ("au_moins", "au_plus")
STATUTS = ("proposition", "adopte")
CLES_TEXTE = ("identifiant", "libelle", "indicateur", "sens", "perimetre", "statut", "porteur", "source")
CLES_FACULTATIVES = ("categories", "seuil_minutes", "mode", "reference_titre", "reference_url", "note")
CLES_CONNUES = frozenset((*CLES_TEXTE, "cible", "echeance", *CLES_FACULTATIVES))


@dataclass(frozen=True)
class ObjectifInclusion:
    """One local target. ``cible`` is a share (0–1) or places per 10 000 inhabitants."""

    identifiant: str
    libelle: str
    indicateur: str
    sens: str
    cible: float
    echeance: str
    perimetre: str
    statut: str
    porteur: str
    source: str
    categories: tuple[str, ...] = ()
    seuil_minutes: float | None = None
    mode: str | None = None
    reference_titre: str | None = None
    reference_url: str | None = None
    note: str | None = None

    @property
    def est_proposition(self) -> bool:
        return self.statut == "proposition"


def fichier_objectifs_inclusion() -> Path:
    return chemins.dossier_donnees() / NOM_FICHIER


def charger_objectifs_inclusion(chemin: Path | None = None) -> tuple[ObjectifInclusion, ...]:
    """Read and validate the targets file; French error naming file, line and key."""
    chemin = chemin or fichier_objectifs_inclusion()
    objectifs: list[ObjectifInclusion] = []
    vus: dict[str, int] = {}
    for n, entree, erreur in blocs_objectifs(chemin, "fichier des objectifs d'inclusion numérique", NOM_FICHIER):
        objectifs.append(_lire_objectif(entree, erreur, vus, n))
    return tuple(objectifs)


def _lire_objectif(entree: dict, erreur, vus: dict[str, int], n: int) -> ObjectifInclusion:
    for cle in entree:
        if cle not in CLES_CONNUES:
            raise erreur(f"clé inconnue « {cle} »", cle, f"clés permises : {', '.join(sorted(CLES_CONNUES))}")
    valeurs: dict[str, str] = {}
    for cle in CLES_TEXTE:
        valeur = entree.get(cle)
        if not isinstance(valeur, str) or not valeur.strip():
            raise erreur(f"la clé « {cle} » est absente ou vide", cle, "texte entre guillemets attendu")
        valeurs[cle] = valeur.strip()
    identifiant = valeurs["identifiant"]
    if not RE_IDENTIFIANT.match(identifiant):
        raise erreur(f"identifiant « {identifiant[:40]} » invalide", "identifiant",
                     "lettres minuscules sans accent, chiffres et _ seulement")
    if identifiant in vus:
        raise erreur(f"identifiant « {identifiant} » en double (déjà l'objectif n°{vus[identifiant]})",
                     "identifiant")
    vus[identifiant] = n + 1
    indicateur = valeurs["indicateur"]
    if indicateur not in INDICATEURS:
        raise erreur(f"indicateur « {indicateur[:60]} » inconnu", "indicateur",
                     f"indicateurs permis : {', '.join(INDICATEURS)}")
    est_part, avec_temps = INDICATEURS[indicateur]
    for cle, permis in (("sens", SENS), ("statut", STATUTS)):
        if valeurs[cle] not in permis:
            raise erreur(f"{cle} « {valeurs[cle][:40]} » invalide", cle,
                         " ou ".join(f"« {p} »" for p in permis) + " attendu")
    cible = entree.get("cible")
    if isinstance(cible, bool) or not isinstance(cible, (int, float)) or cible < 0 or (est_part and cible > 1):
        raise erreur(f"cible « {cible} » invalide", "cible",
                     "part entre 0 et 1 (1.0 = 100 %)" if est_part else "nombre positif attendu")
    echeance = _date_iso(entree.get("echeance"))
    if echeance is None:
        raise erreur("échéance absente ou invalide", "echeance", "date AAAA-MM-JJ attendue")
    categories = entree.get("categories", [])
    if not isinstance(categories, list) or any(c not in CATEGORIES for c in categories):
        raise erreur("catégories de lieux invalides", "categories",
                     "liste parmi " + ", ".join(f"« {c} »" for c in CATEGORIES))
    seuil, mode = entree.get("seuil_minutes"), entree.get("mode")
    if avec_temps:
        if isinstance(seuil, bool) or not isinstance(seuil, (int, float)) or seuil <= 0:
            raise erreur(f"seuil « {seuil} » absent ou invalide", "seuil_minutes", "nombre de minutes positif")
        if mode not in MODES:
            raise erreur(f"mode « {mode} » absent ou invalide", "mode", "« voiture » ou « marche » attendu")
    else:
        for cle in ("seuil_minutes", "mode"):
            if cle in entree:
                raise erreur(f"clé « {cle} » sans effet pour l'indicateur {indicateur}", cle, "retirez-la")
    facultatifs: dict[str, str | None] = {}
    for cle in ("reference_titre", "reference_url", "note"):
        valeur = entree.get(cle)
        if valeur is not None and (not isinstance(valeur, str) or not valeur.strip()):
            raise erreur(f"la clé « {cle} » doit être un texte non vide", cle)
        facultatifs[cle] = valeur.strip() if valeur else None
    if facultatifs["reference_url"] is not None and not RE_URL.match(facultatifs["reference_url"]):
        raise erreur("adresse de référence invalide (http:// ou https:// attendu)", "reference_url")
    if valeurs["statut"] == "adopte" and facultatifs["reference_url"] is None:
        raise erreur("un objectif adopté doit citer sa délibération", "reference_url",
                     "renseignez reference_titre et reference_url, ou gardez statut = \"proposition\"")
    return ObjectifInclusion(
        cible=float(cible), echeance=echeance, categories=tuple(categories),
        seuil_minutes=float(seuil) if avec_temps else None, mode=mode if avec_temps else None,
        **valeurs, **facultatifs,  # type: ignore[arg-type]
    )
