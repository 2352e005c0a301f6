"""Hypothesis strategies for the CPM laws: small context streams, rewards, permutations, agent profiles."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

values = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)


@st.composite
def streams(draw: st.DrawFn, min_dim: int = 1, max_dim: int = 5, max_len: int = 12) -> tuple:
    """(contexts, rewards, λ): a stream of updates of one dimension."""
    dim = draw(st.integers(min_dim, max_dim))
    n = draw(st.integers(1, max_len))
    xs = [np.array(draw(st.lists(values, min_size=dim, max_size=dim))) for _ in range(n)]
    rs = draw(st.lists(values, min_size=n, max_size=n))
    lam = draw(st.sampled_from([0.01, 0.1, 1.0, 3.0]))
    return xs, rs, lam


@st.composite
def profiles(draw: st.DrawFn, min_agents: int = 2, max_agents: int = 7, dim: int = 2) -> np.ndarray:
    """Agent profiles in [0, 1]^dim, distinct rows."""
    n = draw(st.integers(min_agents, max_agents))
    unit = st.floats(0.0, 1.0, allow_nan=False).map(lambda v: round(v, 3))
    rows = draw(st.lists(st.tuples(*[unit] * dim), min_size=n, max_size=n, unique=True))
    return np.array(rows, dtype=float)


@st.composite
def scored_pairs(draw: st.DrawFn, min_agents: int = 2, max_agents: int = 8) -> list:
    """Every unordered pair of n agents with an arbitrary positive score (the input of the greedy matching)."""
    from peerproof.reference.matchmaking.matching import Pair

    n = draw(st.integers(min_agents, max_agents))
    weights = st.floats(0.01, 10.0, allow_nan=False)
    return [(i, j, Pair(f"a{i}", f"a{j}", draw(weights), 0.0, 0.0)) for i in range(n) for j in range(i + 1, n)]
