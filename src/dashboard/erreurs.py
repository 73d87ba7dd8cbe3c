"""Project exceptions, each carrying a French message a user can act on.

Why one small hierarchy: pages catch :class:`ErreurDonnees` once and show ``st.error``;
the CLI prints the same message and exits non-zero. Nobody shows a traceback to users.
"""

from __future__ import annotations


class ErreurDonnees(Exception):
    """Base class: something is wrong with data, a file or a configuration.

    ``fichier``, ``ligne`` (physical line, 1-based) and ``colonne`` locate the problem;
    ``conseil`` tells the user how to fix it.
    """

    def __init__(
        self,
        message: str,
        *,
        fichier: str | None = None,
        ligne: int | None = None,
        colonne: str | None = None,
        conseil: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fichier = fichier
        self.ligne = ligne
        self.colonne = colonne
        self.conseil = conseil

    @property
    def position(self) -> str:
        """« fichier x.csv, ligne 12, colonne code_insee » (only the known parts)."""
        parties = []
        if self.fichier:
            parties.append(f"fichier « {self.fichier} »")
        if self.ligne is not None:
            parties.append(f"ligne {self.ligne}")
        if self.colonne:
            parties.append(f"colonne « {self.colonne} »")
        return ", ".join(parties)

    def __str__(self) -> str:
        texte = self.message
        if self.position:
            texte = f"{self.position} : {texte}"
        if self.conseil:
            texte = f"{texte} — {self.conseil}"
        return texte


class ErreurFormat(ErreurDonnees):
    """A file does not follow the layout its source declares (SourceFormatError)."""


class SourceIndisponible(ErreurDonnees):
    """An official URL could not be downloaded (network, HTTP error, wrong content)."""


class ErreurConfiguration(ErreurDonnees):
    """The territory configuration is invalid (unknown SIREN, commune code, scope…)."""


class DonneesCorrompues(ErreurDonnees):
    """A snapshot on disk fails its integrity check (sha256, manifest, parquet)."""


class ActualisationEnCours(ErreurDonnees):
    """Another refresh of the same source holds the lock."""


class EcritureImpossible(ErreurDonnees):
    """The data folder cannot be written (read-only mount, wrong owner, disk full)."""
