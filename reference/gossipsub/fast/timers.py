"""The fast engine's clock (GS-FAST-2): decay refreshes, delivery-record collection and the idle skip,
in place on the tables, each the twin of the decay.py / step.py function its docstring names."""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from peerproof.reference.gossipsub.fast.layout import (
    ACTIVATION3,
    ACTIVE,
    BEHAVIOUR,
    BP_DECAY,
    CONNECTED,
    DECAY2,
    DECAY3,
    DECAY3B,
    DECAY4,
    DECAY_TO_ZERO,
    EXACT,
    EXISTS,
    EXPIRE,
    FAILURE,
    FIRST,
    GC_INTERVAL,
    GRAFT_TIME,
    IN_MESH,
    INTERVAL,
    INVALID,
    KNOWN,
    MESH,
    MESH_TIME,
    N_EXPIRED,
    N_KNOWN_IPS,
    N_TOPICS,
    NEXT_GC,
    NEXT_REFRESH,
    NOW,
    Q_HEAD,
    Q_LEN,
    R_EXPIRE,
)


@njit(cache=True)
def decay_factors(tp: np.ndarray, gp: np.ndarray, times: int) -> np.ndarray:
    """``factor ** times`` for each topic's four decays and the behaviour penalty (GS-DECAY-5)."""
    n = tp.shape[0]
    out = np.empty((n + 1, 4))
    ft = float(times)
    for t in range(n):
        out[t, FIRST] = math.pow(tp[t, DECAY2], ft)
        out[t, MESH] = math.pow(tp[t, DECAY3], ft)
        out[t, FAILURE] = math.pow(tp[t, DECAY3B], ft)
        out[t, INVALID] = math.pow(tp[t, DECAY4], ft)
    out[n, 0] = math.pow(gp[BP_DECAY], ft)
    return out


@njit(cache=True)
def forget_stats(tb, pi, p):
    """Drop a peer's stats (retention expired, or a positive score disconnected): the tables forget it."""
    tb[p, :, :] = 0
    pi[p, KNOWN] = 0
    pi[p, N_TOPICS] = 0


@njit(cache=True)
def refresh(tb, tf, ti, order, pf, pi, clk, expired, tp, gp, times):
    """decay.refresh: expire retained peers past their RetainScore, decay connected peers ``times`` times.
    An expired peer with IPs in its stats is listed in ``expired`` for engine.py to forget them."""
    now = clk[NOW]
    dtz = gp[DECAY_TO_ZERO]
    f = decay_factors(tp, gp, times)
    nt = tp.shape[0]
    for p in range(pi.shape[0]):
        if pi[p, KNOWN] == 0:
            continue
        if pi[p, CONNECTED] == 0:
            if now > pi[p, EXPIRE]:
                forget_stats(tb, pi, p)
                if pi[p, N_KNOWN_IPS]:  # engine.py forgets its IPs
                    expired[clk[N_EXPIRED]] = p
                    clk[N_EXPIRED] += 1
            continue
        for k in range(pi[p, N_TOPICS]):
            t = order[p, k]
            for c in range(4):
                v = tf[p, t, c] * f[t, c]
                tf[p, t, c] = 0.0 if v < dtz else v
            if tb[p, t, IN_MESH]:
                ti[p, t, MESH_TIME] = now - ti[p, t, GRAFT_TIME]
                if ti[p, t, MESH_TIME] > tp[t, ACTIVATION3]:
                    tb[p, t, ACTIVE] = 1
        v = pf[p, BEHAVIOUR] * f[nt, 0]
        pf[p, BEHAVIOUR] = 0.0 if v < dtz else v


@njit(cache=True)
def collect(rec, queue, clk):
    """decay.collect_deliveries: forget delivery records whose lifetime has passed, oldest first."""
    now = clk[NOW]
    h = clk[Q_HEAD]
    while h < clk[Q_LEN] and queue[h, 0] < now:
        m = queue[h, 1]
        if rec[m, EXISTS] and rec[m, R_EXPIRE] == queue[h, 0]:
            rec[m, EXISTS] = 0
        h += 1
    clk[Q_HEAD] = h


@njit(cache=True)
def advance(tb, tf, ti, order, pf, pi, clk, rec, queue, expired, tp, gp, gi, to_ms):
    """step.advance: every refresh and collection due by ``to_ms`` (the first EXACT one by one, the rest
    in closed form as decay.skip_idle), then the clock stands at ``to_ms``."""
    interval = gi[INTERVAL]
    gc = gi[GC_INTERVAL]
    n = 0
    while n < gi[EXACT]:
        if min(clk[NEXT_REFRESH], clk[NEXT_GC]) > to_ms:
            break
        if clk[NEXT_REFRESH] <= clk[NEXT_GC]:
            clk[NOW] = clk[NEXT_REFRESH]
            clk[NEXT_REFRESH] += interval
            refresh(tb, tf, ti, order, pf, pi, clk, expired, tp, gp, 1)
            if gc == 0:
                clk[NEXT_GC] = clk[NEXT_REFRESH]
                collect(rec, queue, clk)
        else:
            clk[NOW] = clk[NEXT_GC]
            clk[NEXT_GC] += gc
            collect(rec, queue, clk)
        n += 1
    if n == gi[EXACT]:
        skip_idle(tb, tf, ti, order, pf, pi, clk, rec, queue, expired, tp, gp, gi, to_ms)
    clk[NOW] = to_ms


@njit(cache=True)
def skip_idle(tb, tf, ti, order, pf, pi, clk, rec, queue, expired, tp, gp, gi, to_ms):
    """decay.skip_idle: the rest of an idle stretch as one refresh of k steps and one collection."""
    interval = gi[INTERVAL]
    gc = gi[GC_INTERVAL]
    if clk[NEXT_REFRESH] <= to_ms:
        k = (to_ms - clk[NEXT_REFRESH]) // interval + 1
        last = clk[NEXT_REFRESH] + (k - 1) * interval
        clk[NOW] = last
        clk[NEXT_REFRESH] = last + interval
        refresh(tb, tf, ti, order, pf, pi, clk, expired, tp, gp, k)
        if gc == 0:
            clk[NEXT_GC] = last + interval
            collect(rec, queue, clk)
    if gc != 0 and clk[NEXT_GC] <= to_ms:
        last_gc = clk[NEXT_GC] + (to_ms - clk[NEXT_GC]) // gc * gc
        clk[NOW] = last_gc
        clk[NEXT_GC] = last_gc + gc
        collect(rec, queue, clk)
