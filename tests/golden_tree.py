"""The golden tree: the sample site as committed under tests/golden/.

Every change to the HTML shows in review as a diff of this tree. After an
intended change, regenerate it with ``make golden`` (this module's
``regenerate``) and commit the result.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
#: Pinned so the golden tree does not depend on the day the tests run.
BUILD_DATE = "2026-11-24"


def build_sample(output: Path, **options) -> dict:
    """Build the sample records as the golden tree is built (options go to ``build``)."""
    sys.path.insert(0, str(ROOT / "plugins"))
    from ocpp_directory.pipeline.build import build

    # The cache is keyed by content, so a test run's builds share one (the run's own, which
    # conftest.py names in OCPP_CACHE_PATH); tests of the cache itself pass a fresh folder.
    options.setdefault("cache", Path(os.environ.get("OCPP_CACHE_PATH") or ROOT / ".cache"))
    return build(str(ROOT / "pelicanconf.py"), output, certificates=str(ROOT / "certificates"),
                 date=BUILD_DATE, **options)


#: Binary renderings (logo kits, labels, QR PNGs) stay out of the golden tree: reviewing
#: them as diffs shows nothing, and the two-build test already proves them byte-identical.
BINARY = (".png", ".pdf", ".eps", ".zip")


def tree(folder: Path, binary: bool = True) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.is_file() and (binary or not p.name.endswith(BINARY)))


def differences(built: Path, golden: Path = GOLDEN) -> list[str]:
    """What differs between a built site and the golden tree, as readable lines."""
    binary = golden != GOLDEN
    built_files, golden_files = set(tree(built, binary)), set(tree(golden, binary))
    out = [f"only in the build: {p}" for p in sorted(built_files - golden_files)]
    out += [f"missing from the build: {p}" for p in sorted(golden_files - built_files)]
    out += [
        f"differs: {p}"
        for p in sorted(built_files & golden_files)
        if not filecmp.cmp(built / p, golden / p, shallow=False)
    ]
    return out


def regenerate() -> None:
    shutil.rmtree(GOLDEN, ignore_errors=True)
    build_sample(GOLDEN, cache=ROOT / ".cache")
    for path in GOLDEN.rglob("*"):
        if path.is_file() and path.name.endswith(BINARY):
            path.unlink()
    print(f"golden tree regenerated: {len(tree(GOLDEN))} files in {GOLDEN.relative_to(ROOT)}")


if __name__ == "__main__":
    if sys.argv[1:] == ["regenerate"]:
        regenerate()
    else:
        sys.exit("usage: python -m tests.golden_tree regenerate")
