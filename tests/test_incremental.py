"""Incremental builds: a rebuild renders only what changed, and ends byte-identical to a full build."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path

import pytest

from .conftest import ROOT, TODAY, VALID, digest
from .golden_tree import BUILD_DATE
from ocpp_directory.engine import incremental
from ocpp_directory.pipeline import pages, workers
from ocpp_directory.engine.cache import RecordCache
from ocpp_directory.pipeline.build import build
from ocpp_directory.model.directory import load_directory
from ocpp_directory.model.errors import ValidationFailed
from ocpp_directory.model.program import load_program


@pytest.fixture(scope="module")
def renderings(tmp_path_factory):
    """QR codes and logo files of the samples, rendered once for this module's tests."""
    folder = tmp_path_factory.mktemp("renderings")
    build(str(ROOT / "pelicanconf.py"), folder / "output", cache=folder / "cache", date=BUILD_DATE)
    return folder / "cache"


@pytest.fixture
def work(tmp_path, renderings):
    """A copy of the sample records, an output folder, and a cache of this test's own that
    already holds the renderings (each test starts with no manifest and no checked records)."""
    shutil.copytree(ROOT / "certificates", tmp_path / "records")
    for record in (tmp_path / "records").rglob("*.yaml"):  # these tests edit protected fields: no issued document
        issued = record.with_suffix(".pdf")
        if issued.exists() and "source: oca-listing" not in record.read_text("utf-8"):
            issued.unlink()
    for kind in ("qr", "logos"):
        shutil.copytree(renderings / kind, tmp_path / "cache" / kind)
    return tmp_path


def run(work: Path, output: str = "output", settings: str | Path = ROOT / "pelicanconf.py", **options) -> dict:
    return build(str(settings), work / output, certificates=str(work / "records"), cache=work / "cache",
                 date=BUILD_DATE, **options)


def full_build_equals(work: Path, **options) -> None:
    """A build from scratch (an output no manifest knows) gives the same files, and no others."""
    shutil.rmtree(work / "full", ignore_errors=True)
    kept = list((work / "cache").glob("folders/*/search.pickle"))  # the index, too, computed from every record
    assert kept
    for path in kept:
        path.unlink()
    result = run(work, "full", **options)
    assert not result["incremental"]
    assert digest(work / "output") == digest(work / "full")
    folders = {str(p.relative_to(work / "full")) for p in (work / "full").rglob("*") if p.is_dir()}
    assert {str(p.relative_to(work / "output")) for p in (work / "output").rglob("*") if p.is_dir()} == folders


def mtimes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def record(work: Path, cert_id: str) -> Path:
    return next((work / "records").rglob(f"{cert_id}.yaml"))


def test_a_rebuild_without_changes_renders_and_writes_nothing(work):
    first = run(work)
    assert not first["incremental"] and first["written"] == first["files"]
    before = mtimes(work / "output")
    again = run(work, reread=True)  # past the dates check (below): every record read, every key computed
    assert again["incremental"] and not again["up_to_date"]
    assert again["units_rendered"] == 1  # only the files Pelican itself writes, compared and left alone
    assert again["written"] == again["deleted"] == 0
    assert again["records_reused"] == again["certificates"]
    assert again["qr_generated"] == again["logos_rendered"] == 0
    assert mtimes(work / "output") == before  # not even rewritten with the same bytes
    assert (again["files"], again["pages"]) == (first["files"], first["pages"])


def test_a_rebuild_with_every_date_as_the_last_build_left_it_reads_nothing(work):
    first = run(work)
    before = mtimes(work / "output")
    again = run(work)
    assert again["up_to_date"] and again["incremental"]
    assert again["units_rendered"] == again["written"] == again["records_reused"] - again["certificates"] == 0
    assert (again["files"], again["pages"], again["units_kept"]) == (first["files"], first["pages"], first["units"])
    assert [str(w) for w in again["warnings"]] == [str(w) for w in first["warnings"]]
    assert mtimes(work / "output") == before
    assert run(work, reread=True)["units_rendered"] == 1  # and a build that reads everything agrees


