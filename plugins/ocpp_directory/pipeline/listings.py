"""The units made from several records: device, vendor and year pages, the search
files, and the directory-wide pages and open data (rendered again when any record
changed).
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine import incremental
from ..model.records import Certificate
from ..outputs import certlog, check, exports, schema, search, statistics
from ..outputs.words import HARDWARE_WORDS

if TYPE_CHECKING:
    from .generator import DirectoryGenerator

#: The units of the search index's shards and result fragments
SEARCH_PARTS = ("search-shard:", "search-fragments:")
#: result fragments rendered (and kept) together
FRAGMENTS_PER_UNIT = 64


def write(gen: DirectoryGenerator, shared: str) -> None:
    d, units, digests = gen.directory, gen.units, gen.directory.digests
    for device in d.devices:
        key = incremental.digest(shared, device.url, device.name, device.device_type, device.vendor.url,
                                 device.vendor.name, [(c.id, digests[c.id]) for c in device.certificates])
        units.unit(f"device:{device.url}", key, lambda device=device: units.page(
            device.url + "index.html", "device", device=device, page_url=device.url))
    for vendor in d.vendors:
        key = incremental.digest(shared, vendor.url, vendor.name, [(x.url, x.name) for x in vendor.devices],
                                 [(c.id, digests[c.id]) for c in vendor.certificates])
        units.unit(f"vendor:{vendor.url}", key, lambda vendor=vendor: units.page(
            vendor.url + "index.html", "vendor", vendor=vendor, page_url=vendor.url))
    _years(gen, shared)
    everything = incremental.digest(shared, gen.ctx.date, sorted(digests.items()),
                                    [page.save_as for page in gen.context.get("pages", [])],
                                    [t.save_as for page in gen.context.get("pages", []) for t in page.translations])
    gen.run.report.search = _search(gen, shared, everything)
    units.unit("directory", everything, lambda: _directory(gen))
    units.unit("messages", shared, lambda: _messages(gen))


def _messages(gen: DirectoryGenerator) -> None:
    """The scripts' words, one file a language (no page carries them: 3.6 KB a certificate page)."""
    for lang in gen.ctx.languages:
        gen.units.templated(f"theme/js/messages.{lang}.js", "messages_script", lang)


def by_year(certificates: list[Certificate]) -> dict[int, list[Certificate]]:
    """The certificates of each year of issue, in the order given (newest first)."""
    years: dict[int, list[Certificate]] = {}
    for cert in certificates:
        years.setdefault(cert.issued.year, []).append(cert)
    return years


def _years(gen: DirectoryGenerator, shared: str) -> None:
    """Every certificate, by the year it was issued in: a year's page changes with its own records."""
    d = gen.directory
    gen.by_year = by_year(d.certificates)
    years = list(gen.by_year)
    for at, year in enumerate(years):
        certs = gen.by_year[year]
        newer, older = (years[at - 1] if at else None), (years[at + 1] if at + 1 < len(years) else None)
        key = incremental.digest(shared, year, newer, older, [
            (c.id, d.digests[c.id], d.device_of[c.id].url, d.device_of[c.id].vendor.url) for c in certs])
        if gen.plan.kept_unit(f"issued:{year}", key) is not None:
            # Its rows are kept for the next change to this year (the store keeps what a build used).
            gen.memo.keep((gen.row_kind(c, True, True, lang), c) for c in certs for lang in gen.ctx.languages)
            continue
        gen.units.render(f"issued:{year}", key, lambda year=year, certs=certs, newer=newer, older=older:
                         gen.units.page(f"issued/{year}/index.html", "issued", year=year, certificates=certs,
                                        newer=newer, older=older, page_url=f"issued/{year}/"))


def _search(gen: DirectoryGenerator, shared: str, everything: str) -> dict:
    """The search page, its meta file, term shards and result fragments; sizes for the summary.

    They are computed from every record when any record changed; then only the shards and
    groups of fragments whose bytes changed are written (each is a unit keyed by its bytes).
    """
    plan, units = gen.plan, gen.units
    parts = [name for name in plan.previous if name.startswith(SEARCH_PARTS)]
    if plan.current("search", everything) and all(plan.current(name, plan.previous[name]["key"]) for name in parts):
        for name in parts:
            plan.keep(name)
        return plan.keep("search")["meta"]
    files = search.build(gen.directory, HARDWARE_WORDS, gen.memo, gen.kept_index)
    short = []  # the compressed sizes of the one- and two-letter shards, kept with their units
    for prefix, data in sorted(files.shards.items()):
        name = search.shard_name(prefix)
        meta = units.unit(f"search-shard:{name}", incremental.digest(shared, data),
                          lambda name=name, data=data, prefix=prefix: _shard(gen, name, prefix, data))
        if len(prefix) <= 2:
            short.append(meta["gzip"])
    for start in range(0, len(files.fragments), FRAGMENTS_PER_UNIT):
        group = files.fragments[start:start + FRAGMENTS_PER_UNIT]
        units.unit(f"search-fragments:{start}", incremental.digest(shared, start, *group),
                   lambda start=start, group=group: _fragments(gen, start, group))
    return units.render("search", everything, lambda: _search_page(gen, files, sorted(short)))


