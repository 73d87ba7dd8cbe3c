"""Write the embedded official extracts of places into ``data/snapshots/`` (no Internet needed).

    .venv/bin/python scripts/graine_lieux_officiels.py [--forcer]

Imports, through the official parsers, the France services of the territory (edition of
2024-08-01) and the CGET tiers-lieux census of 2019 as *official* (non-demonstration)
editions; see :mod:`dashboard.graines` for what is known and what is left empty.
"""

from __future__ import annotations

import argparse
import sys

from dashboard import chemins
from dashboard.cli import contexte_depuis_reference
from dashboard.erreurs import ErreurDonnees
from dashboard.graines import importer_graines
from dashboard.magasin import Magasin
from dashboard.reference import charger_reference
from dashboard.territoire import charger_territoire


def main(argv: list[str] | None = None) -> int:
    analyseur = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    analyseur.add_argument("--forcer", action="store_true", help="remplace même une édition plus récente")
    args = analyseur.parse_args(argv)
    try:
        territoire = charger_territoire(chemins.fichier_territoire())
        reference = charger_reference(chemins.dossier_reference(), territoire)
        communes = dict(zip(reference.communes["code_insee"], reference.communes["nom"], strict=True))
        contexte = contexte_depuis_reference(territoire, reference)
        manifestes = importer_graines(Magasin(chemins.dossier_instantanes()), contexte, communes,
                                      forcer=args.forcer)
    except ErreurDonnees as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    for m in manifestes:
        print(f"{m['source']} : édition {m['libelle_edition']} ({m['edition']}), {m['lignes']} lieux, "
              f"origine : {m['origine']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
