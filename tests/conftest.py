"""Hypothesis profiles for the whole suite (tooling notes §3.2).

``ci``: bounded and derandomized, nothing persisted (Hypothesis picks it whenever ``CI`` is set);
``dev``: quick local runs; ``deep``: long randomized campaigns that keep their failures in the example
database. Select one with ``HYPOTHESIS_PROFILE=<name>``: Hypothesis itself does not read that variable.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).parent / "frame"))  # the frame's test helpers (manifests.py)

settings.register_profile(
    "ci", derandomize=True, deadline=None, database=None, max_examples=100, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# Model runs replay whole event sequences per example: wall-clock deadlines would only add flakiness.
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("deep", max_examples=5000, derandomize=False, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])

settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


@pytest.fixture(scope="session")
def manifest_run(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], list[Any]]:
    """``run(protocol, name)``: a bundled config's check at its manifest's settings, computed once per session
    (shared by the manifest test and the protocols' own tests of the same run); trace files written."""
    from manifests import check, load_manifest

    cache: dict[tuple[str, str], list[Any]] = {}
    root = tmp_path_factory.mktemp("manifest-run")

    def run(protocol: str, name: str) -> list[Any]:
        if (protocol, name) not in cache:
            cache[protocol, name] = check(protocol, name, load_manifest(protocol).settings, root / protocol / name)
        return cache[protocol, name]

    return run
