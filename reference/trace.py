"""Traces (format ``peerproof-trace/1``): a config, events, recorded observations and an optional claim.

A trace is self-contained: replaying its events from the initial state of its config in its dialect
must reproduce every recorded observation (numbers within a relative and absolute tolerance of 1e-9).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from peerproof.reference.configfile import ConfigError, parse_text
from peerproof.reference.documents import DocumentError, check_tree, key_text
from peerproof.reference.limits import MAX_EVENTS, quote
from peerproof.reference.model import Model, get_model, protocols
from peerproof.reference.verdicts import VERDICTS

FORMAT = "peerproof-trace/1"
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Trace:
    """One replayable run: protocol, dialect, config, events, observations after chosen events, claim."""

    protocol: str
    dialect: str
    config: Any  # the protocol's Config
    events: tuple[Any, ...]
    observations: tuple[Mapping[str, Any], ...] = ()  # {"after": event index, "values": observables}
    claim: Mapping[str, Any] | None = None
    seed: int = 0
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def model(self) -> Model:
        """The reference model this trace belongs to."""
        return get_model(self.protocol)


def record(protocol: str, config: Any, events: Iterable[Any], *, dialect: str | None = None,
           observe_after: str | Sequence[int] = "every", claim: Mapping[str, Any] | None = None,
           seed: int = 0, meta: Mapping[str, Any] | None = None) -> Trace:
    """Run ``events`` in the reference model and record its observations (after every event or the given ones)."""
    model = get_model(protocol)
    dialect_name = dialect or config.dialect
    d = model.get_dialect(dialect_name)
    events = tuple(events)
    wanted = set(range(len(events))) if observe_after == "every" else set(observe_after)
    observations = [{"after": i, "values": model.observe(config, state, d)}
                    for i, _event, state in model.states(config, events, dialect=dialect_name, seed=seed)
                    if i in wanted]
    return Trace(protocol, dialect_name, config, events, tuple(observations), claim, seed, dict(meta or {}))


def trace_to_dict(trace: Trace) -> dict[str, Any]:
    """The JSON document of a trace (spec/schemas/trace.schema.json)."""
    model = trace.model
    doc: dict[str, Any] = {
        "format": FORMAT, "protocol": trace.protocol, "dialect": trace.dialect, "seed": trace.seed,
        "config": model.to_canonical(trace.config),
        "events": [model.event_to_dict(e) for e in trace.events],
        "observations": [dict(o) for o in trace.observations],
    }
    if trace.claim is not None:
        doc["claim"] = dict(trace.claim)
    if trace.meta:
        doc["meta"] = dict(trace.meta)
    return doc


def trace_from_dict(doc: Any, file: str = "(trace)") -> Trace:
    """Read a trace document, with errors naming the file and the field (ConfigError).

    The frame's limits (PP-LIMIT) are checked on the whole document first, so a document parsed by a
    lenient reader (huge integers, NaN, over-long strings) is refused before any of it is used.
    """
    if not isinstance(doc, Mapping):
        raise ConfigError(file, "(document)", "a trace must be a JSON object")
    try:
        check_tree(doc, max_nodes=None)
    except DocumentError as exc:
        raise ConfigError(file, exc.path, exc.message) from None
    return _read_trace(doc, file)


def trace_from_text(text: str, file: str = "(trace)") -> Trace:
    """Read a trace from its JSON text through the strict document reader (PP-DOC, PP-LIMIT), then as above."""
    return _read_trace(parse_text(text, "json", file, max_nodes=None), file)


def _read_trace(doc: Mapping[str, Any], file: str) -> Trace:
    """A trace from a document already within the frame's limits (ConfigError naming the field otherwise)."""
    known = {"format", "protocol", "dialect", "seed", "config", "events", "observations", "claim", "meta"}
    for key in doc:
        if key not in known:
            raise ConfigError(file, key_text(key), f"unknown field; a trace has {', '.join(sorted(known))}")
    if doc.get("format") != FORMAT:
        raise ConfigError(file, "format", f"expected {FORMAT!r}, got {quote(doc.get('format'))}")
    model = _trace_model(doc.get("protocol"), file)
    if not isinstance(doc.get("config"), Mapping):
        raise ConfigError(file, "config", "missing or not an object")
    try:
        config = model.config_from_mapping(doc["config"], file=file)
    except ConfigError as exc:
        path = "config" if exc.path.startswith("(") else f"config.{exc.path}"
        raise ConfigError(file, path, exc.message) from None
    dialect = doc.get("dialect", config.dialect)
    if not isinstance(dialect, str) or dialect not in model.dialects:
        raise ConfigError(file, "dialect", f"unknown dialect {quote(dialect)}; known: {', '.join(model.dialects)}")
    events = _trace_events(model, doc.get("events"), file)
    observations = _trace_observations(doc.get("observations", []), len(events), file)
    seed = doc.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(file, "seed", "expected an integer")
    claim = doc.get("claim")
    if claim is not None:
        if not isinstance(claim, Mapping):
            raise ConfigError(file, "claim", "expected an object")
        if claim.get("verdict") not in VERDICTS:
            raise ConfigError(file, "claim.verdict", f"expected one of {', '.join(VERDICTS)}")
    meta = doc.get("meta", {})
    if not isinstance(meta, Mapping):
        raise ConfigError(file, "meta", "expected an object")
    return Trace(model.protocol, dialect, config, events, observations, claim, seed, meta)


