"""Turning a candidate attack into a finding (spec §12.3): record the trace, replay it, confirm it with the
witness; only then is it reported as ``violated``, with its cost."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from peerproof.attacks.checks import Job
from peerproof.attacks.finding import Finding
from peerproof.attacks.matchmaking.witness import witness
from peerproof.reference.trace import Trace, record, replay


def confirmed(config: Any, job: Job, dialect: str, seed: int, events: Sequence[Any],
              meta: dict[str, Any]) -> tuple[Trace, str] | None:
    """The recorded trace and the witness's account when the events violate the property; else None."""
    trace = record("matchmaking", config, events, dialect=dialect, seed=seed, observe_after=[len(events) - 1],
                   claim={"property": job.slug, "verdict": "violated"}, meta=meta)
    if replay(trace):
        return None
    account = witness(config, job, trace)
    return None if account is None else (trace, account)


def violated(job: Job, engine: str, started: float, trace: Trace, account: str, how: str) -> Finding:
    """A ``violated`` finding for a confirmed trace."""
    return Finding(job.slug, job.topic, "violated", f"{account} ({how}; replayed)", None,
                   time.perf_counter() - started, engine, trace)


def holds(job: Job, engine: str, started: float, verdict: str, reason: str, bound: str) -> Finding:
    """A ``holds`` / ``holds-bounded`` finding with the argument or bound that covers it."""
    return Finding(job.slug, job.topic, verdict, reason, bound, time.perf_counter() - started, engine)
