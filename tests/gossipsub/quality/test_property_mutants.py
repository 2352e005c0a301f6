"""Quality suite: the security-property checker (GS-PROP-3) catches a model broken on purpose.

A silent mesh peer in Lodestar's aggregate topic is pruned by score (the closed form proves it), so
``witness_violation`` finds nothing in its trace. In a mutant model whose P3 (the mesh-delivery
deficit) is always 0, the same behaviour is never pruned: the checker must report the violation, as
``not-scored`` would be wrong there (the config does weight P3), so it says ``scored-but-insufficient``.
"""

from __future__ import annotations

import importlib

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
