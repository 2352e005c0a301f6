"""A network of replicas with a message buffer (CR-NET-1..9): the state ``step`` folds events over.

Each replica holds its type's state and (ghost) the set of updates whose effects it holds, so strong
eventual consistency can be stated: replicas that delivered the same updates must be equal. The buffer
is a multiset of messages (a delta or a whole state, plus the updates it carries) that the trace
delivers, duplicates or drops in any order; a partition blocks delivery between groups until ``heal``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from peerproof.reference.configfile import ConfigError
from peerproof.reference.crdt import lww
from peerproof.reference.crdt.config import Config
from peerproof.reference.crdt.datatypes import datatype
from peerproof.reference.crdt.events import (
    Deliver,
    Drop,
    Duplicate,
    Heal,
    Partition,
    Sync,
    Update,
)
from peerproof.reference.crdt.op import Op, Rejected
from peerproof.reference.events import Event
from peerproof.reference.limits import quote


class UnknownReplica(ConfigError, ValueError):
    """CR-NET-8: an event names a replica the config does not have (an input error at ``events[i].field``)."""

    def __init__(self, file: str, index: int, field: str, message: str) -> None:
        super().__init__(file, f"events[{index}].{field}", message)


@dataclass(frozen=True)
class Replica:
    """CR-NET-1: one replica's state and (ghost) the ids of the updates it has incorporated."""

    state: Any
    seen: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Message:
    """CR-NET-2: a queued message: id, sender, receiver, payload (a state) and the updates it carries."""

    id: int
    src: str
    dst: str
    payload: Any
    updates: frozenset[int]


@dataclass(frozen=True)
class State:
    """CR-NET-3: the whole network: clock, replicas, buffer, partition and the counts of refusals."""

    now_ms: int
    replicas: Mapping[str, Replica]
    buffer: tuple[Message, ...] = ()
    next_msg: int = 0
    next_update: int = 0
    groups: tuple[frozenset[str], ...] = ()
    rejected: int = 0  # records and updates refused (bad signature, stamp too far ahead, invariant guard)
    blocked: int = 0  # deliveries attempted across a partition
    steps: int = 0  # events stepped so far (locates an input error in its trace)


def initial_state(config: Config, seed: int = 0, dialect: Any = None) -> State:
    """CR-NET-4: every replica at its type's bottom, nothing queued, no partition, time 0."""
    bottom = datatype(config.type).bottom
    return State(0, {r: Replica(bottom) for r in config.replicas})


def known(config: Config, index: int, name: str, field: str) -> str:
    """``name`` if it is a replica of the config; UnknownReplica naming the event and field otherwise."""
    if name not in config.replicas:
        raise UnknownReplica(config.file, index, field, f"unknown replica {quote(name)}; the config has "
                                                 f"{', '.join(config.replicas)}")
    return name


def connected(state: State, a: str, b: str) -> bool:
    """Whether the partition lets a message from ``a`` reach ``b``."""
    return not state.groups or any(a in g and b in g for g in state.groups)


def clock(config: Config, state: State, replica: str) -> int:
    """CR-CLK-1/3: the stamp an honest replica gives a write: its clock, or (HLC) past every stamp it holds."""
    if config.hlc:
        return max(state.now_ms, lww.latest_ts(state.replicas[replica].state) + 1)
    return state.now_ms


def to_op(config: Config, state: State, e: Update) -> Op:
    """CR-OP-1: the update as its issuer records it, defaults filled in."""
    return Op(e.replica, e.op, e.key or "", e.subkey or "", e.value, e.amount,
              clock(config, state, e.replica) if e.ts_ms < 0 else e.ts_ms, None if e.expiry_ms < 0 else e.expiry_ms,
              e.writer or config.true_id(e.replica), e.pubkey, e.sig, e.seq, state.now_ms)


def enqueue(state: State, src: str, dsts: list[str], payload: Any, updates: frozenset[int]) -> State:
    """Queue one message per receiver."""
    msgs = tuple(Message(state.next_msg + i, src, d, payload, updates) for i, d in enumerate(dsts))
    return replace(state, buffer=state.buffer + msgs, next_msg=state.next_msg + len(msgs))


def local_update(config: Config, state: State, e: Update) -> State:
    """CR-NET-5: apply at the issuer (refused: counted, nothing changes) and queue the delta; a targeted send
    (``to``) skips the issuer's own checks and state, as a Byzantine sender does."""
    dt = datatype(config.type)
    issuer = state.replicas[e.replica]
    uid = state.next_update
    try:
        new, delta = dt.apply(config, issuer.state, to_op(config, state, e), e.to is None)
    except Rejected:
        return replace(state, rejected=state.rejected + 1)
    state = replace(state, next_update=uid + 1)
    if e.to is not None:
        return enqueue(state, e.replica, [e.to], delta, frozenset({uid}))
    replicas = {**state.replicas, e.replica: Replica(new, issuer.seen | {uid})}
    state = replace(state, replicas=replicas)
    if not e.quiet:
        state = enqueue(state, e.replica, [r for r in config.replicas if r != e.replica], delta, frozenset({uid}))
    return state


