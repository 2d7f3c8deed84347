"""Pages rendered on every core: the due units of a build shared among forked worker processes.

Rendering a page is Jinja and Python, one core's work; with many pages due (a cold build whose
renderings are kept, a template changed) the other cores idled. Here the units are split into
chunks that worker processes render, each forked from the build with its templates, directory
and log already loaded (nothing is pickled but a chunk's numbers); each returns the files every
unit of its chunk wrote and its meta, which this process records in the plan, in the units' order,
so the manifest is the one a single process makes. The files are the same bytes: the same
generator renders them from the same inputs (a test compares the two).

What a worker kept in the build's memo (a table row it rendered) stays in the worker: the next
build renders that row again, which costs time, never a different byte.
"""

from __future__ import annotations

import concurrent.futures
import gc
import multiprocessing
import os
from collections.abc import Callable

from .units import Units

#: units due before they are shared among worker processes (fewer are rendered here at once)
PARALLEL_FROM = 192
#: units a worker renders before it returns their files
CHUNK = 32

#: (unit name, key, render) of the units being rendered; set before the workers fork, read by them
_DUE: list[tuple[str, str, Callable[[], dict | None]]] = []
_UNITS: Units | None = None


def render(units: Units, due: list[tuple[str, str, Callable[[], dict | None]]], workers: int | None,
           progress: Callable[[int, int], None] | None = None) -> None:
    """Render every due unit ``(name, key, render)`` and record it in ``units.plan``, in this order:
    in this process, or in ``workers`` forked processes (default: one a core) when many are due."""
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(due) < PARALLEL_FROM:
        for done, (name, key, make) in enumerate(due, 1):
            units.render(name, key, make)
            if progress is not None:
                progress(done, len(due))
        return
    global _DUE, _UNITS
    _DUE, _UNITS = due, units
    # Frozen while forking: a worker's garbage collector would otherwise write to every object it
    # inherited, copying the memory pages they are on (as pipeline/workers.py does for labels).
    gc.freeze()
    try:
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            chunks = [(start, min(start + CHUNK, len(due))) for start in range(0, len(due), CHUNK)]
            futures = [pool.submit(_render_chunk, start, stop) for start, stop in chunks]
            gc.unfreeze()  # the workers are forked by now (a fork context starts them all at the first submit)
            for (start, stop), future in zip(chunks, futures):
                for (name, key, _), (files, meta) in zip(due[start:stop], future.result()):
                    units.plan.add(name, key, files, meta)
                if progress is not None:
                    progress(stop, len(due))
    finally:
        gc.unfreeze()
        _DUE, _UNITS = [], None


def _render_chunk(start: int, stop: int) -> list[tuple[list[str], dict]]:
    """In a worker: render units ``start:stop`` of the due list; each one's files and meta."""
    made = []
    for _, _, make in _DUE[start:stop]:
        _UNITS.files = []
        meta = make() or {}
        made.append((_UNITS.files, meta))
    return made
