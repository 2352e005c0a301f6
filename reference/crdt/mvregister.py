"""The multi-value register (CR-MV-1..4): concurrent writes are all kept, each with its version vector.

RR-7506 Spec 10: a write dominates every version its writer has seen; merge keeps the versions no
other version strictly dominates, so concurrent writes are exposed to the reader as a set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from peerproof.reference.crdt.config import Config
from peerproof.reference.crdt.op import Op, Rejected

Version = tuple[tuple[str, int], ...]  # a version vector, sorted by writer


@dataclass(frozen=True)
class Versions:
    """CR-MV-1: the register's (value, version vector) pairs, pairwise concurrent."""

    items: frozenset[tuple[str, Version]]


BOTTOM = Versions(frozenset())


def dominated(a: Version, b: Version) -> bool:
    """Whether version ``a`` happened strictly before ``b``."""
    da, db = dict(a), dict(b)
    return a != b and all(n <= db.get(w, 0) for w, n in da.items())


def maximal(items: frozenset[tuple[str, Version]]) -> frozenset[tuple[str, Version]]:
    """The pairs no other pair strictly dominates."""
    return frozenset(i for i in items if not any(dominated(i[1], j[1]) for j in items))


def merge(rule: str, local: Versions, incoming: Versions) -> Versions:
    """CR-MV-2: the maximal versions of both sides."""
    return Versions(maximal(local.items | incoming.items))


def apply(config: Config, state: Versions, op: Op, check: bool = True) -> tuple[Versions, Versions]:
    """CR-MV-3: a write whose version dominates every version held, with the writer's entry incremented."""
    if op.op != "set" or op.value is None:
        raise Rejected("op: mv-register has only 'set' with a value")
    vv: dict[str, int] = {}
    for _v, version in state.items:
        for w, n in version:
            vv[w] = max(vv.get(w, 0), n)
    vv[op.writer] = vv.get(op.writer, 0) + 1
    new = Versions(frozenset({(op.value, tuple(sorted(vv.items())))}))
    return new, new


def admit(config: Config, incoming: Versions, now_ms: int) -> tuple[Versions, int]:
    """Versions carry no signature in this model (CR-THREAT-6): every pair is accepted."""
    return incoming, 0


def query(config: Config, state: Versions, now_ms: int) -> Any:
    """CR-MV-4: the concurrent values, sorted."""
    return sorted({v for v, _vv in state.items})


def gc(config: Config, state: Versions, now_ms: int) -> Versions:
    """An MV-register holds only maximal versions: nothing to collect."""
    return state


def size(state: Versions) -> int:
    """Metadata kept: one per version-vector entry of every pair."""
    return sum(1 + len(vv) for _v, vv in state.items)


def to_json(state: Versions) -> Any:
    """The state as JSON."""
    return [[v, dict(vv)] for v, vv in sorted(state.items)]
