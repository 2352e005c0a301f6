"""The network half of a crdt adapter (CR-NET-1..9): message buffer, faults and partitions around library docs.

A CRDT library gives replicas that export their state or one update's delta as bytes and import bytes; what
peerproof's crdt traces also describe is the network between them: a buffer of messages addressed by id
that the trace delivers, duplicates or drops, partitions that block delivery, and (ghost) which updates each
replica holds. ``Network`` keeps that bookkeeping for any ``Library`` and answers the adapter operations,
so a library adapter only says how to update, export, import and read one replica.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any, ClassVar, Protocol

from peerproof.adapters.serve import Refusal

NETWORK_KINDS = ("update", "sync", "deliver", "duplicate", "drop", "partition", "heal")
OBSERVABLES = ("time", "replicas.*.value", "replicas.*.seen", "buffer", "partition", "rejected", "blocked")
"""What a library replica can be compared on: its value and the updates it holds (not its metadata size)."""


class Library(Protocol):
    """One CRDT library's replicas: create, update locally, export, import, read."""

    def replica(self, index: int) -> Any: ...  # a fresh doc; index gives its client/peer id
    def update(self, doc: Any, event: Mapping[str, Any]) -> bytes: ...  # apply locally; the delta
    def export(self, doc: Any) -> bytes: ...  # the whole state
    def merge(self, doc: Any, payload: bytes) -> None: ...  # import a delta or a state
    def value(self, doc: Any) -> Any: ...  # what a reader sees, as the model reports it


@dataclass
class Message:
    """A queued message: id, sender, receiver, bytes, and the updates it carries."""

    id: int
    src: str
    dst: str
    payload: bytes
    updates: frozenset[int]


@dataclass
class Network:
    """Replicas of one library and the buffer between them, driven by crdt trace events."""

    library: Library
    names: Sequence[str]
    docs: dict[str, Any] = field(default_factory=dict)
    seen: dict[str, set[int]] = field(default_factory=dict)
    buffer: list[Message] = field(default_factory=list)
    groups: list[set[str]] = field(default_factory=list)
    now_ms: int = 0
    next_msg: int = 0
    next_update: int = 0
    blocked: int = 0

    def __post_init__(self) -> None:
        self.docs = {r: self.library.replica(i) for i, r in enumerate(self.names)}
        self.seen = {r: set() for r in self.names}

    def _replica(self, event: Mapping[str, Any], key: str) -> str:
        name = event.get(key)
        if name not in self.docs:
            raise Refusal("bad-request", f"{key}: unknown replica {name!r}")
        return str(name)

    def _enqueue(self, src: str, dsts: Sequence[str], payload: bytes, updates: frozenset[int]) -> None:
        for dst in dsts:
            self.buffer.append(Message(self.next_msg, src, dst, payload, updates))
            self.next_msg += 1

    def _connected(self, a: str, b: str) -> bool:
        return not self.groups or any(a in g and b in g for g in self.groups)

    def apply(self, event: Mapping[str, Any]) -> None:
        """One trace event: a local update, a sync, or what the network does."""
        at = event.get("at")
        if not isinstance(at, int | float) or round(at * 1000) < self.now_ms:
            raise Refusal("bad-request", f"at: not a time at or after {self.now_ms / 1000}s: {at!r}")
        self.now_ms = round(at * 1000)
        kind = event.get("kind")
        if kind == "update":
            self._update(event)
        elif kind == "sync":
            src, dst = self._replica(event, "src"), self._replica(event, "dst")
            self._enqueue(src, [dst], self.library.export(self.docs[src]), frozenset(self.seen[src]))
        elif kind in ("deliver", "duplicate", "drop"):
            self._message(kind, event.get("msg"))
        elif kind == "partition":
            self.groups = [{r.strip() for r in g.split(",") if r.strip()} for g in str(event.get("groups")).split("|")]
        elif kind == "heal":
            self.groups = []
        else:
            raise Refusal("bad-request", f"kind: unknown crdt event {kind!r}")

    def _update(self, event: Mapping[str, Any]) -> None:
        for name in ("to", "writer", "pubkey", "sig", "subkey", "ts_ms", "expiry_ms", "seq"):
            if event.get(name) not in (None, -1, 0):
                raise Refusal("unsupported", f"update.{name}: the library issues its own metadata")
        replica = self._replica(event, "replica")
        delta = self.library.update(self.docs[replica], event)
        uid = self.next_update
        self.next_update += 1
        self.seen[replica].add(uid)
        if not event.get("quiet", False):
            self._enqueue(replica, [r for r in self.names if r != replica], delta, frozenset({uid}))

    def _message(self, kind: str, msg_id: Any) -> None:
        msg = next((m for m in self.buffer if m.id == msg_id), None)
        if msg is None:
            return
        if kind == "duplicate":
            self._enqueue(msg.src, [msg.dst], msg.payload, msg.updates)
        elif kind == "drop":
            self.buffer.remove(msg)
        elif not self._connected(msg.src, msg.dst):
            self.blocked += 1
        else:
            self.library.merge(self.docs[msg.dst], msg.payload)
            self.seen[msg.dst] |= msg.updates
            self.buffer.remove(msg)

    def observe(self) -> dict[str, Any]:
        """The declared observables (OBSERVABLES), in the model's shape."""
        return {"time": self.now_ms / 1000,
                "replicas": {r: {"value": self.library.value(self.docs[r]), "seen": sorted(self.seen[r])}
                             for r in sorted(self.names)},
                "buffer": [f"{m.id}:{m.src}>{m.dst}" for m in self.buffer],
                "partition": "|".join(",".join(sorted(g)) for g in self.groups),
                "rejected": 0, "blocked": self.blocked}


