"""A round's consensus (spec/ranking.md, RK-BT-4..8): existence check, fit, winner.

The spec dialect refuses to name a winner when the MLE does not exist (status ``no-mle``, with the
strongly connected components reported) or the solver did not meet its tolerance (``not-converged``);
the client dialect reads a winner off whatever its solver reached (RK-DIV-1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from peerproof.reference.ranking.bradley_terry import fit, strong_components
from peerproof.reference.ranking.config import Config
from peerproof.reference.ranking.dialect import Dialect
from peerproof.reference.ranking.reputation import TIE_GAP
from peerproof.reference.ranking.schedule import Comparison
from peerproof.reference.ranking.weights import JudgeState, win_matrix

STATUSES = ("ok", "no-mle", "not-converged", "empty")


@dataclass(frozen=True)
class Consensus:
    """RK-BT-8: the result of a round: status, winner (None when there is none), log-strengths, iterations."""

    status: str
    winner: str | None
    theta: Mapping[str, float]
    iterations: int = 0
    components: tuple[tuple[str, ...], ...] = ()


def winner_of(candidates: Sequence[str], theta: Mapping[str, float]) -> str:
    """RK-BT-7: the candidate of largest log-strength; within TIE_GAP, the one listed first."""
    best = max(theta[c] for c in candidates)
    return next(c for c in candidates if theta[c] >= best - TIE_GAP)


def consensus(config: Config, comparisons: Sequence[Comparison], judges: Mapping[str, JudgeState],
              dialect: Dialect) -> Consensus:
    """RK-BT-8: aggregate a round's comparisons into its consensus under the dialect's rules."""
    return consensus_of_matrix(config, win_matrix(config, comparisons, judges), dialect)


def consensus_of_matrix(config: Config, w: np.ndarray, dialect: Dialect) -> Consensus:
    """RK-BT-4..8: the consensus of a round whose weighted win matrix (RK-W) is ``w``."""
    names = config.candidates
    flat = {c: 0.0 for c in names}
    if not w.any():
        return Consensus("empty", None, flat)
    components = strong_components(w)
    labelled = tuple(tuple(names[i] for i in group) for group in components)
    if dialect.check_existence and len(components) > 1:
        return Consensus("no-mle", None, flat, 0, labelled)
    a = config.aggregation
    result = fit(w, dialect.solver_override or a.solver, a.tolerance, a.max_iterations)
    theta = dict(zip(names, result.theta, strict=True))
    if not result.converged and dialect.check_existence:
        return Consensus("not-converged", None, theta, result.iterations, labelled)
    status = "ok" if result.converged and len(components) == 1 else "no-mle" if len(components) > 1 else "not-converged"
    return Consensus(status, winner_of(names, theta), theta, result.iterations, labelled)
