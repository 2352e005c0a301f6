"""Reading and validating a GossipSub config file (GS-CFG): the document frame, aliases, go's validate().

Errors follow go-libp2p-pubsub's ``validate()`` (score_params.go, gossipsub.go) field by field; the spec's
constraints that go does not check are warnings (GS-CFG-W*), since deployed configs violate them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peerproof.reference.configfile import (
    ConfigError,
    ConfigWarning,
    Section,
    parse_duration_ms,
    read_bool,
    read_document,
    read_int,
    read_number,
)
from peerproof.reference.configframe import FRAME_FIELDS, frame_to_canonical, read_frame
from peerproof.reference.gossipsub.dialect import DEFAULT_DIALECT, DIALECTS
from peerproof.reference.gossipsub.params import (
    ROUTER_FIELDS,
    SCORE_FIELDS,
    THRESHOLD_FIELDS,
    TOPIC_FIELDS,
    RouterParams,
    ScoreParams,
    Thresholds,
    TopicParams,
    canonical_dict,
)
from peerproof.reference.limits import quote

PROTOCOL = "gossipsub"

TOP_FIELDS: dict[str, tuple[str, ...]] = {
    **FRAME_FIELDS,
    "router": ("gossipsub_params", "params"),
    "score_params": ("peer_score_params",),
    "thresholds": ("peer_score_thresholds", "score_thresholds"),
}


@dataclass(frozen=True)
class Config:
    """A complete GossipSub config: router degrees, score parameters, thresholds, and where it came from."""

    router: RouterParams
    score: ScoreParams
    thresholds: Thresholds
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
    def topics(self) -> Mapping[str, TopicParams]:
        """The scored topics and their parameters."""
        return self.score.topics


def load_config(path: str | Path) -> Config:
    """Read and validate a GossipSub config file; ConfigError names the file and field on any problem."""
    return config_from_mapping(read_document(path), file=str(path))


def config_from_mapping(data: Mapping[str, Any], file: str = "(inline)") -> Config:
    """Build and validate a Config from a parsed document (spellings GS-CFG-1, unknown keys GS-CFG-2, values
    GS-CFG-3 and errors GS-CFG-4 follow the frame, PP-CONFIG-2..5; the aliases are GossipSub's)."""
    top = Section(file, "", data)
    found = top.resolve(TOP_FIELDS)
    frame = read_frame(top, found, PROTOCOL, tuple(DIALECTS), DEFAULT_DIALECT)
    for required in ("score_params", "thresholds"):
        if required not in found:
            raise top.error(required, "missing section")
    router = _read_object(top.child("router", found.get("router", {})), ROUTER_FIELDS, RouterParams)
    score_section = top.child("score_params", found["score_params"])
    score = _read_score_params(score_section)
    thresholds = _read_object(top.child("thresholds", found["thresholds"]), THRESHOLD_FIELDS, Thresholds)
    config = Config(
        router=router, score=score, thresholds=thresholds, dialect=frame.dialect, name=frame.name,
        description=frame.description, source=frame.source, file=file,
    )
    errors, warnings = check_config(config)
    if errors:
        path, message = errors[0]
        raise ConfigError(file, path, message)
    return Config(**{**config.__dict__, "warnings": tuple(warnings)})


def _read_value(section: Section, key: str, kind: str, value: Any) -> Any:
    if kind == "number":
        return read_number(section, key, value)
    if kind == "int":
        return read_int(section, key, value)
    if kind == "duration":
        return parse_duration_ms(section, key, value)
    if kind == "bool":
        return read_bool(section, key, value)
    if kind == "ips":
        return _read_whitelist(section, key, value)
    raise AssertionError(kind)


def _read_object(section: Section, table: Mapping[str, tuple[str, str, tuple[str, ...]]], cls: type) -> Any:
    found = section.resolve({name: aliases for name, (_a, _k, aliases) in table.items()})
    kwargs = {table[name][0]: _read_value(section, name, table[name][1], value) for name, value in found.items()}
    return cls(**kwargs)


def _read_whitelist(section: Section, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise section.error(key, "expected a list of IP addresses or CIDR ranges")
    out = []
    for i, item in enumerate(value):
        try:
            if not isinstance(item, str):  # ip_network(5) would silently read 0.0.0.5
                raise ValueError(item)
            out.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise section.error(f"{key}[{i}]", f"{quote(item)} is not an IP address or CIDR range (a string)") from None
    return tuple(out)


def _read_score_params(section: Section) -> ScoreParams:
    fields_with_topics = {name: aliases for name, (_a, _k, aliases) in SCORE_FIELDS.items()}
    fields_with_topics["topics"] = ()
    found = section.resolve(fields_with_topics)
    topics_raw = found.pop("topics", {})
    topics_section = section.child("topics", topics_raw)
    topics = {}
    for topic, raw in topics_section.data.items():
        if not isinstance(topic, str) or not topic:
            raise topics_section.error(quote(topic, 40), "a topic name is a non-empty string (PP-DOC-3)")
        topics[topic] = _read_object(topics_section.child(topic, raw), TOPIC_FIELDS, TopicParams)
    plain = Section(section.file, section.path, found)
    params = _read_object(plain, SCORE_FIELDS, ScoreParams)
    return ScoreParams(**{**params.__dict__, "topics": topics})


DECAY_BOUND = ("must be in [0, 1] whatever its weight: a factor above 1 grows the counter without bound and "
               "a zero weight times an infinite counter is NaN (GS-CFG-E-bounds)")


def _in_unit_interval(x: float) -> bool:
    return 0 < x < 1


def check_config(config: Config) -> tuple[list[tuple[str, str]], list[ConfigWarning]]:
    """Errors (go's validate() rules, GS-CFG-E*) and warnings (spec-only rules, GS-CFG-W*) of a config."""
    errors: list[tuple[str, str]] = []
    warnings: list[ConfigWarning] = []
    _check_thresholds(config.thresholds, errors, warnings)
    _check_score(config.score, errors)
    for topic, tp in config.score.topics.items():
        _check_topic(f"score_params.topics.{topic}", tp, errors, warnings)
    _check_router(config.router, config.dialect, errors, warnings)
    return errors, warnings


def _check_thresholds(t: Thresholds, errors: list, warnings: list) -> None:
    p = "thresholds"
    if t.gossip_threshold > 0:  # GS-CFG-E1
        errors.append((f"{p}.gossip_threshold", "must be <= 0 (go validate)"))
    if t.publish_threshold > 0 or t.publish_threshold > t.gossip_threshold:  # GS-CFG-E2
        errors.append((f"{p}.publish_threshold", "must be <= 0 and <= gossip_threshold (go validate)"))
    if t.graylist_threshold > 0 or t.graylist_threshold > t.publish_threshold:  # GS-CFG-E3
        errors.append((f"{p}.graylist_threshold", "must be <= 0 and <= publish_threshold (go validate)"))
    if t.accept_px_threshold < 0:  # GS-CFG-E4
        errors.append((f"{p}.accept_px_threshold", "must be >= 0 (go validate)"))
    if t.opportunistic_graft_threshold < 0:
        errors.append((f"{p}.opportunistic_graft_threshold", "must be >= 0 (go validate)"))
    if t.gossip_threshold == 0:
        warnings.append(ConfigWarning(f"{p}.gossip_threshold", "the spec requires < 0", "GS-CFG-W1"))
    if t.graylist_threshold == t.publish_threshold:
        warnings.append(ConfigWarning(f"{p}.graylist_threshold", "the spec requires < publish_threshold",
                                      "GS-CFG-W1"))


def _check_score(s: ScoreParams, errors: list) -> None:
    p = "score_params"
    if s.topic_score_cap < 0:  # GS-CFG-E5
        errors.append((f"{p}.topic_score_cap", "must be >= 0 (0 means no cap) (go validate)"))
    if s.ip_colocation_factor_weight > 0:  # GS-CFG-E6
        errors.append((f"{p}.ip_colocation_factor_weight", "must be <= 0: it is a penalty (go validate)"))
    if s.ip_colocation_factor_weight != 0 and s.ip_colocation_factor_threshold < 1:
        errors.append((f"{p}.ip_colocation_factor_threshold", "must be >= 1 when the weight is set (go validate)"))
    if s.behaviour_penalty_weight > 0:  # GS-CFG-E7
        errors.append((f"{p}.behaviour_penalty_weight", "must be <= 0: it is a penalty (go validate)"))
    if s.behaviour_penalty_weight != 0 and not _in_unit_interval(s.behaviour_penalty_decay):
        errors.append((f"{p}.behaviour_penalty_decay", "must be in (0, 1) (go validate)"))
    if s.behaviour_penalty_threshold < 0:
        errors.append((f"{p}.behaviour_penalty_threshold", "must be >= 0 (go validate)"))
    if not 0 <= s.behaviour_penalty_decay <= 1:
        errors.append((f"{p}.behaviour_penalty_decay", DECAY_BOUND))
    if s.decay_interval_ms < 1000:  # GS-CFG-E8
        errors.append((f"{p}.decay_interval", "must be at least 1s (go validate)"))
    if not _in_unit_interval(s.decay_to_zero):
        errors.append((f"{p}.decay_to_zero", "must be in (0, 1) (go validate)"))


def _check_topic(p: str, t: TopicParams, errors: list, warnings: list) -> None:
    skip = t.skip_atomic_validation

    def group_set(*values: float) -> bool:
        return not skip or any(v != 0 for v in values)

    if t.topic_weight < 0:  # GS-CFG-E9
        errors.append((f"{p}.topic_weight", "must be >= 0 (go validate)"))
    for decay in ("first_message_deliveries_decay", "mesh_message_deliveries_decay", "mesh_failure_penalty_decay",
                  "invalid_message_deliveries_decay"):
        if not 0 <= getattr(t, decay) <= 1:
            errors.append((f"{p}.{decay}", DECAY_BOUND))
    for cap in ("time_in_mesh_cap", "first_message_deliveries_cap", "mesh_message_deliveries_cap"):  # GS-CFG-E10
        if getattr(t, cap) < 0:
            errors.append((f"{p}.{cap}", "a cap cannot be negative"))
    if group_set(t.time_in_mesh_weight, t.time_in_mesh_quantum_ms, t.time_in_mesh_cap):  # GS-CFG-E11
        if t.time_in_mesh_quantum_ms == 0:
            errors.append((f"{p}.time_in_mesh_quantum", "must be non-zero (go validate)"))
        if t.time_in_mesh_weight < 0:
            errors.append((f"{p}.time_in_mesh_weight", "must be >= 0: it is a reward (go validate)"))
        if t.time_in_mesh_weight != 0 and t.time_in_mesh_cap <= 0:
            errors.append((f"{p}.time_in_mesh_cap", "must be > 0 when the weight is set (go validate)"))
    # GS-CFG-E12
    if group_set(t.first_message_deliveries_weight, t.first_message_deliveries_decay, t.first_message_deliveries_cap):
        if t.first_message_deliveries_weight < 0:
            errors.append((f"{p}.first_message_deliveries_weight", "must be >= 0: it is a reward (go validate)"))
        if t.first_message_deliveries_weight != 0:
            if not _in_unit_interval(t.first_message_deliveries_decay):
                errors.append((f"{p}.first_message_deliveries_decay", "must be in (0, 1) (go validate)"))
            if t.first_message_deliveries_cap <= 0:
                errors.append((f"{p}.first_message_deliveries_cap", "must be > 0 (go validate)"))
    # GS-CFG-E13
    if group_set(t.mesh_message_deliveries_weight, t.mesh_message_deliveries_decay, t.mesh_message_deliveries_cap,
                 t.mesh_message_deliveries_threshold, t.mesh_message_deliveries_window_ms,
                 t.mesh_message_deliveries_activation_ms):
        if t.mesh_message_deliveries_weight > 0:
            errors.append((f"{p}.mesh_message_deliveries_weight", "must be <= 0: it is a penalty (go validate)"))
        if t.mesh_message_deliveries_weight != 0:
            if not _in_unit_interval(t.mesh_message_deliveries_decay):
                errors.append((f"{p}.mesh_message_deliveries_decay", "must be in (0, 1) (go validate)"))
            if t.mesh_message_deliveries_cap <= 0:
                errors.append((f"{p}.mesh_message_deliveries_cap", "must be > 0 (go validate)"))
            if t.mesh_message_deliveries_threshold <= 0:
                errors.append((f"{p}.mesh_message_deliveries_threshold", "must be > 0 (go validate)"))
            if t.mesh_message_deliveries_activation_ms < 1000:
                errors.append((f"{p}.mesh_message_deliveries_activation", "must be at least 1s (go validate)"))
            if t.mesh_message_deliveries_cap < t.mesh_message_deliveries_threshold:
                warnings.append(ConfigWarning(f"{p}.mesh_message_deliveries_cap",
                                              "the spec requires cap >= threshold; below it the P3 deficit "
                                              "can never be cleared", "GS-CFG-W2"))
    if group_set(t.mesh_failure_penalty_weight, t.mesh_failure_penalty_decay):  # GS-CFG-E14
        if t.mesh_failure_penalty_weight > 0:
            errors.append((f"{p}.mesh_failure_penalty_weight", "must be <= 0: it is a penalty (go validate)"))
        if t.mesh_failure_penalty_weight != 0 and not _in_unit_interval(t.mesh_failure_penalty_decay):
            errors.append((f"{p}.mesh_failure_penalty_decay", "must be in (0, 1) (go validate)"))
    if group_set(t.invalid_message_deliveries_weight, t.invalid_message_deliveries_decay):  # GS-CFG-E15
        if t.invalid_message_deliveries_weight > 0:
            errors.append((f"{p}.invalid_message_deliveries_weight", "must be <= 0: it is a penalty (go validate)"))
        if not _in_unit_interval(t.invalid_message_deliveries_decay):
            errors.append((f"{p}.invalid_message_deliveries_decay", "must be in (0, 1), even with weight 0 "
                                                                    "(go validate)"))


def _check_router(r: RouterParams, dialect: str, errors: list, warnings: list) -> None:
    p = "router"
    for name in ("d", "d_lo", "d_hi", "d_score", "d_out", "d_lazy", "history_length", "history_gossip",
                 "opportunistic_graft_ticks", "opportunistic_graft_peers"):
        if getattr(r, name) < 0:
            errors.append((f"{p}.{name}", "a count cannot be negative (GS-CFG-E-bounds)"))
    if r.heartbeat_interval_ms <= 0:
        errors.append((f"{p}.heartbeat_interval", "must be > 0"))
    if r.history_gossip > r.history_length:  # GS-CFG-E16
        errors.append((f"{p}.history_gossip", "must be <= history_length (go validate)"))
    if r.d_score > r.d_hi:
        errors.append((f"{p}.d_score", "must be <= d_hi (go validate)"))
    if (r.d, r.d_lo, r.d_hi, r.d_out) == (0, 0, 0, 0):  # GS-CFG-E17
        return  # bootstrapper mode: no mesh
    if not r.d_lo <= r.d <= r.d_hi:
        errors.append((f"{p}.d", "must satisfy d_lo <= d <= d_hi (go validate)"))
    if dialect == "go":
        if not (r.d_out < r.d_lo and r.d_out < r.d // 2):
            errors.append((f"{p}.d_out", "must be < d_lo and < d/2 (integer division) (go validate)"))
    elif dialect == "rust":
        if not (r.d_out <= r.d_lo and 2 * r.d_out <= r.d):
            # rust-libp2p ConfigBuilder::build (GS-DIV-14)
            errors.append((f"{p}.d_out", "must be <= d_lo and at most d/2 (rust-libp2p ConfigBuilder)"))
    elif not (r.d_out < r.d_lo and 2 * r.d_out <= r.d):
        errors.append((f"{p}.d_out", "must be < d_lo and at most d/2 (spec, Outbound Mesh Quotas)"))


def to_canonical(config: Config) -> dict[str, Any]:
    """The config as a canonical snake_case document (what peerproof writes)."""
    doc = frame_to_canonical(config)
    doc["router"] = canonical_dict(config.router, ROUTER_FIELDS)
    score = canonical_dict(config.score, SCORE_FIELDS)
    score["topics"] = {name: canonical_dict(tp, TOPIC_FIELDS) for name, tp in config.score.topics.items()}
    doc["score_params"] = score
    doc["thresholds"] = canonical_dict(config.thresholds, THRESHOLD_FIELDS)
    return doc
