"""The GossipSub ``peerproof check`` runs the engine-agreement test compares.

* the **manifest run** of every bundled config (the settings recorded in spec/configs/gossipsub/
  expected.json, ``check``'s defaults: the closed forms, which decide every property of every bundled
  config, so no search engine runs), shared with tests/frame/test_manifest.py through the
  ``manifest_run`` fixture;
* the **cross-check run** (``--engine both --cross-check``): the closed forms, z3 within a small resource
  budget and the Hypothesis search, each on every property even where the closed forms settled it. z3's
  budget is counted in its deterministic resource units, so its verdicts do not depend on the machine
  either; the agreement test checks that no engine contradicts another, within a run or across the two.
  It covers the two configs the ACL2s papers analysed, and every bundled config under the ``deep``
  profile (``HYPOTHESIS_PROFILE=deep``).
"""

from __future__ import annotations

import os

from manifests import check, configs_of, load_manifest

SETTINGS = load_manifest("gossipsub").settings
DEPTH, SAMPLES, TIMEOUT_S, SEED = SETTINGS["depth"], SETTINGS["samples"], SETTINGS["timeout_s"], SETTINGS["seed"]
Z3_TIMEOUT_S = 4.0  # z3's budget per property in the agreement run, in seconds' worth of resource units
Z3_DEPTH = 12  # z3's unrolling in the agreement run (decay intervals)
CROSS_SAMPLES = 30  # Hypothesis plans per property in the agreement run
CONFIGS = configs_of("gossipsub")
Z3_CONFIGS = CONFIGS if os.environ.get("HYPOTHESIS_PROFILE") == "deep" else ["eth2-acl2s", "filecoin-acl2s"]


def z3_run(name: str) -> list:
    """The cross-check run of a bundled config (closed forms, z3 and Hypothesis on every property)."""
    return check("gossipsub", name, {**SETTINGS, "engine": "both", "timeout_s": Z3_TIMEOUT_S, "depth": Z3_DEPTH,
                                     "samples": CROSS_SAMPLES, "cross_check": True})
