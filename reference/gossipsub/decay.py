"""Decay refreshes (GS-DECAY) and retention expiry (GS-RETAIN), run every DecayInterval.

A refresh multiplies every counter by its decay factor, zeroes what falls below DecayToZero, updates
mesh time (the only moment P1 and the P3 activation change), drops retained peers whose retention has
expired, and never decays a retained (disconnected) peer's counters. A stretch of refreshes with no
event between them has a closed form (GS-DECAY-5, ``skip_idle``), so idle time costs O(1) refreshes.
"""

from __future__ import annotations

from immutables import Map
from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.dialect import Dialect
from peerproof.reference.gossipsub.params import TopicParams
from peerproof.reference.gossipsub.state import PeerStats, State, TopicStats, evolve


def decayed(value: float, factor: float, decay_to_zero: float, times: int = 1) -> float:
    """GS-DECAY-2: ``times`` decay steps of a counter, snapped to 0 below DecayToZero (GS-DECAY-5).

    One step is ``value * factor`` exactly (``factor ** 1`` is ``factor``). For many steps the closed
    form is exact about the cut: the stepped counter is ``value * factor**j`` until the first j where
    that falls below DecayToZero, and 0 from then on; ``value * factor**times`` is below the cut if and
    only if that j has come, because the sequence only falls (factors are in [0, 1], GS-CFG-E-bounds).
    """
    value *= factor ** times
    return 0.0 if value < decay_to_zero else value


def refresh_topic(tp: TopicParams, ts: TopicStats, now_ms: int, decay_to_zero: float, times: int = 1) -> TopicStats:
    """GS-DECAY-2/3: decay the four topic counters ``times`` times, then update mesh time and the P3
    activation as of the last of those refreshes, ``now_ms`` (both only grow, so the last one decides)."""
    in_mesh = ts.in_mesh
    mesh_time = now_ms - ts.graft_time_ms if in_mesh else ts.mesh_time_ms
    active = ts.mesh_message_deliveries_active or (
        in_mesh and mesh_time > tp.mesh_message_deliveries_activation_ms)
    return TopicStats(
        in_mesh=in_mesh,
        graft_time_ms=ts.graft_time_ms,
        mesh_time_ms=mesh_time,
        first_message_deliveries=decayed(ts.first_message_deliveries, tp.first_message_deliveries_decay,
                                         decay_to_zero, times),
        mesh_message_deliveries=decayed(ts.mesh_message_deliveries, tp.mesh_message_deliveries_decay,
                                        decay_to_zero, times),
        mesh_message_deliveries_active=active,
        mesh_failure_penalty=decayed(ts.mesh_failure_penalty, tp.mesh_failure_penalty_decay, decay_to_zero, times),
        invalid_message_deliveries=decayed(ts.invalid_message_deliveries, tp.invalid_message_deliveries_decay,
                                           decay_to_zero, times),
    )


def refresh_peer(config: Config, stats: PeerStats, now_ms: int, times: int = 1) -> PeerStats:
    """GS-DECAY-2..4: ``times`` refreshes of a connected peer's counters, the last at ``now_ms``."""
    params = config.score
    dtz = params.decay_to_zero
    topics = {
        topic: refresh_topic(params.topics[topic], ts, now_ms, dtz, times) if topic in params.topics else ts
        for topic, ts in stats.topics.items()
    }
    return evolve(stats, topics=topics,
                   behaviour_penalty=decayed(stats.behaviour_penalty, params.behaviour_penalty_decay, dtz, times))


def refresh(config: Config, state: State, dialect: Dialect, times: int = 1) -> State:
    """GS-DECAY-1: the refresh at ``state.now_ms`` (or the last of ``times`` refreshes with no event between,
    GS-DECAY-5): expire retained peers, decay connected ones. Its clock runs apart from the heartbeat's
    (GS-DECAY-4, GS-DIV-4).

    A retained peer expires at the first refresh after its expiry, so at one of them exactly when the
    last one is after its expiry; a connected peer's refreshes compose as ``refresh_peer`` says.
    """
    now = state.now_ms
    peer_ips = state.peer_ips
    with state.peers.mutate() as peers:
        for peer, stats in state.peers.items():
            if not stats.connected:
                if now > stats.expire_ms:
                    peer_ips = forget_ips(peer_ips, peer, stats.known_ips)
                    del peers[peer]
                continue
            peers[peer] = refresh_peer(config, stats, now, times)
        return evolve(state, peers=peers.finish(), peer_ips=peer_ips)


def forget_ips(peer_ips: Map[str, frozenset[str]], peer: str, ips: frozenset[str]) -> Map[str, frozenset[str]]:
    """Remove ``peer`` from the peers-per-IP table for each of ``ips`` (dropping emptied IPs): at disconnection
    for a forgotten peer, when its retention expires for a retained one (GS-RETAIN-4)."""
    for ip in ips:
        rest = peer_ips.get(ip, frozenset()) - {peer}
        if rest:
            peer_ips = peer_ips.set(ip, rest)
        elif ip in peer_ips:
            peer_ips = peer_ips.delete(ip)
    return peer_ips


def collect_deliveries(state: State) -> State:
    """Forget delivery records whose lifetime (SeenMsgTTL) has passed (GS-P3-4), oldest first."""
    now = state.now_ms
    queue = state.expiries.normalised()
    head = queue.peek()
    if head is None or not head[0] < now:
        return state
    with state.deliveries.mutate() as kept:
        while head is not None and head[0] < now:
            rec = kept.get(head[1])
            if rec is not None and rec.expire_ms == head[0]:
                del kept[head[1]]
            queue = queue.popped()
            head = queue.peek()
        return evolve(state, deliveries=kept.finish(), expiries=queue)


def skip_idle(config: Config, state: State, to_ms: int, dialect: Dialect) -> State:
    """GS-DECAY-5: every refresh and delivery-record collection due by ``to_ms``, in O(1) refreshes.

    With no event between them, k refreshes are one ``refresh`` with ``times=k`` at the last refresh
    time, and the collections are one collection at the last collection time (a record is dropped at
    the first collection after its expiry, so by the last one exactly when that is after it).
    Refreshes never read delivery records and collections never read peers, so the two commute.
    """
    interval = config.score.decay_interval_ms
    if state.next_refresh_ms <= to_ms:
        k = (to_ms - state.next_refresh_ms) // interval + 1
        last = state.next_refresh_ms + (k - 1) * interval
        state = refresh(config, evolve(state, now_ms=last, next_refresh_ms=last + interval), dialect, times=k)
        if dialect.delivery_gc_interval_ms is None:
            state = collect_deliveries(evolve(state, next_gc_ms=last + interval))
    gc_interval = dialect.delivery_gc_interval_ms
    if gc_interval is not None and state.next_gc_ms <= to_ms:
        last_gc = state.next_gc_ms + (to_ms - state.next_gc_ms) // gc_interval * gc_interval
        state = collect_deliveries(evolve(state, now_ms=last_gc, next_gc_ms=last_gc + gc_interval))
    return state
