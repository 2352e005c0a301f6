"""MM-LAW-1..9 on the reference model (spec §13), by Hypothesis and by hand."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
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
from peerproof.reference.matchmaking import MODEL, Match, Report, get_dialect
from peerproof.reference.matchmaking.linucb import initial_bandit, ucb, update
from peerproof.reference.matchmaking.matching import candidates, greedy


@given(streams())
def test_mm_law_1_2_a_stays_spd_and_grows(stream) -> None:
    xs, rs, lam = stream
    assert spd_and_increasing(fold(xs, rs, lam), lam) is None


@given(streams())
def test_mm_law_3_sherman_morrison_equals_direct_inverse(stream) -> None:
    xs, rs, lam = stream
    assert incremental_inverse_exact(fold(xs, rs, lam)) is None


@given(streams(), st.randoms(use_true_random=False))
def test_mm_law_4_statistics_do_not_depend_on_update_order(stream, rnd) -> None:
    xs, rs, lam = stream
    order = list(range(len(xs)))
    rnd.shuffle(order)
    assert order_independent(xs, rs, lam, order) is None


@given(streams(), st.floats(0.0, 5.0))
def test_mm_law_5_ucb_is_at_least_the_mean(stream, beta) -> None:
    xs, rs, lam = stream
    assert ucb_at_least_mean(fold(xs, rs, lam)[-1], np.array(xs), beta, ucb) is None


def _scored(P, dialect_name="paper", budget=None):
    d = get_dialect(dialect_name)
    bandit = update(initial_bandit(2 * P.shape[1], 1.0), np.ones(2 * P.shape[1]), 1.0)
    ids = tuple(f"a{i}" for i in range(len(P)))
    scored = candidates(d, 0, "concat", bandit, 1.0, ids, P)
    return scored, greedy(scored, budget or len(P) // 2, d.tie_break)


@given(profiles(), st.integers(1, 4))
def test_mm_law_6_pairs_are_disjoint_and_within_budget(P, budget) -> None:
    _scored_pairs, chosen = _scored(P, budget=budget)
    assert matching_valid(chosen, len(P), budget) is None


@given(profiles(min_agents=2, max_agents=8))
def test_mm_law_7_greedy_is_half_of_max_weight_matching(P) -> None:
    scored, chosen = _scored(P)
    assert greedy_half_optimal(scored, chosen) is None


@given(scored_pairs(), st.sampled_from(["lowest-pair-first", "highest-pair-first"]))
def test_mm_law_7_greedy_is_half_optimal_for_any_positive_weights(scored, tie_break) -> None:
    assert greedy_half_optimal(scored, greedy(scored, len(scored), tie_break)) is None


def test_mm_law_8_reports_of_the_wrong_length_are_rejected(tmp_path) -> None:
    from peerproof.reference.matchmaking import load_config

    config = load_config("spec/configs/matchmaking/knexa-code.yaml")
    smuggled = ",".join(["0.5"] * 1000)  # 1000 numbers: a model slice, not a profile
    state = MODEL.final_state(config, [Report(0, "c0", smuggled), Report(0, "x", "0.1,0.2"), Match(1)])
    assert state.rejected == 2
    assert cpm_inputs_minimal(config, state) is None


@settings(max_examples=1)
@given(st.just(0))
def test_mm_law_9_regret_is_sublinear_on_a_realizable_linear_environment(seed) -> None:
    horizons = [100, 200, 400, 700, 1000]
    slope = loglog_slope(cumulative_regret(regret_config(), 1000, seed), horizons)
    assert slope < 0.8, slope


@given(profiles(min_agents=2, max_agents=7, dim=2), st.sampled_from(["paper", "knexa-code"]))
def test_mm_role_vectorised_orientation_equals_the_spec_rule(P, dialect_name) -> None:
    from peerproof.reference.matchmaking.matching import orient, orient_all

    d = get_dialect(dialect_name)
    P = np.round(P, 1)  # ties in performance and in whole profiles
    lower, upper = np.triu_indices(len(P), k=1)
    students, teachers = orient_all(d, 0, lower, upper, P)
    assert [orient(d, 0, int(i), int(j), P) for i, j in zip(lower, upper, strict=True)] == \
        list(zip(students.tolist(), teachers.tolist(), strict=True))


def test_mm_prof_2_and_mm_rew_5_extreme_values_are_refused_not_stored() -> None:
    from peerproof.reference.matchmaking import Reward, load_config

    config = load_config("spec/configs/matchmaking/knexa-release.yaml")
    huge = ",".join(["2e6"] * config.dimension)
    d, state = MODEL.start(config)
    state = MODEL.step(config, state, Report(0, "c0", huge), d)
    state = MODEL.step(config, state, Match(1), d)
    pair = state.selection[0]
    state = MODEL.step(config, state, Reward(2, pair.student, pair.teacher, pair.student, 0.0, 1e12), d)
    assert state.rejected == 2 and state.bandit.updates == 0
    assert max(abs(v) for v in state.profiles[0]) < 10


@given(profiles(min_agents=2, max_agents=9, dim=2), st.sampled_from(["paper", "knexa-code"]), st.integers(1, 5))
def test_mm_match_2_array_greedy_equals_the_list_greedy(P, dialect_name, budget) -> None:
    from peerproof.reference.matchmaking.matching import greedy_scores, score_all

    d = get_dialect(dialect_name)
    P = np.round(P, 1)  # ties in scores exercise the tie-break
    bandit = update(initial_bandit(4, 1.0), np.array([1.0, -1.0, 0.5, 0.0]), 1.0)
    ids = tuple(f"a{i}" for i in range(len(P)))
    listed = greedy(candidates(d, 0, "concat", bandit, 1.0, ids, P), budget, d.tie_break)
    assert greedy_scores(score_all(d, 0, "concat", bandit, 1.0, P), ids, budget, d.tie_break) == listed


def test_mm_prof_joins_are_bounded_by_the_agent_limit() -> None:
    from peerproof.reference.matchmaking import load_config
    from peerproof.reference.matchmaking.config import MAX_AGENTS

    config = load_config("spec/configs/matchmaking/knexa-code.yaml")
    joins = [Report(k, f"j{k}", ",".join(["0.5"] * config.dimension)) for k in range(MAX_AGENTS + 5)]
    state = MODEL.final_state(config, joins)
    assert len(state.ids) == MAX_AGENTS and state.rejected == len(config.agents) + 5


@given(streams(min_dim=2, max_dim=6), profiles(min_agents=2, max_agents=6, dim=3), st.booleans())
def test_mm_ucb_2_per_agent_terms_equal_the_concatenated_contexts(stream, P, direct) -> None:
    from peerproof.reference.matchmaking.context import pair_contexts
    from peerproof.reference.matchmaking.linucb import concat_means_and_widths, means_and_widths

    xs, rs, lam = stream
    dim = 2 * P.shape[1]
    xs = [np.resize(x, dim) for x in xs]
    bandit = fold(xs, rs, lam)[-1]
    lower, upper = np.triu_indices(len(P), k=1)
    fast = concat_means_and_widths(bandit, P, lower, upper, direct)
    slow = means_and_widths(bandit, pair_contexts("concat", P[lower], P[upper]), direct)
    np.testing.assert_allclose(fast[0], slow[0], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(fast[1], slow[1], rtol=1e-7, atol=1e-7)