def _shard(gen: DirectoryGenerator, name: str, prefix: str, data: bytes) -> dict:
    gen.units.bytes(f"search/{name}", data)
    # What the first two letters typed fetch, compressed as a server sends it (for the summary;
    # kept with the unit, so only a changed shard is compressed again).
    return {"gzip": gzip_size(data)} if len(prefix) <= 2 else {}


def _fragments(gen: DirectoryGenerator, start: int, group: list[bytes]) -> None:
    for offset, data in enumerate(group):
        gen.units.bytes(f"search/d/{start + offset}.json", data)


def _search_page(gen: DirectoryGenerator, files: search.SearchFiles, short: list[int]) -> dict:
    """The search page and the meta file; the sizes of what a browser fetches, for the summary."""
    units = gen.units
    units.bytes("search/meta.json", files.meta)
    for key, data in files.columns.items():
        units.bytes(f"search/f/{key}.json", data)
    units.page("search/index.html", "search", facets=files.facets, search_version=files.version,
               notations=_notations(gen.directory.program), page_url="search/")
    # What a browser fetches before the first result, compressed as a server sends it: the page,
    # its styles and scripts and the meta file; then one shard per word typed and one fragment per
    # result shown.
    static = Path(gen.theme, "static")
    fetched = {
        "page": Path(gen.output_path, "search/index.html").read_bytes(),
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


def _directory(gen: DirectoryGenerator) -> None:
    """The pages and open data made from every record."""
    d, ctx, units = gen.directory, gen.ctx, gen.units
    base = ctx.public_base
    # The home page lists the newest certificates; the pages by year list every one.
    units.page("index.html", "directory", certificates=d.certificates, newest=d.certificates[:ctx.home_rows],
               years=[(year, len(certs)) for year, certs in gen.by_year.items()], page_url="")
    units.page("verify/index.html", "verify", page_url="verify/")
    # what a server answers for an address it has no file for (deploy/nginx.conf, deploy/cdn.md)
    units.page("404.html", "404", page_url="404.html", absolute_urls=True)
    units.page("logos/index.html", "logos", kits=gen.kits, page_url="logos/")
    units.page("vendors/index.html", "vendors", vendors=d.vendors, page_url="vendors/")
    units.bytes("directory.json", exports.directory_json(d, ctx.date, base, gen.memo))
    units.bytes("directory.csv", exports.directory_csv(d, base, gen.memo))
    units.bytes("documents.json", exports.documents_json(d, base))
    for name, data in check.files(d).items():  # the fleet check's lookup data (/check/)
        units.bytes(name, data)
    units.page("check/index.html", "check", page_url="check/")
    units.bytes("schema/certificate-record.schema.json", schema.json_schema(d, base))
    corrections = list(ctx.corrections)
    units.bytes("ledger.json", exports.ledger(d, corrections, gen.memo))
    units.page("corrections/index.html", "corrections", corrections=corrections, page_url="corrections/")
    charts = statistics.build(d)
    for chart in charts:
        units.bytes(f"statistics/{chart.slug}.svg", chart.svg)
    units.page("statistics/index.html", "statistics", charts=charts, page_url="statistics/")
    for name, data in certlog.files(gen.log, ctx.log_origin, gen.log_key).items():
        units.bytes(name, data)
    units.page("log/index.html", "log", log=gen.log, origin=ctx.log_origin, vkey=gen.log_vkey, page_url="log/")
    if ctx.feed:
        units.bytes(ctx.feed, exports.atom_feed(d, base, gen.settings["SITENAME"], ctx.feed))
        # and one a vendor and one a device, for those who follow one (their pages link them)
        for vendor in d.vendors:
            path = f"feeds/{vendor.url}certificates.atom"
            units.bytes(path, exports.atom_feed(d, base, gen.settings["SITENAME"], path, certificates=vendor.certificates,
                                                about=vendor.name, page=vendor.url))
        for device in d.devices:
            path = f"feeds/{device.url}certificates.atom"
            units.bytes(path, exports.atom_feed(d, base, gen.settings["SITENAME"], path, certificates=device.certificates,
                                                about=f"{device.vendor.name} {device.name}", page=device.url))
    pages = [name for unit in gen.plan.units.values() for name in unit["files"] if name.endswith(".html")]
    content = gen.context.get("pages", [])
    pages += units.files + [page.save_as for page in content] + [t.save_as for page in content for t in page.translations]
    urls = [f"{base}/{name.removesuffix('index.html')}" for name in pages if name.endswith("index.html")]
    units.bytes("sitemap.xml", exports.sitemap(urls))
    units.bytes("robots.txt", exports.robots(base))


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
