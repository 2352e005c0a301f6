"""The z3 bounded model checker: attacks found by z3, confirmed by the reference model, or bounded proofs.

For one property (and topic) the engine unrolls the attacker's scoring state (``encoding``) and asks
z3 for the property's negation (``goals``, ``survival``), deepening k up to ``depth`` decay intervals:

* SAT: every relaxed square of the model is checked to be exact (else the square is refined and z3
  asked again, ``squares``); the model's choices become a plan, the plan becomes reference-model
  events, ``reference.trace.record`` replays them, and ``witness_violation`` must confirm the
  violation on that replay before the finding says ``violated``. A replay that does not confirm is an
  encoding bug: ``inconclusive`` with the reason (``EncodingMismatch`` raised when ``strict``).
* UNSAT at every k: ``holds-bounded``, the bound naming k and what the attacker could choose.
* A spent budget or ``unknown``: ``inconclusive``.

No verdict depends on the wall clock (GS-Z3-1): every solver call is bounded by z3's deterministic
resource counter (``rlimit``), from one budget per synthesis of ``timeout_s x RLIMIT_PER_S`` units, so a
busy machine gives the same answers as an idle one, only later. A wall-clock safety net
(``SAFETY_FACTOR x timeout_s``) cancels a call that runs far past its budget; it answers
``inconclusive`` saying so, and no test or manifest relies on it.
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
from peerproof.reference.gossipsub import MODEL, Config, Heartbeat, Tick, score
from peerproof.reference.trace import Trace

ENGINE = "z3"
GOALS: dict[str, type[Goal]] = {g.slug: g for g in (TopicConsistency, MisbehaviourLowersScore, PenalizesNonForwarding,
                                                     RewardsGoodBehaviour, Fairness, GraylistsInvalidFloods)}
MAX_REFINEMENTS = 200
RLIMIT_PER_S = 500_000  # z3 resource units per second on these queries (measured 0.14M-1.5M on a busy core; GS-Z3-1)
WARM_UP_S = 5.0  # most seconds' worth of units per lasso check after a warm-up
OPENING_S = 8.0  # most seconds' worth of units spent on one opening of a reach goal
TAIL = 4  # symbolic intervals after an opening
ECONOMY_S = 3.0  # seconds' worth of units spent making a found lasso cheaper
SAFETY_FACTOR = 10.0  # the wall-clock safety net, in multiples of the budget's nominal seconds


class EncodingMismatch(AssertionError):
    """A z3 model whose replay in the reference model does not show the violation: an encoding bug."""


class OutOfTime(Exception):
    """The resource budget ran out (or z3 answered unknown, or the safety net cancelled it)."""


class Budget:
    """z3's deterministic resource units left to one synthesis (GS-Z3-1), and the wall-clock safety net."""

    def __init__(self, seconds: float) -> None:
        self.left = int(seconds * RLIMIT_PER_S)
        self.total = self.left
        self.safety = time.monotonic() + SAFETY_FACTOR * seconds

    def part(self, seconds: float) -> Budget:
        """A share of at most ``seconds``' worth of units that draws on this budget."""
        return Share(self, int(seconds * RLIMIT_PER_S))

    @property
    def spent(self) -> bool:
        """Whether no unit is left."""
        return self.left <= 0

    def charge(self, units: int) -> None:
        """Deduct the units one solver call used."""
        self.left -= units


