"""What outputs are handed to keep work between builds (the build engine provides them).

Outputs never open a cache themselves: they are given objects of these shapes,
so that they can be used and tested with no cache at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

T = TypeVar("T")


class Parts(Protocol):
    """``parts(kind, cert, make)``: a certificate's part of a directory-wide file, made by
    ``make()`` or kept from an earlier build of the same record."""

    def __call__(self, kind: str, cert, make: Callable[[], T]) -> T: ...


def make_every(kind: str, cert, make: Callable[[], T]) -> T:
    """The :class:`Parts` that keeps nothing: every part is made."""
    return make()


class Renderings(Protocol):
    """Files made from a text key, kept by the key's hash (``engine.cache.ContentCache``)."""

    rendered: int
    reused: int

    def files(self, key_text: str, suffixes: tuple[str, ...],
              make: Callable[[], tuple[bytes, ...]]) -> tuple[bytes, ...]: ...


class Kept(Protocol):
    """One value kept between builds (``engine.cache.KeptFile``); None when there is none."""

    def load(self): ...

    def save(self, value) -> None: ...
