"""Honest events of every type, and traces read from small integer choices (CR-GEN-1..3).

The engines, the Hypothesis strategies and the small-scope enumerator all build traces here: a local
update of the config's type at a replica (signed with the test keys when the config wants signatures),
a *ship* (``sync`` then the matching ``deliver``), and the network's faults. ``interpret`` turns a list
of small integers into a valid trace against the running network, so Hypothesis can shrink a failing
trace by shrinking integers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from peerproof.reference.crdt import MODEL, Config, Deliver, Drop, Duplicate, Heal, Partition, Sync, Update
from peerproof.reference.crdt.network import State
from peerproof.reference.crdt.signer import sign_update

TTL_MS = 60_000  # parallax announces with expiration now + 60 s (GradientHQ/parallax src/parallax/p2p/server.py)
VALUES = ("v1", "v2")


def update_ops(config: Config) -> list[tuple[str, str | None]]:
    """The honest (operation, value) pairs of the config's type, over a one-item domain."""
    return {
        "lww-register": [("set", v) for v in VALUES],
        "lww-map": [("set", v) for v in VALUES] + [("remove", None)],
        "expiring-map": [("set", v) for v in VALUES],
        "or-set": [("add", None), ("remove", None)],
        "pn-counter": [("inc", None), ("dec", None)],
        "mv-register": [("set", v) for v in VALUES],
        "op-log": [("append", v) for v in VALUES],
    }[config.type]


def honest_update(config: Config, state: State, replica: str, op: str, value: str | None, at_ms: int,
                  key: str = "k", quiet: bool = True) -> Update:
    """CR-GEN-1: an update as an honest replica issues it (its clock, its id, its signature)."""
    expiry = at_ms + TTL_MS if config.type == "expiring-map" else -1
    subkey = "s" if config.type == "expiring-map" and config.scheme == "none" else None
    keyed = config.type in ("lww-map", "expiring-map", "or-set")
    event = Update(at_ms, replica, op, key=key if keyed else None, subkey=subkey,
                   value=value, expiry_ms=expiry, quiet=quiet)
    return sign_update(config, state, event)


def ship(state: State, src: str, dst: str, at_ms: int) -> list[Any]:
    """CR-GEN-2: ``src`` sends its whole state to ``dst`` and the network delivers it at once."""
    return [Sync(at_ms, src, dst), Deliver(at_ms, state.next_msg)]


def run(config: Config, state: State, events: Sequence[Any]) -> State:
    """The network after ``events`` from ``state`` (the model's own step)."""
    d = MODEL.get_dialect(config.dialect)
    for e in events:
        state = MODEL.step(config, state, e, d)
    return state


def symbols(config: Config, replicas: Sequence[str]) -> list[tuple[str, Any, Any, Any]]:
    """CR-GEN-3: the small-scope alphabet: every honest update at every replica, every ordered ship."""
    out: list[tuple[str, Any, Any, Any]] = [("update", r, op, v) for r in replicas for op, v in update_ops(config)]
    out += [("ship", a, b, None) for a in replicas for b in replicas if a != b]
    return out


def events_of(config: Config, state: State, symbol: tuple[str, Any, Any, Any], at_ms: int) -> list[Any]:
    """The events a symbol stands for, at the current network state."""
    kind, a, b, c = symbol
    if kind == "update":
        return [honest_update(config, state, a, b, c, at_ms)]
    return ship(state, a, b, at_ms)


def interpret(config: Config, choices: Sequence[tuple[int, int, int, int]]) -> list[Any]:
    """CR-GEN-3: a valid honest network trace from integer choices, ending with heal and a full anti-entropy round.

    Each choice is (what, a, b, dt): an update (queued for every other replica) at replica a, a sync a -> b, a deliver,
    duplicate or drop of the a-th queued message, a partition cutting replica a off, or heal; dt says
    whether time moves on by a second.
    """
    _, state = MODEL.start(config)
    reps, ops = config.replicas, update_ops(config)
    events: list[Any] = []
    at = 1000
    for what, a, b, dt in choices:
        at += 1000 * (dt % 2)
        kind = what % 7
        new: list[Any]
        if kind in (0, 1):
            op, value = ops[b % len(ops)]
            new = [honest_update(config, state, reps[a % len(reps)], op, value, at, quiet=False)]
        elif kind == 2:
            src = reps[a % len(reps)]
            new = [Sync(at, src, reps[(a + 1 + b % (len(reps) - 1)) % len(reps)])]
        elif kind in (3, 4, 5) and state.buffer:
            msg = state.buffer[a % len(state.buffer)].id
            new = [{3: Deliver, 4: Duplicate, 5: Drop}[kind](at, msg)]
        elif kind == 6 and not state.groups:
            cut = reps[a % len(reps)]
            new = [Partition(at, ",".join(r for r in reps if r != cut) + "|" + cut)]
        elif kind == 6:
            new = [Heal(at)]
        else:
            continue
        state = run(config, state, new)
        events += new
    return events + quiesce(config, state, at + 1000)


def quiesce(config: Config, state: State, at_ms: int) -> list[Any]:
    """Heal, deliver everything queued, then one full round of anti-entropy (every ordered pair ships)."""
    events: list[Any] = [Heal(at_ms)] if state.groups else []
    state = run(config, state, events)
    for m in state.buffer:
        events.append(Deliver(at_ms, m.id))
    state = run(config, state, events[len(events) - len(state.buffer):])
    for src in config.replicas:
        for dst in config.replicas:
            if src != dst:
                new = ship(state, src, dst, at_ms)
                state = run(config, state, new)
                events += new
    return events