class Share(Budget):
    """A capped share of a parent budget: a call charged here is charged there too."""

    def __init__(self, parent: Budget, units: int) -> None:
        self.parent, self.total, self.safety = parent, units, parent.safety
        self.left = min(units, parent.left)

    def charge(self, units: int) -> None:
        self.left -= units
        self.parent.charge(units)


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
    refinement cuts are kept, and each question is asked under assumptions (one variable per topic: no
    symmetry folding inside a query, GS-Z3-2)."""

    def __init__(self, q: Query, goal: Goal, mode: str) -> None:
        self.q, self.goal, self.mode = q, goal, mode
        self.solver = z3.SimpleSolver()
        self.solver.set("arith.enable_hnf", False)  # HNF cuts on these rationals ignore the resource limit
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

    def ask(self, assumptions: list[z3.BoolRef], budget: Budget) -> z3.CheckSatResult:
        """One solver call within the budget's units (and the safety net), charged to it."""
        if budget.spent:
            raise OutOfTime("resource budget spent")
        left_s = budget.safety - time.monotonic()
        if left_s <= 0:
            raise OutOfTime("the wall-clock safety net stopped it")
        self.solver.set("rlimit", budget.left)
        self.solver.set("timeout", max(1, int(left_s * 1000)))
        before = _units(self.solver)
        answer = self.solver.check(*assumptions)
        budget.charge(max(1, _units(self.solver) - before))
        if answer == z3.unknown:
            reason = self.solver.reason_unknown()
            if "resource" in reason:
                raise OutOfTime(f"resource budget spent ({budget.total} units)")
            raise OutOfTime(f"z3 answered unknown ({reason})")
        return answer

    def refuted(self, assumptions: list[z3.BoolRef], budget: Budget) -> bool:
        """Whether one relaxed check (no refinement) already answers UNSAT: a cheap filter before ``check``."""
        self.flush()
        return self.ask(assumptions, budget) == z3.unsat

    def check(self, assumptions: list[z3.BoolRef], budget: Budget, cap_s: float | None = None) -> z3.ModelRef | None:
        """A model with exact squares under ``assumptions``, or None if UNSAT; OutOfTime when the budget (at
        most ``cap_s`` seconds' worth of units of it) is spent or z3 answers unknown."""
        if cap_s is not None:
            budget = budget.part(cap_s)
        u = self.q.unrolling
        self.flush()  # e.g. a loop closed since the last growth
        for _ in range(MAX_REFINEMENTS):
            answer = self.ask(assumptions, budget)
            if answer == z3.unsat:
                return None
            model = self.solver.model()
            spurious = u.squares.spurious(model, assumptions)
            if not spurious:
                return model
            for sq, x in spurious:
                u.squares.refine(sq, x)
            self.flush()
        raise OutOfTime(f"{MAX_REFINEMENTS} refinements of the squares did not settle")


def _units(solver: z3.Solver) -> int:
    """The solver's resource counter so far."""
    try:
        return int(solver.statistics().get_key_value("rlimit count"))
    except z3.Z3Exception:  # no check yet
        return 0


def post_scores(trace: Trace, peer: str, k: int, di_ms: int) -> list[float]:
    """The reference model's score of ``peer`` after the actions of each of the first k intervals (the
    model's fold over the trace's events with a tick at each interval's start, after that instant's
    actions and before its heartbeat)."""
    config, d = trace.config, MODEL.get_dialect(trace.dialect)
    events, idx, ticked, ticks = trace.events, 0, [], []
    for i in range(k):
        t = i * di_ms
        while idx < len(events) and (events[idx].at_ms < t or (events[idx].at_ms == t
                                                                and not isinstance(events[idx], Heartbeat))):
            ticked.append(events[idx])
            idx += 1
        ticks.append(len(ticked))
        ticked.append(Tick(t))
    wanted = set(ticks)
    return [score(config, state, peer, d)
            for i, _event, state in MODEL.states(config, ticked, dialect=trace.dialect, seed=trace.seed) if i in wanted]


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


def reach(config: Config, cq: ConfigQ, goal: Goal, depth: int, budget: Budget, strict: bool) -> Attack | int:
    """Openings with short symbolic tails first; then deepen one interval at a time from connection until
    a bad state is reachable (an Attack), else return the depth proven (``depth``, or less on time-out)."""
    for _name, steps in goal.openings(depth - TAIL):
        attack = opening_attack(config, cq, goal, steps, budget, strict)
        if attack is not None:
            return attack
    session = Session(goal.start(depth, "reach"), goal, "reach")
    for k in range(1, depth + 1):
        session.grow()
        exact, clear = goal.bad(session.q)
        try:
            model = session.check([clear, integral()], budget)
            if model is None and not session.refuted([exact], budget):  # real counts first: cheaper
                model = session.check([exact, integral()], budget)  # only within the witness margin?
        except OutOfTime:
            if k == 1:
                raise
            return k - 1
        if model is not None:
            return confirm(config, cq, goal, session.q, model, strict)
    return depth


def opening_attack(config: Config, cq: ConfigQ, goal: Goal, steps: tuple[Step, ...], budget: Budget,
                   strict: bool) -> Attack | None:
    """An attack that begins with the concrete ``steps`` and chooses freely for up to ``TAIL`` intervals."""
    session = Session(goal.start(len(steps) + TAIL, "reach", fixed=steps), goal, "reach")
    share = budget.part(OPENING_S)
    try:
        for _ in range(len(steps) + TAIL):
            session.grow()
            _exact, clear = goal.bad(session.q)
            model = session.check([clear, integral()], share)
            if model is not None:
                return confirm(config, cq, goal, session.q, model, strict)
    except OutOfTime:
        if budget.spent:
            raise
    return None


