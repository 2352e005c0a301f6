"""What the crdt verdict manifest (spec/configs/crdt/expected.json) must say about the bundled configs.

The frame's ``tests/frame/test_manifest.py`` re-checks every bundled config against the manifest (drift
fails); this test states what the manifest is for: every law of a standard rule holds, at least three
broken rules are refuted on a law with a minimal trace, and each Byzantine attack has a config it lands
on and a mitigated config it does not. After a deliberate change, regenerate and review the diff:

    python tests/frame/manifests.py --write crdt
"""

from __future__ import annotations

import json

from peerproof.properties.crdt.catalogue import LAWS
from peerproof.reference.crdt import load_config
from peerproof.spec import CONFIG_DIR, bundled_config_path

MANIFEST = json.loads((CONFIG_DIR / "crdt" / "expected.json").read_text(encoding="utf-8"))
BYZANTINE = ("bounded-future", "writer-authenticated", "equivocation-tolerant", "gc-safe", "metadata-bounded")


def verdicts(prop: str) -> dict[str, str]:
    """Config name -> verdict of ``prop`` where it is checked."""
    return {name: e["verdict"] for name, entries in MANIFEST["configs"].items() for e in entries
            if e["property"] == prop}


def test_crdt_manifest_uses_both_engine_families() -> None:
    """The manifest's verdicts come from z3 proofs and Hypothesis runs (engine: both)."""
    assert MANIFEST["settings"]["engine"] == "both"


def test_crdt_standard_rules_hold_and_broken_rules_are_refuted() -> None:
    """CR-PROP-1..4: standard rules hold (MV-register: bounded); >= 3 broken rules refuted with a short trace."""
    refuted = set()
    for name, entries in MANIFEST["configs"].items():
        config = load_config(bundled_config_path(name))
        for e in entries:
            if e["property"] in LAWS:
                if config.standard:
                    assert e["verdict"] in ("holds", "holds-bounded"), (name, e)
                elif e["verdict"] == "violated":
                    refuted.add(name)
                    assert "events, replayed" in e["reason"]
    assert len(refuted) >= 3, refuted


def test_crdt_every_byzantine_property_has_a_naive_and_a_mitigated_config() -> None:
    """CR-PROP-7..11: each is violated on some bundled config and holds on another."""
    for prop in BYZANTINE:
        found = set(verdicts(prop).values())
        assert "violated" in found and "holds" in found, (prop, verdicts(prop))
