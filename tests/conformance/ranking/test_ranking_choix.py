"""RK-DIFF-1: the model's strengths equal choix's within 1e-6 (choix is the oracle; both centre θ to mean 0).

Unweighted comparisons against ``ilsr_pairwise`` and ``mm_pairwise``; reputation-weighted rounds against
``ilsr_pairwise_dense`` (real-valued win matrices are weighted Bradley–Terry); nearly disconnected rounds
(two clusters joined by one win each way); and disconnected ones, where choix raises and the spec
reports ``no-mle``. Every model result goes through the model's fold (a config, a close event).
"""

from __future__ import annotations

import warnings

import choix
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from peerproof.reference.ranking import MODEL, Close, Comparison, Config
from peerproof.reference.ranking.config import Aggregation, Judge

AGREE = 1e-6
TIGHT = {"tol": 1e-12}


def round_of(n: int, data: list[tuple[int, int]], reputations: list[float] | None = None,
             solver: str = "ilsr") -> Config:
    """A config whose round is ``data`` ((winner, loser) pairs), judge k judging comparison k."""
    names = tuple(f"c{i}" for i in range(n))
    reps = reputations or [1.0] * len(data)
    judges = {f"j{k}": Judge(r, 0.0, 0) for k, r in enumerate(reps)}
    comps = tuple(Comparison(f"j{k}", names[w], names[lo], "first") for k, (w, lo) in enumerate(data))
    return Config(names, dict.fromkeys(names), judges, comps,
                  Aggregation(solver=solver, tolerance=1e-10, max_iterations=200_000, weight="per-comparison"))


def model_theta(config: Config) -> tuple[str, np.ndarray]:
    last = MODEL.final_state(config, [Close(at_ms=0)]).last
    return last.status, np.array([last.theta[c] for c in config.candidates])


def connected_data(rng: np.random.Generator, n: int, extra: int) -> list[tuple[int, int]]:
    """A cycle through every item (so the MLE exists) plus ``extra`` random comparisons."""
    order = rng.permutation(n)
    data = [(int(order[i]), int(order[(i + 1) % n])) for i in range(n)]
    for _ in range(extra):
        i, j = rng.choice(n, size=2, replace=False)
        data.append((int(i), int(j)))
    return data


def near_disconnected(rng: np.random.Generator, n: int) -> list[tuple[int, int]]:
    """Two dense clusters joined by a single win each way."""
    half = n // 2
    left = [(int(i), int(j)) for i, j in connected_data(rng, half, 3 * half)]
    right = [(half + i, half + j) for i, j in connected_data(rng, n - half, 3 * (n - half))]
    return left + right + [(0, half), (half, 0)]


SEEDS = st.integers(0, 2**32 - 1)


@settings(max_examples=40)
@given(SEEDS, st.integers(2, 8), st.integers(0, 40))
def test_rk_diff_1_ilsr_equals_choix_ilsr_pairwise(seed: int, n: int, extra: int) -> None:
    data = connected_data(np.random.default_rng(seed), n, extra)
    status, theta = model_theta(round_of(n, data))
    assert status == "ok"
    assert np.max(np.abs(theta - choix.ilsr_pairwise(n, data, max_iter=10_000, **TIGHT))) < AGREE


@settings(max_examples=30)
@given(SEEDS, st.integers(2, 7), st.integers(0, 30))
def test_rk_diff_1_mm_equals_choix_mm_pairwise(seed: int, n: int, extra: int) -> None:
    data = connected_data(np.random.default_rng(seed), n, extra)
    status, theta = model_theta(round_of(n, data, solver="mm"))
    assert status == "ok"
    assert np.max(np.abs(theta - choix.mm_pairwise(n, data, max_iter=200_000, **TIGHT))) < AGREE


@settings(max_examples=40)
@given(SEEDS, st.integers(2, 8), st.integers(0, 40))
def test_rk_diff_1_weighted_equals_choix_dense(seed: int, n: int, extra: int) -> None:
    rng = np.random.default_rng(seed)
    data = connected_data(rng, n, extra)
    reps = [float(r) for r in rng.uniform(0.01, 1.0, size=len(data))]
    dense = np.zeros((n, n))
    for (w, lo), r in zip(data, reps, strict=True):
        dense[w, lo] += r
    status, theta = model_theta(round_of(n, data, reps))
    assert status == "ok"
    assert np.max(np.abs(theta - choix.ilsr_pairwise_dense(dense, max_iter=10_000, **TIGHT))) < AGREE


@settings(max_examples=20)
@given(SEEDS, st.integers(4, 10))
def test_rk_diff_1_nearly_disconnected_rounds_agree(seed: int, n: int) -> None:
    data = near_disconnected(np.random.default_rng(seed), n)
    for solver in ("ilsr", "mm"):
        status, theta = model_theta(round_of(n, data, solver=solver))
        assert status == "ok"
        assert np.max(np.abs(theta - choix.ilsr_pairwise(n, data, max_iter=10_000, **TIGHT))) < AGREE, solver


def test_rk_diff_1_repeated_comparisons_are_integer_weights() -> None:
    rng = np.random.default_rng(7)
    data = connected_data(rng, 5, 12)
    doubled = round_of(5, data, [2.0] * len(data))
    _, theta = model_theta(doubled)
    assert np.max(np.abs(theta - choix.ilsr_pairwise(5, data + data, max_iter=10_000, **TIGHT))) < AGREE


def test_rk_bt_4_disconnected_choix_raises_and_the_spec_reports_no_mle() -> None:
    data = [(0, 1), (1, 2), (2, 1), (0, 2)]  # item 0 never loses
    with pytest.raises(ValueError, match="stationary distribution"):
        choix.ilsr_pairwise(3, data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="Did not converge"):
            choix.mm_pairwise(3, data, max_iter=2000)
    last = MODEL.final_state(round_of(3, data), [Close(at_ms=0)]).last
    assert last.status == "no-mle" and last.winner is None and last.components == (("c0",), ("c1", "c2"))
