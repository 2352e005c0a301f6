"""Connections and mesh membership as the scorer sees them (GS-RETAIN, GS-P1, GS-P3b): connect,
disconnect, graft, prune, IP addresses.
"""

from __future__ import annotations

from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.decay import forget_ips
from peerproof.reference.gossipsub.dialect import Dialect
from peerproof.reference.gossipsub.score import score
from peerproof.reference.gossipsub.state import PeerStats, State, TopicStats, evolve


def with_topic(state: State, peer: str, topic: str, ts: TopicStats) -> State:
    """The state with one peer's stats for one topic replaced."""
    stats = state.peers[peer]
    return evolve(state, peers=state.peers.set(peer, evolve(stats, topics={**stats.topics, topic: ts})))


def topic_stats(config: Config, state: State, peer: str, topic: str) -> TopicStats | None:
    """The peer's stats for a scored topic (fresh zeros if untouched); None if unknown peer or topic."""
    stats = state.peers.get(peer)
    if stats is None or topic not in config.score.topics:
        return None
    return stats.topics.get(topic) or TopicStats()


def failure_penalty(config: Config, topic: str, ts: TopicStats) -> float:
    """GS-P3b-1: the deficit squared added to P3b when an activated peer leaves the mesh below threshold."""
    threshold = config.score.topics[topic].mesh_message_deliveries_threshold
    if ts.mesh_message_deliveries_active and ts.mesh_message_deliveries < threshold:
        deficit = threshold - ts.mesh_message_deliveries
        return deficit * deficit
    return 0.0


def add_peer(config: Config, state: State, peer: str, outbound: bool, dialect: Dialect) -> State:
    """GS-RETAIN-3: a connection; go/rust reuse retained stats, ts starts fresh (GS-DIV-15)."""
    old = state.peers.get(peer)
    stats = PeerStats() if old is None or dialect.reconnect_resets_stats else evolve(old, connected=True)
    router = state.router
    outbound_set = router.outbound | {peer} if outbound else router.outbound - {peer}
    return evolve(state, peers=state.peers.set(peer, stats), router=evolve(router, outbound=outbound_set))


def remove_peer(config: Config, state: State, peer: str, dialect: Dialect) -> State:
    """GS-RETAIN-1, GS-RETAIN-2: a disconnection; the stats are kept for RetainScore unless the score is positive
    (an activated deficit is charged as on a prune, GS-P3b-2)."""
    stats = state.peers.get(peer)
    mesh = state.router.mesh
    for topic, members in state.router.mesh.items():
        if peer in members:
            mesh = mesh.set(topic, members - {peer})
    subscriptions = state.router.subscriptions
    if peer in subscriptions:
        subscriptions = subscriptions.delete(peer)
    router = evolve(state.router, mesh=mesh, subscriptions=subscriptions)
    if stats is None:
        return evolve(state, router=router)
    if score(config, state, peer, dialect) > 0 and not dialect.retain_positive_scores:
        peers = state.peers.delete(peer)
        return evolve(state, peers=peers, peer_ips=forget_ips(state.peer_ips, peer, stats.known_ips),
                       router=router)
    topics = {}
    for topic, ts in stats.topics.items():
        penalty = failure_penalty(config, topic, ts) if ts.in_mesh else 0.0
        topics[topic] = evolve(
            ts, first_message_deliveries=0.0, in_mesh=False,
            mesh_failure_penalty=ts.mesh_failure_penalty + penalty,
            mesh_message_deliveries_active=ts.mesh_message_deliveries_active and dialect.p3_active_after_prune)
    retained = evolve(stats, topics=topics, connected=False, expire_ms=state.now_ms + config.score.retain_score_ms)
    return evolve(state, peers=state.peers.set(peer, retained), router=router)


def graft(config: Config, state: State, peer: str, topic: str) -> State:
    """GS-P1-1, GS-P3-3: the peer joins the mesh: mesh time restarts, P3 is deactivated until activation."""
    router = evolve(state.router, mesh=state.router.mesh.set(topic, state.router.mesh.get(topic, frozenset()) | {peer}))
    state = evolve(state, router=router)
    ts = topic_stats(config, state, peer, topic)
    if ts is None:
        return state
    return with_topic(state, peer, topic, evolve(ts, in_mesh=True, graft_time_ms=state.now_ms, mesh_time_ms=0,
                                                  mesh_message_deliveries_active=False))


def prune(config: Config, state: State, peer: str, topic: str, dialect: Dialect) -> State:
    """GS-P3b-1: the peer leaves the mesh; an activated deficit becomes a sticky P3b penalty, whoever pruned
    (GS-DIV-8) and whatever the sign of the score (GS-DIV-13)."""
    members = state.router.mesh.get(topic, frozenset())
    router = evolve(state.router, mesh=state.router.mesh.set(topic, members - {peer}),
                     backoff=state.router.backoff.set((topic, peer), state.now_ms + config.router.prune_backoff_ms))
    state = evolve(state, router=router)
    ts = topic_stats(config, state, peer, topic)
    if ts is None:
        return state
    return with_topic(state, peer, topic, evolve(
        ts, in_mesh=False, mesh_failure_penalty=ts.mesh_failure_penalty + failure_penalty(config, topic, ts),
        mesh_message_deliveries_active=ts.mesh_message_deliveries_active and dialect.p3_active_after_prune))


def add_ip(state: State, peer: str, ip: str) -> State:
    """GS-P6-1: record that ``peer`` uses ``ip`` (the per-IP table counts the peer even if unknown)."""
    peers = state.peers
    stats = peers.get(peer)
    if stats is not None:
        peers = peers.set(peer, evolve(stats, known_ips=stats.known_ips | {ip}))
    peer_ips = state.peer_ips.set(ip, state.peer_ips.get(ip, frozenset()) | {peer})
    return evolve(state, peers=peers, peer_ips=peer_ips)


def remove_ip(state: State, peer: str, ip: str) -> State:
    """GS-P6-1: forget that ``peer`` uses ``ip``."""
    peers = state.peers
    stats = peers.get(peer)
    if stats is not None:
        peers = peers.set(peer, evolve(stats, known_ips=stats.known_ips - {ip}))
    return evolve(state, peers=peers, peer_ips=forget_ips(state.peer_ips, peer, frozenset({ip})))