def test_a_missing_settings_file_is_an_error_not_a_traceback(work):
    from ocpp_directory.model.errors import DirectoryError

    with pytest.raises(DirectoryError, match="nope.py: no such settings file"):
        run(work, settings=work / "nope.py")
    assert not (work / "output").exists()


def test_a_record_changed_with_its_size_and_dates_put_back_is_still_seen(work):
    """`touch -d` can put a file's modification time back; the kernel's change time cannot be."""
    run(work)
    path = record(work, "OCA.0016.0114.CS")
    text, dates = path.read_text("utf-8"), path.stat()
    assert "failed: 0" in text
    path.write_text(text.replace("failed: 0", "failed: 2"), "utf-8")
    os.utime(path, ns=(dates.st_atime_ns, dates.st_mtime_ns))
    assert path.stat().st_size == dates.st_size and path.stat().st_mtime_ns == dates.st_mtime_ns
    with pytest.raises(ValidationFailed):
        run(work)


def test_a_file_changed_within_the_clock_tick_of_the_check_is_compared_by_content(tmp_path, monkeypatch):
    """File dates tick more coarsely than nanoseconds: a file changed in the tick its dates were read
    in can keep every date. Such recent files count by their bytes too (git's "racily clean" files)."""
    from ocpp_directory.engine import uptodate

    path = tmp_path / "record.yaml"
    path.write_text("failed: 0\n", "utf-8")
    found = [["file", str(path)]]
    read = path.stat()
    racy_after = read.st_ctime_ns - 1  # the dates were read in the tick the file was written in
    before = uptodate.state(found, racy_after)
    assert uptodate.state(found)[0] > read.st_ctime_ns - uptodate.COARSE_RACY_NS  # now, less a margin
    path.write_text("failed: 2\n", "utf-8")
    real_stat = os.stat
    # The same tick: what a coarse clock gives the edit. (The kernel's clock cannot be slowed here.)
    monkeypatch.setattr(uptodate.os, "stat", lambda p, *a, **k: read if str(p) == str(path) else real_stat(p, *a, **k))
    assert uptodate.state(found, racy_after) != before
    # A file older than the margin counts by its dates alone: that is what makes the check fast.
    assert uptodate.state(found, read.st_ctime_ns + 1)[1] == uptodate.state(found, read.st_ctime_ns + 2)[1]


def test_a_theme_file_edited_in_place_is_seen(work):
    theme = work / "theme"
    shutil.copytree(ROOT / "theme", theme)
    conf = work / "conf.py"
    conf.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *\n"
                    f"THEME = {str(theme)!r}\n", "utf-8")
    run(work, settings=conf)
    footer = theme / "templates" / "base.html"
    footer.write_text(footer.read_text("utf-8").replace("Open data:", "Open data (free to reuse):"), "utf-8")
    result = run(work, settings=conf)
    assert not result["up_to_date"] and result["units_kept"] == 0
    assert "Open data (free to reuse):" in (work / "output" / "vendors" / "index.html").read_text("utf-8")


def test_a_setting_read_from_the_environment_is_seen(work, monkeypatch):
    """publishconf.py takes SITEURL from the environment: the check runs the settings file again."""
    conf = work / "conf.py"
    conf.write_text(f"import os, sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *\n"
                    "SITEURL = os.environ.get('OCPP_TEST_SITEURL', '')\n", "utf-8")
    monkeypatch.setenv("OCPP_TEST_SITEURL", "https://one.example.org")
    run(work, settings=conf)
    assert run(work, settings=conf)["up_to_date"]
    monkeypatch.setenv("OCPP_TEST_SITEURL", "https://two.example.org")
    result = run(work, settings=conf)
    assert not result["up_to_date"] and result["units_kept"] == 0
    assert "https://two.example.org/" in (work / "output" / "index.html").read_text("utf-8")


