"""The compiled kernel of the fast engine (GS-FAST-2): ``step`` on mutable arrays, event after event.

Each function here is the in-place twin of a pure function of the reference model, with the same
floating-point operations in the same order (the docstrings name the twin): decay.py's refresh,
collection and idle skip, step.py's advance, deliveries.py's first/near-first/invalid deliveries and
validation outcomes, membership.py's graft and prune, score.py's score. Events the kernel does not
handle (connections, IP addresses, heartbeats) stop it, and ``engine.py`` applies them in Python.
Compiled with numba (``cache=True``: the machine code is written beside this file, or under the user's
cache directory on a read-only install, and reused by every later process).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from peerproof.reference.gossipsub.fast.layout import (
    ACTIVATION3,
    ACTIVE,
    APP,
    APP_WEIGHT,
    BEHAVIOUR,
    BP_DECAY,
    BP_THRESHOLD,
    BP_WEIGHT,
    CAP1,
    CAP2,
    CAP3,
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
    FIRST_SEEN,
    GC_INTERVAL,
    GRAFT_TIME,
    HAS_APP,
    IGNORED,
    IN_MESH,
    INTERVAL,
    INVALID,
    IP_WEIGHT,
    KNOWN,
    MESH,
    MESH_TIME,
    N_EXPIRED,
    N_TOPICS,
    NEXT_GC,
    NEXT_REFRESH,
    NO_SENDER,
    NOW,
    P1_FLOOR,
    P3_AFTER_PRUNE,
    P6,
    P7_THRESHOLD,
    PEERS_HEAD,
    POOL_LEN,
    PRESENT,
    PRUNE_BACKOFF,
    Q_HEAD,
    Q_LEN,
    QUANTUM,
    R_EXPIRE,
    R_TOPIC,
    REJECTED,
    RETAIN,
    SENDER,
    STATUS,
    SUB_KEY,
    THRESHOLD3,
    TOPIC_CAP,
    TOPIC_WEIGHT,
    TTL,
    UNKNOWN,
    VALID,
    VALIDATED,
    W1,
    W2,
    W3,
    W3B,
    W4,
    WINDOW3,
    WINDOW_FROM_VALIDATION,
)

# Event kinds as the kernel reads them; COLD kinds stop the kernel (engine.py applies them).
TICK, RECEIVE, VALIDATE, DELIVER, DUPLICATE, INVALID_MSG, IGNORE, GRAFT, PRUNE, PENALTY, APP_SCORE = range(11)
SUBSCRIBE, UNSUBSCRIBE = 11, 12
COLD = 20
ADD_PEER, REMOVE_PEER, ADD_IP, REMOVE_IP, HEARTBEAT = 20, 21, 22, 23, 24
ACCEPT, REJECT, IGNORE_OUTCOME = 0, 1, 2


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
    """decay.refresh: expire retained peers past their RetainScore, decay connected peers ``times`` times."""
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


@njit(cache=True)
def topic_row(tb, tf, ti, order, pi, p, t):
    """membership.topic_stats + with_topic: make sure the peer has stats for a scored topic (fresh zeros,
    appended to its topics in creation order)."""
    if tb[p, t, PRESENT] == 0:
        tb[p, t, PRESENT] = 1
        tb[p, t, IN_MESH] = 0
        tb[p, t, ACTIVE] = 0
        for c in range(4):
            tf[p, t, c] = 0.0
        ti[p, t, GRAFT_TIME] = 0
        ti[p, t, MESH_TIME] = 0
        order[p, pi[p, N_TOPICS]] = t
        pi[p, N_TOPICS] += 1


@njit(cache=True)
def scored(pi, tp, p, t):
    """Whether the peer has stats and the topic is scored (membership.topic_stats is not None)."""
    return p >= 0 and pi[p, KNOWN] == 1 and t < tp.shape[0]


@njit(cache=True)
def first_delivery(tb, tf, ti, order, pi, tp, p, t):
    """deliveries.mark_first_delivery (GS-P2-1, GS-P3-1)."""
    if not scored(pi, tp, p, t):
        return
    topic_row(tb, tf, ti, order, pi, p, t)
    tf[p, t, FIRST] = min(tp[t, CAP2], tf[p, t, FIRST] + 1)
    if tb[p, t, IN_MESH]:
        tf[p, t, MESH] = min(tp[t, CAP3], tf[p, t, MESH] + 1)


@njit(cache=True)
def near_first_delivery(tb, tf, ti, order, pi, tp, now, p, t, since, pending):
    """deliveries.mark_near_first_delivery (GS-P3-2); ``pending``: validation not finished (no window)."""
    if not scored(pi, tp, p, t):
        return
    topic_row(tb, tf, ti, order, pi, p, t)
    late = (not pending) and now - since > tp[t, WINDOW3]
    if tb[p, t, IN_MESH] and not late:
        tf[p, t, MESH] = min(tp[t, CAP3], tf[p, t, MESH] + 1)


@njit(cache=True)
def invalid_delivery(tb, tf, ti, order, pi, tp, p, t):
    """deliveries.mark_invalid_delivery (GS-P4-1)."""
    if not scored(pi, tp, p, t):
        return
    topic_row(tb, tf, ti, order, pi, p, t)
    tf[p, t, INVALID] = tf[p, t, INVALID] + 1


@njit(cache=True)
def ensure_record(rec, queue, clk, gi, m, t, sender):
    """deliveries.ensure_record: the message's record, created pending on first sight."""
    if rec[m, EXISTS]:
        return
    now = clk[NOW]
    rec[m, EXISTS] = 1
    rec[m, R_TOPIC] = t
    rec[m, SENDER] = sender
    rec[m, STATUS] = UNKNOWN
    rec[m, FIRST_SEEN] = now
    rec[m, VALIDATED] = 0
    rec[m, R_EXPIRE] = now + gi[TTL]
    rec[m, PEERS_HEAD] = -1
    n = clk[Q_LEN]
    queue[n, 0] = rec[m, R_EXPIRE]
    queue[n, 1] = m
    clk[Q_LEN] = n + 1


