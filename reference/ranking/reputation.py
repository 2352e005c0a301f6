"""The reputation update (spec/ranking.md, RK-REP-1..5): an exponential moving average of agreement.

The paper does not publish its rule. The spec's choice: after a round with a consensus, each judge
that had counted comparisons moves towards ``ρ_max · a`` where ``a`` ∈ [0, 1] is its agreement with
the consensus order, ``ρ ← clamp((1 − η)·ρ + η·ρ_max·a, ρ_min, ρ_max)``. It is bounded (RK-REP-3), a judge
that always agrees never loses reputation (RK-REP-4), one round moves a judge by at most η·ρ_max
(so farming takes time, RK-REP-5), and old behaviour is forgotten geometrically.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from peerproof.reference.ranking.config import ReputationRule
from peerproof.reference.ranking.schedule import Comparison

TIE_GAP = 1e-9  # RK-BT-7: log-strengths closer than this are a tie in the consensus order


def consensus_outcome(theta: Mapping[str, float], first: str, second: str) -> str:
    """RK-REP-2: the consensus verdict on a pair: the candidate with the larger log-strength, or a tie."""
    gap = theta[first] - theta[second]
    return "first" if gap > TIE_GAP else "second" if gap < -TIE_GAP else "tie"


def agreement_score(stated: str, consensus: str) -> float:
    """RK-REP-2: 1 when a verdict matches the consensus, ½ when exactly one of them is a tie, 0 when opposite."""
    if stated == consensus:
        return 1.0
    return 0.5 if "tie" in (stated, consensus) else 0.0


def agreement(theta: Mapping[str, float], comparisons: Sequence[Comparison]) -> float | None:
    """RK-REP-2: a judge's mean agreement with the consensus over its counted comparisons (None: it had none)."""
    if not comparisons:
        return None
    scores = [agreement_score(c.outcome, consensus_outcome(theta, c.first, c.second)) for c in comparisons]
    return sum(scores) / len(scores)


def updated(rule: ReputationRule, reputation: float, score: float) -> float:
    """RK-REP-3: the EMA step ρ ← clamp((1 − η)ρ + η·ρ_max·a, ρ_min, ρ_max)."""
    moved = (1.0 - rule.learning_rate) * reputation + rule.learning_rate * rule.maximum * score
    return min(rule.maximum, max(rule.minimum, moved))


def farmed(rule: ReputationRule, rounds: int, start: float | None = None) -> float:
    """RK-REP-5: the reputation after ``rounds`` rounds of full agreement from ``start`` (default: initial)."""
    rho = rule.initial if start is None else start
    for _ in range(rounds):
        rho = updated(rule, rho, 1.0)
    return rho
