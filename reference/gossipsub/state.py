"""What one GossipSub router remembers about its peers (GS-STATE): counters, mesh, delivery records.

Everything is an immutable snapshot; transitions in ``step`` build new snapshots.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from peerproof.reference.gossipsub.config import Config


@dataclass(frozen=True)
class TopicStats:
    """The per-topic counters behind P1..P4 for one peer (go/ts ``topicStats``)."""

    in_mesh: bool = False
    graft_time_ms: int = 0
    mesh_time_ms: int = 0
    first_message_deliveries: float = 0.0
    mesh_message_deliveries: float = 0.0
    mesh_message_deliveries_active: bool = False
    mesh_failure_penalty: float = 0.0
    invalid_message_deliveries: float = 0.0


@dataclass(frozen=True)
class PeerStats:
    """Everything scored about one peer: topic counters, known IPs, the P7 counter, retention."""

    connected: bool = True
    expire_ms: int = 0
    topics: Mapping[str, TopicStats] = field(default_factory=dict)
    known_ips: frozenset[str] = frozenset()
    behaviour_penalty: float = 0.0


@dataclass(frozen=True)
class DeliveryRecord:
    """What the router knows about one message ID: validation status and who sent copies (GS-P3 window)."""

    topic: str
    first_sender: str
    status: str = "unknown"  # unknown (validation pending) | valid | invalid | ignored
    first_seen_ms: int = 0
    validated_ms: int = 0
    peers: frozenset[str] = frozenset()
    expire_ms: int = 0


@dataclass(frozen=True)
class RouterState:
    """The router-side state mesh maintenance needs (GS-HB): meshes, subscriptions, directions, backoff."""

    mesh: Mapping[str, frozenset[str]] = field(default_factory=dict)
    subscriptions: Mapping[str, frozenset[str]] = field(default_factory=dict)
    outbound: frozenset[str] = frozenset()
    backoff: Mapping[tuple[str, str], int] = field(default_factory=dict)
    heartbeat_ticks: int = 0
    seed: int = 0


@dataclass(frozen=True)
class State:
    """A full snapshot: the clock, the next decay refresh, peers, IPs, app scores, deliveries, router."""

    now_ms: int = 0
    next_refresh_ms: int = 0
    next_gc_ms: int = 0
    peers: Mapping[str, PeerStats] = field(default_factory=dict)
    peer_ips: Mapping[str, frozenset[str]] = field(default_factory=dict)
    app_scores: Mapping[str, float] = field(default_factory=dict)
    deliveries: Mapping[str, DeliveryRecord] = field(default_factory=dict)
    router: RouterState = field(default_factory=RouterState)


def initial_state(config: Config, seed: int = 0) -> State:
    """The state of a router that has just started at time 0: no peers; first refresh one interval later."""
    interval = config.score.decay_interval_ms
    return State(now_ms=0, next_refresh_ms=interval, next_gc_ms=interval, router=RouterState(seed=seed))
