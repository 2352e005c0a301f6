"""Ground truth for every property (CR-PROP-1..11): re-run the model on a trace and say what it violates.

Each predicate folds the trace through ``MODEL.states`` and returns the account of the first violation,
or None when the trace shows none. The law predicates (CR-PROP-1..3) apply the type's merge to the final
states of the first three replicas (x, y, z); CR-PROP-4 compares the state before and after the trace's
last event, a local update. Every engine's ``violated`` finding is confirmed here before it is reported.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from peerproof.reference.crdt import MODEL, Config, Update, datatype
from peerproof.reference.crdt.network import State


def show(value: Any, limit: int = 160) -> str:
    """A compact JSON rendering of a value, cut to ``limit`` characters."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def law_replicas(config: Config) -> tuple[str, str, str]:
    """The replicas whose states the law predicates merge: the first three (cyclically, for two replicas)."""
    r = config.replicas
    return r[0], r[1], r[2 % len(r)]


def final(config: Config, events: Sequence[Any]) -> State:
    """The network after the trace."""
    return MODEL.final_state(config, events)


def leq(config: Config, a: Any, b: Any) -> bool:
    """The lattice order a <= b, read off the merge: merge(a, b) = b."""
    return datatype(config.type).merge(config.rule, a, b) == b


def commutative(config: Config, events: Sequence[Any]) -> str | None:
    """CR-PROP-1: merge(x, y) != merge(y, x) on the final states of x and y."""
    dt = datatype(config.type)
    x, y, _z = law_replicas(config)
    s = final(config, events)
    a, b = s.replicas[x].state, s.replicas[y].state
    xy, yx = dt.merge(config.rule, a, b), dt.merge(config.rule, b, a)
    if xy == yx:
        return None
    return (f"merge({x}, {y}) = {show(dt.to_json(xy))} but merge({y}, {x}) = {show(dt.to_json(yx))} "
            f"(reads {show(dt.query(config, xy, s.now_ms))} vs {show(dt.query(config, yx, s.now_ms))})")


def associative(config: Config, events: Sequence[Any]) -> str | None:
    """CR-PROP-2: merge(merge(x, y), z) != merge(x, merge(y, z)) on the final states of x, y, z."""
    dt = datatype(config.type)
    x, y, z = law_replicas(config)
    s = final(config, events)
    a, b, c = (s.replicas[r].state for r in (x, y, z))
    left = dt.merge(config.rule, dt.merge(config.rule, a, b), c)
    right = dt.merge(config.rule, a, dt.merge(config.rule, b, c))
    if left == right:
        return None
    return (f"merge(merge({x}, {y}), {z}) = {show(dt.to_json(left))} but merge({x}, merge({y}, {z})) = "
            f"{show(dt.to_json(right))}")


def idempotent(config: Config, events: Sequence[Any]) -> str | None:
    """CR-PROP-3: merge(x, x) != x on the final state of x."""
    dt = datatype(config.type)
    x = config.replicas[0]
    a = final(config, events).replicas[x].state
    aa = dt.merge(config.rule, a, a)
    if aa == a:
        return None
    return f"merge({x}, {x}) = {show(dt.to_json(aa))} but {x} = {show(dt.to_json(a))}"


def inflationary(config: Config, events: Sequence[Any]) -> str | None:
    """CR-PROP-4: the trace's last event is a local update u at r with not (before <= after)."""
    if not events or not isinstance(events[-1], Update) or events[-1].to is not None:
        return None
    dt = datatype(config.type)
    r = events[-1].replica
    before = final(config, events[:-1]).replicas[r].state
    after = final(config, events).replicas[r].state
    if leq(config, before, after):
        return None
    return (f"the {events[-1].op} at {r} is not inflationary: merging the state before it into the state after "
            f"it gives {show(dt.to_json(dt.merge(config.rule, before, after)))}, not "
            f"{show(dt.to_json(after))}")


def diverged(config: Config, events: Sequence[Any]) -> str | None:
    """CR-PROP-5/9: after some event, two replicas that delivered the same updates show different values."""
    dt = datatype(config.type)
    for i, _e, s in MODEL.states(config, events):
        by_seen: dict[frozenset[int], str] = {}
        for r in config.replicas:
            rep = s.replicas[r]
            if not rep.seen:
                continue
            other = by_seen.setdefault(rep.seen, r)
            if other != r:
                a = dt.query(config, s.replicas[other].state, s.now_ms)
                b = dt.query(config, rep.state, s.now_ms)
                if a != b:
                    return (f"after event {i}: {other} and {r} delivered the same updates {sorted(rep.seen)} "
                            f"but show {show(a)} and {show(b)}")
    return None


