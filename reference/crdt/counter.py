"""The PN-counter (CR-CNT-1..6): two grow-only vectors of per-writer totals, merged pointwise by max.

Standard rule ``pointwise-max`` (Shapiro et al., INRIA RR-7506, Spec 7). Broken rule ``sum``: adding the
two sides' totals, which is what an op-based counter's effect does when its messages travel over a
state-based channel; it double counts every duplicate or re-sent state (not idempotent).
An optional invariant ``value >= min_value`` is guarded locally (a decrement that would break it at the
issuer is refused); Nair, Petri and Shapiro (ESOP 2020) show why a local guard does not survive merges.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from peerproof.reference.crdt.config import Config
from peerproof.reference.crdt.op import Op, Rejected


@dataclass(frozen=True)
class Counts:
    """CR-CNT-1: per-writer increment totals ``p`` and decrement totals ``n``."""

    p: Mapping[str, int]
    n: Mapping[str, int]


BOTTOM = Counts({}, {})


def _join(rule: str, a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    if rule == "sum":
        return {w: a.get(w, 0) + b.get(w, 0) for w in sorted(set(a) | set(b))}
    return {w: max(a.get(w, 0), b.get(w, 0)) for w in sorted(set(a) | set(b))}


def merge(rule: str, local: Counts, incoming: Counts) -> Counts:
    """CR-CNT-2: merge both vectors writer by writer (max; ``sum`` adds them)."""
    return Counts(_join(rule, local.p, incoming.p), _join(rule, local.n, incoming.n))


def value(state: Counts) -> int:
    """CR-CNT-3: the counter's value, sum(p) - sum(n)."""
    return sum(state.p.values()) - sum(state.n.values())


def apply(config: Config, state: Counts, op: Op, check: bool = True) -> tuple[Counts, Counts]:
    """CR-CNT-4: an increment or decrement credited to the writer; the invariant guard refuses a decrement."""
    if op.op not in ("inc", "dec"):
        raise Rejected(f"op: pn-counter has no {op.op!r}")
    if op.amount < 1:
        raise Rejected("amount: a counter update moves by at least 1")
    w = op.writer
    if op.op == "inc":
        new = Counts({**state.p, w: state.p.get(w, 0) + op.amount}, state.n)
    else:
        if check and config.min_value is not None and value(state) - op.amount < config.min_value:
            raise Rejected(f"invariant: the value would fall below {config.min_value}")
        new = Counts(state.p, {**state.n, w: state.n.get(w, 0) + op.amount})
    delta = Counts({w: new.p[w]} if w in new.p else {}, {w: new.n[w]} if w in new.n else {})
    return new, delta


def admit(config: Config, incoming: Counts, now_ms: int) -> tuple[Counts, int]:
    """Counter entries carry no signature in this model (CR-THREAT-6): every entry is accepted."""
    return incoming, 0


def query(config: Config, state: Counts, now_ms: int) -> Any:
    """The counter's value."""
    return value(state)


def gc(config: Config, state: Counts, now_ms: int) -> Counts:
    """A counter has nothing to collect."""
    return state


def size(state: Counts) -> int:
    """One per writer entry in each vector."""
    return len(state.p) + len(state.n)


def to_json(state: Counts) -> Any:
    """The state as JSON."""
    return {"p": dict(sorted(state.p.items())), "n": dict(sorted(state.n.items()))}
