"""Fused single passes over a vectorized counter table (GS-FAST-7): the refresh and the score.

``refresh_pass`` is ``vectorized.refresh_table``'s arithmetic in one sweep over memory (each counter read
and written once, mesh time and activation in the same sweep) instead of one numpy pass per operation;
``score_pass`` is score.py's per-topic arithmetic accumulated topic by topic into one score per peer.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# w[j, ·]: the topic weights and caps score_pass reads (vectorized.ScoreVectors.topics).
(S_TOPIC_WEIGHT, S_W1, S_QUANTUM, S_CAP1, S_W2, S_CAP2, S_W3, S_THRESHOLD3, S_W3B, S_W4) = range(10)


@njit(cache=True)
def refresh_pass(counters: np.ndarray, factors: np.ndarray, decay_to_zero: float, in_mesh: np.ndarray,
                 active: np.ndarray, graft_time_ms: np.ndarray, mesh_time_ms: np.ndarray, activation_ms: np.ndarray,
                 now_ms: int, behaviour_penalty: np.ndarray, behaviour_decay: float) -> None:
    """decay.refresh_topic on every (topic, peer) cell and the behaviour-penalty decay, in place."""
    topics, peers = in_mesh.shape
    for j in range(topics):
        f0, f1, f2, f3 = factors[0, j, 0], factors[1, j, 0], factors[2, j, 0], factors[3, j, 0]
        act = activation_ms[j, 0]
        for i in range(peers):
            v = counters[0, j, i] * f0
            counters[0, j, i] = 0.0 if v < decay_to_zero else v
            v = counters[1, j, i] * f1
            counters[1, j, i] = 0.0 if v < decay_to_zero else v
            v = counters[2, j, i] * f2
            counters[2, j, i] = 0.0 if v < decay_to_zero else v
            v = counters[3, j, i] * f3
            counters[3, j, i] = 0.0 if v < decay_to_zero else v
            if in_mesh[j, i]:
                mt = now_ms - graft_time_ms[j, i]
                mesh_time_ms[j, i] = mt
                if mt > act:
                    active[j, i] = True
    for i in range(behaviour_penalty.shape[0]):
        v = behaviour_penalty[i] * behaviour_decay
        behaviour_penalty[i] = 0.0 if v < decay_to_zero else v


@njit(cache=True)
def score_pass(counters: np.ndarray, present: np.ndarray, in_mesh: np.ndarray, active: np.ndarray,
               mesh_time_ms: np.ndarray, w: np.ndarray, p1_floor: bool, topic_cap: float, app: np.ndarray,
               app_weight: float, p6: np.ndarray, ip_weight: float, behaviour_penalty: np.ndarray,
               p7_threshold: bool, bp_threshold: float, bp_weight: float) -> np.ndarray:
    """score.score of every peer, its topics summed in the table's topic order (GS-SCORE)."""
    topics, peers = in_mesh.shape
    total = np.zeros(peers)
    for j in range(topics):
        quantum = w[j, S_QUANTUM]
        threshold = w[j, S_THRESHOLD3]
        for i in range(peers):
            if not present[j, i]:
                continue
            p1 = 0.0
            if in_mesh[j, i] and quantum != 0:
                mt = mesh_time_ms[j, i]
                p1 = float(mt // int(quantum)) if p1_floor else mt / quantum
                if w[j, S_CAP1] < p1:
                    p1 = w[j, S_CAP1]
            p2 = counters[0, j, i]
            if w[j, S_CAP2] < p2:
                p2 = w[j, S_CAP2]
            mesh = counters[1, j, i]
            p3 = 0.0
            if active[j, i] and mesh < threshold:
                p3 = (threshold - mesh) * (threshold - mesh)
            invalid = counters[3, j, i]
            s = 0.0
            if in_mesh[j, i]:
                s += p1 * w[j, S_W1]
            s += p2 * w[j, S_W2]
            if p3 != 0.0:
                s += p3 * w[j, S_W3]
            s += counters[2, j, i] * w[j, S_W3B]
            s += invalid * invalid * w[j, S_W4]
            total[i] += s * w[j, S_TOPIC_WEIGHT]
    out = np.empty(peers)
    for i in range(peers):
        t = total[i]
        if topic_cap > 0 and t > topic_cap:
            t = topic_cap
        s = t + app[i] * app_weight
        if p6[i] != 0.0:
            s += p6[i] * ip_weight
        c = behaviour_penalty[i]
        p7 = 0.0
        if not p7_threshold:
            p7 = c * c
        elif c > bp_threshold:
            p7 = (c - bp_threshold) * (c - bp_threshold)
        if p7 != 0.0:
            s += p7 * bp_weight
        out[i] = s
    return out
