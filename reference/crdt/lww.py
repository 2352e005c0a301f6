"""Last-writer-wins types (CR-LWW-1..9): the register, the map, and the expiring key/subkey map of DHT stores.

All three keep one ``Entry`` per (key, subkey) and merge entry by entry. The standard rules order
entries totally (``ts-writer``: by timestamp, then writer id, then the rest of the record;
``expiry-writer``: by expiry first, as hivemind's DHT does), so the merge is a join. The broken rules
compare the stamp alone and keep the local entry on a tie: ``ts-keep-local`` (a register comparing
timestamps only) and ``expiry-keep-stored`` (hivemind ``TimedStorage.store``, learning-at-home/hivemind
hivemind/utils/timed_storage.py @ 4bd43b77: ``if self.data[key].expiration_time < expiration_time``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from peerproof.reference.crdt.config import Config
from peerproof.reference.crdt.identity import verify, writer_id
from peerproof.reference.crdt.op import Op, Rejected


@dataclass(frozen=True)
class Entry:
    """CR-LWW-1: one written record: its stamp, expiry, writer, value (None: removed) and signature."""

    ts: int
    expiry: int | None
    writer: str
    value: str | None
    pubkey: str | None = None
    sig: str | None = None
    origin: str = ""  # ghost: the replica that really issued it (never read by the protocol)

    def signed_fields(self, key: str, subkey: str) -> list[Any]:
        """CR-ID-2: what the writer's signature covers."""
        return ["lww", key, subkey, self.value, self.ts, self.expiry, self.writer]

    def to_json(self) -> dict[str, Any]:
        """The entry as JSON."""
        doc = {"ts": self.ts, "writer": self.writer, "value": self.value}
        if self.expiry is not None:
            doc["expiry"] = self.expiry
        return doc


@dataclass(frozen=True)
class Store:
    """CR-LWW-2: the state: the winning entry of every (key, subkey) written so far."""

    entries: Mapping[tuple[str, str], Entry]


BOTTOM = Store({})


def total_key(rule: str, e: Entry) -> tuple[Any, ...]:
    """CR-LWW-3: the total order of the standard rules (stamp, writer id, then every other field)."""
    rest = (e.value or "", e.pubkey or "", e.sig or "", e.origin)
    if rule == "expiry-writer":
        return (e.expiry if e.expiry is not None else -1, e.writer, e.ts, *rest)
    return (e.ts, e.writer, e.expiry if e.expiry is not None else -1, *rest)


def stamp(rule: str, e: Entry) -> int:
    """The time an entry is ranked by: its expiry under the expiry rules, its timestamp otherwise."""
    return (e.expiry if e.expiry is not None else -1) if rule.startswith("expiry") else e.ts


def merge_entry(rule: str, local: Entry, incoming: Entry) -> Entry:
    """CR-LWW-4: the entry a replica keeps: the greater one; the broken rules keep the local one on a tied stamp."""
    if rule in ("ts-writer", "expiry-writer"):
        return max(local, incoming, key=lambda e: total_key(rule, e))
    return incoming if stamp(rule, incoming) > stamp(rule, local) else local


def merge(rule: str, local: Store, incoming: Store) -> Store:
    """CR-LWW-5: merge two stores key by key."""
    out = dict(local.entries)
    for k, e in incoming.entries.items():
        out[k] = merge_entry(rule, out[k], e) if k in out else e
    return Store(out)


def admissible(config: Config, key: tuple[str, str], e: Entry, now_ms: int) -> bool:
    """CR-LWW-6: whether a replica with clock ``now_ms`` accepts a record (signature, owner, stamp bound)."""
    if config.scheme == "ed25519":
        if not e.pubkey or writer_id(e.pubkey) != e.writer or not verify(e.pubkey, e.sig, e.signed_fields(*key)):
            return False
        if config.type == "expiring-map" and key[1] != e.writer:
            return False  # CR-LWW-8: an owned subkey is written only by its owner (hivemind's [owner:...])
    return config.max_drift_ms is None or stamp(config.rule, e) <= now_ms + config.max_drift_ms


