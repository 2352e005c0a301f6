"""Each attack with and without each mitigation (spec §12.2): the verdict and the attacker's cost on a
config, and on the same config with one mitigation switched off."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from peerproof.attacks.checks import Job, Settings
from peerproof.attacks.finding import Finding

# (mitigation, how to switch it off, the property it is meant to protect)
MITIGATIONS: tuple[tuple[str, Callable[[Any], Any], str], ...] = (
    ("symmetric context (MM-CTX-2)", lambda c: replace(c, context="concat"), "pair-score-symmetric"),
    ("profile clipping (MM-PROF-3)", lambda c: replace(c, clip_profiles=False), "exploration-bounded"),
    ("profile clipping (MM-PROF-3)", lambda c: replace(c, clip_profiles=False), "misreport-resistant"),
    ("minimum profile distance (MM-PROF-4)", lambda c: replace(c, min_distance=0.0), "sybil-resistant"),
    ("partner-confirmed rewards (MM-TRUST-2)", lambda c: replace(c, reporter="receiver"),
     "reward-poisoning-resistant"),
    ("robust normalisation and clip (MM-REW-3/4)", lambda c: replace(c, normalise="zscore", reward_clip=None),
     "reward-poisoning-resistant"),
)

COST_KEYS = {"misreport-resistant": "cost_l1", "exploration-bounded": "excess", "sybil-resistant": "distance",
             "reward-poisoning-resistant": "cost_raw_l1"}


@dataclass(frozen=True)
class Row:
    """One attack against one mitigation: verdict and cost with it and without it."""

    property: str
    mitigation: str
    with_verdict: str
    with_cost: str
    without_verdict: str
    without_cost: str


def cost(finding: Finding) -> str:
    """The attacker's cost read off a finding's trace (— when there is no attack)."""
    if finding.verdict != "violated":
        return "—"
    meta = finding.trace.meta
    if "disputed" in meta:
        return f"{len(meta['disputed'])} dispute(s)"
    key = COST_KEYS.get(finding.property)
    return f"{meta[key]:.4g}" if key in meta else "0"


def first_finding(checks: Any, config: Any, job: Job, settings: Settings) -> Finding:
    """The first engine's verdict on a job (closed forms, then the optimisers and scans)."""
    for engine in checks.engines:
        found = engine.run(config, job, settings)
        if found is not None:
            return found
    raise AssertionError(f"no engine answers {job.slug}")


def table(checks: Any, config: Any, seed: int = 0) -> list[Row]:
    """Every mitigation the config has switched on, with and without it."""
    settings = Settings(dialect=config.dialect, seed=seed)
    rows = []
    for name, switch_off, slug in MITIGATIONS:
        without = switch_off(config)
        if without == config:
            continue
        job = Job(slug)
        a, b = first_finding(checks, config, job, settings), first_finding(checks, without, job, settings)
        rows.append(Row(slug, name, a.verdict, cost(a), b.verdict, cost(b)))
    return rows
