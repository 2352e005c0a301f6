"""Hypothesis targeted search (spec §12.3), an independent cross-check of the HiGHS and scan engines for
MM-PROP-3 and MM-PROP-4: profile perturbations of the weakest agents, aimed (``target``) at the margin by
which the attacker's best pair beats the best pair without it; shrinking pulls the perturbation to zero."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, find, settings, target
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample
from peerproof.attacks.checks import Job, Settings
from peerproof.attacks.finding import Finding
from peerproof.attacks.matchmaking.evidence import confirmed, violated
from peerproof.attacks.matchmaking.misreport import attackers, first_pick
from peerproof.attacks.matchmaking.warmup import honest_run, next_round_ms, report_event
from peerproof.reference.matchmaking import Match, get_dialect
from peerproof.reference.matchmaking.state import score_pairs


def _margin(config: Any, run: Any, dialect: Any, m: str, p: np.ndarray) -> float:
    k = run.state.ids.index(m)
    state = replace(run.state, profiles=(*run.state.profiles[:k], tuple(p), *run.state.profiles[k + 1:]))
    scored = score_pairs(config, state, dialect, run.state.round + 1)
    mine = max(c[2].ucb for c in scored if m in (c[2].student, c[2].teacher))
    others = max((c[2].ucb for c in scored if m not in (c[2].student, c[2].teacher)), default=-np.inf)
    return float(mine - others)


def search(config: Any, job: Job, settings_: Settings) -> Finding | None:
    """A violation of MM-PROP-3 or MM-PROP-4 found by Hypothesis, replayed and confirmed; None otherwise."""
    if job.slug not in ("misreport-resistant", "exploration-bounded"):
        return None
    out_of_bounds = job.slug == "exploration-bounded"
    started = time.perf_counter()
    dialect = get_dialect(settings_.dialect)
    run = honest_run(config, settings_.dialect, settings_.seed)
    honest_first = first_pick(config, run, dialect, run.state.ids[0], np.asarray(run.state.profiles[0]))
    lo = np.array([f.low for f in config.fields])
    hi = np.array([f.high for f in config.fields])
    for m, _c in attackers(config, run, dialect):
        h = np.asarray(run.state.profiles[run.state.ids.index(m)], dtype=float)
        span = 4 * (hi - lo) if out_of_bounds else None
        fields = [st.floats(float(lo[k] - h[k] - (span[k] if out_of_bounds else 0)),
                            float(hi[k] - h[k] + (span[k] if out_of_bounds else 0)), allow_nan=False)
                  for k in range(len(h))]

        def wins(delta: list[float], m: str = m, h: np.ndarray = h) -> bool:
            p = h + np.asarray(delta)
            target(_margin(config, run, dialect, m, p), label="margin")
            first = first_pick(config, run, dialect, m, p)
            if first is None or m not in (first.student, first.teacher):
                return False
            outside = bool(np.any(p < lo) or np.any(p > hi))
            if out_of_bounds:
                return outside and first.mean < honest_first.mean
            return not outside

        try:
            delta = find(st.tuples(*fields).map(list), wins, settings=settings(
                max_examples=settings_.samples, derandomize=True, database=None, deadline=None,
                phases=[Phase.generate, Phase.target, Phase.shrink], suppress_health_check=list(HealthCheck)))
        except NoSuchExample:
            continue
        p = h + np.asarray(delta)
        t = next_round_ms()
        events = (*run.events, report_event(t, m, p), Match(t))
        cost = float(np.abs(p - h).sum())
        found = confirmed(config, job, settings_.dialect, settings_.seed, events, {"attacker": m, "cost_l1": cost})
        if found is not None:
            return violated(job, "hypothesis", started, *found,
                            f"found by Hypothesis targeted search ({settings_.samples} samples)")
    return None
