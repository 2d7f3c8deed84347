"""The outputs a build makes, each declaring what it is made from.

An :class:`Output` is one kind of unit (a certificate's page, a device's page, the directory-wide
files...): the items it is made for, each item's unit name, the **inputs** it reads, by name, and a
``render`` that is handed those inputs and nothing else. A unit's key is derived from its declared
inputs (:func:`fingerprint`) and the part every unit shares (code, theme, artwork, program, settings,
public address: :attr:`Build.shared`), so an input cannot be forgotten: what render is not handed it
cannot read, and what it is handed is in the key. A value :func:`fingerprint` does not know is a
``TypeError``, not a silently unkeyed input.

:class:`Build` is what one run of the generator made once (the checked directory, the log, the kits,
the plan...), handed to every output's ``items`` and ``inputs``; the outputs never see the Pelican
generator.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..engine import incremental
from ..engine.cache import Memo
from ..model.directory import Device, Directory, Vendor
from ..model.program import Program
from ..model.records import Certificate
from ..outputs import certlog, logos
from . import pages, workers
from .settings import BuildContext
from .units import Units

#: inputs every unit may be handed without their own fingerprint: the shared key covers them (the program
#: file's bytes, and the settings and the public address the site's context is made from)
SHARED_INPUTS = ("program", "site")


@dataclass
class Build:
    """What one build made before rendering, made once and read by every output."""

    ctx: BuildContext
    directory: Directory
    plan: incremental.Plan
    units: Units
    #: each certificate's parts of the directory-wide files (rows, exports, index postings)
    memo: Memo
    log: certlog.Log
    log_key: Any
    log_vkey: str | None
    binaries: workers.Binaries
    #: the key part every unit shares (see the module's text)
    shared: str
    #: the logo kits, one per profile combination (made here, before any output: the logos page reads them)
    kits: list[logos.Kit] = field(default_factory=list)
    #: the certificates of each year of issue, newest first (the pages by year, the home page)
    by_year: dict[int, list[Certificate]] = field(default_factory=dict)
    #: Pelican's own pages (content pages and their translations): the sitemap lists them
    pages: list[str] = field(default_factory=list)
    theme: Path = Path()
    output: Path = Path()
    sitename: str = ""
    #: the search index's postings kept between builds (:class:`..outputs.search.KeptIndex`)
    kept_index: Any = None
    #: the search's figures, for the summary (:mod:`.listings`)
    search: dict = field(default_factory=dict)
    #: the memo kind of a certificate's table row (the generator's, which renders the rows)
    row_kind: Callable[..., str] | None = None
    #: devices', vendors' and kits' fingerprints, made once a build (:func:`fingerprint`'s ``seen``)
    seen: dict = field(default_factory=dict, repr=False)

    @property
    def program(self) -> Program:
        return self.directory.program

    def fingerprint(self, value: object) -> object:
        return fingerprint(self.directory.digests, value, self.seen)


def fingerprint(digests: dict[str, str], value: object, seen: dict | None = None) -> object:
    """Plain data standing for ``value`` in a unit's key: a certificate by its id and its record's digest,
    a device or vendor by everything their pages show, a kit by its profiles and words. Raises
    ``TypeError`` for a value it does not know, so that no input is keyed by accident. ``seen`` keeps the
    devices', vendors' and kits' (by identity: they do not change during a build), each as its digest; without
    it, they are kept for this call only."""
    seen = {} if seen is None else seen
    kind = type(value)
    if kind in _PLAIN:  # most of a key: checked first, and cheaply (a key is made for every unit, every build)
        return value
    if kind is Certificate:
        return ["certificate", value.id, digests[value.id]]
    if kind in _ONCE:
        # made once a build, and stood for by its digest: a device's is in each of its certificates' keys
        found = seen.get(id(value))
        if found is None:
            made = json.dumps(_fingerprint(digests, value, seen))
            found = seen[id(value)] = (value, [type(value).__name__, incremental.digest(made)])
        return found[1]
    return _fingerprint(digests, value, seen)


#: the types whose values are their own fingerprint
_PLAIN = frozenset({str, int, float, bool, type(None)})
#: the types whose fingerprints are made once a build (``seen``)
_ONCE = frozenset({Device, Vendor, logos.Kit})


def _fingerprint(digests: dict[str, str], value: object, seen: dict) -> object:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (bytes, bytearray)):
        return incremental.digest(bytes(value))
    if isinstance(value, (Path, dt.date)):
        return str(value)
    if isinstance(value, Certificate):
        return ["certificate", value.id, digests[value.id]]
    if isinstance(value, Device):
        return ["device", value.url, value.name, value.device_type, value.vendor.url, value.vendor.name,
                fingerprint(digests, value.vendor.entry, seen),
                [fingerprint(digests, c, seen) for c in value.certificates]]
    if isinstance(value, Vendor):  # with what vendors.yaml says of it (other names, pages)
        return ["vendor", value.url, value.name, fingerprint(digests, value.entry, seen),
                [(x.url, x.name) for x in value.devices], [fingerprint(digests, c, seen) for c in value.certificates]]
    if isinstance(value, logos.Kit):
        return ["kit", value.slug, value.title, list(value.lines)]
    if isinstance(value, Handle):
        return ["handle", value.note]
    if isinstance(value, (list, tuple)):
        return [fingerprint(digests, v, seen) for v in value]
    if isinstance(value, dict):
        return [[str(k), fingerprint(digests, v, seen)] for k, v in sorted(value.items())]
    if dataclasses.is_dataclass(value) and type(value).__dataclass_params__.frozen:
        return [type(value).__name__, fingerprint(digests, dataclasses.astuple(value), seen)]
    raise TypeError(f"{type(value).__name__} is not a value a unit's key can be made of: declare plain data "
                    "(or teach registry.fingerprint the type)")


@dataclass(frozen=True)
class Handle:
    """An input given to ``render`` whose contents the unit's other declared inputs already state (the
    directory, whose records, devices and vendors are declared beside it; the memo of parts, keyed by
    those records). Its key part is only its ``note``: declare what it holds beside it."""

    value: Any
    note: str


class Site:
    """The build's context as an output sees it: only what the shared key covers (the settings and the
    public address). The build date, the cache, the workers and the log's files are not inputs of a unit
    that does not declare them."""

    COVERED = frozenset({"public_base", "qr_warning", "staging", "languages", "feed", "home_rows", "corrections",
                         "log_origin", "certificate_url"})

    def __init__(self, ctx: BuildContext):
        self._ctx = ctx

    def __getattr__(self, name: str):
        if name not in self.COVERED:
            raise AttributeError(f"the build's {name} is not covered by the shared key: declare it as an input")
        return getattr(self._ctx, name)


class Inputs:
    """The inputs an output declared for one unit, by name: all its ``render`` is given."""

    def __init__(self, kind: str, values: dict):
        self._kind = kind
        self._values = {name: v.value if isinstance(v, Handle) else v for name, v in values.items()}

    def __getattr__(self, name: str):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"{name!r} is not among the inputs the {self._kind} output declares") from None


@dataclass(frozen=True)
class Output:
    """One kind of unit, made for each of its items."""

    #: the units' names start with it ("device:", "vendor:", ...)
    kind: str
    #: what it is made for (one unit each)
    items: Callable[[Build], Iterable]
    #: an item's part of its unit's name (None: the unit's name is the kind alone, an output made once)
    name: Callable[[Any], str | None]
    #: everything an item's rendering reads, by name (see SHARED_INPUTS)
    inputs: Callable[[Build, Any], dict]
    #: (where to write, the declared inputs) -> the unit's meta (kept with it), or None; None for files the
    #: workers make (the caller writes what they return)
    render: Callable[[Units, Inputs], dict | None] | None
    #: called for an item whose unit is kept (to keep what it holds in the memo), or None
    kept: Callable[[Build, Any], None] | None = None

    def unit(self, item) -> str:
        name = self.name(item)
        return self.kind if name is None else f"{self.kind}:{name}"


def key(build: Build, kind: str, inputs: dict) -> str:
    """A unit's key: the shared part, the output's kind and its declared inputs' fingerprint."""
    own = {name: value for name, value in inputs.items() if name not in SHARED_INPUTS}
    return incremental.digest(build.shared, kind, json.dumps(build.fingerprint(own)))


def declared(build: Build, output: Output, item) -> tuple[str, Inputs]:
    """An item's key and its inputs (with the shared ones)."""
    values = output.inputs(build, item)
    values.setdefault("program", build.program)
    values.setdefault("site", Site(build.ctx))
    return key(build, output.kind, values), Inputs(output.kind, values)


def make(build: Build, outputs: Iterable[Output]) -> None:
    """Render each output's units that the last build did not make from the same inputs (on every core
    when many are due: :mod:`.pages`)."""
    due = []
    for output in outputs:
        for item in output.items(build):
            unit_key, inputs = declared(build, output, item)
            if build.plan.kept_unit(output.unit(item), unit_key) is not None:
                if output.kept is not None:
                    output.kept(build, item)
                continue
            due.append((output.unit(item), unit_key, lambda output=output, inputs=inputs:
                        output.render(build.units, inputs)))
    pages.render(build.units, due, build.ctx.workers)
