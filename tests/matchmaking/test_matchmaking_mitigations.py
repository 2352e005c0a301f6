"""Attacks with and without each mitigation (spec §12.2): switching a mitigation off must not make an
attack harder, and the two structural mitigations turn a proof into a violation."""

from __future__ import annotations

from pathlib import Path

from peerproof.attacks.matchmaking import CHECKS
from peerproof.attacks.matchmaking.mitigations import table
from peerproof.reference.matchmaking import load_config

HARDENED = Path(__file__).resolve().parents[2] / "spec" / "configs" / "matchmaking" / "knexa-hardened.yaml"


def test_matchmaking_each_hardened_mitigation_is_compared_with_its_absence() -> None:
    rows = {(r.property, r.mitigation): r for r in table(CHECKS, load_config(HARDENED))}
    symmetric = rows[("pair-score-symmetric", "symmetric context (MM-CTX-2)")]
    assert (symmetric.with_verdict, symmetric.without_verdict) == ("holds", "violated")
    clipping = rows[("exploration-bounded", "profile clipping (MM-PROF-3)")]
    assert (clipping.with_verdict, clipping.without_verdict) == ("holds", "violated")
    sybil = rows[("sybil-resistant", "minimum profile distance (MM-PROF-4)")]
    assert float(sybil.with_cost) >= 0.05 > float(sybil.without_cost)
    confirmed = rows[("reward-poisoning-resistant", "partner-confirmed rewards (MM-TRUST-2)")]
    assert "dispute" in confirmed.with_cost and "dispute" not in confirmed.without_cost
