"""Streamlit's interface files answered from memory, without a worker thread per file operation.

On a fresh server, the first visitor's browser asks for ~75 JavaScript, CSS and font files (the
interface of Streamlit) while the launcher's warm-up imports pandas and folium on another thread
(:mod:`dashboard.serveur`). Streamlit serves them with Starlette's ``StaticFiles``: finding the
file, opening it, each 64 KiB read and the closing go to a worker thread (``anyio.to_thread``),
four round trips or more per file, and each one waits for Python's global lock, held by the
warm-up. The interface reached the browser ~0.35 s later than on an idle server (measured in
``bench/README.md``).

These files are named after their content (``index.DormvYxC.js``) and Streamlit lets browsers
keep them for a year (``Cache-Control: public, immutable``): they do not change while the server
runs. :func:`installer` wraps Streamlit's handler so that such a file is read once, on the event
loop, then answered from memory, with the headers Starlette and Streamlit give it (built by
their own code: type, length, date, tag, cache rule). Everything else goes the usual way: the page
itself (``index.html``, ``no-cache``), a HEAD, a byte range, a conditional request, a path that
does not resolve to a file of the folder, a file whose size changed while being read. Once the
memory budget is spent (:data:`BUDGET_OCTETS`), a new file is still read on the event loop but no
longer kept.

Private Streamlit names (``starlette_static_routes.create_streamlit_static_handler``,
``_apply_cache_headers``): when they are gone, nothing is changed.
"""

from __future__ import annotations

import logging
import stat
from collections.abc import Callable
from typing import Any

# Streamlit's whole static folder weighs ~26 MB; a page asks for a few megabytes of it.
BUDGET_OCTETS = 64 * 1024 * 1024
# Requests answered by Starlette's own code: ranges and revalidations (304).
_ENTETES_LAISSEES = {b"range", b"if-range", b"if-none-match", b"if-modified-since"}

_journal = logging.getLogger(__name__)
_installee = False


class Memoire:
    """The immutable files of one ``StaticFiles`` handler, read once and kept (within a budget)."""

    def __init__(self, gestionnaire: Any, budget: int = BUDGET_OCTETS) -> None:
        self._gestionnaire = gestionnaire
        self._entrees: dict[str, tuple[bytes, list[tuple[bytes, bytes]]]] = {}
        self.budget = budget
        self.octets = 0

    def __len__(self) -> int:
        return len(self._entrees)

    def reponse(self, chemin: str, portee: dict) -> Any | None:
        """The response for ``chemin`` from memory, or ``None`` when it must go the usual way."""
        from starlette.responses import Response

        if portee.get("method") != "GET" or any(
            nom.lower() in _ENTETES_LAISSEES for nom, _ in portee.get("headers") or ()
        ):
            return None
        entree = self._entrees.get(chemin)
        if entree is None:
            entree = self._lire(chemin, portee)
            if entree is None:
                return None
        contenu, entetes = entree
        reponse = Response(contenu)
        reponse.raw_headers = list(entetes)
        return reponse

    def _lire(self, chemin: str, portee: dict) -> tuple[bytes, list[tuple[bytes, bytes]]] | None:
        from starlette.responses import Response

        gestionnaire = self._gestionnaire
        essai = Response()
        gestionnaire._apply_cache_headers(essai, chemin)  # Streamlit's rule, decided on the path alone
        if "immutable" not in essai.headers.get("cache-control", ""):
            return None
        try:
            complet, etat = gestionnaire.lookup_path(chemin)  # Starlette's checks: stays in the folder
            if etat is None or not stat.S_ISREG(etat.st_mode):
                return None
            with open(complet, "rb") as fichier:
                contenu = fichier.read()
        except (OSError, ValueError):  # Starlette answers these itself (401, 404…)
            return None
        if len(contenu) != etat.st_size:  # its size changed while being read
            return None
        reponse = gestionnaire.file_response(complet, etat, portee)
        if reponse.status_code != 200:
            return None
        gestionnaire._apply_cache_headers(reponse, chemin)
        entree = (contenu, list(reponse.raw_headers))
        if self.octets + len(contenu) <= self.budget:
            self._entrees[chemin] = entree
            self.octets += len(contenu)
        return entree


def envelopper_gestionnaire(envelopper: Callable[[Any], Any]) -> bool:
    """Make Streamlit's static file handler factory pass every handler it creates through
    ``envelopper`` (before the server starts). ``False`` when the factory is not there."""
    try:
        from streamlit.web.server.starlette import starlette_static_routes as routes
    except ImportError:
        return False
    creer = getattr(routes, "create_streamlit_static_handler", None)
    if not callable(creer):
        return False

    def creer_enveloppe(directory: str, base_url: str | None):
        return envelopper(creer(directory=directory, base_url=base_url))

    routes.create_streamlit_static_handler = creer_enveloppe
    return True


def _en_memoire(gestionnaire: Any) -> Any:
    if not all(callable(getattr(gestionnaire, nom, None))
               for nom in ("_apply_cache_headers", "lookup_path", "file_response", "get_response")):
        _journal.warning("Fichiers de l'interface servis sans mémoire : gestionnaire de Streamlit inattendu")
        return gestionnaire
    memoire = Memoire(gestionnaire)
    d_origine = gestionnaire.get_response

    async def get_response(path, scope):
        reponse = memoire.reponse(path, scope)
        return reponse if reponse is not None else await d_origine(path, scope)

    gestionnaire.get_response = get_response
    gestionnaire.memoire = memoire
    return gestionnaire


def installer() -> bool:
    """Wrap Streamlit's static file handler (before the server starts). Returns whether it is done."""
    global _installee
    if not _installee:
        _installee = envelopper_gestionnaire(_en_memoire)
        if not _installee:
            _journal.warning("Fichiers de l'interface servis sans mémoire : gestionnaire de Streamlit introuvable")
    return _installee