def lasso(config: Config, cq: ConfigQ, goal: Survival, budget: Budget, strict: bool) -> Attack | None:
    """A periodic attack after one of the goal's concrete warm-ups, if z3 finds a loop closing at a corner."""
    for _name, steps in goal.warm_ups():
        if goal.hopeless(config, steps):
            continue
        session = Session(goal.start_warm(config, steps), goal, "warm")
        for length in range(1, MAX_LOOP + 1):
            sel = goal.close_loop(session.q, length)
            try:
                model = session.check([sel, integral()], budget, WARM_UP_S)
            except OutOfTime:
                if budget.spent:
                    raise
                continue
            if model is not None:
                model = economise(session, [sel, integral()], f"{LOOP}{length}", model, budget)
                plan = goal.plan(session.q, model, steps, f"{LOOP}{length}")
                return confirm(config, cq, goal, session.q, model, strict, plan)
    return None


def survive(config: Config, cq: ConfigQ, goal: Survival, depth: int, budget: Budget,
            strict: bool) -> Attack | int | str:
    """A periodic attack first; else a proof from the attacker's best state, deepened interval by interval."""
    attack = lasso(config, cq, goal, budget, strict)
    if attack is not None:
        return attack
    proof = Session(goal.start(depth, "bounded"), goal, "bounded")
    for k in range(1, depth + 1):
        proof.grow()
        try:
            if proof.refuted([], budget) or proof.check([integral()], budget) is None:
                return k
        except OutOfTime as exc:
            return (f"no periodic attack after the canonical warm-ups (loops of up to {MAX_LOOP} intervals); the "
                    f"proof from the best state reached k={k - 1} ({exc})")
    return (f"no periodic attack after the canonical warm-ups (loops of up to {MAX_LOOP} intervals), and an "
            f"attacker starting from its best state lasts {depth} intervals")


def economise(session: Session, assumptions: list[z3.BoolRef], loop: str, model: z3.ModelRef,
              budget: Budget) -> z3.ModelRef:
    """A cheaper loop: fewer messages per loop interval (the loop repeats ~1000 times in the witness),
    looked for briefly; the cheapest model found."""
    ch = session.q.tracks[loop].choices
    cost = z3.Sum([v for rows in (ch.first, ch.near) for row in rows for v in row.values()] or [z3.IntVal(0)])
    share = budget.part(ECONOMY_S)
    best = model
    while not share.spent and (bound := value_of(best, cost)) > 0:
        try:
            found = session.check([*assumptions, cost < int(bound)], share)
        except OutOfTime:
            break
        if found is None:
            break
        best = found
    return best


def induct(goal: Fairness, budget: Budget) -> str | None:
    """The 1-induction step (fairness): None when it holds, else what z3 found or why it stopped."""
    q, differ = goal.step_query()
    session = Session(q, goal, "induction")
    try:
        model = session.check([differ], budget)
    except OutOfTime as exc:
        return str(exc)
    return None if model is None else "two equal states under the same choices diverge (an encoding bug)"


def synthesize(config: Config, slug: str, topic: str | None = None, *, depth: int = 100, timeout_s: float = 30.0,
               dialect: str | None = None, strict: bool = False) -> Finding:
    """The z3 engine's verdict on property ``slug`` (in ``topic``) of ``config``, within ``depth`` intervals."""
    started = time.monotonic()
    budget = Budget(timeout_s)
    get_property(slug)
    cq = exact(config, dialect)
    goal = goal_for(cq, slug, topic)

    def finding(verdict: str, reason: str, bound: str | None = None, trace: Trace | None = None) -> Finding:
        return Finding(slug, topic, verdict, reason, bound, time.monotonic() - started, ENGINE, trace)

    try:
        with fresh_context():
            if isinstance(goal, Fairness):
                failed = induct(goal, budget)
                if failed is None:
                    return finding("holds", "z3, 1-induction over the encoding: two peers in the same state that make "
                                   "the same choices score alike and stay in the same state (QF_LIRA, UNSAT); both "
                                   "start from the same fresh state", goal.bound(depth))
                if strict:
                    raise EncodingMismatch(failed)
                return finding("inconclusive", f"z3 1-induction: {failed}")
            run = reach if goal.shape == "reach" else survive
            result = run(config, cq, goal, depth, budget, strict)
    except OutOfTime as exc:
        return finding("inconclusive", f"z3: {exc} after {time.monotonic() - started:.1f}s (budget: {timeout_s:g}s' "
                       f"worth of resource units, {budget.total})")
    except EncodingMismatch as exc:
        if strict:
            raise
        return finding("inconclusive", f"encoding bug: {exc}")
    if isinstance(result, Attack):
        return finding("violated", f"{result.why} (z3 attack at k={result.k}, replayed)", trace=result.trace)
    if isinstance(result, str):
        return finding("inconclusive", result, goal.bound(depth))
    short = f"; the resource budget stopped it before depth {depth}" if result < depth and goal.shape == "reach" else ""
    return finding("holds-bounded", f"z3: no attack within {result} decay intervals (QF_LIRA, squares exact{short})",
                   goal.bound(result))
