"""Observed-remove sets (CR-SET-1..8): elements tagged with dots (writer, n), removes delete observed dots.

* ``add-wins``: the OR-set without tombstones (ORSWOT; Bieniusa et al. arXiv:1210.3368, riak_dt): a
  version vector summarises every dot a replica has seen, so a dot absent locally but covered by the
  vector was removed. Concurrent add and remove: the add's fresh dot survives (add wins).
* ``add-wins-tombstones``: the OR-set of RR-7506 (Spec 15): removed dots are kept as tombstones, stamped
  with the time of removal so a GC horizon can drop them (CR-GC-2), at a price in safety.
* ``remove-wins``: the same dot store, where a remove mints a *remove dot* (replacing the dots of the
  element it observed) and an element is in while it has an add dot and no remove dot: a concurrent
  remove beats an add (Bieniusa et al. arXiv:1210.3368 §4; the "rwset" of the CRDT literature).
* ``remove-by-delete`` (broken): the set a naive implementation ships: merge is the union of dots, and a
  remove deletes dots locally with nothing to say so; a merge with any older state undoes the remove.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from peerproof.reference.crdt.config import Config
from peerproof.reference.crdt.op import Op, Rejected

Dot = tuple[str, str, int]  # (element, writer, n)


@dataclass(frozen=True)
class Tagged:
    """CR-SET-1: live dots, the version vector of dots seen, and (tombstone rule) removed dots with their time."""

    dots: frozenset[Dot]
    vv: Mapping[str, int]
    tombs: frozenset[tuple[str, int, int]] = frozenset()  # (writer, n, removed at ms)
    rdots: frozenset[Dot] = frozenset()  # remove-wins: the remove dots


BOTTOM = Tagged(frozenset(), {})


def covered(vv: Mapping[str, int], writer: str, n: int) -> bool:
    """Whether a version vector has seen dot (writer, n)."""
    return n <= vv.get(writer, 0)


def join_vv(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    """The pointwise max of two version vectors."""
    return {w: max(a.get(w, 0), b.get(w, 0)) for w in sorted(set(a) | set(b))}


def join_dots(local: frozenset[Dot], lvv: Mapping[str, int], incoming: frozenset[Dot],
              ivv: Mapping[str, int]) -> frozenset[Dot]:
    """The ORSWOT join of two dot sets: a dot both hold, or one holds and the other's vector has not seen."""
    only_local = {d for d in local - incoming if not covered(ivv, d[1], d[2])}
    only_incoming = {d for d in incoming - local if not covered(lvv, d[1], d[2])}
    return frozenset((local & incoming) | only_local | only_incoming)


def merge(rule: str, local: Tagged, incoming: Tagged) -> Tagged:
    """CR-SET-2: the ORSWOT join of the dots (and remove dots); the union for the tombstone and broken rules."""
    vv = join_vv(local.vv, incoming.vv)
    if rule in ("add-wins-tombstones", "remove-by-delete"):
        return Tagged(local.dots | incoming.dots, vv, local.tombs | incoming.tombs)
    return Tagged(join_dots(local.dots, local.vv, incoming.dots, incoming.vv), vv, frozenset(),
                  join_dots(local.rdots, local.vv, incoming.rdots, incoming.vv))


def apply(config: Config, state: Tagged, op: Op, check: bool = True) -> tuple[Tagged, Tagged]:
    """CR-SET-3: add an element under a fresh dot (ORSWOT: replacing the dots of it observed), or remove every
    observed dot of it."""
    if config.rule == "remove-wins" and op.op in ("add", "remove"):
        n = state.vv.get(op.writer, 0) + 1
        dots = frozenset(d for d in state.dots if d[0] != op.key)
        rdots = frozenset(d for d in state.rdots if d[0] != op.key)
        minted = frozenset({(op.key, op.writer, n)})
        new = Tagged(dots | minted if op.op == "add" else dots, {**state.vv, op.writer: n}, frozenset(),
                     rdots | minted if op.op == "remove" else rdots)
    elif op.op == "add":
        n = state.vv.get(op.writer, 0) + 1
        kept = state.dots if config.rule != "add-wins" else frozenset(d for d in state.dots if d[0] != op.key)
        new = Tagged(kept | {(op.key, op.writer, n)}, {**state.vv, op.writer: n}, state.tombs)
    elif op.op == "remove":
        dead = {(w, n) for w, n, _t in state.tombs}
        gone = {d for d in state.dots if d[0] == op.key and (d[1], d[2]) not in dead}
        if config.rule == "add-wins-tombstones":
            new = Tagged(state.dots, state.vv, state.tombs | {(w, n, op.now_ms) for _e, w, n in gone})
        else:
            new = Tagged(state.dots - gone, state.vv, state.tombs)
    else:
        raise Rejected(f"op: or-set has no {op.op!r}")
    return new, new


def admit(config: Config, incoming: Tagged, now_ms: int) -> tuple[Tagged, int]:
    """Set dots carry no signature in this model (CR-THREAT-6): every dot is accepted."""
    return incoming, 0


def elements(state: Tagged) -> list[str]:
    """CR-SET-4: the elements with a live, untombstoned dot and (remove-wins) no remove dot."""
    dead = {(w, n) for w, n, _t in state.tombs}
    removed = {e for e, _w, _n in state.rdots}
    return sorted({e for e, w, n in state.dots if (w, n) not in dead and e not in removed})


def query(config: Config, state: Tagged, now_ms: int) -> Any:
    """The set's elements, sorted."""
    return elements(state)


def gc(config: Config, state: Tagged, now_ms: int) -> Tagged:
    """CR-GC-2: drop tombstones (and the dots they kill) removed longer ago than the GC horizon."""
    if config.gc_horizon_ms is None or not state.tombs:
        return state
    cutoff = now_ms - config.gc_horizon_ms
    old = {(w, n) for w, n, t in state.tombs if t < cutoff}
    if not old:
        return state
    return Tagged(frozenset(d for d in state.dots if (d[1], d[2]) not in old), state.vv,
                  frozenset(t for t in state.tombs if (t[0], t[1]) not in old))


def dead(config: Config, state: Tagged, now_ms: int) -> list[int]:
    """When each dead record died: a tombstone and the dot it kills count twice, at the removal time."""
    return [t for _w, _n, t in state.tombs for _ in range(2)]


def size(state: Tagged) -> int:
    """Metadata kept: dots, tombstones and version-vector entries."""
    return len(state.dots) + len(state.tombs) + len(state.vv) + len(state.rdots)


def to_json(state: Tagged) -> Any:
    """The state as JSON."""
    doc: dict[str, Any] = {"dots": [list(d) for d in sorted(state.dots)], "vv": dict(sorted(state.vv.items()))}
    if state.tombs:
        doc["tombs"] = [list(t) for t in sorted(state.tombs)]
    if state.rdots:
        doc["removes"] = [list(d) for d in sorted(state.rdots)]
    return doc