def test_a_changed_logo_artwork_renders_the_kits_and_labels_again(work, monkeypatch, request):
    from ocpp_directory.outputs import logos
    from ocpp_directory.outputs.logos import glyphs

    request.addfinalizer(logos._logo.cache_clear)  # no logo drawn from this artwork outlives the test
    assets = work / "assets"
    shutil.copytree(glyphs.ASSETS, assets)
    monkeypatch.setattr(glyphs, "ASSETS", assets)
    run(work, settings_override={"OCPP_WORKERS": 1})
    kit = next((work / "output" / "logos").glob("*/*-colour.svg"))
    artwork = assets / "logos" / "logo-template.svg"
    artwork.write_text(artwork.read_text("utf-8").replace("#0B5CAB", "#0B5CAC"), "utf-8")
    logos._logo.cache_clear()  # drawn logos are kept in memory; `make html` starts a new process
    result = run(work, settings_override={"OCPP_WORKERS": 1})
    assert not result["up_to_date"] and result["units_kept"] == 0
    assert "#0B5CAC" in kit.read_text("utf-8")


def _edit(work):
    path = record(work, "OCA.0016.0114.CS")
    path.write_text(path.read_text("utf-8").replace("OCTT", "OCTT-R"), "utf-8")


def _add(work):
    text = VALID.replace("OCA.0016.0115.CS", "OCA-16-2024-0999").replace("Voltaris Duo 22", "Voltaris Solo 7")
    (work / "records" / "2024" / "OCA-16-2024-0999.yaml").write_text(text, "utf-8")


def _remove(work):
    record(work, "OCA.0016.0114.CS").unlink()


def _rename_vendor(work):
    for path in (work / "records").rglob("*.yaml"):
        text = path.read_text("utf-8")
        if "Ampère & Fils SA" in text:
            path.write_text(text.replace("Ampère & Fils SA", "Ampère et Fils SA"), "utf-8")


def _sibling(work):
    """Another certificate of the device: every page of the device's certificates lists its versions."""
    path = record(work, "OCA.0016.0103.CS")  # Voltaris Duo 22, which two other certificates name
    path.write_text(path.read_text("utf-8").replace('software_version: "4.8.2"', 'software_version: "4.8.3"'),
                    "utf-8")


def _alias(work):
    """A vendor's other name (vendors.yaml): the search, the exports and the fleet check's names."""
    path = work / "records" / "vendors.yaml"
    text = path.read_text("utf-8")
    assert "aliases: [" in text or "aliases:" in text
    path.write_text(text.replace("aliases: [", 'aliases: ["Zz Registry Alias", ', 1), "utf-8")


@pytest.mark.parametrize("change", [_edit, _add, _remove, _rename_vendor, _sibling, _alias],
                         ids=lambda f: f.__name__[1:])
def test_a_rebuild_after_a_change_equals_a_full_build(work, change):
    first = run(work)
    change(work)
    again = run(work)
    assert again["incremental"]
    assert 0 < again["units_rendered"] < first["units_rendered"] / 2  # the changed record's pages, not all
    full_build_equals(work)


def test_the_home_page_lists_the_newest_and_a_change_rewrites_its_year_only(work):
    """With OCPP_HOME_ROWS at 10, the home page lists the 10 newest certificates and says so; a
    change to a 2023 record's row rewrites the 2023 page, and the other years' pages stay as they were."""
    settings = {"OCPP_HOME_ROWS": 10}
    first = run(work, settings_override=settings)
    home = (work / "output" / "index.html").read_text("utf-8")
    assert "The 10 newest certificates" in home and home.count('<a href="./certificates/') == 10
    assert home.count('<a href="./issued/') == len(list((work / "output" / "issued").iterdir())) > 1
    before = mtimes(work / "output" / "issued")
    path = record(work, "OCA.0016.0114.CS")
    path.write_text(path.read_text("utf-8").replace('"6.0.11"', '"6.0.12"'), "utf-8")
    again = run(work, settings_override=settings)
    assert again["units_rendered"] < first["units_rendered"] / 2
    after = mtimes(work / "output" / "issued")
    assert [name for name in before if before[name] != after[name]] == ["2023/index.html"]
    assert "6.0.12" in (work / "output" / "issued" / "2023" / "index.html").read_text("utf-8")
    # The rows of the years not rendered again are still kept, for the next change to those years.
    [parts] = (work / "cache").glob("folders/*/parts.pickle")
    with open(parts, "rb") as handle:
        entries, _ = pickle.load(handle)[2]
    # (one row a certificate in each language)
    assert sum(key.startswith("table-row\0") for key in entries) == 2 * first["certificates"]
    full_build_equals(work, settings_override=settings)