def deliver(config: Config, state: State, msg_id: int) -> State:
    """CR-NET-6: the receiver admits what it accepts from the payload and merges it in."""
    msg = next((m for m in state.buffer if m.id == msg_id), None)
    if msg is None:
        return state
    if not connected(state, msg.src, msg.dst):
        return replace(state, blocked=state.blocked + 1)
    dt = datatype(config.type)
    accepted, rejected = dt.admit(config, msg.payload, state.now_ms)
    target = state.replicas[msg.dst]
    merged = Replica(dt.merge(config.rule, target.state, accepted), target.seen | msg.updates)
    return replace(state, replicas={**state.replicas, msg.dst: merged},
                   buffer=tuple(m for m in state.buffer if m.id != msg_id), rejected=state.rejected + rejected)


def step(config: Config, state: State, event: Event, dialect: Any = None) -> State:
    """CR-NET-7: the network after one event, then every replica's GC (pure); UnknownReplica for a replica not in
    the config."""
    if event.at_ms < state.now_ms:
        raise ValueError(f"at: events must be in non-decreasing time ({event.at_ms} ms after {state.now_ms} ms)")
    index = state.steps
    return collect(config, apply_event(config, replace(state, now_ms=event.at_ms, steps=index + 1), event, index))


def collect(config: Config, state: State) -> State:
    """CR-GC-1: with a GC horizon, every replica drops dead metadata older than it after every event (as
    hivemind's TimedStorage does on every store and get)."""
    if config.gc_horizon_ms is None:
        return state
    dt = datatype(config.type)
    collected = {r: dt.gc(config, rep.state, state.now_ms) for r, rep in state.replicas.items()}
    if all(collected[r] is rep.state for r, rep in state.replicas.items()):
        return state
    return replace(state, replicas={r: rep if collected[r] is rep.state else Replica(collected[r], rep.seen)
                                    for r, rep in state.replicas.items()})


def apply_event(config: Config, state: State, event: Event, index: int) -> State:
    """The network after event ``index`` (the clock already moved to it), before garbage collection."""
    if isinstance(event, Update):
        known(config, index, event.replica, "replica")
        if event.to is not None:
            known(config, index, event.to, "to")
        return local_update(config, state, event)
    if isinstance(event, Sync):
        src = state.replicas[known(config, index, event.src, "src")]
        return enqueue(state, event.src, [known(config, index, event.dst, "dst")], src.state, src.seen)
    if isinstance(event, Deliver):
        return deliver(config, state, event.msg)
    if isinstance(event, Duplicate):
        msg = next((m for m in state.buffer if m.id == event.msg), None)
        return state if msg is None else enqueue(state, msg.src, [msg.dst], msg.payload, msg.updates)
    if isinstance(event, Drop):
        return replace(state, buffer=tuple(m for m in state.buffer if m.id != event.msg))
    if isinstance(event, Partition):
        groups = event.groups_list()
        for group in groups:
            for r in group:
                known(config, index, r, "groups")
        return replace(state, groups=tuple(frozenset(g) for g in groups))
    if isinstance(event, Heal):
        return replace(state, groups=())
    raise ValueError(f"kind: not a crdt event: {event!r}")


def check_events(config: Config, events: list[Event]) -> None:
    """CR-NET-8: every replica an event names is one of the config's (UnknownReplica at ``events[i].field``)."""
    names = {Update: ("replica", "to"), Sync: ("src", "dst")}
    for i, e in enumerate(events):
        given = [(f, getattr(e, f)) for f in names.get(type(e), ())]
        if isinstance(e, Partition):
            given += [("groups", r) for g in e.groups_list() for r in g]
        for field, value in given:
            if value is not None and value not in config.replicas:
                raise UnknownReplica(config.file, i, field, f"unknown replica {quote(value)}; the config has "
                                               f"{', '.join(config.replicas)}")


def observe(config: Config, state: State, dialect: Any = None) -> dict[str, Any]:
    """CR-NET-9: what a reader sees at every replica, its metadata size (op-log: the writers it caught
    equivocating), the buffer and refusals."""
    dt = datatype(config.type)
    replicas = {r: {"value": dt.query(config, rep.state, state.now_ms), "size": dt.size(rep.state),
                    "seen": sorted(rep.seen)} for r, rep in sorted(state.replicas.items())}
    if dt.equivocators is not None:
        for r, rep in state.replicas.items():
            replicas[r]["equivocators"] = dt.equivocators(rep.state)
    return {"time": state.now_ms / 1000, "replicas": replicas,
            "buffer": [f"{m.id}:{m.src}>{m.dst}" for m in state.buffer],
            "partition": "|".join(",".join(sorted(g)) for g in state.groups),
            "rejected": state.rejected, "blocked": state.blocked}
