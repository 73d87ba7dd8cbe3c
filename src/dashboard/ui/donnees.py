"""Cache boundary: ``st.cache_data`` wrappers keyed by plain values.

Keys are the config file's mtime, the reference manifest's checksums and each source's
current edition id, so a new snapshot invalidates the cache by itself. No TTL: the
cache is not a last-known-good store (the snapshot on disk is). Folium objects are
never cached; frames are.

No parameter of a cached function starts with ``_``: Streamlit leaves those out of the key
(a new edition would then be served from the cache of the old one until a restart).
"""

from __future__ import annotations

import json

import streamlit as st

from dashboard import chemins
from dashboard.magasin import Instantane, Magasin
from dashboard.reference import FICHIER_MANIFESTE, Reference, charger_reference
from dashboard.territoire import Territoire, charger_territoire


@st.cache_data(show_spinner=False)
def _territoire(chemin: str, mtime_ns: int) -> Territoire:
    from pathlib import Path

    return charger_territoire(Path(chemin))


def _cle_territoire() -> tuple[str, int]:
    chemin = chemins.fichier_territoire()
    return str(chemin), chemin.stat().st_mtime_ns if chemin.exists() else 0


def territoire() -> Territoire:
    return _territoire(*_cle_territoire())


def _empreinte_reference() -> str:
    chemin = chemins.dossier_reference() / FICHIER_MANIFESTE
    try:
        manifeste = json.loads(chemin.read_text(encoding="utf-8"))
        return json.dumps(manifeste.get("fichiers", {}), sort_keys=True)
    except (OSError, ValueError):
        return "absent"


@st.cache_data(show_spinner="Chargement de la géographie de référence…")
def _reference(dossier: str, empreinte: str, chemin_territoire: str, mtime_territoire_ns: int) -> Reference:
    from pathlib import Path

    return charger_reference(Path(dossier), _territoire(chemin_territoire, mtime_territoire_ns))


def reference() -> Reference:
    # Keyed by the territory file, not by the Territoire object: hashing plain values is cheap.
    return _reference(str(chemins.dossier_reference()), _empreinte_reference(), *_cle_territoire())


def magasin() -> Magasin:
    return Magasin(chemins.dossier_instantanes())


@st.cache_data(show_spinner="Chargement des données…")
def _instantane(racine: str, source: str, edition: str | None) -> Instantane:
    from pathlib import Path

    return Magasin(Path(racine)).charger(source)


def instantane(source: str) -> Instantane:
    m = magasin()
    pointeur = m.pointeur(source) or {}
    return _instantane(str(m.racine), source, pointeur.get("edition"))


def instantane_facultatif(source: str) -> Instantane | None:
    """The current edition, or ``None`` when the source has never been loaded or is unreadable.

    Pages use it to show what they can and say what is missing (``st.info``).
    """
    from dashboard.erreurs import DonneesCorrompues

    try:
        return instantane(source)
    except DonneesCorrompues:
        return None
