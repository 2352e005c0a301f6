"""The events a GossipSub router's scorer reacts to (GS-EV), as small frozen dataclasses with a ``kind``.

Each event happens at ``at_ms`` (whole milliseconds since the router started); before it is applied,
every decay refresh scheduled at or before that time runs (GS-DECAY-1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from typing import Any, ClassVar


@dataclass(frozen=True)
class Event:
    """Base of all events: the time it happens."""

    at_ms: int
    kind: ClassVar[str] = ""


@dataclass(frozen=True)
class AddPeer(Event):
    """A peer connects (go OnNewOutboundStream / AddPeer, ts addPeer); ``outbound`` is the direction."""

    peer: str
    outbound: bool = False
    kind: ClassVar[str] = "add_peer"


@dataclass(frozen=True)
class RemovePeer(Event):
    """A peer disconnects; a non-positive score is retained for RetainScore (GS-RETAIN)."""

    peer: str
    kind: ClassVar[str] = "remove_peer"


@dataclass(frozen=True)
class AddIP(Event):
    """The router learns that ``peer`` connects from ``ip`` (GS-P6)."""

    peer: str
    ip: str
    kind: ClassVar[str] = "add_ip"


@dataclass(frozen=True)
class RemoveIP(Event):
    """The router forgets that ``peer`` connects from ``ip``."""

    peer: str
    ip: str
    kind: ClassVar[str] = "remove_ip"


@dataclass(frozen=True)
class Subscribe(Event):
    """The peer announces a subscription to ``topic`` (makes it a grafting candidate, GS-HB-2)."""

    peer: str
    topic: str
    kind: ClassVar[str] = "subscribe"


@dataclass(frozen=True)
class Unsubscribe(Event):
    """The peer withdraws its subscription to ``topic``."""

    peer: str
    topic: str
    kind: ClassVar[str] = "unsubscribe"


@dataclass(frozen=True)
class Graft(Event):
    """``peer`` enters our mesh for ``topic`` (an accepted GRAFT or our own graft)."""

    peer: str
    topic: str
    kind: ClassVar[str] = "graft"


@dataclass(frozen=True)
class Prune(Event):
    """``peer`` leaves our mesh for ``topic`` (our prune or a PRUNE it sent); may add P3b (GS-P3b)."""

    peer: str
    topic: str
    kind: ClassVar[str] = "prune"


@dataclass(frozen=True)
class Receive(Event):
    """The first copy of message ``msg`` arrives from ``peer`` and enters validation."""

    peer: str
    topic: str
    msg: str
    kind: ClassVar[str] = "receive"


@dataclass(frozen=True)
class Validated(Event):
    """Validation of ``msg`` finishes with ``outcome`` accept, reject (invalid, GS-P4) or ignore."""

    msg: str
    outcome: str
    kind: ClassVar[str] = "validated"


@dataclass(frozen=True)
class Deliver(Event):
    """A first delivery: ``peer`` sends a message nobody sent before and it validates at once (GS-P2)."""

    peer: str
    topic: str
    msg: str
    kind: ClassVar[str] = "deliver"


@dataclass(frozen=True)
class Duplicate(Event):
    """``peer`` sends a copy of an already-seen message: near-first if within the window (GS-P3)."""

    peer: str
    topic: str
    msg: str
    kind: ClassVar[str] = "duplicate"


@dataclass(frozen=True)
class Invalid(Event):
    """``peer`` sends a message that fails validation (GS-P4); without ``msg``, a signature-level reject."""

    peer: str
    topic: str
    msg: str | None = None
    kind: ClassVar[str] = "invalid"


@dataclass(frozen=True)
class Ignored(Event):
    """``peer`` sends a message the validator ignores: no score effect for anyone."""

    peer: str
    topic: str
    msg: str
    kind: ClassVar[str] = "ignored"


@dataclass(frozen=True)
class AppScore(Event):
    """The application sets ``peer``'s application-specific score P5 to ``value`` (GS-P5)."""

    peer: str
    value: float
    kind: ClassVar[str] = "app_score"


@dataclass(frozen=True)
class Penalty(Event):
    """The router adds ``count`` to ``peer``'s behaviour-penalty counter (GS-P7)."""

    peer: str
    count: float = 1.0
    kind: ClassVar[str] = "penalty"


@dataclass(frozen=True)
class Tick(Event):
    """Time passes; refreshes due by ``at_ms`` run, nothing else happens."""

    kind: ClassVar[str] = "tick"


@dataclass(frozen=True)
class Heartbeat(Event):
    """The router's heartbeat: mesh maintenance over every joined topic (GS-HB)."""

    kind: ClassVar[str] = "heartbeat"


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (AddPeer, RemovePeer, AddIP, RemoveIP, Subscribe, Unsubscribe, Graft, Prune, Receive, Validated,
                Deliver, Duplicate, Invalid, Ignored, AppScore, Penalty, Tick, Heartbeat)
}
OUTCOMES = ("accept", "reject", "ignore")


class EventError(ValueError):
    """An event document that cannot be read; the message names the field."""


def event_from_dict(data: Mapping[str, Any]) -> Event:
    """Read one trace event (``at`` in seconds) into its dataclass."""
    if not isinstance(data, Mapping):
        raise EventError("an event must be a mapping")
    kind = data.get("kind")
    cls = EVENT_TYPES.get(kind)  # type: ignore[arg-type]
    if cls is None:
        raise EventError(f"kind: unknown event kind {kind!r}; known: {', '.join(EVENT_TYPES)}")
    at = data.get("at")
    if isinstance(at, bool) or not isinstance(at, int | float) or not math.isfinite(at) or at < 0:
        raise EventError(f"at: expected a time in seconds >= 0, got {at!r}")
    at_ms = round(at * 1000)
    if abs(at * 1000 - at_ms) > 1e-6:
        raise EventError(f"at: {at!r} is not a whole number of milliseconds")
    names = {f.name for f in fields(cls)} - {"at_ms"}
    unknown = set(data) - names - {"kind", "at"}
    if unknown:
        raise EventError(f"{sorted(unknown)[0]}: unknown field for a {kind!r} event")
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name == "at_ms":
            continue
        if f.name not in data:
            if f.default is MISSING:
                raise EventError(f"{f.name}: missing for a {kind!r} event")
            continue
        kwargs[f.name] = _check_field(f.name, data[f.name])
    if cls is Validated and kwargs["outcome"] not in OUTCOMES:
        raise EventError(f"outcome: expected one of {', '.join(OUTCOMES)}")
    return cls(at_ms=at_ms, **kwargs)


def _check_field(name: str, value: Any) -> Any:
    if name in ("value", "count"):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise EventError(f"{name}: expected a finite number, got {value!r}")
        if name == "count" and value < 0:
            raise EventError(f"count: a behaviour penalty is a non-negative count, got {value!r}")
        return float(value)
    if name == "outbound":
        if not isinstance(value, bool):
            raise EventError(f"{name}: expected true or false")
        return value
    if name == "msg" and value is None:
        return None
    if not isinstance(value, str) or not value:
        raise EventError(f"{name}: expected a non-empty string, got {value!r}")
    return value


def event_to_dict(event: Event) -> dict[str, Any]:
    """The trace form of an event: ``at`` in seconds, then the kind and its fields."""
    out: dict[str, Any] = {"at": event.at_ms / 1000, "kind": event.kind}
    for f in fields(event):
        if f.name == "at_ms":
            continue
        value = getattr(event, f.name)
        if value is None or (f.name == "outbound" and value is False):
            continue
        out[f.name] = value
    return out
