"""Ground truth for MM-PROP-1..6 (spec §12.2): each witness re-runs the reference model on a trace and
returns the account of the violation it shows, or None. Engines report a violation only after its trace
replays with no mismatch and its witness confirms it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from peerproof.attacks.checks import Job
from peerproof.attacks.matchmaking.warmup import honest_run, true_reward, true_theta
from peerproof.reference.matchmaking import MODEL, Match, Report, Reward
from peerproof.reference.matchmaking.context import pair_contexts
from peerproof.reference.matchmaking.events import parse_values
from peerproof.reference.matchmaking.linucb import ucb
from peerproof.reference.matchmaking.reward import raw_reward
from peerproof.reference.matchmaking.state import State, round_beta
from peerproof.reference.trace import Trace

SYMMETRY_TOLERANCE = 1e-9


def _final(config: Any, trace: Trace, events: Any = None) -> tuple[Any, State]:
    d, state = MODEL.start(config, dialect=trace.dialect, seed=trace.seed)
    for event in trace.events if events is None else events:
        state = MODEL.step(config, state, event, d)
    return d, state


def _first(state: State) -> Any:
    return state.selection[0] if state.selection else None


def pair_asymmetry(config: Any, state: State, dialect: Any) -> tuple[float, str, str, float, float]:
    """MM-PROP-1: the largest |UCB(x(p, q)) − UCB(x(q, p))| over ordered pairs of current agents."""
    P = np.asarray(state.profiles, dtype=float)
    n = len(P)
    idx = [(i, j) for i in range(n) for j in range(i + 1, n)]
    beta = round_beta(config, dialect, state.round)
    a = ucb(state.bandit, pair_contexts(config.context, P[[i for i, _ in idx]], P[[j for _, j in idx]]), beta,
            dialect.direct_inverse)
    b = ucb(state.bandit, pair_contexts(config.context, P[[j for _, j in idx]], P[[i for i, _ in idx]]), beta,
            dialect.direct_inverse)
    k = int(np.argmax(np.abs(a - b)))
    return float(abs(a[k] - b[k])), state.ids[idx[k][0]], state.ids[idx[k][1]], float(a[k]), float(b[k])


def _symmetric(config: Any, trace: Trace) -> str | None:
    d, state = _final(config, trace)
    gap, p, q, a, b = pair_asymmetry(config, state, d)
    if gap <= SYMMETRY_TOLERANCE * max(1.0, abs(a), abs(b)):
        return None
    return (f"after round {state.round}: UCB of x({p}, {q}) is {a:.6g} but of x({q}, {p}) is {b:.6g} "
            f"(difference {gap:.3g}): the pair's score depends on the order of its members; cost: none, honest "
            "behaviour shows it")


def _roles(config: Any, trace: Trace) -> str | None:
    _d, state = _final(config, trace)
    relabelled = replace(config, agents=tuple(reversed(config.agents)))
    _d2, other = _final(relabelled, trace)
    theirs = {frozenset((p.student, p.teacher)): p for p in other.selection}
    for pair in state.selection:
        twin = theirs.get(frozenset((pair.student, pair.teacher)))
        if twin is not None and twin.student != pair.student:
            return (f"round {state.round}: {pair.student} learns from {pair.teacher}, but with the agents listed "
                    f"in reverse order {twin.student} learns from {twin.teacher}: roles follow the index, not the "
                    "profiles; cost: none, an agent only needs a low index")
    return None


def _attack_tail(trace: Trace) -> tuple[Report, tuple[Any, ...]] | None:
    if len(trace.events) < 2 or not isinstance(trace.events[-1], Match) or not isinstance(trace.events[-2], Report):
        return None
    return trace.events[-2], trace.events[:-2] + trace.events[-1:]


def _in_bounds(config: Any, profile: Any) -> bool:
    return all(f.low <= v <= f.high for v, f in zip(profile, config.fields, strict=True))


def _misreport(config: Any, trace: Trace, *, out_of_bounds: bool) -> str | None:
    tail = _attack_tail(trace)
    if tail is None:
        return None
    report, without = tail
    _d, state = _final(config, trace)
    _d, honest = _final(config, trace, without)
    first, before = _first(state), _first(honest)
    if report.agent not in state.ids or first is None or report.agent not in (first.student, first.teacher):
        return None
    if before is not None and report.agent in (before.student, before.teacher):
        return None
    stored = state.profiles[state.ids.index(report.agent)]
    if _in_bounds(config, stored) == out_of_bounds:
        return None
    where = "outside" if out_of_bounds else "within"
    if out_of_bounds and before is not None and first.mean >= before.mean:
        return None  # it won on its estimated mean, not on exploration
    honest_at = "nothing" if before is None else f"{before.student}<{before.teacher} (UCB {before.ucb:.6g})"
    told = np.asarray(parse_values(report.values))
    previous = np.asarray(honest.profiles[honest.ids.index(report.agent)]) if report.agent in honest.ids else told
    lo, hi = np.array([f.low for f in config.fields]), np.array([f.high for f in config.fields])
    excess = float(max(np.max(told - hi), np.max(lo - told), 0.0))
    cost = f"L1 distance {float(np.abs(told - previous).sum()):.4g} from its profile" + (
        f", {excess:.4g} beyond a bound" if out_of_bounds else "")
    return (f"round {state.round}: {report.agent} reports a profile {where} the stated bounds and its pair "
            f"{first.key} is picked first (UCB {first.ucb:.6g}, mean {first.mean:.6g}); reporting honestly, "
            f"{honest_at} is picked first; cost: {cost}")


def false_reports(config: Any, trace: Trace) -> list[tuple[str, float]]:
    """(reporter, told − true raw reward) of every reward report that differs from the environment's truth."""
    theta_star = true_theta(config, trace.seed)
    d0, walk = MODEL.start(config, dialect=trace.dialect, seed=trace.seed)
    out = []
    for event in trace.events:
        if isinstance(event, Reward):
            profile = dict(zip(walk.ids, walk.profiles, strict=True))
            truth = true_reward(config, theta_star, profile[event.student], profile[event.teacher])
            told = raw_reward(config, d0, event.pre, event.post, event.kb)
            if abs(told - truth) > 1e-12 * max(1.0, abs(truth)):
                out.append((event.reporter, told - truth))
        walk = MODEL.step(config, walk, event, d0)
    return out