def require(config: Mapping[str, Any], types: Sequence[str], rules: Sequence[str]) -> list[str]:
    """The replica names of a config the library can express (Refusal ``unsupported`` otherwise, naming why)."""
    if config.get("type") not in types:
        raise Refusal("unsupported", f"type: {config.get('type')!r}; this adapter supports {', '.join(types)}")
    rule = (config.get("merge") or {}).get("rule")
    if rule not in rules:
        raise Refusal("unsupported", f"merge.rule: {rule!r}; the library merges as {', '.join(rules)}")
    for section, why in (("gc", "garbage collection"), ("invariant", "an invariant guard")):
        if config.get(section):
            raise Refusal("unsupported", f"{section}: the library has no {why}")
    if (config.get("identity") or {}).get("scheme", "none") != "none":
        raise Refusal("unsupported", "identity.scheme: the library does not sign or verify records")
    clock = config.get("clock") or {}
    if clock.get("max_drift") is not None or clock.get("hlc"):
        raise Refusal("unsupported", "clock: the library does not read timestamps")
    replicas = config.get("replicas")
    if not isinstance(replicas, list) or not all(isinstance(r, str) for r in replicas):
        raise Refusal("bad-request", "replicas: a list of names")
    return replicas


class LibraryAdapter:
    """An adapter (for ``serve``) around a Network of one library's docs; subclasses name the library."""

    package: ClassVar[str]  # the distribution, for the hello's version
    wraps: ClassVar[str]
    types: ClassVar[tuple[str, ...]]
    rules: ClassVar[tuple[str, ...]]

    def __init__(self) -> None:
        self.network: Network | None = None

    def library(self, config: Mapping[str, Any]) -> Library:
        """The library's replicas for a (supported) config."""
        raise NotImplementedError

    def hello(self) -> dict[str, Any]:
        """crdt, dialect spec, the types and rules it supports, the network kinds and OBSERVABLES."""
        supports = (f"type {' or '.join(self.types)}, merge.rule {' or '.join(self.rules)}, identity none, no gc, "
                    "no invariant, no clock bound; dialect spec")
        return {"protocol": "crdt", "dialect": "spec",
                "implementation": {"name": self.package, "version": version(self.package), "wraps": self.wraps,
                                   "supports": supports},
                "capabilities": {"events": list(NETWORK_KINDS), "observables": list(OBSERVABLES)}}

    def reset(self, config: Mapping[str, Any], seed: int) -> None:
        """Fresh docs for the config's replicas (Refusal ``unsupported`` for what the library is not)."""
        names = require(config, self.types, self.rules)
        self.network = Network(self.library(config), names)

    def apply(self, event: Mapping[str, Any]) -> None:
        """One trace event."""
        if self.network is None:
            raise Refusal("bad-request", "apply before reset")
        self.network.apply(event)

    def observe(self) -> Mapping[str, Any]:
        """Every replica's value and held updates, the buffer, the partition."""
        if self.network is None:
            raise Refusal("bad-request", "observe before reset")
        return self.network.observe()
