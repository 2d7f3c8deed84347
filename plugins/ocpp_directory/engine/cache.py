"""Rendered files kept between builds, keyed by what they were made from.

QR codes and logo renderings are slow to make and never change for the same
input, so each is stored under the hash of its input. A rebuild reads them back;
only new inputs are rendered. Entries are written atomically: a killed build
never leaves half a file in the cache.

The cache folder holds, below it:

- ``qr/<generation>/`` and ``logos/<generation>/``: the renderings, one folder per
  *generation* (the format of the bytes written for the same input, and for logos the
  artwork's date). A new generation renders everything again; the folders of the others
  are removed after the next successful build (:func:`prune`). Before, each format bump
  left its renderings behind: 2.2 GB at 10,000 certificates after a few;
- ``folders/<hash of a records folder's path>/``: what is kept for one records folder
  (checked records, certificates' parts, the search index) and a file naming that folder.
  Once the folder no longer exists, :func:`prune` removes them. Before, every records
  folder a test made left three pickles behind (689 files after a day's work);
- ``builds/``: the manifests and stamps of output folders (:mod:`incremental`).

What keeps what, by one name each (the outputs see only the shapes of :mod:`..outputs.stores`):

========================  ====================================  ==============================  ==========================
name                      keeps                                 keyed by                        outputs see it as
========================  ====================================  ==============================  ==========================
:class:`ContentCache`     renderings: QR codes, logos, labels   the hash of their input text    ``stores.Renderings``
:class:`RecordCache`      checked records; certificates' parts  a record file's name and bytes  (the model's RecordStore)
:class:`Memo`             a certificate's part of a shared      the part's kind and its         ``stores.Parts``
                          file (row, JSON, ledger entry)        record's digest
:class:`KeptFile`         one value: the search postings,       a format name and a salt        ``stores.Kept``
                          the checked documents
:func:`folder_cache`      the folder of the above for one       the records folder's path       (nothing)
                          records folder
``incremental.Manifest``  the units of an output folder         the output folder               (nothing)
========================  ====================================  ==============================  ==========================
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from ..model.directory import record_key
from ..model.loader import MAX_BYTES
from ..model.readfile import read_regular
from .files import COARSE_RACY_NS, RACY_NS, file_dates, write_atomic


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
            write_atomic(path, data)
        return made


def folder_cache(root: Path, folder: Path) -> Path:
    """Where what is kept for records folder ``folder`` lives below cache folder ``root``
    (created, with the file naming the folder that :func:`prune` reads)."""
    named = str(folder.resolve())
    place = root / "folders" / hashlib.sha256(named.encode("utf-8")).hexdigest()[:16]
    try:
        if (place / "folder").read_text("utf-8") == named:
            return place
    except (OSError, UnicodeDecodeError):
        pass
    place.mkdir(parents=True, exist_ok=True)
    write_atomic(place / "folder", named.encode("utf-8"))
    return place


#: What an earlier version of this package kept at the top of the cache folder, per records folder.
_OLD_LAYOUT = re.compile(r"(records|parts|search)-[0-9a-f]{16}\.pickle")


def prune(root: Path, generations: dict[str, str]) -> int:
    """Remove from cache folder ``root`` what no build of this code can use, and return how
    many entries went: in each content cache named in ``generations`` (``{"qr": "qr-3"}``),
    every generation but the one given; what was kept for records folders that no longer
    exist; and the files of the earlier layout."""
    removed = 0
    for kind, keep in generations.items():
        for entry in _entries(root / kind):
            if entry.name != keep:
                removed += _remove(entry)
    for entry in _entries(root / "folders"):
        try:
            named = Path(entry.path, "folder").read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # being made, or not ours: left alone
        if not os.path.exists(named):
            removed += _remove(entry)
    for entry in _entries(root):
        if _OLD_LAYOUT.fullmatch(entry.name):
            removed += _remove(entry)
    return removed


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as found:
            return list(found)
    except OSError:
        return []


def _remove(entry: os.DirEntry) -> int:
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(entry.path, ignore_errors=True)
    else:
        try:
            os.unlink(entry.path)
        except OSError:
            return 0
    return 1


#: What unpickling a damaged file, or one written by other code, can raise: it is then not used.
UNPICKLING_ERRORS = (EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError, IndexError)


def load_kept(path: Path | None, form: str, salt: str):
    """The value :func:`save_kept` left at ``path`` with this ``form`` and ``salt``; None when there is no
    such file, it is damaged, or it was written by other code or from other inputs (another salt)."""
    if path is None:
        return None
    try:
        with open(path, "rb") as handle:
            stored_form, stored_salt, value = pickle.load(handle)
    except (OSError, *UNPICKLING_ERRORS):
        return None
    return value if (stored_form, stored_salt) == (form, salt) else None


def save_kept(path: Path, form: str, salt: str, value, fast: bool = False) -> None:
    """Keep ``value`` at ``path`` for :func:`load_kept` (a pickle this package writes into its own cache folder).

    ``fast``: without the pickler's memo, which holds every object written until the end (a value with
    no object twice in it, such as :class:`_Entries`, read from its spill file one entry at a time)."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(handle) -> None:
        pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.fast = fast
        pickler.dump((form, salt, value))

    write_atomic(path, write)