def _poisoning(config: Any, trace: Trace) -> str | None:
    if not trace.events or not isinstance(trace.events[-1], Match):
        return None
    _d, state = _final(config, trace)
    rounds = state.round - 1
    lies = false_reports(config, trace)
    liars = {who for who, _lie in lies}
    if len(liars) != 1:
        return None
    honest = (*honest_run(config, trace.dialect, trace.seed, rounds).events, Match(trace.events[-1].at_ms))
    _h, truthful = _final(config, trace, honest)
    first, before = _first(state), _first(truthful)
    if first is None or before is None or first.key == before.key:
        return None
    cost = (f"{state.disputed} disputed report(s), no value changed" if state.disputed else
            f"{len(lies)} false report(s), {sum(abs(v) for _w, v in lies):.4g} in raw reward in total")
    return (f"round {state.round}: with {liars.pop()}'s false reward reports the CPM picks {first.key} first "
            f"(UCB {first.ucb:.6g}); with true rewards it picks {before.key} (UCB {before.ucb:.6g}); cost: {cost}")


def _sybil(config: Any, trace: Trace) -> str | None:
    tail = _attack_tail(trace)
    if tail is None:
        return None
    report, _without = tail
    if report.agent in {a.id for a in config.agents}:
        return None
    _d, state = _final(config, trace)
    if report.agent not in state.ids:
        return None
    mine = np.asarray(state.profiles[state.ids.index(report.agent)])
    near = [(float(np.linalg.norm(mine - np.asarray(p))), who) for who, p in zip(state.ids, state.profiles, strict=True)
            if who != report.agent]
    dist, victim = min(near)
    if dist > max(1.5 * config.min_distance, 1e-9):
        return None
    for pair in state.selection:
        if report.agent in (pair.student, pair.teacher):
            return (f"round {state.round}: {report.agent} joins with a copy of {victim}'s profile (distance "
                    f"{dist:.3g}) and is matched at once ({pair.key}, UCB {pair.ucb:.6g}); cost: one identity")
    return None


def witness(config: Any, job: Job, trace: Trace) -> str | None:
    """The account of the violation of ``job``'s property the trace shows, or None."""
    cfg = trace.config if trace.config is not None else config
    if job.slug == "pair-score-symmetric":
        return _symmetric(cfg, trace)
    if job.slug == "roles-permutation-invariant":
        return _roles(cfg, trace)
    if job.slug == "misreport-resistant":
        return _misreport(cfg, trace, out_of_bounds=False)
    if job.slug == "exploration-bounded":
        return _misreport(cfg, trace, out_of_bounds=True)
    if job.slug == "reward-poisoning-resistant":
        return _poisoning(cfg, trace)
    if job.slug == "sybil-resistant":
        return _sybil(cfg, trace)
    raise KeyError(job.slug)

