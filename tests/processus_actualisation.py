"""A refresh of the test source in its own process (crash and concurrency tests, F-10 and F-11).

    python -m tests.processus_actualisation <dossier des instantanés> <url du fichier>

Downloads ``valeurs.csv`` from the local fixture server (127.0.0.1 only) with the real
``actualiser`` and store, then prints ``OK <identifiant d'édition>`` (exit 0) or
``ERREUR <message>`` (exit 1). ``DASHBOARD_PANNE`` in the environment stops it at a
fault-injection point of the store (see ``dashboard.magasin``).
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

from dashboard.actualisation import actualiser
from dashboard.erreurs import ErreurDonnees
from dashboard.magasin import Magasin
from dashboard.sources.base import Fichier
from dashboard.telechargement import telecharger
from tests.serveur_local import HOTES_TEST
from tests.source_factice import SourceFactice


def main(racine: str, url: str) -> int:
    source = SourceFactice()
    source.fichiers = (Fichier("valeurs.csv", url),)
    charger = functools.partial(telecharger, hotes=HOTES_TEST, tentatives=1, delai_lecture=30)
    try:
        # The test source reads its CSV without the territory: no reference needed here.
        manifeste = actualiser(source, Magasin(Path(racine)), None, telecharger=charger)
    except ErreurDonnees as exc:
        print(f"ERREUR {exc}", flush=True)
        return 1
    print(f"OK {manifeste['identifiant_edition']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