@njit(cache=True)
def has_copy_from(rec, pool, m, p):
    """Whether ``p`` is among the peers the record remembers sending a copy."""
    c = rec[m, PEERS_HEAD]
    while c >= 0:
        if pool[c, 0] == p:
            return True
        c = pool[c, 1]
    return False


@njit(cache=True)
def add_copy_from(rec, pool, clk, m, p):
    """Remember that ``p`` sent a copy of the message."""
    c = clk[POOL_LEN]
    pool[c, 0] = p
    pool[c, 1] = rec[m, PEERS_HEAD]
    rec[m, PEERS_HEAD] = c
    clk[POOL_LEN] = c + 1


@njit(cache=True)
def accept(tb, tf, ti, order, pi, clk, rec, queue, pool, tp, gi, m, p, t):
    """deliveries.accept: a first delivery from the sender, then near-first credit for pending copies."""
    if p == NO_SENDER:
        if not rec[m, EXISTS] or rec[m, SENDER] == NO_SENDER:
            return
        p = rec[m, SENDER]
        t = rec[m, R_TOPIC]
    first_delivery(tb, tf, ti, order, pi, tp, p, t)
    ensure_record(rec, queue, clk, gi, m, t, NO_SENDER)
    if rec[m, STATUS] != UNKNOWN:
        return
    rec[m, STATUS] = VALID
    rec[m, VALIDATED] = clk[NOW]
    c = rec[m, PEERS_HEAD]
    while c >= 0:
        if pool[c, 0] != p:
            near_first_delivery(tb, tf, ti, order, pi, tp, clk[NOW], pool[c, 0], t, 0, True)
        c = pool[c, 1]


@njit(cache=True)
def reject(tb, tf, ti, order, pi, clk, rec, queue, pool, tp, gi, m, p, t):
    """deliveries.reject: the sender and every pending copy's sender get GS-P4."""
    if p == NO_SENDER:
        if not rec[m, EXISTS] or rec[m, SENDER] == NO_SENDER:
            return
        p = rec[m, SENDER]
        t = rec[m, R_TOPIC]
    ensure_record(rec, queue, clk, gi, m, t, NO_SENDER)
    if rec[m, STATUS] != UNKNOWN:
        return
    rec[m, STATUS] = REJECTED
    c = rec[m, PEERS_HEAD]
    rec[m, PEERS_HEAD] = -1
    invalid_delivery(tb, tf, ti, order, pi, tp, p, t)
    while c >= 0:
        invalid_delivery(tb, tf, ti, order, pi, tp, pool[c, 0], t)
        c = pool[c, 1]


