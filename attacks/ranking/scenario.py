"""The honest scenario a ranking attack starts from (spec/ranking.md, RK-ATK-*): its judges, its voters,
and the consensus the model reaches on any rewritten round."""

from __future__ import annotations

from collections.abc import Sequence

from peerproof.reference.ranking import MODEL, get_dialect
from peerproof.reference.ranking.config import Config
from peerproof.reference.ranking.consensus import Consensus, consensus
from peerproof.reference.ranking.schedule import Comparison
from peerproof.reference.ranking.weights import JudgeState, counted


def judges_of(config: Config) -> dict[str, JudgeState]:
    """The judges as the scenario starts (the model's initial state)."""
    return dict(MODEL.start(config)[1].judges)


def outcome(config: Config, comparisons: Sequence[Comparison], judges: dict[str, JudgeState],
            dialect: str) -> Consensus:
    """The consensus the model reaches on a round (the function ``step`` closes rounds with)."""
    return consensus(config, comparisons, judges, get_dialect(dialect))


def honest(config: Config, dialect: str) -> Consensus:
    """The consensus of the honest round."""
    return outcome(config, config.honest_round, judges_of(config), dialect)


def voters(config: Config) -> list[str]:
    """The judges counted in the honest round, in the config's order."""
    used = {c.judge for c in counted(config, config.honest_round, judges_of(config))}
    return [j for j in config.judges if j in used]
