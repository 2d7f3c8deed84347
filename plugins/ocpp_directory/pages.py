"""The Pelican generator: records in, directory pages out.

Pelican's two phases are kept apart on purpose: ``generate_context`` reads and
checks every record (raising :class:`ValidationFailed` before Pelican's writer
exists), ``generate_output`` only renders. One generator renders all pages from
the in-memory model: no Markdown file per certificate.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

from pelican.generators import Generator

from .directory import Directory, load_directory
from .program import load_program
from .records import Certificate

#: settings this plugin reads, with their defaults
DEFAULTS = {
    "OCPP_CERTIFICATES": "certificates",
    "OCPP_PROGRAM_FILE": "program.yaml",
    # ISO date that `issued` may not pass; default: SOURCE_DATE_EPOCH or today (UTC)
    "OCPP_BUILD_DATE": None,
    # callable(stage: str, done: int, total: int), for the command line's progress
    "OCPP_PROGRESS": None,
    # a dict the generator fills with the model it built, for the summary
    "OCPP_REPORT": None,
}

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


def setting(settings: dict, key: str):
    return settings.get(key, DEFAULTS[key])


def build_date(settings: dict) -> dt.date:
    """The date records are judged against (fixed for reproducible builds)."""
    fixed = setting(settings, "OCPP_BUILD_DATE")
    if fixed:
        return dt.date.fromisoformat(str(fixed))
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.datetime.now(dt.timezone.utc).date()


def resolve(settings: dict, key: str) -> Path:
    """A path setting, relative to the folder of the settings file's project."""
    path = Path(setting(settings, key))
    return path if path.is_absolute() else Path(os.getcwd(), path)


class DirectoryGenerator(Generator):
    """Writes the directory, certificate, device and vendor pages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Vendor text reaches these pages: escape it whatever the settings say.
        self.env.autoescape = True
        self.env.globals.update(
            security_profile_title=SECURITY_PROFILE_TITLES.get,
            hardware_words=lambda key: HARDWARE_WORDS.get(key, key),
            performance_label=lambda name: name.replace("_", " "),
        )
        self.env.filters["hardware_words"] = self.env.globals["hardware_words"]
        self.directory: Directory | None = None
        self.pages_written = 0

    def _progress(self, stage: str, done: int, total: int) -> None:
        report: Callable | None = setting(self.settings, "OCPP_PROGRESS")
        if report is not None:
            report(stage, done, total)

    def generate_context(self) -> None:
        program = load_program(resolve(self.settings, "OCPP_PROGRAM_FILE"))
        self.directory = load_directory(resolve(self.settings, "OCPP_CERTIFICATES"), program,
                                        build_date(self.settings), progress=self._progress)
        self.context["ocpp_directory"] = self.directory
        report = setting(self.settings, "OCPP_REPORT")
        if report is not None:
            report["directory"] = self.directory
        self.env.globals.update(
            program=program,
            directory=self.directory,
            version_of=lambda cert: program.versions[cert.ocpp_version],
            device_of=self.directory.device_of.__getitem__,
            device_type_title=lambda key: program.device_types[key].title,
            profile_titles=self.profile_titles,
        )

    def profile_titles(self, cert: Certificate) -> list[str]:
        version = self.directory.program.versions[cert.ocpp_version]
        return [version.profiles[p].title for p in version.profiles if p in cert.profiles]

    def _write(self, writer, name: str, template: str, **kwargs) -> None:
        writer.write_file(
            name,
            self.get_template(template),
            self.context,
            relative_urls=self.settings["RELATIVE_URLS"],
            **kwargs,
        )
        self.pages_written += 1

    def generate_output(self, writer) -> None:
        d = self.directory
        self._write(writer, "index.html", "directory", certificates=d.certificates, page_url="")
        total = len(d.certificates)
        for done, cert in enumerate(d.certificates, 1):
            device = d.device_of[cert.id]
            self._write(
                writer,
                f"certificates/{cert.id}/index.html",
                "certificate",
                cert=cert,
                device=device,
                version=d.program.versions[cert.ocpp_version],
                laboratory=d.program.laboratories[cert.laboratory],
                tested=d.by_id.get(cert.white_label_of) if cert.white_label_of else None,
                white_labels=d.white_labels.get(cert.id, []),
                page_url=f"certificates/{cert.id}/",
            )
            if done % 500 == 0 or done == total:
                self._progress("certificate pages", done, total)
        for device in d.devices:
            self._write(writer, device.url + "index.html", "device", device=device, page_url=device.url)
        for vendor in d.vendors:
            self._write(writer, vendor.url + "index.html", "vendor", vendor=vendor, page_url=vendor.url)
        self._write(writer, "vendors/index.html", "vendors", vendors=d.vendors, page_url="vendors/")
