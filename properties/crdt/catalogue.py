"""The numbered properties of spec/crdt.md §6 (CR-PROP-1..11) and which configs each applies to.

The lattice laws and strong eventual consistency apply to every config; the others only where the
config has what they speak about (an invariant, timestamps, signed records, a GC horizon, dead metadata).
"""

from __future__ import annotations

from dataclasses import dataclass

from peerproof.reference.crdt import SIGNED_TYPES, Config
from peerproof.reference.crdt.config import TIMED_TYPES


@dataclass(frozen=True)
class CrdtProperty:
    """One property: its spec ID, slug, title, and the kind of config it applies to (None: every config)."""

    id: str
    slug: str
    title: str
    applies: str | None = None  # "invariant", "timed", "signed", "byzantine-log", "gc", "dead-metadata"


PROPERTIES = (
    CrdtProperty("CR-PROP-1", "merge-commutative", "merge(x, y) = merge(y, x) on reachable, compatible states"),
    CrdtProperty("CR-PROP-2", "merge-associative", "merge(merge(x, y), z) = merge(x, merge(y, z))"),
    CrdtProperty("CR-PROP-3", "merge-idempotent", "merge(x, x) = x"),
    CrdtProperty("CR-PROP-4", "update-inflationary", "every local update moves up the lattice: x <= u(x)"),
    CrdtProperty("CR-PROP-5", "strong-eventual-consistency",
                 "replicas that delivered the same updates show the same value, whatever the network did"),
    CrdtProperty("CR-PROP-6", "invariant-preserved", "the application invariant holds at every replica after "
                 "every merge", "invariant"),
    CrdtProperty("CR-PROP-7", "bounded-future", "no replica holds a record stamped beyond its clock + max_skew",
                 "timed"),
    CrdtProperty("CR-PROP-8", "writer-authenticated", "no replica holds a record under a writer id that did not "
                 "write it", "signed"),
    CrdtProperty("CR-PROP-9", "equivocation-tolerant", "replicas that delivered the same ops converge even when "
                 "a writer sends two contents under one op id", "byzantine-log"),
    CrdtProperty("CR-PROP-10", "gc-safe", "garbage collection never changes what a reader sees", "gc"),
    CrdtProperty("CR-PROP-11", "metadata-bounded", "a replica's metadata is at most n per live item plus n, "
                 "besides records dead for less than the GC horizon", "dead-metadata"),
)

BY_SLUG = {p.slug: p for p in PROPERTIES}
LAWS = ("merge-commutative", "merge-associative", "merge-idempotent", "update-inflationary")
DEAD_METADATA_TYPES = ("lww-map", "expiring-map", "or-set")


def applies(config: Config, prop: CrdtProperty) -> bool:
    """Whether ``prop`` says anything about ``config``."""
    return {
        None: True,
        "invariant": config.min_value is not None,
        "timed": config.type in TIMED_TYPES,
        "signed": config.type in SIGNED_TYPES,
        "byzantine-log": config.type == "op-log",
        "gc": config.gc_horizon_ms is not None,
        "dead-metadata": config.type in DEAD_METADATA_TYPES,
    }[prop.applies]
