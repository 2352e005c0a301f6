"""Quality suite: the security-property checker (GS-PROP-3) catches a model broken on purpose.

A silent mesh peer in Lodestar's aggregate topic is pruned by score (the closed form proves it), so
``witness_violation`` finds nothing in its trace. In a mutant model whose P3 (the mesh-delivery
deficit) is always 0, the same behaviour is never pruned: the checker must report the violation, as
``not-scored`` would be wrong there (the config does weight P3), so it says ``scored-but-insufficient``.
"""

from __future__ import annotations

import importlib
from dataclasses import replace

import pytest
from peerproof.attacks.gossipsub import prove
from peerproof.attacks.gossipsub.symbolic.plan import Plan, Step, trace_of
from peerproof.attacks.gossipsub.symbolic.rational import exact
from peerproof.properties.gossipsub.security import witness_violation
from peerproof.reference.gossipsub import load_config
from peerproof.spec import bundled_config_path

SLUG, TOPIC, HORIZON = "penalizes-non-forwarding", "beacon_aggregate_and_proof", 60


def silent_peer_verdict() -> str | None:
    """The checker's verdict on a peer that joins the aggregate mesh and never delivers there."""
    config = load_config(bundled_config_path("eth2-lodestar"))
    cq = exact(config)
    plan = Plan({"attacker": (Step(graft=frozenset({TOPIC})),)})
    trace = trace_of(config, cq, plan, cq.activation_age(cq.topic(TOPIC)) + HORIZON + 2,
                     claim={"property": SLUG}, meta={})
    return witness_violation(config, SLUG, TOPIC, trace, peers=["attacker"], horizon=HORIZON)


def test_penalizes_non_forwarding_holds_for_the_silent_peer_in_the_real_model() -> None:
    config = load_config(bundled_config_path("eth2-lodestar"))
    assert prove(config, SLUG, TOPIC).verdict == "holds"
    assert silent_peer_verdict() is None


def test_penalizes_non_forwarding_catches_a_model_without_p3(monkeypatch: pytest.MonkeyPatch) -> None:
    score = importlib.import_module("peerproof.reference.gossipsub.score")  # the package re-exports ``score``
    monkeypatch.setattr(score, "p3_mesh_deficit", lambda tp, ts: 0.0)
    why = silent_peer_verdict()
    assert why is not None and why.startswith("scored-but-insufficient"), why


# -- a mutant per security property: the checker passes the real model and catches the broken one -------

LODESTAR = "eth2-lodestar"


def lodestar_trace(steps: dict[str, tuple[Step, ...]], intervals: int):
    """The plan's trace under Lodestar's config (every peer repeats its steps each decay interval)."""
    config = load_config(bundled_config_path(LODESTAR))
    return config, trace_of(config, exact(config), Plan(steps), intervals, claim={}, meta={})


def twins(extra: Step | None = None) -> tuple[object, object]:
    """Two peers in the aggregate mesh delivering first alike; ``extra`` is the second one's own step."""
    honest = Step(first={TOPIC: 2}, graft=frozenset({TOPIC}))
    return lodestar_trace({"p": (honest,), "q": (extra or honest,)}, 6)


def test_fairness_catches_a_score_that_depends_on_connection_order(monkeypatch: pytest.MonkeyPatch) -> None:
    config, trace = twins()
    assert witness_violation(config, "fairness", None, trace) is None
    score = importlib.import_module("peerproof.reference.gossipsub.score")
    monkeypatch.setattr(score, "p6_ip_colocation",  # a peer is charged by where the peer map keeps it
                        lambda config, state, stats, dialect: float(next(
                            i for i, s in enumerate(state.peers.values()) if s is stats)))
    why = witness_violation(config, "fairness", None, trace)
    assert why is not None and "same history" in why, why


def test_misbehaviour_lowers_score_catches_a_total_that_ignores_p7(monkeypatch: pytest.MonkeyPatch) -> None:
    config, trace = twins(Step(first={TOPIC: 2}, graft=frozenset({TOPIC}), penalties=20))  # past P7's threshold
    assert witness_violation(config, "misbehaviour-lowers-score", None, trace) is None
    security = importlib.import_module("peerproof.properties.gossipsub.security")
    real = security.breakdown

    def without_p7(config, state, peer, dialect=None, components=None):
        b = real(config, state, peer, dialect, components)
        return None if b is None else replace(b, score=b.score - b.p7 * config.score.behaviour_penalty_weight)

    monkeypatch.setattr(security, "breakdown", without_p7)
    why = witness_violation(config, "misbehaviour-lowers-score", None, trace)
    assert why is not None and "P7" in why, why


def test_topic_consistency_catches_a_deficit_charged_before_activation(monkeypatch: pytest.MonkeyPatch) -> None:
    other = "beacon_block"
    config, trace = lodestar_trace({"attacker": (Step(first={other: 4}, graft=frozenset({TOPIC})),)}, 2)
    assert witness_violation(config, "topic-consistency", TOPIC, trace) is None
    score = importlib.import_module("peerproof.reference.gossipsub.score")
    monkeypatch.setattr(score, "p3_mesh_deficit", lambda tp, ts: 1e-6 if ts.in_mesh else 0.0)
    why = witness_violation(config, "topic-consistency", TOPIC, trace)
    assert why is not None, "the checker missed a negative topic under a positive total"


def test_rewards_good_behaviour_catches_first_deliveries_that_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    good = Step(first={TOPIC: 4}, graft=frozenset({TOPIC}))
    config, trace = lodestar_trace({"good": (good,)}, 4)
    assert witness_violation(config, "rewards-good-behaviour", None, trace) is None
    score = importlib.import_module("peerproof.reference.gossipsub.score")
    monkeypatch.setattr(score, "p2_first_deliveries", lambda tp, ts: -1e6 * ts.first_message_deliveries)
    why = witness_violation(config, "rewards-good-behaviour", None, trace)
    assert why is not None and "good" in why, why


def test_graylists_invalid_floods_catches_a_model_that_forgets_invalid_messages(
        monkeypatch: pytest.MonkeyPatch) -> None:
    horizon = 40
    config, trace = lodestar_trace({"spammer": (Step(invalid={TOPIC: 1}),) * (horizon + 2)}, horizon + 2)
    bounds = {"peers": ["spammer"], "horizon": horizon}
    assert witness_violation(config, "graylists-invalid-floods", TOPIC, trace, **bounds) is None
    score = importlib.import_module("peerproof.reference.gossipsub.score")
    real = score.topic_components
    monkeypatch.setattr(score, "topic_components",
                        lambda tp, ts, dialect: real(tp, replace(ts, invalid_message_deliveries=0.0), dialect))
    why = witness_violation(config, "graylists-invalid-floods", TOPIC, trace, **bounds)
    assert why is not None and "never scored below the graylist threshold" in why, why
