"""Sybil cloning (spec §12.2, MM-PROP-6): a new identity reports a copy of the strongest teacher's profile.

The score sees only profile vectors, so a clone inherits the teacher's scores (MM-PRIV-2: the CPM cannot
tell who is behind a profile). With ``min_distance`` the CPM rejects a report closer than that to another
agent's profile; the clone then steps just past it, along each field in turn, inside the bounds.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from peerproof.attacks.checks import Job, Settings
from peerproof.attacks.finding import Finding
from peerproof.attacks.matchmaking.evidence import confirmed, holds, violated
from peerproof.attacks.matchmaking.warmup import WARMUP_ROUNDS, honest_run, next_round_ms, report_event
from peerproof.reference.matchmaking import Match, get_dialect
from peerproof.reference.matchmaking.matching import greedy
from peerproof.reference.matchmaking.state import score_pairs

SYBIL = "sybil"


def _clones(config: Any, victim: np.ndarray) -> list[tuple[float, np.ndarray]]:
    """The exact copy, then copies moved just past ``min_distance`` along each field (either way, in bounds)."""
    if config.min_distance == 0:
        return [(0.0, victim)]
    step = config.min_distance * (1 + 1e-6)
    out = []
    for k, f in enumerate(config.fields):
        for sign in (1.0, -1.0):
            p = victim.copy()
            p[k] += sign * step
            if f.low <= p[k] <= f.high:
                out.append((step, p))
    return out


def sybil(config: Any, job: Job, settings: Settings) -> Finding | None:
    """MM-PROP-6: a clone of the next round's first-pick teacher joins and is matched at once."""
    started = time.perf_counter()
    dialect = get_dialect(settings.dialect)
    run = honest_run(config, settings.dialect, settings.seed)
    chosen = greedy(score_pairs(config, run.state, dialect, run.state.round + 1), config.pair_budget, dialect.tie_break)
    victims = [p.teacher for p in chosen] + [p.student for p in chosen]
    t = next_round_ms()
    for victim in victims:
        profile = np.asarray(run.state.profiles[run.state.ids.index(victim)], dtype=float)
        for distance, clone in _clones(config, profile):
            events = (*run.events, report_event(t, SYBIL, clone), Match(t))
            found = confirmed(config, job, settings.dialect, settings.seed, events,
                              {"victim": victim, "distance": distance})
            if found is not None:
                return violated(job, "scan", started, *found,
                                f"constructed: a clone of {victim} at distance {distance:.3g}")
    return holds(job, "scan", started, "holds-bounded", "no clone of a matched agent (exact, or just past the "
                 "minimum distance along one field) is matched in the next round",
                 f"{WARMUP_ROUNDS} warm-up rounds, seed {settings.seed}, one clone of each matched agent")