class _Spill:
    """The entries a build made, in an unnamed file beside the store until it is saved, not in memory
    (the parts of the directory-wide files were 98 MB of a 30,000-certificate build, docs/scaling.md).
    The file has no name: nothing is left behind, even by a killed build."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.file = tempfile.TemporaryFile(dir=folder)
        self.end = 0

    def put(self, raw: bytes) -> int:
        """Write ``raw``; where it is, as one number (offset * 2**32 + length)."""
        self.file.write(raw)
        at, self.end = self.end, self.end + len(raw)
        return at << 32 | len(raw)

    def get(self, where: int) -> bytes:
        self.file.flush()
        return os.pread(self.file.fileno(), where & 0xFFFFFFFF, where >> 32)


class _Entries:
    """A store's entries as the pickle of a plain dict, each spilled one read back as it is written."""

    def __init__(self, entries: dict[str, bytes | int], spill: _Spill | None):
        self.entries, self.spill = entries, spill

    def __reduce__(self):
        items = ((key, raw if isinstance(raw, bytes) else self.spill.get(raw)) for key, raw in self.entries.items())
        return dict, (), None, None, items


class KeptFile:
    """One value kept at ``path`` between builds (:func:`load_kept`, :func:`save_kept`); no path: none."""

    def __init__(self, path: Path | None, form: str, salt: str):
        self.path, self.form, self.salt = path, form, salt

    def load(self):
        return load_kept(self.path, self.form, self.salt)

    def save(self, value) -> None:
        if self.path is not None:
            save_kept(self.path, self.form, self.salt, value)


