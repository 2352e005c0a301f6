"""The GossipSub ``peerproof check`` runs the engine-agreement test compares.

* the **manifest run** of every bundled config (the settings recorded in spec/configs/gossipsub/
  expected.json: the closed forms, then the Hypothesis search on a fixed seed and plan budget), shared
  with tests/frame/test_manifest.py through the ``manifest_run`` fixture;
* the **z3 run** (``--engine z3``): the closed forms, then z3 with a short time limit. How deep z3 gets
  depends on the machine, so its verdicts are not in the manifest; the agreement test checks that
  nothing it concludes contradicts what the manifest run found. It covers the two configs the ACL2s
  papers analysed, and every bundled config under the ``deep`` profile (``HYPOTHESIS_PROFILE=deep``).
"""

from __future__ import annotations

import os

from manifests import check, configs_of, load_manifest

SETTINGS = load_manifest("gossipsub").settings
DEPTH, SAMPLES, TIMEOUT_S, SEED = SETTINGS["depth"], SETTINGS["samples"], SETTINGS["timeout_s"], SETTINGS["seed"]
Z3_TIMEOUT_S = 4.0  # per z3 call in the agreement run
CONFIGS = configs_of("gossipsub")
Z3_CONFIGS = CONFIGS if os.environ.get("HYPOTHESIS_PROFILE") == "deep" else ["eth2-acl2s", "filecoin-acl2s"]


def z3_run(name: str) -> list:
    """The z3 run of a bundled config (closed forms and z3)."""
    return check("gossipsub", name, {**SETTINGS, "engine": "z3", "timeout_s": Z3_TIMEOUT_S})
