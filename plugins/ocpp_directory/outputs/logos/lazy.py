"""cairo, imported when first used: it takes a tenth of a second to import, and a build
that draws no kit or label (a changed page only) never needs it."""

from __future__ import annotations

import importlib.util
import sys


def _lazy(name: str):
    """The module ``name``, run when first used (importlib's LazyLoader recipe)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


cairo = _lazy("cairocffi")
