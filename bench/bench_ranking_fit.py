"""Benchmark: fitting Bradley–Terry to 1,000 candidates × 50,000 comparisons, the reference model vs choix.

Both fit the same comparisons (a cycle through every candidate, so the MLE exists, plus random pairs whose
outcomes are drawn from true strengths) in this one process; the strengths must agree within 1e-6 before
a time is reported. "model round" is the whole close of a round (win matrix, existence check, ILSR);
"fit" the ILSR iteration alone on the win matrix. Target (issue 11): model >= 1x choix.ilsr_pairwise.

    python bench/bench_ranking_fit.py [--candidates 1000] [--comparisons 50000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import choix
import numpy as np
from peerproof.reference.ranking import MODEL, Close, Comparison, Config
from peerproof.reference.ranking.bradley_terry import ilsr
from peerproof.reference.ranking.config import Aggregation, Judge


def comparisons(n: int, m: int, seed: int) -> list[tuple[int, int]]:
    """(winner, loser) pairs: a cycle through every candidate, then random pairs decided by true strengths."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(0, 1, n)
    data = [(i, (i + 1) % n) for i in range(n)]
    pairs = rng.integers(0, n, size=(m - n, 2))
    for i, j in pairs:
        if i == j:
            j = (i + 1) % n
        first_wins = rng.random() < 1 / (1 + np.exp(theta[j] - theta[i]))
        data.append((int(i), int(j)) if first_wins else (int(j), int(i)))
    return data


def best_of(repeat: int, work) -> tuple[float, object]:
    """The fastest of ``repeat`` runs of ``work()`` and its result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    """Run the benchmark and print the times and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--comparisons", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n, data = args.candidates, comparisons(args.candidates, args.comparisons, 0)
    names = tuple(f"c{i}" for i in range(n))
    config = Config(names, dict.fromkeys(names), {"j": Judge(1.0, 0.0, 0)},
                    tuple(Comparison("j", names[w], names[lo], "first") for w, lo in data),
                    Aggregation(solver="ilsr", tolerance=1e-8, max_iterations=100, weight="per-comparison"))
    w = np.zeros((n, n))
    np.add.at(w, (np.array([d[0] for d in data]), np.array([d[1] for d in data])), 1.0)

    t_choix, ref = best_of(args.repeat, lambda: choix.ilsr_pairwise(n, data, tol=1e-8, max_iter=100))
    t_fit, fitted = best_of(args.repeat, lambda: ilsr(w, 1e-8, 100))
    t_round, state = best_of(args.repeat, lambda: MODEL.final_state(config, [Close(at_ms=0)]))
    theta_round = np.array([state.last.theta[c] for c in names])
    err_fit = float(np.max(np.abs(np.array(fitted.theta) - ref)))
    err_round = float(np.max(np.abs(theta_round - ref)))
    assert state.last.status == "ok" and err_fit < 1e-6 and err_round < 1e-6, (err_fit, err_round)
    print(f"{n} candidates × {len(data)} comparisons (best of {args.repeat}); strengths agree within "
          f"{max(err_fit, err_round):.1e}")
    print(f"choix.ilsr_pairwise      {t_choix:8.3f} s")
    print(f"reference ILSR fit       {t_fit:8.3f} s   {t_choix / t_fit:6.2f}x choix ({fitted.iterations} iterations)")
    print(f"reference model round    {t_round:8.3f} s   {t_choix / t_round:6.2f}x choix (win matrix, existence, fit)")


if __name__ == "__main__":
    main()
