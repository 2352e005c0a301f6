"""Differential runs of the CPM's scorer against mabwiser 2.7.4 and contextualbandits 0.3.30 (spec §14):
a single-arm LinUCB over the pair context is the shared-θ model, so UCB values and the chosen pairs must agree."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from peerproof.reference.matchmaking import MODEL, Match, Reward, config_from_mapping, score_pairs
from peerproof.reference.matchmaking.context import pair_contexts
from peerproof.reference.matchmaking.matching import greedy

mabwiser = pytest.importorskip("mabwiser.mab")
online = pytest.importorskip("contextualbandits.online")


def _config(P: np.ndarray, lam: float, beta: float, context: str) -> object:
    return config_from_mapping({
        "protocol": "matchmaking", "dialect": "paper", "context": context,
        "profile": {"fields": [{"name": f"f{k}", "low": -1, "high": 1} for k in range(P.shape[1])],
                    "performance_field": "f0"},
        "agents": [{"id": f"a{i}", "profile": [float(v) for v in row]} for i, row in enumerate(P)],
        "bandit": {"lambda": lam, "beta": beta}, "matching": {"pair_budget": len(P) // 2},
        "reward": {"normalise": "none"},
    })


def _stream(config, rounds: int, rng: np.random.Generator):
    """Run the model for some rounds with random rewards; the (context, reward) updates it applied."""
    d, state = MODEL.start(config)
    xs, rs = [], []
    for r in range(1, rounds + 1):
        state = MODEL.step(config, state, Match(r * 1000), d)
        for k, pair in enumerate(state.selection):
            reward = float(rng.normal())
            xs.append(np.asarray(state.contexts[k]))
            rs.append(reward)
            report = Reward(r * 1000 + 1, pair.student, pair.teacher, pair.student, reward, 0.0)
            state = MODEL.step(config, state, report, d)
    return d, state, np.array(xs), np.array(rs)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**31 - 1), st.sampled_from(["concat", "symmetric"]), st.sampled_from([0.5, 1.0, 2.0]))
def test_matchmaking_scores_and_pairs_equal_mabwiser_single_arm_linucb(seed, context, lam) -> None:
    rng = np.random.default_rng(seed)
    P = rng.uniform(-1, 1, size=(6, 3))
    config = _config(P, lam, 1.0, context)
    d, state, xs, rs = _stream(config, 4, rng)
    mab = mabwiser.MAB(arms=[0], learning_policy=mabwiser.LearningPolicy.LinUCB(alpha=1.0, l2_lambda=lam), seed=0)
    mab.fit(decisions=np.zeros(len(xs)), rewards=rs, contexts=xs)
    scored = score_pairs(config, state, d)
    profile = dict(zip(state.ids, state.profiles, strict=True))
    X = pair_contexts(context, np.array([profile[p.student] for _i, _j, p in scored]),
                      np.array([profile[p.teacher] for _i, _j, p in scored]))
    theirs = np.array([e[0] for e in mab.predict_expectations(X)])
    ours = np.array([p.ucb for _i, _j, p in scored])
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-9)
    relabelled = [(i, j, type(p)(p.student, p.teacher, float(u), p.mean, p.width))
                  for (i, j, p), u in zip(scored, theirs, strict=True)]
    theirs_pairs = [p.key for p in greedy(relabelled, config.pair_budget, d.tie_break)]
    assert theirs_pairs == [p.key for p in greedy(scored, config.pair_budget, d.tie_break)]


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_matchmaking_scores_equal_contextualbandits_linucb_without_intercept(seed) -> None:
    rng = np.random.default_rng(seed)
    P = rng.uniform(-1, 1, size=(6, 3))
    config = _config(P, 1.0, 1.0, "concat")
    d, state, xs, rs = _stream(config, 4, rng)
    cb = online.LinUCB(nchoices=2, alpha=1.0, lambda_=1.0, fit_intercept=False, use_float=False, method="chol")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cb.fit(xs, np.zeros(len(xs), dtype=int), rs)
    scored = score_pairs(config, state, d)
    profile = dict(zip(state.ids, state.profiles, strict=True))
    X = pair_contexts("concat", np.array([profile[p.student] for _i, _j, p in scored]),
                      np.array([profile[p.teacher] for _i, _j, p in scored]))
    theirs = cb.decision_function(X)[:, 0]
    np.testing.assert_allclose([p.ucb for _i, _j, p in scored], theirs, rtol=1e-7, atol=1e-7)
