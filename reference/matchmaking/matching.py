"""Roles and the greedy disjoint matching (spec §5–§6, MM-ROLE-*, MM-MATCH-*)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from peerproof.reference.matchmaking.context import pair_contexts
from peerproof.reference.matchmaking.dialect import Dialect
from peerproof.reference.matchmaking.linucb import Bandit, concat_means_and_widths, means_and_widths


@dataclass(frozen=True)
class Pair:
    """A scored candidate pair: who learns, who teaches, and the UCB it was ranked by."""

    student: str
    teacher: str
    ucb: float
    mean: float
    width: float

    @property
    def key(self) -> str:
        """The pair's name in observations: ``student<teacher`` read as "student ← teacher"."""
        return f"{self.student}<{self.teacher}"


def orient(dialect: Dialect, performance: int | None, i: int, j: int, profiles: np.ndarray) -> tuple[int, int]:
    """(student, teacher) of the agents at indices i < j.

    MM-ROLE-1 (``performance``): the higher performer teaches; ties go to the lexicographically larger
    profile, and only identical profiles fall back to the index. MM-ROLE-2 (``lower-index-student``): the
    code's ``combinations(range(n), 2)`` read as "Student i ← Teacher j".
    """
    if dialect.roles == "lower-index-student":
        return i, j
    assert performance is not None
    pi, pj = profiles[i], profiles[j]
    if pi[performance] != pj[performance]:
        return (i, j) if pi[performance] < pj[performance] else (j, i)
    return (j, i) if tuple(pi) > tuple(pj) else (i, j)


def orient_all(dialect: Dialect, performance: int | None, lower: np.ndarray, upper: np.ndarray,
               profiles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``orient`` for many index pairs (lower < upper) at once: the student and teacher index arrays."""
    if dialect.roles == "lower-index-student":
        return lower, upper
    assert performance is not None
    pi, pj = profiles[lower, performance], profiles[upper, performance]
    swap = pi > pj
    for k in np.nonzero(pi == pj)[0]:
        swap[k] = tuple(profiles[lower[k]]) > tuple(profiles[upper[k]])
    return np.where(swap, upper, lower), np.where(swap, lower, upper)


@dataclass(frozen=True)
class Scores:
    """Every unordered pair (lower < upper) as arrays: roles (student, teacher indices), UCB, mean, width."""

    lower: np.ndarray
    upper: np.ndarray
    students: np.ndarray
    teachers: np.ndarray
    ucb: np.ndarray
    mean: np.ndarray
    width: np.ndarray

    def pair(self, k: int, ids: tuple[str, ...]) -> Pair:
        """The k-th pair as a Pair."""
        return Pair(ids[int(self.students[k])], ids[int(self.teachers[k])], float(self.ucb[k]), float(self.mean[k]),
                    float(self.width[k]))


def score_all(dialect: Dialect, performance: int | None, context: str, bandit: Bandit, beta: float,
              profiles: np.ndarray) -> Scores:
    """MM-MATCH-1: every unordered pair of agents with its roles and its UCB, vectorised."""
    lower, upper = np.triu_indices(len(profiles), k=1)
    students, teachers = orient_all(dialect, performance, lower, upper, profiles)
    if not len(lower):
        empty = np.zeros(0)
        return Scores(lower, upper, students, teachers, empty, empty, empty)
    if context == "concat":
        means, widths = concat_means_and_widths(bandit, profiles, students, teachers, dialect.direct_inverse)
    else:
        means, widths = means_and_widths(bandit, pair_contexts(context, profiles[students], profiles[teachers]),
                                         dialect.direct_inverse)
    return Scores(lower, upper, students, teachers, means + beta * widths, means, widths)


def candidates(dialect: Dialect, performance: int | None, context: str, bandit: Bandit, beta: float,
               ids: tuple[str, ...], profiles: np.ndarray) -> list[tuple[int, int, Pair]]:
    """Every unordered pair (i < j) with its roles and its UCB (MM-MATCH-1), as a list."""
    s = score_all(dialect, performance, context, bandit, beta, profiles)
    return [(i, j, Pair(ids[a], ids[b], u, m, w)) for i, j, a, b, u, m, w in
            zip(s.lower.tolist(), s.upper.tolist(), s.students.tolist(), s.teachers.tolist(), s.ucb.tolist(),
                s.mean.tolist(), s.width.tolist(), strict=True)]


def greedy_scores(scores: Scores, ids: tuple[str, ...], budget: int, tie_break: str) -> tuple[Pair, ...]:
    """``greedy`` on the arrays of ``score_all``: the same pairs, with Pair objects built for the chosen only."""
    sign = 1 if tie_break == "lowest-pair-first" else -1
    used = [False] * len(ids)
    chosen: list[Pair] = []
    lower, upper = scores.lower.tolist(), scores.upper.tolist()
    for k in np.lexsort((sign * scores.upper, sign * scores.lower, -scores.ucb)).tolist():
        if len(chosen) >= budget:
            break
        i, j = lower[k], upper[k]
        if used[i] or used[j]:
            continue
        chosen.append(scores.pair(k, ids))
        used[i] = used[j] = True
    return tuple(chosen)


def greedy(scored: list[tuple[int, int, Pair]], budget: int, tie_break: str) -> tuple[Pair, ...]:
    """MM-MATCH-2: take pairs in descending UCB while both agents are free, up to the pair budget.

    Ties (MM-DIV-6): ``lowest-pair-first`` takes the smaller (i, j) first; ``highest-pair-first`` is
    the code's ``sort(reverse=True)`` over (ucb, i, j) tuples.
    """
    sign = 1 if tie_break == "lowest-pair-first" else -1
    n = len(scored)
    ucb = np.fromiter((c[2].ucb for c in scored), float, n)
    first = np.fromiter((c[0] for c in scored), int, n)
    second = np.fromiter((c[1] for c in scored), int, n)
    used: set[int] = set()
    chosen: list[Pair] = []
    for k in np.lexsort((sign * second, sign * first, -ucb)).tolist():
        if len(chosen) >= budget:
            break
        i, j, pair = scored[k]
        if i in used or j in used:
            continue
        chosen.append(pair)
        used.update((i, j))
    return tuple(chosen)
