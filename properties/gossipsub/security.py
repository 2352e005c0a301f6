"""GossipSub security properties GS-PROP-1..6 (spec/gossipsub.md): statements and ground-truth checkers.

Every engine (z3, closed forms, Hypothesis) reports a violation only after ``witness_violation`` has
confirmed it on a trace replayed in the reference model: the checkers below never trust a solver, they
re-run the model and judge the concrete run. A checker looks at every peer of the trace (engines name
their peers differently) and at every *moment*: after each event, after each decay refresh, and just
before each heartbeat. A moment *lasts* when time passes before the next one; a router heartbeating at
any phase sees exactly the lasting states, so "seen by a heartbeat" means lasting or just before a
heartbeat event of the trace. The application score P5 is the application's, never the peer's.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import permutations
from typing import Any

from peerproof.reference.gossipsub import (
    MODEL,
    AppScore,
    Config,
    Deliver,
    Duplicate,
    Heartbeat,
    Ignored,
    Invalid,
    Penalty,
    Receive,
    State,
    Tick,
    Validated,
    breakdown,
    get_dialect,
    step,
)
from peerproof.reference.gossipsub.params import TopicParams
from peerproof.reference.gossipsub.score import ScoreBreakdown, TopicComponents
from peerproof.reference.gossipsub.state import TopicStats
from peerproof.reference.trace import Trace

MODEL_SCORE = importlib.import_module("peerproof.reference.gossipsub.score")  # (the package's ``score`` is a function)


@dataclass(frozen=True)
class SecurityProperty:
    """One numbered security property: its ID in the spec, stable slug, and statement."""

    id: str
    slug: str
    per_topic: bool
    title: str
    statement: str


PROPERTIES: dict[str, SecurityProperty] = {p.slug: p for p in (
    SecurityProperty(
        "GS-PROP-1", "topic-consistency", True, "a positive total does not hide a negative topic",
        "Whenever a peer's total score is positive, its contribution in topic T is not negative "
        "(the ACL2s papers' property 1)."),
    SecurityProperty(
        "GS-PROP-2", "misbehaviour-lowers-score", False, "misbehaviour strictly lowers the score",
        "Of two peers with equal rewards (P1, P2 per topic, P5), the one whose weighted penalty terms "
        "(P3, P3b, P4, P6, P7 as the formula defines them, i.e. past their thresholds) are all at least "
        "the other's and not all equal has the strictly lower total score (the papers' property 2; the "
        "topic cap can mask it)."),
    SecurityProperty(
        "GS-PROP-3", "penalizes-non-forwarding", True, "a silent mesh peer is pruned",
        "A peer in T's mesh that delivers nothing in T after its P3 activation is pruned (score < 0 at a "
        "heartbeat) within a bounded time, whatever it does in other topics within the config's caps. A "
        "violation is 'not-scored' when the config gives mesh deliveries in T no weight (P3 weight or "
        "topic weight 0) and 'scored-but-insufficient' otherwise (CVE-2022-47547)."),
    SecurityProperty(
        "GS-PROP-4", "rewards-good-behaviour", False, "a peer that forwards everything is never pruned",
        "A peer that delivers every message of every topic whose mesh it is in, within the near-first "
        "window, and does nothing else (no invalid messages, no behaviour penalties, no IP sharing) is "
        "never pruned by score and never drops below the gossip threshold; quiet topics count."),
    SecurityProperty(
        "GS-PROP-5", "fairness", False, "equal histories, equal scores",
        "Peers with the same history (events, mesh membership, IP sharing and application score, up to "
        "renaming peers and messages) have the same score."),
    SecurityProperty(
        "GS-PROP-6", "graylists-invalid-floods", True, "an invalid flood is graylisted",
        "A peer sending invalid messages in T at a sustained rate (default one per decay interval) "
        "crosses the graylist threshold within a bounded time, whatever else it does."),
)}

HORIZON_INTERVALS = 1000  # the "bounded time" of GS-PROP-3 and GS-PROP-6, in decay intervals
INVALID_RATE = 1  # GS-PROP-6: invalid messages per decay interval
_DELIVERIES = (Deliver, Duplicate, Receive, Ignored)


def get_property(slug: str) -> SecurityProperty:
    """The property with this slug; ValueError naming the known slugs otherwise."""
    try:
        return PROPERTIES[slug]
    except KeyError:
        raise ValueError(f"unknown property {slug!r}; known: {', '.join(PROPERTIES)}") from None


def applicable_topics(config: Config, slug: str) -> list[str | None]:
    """The topics a property is checked in: every scored topic if per topic, else ``[None]``."""
    return list(config.topics) if get_property(slug).per_topic else [None]


def mesh_delivery_reason(config: Config, topic: str) -> str:
    """Why GS-PROP-3 fails in ``topic``: ``not-scored`` (P3 weighs nothing) or ``scored-but-insufficient``."""
    tp = config.topics[topic]
    unscored = tp.topic_weight == 0 or tp.mesh_message_deliveries_weight == 0
    return "not-scored" if unscored else "scored-but-insufficient"


def invalid_delivery_reason(config: Config, topic: str) -> str:
    """Why GS-PROP-6 fails in ``topic``: ``not-scored`` (P4 has no weight) or ``scored-but-insufficient``."""
    tp = config.topics[topic]
    unscored = tp.topic_weight == 0 or tp.invalid_message_deliveries_weight == 0
    return "not-scored" if unscored else "scored-but-insufficient"


class Breakdowns:
    """``breakdown`` of a peer along one replay, recomputed only when what it reads changed: the peer's
    stats, the peers-per-IP table, the app scores; and within it a topic's components only when that topic's
    stats changed. The pure states share every unchanged part, so after an event of one peer in one topic
    the other peers' breakdowns and the peer's other topics are the previous moment's (the same objects are
    compared, so a remembered value is exactly what ``breakdown`` would compute again)."""

    def __init__(self, config: Config, dialect: Any) -> None:
        self.config, self.dialect = config, dialect
        self.memo: dict[str, tuple[tuple[Any, Any, Any], ScoreBreakdown | None]] = {}
        self.topic_memo: dict[tuple[str, str], tuple[TopicStats, TopicComponents]] = {}

    def __call__(self, state: State, peer: str) -> ScoreBreakdown | None:
        """breakdown(config, state, peer, dialect)."""
        key = (state.peers.get(peer), state.peer_ips, state.app_scores)
        hit = self.memo.get(peer)
        if hit is not None and all(a is b for a, b in zip(hit[0], key, strict=True)):
            return hit[1]
        memo = self.topic_memo

        def components(topic: str, tp: TopicParams, ts: TopicStats, dialect: Any) -> TopicComponents:
            seen = memo.get((peer, topic))
            if seen is not None and seen[0] is ts:
                return seen[1]
            comps = MODEL_SCORE.topic_components(tp, ts, dialect)  # the model's, looked up when called
            memo[peer, topic] = (ts, comps)
            return comps

        b = breakdown(self.config, state, peer, self.dialect, components)
        self.memo[peer] = (key, b)
        return b


@dataclass(frozen=True)
class Moment:
    """A state of the replay: after event ``index`` (-1: none yet), a refresh, or just before a heartbeat."""

    index: int
    at_ms: int
    event: Any
    state: State
    lasting: bool
    before_heartbeat: bool = False

    @property
    def seen_by_heartbeat(self) -> bool:
        """Whether a router heartbeat sees this state (it lasts, or a heartbeat of the trace follows)."""
        return self.lasting or self.before_heartbeat

    def where(self) -> str:
        """The moment in words, for explanations."""
        what = f"after event {self.index}" if self.event is not None else (
            "before the heartbeat" if self.before_heartbeat else "after the refresh")
        return f"{what} at t={self.at_ms / 1000:g}s"


def moments(trace: Trace) -> Iterator[Moment]:
    """Replay ``trace`` in the reference model, yielding every moment (see the module docstring)."""
    config = trace.config
    d, state = MODEL.start(config, dialect=trace.dialect, seed=trace.seed)
    events = trace.events
    for i, event in enumerate(events):
        while state.next_refresh_ms <= event.at_ms:
            t = state.next_refresh_ms
            state = step(config, state, Tick(t), d)
            yield Moment(i - 1, t, None, state, lasting=t < event.at_ms)
        if isinstance(event, Heartbeat):
            yield Moment(i - 1, event.at_ms, None, state, lasting=False, before_heartbeat=True)
        state = step(config, state, event, d)
        lasting = i + 1 == len(events) or events[i + 1].at_ms > event.at_ms
        yield Moment(i, event.at_ms, event, state, lasting)


def _peers(state: State, bounds: dict[str, Any]) -> list[str]:
    wanted = bounds.get("peers")
    return sorted(p for p, s in state.peers.items() if s.connected and (wanted is None or p in wanted))


def _names(event: Any, peer: str, topic: str | None = None) -> bool:
    return getattr(event, "peer", None) == peer and (topic is None or getattr(event, "topic", None) == topic)


def witness_violation(config: Config, slug: str, topic: str | None, trace: Trace, **bounds: Any) -> str | None:
    """Whether the replayed ``trace`` violates property ``slug`` (in ``topic``): an explanation, or None.

    Bounds: ``peers`` (only these peers), ``horizon`` (decay intervals, GS-PROP-3/6, default 1000),
    ``rate`` (invalid messages per decay interval, GS-PROP-6, default 1).
    """
    get_property(slug)
    if PROPERTIES[slug].per_topic and topic not in config.topics:
        raise ValueError(f"{slug} is checked per topic; {topic!r} is not a scored topic of this config")
    return _CHECKERS[slug](config, trace, topic, bounds)


def _topic_consistency(config: Config, trace: Trace, topic: str, bounds: dict[str, Any]) -> str | None:
    scores = Breakdowns(config, get_dialect(trace.dialect))
    for m in moments(trace):
        for p in _peers(m.state, bounds):
            b = scores(m.state, p)
            if b is not None and b.score > 0 and topic in b.topics and b.topics[topic].contribution < 0:
                return (f"{m.where()}: {p} scores {b.score:.6g} in total while its {topic} contribution is "
                        f"{b.topics[topic].contribution:.6g}")
    return None


def _penalty_terms(config: Config, b: ScoreBreakdown) -> dict[str, tuple[float, float]]:
    """Every weighted penalty term of a breakdown: name -> (P value, |coefficient| in the total)."""
    s = config.score
    terms = {"P6": (b.p6, -s.ip_colocation_factor_weight), "P7": (b.p7, -s.behaviour_penalty_weight)}
    for topic, tp in s.topics.items():
        c = b.topics.get(topic)
        for name, value, weight in (("P3", c.p3 if c else 0.0, tp.mesh_message_deliveries_weight),
                                    ("P3b", c.p3b if c else 0.0, tp.mesh_failure_penalty_weight),
                                    ("P4", c.p4 if c else 0.0, tp.invalid_message_deliveries_weight)):
            terms[f"{name}({topic})"] = (value, -tp.topic_weight * weight)
    return terms


def _rewards(b: ScoreBreakdown) -> tuple[Any, ...]:
    return b.p5, tuple(sorted((t, c.p1, c.p2) for t, c in b.topics.items() if c.p1 or c.p2))


def _misbehaviour(config: Config, trace: Trace, topic: None, bounds: dict[str, Any]) -> str | None:
    scores = Breakdowns(config, get_dialect(trace.dialect))
    rewards_of: dict[str, tuple[ScoreBreakdown, tuple[Any, ...]]] = {}  # peer -> its last breakdown's rewards

    def rewards(p: str, b: ScoreBreakdown) -> tuple[Any, ...]:
        seen = rewards_of.get(p)
        if seen is None or seen[0] is not b:
            seen = rewards_of[p] = (b, _rewards(b))
        return seen[1]

    for m in moments(trace):
        scored = {p: b for p in _peers(m.state, bounds) if (b := scores(m.state, p)) is not None}
        for p, q in permutations(scored, 2):
            bp, bq = scored[p], scored[q]
            if bq.score < bp.score or rewards(p, bp) != rewards(q, bq):
                continue
            tp, tq = _penalty_terms(config, bp), _penalty_terms(config, bq)
            if any(w and tq[n][0] < tp[n][0] for n, (_v, w) in tq.items()):
                continue
            grown = {n: (tp[n][0], v) for n, (v, w) in tq.items() if w and v > tp[n][0]}
            increase = sum(tq[n][1] * (v - tp[n][0]) for n, (v, _w) in tq.items() if tq[n][1])
            if grown and increase > 1e-6 * max(1.0, abs(bp.score)):
                terms = ", ".join(f"{n} {a:.6g} -> {b_:.6g}" for n, (a, b_) in sorted(grown.items()))
                return (f"{m.where()}: {q} has the rewards of {p} and penalties larger by {increase:.6g} "
                        f"({terms}), yet scores {bq.score:.6g} >= {bp.score:.6g}"
                        f"{' (topic cap)' if bq.topic_capped < bq.topic_total else ''}")
    return None


def _non_forwarding(config: Config, trace: Trace, topic: str, bounds: dict[str, Any]) -> str | None:
    scores = Breakdowns(config, get_dialect(trace.dialect))
    window = bounds.get("horizon", HORIZON_INTERVALS) * config.score.decay_interval_ms
    episodes: dict[str, list[float]] = {}  # peer -> [start_ms, lowest score seen by a heartbeat, heartbeats]
    for m in moments(trace):
        for p in list(episodes):
            if isinstance(m.event, _DELIVERIES) and _names(m.event, p, topic):
                del episodes[p]  # it delivered in T after activation: not a silent mesh peer
        for p in _peers(m.state, bounds):
            ts = m.state.peers[p].topics.get(topic)
            in_mesh = ts is not None and ts.in_mesh and p in m.state.router.mesh.get(topic, ())
            if not in_mesh:
                episodes.pop(p, None)
                continue
            if p not in episodes and ts.mesh_message_deliveries_active:
                episodes[p] = [m.at_ms, float("inf"), 0]
            ep = episodes.get(p)
            if ep is None or not m.seen_by_heartbeat:
                continue
            s = scores(m.state, p).score
            if s < 0:
                del episodes[p]
                continue
            ep[1], ep[2] = min(ep[1], s), ep[2] + m.before_heartbeat
            if m.at_ms - ep[0] >= window:
                reason = mesh_delivery_reason(config, topic)
                return (f"{reason}: {p} stayed in the {topic} mesh without delivering there for "
                        f"{(m.at_ms - ep[0]) / 1000:g}s after its P3 activation at t={ep[0] / 1000:g}s, never "
                        f"scoring below 0 when a heartbeat could see it (lowest {ep[1]:.6g}; {int(ep[2])} heartbeats "
                        f"in the trace)")
    return None


def _obligation(config: Config, state: State, event: Any, peer: str) -> tuple[str, int] | None:
    """The message ``peer`` must now copy, and by when, if ``event`` validated one in a topic it meshes in."""
    rec = state.deliveries.get(event.msg)
    if rec is None or rec.status != "valid" or rec.topic not in config.topics or getattr(event, "peer", None) == peer:
        return None
    if peer not in state.router.mesh.get(rec.topic, ()) or peer in rec.peers or rec.first_sender == peer:
        return None
    return event.msg, rec.validated_ms + config.topics[rec.topic].mesh_message_deliveries_window_ms


def _rewards_good(config: Config, trace: Trace, topic: None, bounds: dict[str, Any]) -> str | None:
    scores = Breakdowns(config, get_dialect(trace.dialect))
    gossip = config.thresholds.gossip_threshold
    names = sorted({e.peer for e in trace.events if hasattr(e, "peer")})
    names = [p for p in names if bounds.get("peers") is None or p in bounds["peers"]]
    due: dict[str, dict[str, int]] = {p: {} for p in names}  # messages each peer must still copy -> deadline
    good = set(names)  # peers that have behaved well so far
    for m in moments(trace):
        e, state = m.event, m.state
        for p in sorted(good):
            if any(t < m.at_ms for t in due[p].values()):
                good.discard(p)  # a message it did not copy within the near-first window
                continue
            if isinstance(e, Invalid | Penalty | Ignored | AppScore) and e.peer == p:
                good.discard(p)
                continue
            if isinstance(e, Deliver | Duplicate) and e.peer == p:
                due[p].pop(e.msg, None)
            elif isinstance(e, Deliver | Validated) and (owed := _obligation(config, state, e, p)) is not None:
                due[p][owed[0]] = owed[1]
            b = scores(state, p)
            if b is None:
                continue
            if b.p6:
                good.discard(p)  # shares its IP beyond the threshold
                continue
            if not m.seen_by_heartbeat:
                continue
            meshes = sorted(t for t, members in state.router.mesh.items() if p in members)
            if b.score < 0 and meshes:
                return (f"{m.where()}: {p}, which copied every message of its mesh topics in time, scores "
                        f"{b.score:.6g} < 0 in the {', '.join(meshes)} mesh and is pruned by score")
            if b.score < gossip:
                return f"{m.where()}: {p}, a good peer, scores {b.score:.6g} below the gossip threshold {gossip:g}"
    return None


def _history_step(m: Moment, peer: str) -> tuple[Any, ...] | None:
    """What ``peer`` experiences at this moment, with peer and message names abstracted away."""
    e, state = m.event, m.state
    if e is None:
        return None
    if getattr(e, "peer", None) == peer:
        rec = state.deliveries.get(getattr(e, "msg", None) or "")
        ctx = (rec.status, m.at_ms - rec.validated_ms, rec.first_sender == peer) if rec is not None else None
        return (m.at_ms, e.kind, getattr(e, "topic", None), getattr(e, "outbound", None),
                getattr(e, "count", None), getattr(e, "value", None), ctx)
    if isinstance(e, Validated) and (rec := state.deliveries.get(e.msg)) is not None \
            and (rec.first_sender == peer or peer in rec.peers):
        return (m.at_ms, e.kind, e.outcome, rec.first_sender == peer)
    return None


def _situation(state: State, peer: str) -> tuple[Any, ...]:
    stats = state.peers.get(peer)
    if stats is None:
        return ("unknown",)
    meshes = tuple(sorted(t for t, members in state.router.mesh.items() if peer in members))
    groups = tuple(sorted(len(state.peer_ips.get(ip, ())) for ip in stats.known_ips))
    return stats.connected, meshes, groups, state.app_scores.get(peer, 0.0)


def _fairness(config: Config, trace: Trace, topic: None, bounds: dict[str, Any]) -> str | None:
    scores = Breakdowns(config, get_dialect(trace.dialect))
    names = sorted({e.peer for e in trace.events if hasattr(e, "peer")})
    if bounds.get("peers") is not None:
        names = [p for p in names if p in bounds["peers"]]
    same = {(p, q) for p in names for q in names if p < q}
    histories: dict[str, list[Any]] = {p: [] for p in names}
    for m in moments(trace):
        for p in names:
            h = _history_step(m, p)
            if h is not None:
                histories[p].append(h)
        if not m.lasting:
            continue  # events at one instant are one step of history: twins' events interleave within it
        for p, q in sorted(same):
            if histories[p] != histories[q] or _situation(m.state, p) != _situation(m.state, q):
                same.discard((p, q))
                continue
            sp, sq = (scores(m.state, x) for x in (p, q))
            a, b = (0.0 if s is None else s.score for s in (sp, sq))
            if abs(a - b) > 1e-9 * max(1.0, abs(a), abs(b)):
                return f"{m.where()}: {p} and {q} have the same history but score {a:.9g} and {b:.9g}"
    return None


def _graylist(config: Config, trace: Trace, topic: str, bounds: dict[str, Any]) -> str | None:
    scores = Breakdowns(config, get_dialect(trace.dialect))
    interval = config.score.decay_interval_ms
    horizon, rate = bounds.get("horizon", HORIZON_INTERVALS), bounds.get("rate", INVALID_RATE)
    graylist = config.thresholds.graylist_threshold
    sent: dict[str, list[int]] = {}
    for e in trace.events:
        if isinstance(e, Invalid) and e.topic == topic:
            sent.setdefault(e.peer, []).append(e.at_ms)
    floods = {}
    for p, times in sent.items():
        start = times[0]
        per_window = [0] * horizon
        for t in times:
            if (w := (t - start) // interval) < horizon:
                per_window[w] += 1
        if min(per_window) >= rate and (bounds.get("peers") is None or p in bounds["peers"]):
            floods[p] = [start, float("inf")]
    end = max((e.at_ms for e in trace.events), default=0)
    for m in moments(trace):
        for p, f in list(floods.items()):
            if not f[0] <= m.at_ms <= f[0] + horizon * interval:
                continue
            stats = m.state.peers.get(p)
            b = scores(m.state, p)
            if stats is None or not stats.connected or b is None or b.score < graylist:
                del floods[p]
                continue
            f[1] = min(f[1], b.score)
    for p, (start, low) in sorted(floods.items()):
        if end >= start + horizon * interval:
            return (f"{invalid_delivery_reason(config, topic)}: {p} sent at least {rate} invalid message(s) in "
                    f"{topic} in each of {horizon} decay intervals from t={start / 1000:g}s and never scored below "
                    f"the graylist threshold {graylist:g} (lowest {low:.6g})")
    return None


_CHECKERS = {
    "topic-consistency": _topic_consistency,
    "misbehaviour-lowers-score": _misbehaviour,
    "penalizes-non-forwarding": _non_forwarding,
    "rewards-good-behaviour": _rewards_good,
    "fairness": _fairness,
    "graylists-invalid-floods": _graylist,
}
