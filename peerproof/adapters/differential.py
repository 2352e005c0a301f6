"""Differential runs: the same events through two adapters (or a recorded trace and TS), observables compared.

Only what both sides can know is compared: the clock and each peer's score, components and counters
(``"time"`` and ``"peers"``); the router's ``mesh`` exists in the model alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from peerproof.adapters.ts_gossipsub import TsPeerScoreAdapter
from peerproof.reference.gossipsub import MODEL, Event, Heartbeat, Tick, step
from peerproof.reference.gossipsub.events import Graft, Prune
from peerproof.reference.trace import TOLERANCE, Mismatch, Trace, compare, record

COMPARED = ("time", "peers")


def observables_diff(expected: Mapping[str, Any], actual: Mapping[str, Any],
                     tolerance: float = TOLERANCE) -> list[tuple[str, Any, Any]]:
    """The differences in ``time`` and ``peers`` between two observations (numbers within ``tolerance``)."""
    return compare({k: expected.get(k) for k in COMPARED}, {k: actual.get(k) for k in COMPARED},
                   tolerance=tolerance)


def mesh_changes(before: Mapping[str, frozenset[str]], after: Mapping[str, frozenset[str]],
                 at_ms: int) -> list[Event]:
    """The prunes, then the grafts, that turn one router mesh into the other (sorted, at ``at_ms``)."""
    topics = sorted(set(before) | set(after))
    prunes = [Prune(at_ms=at_ms, peer=p, topic=t)
              for t in topics for p in sorted(before.get(t, frozenset()) - after.get(t, frozenset()))]
    grafts = [Graft(at_ms=at_ms, peer=p, topic=t)
              for t in topics for p in sorted(after.get(t, frozenset()) - before.get(t, frozenset()))]
    return [*prunes, *grafts]


def score_only_events(trace: Trace) -> tuple[list[Event], list[int]]:
    """The trace's events as a score-only implementation can take them, and where each original one ends.

    A ``heartbeat`` becomes the prunes and grafts the reference model's heartbeat performed (in the trace's
    dialect), preceded by a ``tick``; every other event is kept. ``ends[i]`` is the index, in the returned
    list, of the last event standing for original event ``i``.
    """
    if not any(isinstance(e, Heartbeat) for e in trace.events):
        return list(trace.events), list(range(len(trace.events)))
    dialect, state = MODEL.start(trace.config, dialect=trace.dialect, seed=trace.seed)
    out: list[Event] = []
    ends: list[int] = []
    for event in trace.events:
        before = state.router.mesh
        state = step(trace.config, state, event, dialect)
        if isinstance(event, Heartbeat):
            out.append(Tick(at_ms=event.at_ms))
            out.extend(mesh_changes(before, state.router.mesh, event.at_ms))
        else:
            out.append(event)
        ends.append(len(out) - 1)
    return out, ends


def replay_in_ts(trace: Trace, adapter: TsPeerScoreAdapter | None = None,
                 tolerance: float = TOLERANCE) -> list[Mismatch]:
    """Replay a gossipsub trace through the TS PeerScore; every recorded observation's differences.

    Compares ``time`` and ``peers`` after each event that has a recorded observation (a trace recorded in
    another dialect than ``ts`` differs wherever the dialects do: P1 floored in go, P3 after a prune, ...).
    An empty list means the TypeScript implementation reproduces the trace. Heartbeats are expanded into the
    mesh changes the model made (see ``score_only_events``). Pass an open ``adapter`` to reuse its process.
    """
    if trace.protocol != "gossipsub":
        raise ValueError(f"the TS adapter runs gossipsub traces, not {trace.protocol!r}")
    events, ends = score_only_events(trace)
    recorded = {o["after"]: o["values"] for o in trace.observations}
    wanted = sorted(recorded)
    own = adapter is None
    ts = adapter or TsPeerScoreAdapter()
    try:
        ts.reset(trace.config)
        observations = ts.apply_many(events, observe=[ends[i] for i in wanted])
    finally:
        if own:
            ts.close()
    mismatches = []
    for i, actual in zip(wanted, observations, strict=True):
        for path, a, b in observables_diff(recorded[i], actual, tolerance):
            mismatches.append(Mismatch(i, path, a, b))
    return mismatches



def replay_violation(config: Any, job: Any, trace: Trace) -> str:
    """Replay a violation's trace through the TypeScript PeerScore, in the model's ``ts`` dialect (the
    ``ts`` implementation of GossipSub's checks registry).

    The TS implementation is compared with the reference model's ``ts`` dialect (a trace recorded in
    ``go`` differs from TS wherever the dialects do, e.g. P1 floored or not), and the violation is
    re-checked there, so "ok" means: TypeScript reproduces every observation and is attacked too.
    """
    from peerproof.adapters.install import HarnessUnavailable
    from peerproof.adapters.ts_gossipsub import DriverError, UnsupportedByTs
    from peerproof.properties.gossipsub.security import witness_violation

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
    if trace.dialect != "ts" and witness_violation(config, job.slug, job.topic, ts_trace) is None:
        return ("not violated in ts: TypeScript reproduces the events as the model's ts dialect does, but there "
                f"this trace breaks no property (the attack relies on {trace.dialect}-dialect behaviour)")
    return "ok"
