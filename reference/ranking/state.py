"""What the protocol remembers (spec/ranking.md, RK-STATE): judges, the open round, past consensus."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from peerproof.reference.ranking.config import Config
from peerproof.reference.ranking.consensus import Consensus
from peerproof.reference.ranking.dialect import Dialect
from peerproof.reference.ranking.schedule import Comparison
from peerproof.reference.ranking.weights import JudgeState


@dataclass(frozen=True)
class State:
    """RK-STATE-1: the time, the round number, every judge, the open round's comparisons, the last consensus."""

    time_ms: int
    round: int
    judges: Mapping[str, JudgeState]
    comparisons: tuple[Comparison, ...]
    last: Consensus | None = None
    winners: tuple[str | None, ...] = ()


def config_judges(config: Config) -> dict[str, JudgeState]:
    """RK-STATE-2: the config's judges as the scenario starts."""
    return {jid: JudgeState(j.reputation, j.stake, j.calibration_passed) for jid, j in config.judges.items()}


def initial_state(config: Config, seed: int = 0, dialect: Dialect | None = None) -> State:
    """RK-STATE-2: round 0 open with the config's honest comparisons; no consensus yet (seed and dialect unused)."""
    return State(0, 0, config_judges(config), config.honest_round)
