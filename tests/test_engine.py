"""Unit tests of the build engine: atomic files, keys, the plan of units, the kept values."""

from __future__ import annotations

import pytest

from ocpp_directory.engine import incremental
from ocpp_directory.engine.cache import ContentCache, KeptFile, RecordCache, folder_cache, prune
from ocpp_directory.engine.files import write_atomic


def test_write_atomic_leaves_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "kept"
    write_atomic(path, b"old")

    def fails(handle):
        handle.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_atomic(path, fails)
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["kept"]


def test_digest_parts_cannot_run_into_each_other():
    assert incremental.digest("ab", "c") != incremental.digest("a", "bc")
    assert incremental.digest(b"x") == incremental.digest("x")


def test_a_unit_is_kept_only_with_the_same_key_and_its_files_present(tmp_path):
    (tmp_path / "a.html").write_text("a")
    previous = {"a": {"key": "k1", "files": ["a.html"], "meta": {"n": 1}},
                "b": {"key": "k2", "files": ["b.html"], "meta": {}}}
    plan = incremental.Plan(previous, tmp_path)
    assert plan.kept_unit("a", "other key") is None
    assert plan.kept_unit("b", "k2") is None  # its file is gone
    assert plan.kept_unit("a", "k1")["meta"] == {"n": 1}
    plan.add("c", "k3", ["c.html"])
    assert set(plan.units) == {"a", "c"} and (plan.kept, plan.rendered) == (1, 1)


def test_a_manifest_lists_units_and_a_missing_output_makes_it_untrusted(tmp_path):
    output = tmp_path / "output"
    output.mkdir()
    manifest = incremental.Manifest(tmp_path / "cache", output)
    manifest.save({"a": {"key": "k", "files": [], "meta": {}}})
    assert manifest.load() == {"a": {"key": "k", "files": [], "meta": {}}}
    output.rmdir()
    assert manifest.load() is None


def test_content_cache_renders_once_and_again_after_damage(tmp_path):
    made = []
    cache = ContentCache(tmp_path)
    make = lambda: made.append(1) or (b"svg", b"png")  # noqa: E731
    assert cache.files("key", (".svg", ".png"), make) == (b"svg", b"png")
    assert ContentCache(tmp_path).files("key", (".svg", ".png"), make) == (b"svg", b"png")
    next(tmp_path.rglob("*.png")).unlink()
    again = ContentCache(tmp_path)
    again.files("key", (".svg", ".png"), make)
    assert len(made) == 2 and (again.rendered, again.reused) == (1, 0)


def test_a_kept_value_is_used_only_with_its_form_and_salt(tmp_path):
    KeptFile(tmp_path / "v.pickle", "form-1", "salt").save({"x": 1})
    assert KeptFile(tmp_path / "v.pickle", "form-1", "salt").load() == {"x": 1}
    assert KeptFile(tmp_path / "v.pickle", "form-2", "salt").load() is None
    assert KeptFile(tmp_path / "v.pickle", "form-1", "other").load() is None
    (tmp_path / "v.pickle").write_bytes(b"not a pickle")
    assert KeptFile(tmp_path / "v.pickle", "form-1", "salt").load() is None
    assert KeptFile(None, "form-1", "salt").load() is None


def test_records_are_reread_when_their_dates_change(tmp_path, monkeypatch):
    from ocpp_directory.engine import cache

    record = tmp_path / "r.yaml"
    record.write_text("id: A")
    real = cache.time.time_ns
    monkeypatch.setattr(cache.time, "time_ns", lambda: real() + 5_000_000_000)  # read well after the write
    store = RecordCache(tmp_path / "records.pickle", "salt")
    data, key = store.read("r.yaml", record)
    store.put(key, "checked")
    store.save()
    again = RecordCache(tmp_path / "records.pickle", "salt")
    assert again.known_key("r.yaml", record) == key and again.get(key) == "checked"
    record.write_text("id: B")
    assert RecordCache(tmp_path / "records.pickle", "salt").known_key("r.yaml", record) is None


def test_what_was_kept_for_a_removed_records_folder_is_pruned(tmp_path):
    records = tmp_path / "records"
    records.mkdir()
    place = folder_cache(tmp_path / "cache", records)
    (place / "records.pickle").write_bytes(b"x")
    assert prune(tmp_path / "cache", {}) == 0 and place.exists()
    records.rmdir()
    assert prune(tmp_path / "cache", {}) >= 1 and not place.exists()


def test_entries_a_build_makes_wait_on_disk_not_in_memory(tmp_path):
    """A store's new entries (the parts of the directory-wide files: 98 MB at 30,000 certificates) are
    kept in an unnamed file until the store is saved, and read back one at a time as it is written.
    Oracles: tracemalloc, the folder's listing (nothing a killed build could leave), and a new store
    reading every entry back."""
    import tracemalloc

    store = RecordCache(tmp_path / "parts.pickle", "salt")
    values = {f"part\0{i}": f"{i}:" + "x" * 10_000 for i in range(2_000)}  # 20 MB of parts
    tracemalloc.start()
    try:
        for key, value in values.items():
            store.put(key, value)
        held, _ = tracemalloc.get_traced_memory()
        assert held < 2 * 2**20
        assert list(tmp_path.iterdir()) == []
        tracemalloc.reset_peak()
        store.save()
        _, peak = tracemalloc.get_traced_memory()
        assert peak < 4 * 2**20
    finally:
        tracemalloc.stop()
    again = RecordCache(tmp_path / "parts.pickle", "salt")
    assert {key: again.get(key) for key in values} == values
