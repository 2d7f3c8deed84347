"""One certificate record: the rules of the record format, applied to one file.

Rules that need several records (unique ids, white labels, vendor names) live
in :mod:`.directory`. Which fields there are is declared in :mod:`.format`.
"""

from __future__ import annotations

import datetime as dt
import re

import pycountry

from .certificate import Certificate, Hardware, Results
from .documents import read_document, read_revisions
from .numbering import check_number, number_text
from .errors import Problem
from .fields import Fields, is_https_url, quote
from .format import TOP_OPTIONAL, TOP_REQUIRED, keys
from .loader import Mapping, load
from .text import mixed_scripts
from .features import read_features, read_hfs
from .part5 import HARDWARE_FIELDS
from .program import Program

SOURCES = {"directory": "a full record, checked against every rule",
           "oca-listing": "only what the OCA's listing publishes; the rest is in the certificate document"}
PERFORMANCE_NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
COUNTRY_CODES = frozenset(c.alpha_2 for c in pycountry.countries)
#: longest vendor name, device name, model, software version, tool or report reference
NAME_MAX = 120
STATEMENT_MAX = 4000

HARDWARE_CHOICES = HARDWARE_FIELDS


def read_record(path: str, data: bytes, program: Program, today: dt.date) -> tuple[Certificate | None, list[Problem]]:
    """Check one record file. Every problem found is returned, not just the first."""
    root, problems = load(data, path)
    if root is None:
        return None, problems
    f = Fields(path, problems)
    cert = _Record(f, root, program, today).read()
    if any(not p.warning for p in f.problems):
        return None, f.problems
    return cert, f.problems


