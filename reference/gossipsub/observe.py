"""Observables (GS-OBS): what a user or another implementation can be compared on after each event."""

from __future__ import annotations

from typing import Any

from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.dialect import Dialect, get_dialect
from peerproof.reference.gossipsub.score import breakdown
from peerproof.reference.gossipsub.state import State

COUNTERS = ("first_message_deliveries", "mesh_message_deliveries", "mesh_failure_penalty",
            "invalid_message_deliveries")


def observe_peer(config: Config, state: State, peer: str, dialect: Dialect) -> dict[str, Any] | None:
    """One peer's score, its components P1..P7 per topic, and the raw counters behind them."""
    b = breakdown(config, state, peer, dialect)
    if b is None:
        return None
    stats = state.peers[peer]
    topics = {}
    for topic, comps in b.topics.items():
        ts = stats.topics[topic]
        topics[topic] = {
            "in_mesh": ts.in_mesh,
            "mesh_time": ts.mesh_time_ms / 1000,
            "active": ts.mesh_message_deliveries_active,
            **{name: getattr(ts, name) for name in COUNTERS},
            "p1": comps.p1, "p2": comps.p2, "p3": comps.p3, "p3b": comps.p3b, "p4": comps.p4,
            "contribution": comps.contribution,
        }
    return {
        "score": b.score,
        "connected": stats.connected,
        "topics": topics,
        "topic_total": b.topic_total,
        "topic_capped": b.topic_capped,
        "behaviour_penalty": stats.behaviour_penalty,
        "p5": b.p5, "p6": b.p6, "p7": b.p7,
    }


def observe(config: Config, state: State, dialect: Dialect | None = None) -> dict[str, Any]:
    """GS-OBS-1: every known peer's observables and the router's meshes, at the state's clock (an observation
    after event i is taken after the refreshes due at its time, GS-OBS-3; compared under GS-OBS-2)."""
    dialect = dialect or get_dialect(config.dialect)
    peers = {}
    for peer in sorted(state.peers):
        obs = observe_peer(config, state, peer, dialect)
        if obs is not None:
            peers[peer] = obs
    mesh = {t: sorted(m) for t, m in sorted(state.router.mesh.items()) if m}
    return {"time": state.now_ms / 1000, "peers": peers, "mesh": mesh}