def _trace_model(protocol: Any, file: str) -> Model:
    """The model a trace's ``protocol`` field names (ConfigError when it names none)."""
    try:
        if not isinstance(protocol, str):
            raise ValueError(protocol)
        return get_model(protocol)
    except ValueError:
        raise ConfigError(file, "protocol", f"unknown protocol {quote(protocol)}; known: "
                                            f"{', '.join(protocols())}") from None


def _trace_events(model: Model, raw_events: Any, file: str) -> tuple[Any, ...]:
    """A trace's events, read by the model's codec, in non-decreasing time (PP-LIMIT-6, PP-LIMIT-7)."""
    if not isinstance(raw_events, list):
        raise ConfigError(file, "events", "missing or not a list")
    if len(raw_events) > MAX_EVENTS:
        raise ConfigError(file, "events", f"{len(raw_events)} events exceed the limit of {MAX_EVENTS} (PP-LIMIT-6)")
    events = []
    last = 0
    for i, raw in enumerate(raw_events):
        try:
            event = model.event_from_dict(raw)
        except ValueError as exc:
            field_name, sep, message = str(exc).partition(": ")
            located = sep and field_name.isidentifier()
            raise ConfigError(file, f"events[{i}].{field_name}" if located else f"events[{i}]",
                              message if located else str(exc)) from None
        if event.at_ms < last:
            raise ConfigError(file, f"events[{i}].at", "events must be in non-decreasing time")
        last = event.at_ms
        events.append(event)
    return tuple(events)


def _trace_observations(observations: Any, n_events: int, file: str) -> tuple[Mapping[str, Any], ...]:
    """A trace's recorded observations: each after an existing event, its values a mapping."""
    if not isinstance(observations, list):
        raise ConfigError(file, "observations", "not a list")
    for i, obs in enumerate(observations):
        after = obs.get("after") if isinstance(obs, Mapping) else None
        if isinstance(after, bool) or not isinstance(after, int) or not isinstance(obs.get("values"), Mapping):
            raise ConfigError(file, f"observations[{i}]", "expected {\"after\": event index, \"values\": {...}}")
        if not 0 <= after < n_events:
            raise ConfigError(file, f"observations[{i}].after", f"no event {after}")
    return tuple(observations)


@dataclass(frozen=True)
class Mismatch:
    """One recorded observation that the model does not reproduce."""

    after: int
    path: str
    recorded: Any
    replayed: Any

    def __str__(self) -> str:
        recorded, replayed = quote(self.recorded), quote(self.replayed)
        return f"after event {self.after}: {self.path}: recorded {recorded}, replayed {replayed}"


def close(a: float, b: float, tolerance: float = TOLERANCE) -> bool:
    """Numbers agree within the relative and absolute tolerance."""
    return math.isclose(a, b, rel_tol=tolerance, abs_tol=tolerance)


def compare(recorded: Any, replayed: Any, path: str = "", tolerance: float = TOLERANCE) -> list[tuple[str, Any, Any]]:
    """Differences between two observable trees (numbers compared with tolerance)."""
    if isinstance(recorded, bool) or isinstance(replayed, bool):
        return [] if recorded == replayed else [(path, recorded, replayed)]
    if isinstance(recorded, int | float) and isinstance(replayed, int | float):
        return [] if close(float(recorded), float(replayed), tolerance) else [(path, recorded, replayed)]
    if isinstance(recorded, Mapping) and isinstance(replayed, Mapping):
        out = []
        for key in sorted(set(recorded) | set(replayed), key=str):
            sub = f"{path}.{key}" if path else str(key)
            if key not in recorded or key not in replayed:
                out.append((sub, recorded.get(key, "(absent)"), replayed.get(key, "(absent)")))
            else:
                out.extend(compare(recorded[key], replayed[key], sub, tolerance))
        return out
    if isinstance(recorded, list | tuple) and isinstance(replayed, list | tuple):
        if len(recorded) != len(replayed):
            return [(path, recorded, replayed)]
        out = []
        for i, (a, b) in enumerate(zip(recorded, replayed, strict=True)):
            out.extend(compare(a, b, f"{path}[{i}]", tolerance))
        return out
    return [] if recorded == replayed else [(path, recorded, replayed)]


def replay(trace: Trace, tolerance: float = TOLERANCE,
           on_event: Callable[[int], None] | None = None) -> list[Mismatch]:
    """Recompute every recorded observation in the reference model; the list of differences (empty: ok).

    ``on_event(n)`` is called after the n-th event (for progress reporting).
    """
    model = trace.model
    d = model.get_dialect(trace.dialect)
    wanted: dict[int, list[Any]] = {}
    for obs in trace.observations:
        wanted.setdefault(obs["after"], []).append(obs["values"])
    mismatches = []
    for i, _event, state in model.states(trace.config, trace.events, dialect=trace.dialect, seed=trace.seed):
        if on_event is not None:
            on_event(i + 1)
        if i in wanted:
            replayed = model.observe(trace.config, state, d)
            for recorded in wanted[i]:
                differences = compare(recorded, replayed, tolerance=tolerance)
                mismatches.extend(Mismatch(i, path, a, b) for path, a, b in differences)
    return mismatches

