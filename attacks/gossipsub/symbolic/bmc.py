"""The z3 bounded model checker: attacks found by z3, confirmed by the reference model, or bounded proofs.

For one property (and topic) the engine unrolls the attacker's scoring state (``encoding``) and asks
z3 for the property's negation (``goals``, ``survival``), deepening k up to ``depth`` decay intervals:

* SAT: every relaxed square of the model is checked to be exact (else the square is refined and z3
  asked again, ``squares``); the model's choices become a plan, the plan becomes reference-model
  events, ``reference.trace.record`` replays them, and ``witness_violation`` must confirm the
  violation on that replay before the finding says ``violated``. A replay that does not confirm is an
  encoding bug: ``inconclusive`` with the reason (``EncodingMismatch`` raised when ``strict``).
* UNSAT at every k: ``holds-bounded``, the bound naming k and what the attacker could choose.
* A solver time-out or ``unknown``: ``inconclusive``. Every solver call has a hard limit.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import z3
import z3.z3 as z3core_module
from peerproof.attacks.finding import Finding
from peerproof.attacks.gossipsub.symbolic.goals import (
    MAX_LOOP,
    Fairness,
    Goal,
    MisbehaviourLowersScore,
    Query,
    RewardsGoodBehaviour,
    TopicConsistency,
    plan_from,
)
from peerproof.attacks.gossipsub.symbolic.plan import Plan, Step, trace_of
from peerproof.attacks.gossipsub.symbolic.rational import ConfigQ, exact
from peerproof.attacks.gossipsub.symbolic.squares import value_of
from peerproof.attacks.gossipsub.symbolic.strategy import integral
from peerproof.attacks.gossipsub.symbolic.survival import LOOP, GraylistsInvalidFloods, PenalizesNonForwarding, Survival
from peerproof.properties.gossipsub.security import get_property, witness_violation
from peerproof.reference.gossipsub import MODEL, Config, Heartbeat, Tick, score, step
from peerproof.reference.trace import Trace

ENGINE = "z3"
GOALS: dict[str, type[Goal]] = {g.slug: g for g in (TopicConsistency, MisbehaviourLowersScore, PenalizesNonForwarding,
                                                     RewardsGoodBehaviour, Fairness, GraylistsInvalidFloods)}
MAX_REFINEMENTS = 200
WARM_UP_S = 5.0  # most seconds per lasso check after a warm-up
OPENING_S = 8.0  # most seconds spent on one opening of a reach goal
TAIL = 4  # symbolic intervals after an opening
ECONOMY_S = 3.0  # seconds spent making a found lasso cheaper


class EncodingMismatch(AssertionError):
    """A z3 model whose replay in the reference model does not show the violation: an encoding bug."""


class OutOfTime(Exception):
    """The time limit ran out (or z3 answered unknown)."""


@dataclass(frozen=True)
class Attack:
    """A confirmed violation: the replayed trace and the checker's explanation."""

    trace: Trace
    why: str
    k: int


@contextmanager
def fresh_context() -> Iterator[None]:
    """Run with a fresh z3 context as the default one. z3 recycles the ids of freed terms and orders its
    search by term ids, so a query built after an earlier one was freed can run many times slower; a
    context per call keeps every call as fast, and as reproducible, as a fresh process."""
    previous = z3core_module._main_ctx
    z3core_module._main_ctx = z3.Context()
    try:
        yield
    finally:
        z3core_module._main_ctx = previous


def goal_for(cq: ConfigQ, slug: str, topic: str | None) -> Goal:
    """The goal (negated property) of ``slug`` in ``topic``."""
    return GOALS[slug](cq, topic)


