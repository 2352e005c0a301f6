"""The closed forms of spec/gossipsub.md §12.4 decide, and a parameter change flips each of them.

GS-CAP-1 (GS-PROP-2 under a binding cap), GS-SIL-1 / GS-SIL-2 (GS-PROP-3: pruned in bounded time, or a
silent mesh peer that survives), GS-SHORT-1 / GS-SHORT-2 (the witnesses stay short). Every violated
verdict carries a trace that replays with no mismatch and that the ground-truth checker confirms.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from peerproof.attacks.gossipsub.symbolic.analytic import prove
from peerproof.attacks.gossipsub.symbolic.budget import late_fill, steady
from peerproof.attacks.gossipsub.symbolic.rational import exact
from peerproof.properties.gossipsub.security import witness_violation
from peerproof.reference.gossipsub import load_config
from peerproof.reference.trace import replay
from peerproof.spec import bundled_config_path


def bundled(name: str) -> Any:
    return load_config(bundled_config_path(name))


def with_topic(config: Any, topic: str, **changes: Any) -> Any:
    """The config with one topic's parameters changed (a mutant config)."""
    topics = dict(config.score.topics)
    topics[topic] = replace(topics[topic], **changes)
    return replace(config, score=replace(config.score, topics=topics))


def with_cap(config: Any, cap: float) -> Any:
    return replace(config, score=replace(config.score, topic_score_cap=cap))


def confirmed(config: Any, slug: str, topic: str | None, finding: Any) -> None:
    """The finding is a violation whose trace replays exactly and which the checker confirms."""
    assert finding is not None and finding.verdict == "violated", finding
    assert finding.engine == "analytic"
    assert replay(finding.trace) == []
    peers = sorted({e.peer for e in finding.trace.events if hasattr(e, "peer")})
    assert witness_violation(config, slug, topic, finding.trace, peers=peers) is not None


def test_gs_cap_1_a_binding_cap_masks_one_invalid_message_prysm() -> None:
    config = bundled("eth2-prysm")
    found = prove(config, "misbehaviour-lowers-score")
    confirmed(config, "misbehaviour-lowers-score", None, found)
    assert "(topic cap)" in found.reason and "GS-CAP-1" in found.reason
    assert len(found.trace.events) < 2_000  # GS-SHORT-1: a silent wait, then a small fill


def test_gs_cap_1_mutant_a_cap_above_every_reachable_sum_holds() -> None:
    """Raising Prysm's cap above Σ R1 + R2 (138) flips GS-CAP-1 to the closed-form ``holds``."""
    found = prove(with_cap(bundled("eth2-prysm"), 140.0), "misbehaviour-lowers-score")
    assert found.verdict == "holds" and "never exceeds the cap" in found.reason


def test_gs_cap_1_mutant_a_cap_only_p1_could_exceed_is_left_open() -> None:
    """A cap between the first-delivery sum and the full reward sum needs P1: no late fill reaches it, so the
    closed form says nothing (the engines decide) rather than guess."""
    config = bundled("eth2-prysm")
    cq = exact(config)
    first_only = sum(float(t.tw * t.w2 * t.cap2) for t in cq.topics if t.w2 > 0)
    assert prove(with_cap(config, first_only + 1.0), "misbehaviour-lowers-score") is None


@pytest.mark.parametrize("name", ["eth2-lighthouse", "eth2-lodestar"])
def test_gs_cap_1_decides_the_clients_that_were_inconclusive(name: str) -> None:
    config = bundled(name)
    found = prove(config, "misbehaviour-lowers-score")
    confirmed(config, "misbehaviour-lowers-score", None, found)


def test_gs_sil_2_a_silent_block_peer_survives_in_eth2_acl2s() -> None:
    config = bundled("eth2-acl2s")
    found = prove(config, "penalizes-non-forwarding", "beacon_block")
    confirmed(config, "penalizes-non-forwarding", "beacon_block", found)
    assert found.reason.startswith("scored-but-insufficient") and "GS-SIL-2" in found.reason


def test_gs_sil_1_mutant_a_heavier_deficit_weight_gets_the_silent_peer_pruned() -> None:
    """Weighting beacon_block's deficit 20x heavier makes C3 exceed everything the peer can keep: GS-SIL-1
    proves it pruned, with the time bound."""
    config = bundled("eth2-acl2s")
    tp = config.score.topics["beacon_block"]
    mutant = with_topic(config, "beacon_block", mesh_message_deliveries_weight=20 * tp.mesh_message_deliveries_weight)
    found = prove(mutant, "penalizes-non-forwarding", "beacon_block")
    assert found.verdict == "holds" and "negative from n =" in found.reason, found
    assert found.bound.startswith("unbounded: pruned at the first heartbeat")


def test_gs_short_1_late_fill_takes_the_best_reward_per_delivery_first() -> None:
    cq = exact(bundled("eth2-lighthouse"))
    fill = late_fill(cq, cq.topic("beacon_block").max_reward / 10)
    assert fill is not None and sum(fill.values()) <= 8  # slashings give 1.15 per delivery, the block 0.36
    assert late_fill(cq, sum(t.tw * t.w2 * t.cap2 for t in cq.topics)) is None  # more than every P2 at its cap


def test_gs_short_2_steady_reward_joins_meshes_only_when_p2_is_not_enough() -> None:
    cq = exact(bundled("eth2-acl2s"))
    cheap = steady(cq, cq.topic("beacon_block").tw * 10, "beacon_block", 400, 1000)
    assert cheap is not None and not cheap.joined  # P2 of other topics suffices
    costly = steady(cq, sum(t.tw * t.w2 * t.cap2 for t in cq.topics if t.name != "beacon_block") + 1,
                    "beacon_block", 400, 1000)
    assert costly is not None and costly.joined  # only P1 elsewhere reaches it
    assert costly.floor > 0 and costly.warm_up <= 400
