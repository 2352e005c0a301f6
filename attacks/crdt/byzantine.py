"""The Byzantine attacks of spec/crdt.md §7 (CR-ATK-1..6) as trace builders: one config in, one trace out.

Each builder writes the attack as a Byzantine replica would run it against the config at hand; the same
trace run against the config with the mitigation shows the mitigation at work (spec/configs/crdt pairs
each attack's naive config with its mitigated one). The attacker is the config's last replica; it sends
with targeted messages (``to``), so it never runs the checks an honest replica runs on its own writes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from peerproof.properties.crdt.alphabet import TTL_MS, honest_update, quiesce, run
from peerproof.reference.crdt import MODEL, Config, Deliver, Drop, Heal, Partition, Sync, Update
from peerproof.reference.crdt.identity import public_hex, test_private_key
from peerproof.reference.crdt.network import State
from peerproof.reference.crdt.signer import sign_update

FAR_FUTURE_MS = 10**9  # about 11.6 days ahead: the attacker's stamp (CR-ATK-1)
T0 = 1000


def attacker(config: Config) -> str:
    """The Byzantine replica: the config's last."""
    return config.replicas[-1]


def honest(config: Config) -> list[str]:
    """The correct replicas."""
    return [r for r in config.replicas if r != attacker(config)]


def deliver_all(state: State, at_ms: int) -> list[Any]:
    """Deliver every queued message, in queue order."""
    return [Deliver(at_ms, m.id) for m in state.buffer]


def _keyed(config: Config) -> str | None:
    return "k" if config.type in ("lww-map", "expiring-map", "or-set") else None


def _op(config: Config) -> str:
    return {"op-log": "append", "pn-counter": "inc"}.get(config.type, "set")


def _send(config: Config, state: State, event: Update, sign_as: str | None) -> list[Any]:
    """A Byzantine update sent to every correct replica (signed with ``sign_as``'s test key if it can)."""
    out: list[Any] = []
    for r in honest(config):
        e = replace(event, to=r)
        if config.scheme == "ed25519" and sign_as is not None:
            e = sign_update(config, state, e, as_replica=sign_as)
        out.append(e)
        state = run(config, state, [e])
    return out


def timestamp_inflation(config: Config) -> list[Any]:
    """CR-ATK-1: a write stamped far ahead wins every later honest write to the same key until then."""
    _, state = MODEL.start(config)
    m, a = attacker(config), honest(config)[0]
    sub = config.true_id(m) if config.type == "expiring-map" else None
    events: list[Any] = []
    # far ahead first; then the most a drift bound lets through, which is ahead too when max_drift > max_skew
    for stamp in (FAR_FUTURE_MS, T0 + (config.max_drift_ms or 0)):
        future = {"expiry_ms": stamp, "ts_ms": T0} if config.type == "expiring-map" else {"ts_ms": stamp}
        bad = Update(T0, m, "set", key=_keyed(config), subkey=sub, value="attacker", **future)
        sent = _send(config, state, bad, m)
        state = run(config, state, sent)
        events += sent
    events += deliver_all(state, T0)
    state = run(config, state, events[len(events) - len(state.buffer):])
    later = honest_update(config, state, a, "set", "honest", T0 + 10_000, quiet=False)
    events.append(later)
    state = run(config, state, [later])
    return events + deliver_all(state, T0 + 10_000)


def forged_writer(config: Config) -> list[Any]:
    """CR-ATK-2: the attacker writes under a correct replica's writer id (the greatest, to win every tie)."""
    _, state = MODEL.start(config)
    m = attacker(config)
    victim = max(honest(config), key=config.true_id)
    claim = config.true_id(victim)
    sub = claim if config.type == "expiring-map" else None
    expiry = T0 + TTL_MS if config.type == "expiring-map" else -1
    forged = Update(T0, m, _op(config), key=_keyed(config), subkey=sub, value="forged", writer=claim, expiry_ms=expiry)
    events = _send(config, state, forged, m)  # signed with the attacker's own key: its id is not the claim
    if config.scheme == "ed25519":
        state = run(config, state, events)
        pub = public_hex(test_private_key(victim))  # the victim's public key, with the attacker's signature
        stolen = [replace(e, pubkey=pub) for e in events]
        events += stolen
    state = run(config, MODEL.start(config)[1], events)
    return events + deliver_all(state, T0)


