"""Fused single passes over a vectorized counter table (GS-FAST-7): the refresh and the score.

``refresh_pass`` is ``vectorized.refresh_table``'s arithmetic in one sweep over memory (each counter read
and written once, mesh time and activation in the same sweep) instead of six numpy passes;
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
    """decay.refresh_topic on every (topic, peer) cell and the behaviour-penalty decay, in place.

    One sweep: each topic's row of each array is read and written once, contiguous rows one after the
    other (so the compiler vectorises them and the memory system streams them; interleaving the four
    counter planes, which lie a power of two apart, thrashes the cache on large tables).
    """
    topics, peers = in_mesh.shape
    for j in range(topics):
        for c in range(4):
            f = factors[c, j, 0]
            row = counters[c, j]
            for i in range(peers):
                v = row[i] * f
                row[i] = 0.0 if v < decay_to_zero else v
        act = activation_ms[j, 0]
        mesh, graft, mesh_time, on = in_mesh[j], graft_time_ms[j], mesh_time_ms[j], active[j]
        for i in range(peers):
            if mesh[i]:
                mt = now_ms - graft[i]
                mesh_time[i] = mt
                on[i] = on[i] | (mt > act)
    for i in range(behaviour_penalty.shape[0]):
        v = behaviour_penalty[i] * behaviour_decay
        behaviour_penalty[i] = 0.0 if v < decay_to_zero else v


@njit(cache=True)
def score_pass(counters: np.ndarray, present: np.ndarray, in_mesh: np.ndarray, active: np.ndarray,
               mesh_time_ms: np.ndarray, w: np.ndarray, p1_floor: bool, topic_cap: float, app: np.ndarray,
               app_weight: float, p6: np.ndarray, ip_weight: float, behaviour_penalty: np.ndarray,
               p7_threshold: bool, bp_threshold: float, bp_weight: float) -> np.ndarray:
    """score.score of every peer, its topics summed in the table's topic order (GS-SCORE).

    Each topic's contribution is built in a row buffer term after term (P1, P2, P3, P3b, P4: score.py's
    order, so every sum rounds as there), one contiguous row of the table at a time, then added to the
    peers' totals.
    """
    topics, peers = in_mesh.shape
    total = np.zeros(peers)
    s = np.empty(peers)
    for j in range(topics):
        quantum, cap1, w1 = w[j, S_QUANTUM], w[j, S_CAP1], w[j, S_W1]
        mesh, mesh_time, on, here = in_mesh[j], mesh_time_ms[j], active[j], present[j]
        for i in range(peers):
            s[i] = 0.0
            if mesh[i]:
                p1 = 0.0
                if quantum != 0:
                    p1 = float(mesh_time[i] // int(quantum)) if p1_floor else mesh_time[i] / quantum
                    if cap1 < p1:
                        p1 = cap1
                s[i] += p1 * w1
        cap2, w2, first = w[j, S_CAP2], w[j, S_W2], counters[0, j]
        for i in range(peers):
            p2 = first[i]
            if cap2 < p2:
                p2 = cap2
            s[i] += p2 * w2
        threshold, w3, delivered = w[j, S_THRESHOLD3], w[j, S_W3], counters[1, j]
        for i in range(peers):
            if on[i] and delivered[i] < threshold:
                p3 = (threshold - delivered[i]) * (threshold - delivered[i])
                if p3 != 0.0:
                    s[i] += p3 * w3
        w3b, failure = w[j, S_W3B], counters[2, j]
        for i in range(peers):
            s[i] += failure[i] * w3b
        w4, invalid, tw = w[j, S_W4], counters[3, j], w[j, S_TOPIC_WEIGHT]
        for i in range(peers):
            s[i] += invalid[i] * invalid[i] * w4
            if here[i]:
                total[i] += s[i] * tw
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
