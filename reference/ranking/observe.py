"""The observables (spec/ranking.md, RK-OBS): what an implementation is compared with the model on."""

from __future__ import annotations

from typing import Any

from peerproof.reference.ranking.config import Config
from peerproof.reference.ranking.dialect import Dialect
from peerproof.reference.ranking.state import State
from peerproof.reference.ranking.weights import admitted


def observe(config: Config, state: State, dialect: Dialect | None = None) -> dict[str, Any]:
    """RK-OBS-1: time, round, each judge's reputation and admission, the open round's size, the last consensus."""
    last = state.last
    doc: dict[str, Any] = {
        "time": state.time_ms / 1000, "round": state.round,
        "judges": {jid: {"reputation": j.reputation, "admitted": admitted(config, j)}
                   for jid, j in state.judges.items()},
        "open_comparisons": len(state.comparisons),
        "winners": ["" if w is None else w for w in state.winners],
    }
    if last is not None:
        doc["consensus"] = {"status": last.status, "winner": last.winner or "", "iterations": last.iterations,
                            "log_strengths": dict(last.theta), "components": [list(g) for g in last.components]}
    return doc
