"""The engines of ``peerproof check`` for matchmaking (spec §12.3): one entry point per engine, each
answering the properties it can settle and None for the others. Module-level, so they run in a forked
child; bounded by counts (warm-up rounds, anchor steps, scan steps), never by the clock."""

from __future__ import annotations

from typing import Any

from peerproof.attacks.checks import Job, Settings
from peerproof.attacks.finding import Finding


def run_analytic(config: Any, job: Job, settings: Settings) -> Finding | None:
    """Closed forms: MM-PROP-1, MM-PROP-2, MM-PROP-4 under clipping."""
    from peerproof.attacks.matchmaking.analytic import prove

    return prove(config, job, settings)


def run_highs(config: Any, job: Job, settings: Settings) -> Finding | None:
    """Exact optimisation on HiGHS: MM-PROP-3 (tangent LP/MILP) and MM-PROP-5 (reward LP)."""
    if job.slug == "misreport-resistant":
        from peerproof.attacks.matchmaking.misreport import misreport

        return misreport(config, job, settings)
    if job.slug == "reward-poisoning-resistant":
        from peerproof.attacks.matchmaking.poisoning import poison

        return poison(config, job, settings)
    return None


def run_scan(config: Any, job: Job, settings: Settings) -> Finding | None:
    """Deterministic scans: MM-PROP-4 without clipping (axis scan), MM-PROP-6 (clones)."""
    if job.slug == "exploration-bounded":
        from peerproof.attacks.matchmaking.misreport import hijack

        return hijack(config, job, settings)
    if job.slug == "sybil-resistant":
        from peerproof.attacks.matchmaking.sybil import sybil

        return sybil(config, job, settings)
    return None


def run_hypothesis(config: Any, job: Job, settings: Settings) -> Finding | None:
    """Hypothesis targeted search: an independent cross-check for MM-PROP-3 and MM-PROP-4."""
    from peerproof.attacks.matchmaking.search import search

    return search(config, job, settings)