@functools.cache
def code_digest() -> str:
    """A hash of this package's code: part of every key whose value the code shapes."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


#: How a RecordCache file holds its entries (each entry pickled on its own) and its files' dates.
ENTRY_FORMAT = "entries-4"
class RecordCache:
    """Checked records kept between builds, keyed by the bytes of their file.

    Reading and checking a record is slow (PyYAML's pure-Python scanner); a rebuild
    takes unchanged records from here. The
    key holds the file's name and bytes; ``salt`` holds everything else the
    result depends on (this package's code, the program file, the build date).
    Only records that passed are kept, so every error is found afresh. Entries
    not used by a build are dropped when it saves, so the file tracks the folder.
    (:class:`Memo` keeps the certificates' parts of directory-wide files in one too.)
    The file is a pickle written by this package into its own cache folder.

    With ``resident`` (a dict the devserver keeps between its builds), the store starts from what the
    same store ended the last build of this process with, its entries already unpickled, instead of
    reading the file: a rebuild in the devserver takes each unchanged record as the object it was.

    So that unchanged files are not even read to be hashed, the key of each file read is kept
    with the file's dates (:func:`file_dates`): a file whose
    dates are those it had when read, and which had not changed for :data:`RACY_NS` before
    that read, has the key it had (:meth:`known_key`) and is not read again.
    """

    def __init__(self, path: Path | None, salt: str, resident: dict | None = None):
        self.path = path
        self.salt = salt
        self.hits = 0
        self._stored: dict[str, bytes] | None = None  # read when first asked
        self._new: dict[str, bytes | int] = {}  # an entry, or where in the spill file it is (_Spill)
        self._stored_files: dict[str, tuple] = {}  # name -> (file_dates, key), as read with _stored
        self._files: dict[str, tuple] = {}
        self._values: dict[str, object] | None = None  # resident only: the entries as objects
        self._spill: _Spill | None = None  # where the entries this store made wait, once it made one
        if resident is not None:
            last = resident.get(path)
            self._values = {}
            if isinstance(last, RecordCache) and last.salt == salt and last._stored is not None:
                # What it read and made (a build that made no directory-wide file used only some).
                self._stored = {**last._stored, **last._new}
                self._stored_files = {**last._stored_files, **last._files}
                self._values = last._values  # each value's raw entry is in _stored
            resident[path] = self

    @property
    def _old(self) -> dict[str, bytes]:
        """The stored entries, each its own pickle: a build that changes one record writes the
        others back as they were read, without pickling them again."""
        if self._stored is None:
            self._stored = {}
            kept = load_kept(self.path, ENTRY_FORMAT, self.salt)
            if isinstance(kept, tuple) and len(kept) == 2 and all(isinstance(part, dict) for part in kept):
                self._stored, self._stored_files = kept
        return self._stored

    def known_key(self, name: str, path: Path) -> str | None:
        """The key of file ``path`` (shown as ``name``) if its dates are those it had when it was
        last read and hashed, and that read was not racy; None if it must be read. Raises OSError
        when the file cannot be looked at."""
        dates = file_dates(os.stat(path))
        self._old  # noqa: B018 - loads the stored files' dates with the entries
        known = self._stored_files.get(name)
        if known is None or known[0] != dates:
            return None
        self._files[name] = known
        return known[1]

    def read(self, name: str, path: Path) -> tuple[bytes, str]:
        """File ``path``'s bytes and key (``name`` is how it is shown), its dates kept with the key
        unless it changed too shortly before this read to trust them next time."""
        before = time.time_ns()
        dates = file_dates(os.stat(path))
        data = read_regular(path, MAX_BYTES)  # a FIFO or a link to a device is refused, not read
        key = record_key(name, data)
        changed = max(dates[1], dates[2])
        margin = COARSE_RACY_NS if changed % 1_000_000_000 == 0 else RACY_NS
        if changed < before - margin:
            self._files[name] = (dates, key)
        return data, key

    def get(self, key: str):
        raw = self._old.get(key)
        if raw is None:
            return None
        found = self._values.get(key) if self._values is not None else None
        if found is None:
            try:
                found = pickle.loads(raw)
            except UNPICKLING_ERRORS:
                return None
            if self._values is not None:
                self._values[key] = found
        self.hits += 1
        self._new[key] = raw
        return found

    def put(self, key: str, value) -> None:
        raw = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        if self._values is not None:  # resident: the next build starts from these entries in memory
            self._values[key] = value
        elif self.path is not None:
            self._spill = self._spill or _Spill(self.path.parent)
            self._new[key] = self._spill.put(raw)
            return
        self._new[key] = raw

    def keep(self, key: str) -> None:
        """Keep the entry under ``key``, if there is one, without reading it."""
        raw = self._old.get(key)
        if raw is not None:
            self._new[key] = raw

    def value(self, key: str, make: Callable[[], object]):
        """The value kept under ``key``, or ``make()``'s, kept from now on."""
        found = self.get(key)
        if found is None:
            found = make()
            self.put(key, found)
        return found

    def save(self) -> None:
        if self.path is None or (self._new.keys() == self._old.keys() and self._files == self._stored_files):
            return
        save_kept(self.path, ENTRY_FORMAT, self.salt, (_Entries(self._new, self._spill), self._files), fast=True)


class Memo:
    """Parts of the directory-wide files made from one certificate, kept between builds.

    ``directory.json``, the ledger, the CSV and the search index are made from every record
    whenever one changes; each certificate's part of them (its JSON text, ledger entry, CSV row,
    search result fragment, row of the directory page's table) is made once and taken from here
    afterwards. A part is keyed by its kind and the certificate's record key (file name and bytes,
    ``Directory.digests``); the store's salt holds what else parts depend on (code, program file,
    public address, theme). Without a store, every part is made.
    """

    def __init__(self, store: RecordCache | None, digests: dict[str, str]):
        self.store = store
        self.digests = digests
        self.used = False

    def __call__(self, kind: str, cert, make: Callable[[], object]):
        if self.store is None:
            return make()
        self.used = True
        return self.store.value(f"{kind}\0{self.digests[cert.id]}", make)

    def keep(self, parts: Iterable[tuple[str, object]]) -> None:
        """Keep these parts (kind, certificate) though this build did not use them: they are those
        of a page the last build made and this one kept."""
        if self.store is not None:
            self.used = True
            for kind, cert in parts:
                self.store.keep(f"{kind}\0{self.digests[cert.id]}")

    def save(self) -> None:
        """Keep the parts this build used (a build that made no directory-wide file keeps all)."""
        if self.store is not None and self.used:
            self.store.save()


#: make every part (no store)
NO_MEMO = Memo(None, {})
