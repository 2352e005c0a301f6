"""A vectorized decay refresh (GS-DECAY) and score (GS-SCORE) over all connected peers x topics at once.

The same arithmetic as ``decay.refresh_topic`` and ``score.score``, element-wise on (topics x peers)
arrays, for routers with thousands of peers. With numba installed each is one fused pass over memory
(``fast/table_kernel.py``, GS-FAST-7); without it the refresh is a handful of numpy operations and the
score is not available. ``tests/gossipsub/test_vectorized.py`` checks both against the scalar model.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

import numpy as np
from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.dialect import Dialect
from peerproof.reference.gossipsub.state import PeerStats, State, TopicStats, evolve

FUSED = importlib.util.find_spec("numba") is not None
"""Whether the fused single-pass kernels are available (numba installed)."""

COUNTERS = ("first_message_deliveries", "mesh_message_deliveries", "mesh_failure_penalty",
            "invalid_message_deliveries")
DECAYS = ("first_message_deliveries_decay", "mesh_message_deliveries_decay", "mesh_failure_penalty_decay",
          "invalid_message_deliveries_decay")


@dataclass
class CounterTable:
    """Connected peers' topic counters as (topics x peers) arrays; ``present`` marks existing stats.

    Topic-major layout: each topic's decay factor multiplies one contiguous row of peers.
    """

    peers: list[str]
    topics: list[str]
    present: np.ndarray  # bool
    in_mesh: np.ndarray  # bool
    active: np.ndarray  # bool
    graft_time_ms: np.ndarray  # int64
    mesh_time_ms: np.ndarray  # int64
    counters: np.ndarray  # float64, shape (4, topics, peers) in COUNTERS order
    behaviour_penalty: np.ndarray  # float64, shape (peers,)


def table_from_state(config: Config, state: State) -> CounterTable:
    """The connected peers' counters of ``state`` as arrays (scored topics only)."""
    peers = sorted(p for p, s in state.peers.items() if s.connected)
    topics = sorted(config.score.topics)
    shape = (len(topics), len(peers))
    t = CounterTable(peers, topics, np.zeros(shape, bool), np.zeros(shape, bool), np.zeros(shape, bool),
                     np.zeros(shape, np.int64), np.zeros(shape, np.int64), np.zeros((4, *shape)),
                     np.zeros(len(peers)))
    col = {topic: j for j, topic in enumerate(topics)}
    for i, peer in enumerate(peers):
        stats = state.peers[peer]
        t.behaviour_penalty[i] = stats.behaviour_penalty
        for topic, ts in stats.topics.items():
            j = col[topic]
            t.present[j, i] = True
            t.in_mesh[j, i] = ts.in_mesh
            t.active[j, i] = ts.mesh_message_deliveries_active
            t.graft_time_ms[j, i] = ts.graft_time_ms
            t.mesh_time_ms[j, i] = ts.mesh_time_ms
            for k, name in enumerate(COUNTERS):
                t.counters[k, j, i] = getattr(ts, name)
    return t


@dataclass(frozen=True)
class DecayVectors:
    """The per-topic decay factors and activation windows, aligned with a table's topic columns."""

    factors: np.ndarray  # shape (4, topics, 1)
    activation_ms: np.ndarray  # shape (topics, 1)
    behaviour_decay: float
    decay_to_zero: float


def decay_vectors(config: Config, topics: list[str]) -> DecayVectors:
    """The config's decay parameters as arrays for ``topics``."""
    tps = [config.score.topics[t] for t in topics]
    factors = np.array([[getattr(tp, d) for tp in tps] for d in DECAYS], dtype=float).reshape(4, len(tps), 1)
    activation = np.array([tp.mesh_message_deliveries_activation_ms for tp in tps], dtype=np.int64).reshape(-1, 1)
    return DecayVectors(factors, activation, config.score.behaviour_penalty_decay, config.score.decay_to_zero)


def refresh_table(t: CounterTable, v: DecayVectors, now_ms: int) -> None:
    """GS-DECAY-2..4 on every connected peer and topic at once (in place, like an implementation): one fused
    pass where numba is installed, numpy operations otherwise."""
    if not FUSED:
        refresh_table_numpy(t, v, now_ms)
        return
    from peerproof.reference.gossipsub.fast.table_kernel import refresh_pass

    refresh_pass(t.counters, v.factors, v.decay_to_zero, t.in_mesh, t.active, t.graft_time_ms, t.mesh_time_ms,
                 v.activation_ms, now_ms, t.behaviour_penalty, v.behaviour_decay)


