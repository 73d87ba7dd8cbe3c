"""National illectronisme rates by age, kept as data in ``data/illectronisme_taux.toml``.

Why data and not code: each rate must carry where it comes from (publication, page,
sentence quoted) and whether it is *published* or a documented *hypothesis*; a TOML file
is reviewable by people who do not write Python, and a new INSEE edition is an edit of
that file. :func:`charger_taux_illectronisme` reads and validates it, raising
:class:`~dashboard.erreurs.ErreurConfiguration` naming the file, the line and the key.

:data:`TAUX_ILLECTRONISME_2021` is the file shipped with the code (Insee Première
n° 1953, 2021 data), read once at import from the package's ``data/`` folder — not from
``DASHBOARD_DATA_DIR``: the rates are method, not territory data. The indicator that uses
them, :func:`dashboard.indicateurs.inclusion.illectronisme_estime`, takes them as a
parameter and reads no file.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from dashboard import chemins
from dashboard.erreurs import ErreurConfiguration

NOM_FICHIER = "illectronisme_taux.toml"
FICHIER_TAUX = chemins.RACINE_PROJET / "data" / NOM_FICHIER
STATUTS = ("publie", "hypothese")
CLES_SOURCE = ("producteur", "publication", "titre", "date_publication", "url", "enquete", "champ",
               "citation_ensemble")
CLES_TRANCHE = frozenset({"age_min", "age_max", "taux", "statut", "citation", "regle"})
AGE_MIN_ENQUETE = 15


@dataclass(frozen=True)
class TrancheIllectronisme:
    """One survey age band: ``age_max`` ``None`` = open band (« ou plus »); ``taux`` in [0, 1].

    ``statut`` is ``publie`` (``justification`` quotes the publication) or ``hypothese``
    (``justification`` states the rule used because the figure is not published).
    """

    age_min: int
    age_max: int | None
    taux: float
    statut: str
    justification: str

    @property
    def libelle(self) -> str:
        return f"{self.age_min} ans ou plus" if self.age_max is None else f"{self.age_min}-{self.age_max} ans"

    def contient(self, age: int) -> bool:
        return self.age_min <= age and (self.age_max is None or age <= self.age_max)


@dataclass(frozen=True)
class TauxIllectronisme:
    """Rates of one publication. ``taux_ensemble`` (all ages 15+) is for reference lines only."""

    producteur: str
    publication: str
    titre: str
    date_publication: str
    annee_donnees: int
    url: str
    enquete: str
    champ: str
    taux_ensemble: float
    citation_ensemble: str
    tranches: tuple[TrancheIllectronisme, ...]

    def tranche(self, age: int) -> TrancheIllectronisme | None:
        return next((t for t in self.tranches if t.contient(age)), None)


def _ligne(texte: str, motif: str, rang: int = 0) -> int | None:
    """Line (1-based) of the ``rang``-th line matching ``motif``."""
    trouvees = [i for i, ligne in enumerate(texte.splitlines(), start=1) if re.match(motif, ligne)]
    return trouvees[rang] if rang < len(trouvees) else None


def _ligne_de_cle(texte: str, debut: int | None, cle: str | None) -> int | None:
    """Line of ``cle = …`` inside the block starting at line ``debut`` (else the block line)."""
    if debut is None or cle is None:
        return debut
    lignes = texte.splitlines()
    for numero in range(debut + 1, len(lignes) + 1):
        if re.match(r"^\s*\[", lignes[numero - 1]):
            break
        if re.match(rf"^\s*{re.escape(cle)}\s*=", lignes[numero - 1]):
            return numero
    return debut


def _taux(valeur: object) -> float | None:
    if isinstance(valeur, bool) or not isinstance(valeur, int | float):
        return None
    valeur = float(valeur)
    return valeur if math.isfinite(valeur) and 0.0 <= valeur <= 1.0 else None


def charger_taux_illectronisme(chemin: Path | None = None) -> TauxIllectronisme:
    """Read and validate the rates file: contiguous bands from 15 years, the last one open."""
    from dashboard.configuration_toml import lire_toml

    chemin = chemin or FICHIER_TAUX
    nom = chemin.name
    # Same reader as the other data files: the TOML line is found on Python 3.11 too.
    texte, brut = lire_toml(chemin, "fichier des taux d'illectronisme", f"restaurez data/{NOM_FICHIER} depuis le dépôt")
    source = brut.get("source")
    if not isinstance(source, dict):
        raise ErreurConfiguration("section [source] absente", fichier=nom, conseil="ajoutez la section [source]")
    ligne_source = _ligne(texte, r"^\s*\[\s*source\s*\]")
    valeurs: dict[str, str] = {}
    for cle in CLES_SOURCE:
        valeur = source.get(cle)
        if not isinstance(valeur, str) or not valeur.strip():
            raise ErreurConfiguration(f"[source] : la clé « {cle} » est absente ou vide", fichier=nom,
                                      ligne=_ligne(texte, rf"^\s*{cle}\s*=") or ligne_source, colonne=cle)
        valeurs[cle] = valeur.strip()
    annee = source.get("annee_donnees")
    if not isinstance(annee, int) or isinstance(annee, bool) or not 1990 <= annee <= 2100:
        raise ErreurConfiguration("[source] : « annee_donnees » doit être une année", fichier=nom,
                                  ligne=_ligne(texte, r"^\s*annee_donnees\s*="), colonne="annee_donnees")
    ensemble = _taux(source.get("taux_ensemble"))
    if ensemble is None:
        raise ErreurConfiguration("[source] : « taux_ensemble » doit être une part entre 0 et 1", fichier=nom,
                                  ligne=_ligne(texte, r"^\s*taux_ensemble\s*="), colonne="taux_ensemble")
    entrees = brut.get("tranche")
    if not isinstance(entrees, list) or not entrees:
        raise ErreurConfiguration("aucune tranche d'âge déclarée", fichier=nom,
                                  conseil="ajoutez des sections [[tranche]]")
    tranches: list[TrancheIllectronisme] = []
    attendu = AGE_MIN_ENQUETE
    for n, entree in enumerate(entrees):
        ligne = _ligne(texte, r"^\s*\[\[\s*tranche\s*\]\]", n)

        def erreur(message: str, cle: str | None = None, _n: int = n, _ligne: int | None = ligne
                   ) -> ErreurConfiguration:
            return ErreurConfiguration(f"tranche n°{_n + 1} : {message}", fichier=nom,
                                       ligne=_ligne_de_cle(texte, _ligne, cle), colonne=cle)

        inconnues = sorted(set(entree) - CLES_TRANCHE)
        if inconnues:
            raise erreur(f"clé inconnue « {inconnues[0]} »", inconnues[0])
        age_min, age_max = entree.get("age_min"), entree.get("age_max")
        if not isinstance(age_min, int) or isinstance(age_min, bool):
            raise erreur("« age_min » doit être un entier", "age_min")
        if age_min != attendu:
            raise erreur(f"« age_min » vaut {age_min}, {attendu} attendu (tranches contiguës depuis "
                         f"{AGE_MIN_ENQUETE} ans)", "age_min")
        if age_max is not None and (not isinstance(age_max, int) or isinstance(age_max, bool) or age_max < age_min):
            raise erreur("« age_max » doit être un entier au moins égal à age_min", "age_max")
        if age_max is None and n != len(entrees) - 1:
            raise erreur("seule la dernière tranche peut être ouverte (sans age_max)", "age_max")
        if age_max is not None and n == len(entrees) - 1:
            raise erreur("la dernière tranche doit être ouverte (sans age_max)", "age_max")
        taux = _taux(entree.get("taux"))
        if taux is None:
            raise erreur("« taux » doit être une part entre 0 et 1", "taux")
        statut = entree.get("statut")
        if statut not in STATUTS:
            raise erreur(f"« statut » doit valoir {' ou '.join(STATUTS)}", "statut")
        cle_justification = "citation" if statut == "publie" else "regle"
        justification = entree.get(cle_justification)
        if not isinstance(justification, str) or not justification.strip():
            raise erreur(f"« {cle_justification} » est obligatoire pour le statut {statut}", cle_justification)
        tranches.append(TrancheIllectronisme(age_min, age_max, taux, statut, " ".join(justification.split())))
        attendu = (age_max or age_min) + 1
    return TauxIllectronisme(
        producteur=valeurs["producteur"], publication=valeurs["publication"], titre=valeurs["titre"],
        date_publication=valeurs["date_publication"], annee_donnees=annee, url=valeurs["url"],
        enquete=valeurs["enquete"], champ=valeurs["champ"], taux_ensemble=ensemble,
        citation_ensemble=valeurs["citation_ensemble"], tranches=tuple(tranches),
    )


TAUX_ILLECTRONISME_2021 = charger_taux_illectronisme()
