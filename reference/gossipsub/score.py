"""The score function (GS-SCORE): P1..P7, the topic weight, the topic cap, in go's order of evaluation.

The float operations follow go-libp2p-pubsub score.go and ts compute-score.ts term by term, so the
``ts`` dialect reproduces TypeScript's doubles bit for bit in practice.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.dialect import Dialect, get_dialect
from peerproof.reference.gossipsub.params import TopicParams
from peerproof.reference.gossipsub.state import PeerStats, State, TopicStats


@dataclass(frozen=True)
class TopicComponents:
    """The P values of one topic (before weights) and the topic's weighted contribution."""

    p1: float
    p2: float
    p3: float
    p3b: float
    p4: float
    contribution: float  # topic_weight * (w1 P1 + w2 P2 + w3 P3 + w3b P3b + w4 P4)


@dataclass(frozen=True)
class ScoreBreakdown:
    """A peer's score with every component: per-topic P1..P4, the cap, P5..P7 (GS-SCORE)."""

    topics: dict[str, TopicComponents]
    topic_total: float  # sum of the topic contributions before the cap
    topic_capped: float  # after GS-CAP
    p5: float
    p6: float
    p7: float
    score: float


def p1_time_in_mesh(tp: TopicParams, ts: TopicStats, dialect: Dialect) -> float:
    """GS-P1: mesh time in quanta (floored in go, GS-DIV-1; a step function of the refreshes, GS-DIV-3), capped;
    0 outside the mesh.

    A zero quantum passes validation only with SkipAtomicValidation and P1 switched off (weight and cap
    0), where go would divide by zero; P1 is then 0 (GS-CFG-E-bounds).
    """
    if not ts.in_mesh or tp.time_in_mesh_quantum_ms == 0:
        return 0.0
    if dialect.p1_floor:
        p1 = float(ts.mesh_time_ms // tp.time_in_mesh_quantum_ms)
    else:
        p1 = ts.mesh_time_ms / tp.time_in_mesh_quantum_ms
    return min(p1, tp.time_in_mesh_cap)


def p2_first_deliveries(tp: TopicParams, ts: TopicStats) -> float:
    """GS-P2: the first-delivery counter, capped."""
    return min(ts.first_message_deliveries, tp.first_message_deliveries_cap)


def p3_mesh_deficit(tp: TopicParams, ts: TopicStats) -> float:
    """GS-P3: the squared deficit below the mesh-delivery threshold, once activated."""
    if ts.mesh_message_deliveries_active and ts.mesh_message_deliveries < tp.mesh_message_deliveries_threshold:
        deficit = tp.mesh_message_deliveries_threshold - ts.mesh_message_deliveries
        return deficit * deficit
    return 0.0


def topic_components(tp: TopicParams, ts: TopicStats, dialect: Dialect) -> TopicComponents:
    """P1..P4 of one topic and its weighted contribution, accumulated in go's order."""
    p1 = p1_time_in_mesh(tp, ts, dialect)
    p2 = p2_first_deliveries(tp, ts)
    p3 = p3_mesh_deficit(tp, ts)
    p3b = ts.mesh_failure_penalty
    p4 = ts.invalid_message_deliveries * ts.invalid_message_deliveries
    topic_score = 0.0
    if ts.in_mesh:
        topic_score += p1 * tp.time_in_mesh_weight
    topic_score += p2 * tp.first_message_deliveries_weight
    if p3:
        topic_score += p3 * tp.mesh_message_deliveries_weight
    topic_score += p3b * tp.mesh_failure_penalty_weight
    topic_score += p4 * tp.invalid_message_deliveries_weight
    return TopicComponents(p1, p2, p3, p3b, p4, topic_score * tp.topic_weight)


@lru_cache(maxsize=4096)
def _whitelisted(ip: str, whitelist: tuple[str, ...], cidr: bool) -> bool:
    if not cidr:
        return any(ip == net.removesuffix("/32").removesuffix("/128") for net in whitelist)
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ip in whitelist
    return any(addr in ipaddress.ip_network(net) for net in whitelist)


def p6_ip_colocation(config: Config, state: State, stats: PeerStats, dialect: Dialect) -> float:
    """GS-P6: sum over the peer's IPs of the squared surplus of peers sharing that IP over the threshold.

    Whitelisted IPs do not count: CIDR ranges in go, exact addresses in ts and rust (GS-DIV-12).
    """
    params = config.score
    total = 0.0
    for ip in sorted(stats.known_ips):
        if params.ip_colocation_factor_whitelist and _whitelisted(ip, params.ip_colocation_factor_whitelist,
                                                                  dialect.whitelist_cidr):
            continue
        n = len(state.peer_ips.get(ip, ()))
        if n > params.ip_colocation_factor_threshold:
            surplus = n - params.ip_colocation_factor_threshold
            total += surplus * surplus
    return total


def p7_behaviour(config: Config, stats: PeerStats, dialect: Dialect) -> float:
    """GS-P7: the squared behaviour-penalty counter (above its threshold in go/ts/rust, GS-DIV-7)."""
    counter = stats.behaviour_penalty
    if not dialect.p7_threshold:
        return counter * counter
    threshold = config.score.behaviour_penalty_threshold
    if counter > threshold:
        excess = counter - threshold
        return excess * excess
    return 0.0


def breakdown(config: Config, state: State, peer: str, dialect: Dialect | None = None,
              components: Callable[[str, TopicParams, TopicStats, Dialect], TopicComponents] | None = None
              ) -> ScoreBreakdown | None:
    """Every component of ``peer``'s score (the topic cap as go applies it, GS-DIV-6), or None for a peer the
    router keeps no stats for. ``components(topic, tp, ts, dialect)``, where given, stands for
    ``topic_components`` (a caller that remembers them along a replay)."""
    stats = state.peers.get(peer)
    if stats is None:
        return None
    dialect = dialect or get_dialect(config.dialect)
    params = config.score
    topics: dict[str, TopicComponents] = {}
    total = 0.0
    for topic, ts in stats.topics.items():
        tp = params.topics.get(topic)
        if tp is None:
            continue
        comps = topic_components(tp, ts, dialect) if components is None else components(topic, tp, ts, dialect)
        topics[topic] = comps
        total += comps.contribution
    capped = total
    if params.topic_score_cap > 0 and capped > params.topic_score_cap:
        capped = params.topic_score_cap
    p5 = state.app_scores.get(peer, 0.0)
    p6 = p6_ip_colocation(config, state, stats, dialect)
    p7 = p7_behaviour(config, stats, dialect)
    score = capped + p5 * params.app_specific_weight
    if p6:
        score += p6 * params.ip_colocation_factor_weight
    if p7:
        score += p7 * params.behaviour_penalty_weight
    return ScoreBreakdown(topics, total, capped, p5, p6, p7, score)


def score(config: Config, state: State, peer: str, dialect: Dialect | None = None) -> float:
    """The peer's total score (GS-SCORE); 0 for a peer the router keeps no stats for."""
    b = breakdown(config, state, peer, dialect)
    return 0.0 if b is None else b.score