def equivocation(config: Config) -> list[Any]:
    """CR-ATK-3: the attacker sends two contents under one op id (seq 1) to two halves of the network."""
    _, state = MODEL.start(config)
    m = attacker(config)
    first, second = honest(config)[0], honest(config)[1:]
    events: list[Any] = []
    for value, targets in (("left", [first]), ("right", second)):
        for r in targets:
            e = Update(T0, m, "append", value=value, seq=1, to=r)
            e = sign_update(config, state, e) if config.scheme == "ed25519" else e
            events.append(e)
            state = run(config, state, [e])
    events += deliver_all(state, T0)
    state = run(config, state, events[len(events) - len(state.buffer):])
    return events + quiesce(config, state, T0 + 1000)


def tie_order(config: Config) -> list[Any]:
    """CR-ATK-4: two correct replicas write the same key at the same instant; the network then converges them."""
    _, state = MODEL.start(config)
    a, b = honest(config)[0], honest(config)[1 % len(honest(config))]
    events: list[Any] = []
    for r, v in ((a, "v-" + a), (b, "v-" + b)):
        e = honest_update(config, state, r, _op(config), v, T0)
        events.append(e)
        state = run(config, state, [e])
    return events + quiesce(config, state, T0 + 1000)


def resurrection(config: Config) -> list[Any]:
    """CR-ATK-5: a remove is collected after the GC horizon; a replica that missed it brings the item back."""
    _, state = MODEL.start(config)
    a, stale = honest(config)[0], attacker(config)
    events: list[Any] = []

    def add(new: list[Any]) -> None:
        nonlocal state
        state = run(config, state, new)
        events.extend(new)

    add([honest_update(config, state, a, "add" if config.type == "or-set" else "set", "v1", T0, quiet=False)])
    add(deliver_all(state, T0))
    add([Partition(T0, ",".join(r for r in config.replicas if r != stale) + "|" + stale)])
    add([honest_update(config, state, a, "remove", None, T0 + 1000, quiet=False)])
    add([Deliver(T0 + 1000, msg.id) for msg in state.buffer if msg.dst != stale])
    late = T0 + 2000 + (config.gc_horizon_ms or 0)
    add([Heal(late)] + [Drop(late, msg.id) for msg in state.buffer])
    add([Sync(late, stale, a)])
    add(deliver_all(state, late))
    return events


def bloat(config: Config, cycles: int | None = None) -> list[Any]:
    """CR-ATK-6: metadata that outlives its item: removes (LWW maps, OR-sets), short-lived records, re-adds."""
    _, state = MODEL.start(config)
    n = cycles or 2 * len(config.replicas) + 1
    m = attacker(config)
    events: list[Any] = []
    at = T0
    for i in range(n):
        if config.type == "or-set":  # re-add one element (new tags), and add then remove a fresh one
            for op, key in (("add", "k"), ("add", f"x{i}"), ("remove", f"x{i}")):
                e = honest_update(config, state, m, op, None, at, key=key, quiet=False)
                state = run(config, state, [e])
                events.append(e)
            continue
        if config.type == "expiring-map":
            e = Update(at, m, "set", key=f"k{i}", value="junk", expiry_ms=at + 1000)
            batch = [sign_update(config, state, e)]
        else:
            batch = [honest_update(config, state, m, "set", "junk", at, key=f"k{i}", quiet=False)]
            state = run(config, state, batch)
            at += 1  # a remove in the same millisecond would lose the tie to the set it removes
            batch.append(honest_update(config, state, m, "remove", None, at, key=f"k{i}", quiet=False))
            state = run(config, state, batch[-1:])
            events += batch
            continue
        state = run(config, state, batch)
        events += batch
    at += 2000
    events += deliver_all(state, at)
    return events


def divergence(config: Config) -> list[Any]:
    """CR-ATK-5 with a GC horizon, else CR-ATK-4: two replicas that delivered the same updates read differently
    (the resurrected item at one, its removal at the other; or the two same-instant writes)."""
    return resurrection(config) if config.gc_horizon_ms is not None else tie_order(config)


ATTACKS = {
    "bounded-future": timestamp_inflation, "writer-authenticated": forged_writer,
    "equivocation-tolerant": equivocation, "gc-safe": resurrection, "metadata-bounded": bloat,
    "strong-eventual-consistency": divergence,
}
"""The attack trace builder of each property an honest or Byzantine run can break constructively, by slug."""
