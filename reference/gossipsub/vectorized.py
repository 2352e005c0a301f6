"""A vectorized decay refresh (GS-DECAY) over all connected peers x topics at once, with numpy.

The same arithmetic as ``decay.refresh_topic``, element-wise on (peers x topics) arrays, for routers
with thousands of peers: one refresh is a handful of array operations instead of a Python loop per
counter. ``tests/gossipsub/test_vectorized.py`` checks it against the scalar refresh bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.state import PeerStats, State, TopicStats, evolve

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
    """GS-DECAY-2..4 on every connected peer and topic at once (in place, like an implementation)."""
    c = t.counters
    np.multiply(c, v.factors, out=c)
    np.copyto(c, 0.0, where=c < v.decay_to_zero)
    np.subtract(now_ms, t.graft_time_ms, out=t.mesh_time_ms, where=t.in_mesh)
    t.active |= t.in_mesh & (t.mesh_time_ms > v.activation_ms)
    b = t.behaviour_penalty
    np.multiply(b, v.behaviour_decay, out=b)
    np.copyto(b, 0.0, where=b < v.decay_to_zero)


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
