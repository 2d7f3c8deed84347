"""Rendered files kept between builds, keyed by what they were made from.

QR codes and logo renderings are slow to make and never change for the same
input, so each is stored under the hash of its input. A rebuild reads them back;
only new inputs are rendered. Entries are written atomically: a killed build
never leaves half a file in the cache.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


class ContentCache:
    """A folder of files named by the hash of their input (or no folder: render every time)."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.rendered = 0
        self.reused = 0

    def files(self, key_text: str, suffixes: tuple[str, ...], make: Callable[[], tuple[bytes, ...]]) -> tuple[bytes, ...]:
        """The files for ``key_text`` (one per suffix): from the folder, or made and stored."""
        key = hashlib.sha256(key_text.encode("utf-8")).hexdigest()
        paths = [self.folder / key[:2] / f"{key}{suffix}" for suffix in suffixes] if self.folder else []
        if paths:
            try:
                found = tuple(path.read_bytes() for path in paths)
            except OSError:
                pass
            else:
                self.reused += 1
                return found
        made = make()
        self.rendered += 1
        for path, data in zip(paths, made):
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(path, data)
        return made


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
