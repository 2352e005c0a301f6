"""The op-based log as a hash graph (CR-LOG-1..8): signed ops naming their predecessors, merged by union.

* ``content-hash`` (Kleppmann, "Making CRDTs Byzantine Fault Tolerant", PaPoC 2022): an op's id is the
  hash of its content and its predecessors' ids, so one id cannot name two contents; an equivocating
  writer only produces two concurrent ops, which every replica ends up holding.
* ``writer-seq`` (broken under Byzantine writers): ids are (writer, sequence number), as version vectors
  assume; a replica that already holds an id ignores another op under it, so a writer who sends two
  contents under one id to different replicas splits them for good (pycrdt and Loro diverge silently
  on a duplicated client id, notes §4).
An op is shown by a query only once all its predecessors are held (causal delivery, CR-LOG-6).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from peerproof.reference.crdt.config import Config
from peerproof.reference.crdt.identity import verify, writer_id
from peerproof.reference.crdt.op import Op, Rejected


@dataclass(frozen=True)
class LogOp:
    """CR-LOG-1: one op: its id, writer, value, predecessors (ids), sequence number and signature."""

    id: str
    writer: str
    value: str
    preds: tuple[str, ...]
    seq: int
    pubkey: str | None = None
    sig: str | None = None
    origin: str = ""  # ghost: the replica that really issued it

    def signed_fields(self) -> list[Any]:
        """CR-ID-2: what the writer's signature covers."""
        return ["log", self.id, self.writer, self.value, list(self.preds), self.seq]


@dataclass(frozen=True)
class Log:
    """CR-LOG-2: the ops a replica holds, by id."""

    ops: Mapping[str, LogOp]


BOTTOM = Log({})


def content_id(writer: str, value: str, preds: tuple[str, ...], seq: int) -> str:
    """CR-LOG-3: the hash-graph id: SHA-256 of the op's content and its predecessors' ids (16 hex digits)."""
    text = json.dumps([writer, value, list(preds), seq], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def op_id(rule: str, writer: str, value: str, preds: tuple[str, ...], seq: int) -> str:
    """The id an op must carry under the rule."""
    return content_id(writer, value, preds, seq) if rule == "content-hash" else f"{writer}:{seq}"


def merge(rule: str, local: Log, incoming: Log) -> Log:
    """CR-LOG-4: union by id; on one id with two contents ``writer-seq`` keeps the local op."""
    out = dict(local.ops)
    for i, o in incoming.ops.items():
        if i not in out:
            out[i] = o
        elif rule == "content-hash":
            out[i] = max(out[i], o, key=lambda x: (x.pubkey or "", x.sig or "", x.origin))
    return Log(out)


def admissible(config: Config, o: LogOp) -> bool:
    """CR-LOG-5: an op is accepted when its id is the one its content implies and (ed25519) its signature holds."""
    if o.id != op_id(config.rule, o.writer, o.value, o.preds, o.seq):
        return False
    return config.scheme != "ed25519" or (bool(o.pubkey) and writer_id(o.pubkey or "") == o.writer
                                          and verify(o.pubkey, o.sig, o.signed_fields()))


def admit(config: Config, incoming: Log, now_ms: int) -> tuple[Log, int]:
    """The ops a receiver accepts, and how many it rejects."""
    kept = {i: o for i, o in incoming.ops.items() if admissible(config, o)}
    return Log(kept), len(incoming.ops) - len(kept)


def heads(state: Log) -> tuple[str, ...]:
    """The ids no held op names as a predecessor."""
    named = {p for o in state.ops.values() for p in o.preds}
    return tuple(sorted(i for i in state.ops if i not in named))


def apply(config: Config, state: Log, op: Op, check: bool = True) -> tuple[Log, Log]:
    """CR-LOG-7: append a value after the replica's current heads; the delta is the op alone."""
    if op.op != "append" or op.value is None:
        raise Rejected("op: op-log has only 'append' with a value")
    seq = op.seq or 1 + sum(1 for o in state.ops.values() if o.writer == op.writer)
    preds = heads(state)
    new = LogOp(op_id(config.rule, op.writer, op.value, preds, seq), op.writer, op.value, preds, seq, op.pubkey,
                op.sig, op.replica)
    if check and not admissible(config, new):
        raise Rejected("the issuer's own checks refuse the op")
    delta = Log({new.id: new})
    return merge(config.rule, state, delta), delta


def ready(state: Log) -> dict[str, int]:
    """CR-LOG-6: the ops whose every predecessor is held (transitively), with their depth in the graph."""
    depth: dict[str, int] = {}
    changed = True
    while changed:
        changed = False
        for i, o in state.ops.items():
            if i not in depth and all(p in depth for p in o.preds):
                depth[i] = 1 + max((depth[p] for p in o.preds), default=0)
                changed = True
    return depth


def query(config: Config, state: Log, now_ms: int) -> Any:
    """CR-LOG-8: the materialised log: the values of ready ops in (depth, id) order."""
    depth = ready(state)
    return [state.ops[i].value for i in sorted(depth, key=lambda i: (depth[i], i))]


def equivocators(state: Log) -> list[str]:
    """CR-LOG-9: writers with two held ops under one sequence number: equivocation, detected by the hash graph."""
    seen: dict[tuple[str, int], str] = {}
    found = set()
    for o in state.ops.values():
        if seen.setdefault((o.writer, o.seq), o.id) != o.id:
            found.add(o.writer)
    return sorted(found)


def gc(config: Config, state: Log, now_ms: int) -> Log:
    """A hash graph keeps every op (its ids are the history): nothing to collect."""
    return state


def size(state: Log) -> int:
    """One per op held."""
    return len(state.ops)


def to_json(state: Log) -> Any:
    """The state as JSON."""
    return {i: {"writer": o.writer, "value": o.value, "preds": list(o.preds), "seq": o.seq}
            for i, o in sorted(state.ops.items())}


def stamps(config: Config, state: Log) -> list[tuple[int, str]]:
    """Ops carry no timestamp."""
    return []


def writers(state: Log) -> list[tuple[str, str]]:
    """Every held op's claimed writer and its (ghost) origin."""
    return [(o.writer, o.origin) for o in state.ops.values()]
