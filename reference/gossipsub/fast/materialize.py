"""The pure model's State rebuilt from the fast engine's tables (GS-FAST-4).

``observed_state`` builds only what ``observe`` reads (peers, peer IPs, app scores, meshes), so an
observation of the fast engine is computed by the pure model's own ``observe``; ``full_state`` adds
the delivery records, their expiry queue, subscriptions, directions and backoffs.
"""

from __future__ import annotations

import numpy as np
from immutables import Map
from peerproof.reference.gossipsub.fast.layout import (
    ACTIVE,
    APP,
    BEHAVIOUR,
    CONNECTED,
    EXISTS,
    EXPIRE,
    FAILURE,
    FIRST,
    FIRST_SEEN,
    GRAFT_TIME,
    HAS_APP,
    IN_MESH,
    INVALID,
    KNOWN,
    MESH,
    MESH_TIME,
    N_TOPICS,
    NEXT_GC,
    NEXT_REFRESH,
    NO_BACKOFF,
    NO_SENDER,
    NOW,
    OUTBOUND,
    PEERS_HEAD,
    Q_HEAD,
    Q_LEN,
    R_EXPIRE,
    R_TOPIC,
    SENDER,
    STATUS,
    STATUS_NAMES,
    SUB_KEY,
    TICKS,
    VALIDATED,
    EngineView,
)
from peerproof.reference.gossipsub.state import (
    DeliveryRecord,
    ExpiryQueue,
    PeerStats,
    RouterState,
    State,
    TopicStats,
)


def peer_stats(e: EngineView, p: int) -> PeerStats:
    """The PeerStats of peer id ``p`` (which the router knows)."""
    t = e.t
    topics = {}
    for j in t.order[p, : t.pi[p, N_TOPICS]].tolist():
        b, f, i = t.tb[p, j].tolist(), t.tf[p, j].tolist(), t.ti[p, j].tolist()
        topics[e.ev.topics[j]] = TopicStats(
            in_mesh=bool(b[IN_MESH]), graft_time_ms=i[GRAFT_TIME], mesh_time_ms=i[MESH_TIME],
            first_message_deliveries=f[FIRST], mesh_message_deliveries=f[MESH],
            mesh_message_deliveries_active=bool(b[ACTIVE]), mesh_failure_penalty=f[FAILURE],
            invalid_message_deliveries=f[INVALID])
    pi = t.pi[p].tolist()
    return PeerStats(connected=bool(pi[CONNECTED]), expire_ms=pi[EXPIRE], topics=topics,
                     known_ips=frozenset(e.known_ips.get(p, ())), behaviour_penalty=float(t.pf[p, BEHAVIOUR]))


def _names(e: EngineView, ids: np.ndarray) -> frozenset[str]:
    return frozenset(e.ev.peers[p] for p in ids.tolist())


def observed_state(e: EngineView) -> State:
    """What ``observe`` reads: peers, the peers-per-IP table, app scores, meshes, the clock."""
    t, n = e.t, len(e.ev.peers)
    known = np.flatnonzero(t.pi[:n, KNOWN]).tolist()
    peers = Map({e.ev.peers[p]: peer_stats(e, p) for p in known})
    apps = np.flatnonzero(t.pi[:n, HAS_APP]).tolist()
    app_scores = Map({e.ev.peers[p]: float(t.pf[p, APP]) for p in apps})
    peer_ips = Map({ip: frozenset(holders) for ip, holders in e.peer_ips.items()})
    mesh = Map({e.ev.topics[j]: _names(e, np.flatnonzero(t.mesh[:n, j]))
                for j in np.flatnonzero(t.mesh_key[: len(e.ev.topics)]).tolist()})
    clk = t.clk.tolist()
    return State(now_ms=clk[NOW], next_refresh_ms=clk[NEXT_REFRESH], next_gc_ms=clk[NEXT_GC], peers=peers,
                 peer_ips=peer_ips, app_scores=app_scores, router=RouterState(mesh=mesh, seed=e.seed))


def _record(e: EngineView, m: int) -> DeliveryRecord:
    r = e.t.rec[m].tolist()
    senders = []
    c = r[PEERS_HEAD]
    while c >= 0:
        senders.append(e.ev.peers[int(e.t.pool[c, 0])])
        c = int(e.t.pool[c, 1])
    return DeliveryRecord(
        topic=e.ev.topics[r[R_TOPIC]], first_sender="" if r[SENDER] == NO_SENDER else e.ev.peers[r[SENDER]],
        status=STATUS_NAMES[r[STATUS]], first_seen_ms=r[FIRST_SEEN], validated_ms=r[VALIDATED],
        peers=frozenset(senders), expire_ms=r[R_EXPIRE])


def full_state(e: EngineView) -> State:
    """The pure model's State: ``observed_state`` plus deliveries, expiries and the whole router.

    The expiry queue holds the same entries in the same order as the pure fold's (GS-P3-4), in one
    normalised list.
    """
    s = observed_state(e)
    t, n = e.t, len(e.ev.peers)
    deliveries = Map({e.ev.messages[m]: _record(e, m)
                      for m in np.flatnonzero(t.rec[: len(e.ev.messages), EXISTS]).tolist()})
    clk = t.clk.tolist()
    queue = tuple((int(x), e.ev.messages[m]) for x, m in t.queue[clk[Q_HEAD]: clk[Q_LEN]].tolist())
    topics = e.ev.topics
    subscriptions = Map({e.ev.peers[p]: frozenset(topics[j] for j in np.flatnonzero(t.subs[p, : len(topics)]).tolist())
                         for p in np.flatnonzero(t.pi[:n, SUB_KEY]).tolist()})
    backoff = Map({(topics[j], e.ev.peers[p]): int(t.backoff[p, j])
                   for p, j in zip(*np.nonzero(t.backoff[:n, : len(topics)] != NO_BACKOFF), strict=True)})
    router = RouterState(mesh=s.router.mesh, subscriptions=subscriptions,
                         outbound=_names(e, np.flatnonzero(t.pi[:n, OUTBOUND])), backoff=backoff,
                         heartbeat_ticks=clk[TICKS], seed=e.seed)
    return State(now_ms=s.now_ms, next_refresh_ms=s.next_refresh_ms, next_gc_ms=s.next_gc_ms, peers=s.peers,
                 peer_ips=s.peer_ips, app_scores=s.app_scores, deliveries=deliveries,
                 expiries=ExpiryQueue(queue, 0, None), router=router)
