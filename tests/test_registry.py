"""The outputs declare their inputs (issue 36): a unit's key is derived from what its rendering is
handed, so an input cannot be forgotten.

A forgotten input would show as a stale file after an incremental build: tests/test_incremental.py
compares incremental builds with full builds, byte for byte, after changes that each reach other
pages through one input only (a sibling certificate, a vendor's other name).
"""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import json
from pathlib import Path

import pytest

from ocpp_directory.pipeline import certificates, listings, registry
from ocpp_directory.pipeline.build import build
from ocpp_directory.pipeline.settings import context

from .conftest import ROOT

ALL = [certificates.KIT_FILES, certificates.KIT_PAGE, certificates.CERTIFICATE, certificates.CERTIFICATE_DATA,
       certificates.CERTIFICATE_FILES, listings.DEVICE, listings.VENDOR, listings.ISSUED, listings.DIRECTORY,
       listings.MESSAGES]


def test_a_rendering_reads_only_what_its_output_declares():
    inputs = registry.Inputs("device", {"device": "d"})
    assert inputs.device == "d"
    with pytest.raises(AttributeError, match="'vendor' is not among the inputs the device output declares"):
        inputs.vendor  # noqa: B018
    site = registry.Site(context({"SITEURL": "https://certification.openchargealliance.org"},
                                 date=dt.date(2026, 12, 7)))
    assert site.public_base == "https://certification.openchargealliance.org"
    with pytest.raises(AttributeError, match="the build's date is not covered by the shared key"):
        site.date  # noqa: B018


def test_a_value_the_key_cannot_state_is_an_error_not_an_unkeyed_input():
    with pytest.raises(TypeError, match="object is not a value a unit's key can be made of"):
        registry.fingerprint({}, {"thing": object()})
    handle = registry.Handle(object(), "what declares it")
    assert registry.fingerprint({}, [handle]) == [["handle", "what declares it"]]
    assert registry.Inputs("x", {"h": handle}).h is handle.value


def test_no_rendering_is_handed_the_build_or_the_generator():
    """Every output's render takes (units, inputs); the modules of outputs never name the generator."""
    for output in ALL:
        if output.render is not None:
            assert list(inspect.signature(output.render).parameters) == ["units", "i"], output.kind
    for module in (certificates, listings, registry):
        tree = ast.parse(Path(module.__file__).read_text("utf-8"))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
            n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        assert not names & {"gen", "DirectoryGenerator", "generator"}, module.__name__


def test_every_unit_name_is_one_outputs(tmp_path):
    """The units a build records are the registered outputs' (and the search's parts, and Pelican's own)."""
    build(str(ROOT / "pelicanconf.py"), tmp_path / "out", cache=tmp_path / "cache", date="2026-12-07",
          settings_override={"OCPP_WORKERS": 1})
    manifests = [p for p in (tmp_path / "cache" / "builds").glob("*.json") if p.name.count(".") == 1]
    assert len(manifests) == 1
    units = json.loads(manifests[0].read_text())["units"]
    kinds = {o.kind for o in ALL} | {"search", "search-shard", "search-fragments", "pelican"}
    assert {name.split(":", 1)[0] for name in units} <= kinds