def test_a_change_the_label_does_not_show_makes_no_label_and_no_qr_code(work, monkeypatch):
    """A certificate's page and its QR code and label are separate units: a new test tool renders
    the page again, not the label (nor the fonts and cairo it would take); a new issue date does."""
    from ocpp_directory.outputs import logos

    run(work)
    made = []
    label_svg = logos.label_svg
    monkeypatch.setattr(logos, "label_svg", lambda cert_id, *rest: made.append(cert_id) or label_svg(cert_id, *rest))
    _edit(work)  # the test tool: on the page, not on the label
    run(work)
    assert made == []
    assert "OCTT-R" in (work / "output/certificates/OCA.0016.0114.CS/index.html").read_text("utf-8")
    path = record(work, "OCA.0016.0114.CS")
    path.write_text(path.read_text("utf-8").replace('issued: "2023-12-12"', 'issued: "2023-12-13"'), "utf-8")
    run(work)
    assert made == ["OCA.0016.0114.CS"]  # the label's PDF carries its issue date
    full_build_equals(work)


def test_the_directory_table_from_kept_rows_is_the_one_rendered_afresh(work):
    """The directory page's rows are kept per certificate: after a change that moves a vendor's
    pages, the page equals one rendered with no cache at all; a changed row template is seen."""
    run(work)
    _rename_vendor(work)
    run(work)
    afresh = run(work, "afresh", settings_override={"OCPP_CACHE_PATH": None})
    assert not afresh["incremental"]
    page = (work / "output" / "index.html").read_bytes()
    assert page == (work / "afresh" / "index.html").read_bytes()
    assert "ampere-et-fils-sa/".encode() in page
    theme = work / "theme"
    shutil.copytree(ROOT / "theme", theme)
    macros = theme / "templates" / "macros.html"
    text = macros.read_text("utf-8")
    cell = '<td data-label="{{ _(\'Software version\') }}">{{ version_text(c) }}</td>'
    assert text.count(cell) == 1
    macros.write_text(text.replace(cell, '<td class="v">{{ c.software_version }}</td>'), "utf-8")
    conf = work / "conf.py"
    conf.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *\n"
                    f"THEME = {str(theme)!r}\n", "utf-8")
    run(work, settings=conf)
    assert (work / "output" / "index.html").read_text("utf-8").count('<td class="v">') == afresh["certificates"]


def test_a_removed_record_takes_its_files_and_folder_with_it(work):
    run(work)
    assert (work / "output" / "certificates" / "OCA.0016.0114.CS").is_dir()
    _remove(work)
    result = run(work)
    assert result["deleted"] >= 7  # page, JSON, two QR files, three label files
    assert not (work / "output" / "certificates" / "OCA.0016.0114.CS").exists()


def test_a_changed_setting_renders_every_page_again(work):
    run(work)
    result = run(work, siteurl="https://certified.example.org")
    assert result["incremental"] and result["units_kept"] == 0
    full_build_equals(work, siteurl="https://certified.example.org")


def test_a_changed_template_renders_every_page_again(work):
    run(work)
    theme = work / "theme"
    shutil.copytree(ROOT / "theme", theme)
    footer = theme / "templates" / "base.html"
    footer.write_text(footer.read_text("utf-8").replace("Open data:", "Open data (free to reuse):"), "utf-8")
    conf = work / "conf.py"
    conf.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *\n"
                    f"THEME = {str(theme)!r}\n", "utf-8")
    result = run(work, settings=conf)
    assert result["units_kept"] == 0
    assert "Open data (free to reuse):" in (work / "output" / "vendors" / "index.html").read_text("utf-8")
    full_build_equals(work, settings=conf)


def test_a_file_deleted_from_the_output_is_written_again(work):
    run(work)
    lost = work / "output" / "certificates" / "OCA.0016.0114.CS" / "label.pdf"
    lost.unlink()
    result = run(work)
    assert result["units_rendered"] == 2 and result["written"] == 1
    full_build_equals(work)


