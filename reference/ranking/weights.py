"""Where reputation enters the likelihood (spec/ranking.md, RK-W-1..4, RK-ADM-2, RK-ROUND-4).

Each counted comparison contributes its judge's weight to the winner's row of the win matrix (a tie
half to each side): ``W[i, j] = Σ_k ω_k · (1[k says i ≻ j] + ½·1[k says i ~ j])``. With ``per-judge``
weighting ω_k = ρ_k / m_k (a judge's reputation split over its m_k counted comparisons, so submitting
more comparisons buys no influence); with ``per-comparison`` ω_k = ρ_k. Only admitted judges count, and
with ``exclude_own`` a judge's comparisons of its own answer do not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from peerproof.reference.ranking.config import Config
from peerproof.reference.ranking.schedule import Comparison


@dataclass(frozen=True)
class JudgeState:
    """RK-REP-1: what the protocol remembers of a judge: reputation, stake, calibration tests passed."""

    reputation: float
    stake: float
    calibration_passed: int


def admitted(config: Config, judge: JudgeState) -> bool:
    """RK-ADM-2: a judge is counted only with enough stake and enough passed calibration tests."""
    return judge.stake >= config.admission.min_stake and judge.calibration_passed >= config.admission.min_calibration


def is_own(config: Config, c: Comparison) -> bool:
    """RK-ROUND-4: the comparison involves an answer the judge itself authored."""
    return config.authors.get(c.first) == c.judge or config.authors.get(c.second) == c.judge


def counted(config: Config, comparisons: Sequence[Comparison], judges: Mapping[str, JudgeState]) -> list[Comparison]:
    """RK-W-1: the comparisons that enter the likelihood (admitted judges, own answers excluded if configured)."""
    return [c for c in comparisons if c.judge in judges and admitted(config, judges[c.judge])
            and not (config.aggregation.exclude_own and is_own(config, c))]


def comparison_weights(config: Config, used: Sequence[Comparison], judges: Mapping[str, JudgeState]) -> list[float]:
    """RK-W-2: the weight ω of each counted comparison."""
    per_judge: dict[str, int] = {}
    for c in used:
        per_judge[c.judge] = per_judge.get(c.judge, 0) + 1
    if config.aggregation.weight == "per-judge":
        return [judges[c.judge].reputation / per_judge[c.judge] for c in used]
    return [judges[c.judge].reputation for c in used]


def win_matrix(config: Config, comparisons: Sequence[Comparison], judges: Mapping[str, JudgeState]) -> np.ndarray:
    """RK-W-1..3: the weighted win matrix of a round, with the prior of RK-BT-5 added when configured."""
    index = {c: i for i, c in enumerate(config.candidates)}
    n = len(config.candidates)
    w = np.zeros((n, n))
    used = counted(config, comparisons, judges)
    for c, omega in zip(used, comparison_weights(config, used, judges), strict=True):
        i, j = index[c.first], index[c.second]
        if c.outcome == "first":
            w[i, j] += omega
        elif c.outcome == "second":
            w[j, i] += omega
        else:
            w[i, j] += omega / 2
            w[j, i] += omega / 2
    voters = {c.judge for c in used}
    if config.aggregation.prior > 0 and voters:
        mean = sum(judges[k].reputation for k in voters) / len(voters)
        w += config.aggregation.prior * mean * (1.0 - np.eye(n))
    return w
