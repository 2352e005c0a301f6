"""The verdict manifest (spec/configs/matchmaking/expected.json, the frame's format): every violation's trace of
the manifest run survives JSON and replays (tests/frame/test_manifest.py checks the verdicts themselves).
Regenerate with ``python tests/frame/manifests.py --write matchmaking`` (it runs ``peerproof check``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from peerproof.attacks.matchmaking import CHECKS
from peerproof.reference.trace import replay, trace_from_dict, trace_to_dict

CONFIGS = Path(__file__).resolve().parents[2] / "spec" / "configs" / "matchmaking"
MANIFEST = json.loads((CONFIGS / "expected.json").read_text())
NAMES = sorted(p.stem for p in CONFIGS.glob("*.yaml"))


@pytest.mark.parametrize("name", NAMES)
def test_matchmaking_every_violation_replays_through_json(name: str, manifest_run) -> None:
    """The manifest run (shared with tests/frame/test_manifest.py, which checks the verdicts): every holds
    states its bound, every violation's trace survives JSON, replays and is confirmed by the witness."""
    for r in manifest_run("matchmaking", name):
        if r.verdict != "violated":
            assert r.bound, f"{r.job.slug}: a holds verdict states its bound"
            continue
        f = r.engines[r.engine]
        back = trace_from_dict(json.loads(json.dumps(trace_to_dict(f.trace))))
        assert replay(back) == []
        assert CHECKS.witness(back.config, CHECKS.jobs(back.config, [f.property])[0], back) is not None
