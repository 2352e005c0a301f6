"""The model-level laws of GossipSub v1.1 peer scoring (GS-LAW-1..6), as predicates over one transition.

A law is a statement every correct scorer satisfies whatever the config and the event history:
a first delivery never lowers a score, an invalid message never raises it, a refresh only shrinks
counters, a score is local to its peer, the topic cap holds, only the dialect's scores are retained.
They guard the reference model (and any adapter exposing its states) against regressions; the
numbered spec properties (GS-PROP-*) are about configs and attacks and live elsewhere.

Every law is a pure function ``law(config, before, event, after, dialect) -> LawResult`` with
``after == step(config, before, event, dialect)``. A step is time first, then the event: the laws
split it the same way, with ``at = advance(config, before, event.at_ms, dialect)`` the state once
the refreshes due by the event's time have run. Laws about the event (GS-LAW-1, 2, 4, 6) compare
``at`` with ``after``; the law about refreshes (GS-LAW-3) compares ``before`` with ``at``.
Nothing here depends on pytest: the CLI and the attack engines reuse these checks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.dialect import Dialect, get_dialect
from peerproof.reference.gossipsub.events import (
    AddIP,
    AddPeer,
    AppScore,
    Deliver,
    Duplicate,
    Event,
    Graft,
    Heartbeat,
    Ignored,
    Invalid,
    Penalty,
    Prune,
    Receive,
    RemoveIP,
    RemovePeer,
    Subscribe,
    Tick,
    Unsubscribe,
    Validated,
)
from peerproof.reference.gossipsub.score import p6_ip_colocation, p7_behaviour, score
from peerproof.reference.gossipsub.state import PeerStats, RouterState, State, initial_state
from peerproof.reference.gossipsub.step import advance, step

TOPIC_COUNTERS = ("first_message_deliveries", "mesh_message_deliveries", "mesh_failure_penalty",
                  "invalid_message_deliveries")

# GS-LAW-6 states retention per implementation, independently of the model's dialect switches, so a
# dialect table that drifts from the implementations is caught (spec: any score; go, ts, rust: <= 0).
RETAINS_POSITIVE_SCORES = {"spec": True, "go": False, "ts": False, "rust": False}


@dataclass(frozen=True)
class LawResult:
    """One law checked on one transition: whether it holds, whether it applied, and why."""

    law: str  # "GS-LAW-1" .. "GS-LAW-6"
    holds: bool
    explanation: str
    applies: bool = True  # False: the transition is outside the law's scope (it holds vacuously)

    def __bool__(self) -> bool:
        return self.holds


Law = Callable[[Config, State, Event, State, Dialect], LawResult]


def _score(config: Config, state: State, peer: str, dialect: Dialect) -> float:
    return score(config, state, peer, dialect)


def _result(law: str, problems: list[str], applies: bool, ok: str) -> LawResult:
    if problems:
        return LawResult(law, False, "; ".join(problems), applies)
    return LawResult(law, True, ok if applies else "not applicable", applies)


def _scores(config: Config, state: State, dialect: Dialect) -> dict[str, float]:
    return {p: _score(config, state, p, dialect) for p in state.peers}


# --- GS-LAW-1 ---------------------------------------------------------------------------------------


def is_first_delivery(at: State, event: Event) -> bool:
    """Whether the event delivers the first valid copy of a message (a Deliver, or an accepted receive)."""
    if isinstance(event, Deliver):
        return True
    if isinstance(event, Validated) and event.outcome == "accept":
        rec = at.deliveries.get(event.msg)
        return rec is not None and bool(rec.first_sender)
    return False


def first_delivery_never_lowers_score(config: Config, before: State, event: Event, after: State,
                                      dialect: Dialect) -> LawResult:
    """GS-LAW-1: a first delivery never lowers any peer's score.

    It adds to the sender's P2 (weight >= 0) and P3 counter (a smaller deficit, weight <= 0), and
    credits pending copies' senders with P3: every change pushes a score up or leaves it.
    """
    at = advance(config, before, event.at_ms, dialect)
    applies = is_first_delivery(at, event)
    problems: list[str] = []
    if applies:
        old = _scores(config, at, dialect)
        for peer, new in _scores(config, after, dialect).items():
            if peer in old and new < old[peer]:
                problems.append(f"{event.kind} at {event.at_ms}ms lowered {peer}'s score {old[peer]!r} -> {new!r}")
    return _result("GS-LAW-1", problems, applies, "no score went down")


# --- GS-LAW-2 ---------------------------------------------------------------------------------------


def is_invalid_delivery(at: State, event: Event) -> bool:
    """Whether the event is a message failing validation, or a copy of an already rejected message."""
    if isinstance(event, Invalid):
        return True
    if isinstance(event, Validated):
        return event.outcome == "reject"
    if isinstance(event, Duplicate):
        rec = at.deliveries.get(event.msg)
        return rec is not None and rec.status == "invalid"
    return False


def invalid_message_never_raises_score(config: Config, before: State, event: Event, after: State,
                                       dialect: Dialect) -> LawResult:
    """GS-LAW-2: an invalid message never raises any peer's score (P4 weight <= 0, counter only grows)."""
    at = advance(config, before, event.at_ms, dialect)
    applies = is_invalid_delivery(at, event)
    problems: list[str] = []
    if applies:
        old = _scores(config, at, dialect)
        for peer, new in _scores(config, after, dialect).items():
            if peer in old and new > old[peer]:
                problems.append(f"{event.kind} at {event.at_ms}ms raised {peer}'s score {old[peer]!r} -> {new!r}")
    return _result("GS-LAW-2", problems, applies, "no score went up")