def invariant_broken(config: Config, events: Sequence[Any]) -> str | None:
    """CR-PROP-6: after some event a replica's counter is below the invariant's minimum."""
    if config.min_value is None:
        return None
    dt = datatype(config.type)
    for i, _e, s in MODEL.states(config, events):
        for r in config.replicas:
            v = dt.query(config, s.replicas[r].state, s.now_ms)
            if v < config.min_value:
                return f"after event {i}: {r} reads {v} < min_value {config.min_value}"
    return None


def future_record(config: Config, events: Sequence[Any]) -> str | None:
    """CR-PROP-7: after some event a replica holds a record stamped beyond now + max_skew."""
    dt = datatype(config.type)
    for i, _e, s in MODEL.states(config, events):
        for r in config.replicas:
            for stamp, origin in dt.stamps(config, s.replicas[r].state):
                if stamp > s.now_ms + config.max_skew_ms:
                    return (f"after event {i} at t={s.now_ms / 1000:g}s: {r} holds a record from {origin} stamped "
                            f"{stamp / 1000:g}s, {(stamp - s.now_ms) / 1000:g}s ahead (max_skew "
                            f"{config.max_skew_ms / 1000:g}s)")
    return None


def forged_writer(config: Config, events: Sequence[Any]) -> str | None:
    """CR-PROP-8: after some event a replica holds a record whose claimed writer is not its issuer's id."""
    dt = datatype(config.type)
    for i, _e, s in MODEL.states(config, events):
        for r in config.replicas:
            for writer, origin in dt.writers(s.replicas[r].state):
                if origin and writer != config.true_id(origin):
                    return f"after event {i}: {r} accepted a record issued by {origin} under writer id {writer!r}"
    return None


def gc_observable(config: Config, events: Sequence[Any]) -> str | None:
    """CR-PROP-10: some replica reads differently with the GC horizon than without it (a resurrection)."""
    if config.gc_horizon_ms is None:
        return None
    dt = datatype(config.type)
    plain = replace(config, gc_horizon_ms=None)
    runs = zip(MODEL.states(config, events), MODEL.states(plain, events), strict=True)
    for (i, _e, s), (_i, _e2, p) in runs:
        for r in config.replicas:
            a, b = dt.query(config, s.replicas[r].state, s.now_ms), dt.query(plain, p.replicas[r].state, p.now_ms)
            if a != b:
                return (f"after event {i}: with GC {r} reads {show(a)}, without GC {show(b)} (a record collected "
                        f"after the horizon came back, or its removal was forgotten)")
    return None


def live_items(value: Any) -> int:
    """How many items a reader sees: leaves of a map, members of a set, 0 or 1 for a register."""
    if value is None:
        return 0
    if isinstance(value, dict):
        return sum(live_items(v) if isinstance(v, dict) else 1 for v in value.values())
    if isinstance(value, list):
        return len(value)
    return 1


def metadata_excess(config: Config, events: Sequence[Any]) -> str | None:
    """CR-PROP-11: after some event a replica's metadata exceeds n * live + n plus records dead within the horizon."""
    dt = datatype(config.type)
    n = len(config.replicas)
    horizon = config.gc_horizon_ms
    for i, _e, s in MODEL.states(config, events):
        for r in config.replicas:
            st = s.replicas[r].state
            live = live_items(dt.query(config, st, s.now_ms))
            recent = sum(1 for t in dt.dead(config, st, s.now_ms) if horizon is not None and t >= s.now_ms - horizon)
            size = dt.size(st)
            if size - recent > n * live + n:
                return (f"after event {i}: {r} keeps {size} records for {live} live items ({size - recent} beyond "
                        f"the recently dead), over the bound n*live + n = {n * live + n}")
    return None


WITNESSES: dict[str, Callable[[Config, Sequence[Any]], str | None]] = {
    "merge-commutative": commutative, "merge-associative": associative, "merge-idempotent": idempotent,
    "update-inflationary": inflationary, "strong-eventual-consistency": diverged,
    "invariant-preserved": invariant_broken, "bounded-future": future_record, "writer-authenticated": forged_writer,
    "equivocation-tolerant": diverged, "gc-safe": gc_observable, "metadata-bounded": metadata_excess,
}
"""The ground-truth predicate of each property, by slug."""
