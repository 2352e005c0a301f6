"""Every honest node's scorer, vectorised over edges (GS-NET-SCORE): the reference score function of one
topic (peerproof.reference.gossipsub.score) with its counters as arrays, one entry per directed edge.

The arithmetic is the reference's, element-wise and in the same order of operations (score.py
``topic_components``/``breakdown``, decay.py ``refresh_topic``, membership.py ``graft``/``prune``,
deliveries.py ``mark_first_delivery``/``mark_near_first_delivery``). Arrays are updated in place, as a
router's tables are; ``tests/gossipsub/network`` replays sampled edges through the reference model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.dialect import Dialect
from peerproof.reference.gossipsub.network.topology import Network
from peerproof.reference.gossipsub.params import TopicParams


@dataclass
class EdgeState:
    """The mutable per-edge tables of all routers: link and mesh state, backoff, the score counters."""

    active: np.ndarray  # bool: the connection is up
    mesh: np.ndarray  # bool: dst is in src's mesh (for a Sybil src: its own mesh, badboy.go)
    backoff_ms: np.ndarray  # int64: src will not graft dst, nor accept its GRAFT, before this time
    regraft_ms: np.ndarray  # int64: a Sybil src re-GRAFTs dst at this time (-1: nothing scheduled)
    graft_ms: np.ndarray  # int64
    mesh_time_ms: np.ndarray  # int64
    first: np.ndarray  # float64: P2 counter
    mesh_deliveries: np.ndarray  # float64: P3 counter
    p3_active: np.ndarray  # bool
    failure: np.ndarray  # float64: P3b counter
    penalty: np.ndarray  # float64: P7 counter
    p6: np.ndarray  # float64: the IP-colocation term of dst as src sees it
    score: np.ndarray  # float64: the score of dst as src computed it at the last heartbeat


def new_edge_state(net: Network) -> EdgeState:
    """All routers before any connection: empty meshes, zero counters."""
    e = net.edges

    def z() -> np.ndarray:
        return np.zeros(e)

    return EdgeState(np.zeros(e, bool), np.zeros(e, bool), np.zeros(e, np.int64), np.full(e, -1, np.int64),
                     np.zeros(e, np.int64), np.zeros(e, np.int64), z(), z(), np.zeros(e, bool), z(), z(), z(), z())


def scores(cfg: Config, topic: str, st: EdgeState, dialect: Dialect, idx: np.ndarray | None = None) -> np.ndarray:
    """GS-NET-SCORE-1: the score (GS-SCORE) of each edge's dst as its src sees it, for one topic.

    P4 and P5 are zero in the network runs (no invalid messages, no application score).
    """
    tp: TopicParams = cfg.score.topics[topic]
    sel = slice(None) if idx is None else idx
    mesh = st.mesh[sel]
    if tp.time_in_mesh_quantum_ms:
        mt = st.mesh_time_ms[sel]
        quanta = (mt // tp.time_in_mesh_quantum_ms).astype(float) if dialect.p1_floor else \
            mt / tp.time_in_mesh_quantum_ms
        p1 = np.where(mesh, np.minimum(quanta, tp.time_in_mesh_cap), 0.0)
    else:
        p1 = np.zeros(len(mesh))
    p2 = np.minimum(st.first[sel], tp.first_message_deliveries_cap)
    md = st.mesh_deliveries[sel]
    deficit = tp.mesh_message_deliveries_threshold - md
    p3 = np.where(st.p3_active[sel] & (md < tp.mesh_message_deliveries_threshold), deficit * deficit, 0.0)
    topic_score = np.where(mesh, p1 * tp.time_in_mesh_weight, 0.0) + 0.0
    topic_score = topic_score + p2 * tp.first_message_deliveries_weight
    topic_score = np.where(p3 != 0, topic_score + p3 * tp.mesh_message_deliveries_weight, topic_score)
    topic_score = topic_score + st.failure[sel] * tp.mesh_failure_penalty_weight
    topic_score = topic_score + 0.0 * tp.invalid_message_deliveries_weight
    total = 0.0 + topic_score * tp.topic_weight
    cap = cfg.score.topic_score_cap
    if cap > 0:
        total = np.minimum(total, cap)
    total = total + 0.0 * cfg.score.app_specific_weight
    p6 = st.p6[sel]
    total = np.where(p6 != 0, total + p6 * cfg.score.ip_colocation_factor_weight, total)
    c = st.penalty[sel]
    if dialect.p7_threshold:
        excess = c - cfg.score.behaviour_penalty_threshold
        p7 = np.where(c > cfg.score.behaviour_penalty_threshold, excess * excess, 0.0)
    else:
        p7 = c * c
    return np.where(p7 != 0, total + p7 * cfg.score.behaviour_penalty_weight, total)


def refresh(cfg: Config, topic: str, st: EdgeState, now_ms: int) -> None:
    """GS-NET-SCORE-2 (GS-DECAY-2/3): decay every counter, then update mesh time and the P3 activation."""
    tp = cfg.score.topics[topic]
    dtz = cfg.score.decay_to_zero
    for arr, factor in ((st.first, tp.first_message_deliveries_decay),
                        (st.mesh_deliveries, tp.mesh_message_deliveries_decay),
                        (st.failure, tp.mesh_failure_penalty_decay),
                        (st.penalty, cfg.score.behaviour_penalty_decay)):
        np.multiply(arr, factor, out=arr)
        arr[arr < dtz] = 0.0
    np.subtract(now_ms, st.graft_ms, out=st.mesh_time_ms, where=st.mesh)
    st.p3_active |= st.mesh & (st.mesh_time_ms > tp.mesh_message_deliveries_activation_ms)


def graft(st: EdgeState, idx: np.ndarray, now_ms: int) -> None:
    """GS-NET-SCORE-3 (GS-P1-1, GS-P3-3): dst joins src's mesh; mesh time restarts, P3 deactivated."""
    st.mesh[idx] = True
    st.graft_ms[idx] = now_ms
    st.mesh_time_ms[idx] = 0
    st.p3_active[idx] = False


