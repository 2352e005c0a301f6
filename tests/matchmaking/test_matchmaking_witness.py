"""Checking the checkers (MM-PROP-3..6): each witness confirms the engine's attack trace and finds nothing in
the same run with the attack taken out, so a witness that always (or never) reports would fail here."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from peerproof.attacks.checks import Job, Settings
from peerproof.attacks.matchmaking import CHECKS
from peerproof.attacks.matchmaking.warmup import honest_run, next_round_ms, report_event
from peerproof.reference.matchmaking import Match, load_config
from peerproof.reference.trace import record

CONFIGS = Path(__file__).resolve().parents[2] / "spec" / "configs" / "matchmaking"


def _attack(name: str, slug: str):
    config = load_config(CONFIGS / f"{name}.yaml")
    job = Job(slug)
    settings = Settings(dialect=config.dialect)
    found = next(f for e in CHECKS.engines if (f := e.run(config, job, settings)) is not None)
    assert found.verdict == "violated", found.reason
    return config, job, found.trace


def _honest(config, rounds: int = 4):
    return honest_run(config, config.dialect, 0, rounds).events


@pytest.mark.parametrize("slug", ["misreport-resistant", "exploration-bounded", "sybil-resistant"])
def test_matchmaking_report_witnesses_need_the_report(slug: str) -> None:
    config, job, trace = _attack("paper", slug)
    assert CHECKS.witness(config, job, trace) is not None
    without = (*trace.events[:-2], trace.events[-1])  # the same run, the attacker's report taken out
    assert CHECKS.witness(config, job, record("matchmaking", config, without)) is None
    t = next_round_ms()
    agent = trace.events[-2].agent
    own = [a.profile for a in config.agents if a.id == agent]  # a joining Sybil has none: a profile of its own
    truthful = (*_honest(config), report_event(t, agent, own[0] if own else [0.5] * config.dimension), Match(t))
    assert CHECKS.witness(config, job, record("matchmaking", config, truthful)) is None


def test_matchmaking_poisoning_witness_needs_a_lie() -> None:
    config, job, trace = _attack("paper", "reward-poisoning-resistant")
    assert CHECKS.witness(config, job, trace) is not None
    honest = (*_honest(config), Match(next_round_ms()))
    assert CHECKS.witness(config, job, record("matchmaking", config, honest)) is None


def test_matchmaking_symmetry_witness_tolerates_only_float_noise() -> None:
    config, job, trace = _attack("paper", "pair-score-symmetric")
    symmetric = replace(config, context="symmetric")
    assert CHECKS.witness(symmetric, job, record("matchmaking", symmetric, trace.events)) is None
