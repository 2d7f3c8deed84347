"""The Pelican generator: records in, directory pages out.

Pelican's two phases are kept apart: ``generate_context`` reads and checks
every record (raising :class:`ValidationFailed` before Pelican's writer
exists), ``generate_output`` only renders, through the units of
:mod:`.certificates` and :mod:`.listings`.

The generator is given its :class:`~.settings.BuildContext` and the build's
:class:`~..engine.incremental.Plan` by :func:`bound`, and leaves what it made
in :attr:`Run.report`. Run by plain ``pelican`` (no build of ours), it makes
both from Pelican's settings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup, escape
from pelican.generators import Generator
from pelican.utils import get_relative_path, path_to_url

from ..engine import incremental
from ..engine.cache import KeptFile, Memo, RecordCache, code_digest, folder_cache
from ..model import addresses, text
from ..issuing.documents import check_issued
from ..model.directory import Directory, load_directory
from ..model.program import load_program
from ..model.records import Certificate
from ..model.errors import DirectoryError
from ..outputs import certlog, logos, search, tlog
from ..outputs.logos import glyphs
from ..outputs.words import HARDWARE_WORDS, SECURITY_PROFILE_TITLES
from . import certificates, languages, listings, workers
from .settings import VOLATILE_SETTINGS, BuildContext, context
from .registry import Build
from .units import Units

#: Where a kept table row links the site's address: escaped text never holds a "<"
ROW_ROOT = Markup("<SITEURL>")

@dataclass
class Report:
    """What one run of the generator made: the summary's figures."""

    directory: Directory
    binaries: workers.Binaries
    records_reused: int
    search: dict = field(default_factory=dict)


@dataclass
class Run:
    """One build's generator inputs and, after Pelican ran, its :class:`Report`."""

    context: BuildContext
    plan: incremental.Plan
    report: Report | None = None
    #: the devserver's stores kept in memory between builds (:class:`..engine.cache.RecordCache`), or None
    resident: dict | None = None
    #: the generator, once Pelican made it (the devserver keeps the last good one: :mod:`.resident`)
    generator: DirectoryGenerator | None = None


def bound(run: Run) -> type[DirectoryGenerator]:
    """A generator class for Pelican (which instantiates generators itself) bound to ``run``."""
    return type("DirectoryGenerator", (DirectoryGenerator,), {"run": run})


