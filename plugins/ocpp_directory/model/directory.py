"""All records of a folder, checked together and modelled as the directory.

Reads every file, applies the per-record rules, then the rules across records
(unique ids, white labels, vendor spellings), and groups certificates into
devices and vendors with stable URL slugs. Raises
:class:`~.errors.ValidationFailed` with every problem of every
file; never writes anything.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from typing import Protocol
from dataclasses import dataclass, field
from pathlib import Path

from unidecode import unidecode

from .errors import DirectoryError, Problem, ValidationFailed, cap_repeats
from .loader import MAX_BYTES
from .readfile import NotReadable, read_regular
from .program import Program
from .records import Certificate, read_record
from .documents import files_named, issued_files
from . import addresses
from .addresses import assign_addresses, publication_order, slugify  # noqa: F401  (slugify: long imported from here)
from .vendors import NO_VENDORS, VENDORS_FILE, VendorEntry, Vendors, load_vendors

RECORD_SUFFIX = ".yaml"


@dataclass(eq=False, slots=True)
class Device:
    name: str
    slug: str
    vendor: Vendor
    device_type: str
    #: newest first, so a buyer sees the latest certified software first
    certificates: list[Certificate] = field(default_factory=list)

    @property
    def url(self) -> str:
        return addresses.device(self.vendor.slug, self.slug)


@dataclass(eq=False, slots=True)
class Vendor:
    #: the canonical name (vendors.yaml), else the name as the records spell it
    name: str
    slug: str
    devices: list[Device] = field(default_factory=list)
    certificates: list[Certificate] = field(default_factory=list)
    #: what vendors.yaml says of it, if anything
    entry: VendorEntry | None = None

    @property
    def spellings(self) -> list[str]:
        """The names its certificates state, other than its own."""
        return sorted({c.vendor_name for c in self.certificates} - {self.name})

    @property
    def other_names(self) -> list[str]:
        """Every name it goes by but its own: its certificates' spellings, and vendors.yaml's aliases and
        former names (the exports' ``vendor_names``, the fleet check's and the search's names)."""
        entry = self.entry
        names = [*self.spellings, *(entry.aliases if entry else ()), *(entry.former_names if entry else ())]
        return [n for n in dict.fromkeys(names) if n != self.name]

    @property
    def url(self) -> str:
        return addresses.vendor(self.slug)

    @property
    def countries(self) -> list[str]:
        return sorted({c.vendor_country for c in self.certificates})


@dataclass(slots=True)
class Directory:
    program: Program
    #: newest first, then by id: the order of the directory table
    certificates: list[Certificate]
    by_id: dict[str, Certificate]
    vendors: list[Vendor]
    devices: list[Device]
    device_of: dict[str, Device]
    #: id of a tested certificate -> the white-label certificates that point at it
    white_labels: dict[str, list[Certificate]]
    warnings: list[Problem]
    #: id -> a hash of the record's file name and bytes (and its documents'): what an output made from it depends on
    digests: dict[str, str] = field(default_factory=dict)
    #: id -> its document files (the current one, then the revisions'), by name: (path, SHA-256)
    documents: dict[str, dict[str, tuple[Path, str]]] = field(default_factory=dict)
    #: id -> the documents this directory issued (make issue), oldest first: (revision, file name, path, SHA-256)
    issued: dict[str, list[tuple[int, str, Path, str]]] = field(default_factory=dict)

    def site_document(self, cert: Certificate) -> tuple[Path, str] | None:
        """The document the site serves as the certificate's ``certificate.pdf``, (path, SHA-256): the file
        its record names, else the latest this directory issued; None when it has neither here."""
        named = self.documents.get(cert.id, {})
        if cert.document and cert.document.file in named:
            return named[cert.document.file]
        issued = self.issued.get(cert.id)
        return (issued[-1][2], issued[-1][3]) if issued else None


def collation_key(name: str) -> tuple[str, str]:
    """Alphabetical order across scripts: Énergie under E, Korean by its romanisation."""
    return unidecode(name).casefold(), name


@functools.lru_cache(maxsize=65536)
def spelling_key(name: str) -> str:
    """Equal for names that differ only in case, spacing or punctuation."""
    return "".join(c for c in unicodedata.normalize("NFKC", name).casefold() if c.isalnum())


def display_path(path: Path) -> str:
    """The path as the operator typed it: relative to the working folder if inside."""
    folder = _display_folder(os.getcwd(), str(path.parent))
    if folder is None:
        return str(path)
    return path.name if folder == "." else f"{folder}{os.sep}{path.name}"


@functools.lru_cache(maxsize=1024)
def _display_folder(cwd: str, folder: str) -> str | None:
    """``folder`` relative to ``cwd``, or None if outside (os.path.relpath once a folder, not once a record)."""
    try:
        rel = os.path.relpath(folder, cwd)
    except ValueError:  # pragma: no cover - other drive on Windows
        return None
    return None if rel.startswith("..") else rel


def find_records(folder: Path) -> tuple[list[Path], list[Problem]]:
    """Every record file below ``folder``, in a stable order."""
    if not folder.is_dir():
        raise DirectoryError(f"{folder}: no such folder of certificate records")
    files, problems = [], []
    top = str(folder)
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in sorted(d for d in dirnames if not d.startswith(".") and os.path.islink(os.path.join(dirpath, d))):
            problems.append(Problem(display_path(Path(dirpath, name)), 1, "file",
                                    f"{name} is a symbolic link to a folder, which is not followed",
                                    "the records themselves in the records folder: copy or move them here"))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        base = None  # the folder as a Path, made once a folder
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            if name.endswith(RECORD_SUFFIX) and os.path.islink(os.path.join(dirpath, name)):
                problems.append(Problem(display_path(Path(dirpath, name)), 1, "file",
                                        f"{name} is a symbolic link, which is not followed",
                                        "the record itself in the records folder: a link may point anywhere"))
                continue
            if name == VENDORS_FILE and dirpath == top:
                continue  # the vendors, not a record
            if name.endswith(RECORD_SUFFIX):
                base = base if base is not None else Path(dirpath)
                files.append((base.parts, name, base))
            elif name.endswith((".yml", ".YAML", ".YML", ".Yaml")):
                problems.append(Problem(display_path(Path(dirpath, name)), 1, "file", f"{name} is not read as a record",
                                        f"record files end in {RECORD_SUFFIX}: rename it"))
    # Sorted as Paths sort (by their elements), each made from its folder's Path (parsing every
    # path whole was a third of the devserver's check of 10,000 records).
    files.sort(key=lambda f: (*f[0], f[1]))
    return [base / name for _, name, base in files], problems


def record_key(name: str, data: bytes) -> str:
    """What identifies a record file's content: its shown name and bytes, hashed."""
    return hashlib.sha256(name.encode("utf-8") + b"\0" + data).hexdigest()


class RecordStore(Protocol):
    """Checked records kept between builds, by :func:`record_key` (``engine.cache.RecordCache``)."""

    def known_key(self, name: str, path: Path) -> str | None: ...

    def read(self, name: str, path: Path) -> tuple[bytes, str]: ...

    def get(self, key: str): ...

    def put(self, key: str, value) -> None: ...

    def save(self) -> None: ...


def load_directory(
    folder: str | Path,
    program: Program,
    today: dt.date,
    progress: Callable[[str, int, int], None] | None = None,
    cache: RecordStore | None = None,
    published: dict[str, int] | None = None,
) -> Directory:
    """Read, check and model every record below ``folder``.

    ``progress(stage, done, total)`` is called every 1,000 records, if given.
    With a ``cache``, records whose file is unchanged are not checked again.
    ``published`` (certificate id -> its place in the live log: :func:`publication_order`) gives
    vendor and device addresses in the order they were published (:func:`assign_addresses`).
    """
    files, problems = find_records(Path(folder))
    if not files and not problems:
        raise DirectoryError(f"{display_path(Path(folder))}: no certificate records (*.yaml) below this folder; "
                             "check the CERTIFICATES path")
    certificates: list[Certificate] = []
    digests: dict[str, str] = {}
    files_of: dict[str, Path] = {}
    for done, path in enumerate(files, 1):
        if progress is not None and (done % 1000 == 0 or done == len(files)):
            progress("records checked", done, len(files))
        shown = display_path(path)
        files_of[shown] = path
        cached = None
        if cache is not None:  # a file whose dates have not changed since it was read is not read again
            try:
                key = cache.known_key(shown, path)
            except OSError:
                key = None  # reported below
            cached = cache.get(key) if key is not None else None
        if cached is None:
            try:
                if cache is not None:
                    data, key = cache.read(shown, path)
                    cached = cache.get(key)
                else:
                    data = read_regular(path, MAX_BYTES)
                    key = record_key(shown, data)
            except NotReadable as exc:
                problems.append(Problem(shown, 1, "file", f"file {exc.reason}",
                                        f"at most {MAX_BYTES} bytes (256 KiB)" if exc.size is not None
                                        else "a record file"))
                continue
            except OSError as exc:
                problems.append(Problem(shown, 1, "file", f"cannot be read: {exc.strerror}", "a readable file"))
                continue
        if cached is not None:
            cert, found = cached
        else:
            cert, found = read_record(shown, data, program, today)
            found = cap_repeats(found)
            if cert is not None and cache is not None:
                cache.put(key, (cert, found))
        problems.extend(found)
        if cert is not None:
            certificates.append(cert)
            digests.setdefault(cert.id, key)
    vendors, found = load_vendors(Path(folder) / VENDORS_FILE, display_path(Path(folder) / VENDORS_FILE))
    problems.extend(found)
    problems.extend(_cross_record(certificates, vendors))
    documents = files_named(certificates, files_of, problems)
    issued = issued_files(certificates, files_of, problems)
    if any(not p.warning for p in problems):
        raise ValidationFailed(problems)
    if cache is not None:
        cache.save()
    directory = _model(program, certificates, sorted(p for p in problems if p.warning), vendors, published)
    for cert_id in documents.keys() | issued.keys():
        shas = [sha for _, sha in documents.get(cert_id, {}).values()] + [i[3] for i in issued.get(cert_id, [])]
        digests[cert_id] = hashlib.sha256((digests[cert_id] + "".join(shas)).encode()).hexdigest()
    directory.digests = digests
    directory.documents = documents
    directory.issued = issued
    return directory


def _cross_record(certificates: list[Certificate], vendors: Vendors = NO_VENDORS) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[str, Certificate] = {}
    for cert in certificates:
        if cert.id in first:
            other = first[cert.id]
            problems.append(Problem(cert.path, cert.lines["id"], "id",
                                    f"{cert.id} is also the id of {other.path}:{other.lines['id']}",
                                    "an id used by one record only"))
        else:
            first[cert.id] = cert
    for cert in certificates:
        if cert.white_label_of is None:
            continue
        line = cert.lines["white_label_of"]
        target = first.get(cert.white_label_of)
        if target is None:
            problems.append(Problem(cert.path, line, "white_label_of", f"no certificate has the id {cert.white_label_of}",
                                    "the id of the certificate of the identical product that was tested"))
            continue
        for label, mine, theirs in (
            ("ocpp_version", cert.ocpp_version, target.ocpp_version),
            ("profiles", sorted(cert.profiles), sorted(target.profiles)),
            ("device.type", cert.device_type, target.device_type),
            ("device.software_version", cert.software_version, target.software_version),
        ):
            if mine != theirs:
                shown = ", ".join(mine) if isinstance(mine, list) else mine
                shown_theirs = ", ".join(theirs) if isinstance(theirs, list) else theirs
                problems.append(Problem(cert.path, line, "white_label_of",
                                        f"{label} is {shown} here but {shown_theirs} in {target.id}",
                                        f"a white label has the same {label} as the certificate it copies"))
    # Vendor names that differ only in case or punctuation are likely typos.
    # Spellings vendors.yaml declares are one vendor; names that differ only in case or punctuation
    # and are not declared so are likely typos, or an alias to declare.
    spellings: dict[str, dict[str, list[Certificate]]] = defaultdict(lambda: defaultdict(list))
    for cert in certificates:
        spellings[spelling_key(vendors.name_of(cert.vendor_name))][vendors.name_of(cert.vendor_name)].append(cert)
    for names in spellings.values():
        if len(names) < 2:
            continue
        # The spelling most records use is taken as the right one.
        ranked = sorted(names.items(), key=lambda kv: (-len(kv[1]), min(c.issued for c in kv[1]), kv[0]))
        best = ranked[0][0]
        for name, certs in ranked[1:]:
            for cert in certs:
                problems.append(Problem(cert.path, cert.lines["vendor.name"], "vendor.name",
                                        f"{name!r} differs from {best!r} only in case or punctuation",
                                        f"did you mean {best!r}? ({len(names[best])} records use it); if both are "
                                        f"the same company, add {name!r} to the aliases of {best!r} in {VENDORS_FILE}",
                                        warning=True))
    return problems


def _model(program: Program, certificates: list[Certificate], warnings: list[Problem],
           declared: Vendors = NO_VENDORS, published: dict[str, int] | None = None) -> Directory:
    newest_first = sorted(certificates, key=lambda c: (-c.issued.toordinal(), c.id))
    ordered = publication_order(certificates, published)
    vendor_slug, device_slug = assign_addresses((declared.name_of(c.vendor_name), c.device_name) for c in ordered)
    vendors: dict[str, Vendor] = {}
    devices: dict[tuple[str, str], Device] = {}
    for cert in ordered:
        name = declared.name_of(cert.vendor_name)
        vendor = vendors.get(name)
        if vendor is None:
            vendor = vendors[name] = Vendor(name, vendor_slug[name], entry=declared.entries.get(name))
        key = (name, cert.device_name)
        if key not in devices:
            devices[key] = Device(cert.device_name, device_slug[key], vendor, cert.device_type)
            vendor.devices.append(devices[key])
    device_of: dict[str, Device] = {}
    for cert in newest_first:
        device = devices[(declared.name_of(cert.vendor_name), cert.device_name)]
        device.certificates.append(cert)
        device.vendor.certificates.append(cert)
        device_of[cert.id] = device
    for vendor in vendors.values():
        vendor.devices.sort(key=lambda d: collation_key(d.name))
    white_labels: dict[str, list[Certificate]] = defaultdict(list)
    for cert in newest_first:
        if cert.white_label_of:
            white_labels[cert.white_label_of].append(cert)
    return Directory(
        program=program,
        certificates=newest_first,
        by_id={c.id: c for c in certificates},
        vendors=sorted(vendors.values(), key=lambda v: collation_key(v.name)),
        devices=sorted(devices.values(), key=lambda d: (collation_key(d.vendor.name), collation_key(d.name))),
        device_of=device_of,
        white_labels=dict(white_labels),
        warnings=warnings,
    )
