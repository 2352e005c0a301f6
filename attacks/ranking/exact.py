"""Exact minimal coalitions (RK-ATK-1, RK-ATK-6): branch and bound over classes of interchangeable judges.

The question: the cheapest set of the round's judges (by count, or by total reputation) that lifts some
rival t above the honest winner h, i.e. flips the winner. Three facts make it exact (spec RK-ATK-6):

* Dominance (RK-ATK-6a): in the weighted BT MLE, moving weight on a pair from j to i raises θ_i − θ_k and
  lowers θ_j − θ_k for every k (the MLE's Jacobian is the inverse of a weighted graph Laplacian: the
  change is the potential of a unit current from i to j, highest at i and lowest at j). So among every
  strategy that changes only comparisons involving t or h, promotion (t wins all of t's, h loses all
  its others, RK-ATK-1) maximises θ_t − θ_h, and the margin θ_t − θ_h is monotone in the coalition.
* Linearity (RK-ATK-6b): the win matrix is a sum over comparisons and promotion keeps every judge's
  pairs and weights, so W(C) = W(∅) + Σ_{k∈C} Δ_k; a judge's Δ_k is its weight times a pattern fixed by
  its honest verdicts. Judges with one pattern form a class, and only each class's promoted weight x_p
  matters.
* Branch and bound (RK-ATK-6c): a node is a box of per-class weights [lo, hi] on the achievable values
  (subset sums by reputation; the heaviest m members by count). If the model's margin at ``hi`` does not
  beat the winner (RK-BT-7's tie rule included), no coalition in the box does (monotone); if it does at
  ``lo`` and the model's winner changed, the box's cheapest point succeeds.
  Nodes are expanded cheapest first, so the first success is the minimum and the cheapest open node is
  a proven lower bound when the node budget runs out. Every verdict is the reference model's consensus
  on the coalition's win matrix (built by 6b); the coalition reported is replayed through the whole model.

The flip condition itself is not convex in the win matrix (midpoints of two flipping rounds can fail),
so a MILP over linear cuts would not be exact; the monotone box search is. The node budget is a count.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from peerproof.attacks.ranking import plans
from peerproof.attacks.ranking.scenario import honest, judges_of, voters
from peerproof.reference.ranking import get_dialect
from peerproof.reference.ranking.config import Config
from peerproof.reference.ranking.consensus import consensus_of_matrix
from peerproof.reference.ranking.reputation import TIE_GAP
from peerproof.reference.ranking.weights import JudgeState, win_matrix

SLACK = 50  # a refutation within SLACK × the solver tolerance of flipping is within solver error: no proof
MAX_NODES = 40_000  # boxes one search may expand (per objective, all targets together) before it stops
OBJECTIVES = ("count", "reputation")


@dataclass(frozen=True)
class JudgeClass:
    """RK-ATK-6b: judges whose promotion moves the win matrix by their weight times one pattern.

    ``values`` are the class's achievable promoted weights in increasing order (cost, not weight, is what
    the search minimises: ``costs[i]``), ``sets[i]`` a set of members achieving ``values[i]``.
    """

    members: tuple[str, ...]
    costs: tuple[float, ...]
    sets: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Certificate:
    """What the exact search established for one objective: the cheapest flipping coalition and its proof.

    ``proven``: every cheaper box was refuted (its strongest coalition does not lift the rival above the
    winner in the model), none closer to flipping than SLACK × the solver's tolerance. Otherwise
    ``lower_bound`` is the cheapest open box. ``closest`` is the largest margin of a refuted box, measured
    from what beating the winner needs (θ_t − θ_h beyond the tie rule).
    """

    objective: str
    members: tuple[str, ...] | None
    target: str
    cost: float
    lower_bound: float
    proven: bool
    nodes: int
    evaluations: int
    refuted: int
    closest: float


def _pattern(delta: np.ndarray, weight: float) -> tuple[float, ...]:
    return tuple(float(round(x / weight, 9)) for x in delta.ravel())


def promotion_deltas(config: Config, dialect: str, target: str) -> dict[str, np.ndarray]:
    """RK-ATK-6b: what each judge's promotion of ``target`` adds to the honest win matrix (judges that change it)."""
    judges = judges_of(config)
    h = honest(config, dialect).winner or ""
    base = win_matrix(config, config.honest_round, judges)
    deltas = {k: win_matrix(config, plans.rewritten(config, [k], target, h), judges) - base for k in voters(config)}
    return {k: d for k, d in deltas.items() if d.any() and judges[k].reputation > 0}


def judge_classes(config: Config, dialect: str, target: str, objective: str) -> list[JudgeClass]:
    """RK-ATK-6b: the round's judges grouped by the pattern their promotion of ``target`` adds to W."""
    judges = judges_of(config)
    groups: dict[tuple[float, ...], list[str]] = {}
    for k, delta in promotion_deltas(config, dialect, target).items():
        groups.setdefault(_pattern(delta, judges[k].reputation), []).append(k)
    return [_achievable(tuple(sorted(g, key=lambda k: (-judges[k].reputation, k))), judges, objective)
            for g in groups.values()]