@njit(cache=True)
def ignore(rec, queue, clk, gi, m, p, t):
    """deliveries.ignore (GS-P4-2): nobody is scored; pending copies are forgotten."""
    if p == NO_SENDER:
        if not rec[m, EXISTS] or rec[m, SENDER] == NO_SENDER:
            return
        t = rec[m, R_TOPIC]
    ensure_record(rec, queue, clk, gi, m, t, NO_SENDER)
    if rec[m, STATUS] != UNKNOWN:
        return
    rec[m, STATUS] = IGNORED
    rec[m, PEERS_HEAD] = -1


@njit(cache=True)
def duplicate(tb, tf, ti, order, pi, clk, rec, queue, pool, tp, gi, m, p, t):
    """deliveries.duplicate: near-first credit within the window, GS-P4 for an invalid message, or nothing."""
    ensure_record(rec, queue, clk, gi, m, t, NO_SENDER)
    if has_copy_from(rec, pool, m, p):
        return
    status = rec[m, STATUS]
    if status == UNKNOWN:
        add_copy_from(rec, pool, clk, m, p)
    elif status == VALID:
        add_copy_from(rec, pool, clk, m, p)
        since = rec[m, VALIDATED] if gi[WINDOW_FROM_VALIDATION] else rec[m, FIRST_SEEN]
        near_first_delivery(tb, tf, ti, order, pi, tp, clk[NOW], p, t, since, False)
    elif status == REJECTED:
        invalid_delivery(tb, tf, ti, order, pi, tp, p, t)


@njit(cache=True)
def graft(tb, tf, ti, order, pi, mesh, mesh_key, clk, tp, p, t):
    """membership.graft (GS-P1-1, GS-P3-3): mesh time restarts, P3 waits for activation."""
    mesh[p, t] = 1
    mesh_key[t] = 1
    if not scored(pi, tp, p, t):
        return
    topic_row(tb, tf, ti, order, pi, p, t)
    tb[p, t, IN_MESH] = 1
    ti[p, t, GRAFT_TIME] = clk[NOW]
    ti[p, t, MESH_TIME] = 0
    tb[p, t, ACTIVE] = 0


@njit(cache=True)
def failure_penalty(tb, tf, tp, p, t):
    """membership.failure_penalty (GS-P3b-1): the squared deficit of an activated peer below threshold."""
    threshold = tp[t, THRESHOLD3]
    if tb[p, t, ACTIVE] and tf[p, t, MESH] < threshold:
        deficit = threshold - tf[p, t, MESH]
        return deficit * deficit
    return 0.0


@njit(cache=True)
def prune(tb, tf, ti, order, pi, mesh, mesh_key, backoff, clk, tp, gi, p, t):
    """membership.prune (GS-P3b-1): leave the mesh, back off, an activated deficit becomes P3b."""
    mesh[p, t] = 0
    mesh_key[t] = 1
    backoff[p, t] = clk[NOW] + gi[PRUNE_BACKOFF]
    if not scored(pi, tp, p, t):
        return
    topic_row(tb, tf, ti, order, pi, p, t)
    tf[p, t, FAILURE] = tf[p, t, FAILURE] + failure_penalty(tb, tf, tp, p, t)
    tb[p, t, IN_MESH] = 0
    tb[p, t, ACTIVE] = 1 if tb[p, t, ACTIVE] and gi[P3_AFTER_PRUNE] else 0


