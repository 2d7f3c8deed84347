"""The Pelican generator: records in, directory pages out.

Pelican's two phases are kept apart on purpose: ``generate_context`` reads and
checks every record (raising :class:`ValidationFailed` before Pelican's writer
exists), ``generate_output`` only renders. One generator renders all pages from
the in-memory model: no Markdown file per certificate.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

from markupsafe import Markup, escape
from pelican.generators import Generator

from .directory import Directory, load_directory
from .errors import DirectoryError
from .program import load_program
from .qr import is_printable_base
from .records import Certificate
from . import exports, incremental, logos, search, statistics, text, workers
from .cache import Memo, RecordCache, code_digest, folder_cache
from .config import VOLATILE_SETTINGS, build_date, resolve, setting

#: The units of the search index's shards and result fragments (pages.DirectoryGenerator._search_units)
SEARCH_PARTS = ("search-shard:", "search-fragments:")
#: result fragments rendered (and kept) together
FRAGMENTS_PER_UNIT = 64

#: Where a kept table row links the site's address: escaped text never holds a "<"
ROW_ROOT = Markup("<SITEURL>")

#: What codes encode when SITEURL is not absolute: `make serve`'s address.
DEV_BASE_URL = "http://localhost:8000"

SECURITY_PROFILE_TITLES = {
    1: "Unsecured transport with basic authentication",
    2: "TLS with basic authentication",
    3: "TLS with client-side certificates",
}

HARDWARE_WORDS = {
    "single": "Single",
    "multiple": "Multiple",
    "socket": "Socket",
    "fixed-cable": "Fixed cable",
    "none": "None",
    "per-evse": "One per EVSE",
    "ethernet": "Ethernet",
    "wifi": "Wi-Fi",
    "mobile": "Mobile network",
}


class DirectoryGenerator(Generator):
    """Writes the directory, certificate, device and vendor pages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Vendor text reaches these pages: escape it whatever the settings say, and show
        # bidirectional controls instead of obeying them (text.py).
        self.env.autoescape = True
        self.env.finalize = text.finalize
        self.env.globals.update(
            security_profile_title=SECURITY_PROFILE_TITLES.get,
            hardware_words=lambda key: HARDWARE_WORDS.get(key, key),
            performance_label=lambda name: name.replace("_", " "),
        )
        self.env.filters["hardware_words"] = self.env.globals["hardware_words"]
        self.directory: Directory | None = None
        self._files: list[str] = []
        # The build's units; the command line passes one that knows the last build (incremental.py).
        self.plan: incremental.Plan = setting(self.settings, "OCPP_PLAN") or incremental.Plan(None, Path(self.output_path))
        cache = setting(self.settings, "OCPP_CACHE_PATH")
        self.binaries = workers.Binaries(Path(cache) if cache else None)
        self.qr, self.renderer = self.binaries.qr, self.binaries.renderer
        self.kits: list[logos.Kit] = []
        #: the certificates of each year of issue (generate_output), for the pages by year and the home page
        self.by_year: dict[int, list[Certificate]] = {}
        self.public_base, self.qr_warning = self._qr_base()

    def _qr_base(self) -> tuple[str, str | None]:
        """The base URL codes encode, and a warning when they must not be printed."""
        siteurl = (self.settings.get("SITEURL") or "").rstrip("/")
        if is_printable_base(siteurl):
            return siteurl, None
        base = siteurl if siteurl.startswith(("http://", "https://")) else DEV_BASE_URL
        warning = (f"SITEURL is {siteurl or 'empty'}: the QR codes encode {base}/certificates/<ID>/ "
                   "and must NOT be printed on a label. Build with SITEURL=https://<public site> "
                   "(make publish does) for codes meant for print.")
        if setting(self.settings, "OCPP_REQUIRE_PRINTABLE_QR"):
            raise DirectoryError(warning)
        return base, warning
    def _progress(self, stage: str, done: int, total: int) -> None:
        report: Callable | None = setting(self.settings, "OCPP_PROGRESS")
        if report is not None:
            report(stage, done, total)

    def generate_context(self) -> None:
        program_file = resolve(self.settings, "OCPP_PROGRAM_FILE")
        program = load_program(program_file)
        # Part of every cache key: checked records and rendered parts both depend on the rules.
        self.program_digest = incremental.digest(program_file.read_bytes())
        cache = setting(self.settings, "OCPP_CACHE_PATH")
        salt = incremental.digest(code_digest(), self.program_digest, build_date(self.settings))
        folder = resolve(self.settings, "OCPP_CERTIFICATES")
        kept = folder_cache(Path(cache), folder) if cache else None  # one records folder, one set of files
        records = RecordCache(kept / "records.pickle" if kept else None, salt)
        self.directory = load_directory(folder, program,
                                        build_date(self.settings), progress=self._progress, cache=records)
        # Each certificate's parts of the directory-wide files (a record's key names its parts;
        # the templates shape its row of the directory page's table).
        self.theme_digest = incremental.tree_digest(Path(self.theme))
        self.memo = Memo(RecordCache(kept / "parts.pickle" if kept else None,
                                     incremental.digest(code_digest(), self.program_digest, self.public_base,
                                                        self.theme_digest)),
                         self.directory.digests)
        # The search index's postings, updated for the changed records (tokens depend on the code and
        # the program's titles).
        self.kept_index = search.KeptIndex(kept / "search.pickle" if kept else None,
                                           incremental.digest(code_digest(), self.program_digest))
        self.records_reused = records.hits
        self.context["ocpp_directory"] = self.directory
        # Every page, Pelican's content pages too, links its canonical address and the feed.
        self.context["PUBLIC_BASE"] = self.public_base
        self.context["OCPP_FEED_ATOM"] = setting(self.settings, "OCPP_FEED_ATOM")
        report = setting(self.settings, "OCPP_REPORT")
        if report is not None:
            report["directory"] = self.directory
            report["qr"] = self.qr
            report["logos"] = self.renderer
            report["qr_warning"] = self.qr_warning
            report["records_reused"] = self.records_reused
        self.env.globals.update(
            program=program,
            directory=self.directory,
            version_of=lambda cert: program.versions[cert.ocpp_version],
            device_of=self.directory.device_of.__getitem__,
            device_type_title=lambda key: program.device_types[key].title,
            profile_titles=self.profile_titles,
            kept_row=self.kept_row,
        )

    def kept_row(self, cert: Certificate, show_vendor: bool, show_device: bool, siteurl: str) -> Markup:
        """``certificate_row`` (macros.html), kept with the certificate's other parts: the tables of
        the home page and the pages by year are made of 10,000 rows, of which a one-record change
        alters one. A row is kept with a placeholder for the site's address, which differs with the
        page's depth when links are relative, so the pages share it."""
        def make() -> str:  # on a miss only: get_template checks the template file's date each call
            row = self.env.get_template("macros.html").module.certificate_row
            return str(row(cert, show_vendor, show_device, ROW_ROOT))

        row = self.memo(self._row_kind(cert, show_vendor, show_device), cert, make)
        return Markup(row.replace(ROW_ROOT, str(escape(siteurl))))

    def _row_kind(self, cert: Certificate, show_vendor: bool, show_device: bool) -> str:
        device = self.directory.device_of[cert.id]
        return f"table-row\0{show_vendor}\0{show_device}\0{device.url}\0{device.vendor.url}"

    def profile_titles(self, cert: Certificate) -> list[str]:
        version = self.directory.program.versions[cert.ocpp_version]
        return [version.profiles[p].title for p in version.profiles if p in cert.profiles]

    # -- units: what is rendered together, and from which inputs --------------------------------

    def _unit(self, name: str, key: str, render: Callable[[], dict | None]) -> dict:
        """Render unit ``name`` unless the last build made it from the same inputs; its meta."""
        kept = self.plan.kept_unit(name, key)
        if kept is not None:
            return kept["meta"]
        return self._render(name, key, render)

    def _render(self, name: str, key: str, render: Callable[[], dict | None]) -> dict:
        self._files = []
        meta = render() or {}
        self.plan.add(name, key, self._files, meta)
        return meta

    def _write(self, writer, name: str, template: str, **kwargs) -> None:
        self._files.append(name)
        writer.write_file(
            name,
            self.get_template(template),
            self.context,
            relative_urls=self.settings["RELATIVE_URLS"],
            **kwargs,
        )

    def _write_bytes(self, name: str, data: bytes) -> None:
        self._files.append(name)
        path = Path(self.output_path, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def _inputs(self) -> str:
        """The key part every unit shares: code, theme, logo artwork and fonts, program file and settings."""
        settings = {k: v for k, v in self.settings.items()
                    if k.isupper() and k not in VOLATILE_SETTINGS}
        return incremental.digest(
            code_digest(),
            self.theme_digest,
            incremental.tree_digest(logos.ASSETS),
            self.program_digest,
            json.dumps(settings, sort_keys=True, default=lambda v: type(v).__name__),
            self.public_base,
            self.qr_warning,
        )

    def generate_output(self, writer) -> None:
        d = self.directory
        digests = d.digests
        shared = self._inputs()
        self.kits = logos.kits(d.program, d.certificates)
        # Logo kits: their files are made in worker processes; a kit's page lists who may use it.
        keys = {kit.slug: incremental.digest(shared, kit.slug, kit.title, kit.lines) for kit in self.kits}
        kept = {kit.slug: self.plan.kept_unit(f"kit-files:{kit.slug}", keys[kit.slug]) for kit in self.kits}
        todo = [kit for kit in self.kits if kept[kit.slug] is None]
        for kit, made in zip(todo, self.binaries.kits(todo, setting(self.settings, "OCPP_WORKERS"))):
            self.binaries.count(made)
            kept[kit.slug] = {"meta": self._render(f"kit-files:{kit.slug}", keys[kit.slug],
                                                   lambda: self._write_kit_files(kit, made.files))}
        for kit in self.kits:
            made = kept[kit.slug]["meta"]
            members = [(c.id, digests[c.id]) for c in kit.certificates]
            self._unit(f"kit-page:{kit.slug}", incremental.digest(keys[kit.slug], members, made),
                       lambda kit=kit, made=made: self._write(
                           writer, f"logos/{kit.slug}/index.html", "logo_kit", kit=kit, files=made["files"],
                           zip_size=made["zip_size"], page_url=f"logos/{kit.slug}/"))
        # Certificates: their QR codes and labels are made in worker processes, their pages here. The
        # two are separate units: a change the label does not show (a test tool, a report) renders
        # the page only, and no label, QR code or font is touched.
        host = self.public_base.split("://", 1)[-1] + "/verify/"
        todo: dict[str, tuple[logos.Kit, str]] = {}  # certificate id -> its kit and its page's key
        jobs: list[tuple[workers.Job, str]] = []  # the files to make, and their key
        for cert in d.certificates:
            device = d.device_of[cert.id]
            kit = logos.kit_of(self.kits, cert)
            related = [c.id for c in device.certificates]
            related += [cert.white_label_of] if cert.white_label_of else []
            related += [c.id for c in d.white_labels.get(cert.id, [])]
            key = incremental.digest(shared, digests[cert.id], device.url, device.vendor.url, kit.slug, kit.lines,
                                     [(i, digests[i]) for i in related])
            if self.plan.kept_unit(f"certificate:{cert.id}", key) is None:
                todo[cert.id] = (kit, key)
            job = workers.Job(cert.id, self.certificate_url(cert), tuple(kit.lines), host, cert.issued.isoformat())
            files_key = incremental.digest(shared, job)
            if self.plan.kept_unit(f"certificate-files:{cert.id}", files_key) is None:
                jobs.append((job, files_key))
        made_all = self.binaries.make([job for job, _ in jobs], setting(self.settings, "OCPP_WORKERS"))
        # Both lists are in the certificates' order: pages are rendered here while the workers make
        # the next certificates' files, which are written as they arrive.
        busy = len(todo.keys() | {job.cert_id for job, _ in jobs})
        waiting = iter(jobs)
        following = next(waiting, None)
        done = 0
        for cert in d.certificates:
            files_due = following is not None and following[0].cert_id == cert.id
            if files_due:
                made = next(made_all)
                self.binaries.count(made)
                self._render(f"certificate-files:{cert.id}", following[1],
                             lambda: self._write_certificate_files(cert, made.files))
                following = next(waiting, None)
            if cert.id in todo:
                kit, key = todo[cert.id]
                self._render(f"certificate:{cert.id}", key, lambda: self._write_certificate(writer, cert, kit))
            if files_due or cert.id in todo:
                done += 1
                if done % 500 == 0 or done == busy:
                    self._progress("certificate pages", done, busy)
        # The loop does not ask made_all for more after the last job: close it, so that the workers
        # exit now (130 MB at 10,000 records) instead of idling through the search index and exports.
        made_all.close()
        for device in d.devices:
            key = incremental.digest(shared, device.url, device.name, device.device_type, device.vendor.url,
                                     device.vendor.name, [(c.id, digests[c.id]) for c in device.certificates])
            self._unit(f"device:{device.url}", key, lambda device=device: self._write(
                writer, device.url + "index.html", "device", device=device, page_url=device.url))
        for vendor in d.vendors:
            key = incremental.digest(shared, vendor.url, vendor.name, [(x.url, x.name) for x in vendor.devices],
                                     [(c.id, digests[c.id]) for c in vendor.certificates])
            self._unit(f"vendor:{vendor.url}", key, lambda vendor=vendor: self._write(
                writer, vendor.url + "index.html", "vendor", vendor=vendor, page_url=vendor.url))
        # Every certificate, by the year it was issued in: a year's page changes with its own records.
        self.by_year = self._by_year()
        years = list(self.by_year)
        for at, year in enumerate(years):
            certs = self.by_year[year]
            newer, older = (years[at - 1] if at else None), (years[at + 1] if at + 1 < len(years) else None)
            key = incremental.digest(shared, year, newer, older, [
                (c.id, digests[c.id], d.device_of[c.id].url, d.device_of[c.id].vendor.url) for c in certs])
            if self.plan.kept_unit(f"issued:{year}", key) is not None:
                # Its rows are kept for the next change to this year (the store keeps what a build used).
                self.memo.keep((self._row_kind(c, True, True), c) for c in certs)
                continue
            self._render(f"issued:{year}", key, lambda year=year, certs=certs, newer=newer, older=older: self._write(
                writer, f"issued/{year}/index.html", "issued", year=year, certificates=certs, newer=newer,
                older=older, page_url=f"issued/{year}/"))
        # Pages and files made from every record: rendered again when any record changed.
        everything = incremental.digest(shared, build_date(self.settings), sorted(digests.items()),
                                        [page.save_as for page in self.context.get("pages", [])])
        self.search_sizes = self._search_units(writer, shared, everything)
        self._unit("directory", everything, lambda: self._write_directory(writer))
        self.memo.save()
        report = setting(self.settings, "OCPP_REPORT")
        if report is not None:
            report["search"] = self.search_sizes
            report["plan"] = self.plan

    def _by_year(self) -> dict[int, list[Certificate]]:
        """The certificates of each year of issue, newest year first, each newest first."""
        years: dict[int, list[Certificate]] = {}
        for cert in self.directory.certificates:  # newest first
            years.setdefault(cert.issued.year, []).append(cert)
        return years

    def _write_kit_files(self, kit: logos.Kit, files: dict[str, bytes]) -> dict:
        """A kit's files and zip; their names and the zip's size, for the kit's page."""
        archive = files.pop(workers.KIT_ZIP)
        for name, data in files.items():
            self._write_bytes(f"logos/{kit.slug}/{name}", data)
        self._write_bytes(f"logos/{kit.slug}.zip", archive)
        return {"files": sorted(files), "zip_size": len(archive)}

    def _write_certificate_files(self, cert: Certificate, binaries: dict[str, bytes]) -> None:
        """The certificate's QR code and label (made by ``workers``)."""
        for name, data in binaries.items():
            self._write_bytes(f"certificates/{cert.id}/{name}", data)

    def _write_certificate(self, writer, cert: Certificate, kit: logos.Kit) -> None:
        """The certificate's page and JSON."""
        d = self.directory
        folder = f"certificates/{cert.id}"
        self._write(
            writer,
            f"{folder}/index.html",
            "certificate",
            cert=cert,
            device=d.device_of[cert.id],
            version=d.program.versions[cert.ocpp_version],
            laboratory=d.program.laboratories[cert.laboratory],
            tested=d.by_id.get(cert.white_label_of) if cert.white_label_of else None,
            white_labels=d.white_labels.get(cert.id, []),
            public_url=self.certificate_url(cert),
            kit=kit,
            qr_printable=self.qr_warning is None,
            page_url=f"{folder}/",
        )
        self._write_bytes(f"{folder}/certificate.json", exports.certificate_json(cert))

    def _search_units(self, writer, shared: str, everything: str) -> dict:
        """The search page, its meta file, term shards and result fragments; sizes for the summary.

        They are computed from every record when any record changed; then only the shards and
        groups of fragments whose bytes changed are written (each is a unit keyed by its bytes).
        """
        parts = [name for name in self.plan.previous if name.startswith(SEARCH_PARTS)]
        if self.plan.current("search", everything) and all(
                self.plan.current(name, self.plan.previous[name]["key"]) for name in parts):
            for name in parts:
                self.plan.keep(name)
            return self.plan.keep("search")["meta"]
        files = search.build(self.directory, HARDWARE_WORDS, self.memo, self.kept_index)
        short = []  # the compressed sizes of the one- and two-letter shards, kept with their units
        for prefix, data in sorted(files.shards.items()):
            name = search.shard_name(prefix)
            meta = self._unit(f"search-shard:{name}", incremental.digest(shared, data),
                              lambda name=name, data=data, prefix=prefix: self._write_shard(name, prefix, data))
            if len(prefix) <= 2:
                short.append(meta["gzip"])
        for start in range(0, len(files.fragments), FRAGMENTS_PER_UNIT):
            group = files.fragments[start:start + FRAGMENTS_PER_UNIT]
            self._unit(f"search-fragments:{start}", incremental.digest(shared, start, *group),
                       lambda start=start, group=group: self._write_fragments(start, group))
        return self._render("search", everything, lambda: self._write_search(writer, files, sorted(short)))

    def _write_shard(self, name: str, prefix: str, data: bytes) -> dict:
        self._write_bytes(f"search/{name}", data)
        # What the first two letters typed fetch, compressed as a server sends it (for the summary;
        # kept with the unit, so only a changed shard is compressed again).
        return {"gzip": _gzip_size(data)} if len(prefix) <= 2 else {}

    def _write_fragments(self, start: int, group: list[bytes]) -> None:
        for offset, data in enumerate(group):
            self._write_bytes(f"search/d/{start + offset}.json", data)

    def _write_search(self, writer, files: search.SearchFiles, short: list[int]) -> dict:
        """The search page and the meta file; the sizes of what a browser fetches, for the summary."""
        self._write_bytes("search/meta.json", files.meta)
        for key, data in files.columns.items():
            self._write_bytes(f"search/f/{key}.json", data)
        self._write(writer, "search/index.html", "search", facets=files.facets,
                    search_version=files.version, page_url="search/")
        # What a browser fetches before the first result, compressed as a server sends it: the page,
        # its styles and scripts and the meta file; then one shard per word typed and one fragment per
        # result shown.
        static = Path(self.theme, "static")
        fetched = {
            "page": Path(self.output_path, "search/index.html").read_bytes(),
            "css": (static / "css/site.css").read_bytes(),
            "scripts": (static / "js/search.js").read_bytes() + (static / "js/search-worker.js").read_bytes(),
            "meta": files.meta,
        }
        fragments = [_gzip_size(data) for data in files.fragments[-50:]]
        return {
            "meta": len(files.meta), "meta_gzip": _gzip_size(files.meta),
            "shards": len(files.shards), "shards_bytes": sum(len(data) for data in files.shards.values()),
            "short_shard_gzip_median": short[len(short) // 2] if short else 0,
            "short_shard_gzip_largest": short[-1] if short else 0,
            "fragment_gzip_average": sum(fragments) // max(1, len(fragments)),
            "fixed_gzip": sum(_gzip_size(data) for data in fetched.values()),
        }

    def certificate_url(self, cert: Certificate) -> str:
        """The certificate's permanent public address, as its QR code encodes it."""
        return f"{self.public_base}/certificates/{cert.id}/"

    def _write_directory(self, writer) -> None:
        """The pages and open data made from every record."""
        d, base = self.directory, self.public_base
        # The home page lists the newest certificates; the pages by year list every one (a table of
        # 10,000 rows was 4.6 MB of HTML).
        self._write(writer, "index.html", "directory", certificates=d.certificates,
                    newest=d.certificates[:setting(self.settings, "OCPP_HOME_ROWS")],
                    years=[(year, len(certs)) for year, certs in self.by_year.items()], page_url="")
        self._write(writer, "verify/index.html", "verify", page_url="verify/")
        self._write(writer, "logos/index.html", "logos", kits=self.kits, page_url="logos/")
        self._write(writer, "vendors/index.html", "vendors", vendors=d.vendors, page_url="vendors/")
        self._write_bytes("directory.json", exports.directory_json(d, build_date(self.settings), base, self.memo))
        self._write_bytes("directory.csv", exports.directory_csv(d, base, self.memo))
        self._write_bytes("schema/certificate-record.schema.json", exports.json_schema(d, base))
        corrections = list(setting(self.settings, "OCPP_CORRECTIONS"))
        self._write_bytes("ledger.json", exports.ledger(d, corrections, self.memo))
        self._write(writer, "corrections/index.html", "corrections", corrections=corrections,
                    page_url="corrections/")
        charts = statistics.build(d)
        for chart in charts:
            self._write_bytes(f"statistics/{chart.slug}.svg", chart.svg)
        self._write(writer, "statistics/index.html", "statistics", charts=charts, page_url="statistics/")
        feed = setting(self.settings, "OCPP_FEED_ATOM")
        if feed:
            self._write_bytes(feed, exports.atom_feed(d, base, self.settings["SITENAME"], feed))
        pages = [name for unit in self.plan.units.values() for name in unit["files"] if name.endswith(".html")]
        pages += self._files + [page.save_as for page in self.context.get("pages", [])]
        urls = [f"{base}/{name.removesuffix('index.html')}" for name in pages if name.endswith("index.html")]
        self._write_bytes("sitemap.xml", exports.sitemap(urls))
        self._write_bytes("robots.txt", exports.robots(base))


def _gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))
