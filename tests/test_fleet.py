"""Is this charger certified? The fleet check (issue 35), from the command line and in Chromium, over the
sample site: every matching rule, each with the rows an operator's file really holds, and bad files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ocpp_directory.model.fleet import FleetError, loose_key, name_key, read_fleet

from .conftest import ROOT

#: (vendor, model, firmware, ocpp_version) -> (verdict, certificate, certified_versions)
ROWS = [
    (("Voltaris Energy B.V.", "VD22-S", "4.10.0", ""), ("certified", "OCA.0016.0115.CS", "")),
    (("VOLTARIS ENERGY BV", "vd22s", " 4.10.0 ", ""), ("certified", "OCA.0016.0115.CS", "")),  # case, punctuation
    (("Voltaris", "VD22-C", "4.10.0", "1.6"), ("certified", "OCA.0016.0115.CS", "")),  # an alias (vendors.yaml)
    (("Voltaris Energy", "VD22-S", "4.10.0", ""), ("certified", "OCA.0016.0115.CS", "")),  # the legal form left out
    (("Voltaris Energy B.V.", "VD22-S", "4.10.0-b12", ""), ("not-certified", "", "4.10.0 4.8.2 5.0.1")),
    (("Voltaris Energy B.V.", "VD22-S", "v4.10.0", ""), ("not-certified", "", "4.10.0 4.8.2 5.0.1")),
    (("Voltaris Energy B.V.", "VD22-S", "4.10.1", ""), ("not-certified", "", "4.10.0 4.8.2 5.0.1")),  # one digit off
    (("Voltaris Energy B.V.", "VD22-S", "4.1", ""), ("not-certified", "", "4.10.0 4.8.2 5.0.1")),
    (("Voltaris Energy B.V.", "VD22-S", "4.10.0", "2.0.1"), ("not-certified", "", "5.0.1")),  # another OCPP version
    (("Hanbit Charging Co., Ltd.", "HB-100D", "4.0.0", ""), ("certified", "OCA.0201.0026.CS", "")),  # a Latin name
    (("한빛충전", "HB-100S", "3.4.2", ""), ("certified", "OCA.0016.0108.CS", "")),  # without 주식회사
    (("Nordlicht Elektro GmbH", "NL-W7", "2.2.0", ""), None),  # a former name: whatever its records say
    (("Unknown Corp", "X1", "1.0", ""), ("unknown-device", "", "")),
    (("Voltaris Energy B.V.", "VD99", "4.10.0", ""), ("unknown-device", "", "")),
]


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ocpp_directory", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")}, timeout=300)


def fleet_file(path: Path, rows=ROWS, header="vendor,model,firmware,ocpp_version,serial") -> Path:
    lines = [header] + [",".join(f'"{v}"' for v in (*row, f"SN-{i}")) for i, (row, _) in enumerate(rows)]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def expected_rows(samples):
    """ROWS, the former-name row's expectation read from the records."""
    out = []
    for row, want in ROWS:
        if want is None:
            certs = [c for c in samples.certificates if samples.device_of[c.id].vendor.name ==
                     "Nordlicht Ladetechnik GmbH" and "NL-W7" in c.models and c.software_version == "2.2.0"]
            want = ("certified", " ".join(sorted(c.id for c in certs)), "") if certs else None
            if want is None:
                continue
        out.append((row, want))
    return out


def test_keys_ignore_case_accents_punctuation_and_only_then_the_legal_form():
    assert name_key("Voltaris Energy B.V.") == name_key("VOLTARIS  energy bv") == "voltarisenergybv"
    assert name_key("Énergie Borne SAS") == "energiebornesas"
    assert loose_key("Hanbit Charging Co., Ltd.") == "hanbitcharging" and loose_key("한빛충전 주식회사") == "한빛충전"
    assert loose_key("GmbH") == "gmbh"  # a name that is only a legal form stays itself


