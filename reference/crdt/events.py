"""The events of a crdt trace (CR-EV-1..8): local updates, state shipping, and what the network does.

One ``step`` per event: a local update (applied at its replica, its delta queued for the others), a
``sync`` (queue a replica's whole state for another), and the faults of an asynchronous network:
``deliver``, ``duplicate`` and ``drop`` of a queued message (by id, so any order is possible),
``partition`` and ``heal``. Garbage collection is not an event: with a GC horizon every replica collects
after every event (CR-GC-1). Times are milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from peerproof.reference.crdt.identity import is_hex
from peerproof.reference.events import Event, EventCodec, EventError

OPS = ("set", "remove", "add", "inc", "dec", "append")


@dataclass(frozen=True)
class Update(Event):
    """CR-EV-1: a local update at ``replica``; metadata left at -1/None is filled in by the issuer (honest)."""

    replica: str
    op: str
    key: str | None = None
    subkey: str | None = None
    value: str | None = None
    amount: int = 1
    ts_ms: int = -1  # -1: the issuer's clock
    expiry_ms: int = -1  # -1: no expiry
    writer: str | None = None  # None: the issuer's own id
    pubkey: str | None = None
    sig: str | None = None
    seq: int = 0  # op-log writer-seq: 0 means the next number
    to: str | None = None  # a targeted send: queued for this replica only and not applied locally
    quiet: bool = False  # apply locally without queueing the delta for the other replicas
    kind: ClassVar[str] = "update"

    def check(self) -> None:
        """Malformed updates are input errors naming the field."""
        if self.op not in OPS:
            raise EventError(f"op: unknown operation {self.op!r}; known: {', '.join(OPS)}")
        for name in ("ts_ms", "expiry_ms"):
            if getattr(self, name) < -1:
                raise EventError(f"{name}: a time in ms >= 0 (or -1 for the issuer's default), "
                                 f"got {getattr(self, name)}")
        if self.amount < 1:
            raise EventError(f"amount: at least 1, got {self.amount}")
        if self.seq < 0:
            raise EventError(f"seq: a sequence number >= 1 (0: the next), got {self.seq}")
        for name, length in (("pubkey", 64), ("sig", 128)):
            value = getattr(self, name)
            if value is not None and not is_hex(value, length):
                raise EventError(f"{name}: expected {length} hex characters")


@dataclass(frozen=True)
class Sync(Event):
    """CR-EV-2: ``src`` queues its whole state for ``dst`` (state-based anti-entropy)."""

    src: str
    dst: str
    kind: ClassVar[str] = "sync"


@dataclass(frozen=True)
class Deliver(Event):
    """CR-EV-3: the network delivers queued message ``msg`` (blocked across a partition)."""

    msg: int
    kind: ClassVar[str] = "deliver"


@dataclass(frozen=True)
class Duplicate(Event):
    """CR-EV-4: the network copies queued message ``msg`` (the copy gets the next id)."""

    msg: int
    kind: ClassVar[str] = "duplicate"


@dataclass(frozen=True)
class Drop(Event):
    """CR-EV-5: the network loses queued message ``msg``."""

    msg: int
    kind: ClassVar[str] = "drop"


@dataclass(frozen=True)
class Partition(Event):
    """CR-EV-6: the network splits into groups, written ``a,b|c``; messages between groups wait."""

    groups: str
    kind: ClassVar[str] = "partition"

    def groups_list(self) -> list[list[str]]:
        """The groups as lists of replica names."""
        return [[r.strip() for r in g.split(",") if r.strip()] for g in self.groups.split("|")]

    def check(self) -> None:
        """Every group names at least one replica, and no replica twice."""
        seen: list[str] = []
        for group in self.groups_list():
            if not group:
                raise EventError("groups: an empty group; write e.g. 'a,b|c'")
            seen.extend(group)
        if len(set(seen)) != len(seen):
            raise EventError("groups: a replica appears in two groups")


@dataclass(frozen=True)
class Heal(Event):
    """CR-EV-7: the partition ends."""

    kind: ClassVar[str] = "heal"


EVENT_TYPES = (Update, Sync, Deliver, Duplicate, Drop, Partition, Heal)
CODEC = EventCodec({cls.kind: cls for cls in EVENT_TYPES})
event_from_dict = CODEC.from_dict
event_to_dict = CODEC.to_dict
