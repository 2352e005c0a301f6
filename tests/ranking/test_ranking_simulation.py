"""RK-SIM: the simulated swarm runs the model's aggregation, and ``peerproof simulate ranking`` writes its outputs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from peerproof.attacks.ranking import CHECKS
from peerproof.attacks.ranking.swarm import METHODS, Swarm, simulate


def test_rk_sim_without_adversaries_bradley_terry_beats_majority_voting() -> None:
    result = simulate(Swarm(questions=60, fraction=0.0), seed=3)
    assert set(result) == set(METHODS) and all(0 <= v <= 1 for v in result.values())
    assert result["weighted-bt"] >= result["majority"] and result["unweighted-bt"] >= result["majority"]


def test_rk_sim_a_colluding_majority_of_judges_wins() -> None:
    result = simulate(Swarm(questions=40, adversary="colluding", fraction=0.6), seed=1)
    assert result["weighted-bt"] < 0.5 and result["unweighted-bt"] < 0.5


def test_rk_sim_same_seed_same_result() -> None:
    swarm = Swarm(questions=20, adversary="farming")
    assert simulate(swarm, 5) == simulate(swarm, 5)


def test_peerproof_simulate_ranking_writes_the_table_json_and_plot(tmp_path: Path, capsys) -> None:
    parser = argparse.ArgumentParser()
    CHECKS.simulation.add_arguments(parser)
    args = parser.parse_args(["--questions", "10", "--seeds", "2", "--fractions", "0,0.5", "--jobs", "1",
                              "--out", str(tmp_path)])
    assert CHECKS.simulation.run(args) == 0
    rows = json.loads((tmp_path / "accuracy.json").read_text())
    assert len(rows) == 3 * 2 * 3 and (tmp_path / "accuracy.png").stat().st_size > 0
    assert "weighted-bt" in capsys.readouterr().out


def test_peerproof_simulate_ranking_rejects_bad_options(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    CHECKS.simulation.add_arguments(parser)
    assert CHECKS.simulation.run(parser.parse_args(["--fractions", "0,2", "--out", str(tmp_path)])) == 2
