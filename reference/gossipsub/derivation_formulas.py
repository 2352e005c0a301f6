"""What every derivation of a bundled GossipSub config shares (GS-CFG): go's decay and convergence formulas,
the canonical topic mapping, and the derived document with its YAML comments."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from peerproof.reference.configfile import format_duration_ms

# A comment is attached to one key of the document, addressed by its path of keys.
CommentPath = tuple[str, ...]


def score_parameter_decay(decay_time_ms: int, decay_interval_ms: int, decay_to_zero: float = 0.01) -> float:
    """The per-interval factor that takes a counter of 1 down to ``decay_to_zero`` after ``decay_time``.

    ``decay_to_zero ** (1 / ticks)`` with ``ticks = decay_time / decay_interval``: go-libp2p-pubsub
    ``ScoreParameterDecayWithBase`` (score_params.go), Lighthouse ``score_parameter_decay_with_base``
    (gossipsub_scoring_parameters.rs), Lodestar ``scoreParameterDecayWithBase`` (scoringParameters.ts),
    Prysm ``scoreDecay`` (gossip_scoring_params.go). Go and Prysm divide durations as integers first;
    every bundled decay time is a whole number of intervals, so the forms agree.
    """
    ticks = decay_time_ms / decay_interval_ms
    return decay_to_zero ** (1 / ticks)


def decay_convergence(decay: float, rate: float) -> float:
    """The value a counter settles at when it gains ``rate`` per interval and decays by ``decay``.

    ``rate / (1 - decay)``: Lighthouse ``decay_convergence``, Lodestar ``decayConvergence``, Prysm
    ``decayLimit``. The Eth2 clients size P2 caps with it.
    """
    return rate / (1 - decay)


def threshold(decay: float, rate: float) -> float:
    """The converged counter just after a decay: ``decay_convergence(decay, rate) * decay``.

    Lighthouse ``threshold``, Lodestar ``threshold``, Prysm ``decayThreshold``: the P3 thresholds.
    """
    return decay_convergence(decay, rate) * decay


def topic_score_params(
    *,
    topic_weight: float,
    time_in_mesh_weight: float,
    time_in_mesh_quantum_ms: int,
    time_in_mesh_cap: float,
    first_message_deliveries_weight: float,
    first_message_deliveries_decay: float,
    first_message_deliveries_cap: float,
    invalid_message_deliveries_weight: float,
    invalid_message_deliveries_decay: float,
    mesh_message_deliveries_weight: float = 0.0,
    mesh_message_deliveries_decay: float = 0.0,
    mesh_message_deliveries_cap: float = 0.0,
    mesh_message_deliveries_threshold: float = 0.0,
    mesh_message_deliveries_window_ms: int = 0,
    mesh_message_deliveries_activation_ms: int = 0,
    mesh_failure_penalty_weight: float = 0.0,
    mesh_failure_penalty_decay: float = 0.0,
) -> dict[str, Any]:
    """One topic's TopicScoreParams as a canonical mapping (field order of params.TOPIC_FIELDS)."""
    return {
        "topic_weight": topic_weight,
        "time_in_mesh_weight": time_in_mesh_weight,
        "time_in_mesh_quantum": format_duration_ms(time_in_mesh_quantum_ms),
        "time_in_mesh_cap": time_in_mesh_cap,
        "first_message_deliveries_weight": first_message_deliveries_weight,
        "first_message_deliveries_decay": first_message_deliveries_decay,
        "first_message_deliveries_cap": first_message_deliveries_cap,
        "mesh_message_deliveries_weight": mesh_message_deliveries_weight,
        "mesh_message_deliveries_decay": mesh_message_deliveries_decay,
        "mesh_message_deliveries_cap": mesh_message_deliveries_cap,
        "mesh_message_deliveries_threshold": mesh_message_deliveries_threshold,
        "mesh_message_deliveries_window": format_duration_ms(mesh_message_deliveries_window_ms),
        "mesh_message_deliveries_activation": format_duration_ms(mesh_message_deliveries_activation_ms),
        "mesh_failure_penalty_weight": mesh_failure_penalty_weight,
        "mesh_failure_penalty_decay": mesh_failure_penalty_decay,
        "invalid_message_deliveries_weight": invalid_message_deliveries_weight,
        "invalid_message_deliveries_decay": invalid_message_deliveries_decay,
    }


@dataclass(frozen=True)
class Derived:
    """A derived config document and the YAML comments that name where hand-coded values come from."""

    document: dict[str, Any]
    comments: Mapping[CommentPath, str] = field(default_factory=dict)


