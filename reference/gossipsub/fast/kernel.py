"""The compiled kernel of the fast engine (GS-FAST-2): ``step`` on mutable arrays, event after event.

Each function here is the in-place twin of a pure function of the reference model, with the same
floating-point operations in the same order (the docstrings name the twin): deliveries.py's
first/near-first/invalid deliveries and validation outcomes, membership.py's graft, prune and retention;
time passes in ``timers.py`` (decay.py, step.py's advance) and scores come from ``scoring.py``. Events the
kernel does not handle (connections, IP addresses, heartbeats) stop it, and ``engine.py`` applies them.
Compiled with numba (``cache=True``: the machine code is written beside this file, or under the user's
cache directory on a read-only install, and reused by every later process).
"""

from __future__ import annotations

from numba import njit
from peerproof.reference.gossipsub.fast.layout import (
    ACTIVE,
    APP,
    BEHAVIOUR,
    CAP2,
    CAP3,
    CONNECTED,
    EXISTS,
    EXPIRE,
    FAILURE,
    FIRST,
    FIRST_SEEN,
    GRAFT_TIME,
    HAS_APP,
    IGNORED,
    IN_MESH,
    INVALID,
    KNOWN,
    MESH,
    MESH_TIME,
    N_EXPIRED,
    N_KNOWN_IPS,
    N_TOPICS,
    NEXT_GC,
    NEXT_REFRESH,
    NO_SENDER,
    NOW,
    OUTBOUND,
    P3_AFTER_PRUNE,
    P6,
    PEERS_HEAD,
    POOL_LEN,
    PRESENT,
    PRUNE_BACKOFF,
    Q_LEN,
    R_EXPIRE,
    R_TOPIC,
    RECONNECT_RESETS,
    REJECTED,
    RETAIN,
    RETAIN_POSITIVE,
    SENDER,
    STATUS,
    SUB_KEY,
    THRESHOLD3,
    TTL,
    UNKNOWN,
    VALID,
    VALIDATED,
    WINDOW3,
    WINDOW_FROM_VALIDATION,
)
from peerproof.reference.gossipsub.fast.scoring import score
from peerproof.reference.gossipsub.fast.timers import advance, forget_stats

# Event kinds as the kernel reads them; COLD kinds stop the kernel (engine.py applies them), and so do
# connections whose stats hold IPs (their IP tables live in engine.py).
TICK, RECEIVE, VALIDATE, DELIVER, DUPLICATE, INVALID_MSG, IGNORE, GRAFT, PRUNE, PENALTY, APP_SCORE = range(11)
SUBSCRIBE, UNSUBSCRIBE, ADD_PEER, REMOVE_PEER = 11, 12, 13, 14
COLD = 20
ADD_IP, REMOVE_IP, HEARTBEAT = 22, 23, 24
ACCEPT, REJECT, IGNORE_OUTCOME = 0, 1, 2


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
def add_peer(tb, pf, pi, gi, p, outbound):
    """membership.add_peer (GS-RETAIN-3, GS-DIV-15) unless fresh stats would drop IPs; whether applied."""
    if not pi[p, KNOWN] or gi[RECONNECT_RESETS]:
        if pi[p, N_KNOWN_IPS]:
            return False
        tb[p, :, :] = 0
        pi[p, KNOWN] = 1
        pi[p, CONNECTED] = 1
        pi[p, EXPIRE] = 0
        pi[p, N_TOPICS] = 0
        pf[p, BEHAVIOUR] = 0.0
        pf[p, P6] = 0.0
    else:
        pi[p, CONNECTED] = 1
    pi[p, OUTBOUND] = outbound
    return True


@njit(cache=True)
def remove_peer(tb, tf, ti, order, pf, pi, mesh, subs, clk, tp, gp, gi, p):
    """membership.remove_peer (GS-RETAIN-1/2) unless forgetting the stats would drop IPs; whether applied."""
    forget = pi[p, KNOWN] and not gi[RETAIN_POSITIVE] and score(tb, tf, ti, order, pf, pi, tp, gp, gi, p) > 0
    if forget and pi[p, N_KNOWN_IPS]:
        return False
    mesh[p, :] = 0
    if pi[p, SUB_KEY]:
        subs[p, :] = 0
        pi[p, SUB_KEY] = 0
    if forget:
        forget_stats(tb, pi, p)
        pf[p, P6] = 0.0
    elif pi[p, KNOWN]:
        retain(tb, tf, ti, order, pi, clk, tp, gi, p)
    return True


@njit(cache=True, nogil=True)
def run(tb, tf, ti, order, pf, pi, mesh, subs, backoff, mesh_key, clk, rec, queue, pool, expired,
        tp, gp, gi, kind, at, peer, topic, msg, val, flag, start, stop):
    """step over events ``start .. stop-1``; returns the index of the first event not applied: a COLD
    event or a connection whose stats hold IPs (after advancing the clock to it), one whose advance expired
    a retained peer with IPs (engine.py then forgets its IPs and calls again), or ``stop``."""
    for i in range(start, stop):
        if min(clk[NEXT_REFRESH], clk[NEXT_GC]) <= at[i]:
            advance(tb, tf, ti, order, pf, pi, clk, rec, queue, expired, tp, gp, gi, at[i])
        clk[NOW] = at[i]
        k = kind[i]
        if k >= COLD or clk[N_EXPIRED] > 0:
            return i
        p = peer[i]
        if k == ADD_PEER:
            if not add_peer(tb, pf, pi, gi, p, flag[i]):
                return i
            continue
        if k == REMOVE_PEER:
            if not remove_peer(tb, tf, ti, order, pf, pi, mesh, subs, clk, tp, gp, gi, p):
                return i
            continue
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