def test_a_failed_build_keeps_the_output_and_the_next_one_is_still_incremental(work):
    run(work)
    before = digest(work / "output")
    path = record(work, "OCA.0016.0114.CS")
    good = path.read_text("utf-8")
    path.write_text(good.replace("failed: 0", "failed: 2"), "utf-8")
    with pytest.raises(ValidationFailed):
        run(work)
    assert digest(work / "output") == before
    path.write_text(good, "utf-8")
    assert run(work)["incremental"]
    assert sorted(p.name for p in work.iterdir()) == ["cache", "output", "records"]  # no staging folder


@pytest.mark.parametrize("step", ["journal written", "half the files moved", "manifest written"])
def test_a_commit_killed_at_each_step_is_finished_by_the_next_build(work, monkeypatch, step):
    """Fault injection at each step of the journalled commit: until the journal's moves begin the output is
    the previous site; at any step after, each file is the previous or the new one; the next build
    finishes the commit and gives what a build from nothing gives."""
    run(work)
    before = digest(work / "output")
    _edit(work)
    manifest = incremental.Manifest(work / "cache", work / "output")
    real_apply, real_replace, real_save = incremental.Manifest._apply, os.replace, incremental.Manifest.save
    moved = []

    def apply(self, plan):
        if step == "journal written":
            raise KeyboardInterrupt
        if step == "half the files moved":
            half = len(plan["moves"]) // 2

            def replace(source, target):
                if str(target).startswith(str(work / "output")):
                    if len(moved) == half:
                        raise KeyboardInterrupt
                    moved.append(target)
                real_replace(source, target)

            monkeypatch.setattr(incremental.os, "replace", replace)
        return real_apply(self, plan)

    def save(self, units):
        real_save(self, units)
        if step == "manifest written" and self.journal.exists():
            raise KeyboardInterrupt  # the manifest is saved, the journal not yet removed

    monkeypatch.setattr(incremental.Manifest, "_apply", apply)
    monkeypatch.setattr(incremental.Manifest, "save", save)
    with pytest.raises(KeyboardInterrupt):
        run(work)
    monkeypatch.undo()
    assert manifest.journal.exists()
    now = digest(work / "output")
    if step == "journal written":
        assert now == before
    run(work, "full")  # the same records built from nothing, elsewhere
    new = digest(work / "full")
    assert all(now[name] in (before.get(name), new.get(name)) for name in now)
    result = run(work)
    assert result["incremental"] and not manifest.journal.exists()
    assert digest(work / "output") == new


def test_a_journal_that_cannot_be_finished_means_a_full_build(work):
    run(work)
    manifest = incremental.Manifest(work / "cache", work / "output")
    manifest.journal.write_text('{"staging": "/nonexistent", "moves": ["index.html.gone"], "deletes": [], '
                                '"units": {}}', "utf-8")
    result = run(work)
    assert not result["incremental"]
    full_build_equals(work)


def test_checked_records_are_kept_but_errors_are_found_every_time(tmp_path):
    program = load_program(ROOT / "program.yaml")
    cache_file = tmp_path / "records.pickle"
    first = RecordCache(cache_file, "salt")
    load_directory(ROOT / "certificates", program, TODAY, cache=first)
    assert first.hits == 0
    second = RecordCache(cache_file, "salt")
    directory = load_directory(ROOT / "certificates", program, TODAY, cache=second)
    assert second.hits == len(directory.certificates) == 35
    assert RecordCache(cache_file, "another program file").get(next(iter(second._new))) is None
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "OCA.0016.0115.CS.yaml").write_text(VALID.replace("failed: 0", "failed: 1"), "utf-8")
    for _ in range(2):
        with pytest.raises(ValidationFailed) as caught:
            load_directory(bad, program, TODAY, cache=RecordCache(tmp_path / "bad.pickle", "salt"))
        assert [p.field for p in caught.value.problems] == ["test.results.failed"]


