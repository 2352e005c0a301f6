"""The shared check runs of tests/gossipsub/attacks (see checkruns.py): computed once per session."""

from __future__ import annotations

import pytest
from checkruns import CONFIGS, Z3_CONFIGS, z3_run

from peerproof.checkevidence import Result


@pytest.fixture(scope="session")
def checked(manifest_run) -> dict[str, list[Result]]:
    """Every bundled config's manifest-run results (closed forms and Hypothesis)."""
    return {name: manifest_run("gossipsub", name) for name in CONFIGS}


@pytest.fixture(scope="session")
def z3_checked() -> dict[str, list[Result]]:
    """Every bundled config's z3-run results (closed forms and z3)."""
    return {name: z3_run(name) for name in Z3_CONFIGS}
