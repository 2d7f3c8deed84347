"""The plugin's shape: its layers (import-linter's contracts in pyproject.toml) and its module sizes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "plugins" / "ocpp_directory"
#: a module longer than this wants splitting by job
MODULE_LINES = 400


def test_the_import_contracts_hold():
    """A wrong import (say the record model importing a cache) fails here, naming the chain."""
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True,
                            text=True, env={"PYTHONPATH": str(ROOT / "plugins"), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def lint_a_copy_with(tmp_path: Path, module: str, line: str) -> subprocess.CompletedProcess:
    """``lint-imports`` on a copy of the package whose ``module`` (a path below it) ends with ``line``."""
    import shutil

    copy = tmp_path / "plugins"
    shutil.copytree(PACKAGE, copy / "ocpp_directory", ignore=shutil.ignore_patterns("__pycache__"))
    changed = copy / "ocpp_directory" / module
    changed.write_text(changed.read_text("utf-8") + f"\n{line}  # noqa\n", "utf-8")
    lint = Path(sys.executable).parent / "lint-imports"
    return subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml"), "--no-cache"], cwd=tmp_path,
                          capture_output=True, text=True, env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"})


def test_a_broken_layer_is_reported(tmp_path):
    """The contract is not vacuous: the same check on a copy whose record model imports the engine fails."""
    result = lint_a_copy_with(tmp_path, "model/loader.py", "from ..engine import cache")
    assert result.returncode != 0 and "ocpp_directory.model.loader -> ocpp_directory.engine.cache" in result.stdout


def test_no_module_is_over_400_lines():
    long = {str(path.relative_to(PACKAGE)): n for path in PACKAGE.rglob("*.py")
            if (n := len(path.read_text("utf-8").splitlines())) > MODULE_LINES}
    assert long == {}


def test_pelican_or_jinja_below_the_pipeline_is_reported(tmp_path):
    """The second contract is not vacuous either: an output importing Jinja fails it (issue 36)."""
    result = lint_a_copy_with(tmp_path, "outputs/qr.py", "import jinja2")
    assert result.returncode != 0 and "ocpp_directory.outputs.qr -> jinja2" in result.stdout


def _code_strings(path: Path) -> list[str]:
    """The text a file's code holds, without its comments (and, for Python, its docstrings)."""
    import ast
    import re

    text = path.read_text("utf-8")
    if path.suffix == ".py":
        tree = ast.parse(text)
        docs = {id(node.body[0].value) for node in ast.walk(tree)
                if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                and node.body and isinstance(node.body[0], ast.Expr)}
        return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                and id(n) not in docs]
    if path.suffix == ".js":
        return [re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)]
    return [re.sub(r"\{#.*?#\}", "", text, flags=re.S)]


def test_one_owner_spells_the_certificates_address():
    """A certificate's address (which fifteen years of QR codes encode) is spelled in model/addresses.py
    only: the Python code, the templates and the scripts ask it (the scripts through data-certificate)."""
    owner = PACKAGE / "model" / "addresses.py"
    files = [p for p in PACKAGE.rglob("*.py") if p != owner]
    files += sorted((ROOT / "theme" / "templates").glob("*.html")) + sorted((ROOT / "theme" / "static" / "js").glob("*.js"))
    spelled = [str(p.relative_to(ROOT)) for p in files if any("certificates/" in s for s in _code_strings(p))]
    assert spelled == []
    assert any("certificates/" in s for s in _code_strings(owner))
