"""Loading one test module from another (tests/ is not a package, so they cannot import each other)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType


def by_path(path: Path, name: str) -> ModuleType:
    """The module in ``path``, executed afresh under ``name`` (independently of pytest's own import of it)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
