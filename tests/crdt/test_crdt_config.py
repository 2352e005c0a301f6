"""CR-CFG, CR-EV, CR-ID, CR-NET: configs and traces read strictly, signatures verified, the network's faults."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from peerproof.properties.crdt.alphabet import honest_update, run
from peerproof.reference.configfile import ConfigError
from peerproof.reference.crdt import (
    MODEL,
    Deliver,
    Drop,
    Duplicate,
    Heal,
    Partition,
    Sync,
    UnknownReplica,
    check_events,
    config_from_mapping,
    event_from_dict,
    load_config,
    to_canonical,
)
from peerproof.reference.events import EventError
from peerproof.spec import bundled_config_path, bundled_configs

BASE: dict[str, Any] = {"protocol": "crdt", "type": "lww-map", "replicas": ["a", "b", "c"]}


@pytest.mark.parametrize("name", [c.name for c in bundled_configs("crdt")])
def test_crdt_bundled_config_round_trips(name: str) -> None:
    """CR-CFG-8: the canonical document reads back as the same config, and every config names its source."""
    config = load_config(bundled_config_path(name))
    assert config_from_mapping(to_canonical(config)) == replace(config, file="(inline)")
    assert config.source and config.description


@pytest.mark.parametrize(("change", "path", "words"), [
    ({"type": "lww-mapp"}, "type", "unknown type"),
    ({"merge": {"rule": "newest"}}, "merge.rule", "unknown merge rule"),
    ({"merge": {"rul": "ts-writer"}}, "merge.rul", "did you mean"),
    ({"gc": {"horizon": "-5s"}}, "gc.horizon", "negative"),
    ({"gc": {"horizon": 5}}, "gc.horizon", "no unit"),
    ({"clock": {"max_drift": "soon"}}, "clock.max_drift", "cannot read duration"),
    ({"replicas": ["a"]}, "replicas", "2 to 64"),
    ({"replicas": ["a", "a"]}, "replicas[1]", "listed twice"),
    ({"identity": {"scheme": "rsa"}}, "identity.scheme", "unknown identity scheme"),
    ({"identity": {"scheme": "ed25519", "keys": {"a": "zz"}}}, "identity.keys.b", "missing"),
    ({"invariant": {"min_value": 0}}, "invariant.min_value", "pn-counter"),
    ({"type": "or-set", "clock": {"hlc": True}}, "clock.hlc", "lww-register and lww-map"),
    ({"clock": {"hlc": "yes"}}, "clock.hlc", "true or false"),
    ({"colour": "red"}, "colour", "unknown field"),
])
def test_crdt_bad_config_is_an_error_naming_the_field(change: dict, path: str, words: str) -> None:
    """CR-CFG-1: every bad input is a ConfigError ``FILE: field.path: message``."""
    with pytest.raises(ConfigError) as err:
        config_from_mapping({**BASE, **change}, file="bad.yaml")
    assert err.value.file == "bad.yaml" and err.value.path == path and words in err.value.message


@pytest.mark.parametrize(("doc", "words"), [
    ({"kind": "update", "at": 1, "replica": "a", "op": "set", "ts_ms": -5}, "ts_ms"),
    ({"kind": "update", "at": 1, "replica": "a", "op": "frobnicate"}, "op: unknown operation"),
    ({"kind": "update", "at": 1, "replica": "a", "op": "inc", "amount": 0}, "amount"),
    ({"kind": "update", "at": 1, "replica": "a", "op": "set", "sig": "xyz"}, "sig"),
    ({"kind": "partition", "at": 1, "groups": "a,b|a"}, "groups"),
    ({"kind": "deliver", "at": 1, "msg": 1.5}, "msg"),
])
def test_crdt_malformed_event_is_an_error_naming_the_field(doc: dict, words: str) -> None:
    """CR-EV: malformed timestamps, operations, amounts, signatures and groups are trace errors."""
    with pytest.raises(EventError, match=words):
        event_from_dict(doc)


def test_crdt_unknown_replica_is_an_input_error_at_its_event() -> None:
    """CR-NET-8: an event for a replica the config lacks names ``events[i].field``, before and while stepping."""
    config = config_from_mapping(BASE)
    events = [Sync(0, "a", "b"), Sync(0, "a", "q")]
    with pytest.raises(UnknownReplica, match=r"events\[1\]\.dst"):
        check_events(config, events)
    with pytest.raises(UnknownReplica, match=r"events\[1\]\.dst"):
        MODEL.final_state(config, events)


def test_crdt_bad_signature_is_a_rejected_op_not_a_crash() -> None:
    """CR-ID-3: a record whose signature does not verify is counted as rejected and never applied."""
    config = load_config(bundled_config_path("lww-register-bounded-clock"))
    _, state = MODEL.start(config)
    good = honest_update(config, state, "a", "set", "v1", 1000, quiet=False)
    tampered = replace(good, value="v2")  # the signature covers the value
    state = run(config, state, [tampered])
    assert state.rejected == 1 and MODEL.observe(config, state, None)["replicas"]["a"]["value"] is None
    state = run(config, state, [good, Deliver(1000, 0)])
    assert MODEL.observe(config, state, None)["replicas"]["b"]["value"] == "v1"


def test_crdt_network_reorders_duplicates_drops_and_partitions() -> None:
    """CR-NET-2: messages are delivered by id in any order, copied, lost, and held back by a partition."""
    config = config_from_mapping({**BASE, "type": "pn-counter"})
    _, s = MODEL.start(config)
    s = run(config, s, [honest_update(config, s, "a", "inc", None, 1000, quiet=False)])  # messages 0 (b), 1 (c)
    s = run(config, s, [Duplicate(1000, 1), Drop(1000, 0), Partition(1000, "a,b|c"), Deliver(1000, 2)])
    assert s.blocked == 1 and [m.id for m in s.buffer] == [1, 2]
    s = run(config, s, [Heal(1000), Deliver(1000, 2), Deliver(1000, 1)])
    obs = MODEL.observe(config, s, None)["replicas"]
    assert (obs["a"]["value"], obs["b"]["value"], obs["c"]["value"]) == (1, 0, 1)