def refresh_table_numpy(t: CounterTable, v: DecayVectors, now_ms: int) -> None:
    """``refresh_table`` as six numpy passes over the table (no compiled kernel)."""
    c = t.counters
    np.multiply(c, v.factors, out=c)
    np.copyto(c, 0.0, where=c < v.decay_to_zero)
    np.subtract(now_ms, t.graft_time_ms, out=t.mesh_time_ms, where=t.in_mesh)
    t.active |= t.in_mesh & (t.mesh_time_ms > v.activation_ms)
    b = t.behaviour_penalty
    np.multiply(b, v.behaviour_decay, out=b)
    np.copyto(b, 0.0, where=b < v.decay_to_zero)


SCORE_ATTRS = ("topic_weight", "time_in_mesh_weight", "time_in_mesh_quantum_ms", "time_in_mesh_cap",
               "first_message_deliveries_weight", "first_message_deliveries_cap", "mesh_message_deliveries_weight",
               "mesh_message_deliveries_threshold", "mesh_failure_penalty_weight",
               "invalid_message_deliveries_weight")  # the columns of fast/table_kernel.py's S_* constants


@dataclass(frozen=True)
class ScoreVectors:
    """The score parameters aligned with a table's topic rows, and the global weights (GS-SCORE)."""

    topics: np.ndarray  # shape (topics, 10) in SCORE_ATTRS order
    p1_floor: bool  # GS-DIV-1
    topic_cap: float
    app_weight: float
    ip_weight: float
    p7_threshold: bool  # GS-DIV-7
    bp_threshold: float
    bp_weight: float


def score_vectors(config: Config, topics: list[str], dialect: Dialect) -> ScoreVectors:
    """The config's score parameters as arrays for ``topics``, in ``dialect``."""
    rows = [[float(getattr(config.score.topics[t], a)) for a in SCORE_ATTRS] for t in topics]
    s = config.score
    return ScoreVectors(np.array(rows, dtype=float).reshape(len(topics), len(SCORE_ATTRS)), dialect.p1_floor,
                        s.topic_score_cap, s.app_specific_weight, s.ip_colocation_factor_weight, dialect.p7_threshold,
                        s.behaviour_penalty_threshold, s.behaviour_penalty_weight)


def score_table(t: CounterTable, w: ScoreVectors, app: np.ndarray, p6: np.ndarray) -> np.ndarray:
    """GS-SCORE of every peer of the table in one pass (topics summed in the table's order); ``app`` is
    each peer's P5 and ``p6`` its IP-colocation P6 (zeros where not tracked). Needs numba."""
    from peerproof.reference.gossipsub.fast.table_kernel import score_pass

    return score_pass(t.counters, t.present, t.in_mesh, t.active, t.mesh_time_ms, w.topics, w.p1_floor, w.topic_cap,
                      app, w.app_weight, p6, w.ip_weight, t.behaviour_penalty, w.p7_threshold, w.bp_threshold,
                      w.bp_weight)


def state_with_table(state: State, t: CounterTable) -> State:
    """``state`` with the connected peers' counters taken from the table."""
    with state.peers.mutate() as peers:
        for i, peer in enumerate(t.peers):
            stats: PeerStats = peers[peer]
            topics = dict(stats.topics)
            for j, topic in enumerate(t.topics):
                if not t.present[j, i]:
                    continue
                topics[topic] = TopicStats(
                    in_mesh=bool(t.in_mesh[j, i]), graft_time_ms=int(t.graft_time_ms[j, i]),
                    mesh_time_ms=int(t.mesh_time_ms[j, i]),
                    first_message_deliveries=float(t.counters[0, j, i]),
                    mesh_message_deliveries=float(t.counters[1, j, i]),
                    mesh_message_deliveries_active=bool(t.active[j, i]),
                    mesh_failure_penalty=float(t.counters[2, j, i]),
                    invalid_message_deliveries=float(t.counters[3, j, i]))
            peers[peer] = evolve(stats, topics=topics, behaviour_penalty=float(t.behaviour_penalty[i]))
        return evolve(state, peers=peers.finish())
