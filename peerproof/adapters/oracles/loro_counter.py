"""crdt PN-counters on loro's ``LoroCounter`` behind the adapter protocol (a worked example, PP-ADAPTER).

Supports: type ``pn-counter`` with the standard rule ``pointwise-max``, unsigned identities, no invariant
guard; dialect ``spec``. Every replica is a ``LoroDoc`` (peer id = its position + 1) holding one counter;
an update is ``increment``/``decrement`` and ships as loro's update bytes since the version before it, a
sync ships a snapshot, and loro's import is idempotent, so duplicated and reordered deliveries are harmless
as the spec says they must be (CR-PROP-*). The value comes back as a float (CR-DIV-5); the network around
the docs is ``crdt_network.Network``.

    peerproof conformance --adapter "python -m peerproof.adapters.oracles.loro_counter"
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import loro

from peerproof.adapters.oracles.crdt_network import Library, LibraryAdapter
from peerproof.adapters.serve import Refusal, serve

COUNTER = "n"


class LoroCounters:
    """The ``Library`` of crdt_network: one loro counter per replica."""

    def replica(self, index: int) -> Any:
        """A fresh doc with peer id ``index + 1``."""
        doc = loro.LoroDoc()
        doc.peer_id = index + 1
        return doc

    def update(self, doc: Any, event: Mapping[str, Any]) -> bytes:
        """``inc``/``dec`` by the event's amount; the update's bytes."""
        op, amount = event.get("op"), event.get("amount", 1)
        if op not in ("inc", "dec"):
            raise Refusal("bad-request", f"op: a counter takes inc or dec, not {op!r}")
        before = doc.oplog_vv
        counter = doc.get_counter(COUNTER)
        (counter.increment if op == "inc" else counter.decrement)(amount)
        doc.commit()
        return bytes(doc.export(loro.ExportMode.Updates(before)))

    def export(self, doc: Any) -> bytes:
        """A snapshot of the doc."""
        return bytes(doc.export(loro.ExportMode.Snapshot()))

    def merge(self, doc: Any, payload: bytes) -> None:
        """Import a snapshot or updates."""
        doc.import_(payload)

    def value(self, doc: Any) -> Any:
        """The counter's value (a float in loro)."""
        return doc.get_deep_value().get(COUNTER, 0.0)


class LoroCounterAdapter(LibraryAdapter):
    """The adapter: a Network of loro counters."""

    package, wraps, types, rules = "loro", "LoroCounter", ("pn-counter",), ("pointwise-max",)

    def library(self, config: Mapping[str, Any]) -> Library:
        """One counter per replica."""
        return LoroCounters()


if __name__ == "__main__":
    sys.exit(serve(LoroCounterAdapter()))
