"""The CPM's one shared LinUCB over pair contexts (spec §4, MM-UCB-*): ridge statistics (A, b), their
Sherman–Morrison inverse, the estimate θ̂ and the upper confidence bound θ̂ᵀx + β√(xᵀA⁻¹x)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class Bandit:
    """The shared LinUCB statistics: A = λI + Σ x xᵀ, its inverse kept by Sherman–Morrison, b = Σ r x."""

    A: np.ndarray
    A_inv: np.ndarray
    b: np.ndarray
    updates: int = 0


def initial_bandit(dimension: int, lam: float, float32: bool = False) -> Bandit:
    """MM-UCB-1: A = λI over the pair context's dimension, b = 0 (the paper's A = I is λ = 1)."""
    dtype = np.float32 if float32 else np.float64
    return Bandit(_frozen(lam * np.eye(dimension, dtype=dtype)), _frozen(np.eye(dimension, dtype=dtype) / dtype(lam)),
                  _frozen(np.zeros(dimension, dtype=dtype)))


def sherman_morrison(A_inv: np.ndarray, x: np.ndarray) -> np.ndarray:
    """MM-UCB-4: (A + x xᵀ)⁻¹ from A⁻¹ in O(d²): A⁻¹ − (A⁻¹x)(A⁻¹x)ᵀ / (1 + xᵀA⁻¹x)."""
    u = A_inv @ x
    return A_inv - np.outer(u, u) / (1.0 + x @ u)


def update(bandit: Bandit, x: np.ndarray, reward: float) -> Bandit:
    """MM-UCB-3: the feedback update A ← A + x xᵀ, b ← b + r·x (in the bandit's precision)."""
    dtype = bandit.A.dtype
    x = np.asarray(x, dtype=dtype)
    r = dtype.type(reward)
    return Bandit(_frozen(bandit.A + np.outer(x, x)), _frozen(sherman_morrison(bandit.A_inv, x).astype(dtype)),
                  _frozen(bandit.b + r * x), bandit.updates + 1)


def inverse(bandit: Bandit, direct: bool) -> np.ndarray:
    """A⁻¹ as the dialect scores with it: inv(A) recomputed (MM-DIV-8, the code) or the incremental one."""
    return np.linalg.inv(bandit.A) if direct else bandit.A_inv


def theta(bandit: Bandit, direct: bool) -> np.ndarray:
    """MM-UCB-2: θ̂ = A⁻¹b (the code solves A θ = b)."""
    return np.linalg.solve(bandit.A, bandit.b) if direct else bandit.A_inv @ bandit.b


def means_and_widths(bandit: Bandit, X: np.ndarray, direct: bool) -> tuple[np.ndarray, np.ndarray]:
    """For each context row x: the estimated mean θ̂ᵀx and the width √(xᵀA⁻¹x), in the bandit's precision."""
    X = np.asarray(X, dtype=bandit.A.dtype)
    A_inv = inverse(bandit, direct)
    means = X @ theta(bandit, direct)
    widths = np.sqrt(np.maximum(((X @ A_inv) * X).sum(axis=1), 0))
    return means.astype(np.float64), widths.astype(np.float64)


def concat_means_and_widths(bandit: Bandit, profiles: np.ndarray, students: np.ndarray, teachers: np.ndarray,
                            direct: bool) -> tuple[np.ndarray, np.ndarray]:
    """``means_and_widths`` of the concatenated contexts [p_s, p_t] of many pairs, from per-agent terms.

    With A⁻¹ = [[M₁₁, M₁₂], [M₂₁, M₂₂]] and θ̂ = [θ₁, θ₂]: θ̂ᵀx = θ₁ᵀp_s + θ₂ᵀp_t and xᵀA⁻¹x = p_sᵀM₁₁p_s +
    2 p_sᵀM₁₂p_t + p_tᵀM₂₂p_t, so N agents cost O(N d² + N² d) instead of O(N² d²) for the N² pairs.
    """
    dtype = bandit.A.dtype
    P = np.asarray(profiles, dtype=dtype)
    d = P.shape[1]
    A_inv = inverse(bandit, direct)
    th = theta(bandit, direct)
    own_s = ((P @ A_inv[:d, :d]) * P).sum(axis=1)
    own_t = ((P @ A_inv[d:, d:]) * P).sum(axis=1)
    cross = (P @ A_inv[:d, d:]) @ P.T
    squared = own_s[students] + 2 * cross[students, teachers] + own_t[teachers]
    means = (P @ th[:d])[students] + (P @ th[d:])[teachers]
    return means.astype(np.float64), np.sqrt(np.maximum(squared, 0)).astype(np.float64)


def beta_at(schedule: str, beta: float, round_index: int) -> float:
    """MM-UCB-5: β in round t, constant (paper) or β0/√max(1, t) (every code path)."""
    return beta if schedule == "constant" else beta / math.sqrt(max(1, round_index))


def ucb(bandit: Bandit, X: np.ndarray, beta: float, direct: bool) -> np.ndarray:
    """MM-UCB-2: the upper confidence bound θ̂ᵀx + β√(xᵀA⁻¹x) of each context row."""
    means, widths = means_and_widths(bandit, X, direct)
    return means + beta * widths
