"""Traces as ITF JSON (the Informal Trace Format of Apalache ADR-015), for Quint/Apalache tooling.

ITF has no encoding for reals, and rounding a score to a decimal would make a replayed comparison
lossy. So every real is written as the exact rational value of its IEEE-754 double,
``{"#tup": [{"#bigint": "n"}, {"#bigint": "d"}]}`` with ``n/d == Fraction(x)`` (d > 0, lowest terms):
reading it back gives the very same double. Integers are ``#bigint`` (as Quint writes them);
observables keyed by data (peers, topics, meshes) are ``#map``; fixed-shape objects (an event, one
peer's observables) are records; a mesh is a ``#set``. Absent values (``None``) are left out of their
record, so events of different kinds are records with different fields.

States: one per trace event — ``event`` (the event as a record, its time as ``at_ms``),
``time_ms`` (the clock after it), ``scores`` (peer -> total score) and the model's other observables
(for gossipsub ``peers`` and ``mesh``), recomputed by replaying the trace in the reference model.
With ``states="observations"`` only the trace's recorded observations become states (far smaller
files for long traces; no replay needed); ``"auto"`` (the default) is per event up to ITF_EVENT_LIMIT
events and per observation beyond.

Writing encodes values directly rather than through itf-py's ``value_to_json``: itf-py cannot write
floats or ``None``, and its generic recursion made a 7,000-event export take half a minute. itf-py
reads what is written here (``itf_scores`` uses ``itf_py.trace_from_json``; the tests check it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import itf_py

from peerproof import __version__
from peerproof.reference.trace import Trace
from peerproof.traceio import walk, write_atomic

ITF_FORMAT_DESCRIPTION = "https://apalache-mc.org/docs/adr/015adr-trace.html"
REAL_ENCODING = "#tup [#bigint numerator, #bigint denominator]: the exact value of the IEEE-754 double"
MAP_FIELDS = frozenset({"peers", "topics", "mesh", "scores"})  # objects whose keys are data, not field names
SET_FIELDS = frozenset({"mesh"})  # lists inside these maps are sets (order carries no meaning)
STATES = ("auto", "events", "observations")
ITF_EVENT_LIMIT = 20_000  # "auto" writes one state per event up to this many events (~10 kB a state)


def rational(x: float | int) -> tuple[int, int]:
    """The exact rational value of a double (or an int) as (numerator, denominator)."""
    f = Fraction(x)
    return f.numerator, f.denominator


def bigint(n: int) -> dict[str, str]:
    """An ITF integer (always ``#bigint``, as Quint writes them)."""
    return {"#bigint": str(n)}


@lru_cache(maxsize=65536)
def real(x: float) -> dict[str, Any]:
    """An ITF real: the exact rational of the double (scores repeat a lot, hence the cache)."""
    n, d = rational(x)
    return {"#tup": [bigint(n), bigint(d)]}


def encode(value: Any, field: str | None = None, in_set_map: bool = False) -> Any:
    """A JSON/observable value as an ITF expression (see the module docstring for the mapping)."""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return bigint(value)
    if isinstance(value, float):
        return real(value)
    if isinstance(value, Mapping):
        if field in MAP_FIELDS:
            sets = field in SET_FIELDS
            return {"#map": [[encode(k), encode(v, in_set_map=sets)] for k, v in value.items() if v is not None]}
        return {str(k): encode(v, str(k)) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        items = [encode(v) for v in value]
        return {"#set": items} if in_set_map else items
    raise TypeError(f"cannot write {type(value).__name__} to ITF")


def at_ms(trace: Trace, event: Any) -> int:
    """An event's time in whole milliseconds."""
    ms = getattr(event, "at_ms", None)
    return round(trace.model.event_to_dict(event)["at"] * 1000) if ms is None else ms


def event_record(trace: Trace, event: Any) -> dict[str, Any]:
    """An event as an ITF record: its kind, its time in whole milliseconds, its fields."""
    doc = trace.model.event_to_dict(event)
    doc.pop("at")
    return encode({"kind": doc.pop("kind"), "at_ms": at_ms(trace, event), **doc})


def _state(index: int, event: dict[str, Any], time_ms: int, observed: Mapping[str, Any]) -> dict[str, Any]:
    observed = {k: v for k, v in observed.items() if k != "time"}
    peers = observed.get("peers", {})
    scores = {p: o["score"] for p, o in peers.items() if isinstance(o, Mapping) and "score" in o}
    state = {"#meta": {"index": index}, "event": event, "time_ms": bigint(time_ms), "scores": encode(scores, "scores")}
    state.update({k: encode(v, k) for k, v in observed.items()})
    return state


def _states(trace: Trace, states: str) -> Iterator[dict[str, Any]]:
    if states == "observations":
        for n, obs in enumerate(trace.observations):
            event = trace.events[obs["after"]]
            values = obs["values"]
            time_ms = round(values["time"] * 1000) if "time" in values else at_ms(trace, event)
            yield _state(n, event_record(trace, event), time_ms, values)
        return
    model = trace.model
    d = model.get_dialect(trace.dialect)
    for i, event, state in walk(trace):
        now_ms = getattr(state, "now_ms", None)
        yield _state(i, event_record(trace, event), at_ms(trace, event) if now_ms is None else now_ms,
                     model.observe(trace.config, state, d))


def resolve_states(trace: Trace, states: str) -> str:
    """``events`` or ``observations``: what ``states`` (possibly ``auto``) means for this trace."""
    if states not in STATES:
        raise ValueError(f"states must be one of {', '.join(STATES)}, got {states!r}")
    if states == "auto":
        return "events" if len(trace.events) <= ITF_EVENT_LIMIT else "observations"
    return states


def trace_to_itf(trace: Trace, source: str | None = None, states: str = "auto",
                 on_state: Callable[[int], None] | None = None) -> dict[str, Any]:
    """The ITF document of a trace: one state per event or per recorded observation (see ``resolve_states``)."""
    states = resolve_states(trace, states)
    out = []
    for n, state in enumerate(_states(trace, states)):
        out.append(state)
        if on_state is not None:
            on_state(n)
    variables = list(dict.fromkeys(k for s in out for k in s if k != "#meta"))
    meta = {
        "format": "ITF",
        "format-description": ITF_FORMAT_DESCRIPTION,
        "source": source or trace.meta.get("source") or getattr(trace.config, "name", "") or "peerproof",
        "description": f"Created by peerproof {__version__} from a peerproof-trace/1 trace, one state per "
                       + ("event" if states == "events" else "recorded observation"),
        "protocol": trace.protocol,
        "dialect": trace.dialect,
        "seed": trace.seed,
        "claim": dict(trace.claim) if trace.claim is not None else None,
        "real-encoding": REAL_ENCODING,
        "config": trace.model.to_canonical(trace.config),
    }
    # ADR-015: "params" lists constants (none here); "loop" is an optional integer, so it is left out.
    return {"#meta": meta, "params": [], "vars": variables or ["event", "time_ms", "scores"], "states": out}


def itf_text(doc: Mapping[str, Any]) -> str:
    """The ITF document as text: the header indented, then one state per line (compact, diff-friendly)."""
    head = {k: v for k, v in doc.items() if k != "states"}
    text = json.dumps(head, indent=1, allow_nan=False)[:-2]  # without the closing "\n}"
    lines = ",\n".join(json.dumps(s, separators=(",", ":"), allow_nan=False) for s in doc["states"])
    return f'{text},\n "states": [\n{lines}\n ]\n}}\n'


def write_itf(trace: Trace, path: str | Path, source: str | None = None, states: str = "auto",
              on_state: Callable[[int], None] | None = None) -> Path:
    """Write the trace's ITF document to ``path`` (conventionally ``*.itf.json``), atomically."""
    return write_atomic(path, itf_text(trace_to_itf(trace, source=source, states=states, on_state=on_state)))


def real_from_itf(value: Any) -> float:
    """The double that an ITF rational (as itf-py decodes ``#tup`` of ``#bigint``) encodes."""
    numerator, denominator = value
    return float(Fraction(numerator, denominator))


def itf_scores(doc: Mapping[str, Any]) -> list[dict[str, float]]:
    """Each state's ``scores`` map read back with itf-py as peer -> float, exactly as written."""
    parsed = itf_py.trace_from_json(dict(doc))
    return [{str(p): real_from_itf(v) for p, v in s.values["scores"].items()} for s in parsed.states]
