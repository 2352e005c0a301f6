"""Reading and validating a crdt config (CR-CFG-1..8): the type, its merge rule, replicas, identity, clock, GC.

A crdt config says which replicated type a network shares and how replicas merge it; the checks then
say whether that rule converges and what a Byzantine replica can do to it. Unknown types, rules and
fields, malformed durations, a negative GC horizon or a key that is not an Ed25519 public key are
``ConfigError``s naming the file and the field path.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peerproof.reference.configfile import (
    ConfigWarning,
    Section,
    format_duration_ms,
    parse_duration_ms,
    read_bool,
    read_document,
    read_int,
    read_string,
)
from peerproof.reference.configframe import FRAME_FIELDS, frame_to_canonical, read_frame
from peerproof.reference.crdt.identity import is_hex, writer_id
from peerproof.reference.limits import MAX_STRING, quote

PROTOCOL = "crdt"
DIALECTS = ("spec",)
DEFAULT_DIALECT = "spec"
MAX_REPLICAS = 64

RULES: dict[str, tuple[str, ...]] = {
    "lww-register": ("ts-writer", "ts-keep-local"),
    "lww-map": ("ts-writer", "ts-keep-local"),
    "expiring-map": ("expiry-writer", "expiry-keep-stored"),
    "or-set": ("add-wins", "add-wins-tombstones", "remove-wins", "remove-by-delete"),
    "pn-counter": ("pointwise-max", "sum"),
    "mv-register": ("maximal-versions",),
    "op-log": ("content-hash", "writer-seq"),
}
"""CR-CFG-2: every type and its merge rules; the first is the type's default (spec/crdt.md §3)."""

BROKEN_RULES = ("ts-keep-local", "expiry-keep-stored", "remove-by-delete", "sum", "writer-seq")
"""CR-CFG-2: the rules from real code or naive designs that the bundled configs refute; the others are standard."""

TIMED_TYPES = ("lww-register", "lww-map", "expiring-map")
SCHEMES = ("none", "ed25519")

TOP_FIELDS: dict[str, tuple[str, ...]] = {
    **FRAME_FIELDS, "type": ("crdt", "datatype"), "merge": ("merge_rule",), "replicas": ("peers",),
    "identity": (), "clock": (), "gc": ("garbage_collection",), "invariant": (),
}


@dataclass(frozen=True)
class Config:
    """A crdt network: the shared type and its merge rule, the replicas, and the mitigations in force."""

    type: str
    rule: str
    replicas: tuple[str, ...]
    scheme: str = "none"  # CR-CFG-4: "ed25519" binds writer ids to keys and verifies every record
    keys: Mapping[str, str] = field(default_factory=dict)  # replica -> Ed25519 public key (hex)
    max_skew_ms: int = 0  # CR-CFG-5: how far an honest clock may run ahead of true time
    max_drift_ms: int | None = None  # CR-CFG-5: reject records stamped beyond local clock + this; None: accept all
    hlc: bool = False  # CR-CLK-3: honest stamps never fall behind the latest stamp held (hybrid logical clock)
    gc_horizon_ms: int | None = None  # CR-CFG-6: drop metadata older than this; None: never
    min_value: int | None = None  # CR-CFG-7: the application invariant value >= min_value (counters)
    dialect: str = DEFAULT_DIALECT
    name: str = ""
    description: str = ""
    source: Mapping[str, Any] = field(default_factory=dict)
    file: str = "(inline)"
    warnings: tuple[ConfigWarning, ...] = ()

    @property
    def protocol(self) -> str:
        """The protocol this config is for (the frame's ``protocol`` field)."""
        return PROTOCOL

    @property
    def standard(self) -> bool:
        """Whether the merge rule is a standard one (not one of the broken rules)."""
        return self.rule not in BROKEN_RULES

    def true_id(self, replica: str) -> str:
        """CR-ID-1: the writer id replica ``replica`` legitimately writes as (its key's hash, or its name)."""
        return writer_id(self.keys[replica]) if self.scheme == "ed25519" else replica


def load_config(path: str | Path) -> Config:
    """Read and validate a crdt config file; ConfigError names the file and field on any problem."""
    return config_from_mapping(read_document(path), file=str(path))


def config_from_mapping(data: Mapping[str, Any], file: str = "(inline)") -> Config:
    """CR-CFG-1: build and validate a Config from a parsed document."""
    top = Section(file, "", data)
    found = top.resolve(TOP_FIELDS)
    frame = read_frame(top, found, PROTOCOL, DIALECTS, DEFAULT_DIALECT)
    if "type" not in found:
        raise top.error("type", f"missing; choose one of {', '.join(RULES)}")
    kind = read_string(top, "type", found["type"])
    if kind not in RULES:
        raise top.error("type", f"unknown type {quote(kind)}; choose one of {', '.join(RULES)}")
    rule = _read_rule(top, kind, found.get("merge", {}))
    replicas = _read_replicas(top, found.get("replicas"))
    scheme, keys = _read_identity(top, found.get("identity", {}), replicas)
    skew, drift, hlc = _read_clock(top, found.get("clock", {}), kind)
    horizon = _read_gc(top, found.get("gc", {}))
    min_value = _read_invariant(top, found.get("invariant", {}), kind)
    warnings = []
    if drift is not None and kind not in TIMED_TYPES:
        warnings.append(ConfigWarning("clock.max_drift", f"{kind} records carry no timestamp", "CR-CFG-5"))
    return Config(kind, rule, replicas, scheme, keys, skew, drift, hlc, horizon, min_value, frame.dialect,
                  frame.name, frame.description, frame.source, file, tuple(warnings))


