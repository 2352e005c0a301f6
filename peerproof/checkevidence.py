"""The evidence behind a ``peerproof check`` verdict: replays of a violation's trace, and merging engines.

A violation is reported only with a trace that (1) the reference model replays to the recorded
observations, (2) the ground-truth checker ``witness_violation`` confirms on the replayed trace, and
(3) has been run through the TypeScript implementation (or says why it could not be). Engines that
disagree are never averaged away: a confirmed trace is ground truth, and the other engine's contrary
verdict is printed beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peerproof.attacks.finding import Finding
from peerproof.enginepool import Failure
from peerproof.reference.trace import Trace, record, replay

MAX_REASON_NOTES = 3


@dataclass(frozen=True)
class Evidence:
    """What replaying one violation's trace showed, and where its files went."""

    reference: str  # "ok" or "mismatch: …"
    ts: str  # "ok", "mismatch: …", "unavailable: …" or "not violated in ts: …"
    why: str | None  # the witness checker's account of the violation (None: not confirmed)
    files: dict[str, str] = field(default_factory=dict)

    @property
    def confirmed(self) -> bool:
        """The reference replay reproduces the trace and the witness checker confirms the violation."""
        return self.reference.startswith("ok") and self.why is not None


def _witness(config: Any, slug: str, topic: str | None, trace: Trace) -> str | None:
    from peerproof.properties.gossipsub.security import witness_violation

    return witness_violation(config, slug, topic, trace)


def ts_replay(config: Any, slug: str, topic: str | None, trace: Trace) -> str:
    """Replay the trace's events through the TypeScript PeerScore, in the model's ``ts`` dialect.

    The TS implementation is compared with the reference model's ``ts`` dialect (a trace recorded in
    ``go`` differs from TS wherever the dialects do, e.g. P1 floored or not), and the violation is
    re-checked there, so "ok" means: TypeScript reproduces every observation and is attacked too.
    """
    try:
        from peerproof.adapters import DriverError, HarnessUnavailable, UnsupportedByTs, replay_in_ts
    except ImportError as exc:
        return f"unavailable: the TS adapter cannot be imported ({exc})"
    ts_trace = trace
    if trace.dialect != "ts":
        ts_trace = record(trace.protocol, trace.config, trace.events, dialect="ts",
                          observe_after=[o["after"] for o in trace.observations], claim=trace.claim,
                          seed=trace.seed, meta=trace.meta)
    try:
        mismatches = replay_in_ts(ts_trace)
    except (HarnessUnavailable, UnsupportedByTs) as exc:
        return f"unavailable: {exc}"
    except DriverError as exc:
        return f"unavailable: the Node.js driver failed ({exc})"
    if mismatches:
        return f"mismatch: {mismatches[0]} ({len(mismatches)} difference{'s' if len(mismatches) > 1 else ''})"
    if trace.dialect != "ts" and _witness(config, slug, topic, ts_trace) is None:
        return ("not violated in ts: TypeScript reproduces the events as the model's ts dialect does, but there "
                f"this trace breaks no property (the attack relies on {trace.dialect}-dialect behaviour)")
    return "ok"


def write_evidence(trace: Trace, out: Path, stem: str) -> dict[str, str]:
    """``<stem>.json``, ``<stem>.itf.json`` and ``<stem>.png`` in ``out``, each written atomically."""
    from peerproof.itf import write_itf
    from peerproof.plot import plot_trace
    from peerproof.traceio import write_trace

    out.mkdir(parents=True, exist_ok=True)
    files = {"trace": out / f"{stem}.json", "itf": out / f"{stem}.itf.json", "plot": out / f"{stem}.png"}
    write_trace(trace, files["trace"])
    write_itf(trace, files["itf"], source=str(files["trace"]))
    plot_trace(trace, files["plot"])
    return {k: str(v) for k, v in files.items()}


def validate(config: Any, finding: Finding, out: str | None, stem: str) -> Evidence:
    """Replay a violation's trace (reference, witness, TypeScript) and write its files if confirmed."""
    trace = finding.trace
    mismatches = replay(trace)
    reference = "ok" if not mismatches else f"mismatch: {mismatches[0]} ({len(mismatches)} differences)"
    why = _witness(config, finding.property, finding.topic, trace) if not mismatches else None
    if why is None:
        return Evidence(reference, "not run: the reference replay does not confirm the violation", None)
    ts = ts_replay(config, finding.property, finding.topic, trace)
    claim = {**(trace.claim or {}), "property": finding.property, "topic": finding.topic, "verdict": "violated",
             "reason": why, "engine": finding.engine}
    meta = {**trace.meta, "replay": {"reference": reference, "ts": ts}}
    confirmed = Trace(trace.protocol, trace.dialect, trace.config, trace.events, trace.observations, claim,
                      trace.seed, meta)
    files = write_evidence(confirmed, Path(out), stem) if out else {}
    return Evidence(reference, ts, why, files)


def engine_evidence(finding: Finding) -> Evidence:
    """The evidence an engine already gathered: every engine replays its trace in the reference model and
    confirms the violation with ``witness_violation`` before it reports one (no TS replay, no files)."""
    return Evidence("ok (the engine's own replay)", "not run (--no-replays)", finding.reason)


# -- merging the engines' findings ---------------------------------------------------------------------

def _labelled(f: Finding) -> str:
    """A finding's reason, prefixed with its engine unless it already names it."""
    return f.reason if f.reason.startswith(f"{f.engine}:") else f"{f.engine}: {f.reason}"


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def combine(job: Any, findings: Sequence[Finding], evidence: Mapping[int, Any], seconds: float) -> Any:
    """One Result from every engine's finding on a job and the replays of its violation traces."""
    from peerproof.attacks.gossipsub.search_plans import group_label
    from peerproof.check import Result

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
                        ev.files, {"reference": ev.reference, "ts": ev.ts})
    else:
        result = _without_trace(job, others, notes, seconds)
    if notes:
        result.reason += " [" + "; ".join(notes[:MAX_REASON_NOTES]) + "]"
    if job.group:
        result.reason += (f" (checked on {job.topic}, which stands for {len(job.group)} topics with identical "
                          f"parameters, {group_label(job.group)}: by symmetry the verdict is the same for each)")
    return result


def _without_trace(job: Any, findings: Sequence[Finding], notes: list[str], seconds: float) -> Any:
    from peerproof.check import Result

    rank = {"holds": 0, "holds-bounded": 1, "violated": 2, "inconclusive": 3}
    traceless = [f for f in findings if f.verdict == "violated" and f.trace is None]
    if traceless:
        f = traceless[0]
        why = "no engine produced a trace for it"
        return Result(job, "violated", f.reason, f.bound, seconds, f.engine, None, {},
                      {"reference": f"n/a: {why}", "ts": f"n/a: {why}"})
    conclusive = sorted((f for f in findings if f.verdict in ("holds", "holds-bounded")), key=lambda f: rank[f.verdict])
    if conclusive:
        f = conclusive[0]
        notes += [_short(_labelled(o)) for o in findings if o is not f and o.verdict == "inconclusive"]
        return Result(job, f.verdict, f.reason, f.bound, seconds, f.engine)
    if not findings:
        return Result(job, "inconclusive", "no engine has anything to say about this property", None, seconds, "-")
    f = findings[-1]
    reason = "; ".join(_labelled(o) for o in findings if o.verdict == "inconclusive")
    return Result(job, "inconclusive", reason or f.reason, f.bound, seconds, f.engine)
