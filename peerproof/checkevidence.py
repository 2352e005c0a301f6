"""The evidence behind a ``peerproof check`` verdict: replays of a violation's trace, merging the engines.

A violation is reported only with a trace that (1) the reference model replays to the recorded
observations, (2) the protocol's ground-truth witness confirms on the replayed trace, and (3) has been
run through each real implementation the protocol registers (or says why it could not be). Engines
that disagree are never averaged away: a confirmed trace is ground truth, and the other engine's
contrary verdict is printed beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from peerproof.artefacts import write_artefacts
from peerproof.attacks.checks import Checks, Job
from peerproof.attacks.finding import Finding
from peerproof.enginepool import Failure
from peerproof.reference.trace import Trace, record, replay
from peerproof.reference.verdicts import SEVERITY

MAX_REASON_NOTES = 3


@dataclass
class Result:
    """The verdict on one job, ready to print."""

    job: Job
    verdict: str
    reason: str
    bound: str | None
    seconds: float
    engine: str
    trace: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    replay: dict[str, str] | None = None  # "reference" and each implementation's replay of the trace
    engines: dict[str, Finding] = field(default_factory=dict)  # every engine's own finding, for cross-checks

    def as_json(self) -> dict[str, Any]:
        """The result as ``check --format json`` prints it (spec/peerproof.md, PP-REPORT)."""
        doc: dict[str, Any] = {"property": self.job.slug, "topic": self.job.topic, "verdict": self.verdict,
                               "reason": self.reason, "bound": self.bound, "seconds": round(self.seconds, 3),
                               "trace": self.trace, "engine": self.engine}
        if self.job.group:
            doc["topics"] = list(self.job.group)
        if self.replay is not None:
            doc["replay"] = dict(self.replay)
        doc["engines"] = {name: f.verdict for name, f in self.engines.items()}
        return doc


@dataclass(frozen=True)
class Evidence:
    """What replaying one violation's trace showed, and where its files went."""

    reference: str  # "ok" or "mismatch: …"
    implementations: Mapping[str, str]  # name -> "ok", "mismatch: …", "unavailable: …", "not violated in …"
    why: str | None  # the witness's account of the violation (None: not confirmed)
    files: dict[str, str] = field(default_factory=dict)

    @property
    def confirmed(self) -> bool:
        """The reference replay reproduces the trace and the witness confirms the violation."""
        return self.reference.startswith("ok") and self.why is not None

    def replays(self) -> dict[str, str]:
        """Every replay's outcome, the reference model's first."""
        return {"reference": self.reference, **self.implementations}


def validate(checks: Checks, config: Any, finding: Finding, out: str | None, stem: str) -> Evidence:
    """Replay a violation's trace (reference, witness, each implementation); write its files if confirmed.
    A search engine's trace is first cut to its shortest violating prefix (``shortest_prefix``); the closed
    forms construct theirs short already."""
    job = Job(finding.property, finding.topic)
    trace = finding.trace
    if checks.engine(finding.engine).family != "closed-form":
        trace = shortest_prefix(checks, config, job, trace)
    mismatches = replay(trace)
    reference = "ok" if not mismatches else f"mismatch: {mismatches[0]} ({len(mismatches)} differences)"
    why = checks.witness(config, job, trace) if not mismatches else None
    if why is None:
        skipped = "not run: the reference replay does not confirm the violation"
        return Evidence(reference, {impl.name: skipped for impl in checks.implementations}, None)
    implementations = {impl.name: impl.replay(config, job, trace) for impl in checks.implementations}
    claim = {**(trace.claim or {}), "property": finding.property, "topic": finding.topic, "verdict": "violated",
             "reason": why, "engine": finding.engine}
    confirmed = replace(trace, claim=claim, meta={**trace.meta, "replay": {"reference": reference, **implementations}})
    files = write_artefacts(confirmed, Path(out), stem) if out else {}
    return Evidence(reference, implementations, why, files)


