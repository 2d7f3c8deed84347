"""The units made from several records: device, vendor and year pages, the search
files, and the directory-wide pages and open data (rendered again when any record
changed). Each is an :class:`.registry.Output` declaring what it reads.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from ..engine import incremental
from ..model.records import Certificate
from ..model import schema
from ..outputs import certlog, check, exports, search, statistics
from ..outputs.words import HARDWARE_WORDS
from .registry import Build, Handle, Inputs, Output, make
from .registry import key as key_of
from .units import Units

#: The units of the search index's shards and result fragments
SEARCH_PARTS = ("search-shard:", "search-fragments:")
#: result fragments rendered (and kept) together
FRAGMENTS_PER_UNIT = 64


def write(b: Build) -> None:
    make(b, [DEVICE, VENDOR, ISSUED])
    b.search = _search(b, key_of(b, "search", _search_inputs(b)))
    make(b, [DIRECTORY, MESSAGES])


DEVICE = Output(
    "device", lambda b: b.directory.devices, lambda device: device.url,
    lambda b, device: {"device": device},
    lambda units, i: units.page(i.device.url + "index.html", "device", device=i.device, page_url=i.device.url))

VENDOR = Output(
    "vendor", lambda b: b.directory.vendors, lambda vendor: vendor.url,
    lambda b, vendor: {"vendor": vendor},
    lambda units, i: units.page(i.vendor.url + "index.html", "vendor", vendor=i.vendor, page_url=i.vendor.url))


def _messages(units: Units, i: Inputs) -> None:
    """The scripts' words, one file a language (no page carries them: 3.6 KB a certificate page)."""
    for lang in i.site.languages:
        units.templated(f"theme/js/messages.{lang}.js", "messages_script", lang)


MESSAGES = Output("messages", lambda b: [None], lambda _: None, lambda b, _: {}, _messages)


def by_year(certificates: list[Certificate]) -> dict[int, list[Certificate]]:
    """The certificates of each year of issue, in the order given (newest first)."""
    years: dict[int, list[Certificate]] = {}
    for cert in certificates:
        years.setdefault(cert.issued.year, []).append(cert)
    return years


def _years(b: Build) -> list[tuple[int, list[Certificate], int | None, int | None]]:
    """Every year of issue with its certificates, newest first, and the years beside it."""
    years = list(b.by_year)
    return [(year, b.by_year[year], years[at - 1] if at else None,
             years[at + 1] if at + 1 < len(years) else None) for at, year in enumerate(years)]


def _year_kept(b: Build, item) -> None:
    # Its rows are kept for the next change to this year (the store keeps what a build used).
    b.memo.keep((b.row_kind(c, True, True, lang), c) for c in item[1] for lang in b.ctx.languages)


#: Every certificate, by the year it was issued in: a year's page changes with its own records (and where
#: their rows link: their device's and vendor's addresses).
ISSUED = Output(
    "issued", _years, lambda item: str(item[0]),
    lambda b, item: {"year": item[0], "certificates": item[1], "newer": item[2], "older": item[3],
                     "links": [(b.directory.device_of[c.id].url, b.directory.device_of[c.id].vendor.url)
                               for c in item[1]]},
    lambda units, i: units.page(f"issued/{i.year}/index.html", "issued", year=i.year, certificates=i.certificates,
                                newer=i.newer, older=i.older, page_url=f"issued/{i.year}/"),
    kept=_year_kept)


