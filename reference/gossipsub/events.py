"""The events a GossipSub router's scorer reacts to (GS-EV), as small frozen dataclasses with a ``kind``.

Each event happens at ``at_ms`` (whole milliseconds since the router started); before it is applied,
every decay refresh scheduled at or before that time runs (GS-DECAY-1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from peerproof.reference.events import Event, EventCodec, EventError


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

    def check(self) -> None:
        """The outcome is one of the validation results."""
        if self.outcome not in OUTCOMES:
            raise EventError(f"outcome: expected one of {', '.join(OUTCOMES)}")


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

    def check(self) -> None:
        """A behaviour penalty is a non-negative count."""
        if self.count < 0:
            raise EventError(f"count: a behaviour penalty is a non-negative count, got {self.count!r}")


@dataclass(frozen=True)
class Tick(Event):
    """Time passes; refreshes due by ``at_ms`` run, nothing else happens."""

    kind: ClassVar[str] = "tick"


@dataclass(frozen=True)
class Heartbeat(Event):
    """The router's heartbeat: mesh maintenance over every joined topic (GS-HB)."""

    kind: ClassVar[str] = "heartbeat"


OUTCOMES = ("accept", "reject", "ignore")
EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (AddPeer, RemovePeer, AddIP, RemoveIP, Subscribe, Unsubscribe, Graft, Prune, Receive, Validated,
                Deliver, Duplicate, Invalid, Ignored, AppScore, Penalty, Tick, Heartbeat)
}
CODEC = EventCodec(EVENT_TYPES)
event_from_dict = CODEC.from_dict
event_to_dict = CODEC.to_dict
