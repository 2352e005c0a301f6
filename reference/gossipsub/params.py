"""GossipSub v1.1 parameters (GS-CFG): TopicScoreParams, PeerScoreParams, thresholds, router degrees.

Field names are canonical snake_case; every duration is whole milliseconds (``*_ms``) in the model and
a string with units in files. Defaults are Go's zero values for score parameters (Go has no defaults)
and go-libp2p-pubsub's ``DefaultGossipSubParams`` for the router (gossipsub.go).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from peerproof.reference.configfile import format_duration_ms

DEFAULT_SEEN_MSG_TTL_MS = 120_000  # go TimeCacheDuration (pubsub.go), ts TimeCacheDuration (constants.ts)

# Kinds of field: "number", "int", "duration", "bool", "ips".


@dataclass(frozen=True)
class TopicParams:
    """TopicScoreParams (GS-P1..GS-P4): how behaviour in one topic counts toward a peer's score."""

    topic_weight: float = 0.0
    time_in_mesh_weight: float = 0.0
    time_in_mesh_quantum_ms: int = 0
    time_in_mesh_cap: float = 0.0
    first_message_deliveries_weight: float = 0.0
    first_message_deliveries_decay: float = 0.0
    first_message_deliveries_cap: float = 0.0
    mesh_message_deliveries_weight: float = 0.0
    mesh_message_deliveries_decay: float = 0.0
    mesh_message_deliveries_cap: float = 0.0
    mesh_message_deliveries_threshold: float = 0.0
    mesh_message_deliveries_window_ms: int = 0
    mesh_message_deliveries_activation_ms: int = 0
    mesh_failure_penalty_weight: float = 0.0
    mesh_failure_penalty_decay: float = 0.0
    invalid_message_deliveries_weight: float = 0.0
    invalid_message_deliveries_decay: float = 0.0
    skip_atomic_validation: bool = False


@dataclass(frozen=True)
class ScoreParams:
    """PeerScoreParams (GS-P5..GS-P7, GS-CAP, GS-DECAY, GS-RETAIN): the global part of the score."""

    topics: Mapping[str, TopicParams] = field(default_factory=dict)
    topic_score_cap: float = 0.0
    app_specific_weight: float = 0.0
    ip_colocation_factor_weight: float = 0.0
    ip_colocation_factor_threshold: float = 0.0
    ip_colocation_factor_whitelist: tuple[str, ...] = ()
    behaviour_penalty_weight: float = 0.0
    behaviour_penalty_threshold: float = 0.0
    behaviour_penalty_decay: float = 0.0
    decay_interval_ms: int = 0
    decay_to_zero: float = 0.0
    retain_score_ms: int = 0
    seen_msg_ttl_ms: int = 0  # 0: TimeCacheDuration = 120 s (go pubsub.go); ts always uses 120 000 ms
    skip_atomic_validation: bool = False


@dataclass(frozen=True)
class Thresholds:
    """PeerScoreThresholds (GS-THR): the score levels that gate gossip, publishing, RPCs, PX, grafting."""

    gossip_threshold: float = 0.0
    publish_threshold: float = 0.0
    graylist_threshold: float = 0.0
    accept_px_threshold: float = 0.0
    opportunistic_graft_threshold: float = 0.0
    skip_atomic_validation: bool = False


@dataclass(frozen=True)
class RouterParams:
    """GossipSubParams that mesh maintenance (GS-HB) uses; defaults from go-libp2p-pubsub gossipsub.go."""

    d: int = 6
    d_lo: int = 5
    d_hi: int = 12
    d_score: int = 4
    d_out: int = 2
    d_lazy: int = 6
    gossip_factor: float = 0.25
    heartbeat_interval_ms: int = 1000
    history_length: int = 5
    history_gossip: int = 3
    prune_backoff_ms: int = 60_000
    unsubscribe_backoff_ms: int = 10_000
    opportunistic_graft_ticks: int = 60
    opportunistic_graft_peers: int = 2
    graft_flood_threshold_ms: int = 10_000
    flood_publish: bool = True


