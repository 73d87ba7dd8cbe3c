"""Constants of the travel-time model, kept as data in ``data/parametres_accessibilite.toml``.

Why data: detour factor and speeds are *hypotheses* that local partners must be able to
read, discuss and change without touching Python, each with its justification shown to
users. :func:`charger_parametres_accessibilite` reads and validates the file into a
:class:`~dashboard.indicateurs.accessibilite.ParametresAccessibilite`, raising
:class:`~dashboard.erreurs.ErreurConfiguration` naming the file, the line and the key.
"""

from __future__ import annotations

from pathlib import Path

from dashboard import chemins
from dashboard.configuration_toml import ligne_de_section, lire_toml
from dashboard.erreurs import ErreurConfiguration
from dashboard.indicateurs.accessibilite import ParametresAccessibilite
from dashboard.objectifs import _ligne_de_cle
from dashboard.territoire import RE_CODE_INSEE

NOM_FICHIER = "parametres_accessibilite.toml"
#: key → (minimum, maximum) accepted, bounds included
BORNES = {"facteur_detour": (1.0, 3.0), "vitesse_voiture_kmh": (5.0, 130.0), "vitesse_marche_kmh": (1.0, 8.0)}
CLES = (*BORNES, "communes_insulaires")
SECTIONS = ("parametres", "justifications")


def fichier_parametres() -> Path:
    return chemins.dossier_donnees() / NOM_FICHIER


def charger_parametres_accessibilite(chemin: Path | None = None) -> ParametresAccessibilite:
    """Read and validate the model constants; French error naming file, line and key."""
    chemin = chemin or fichier_parametres()
    nom = chemin.name
    texte, brut = lire_toml(chemin, "fichier des paramètres d'accessibilité",
                            f"restaurez data/{NOM_FICHIER} depuis le dépôt")
    inconnues = sorted(set(brut) - set(SECTIONS))
    if inconnues:
        raise ErreurConfiguration(f"section inattendue « {inconnues[0]} »", fichier=nom, colonne=inconnues[0],
                                  ligne=ligne_de_section(texte, inconnues[0]),
                                  conseil="sections permises : [parametres] et [justifications]")

    def erreur(section: str, cle: str, message: str, conseil: str | None = None) -> ErreurConfiguration:
        return ErreurConfiguration(f"[{section}] {message}", fichier=nom, colonne=cle, conseil=conseil,
                                   ligne=_ligne_de_cle(texte, ligne_de_section(texte, section), cle))

    for section in SECTIONS:
        table = brut.get(section)
        if not isinstance(table, dict):
            raise ErreurConfiguration(f"section [{section}] absente", fichier=nom,
                                      conseil=f"clés attendues : {', '.join(CLES)}")
        for cle in table:
            if cle not in CLES:
                raise erreur(section, cle, f"clé inconnue « {cle} »", f"clés permises : {', '.join(CLES)}")
        for cle in CLES:
            if cle not in table:
                raise erreur(section, cle, f"la clé « {cle} » est absente")
    parametres, justifications = brut["parametres"], brut["justifications"]
    valeurs: dict[str, float] = {}
    for cle, (minimum, maximum) in BORNES.items():
        valeur = parametres[cle]
        if isinstance(valeur, bool) or not isinstance(valeur, (int, float)) or not minimum <= valeur <= maximum:
            raise erreur("parametres", cle, f"valeur « {valeur} » invalide",
                         f"nombre entre {minimum:g} et {maximum:g} attendu".replace(".", ","))
        valeurs[cle] = float(valeur)
    insulaires = parametres["communes_insulaires"]
    if not isinstance(insulaires, list) or not all(isinstance(c, str) and RE_CODE_INSEE.match(c)
                                                   for c in insulaires):
        raise erreur("parametres", "communes_insulaires", "liste de codes INSEE invalide",
                     'liste de codes à 5 caractères entre guillemets, ex. ["56069"], ou [] si aucune île')
    for cle in CLES:
        texte_justification = justifications[cle]
        if not isinstance(texte_justification, str) or not texte_justification.strip():
            raise erreur("justifications", cle, f"la justification de « {cle} » est vide",
                         "une phrase : source ou hypothèse assumée")
    return ParametresAccessibilite(
        facteur_detour=valeurs["facteur_detour"], vitesse_voiture_kmh=valeurs["vitesse_voiture_kmh"],
        vitesse_marche_kmh=valeurs["vitesse_marche_kmh"], communes_insulaires=tuple(insulaires),
        justifications=tuple((cle, justifications[cle].strip()) for cle in CLES),
    )
