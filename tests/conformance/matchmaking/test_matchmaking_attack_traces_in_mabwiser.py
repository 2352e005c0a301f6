"""Every attack trace of the bundled configs, replayed through mabwiser 2.7.4 (spec §14): the bandit updates the
reference model applied, fitted into a single-arm LinUCB with α = the round's β, give the same UCB for every
candidate pair of the attacked round (float32 dialects within float32 tolerance), so the violations are
properties of LinUCB itself and not of the reference model's arithmetic."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from peerproof.attacks.checks import Settings
from peerproof.attacks.matchmaking import CHECKS
from peerproof.reference.matchmaking import MODEL, load_config, score_pairs
from peerproof.reference.matchmaking.context import pair_contexts
from peerproof.reference.matchmaking.reward import applied_reward
from peerproof.reference.matchmaking.state import round_beta

mabwiser = pytest.importorskip("mabwiser.mab")
CONFIGS = Path(__file__).resolve().parents[3] / "spec" / "configs" / "matchmaking"


def _updates(config, trace):
    """(context, applied reward) of every update the reference model made, and the final state."""
    d, state = MODEL.start(config, dialect=trace.dialect, seed=trace.seed)
    xs, rs = [], []
    for event in trace.events:
        before = state
        state = MODEL.step(config, state, event, d)
        if state.bandit.updates > before.bandit.updates:
            k = [p.key for p in before.selection].index(f"{event.student}<{event.teacher}")
            xs.append(np.asarray(before.contexts[k], dtype=float))
            rs.append(applied_reward(config, before.history, state.history[-1]))
    return d, state, xs, rs


@pytest.mark.parametrize("name", ["paper", "knexa-code", "knexa-release", "knexa-hardened"])
def test_matchmaking_attack_traces_score_the_same_in_mabwiser(name: str) -> None:
    config = load_config(CONFIGS / f"{name}.yaml")
    settings = Settings(dialect=config.dialect)
    traces = []
    for job in CHECKS.jobs(config):
        found = next((f for e in CHECKS.engines if (f := e.run(config, job, settings)) is not None), None)
        if found is not None and found.verdict == "violated":
            traces.append(found.trace)
    assert traces
    for trace in traces:
        d, state, xs, rs = _updates(trace.config, trace)
        beta = round_beta(trace.config, d, state.round)
        scored = score_pairs(trace.config, state, d)
        profile = dict(zip(state.ids, state.profiles, strict=True))
        X = pair_contexts(trace.config.context, np.array([profile[p.student] for _i, _j, p in scored]),
                          np.array([profile[p.teacher] for _i, _j, p in scored]))
        mab = mabwiser.MAB(arms=[0], learning_policy=mabwiser.LearningPolicy.LinUCB(alpha=beta,
                                                                                   l2_lambda=trace.config.lam))
        if xs:
            mab.fit(decisions=np.zeros(len(xs)), rewards=np.array(rs), contexts=np.array(xs))
        else:
            mab.fit(decisions=[0], rewards=[0.0], contexts=np.zeros((1, X.shape[1])))  # no information
        theirs = np.array([e[0] for e in mab.predict_expectations(X)])
        tol = 1e-3 if d.float32 else 1e-9
        np.testing.assert_allclose([p.ucb for _i, _j, p in scored], theirs, rtol=tol, atol=tol,
                                   err_msg=f"{name}: {trace.claim}")
