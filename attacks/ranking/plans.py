"""Attack plans as event sequences (spec/ranking.md, RK-ATK-*): what a coalition, a Sybil swarm, a
self-promoting author or a withholding coalition does in the reference model.

The promotion strategy (RK-ATK-1) of a member for target t against the honest winner h: every
comparison involving t says t won, every other comparison involving h says h lost, the rest stay
honest. A Sybil (RK-ATK-2) judges the client's schedule the same way and calls every other pair a tie.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from peerproof.reference.events import Event
from peerproof.reference.ranking.config import Config
from peerproof.reference.ranking.events import Close, Compare, Join, Retract
from peerproof.reference.ranking.reputation import consensus_outcome
from peerproof.reference.ranking.schedule import Comparison, client_pairs


def promoted(c: Comparison, target: str, rival: str) -> Comparison:
    """RK-ATK-1: the comparison as a member promoting ``target`` over ``rival`` states it."""
    if target in (c.first, c.second):
        return Comparison(c.judge, c.first, c.second, "first" if c.first == target else "second")
    if rival in (c.first, c.second):
        return Comparison(c.judge, c.first, c.second, "second" if c.first == rival else "first")
    return c


def rewritten(config: Config, members: Iterable[str], target: str, rival: str) -> tuple[Comparison, ...]:
    """The honest round with the members' comparisons promoted (RK-ATK-1), in the round's order."""
    chosen = set(members)
    return tuple(promoted(c, target, rival) if c.judge in chosen else c for c in config.honest_round)


def replace_comparisons(judges: Sequence[str], new: Sequence[Comparison], at_ms: int = 0) -> list[Event]:
    """Events by which ``judges`` retract their comparisons and state ``new`` ones instead."""
    events: list[Event] = [Retract(at_ms=at_ms, judge=j) for j in judges]
    events += [Compare(at_ms=at_ms, judge=c.judge, first=c.first, second=c.second, outcome=c.outcome) for c in new]
    return events


def coalition_events(config: Config, members: Sequence[str], target: str, rival: str) -> list[Event]:
    """RK-ATK-1: the coalition retracts and re-states its comparisons promoted, then the round closes."""
    chosen = set(members)
    new = [promoted(c, target, rival) for c in config.honest_round if c.judge in chosen]
    return [*replace_comparisons(list(members), new), Close(at_ms=0)]


def self_promotion_events(config: Config, author: str, own: str) -> list[Event]:
    """RK-ATK-3: an author re-states its comparisons of its own answer as wins for it, then the round closes."""
    new = [promoted(c, own, own) if own in (c.first, c.second) else c for c in config.honest_round if c.judge == author]
    return [*replace_comparisons([author], new), Close(at_ms=0)]


def withholding_events(members: Sequence[str]) -> list[Event]:
    """RK-ATK-4: the members withdraw their comparisons, then the round closes."""
    return [*(Retract(at_ms=0, judge=j) for j in members), Close(at_ms=0)]


def sybil_ids(count: int) -> list[str]:
    """The ids of ``count`` Sybil identities."""
    return [f"sybil{k:04d}" for k in range(count)]


def sybil_comparisons(config: Config, judge: str, verdict: Mapping[tuple[str, str], str]) -> list[Comparison]:
    """A Sybil's comparisons on the client's schedule with the given verdict per ordered pair."""
    names = config.candidates
    return [Comparison(judge, names[i], names[j], verdict[names[i], names[j]]) for i, j in client_pairs(len(names))]


def promoting_verdicts(config: Config, target: str, rival: str) -> dict[tuple[str, str], str]:
    """RK-ATK-2: a Sybil's verdicts: target wins, rival loses, every other pair a tie."""
    out = {}
    for a in config.candidates:
        for b in config.candidates:
            if a != b:
                out[a, b] = promoted(Comparison("", a, b, "tie"), target, rival).outcome
    return out


def agreeing_verdicts(config: Config, theta: Mapping[str, float]) -> dict[tuple[str, str], str]:
    """RK-ATK-5: a farming identity's verdicts: exactly the consensus order."""
    return {(a, b): consensus_outcome(theta, a, b) for a in config.candidates for b in config.candidates if a != b}


def sybil_events(config: Config, count: int, target: str, rival: str, farm: int = 0,
                 theta: Mapping[str, float] | None = None) -> list[Event]:
    """RK-ATK-2/5: ``count`` identities join admitted, agree with the consensus for ``farm`` rounds, then promote."""
    ids = sybil_ids(count)
    events: list[Event] = [Join(at_ms=0, judge=j, stake=config.admission.min_stake,
                                calibration_passed=config.admission.min_calibration) for j in ids]
    for r in range(farm):
        agree = agreeing_verdicts(config, theta or {})
        events += [Compare(at_ms=r, judge=c.judge, first=c.first, second=c.second, outcome=c.outcome)
                   for j in ids for c in sybil_comparisons(config, j, agree)]
        events.append(Close(at_ms=r))
    push = promoting_verdicts(config, target, rival)
    events += [Compare(at_ms=farm, judge=c.judge, first=c.first, second=c.second, outcome=c.outcome)
               for j in ids for c in sybil_comparisons(config, j, push)]
    events.append(Close(at_ms=farm))
    return events
