"""Disk cache of compiled Jinja templates, for the launcher (``dashboard.serveur``).

folium and branca declare ~80 Jinja templates as class attributes (``Template(...)``): importing
folium and ``folium.plugins`` compiles all of them, ~0.17 s of CPU on every server start, on
the path of the first map. Jinja only caches the compiled code of templates read through a
loader (``bytecode_cache``), never of templates built from a string. This module does for those
what Python does with ``.pyc`` files: the code object compiled from a template's source is
written once (``marshal``) in the user's cache folder and read back on the next start. That folder
holds code the server runs: it is created private (``700``) and not used if anyone but the
server's user can write to it.

The launcher turns it on only while its warm-up imports folium (:func:`actif`): templates built
later, at render time, often embed data (one source per map) and are not worth keeping on disk.
Those are kept in memory instead, a bounded number of them (:func:`installer_memoire`): branca
renders each element of a map, then compiles that output again as a template (one per element,
the GeoJSON of the communes included, ~50 kB): ~35 ms of CPU at every script run that draws a
map, for outputs that come back identical from one run to the next (the same base map, the same
scope chosen again). Only
templates of Jinja's shared default environments (those ``jinja2.Template(source)`` uses) are
cached, and the key covers everything that shapes the compiled code: the source, its name,
the environment's syntax settings and extensions, and the versions of Jinja and Python. An
unreadable or corrupt entry is compiled again and rewritten; an unwritable folder only turns the
cache off. Nothing here changes what a template renders (checked in ``tests/test_cache_gabarits.py``).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import marshal
import os
import sys
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from types import CodeType

_journal = logging.getLogger(__name__)

NOM_DOSSIER = "observatoire-numerique-lorient"
# folium and branca declare ~80 templates; beyond this many entries (versions changed over time,
# templates of other origins), the folder is emptied and rebuilt.
ENTREES_MAX = 1000
# Templates compiled at render time kept in memory (least recently used dropped first).
ENTREES_MEMOIRE = 128
# Settings of an environment that change the code compiled from a template's source.
_REGLAGES = (
    "block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
    "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
    "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "optimized",
    "autoescape", "is_async",
)


def dossier_par_defaut() -> Path:
    """``$XDG_CACHE_HOME`` (or ``~/.cache``) / this project / Jinja templates."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / NOM_DOSSIER / "gabarits-jinja"


def installer(dossier: Path | None = None) -> bool:
    """Route the compilation of Jinja's shared environments through the disk cache.

    Returns ``False`` (and changes nothing) when the folder cannot be created. Idempotent.
    """
    from jinja2 import Environment

    dossier = dossier or dossier_par_defaut()
    try:
        dossier.mkdir(mode=0o700, parents=True, exist_ok=True)
        proprietaire_seul = _reserve_a_l_utilisateur(dossier)
    except OSError as exc:
        _journal.info("Cache des gabarits Jinja désactivé (%s : %s)", dossier, exc)
        return False
    if not proprietaire_seul:
        _journal.warning("Cache des gabarits Jinja désactivé : %s n'appartient pas au seul utilisateur "
                         "du serveur (droits à corriger : chmod 700, ou DASHBOARD_CACHE_GABARITS=0)", dossier)
        return False
    _elaguer(dossier)
    Environment.compile = _compilation_gardee(  # type: ignore[method-assign]
        lambda cle: _lire(dossier / cle), lambda cle, code: _ecrire(dossier / cle, code))
    return True


def _compilation_gardee(lire, garder):
    """Jinja's own ``Environment.compile`` (kept as ``compilation_d_origine``), looking each
    template up with ``lire(cle)`` first and handing what it compiles to ``garder(cle, code)``;
    templates without a key (see :func:`_cle`) are compiled as usual."""
    import jinja2
    from jinja2 import Environment

    compiler = getattr(Environment.compile, "compilation_d_origine", Environment.compile)

    def compiler_en_gardant(self, source, name=None, filename=None, raw=False, defer_init=False):
        cle = _cle(self, source, name, filename, raw, defer_init, jinja2.__version__)
        if cle is None:
            return compiler(self, source, name, filename, raw, defer_init)
        code = lire(cle)
        if code is None:
            code = compiler(self, source, name, filename, raw, defer_init)
            garder(cle, code)
        return code

    compiler_en_gardant.compilation_d_origine = compiler  # type: ignore[attr-defined]
    return compiler_en_gardant