# --- GS-LAW-3 ---------------------------------------------------------------------------------------


def counters(stats: PeerStats) -> dict[str, float]:
    """Every decaying counter of one peer, named ``topic.counter`` or ``behaviour_penalty``."""
    out = {f"{topic}.{name}": getattr(ts, name) for topic, ts in stats.topics.items() for name in TOPIC_COUNTERS}
    out["behaviour_penalty"] = stats.behaviour_penalty
    return out


def moved_toward_zero(old: float, new: float) -> bool:
    """``new`` lies between 0 and ``old`` (inclusive): no growth, no sign flip."""
    return abs(new) <= abs(old) and new * old >= 0


def refresh_moves_counters_toward_zero(config: Config, before: State, event: Event, after: State,
                                       dialect: Dialect) -> LawResult:
    """GS-LAW-3: the refreshes a step runs move every counter toward 0 and never flip its sign.

    Applies to every step that crosses a DecayInterval boundary (a Tick is a pure time advance).
    A peer forgotten at retention expiry counts as its counters reaching 0.
    """
    at = advance(config, before, event.at_ms, dialect)
    applies = before.next_refresh_ms <= event.at_ms
    problems: list[str] = []
    if applies:
        for peer, stats in before.peers.items():
            new_stats = at.peers.get(peer)
            if new_stats is None:
                continue
            new = counters(new_stats)
            for name, value in counters(stats).items():
                if not moved_toward_zero(value, new.get(name, 0.0)):
                    problems.append(f"refresh before {event.at_ms}ms moved {peer}'s {name} {value!r} -> {new[name]!r}")
    return _result("GS-LAW-3", problems, applies, "every counter moved toward 0")


# --- GS-LAW-4 ---------------------------------------------------------------------------------------


def touched_peers(at: State, event: Event) -> frozenset[str] | None:
    """The peers whose counters, IP rows or app score ``event`` may change; None for every peer.

    Besides the event's own peer: the senders of pending copies of a message it settles (they are
    credited or penalised with it), and the peers sharing an IP whose row it changes (P6).
    """
    match event:
        case Tick() | Subscribe() | Unsubscribe() | Receive():
            return frozenset()
        case Heartbeat():
            return None
        case AddIP(peer=p, ip=ip) | RemoveIP(peer=p, ip=ip):
            return frozenset({p}) | at.peer_ips.get(ip, frozenset())
        case RemovePeer(peer=p):
            stats = at.peers.get(p)
            ips = stats.known_ips if stats is not None else frozenset()
            sharing = frozenset().union(*(at.peer_ips.get(ip, frozenset()) for ip in ips))
            return frozenset({p}) | sharing
        case Validated(msg=m):
            rec = at.deliveries.get(m)
            return frozenset() if rec is None else frozenset({rec.first_sender}) | rec.peers
        case Deliver(peer=p, msg=m) | Invalid(peer=p, msg=m) | Ignored(peer=p, msg=m):
            rec = at.deliveries.get(m) if m is not None else None
            return frozenset({p}) | (rec.peers if rec is not None else frozenset())
        case AddPeer(peer=p) | Graft(peer=p) | Prune(peer=p) | Duplicate(peer=p) | AppScore(peer=p) | Penalty(peer=p):
            return frozenset({p})
    raise TypeError(f"not a gossipsub event: {event!r}")


