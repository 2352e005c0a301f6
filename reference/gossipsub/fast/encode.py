"""Events as the kernel reads them (GS-FAST-1): one array per field, names interned to dense ids.

Interning is the only per-event Python work of the fast engine, so it runs as a few list
comprehensions over the whole trace rather than one dispatch per event.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter
from typing import Any

import numpy as np
from peerproof.reference.events import OutOfOrderEvent, at_event
from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.events import (
    AddIP,
    AddPeer,
    AppScore,
    Deliver,
    Duplicate,
    Graft,
    Heartbeat,
    Ignored,
    Invalid,
    Penalty,
    Prune,
    Receive,
    RemoveIP,
    RemovePeer,
    Subscribe,
    Tick,
    Unsubscribe,
    Validated,
)
from peerproof.reference.gossipsub.fast import kernel as k

KINDS: dict[type, int] = {
    Tick: k.TICK, Receive: k.RECEIVE, Validated: k.VALIDATE, Deliver: k.DELIVER, Duplicate: k.DUPLICATE,
    Invalid: k.INVALID_MSG, Ignored: k.IGNORE, Graft: k.GRAFT, Prune: k.PRUNE, Penalty: k.PENALTY,
    AppScore: k.APP_SCORE, Subscribe: k.SUBSCRIBE, Unsubscribe: k.UNSUBSCRIBE, AddPeer: k.ADD_PEER,
    RemovePeer: k.REMOVE_PEER, AddIP: k.ADD_IP, RemoveIP: k.REMOVE_IP, Heartbeat: k.HEARTBEAT,
}
OUTCOME_CODES = {"accept": k.ACCEPT, "reject": k.REJECT, "ignore": k.IGNORE_OUTCOME}


@dataclass(frozen=True)
class Encoded:
    """A trace's events as arrays, the names behind the ids, and where the pure fold would stop."""

    kind: np.ndarray
    at: np.ndarray
    peer: np.ndarray
    topic: np.ndarray
    msg: np.ndarray
    val: np.ndarray
    flag: np.ndarray
    peers: list[str]
    topics: list[str]  # the config's scored topics first (ids 0 .. T-1), then the others
    messages: list[str]
    usable: int  # events before the first one the pure fold refuses (len(events) when none)
    refusal: Exception | None  # what the pure fold raises at events[usable]


class _Names(dict):
    """Name -> id, numbering a name the first time it is looked up (None -> -1): interning in one C-level
    pass, with a Python call only for each new name."""

    def __init__(self, first: Sequence[str]) -> None:
        super().__init__({None: -1, **{name: i for i, name in enumerate(first)}})
        self.names = list(first)

    def __missing__(self, name: str) -> int:
        self[name] = len(self.names)
        self.names.append(name)
        return self[name]


class _Kinds(dict):
    """Event class -> kernel kind, -1 for a class that is no gossipsub event."""

    def __missing__(self, cls: type) -> int:
        return -1


KIND_OF = _Kinds(KINDS)


def _field(events: Sequence, name: str, first: Sequence[str] = (), many: bool = False) -> tuple[np.ndarray, list[str]]:
    """The ids of each event's field ``name`` (-1 where it has none or None), and the names behind the
    ids: ``first``, then the others in order of first appearance.

    ``many`` (most values distinct, as message IDs): one C-level pass records each name's first
    appearance (a dict's setdefault with the event index), a running count of first appearances numbers
    the names, and the dict's own order lists them; otherwise (few names, as peers and topics) ``_Names``
    numbers them as met.
    """
    n, f = len(events), len(first)
    values = map(getattr, events, repeat(name), repeat(None))
    if not many:
        table = _Names(first)
        return np.fromiter(map(table.__getitem__, values), dtype=np.int64, count=n), table.names
    table_: dict[str | None, int] = {None: -f - 1, **{name_: j - f for j, name_ in enumerate(first)}}
    raw = np.fromiter(map(table_.setdefault, values, range(n)), dtype=np.int64, count=n)
    rank = np.cumsum(raw == np.arange(n)) - 1 + f
    ids = np.where(raw >= 0, rank[np.maximum(raw, 0)], raw + f)
    ids[raw == -f - 1] = -1
    return ids, list(table_)[1:]  # None, then ``first``, then the others as they first appeared


def encode(config: Config, events: Sequence) -> Encoded:
    """The arrays of the events the pure fold applies (up to its first refusal); names interned in order
    of first appearance, the config's scored topics first.

    The cyclic garbage collector is paused meanwhile: interning allocates millions of objects that form no
    cycles, and each collection it would trigger walks every live object (the events included).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _encode(config, events)
    finally:
        if enabled:
            gc.enable()


def _encode(config: Config, events: Sequence) -> Encoded:
    kind = np.fromiter(map(KIND_OF.__getitem__, map(type, events)), dtype=np.int64, count=len(events))
    usable, refusal = len(events), None
    unknown = np.flatnonzero(kind < 0)
    if unknown.size:
        usable = int(unknown[0])
        refusal = TypeError(f"not a gossipsub event: {events[usable]!r}")
    at = np.fromiter(map(attrgetter("at_ms"), events), dtype=np.int64, count=usable)
    back = np.flatnonzero(at < np.concatenate(([0], np.maximum.accumulate(at)[:-1])))
    if back.size:
        usable = int(back[0])
        clock = int(at[usable - 1]) if usable else 0
        exc = OutOfOrderEvent(f"event at {int(at[usable]) / 1000}s is earlier than the clock ({clock / 1000}s)")
        refusal = at_event(exc, usable)
    if usable < len(events):
        events = events[:usable]
    at = at[:usable]
    kind = kind[:usable]
    peer, peers = _field(events, "peer")
    topic, topics = _field(events, "topic", tuple(config.score.topics))
    msg, messages = _field(events, "msg", many=True)
    val = np.zeros(usable)
    flag = np.zeros(usable, dtype=np.int64)
    _fill(val, events, kind == k.PENALTY, attrgetter("count"))
    _fill(val, events, kind == k.APP_SCORE, attrgetter("value"))
    _fill(flag, events, kind == k.VALIDATE, lambda e: OUTCOME_CODES[e.outcome])
    _fill(flag, events, kind == k.ADD_PEER, lambda e: bool(e.outbound))
    _fill(flag, events, kind == k.RECEIVE, lambda e: e.peer == "")  # no first sender: Validated settles nothing
    return Encoded(kind, at, peer, topic, msg, val, flag, peers, topics, messages, usable, refusal)


def _fill(column: np.ndarray, events: Sequence, where: np.ndarray, value: Callable[[Any], Any]) -> None:
    """``column[i] = value(events[i])`` wherever ``where`` holds, in one assignment."""
    index = np.flatnonzero(where)
    if index.size:
        column[index] = np.fromiter(map(value, map(events.__getitem__, index.tolist())), dtype=column.dtype,
                                    count=index.size)
