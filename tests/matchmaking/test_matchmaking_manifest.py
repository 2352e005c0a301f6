"""The verdict manifest (spec/configs/matchmaking/expected.json): CHECKS on every bundled config must give
the recorded verdicts and reasons. Regenerate with ``python tests/matchmaking/test_matchmaking_manifest.py --write``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from peerproof.attacks.checks import Settings
from peerproof.attacks.matchmaking import CHECKS
from peerproof.reference.matchmaking import load_config
from peerproof.reference.trace import replay, trace_from_dict, trace_to_dict

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "spec" / "configs" / "matchmaking"
MANIFEST = CONFIGS / "expected.json"


def findings(path: Path) -> list:
    """Every property's finding on a config: the first engine with something to say."""
    config = load_config(path)
    settings = Settings(dialect=config.dialect)
    out = []
    for job in CHECKS.jobs(config):
        for engine in CHECKS.engines:
            found = engine.run(config, job, settings)
            if found is not None:
                out.append(found)
                break
    return out


def manifest() -> dict:
    """The manifest as the checks compute it now."""
    doc = {}
    for path in sorted(CONFIGS.glob("*.yaml")):
        config = load_config(path)
        doc[config.name] = [{"property": f.property, "topic": f.topic, "verdict": f.verdict, "reason": f.reason}
                            for f in findings(path)]
    return doc


@pytest.mark.slow
def test_matchmaking_manifest_has_not_drifted() -> None:
    assert manifest() == json.loads(MANIFEST.read_text())


def test_matchmaking_every_violation_replays_through_json() -> None:
    for path in sorted(CONFIGS.glob("*.yaml")):
        for f in findings(path):
            if f.verdict != "violated":
                assert f.bound, f"{f.property}: a holds verdict states its bound"
                continue
            back = trace_from_dict(json.loads(json.dumps(trace_to_dict(f.trace))))
            assert replay(back) == []
            assert CHECKS.witness(back.config, CHECKS.jobs(back.config, [f.property])[0], back) is not None


if __name__ == "__main__" and "--write" in sys.argv:
    MANIFEST.write_text(json.dumps(manifest(), indent=1, ensure_ascii=False) + "\n")