def _search(b: Build, everything: str) -> dict:
    """The search page, its meta file, term shards and result fragments; sizes for the summary.

    They are computed from every record when any record, device or vendor changed (``everything``: the
    key of the search's declared inputs); then only the shards and groups of fragments whose bytes
    changed are written (each is a unit keyed by its bytes).
    """
    plan, units, shared = b.plan, b.units, b.shared
    parts = [name for name in plan.previous if name.startswith(SEARCH_PARTS)]
    if plan.current("search", everything) and all(plan.current(name, plan.previous[name]["key"]) for name in parts):
        for name in parts:
            plan.keep(name)
        return plan.keep("search")["meta"]
    files = search.build(b.directory, HARDWARE_WORDS, b.memo, b.kept_index)
    short = []  # the compressed sizes of the one- and two-letter shards, kept with their units
    for prefix, data in sorted(files.shards.items()):
        name = search.shard_name(prefix)
        meta = units.unit(f"search-shard:{name}", incremental.digest(shared, data),
                          lambda name=name, data=data, prefix=prefix: _shard(units, name, prefix, data))
        if len(prefix) <= 2:
            short.append(meta["gzip"])
    for start in range(0, len(files.fragments), FRAGMENTS_PER_UNIT):
        group = files.fragments[start:start + FRAGMENTS_PER_UNIT]
        units.unit(f"search-fragments:{start}", incremental.digest(shared, start, *group),
                   lambda start=start, group=group: _fragments(units, start, group))
    return units.render("search", everything, lambda: _search_page(b, files, sorted(short)))


def _shard(units: Units, name: str, prefix: str, data: bytes) -> dict:
    units.bytes(f"search/{name}", data)
    # What the first two letters typed fetch, compressed as a server sends it (for the summary;
    # kept with the unit, so only a changed shard is compressed again).
    return {"gzip": gzip_size(data)} if len(prefix) <= 2 else {}


def _fragments(units: Units, start: int, group: list[bytes]) -> None:
    for offset, data in enumerate(group):
        units.bytes(f"search/d/{start + offset}.json", data)


