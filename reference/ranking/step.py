"""The transition function (spec/ranking.md, RK-EV-*): pure, one event at a time."""

from __future__ import annotations

from dataclasses import replace

from peerproof.reference.events import Event, EventError
from peerproof.reference.limits import quote
from peerproof.reference.ranking.config import Config
from peerproof.reference.ranking.consensus import consensus
from peerproof.reference.ranking.dialect import Dialect
from peerproof.reference.ranking.events import Close, Compare, Join, Retract
from peerproof.reference.ranking.reputation import agreement, updated
from peerproof.reference.ranking.schedule import Comparison
from peerproof.reference.ranking.state import State
from peerproof.reference.ranking.weights import JudgeState, counted


def _known_judge(state: State, judge: str) -> None:
    if judge not in state.judges:
        raise EventError(f"judge: unknown judge {quote(judge)}; judges are the config's and those that joined")


def close_round(config: Config, state: State, dialect: Dialect) -> State:
    """RK-EV-4: consensus of the open round, reputation update (RK-REP-3), next round with the honest comparisons."""
    result = consensus(config, state.comparisons, state.judges, dialect)
    judges = dict(state.judges)
    if result.winner is not None:
        used = counted(config, state.comparisons, state.judges)
        for jid, judge in state.judges.items():
            score = agreement(result.theta, [c for c in used if c.judge == jid])
            if score is not None:
                judges[jid] = replace(judge, reputation=updated(config.reputation, judge.reputation, score))
    return State(state.time_ms, state.round + 1, judges, config.honest_round, result, (*state.winners, result.winner))


def step(config: Config, state: State, event: Event, dialect: Dialect) -> State:
    """Apply one event; EventError for an id the round does not know."""
    state = replace(state, time_ms=event.at_ms)
    if isinstance(event, Join):
        if event.judge in state.judges:
            raise EventError(f"judge: {quote(event.judge)} already exists; an identity joins once")
        judge = JudgeState(config.reputation.initial, event.stake, event.calibration_passed)
        return replace(state, judges={**state.judges, event.judge: judge})
    if isinstance(event, Compare):
        _known_judge(state, event.judge)
        for key in ("first", "second"):
            if getattr(event, key) not in config.authors:
                raise EventError(f"{key}: unknown candidate {quote(getattr(event, key))}; "
                                 f"candidates: {', '.join(config.candidates)}")
        c = Comparison(event.judge, event.first, event.second, event.outcome)
        return replace(state, comparisons=(*state.comparisons, c))
    if isinstance(event, Retract):
        _known_judge(state, event.judge)
        return replace(state, comparisons=tuple(c for c in state.comparisons if c.judge != event.judge))
    if isinstance(event, Close):
        return close_round(config, state, dialect)
    raise EventError(f"kind: not a ranking event: {quote(event)}")
