"""Run crdt's CHECKS on a config in-process, combining the engines as ``peerproof check`` does.

Closed forms first; z3 is skipped once a closed form settled the job (holds or violated); a violation
with a replayed trace wins; otherwise the strongest conclusive verdict; otherwise inconclusive.
"""

from __future__ import annotations

from dataclasses import dataclass

from peerproof.attacks.checks import Job, Settings
from peerproof.attacks.crdt import CHECKS
from peerproof.attacks.finding import Finding
from peerproof.reference.crdt import Config
from peerproof.spec import bundled_configs

CONFIGS = [c.name for c in bundled_configs("crdt")]
STRENGTH = {"holds": 2, "holds-bounded": 1}


@dataclass
class Outcome:
    """One job's combined verdict and the finding that decided it."""

    job: Job
    verdict: str
    reason: str
    finding: Finding | None


def settings_for(config: Config, samples: int = 100) -> Settings:
    """The bounds the manifest is produced with."""
    return Settings(dialect=config.dialect, samples=samples)


def run_job(config: Config, job: Job, settings: Settings) -> Outcome:
    """Every engine on one job, combined."""
    findings: list[Finding] = []
    settled = False
    for engine in CHECKS.engines:
        if engine.family == "z3" and settled:
            continue
        found = engine.run(config, job, settings)
        if found is None:
            continue
        findings.append(found)
        if engine.family == "closed-form":
            settled = found.verdict in ("holds", "violated")
    violated = [f for f in findings if f.verdict == "violated" and f.trace is not None]
    if violated:
        return Outcome(job, "violated", violated[0].reason, violated[0])
    conclusive = sorted((f for f in findings if f.verdict in STRENGTH), key=lambda f: -STRENGTH[f.verdict])
    if conclusive:
        return Outcome(job, conclusive[0].verdict, conclusive[0].reason, conclusive[0])
    reason = "; ".join(f"{f.engine}: {f.reason}" for f in findings) or "no engine has anything to say"
    return Outcome(job, "inconclusive", reason, findings[-1] if findings else None)


def check_config(config: Config, samples: int = 100) -> list[Outcome]:
    """Every job of a config."""
    settings = settings_for(config, samples)
    return [run_job(config, job, settings) for job in CHECKS.jobs(config)]
