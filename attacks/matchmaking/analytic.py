"""Closed-form verdicts (spec §12.3): MM-PROP-1 and MM-PROP-2 settled by the config's context map and the
dialect's role rule, MM-PROP-4 by profile clipping; violations come with a constructed, replayed trace."""

from __future__ import annotations

import time
from typing import Any

from peerproof.attacks.checks import Job, Settings
from peerproof.attacks.finding import Finding
from peerproof.attacks.matchmaking.evidence import confirmed, holds, violated
from peerproof.attacks.matchmaking.warmup import honest_run
from peerproof.reference.matchmaking import Match, get_dialect


def _symmetric(config: Any, job: Job, settings: Settings, started: float) -> Finding | None:
    if config.context == "symmetric":
        return holds(job, "analytic", started, "holds",
                     "x(p, q) = [p + q, |p − q|, p ⊙ q] equals x(q, p) coordinate by coordinate, so θ̂ᵀx and "
                     "xᵀA⁻¹x agree for both orders in every state (MM-CTX-2)", "all states (by construction)")
    events = honest_run(config, settings.dialect, settings.seed, rounds=1).events
    found = confirmed(config, job, settings.dialect, settings.seed, events, {"attack": "none needed: one honest round"})
    if found is None:
        return None
    return violated(job, "analytic", started, *found, "constructed: one honest round and its rewards")


def _roles(config: Any, job: Job, settings: Settings, started: float) -> Finding | None:
    if get_dialect(settings.dialect).roles == "performance":
        return holds(job, "analytic", started, "holds",
                     "roles are a function of the two profiles only (higher performance teaches, then the "
                     "lexicographically larger profile); only identical, hence interchangeable, profiles fall back "
                     "to the index (MM-ROLE-1)", "all states (by construction)")
    events = (Match(1000),)
    found = confirmed(config, job, settings.dialect, settings.seed, events,
                      {"attack": "the lowest-index agent is the student of every pair it is in"})
    if found is None:
        return None
    return violated(job, "analytic", started, *found, "constructed: one round, agents relabelled in reverse order")


def _bounded(config: Any, job: Job, settings: Settings, started: float) -> Finding | None:
    if config.clip_profiles:
        return holds(job, "analytic", started, "holds",
                     "the CPM clips every reported field to its stated bounds before storing it (MM-PROF-3), so no "
                     "stored profile is out of bounds", "all reports (by construction)")
    return None


def prove(config: Any, job: Job, settings: Settings) -> Finding | None:
    """The closed-form verdict on ``job`` where the config's structure settles it, else None."""
    started = time.perf_counter()
    rules = {"pair-score-symmetric": _symmetric, "roles-permutation-invariant": _roles, "exploration-bounded": _bounded}
    rule = rules.get(job.slug)
    return None if rule is None else rule(config, job, settings, started)
