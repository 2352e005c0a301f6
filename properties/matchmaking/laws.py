"""Model laws of the CPM (spec §13, MM-LAW-1..9) as predicates: each returns the account of a violation or
None. Each takes the piece of the model it judges as an argument, so a test can hand it a broken one
(tests/matchmaking/test_matchmaking_mutants.py) and show the law catches it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import networkx as nx
import numpy as np
from peerproof.reference.matchmaking.linucb import Bandit, initial_bandit, means_and_widths, update
from peerproof.reference.matchmaking.matching import Pair

Update = Callable[[Bandit, np.ndarray, float], Bandit]


def fold(xs: Sequence[np.ndarray], rs: Sequence[float], lam: float, step: Update = update) -> list[Bandit]:
    """The bandit after each of a stream of (context, reward) updates, from A = λI."""
    out = [initial_bandit(len(xs[0]), lam)]
    for x, r in zip(xs, rs, strict=True):
        out.append(step(out[-1], np.asarray(x, dtype=float), r))
    return out


def spd_and_increasing(states: Sequence[Bandit], lam: float) -> str | None:
    """MM-LAW-1/2: A stays symmetric with λ_min(A) ≥ λ, and A_{t+1} − A_t is positive semidefinite.

    Up to the rounding of A's own precision (float32 in the code dialect): ε·max(1, max|A|) with ε ten
    machine epsilons.
    """
    for t, b in enumerate(states):
        A = b.A.astype(np.float64)
        tol = 10 * float(np.finfo(b.A.dtype).eps) * max(1.0, float(np.abs(A).max()))
        if not np.allclose(A, A.T, atol=tol):
            return f"after {t} updates A is not symmetric"
        low = float(np.linalg.eigvalsh(A).min())
        if low < lam - tol:
            return f"after {t} updates λ_min(A) = {low:.6g} < λ = {lam}"
        if t and float(np.linalg.eigvalsh(A - states[t - 1].A.astype(np.float64)).min()) < -tol:
            return f"update {t} made A smaller in the Loewner order"
    return None


def incremental_inverse_exact(states: Sequence[Bandit], tolerance: float = 1e-8) -> str | None:
    """MM-LAW-3: the Sherman–Morrison inverse equals inv(A) (relative to ‖inv(A)‖)."""
    for t, b in enumerate(states):
        direct = np.linalg.inv(b.A)
        err = float(np.abs(b.A_inv - direct).max()) / max(1.0, float(np.abs(direct).max()))
        if err > tolerance:
            return f"after {t} updates the incremental inverse is off by {err:.3g}"
    return None


def order_independent(xs: Sequence[np.ndarray], rs: Sequence[float], lam: float, order: Sequence[int],
                      step: Update = update) -> str | None:
    """MM-LAW-4: (A, b) after the updates do not depend on their order."""
    a = fold(xs, rs, lam, step)[-1]
    b = fold([xs[i] for i in order], [rs[i] for i in order], lam, step)[-1]
    scale = max(1.0, float(np.abs(a.A).max()), float(np.abs(a.b).max()))
    if np.abs(a.A - b.A).max() > 1e-9 * scale or np.abs(a.b - b.b).max() > 1e-9 * scale:
        return f"reordering the updates as {list(order)} changes (A, b)"
    return None


def ucb_at_least_mean(bandit: Bandit, X: np.ndarray, beta: float,
                      score: Callable[[Bandit, np.ndarray, float, bool], np.ndarray]) -> str | None:
    """MM-LAW-5: with β ≥ 0 every UCB is at least the estimated mean θ̂ᵀx."""
    means, _w = means_and_widths(bandit, X, False)
    ucbs = score(bandit, X, beta, False)
    k = int(np.argmin(ucbs - means))
    if ucbs[k] < means[k] - 1e-9 * max(1.0, abs(means[k])):
        return f"context {k}: UCB {ucbs[k]:.6g} below its mean {means[k]:.6g}"
    return None


def matching_valid(chosen: Sequence[Pair], n_agents: int, budget: int) -> str | None:
    """MM-LAW-6: a round's pairs are disjoint and at most min(K_p, ⌊N/2⌋)."""
    members = [a for p in chosen for a in (p.student, p.teacher)]
    if len(members) != len(set(members)):
        return f"an agent is in two pairs: {[p.key for p in chosen]}"
    if len(chosen) > min(budget, n_agents // 2):
        return f"{len(chosen)} pairs exceed the budget min({budget}, {n_agents // 2})"
    return None


def greedy_half_optimal(scored: Sequence[tuple[int, int, Pair]], chosen: Sequence[Pair]) -> str | None:
    """MM-LAW-7: with a budget of ⌊N/2⌋ and positive weights, greedy ≥ ½ of the maximum-weight matching."""
    g = nx.Graph()
    for i, j, p in scored:
        if p.ucb > 0:
            g.add_edge(i, j, weight=p.ucb)
    best = sum(g[u][v]["weight"] for u, v in nx.max_weight_matching(g))
    got = sum(p.ucb for p in chosen if p.ucb > 0)
    if got < 0.5 * best - 1e-9 * max(1.0, best):
        return f"greedy weight {got:.6g} < half the optimum {best:.6g}"
    return None


def cpm_inputs_minimal(config: Any, state: Any) -> str | None:
    """MM-LAW-8 (MM-PRIV-1): the CPM stores exactly d_p numbers per agent and nothing else per agent."""
    for who, profile in zip(state.ids, state.profiles, strict=True):
        if len(profile) != config.dimension:
            return f"{who}'s stored profile has {len(profile)} numbers, not d_p = {config.dimension}"
    return None


def loglog_slope(regret: Sequence[float], horizons: Sequence[int]) -> float:
    """MM-LAW-9: the slope of log cumulative regret against log T (1 for linear regret)."""
    r = np.maximum(np.asarray([regret[t - 1] for t in horizons], dtype=float), 1e-12)
    return float(np.polyfit(np.log(horizons), np.log(r), 1)[0])
