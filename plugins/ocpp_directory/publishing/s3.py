"""Publishing to object storage over the S3 API: ``DEPLOY_TARGET=s3://bucket/prefix``.

The live site is the objects under the prefix, as a website endpoint or a CDN serves them; there is
no rename to make a release live at once. A publish therefore uploads only the objects whose bytes
changed, in the order of :mod:`.order` (files before the pages that link to them, the directory-wide
files after every page, the ledger and the log's checkpoint last), so that at every moment the live
pages have what they link to, and deletes only at the end what the new site no longer has, never a
certificate's files nor the log's. Killed at any point, the site stays whole, and the next publish
finishes the work: it compares the bucket's own listing (ETag) with what it would upload.

Beside the site, below ``_publish/``: ``lock`` (taken with a conditional write, ``If-None-Match: *``),
``current`` (the live release's name), ``releases/<name>.json`` (each release's manifest: path ->
SHA-256 and ETag) and ``objects/<sha256>`` (the bytes a publish replaced or deleted, copied inside
the store, so that ``make rollback`` can put them back). The endpoint comes from ``AWS_ENDPOINT_URL``,
credentials and region from the standard AWS chain; none of it is ever printed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import json
import os
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import order
from .locks import LockHeld, held_message, holder, parse_holder
from .targets import KEEP_RELEASES, PublishError, Target, release_name

CONTROL = "_publish/"
LOCK_HOURS = 6  # a lock older than this, or held by a process of this host that is gone, is stale


class S3Target(Target):
    def __init__(self, spec: str, *, client=None, workers: int = 16, progress=None):
        self.bucket, _, prefix = spec.removeprefix("s3://").partition("/")
        if not self.bucket:
            raise PublishError(f"{spec}: give the target as s3://bucket or s3://bucket/prefix")
        self.prefix = prefix.strip("/")
        self._client = client
        self.workers = workers
        self.progress = progress or (lambda message: None)
        self.counts: dict[str, int] = {}
        #: the paths the last publish uploaded
        self.changed: list[str] = []

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")

    @property
    def client(self):
        if self._client is None:
            import boto3
            from botocore.config import Config

            # AWS_ENDPOINT_URL, AWS_PROFILE, AWS_REGION and the credentials are boto3's own chain.
            self._client = boto3.client("s3", config=Config(
                retries={"mode": "standard", "max_attempts": 5}, max_pool_connections=self.workers))
        return self._client

    def _key(self, path: str) -> str:
        return f"{self.prefix}/{path}" if self.prefix else path

    # -- reading ----------------------------------------------------------------------

    def _get(self, path: str) -> bytes | None:
        with _errors(f"reading {self}/{path}"):
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=self._key(path))
            except self.client.exceptions.NoSuchKey:
                return None
            data = answer["Body"].read()
        return gzip.decompress(data) if answer.get("ContentEncoding") == "gzip" else data

    def read(self, relative: str) -> bytes | None:
        """``current/<path>``: the live object; ``releases/<name>/<path>``: as release ``name`` had it."""
        if relative.startswith("current/"):
            return self._get(relative.removeprefix("current/"))
        if relative.startswith("releases/"):
            name, _, path = relative.removeprefix("releases/").partition("/")
            entry = (self._manifest(name) or {}).get(path)
            if entry is None:
                return None
            live = self._manifest(self.current()) or {}
            kept = self._get(f"{CONTROL}objects/{entry[0]}")
            return kept if kept is not None or live.get(path) != entry else self._get(path)
        return self._get(relative)

    def _keys(self, below: str):
        """``(path below the prefix, ETag)`` of every object whose key starts with ``below``."""
        start = f"{self.prefix}/" if self.prefix else ""
        with _errors(f"listing {self}"):
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start + below)
            for page in pages:
                for item in page.get("Contents", []):
                    yield item["Key"][len(start):], item["ETag"]

    def _listing(self) -> tuple[dict[str, str], set[str]]:
        """The site's objects (path -> ETag) and the kept objects' SHA-256s."""
        site, kept = {}, set()
        for path, etag in self._keys(""):
            if path.startswith(f"{CONTROL}objects/"):
                kept.add(path.rsplit("/", 1)[1])
            elif not path.startswith(CONTROL):
                site[path] = etag
        return site, kept

    def _manifest(self, name: str | None) -> dict[str, list[str]] | None:
        data = self._get(f"{CONTROL}releases/{name}.json") if name else None
        return json.loads(data)["files"] if data else None

    def releases(self) -> list[str]:
        below = f"{CONTROL}releases/"
        return sorted(path[len(below):].removesuffix(".json") for path, _ in self._keys(below))

    def current(self) -> str | None:
        data = self._get(f"{CONTROL}current")
        return data.decode("utf-8").strip() if data else None

    # -- writing ----------------------------------------------------------------------

    def _put(self, path: str, body: bytes, **extra) -> str:
        with _errors(f"uploading {self}/{path}"):
            return self.client.put_object(Bucket=self.bucket, Key=self._key(path), Body=body, **extra)["ETag"]

    def _keep(self, path: str, sha: str) -> None:
        """Copy the live object at ``path`` (of SHA-256 ``sha``) to the kept objects, inside the store."""
        with _errors(f"keeping {self}/{path}"):
            self.client.copy_object(Bucket=self.bucket, Key=self._key(f"{CONTROL}objects/{sha}"),
                                    CopySource={"Bucket": self.bucket, "Key": self._key(path)})

    def _delete(self, paths: list[str]) -> None:
        for start in range(0, len(paths), 1000):
            chunk = [{"Key": self._key(p)} for p in paths[start:start + 1000]]
            with _errors(f"deleting from {self}"):
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": chunk, "Quiet": True})

    def _acquire(self) -> str:
        """Take ``_publish/lock`` (a conditional write) for a publish or a rollback; its token."""
        token = uuid.uuid4().hex
        body = json.dumps({"token": token, **holder()}).encode()
        for attempt in (1, 2):
            try:
                with _errors(f"locking {self}", precondition=True):
                    self.client.put_object(Bucket=self.bucket, Key=self._key(f"{CONTROL}lock"), Body=body,
                                           IfNoneMatch="*", ContentType="application/json")
                break
            except _Precondition:
                who = parse_holder(self._get(f"{CONTROL}lock"))
                if attempt == 1 and _stale(who):
                    self._delete([f"{CONTROL}lock"])
                    continue
                raise LockHeld(held_message(f"{self}/{CONTROL}lock", who)) from None
        if parse_holder(self._get(f"{CONTROL}lock")).get("token") != token:  # a store that ignores If-None-Match
            raise LockHeld(f"another publish took {self}/{CONTROL}lock at the same moment; nothing was changed. "
                           "Running make publish again is safe.")
        return token

    def _release(self, token: str) -> None:
        if parse_holder(self._get(f"{CONTROL}lock")).get("token") == token:
            self._delete([f"{CONTROL}lock"])

    def deploy(self, site: Path, expected: str | None | bool = False) -> str:
        name = release_name()
        with self.lock():
            if expected is not False and self.current() != expected:
                raise PublishError(f"another publish made release {self.current()} live while this one was checked "
                                   "against the one before; nothing was changed. Running make publish again is safe")
            self._sync(_local(site), name, read=lambda p: (site / p).read_bytes())
        return name

    def switch(self, name: str) -> None:
        """Make release ``name`` live again (a rollback): its objects put back from the kept ones, but for
        the log, which only grows: the live log stays."""
        wanted = self._manifest(name)
        if wanted is None:
            raise PublishError(f"{self} has no release {name}")
        with self.lock():
            log = {p: v for p, v in (self._manifest(self.current()) or {}).items() if order.of_the_log(p)}
            wanted = {**{p: v for p, v in wanted.items() if not order.of_the_log(p)}, **log}
            site, kept = self._listing()
            missing = sorted(p for p, (sha, _) in wanted.items() if sha not in kept)
            lost = [p for p in missing if site.get(p) != wanted[p][1]]  # neither kept nor live as it was
            if lost:
                raise PublishError(f"release {name} cannot be restored: {len(lost)} of its objects are no longer kept "
                                   f"({', '.join(lost[:3])}); nothing was changed. Fix forward: make publish")

            def read(path: str) -> bytes:
                return self._get(f"{CONTROL}objects/{wanted[path][0]}") if path not in missing else self._get(path)
            self._sync({p: sha for p, (sha, _) in wanted.items()}, name, read=read, listing=(site, kept))

    def _sync(self, files: dict[str, str], name: str, *, read, listing=None) -> None:
        """Make the live objects the ``files`` (path -> SHA-256 of its bytes), in the safe order; ``listing``
        is the bucket's (:meth:`_listing`) when the caller has just read it."""
        live, kept = listing or self._listing()
        manifest = self._manifest(self.current()) or {}
        ledger_etag = live.get("ledger.json")

        def body(path: str) -> bytes:  # the bytes as stored
            data = read(path)
            return gzip.compress(data, compresslevel=9, mtime=0) if order.gzipped(path) else data

        def unchanged(path: str) -> bool:
            if path not in live:
                return False
            if manifest.get(path) == [files[path], live[path]]:
                return True
            # Not in the manifest (a publish was killed): the bytes decide (the ETag of a plain PUT is its MD5).
            return live[path] == f'"{hashlib.md5(body(path)).hexdigest()}"'

        changed = [p for p in sorted(files) if not unchanged(p)]
        stale = sorted(p for p in live if p not in files and not order.protected(p))
        replaced = [p for p in changed + stale if p in live and p in manifest and manifest[p][1] == live[p]
                    and not order.of_the_log(p)]  # what a rollback puts back; the log only goes forward
        keeping = [p for p in replaced if manifest[p][0] not in kept]
        self._each(lambda p: self._keep(p, manifest[p][0]), keeping, "keeping replaced objects")
        etags = {p: live[p] for p in files if p in live and p not in changed}
        plan = order.batches(changed, set(live), read)
        checked = False
        for number, batch in enumerate(plan, 1):
            if batch[0] in order.FINAL and not checked:
                checked = True
                if self._head_etag("ledger.json") != ledger_etag:
                    raise PublishError(f"another publish changed {self}/ledger.json meanwhile; this one stopped "
                                       "before its last writes, with the live site whole. Running make publish "
                                       "again is safe")

            def upload(path: str) -> None:
                etags[path] = self._put(path, body(path), Metadata={"sha256": files[path]}, **order.headers(path))
            self._each(upload, batch, f"batch {number} of {len(plan)}")
        record = {p: [files[p], etags[p]] for p in sorted(files)}
        if record:
            self._put(f"{CONTROL}releases/{name}.json", json.dumps({"release": name, "files": record}).encode(),
                      ContentType="application/json")
        self._put(f"{CONTROL}current", name.encode(), ContentType="text/plain; charset=utf-8")
        self._delete(stale)
        self.changed = changed
        self.counts = {"uploaded": len(changed), "unchanged": len(files) - len(changed), "deleted": len(stale),
                       "kept": sum(1 for p in live if p not in files and order.protected(p))}
        self._prune(kept=kept | {manifest[p][0] for p in keeping})

    def _each(self, job, paths: list[str], what: str) -> None:
        if not paths:
            return
        self.progress(f"{what}: {len(paths)} object{'s' if len(paths) != 1 else ''}")
        with ThreadPoolExecutor(self.workers) as pool:
            for _ in pool.map(job, paths):
                pass

    def _head_etag(self, path: str) -> str | None:
        from botocore.exceptions import ClientError

        with _errors(f"reading {self}/{path}"):
            try:
                return self.client.head_object(Bucket=self.bucket, Key=self._key(path))["ETag"]
            except ClientError as exc:
                if exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") != 404:
                    raise
                return None

    def _prune(self, keep: int = KEEP_RELEASES, kept: set[str] | None = None) -> None:
        """Keep the last ``keep`` releases' manifests, and the kept objects they need; ``kept`` is what the
        store keeps now, when the caller knows it (else the bucket is listed)."""
        names = self.releases()
        old, last = names[:-keep], names[-keep:]
        needed = {sha for n in last for sha, _ in (self._manifest(n) or {}).values()}
        kept = self._listing()[1] if kept is None else kept
        self._delete([f"{CONTROL}releases/{n}.json" for n in old] +
                     [f"{CONTROL}objects/{sha}" for sha in sorted(kept - needed)])

    def prune(self, keep: int = KEEP_RELEASES) -> None:
        self._prune(keep)


def _local(site: Path) -> dict[str, str]:
    files = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            files[path.relative_to(site).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def _stale(holder: dict) -> bool:
    try:
        started = dt.datetime.fromisoformat(holder["started"])
    except (KeyError, ValueError):
        return True
    if dt.datetime.now(dt.timezone.utc) - started > dt.timedelta(hours=LOCK_HOURS):
        return True
    if holder.get("host") == socket.gethostname() and isinstance(holder.get("pid"), int):
        try:
            os.kill(holder["pid"], 0)
        except ProcessLookupError:
            return True  # killed: its publish left the site whole, and this one finishes it
        except PermissionError:
            return False
    return False


class _Precondition(Exception):
    pass


@contextlib.contextmanager
def _errors(what: str, precondition: bool = False):
    """botocore's errors as a :class:`PublishError` saying what was being done (never a credential)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if precondition and code in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
            raise _Precondition() from None
        raise PublishError(f"{what} failed: {code or 'error'} ({exc.response.get('Error', {}).get('Message', '')}); "
                           "the live site is whole, and running make publish again finishes the work") from None
    except BotoCoreError as exc:
        raise PublishError(f"{what} failed: {exc}; the live site is whole, and running make publish again "
                           "finishes the work") from None