@njit(cache=True)
def retain(tb, tf, ti, order, pi, clk, tp, gi, p):
    """The retained half of membership.remove_peer (GS-RETAIN-2, GS-P3b-2): charge activated deficits,
    leave every mesh, zero P2, keep the rest until RetainScore passes."""
    for k in range(pi[p, N_TOPICS]):
        t = order[p, k]
        penalty = failure_penalty(tb, tf, tp, p, t) if tb[p, t, IN_MESH] else 0.0
        tf[p, t, FIRST] = 0.0
        tb[p, t, IN_MESH] = 0
        tf[p, t, FAILURE] = tf[p, t, FAILURE] + penalty
        tb[p, t, ACTIVE] = 1 if tb[p, t, ACTIVE] and gi[P3_AFTER_PRUNE] else 0
    pi[p, CONNECTED] = 0
    pi[p, EXPIRE] = clk[NOW] + gi[RETAIN]


@njit(cache=True)
def score(tb, tf, ti, order, pf, pi, tp, gp, gi, p):
    """score.score (GS-SCORE): P1..P4 per topic in creation order, the cap, P5, P6, P7, in go's order."""
    if pi[p, KNOWN] == 0:
        return 0.0
    total = 0.0
    for k in range(pi[p, N_TOPICS]):
        t = order[p, k]
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
        total += topic_score * tp[t, TOPIC_WEIGHT]
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
def scores(tb, tf, ti, order, pf, pi, tp, gp, gi, n):
    """The score of each of the first ``n`` peers (0 where the router keeps no stats)."""
    out = np.zeros(n)
    for p in range(n):
        out[p] = score(tb, tf, ti, order, pf, pi, tp, gp, gi, p)
    return out


@njit(cache=True)
def run(tb, tf, ti, order, pf, pi, mesh, subs, backoff, mesh_key, clk, rec, queue, pool, expired,
        tp, gp, gi, kind, at, peer, topic, msg, val, flag, start, stop):
    """step over events ``start .. stop-1``; returns the index of the first event not applied: a COLD
    event (after advancing the clock to it) or one whose advance expired a retained peer (engine.py then
    forgets its IPs and calls again), or ``stop``."""
    for i in range(start, stop):
        if min(clk[NEXT_REFRESH], clk[NEXT_GC]) <= at[i]:
            advance(tb, tf, ti, order, pf, pi, clk, rec, queue, expired, tp, gp, gi, at[i])
        clk[NOW] = at[i]
        k = kind[i]
        if k >= COLD or clk[N_EXPIRED] > 0:
            return i
        p = peer[i]
        t = topic[i]
        m = msg[i]
        if k == DELIVER:
            accept(tb, tf, ti, order, pi, clk, rec, queue, pool, tp, gi, m, p, t)
        elif k == DUPLICATE:
            duplicate(tb, tf, ti, order, pi, clk, rec, queue, pool, tp, gi, m, p, t)
        elif k == INVALID_MSG:
            if m < 0:
                invalid_delivery(tb, tf, ti, order, pi, tp, p, t)
            else:
                reject(tb, tf, ti, order, pi, clk, rec, queue, pool, tp, gi, m, p, t)
        elif k == RECEIVE:
            ensure_record(rec, queue, clk, gi, m, t, NO_SENDER if flag[i] else p)
        elif k == VALIDATE:
            if flag[i] == ACCEPT:
                accept(tb, tf, ti, order, pi, clk, rec, queue, pool, tp, gi, m, NO_SENDER, -1)
            elif flag[i] == REJECT:
                reject(tb, tf, ti, order, pi, clk, rec, queue, pool, tp, gi, m, NO_SENDER, -1)
            else:
                ignore(rec, queue, clk, gi, m, NO_SENDER, -1)
        elif k == IGNORE:
            ignore(rec, queue, clk, gi, m, p, t)
        elif k == GRAFT:
            graft(tb, tf, ti, order, pi, mesh, mesh_key, clk, tp, p, t)
        elif k == PRUNE:
            prune(tb, tf, ti, order, pi, mesh, mesh_key, backoff, clk, tp, gi, p, t)
        elif k == PENALTY:
            if pi[p, KNOWN]:
                pf[p, BEHAVIOUR] = pf[p, BEHAVIOUR] + val[i]
        elif k == APP_SCORE:
            pf[p, APP] = val[i]
            pi[p, HAS_APP] = 1
        elif k == SUBSCRIBE:
            subs[p, t] = 1
            pi[p, SUB_KEY] = 1
        elif k == UNSUBSCRIBE:
            subs[p, t] = 0
            pi[p, SUB_KEY] = 1
    return stop
