"""Minimal coalitions by exact optimisation (RK-ATK-1, RK-ATK-4): weighted MaxSAT in z3's Optimize.

The question "which smallest set of judges achieves the goal" is a set-cover problem whose constraints
are learned from the reference model (combinatorial Benders / implicit hitting sets): solve the 0-1
program over the cuts so far (one z3 ``Optimize``, cuts added incrementally); if the optimal set
achieves the goal in the model it is minimal; otherwise grow it to a maximal set that still fails and
add the cut "take someone outside it". Minimality rests on the goal being monotone in the set (a
superset of a winning coalition wins, or overshoots): exact for withholding (removing comparisons only
removes edges of the win digraph), and for promotion's margin over the honest winner by RK-ATK-6a
(dominance), which tests/ranking/test_ranking_exact.py checks. The exact engine (exact.py) decides the
same question without a solve budget; this search is its z3 cross-check. Every coalition returned was
evaluated in the model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import z3

MAX_SOLVES = 2000  # the optimiser calls one search may make before it gives up (inconclusive)


@dataclass(frozen=True)
class Coalition:
    """A coalition that achieves the goal in the model: its members and their total cost."""

    members: tuple[str, ...]
    cost: float


@dataclass(frozen=True)
class Search:
    """What a search established: the cheapest coalition found, a proven lower bound on the cheapest cost,
    whether the two meet (the coalition is proven minimal), and the optimiser calls it took."""

    best: Coalition | None
    lower_bound: float
    proven: bool
    solves: int


class _Program:
    """The 0-1 program: choose members, minimise their total cost, subject to the cuts learned so far."""

    def __init__(self, costs: Sequence[float]) -> None:
        self.x = [z3.Bool(f"x{k}") for k in range(len(costs))]
        self.opt = z3.Optimize()
        for x, c in zip(self.x, costs, strict=True):
            self.opt.add_soft(z3.Not(x), repr(float(c)))  # choosing k violates its soft clause at cost c_k

    def solve(self) -> list[bool] | None:
        """The optimal choice under the cuts, None when they exclude every set."""
        if self.opt.check() != z3.sat:
            return None
        model = self.opt.model()
        return [z3.is_true(model.eval(x, model_completion=True)) for x in self.x]

    def outside(self, chosen: Sequence[bool]) -> None:
        """Cut every subset of a failing set: take someone outside it."""
        self.opt.add(z3.Or([x for x, c in zip(self.x, chosen, strict=True) if not c] or [z3.BoolVal(False)]))

    def not_above(self, chosen: Sequence[bool]) -> None:
        """Cut every superset of an overshooting set: leave someone of it out."""
        self.opt.add(z3.Or([z3.Not(x) for x, c in zip(self.x, chosen, strict=True) if c] or [z3.BoolVal(False)]))


def greedy(pool: Sequence[str], costs: Sequence[float], achieves: Callable[[frozenset[str]], str],
           margin: Callable[[frozenset[str]], float]) -> Coalition | None:
    """An upper bound: add members by single-member effect per cost until the goal is met, then drop the
    members it does not need (most expensive first)."""
    base = margin(frozenset())
    gain = {p: (margin(frozenset({p})) - base) / max(c, 1e-12) for p, c in zip(pool, costs, strict=True)}
    chosen: list[str] = []
    for p in sorted(pool, key=lambda p: -gain[p]):
        chosen.append(p)
        if achieves(frozenset(chosen)) == "yes":
            break
    else:
        return None
    cost = dict(zip(pool, costs, strict=True))
    for p in sorted(chosen, key=lambda p: -cost[p]):
        rest = frozenset(chosen) - {p}
        if achieves(rest) == "yes":
            chosen.remove(p)
    return Coalition(tuple(p for p in pool if p in chosen), sum(cost[p] for p in chosen))


def minimal_set(pool: Sequence[str], costs: Sequence[float], achieves: Callable[[frozenset[str]], str],
                max_solves: int = MAX_SOLVES, start: Coalition | None = None,
                enough: float = float("inf")) -> Search:
    """The cheapest subset of ``pool`` for which ``achieves`` says "yes", or a proven lower bound on its cost.

    ``achieves`` answers "yes", "no" or "over": the set overshoots (its goal is out of reach for it and
    for every superset, e.g. a promoted candidate that never loses leaves the round without an MLE). A
    "no" set is grown to a maximal "no" set and every subset of it is cut; an "over" set cuts its
    supersets. The optimum under the cuts is a lower bound on the true minimum; the search stops when
    it reaches the best coalition known (``start`` or found: proven minimal), reaches ``enough``, or
    after ``max_solves`` optimiser calls.
    """
    if not pool or achieves(frozenset(pool)) == "no":
        return Search(None, float("inf"), True, 0)
    order = sorted(range(len(pool)), key=lambda k: (costs[k], k))
    program = _Program(costs)
    best, bound = start, 0.0
    for solves in range(1, max_solves + 1):
        x = program.solve()
        if x is None:
            return Search(best, float("inf") if best is None else best.cost, True, solves)
        bound = sum(costs[k] for k in range(len(pool)) if x[k])
        if best is not None and bound >= best.cost - 1e-12:
            return Search(best, best.cost, True, solves)
        if bound >= enough:
            return Search(best, bound, False, solves)
        chosen = {pool[k] for k in range(len(pool)) if x[k]}
        verdict = achieves(frozenset(chosen))
        if verdict == "yes":
            return Search(Coalition(tuple(p for p in pool if p in chosen), bound), bound, True, solves)
        if verdict == "over":
            program.not_above(x)
            continue
        for k in order:  # grow to a maximal failing set: the cut it yields excludes every subset of it
            if pool[k] not in chosen and achieves(frozenset(chosen | {pool[k]})) == "no":
                chosen.add(pool[k])
        program.outside([p in chosen for p in pool])
    return Search(best, bound, False, max_solves)


def smallest_count(low: int, high: int, achieves: Callable[[int], bool]) -> int | None:
    """The smallest k in [low, high] with ``achieves(k)``, by bisection on a monotone predicate (None: none)."""
    if high < low or not achieves(high):
        return None
    while low < high:
        mid = (low + high) // 2
        if achieves(mid):
            high = mid
        else:
            low = mid + 1
    return low
