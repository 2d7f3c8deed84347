"""Reading the files beside records as a careful reader must: regular files only, sizes checked first.

A records folder is written by people and tools; what lies in it can be a FIFO (opening it for reading
waits forever), a link to ``/dev/zero`` (reading it never ends) or a file of gigabytes. Every file the
validator or the build reads from it goes through :func:`read_regular`: opened without blocking, looked
at with ``fstat`` before a byte is read, and read to at most its limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class NotReadable(Exception):
    """A file that is not read: ``reason`` says why, in words for the message ("is a FIFO")."""

    def __init__(self, reason: str, size: int | None = None):
        super().__init__(reason)
        self.reason = reason
        #: the file's size, when it was refused for it
        self.size = size


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def read_regular(path: str | Path, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes; else :class:`NotReadable`
    (``OSError`` when it cannot be opened)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
            raise NotReadable(f"is {kind}, not a regular file")
        if info.st_size > limit:
            raise NotReadable(f"is {info.st_size} bytes", info.st_size)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while it was read
            raise NotReadable(f"is over {limit} bytes", size)
        return b"".join(chunks)
    finally:
        os.close(fd)
