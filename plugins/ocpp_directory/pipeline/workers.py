"""Each certificate's QR code and label, made on every core.

These files are most of a cold build's cost (docs/scaling.md) and each depends on
one certificate only, so they are made in worker processes (forked from a small server process,
not from the build: :func:`_server`), after the pages. The results come back in the order asked,
so the output does not depend on the number of workers. Small builds (or ``workers=1``) make them
in this process: starting workers costs more than it saves below about a hundred certificates.
"""

from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import functools
import itertools
import multiprocessing
import os
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

from ..engine.cache import ContentCache
from ..outputs import logos
from ..outputs.qr import FORMAT as QR_FORMAT
from ..outputs.qr import QRCodes

#: Fewer certificates than this are made in the main process.
POOL_THRESHOLD = 100
#: Chunks of jobs a worker is given ahead of the ones this process is taking the files of.
AHEAD = 4
#: Where a kit's zip travels among its files (no file has this name).
KIT_ZIP = "<zip>"
#: The Binaries of a worker process (None in the main process).
_IN_WORKER = None


@dataclass(frozen=True)
class Job:
    """What one certificate's binaries are made from."""

    cert_id: str
    url: str  # what the QR code encodes
    lines: tuple[str, ...]  # the logo's statement
    verify_host: str  # printed under the code
    issued: str  # the labels' PDF creation date


@dataclass
class Made:
    files: dict[str, bytes]
    #: (rendered, reused) of the QR and the logo cache while making them
    qr: tuple[int, int]
    logos: tuple[int, int]
    #: made in a worker process, whose counts this process has not seen yet
    in_worker: bool


#: The content caches' folders below the cache folder, and the generation this code renders into:
#: a new format (or artwork) starts an empty folder, and the others are pruned (cache.prune).
GENERATIONS = {"qr": QR_FORMAT, "logos": f"{logos.FORMAT}-{logos.ARTWORK_DATE}"}


class Binaries:
    """Makes jobs' files with a QR and a logo cache, in this process or a pool of them."""

    def __init__(self, cache: Path | None):
        self.cache = cache
        folders = {kind: cache / kind / generation for kind, generation in GENERATIONS.items()} if cache else {}
        self.qr = QRCodes(ContentCache(folders.get("qr")))
        self.renderer = logos.Renderer(ContentCache(folders.get("logos")), logos.ARTWORK_DATE)

    def count(self, made: Made) -> None:
        """Add what a worker rendered or reused to this process's counts (the summary's figures)."""
        if not made.in_worker:
            return  # made here: counted already
        self.qr.cache.rendered += made.qr[0]
        self.qr.cache.reused += made.qr[1]
        self.renderer.cache.rendered += made.logos[0]
        self.renderer.cache.reused += made.logos[1]

    def make(self, jobs: list[Job], workers: int | None = None) -> Generator[Made, None, None]:
        """Each job's files, in the order of ``jobs``."""
        return self._run(_work, jobs, workers, POOL_THRESHOLD, chunksize=8)

    def kits(self, kits: list[logos.Kit], workers: int | None = None) -> Generator[Made, None, None]:
        """Each logo kit's files (about 0.2 s a kit), in the order of ``kits``."""
        light = [dataclasses.replace(kit, certificates=[]) for kit in kits]  # what crosses to a worker
        return self._run(_kit_work, light, workers, 4, chunksize=1)

    def _run(self, work, items: list, workers: int | None, threshold: int, chunksize: int) -> Generator[Made, None, None]:
        workers = workers or os.cpu_count() or 1
        if workers < 2 or len(items) < threshold:
            return (work(item, self) for item in items)
        return self._pooled(work, items, workers, chunksize)

    def _pooled(self, work, items: list, workers: int, chunksize: int) -> Generator[Made, None, None]:
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=_server(), initializer=_start,
                                                    initargs=(self.cache,)) as pool:
            # At most AHEAD chunks a worker are asked for before this process takes their files:
            # Executor.map asks for all at once, and when the files come from the cache faster than
            # pages are rendered, every label waited in memory (1.1 GB at 10,000 records).
            chunks = (items[at:at + chunksize] for at in range(0, len(items), chunksize))
            waiting = collections.deque()
            for chunk in itertools.islice(chunks, AHEAD * workers):
                waiting.append(pool.submit(_chunk, work, chunk))
            while waiting:
                made = waiting.popleft().result()
                chunk = next(chunks, None)
                if chunk is not None:
                    waiting.append(pool.submit(_chunk, work, chunk))
                yield from made


def _server() -> multiprocessing.context.BaseContext:
    """The workers' start method: forked from a small server process that imported this module (and with
    it the fonts and the renderers), not from the build.

    Forked from the build (270 MB at 30,000 records), each worker grew to 200 MB of memory of its own
    (measured: /proc smaps, docs/scaling.md): Python's allocator puts a worker's new objects in the free
    slots among the build's live ones, so the worker wrote to, and copied, page after page of the build's
    heap. Everything a worker needs crosses as pickles (its jobs, the cache folder) in both start methods."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])  # before the server starts: once a process
    return context


def _chunk(work, items: list) -> list[Made]:
    return [work(item) for item in items]


def _counted(make):
    """``make(item, binaries)``, returning what it made with the cache counts it moved."""

    @functools.wraps(make)
    def counted(item, binaries: Binaries | None = None) -> Made:
        in_worker = binaries is None
        binaries = binaries or _IN_WORKER
        qr, renderer = binaries.qr, binaries.renderer
        before = (qr.generated, qr.reused, renderer.rendered, renderer.reused)
        files = make(item, binaries)
        return Made(files, (qr.generated - before[0], qr.reused - before[1]),
                    (renderer.rendered - before[2], renderer.reused - before[3]), in_worker)

    return counted


@_counted
def _work(job: Job, binaries: Binaries) -> dict[str, bytes]:
    qr, renderer = binaries.qr, binaries.renderer
    qr_svg, qr_png, modules = qr.files(job.url)
    lines = list(job.lines)
    files = {
        "qr.svg": qr_svg,
        "qr.png": qr_png,
        "label.svg": logos.label_svg(job.cert_id, lines, modules, job.url, job.verify_host).encode("utf-8"),
    }
    for kind in ("pdf", "png"):
        files[f"label.{kind}"] = renderer.label(job.cert_id, lines, modules, job.verify_host, kind, job.issued)
    return files


@_counted
def _kit_work(kit: logos.Kit, binaries: Binaries) -> dict[str, bytes]:
    files = logos.kit_files(kit, binaries.renderer)
    files[KIT_ZIP] = logos.zip_bytes(files, kit.slug)
    return files


def _start(cache: Path | None) -> None:
    global _IN_WORKER
    _IN_WORKER = Binaries(cache)
