"""The fast engine's score (GS-FAST-2): score.py's arithmetic on the tables, peer by peer."""

from __future__ import annotations

import numpy as np
from numba import njit
from peerproof.reference.gossipsub.fast.layout import (
    ACTIVE,
    APP,
    APP_WEIGHT,
    BEHAVIOUR,
    BP_THRESHOLD,
    BP_WEIGHT,
    CAP1,
    CAP2,
    FAILURE,
    FIRST,
    HAS_APP,
    IN_MESH,
    INVALID,
    IP_WEIGHT,
    KNOWN,
    MESH,
    MESH_TIME,
    N_TOPICS,
    P1_FLOOR,
    P6,
    P7_THRESHOLD,
    QUANTUM,
    THRESHOLD3,
    TOPIC_CAP,
    TOPIC_WEIGHT,
    W1,
    W2,
    W3,
    W3B,
    W4,
)


@njit(cache=True)
def topic_parts(tb, tf, ti, tp, gi, p, t):
    """score.topic_components of peer ``p`` in scored topic ``t``: (P1, P2, P3, P3b, P4, contribution)."""
    in_mesh = tb[p, t, IN_MESH]
    quantum = tp[t, QUANTUM]
    p1 = 0.0
    if in_mesh and quantum != 0:
        mt = ti[p, t, MESH_TIME]
        p1 = float(mt // int(quantum)) if gi[P1_FLOOR] else mt / quantum
        if tp[t, CAP1] < p1:
            p1 = tp[t, CAP1]
    p2 = tf[p, t, FIRST]
    if tp[t, CAP2] < p2:
        p2 = tp[t, CAP2]
    p3 = 0.0
    if tb[p, t, ACTIVE] and tf[p, t, MESH] < tp[t, THRESHOLD3]:
        deficit = tp[t, THRESHOLD3] - tf[p, t, MESH]
        p3 = deficit * deficit
    p4 = tf[p, t, INVALID] * tf[p, t, INVALID]
    topic_score = 0.0
    if in_mesh:
        topic_score += p1 * tp[t, W1]
    topic_score += p2 * tp[t, W2]
    if p3 != 0.0:
        topic_score += p3 * tp[t, W3]
    topic_score += tf[p, t, FAILURE] * tp[t, W3B]
    topic_score += p4 * tp[t, W4]
    return p1, p2, p3, tf[p, t, FAILURE], p4, topic_score * tp[t, TOPIC_WEIGHT]


@njit(cache=True)
def score(tb, tf, ti, order, pf, pi, tp, gp, gi, p):
    """score.score (GS-SCORE): P1..P4 per topic in creation order, the cap, P5, P6, P7, in go's order."""
    if pi[p, KNOWN] == 0:
        return 0.0
    total = 0.0
    for k in range(pi[p, N_TOPICS]):
        total += topic_parts(tb, tf, ti, tp, gi, p, order[p, k])[5]
    if gp[TOPIC_CAP] > 0 and total > gp[TOPIC_CAP]:
        total = gp[TOPIC_CAP]
    p5 = pf[p, APP] if pi[p, HAS_APP] else 0.0
    s = total + p5 * gp[APP_WEIGHT]
    if pf[p, P6] != 0.0:
        s += pf[p, P6] * gp[IP_WEIGHT]
    counter = pf[p, BEHAVIOUR]
    p7 = 0.0
    if not gi[P7_THRESHOLD]:
        p7 = counter * counter
    elif counter > gp[BP_THRESHOLD]:
        excess = counter - gp[BP_THRESHOLD]
        p7 = excess * excess
    if p7 != 0.0:
        s += p7 * gp[BP_WEIGHT]
    return s


@njit(cache=True)
def parts(tb, tf, ti, order, pi, tp, gi, p):
    """The components of each of peer ``p``'s topics, in the order its stats were created: one row each,
    (P1, P2, P3, P3b, P4, contribution) — score.breakdown's ``topics``."""
    n = pi[p, N_TOPICS]
    out = np.empty((n, 6))
    for k in range(n):
        out[k, 0], out[k, 1], out[k, 2], out[k, 3], out[k, 4], out[k, 5] = topic_parts(tb, tf, ti, tp, gi, p,
                                                                                        order[p, k])
    return out


@njit(cache=True)
def scores(tb, tf, ti, order, pf, pi, tp, gp, gi, n):
    """The score of each of the first ``n`` peers (0 where the router keeps no stats)."""
    out = np.zeros(n)
    for p in range(n):
        out[p] = score(tb, tf, ti, order, pf, pi, tp, gp, gi, p)
    return out