def _search_page(b: Build, files: search.SearchFiles, short: list[int]) -> dict:
    """The search page and the meta file; the sizes of what a browser fetches, for the summary."""
    units = b.units
    units.bytes("search/meta.json", files.meta)
    for key, data in files.columns.items():
        units.bytes(f"search/f/{key}.json", data)
    units.page("search/index.html", "search", facets=files.facets, search_version=files.version,
               notations=_notations(b.program), page_url="search/")
    # What a browser fetches before the first result, compressed as a server sends it: the page,
    # its styles and scripts and the meta file; then one shard per word typed and one fragment per
    # result shown.
    static = Path(b.theme, "static")
    fetched = {
        "page": Path(b.output, "search/index.html").read_bytes(),
        "css": (static / "css/site.css").read_bytes(),
        "scripts": (static / "js/search.js").read_bytes() + (static / "js/search-worker.js").read_bytes(),
        "meta": files.meta,
    }
    fragments = [gzip_size(data) for data in files.fragments[-50:]]
    return {
        "meta": len(files.meta), "meta_gzip": gzip_size(files.meta),
        "shards": len(files.shards), "shards_bytes": sum(len(data) for data in files.shards.values()),
        "short_shard_gzip_median": short[len(short) // 2] if short else 0,
        "short_shard_gzip_largest": short[-1] if short else 0,
        "fragment_gzip_average": sum(fragments) // max(1, len(fragments)),
        "fixed_gzip": sum(gzip_size(data) for data in fetched.values()),
    }


def _search_inputs(b: Build) -> dict:
    """What the search files are made from: every record, device and vendor (names, other names and
    addresses), and the date the records are judged against."""
    d = b.directory
    return {"certificates": d.certificates, "devices": d.devices, "vendors": d.vendors, "date": b.ctx.date}


def _directory_inputs(b: Build, _) -> dict:
    """What the directory-wide pages and files are made from: every record, device and vendor (their
    addresses too), the build date they are stamped with, the log, the kits and Pelican's pages."""
    d = b.directory
    return {**_search_inputs(b), "log": b.log.entries, "log_vkey": b.log_vkey, "kits": b.kits,
            "years": [(year, len(certs)) for year, certs in b.by_year.items()], "pages": b.pages,
            "sitename": b.sitename,
            "directory": Handle(d, "the records, devices and vendors declared beside it"),
            "memo": Handle(b.memo, "each record's parts, keyed by the records"),
            "log_object": Handle(b.log, "its entries, declared beside it"),
            "log_signer": Handle(b.log_key, "the key of the log's verifier key, declared beside it"),
            "units": Handle(b.plan.units, "the other units' files: the sitemap lists their pages, which the "
                                          "records, devices, vendors, years, kits and pages name")}


def _directory(units: Units, i: Inputs) -> None:
    """The pages and open data made from every record."""
    d, site = i.directory, i.site
    base = site.public_base
    # The home page lists the newest certificates; the pages by year list every one.
    units.page("index.html", "directory", certificates=d.certificates, newest=d.certificates[:site.home_rows],
               years=i.years, page_url="")
    units.page("verify/index.html", "verify", page_url="verify/")
    # what a server answers for an address it has no file for (deploy/nginx.conf, deploy/cdn.md)
    units.page("404.html", "404", page_url="404.html", absolute_urls=True)
    units.page("logos/index.html", "logos", kits=i.kits, page_url="logos/")
    units.page("vendors/index.html", "vendors", vendors=d.vendors, page_url="vendors/")
    units.pieces("directory.json", exports.directory_json_pieces(d, i.date, base, i.memo))
    units.pieces("directory.csv", exports.directory_csv_pieces(d, base, i.memo))
    units.bytes("documents.json", exports.documents_json(d, base))
    for name, data in check.files(d).items():  # the fleet check's lookup data (/check/)
        units.bytes(name, data)
    units.page("check/index.html", "check", page_url="check/")
    units.bytes("schema/certificate-record.schema.json", schema.json_schema(d, base))
    corrections = list(site.corrections)
    units.pieces("ledger.json", exports.ledger_pieces(d, corrections, i.memo))
    units.page("corrections/index.html", "corrections", corrections=corrections, page_url="corrections/")
    charts = statistics.build(d)
    for chart in charts:
        units.bytes(f"statistics/{chart.slug}.svg", chart.svg)
    units.page("statistics/index.html", "statistics", charts=charts, page_url="statistics/")
    log = i.log_object
    for name, data in certlog.files(log, site.log_origin, i.log_signer).items():
        units.bytes(name, data)
    units.page("log/index.html", "log", log=log, origin=site.log_origin, vkey=i.log_vkey, page_url="log/")
    if site.feed:
        units.bytes(site.feed, exports.atom_feed(d, base, i.sitename, site.feed))
        # and one a vendor and one a device, for those who follow one (their pages link them)
        for vendor in d.vendors:
            path = f"feeds/{vendor.url}certificates.atom"
            units.bytes(path, exports.atom_feed(d, base, i.sitename, path, certificates=vendor.certificates,
                                                about=vendor.name, page=vendor.url))
        for device in d.devices:
            path = f"feeds/{device.url}certificates.atom"
            units.bytes(path, exports.atom_feed(d, base, i.sitename, path, certificates=device.certificates,
                                                about=f"{device.vendor.name} {device.name}", page=device.url))
    pages = [name for unit in i.units.values() for name in unit["files"] if name.endswith(".html")]
    pages += units.files + i.pages
    urls = [f"{base}/{name.removesuffix('index.html')}" for name in pages if name.endswith("index.html")]
    units.bytes("sitemap.xml", exports.sitemap(urls))
    units.bytes("robots.txt", exports.robots(base))


DIRECTORY = Output("directory", lambda b: [None], lambda _: None, _directory_inputs, _directory)


def _notations(program) -> dict[str, list[str]]:
    """Each one-letter notation of the OCA (S, C, ...) and the profile facet values it stands for."""
    out: dict[str, list[str]] = {}
    for version in program.versions.values():
        for edition in version.editions.values():
            for key, profile in edition.profiles.items():
                if profile.short and len(profile.short) == 1:
                    out.setdefault(profile.short, []).append(f"{version.key}:{key}")
    return out


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))