class Session:
    """An incremental solver over one query: new intervals' constraints are added as the query grows,
    refinement cuts are kept, and each question is asked under assumptions."""

    def __init__(self, q: Query, goal: Goal, mode: str) -> None:
        self.q, self.goal, self.mode = q, goal, mode
        self.solver = z3.SimpleSolver()
        self.solver.set("arith.enable_hnf", False)  # HNF cuts on these rationals ignore the time limit
        self.constraints = self.cuts = 0

    def grow(self) -> None:
        """Unroll one more interval and assert its constraints and the goal's facts."""
        self.q.extend()
        self.solver.add(*self.goal.facts(self.q, self.mode))
        self.flush()

    def flush(self) -> None:
        """Assert the constraints and square cuts the query gained since the last flush."""
        u = self.q.unrolling
        self.solver.add(*u.constraints[self.constraints:], *u.squares.cuts[self.cuts:])
        self.constraints, self.cuts = len(u.constraints), len(u.squares.cuts)

    def refuted(self, assumptions: list[z3.BoolRef], deadline: float) -> bool:
        """Whether one relaxed check (no refinement) already answers UNSAT: a cheap filter before ``check``."""
        self.flush()
        self.solver.set("timeout", max(1, int((deadline - time.monotonic()) * 1000)))
        return self.solver.check(*assumptions) == z3.unsat

    def check(self, assumptions: list[z3.BoolRef], deadline: float, cap_s: float | None = None) -> z3.ModelRef | None:
        """A model with exact squares under ``assumptions``, or None if UNSAT; OutOfTime on time-out/unknown
        (the check gets until ``deadline``, and at most ``cap_s`` seconds)."""
        if cap_s is not None:
            deadline = min(deadline, time.monotonic() + cap_s)
        u = self.q.unrolling
        self.flush()  # e.g. a loop closed since the last growth
        for _ in range(MAX_REFINEMENTS):
            left = deadline - time.monotonic()
            if left <= 0:
                raise OutOfTime("time limit reached")
            self.solver.set("timeout", max(1, int(left * 1000)))
            answer = self.solver.check(*assumptions)
            if answer == z3.unsat:
                return None
            if answer == z3.unknown:
                raise OutOfTime(f"z3 answered unknown ({self.solver.reason_unknown()})")
            model = self.solver.model()
            spurious = u.squares.spurious(model, assumptions)
            if not spurious:
                return model
            for sq, x in spurious:
                u.squares.refine(sq, x)
            self.flush()
        raise OutOfTime(f"{MAX_REFINEMENTS} refinements of the squares did not settle")


def post_scores(trace: Trace, peer: str, k: int, di_ms: int) -> list[float]:
    """The reference model's score of ``peer`` after the actions of each of the first k intervals."""
    config = trace.config
    d, state = MODEL.start(config, dialect=trace.dialect, seed=trace.seed)
    events, idx, out = trace.events, 0, []
    for i in range(k):
        t = i * di_ms
        while idx < len(events) and (events[idx].at_ms < t or (events[idx].at_ms == t
                                                                and not isinstance(events[idx], Heartbeat))):
            state = step(config, state, events[idx], d)
            idx += 1
        state = step(config, state, Tick(t), d)
        out.append(score(config, state, peer, d))
    return out


def mismatch(q: Query, model: z3.ModelRef, trace: Trace, di_ms: int) -> str:
    """Where the replay first departs from what z3 predicted (for an encoding bug's report)."""
    peers = {e.peer for e in trace.events if hasattr(e, "peer")}
    for name, track in q.tracks.items():
        if name not in peers:
            continue
        replayed = post_scores(trace, name, q.k, di_ms)
        for i, (obs, got) in enumerate(zip(track.post, replayed, strict=False)):
            want = float(model.eval(obs.score, model_completion=True).as_decimal(15).rstrip("?"))
            if abs(want - got) > 1e-6 * max(1.0, abs(got)):
                return f"{name} after interval {i}: z3 predicts score {want:.9g}, the replay gives {got:.9g}"
    return "the scores agree interval by interval, but the checker does not see the violation"


