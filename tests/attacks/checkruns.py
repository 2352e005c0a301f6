"""The ``peerproof check`` runs of tests/attacks, as the manifest and engine-agreement tests run them.

Two runs, with settings that keep the directory within CI time on two cores:

* the **manifest run** of every bundled config (``--engine hypothesis --no-replays``): the closed forms,
  then the Hypothesis search on a fixed seed and plan budget. Its verdicts depend on the work done, not
  on the clock (the time limit is a safety net these settings never reach), so
  spec/configs/gossipsub/expected.json records them. Each engine has replayed every violation in the
  reference model and confirmed it before reporting it; the TypeScript replays of attack traces are
  tested in tests/cli/test_check_cli.py;
* the **z3 run** (``--engine z3``): the closed forms, then z3 with a short time limit. How deep z3 gets
  depends on the machine, so its verdicts are not in the manifest; the agreement test checks that
  nothing it concludes contradicts what the manifest run found. It covers the two configs the ACL2s
  papers analysed, and every bundled config under the ``deep`` profile (``HYPOTHESIS_PROFILE=deep``).
"""

from __future__ import annotations

import os
from pathlib import Path

from peerproof.reference.gossipsub import load_config
from peerproof.spec import bundled_configs

from peerproof.check import Options, Result, jobs_for, run_checks

DEPTH = 12  # decay intervals z3 unrolls
SAMPLES = 30  # Hypothesis plans per property
TIMEOUT_S = 120.0  # per search: a safety net the manifest run never reaches
Z3_TIMEOUT_S = 4.0  # per z3 call in the agreement run
SEED = 0
CONFIGS = [c.name for c in bundled_configs("gossipsub")]
Z3_CONFIGS = CONFIGS if os.environ.get("HYPOTHESIS_PROFILE") == "deep" else ["eth2-acl2s", "filecoin-acl2s"]


def check_config(name: str, out: Path | None = None, *, engine: str = "hypothesis") -> list[Result]:
    """``peerproof check NAME --engine ENGINE`` at the settings above (no TS replays), as Result objects."""
    config = load_config(next(c.path for c in bundled_configs("gossipsub") if c.name == name))
    timeout = Z3_TIMEOUT_S if engine == "z3" else TIMEOUT_S
    opts = Options(config, config.dialect, DEPTH, timeout, engine, SAMPLES, SEED, out, min(4, os.cpu_count() or 1),
                   replays=False)
    return run_checks(opts, jobs_for(config))
