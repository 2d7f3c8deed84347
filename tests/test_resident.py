"""The devserver's resident directory: a saved record's page written from memory, the same bytes the
build then makes, errors found as a build finds them, and nothing trusted that a build did not make."""

from __future__ import annotations

import pytest

from .conftest import digest
from .test_incremental import full_build_equals, renderings, run, work  # noqa: F401 - fixtures
from ocpp_directory.model.errors import ValidationFailed
from ocpp_directory.pipeline.resident import Resident

CERT = "OCA.0016.0115.CS"
RECORD = "2024/OCA.0016.0115.CS.yaml"
OLD, NEW = "Certified for OCPP 1.6 edition 2", "Certified again, from memory"
OWN_FILES = [f"certificates/{CERT}/certificate.json", f"certificates/{CERT}/index.html",
             f"certificates/{CERT}/log.json", f"ko/certificates/{CERT}/index.html"]


@pytest.fixture
def resident(work):
    kept = Resident()
    run(work, resident=kept, reread=True)
    assert kept.generator is not None
    return kept


def test_a_saved_record_s_pages_come_first_and_are_what_the_build_makes(work, resident):
    record = work / "records" / RECORD
    record.write_text(record.read_text("utf-8").replace(OLD, NEW), "utf-8")
    written = resident.record_pages({record})
    assert written == OWN_FILES
    for name in OWN_FILES[1:2] + OWN_FILES[3:]:
        assert NEW in (work / "output" / name).read_text("utf-8")
    page = (work / "output" / OWN_FILES[1]).read_bytes()
    # The build that follows changes the pages of the device, the search index, the open data, ...
    # but not what was written from memory: the same bytes.
    result = run(work, resident=resident)
    assert result["incremental"] and result["changed"]
    assert not set(OWN_FILES) & set(result["changed"])
    assert (work / "output" / OWN_FILES[1]).read_bytes() == page
    assert {"directory.json", "log/checkpoint"} <= set(result["changed"])
    full_build_equals(work)
    # Saved again with no change to it: nothing to write.
    record.write_text(record.read_text("utf-8"), "utf-8")
    assert resident.record_pages({record}) == []


def test_a_broken_record_raises_as_the_build_would_and_writes_nothing(work, resident):
    before = digest(work / "output")
    record = work / "records" / RECORD
    record.write_text(record.read_text("utf-8").replace("issued:", "isued:"), "utf-8")
    with pytest.raises(ValidationFailed) as failed:
        resident.record_pages({record})
    assert any(p.path.endswith("OCA.0016.0115.CS.yaml") and p.line == 2 and p.field == "isued"
               for p in failed.value.problems)
    # A rule across records too: another record with the same id.
    record.write_text(record.read_text("utf-8").replace("isued:", "issued:"), "utf-8")
    twin = work / "records" / "2024" / "again" / "OCA.0016.0115.CS.yaml"
    twin.parent.mkdir()
    twin.write_text(record.read_text("utf-8"), "utf-8")
    with pytest.raises(ValidationFailed, match="also the id of"):
        resident.record_pages({twin})
    assert digest(work / "output") == before


@pytest.mark.parametrize("change", ["vendors", "deleted", "template", "none"])
def test_anything_but_saved_records_is_left_to_the_build(work, resident, change):
    paths = {
        "vendors": {work / "records" / "vendors.yaml"},
        "deleted": {work / "records" / "2024" / "gone.yaml"},
        "template": {work / "theme" / "templates" / "certificate.html"},
        "none": set(),
    }[change]
    assert resident.record_pages(paths) is None


def test_a_page_written_from_memory_is_not_trusted_by_the_next_build(work, resident):
    """The devserver stopped before its build: a later build must not keep the page as the
    record's, even when the record went back to what the manifest knows."""
    record = work / "records" / RECORD
    text = record.read_text("utf-8")
    record.write_text(text.replace(OLD, NEW), "utf-8")
    assert resident.record_pages({record}) == OWN_FILES
    record.write_text(text, "utf-8")
    result = run(work)
    assert OLD in (work / "output" / OWN_FILES[1]).read_text("utf-8")
    assert set(OWN_FILES) <= set(result["changed"])
    full_build_equals(work)