def confirm(config: Config, cq: ConfigQ, goal: Goal, q: Query, model: z3.ModelRef, strict: bool,
            plan: Plan | None = None) -> Attack:
    """Replay the model's plan in the reference model and have the property's checker confirm it."""
    plan = plan or plan_from(q, model)
    intervals = goal.trace_intervals(q, model, plan)
    claim = {"property": goal.slug, "id": get_property(goal.slug).id, "topic": goal.topic, "verdict": "violated",
             "engine": ENGINE, "k": q.k}
    trace = trace_of(config, cq, plan, intervals, claim=claim, meta={"roles": sorted(plan.steps)})
    why = witness_violation(config, goal.slug, goal.topic, trace, **goal.witness_bounds())
    if why is None:
        raise EncodingMismatch(f"the replay of z3's {goal.slug} attack ({plan.length} intervals written out) "
                               f"does not confirm it: "
                               f"{mismatch(q, model, trace, cq.di_ms)}")
    return Attack(trace, why, q.k)


def reach(config: Config, cq: ConfigQ, goal: Goal, depth: int, deadline: float, strict: bool) -> Attack | int:
    """Openings with short symbolic tails first; then deepen one interval at a time from connection until
    a bad state is reachable (an Attack), else return the depth proven (``depth``, or less on time-out)."""
    for _name, steps in goal.openings(depth - TAIL):
        attack = opening_attack(config, cq, goal, steps, deadline, strict)
        if attack is not None:
            return attack
    session = Session(goal.start(depth, "reach"), goal, "reach")
    for k in range(1, depth + 1):
        session.grow()
        exact, clear = goal.bad(session.q)
        try:
            model = session.check([clear, integral()], deadline)
            if model is None and not session.refuted([exact], deadline):  # real counts first: cheaper
                model = session.check([exact, integral()], deadline)  # only within the witness margin?
        except OutOfTime:
            if k == 1:
                raise
            return k - 1
        if model is not None:
            return confirm(config, cq, goal, session.q, model, strict)
    return depth


def opening_attack(config: Config, cq: ConfigQ, goal: Goal, steps: tuple[Step, ...], deadline: float,
                   strict: bool) -> Attack | None:
    """An attack that begins with the concrete ``steps`` and chooses freely for up to ``TAIL`` intervals."""
    session = Session(goal.start(len(steps) + TAIL, "reach", fixed=steps), goal, "reach")
    stop = min(deadline, time.monotonic() + OPENING_S)
    try:
        for _ in range(len(steps) + TAIL):
            session.grow()
            _exact, clear = goal.bad(session.q)
            model = session.check([clear, integral()], stop)
            if model is not None:
                return confirm(config, cq, goal, session.q, model, strict)
    except OutOfTime:
        if time.monotonic() >= deadline:
            raise
    return None


def lasso(config: Config, cq: ConfigQ, goal: Survival, deadline: float, strict: bool) -> Attack | None:
    """A periodic attack after one of the goal's concrete warm-ups, if z3 finds a loop closing at a corner."""
    for _name, steps in goal.warm_ups():
        if goal.hopeless(config, steps):
            continue
        session = Session(goal.start_warm(config, steps), goal, "warm")
        for length in range(1, MAX_LOOP + 1):
            sel = goal.close_loop(session.q, length)
            try:
                model = session.check([sel, integral()], deadline, WARM_UP_S)
            except OutOfTime:
                if time.monotonic() >= deadline:
                    raise
                continue
            if model is not None:
                model = economise(session, [sel, integral()], f"{LOOP}{length}", model, deadline)
                plan = goal.plan(session.q, model, steps, f"{LOOP}{length}")
                return confirm(config, cq, goal, session.q, model, strict, plan)
    return None


