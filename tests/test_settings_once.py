"""The settings file runs once a build, and once a publish (issue 36); ``SITEURL`` is judged by one rule.

The oracle for the first is the settings file itself: it writes a line each time Python runs it. For
the second, RFC 2606 and RFC 6761 (the names reserved for examples, tests and a host's own network)
and the build's, ``make issue``'s and ``make publish``'s verdicts on the same addresses.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ocpp_directory.model.addresses import SiteAddress
from ocpp_directory.pipeline.build import build
from ocpp_directory.pipeline.settings import context

from .conftest import ROOT
from .test_publish import A, cert, records


def counting_settings(tmp_path: Path, extra: str = "") -> tuple[Path, Path]:
    """A settings file like pelicanconf.py that adds a line to a file each time it runs."""
    runs = tmp_path / "runs.txt"
    conf = tmp_path / "conf.py"
    conf.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *\n"
                    f"OCPP_CACHE_PATH = {str(tmp_path / 'cache')!r}\n{extra}"
                    f"with open({str(runs)!r}, 'a') as f:\n    f.write('run\\n')\n", "utf-8")
    return conf, runs


def test_a_build_runs_the_settings_file_once(tmp_path):
    conf, runs = counting_settings(tmp_path)
    certs = records(tmp_path / "r", cert(A))
    build(str(conf), tmp_path / "out", certificates=str(certs), date="2026-11-24")
    assert runs.read_text().count("run") == 1
    assert (tmp_path / "out" / "certificates" / A / "index.html").is_file()
    runs.unlink()
    built = subprocess.run([sys.executable, "-m", "ocpp_directory", "build", "--settings", str(conf), "--certificates",
                            str(certs), "--output", str(tmp_path / "out2"), "--date", "2026-11-24"], cwd=ROOT,
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")})
    assert built.returncode == 0, built.stderr
    assert runs.read_text().count("run") == 1


def test_a_publish_runs_the_settings_file_once(tmp_path):
    """A publish reads the settings, checks them and builds (twice when it writes a correction): one run,
    so a value the file takes from the environment or the clock is the same for every reader."""
    from ocpp_directory.publishing.flow import publish_site
    from ocpp_directory.publishing.targets import LocalTarget

    conf, runs = counting_settings(tmp_path, "SITEURL = 'https://certification.openchargealliance.org'\n")
    certs = records(tmp_path / "r", cert(A))
    publish_site(str(conf), tmp_path / "output", LocalTarget(tmp_path / "target"), certificates=str(certs),
                 date="2026-11-24", staging=True)
    assert runs.read_text().count("run") == 1
    page = (tmp_path / "target" / "current" / "certificates" / A / "index.html").read_text("utf-8")
    assert "https://certification.openchargealliance.org/certificates/" in page  # the file's SITEURL, read once


#: (SITEURL, codes may be printed, may be the production site), from RFC 2606 / RFC 6761 and the schemes
ADDRESSES = [
    ("", False, False),
    ("/", False, False),
    ("certification.openchargealliance.org", False, False),  # not absolute
    ("http://localhost:8000", False, False),
    ("http://127.0.0.1:8000/", False, False),
    ("http://dev.localhost", False, False),  # RFC 6761 6.3
    ("http://certification.openchargealliance.org", True, False),  # public, but not https
    ("https://certification.openchargealliance.example", True, False),  # RFC 2606 .example
    ("https://directory.test", True, False),  # RFC 2606 .test
    ("https://directory.invalid", True, False),  # RFC 2606 .invalid
    ("https://www.example.com", True, False),  # RFC 2606 second-level
    ("https://example.org", True, False),
    ("https://certification.openchargealliance.org", True, True),
    ("https://certification.openchargealliance.org/", True, True),
    ("https://인증.example.kr", True, True),
]


@pytest.mark.parametrize("siteurl, printable, production", ADDRESSES)
def test_one_rule_judges_the_site_address_everywhere(tmp_path, siteurl, printable, production):
    """The build's context (the labels' NOT FOR PRINT), the production publish and ``make issue``
    all ask SiteAddress, and agree."""
    from ocpp_directory.model.errors import DirectoryError
    from ocpp_directory.publishing.production import ProductionRefusal, check_settings

    site = SiteAddress.of(siteurl)
    assert (site.print_problem() is None) is printable
    assert (site.production_problem() is None) is production
    built = context({"SITEURL": siteurl})
    assert (built.qr_warning is None) is printable
    assert built.public_base == (siteurl.rstrip("/") if site.absolute else "http://localhost:8000")
    if not printable:
        with pytest.raises(DirectoryError, match="must NOT be printed"):
            context({"SITEURL": siteurl, "OCPP_REQUIRE_PRINTABLE_QR": True})
    key = tmp_path / "log.pem"
    key.write_text("unused")
    key.chmod(0o600)
    if production:
        check_settings({"OCPP_LOG_KEY": str(key)}, site.given)
    else:
        with pytest.raises(ProductionRefusal, match="SITEURL is"):
            check_settings({"OCPP_LOG_KEY": str(key)}, site.given)


def test_make_issue_takes_the_address_from_publishconf_once_and_refuses_its_placeholder(tmp_path):
    """``make issue`` without SITEURL reads publishconf.py's (through --settings, not a second reader)."""
    import shutil

    from .signing_keys import make_keys

    certs = tmp_path / "records"
    (certs / "2024").mkdir(parents=True)
    shutil.copy(ROOT / "certificates" / "2024" / "OCA.0016.0115.CS.yaml", certs / "2024" / "OCA.0016.0115.CS.yaml")
    keys = make_keys(tmp_path / "keys")
    env = {k: v for k, v in os.environ.items() if k != "SITEURL"}
    refused = subprocess.run(["make", "-s", "issue", f"CERTIFICATES={certs}", f"OCPP_SIGNING_KEY={keys['key']}",
                              f"OCPP_SIGNING_CERT={keys['chain']}"], cwd=ROOT, capture_output=True, text=True,
                             env={**env, "OCPP_CACHE_PATH": str(tmp_path / "cache")}, timeout=600)
    assert refused.returncode != 0
    assert "certification.openchargealliance.example, a placeholder or test address" in refused.stderr
    assert not list(certs.rglob("*.pdf"))
