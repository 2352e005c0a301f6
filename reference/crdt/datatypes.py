"""The replicated types behind one interface (CR-TYPE-1): bottom, apply, merge, admit, query, gc, size.

``step`` and every property go through a ``DataType`` and never name a type's module, so a new type is
one module and one row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from peerproof.reference.crdt import counter, lww, mvregister, oplog, orset


@dataclass(frozen=True)
class DataType:
    """CR-TYPE-1: what the network needs of a replicated type."""

    name: str
    bottom: Any  # the initial state
    apply: Callable[..., tuple[Any, Any]]  # (config, state, op, check) -> (state, delta); Rejected when refused
    merge: Callable[[str, Any, Any], Any]  # (rule, local, incoming) -> state
    admit: Callable[..., tuple[Any, int]]  # (config, incoming, now_ms) -> (accepted part, rejected count)
    query: Callable[..., Any]  # (config, state, now_ms) -> JSON value
    gc: Callable[..., Any]  # (config, state, now_ms) -> state
    size: Callable[[Any], int]
    to_json: Callable[[Any], Any]
    stamps: Callable[..., list[tuple[int, str]]]  # (config, state) -> [(stamp, origin)]: timed records
    writers: Callable[[Any], list[tuple[str, str]]]  # state -> [(claimed writer, origin)]: signed records
    dead: Callable[..., list[int]]  # (config, state, now_ms) -> death times of the dead records it holds
    equivocators: Callable[[Any], list[str]] | None  # state -> writers caught equivocating (op-log only)


def _none(*_args: Any) -> list[Any]:
    return []


def _from(name: str, module: ModuleType) -> DataType:
    return DataType(name, module.BOTTOM, module.apply, module.merge, module.admit, module.query, module.gc,
                    module.size, module.to_json, getattr(module, "stamps", _none), getattr(module, "writers", _none),
                    getattr(module, "dead", _none), getattr(module, "equivocators", None))


TYPES: dict[str, DataType] = {
    "lww-register": _from("lww-register", lww),
    "lww-map": _from("lww-map", lww),
    "expiring-map": _from("expiring-map", lww),
    "or-set": _from("or-set", orset),
    "pn-counter": _from("pn-counter", counter),
    "mv-register": _from("mv-register", mvregister),
    "op-log": _from("op-log", oplog),
}

SIGNED_TYPES = ("lww-register", "lww-map", "expiring-map", "pn-counter", "op-log")
"""CR-ID-4: the types whose records carry a writer's signature in this model."""


def datatype(name: str) -> DataType:
    """The type called ``name``."""
    return TYPES[name]