def projection(state: State, peer: str) -> State:
    """What ``peer``'s score may read: its own stats, its IP rows, its app score; nothing of anyone else's."""
    stats = state.peers[peer]
    ips = {ip: state.peer_ips[ip] for ip in stats.known_ips if ip in state.peer_ips}
    app = {peer: state.app_scores[peer]} if peer in state.app_scores else {}
    return State(now_ms=state.now_ms, next_refresh_ms=state.next_refresh_ms, next_gc_ms=state.next_gc_ms,
                 peers={peer: stats}, peer_ips=ips, app_scores=app, deliveries={}, router=RouterState())


def score_is_local(config: Config, state: State, peer: str, dialect: Dialect) -> bool:
    """GS-LAW-4 on one state: ``peer``'s score equals its score with every other peer's data removed."""
    return _score(config, state, peer, dialect) == _score(config, projection(state, peer), peer, dialect)


def score_depends_only_on_own_counters(config: Config, before: State, event: Event, after: State,
                                       dialect: Dialect) -> LawResult:
    """GS-LAW-4: a score depends only on the peer's own counters, the config, its IP rows and app score.

    Two checks: in ``after`` every score equals the score of the peer's projection; and an event about
    other peers (not settling a copy the peer sent, not touching its IPs) leaves the peer's stats and
    score exactly as they were.
    """
    at = advance(config, before, event.at_ms, dialect)
    problems = [f"{peer}'s score reads other peers' data after {event.kind} at {event.at_ms}ms"
                for peer in after.peers if not score_is_local(config, after, peer, dialect)]
    touched = touched_peers(at, event)
    if touched is not None:
        for peer, stats in at.peers.items():
            if peer in touched:
                continue
            if after.peers.get(peer) != stats:
                problems.append(f"{event.kind} about {sorted(touched)} at {event.at_ms}ms changed {peer}'s stats")
            elif _score(config, after, peer, dialect) != _score(config, at, peer, dialect):
                problems.append(f"{event.kind} about {sorted(touched)} at {event.at_ms}ms changed {peer}'s score")
    return _result("GS-LAW-4", problems, True, "every score is local to its peer")


# --- GS-LAW-5 ---------------------------------------------------------------------------------------


def topic_part(config: Config, state: State, peer: str, dialect: Dialect) -> tuple[float, float]:
    """The topic part of the total score (total minus P5..P7 terms) and the rounding slack of that subtraction."""
    params = config.score
    stats = state.peers[peer]
    terms = [state.app_scores.get(peer, 0.0) * params.app_specific_weight,
             p6_ip_colocation(config, state, stats, dialect) * params.ip_colocation_factor_weight,
             p7_behaviour(config, stats, dialect) * params.behaviour_penalty_weight]
    total = _score(config, state, peer, dialect)
    slack = 1e-9 * max(1.0, abs(total), *(abs(t) for t in terms))
    return total - math.fsum(terms), slack


def topic_cap_respected(config: Config, before: State, event: Event, after: State, dialect: Dialect) -> LawResult:
    """GS-LAW-5: with TopicScoreCap > 0, no peer's topic part of the score (after the cap) exceeds it."""
    cap = config.score.topic_score_cap
    applies = cap > 0
    problems: list[str] = []
    if applies:
        for peer in after.peers:
            part, slack = topic_part(config, after, peer, dialect)
            if part > cap + slack:
                problems.append(f"{peer}'s topic part {part!r} exceeds the cap {cap!r} after {event.kind} "
                                f"at {event.at_ms}ms")
    return _result("GS-LAW-5", problems, applies, "every topic part within the cap")


# --- GS-LAW-6 ---------------------------------------------------------------------------------------


