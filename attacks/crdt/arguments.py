"""Why a Byzantine property holds when the config's mitigation is in force (CR-ARG-7..11): closed arguments.

An argument is returned only when the config meets its premise; otherwise None (the engine then reports
the constructed attack or inconclusive). Each argument covers every trace, not one.
"""

from __future__ import annotations

from peerproof.reference.crdt import Config


def argument(config: Config, slug: str) -> str | None:
    """The argument that ``slug`` holds for ``config``, or None when its premise fails."""
    if slug == "bounded-future" and config.max_drift_ms is not None and config.max_drift_ms <= config.max_skew_ms:
        return (f"CR-ARG-7: every replica refuses a record stamped beyond its clock + max_drift "
                f"({config.max_drift_ms / 1000:g}s) when it is issued or delivered, clocks never go back, and "
                f"max_drift <= max_skew ({config.max_skew_ms / 1000:g}s)")
    if slug == "writer-authenticated" and config.scheme == "ed25519":
        return ("CR-ARG-8: a record is accepted only when its writer id is the hash of the key that verifies its "
                "Ed25519 signature over the whole record; forging one needs the writer's private key (EUF-CMA) or "
                "a key with the same 64-bit id hash (second preimage)")
    if slug == "equivocation-tolerant" and config.rule == "content-hash":
        return ("CR-ARG-9: an op's id is SHA-256 of its content and predecessors, recomputed on arrival, so two "
                "contents are two ids; the log is then a grow-only set and its merge a union")
    if slug == "gc-safe":
        return _gc_argument(config)
    if slug == "metadata-bounded":
        if config.type == "or-set" and config.rule == "add-wins":
            return ("CR-ARG-11: an ORSWOT keeps no tombstones, at most one dot per (live element, writer) (an add "
                    "replaces the dots it observed; a merge drops a dot the other side's vector covers) and one "
                    "vector entry per writer")
        if config.type in ("lww-map", "expiring-map") and config.gc_horizon_ms is not None:
            return ("CR-ARG-11: one entry per key, and every replica drops tombstones and expired records older "
                    "than the GC horizon after every event")
    return None


def _gc_argument(config: Config) -> str | None:
    if config.type == "or-set" and config.rule != "add-wins-tombstones":
        return "CR-ARG-10: this set keeps no tombstones, so GC collects nothing"
    if config.type in ("lww-register", "pn-counter", "mv-register", "op-log"):
        return f"CR-ARG-10: a {config.type} has no tombstones or expiring records, so GC collects nothing"
    if config.type == "expiring-map":
        return ("CR-ARG-10: GC drops only records that expired before now - horizon; queries already hide them and "
                "every replica refuses an expired record on arrival (hivemind TimedStorage.store), so no collected "
                "record can come back")
    return None
