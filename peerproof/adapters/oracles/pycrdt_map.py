"""crdt LWW maps and registers on pycrdt's ``Map`` (Yjs) behind the adapter protocol (a worked example).

Supports: types ``lww-map`` and ``lww-register`` with the standard rule ``ts-writer``, unsigned identities,
no GC, no drift bound; dialect ``spec``. Every replica is a ``Doc`` (client id = its position + 1) with one
``Map``; ``set`` writes the key (a register writes key ``reg``), ``remove`` deletes it; an update ships as
the Yjs update since the state vector before it, a sync ships the whole document.

Yjs is a *causal* last-writer-wins map, the spec a *timestamp* one, so they agree only where timestamp
order and causal order agree. The documented divergences (spec/crdt.md) show up in conformance runs:
CR-DIV-1/2 (concurrent writes at different instants: Yjs picks the higher client id, the spec the later
stamp; a causally later write by a smaller id at the same instant wins in Yjs), CR-DIV-4 (a delete loses
to a concurrent set in Yjs) and causal delivery (Yjs holds an update until its predecessors arrive, the
spec's delta applies at once).

    peerproof conformance --adapter "python -m peerproof.adapters.oracles.pycrdt_map"
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from pycrdt import Doc, Map

from peerproof.adapters.oracles.crdt_network import Library, LibraryAdapter
from peerproof.adapters.serve import Refusal, serve

ROOT = "state"
REGISTER_KEY = "reg"


class YjsMaps:
    """The ``Library`` of crdt_network: one Yjs map per replica (a register is one key of it)."""

    def __init__(self, register: bool) -> None:
        self.register = register

    def replica(self, index: int) -> Any:
        """A fresh doc with client id ``index + 1``."""
        doc = Doc(client_id=index + 1)
        doc.get(ROOT, type=Map)
        return doc

    def update(self, doc: Any, event: Mapping[str, Any]) -> bytes:
        """``set`` or ``remove`` one key; the Yjs update bytes of this change."""
        op = event.get("op")
        key = REGISTER_KEY if self.register else event.get("key")
        if not isinstance(key, str):
            raise Refusal("bad-request", "key: a map update names its key")
        before = doc.get_state()
        root = doc.get(ROOT, type=Map)
        if op == "set":
            root[key] = event.get("value")
        elif op == "remove" and not self.register:
            if key in root:
                del root[key]
        else:
            raise Refusal("bad-request", f"op: {op!r} is not an update of this type")
        return doc.get_update(before)

    def export(self, doc: Any) -> bytes:
        """The whole document as one update."""
        return doc.get_update()

    def merge(self, doc: Any, payload: bytes) -> None:
        """Apply an update (Yjs ignores what it already holds)."""
        doc.apply_update(payload)

    def value(self, doc: Any) -> Any:
        """The map (keys sorted), or the register's value (None when unset)."""
        content = doc.get(ROOT, type=Map).to_py()
        if self.register:
            return content.get(REGISTER_KEY)
        return dict(sorted(content.items()))


class PycrdtMapAdapter(LibraryAdapter):
    """The adapter: a Network of Yjs maps."""

    package, wraps, types, rules = "pycrdt", "Map (Yjs)", ("lww-map", "lww-register"), ("ts-writer",)

    def library(self, config: Mapping[str, Any]) -> Library:
        """One map per replica (a register is its key ``reg``)."""
        return YjsMaps(config.get("type") == "lww-register")


if __name__ == "__main__":
    sys.exit(serve(PycrdtMapAdapter()))
