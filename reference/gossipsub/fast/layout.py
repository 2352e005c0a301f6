"""The fast engine's memory layout (GS-FAST-1): the GossipSub state as mutable arrays indexed by ids.

Peers, topics and message IDs are interned to dense integers; every table of ``state.State`` becomes
an array (or a column of one) so the compiled kernel (``kernel.py``) can step events without building
a snapshot per event. Scored topics take the ids ``0 .. T-1`` in the config's order, so "is this a
scored topic" is ``t < T``. Column constants name what each column holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.dialect import Dialect
from peerproof.reference.gossipsub.params import DEFAULT_SEEN_MSG_TTL_MS
from peerproof.reference.gossipsub.state import State

# tb[p, t, ·] (uint8): the flags of one peer's topic stats.
PRESENT, IN_MESH, ACTIVE = 0, 1, 2
# tf[p, t, ·] (float64): the four decaying counters, in decay.py's order.
FIRST, MESH, FAILURE, INVALID = 0, 1, 2, 3
# ti[p, t, ·] (int64): mesh times.
GRAFT_TIME, MESH_TIME = 0, 1
# pf[p, ·] (float64): per-peer numbers.
BEHAVIOUR, APP, P6 = 0, 1, 2
# pi[p, ·] (int64): per-peer integers; N_KNOWN_IPS counts the IPs in the peer's stats (engine.py keeps the
# sets), so the kernel can tell when connecting or forgetting a peer touches no IP table.
KNOWN, CONNECTED, EXPIRE, OUTBOUND, HAS_APP, N_TOPICS, SUB_KEY, N_KNOWN_IPS = 0, 1, 2, 3, 4, 5, 6, 7
# clk[·] (int64): clocks and queue cursors.
NOW, NEXT_REFRESH, NEXT_GC, TICKS, Q_HEAD, Q_LEN, POOL_LEN, N_EXPIRED = 0, 1, 2, 3, 4, 5, 6, 7
# rec[m, ·] (int64): one delivery record per message id.
EXISTS, R_TOPIC, SENDER, STATUS, FIRST_SEEN, VALIDATED, R_EXPIRE, PEERS_HEAD = 0, 1, 2, 3, 4, 5, 6, 7
UNKNOWN, VALID, REJECTED, IGNORED = 0, 1, 2, 3
STATUS_NAMES = ("unknown", "valid", "invalid", "ignored")
NO_SENDER = -1
NO_BACKOFF = np.iinfo(np.int64).min
# tp[t, ·] (float64): TopicScoreParams (durations in ms as floats are exact below 2**53).
(TOPIC_WEIGHT, W1, QUANTUM, CAP1, W2, DECAY2, CAP2, W3, DECAY3, CAP3, THRESHOLD3, WINDOW3, ACTIVATION3, W3B,
 DECAY3B, W4, DECAY4) = range(17)
# gp (float64): PeerScoreParams numbers.
TOPIC_CAP, APP_WEIGHT, IP_WEIGHT, BP_WEIGHT, BP_THRESHOLD, BP_DECAY, DECAY_TO_ZERO = range(7)
# gi (int64): clocks and dialect switches (GS-DIV-*).
(INTERVAL, GC_INTERVAL, TTL, RETAIN, PRUNE_BACKOFF, P1_FLOOR, P3_AFTER_PRUNE, P7_THRESHOLD, WINDOW_FROM_VALIDATION,
 EXACT, RETAIN_POSITIVE, RECONNECT_RESETS) = range(12)

TOPIC_PARAM_ATTRS = (
    "topic_weight", "time_in_mesh_weight", "time_in_mesh_quantum_ms", "time_in_mesh_cap",
    "first_message_deliveries_weight", "first_message_deliveries_decay", "first_message_deliveries_cap",
    "mesh_message_deliveries_weight", "mesh_message_deliveries_decay", "mesh_message_deliveries_cap",
    "mesh_message_deliveries_threshold", "mesh_message_deliveries_window_ms", "mesh_message_deliveries_activation_ms",
    "mesh_failure_penalty_weight", "mesh_failure_penalty_decay", "invalid_message_deliveries_weight",
    "invalid_message_deliveries_decay",
)
DECAY_COLUMNS = (DECAY2, DECAY3, DECAY3B, DECAY4)  # aligned with FIRST, MESH, FAILURE, INVALID


@dataclass(frozen=True)
class Params:
    """A config and dialect as the kernel reads them: topic rows, global numbers, clocks and switches."""

    tp: np.ndarray
    gp: np.ndarray
    gi: np.ndarray


def params_of(config: Config, dialect: Dialect, exact_timers: int) -> Params:
    """The kernel's view of ``config`` in ``dialect`` (topics in the config's order)."""
    s = config.score
    tp = np.array([[float(getattr(tp_, a)) for a in TOPIC_PARAM_ATTRS] for tp_ in s.topics.values()],
                  dtype=np.float64).reshape(len(s.topics), len(TOPIC_PARAM_ATTRS))
    gp = np.array([s.topic_score_cap, s.app_specific_weight, s.ip_colocation_factor_weight,
                   s.behaviour_penalty_weight, s.behaviour_penalty_threshold, s.behaviour_penalty_decay,
                   s.decay_to_zero], dtype=np.float64)
    ttl = dialect.fixed_delivery_ttl_ms or s.seen_msg_ttl_ms or DEFAULT_SEEN_MSG_TTL_MS
    gi = np.array([s.decay_interval_ms, dialect.delivery_gc_interval_ms or 0, ttl, s.retain_score_ms,
                   config.router.prune_backoff_ms, dialect.p1_floor, dialect.p3_active_after_prune,
                   dialect.p7_threshold, dialect.window_from_validation, exact_timers,
                   dialect.retain_positive_scores, dialect.reconnect_resets_stats], dtype=np.int64)
    return Params(tp, gp, gi)


@dataclass
class Tables:
    """The mutable state: per peer x scored topic, per peer, router (per peer x any topic), clocks,
    delivery records with their expiry queue and the pool of "peers who sent a copy" list cells."""

    tb: np.ndarray  # uint8 (P, T, 3)
    tf: np.ndarray  # float64 (P, T, 4)
    ti: np.ndarray  # int64 (P, T, 2)
    order: np.ndarray  # int64 (P, T): the peer's topics in the order their stats were created
    pf: np.ndarray  # float64 (P, 3)
    pi: np.ndarray  # int64 (P, 8)
    mesh: np.ndarray  # uint8 (P, TA)
    subs: np.ndarray  # uint8 (P, TA)
    backoff: np.ndarray  # int64 (P, TA), NO_BACKOFF where none was set
    mesh_key: np.ndarray  # uint8 (TA,): the router has a mesh entry for the topic (possibly empty)
    clk: np.ndarray  # int64 (8,)
    rec: np.ndarray  # int64 (M, 8)
    queue: np.ndarray  # int64 (Q, 2): (expire_ms, message id) in creation order
    pool: np.ndarray  # int64 (N, 2): (peer, next cell) cells of the per-record sender lists
    expired: np.ndarray  # int64 (P,): peers whose retention expired in the last kernel call

    def args(self) -> tuple[np.ndarray, ...]:
        """The arrays in the order every kernel function takes them."""
        return (self.tb, self.tf, self.ti, self.order, self.pf, self.pi, self.mesh, self.subs, self.backoff,
                self.mesh_key, self.clk, self.rec, self.queue, self.pool, self.expired)


def empty_tables(peers: int, scored: int, topics: int, messages: int, cells: int, interval_ms: int,
                 gc_interval_ms: int) -> Tables:
    """The tables of a router that has just started (GS-STATE ``initial_state``), sized for the trace."""
    p = max(peers, 1)
    clk = np.zeros(8, np.int64)
    clk[NEXT_REFRESH] = interval_ms
    clk[NEXT_GC] = gc_interval_ms or interval_ms
    rec = np.zeros((max(messages, 1), 8), np.int64)
    return Tables(
        tb=np.zeros((p, scored, 3), np.uint8), tf=np.zeros((p, scored, 4)), ti=np.zeros((p, scored, 2), np.int64),
        order=np.zeros((p, scored), np.int64), pf=np.zeros((p, 3)), pi=np.zeros((p, 8), np.int64),
        mesh=np.zeros((p, max(topics, 1)), np.uint8), subs=np.zeros((p, max(topics, 1)), np.uint8),
        backoff=np.full((p, max(topics, 1)), NO_BACKOFF, np.int64), mesh_key=np.zeros(max(topics, 1), np.uint8),
        clk=clk, rec=rec, queue=np.zeros((max(cells, 1), 2), np.int64), pool=np.zeros((max(cells, 1), 2), np.int64),
        expired=np.zeros(p, np.int64))


class EngineView(Protocol):
    """What the heartbeat, the materialisation and snapshots read of a fast engine (``engine.Engine``)."""

    config: Config
    dialect: Dialect
    seed: int
    ev: Any  # encode.Encoded: the trace's arrays and the names behind the ids
    t: Tables
    params: Params
    peer_id: dict[str, int]
    topic_id: dict[str, int]
    peer_ips: dict[str, set[str]]
    known_ips: dict[int, set[str]]

    def scores(self) -> dict[str, float]:
        """The kernel's score of every peer the router keeps stats for."""

    def graft(self, p: int, topic: int) -> None:
        """membership.graft on the tables."""

    def prune(self, p: int, topic: int) -> None:
        """membership.prune on the tables."""

    def state(self) -> State:
        """The pure State after the applied events."""

    def observed_state(self) -> State:
        """A State with what ``observe`` reads."""
