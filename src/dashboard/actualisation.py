"""Refresh and import: download or read official files, validate, then switch editions.

Each source fails on its own: an error is recorded in its ``etat.json`` and the last
good edition stays current. Sanity checks refuse an edition older than the one loaded
and a sudden shrink of the number of rows (a truncated or wrong national file). A write
error (disk full, read-only data folder) becomes a French :class:`EcritureImpossible`.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path

from dashboard.erreurs import EcritureImpossible, ErreurDonnees, ErreurFormat
from dashboard.magasin import Magasin
from dashboard.sources.base import Contexte, Resultat, Source
from dashboard.telechargement import date_http
from dashboard.telechargement import telecharger as telecharger_defaut

SEUIL_CHUTE_LIGNES = 0.5


def controler_coherence(magasin: Magasin, source: Source, resultat: Resultat, forcer: bool = False) -> None:
    """Refuse an older edition or a shrink of more than half the rows (unless ``forcer``)."""
    if forcer:
        return
    pointeur = magasin.pointeur(source.identifiant)
    if not pointeur or not pointeur.get("edition"):
        return
    try:
        actuel = magasin.lire_manifeste(source.identifiant, pointeur["edition"])
    except ErreurDonnees:
        return  # current is corrupt: any valid edition is better
    if actuel.get("demo") and not resultat.demo:
        return  # official data always replaces demonstration data
    if resultat.edition < actuel.get("edition", ""):
        raise ErreurFormat(
            f"l'édition fournie ({resultat.libelle_edition}) est plus ancienne que celle déjà chargée "
            f"({actuel.get('libelle_edition')})",
            conseil="rien n'a été remplacé ; utilisez --forcer pour revenir volontairement en arrière",
        )
    if actuel.get("lignes") and len(resultat.frame) < SEUIL_CHUTE_LIGNES * actuel["lignes"]:
        raise ErreurFormat(
            f"{len(resultat.frame)} lignes contre {actuel['lignes']} dans l'édition chargée : "
            "chute suspecte (fichier tronqué ou incomplet ?)",
            conseil="rien n'a été remplacé ; vérifiez le fichier ou utilisez --forcer",
        )


def erreur_ecriture(exc: OSError) -> EcritureImpossible:
    """A French error for a failed write: disk full, read-only folder, or other."""
    if exc.errno == errno.ENOSPC:
        message = "espace disque insuffisant"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        message = f"dossier des données en lecture seule ({exc.strerror})"
    else:
        message = f"erreur d'écriture ({exc.strerror})"
    return EcritureImpossible(message, conseil="les données précédentes sont conservées")


def _enregistrer(magasin: Magasin, source: Source, bruts: dict[str, bytes], contexte: Contexte,
                 origine: str, forcer: bool, demo: bool = False, http: list[dict] | None = None) -> dict:
    resultat = source.lire_et_valider(bruts, contexte)
    resultat.demo = demo
    controler_coherence(magasin, source, resultat, forcer)
    return magasin.enregistrer(source, resultat, bruts, origine=origine, http=http)


def _sous_verrou(magasin: Magasin, source: Source, travail: Callable[[], dict]) -> dict:
    """Run ``travail`` under the source's lock and record the attempt in ``etat.json``.

    A data error is noted and re-raised; a write error (disk full, read-only folder) becomes
    a French :class:`~dashboard.erreurs.ErreurDonnees`. The current edition is never touched
    unless ``travail`` completes.
    """
    with magasin.verrou(source.identifiant):
        try:
            manifeste = travail()
        except ErreurDonnees as exc:
            magasin.noter_tentative(source.identifiant, str(exc))
            raise
        except OSError as exc:
            erreur = erreur_ecriture(exc)
            magasin.noter_tentative(source.identifiant, erreur.message)
            raise erreur from exc
        magasin.noter_tentative(source.identifiant, None)
        return manifeste


def actualiser(source: Source, magasin: Magasin, contexte: Contexte, *,
               telecharger: Callable = telecharger_defaut, forcer: bool = False) -> dict:
    """Download the official files of ``source`` and make them the current edition.

    The manifest keeps, for each HTTP response, its final URL, ``Last-Modified`` (converted
    from the HTTP date, always GMT, to ISO 8601 UTC) and ``ETag``.
    """
    reponses: list[dict] = []

    def telecharger_et_noter(url: str, **kwargs):
        reponse = telecharger(url, **kwargs)
        reponses.append({"url": getattr(reponse, "url_finale", url),
                         "last_modified": date_http(getattr(reponse, "last_modified", None)),
                         "etag": getattr(reponse, "etag", None)})
        return reponse

    def travail() -> dict:
        bruts = source.telecharger_pour(telecharger_et_noter, contexte)
        return _enregistrer(magasin, source, bruts, contexte, "téléchargement officiel", forcer, http=reponses)

    return _sous_verrou(magasin, source, travail)


def importer(source: Source, magasin: Magasin, contexte: Contexte, chemins: list[Path], *,
             forcer: bool = False) -> dict:
    """Import files downloaded by hand (offline machines). One file may stand for the only one.

    A source that does not keep its raw files (``garder_bruts = False``: files of several GB)
    reads them by path, under their own names (which may carry the edition), and the store
    records only their size and sha256: nothing is loaded whole or copied.
    """
    if not source.garder_bruts:
        return _importer_chemins(source, magasin, contexte, {c.name: c for c in chemins}, forcer)
    bruts: dict[str, bytes] = {}
    for chemin in chemins:
        nom = chemin.name
        if len(chemins) == 1 and len(source.fichiers) == 1:
            nom = source.fichiers[0].nom
        bruts[nom] = chemin.read_bytes()
    return importer_octets(source, magasin, contexte, bruts, forcer=forcer)


def _importer_chemins(source: Source, magasin: Magasin, contexte: Contexte, chemins: dict[str, Path],
                      forcer: bool) -> dict:
    def travail() -> dict:
        resultat = source.lire_et_valider_chemins(chemins, contexte)
        controler_coherence(magasin, source, resultat, forcer)
        return magasin.enregistrer(source, resultat, chemins, origine="import manuel")

    return _sous_verrou(magasin, source, travail)


def importer_octets(source: Source, magasin: Magasin, contexte: Contexte, bruts: dict[str, bytes], *,
                    forcer: bool = False, demo: bool = False, origine: str | None = None) -> dict:
    """Validate and store files given as bytes (manual import, generated demonstration data, or an
    official extract shipped with the code). ``origine`` overrides the provenance noted in the manifest."""
    if origine is None:
        origine = "démonstration (générée)" if demo else "import manuel"
    return _sous_verrou(magasin, source,
                        lambda: _enregistrer(magasin, source, bruts, contexte, origine, forcer, demo))
