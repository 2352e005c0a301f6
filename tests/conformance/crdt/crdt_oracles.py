"""Mirrors of a crdt run in pycrdt (Yjs) and loro, for the semantics they share with the reference (spec §10).

A run is a list of rounds. In a round every replica writes at most one key (or moves the counter)
concurrently, all at one instant, then every replica syncs with every other. Within those limits the
three agree: concurrent writes to one key go to the greatest writer (client/peer ids ordered as the
reference's writer ids, CR-DIV-1), and a write in a later round wins (CR-DIV-2). Deletes are left out
(CR-DIV-4); numbers come back as floats (CR-DIV-3/5).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import loro
from peerproof.properties.crdt.alphabet import honest_update, quiesce, run
from peerproof.reference.crdt import MODEL, Config
from pycrdt import Doc, Map

Round = Sequence[tuple[int, str, str]]  # (replica index, key or "inc"/"dec", value or amount)


def reference(config: Config, rounds: Sequence[Round]) -> Any:
    """What replica 0 reads after the rounds, in the reference model."""
    _, state = MODEL.start(config)
    for i, writes in enumerate(rounds):
        at = 1000 * (i + 1)
        for r, key, value in writes:
            if config.type == "pn-counter":
                op, amount = key, int(value)
                e = honest_update(config, state, config.replicas[r], op, None, at)
                events = [e.__class__(**{**e.__dict__, "amount": amount})]
            else:
                events = [honest_update(config, state, config.replicas[r], "set", value, at, key=key)]
            state = run(config, state, events)
        state = run(config, state, quiesce(config, state, at))
    values = {MODEL.observe(config, state, None)["replicas"][r]["value"].__repr__() for r in config.replicas}
    assert len(values) == 1, values
    return MODEL.observe(config, state, None)["replicas"][config.replicas[0]]["value"]


def _sync_all(docs: Sequence[Any], export: Any, apply: Any) -> None:
    updates = [export(d) for d in docs]
    for i, d in enumerate(docs):
        for j, u in enumerate(updates):
            if i != j:
                apply(d, u)


def pycrdt_run(n: int, rounds: Sequence[Round]) -> list[dict[str, Any]]:
    """Every replica's map after the rounds in pycrdt, client ids 1..n."""
    docs = [Doc(client_id=i + 1) for i in range(n)]
    maps = [d.get("state", type=Map) for d in docs]
    for writes in rounds:
        for r, key, value in writes:
            maps[r][key] = value
        _sync_all(docs, lambda d: d.get_update(), lambda d, u: d.apply_update(u))
    return [m.to_py() for m in maps]


def loro_run(n: int, rounds: Sequence[Round], counter: bool = False) -> list[Any]:
    """Every replica's map (or counter) after the rounds in loro, peer ids 1..n."""
    docs = []
    for i in range(n):
        d = loro.LoroDoc()
        d.peer_id = i + 1
        docs.append(d)
    for writes in rounds:
        for r, key, value in writes:
            if counter:
                c = docs[r].get_counter("n")
                (c.increment if key == "inc" else c.decrement)(int(value))
            else:
                docs[r].get_map("state").insert(key, value)
            docs[r].commit()
        _sync_all(docs, lambda d: d.export(loro.ExportMode.Snapshot()), lambda d, u: d.import_(u))
    if counter:
        return [d.get_deep_value().get("n", 0.0) for d in docs]
    return [d.get_deep_value().get("state", {}) for d in docs]
