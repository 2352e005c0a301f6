"""Decay refreshes (GS-DECAY) and retention expiry (GS-RETAIN), run every DecayInterval.

A refresh multiplies every counter by its decay factor, zeroes what falls below DecayToZero, updates
mesh time (the only moment P1 and the P3 activation change), drops retained peers whose retention has
expired, and never decays a retained (disconnected) peer's counters.
"""

from __future__ import annotations

from immutables import Map
from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.dialect import Dialect
from peerproof.reference.gossipsub.params import TopicParams
from peerproof.reference.gossipsub.state import PeerStats, State, TopicStats, evolve


def decayed(value: float, factor: float, decay_to_zero: float) -> float:
    """GS-DECAY-2: one decay step of a counter, snapped to 0 below DecayToZero."""
    value *= factor
    return 0.0 if value < decay_to_zero else value


def refresh_topic(tp: TopicParams, ts: TopicStats, now_ms: int, decay_to_zero: float) -> TopicStats:
    """GS-DECAY-2/3: decay the four topic counters, then update mesh time and the P3 activation."""
    in_mesh = ts.in_mesh
    mesh_time = now_ms - ts.graft_time_ms if in_mesh else ts.mesh_time_ms
    active = ts.mesh_message_deliveries_active or (
        in_mesh and mesh_time > tp.mesh_message_deliveries_activation_ms)
    return TopicStats(
        in_mesh=in_mesh,
        graft_time_ms=ts.graft_time_ms,
        mesh_time_ms=mesh_time,
        first_message_deliveries=decayed(ts.first_message_deliveries, tp.first_message_deliveries_decay,
                                         decay_to_zero),
        mesh_message_deliveries=decayed(ts.mesh_message_deliveries, tp.mesh_message_deliveries_decay,
                                        decay_to_zero),
        mesh_message_deliveries_active=active,
        mesh_failure_penalty=decayed(ts.mesh_failure_penalty, tp.mesh_failure_penalty_decay, decay_to_zero),
        invalid_message_deliveries=decayed(ts.invalid_message_deliveries, tp.invalid_message_deliveries_decay,
                                           decay_to_zero),
    )


def refresh_peer(config: Config, stats: PeerStats, now_ms: int) -> PeerStats:
    """GS-DECAY-2..4: one refresh of a connected peer's counters."""
    params = config.score
    dtz = params.decay_to_zero
    topics = {
        topic: refresh_topic(params.topics[topic], ts, now_ms, dtz) if topic in params.topics else ts
        for topic, ts in stats.topics.items()
    }
    return evolve(stats, topics=topics,
                   behaviour_penalty=decayed(stats.behaviour_penalty, params.behaviour_penalty_decay, dtz))


def refresh(config: Config, state: State, dialect: Dialect) -> State:
    """GS-DECAY-1: the refresh at ``state.now_ms``: expire retained peers, decay connected ones."""
    now = state.now_ms
    peer_ips = state.peer_ips
    with state.peers.mutate() as peers:
        for peer, stats in state.peers.items():
            if not stats.connected:
                if now > stats.expire_ms:
                    peer_ips = forget_ips(peer_ips, peer, stats.known_ips)
                    del peers[peer]
                continue
            peers[peer] = refresh_peer(config, stats, now)
        return evolve(state, peers=peers.finish(), peer_ips=peer_ips)


def forget_ips(peer_ips: Map[str, frozenset[str]], peer: str, ips: frozenset[str]) -> Map[str, frozenset[str]]:
    """Remove ``peer`` from the peers-per-IP table for each of ``ips`` (dropping emptied IPs)."""
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