def refresh_times(config: Config, before: State, to_ms: int) -> list[int]:
    """The times of the refreshes a step from ``before`` to ``to_ms`` runs."""
    times, t = [], before.next_refresh_ms
    while t <= to_ms:
        times.append(t)
        t += config.score.decay_interval_ms
    return times


def retains_positive_scores(dialect: Dialect) -> bool:
    """Whether the implementation ``dialect`` names keeps a disconnected peer's positive score."""
    return RETAINS_POSITIVE_SCORES.get(dialect.name, dialect.retain_positive_scores)


def retention_follows_dialect(config: Config, before: State, event: Event, after: State,
                              dialect: Dialect) -> LawResult:
    """GS-LAW-6: go/ts/rust retain only non-positive scores; the spec retains any; both until expiry.

    At a disconnect, a peer with a positive score is forgotten (go/ts/rust) and any other is kept,
    disconnected, until ``now + RetainScore``; a retained peer survives every refresh up to its expiry
    and is forgotten by the first refresh after it.
    """
    at = advance(config, before, event.at_ms, dialect)
    problems: list[str] = []
    times = refresh_times(config, before, event.at_ms)
    applies = bool(times) and any(not s.connected for s in before.peers.values())
    for peer, stats in before.peers.items():
        if stats.connected:
            continue
        expired = any(t > stats.expire_ms for t in times)
        if expired and peer in at.peers:
            problems.append(f"{peer} retained past its expiry at {stats.expire_ms}ms")
        if not expired and peer not in at.peers:
            problems.append(f"{peer} forgotten before its expiry at {stats.expire_ms}ms")
    if isinstance(event, RemovePeer) and event.peer in at.peers:
        applies = True
        peer = event.peer
        value = _score(config, at, peer, dialect)
        kept = after.peers.get(peer)
        if value > 0 and not retains_positive_scores(dialect):
            if kept is not None:
                problems.append(f"{dialect.name} retained {peer} with positive score {value!r}")
        elif kept is None:
            problems.append(f"{dialect.name} forgot {peer} with score {value!r} at disconnect")
        elif kept.connected or kept.expire_ms != at.now_ms + config.score.retain_score_ms:
            problems.append(f"{peer} retained as connected={kept.connected} until {kept.expire_ms}ms, "
                            f"expected disconnected until {at.now_ms + config.score.retain_score_ms}ms")
    return _result("GS-LAW-6", problems, applies, "retention as the dialect prescribes")


# --- all laws ---------------------------------------------------------------------------------------

LAWS: dict[str, Law] = {
    "GS-LAW-1": first_delivery_never_lowers_score,
    "GS-LAW-2": invalid_message_never_raises_score,
    "GS-LAW-3": refresh_moves_counters_toward_zero,
    "GS-LAW-4": score_depends_only_on_own_counters,
    "GS-LAW-5": topic_cap_respected,
    "GS-LAW-6": retention_follows_dialect,
}


@dataclass(frozen=True)
class LawViolation:
    """The first transition of a run that breaks a law: where, which event, and the failed check."""

    index: int  # position of the event in the run
    event: Event
    result: LawResult

    def __str__(self) -> str:
        return f"{self.result.law} violated at event {self.index} ({self.event!r}): {self.result.explanation}"


def check_transition(config: Config, before: State, event: Event, after: State, dialect: Dialect,
                     laws: Iterable[str] = LAWS) -> list[LawResult]:
    """Every requested law on one transition."""
    return [LAWS[law](config, before, event, after, dialect) for law in laws]


def first_violation(config: Config, events: Sequence[Event], dialect: Dialect | str | None = None,
                    laws: Iterable[str] = LAWS, state: State | None = None) -> LawViolation | None:
    """Run ``events`` from ``state`` (default: the initial state) and return the first law violation, if any."""
    dialect = get_dialect(dialect or config.dialect) if not isinstance(dialect, Dialect) else dialect
    laws = list(laws)
    state = initial_state(config, dialect=dialect) if state is None else state
    for i, event in enumerate(events):
        after = step(config, state, event, dialect)
        for result in check_transition(config, state, event, after, dialect, laws):
            if not result.holds:
                return LawViolation(i, event, result)
        state = after
    return None
