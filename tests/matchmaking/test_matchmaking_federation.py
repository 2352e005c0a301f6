"""The torch federation (spec §15): tiny runs of every strategy, and torch stays optional."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_matchmaking_checks_import_without_torch() -> None:
    code = ("import sys; import peerproof.attacks.matchmaking as m; m.CHECKS.simulation.help; "
            "assert 'torch' not in sys.modules, 'torch imported'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_matchmaking_federation_every_strategy_runs_and_counts_exchanges() -> None:
    pytest.importorskip("torch")
    from peerproof.attacks.matchmaking.federation.run import run_one

    cache: dict = {}
    for strategy, poisoners in (("local-only", 0), ("random", 0), ("heuristic", 0), ("central", 0), ("linucb", 0),
                                ("linucb-symmetric", 2), ("linucb-hardened", 2)):
        out = run_one(strategy, 0, 2, 6, poisoners, cache)
        assert len(out.curve) == 2 and all(0.0 <= a <= 1.0 for a in out.curve)
        pairs_per_round = {"local-only": 0, "central": 0}.get(strategy, 3)
        assert out.exchanges == 2 * pairs_per_round == out.counts.sum(), strategy
        assert out.poisoned <= out.mixed <= out.exchanges and (poisoners or out.mixed == 0)


def test_matchmaking_confidence_interval_uses_student_t() -> None:
    pytest.importorskip("torch")
    from peerproof.attacks.matchmaking.federation.run import ci95

    mean, half = ci95([0.8, 0.9])
    assert mean == pytest.approx(0.85) and half == pytest.approx(12.7062 * 0.0707107 / 1.41421, rel=1e-4)
