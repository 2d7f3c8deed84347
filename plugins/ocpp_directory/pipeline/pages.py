"""Pages rendered on every core: the due units of a build shared between it and forked worker processes.

Rendering a page is Jinja and Python, one core's work; with many pages due (a cold build whose
renderings are kept, a template changed) the other cores idled. Here the units are split into
chunks, rendered by this process and by one worker process for each further core. A worker is
forked from the build with its templates, directory and log already loaded (nothing is pickled
but a chunk's numbers) and returns the files every unit of its chunk wrote and its meta. This
process records them in the plan in the units' order, so the manifest is the one a single
process makes. The files are the same bytes: the same generator renders them from the same
inputs (a test compares the two).

What a worker kept in the build's memo (a table row it rendered) stays in the worker: the next
build renders that row again, which costs time, never a different byte.
"""

from __future__ import annotations

import collections
import concurrent.futures
import gc
import itertools
import multiprocessing
import os
from collections.abc import Callable

from .units import Units

#: units due before they are shared among worker processes (fewer are rendered here at once)
PARALLEL_FROM = 192
#: units a worker renders before it returns their files
CHUNK = 32
#: chunks a worker is given ahead of the one whose files this process records
AHEAD = 2

#: (unit name, key, render) of the units being rendered; set before the workers fork, read by them
_DUE: list[tuple[str, str, Callable[[], dict | None]]] = []
_UNITS: Units | None = None


def render(units: Units, due: list[tuple[str, str, Callable[[], dict | None]]], workers: int | None,
           progress: Callable[[int, int], None] | None = None) -> None:
    """Render every due unit ``(name, key, render)`` and record it in ``units.plan``, in this order:
    in this process, or, when many are due, in it and ``workers`` - 1 forked processes (default: one a core)."""
    workers = workers or os.cpu_count() or 1
    if workers < 2 or len(due) < PARALLEL_FROM:
        for done, (name, key, make) in enumerate(due, 1):
            units.render(name, key, make)
            if progress is not None:
                progress(done, len(due))
        return
    global _DUE, _UNITS
    _DUE, _UNITS = due, units
    chunks = [(start, min(start + CHUNK, len(due))) for start in range(0, len(due), CHUNK)]
    # This process renders chunks too, beside workers - 1 forked ones: a forked worker copies, page by
    # page, the build's heap it allocates and counts references in (200 MB a worker at 30,000 records,
    # docs/scaling.md), so one worker fewer is that much less memory for the same cores.
    # Frozen while forking: a worker's garbage collector would otherwise write to every object it
    # inherited, copying the memory pages they are on (as pipeline/workers.py did for labels).
    gc.freeze()
    try:
        with concurrent.futures.ProcessPoolExecutor(workers - 1, mp_context=multiprocessing.get_context("fork")) as pool:
            queued = collections.deque()  # (chunk, its future in a worker, or its files when rendered here)
            ahead = iter(chunks)
            for chunk in itertools.islice(ahead, AHEAD * (workers - 1)):
                queued.append((chunk, pool.submit(_render_chunk, *chunk)))
            gc.unfreeze()  # the workers are forked by now (a fork context starts them all at the first submit)
            while queued:
                chunk, job = queued[0]
                in_worker = isinstance(job, concurrent.futures.Future)
                if in_worker and not job.done():
                    mine = next(ahead, None)
                    if mine is not None:  # rendered here while the oldest chunk is rendered in a worker
                        queued.append((mine, _render_chunk(*mine)))
                        continue
                queued.popleft()
                start, stop = chunk
                for (name, key, _), (files, meta) in zip(due[start:stop], job.result() if in_worker else job):
                    units.plan.add(name, key, files, meta)
                if progress is not None:
                    progress(stop, len(due))
                following = next(ahead, None) if in_worker else None
                if following is not None:
                    queued.append((following, pool.submit(_render_chunk, *following)))
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
