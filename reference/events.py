"""The event codec every protocol shares: events are frozen dataclasses read and written by reflection.

A protocol declares its events as subclasses of ``Event`` (a ``kind`` class variable, then typed
fields) and gets ``from_dict`` / ``to_dict`` from ``EventCodec``. Fields are read by their declared
type (spec/peerproof.md, PP-TRACE-3): ``str`` a non-empty string, ``str | None`` also null, ``bool`` a
boolean, ``int`` a whole number, ``float`` a finite number; both numbers within the frame's magnitude
limit. A class may add its own rules in ``check`` (raise ``EventError``). Errors name the field, so a
trace reader can say ``events[12].count: …``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, fields
from functools import cache
from typing import Any, ClassVar

from peerproof.reference.limits import MAX_MAGNITUDE, MAX_STRING, MAX_TIME_S, quote


class EventError(ValueError):
    """An event document that cannot be read; the message starts with the field it is about."""


class OutOfOrderEvent(EventError):
    """An event earlier than the state's clock: traces must be in non-decreasing time."""


def at_event(exc: EventError, index: int) -> EventError:
    """The same error located at the trace's ``events[index]`` (``events[3].judge: …``), of the same class."""
    field, sep, _message = str(exc).partition(": ")
    where = f"events[{index}].{exc}" if sep and field.isidentifier() else f"events[{index}]: {exc}"
    return type(exc)(where)


@dataclass(frozen=True)
class Event:
    """Base of every protocol's events: the time it happens, in whole milliseconds."""

    at_ms: int
    kind: ClassVar[str] = ""

    def check(self) -> None:
        """Rules beyond the fields' types (override; raise EventError naming the field)."""


def read_time_ms(at: Any) -> int:
    """An event's ``at`` (seconds, >= 0, within the time horizon) in whole milliseconds."""
    if type(at) is float and 0.0 <= at <= MAX_TIME_S:  # the common case, decided in a few operations
        at_ms = round(at * 1000)
        if abs(at * 1000 - at_ms) <= 1e-6:
            return at_ms
    if isinstance(at, bool) or not isinstance(at, int | float):
        raise EventError(f"at: expected a time in seconds >= 0, got {quote(at)}")
    if isinstance(at, float) and not math.isfinite(at):
        raise EventError(f"at: expected a finite time in seconds, got {quote(at)}")
    if not 0 <= at <= MAX_TIME_S:
        raise EventError(f"at: expected a time in seconds between 0 and {MAX_TIME_S:g} (the time horizon), "
                         f"got {quote(at)}")
    at_ms = round(at * 1000)
    if abs(at * 1000 - at_ms) > 1e-6:
        raise EventError(f"at: {quote(at)} is not a whole number of milliseconds")
    return at_ms


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EventError(f"{name}: expected a number, got {quote(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise EventError(f"{name}: expected a finite number, got {quote(value)}")
    if abs(value) > MAX_MAGNITUDE:
        raise EventError(f"{name}: {quote(value)} exceeds the magnitude limit {MAX_MAGNITUDE:g}")
    return value


def _read_float(name: str, value: Any) -> float:
    return float(_number(name, value))


def _read_int(name: str, value: Any) -> int:
    number = _number(name, value)
    if isinstance(number, float) and not number.is_integer():
        raise EventError(f"{name}: expected a whole number, got {quote(value)}")
    return int(number)


def _read_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise EventError(f"{name}: expected true or false, got {quote(value)}")
    return value


def _read_str(name: str, value: Any) -> str:
    if type(value) is str and 0 < len(value) <= MAX_STRING:
        return value
    if not isinstance(value, str) or not value:
        raise EventError(f"{name}: expected a non-empty string, got {quote(value)}")
    if len(value) > MAX_STRING:
        raise EventError(f"{name}: a string of {len(value)} characters exceeds the limit of {MAX_STRING}")
    return value


def _read_optional_str(name: str, value: Any) -> str | None:
    return None if value is None else _read_str(name, value)


READERS: dict[str, Callable[[str, Any], Any]] = {
    "str": _read_str, "str | None": _read_optional_str, "bool": _read_bool, "int": _read_int, "float": _read_float,
}
"""How a field is read, by its declared type (the annotation's text)."""


@dataclass(frozen=True)
class _Plan:
    """How ``EventCodec.from_dict`` reads one event class, worked out once per class: each field's name,
    reader and whether it is required; the keys a document may have; whether the class adds ``check``."""

    fields: tuple[tuple[str, Callable[[str, Any], Any], bool], ...]
    allowed: frozenset[str]
    checks: bool


@cache
def _plan(cls: type[Event]) -> _Plan:
    own = [f for f in fields(cls) if f.name != "at_ms"]
    return _Plan(tuple((f.name, READERS[str(f.type)], f.default is MISSING) for f in own),
                 frozenset({"kind", "at", *(f.name for f in own)}), cls.check is not Event.check)


@dataclass(frozen=True)
class EventCodec:
    """Reads and writes one protocol's events (``at`` in seconds on the wire, ``at_ms`` in the model)."""

    types: Mapping[str, type[Event]]

    def __post_init__(self) -> None:
        for cls in self.types.values():
            for f in fields(cls):
                if f.name != "at_ms" and str(f.type) not in READERS:
                    raise TypeError(f"{cls.__name__}.{f.name}: no reader for type {f.type!r}; use one of "
                                    f"{', '.join(READERS)}")

    def from_dict(self, data: Mapping[str, Any]) -> Event:
        """Read one trace event into its dataclass (EventError naming the field)."""
        if type(data) is not dict and not isinstance(data, Mapping):
            raise EventError("an event must be a mapping")
        kind = data.get("kind")
        cls = self.types.get(kind) if isinstance(kind, str) else None
        if cls is None:
            raise EventError(f"kind: unknown event kind {quote(kind)}; known: {', '.join(self.types)}")
        at_ms = read_time_ms(data.get("at"))
        plan = _plan(cls)
        if not plan.allowed.issuperset(data):
            unknown = sorted(str(k) for k in set(data) - plan.allowed)
            raise EventError(f"{quote(unknown[0])}: unknown field for a {kind!r} event")
        kwargs: dict[str, Any] = {}
        for name, read, required in plan.fields:
            if name in data:
                kwargs[name] = read(name, data[name])
            elif required:
                raise EventError(f"{name}: missing for a {kind!r} event")
        event = cls(at_ms, **kwargs)
        if plan.checks:
            event.check()
        return event

    def to_dict(self, event: Event) -> dict[str, Any]:
        """The trace form of an event: ``at`` in seconds, the kind, then its fields (absent values and
        unset flags, i.e. a None or False default left as it is, are omitted)."""
        out: dict[str, Any] = {"at": event.at_ms / 1000, "kind": event.kind}
        for f in fields(event):
            if f.name == "at_ms":
                continue
            value = getattr(event, f.name)
            if f.default in (None, False) and value is f.default:
                continue
            out[f.name] = value
        return out
