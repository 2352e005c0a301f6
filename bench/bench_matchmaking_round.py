"""Benchmark: one CPM round for 64 agents (2,016 candidate pairs) at context dimension d = 64.

The reference model's ``match`` step (score every pair by θ̂ᵀx + β√(xᵀA⁻¹x), orient roles, greedy
disjoint matching) against mabwiser 2.7.4's single-arm LinUCB scoring the same 2,016 contexts with
``predict_expectations`` (scoring only, no matching), both after the same updates, in this one process;
the UCB values are compared so both did the same work. Target (issue 9): reference >= 1x mabwiser.

    python bench/bench_matchmaking_round.py [--repeat 100] [--updates 200]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from mabwiser.mab import MAB, LearningPolicy
from peerproof.reference.matchmaking import MODEL, Match, Reward, config_from_mapping
from peerproof.reference.matchmaking.context import pair_contexts

AGENTS, D_P = 64, 32  # concatenated context: d = 2·d_p = 64


def setup(updates: int, seed: int = 0) -> tuple:
    """A paper-dialect CPM with 64 agents after ``updates`` rewarded pairs, and the same data for mabwiser."""
    rng = np.random.default_rng(seed)
    config = config_from_mapping({
        "protocol": "matchmaking", "dialect": "paper", "context": "concat",
        "profile": {"fields": [{"name": f"f{k}", "low": -1, "high": 1} for k in range(D_P)],
                    "performance_field": "f0"},
        "agents": [{"id": f"a{i}", "profile": list(rng.uniform(-1, 1, D_P))} for i in range(AGENTS)],
        "bandit": {"lambda": 1.0, "beta": 1.0}, "matching": {"pair_budget": AGENTS // 2},
        "reward": {"normalise": "none"},
    })
    d, state = MODEL.start(config)
    xs, rs = [], []
    t = 0
    while len(xs) < updates:
        t += 1000
        state = MODEL.step(config, state, Match(t), d)
        for k, p in enumerate(state.selection):
            if len(xs) == updates:
                break
            r = float(rng.normal())
            xs.append(np.asarray(state.contexts[k]))
            rs.append(r)
            state = MODEL.step(config, state, Reward(t + 1, p.student, p.teacher, p.student, r, 0.0), d)
    return config, d, state, np.array(xs), np.array(rs)


def main() -> None:
    """Time both, check they agree, print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--updates", type=int, default=200)
    args = parser.parse_args()
    config, d, state, xs, rs = setup(args.updates)
    mab = MAB(arms=[0], learning_policy=LearningPolicy.LinUCB(alpha=1.0, l2_lambda=1.0), seed=0)
    mab.fit(decisions=np.zeros(len(xs)), rewards=rs, contexts=xs)
    after = MODEL.step(config, state, Match(10**9), d)
    profile = dict(zip(state.ids, state.profiles, strict=True))
    from peerproof.reference.matchmaking import score_pairs

    scored = score_pairs(config, state, d, state.round + 1)
    X = pair_contexts("concat", np.array([profile[p.student] for _i, _j, p in scored]),
                      np.array([profile[p.teacher] for _i, _j, p in scored]))
    theirs = np.array([e[0] for e in mab.predict_expectations(X)])
    np.testing.assert_allclose([p.ucb for _i, _j, p in scored], theirs, rtol=1e-8, atol=1e-8)
    assert len(scored) == AGENTS * (AGENTS - 1) // 2 and len(after.selection) == AGENTS // 2

    def timed(fn) -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    ours_times, theirs_times = [], []
    for _ in range(args.repeat):  # interleaved, so both see the same load on a shared machine
        ours_times.append(timed(lambda: MODEL.step(config, state, Match(10**9), d)))
        theirs_times.append(timed(lambda: mab.predict_expectations(X)))
    ours, mabwiser = min(ours_times), min(theirs_times)
    print(f"CPM round, {AGENTS} agents, {len(scored)} pairs, d = {2 * D_P}, after {args.updates} updates "
          f"(best of {args.repeat}):")
    print(f"  reference match step (score + roles + greedy): {ours * 1e3:.2f} ms")
    print(f"  mabwiser predict_expectations (score only):    {mabwiser * 1e3:.2f} ms")
    print(f"  ratio mabwiser / reference: {mabwiser / ours:.2f}x (target >= 1x)")


if __name__ == "__main__":
    main()
