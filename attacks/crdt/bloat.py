"""Tombstone and metadata bloat measured (CR-ATK-6): state size after k attacker cycles, with and without GC.

One cycle per second, each delivered everywhere: an LWW map sets a fresh key and removes it (one
tombstone), an OR-set adds and removes an element (a dot and a tombstone, or nothing for an ORSWOT),
an expiring map writes a fresh record that lives one second. The size is the honest replica a's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from peerproof.attacks.crdt.byzantine import attacker, deliver_all
from peerproof.properties.crdt.alphabet import honest_update, run
from peerproof.reference.crdt import MODEL, Config, Update, datatype
from peerproof.reference.crdt.signer import sign_update

CYCLE_MS = 1000


def cycle(config: Config, state: Any, i: int) -> list[Any]:
    """The events of attacker cycle ``i`` (at second i + 1), delivered."""
    m, at = attacker(config), (i + 1) * CYCLE_MS
    if config.type == "expiring-map":
        first = [sign_update(config, state, Update(at, m, "set", key=f"k{i}", value="junk", expiry_ms=at + CYCLE_MS))]
    else:
        op, key = ("add", "e") if config.type == "or-set" else ("set", f"k{i}")
        first = [honest_update(config, state, m, op, "junk", at, key=key, quiet=False)]
    state = run(config, state, first)
    second = [] if config.type == "expiring-map" else [
        honest_update(config, state, m, "remove", None, at + 1, key="e" if config.type == "or-set" else f"k{i}",
                      quiet=False)]
    state = run(config, state, second)
    return first + second + deliver_all(state, at + 1)


def bloat_trace(config: Config, cycles: int) -> list[Any]:
    """The events of ``cycles`` attacker cycles."""
    _, state = MODEL.start(config)
    events: list[Any] = []
    for i in range(cycles):
        new = cycle(config, state, i)
        state = run(config, state, new)
        events += new
    return events


def growth(config: Config, checkpoints: Sequence[int]) -> dict[int, int]:
    """Replica a's metadata size after each number of cycles in ``checkpoints``."""
    _, state = MODEL.start(config)
    dt, a = datatype(config.type), config.replicas[0]
    out: dict[int, int] = {}
    for i in range(max(checkpoints)):
        state = run(config, state, cycle(config, state, i))
        if i + 1 in checkpoints:
            out[i + 1] = dt.size(state.replicas[a].state)
    return out
