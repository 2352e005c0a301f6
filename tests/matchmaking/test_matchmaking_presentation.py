"""``peerproof example`` / ``score`` for matchmaking: the example trace replays exactly and the tables show
the round's pairs and the best candidates."""

from __future__ import annotations

from pathlib import Path

import pytest
from peerproof.attacks.matchmaking import CHECKS
from peerproof.reference.matchmaking import load_config
from peerproof.reference.trace import replay

CONFIGS = Path(__file__).resolve().parents[2] / "spec" / "configs" / "matchmaking"


@pytest.mark.parametrize("name", ["paper", "knexa-code", "knexa-release", "knexa-hardened"])
def test_matchmaking_example_trace_replays_and_is_tabulated(name: str) -> None:
    config = load_config(CONFIGS / f"{name}.yaml")
    trace = CHECKS.presentation.example(config, None)
    assert trace.observations and replay(trace) == []
    last = trace.observations[-1]["values"]
    pairs, best = CHECKS.presentation.score_tables(config, last)
    assert pairs.row_count == len(last["pairs"]) == min(config.pair_budget, len(config.agents) // 2)
    assert best.row_count == min(10, len(last["scores"]))
    assert CHECKS.presentation.example_table(name, config, trace).row_count == trace.observations[-1]["values"]["round"]