def survive(config: Config, cq: ConfigQ, goal: Survival, depth: int, deadline: float,
            strict: bool) -> Attack | int | str:
    """A periodic attack first; else a proof from the attacker's best state, deepened interval by interval."""
    attack = lasso(config, cq, goal, deadline, strict)
    if attack is not None:
        return attack
    proof = Session(goal.start(depth, "bounded"), goal, "bounded")
    for k in range(1, depth + 1):
        proof.grow()
        try:
            if proof.refuted([], deadline) or proof.check([integral()], deadline) is None:
                return k
        except OutOfTime as exc:
            return (f"no periodic attack after the canonical warm-ups (loops of up to {MAX_LOOP} intervals); the "
                    f"proof from the best state reached k={k - 1} ({exc})")
    return (f"no periodic attack after the canonical warm-ups (loops of up to {MAX_LOOP} intervals), and an "
            f"attacker starting from its best state lasts {depth} intervals")


def economise(session: Session, assumptions: list[z3.BoolRef], loop: str, model: z3.ModelRef,
              deadline: float) -> z3.ModelRef:
    """A cheaper loop: fewer messages per loop interval (the loop repeats ~1000 times in the witness),
    looked for briefly; the cheapest model found."""
    ch = session.q.tracks[loop].choices
    cost = z3.Sum([v for rows in (ch.first, ch.near) for row in rows for v in row.values()] or [z3.IntVal(0)])
    stop = min(deadline, time.monotonic() + ECONOMY_S)
    best = model
    while time.monotonic() < stop and (bound := value_of(best, cost)) > 0:
        try:
            found = session.check([*assumptions, cost < int(bound)], stop)
        except OutOfTime:
            break
        if found is None:
            break
        best = found
    return best


def induct(goal: Fairness, deadline: float) -> str | None:
    """The 1-induction step (fairness): None when it holds, else what z3 found or why it stopped."""
    q, differ = goal.step_query()
    session = Session(q, goal, "induction")
    try:
        model = session.check([differ], deadline)
    except OutOfTime as exc:
        return str(exc)
    return None if model is None else "two equal states under the same choices diverge (an encoding bug)"


def synthesize(config: Config, slug: str, topic: str | None = None, *, depth: int = 100, timeout_s: float = 30.0,
               dialect: str | None = None, strict: bool = False) -> Finding:
    """The z3 engine's verdict on property ``slug`` (in ``topic``) of ``config``, within ``depth`` intervals."""
    started = time.monotonic()
    deadline = started + timeout_s
    get_property(slug)
    cq = exact(config, dialect)
    goal = goal_for(cq, slug, topic)

    def finding(verdict: str, reason: str, bound: str | None = None, trace: Trace | None = None) -> Finding:
        return Finding(slug, topic, verdict, reason, bound, time.monotonic() - started, ENGINE, trace)

    try:
        with fresh_context():
            if isinstance(goal, Fairness):
                failed = induct(goal, deadline)
                if failed is None:
                    return finding("holds", "z3, 1-induction over the encoding: two peers in the same state that make "
                                   "the same choices score alike and stay in the same state (QF_LIRA, UNSAT); both "
                                   "start from the same fresh state", goal.bound(depth))
                if strict:
                    raise EncodingMismatch(failed)
                return finding("inconclusive", f"z3 1-induction: {failed}")
            run = reach if goal.shape == "reach" else survive
            result = run(config, cq, goal, depth, deadline, strict)
    except OutOfTime as exc:
        return finding("inconclusive", f"z3: {exc} after {time.monotonic() - started:.1f}s (limit {timeout_s:g}s)")
    except EncodingMismatch as exc:
        if strict:
            raise
        return finding("inconclusive", f"encoding bug: {exc}")
    if isinstance(result, Attack):
        return finding("violated", f"{result.why} (z3 attack at k={result.k}, replayed)", trace=result.trace)
    if isinstance(result, str):
        return finding("inconclusive", result, goal.bound(depth))
    short = f"; the time limit stopped it before depth {depth}" if result < depth and goal.shape == "reach" else ""
    return finding("holds-bounded", f"z3: no attack within {result} decay intervals (QF_LIRA, squares exact{short})",
                   goal.bound(result))