def prune(cfg: Config, topic: str, st: EdgeState, idx: np.ndarray, now_ms: int, dialect: Dialect,
          backoff_ms: int) -> None:
    """GS-NET-SCORE-4 (GS-P3b-1): dst leaves src's mesh; an activated deficit becomes P3b; backoff starts."""
    thr = cfg.score.topics[topic].mesh_message_deliveries_threshold
    md = st.mesh_deliveries[idx]
    deficit = thr - md
    charged = st.p3_active[idx] & (md < thr)
    st.failure[idx] = st.failure[idx] + np.where(charged, deficit * deficit, 0.0)
    st.mesh[idx] = False
    if not dialect.p3_active_after_prune:
        st.p3_active[idx] = False
    st.backoff_ms[idx] = now_ms + backoff_ms


def credit(cfg: Config, topic: str, st: EdgeState, idx: np.ndarray, first: np.ndarray, near: np.ndarray) -> None:
    """GS-NET-SCORE-5 (GS-P2-1, GS-P3-1, GS-P3-2): ``first`` first deliveries and ``near`` near-first
    copies per edge, each worth one increment; P3 counts only while dst is in src's mesh. Increments of
    one timer slice are summed in one addition (GS-NET-SCORE-6)."""
    tp = cfg.score.topics[topic]
    st.first[idx] = np.minimum(tp.first_message_deliveries_cap, st.first[idx] + first)
    in_mesh = st.mesh[idx]
    counted = np.where(in_mesh, first + near, 0.0)
    md = st.mesh_deliveries[idx]
    st.mesh_deliveries[idx] = np.where(counted > 0, np.minimum(tp.mesh_message_deliveries_cap, md + counted), md)


def colocation(cfg: Config, net: Network, st: EdgeState) -> None:
    """GS-NET-SCORE-7 (GS-P6): per edge, the squared surplus of src's connected peers sharing dst's IP."""
    params = cfg.score
    if params.ip_colocation_factor_weight == 0:
        st.p6[:] = 0.0
        return
    live = st.active
    key = net.src * (int(net.ip.max()) + 1) + net.ip[net.dst]
    uniq, inverse = np.unique(key, return_inverse=True)
    counts = np.bincount(inverse, weights=live.astype(float), minlength=len(uniq))[inverse]
    surplus = counts - params.ip_colocation_factor_threshold
    st.p6[:] = np.where(live & (counts > params.ip_colocation_factor_threshold), surplus * surplus, 0.0)
