"""Weighted Bradley–Terry maximum likelihood (spec/ranking.md, RK-BT-1..8).

The input is a weighted win matrix ``W`` (``W[i, j]`` = reputation-weighted wins of candidate i over
j; a tie adds half to each side). The likelihood ``ℓ(θ) = Σ W[i, j] (θ_i − log(e^θ_i + e^θ_j))`` has a
finite maximiser, unique up to a common shift, exactly when the win digraph (edge i→j when W[i, j] > 0)
is strongly connected (Ford 1957; Hunter 2004, Assumption 1). Every solver returns centred
log-strengths θ (mean 0, choix's convention) and says whether it converged; none of them divides by
zero or returns NaN on any input.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import connected_components

SOLVERS = ("mm", "ilsr", "zermelo-gs")


@dataclass(frozen=True)
class Fit:
    """A solver's result: centred log-strengths, the iterations used and whether it met its tolerance."""

    theta: tuple[float, ...]
    iterations: int
    converged: bool


def strong_components(w: np.ndarray) -> list[list[int]]:
    """RK-BT-4: the strongly connected components of the win digraph, each sorted, in order of first member."""
    n = w.shape[0]
    if n == 0:
        return []
    count, labels = connected_components(w > 0, directed=True, connection="strong")
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(int(labels[i]), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0]) if count else []


def mle_exists(w: np.ndarray) -> bool:
    """RK-BT-4: the weighted MLE exists (and is unique up to a shift) iff the win digraph is strongly connected."""
    return w.shape[0] >= 1 and len(strong_components(w)) == 1


def centred(log_strengths: np.ndarray) -> np.ndarray:
    """RK-BT-6: the normalisation every solver reports: log-strengths shifted to mean 0."""
    return log_strengths - log_strengths.mean()


def mm(w: np.ndarray, tolerance: float, max_iterations: int) -> Fit:
    """RK-BT-2: Hunter's MM (Zermelo) iteration π_i ← W_i / Σ_j n_ij/(π_i + π_j), all i at once."""
    n = w.shape[0]
    wins = w.sum(axis=1)
    games = w + w.T
    theta = np.zeros(n)
    for iteration in range(1, max_iterations + 1):
        pi = np.exp(theta)
        denominator = (games / (pi[:, None] + pi[None, :])).sum(axis=1)
        with np.errstate(divide="ignore"):
            new = np.where((wins > 0) & (denominator > 0), np.log(np.where(wins > 0, wins, 1.0))
                           - np.log(np.where(denominator > 0, denominator, 1.0)), -np.inf)
        if not np.all(np.isfinite(new)):  # a winless candidate: the MLE is at infinity (RK-BT-4)
            return Fit(tuple(float(x) for x in centred(theta)), iteration, False)
        new = centred(new)
        step = float(np.max(np.abs(new - theta)))
        theta = new
        if step < tolerance:
            return Fit(tuple(float(x) for x in theta), iteration, True)
    return Fit(tuple(float(x) for x in theta), max_iterations, False)


def stationary(rates: np.ndarray) -> np.ndarray | None:
    """The stationary distribution of the continuous-time chain with off-diagonal ``rates`` (None if not unique).

    The balance equations with the last one replaced by Σν = 1, solved by LU; a singular system or a
    non-positive solution means several closed classes (the caller checks existence first, RK-BT-4).
    """
    n = rates.shape[0]
    top = rates.max()
    rates = rates / top if top > 0 else rates  # the distribution is scale-free; unit rates keep errors relative
    system = (rates - np.diag(rates.sum(axis=1))).T
    system[-1, :] = 1.0
    target = np.zeros(n)
    target[-1] = 1.0
    try:
        solution = np.linalg.solve(system, target)
    except np.linalg.LinAlgError:
        return None
    if np.any(solution <= 0) or not np.all(np.isfinite(solution)):
        return None
    return solution


def ilsr(w: np.ndarray, tolerance: float, max_iterations: int) -> Fit:
    """RK-BT-3: Maystre & Grossglauser's iterative Luce spectral ranking; the rate j→i is W[i, j]/(π_i + π_j)."""
    n = w.shape[0]
    theta = np.zeros(n)
    for iteration in range(1, max_iterations + 1):
        pi = np.exp(theta)
        rates = (w / (pi[:, None] + pi[None, :])).T  # rate from loser j to winner i
        np.fill_diagonal(rates, 0.0)
        # Solve for ν = π_new / π (rates from j scaled by π_j): ν is near uniform as the iteration settles,
        # so strengths many orders of magnitude apart keep their relative accuracy.
        dist = stationary(rates * pi[:, None])
        if dist is None:  # several absorbing classes: the MLE does not exist (RK-BT-4)
            return Fit(tuple(float(x) for x in theta), iteration, False)
        new = centred(np.log(dist) + theta)
        step = float(np.max(np.abs(new - theta)))
        theta = new
        if step < tolerance:
            return Fit(tuple(float(x) for x in theta), iteration, True)
    return Fit(tuple(float(x) for x in theta), max_iterations, False)


def zermelo_gs(w: np.ndarray, tolerance: float, max_iterations: int) -> Fit:
    """RK-DIV-2: the public client's solver: Gauss–Seidel Zermelo in place, Σs = n, stop on max |Δs| < tol.

    A candidate with no comparisons keeps s = 1; one with no wins gets s = 0, reported as a log-strength
    50 below the lowest positive one so observations stay finite and ordered.
    """
    n = w.shape[0]
    wins = w.sum(axis=1).tolist()
    games = w + w.T
    rows, cols = np.nonzero(games)
    opponents: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        opponents[i].append((j, float(games[i, j])))
    s = [1.0] * n
    converged, used = False, max_iterations
    for iteration in range(1, max_iterations + 1):  # plain floats: the sweep is sequential by definition
        before = list(s)
        for i in range(n):
            denominator = sum(g / (s[i] + s[j]) for j, g in opponents[i])
            s[i] = wins[i] / denominator if denominator > 0 else 1.0
        total = sum(s)
        s = [x * n / total for x in s] if total > 0 else [1.0] * n
        if max(abs(x - y) for x, y in zip(s, before, strict=True)) < tolerance:
            converged, used = True, iteration
            break
    return Fit(tuple(float(x) for x in log_of_strengths(np.array(s))), used, converged)


def log_of_strengths(s: np.ndarray) -> np.ndarray:
    """Centred log-strengths of strengths that may be 0 (a zero maps 50 below the lowest positive one)."""
    positive = s > 0
    if not positive.any():
        return np.zeros_like(s)
    logs = np.full(s.shape, 0.0)
    logs[positive] = np.log(s[positive])
    logs[~positive] = logs[positive].min() - 50.0
    return centred(logs)


def fit(w: np.ndarray, solver: str, tolerance: float, max_iterations: int) -> Fit:
    """Run the named solver (RK-BT-2/3, RK-DIV-2) on the weighted win matrix."""
    if solver == "mm":
        return mm(w, tolerance, max_iterations)
    if solver == "ilsr":
        return ilsr(w, tolerance, max_iterations)
    if solver == "zermelo-gs":
        return zermelo_gs(w, tolerance, max_iterations)
    raise ValueError(f"unknown solver {solver!r}; choose one of {', '.join(SOLVERS)}")