class DirectoryGenerator(Generator):
    """Writes the directory, certificate, device and vendor pages and the open data."""

    run: Run | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.run is None:  # plain `pelican`: a context of its own, no last build
            self.run = Run(context(self.settings), incremental.Plan(None, Path(self.output_path)))
        self.run.generator = self
        self.ctx = self.run.context
        self.plan = self.run.plan
        # Vendor text reaches these pages: escape it whatever the settings say, and show
        # bidirectional controls instead of obeying them (model/text.py).
        self.env.autoescape = True
        self.env.finalize = text.finalize
        self.env.globals.update(
            security_profile_title=SECURITY_PROFILE_TITLES.get,
            hardware_words=lambda key: HARDWARE_WORDS.get(key, key),
            performance_label=lambda name: name.replace("_", " "),
        )
        self.env.filters["hardware_words"] = self.env.globals["hardware_words"]
        languages.install(self.env)
        if self.ctx.cache:  # compiled templates kept between builds (0.6 s of a rebuild; keyed by their source)
            from jinja2 import FileSystemBytecodeCache

            (self.ctx.cache / "jinja").mkdir(parents=True, exist_ok=True)
            self.env.bytecode_cache = FileSystemBytecodeCache(str(self.ctx.cache / "jinja"))
        self.directory: Directory | None = None
        self.binaries = workers.Binaries(self.ctx.cache)

    def generate_context(self) -> None:
        ctx = self.ctx
        program = load_program(ctx.program_file)
        # Part of every cache key: checked records and rendered parts both depend on the rules.
        self.program_digest = incremental.digest(ctx.program_file.read_bytes())
        self.theme_digest = incremental.tree_digest(Path(self.theme))
        self.load(program)
        kept = self.kept_folder
        # The search index's postings, updated for the changed records (tokens depend on the code
        # and the program's titles, and on the vendors' other names, vendors.yaml's).
        names = json.dumps([(v.name, v.entry.aliases, v.entry.former_names) for v in self.directory.vendors if v.entry])
        self.kept_index = search.KeptIndex(KeptFile(kept / "search.pickle" if kept else None, search.INDEX_FORMAT,
                                                    incremental.digest(code_digest(), self.program_digest, names)))
        self.run.report = Report(self.directory, self.binaries, self.records_reused)
        self.context["ocpp_directory"] = self.directory
        # Every page, Pelican's content pages too, links its canonical address and the feed.
        self.context["PUBLIC_BASE"] = ctx.public_base
        self.context["OCPP_FEED_ATOM"] = ctx.feed
        languages.install_words(self.env, program.translations)
        self.env.globals.update(
            program=program,
            version_of=program.rules_of,
            device_type_title=lambda key: program.device_types[key].title,
            profile_titles=self.profile_titles,
            kept_row=self.kept_row,
            guide_name=logos.guide_name,
            # the one owner of the addresses (model/addresses.py): a certificate's path, and its pattern for
            # the scripts (data-certificate)
            certificate_path=addresses.certificate,
            certificate_address=addresses.certificate("{id}"),
        )

    def load(self, program, quiet: bool = False) -> None:
        """Read and check every record (raises :class:`ValidationFailed`), make the log from them, and
        give the templates the new directory.

        Called again by the devserver when only records changed (:mod:`.resident`), ``quiet``: a
        moment's work, with no progress to show."""
        ctx = self.ctx
        salt = incremental.digest(code_digest(), self.program_digest, ctx.date)
        # What is kept for this records folder (its checked records, parts, index, documents).
        kept = self.kept_folder = folder_cache(ctx.cache, ctx.certificates) if ctx.cache else None
        records = RecordCache(kept / "records.pickle" if kept else None, salt, self.run.resident)
        base = self._log_base()
        directory = load_directory(ctx.certificates, program, ctx.date, progress=None if quiet else ctx.progress,
                                   cache=records, published=certlog.first_seen(base) if base else None)
        check_issued(directory, KeptFile(kept / "documents.pickle" if kept else None,
                                         "documents-1", salt))  # each issued document against its record
        self.directory = directory
        self.records_reused = records.hits
        # Each certificate's parts of the directory-wide files and the log (a record's key names its
        # parts; the templates shape its row of the tables of certificates).
        self.memo = Memo(RecordCache(kept / "parts.pickle" if kept else None,
                                     incremental.digest(code_digest(), self.program_digest, ctx.public_base,
                                                        self.theme_digest), self.run.resident),
                         directory.digests)
        self._log(base)
        self.env.globals.update(directory=directory, device_of=directory.device_of.__getitem__)

    def _log_base(self) -> list[bytes] | None:
        """The entries of the live log this build extends (publishing gives it), or None."""
        try:
            return certlog.read_base(self.ctx.log_base) if self.ctx.log_base else None
        except (OSError, tlog.LogError) as exc:
            raise DirectoryError(f"the certificate log: {exc}") from None

    def _log(self, base: list[bytes] | None) -> None:
        """The certificate log: the live log this build extends (if any), then what it lacks."""
        ctx = self.ctx
        try:
            self.log_key = certlog.load_key(ctx.log_key) if ctx.log_key else None
            self.log = certlog.build(self.directory, list(ctx.corrections), base, self.memo)
        except (OSError, tlog.LogError) as exc:
            raise DirectoryError(f"the certificate log: {exc}") from None
        self.log_vkey = certlog.verifier(self.log_key, ctx.log_origin).vkey() if self.log_key else None

    def generate_output(self, writer) -> None:
        # Once a generator: the devserver renders a saved record's pages with the last good build's generator
        # (resident.py), whose theme, artwork, program and settings are this build's.
        self.shared = self.shared_key()
        b = self.build_state(self.units_into(self.plan, Path(self.output_path), writer))
        certificates.write(b)
        listings.write(b)
        self.run.report.search = b.search
        self.memo.save()

    def build_state(self, units: Units) -> Build:
        """What the outputs are made from (:mod:`.registry`), made once: the outputs never see this generator."""
        d = self.directory
        content = self.context.get("pages", [])
        return Build(
            ctx=self.ctx, directory=d, plan=units.plan, units=units, memo=self.memo, log=self.log,
            log_key=self.log_key, log_vkey=self.log_vkey, binaries=self.binaries, shared=self.shared,
            kits=logos.kits(d.program, d.certificates), by_year=listings.by_year(d.certificates),
            pages=[page.save_as for page in content] + [t.save_as for page in content for t in page.translations],
            theme=Path(self.theme), output=Path(self.output_path), sitename=self.settings["SITENAME"],
            kept_index=self.kept_index, row_kind=self.row_kind)

    def units_into(self, plan: incremental.Plan, output: Path, writer) -> Units:
        """Units writing into ``output`` (the folder of Pelican's ``writer``), recorded in ``plan``."""
        def write_page(name: str, template: str, lang: str = "en", **values) -> None:
            # a page served at any address (404.html) links by root-absolute or absolute addresses, never relative
            relative = self.settings["RELATIVE_URLS"] and not values.pop("absolute_urls", False)
            siteurl = path_to_url(get_relative_path(name)) if relative else self.settings["SITEURL"]
            writer.write_file(name, self.get_template(template), self.context, relative_urls=relative,
                              LANG=lang, HOME=languages.home(siteurl, lang), **values)

        return Units(plan, output, write_page, self.ctx.languages)

    def shared_key(self) -> str:
        """The key part every unit shares: code, theme, logo artwork and fonts, program file and settings."""
        settings = {k: v for k, v in self.settings.items() if k.isupper() and k not in VOLATILE_SETTINGS}
        return incremental.digest(
            code_digest(),
            self.theme_digest,
            incremental.tree_digest(glyphs.ASSETS),
            self.program_digest,
            json.dumps(settings, sort_keys=True, default=lambda v: type(v).__name__),
            self.ctx.public_base,
            self.ctx.qr_warning,
        )

    def kept_row(self, cert: Certificate, show_vendor: bool, show_device: bool, home: str, lang: str) -> Markup:
        """``certificate_row`` (macros.html), kept with the certificate's other parts. A row is kept
        with a placeholder for where the page's language starts, which differs with the page's
        depth when links are relative, so that every page listing the certificate shares it."""
        def make() -> str:  # on a miss only: get_template checks the template file's date each call
            row = self.env.get_template("macros.html").make_module({"LANG": lang}).certificate_row
            return str(row(cert, show_vendor, show_device, ROW_ROOT))

        row = self.memo(self.row_kind(cert, show_vendor, show_device, lang), cert, make)
        return Markup(row.replace(ROW_ROOT, str(escape(home))))

    def row_kind(self, cert: Certificate, show_vendor: bool, show_device: bool, lang: str) -> str:
        """The memo kind of a certificate's table row: what besides the record it shows."""
        device = self.directory.device_of[cert.id]
        return f"table-row\0{lang}\0{show_vendor}\0{show_device}\0{device.url}\0{device.vendor.url}"

    def profile_titles(self, cert: Certificate) -> list[str]:
        version = self.directory.program.rules_of(cert)
        return [version.profiles[p].title for p in version.profiles if p in cert.profiles]
