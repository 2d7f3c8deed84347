"""Files written whole or not at all, and the dates that tell whether a file changed."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

#: A file's dates are trusted only if it last changed this long before they were read: a file
#: system's clock ticks more coarsely than a nanosecond (1 to 10 ms), so an edit in the same tick
#: as the read could keep every date (git's "racily clean" files). Shared with uptodate.py ...
RACY_NS = 100_000_000
#: ... or two seconds where file times are whole seconds (FAT keeps two-second times).
COARSE_RACY_NS = 2_000_000_000


def file_dates(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What changes when a file's bytes do: its size, modification and change times, and inode.
    The change time is set by the kernel on every write and cannot be set back."""
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


def write_atomic(path: Path, data: bytes | Callable) -> None:
    """``data``, or what ``data(handle)`` writes (no copy of a large pickle in memory), into ``path``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            if callable(data):
                data(handle)
            else:
                handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
