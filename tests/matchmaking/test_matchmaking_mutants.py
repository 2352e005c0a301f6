"""Each law catches a deliberately broken model (the quality suite): the law's own search must find a
counterexample against the mutant, and the same input must pass on the real model."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import find, settings
from hypothesis import strategies as st
from peerproof.attacks.checks import Job, Settings
from peerproof.attacks.matchmaking import CHECKS
from peerproof.properties.matchmaking.laws import (
    cpm_inputs_minimal,
    fold,
    greedy_half_optimal,
    incremental_inverse_exact,
    loglog_slope,
    matching_valid,
    order_independent,
    spd_and_increasing,
    ucb_at_least_mean,
)
from peerproof.properties.matchmaking.regret import cumulative_regret, regret_config
from peerproof.properties.matchmaking.strategies import profiles, scored_pairs, streams
from peerproof.reference.matchmaking import MODEL, Match, Report, format_values, get_dialect, load_config
from peerproof.reference.matchmaking.linucb import Bandit, initial_bandit, sherman_morrison, ucb, update
from peerproof.reference.matchmaking.matching import Pair, candidates, greedy

QUICK = settings(max_examples=500, database=None, deadline=None, derandomize=True)


def shrinking_update(b: Bandit, x: np.ndarray, r: float) -> Bandit:
    """Mutant: A ← A − x xᵀ/2 (a sign slip)."""
    return Bandit(b.A - 0.5 * np.outer(x, x), b.A_inv, b.b + r * x, b.updates + 1)


def sloppy_sherman_morrison(b: Bandit, x: np.ndarray, r: float) -> Bandit:
    """Mutant: Sherman–Morrison without the 1 + in the denominator."""
    u = b.A_inv @ x
    inv = b.A_inv - np.outer(u, u) / max(x @ u, 1e-12)
    return Bandit(b.A + np.outer(x, x), inv, b.b + r * x, b.updates + 1)


def discounted_update(b: Bandit, x: np.ndarray, r: float) -> Bandit:
    """Mutant: b ← 0.9·b + r·x (forgetting makes the statistics order-dependent)."""
    return Bandit(b.A + np.outer(x, x), sherman_morrison(b.A_inv, x), 0.9 * b.b + r * x, b.updates + 1)


def lower_confidence(bandit: Bandit, X: np.ndarray, beta: float, direct: bool) -> np.ndarray:
    """Mutant: θ̂ᵀx − β√(xᵀA⁻¹x)."""
    return 2 * ucb(bandit, X, 0.0, direct) - ucb(bandit, X, beta, direct)


def test_mm_law_1_2_catch_a_shrinking_update() -> None:
    bad = find(streams(), lambda s: spd_and_increasing(fold(*s[:2], s[2], shrinking_update), s[2]) is not None,
               settings=QUICK)
    assert spd_and_increasing(fold(*bad[:2], bad[2]), bad[2]) is None


def test_mm_law_3_catches_a_wrong_sherman_morrison() -> None:
    bad = find(streams(), lambda s: incremental_inverse_exact(fold(*s[:2], s[2], sloppy_sherman_morrison)) is not None,
               settings=QUICK)
    assert incremental_inverse_exact(fold(*bad[:2], bad[2])) is None


def test_mm_law_4_catches_forgetting() -> None:
    def broken(s):
        order = list(reversed(range(len(s[0]))))
        return order_independent(s[0], s[1], s[2], order, discounted_update) is not None
    bad = find(streams(), broken, settings=QUICK)
    assert order_independent(bad[0], bad[1], bad[2], list(reversed(range(len(bad[0]))))) is None


def test_mm_law_5_catches_a_lower_confidence_bound() -> None:
    def broken(args):
        (xs, rs, lam), beta = args
        return ucb_at_least_mean(fold(xs, rs, lam)[-1], np.array(xs), beta, lower_confidence) is not None
    (xs, rs, lam), beta = find(st.tuples(streams(), st.floats(0.1, 5.0)), broken, settings=QUICK)
    assert ucb_at_least_mean(fold(xs, rs, lam)[-1], np.array(xs), beta, ucb) is None


def _scored(P):
    d = get_dialect("paper")
    bandit = update(initial_bandit(2 * P.shape[1], 1.0), np.ones(2 * P.shape[1]), 1.0)
    return candidates(d, 0, "concat", bandit, 1.0, tuple(f"a{i}" for i in range(len(P))), P)


def careless_greedy(scored, budget, tie_break) -> tuple[Pair, ...]:
    """Mutant: takes the top pairs without checking that their agents are free."""
    return tuple(p for _i, _j, p in sorted(scored, key=lambda c: -c[2].ucb)[:budget])


def worst_first(scored, budget, tie_break) -> tuple[Pair, ...]:
    """Mutant: greedy in ascending score."""
    flipped = [(i, j, replace(p, ucb=-p.ucb)) for i, j, p in scored]
    chosen = {p.key for p in greedy(flipped, budget, tie_break)}
    return tuple(p for _i, _j, p in scored if p.key in chosen)


def test_mm_law_6_catches_overlapping_pairs() -> None:
    P = find(profiles(min_agents=3), lambda P: matching_valid(careless_greedy(_scored(P), 2, ""), len(P), 2)
             is not None, settings=QUICK)
    assert matching_valid(greedy(_scored(P), 2, "lowest-pair-first"), len(P), 2) is None


def test_mm_law_7_catches_worst_first_matching() -> None:
    scored = find(scored_pairs(min_agents=4), lambda sc: greedy_half_optimal(
        sc, worst_first(sc, len(sc), "lowest-pair-first")) is not None, settings=QUICK)
    assert greedy_half_optimal(scored, greedy(scored, len(scored), "lowest-pair-first")) is None


def test_mm_law_8_catches_a_cpm_that_stores_any_payload() -> None:
    config = load_config("spec/configs/matchmaking/knexa-code.yaml")
    d, state = MODEL.start(config)
    payload = Report(0, "c0", format_values(tuple(np.linspace(0, 1, 1000))))
    leaky = replace(state, profiles=(tuple(float(v) for v in np.linspace(0, 1, 1000)), *state.profiles[1:]))
    assert cpm_inputs_minimal(config, leaky) is not None
    assert cpm_inputs_minimal(config, MODEL.step(config, state, payload, d)) is None


def test_mm_law_9_catches_a_learner_that_never_updates() -> None:
    def frozen(config, state, event, d):
        return replace(MODEL.step(config, state, event, d), bandit=state.bandit)
    horizons = [100, 200, 400, 700, 1000]
    assert loglog_slope(cumulative_regret(regret_config(), 1000, 0, step=frozen), horizons) > 0.9


def test_mm_prop_1_catches_the_concatenation_and_not_the_symmetric_map() -> None:
    paper = load_config("spec/configs/matchmaking/paper.yaml")
    job = Job("pair-score-symmetric")
    found = CHECKS.engine("analytic").run(paper, job, Settings(dialect="paper"))
    assert found.verdict == "violated"
    symmetric = replace(paper, context="symmetric")
    assert CHECKS.witness(symmetric, job, replace(found.trace, config=symmetric)) is None


def test_mm_prop_2_catches_lower_index_students_only() -> None:
    code = load_config("spec/configs/matchmaking/knexa-code.yaml")
    job = Job("roles-permutation-invariant")
    found = CHECKS.engine("analytic").run(code, job, Settings(dialect="knexa-code"))
    assert found.verdict == "violated"
    paper = load_config("spec/configs/matchmaking/paper.yaml")
    trace = replace(found.trace, config=paper, dialect="paper", events=(Match(1000),))
    assert CHECKS.witness(paper, job, trace) is None
