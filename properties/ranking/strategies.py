"""Hypothesis strategies for ranking rounds: small configs whose shrunk counterexamples read by hand.

A round is a config (candidates, judges with reputations, comparisons); ``connected_rounds`` adds a
cycle of wins through every candidate so the MLE exists (RK-BT-4) and the laws about the optimum apply.
"""

from __future__ import annotations

from hypothesis import strategies as st
from peerproof.reference.ranking.config import Aggregation, Config, Judge
from peerproof.reference.ranking.schedule import OUTCOMES, Comparison

CANDIDATES = ("a", "b", "c", "d", "e")


def judge_ids(count: int) -> tuple[str, ...]:
    """The ids of the first ``count`` judges: j0, j1, ..."""
    return tuple(f"j{k}" for k in range(count))


@st.composite
def comparisons(draw: st.DrawFn, candidates: tuple[str, ...], judges: tuple[str, ...],
                max_size: int = 16) -> list[Comparison]:
    """RK-ROUND-1: comparisons of distinct candidates by the given judges."""
    out = []
    for _ in range(draw(st.integers(0, max_size))):
        first, second = draw(st.permutations(candidates))[:2]
        out.append(Comparison(draw(st.sampled_from(judges)), first, second, draw(st.sampled_from(OUTCOMES))))
    return out


def cycle(candidates: tuple[str, ...], judge: str) -> list[Comparison]:
    """A cycle of wins a ≻ b ≻ … ≻ a: with it the win digraph is strongly connected."""
    n = len(candidates)
    return [Comparison(judge, candidates[i], candidates[(i + 1) % n], "first") for i in range(n)]


@st.composite
def rounds(draw: st.DrawFn, connected: bool = False, weight: str | None = None, prior: float = 0.0) -> Config:
    """A round: 2–5 candidates, 1–4 judges with reputations in [0.05, 1], random comparisons."""
    candidates = CANDIDATES[: draw(st.integers(2, 5))]
    judges = judge_ids(draw(st.integers(1, 4)))
    reps = [draw(st.floats(0.05, 1.0, allow_nan=False)) for _ in judges]
    comps = draw(comparisons(candidates, judges))
    if connected:
        comps = cycle(candidates, draw(st.sampled_from(judges))) + comps
    elif not comps:
        comps = cycle(candidates, judges[0])[:1]
    chosen = weight or draw(st.sampled_from(("per-judge", "per-comparison")))
    judged = {j: Judge(r, 0.0, 0) for j, r in zip(judges, reps, strict=True)}
    rule = Aggregation(solver="ilsr", tolerance=1e-10, max_iterations=2000, prior=prior, weight=chosen)
    return Config(candidates, dict.fromkeys(candidates), judged, tuple(comps), rule)


def connected_rounds(weight: str | None = None) -> st.SearchStrategy[Config]:
    """Rounds whose win digraph is strongly connected, so the MLE exists (RK-BT-4)."""
    return rounds(connected=True, weight=weight)
