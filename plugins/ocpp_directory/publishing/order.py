"""What a store without renames needs to publish safely: the headers of each object, and the order
in which changed objects go live.

An object store (S3 and its kind) has no rename and no symlink: the live site is the objects
themselves, replaced one at a time. So the order is the promise. An object goes up only after
every changed object it links to (a page after the files it shows, a listing after the pages it
lists), found from the pages' own links (read with an HTML parser: href, src, srcset, style url(), and a
stylesheet's url()); the directory-wide files that scripts and crawlers read
without following links (the search index's root, the exports, the sitemap) go up after every
page; the ledger and then the log's checkpoint, which vouch for everything else, go up last.
Pages that link each other (a new certificate and its new vendor's page) go up in one batch:
new objects of the batch first, as no live page links to them yet, then the changed ones.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
from collections.abc import Callable, Iterable
from html.parser import HTMLParser

from ..model import addresses

#: Files that scripts and crawlers read without following a link: after every page.
DIRECTORY_WIDE = ("search/meta.json", "check/vendors.json", "directory.csv", "directory.json", "documents.json",
                  "sitemap.xml", "robots.txt")
#: Last, in this order: what the never-retract check and the log's readers trust.
FINAL = ("ledger.json", "log/checkpoint")
#: Never deleted by a publish: a certificate cannot be retracted, nor a log entry.
NEVER_DELETED = (addresses.CERTIFICATES, "log/")

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=60, must-revalidate"
PAGE = "public, max-age=300, must-revalidate"
OTHER = "public, max-age=3600, must-revalidate"

_TEXT = ("text/", "application/json", "application/xml", "application/atom+xml", "image/svg+xml",
         "application/javascript", "application/schema+json")
_TYPES = {".csv": "text/csv", ".atom": "application/atom+xml", ".js": "application/javascript",
          ".json": "application/json", ".svg": "image/svg+xml", ".eps": "application/postscript",
          ".txt": "text/plain", ".xml": "application/xml", ".html": "text/html", ".css": "text/css",
          ".ttf": "font/ttf", ".zip": "application/zip", ".pdf": "application/pdf", ".png": "image/png"}
# Read by browsers only: stored gzip-compressed, so a CDN serves them small with no settings. The
# open data (CSV, JSON exports, ledger, log, PDFs) stays plain for any HTTP client.
_GZIP = (".html", ".css", ".js", ".svg")
_IMMUTABLE = re.compile(rf"^(log/tile/.+|{re.escape(addresses.CERTIFICATES)}[^/]+/qr\.(svg|png))$")


def content_type(path: str) -> str:
    name = posixpath.basename(path)
    if path == "log/checkpoint":
        kind = "text/plain"
    else:
        ext = posixpath.splitext(name)[1].lower()
        kind = _TYPES.get(ext) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith(_TEXT) else kind


def cache_control(path: str) -> str:
    if _IMMUTABLE.match(path):
        return IMMUTABLE  # log tiles never change once written; a QR code encodes a URL that never changes
    if path in FINAL or path in ("documents.json",):
        return SHORT
    if path.endswith((".html", ".json", ".csv", ".xml", ".atom", ".txt")) or path.startswith("log/"):
        return PAGE
    return OTHER


def gzipped(path: str) -> bool:
    return path.endswith(_GZIP) or (path.startswith("search/") and path.endswith(".json"))


def headers(path: str) -> dict[str, str]:
    """The S3 PutObject arguments for ``path``'s headers (ContentType, CacheControl, ContentEncoding)."""
    found = {"ContentType": content_type(path), "CacheControl": cache_control(path)}
    if gzipped(path):
        found["ContentEncoding"] = "gzip"
    return found


def protected(path: str) -> bool:
    return path.startswith(NEVER_DELETED)


def of_the_log(path: str) -> bool:
    """The log's files (below ``log/``): they only ever go forward, so a rollback keeps them live and a
    publish keeps no copy of their past. (A certificate's ``log.json``, its entry, is a page's file like
    any other: a rollback never crosses a new or corrected certificate, so it finds the same entry.)"""
    return path.startswith("log/")


_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)""")


class _Links(HTMLParser):
    """Every address an HTML page names, as a browser reads them: ``href``, ``src``, each candidate of a
    ``srcset``, and ``url(...)`` in a ``style`` attribute or element (comments and scripts' text are not
    markup, and name nothing)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._style = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if not value:
                continue
            if name in ("href", "src", "poster", "data"):
                self.urls.append(value)
            elif name in ("srcset", "imagesrcset"):
                self.urls += [c.split()[0] for c in value.split(",") if c.split()]
            elif name == "style":
                self.urls += _CSS_URL.findall(value)
        self._style = tag == "style"

    def handle_endtag(self, tag):
        self._style = False

    def handle_data(self, data):
        if self._style:
            self.urls += _CSS_URL.findall(data)


def links(page: str, data: bytes) -> set[str]:
    """The site paths a page (HTML) or stylesheet (CSS, its ``url(...)``) at ``page`` links to (a folder as
    its index.html)."""
    text = data.decode("utf-8", "replace")
    if page.endswith(".css"):
        urls = _CSS_URL.findall(text)
    else:
        parser = _Links()
        parser.feed(text)
        parser.close()
        urls = parser.urls
    found = set()
    folder = posixpath.dirname(page)
    for raw in urls:
        url = raw.strip().split("#", 1)[0].split("?", 1)[0]
        if not url or ":" in url.split("/", 1)[0] or url.startswith("//"):
            continue  # another site, mailto:, data:, the page itself
        path = url.lstrip("/") if url.startswith("/") else posixpath.normpath(posixpath.join(folder, url))
        if url.endswith("/") or path in ("", "."):
            path = posixpath.join("" if path == "." else path, "index.html")
        if not path.startswith(".."):
            found.add(path)
    return found


def batches(changed: Iterable[str], existing: set[str], read: Callable[[str], bytes]) -> list[list[str]]:
    """The changed paths in the batches they go up in: each batch after every batch it links to.

    ``existing`` are the paths live now; ``read`` gives a changed page's bytes (for its links)."""
    changed = sorted(set(changed))
    final = [p for p in FINAL if p in changed]
    wide = [p for p in DIRECTORY_WIDE if p in changed]
    rest = [p for p in changed if p not in final and p not in wide]
    members = set(rest)
    edges = {p: sorted((links(p, read(p)) & members) - {p}) if p.endswith((".html", ".css")) else [] for p in rest}
    levels: list[list[str]] = []
    for component, level in _levels(rest, edges):
        while len(levels) <= level:
            levels.append([])
        levels[level].extend(component)
    out = []
    for level in levels:
        new = sorted(p for p in level if p not in existing)
        old = sorted(p for p in level if p in existing)
        out += [b for b in (new, old) if b]
    out += [[p] for p in wide + final]
    return out


def _levels(nodes: list[str], edges: dict[str, list[str]]):
    """Strongly connected components (Tarjan, iterative), each with its level: 0 when it links to no
    other component, else one more than the highest level it links to."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    component_of: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    level_of: list[int] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            successors = edges[node]
            if i < len(successors):
                work.append((node, i + 1))
                nxt = successors[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component_of[member] = len(level_of)
                    component.append(member)
                    if member == node:
                        break
                below = [level_of[component_of[s]] for m in component for s in edges[m]
                         if component_of.get(s, -1) != len(level_of) and s in component_of]
                level_of.append(1 + max(below) if below else 0)
                yield sorted(component), level_of[-1]
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
