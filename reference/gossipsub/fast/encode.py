"""Events as the kernel reads them (GS-FAST-1): one array per field, names interned to dense ids.

Interning is the only per-event Python work of the fast engine, so it runs as a few list
comprehensions over the whole trace rather than one dispatch per event. ``head`` reads what sizes the
tables (kinds, times, peers, topics); ``fill`` interns message IDs and reads the numbers of a further
stretch of events, so that the engine can step one stretch in its compiled kernel while the next is
filled (GS-FAST-8).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
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


@dataclass
class Encoded:
    """A trace's events as arrays, the names behind the ids, and where the pure fold would stop.

    ``msg``, ``val`` and ``flag`` hold the events before ``ready`` (``fill`` extends them); the other
    arrays and names are whole from the start.
    """

    kind: np.ndarray
    at: np.ndarray
    peer: np.ndarray
    topic: np.ndarray
    msg: np.ndarray
    val: np.ndarray
    flag: np.ndarray
    peers: list[str]
    topics: list[str]  # the config's scored topics first (ids 0 .. T-1), then the others
    usable: int  # events before the first one the pure fold refuses (len(events) when none)
    refusal: Exception | None  # what the pure fold raises at events[usable]
    ready: int = 0
    # message ID -> its first event, in order of first appearance (so in id order) after None
    first_seen: dict[str | None, int] = field(default_factory=lambda: {None: -1})
    _messages: list[str] = field(default_factory=list)

    @property
    def messages(self) -> list[str]:
        """The message IDs met so far, by id (listed when asked: a replay that reads no record never does)."""
        if len(self._messages) != len(self.first_seen) - 1:
            self._messages = list(self.first_seen)[1:]
        return self._messages


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


def _field(events: Sequence, name: str, first: Sequence[str] = ()) -> tuple[np.ndarray, list[str]]:
    """The ids of each event's field ``name`` (-1 where it has none or None), and the names behind the
    ids: ``first``, then the others in order of first appearance (``_Names`` numbers them as met)."""
    table = _Names(first)
    values = map(getattr, events, repeat(name), repeat(None))
    return np.fromiter(map(table.__getitem__, values), dtype=np.int64, count=len(events)), table.names


def encode(config: Config, events: Sequence) -> Encoded:
    """The arrays of the events the pure fold applies (up to its first refusal), every one filled."""
    ev = head(config, events)
    fill(ev, events, ev.usable)
    return ev


def head(config: Config, events: Sequence) -> Encoded:
    """The kinds, times, peers and topics of the events the pure fold applies (up to its first refusal),
    names interned in order of first appearance, the config's scored topics first; nothing filled yet."""
    with _collector_paused():
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
        peer, peers = _field(events, "peer")
        topic, topics = _field(events, "topic", tuple(config.score.topics))
    return Encoded(kind[:usable], at[:usable], peer, topic, np.zeros(usable, np.int64), np.zeros(usable),
                   np.zeros(usable, np.int64), peers, topics, usable, refusal)


def fill(ev: Encoded, events: Sequence, stop: int) -> None:
    """Intern the message IDs and read the numbers of events ``ev.ready .. stop-1``.

    A message's id is the number of distinct IDs met before its first event: one C-level pass records
    each ID's first event (a dict's setdefault with the event index), and the events that are their
    ID's first take the next ids in order.
    """
    start, stop = ev.ready, min(stop, ev.usable)
    if stop <= start:
        return
    with _collector_paused():
        chunk = events[start:stop]
        known = len(ev.first_seen) - 1
        names = map(getattr, chunk, repeat("msg"), repeat(None))
        first = np.fromiter(map(ev.first_seen.setdefault, names, range(start, stop)), dtype=np.int64,
                            count=stop - start)
        new = np.flatnonzero(first == np.arange(start, stop))
        ev.msg[start + new] = np.arange(known, known + new.size)
        ev.msg[start:stop] = np.where(first >= 0, ev.msg[np.maximum(first, 0)], -1)
        kind = ev.kind[start:stop]
        _fill(ev.val[start:stop], chunk, kind == k.PENALTY, attrgetter("count"))
        _fill(ev.val[start:stop], chunk, kind == k.APP_SCORE, attrgetter("value"))
        _fill(ev.flag[start:stop], chunk, kind == k.VALIDATE, lambda e: OUTCOME_CODES[e.outcome])
        _fill(ev.flag[start:stop], chunk, kind == k.ADD_PEER, lambda e: bool(e.outbound))
        _fill(ev.flag[start:stop], chunk, kind == k.RECEIVE, lambda e: e.peer == "")  # no first sender
    ev.ready = stop


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused: interning allocates millions of objects that form no cycles,
    and each collection it would trigger walks every live object (the events included)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _fill(column: np.ndarray, events: Sequence, where: np.ndarray, value: Callable[[Any], Any]) -> None:
    """``column[i] = value(events[i])`` wherever ``where`` holds, in one assignment."""
    index = np.flatnonzero(where)
    if index.size:
        column[index] = np.fromiter(map(value, map(events.__getitem__, index.tolist())), dtype=column.dtype,
                                    count=index.size)