@contextlib.contextmanager
def actif(dossier: Path | None = None) -> Iterator[bool]:
    """The cache, for the duration of a ``with`` block (yields whether it could be turned on)."""
    installe = installer(dossier)
    try:
        yield installe
    finally:
        if installe:
            desinstaller()


def desinstaller() -> None:
    """Back to Jinja's own compilation."""
    from jinja2 import Environment

    origine = getattr(Environment.compile, "compilation_d_origine", None)
    if origine is not None:
        Environment.compile = origine  # type: ignore[method-assign]


def installer_memoire(entrees: int = ENTREES_MEMOIRE) -> OrderedDict[str, CodeType]:
    """Keep in memory the code of the last ``entrees`` templates compiled by Jinja's shared
    environments (same keys as the disk cache); returns that store. Idempotent; call it once the
    disk cache is off (:func:`desinstaller` would remove both)."""
    from jinja2 import Environment

    deja = getattr(Environment.compile, "memoire", None)
    if deja is not None:
        return deja
    memoire: OrderedDict[str, CodeType] = OrderedDict()
    verrou = threading.Lock()  # script runs of several sessions render maps at once

    def lire(cle: str) -> CodeType | None:
        with verrou:
            code = memoire.get(cle)
            if code is not None:
                memoire.move_to_end(cle)
            return code

    def garder(cle: str, code: CodeType) -> None:
        with verrou:
            memoire[cle] = code
            while len(memoire) > entrees:
                memoire.popitem(last=False)

    compiler = _compilation_gardee(lire, garder)
    compiler.memoire = memoire  # type: ignore[attr-defined]
    Environment.compile = compiler  # type: ignore[method-assign]
    return memoire


def _elaguer(dossier: Path) -> None:
    try:
        entrees = [e for e in os.scandir(dossier) if e.is_file()]
        if len(entrees) > ENTREES_MAX:
            for entree in entrees:
                os.unlink(entree.path)
    except OSError as exc:
        _journal.info("Cache des gabarits Jinja : élagage impossible (%s)", exc)


def _reserve_a_l_utilisateur(dossier: Path) -> bool:
    """The cache holds code that the server runs: like ``__pycache__``, only its owner may write
    there. A folder owned by someone else, or writable by the group or by all, is not used."""
    etat = dossier.stat()
    getuid = getattr(os, "getuid", None)
    if getuid is None:  # Windows: the user's profile folder is already private
        return True
    return etat.st_uid == getuid() and not etat.st_mode & 0o022


def _cle(environnement, source, name, filename, raw, defer_init, version_jinja: str) -> str | None:
    """Cache key, or ``None`` when the template must be compiled as usual."""
    if raw or not isinstance(source, str) or not getattr(environnement, "shared", False):
        return None
    reglages = [getattr(environnement, r, None) for r in _REGLAGES]
    if any(callable(v) for v in reglages):  # e.g. an autoescape function: not a plain value
        return None
    extensions = sorted(f"{type(e).__module__}.{type(e).__qualname__}"
                        for e in getattr(environnement, "extensions", {}).values())
    empreinte = repr((version_jinja, sys.version, sys.implementation.cache_tag, reglages, extensions,
                      name, filename, defer_init, source))
    return hashlib.sha256(empreinte.encode("utf-8")).hexdigest()


def _lire(chemin: Path) -> CodeType | None:
    try:
        code = marshal.loads(chemin.read_bytes())  # noqa: S302 — our own entries, private folder (see above)
    except FileNotFoundError:
        return None
    except (OSError, EOFError, ValueError, TypeError):
        _journal.info("Cache des gabarits Jinja : entrée illisible %s, recompilée", chemin.name)
        return None
    return code if isinstance(code, CodeType) else None


def _ecrire(chemin: Path, code: CodeType) -> None:
    """Atomic write (another server may read the same folder); a failure only skips the entry."""
    temporaire: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(dir=chemin.parent, prefix=".", delete=False) as fichier:
            temporaire = Path(fichier.name)
            fichier.write(marshal.dumps(code))
        os.replace(temporaire, chemin)
    except OSError as exc:
        _journal.info("Cache des gabarits Jinja : écriture impossible (%s)", exc)
        if temporaire is not None:
            with contextlib.suppress(OSError):
                temporaire.unlink(missing_ok=True)
