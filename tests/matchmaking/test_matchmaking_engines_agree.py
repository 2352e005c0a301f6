"""Engines agree (spec §12.3): the Hypothesis search independently confirms the HiGHS misreport and the scan
hijack, and never reports what a closed form proved impossible."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from peerproof.attacks.checks import Job, Settings
from peerproof.attacks.matchmaking import CHECKS
from peerproof.reference.matchmaking import load_config

CONFIGS = Path(__file__).resolve().parents[2] / "spec" / "configs" / "matchmaking"


@pytest.mark.parametrize("name", ["paper", "knexa-code"])
@pytest.mark.parametrize(("slug", "engine"), [("misreport-resistant", "highs"), ("exploration-bounded", "scan")])
def test_matchmaking_hypothesis_confirms_the_exact_engines(name: str, slug: str, engine: str) -> None:
    config = load_config(CONFIGS / f"{name}.yaml")
    settings = Settings(dialect=config.dialect, samples=30)
    exact = CHECKS.engine(engine).run(config, Job(slug), settings)
    searched = CHECKS.engine("hypothesis").run(config, Job(slug), settings)
    assert exact.verdict == searched.verdict == "violated"


def test_matchmaking_hypothesis_finds_nothing_where_clipping_proves_it_impossible() -> None:
    config = load_config(CONFIGS / "paper.yaml")
    clipped = replace(config, clip_profiles=True)
    job = Job("exploration-bounded")
    assert CHECKS.engine("analytic").run(clipped, job, Settings(dialect="paper")).verdict == "holds"
    assert CHECKS.engine("hypothesis").run(clipped, job, Settings(dialect="paper", samples=30)) is None