class _Record:
    def __init__(self, f: Fields, root: Mapping, program: Program, today: dt.date):
        self.f = f
        self.root = root
        self.program = program
        self.today = today

    def read(self) -> Certificate | None:
        f, root = self.f, self.root
        top = f.mapping(root, "record", required=TOP_REQUIRED, optional=TOP_OPTIONAL)

        numbering = self.program.numbering
        cid = f.string(f.get(top, "id"), "id")
        if cid is not None and not numbering.accepts(cid):
            f.add(f.get(top, "id").line, "id", f"{quote(cid)} is not a certificate number", number_text(numbering))
            cid = None
        if cid is not None:
            stem = f.path.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".yaml")
            if stem != cid:
                f.add(f.get(top, "id").line, "id", f"{cid} differs from the file name {stem}.yaml",
                      f"the file named {cid}.yaml")

        issued = f.date(f.get(top, "issued"), "issued")
        if issued is not None and issued > self.today:
            f.add(f.get(top, "issued").line, "issued", f"{issued} is in the future",
                  f"a date on or before the build date {self.today}")

        self.source = f.choice(f.get(top, "source"), "source", SOURCES) or "directory"
        self.listing = self.source == "oca-listing"
        version = self._version(f.get(top, "ocpp_version"))
        version = self._edition(f.get(top, "edition"), version, issued)
        self.version = version
        device_type, device = self._device(f.get(top, "device"))
        vendor = self._vendor(f.get(top, "vendor"))
        profiles = self._profiles(f.get(top, "profiles"), version, device_type)
        features = self._features(top, version, profiles, device_type)
        security = self._security(top, version, profiles)
        if f.get(top, "test") is None and not self.listing and top is not None:
            f.add(top.line, "test", "is missing",
                  "the tests' laboratory, date, tool, reports and results; a certificate known only from the "
                  "OCA's listing says source: oca-listing")
        test = self._test(f.get(top, "test"), issued)
        performance = self._performance(f.get(top, "performance"))
        statement = f.string(f.get(top, "statement"), "statement", max_len=STATEMENT_MAX, multiline=True)
        white_label_of = f.string(f.get(top, "white_label_of"), "white_label_of")
        if white_label_of is not None and not numbering.accepts(white_label_of):
            f.add(f.get(top, "white_label_of").line, "white_label_of",
                  f"{quote(white_label_of)} is not a certificate number", "the number of another certificate")
            white_label_of = None
        if white_label_of is not None and white_label_of == cid:
            f.add(f.get(top, "white_label_of").line, "white_label_of", "names this certificate itself",
                  "the id of the certificate of the product that was tested")
        check_number(f, self.program, f.get(top, "id").line if cid else 0, cid, version, device_type, white_label_of)
        document = read_document(f, f.get(top, "document"), "document")
        revisions = read_revisions(f, f.get(top, "revisions"), issued, self.today)

        if f.problems and any(not p.warning for p in f.problems):
            return None
        lines = {key: line for key, (line, _) in top.entries.items()}
        vendor_map = f.get(top, "vendor")
        lines["vendor.name"] = f.key_line(vendor_map, "name", lines["vendor"])
        lines["device.software_version"] = f.key_line(f.get(top, "device"), "software_version", lines["device"])
        return Certificate(
            id=cid,
            issued=issued,
            ocpp_version=version.key,
            profiles=profiles,
            vendor_name=vendor[0],
            vendor_country=vendor[1],
            vendor_website=vendor[2],
            device_name=device["name"],
            device_type=device_type,
            models=device["models"],
            software_version=device["software_version"],
            hardware=device["hardware"],
            features=features,
            security_profiles=security,
            laboratory=test["laboratory"],
            test_date=test["date"],
            test_tool=test["tool"],
            reports=test["reports"],
            results=test["results"],
            performance=performance,
            statement=statement,
            white_label_of=white_label_of,
            edition=f.string(f.get(top, "edition"), "edition") or "",
            certificate_type=version.certificate_type(profiles),
            source=self.source,
            document=document,
            revisions=revisions,
            path=f.path,
            lines=lines,
        )

    # -- fields ----------------------------------------------------------------
    def _version(self, node):
        f = self.f
        value = f.string(node, "ocpp_version")
        if value is None:
            return None
        if value in self.program.ineligible_versions:
            f.add(node.line, "ocpp_version", f"OCPP {value} is never eligible for certification (section 2)",
                  "one of: " + ", ".join(self.program.versions))
            return None
        if value not in self.program.versions:
            f.add(node.line, "ocpp_version", f"{quote(value)} is not a version of the certification program",
                  "one of: " + ", ".join(self.program.versions))
            return None
        return self.program.versions[value]

    def _vendor(self, node):
        f = self.f
        m = f.mapping(node, "vendor", required=keys("vendor", True), optional=keys("vendor", False))
        name = f.string(f.get(m, "name"), "vendor.name", max_len=NAME_MAX)
        foreign = mixed_scripts(name) if name else []
        if foreign:
            f.add(f.get(m, "name").line, "vendor.name", "mixes Latin letters with letters of another script: "
                  + ", ".join(foreign[:5]), "one script, as the vendor writes its name: a look-alike name passes "
                  "for another vendor's", warning=True)
        country_node = f.get(m, "country")
        country = f.string(country_node, "vendor.country")
        if country is not None and country not in COUNTRY_CODES:
            hint = f" (did you mean {country.upper()}?)" if country.upper() in COUNTRY_CODES else ""
            f.add(country_node.line, "vendor.country", f"{quote(country)} is not an ISO 3166-1 country code{hint}",
                  "two upper-case letters, such as NL, DE or KR")
            country = None
        website_node = f.get(m, "website")
        website = f.string(website_node, "vendor.website", max_len=500)
        if website is not None and not is_https_url(website):
            f.add(website_node.line, "vendor.website", f"{quote(website)} is not an https:// address",
                  "an address starting with https://, such as https://example.com")
            website = None
        return name, country, website

    def _device(self, node):
        f = self.f
        m = f.mapping(node, "device", required=keys("device", True), optional=keys("device", False))
        device_type = f.choice(f.get(m, "type"), "device.type", self.program.device_types)
        name = f.string(f.get(m, "name"), "device.name", max_len=NAME_MAX)
        models = f.string_list(f.get(m, "models"), "device.models", max_len=NAME_MAX)
        software = f.string(f.get(m, "software_version"), "device.software_version", max_len=NAME_MAX, must_quote=True)
        if m is not None and f.get(m, "software_version") is None and not self.listing:
            f.add(m.line, "device.software_version", "is missing",
                  "the OCPP software version certified, quoted, such as \"4.10.0\"")
        hardware_node = f.get(m, "hardware")
        hardware = None
        if device_type == "csms" and hardware_node is not None:
            f.add(f.key_line(m, "hardware"), "device.hardware", "is given for a CSMS",
                  "no hardware for a CSMS: the hardware feature set is a charging station's")
        elif device_type == "charging-station":
            if hardware_node is None and m is not None and not self.listing:
                f.add(m.line, "device.hardware", "is missing",
                      "the hardware feature set of the charging station: evse, connection, rfid, communication")
            hardware = self._hardware(hardware_node) if hardware_node is not None or not self.listing else None
        return device_type, {
            "name": name,
            "models": tuple(models or ()),
            "software_version": software,
            "hardware": hardware,
        }

    def _hardware(self, node) -> Hardware | None:
        f = self.f
        m = f.mapping(node, "device.hardware", required=keys("device.hardware", True),
                      optional=keys("device.hardware", False))
        if m is None:
            return None
        evse = f.choice(f.get(m, "evse"), "device.hardware.evse", HARDWARE_CHOICES["evse"])
        rfid = f.choice(f.get(m, "rfid"), "device.hardware.rfid", HARDWARE_CHOICES["rfid"])
        connection = f.string_list(f.get(m, "connection"), "device.hardware.connection",
                                   choices=HARDWARE_CHOICES["connection"])
        communication = f.string_list(f.get(m, "communication"), "device.hardware.communication",
                                      choices=HARDWARE_CHOICES["communication"])
        hfs = read_hfs(f, m, self.version, {"connection": connection, "evse": evse, "rfid": rfid,
                                            "communication": communication})
        if None in (evse, rfid, connection, communication, hfs):
            return None
        return Hardware(evse, tuple(connection), rfid, tuple(communication), hfs)

    def _profiles(self, node, version, device_type) -> tuple[str, ...] | None:
        """The profiles, or None when they cannot be read (rules that need them are skipped)."""
        f = self.f
        if version is None:
            f.sequence(node, "profiles")
            return None
        profiles = f.string_list(node, "profiles", choices=version.profiles)
        if profiles is None:
            return None
        line = node.line
        for key in profiles:
            allowed = version.profiles[key].device_types
            if device_type is not None and device_type not in allowed:
                kind = self.program.device_types[device_type].title
                f.add(line, "profiles", f"{key} is not a profile for a {kind}",
                      f"{key} only for: {', '.join(allowed)}"
                      + ("; a CSMS is certified for the whole specification (section 6.2.1)"
                         if device_type == "csms" else ""))
        for group in version.exclusive:
            together = [p for p in group if p in profiles]
            if len(together) > 1:
                f.add(line, "profiles", f"{' and '.join(together)} are listed together",
                      f"at most one of: {', '.join(group)}")
        for key in version.required_profiles:
            if key not in profiles:
                f.add(line, "profiles", f"{key} is missing",
                      f"every {version.title} certificate includes {key}")
        for key in profiles:
            for needed in version.profiles[key].requires:
                if needed not in profiles:
                    f.add(line, "profiles", f"{key} is listed without {needed}", f"{key} requires {needed}")
        return tuple(profiles)

    def _features(self, top, version, profiles, device_type) -> tuple[str, ...]:
        if version is None or profiles is None:
            return ()
        return read_features(self.f, top, version, profiles, device_type, self.listing)

    def _security(self, top, version, profiles) -> tuple[int, ...]:
        f = self.f
        node = f.get(top, "security_profiles")
        if version is None or profiles is None:
            return ()
        requiring = [p for p in profiles if version.profiles[p].security_required and not self.listing]
        if node is None:
            if requiring:
                f.add(top.line, "security_profiles", "is missing",
                      f"the security profiles tested, required with {requiring[0]}")
            return ()
        if version.security_only_with and not any(p in profiles for p in version.security_only_with):
            f.add(f.key_line(top, "security_profiles"), "security_profiles",
                  f"is given without the {' or '.join(version.security_only_with)} profile",
                  f"security profiles only on a certificate with {' or '.join(version.security_only_with)}")
            return ()
        values = f.int_list(node, "security_profiles", choices=version.security_values)
        if values is None:
            return ()
        for key in requiring:
            one_of = version.profiles[key].security_one_of
            if one_of and not any(v in values for v in one_of):
                f.add(node.line, "security_profiles", f"none of {' or '.join(map(str, one_of))} is listed",
                      f"{version.profiles[key].title} needs security profile {' or '.join(map(str, one_of))}"
                      " (Appendix A)")
        return tuple(sorted(values))

    def _test(self, node, issued):
        f = self.f
        if node is None:
            return {"laboratory": None, "date": None, "tool": None, "reports": (), "results": None}
        m = f.mapping(node, "test", required=keys("test", True))
        lab_node = f.get(m, "laboratory")
        lab = f.choice(lab_node, "test.laboratory", self.program.laboratories)
        date_node = f.get(m, "date")
        date = f.date(date_node, "test.date")
        if date is not None and issued is not None and date > issued:
            f.add(date_node.line, "test.date", f"{date} is after the issue date {issued}",
                  "the date of the tests, on or before the issue date")
        if lab is not None and date is not None:
            laboratory = self.program.laboratories[lab]
            if not laboratory.authorised_on(date):
                f.add(lab_node.line, "test.laboratory", f"{lab} was not authorised on {date}",
                      f"a laboratory authorised on the test date; {lab} is authorised {laboratory.period()}")
        tool = f.string(f.get(m, "tool"), "test.tool", max_len=NAME_MAX)
        reports = f.string_list(f.get(m, "reports"), "test.reports", max_len=NAME_MAX)
        rm = f.mapping(f.get(m, "results"), "test.results", required=keys("test.results", True))
        counts = {
            key: f.integer(f.get(rm, key), f"test.results.{key}", minimum=0)
            for key in ("passed", "failed", "not_applicable")
        }
        if counts["failed"]:
            f.add(f.get(rm, "failed").line, "test.results.failed", f"{counts['failed']} tests failed",
                  "0: every conformance test must pass (section 7.11)")
        results = Results(**counts) if None not in counts.values() else None
        return {"laboratory": lab, "date": date, "tool": tool, "reports": tuple(reports or ()), "results": results}

    def _edition(self, node, version, issued):
        """The rules of the edition the record names, or of the version's first."""
        f = self.f
        if version is None:
            return None
        key = f.string(node, "edition")
        if key is None:
            return version
        if key not in version.editions:
            f.add(node.line, "edition", f"{quote(key)} is not an edition of the procedure for {version.title}",
                  "one of: " + ", ".join(version.editions))
            return None
        edition = version.editions[key]
        if edition.since and issued is not None and issued < edition.since:
            f.add(node.line, "edition", f"{key} applies since {edition.since}, after the issue date {issued}",
                  f"an edition that applied on {issued}")
        return edition

    def _performance(self, node) -> tuple[tuple[str, str], ...]:
        f = self.f
        m = f.mapping(node, "performance", any_keys=True)
        if m is None:
            return ()
        values = []
        for key, (line, value_node) in m.entries.items():
            if not PERFORMANCE_NAME.match(key):
                f.add(line, f"performance.{key}", "is not a snake_case name", "a name such as boot_to_accepted_s")
                continue
            value = f.number(value_node, f"performance.{key}")
            if value is not None:
                values.append((key, value))
        return tuple(values)

