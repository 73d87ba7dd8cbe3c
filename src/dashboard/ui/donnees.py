"""Cache boundary: ``st.cache_data`` wrappers keyed by plain values.

Keys are the config file's mtime, the reference manifest's checksums and each source's
current edition id, so a new snapshot invalidates the cache by itself. No TTL: the
cache is not a last-known-good store (the snapshot on disk is). Folium objects are
never cached; frames are.
"""

from __future__ import annotations

import json

import streamlit as st

from dashboard import chemins
from dashboard.magasin import Instantane, Magasin
from dashboard.reference import FICHIER_MANIFESTE, Reference, charger_reference
from dashboard.territoire import Territoire, charger_territoire


@st.cache_data(show_spinner=False)
def _territoire(chemin: str, _mtime: float) -> Territoire:
    from pathlib import Path

    return charger_territoire(Path(chemin))


def territoire() -> Territoire:
    chemin = chemins.fichier_territoire()
    mtime = chemin.stat().st_mtime if chemin.exists() else 0.0
    return _territoire(str(chemin), mtime)


def _empreinte_reference() -> str:
    chemin = chemins.dossier_reference() / FICHIER_MANIFESTE
    try:
        manifeste = json.loads(chemin.read_text(encoding="utf-8"))
        return json.dumps(manifeste.get("fichiers", {}), sort_keys=True)
    except (OSError, ValueError):
        return "absent"


@st.cache_data(show_spinner="Chargement de la géographie de référence…")
def _reference(dossier: str, _empreinte: str, territoire_: Territoire) -> Reference:
    from pathlib import Path

    return charger_reference(Path(dossier), territoire_)


def reference() -> Reference:
    return _reference(str(chemins.dossier_reference()), _empreinte_reference(), territoire())


def magasin() -> Magasin:
    return Magasin(chemins.dossier_instantanes())


@st.cache_data(show_spinner="Chargement des données…")
def _instantane(racine: str, source: str, _edition: str | None) -> Instantane:
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