def _read_rule(top: Section, kind: str, value: Any) -> str:
    section = top.child("merge", value)
    found = section.resolve({"rule": ()})
    rule = read_string(section, "rule", found.get("rule", RULES[kind][0]))
    if rule not in RULES[kind]:
        raise section.error("rule", f"unknown merge rule {quote(rule)} for {kind}; choose one of "
                                    f"{', '.join(RULES[kind])}")
    return rule


def _read_replicas(top: Section, value: Any) -> tuple[str, ...]:
    if value is None:
        raise top.error("replicas", "missing; list the replica names, e.g. [a, b, c]")
    if not isinstance(value, list) or not 2 <= len(value) <= MAX_REPLICAS:
        raise top.error("replicas", f"expected a list of 2 to {MAX_REPLICAS} replica names")
    names = []
    for i, name in enumerate(value):
        if not isinstance(name, str) or not name or len(name) > MAX_STRING or "," in name or "|" in name:
            raise top.error(f"replicas[{i}]", f"expected a non-empty name without ',' or '|', got {quote(name)}")
        if name in names:
            raise top.error(f"replicas[{i}]", f"replica {quote(name)} listed twice")
        names.append(name)
    return tuple(names)


def _read_identity(top: Section, value: Any, replicas: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    section = top.child("identity", value)
    found = section.resolve({"scheme": (), "keys": ("public_keys",)})
    scheme = read_string(section, "scheme", found.get("scheme", "none"))
    if scheme not in SCHEMES:
        raise section.error("scheme", f"unknown identity scheme {quote(scheme)}; choose one of {', '.join(SCHEMES)}")
    if scheme == "none":
        if "keys" in found:
            raise section.error("keys", "keys are only read with scheme: ed25519")
        return scheme, {}
    keys_section = section.child("keys", found.get("keys"))
    keys = {}
    for replica in replicas:
        if replica not in keys_section.data:
            raise keys_section.error(replica, "missing the replica's Ed25519 public key (64 hex characters)")
    for replica, key in keys_section.data.items():
        if replica not in replicas:
            raise keys_section.error(str(replica), f"not a replica of this config ({', '.join(replicas)})")
        if not isinstance(key, str) or not is_hex(key, 64):
            raise keys_section.error(replica, f"expected a raw Ed25519 public key in hex (64 characters), "
                                              f"got {quote(key)}")
        keys[replica] = key.lower()
    return scheme, keys


def _read_clock(top: Section, value: Any, kind: str) -> tuple[int, int | None, bool]:
    section = top.child("clock", value)
    found = section.resolve({"max_skew": (), "max_drift": ("max_future", "max_time_discrepancy"), "hlc": ()})
    skew = parse_duration_ms(section, "max_skew", found.get("max_skew", "0s"))
    drift = found.get("max_drift")
    hlc = read_bool(section, "hlc", found.get("hlc", False))
    if hlc and kind not in ("lww-register", "lww-map"):
        raise section.error("hlc", f"hybrid logical clocks stamp lww-register and lww-map writes, not {kind}")
    return skew, None if drift is None else parse_duration_ms(section, "max_drift", drift), hlc


def _read_gc(top: Section, value: Any) -> int | None:
    section = top.child("gc", value)
    found = section.resolve({"horizon": ()})
    horizon = found.get("horizon")
    if isinstance(horizon, str) and horizon.strip().startswith("-"):
        raise section.error("horizon", f"a GC horizon cannot be negative, got {quote(horizon)}")
    return None if horizon is None else parse_duration_ms(section, "horizon", horizon)


def _read_invariant(top: Section, value: Any, kind: str) -> int | None:
    section = top.child("invariant", value)
    found = section.resolve({"min_value": ("minimum",)})
    if "min_value" not in found:
        return None
    if kind != "pn-counter":
        raise section.error("min_value", f"a minimum value is an invariant of pn-counter, not of {kind}")
    return read_int(section, "min_value", found["min_value"])


def to_canonical(config: Config) -> dict[str, Any]:
    """The document ``config_from_mapping`` reads back as the same config (CR-CFG-8)."""
    doc = frame_to_canonical(config)
    doc["type"] = config.type
    doc["merge"] = {"rule": config.rule}
    doc["replicas"] = list(config.replicas)
    doc["identity"] = {"scheme": config.scheme, **({"keys": dict(config.keys)} if config.keys else {})}
    clock: dict[str, Any] = {"max_skew": format_duration_ms(config.max_skew_ms)}
    if config.max_drift_ms is not None:
        clock["max_drift"] = format_duration_ms(config.max_drift_ms)
    if config.hlc:
        clock["hlc"] = True
    doc["clock"] = clock
    if config.gc_horizon_ms is not None:
        doc["gc"] = {"horizon": format_duration_ms(config.gc_horizon_ms)}
    if config.min_value is not None:
        doc["invariant"] = {"min_value": config.min_value}
    return doc