def shortest_prefix(checks: Checks, config: Any, job: Job, trace: Trace) -> Trace:
    """The shortest prefix of ``trace`` that the witness still confirms (PP-SHRINK): exponential, then binary
    search over the number of events, so finding a violation at event p costs O(p log p) replayed events.
    A prefix is a run of its own (time simply passes after its last event), re-recorded with the kept
    observations and one after its last event; the trace itself when no shorter prefix violates."""
    n = len(trace.events)

    def shows(k: int) -> bool:
        kept = tuple(o for o in trace.observations if o["after"] < k)
        return checks.witness(config, job, replace(trace, events=trace.events[:k], observations=kept)) is not None

    hi = 1
    while hi < n and not shows(hi):
        hi *= 2
    if hi >= n:
        return trace
    lo = hi // 2 + 1
    while lo < hi:
        mid = (lo + hi) // 2
        if shows(mid):
            hi = mid
        else:
            lo = mid + 1
    kept = sorted({o["after"] for o in trace.observations if o["after"] < hi} | {hi - 1})
    meta = {**trace.meta, "shrunk": {"events": hi, "of": n}}
    return record(trace.protocol, trace.config, trace.events[:hi], dialect=trace.dialect, observe_after=kept,
                  claim=trace.claim, seed=trace.seed, meta=meta)


def engine_evidence(checks: Checks, finding: Finding) -> Evidence:
    """The evidence an engine already gathered: every engine replays its trace in the reference model and
    confirms the violation with the witness before it reports one (no implementation replays, no files)."""
    return Evidence("ok (the engine's own replay)", {impl.name: "not run (--no-replays)"
                                                     for impl in checks.implementations}, finding.reason)


# -- merging the engines' findings ---------------------------------------------------------------------

def _labelled(f: Finding) -> str:
    """A finding's reason, prefixed with its engine unless it already names it."""
    return f.reason if f.reason.startswith(f"{f.engine}:") else f"{f.engine}: {f.reason}"


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def combine(checks: Checks, job: Job, findings: Sequence[Finding], evidence: Mapping[int, Any],
            seconds: float) -> Result:
    """One Result from every engine's finding on a job and the replays of its violation traces."""
    notes: list[str] = []
    chosen: tuple[Finding, Evidence] | None = None
    for f in findings:
        if f.verdict != "violated" or id(f) not in evidence:
            continue
        ev = evidence[id(f)]
        if isinstance(ev, Failure):
            notes.append(f"{f.engine}'s trace could not be checked ({ev.reason})")
        elif not ev.confirmed:
            notes.append(f"{f.engine} reported a violation its replayed trace does not confirm ({ev.reference})")
        elif chosen is None:
            chosen = (f, ev)
    others = [f for f in findings if chosen is None or f is not chosen[0]]
    if chosen is not None:
        f, ev = chosen
        for o in others:
            if o.verdict == "holds":
                notes.append(f"ENGINES DISAGREE: {o.engine} said holds ({_short(o.reason)}); the replayed trace "
                             "is the ground truth")
            elif o.verdict == "holds-bounded":
                notes.append(f"{o.engine} said holds-bounded ({o.bound}): a disagreement unless this attack "
                             "needs more than that bound")
        result = Result(job, "violated", ev.why or f.reason, f.bound, seconds, f.engine, ev.files.get("trace"),
                        ev.files, ev.replays())
    else:
        result = _without_trace(checks, job, others, notes, seconds)
    if notes:
        result.reason += " [" + "; ".join(notes[:MAX_REASON_NOTES]) + "]"
    if job.group:
        scope = checks.presentation.scope_name
        result.reason += (f" (checked on {job.topic}, which stands for {len(job.group)} {scope}s with identical "
                          f"parameters, {checks.presentation.group_label(job.group)}: by symmetry the verdict is "
                          "the same for each)")
    return result


def _without_trace(checks: Checks, job: Job, findings: Sequence[Finding], notes: list[str],
                   seconds: float) -> Result:
    traceless = [f for f in findings if f.verdict == "violated" and f.trace is None]
    if traceless:
        f = traceless[0]
        why = "no engine produced a trace for it"
        return Result(job, "violated", f.reason, f.bound, seconds, f.engine, None, {},
                      {"reference": f"n/a: {why}", **{impl.name: f"n/a: {why}" for impl in checks.implementations}})
    conclusive = sorted((f for f in findings if f.verdict in ("holds", "holds-bounded")),
                        key=lambda f: -SEVERITY[f.verdict])
    if conclusive:
        f = conclusive[0]
        notes += [_short(_labelled(o)) for o in findings if o is not f and o.verdict == "inconclusive"]
        return Result(job, f.verdict, f.reason, f.bound, seconds, f.engine)
    if not findings:
        return Result(job, "inconclusive", "no engine has anything to say about this property", None, seconds, "-")
    f = findings[-1]
    reason = "; ".join(_labelled(o) for o in findings if o.verdict == "inconclusive")
    return Result(job, "inconclusive", reason or f.reason, f.bound, seconds, f.engine)