def test_the_command_line_gives_each_row_its_verdict(site, samples, tmp_path):
    rows = expected_rows(samples)
    path = fleet_file(tmp_path / "fleet.csv", rows)
    result = cli("check", str(path), "--site", str(site), "--out", str(tmp_path / "out.csv"))
    assert result.returncode == 1, result.stderr  # not every charger is certified
    import csv

    got = list(csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8")))
    assert len(got) == len(rows)
    for (row, want), line in zip(rows, got):
        assert (line["verdict"], line["certificate"], line["certified_versions"]) == want, row
        assert line["serial"].startswith("SN-")  # the input's columns are kept
    assert "not-certified" in result.stderr or "not certified" in result.stderr
    near = next(line for line in got if line["firmwareVersion" if "firmwareVersion" in line else "firmware"] == "4.10.0-b12")
    assert "'4.10.0-b12' is not '4.10.0'" in near["note"]


def test_every_row_certified_exits_0_and_the_bootnotification_names_are_columns(site, tmp_path):
    path = tmp_path / "fleet.csv"
    path.write_text("chargePointVendor;chargePointModel;firmwareVersion\nVoltaris Energy B.V.;VD22-S;4.10.0\n", "utf-8")
    result = cli("check", str(path), "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].endswith("certified,OCA.0016.0115.CS,,")
    assert "1 charger: 1 certified" in result.stderr


@pytest.mark.parametrize("content, message", [
    (b"", "line 1: empty; the first line names the columns"),
    (b"Voltaris Energy B.V.,VD22-S,4.10.0\n", "line 1: no vendor, model, firmware column"),
    (b"vendor|model|firmware\nVoltaris|VD22-S|4.10.0\n", "line 1: no vendor, model, firmware column"),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "line 1: this is not a text file"),
    (b"vendor,model,firmware\nVolt\xe9ris,VD22-S,4.10.0\n", "line 2: not UTF-8 text"),
    (b"vendor,model,firmware\n" + b"Voltaris,VD22-S,4.10.0\n" * 100_000, "line 50002: more than 50,000 chargers"),
])
def test_bad_fleet_files_get_a_clear_error_with_the_line(site, tmp_path, content, message):
    with pytest.raises(FleetError, match=message):
        read_fleet(content, "fleet.csv")
    path = tmp_path / "fleet.csv"
    path.write_bytes(content)
    result = cli("check", str(path), "--site", str(site))
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_a_cell_that_is_a_formula_stays_text(site, tmp_path):
    path = tmp_path / "fleet.csv"
    path.write_text('vendor,model,firmware\n"=HYPERLINK(""x"")",VD22-S,4.10.0\n', "utf-8")
    result = cli("check", str(path), "--site", str(site))
    assert "'=HYPERLINK" in result.stdout


def test_the_lookup_data_is_an_index_and_files_of_a_few_vendors(site):
    index = json.loads((site / "check" / "vendors.json").read_bytes())
    assert index["names"][name_key("Voltaris")] == "voltaris-energy-b-v"
    files = {int(p.stem): json.loads(p.read_bytes())["vendors"] for p in (site / "check" / "v").iterdir()}
    assert len(files) == 4  # 16 vendors: a power of two, about a quarter of them
    for vid in index["vendors"]:
        assert vid in files[index["bucket"][vid]]
    assert sum(len(group) for group in files.values()) == len(index["vendors"])


def test_the_browser_gives_the_same_verdicts(page, base_url, samples, site):
    """/check/ in Chromium: the rows above pasted, each verdict as the command line gives it; a download of
    the results; nothing fetched but the index and the files of the vendors named."""
    rows = expected_rows(samples)
    text = "vendor,model,firmware,ocpp_version\n" + "\n".join(",".join(f'"{v}"' for v in row) for row, _ in rows)
    page.goto(base_url + "/check/")
    page.fill("#check-text", text)
    page.click("#check button[type=submit]")
    page.wait_for_selector("#check-results:not([hidden])")
    results = page.evaluate("t => window.OCPPFleet.run(t)", text)
    for (row, want), got in zip(rows, results):
        assert (got["verdict"], got.get("certificate", ""), got.get("certified_versions", "")) == want, row
    fetched = [u for u in page.requests if "/check/" in u and u.endswith(".json")]
    files = {u.split("?")[0].rsplit("/", 1)[1] for u in fetched if "/check/v/" in u}
    index = json.loads((site / "check" / "vendors.json").read_bytes())
    named = {index["bucket"][samples.device_of[c.id].vendor.slug] for c in samples.certificates
             if samples.device_of[c.id].vendor.name in {"Voltaris Energy B.V.", "한빛충전 주식회사", "Nordlicht Ladetechnik GmbH"}}
    assert files == {f"{n}.json" for n in named}  # only the files of the vendors the fleet names
    assert page.locator("#check-download a").get_attribute("href").startswith("blob:")
    assert f"{len(rows)} chargers:" in page.locator("#check-status").inner_text()


def test_the_browser_says_what_is_wrong_with_a_bad_file(page, base_url):
    page.goto(base_url + "/check/")
    page.fill("#check-text", "Voltaris Energy B.V.;VD22-S;4.10.0")
    page.click("#check button[type=submit]")
    page.get_by_text("Line 1: no vendor, model, firmware column").wait_for()
