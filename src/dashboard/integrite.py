"""Checksums and crash-safe writes shared by the store and the reference build."""

from __future__ import annotations

import hashlib
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path


def sha256_octets(contenu: bytes) -> str:
    return hashlib.sha256(contenu).hexdigest()


def sha256_fichier(chemin: Path) -> str:
    h = hashlib.sha256()
    with chemin.open("rb") as f:
        for bloc in iter(lambda: f.read(1 << 20), b""):
            h.update(bloc)
    return h.hexdigest()


def fsync_dossier(dossier: Path) -> None:
    """Make a rename durable: fsync the directory that holds it."""
    fd = os.open(dossier, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ecrire_atomique(chemin: Path, contenu: bytes) -> None:
    """Write to a temporary file, fsync, ``os.replace``, fsync the folder.

    Readers see either the old file or the new one, never a half-written file.
    """
    chemin.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=chemin.parent, prefix=f".{chemin.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(contenu)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, chemin)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dossier(chemin.parent)


def maintenant_utc() -> str:
    """ISO 8601 UTC timestamp with a ``Z``: ``2026-11-28T09:30:00Z``."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
