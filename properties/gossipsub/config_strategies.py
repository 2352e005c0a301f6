"""Hypothesis strategies for valid GossipSub configs (GS-CFG), built as documents and read by the model.

Every config goes through ``config_from_mapping``, so whatever these strategies draw is exactly what a
user's file could say and passes go's ``validate()`` rules: reward weights >= 0, penalty weights <= 0,
decays in (0, 1), positive caps and thresholds, activation >= 1s, ordered thresholds, valid degrees.

Values are drawn small (a few peers' worth of counters cross every cap and threshold) and mix round
"interesting" values (0, 1, equal caps) with arbitrary floats, so shrinking lands on readable configs.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from peerproof.reference.gossipsub.config import Config, config_from_mapping
from peerproof.reference.gossipsub.dialect import DIALECTS

TOPIC_NAMES = ("a", "b")


def number(lo: float, hi: float, *nice: float) -> st.SearchStrategy[float]:
    """A float in [lo, hi], preferring the listed round values."""
    floats = st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    return st.one_of(st.sampled_from(nice), floats) if nice else floats


def decays() -> st.SearchStrategy[float]:
    """A decay factor strictly inside (0, 1)."""
    return number(0.01, 0.99, 0.5, 0.9)


def millis(*choices: int) -> st.SearchStrategy[str]:
    """A duration with units, from the listed numbers of milliseconds."""
    return st.sampled_from(choices).map(lambda ms: f"{ms}ms")


@st.composite
def topic_params(draw: st.DrawFn) -> dict[str, Any]:
    """TopicScoreParams with every group set (go's atomic validation): P1..P4 with valid signs."""
    return {
        "topic_weight": draw(number(0.0, 3.0, 0.0, 0.5, 1.0)),
        "time_in_mesh_weight": draw(number(0.0, 2.0, 0.0, 0.1, 1.0)),
        "time_in_mesh_quantum": draw(millis(1000, 1500, 2000)),
        "time_in_mesh_cap": draw(number(0.5, 10.0, 1.0, 3.0)),
        "first_message_deliveries_weight": draw(number(0.0, 5.0, 0.0, 1.0)),
        "first_message_deliveries_decay": draw(decays()),
        "first_message_deliveries_cap": draw(number(0.5, 10.0, 1.0, 2.0)),
        "mesh_message_deliveries_weight": draw(number(-5.0, 0.0, 0.0, -1.0)),
        "mesh_message_deliveries_decay": draw(decays()),
        "mesh_message_deliveries_cap": draw(number(0.5, 10.0, 2.0, 4.0)),
        "mesh_message_deliveries_threshold": draw(number(0.5, 6.0, 1.0, 3.0)),
        "mesh_message_deliveries_window": draw(millis(0, 5, 50)),
        "mesh_message_deliveries_activation": draw(millis(1000, 2000)),
        "mesh_failure_penalty_weight": draw(number(-5.0, 0.0, 0.0, -1.0)),
        "mesh_failure_penalty_decay": draw(decays()),
        "invalid_message_deliveries_weight": draw(number(-10.0, 0.0, 0.0, -1.0)),
        "invalid_message_deliveries_decay": draw(decays()),
    }


@st.composite
def score_params(draw: st.DrawFn) -> dict[str, Any]:
    """PeerScoreParams over one or two topics, with the global P5..P7, decay and retention settings."""
    names = draw(st.sampled_from([TOPIC_NAMES[:1], TOPIC_NAMES]))
    return {
        "topics": {name: draw(topic_params()) for name in names},
        "topic_score_cap": draw(st.one_of(st.just(0.0), number(0.1, 20.0, 0.5, 1.0))),
        "app_specific_weight": draw(number(-2.0, 2.0, 0.0, 1.0)),
        "ip_colocation_factor_weight": draw(number(-5.0, 0.0, 0.0, -1.0)),
        "ip_colocation_factor_threshold": draw(st.integers(1, 3)),
        "behaviour_penalty_weight": draw(number(-5.0, 0.0, 0.0, -1.0)),
        "behaviour_penalty_threshold": draw(number(0.0, 3.0, 0.0, 1.0)),
        "behaviour_penalty_decay": draw(decays()),
        "decay_interval": draw(millis(1000, 2000)),
        "decay_to_zero": draw(number(0.001, 0.5, 0.01, 0.1)),
        "retain_score": draw(millis(0, 1000, 5000, 30_000)),
        "seen_msg_ttl": draw(millis(2000, 120_000)),
    }


@st.composite
def thresholds(draw: st.DrawFn) -> dict[str, Any]:
    """PeerScoreThresholds in go's order: graylist <= publish <= gossip <= 0 <= acceptPX, oppGraft."""
    gossip = draw(number(-10.0, 0.0, -1.0))
    publish = gossip - draw(number(0.0, 10.0, 1.0))
    graylist = publish - draw(number(0.0, 10.0, 1.0))
    return {
        "gossip_threshold": gossip,
        "publish_threshold": publish,
        "graylist_threshold": graylist,
        "accept_px_threshold": draw(number(0.0, 10.0, 0.0)),
        "opportunistic_graft_threshold": draw(number(0.0, 5.0, 0.0, 1.0)),
    }


@st.composite
def router_params(draw: st.DrawFn) -> dict[str, Any]:
    """Mesh degrees satisfying go's rules (Dlo <= D <= Dhi, Dout < Dlo and Dout < D/2, Dscore <= Dhi).

    Degrees stay small so a handful of peers can under- and over-subscribe a mesh; opportunistic
    grafting runs every few heartbeats so short runs reach it.
    """
    d = draw(st.integers(2, 5))
    d_lo = draw(st.integers(1, d))
    d_hi = draw(st.integers(d, d + 3))
    return {
        "d": d, "d_lo": d_lo, "d_hi": d_hi,
        "d_out": draw(st.integers(0, min(d_lo, d // 2) - 1)),
        "d_score": draw(st.integers(0, d_hi)),
        "heartbeat_interval": "1s",
        "prune_backoff": draw(millis(1000, 60_000)),
        "opportunistic_graft_ticks": draw(st.integers(1, 3)),
        "opportunistic_graft_peers": draw(st.integers(1, 2)),
    }


@st.composite
def config_documents(draw: st.DrawFn, dialect: str | None = None) -> dict[str, Any]:
    """A whole config document (the mapping a YAML/JSON file would hold)."""
    return {
        "protocol": "gossipsub",
        "dialect": dialect or draw(st.sampled_from(sorted(DIALECTS))),
        "router": draw(router_params()),
        "score_params": draw(score_params()),
        "thresholds": draw(thresholds()),
    }


def configs(dialect: str | None = None) -> st.SearchStrategy[Config]:
    """Valid Configs (read through ``config_from_mapping``), in ``dialect`` or any dialect."""
    return config_documents(dialect).map(lambda doc: config_from_mapping(doc, file="(generated)"))