# Canonical name in files -> (model attribute, kind, extra aliases). Aliases cover spellings that do not
# normalise to the canonical name: the spec's MeshMessageDeliveryWindow is NOT an alias (Go ignores it,
# peerproof rejects it with a did-you-mean), but rust-libp2p's router names are.
TOPIC_FIELDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "topic_weight": ("topic_weight", "number", ()),
    "time_in_mesh_weight": ("time_in_mesh_weight", "number", ()),
    "time_in_mesh_quantum": ("time_in_mesh_quantum_ms", "duration", ()),
    "time_in_mesh_cap": ("time_in_mesh_cap", "number", ()),
    "first_message_deliveries_weight": ("first_message_deliveries_weight", "number", ()),
    "first_message_deliveries_decay": ("first_message_deliveries_decay", "number", ()),
    "first_message_deliveries_cap": ("first_message_deliveries_cap", "number", ()),
    "mesh_message_deliveries_weight": ("mesh_message_deliveries_weight", "number", ()),
    "mesh_message_deliveries_decay": ("mesh_message_deliveries_decay", "number", ()),
    "mesh_message_deliveries_cap": ("mesh_message_deliveries_cap", "number", ()),
    "mesh_message_deliveries_threshold": ("mesh_message_deliveries_threshold", "number", ()),
    "mesh_message_deliveries_window": ("mesh_message_deliveries_window_ms", "duration", ()),
    "mesh_message_deliveries_activation": ("mesh_message_deliveries_activation_ms", "duration", ()),
    "mesh_failure_penalty_weight": ("mesh_failure_penalty_weight", "number", ()),
    "mesh_failure_penalty_decay": ("mesh_failure_penalty_decay", "number", ()),
    "invalid_message_deliveries_weight": ("invalid_message_deliveries_weight", "number", ()),
    "invalid_message_deliveries_decay": ("invalid_message_deliveries_decay", "number", ()),
    "skip_atomic_validation": ("skip_atomic_validation", "bool", ()),
}

SCORE_FIELDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "topic_score_cap": ("topic_score_cap", "number", ()),
    "app_specific_weight": ("app_specific_weight", "number", ()),
    "ip_colocation_factor_weight": ("ip_colocation_factor_weight", "number", ()),
    "ip_colocation_factor_threshold": ("ip_colocation_factor_threshold", "number", ()),
    "ip_colocation_factor_whitelist": ("ip_colocation_factor_whitelist", "ips", ()),
    "behaviour_penalty_weight": ("behaviour_penalty_weight", "number", ("behavior_penalty_weight",)),
    "behaviour_penalty_threshold": ("behaviour_penalty_threshold", "number", ("behavior_penalty_threshold",)),
    "behaviour_penalty_decay": ("behaviour_penalty_decay", "number", ("behavior_penalty_decay",)),
    "decay_interval": ("decay_interval_ms", "duration", ()),
    "decay_to_zero": ("decay_to_zero", "number", ()),
    "retain_score": ("retain_score_ms", "duration", ()),
    "seen_msg_ttl": ("seen_msg_ttl_ms", "duration", ()),
    "skip_atomic_validation": ("skip_atomic_validation", "bool", ()),
}

THRESHOLD_FIELDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "gossip_threshold": ("gossip_threshold", "number", ()),
    "publish_threshold": ("publish_threshold", "number", ()),
    "graylist_threshold": ("graylist_threshold", "number", ()),
    "accept_px_threshold": ("accept_px_threshold", "number", ()),
    "opportunistic_graft_threshold": ("opportunistic_graft_threshold", "number", ()),
    "skip_atomic_validation": ("skip_atomic_validation", "bool", ()),
}

# rust-libp2p names the degrees mesh_n, mesh_n_low, ... (protocols/gossipsub/src/config.rs).
ROUTER_FIELDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "d": ("d", "int", ("mesh_n",)),
    "d_lo": ("d_lo", "int", ("mesh_n_low",)),
    "d_hi": ("d_hi", "int", ("mesh_n_high",)),
    "d_score": ("d_score", "int", ("retain_scores",)),
    "d_out": ("d_out", "int", ("mesh_outbound_min",)),
    "d_lazy": ("d_lazy", "int", ("gossip_lazy",)),
    "gossip_factor": ("gossip_factor", "number", ()),
    "heartbeat_interval": ("heartbeat_interval_ms", "duration", ()),
    "history_length": ("history_length", "int", ()),
    "history_gossip": ("history_gossip", "int", ()),
    "prune_backoff": ("prune_backoff_ms", "duration", ()),
    "unsubscribe_backoff": ("unsubscribe_backoff_ms", "duration", ()),
    "opportunistic_graft_ticks": ("opportunistic_graft_ticks", "int", ()),
    "opportunistic_graft_peers": ("opportunistic_graft_peers", "int", ()),
    "graft_flood_threshold": ("graft_flood_threshold_ms", "duration", ()),
    "flood_publish": ("flood_publish", "bool", ()),
}


def canonical_dict(obj: Any, table: Mapping[str, tuple[str, str, tuple[str, ...]]]) -> dict[str, Any]:
    """The canonical snake_case mapping of a parameter object, durations written with units."""
    out: dict[str, Any] = {}
    defaults = {f.name: f.default for f in fields(obj)}
    for name, (attr, kind, _aliases) in table.items():
        value = getattr(obj, attr)
        if kind == "bool" and value == defaults.get(attr):
            continue
        if kind == "duration":
            out[name] = format_duration_ms(value)
        elif kind == "ips":
            out[name] = list(value)
        else:
            out[name] = value
    return out
