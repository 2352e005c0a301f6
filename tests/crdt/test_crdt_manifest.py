"""The crdt verdict manifest (spec/configs/crdt/expected.json): a fresh check of every bundled config must match.

Standard rules hold (z3 proofs, bounded Hypothesis runs), broken rules are refuted with a replayed
minimal trace; the Byzantine properties are refuted or hold by their mitigation's argument. Any drift
(a verdict that changes, an entry that appears or disappears) fails. After a deliberate change:

    python tests/crdt/test_crdt_manifest.py --write
"""

from __future__ import annotations

import json
import sys

import pytest
from crdt_checkrun import CONFIGS, Outcome, check_config
from peerproof.reference.crdt import load_config
from peerproof.reference.trace import replay
from peerproof.spec import CONFIG_DIR, bundled_config_path

MANIFEST = CONFIG_DIR / "crdt" / "expected.json"


def entries(outcomes: list[Outcome]) -> list[dict]:
    """Manifest entries of one config's outcomes."""
    return [{"property": o.job.slug, "topic": o.job.topic, "verdict": o.verdict, "reason": o.reason} for o in outcomes]


@pytest.mark.parametrize("name", CONFIGS)
def test_crdt_bundled_config_matches_manifest(name: str) -> None:
    """CR-PROP-1..11 on each bundled config: the same verdicts as the manifest, violations replayed."""
    expected = json.loads(MANIFEST.read_text(encoding="utf-8"))[name]
    outcomes = check_config(load_config(bundled_config_path(name)))
    got = {(o.job.slug, o.job.topic): o for o in outcomes}
    want = {(e["property"], e["topic"]): e for e in expected}
    assert set(got) == set(want)
    drift = [f"{k}: expected {want[k]['verdict']}, got {got[k].verdict}: {got[k].reason[:200]}" for k in want
             if want[k]["verdict"] != got[k].verdict]
    assert not drift, drift
    for o in outcomes:
        if o.verdict == "violated":
            assert o.finding is not None and o.finding.trace is not None and replay(o.finding.trace) == []


def test_crdt_standard_rules_hold_and_broken_rules_are_refuted() -> None:
    """The manifest says what the bundled configs are for: every law of a standard rule holds."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    laws = ("merge-commutative", "merge-associative", "merge-idempotent", "update-inflationary")
    for name, found in manifest.items():
        config = load_config(bundled_config_path(name))
        law_verdicts = {e["verdict"] for e in found if e["property"] in laws}
        if config.standard:
            assert law_verdicts <= {"holds", "holds-bounded"}, name
    refuted = {name for name, found in manifest.items() if any(e["verdict"] == "violated" and e["property"] in laws
                                                                for e in found)}
    assert len(refuted) >= 3, refuted


def write() -> None:
    """Regenerate the manifest from a fresh check."""
    doc = {name: entries(check_config(load_config(bundled_config_path(name)))) for name in CONFIGS}
    MANIFEST.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write()
    else:
        sys.exit("usage: python tests/crdt/test_crdt_manifest.py --write")
