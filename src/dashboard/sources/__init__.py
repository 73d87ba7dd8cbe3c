"""Registry of official sources: every module here that defines ``SOURCE`` is one.

Adding a source = adding one module (plus its fixtures and tests); nothing else to edit.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from dashboard.erreurs import ErreurConfiguration
from dashboard.sources.base import Source

MODULES_OUTILS = {"base", "lecture", "classeur"}


@cache
def toutes_les_sources() -> dict[str, Source]:
    """``identifiant → Source`` for every source module, in module-name order."""
    trouvees: dict[str, Source] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name in MODULES_OUTILS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        source = getattr(module, "SOURCE", None)
        if isinstance(source, Source):
            trouvees[source.identifiant] = source
    return trouvees


def source(identifiant: str) -> Source:
    sources = toutes_les_sources()
    if identifiant not in sources:
        raise ErreurConfiguration(
            f"source « {identifiant} » inconnue",
            conseil=f"sources disponibles : {', '.join(sources) or 'aucune'}",
        )
    return sources[identifiant]
