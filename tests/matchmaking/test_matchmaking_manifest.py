"""The verdict manifest (spec/configs/matchmaking/expected.json, the frame's format): CHECKS run in-process on
every bundled config give the recorded verdicts, and every violation's trace survives JSON and replays.
Regenerate with ``python tests/frame/manifests.py --write matchmaking`` (it runs ``peerproof check``)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from peerproof.attacks.checks import Settings
from peerproof.attacks.finding import Finding
from peerproof.attacks.matchmaking import CHECKS
from peerproof.reference.matchmaking import load_config
from peerproof.reference.trace import replay, trace_from_dict, trace_to_dict

CONFIGS = Path(__file__).resolve().parents[2] / "spec" / "configs" / "matchmaking"
MANIFEST = json.loads((CONFIGS / "expected.json").read_text())
NAMES = sorted(p.stem for p in CONFIGS.glob("*.yaml"))


@cache
def findings(name: str) -> tuple[Finding, ...]:
    """Every property's finding on a bundled config: the first engine with something to say."""
    config = load_config(CONFIGS / f"{name}.yaml")
    settings = Settings(dialect=config.dialect, seed=MANIFEST["settings"]["seed"])
    out = []
    for job in CHECKS.jobs(config):
        out.append(next(f for e in CHECKS.engines if (f := e.run(config, job, settings)) is not None))
    return tuple(out)


@pytest.mark.parametrize("name", NAMES)
def test_matchmaking_verdicts_match_the_manifest(name: str) -> None:
    want = {(e["property"], e["topic"]): e["verdict"] for e in MANIFEST["configs"][name]}
    assert {(f.property, f.topic): f.verdict for f in findings(name)} == want


@pytest.mark.parametrize("name", NAMES)
def test_matchmaking_every_violation_replays_through_json(name: str) -> None:
    for f in findings(name):
        if f.verdict != "violated":
            assert f.bound, f"{f.property}: a holds verdict states its bound"
            continue
        back = trace_from_dict(json.loads(json.dumps(trace_to_dict(f.trace))))
        assert replay(back) == []
        assert CHECKS.witness(back.config, CHECKS.jobs(back.config, [f.property])[0], back) is not None
