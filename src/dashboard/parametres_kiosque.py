"""Settings of the public screen (kiosk mode), kept as data in ``data/kiosque.toml``.

Why data: the organisers of a café-débat change the question of the evening, the slide
order, the pace and the address behind the QR code without touching Python.
:func:`charger_parametres_kiosque` reads and validates the file, raising
:class:`~dashboard.erreurs.ErreurConfiguration` naming the file, the line and the key.

``DASHBOARD_KIOSQUE_CONFIG`` names another file (a test instance, a one-evening variant)
so the bundled data folder can stay read-only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dashboard import chemins
from dashboard.configuration_toml import ligne_de_section, lire_toml
from dashboard.erreurs import ErreurConfiguration
from dashboard.objectifs import _ligne_de_cle
from dashboard.vues.securite import lien_sur

NOM_FICHIER = "kiosque.toml"
VARIABLE_FICHIER = "DASHBOARD_KIOSQUE_CONFIG"
#: slide identifier → what it shows (listed in error messages)
DIAPOSITIVES = {
    "chiffres_cles": "chiffres clés du territoire",
    "zones_blanches": "carte des locaux sans très haut débit",
    "fibre": "progression de la fibre et objectifs",
    "fragilite": "carte de l'indice de fragilité (inspiré de l'IFN)",
    "lieux": "lieux d'aide et habitants à plus de 15 minutes",
    "question": "la question du débat",
}
INTERVALLE_DEFAUT_S = 20.0
INTERVALLE_MIN_S, INTERVALLE_MAX_S = 3.0, 600.0
LONGUEUR_QUESTION, LONGUEUR_PRECISION, LONGUEUR_LEGENDE = 200, 300, 80
#: section → (required keys, optional keys)
SECTIONS = {
    "diaporama": (("diapositives",), ("intervalle_secondes",)),
    "debat": (("question",), ("precision",)),
    "qr": (("adresse",), ("legende",)),
}


@dataclass(frozen=True)
class ParametresKiosque:
    """Validated settings. ``intervalle_s`` in seconds; ``diapositives`` in display order."""

    intervalle_s: float
    diapositives: tuple[str, ...]
    question: str
    precision: str
    adresse_qr: str
    legende_qr: str


def fichier_parametres_kiosque() -> Path:
    """``$DASHBOARD_KIOSQUE_CONFIG`` if set, else ``data/kiosque.toml``."""
    autre = os.environ.get(VARIABLE_FICHIER)
    return Path(autre) if autre else chemins.dossier_donnees() / NOM_FICHIER


def charger_parametres_kiosque(chemin: Path | None = None) -> ParametresKiosque:
    """Read and validate the kiosk settings; French error naming file, line and key."""
    chemin = chemin or fichier_parametres_kiosque()
    nom = chemin.name
    texte, brut = lire_toml(chemin, "fichier de l'écran public",
                            f"restaurez data/{NOM_FICHIER} depuis le dépôt")
    inconnues = sorted(set(brut) - set(SECTIONS))
    if inconnues:
        raise ErreurConfiguration(f"section inattendue « {inconnues[0]} »", fichier=nom, colonne=inconnues[0],
                                  ligne=ligne_de_section(texte, inconnues[0]),
                                  conseil="sections permises : [diaporama], [debat] et [qr]")

    def erreur(section: str, cle: str, message: str, conseil: str | None = None) -> ErreurConfiguration:
        return ErreurConfiguration(f"[{section}] {message}", fichier=nom, colonne=cle, conseil=conseil,
                                   ligne=_ligne_de_cle(texte, ligne_de_section(texte, section), cle))

    for section, (obligatoires, facultatives) in SECTIONS.items():
        table = brut.get(section)
        if not isinstance(table, dict):
            raise ErreurConfiguration(f"section [{section}] absente", fichier=nom,
                                      conseil=f"clés attendues : {', '.join((*obligatoires, *facultatives))}")
        for cle in table:
            if cle not in (*obligatoires, *facultatives):
                raise erreur(section, cle, f"clé inconnue « {cle} »",
                             f"clés permises : {', '.join((*obligatoires, *facultatives))}")
        for cle in obligatoires:
            if cle not in table:
                raise erreur(section, cle, f"la clé « {cle} » est absente")

    diaporama, debat, qr = brut["diaporama"], brut["debat"], brut["qr"]
    intervalle = diaporama.get("intervalle_secondes", INTERVALLE_DEFAUT_S)
    if (isinstance(intervalle, bool) or not isinstance(intervalle, (int, float))
            or not INTERVALLE_MIN_S <= intervalle <= INTERVALLE_MAX_S):
        raise erreur("diaporama", "intervalle_secondes", f"intervalle « {intervalle} » invalide",
                     f"nombre de secondes entre {INTERVALLE_MIN_S:g} et {INTERVALLE_MAX_S:g}")
    diapositives = diaporama["diapositives"]
    if not isinstance(diapositives, list) or not diapositives or not all(isinstance(d, str) for d in diapositives):
        raise erreur("diaporama", "diapositives", "liste de diapositives vide ou invalide",
                     f'liste de noms entre guillemets parmi : {", ".join(DIAPOSITIVES)}')
    for diapositive in diapositives:
        if diapositive not in DIAPOSITIVES:
            raise erreur("diaporama", "diapositives", f"diapositive « {diapositive[:40]} » inconnue",
                         f"diapositives possibles : {', '.join(DIAPOSITIVES)}")
    doubles = sorted({d for d in diapositives if diapositives.count(d) > 1})
    if doubles:
        raise erreur("diaporama", "diapositives", f"diapositive « {doubles[0]} » en double")

    def texte_de(section: str, table: dict, cle: str, longueur: int, obligatoire: bool) -> str:
        valeur = table.get(cle, "")
        if not isinstance(valeur, str) or (obligatoire and not valeur.strip()):
            raise erreur(section, cle, f"la clé « {cle} » doit être un texte non vide", "texte entre guillemets")
        if len(valeur.strip()) > longueur:
            raise erreur(section, cle, f"texte trop long ({len(valeur.strip())} caractères)",
                         f"{longueur} caractères au plus, pour rester lisible de loin")
        return valeur.strip()

    question = texte_de("debat", debat, "question", LONGUEUR_QUESTION, True)
    precision = texte_de("debat", debat, "precision", LONGUEUR_PRECISION, False)
    legende = texte_de("qr", qr, "legende", LONGUEUR_LEGENDE, False)
    adresse = qr["adresse"]
    if not isinstance(adresse, str) or lien_sur(adresse.strip()) is None:
        raise erreur("qr", "adresse", f"adresse « {str(adresse)[:60]} » invalide",
                     "adresse complète commençant par http:// ou https://, ex. \"http://192.168.1.20:8501/\"")
    return ParametresKiosque(intervalle_s=float(intervalle), diapositives=tuple(diapositives), question=question,
                             precision=precision, adresse_qr=adresse.strip(), legende_qr=legende)