def test_a_record_file_whose_dates_are_unchanged_is_not_read_again(tmp_path, monkeypatch):
    """A record's key is kept with its file's dates: unchanged dates, no read. An edit shows in the
    dates, even one that keeps the size and puts the modification time back (the change time
    cannot be put back); a file changed just before it was read is read again next time."""
    import time

    program = load_program(ROOT / "program.yaml")
    records = tmp_path / "records"
    shutil.copytree(ROOT / "certificates", records)
    time.sleep(0.15)  # older than the racy margin: their dates can be trusted
    reads: list[str] = []
    read = RecordCache.read
    monkeypatch.setattr(RecordCache, "read", lambda self, name, path: reads.append(path.name) or read(self, name, path))

    def load() -> dict:
        reads.clear()
        return load_directory(records, program, TODAY, cache=RecordCache(tmp_path / "records.pickle", "salt")).digests

    first = load()
    assert len(reads) == 35
    assert load() == first and reads == []
    edited = records / "2020" / "OCA.0016.0101.CSMS.yaml"
    text, before = edited.read_text("utf-8"), edited.stat()
    assert 'name: "Gridwise Central"' in text
    edited.write_text(text.replace('name: "Gridwise Central"', 'name: "Gridwise Centrel"'), "utf-8")  # same size
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert edited.stat().st_size == before.st_size and edited.stat().st_mtime_ns == before.st_mtime_ns
    second = load()
    assert reads == [edited.name] and second["OCA.0016.0101.CSMS"] != first["OCA.0016.0101.CSMS"]
    assert load() == second and reads == [edited.name]  # changed just before it was read: read again
    time.sleep(0.15)
    load()
    assert load() == second and reads == []


def test_worker_processes_make_the_same_bytes(work, monkeypatch):
    """QR codes, labels and kits made in a pool of processes equal those made in the build's own."""
    run(work, settings_override={"OCPP_WORKERS": 1})
    shutil.rmtree(work / "cache")  # render everything again, in the workers this time
    monkeypatch.setattr(workers, "POOL_THRESHOLD", 1)
    result = run(work, "pooled", settings_override={"OCPP_WORKERS": 2})
    assert result["qr_generated"] == result["certificates"]  # the workers' counts reach the summary
    assert digest(work / "pooled") == digest(work / "output")


def test_the_manifest_written_a_unit_at_a_time_is_the_json_of_the_whole(tmp_path):
    """Manifest.save writes in slices (the whole text of 300,000 files' names was 54 MB of a build's peak);
    its bytes are json.dumps's of the whole, across slices, with names escaped as JSON escapes them."""
    for count in (0, 1, 2048, 5000):
        units = {f"certificate:é-{i}\"{i % 7}": {"key": f"{i:064x}", "files": [f"certificates/{i}/index.html"],
                                                   "meta": {"z": i, "a": [1, "ü"]}} for i in range(count)}
        manifest = incremental.Manifest(tmp_path / "cache", tmp_path / "out")
        manifest.save(units)
        whole = json.dumps({"format": incremental.MANIFEST_FORMAT, "output": str((tmp_path / "out").resolve()),
                            "units": units}, sort_keys=True).encode("utf-8")
        assert manifest.path.read_bytes() == whole


def test_label_workers_do_not_start_from_the_builds_memory(monkeypatch):
    """The QR and label workers are forked from a small server process, not from the build: a worker
    forked from the build copied its heap as it worked (200 MB a worker at 30,000 records). Oracle:
    a value this process sets after start-up is not in a worker, and a worker's parent is not this process."""
    monkeypatch.setattr(workers, "_BUILD_ONLY", "set in the build", raising=False)
    asks = ["__import__('ocpp_directory.pipeline.workers', fromlist=['_']).__dict__.get('_BUILD_ONLY')",
            "__import__('os').getppid()"] * 2
    seen = list(workers.Binaries(None)._pooled(eval, asks, 2, 1))
    assert seen[0::2] == [None, None]
    assert os.getpid() not in seen[1::2]


_RENDER_CHUNK = pages._render_chunk


def _chunk_in_worker(start: int, stop: int):
    """pages._render_chunk, noting which process ran it (a module function: the pool pickles its name)."""
    with open(os.environ["OCPP_TEST_CHUNKS"], "a") as note:
        note.write(f"{os.getpid()}\n")
    return _RENDER_CHUNK(start, stop)