def admit(config: Config, incoming: Store, now_ms: int) -> tuple[Store, int]:
    """The records of an incoming state the receiver accepts, and how many it rejects; expired ones are dropped."""
    kept, rejected = {}, 0
    for k, e in incoming.entries.items():
        if config.type == "expiring-map" and e.expiry is not None and e.expiry < now_ms:
            continue  # hivemind TimedStorage.store refuses a record whose expiration is already past
        if admissible(config, k, e, now_ms):
            kept[k] = e
        else:
            rejected += 1
    return Store(kept), rejected


def target(config: Config, op: Op) -> tuple[str, str]:
    """The (key, subkey) an update writes; Rejected when the type does not have it."""
    if config.type == "lww-register":
        return ("", "")
    if config.type == "expiring-map":
        if op.expiry_ms is None:
            raise Rejected("expiry: an expiring-map record needs an expiry")
        return (op.key, op.subkey or op.writer)
    return (op.key, "")


def apply(config: Config, state: Store, op: Op, check: bool = True) -> tuple[Store, Store]:
    """CR-LWW-7: a local set (or map remove); the new state and the delta (``check``: run the issuer's checks)."""
    if op.op not in ("set", "remove") or (op.op == "remove" and config.type != "lww-map"):
        raise Rejected(f"op: {config.type} has no {op.op!r}")
    key = target(config, op)
    entry = Entry(op.ts_ms, op.expiry_ms, op.writer, op.value if op.op == "set" else None, op.pubkey, op.sig,
                  op.replica)
    if check and not admissible(config, key, entry, op.now_ms):
        raise Rejected("the issuer's own checks refuse the record")
    delta = Store({key: entry})
    return merge(config.rule, state, delta), delta


def live(config: Config, e: Entry, now_ms: int) -> bool:
    """Whether a query shows an entry: not removed and (expiring-map) not expired."""
    return e.value is not None and not (config.type == "expiring-map" and e.expiry is not None
                                        and e.expiry < now_ms)


def query(config: Config, state: Store, now_ms: int) -> Any:
    """CR-LWW-9: the value a reader sees: the register's value, the map, or key -> subkey -> value."""
    shown = {k: e for k, e in state.entries.items() if live(config, e, now_ms)}
    if config.type == "lww-register":
        return shown[("", "")].value if ("", "") in shown else None
    if config.type == "lww-map":
        return {k[0]: e.value for k, e in sorted(shown.items())}
    out: dict[str, dict[str, str | None]] = {}
    for (key, sub), e in sorted(shown.items()):
        out.setdefault(key, {})[sub] = e.value
    return out


def gc(config: Config, state: Store, now_ms: int) -> Store:
    """CR-GC-1: drop removal tombstones and (expiring-map) expired records older than the GC horizon."""
    if config.gc_horizon_ms is None:
        return state
    cutoff = now_ms - config.gc_horizon_ms
    expiring = config.type == "expiring-map"

    def dead_long_ago(e: Entry) -> bool:
        return (e.value is None and e.ts < cutoff) or (expiring and e.expiry is not None and e.expiry < cutoff)
    kept = {k: e for k, e in state.entries.items() if not dead_long_ago(e)}
    return state if len(kept) == len(state.entries) else Store(kept)


def size(state: Store) -> int:
    """The metadata a replica keeps: one per entry, tombstones included."""
    return len(state.entries)


def to_json(state: Store) -> Any:
    """The state as JSON: ``key/subkey`` -> entry."""
    return {f"{k}/{s}" if s else k: e.to_json() for (k, s), e in sorted(state.entries.items())}


def dead(config: Config, state: Store, now_ms: int) -> list[int]:
    """When each dead record a replica still holds died: removal tombstones and expired records."""
    return [e.ts if e.value is None else e.expiry for e in state.entries.values()
            if not live(config, e, now_ms) and (e.value is None or e.expiry is not None)]


def latest_ts(state: Store) -> int:
    """CR-CLK-3: the greatest timestamp a replica holds (-1: none)."""
    return max((e.ts for e in state.entries.values()), default=-1)


def stamps(config: Config, state: Store) -> list[tuple[int, str]]:
    """Every held record's ranked stamp and its (ghost) origin, for the bounded-future property."""
    return [(stamp(config.rule, e), e.origin) for e in state.entries.values()]


def writers(state: Store) -> list[tuple[str, str]]:
    """Every held record's claimed writer and its (ghost) origin, for the authentication property."""
    return [(e.writer, e.origin) for e in state.entries.values()]