def _achievable(members: tuple[str, ...], judges: dict[str, JudgeState], objective: str) -> JudgeClass:
    """The weights a class can promote: the heaviest m members (count) or every subset sum (reputation)."""
    if objective == "count":
        return JudgeClass(members, tuple(float(m) for m in range(len(members) + 1)),
                          tuple(members[:m] for m in range(len(members) + 1)))
    reached: dict[float, tuple[str, ...]] = {0.0: ()}
    for k in members:
        for value, chosen in list(reached.items()):
            reached.setdefault(round(value + judges[k].reputation, 9), (*chosen, k))
    values = sorted(reached)
    return JudgeClass(members, tuple(values), tuple(reached[v] for v in values))


class _Search:
    """Branch and bound for every rival of the honest winner, sharing the best coalition found."""

    def __init__(self, config: Config, dialect: str, objective: str, max_nodes: int) -> None:
        self.config, self.dialect, self.objective = config, dialect, objective
        self.judges = judges_of(config)
        self.winner = honest(config, dialect).winner or ""
        self.budget = max_nodes
        self.nodes = self.evaluations = self.refuted = 0
        self.closest = -float("inf")
        self.best: tuple[float, tuple[str, ...], str] | None = None
        self.base = win_matrix(config, config.honest_round, self.judges)
        self.deltas: dict[str, np.ndarray] = {}
        self.open_bounds: list[float] = []

    def room(self, members: Sequence[str], target: str) -> tuple[float, bool] | None:
        """How far ``target`` is past beating the winner after ``members`` promote it, and whether the model's
        winner changed (None: the round names no winner). RK-BT-7: within TIE_GAP the one listed first wins,
        so t needs θ_t − θ_h > −TIE_GAP when listed before h, > TIE_GAP otherwise."""
        self.evaluations += 1
        w = self.base + sum((self.deltas[k] for k in members), np.zeros_like(self.base))
        result = consensus_of_matrix(self.config, w, get_dialect(self.dialect))
        if result.winner is None:
            return None
        names = self.config.candidates
        needed = -TIE_GAP if names.index(target) < names.index(self.winner) else TIE_GAP
        return result.theta[target] - result.theta[self.winner] - needed, result.winner != self.winner

    def run_target(self, target: str) -> None:
        """Cheapest-first expansion of the boxes of one rival (RK-ATK-6c)."""
        classes = judge_classes(self.config, self.dialect, target, self.objective)
        self.deltas = promotion_deltas(self.config, self.dialect, target)

        def members(index: tuple[int, ...]) -> list[str]:
            return [k for cls, i in zip(classes, index, strict=True) for k in cls.sets[i]]

        def cost(index: tuple[int, ...]) -> float:
            return sum(cls.costs[i] for cls, i in zip(classes, index, strict=True))

        heap = [(0.0, (0,) * len(classes), tuple(len(cls.costs) - 1 for cls in classes))]
        while heap:
            low_cost, lo, hi = heap[0]
            if self.best is not None and low_cost >= self.best[0] - 1e-12:
                return
            if self.nodes >= self.budget:
                self.open_bounds.append(low_cost)
                return
            heapq.heappop(heap)
            self.nodes += 1
            top = self.room(members(hi), target)
            if top is not None and top[0] <= 0:
                self.refuted += 1
                self.closest = max(self.closest, top[0])
                continue
            bottom = self.room(members(lo), target)
            if bottom is not None and bottom[0] > 0 and bottom[1]:
                self.best = (low_cost, tuple(members(lo)), target)
                return
            if lo == hi:
                continue
            widest = max(range(len(classes)), key=lambda p: classes[p].costs[hi[p]] - classes[p].costs[lo[p]])
            middle = (lo[widest] + hi[widest]) // 2
            upper, lower = list(hi), list(lo)
            upper[widest], lower[widest] = middle, middle + 1
            heapq.heappush(heap, (low_cost, lo, tuple(upper)))
            heapq.heappush(heap, (cost(tuple(lower)), tuple(lower), hi))


def exact_flip(config: Config, dialect: str, objective: str, max_nodes: int = MAX_NODES) -> Certificate:
    """RK-ATK-6: the cheapest coalition (``objective`` "count" or "reputation") whose promotion of some rival
    lifts it above the honest winner, with the branch-and-bound proof (or a lower bound past the budget)."""
    search = _Search(config, dialect, objective, max_nodes)
    theta = honest(config, dialect).theta
    rivals = sorted((c for c in config.candidates if c != search.winner), key=lambda c: -theta[c])
    if search.winner:
        for target in rivals:
            search.run_target(target)
    best = search.best
    unproven = [b for b in search.open_bounds if best is None or b < best[0] - 1e-12]
    lower = min(unproven) if unproven else (best[0] if best is not None else float("inf"))
    order = {j: i for i, j in enumerate(config.judges)}
    members = tuple(sorted(best[1], key=order.__getitem__)) if best is not None else None
    sound = search.closest < -SLACK * config.aggregation.tolerance
    return Certificate(objective, members, best[2] if best else "", best[0] if best else float("inf"), lower,
                       not unproven and sound, search.nodes, search.evaluations, search.refuted, search.closest)
