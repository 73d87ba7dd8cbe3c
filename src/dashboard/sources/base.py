"""The data contract every official source fulfils.

A source is one module in ``dashboard/sources/`` that defines ``SOURCE``, an instance
of a :class:`Source` subclass. It declares its official URLs, producer, licence and
output schema, and turns raw bytes into a tidy validated DataFrame — or raises
:class:`~dashboard.erreurs.ErreurFormat` naming file, line and column. No Streamlit,
no global state, no disk access: the store and the refresh command do the rest.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard.erreurs import ErreurFormat
from dashboard.territoire import Territoire

TYPES_PANDAS = {"texte": "str", "entier": "Int64", "decimal": "Float64", "date": "str", "booleen": "boolean"}


@dataclass(frozen=True)
class Colonne:
    """One column of a source's tidy output: name, type, unit and meaning."""

    nom: str
    type: str  # texte | entier | decimal | date | booleen
    description: str
    unite: str | None = None
    nullable: bool = False


@dataclass(frozen=True)
class Fichier:
    """One official file of a source: the name it is stored under and its URL."""

    nom: str
    url: str
    description: str = ""


@dataclass(frozen=True)
class Contexte:
    """What a parser may know of the territory: config, its commune codes, and the number
    of communes of each comparison area (``("departement", "56") → 249``) so a parser can
    tell whether a national file is complete enough to aggregate for comparison lines."""

    territoire: Territoire
    codes_communes: frozenset[str]
    effectifs_comparaison: tuple[tuple[str, str, int], ...] = ()

    def effectif(self, niveau: str, code: str) -> int | None:
        for n, c, effectif in self.effectifs_comparaison:
            if n == niveau and c == code:
                return effectif
        return None


@dataclass
class Resultat:
    """Output of :meth:`Source.lire`.

    ``edition`` is the date the data describe (ISO ``YYYY-MM-DD``), used to refuse a
    refresh older than what is loaded; ``libelle_edition`` is how people say it (« T1 2026 »).
    ``lignes_lues`` counts input data rows; ``lignes_rejetees`` lists ``(file, line, reason)``
    so that accepted + rejected = read, nothing silently dropped.
    """

    frame: pd.DataFrame
    edition: str
    libelle_edition: str
    lignes_lues: int
    lignes_rejetees: list[tuple[str, int, str]] = field(default_factory=list)
    avertissements: list[str] = field(default_factory=list)
    demo: bool = False


class Source(ABC):
    """Base class of an official source. Subclasses set the class attributes.

    ``garder_bruts = False`` is for sources whose raw files are too large to copy into the
    store (the national Cartefibre building file is 4.5 GB): the store then records only
    each raw file's name, size and sha256 in the manifest, and a manual import hands the
    files to :meth:`lire_chemins` as paths, so the source can stream them.
    """

    identifiant: str
    titre: str
    producteur: str
    licence: str
    page: str
    fichiers: tuple[Fichier, ...]
    colonnes: tuple[Colonne, ...]
    frequence: str = ""
    garder_bruts: bool = True

    @abstractmethod
    def lire(self, fichiers: dict[str, bytes], contexte: Contexte) -> Resultat:
        """Parse raw files (name → bytes) into a validated :class:`Resultat`."""

    def lire_chemins(self, chemins: dict[str, Path], contexte: Contexte) -> Resultat:
        """Parse raw files given as paths. Default: read them whole and call :meth:`lire`;
        a source of huge files overrides this to stream them."""
        return self.lire({nom: Path(chemin).read_bytes() for nom, chemin in chemins.items()}, contexte)

    def telecharger(self, telecharger: Callable) -> dict[str, bytes]:
        """Fetch the official files. Default: each declared URL, stored under its name."""
        return {f.nom: telecharger(f.url).contenu for f in self.fichiers}

    def telecharger_pour(self, telecharger: Callable, contexte: Contexte) -> dict[str, bytes]:
        """Fetch the official files for the territory of ``contexte`` (what ``refresh`` calls).
        Default: :meth:`telecharger`; a source with one file per département overrides it."""
        return self.telecharger(telecharger)

    def controler_fichiers(self, noms: Iterable[str]) -> None:
        """Refuse an import that lacks one of the declared files."""
        presents = set(noms)
        manquants = [f.nom for f in self.fichiers if f.nom not in presents]
        if manquants:
            raise ErreurFormat(
                f"fichier(s) manquant(s) pour la source {self.identifiant} : {', '.join(manquants)}",
                conseil="fournissez tous les fichiers de l'édition",
            )

    def lire_et_valider(self, fichiers: dict[str, bytes], contexte: Contexte) -> Resultat:
        """:meth:`lire`, then check the output against the declared schema."""
        self.controler_fichiers(fichiers)
        resultat = self.lire(fichiers, contexte)
        valider_schema(resultat.frame, self.colonnes, self.identifiant)
        return resultat

    def lire_et_valider_chemins(self, chemins: dict[str, Path], contexte: Contexte) -> Resultat:
        """:meth:`lire_chemins`, then check the output against the declared schema."""
        self.controler_fichiers(chemins)
        resultat = self.lire_chemins(chemins, contexte)
        valider_schema(resultat.frame, self.colonnes, self.identifiant)
        return resultat

    def description(self) -> dict:
        return {
            "identifiant": self.identifiant,
            "titre": self.titre,
            "producteur": self.producteur,
            "licence": self.licence,
            "page": self.page,
            "urls": [f.url for f in self.fichiers],
        }


def valider_schema(frame: pd.DataFrame, colonnes: tuple[Colonne, ...], source: str) -> None:
    """The tidy frame has exactly the declared columns, types and nullability."""
    attendues = [c.nom for c in colonnes]
    if list(frame.columns) != attendues:
        raise ErreurFormat(
            f"sortie de la source {source} non conforme : colonnes {list(frame.columns)}, "
            f"attendues {attendues}"
        )
    for c in colonnes:
        attendu = TYPES_PANDAS[c.type]
        if str(frame[c.nom].dtype) != attendu:
            raise ErreurFormat(
                f"sortie de la source {source} : colonne {c.nom} de type {frame[c.nom].dtype}, {attendu} attendu"
            )
        if not c.nullable and frame[c.nom].isna().any():
            raise ErreurFormat(f"sortie de la source {source} : valeurs manquantes dans {c.nom}")


def typer(frame: pd.DataFrame, colonnes: tuple[Colonne, ...]) -> pd.DataFrame:
    """Select and order the declared columns, cast to their declared dtypes."""
    return frame[[c.nom for c in colonnes]].astype({c.nom: TYPES_PANDAS[c.type] for c in colonnes})
