"""Hypothesis profiles for the whole suite (tooling notes §3.2).

``ci``: bounded and derandomized, nothing persisted (Hypothesis picks it whenever ``CI`` is set);
``dev``: quick local runs; ``deep``: long randomized campaigns that keep their failures in the example
database. Select one with ``HYPOTHESIS_PROFILE=<name>``: Hypothesis itself does not read that variable.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, deadline=None, database=None, max_examples=100, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
# Model runs replay whole event sequences per example: wall-clock deadlines would only add flakiness.
settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("deep", max_examples=5000, derandomize=False, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])

settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))
