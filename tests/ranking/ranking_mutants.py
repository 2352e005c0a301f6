"""Deliberately broken ranking models, one per law RK-LAW-1..7 (swapped in with ``monkeypatch``).

A mutant replaces a function where the model looks it up (``module:attribute``), as in
tests/quality/mutants.py: ``consensus`` calls its own imported ``win_matrix`` and ``fit``, ``step``
its own ``updated`` and ``consensus``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from peerproof.reference.ranking.bradley_terry import Fit, centred
from peerproof.reference.ranking.config import Config, ReputationRule
from peerproof.reference.ranking.schedule import Comparison
from peerproof.reference.ranking.weights import JudgeState, comparison_weights, counted

REF = "peerproof.reference.ranking"


@dataclass(frozen=True)
class Mutant:
    """One broken model: ``target`` replaced by ``build(original)``; ``law`` is the law that must catch it."""

    name: str
    law: str
    target: str
    build: Callable[[Any], Any]
    why: str

    def install(self, monkeypatch: Any) -> None:
        """Swap the broken function into the model for the rest of the test."""
        module_name, attr = self.target.split(":")
        module = importlib.import_module(f"{REF}.{module_name}")
        monkeypatch.setattr(module, attr, self.build(getattr(module, attr)))


def additive_floor(original: Callable) -> Callable:
    def weights(config: Config, used: Sequence[Comparison], judges: dict[str, JudgeState]) -> list[float]:
        return [w + 0.05 for w in original(config, used, judges)]
    return weights


def _matrix(config: Config, comparisons: Sequence[Comparison], judges: dict[str, JudgeState],
            keep: Callable[[int, int], bool], sort_pair: bool) -> np.ndarray:
    index = {c: i for i, c in enumerate(config.candidates)}
    n = len(config.candidates)
    w = np.zeros((n, n))
    used = counted(config, comparisons, judges)
    for c, omega in zip(used, comparison_weights(config, used, judges), strict=True):
        i, j = index[c.first], index[c.second]
        if not keep(i, j):
            continue
        if sort_pair:
            i, j = min(i, j), max(i, j)  # the bug: the pair is normalised, the outcome is not flipped with it
        if c.outcome == "first":
            w[i, j] += omega
        elif c.outcome == "second":
            w[j, i] += omega
        else:
            w[i, j] += omega / 2
            w[j, i] += omega / 2
    return w


def one_order_only(original: Callable) -> Callable:
    return lambda config, comparisons, judges: _matrix(config, comparisons, judges, lambda i, j: i < j, False)


def sorted_pairs(original: Callable) -> Callable:
    return lambda config, comparisons, judges: _matrix(config, comparisons, judges, lambda i, j: True, True)


def mm_without_losses(original: Callable) -> Callable:
    def mm(w: np.ndarray, tolerance: float, max_iterations: int) -> Fit:
        wins = w.sum(axis=1)
        theta = np.zeros(w.shape[0])
        for iteration in range(1, max_iterations + 1):
            pi = np.exp(theta)
            denominator = (w / (pi[:, None] + pi[None, :])).sum(axis=1)  # the bug: n_ij = w_ij, losses dropped
            if np.any(wins <= 0) or np.any(denominator <= 0):
                return Fit(tuple(theta), iteration, False)
            new = centred(np.log(wins) - np.log(denominator))
            done = float(np.max(np.abs(new - theta))) < tolerance
            theta = new
            if done:
                return Fit(tuple(float(x) for x in theta), iteration, True)
        return Fit(tuple(float(x) for x in theta), max_iterations, False)
    return mm


def unclamped(original: Callable) -> Callable:
    return lambda rule, reputation, score: (1 - rule.learning_rate) * reputation + \
        rule.learning_rate * rule.maximum * score


def participation_fee(original: Callable) -> Callable:
    def updated(rule: ReputationRule, reputation: float, score: float) -> float:
        moved = (1 - rule.learning_rate) * reputation + rule.learning_rate * rule.maximum * score - 0.01 * rule.maximum
        return min(rule.maximum, max(rule.minimum, moved))
    return updated


def no_existence_check(original: Callable) -> Callable:
    return lambda config, comparisons, judges, dialect: original(config, comparisons, judges,
                                                                 replace(dialect, check_existence=False))


MUTANTS = (
    Mutant("additive-floor", "RK-LAW-1", "weights:comparison_weights", additive_floor,
           "every comparison gets 0.05 on top of its reputation weight: absolute units break scale invariance"),
    Mutant("one-order-only", "RK-LAW-2", "consensus:win_matrix", one_order_only,
           "only comparisons whose first candidate is listed earlier count: the result depends on the listing"),
    Mutant("sorted-pairs", "RK-LAW-3", "consensus:win_matrix", sorted_pairs,
           "the pair is put in listing order but the outcome is not flipped: a win can be credited to the loser"),
    Mutant("mm-without-losses", "RK-LAW-4", "bradley_terry:mm", mm_without_losses,
           "MM's denominator uses the wins only (n_ij = w_ij): a different fixed point than ILSR's"),
    Mutant("unclamped", "RK-LAW-5", "step:updated", unclamped,
           "the EMA without the clamp: a judge that disagrees falls below the minimum"),
    Mutant("participation-fee", "RK-LAW-6", "step:updated", participation_fee,
           "every round costs 1% of the maximum: a judge that always agrees can still lose reputation"),
    Mutant("no-existence-check", "RK-LAW-7", "step:consensus", no_existence_check,
           "the client dialect's behaviour in the spec dialect: a winner is named when the MLE does not exist"),
)
