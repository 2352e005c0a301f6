"""Each type's semantics on small hand-worked runs (CR-LWW, CR-SET, CR-CNT, CR-MV, CR-LOG): what a reader sees."""

from __future__ import annotations

from typing import Any

from peerproof.properties.crdt.alphabet import honest_update, quiesce, run
from peerproof.reference.crdt import MODEL, Deliver, Sync, Update, config_from_mapping


def net(kind: str, **extra: Any):
    return config_from_mapping({"protocol": "crdt", "type": kind, "replicas": ["a", "b", "c"], **extra})


def reads(config, state) -> dict[str, Any]:
    return {r: v["value"] for r, v in MODEL.observe(config, state, None)["replicas"].items()}


def test_crdt_orswot_concurrent_add_beats_remove() -> None:
    """CR-SET-2/3: a removes e (it saw a's dot), b re-adds e concurrently: after sync, e is in (add wins)."""
    c = net("or-set")
    _, s = MODEL.start(c)
    s = run(c, s, [honest_update(c, s, "a", "add", None, 1000, key="e")])
    s = run(c, s, [Sync(1000, "a", "b"), Deliver(1000, 0)])
    s = run(c, s, [honest_update(c, s, "a", "remove", None, 2000, key="e"),
                   honest_update(c, s, "b", "add", None, 2000, key="e")])
    s = run(c, s, quiesce(c, s, 3000))
    assert reads(c, s) == {"a": ["e"], "b": ["e"], "c": ["e"]}


def test_crdt_orswot_remove_of_an_observed_add_sticks() -> None:
    """CR-SET-2: a remove that observed every add removes the element everywhere, whatever the order."""
    c = net("or-set")
    _, s = MODEL.start(c)
    s = run(c, s, [honest_update(c, s, "a", "add", None, 1000, key="e")])
    s = run(c, s, [honest_update(c, s, "a", "remove", None, 1000, key="e")])
    s = run(c, s, [Deliver(1000, 2), Deliver(1000, 0)])  # b gets the remove's state before the add's delta
    assert reads(c, s)["b"] == []


def test_crdt_mv_register_keeps_concurrent_writes_until_one_dominates() -> None:
    """CR-MV-2/3: two concurrent writes are both read; a write that saw both replaces them."""
    c = net("mv-register")
    _, s = MODEL.start(c)
    s = run(c, s, [honest_update(c, s, "a", "set", "x", 1000), honest_update(c, s, "b", "set", "y", 1000)])
    s = run(c, s, quiesce(c, s, 1000))
    assert reads(c, s)["c"] == ["x", "y"]
    s = run(c, s, [honest_update(c, s, "c", "set", "z", 2000)])
    s = run(c, s, quiesce(c, s, 2000))
    assert set(map(tuple, reads(c, s).values())) == {("z",)}


def test_crdt_counter_ignores_duplicates_and_reordering() -> None:
    """CR-CNT-2: 3 increments and a decrement, delivered twice and out of order, read 2 everywhere."""
    c = net("pn-counter")
    _, s = MODEL.start(c)
    for r, op in (("a", "inc"), ("b", "inc"), ("a", "inc"), ("c", "dec")):
        s = run(c, s, [honest_update(c, s, r, op, None, 1000, quiet=False)])
    s = run(c, s, [Deliver(1000, m.id) for m in reversed(s.buffer)] + quiesce(c, s, 2000))
    assert reads(c, s) == {"a": 2, "b": 2, "c": 2}


def test_crdt_expiring_map_hides_expired_records_and_refuses_them_on_arrival() -> None:
    """CR-LWW-6/9: a record read until its expiry; delivered after it, it is refused (not even stored)."""
    c = net("expiring-map")
    _, s = MODEL.start(c)
    s = run(c, s, [Update(1000, "a", "set", key="k", value="v", expiry_ms=5000)])
    assert reads(c, s)["a"] == {"k": {"a": "v"}}
    s = run(c, s, [Deliver(6000, 0)])
    assert reads(c, s)["a"] == {} and reads(c, s)["b"] == {} and s.replicas["b"].state.entries == {}


def test_crdt_op_log_buffers_an_op_until_its_predecessor_arrives() -> None:
    """CR-LOG-6: b appends after a's op; c holds b's op first and shows nothing until a's op arrives."""
    c = net("op-log")
    _, s = MODEL.start(c)
    s = run(c, s, [honest_update(c, s, "a", "append", "first", 1000, quiet=False)])  # 0: a>b, 1: a>c
    s = run(c, s, [Deliver(1000, 0)])
    s = run(c, s, [honest_update(c, s, "b", "append", "second", 1000, quiet=False)])  # 2: b>a, 3: b>c
    s = run(c, s, [Deliver(1000, 3)])
    assert reads(c, s)["c"] == []
    s = run(c, s, [Deliver(1000, 1)])
    assert reads(c, s)["c"] == ["first", "second"]


def test_crdt_remove_wins_set_lets_a_concurrent_remove_beat_the_add() -> None:
    """CR-SET-2/3 (remove-wins): the race of the add-wins test ends the other way; a later add brings e back."""
    c = net("or-set", merge={"rule": "remove-wins"})
    _, s = MODEL.start(c)
    s = run(c, s, [honest_update(c, s, "a", "add", None, 1000, key="e")])
    s = run(c, s, [Sync(1000, "a", "b"), Deliver(1000, 0)])
    s = run(c, s, [honest_update(c, s, "a", "remove", None, 2000, key="e"),
                   honest_update(c, s, "b", "add", None, 2000, key="e")])
    s = run(c, s, quiesce(c, s, 3000))
    assert reads(c, s) == {"a": [], "b": [], "c": []}
    s = run(c, s, [honest_update(c, s, "c", "add", None, 4000, key="e")])
    s = run(c, s, quiesce(c, s, 4000))
    assert reads(c, s) == {"a": ["e"], "b": ["e"], "c": ["e"]}
