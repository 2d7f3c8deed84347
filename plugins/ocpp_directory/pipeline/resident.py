"""The devserver's directory kept in memory: a saved record's page written in a moment.

``make devserver`` builds with :func:`.build.build`, as ``make html`` does, and keeps in a
:class:`Resident` what the builds made: every checked record and every certificate's parts of the
directory-wide files as objects (:class:`..engine.cache.RecordCache` with ``resident``), and the
last good build's generator, with its compiled templates, settings, directory and log.

When only records changed, :meth:`Resident.record_pages` checks the whole directory again from
memory (the changed files are read and checked, and every rule across records runs, as a build
does) and writes the changed certificates' own files (the page in each language, its JSON and log
entry) into the output, each file replaced whole. The pages are those the next build makes: the
same generator renders them from the same inputs. The devserver then runs the incremental build at
once, which brings the rest up to date (device, vendor and year pages, the search index, open
data, QR codes and labels). The units written here are recorded in the manifest as touched
(:meth:`..engine.incremental.Manifest.touch`), so that a build renders them again even if the
devserver stops before its build finishes.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine import incremental
from ..engine.incremental import files_below, same_bytes
from ..model.directory import RECORD_SUFFIX, VENDORS_FILE
from . import certificates
from .registry import declared

if TYPE_CHECKING:
    from .generator import DirectoryGenerator


class Resident:
    """What the devserver keeps between its builds (one process, one output folder)."""

    def __init__(self):
        #: the builds' RecordCache stores by file (RecordCache's ``resident``)
        self.stores: dict = {}
        self.generator: DirectoryGenerator | None = None
        self.output: Path | None = None

    def built(self, generator: DirectoryGenerator | None, output: Path) -> None:
        """A build succeeded with ``generator`` into ``output``."""
        self.generator, self.output = generator, output

    def record_pages(self, changed: set[Path]) -> list[str] | None:
        """Write the pages of the certificates whose records are among ``changed``; the output's
        files written. None when the change is not only records saved (a record deleted, the
        vendors file, a template, the program file...): then only a build will do.

        Raises :class:`..model.errors.ValidationFailed` or ``DirectoryError`` as a build would,
        having written nothing."""
        gen = self.generator
        if gen is None or self.output is None or not changed or not all(map(self._a_record, changed)):
            return None
        before = gen.directory
        gen.load(before.program, quiet=True)
        d = gen.directory
        due = [c for c in d.certificates if before.digests.get(c.id) != d.digests[c.id]]
        if not due:
            return []
        staging = self.output.parent / f".{self.output.name}.record-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            from pelican.writers import Writer

            b = gen.build_state(gen.units_into(incremental.Plan(None, staging), staging,
                                               Writer(str(staging), settings=gen.settings)))
            for cert in due:  # the units the build renders, from the inputs they declare
                for output in certificates.OWN_FILES:
                    output.render(b.units, declared(b, output, cert)[1])
            written = [rel for rel in sorted(files_below(staging)) if not same_bytes(staging / rel, self.output / rel)]
            if gen.ctx.cache:
                incremental.Manifest(gen.ctx.cache, self.output).touch([output.unit(c) for output in certificates.OWN_FILES
                                                                         for c in due])
            for rel in written:
                (self.output / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / rel, self.output / rel)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return written

    def _a_record(self, path: Path) -> bool:
        """Whether ``path`` is a record file (not the vendors file) that is there."""
        folder = self.generator.ctx.certificates.resolve()
        path = path.resolve()
        return (path.name.endswith(RECORD_SUFFIX) and path.name != VENDORS_FILE and folder in path.parents
                and not any(part.startswith(".") for part in path.relative_to(folder).parts) and path.is_file())
