"""Bad input, tried as an attacker would (issue 34): files beside records, the importer, exports, Unicode and
the devserver. One hostile input a test, each checked for its message and its line, or for a bounded time."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ocpp_directory.importing.listing import import_listing
from ocpp_directory.model.directory import load_directory
from ocpp_directory.outputs import exports

from .conftest import ROOT, TODAY, VALID, line_of
from .test_import import listing, row, run

ID = "OCA.0016.0115.CS"


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The command line, bounded in time: a hang is a failure, not a stuck test run."""
    return subprocess.run([sys.executable, "-m", "ocpp_directory", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")})


@pytest.fixture
def folder(tmp_path) -> Path:
    """A records folder holding one valid record, ``2024/OCA.0016.0115.CS.yaml``."""
    certs = tmp_path / "certs"
    (certs / "2024").mkdir(parents=True)
    (certs / "2024" / f"{ID}.yaml").write_text(VALID, "utf-8")
    return certs


def validate(certs: Path) -> subprocess.CompletedProcess:
    return cli("validate", "--certificates", str(certs), "--date", "2026-11-24")


def id_line() -> int:
    return line_of(VALID, "id:")


# -- files beside records ---------------------------------------------------------------------------

def test_a_fifo_beside_a_record_is_refused_not_waited_for(folder):
    os.mkfifo(folder / "2024" / f"{ID}.pdf")
    result = validate(folder)  # before, validate and the build waited forever
    assert result.returncode == 1
    assert f"{ID}.yaml:{id_line()}: document: {ID}.pdf beside the record is a FIFO (named pipe), not a regular " \
           "file" in result.stderr
    built = cli("build", "--certificates", str(folder), "--output", str(folder.parent / "out"), "--date", "2026-11-24")
    assert built.returncode == 1 and "is a FIFO (named pipe), not a regular file" in built.stderr


def test_a_link_to_dev_zero_is_refused_not_read_forever(folder):
    os.symlink("/dev/zero", folder / "2024" / f"{ID}.pdf")
    result = validate(folder)
    assert f"document: {ID}.pdf beside the record is a device, not a regular file" in result.stderr
    text = VALID + "document:\n  file: zero.pdf\n"
    (folder / "2024" / f"{ID}.yaml").write_text(text, "utf-8")
    (folder / "2024" / f"{ID}.pdf").unlink()
    os.symlink("/dev/zero", folder / "2024" / "zero.pdf")
    result = validate(folder)
    assert f"{ID}.yaml:{line_of(text, 'document:')}: document.file: zero.pdf is a device, not a regular file" \
        in result.stderr


def test_an_issued_document_over_the_limit_is_refused_before_it_is_read(folder):
    with open(folder / "2024" / f"{ID}.pdf", "wb") as big:
        big.write(b"%PDF-1.7\n")
        big.truncate(3 * 1024**3)  # 3 GB, sparse: what matters is that it is never read
    start = time.monotonic()
    result = validate(folder)
    assert time.monotonic() - start < 30
    assert f"document: {ID}.pdf beside the record is 3221225472 bytes; the document make issue wrote, a PDF of " \
           "at most 20 MB" in result.stderr


def test_validate_and_the_build_judge_a_document_that_is_not_a_pdf_alike(folder):
    (folder / "2024" / f"{ID}.pdf").write_bytes(b"<html>not a PDF</html>")
    result = validate(folder)
    message = f"{ID}.yaml:{id_line()}: document: {ID}.pdf beside the record is not a PDF"
    assert result.returncode == 1 and message in result.stderr
    built = cli("build", "--certificates", str(folder), "--output", str(folder.parent / "out"), "--date", "2026-11-24")
    assert built.returncode == 1 and message in built.stderr


def test_validate_checks_an_issued_document_against_its_record_as_the_build_does(folder):
    """A PDF without the record attached: the build always refused it; validate now does too."""
    shutil.copy(ROOT / "tests" / "data" / "part5" / "OCPP-2.0.1_edition3_part5_certification_profiles.pdf",
                folder / "2024" / f"{ID}.pdf")
    result = validate(folder)
    assert result.returncode == 1 and f"{ID}.pdf holds no certificate.json" in result.stderr


def test_linked_records_and_folders_are_refused_on_their_line(folder, tmp_path):
    outside = tmp_path / "elsewhere"
    (outside / "more").mkdir(parents=True)
    (outside / "OCA.0016.0116.CS.yaml").write_text(VALID.replace(ID, "OCA.0016.0116.CS"), "utf-8")
    os.symlink(outside / "OCA.0016.0116.CS.yaml", folder / "2024" / "OCA.0016.0116.CS.yaml")
    os.symlink(outside / "more", folder / "2025")
    result = validate(folder)
    assert result.returncode == 1
    assert "2024/OCA.0016.0116.CS.yaml:1: file: OCA.0016.0116.CS.yaml is a symbolic link, which is not followed; " \
           "the record itself in the records folder: a link may point anywhere" in result.stderr
    assert "2025:1: file: 2025 is a symbolic link to a folder, which is not followed" in result.stderr


def test_cr_only_line_ends_report_the_right_line(folder):
    text = VALID.replace("country: NL", "country: Netherlands")
    (folder / "2024" / f"{ID}.yaml").write_bytes(text.replace("\n", "\r").encode("utf-8"))
    result = validate(folder)
    assert f"{ID}.yaml:{line_of(text, 'country:')}: vendor.country:" in result.stderr


def test_repeated_errors_of_one_file_are_counted_not_listed(folder):
    text = VALID + "aliases: [" + ", ".join("*a" for _ in range(40_000)) + "]\n"
    text = text.replace("statement: >-", "x: &a 1\nstatement: >-")
    (folder / "2024" / f"{ID}.yaml").write_text(text, "utf-8")
    result = validate(folder)
    lines = result.stderr.splitlines()
    assert len(lines) < 40
    assert any("39990 more like the ones above" in line for line in lines)


# -- the importer ------------------------------------------------------------------------------------

LINK = "https://openchargealliance.org/participants/ampeco-ltd/"


@pytest.mark.parametrize("company", ["Ampeco\x00LTD", "A" * 121])
def test_a_row_whose_record_is_invalid_is_refused_not_written(tmp_path, program, company):
    path = listing(tmp_path, row("OCA.0016.0509.CSMS", company, link=LINK), row("OCA.0016.0510.CSMS", link=LINK))
    summary, problems = run(path, tmp_path / "certs", program)
    assert (summary.written, summary.refused) == (1, 1)
    assert any(p.startswith(f"{path}:2: company: ") for p in problems)
    assert not list((tmp_path / "certs").rglob("OCA.0016.0509.CSMS.yaml"))
    load_directory(tmp_path / "certs", program, TODAY)  # the folder stays valid


def test_an_import_never_deletes_a_record_it_wrote_before(tmp_path, program):
    path = listing(tmp_path, row("OCA.0016.0602.CSMS", "Ampeco LTD"), row("W01.OCA.0016.0602.CSMS", "Resold Ltd"))
    certs = tmp_path / "certs"
    run(path, certs, program)
    original = certs / "2023" / "OCA.0016.0602.CSMS.yaml"
    original.write_text(original.read_text("utf-8").replace('"Full"', '"Security"').replace('"full"', '"security"'),
                        "utf-8")  # edited by hand: the white label no longer matches it
    summary, problems = run(path, certs, program)
    assert (certs / "2023" / "W01.OCA.0016.0602.CSMS.yaml").exists()
    assert any("W01.OCA.0016.0602.CSMS" in p for p in problems)


def test_a_file_with_no_rows_or_only_refused_rows_says_why(tmp_path, program):
    header_only = listing(tmp_path, name="empty.csv")
    summary, problems = run(header_only, tmp_path / "certs", program)
    assert problems == [f"{header_only}:1: file: has a header and no rows; the listing's rows"]
    refused = listing(tmp_path, row("OCA.0016.0509.CSMS", country="Atlantis"))
    summary, problems = run(refused, tmp_path / "certs", program)
    assert summary.refused == 1 and any(p.startswith(f"{refused}:2: country:") for p in problems)


def test_a_huge_cell_is_an_error_not_a_traceback(tmp_path, program):
    path = listing(tmp_path, row("OCA.0016.0509.CSMS", product="x" * 200_000))
    summary, problems = run(path, tmp_path / "certs", program)
    assert problems and problems[0].startswith(f"{path}:2: file: cannot be read as CSV: field larger than field limit")


def test_extra_cells_are_refused_on_their_line(tmp_path, program):
    path = listing(tmp_path, row("OCA.0016.0509.CSMS").rstrip("\n") + ",extra,more\n")
    summary, problems = run(path, tmp_path / "certs", program)
    assert problems == [f"{path}:2: row: has 2 cells more than the header; the 11 cells of the header's columns"]


def test_a_latin1_file_names_the_line_of_its_first_bad_byte(tmp_path, program):
    path = tmp_path / "latin1.csv"
    text = listing(tmp_path, row("OCA.0016.0509.CSMS"), row("OCA.0016.0510.CSMS", "Énergie SA")).read_text("utf-8")
    path.write_bytes(text.encode("latin-1"))
    summary, problems = run(path, tmp_path / "certs", program)
    assert problems[0].startswith(f"{path}:3: file: byte 0xc9 on this line is not UTF-8")


def test_a_semicolon_separated_file_is_told_so(tmp_path, program):
    path = listing(tmp_path, row("OCA.0016.0509.CSMS"))
    path.write_text(path.read_text("utf-8").replace(",", ";"), "utf-8")
    summary, problems = run(path, tmp_path / "certs", program)
    assert "its cells are separated by ';', not by commas" in problems[0]


def test_a_record_moved_by_hand_is_updated_where_it_is_not_written_twice(tmp_path, program):
    path = listing(tmp_path, row("OCA.0016.0509.CSMS"))
    certs = tmp_path / "certs"
    run(path, certs, program)
    (certs / "moved").mkdir()
    (certs / "2023" / "OCA.0016.0509.CSMS.yaml").rename(certs / "moved" / "OCA.0016.0509.CSMS.yaml")
    summary, problems = run(path, certs, program)
    assert [p.name for p in certs.rglob("OCA.0016.0509.CSMS.yaml")] == ["OCA.0016.0509.CSMS.yaml"]
    assert summary.unchanged == 1 and "is at" in problems[0]
    load_directory(certs, program, TODAY)


# -- exports and text ---------------------------------------------------------------------------------

@pytest.mark.parametrize("separator", [",", ";", "\t", "|"])
def test_no_dialect_of_the_csv_shows_a_formula(samples, separator, monkeypatch):
    cert = samples.by_id[ID]
    hostile = "Foo;=1+1;bar,+2|@SUM(1)\t-3"
    from dataclasses import replace

    swapped = replace(cert, vendor_name=hostile, device_name="=cmd|' /C calc'!A0")
    directory = samples
    monkeypatch.setattr(directory, "certificates", [swapped])
    text = exports.directory_csv(directory, "https://x.example").decode("utf-8")
    for cells in csv.reader(io.StringIO(text), delimiter=separator):
        for cell in cells:
            assert not cell.strip('"')[:1] in ("=", "+", "-", "@"), (separator, cell)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["vendor_name"] == "Foo;'=1+1;bar,'+2|'@SUM(1)\t'-3"


def test_direction_controls_and_line_separators(check):
    for control in ("\u200f", "\u061c", "\u202e"):
        text = VALID.replace("name: Voltaris Duo 22", f"name: Voltaris{control} Duo 22")
        found = check(text)
        assert any(f"U+{ord(control):04X}" in p and "warning" in p for p in found), control
    text = VALID.replace("name: Voltaris Duo 22", '"name": "Voltaris\u2028Duo 22"').replace('"name"', "name")
    assert f"{line_of(text, 'Voltaris' + chr(0x2028))}: device.name: spans several lines" in "\n".join(check(text))


def test_a_look_alike_vendor_name_is_warned_naming_the_letters(check):
    text = VALID.replace("name: Voltaris Energy B.V.", "name: Vоltaris Energy B.V.")  # a Cyrillic о
    found = check(text)
    assert any(p.startswith(f"certs/2024/{ID}.yaml:{line_of(text, 'Vоltaris')}: vendor.name: warning: mixes Latin "
                            'letters with letters of another script: "о" (U+043E CYRILLIC SMALL LETTER O)')
               for p in found), found


def test_the_signed_document_shows_a_direction_control_as_the_pages_do(samples, tmp_path):
    from dataclasses import replace

    from ocpp_directory.outputs import qr
    from ocpp_directory.outputs.certificate_pdf import Issue, render

    cert = replace(samples.by_id[ID], vendor_name="Voltaris \u202eEnergy")
    made = render(cert, samples.program, Issue(url="https://x.example/c/", verify_url="https://x.example/v/",
                                               modules=qr.matrix("https://x.example/c/"), logo_png=_png(),
                                               logo_lines=("OCPP",), record_json=b"{}"))
    (tmp_path / "d.pdf").write_bytes(made)
    text = subprocess.run(["pdftotext", str(tmp_path / "d.pdf"), "-"], capture_output=True, text=True).stdout
    info = subprocess.run(["pdfinfo", str(tmp_path / "d.pdf")], capture_output=True, text=True).stdout
    assert "\u202e" not in text and "Voltaris [U+202E]Energy" in text
    assert "\u202e" not in info and "[U+202E]" in info


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()


# -- the devserver -------------------------------------------------------------------------------------

@pytest.fixture
def served(tmp_path):
    from ocpp_directory.serving import LiveReload, server

    site = tmp_path / "output"
    site.mkdir()
    (site / "index.html").write_text("<html><body>home</body></html>", "utf-8")
    (tmp_path / "secret.txt").write_text("outside", "utf-8")
    os.symlink(tmp_path / "secret.txt", site / "secret.txt")
    made = server(site, 0, LiveReload())
    thread = threading.Thread(target=made.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{made.server_address[1]}", made
    made.shutdown()


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_devserver_serves_nothing_outside_its_folder(served):
    url, _ = served
    assert _status(url + "/") == 200
    assert _status(url + "/secret.txt") == 404


def test_a_nul_in_a_path_is_a_bad_request_and_the_server_goes_on(served, capfd):
    url, _ = served
    assert _status(url + "/a%00b") == 400
    assert _status(url + "/") == 200
    assert "Traceback" not in capfd.readouterr().err


def test_a_connection_closed_early_leaves_no_traceback(served, capfd):
    url, made = served
    host, port = made.server_address[:2]
    for _ in range(5):
        with socket.create_connection((host, port)) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    time.sleep(0.5)
    assert _status(url + "/") == 200
    assert "Traceback" not in capfd.readouterr().err


# -- /verify/ --------------------------------------------------------------------------------------------

def test_verify_says_a_file_is_too_large_to_be_a_document(page, base_url, tmp_path):
    big = tmp_path / "big.pdf"
    with open(big, "wb") as f:
        f.truncate(25 * 1024**2)
    page.goto(base_url + "/verify/")
    page.locator("input[type=file]").set_input_files(str(big))
    result = page.locator("#verify-document-result")
    result.wait_for()
    page.locator("#verify-document-result p").first.wait_for()
    assert "big.pdf is 25 MB: no certificate document is larger than 20 MB" in result.inner_text()


def test_the_summary_of_a_refused_import_counts_it(tmp_path, program):
    """The command line's summary of an import whose every row is refused names the rows, not the path."""
    path = listing(tmp_path, row("OCA.0016.0509.CSMS", country="Atlantis"))
    result = cli("import-listing", str(path), "--into", str(tmp_path / "certs"))
    assert "check the CERTIFICATES path" not in result.stderr + result.stdout
    assert f"{path}:2: country:" in result.stderr + result.stdout
    assert json  # noqa: B018 - imported for the module's readers