def test_pages_rendered_on_every_core_are_the_same_bytes_and_the_same_manifest(work, monkeypatch):
    """Pages rendered in forked worker processes (pipeline/pages.py: certificate pages when their QR codes
    and labels are kept, and every other output's units) equal those rendered in the build's own, and the
    manifest records the same units with the same files; an incremental build after it keeps them all."""
    run(work, settings_override={"OCPP_WORKERS": 1})
    alone = json.loads(next((work / "cache" / "builds").glob("*.json")).read_text())["units"]
    shutil.rmtree(work / "cache" / "builds")
    shutil.rmtree(work / "cache" / "folders")  # the renderings are kept: the pages alone are due
    monkeypatch.setattr(pages, "PARALLEL_FROM", 2)
    monkeypatch.setattr(pages, "CHUNK", 1)
    monkeypatch.setenv("OCPP_TEST_CHUNKS", str(work / "chunks.txt"))
    monkeypatch.setattr(pages, "_render_chunk", _chunk_in_worker)
    result = run(work, "shared", settings_override={"OCPP_WORKERS": 2})
    rendered_by = {int(line) for line in (work / "chunks.txt").read_text().split()}
    # this process and a forked worker rendered (a worker a step: two cores, one worker beside this process)
    assert os.getpid() in rendered_by and len(rendered_by) >= 2
    assert not result["qr_generated"] and result["units_rendered"] == len(alone)
    assert digest(work / "shared") == digest(work / "output")
    manifests = {p.name: json.loads(p.read_text())["units"] for p in (work / "cache" / "builds").glob("*.json")
                 if p.name.count(".") == 1}
    assert list(manifests.values()) == [alone]
    again = run(work, "shared", settings_override={"OCPP_WORKERS": 2}, reread=True)
    assert again["units_rendered"] == 1 and again["written"] == 0  # Pelican's own files only, as after one process


def test_the_manifest_of_a_removed_output_folder_is_dropped(work):
    run(work)
    run(work, "other")
    builds = work / "cache" / "builds"
    assert len(list(builds.glob("*.json"))) == 2
    shutil.rmtree(work / "other")
    run(work)
    assert [json.loads(p.read_bytes())["output"] for p in builds.glob("*.json")] == [str(work / "output")]


def test_the_cache_keeps_only_what_this_version_can_use(work):
    """Renderings of another format, what was kept for a records folder since removed, and the
    files of the cache's earlier layout are removed after a build; nothing this build uses is."""
    cache = work / "cache"
    shutil.copytree(work / "records", work / "other-records")
    run(work)
    build(str(ROOT / "pelicanconf.py"), work / "other", certificates=str(work / "other-records"), cache=cache,
          date=BUILD_DATE)
    named = sorted(p.read_text("utf-8") for p in cache.glob("folders/*/folder"))
    assert named == [str(work / "other-records"), str(work / "records")]
    old = [cache / "qr" / "qr-0" / "ab" / "ab12.svg", cache / "logos" / "logo-0-2020-01-01" / "cd" / "cd34.png",
           cache / "records-0123456789abcdef.pickle", cache / "parts-0123456789abcdef.pickle"]
    for path in old:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"from an earlier version")
    unnamed = cache / "folders" / "0123456789abcdef"  # no file naming its folder: not ours to judge
    unnamed.mkdir()
    shutil.rmtree(work / "other-records")
    next((work / "records").rglob("*.yaml")).touch()  # not up to date: a build runs, and prunes
    result = run(work)
    assert result["cache_removed"] == 5
    assert not any(path.exists() for path in old)
    assert [p.read_text("utf-8") for p in cache.glob("folders/*/folder")] == [str(work / "records")]
    assert unnamed.is_dir()
    for kind, generation in workers.GENERATIONS.items():
        assert [p.name for p in (cache / kind).iterdir()] == [generation]
    # What is left is what a build uses: nothing is rendered or checked again.
    shutil.rmtree(work / "output")
    again = run(work)
    assert again["cache_removed"] == 0 and again["qr_generated"] == 0 and again["logos_rendered"] == 0
    assert again["records_reused"] == again["certificates"]
