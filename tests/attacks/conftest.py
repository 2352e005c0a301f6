"""The shared check runs of tests/attacks (see checkruns.py): computed once per session."""

from __future__ import annotations

import pytest
from checkruns import CONFIGS, Z3_CONFIGS, check_config

from peerproof.check import Result


@pytest.fixture(scope="session")
def checked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Result]]:
    """Every bundled config's manifest-run results (closed forms and Hypothesis), trace files written."""
    root = tmp_path_factory.mktemp("check")
    return {name: check_config(name, root / name) for name in CONFIGS}


@pytest.fixture(scope="session")
def z3_checked() -> dict[str, list[Result]]:
    """Every bundled config's z3-run results (closed forms and z3)."""
    return {name: check_config(name, engine="z3") for name in Z3_CONFIGS}
