"""One regression test per class of hostile input found in issue 8 (spec/peerproof.md PP-LIMIT, PP-DOC).

Each input is refused with ``ConfigError`` naming the file and the field (or line), in bounded work,
quoting at most ~80 characters of the value; or, where the input is legitimate, read correctly.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hostile_inputs import SMALL_GOSSIPSUB, gossipsub_script, within_budget
from hypothesis import example, given
from hypothesis import strategies as st
from peerproof.reference import documents
from peerproof.reference.configfile import ConfigError, read_document
from peerproof.reference.gossipsub import MODEL, config_from_mapping
from peerproof.reference.limits import MAX_MAGNITUDE, MAX_STRING
from peerproof.reference.trace import record, replay, trace_from_dict, trace_from_text, trace_to_dict

import peerproof

TOPIC = "score_params.topics.blocks"


def refused(tmp_path: Path, text: str, suffix: str = ".yaml") -> ConfigError:
    """The ConfigError a config text is refused with (reading it costs work bounded by its size)."""
    path = tmp_path / f"input{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        within_budget(lambda: peerproof.load_config(path), len(text.encode()))
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert len(message) < len(str(path)) + 400, message
    return info.value


def small_with(path: str, value: Any) -> dict[str, Any]:
    """The small GossipSub config with the field at dotted ``path`` set to ``value``."""
    doc = copy.deepcopy(SMALL_GOSSIPSUB)
    *parents, last = path.split(".")
    node = doc
    for key in parents:
        node = node[key]
    node[last] = value
    return doc


def as_json_with_literal(path: str, literal: str) -> str:
    """The small config as JSON, with the field at ``path`` written as the raw ``literal``."""
    return json.dumps(small_with(path, "PPLITERAL")).replace('"PPLITERAL"', literal)


# -- huge numbers -------------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_hostile_integer_above_1e308_in_a_numeric_field(tmp_path: Path, suffix: str) -> None:
    """PP-LIMIT-3: an integer of 310 digits (above 1e308: float() would overflow) is refused at its field."""
    text = as_json_with_literal(f"{TOPIC}.topic_weight", "1" + "0" * 309)
    err = refused(tmp_path, text, suffix)
    assert err.path == f"{TOPIC}.topic_weight" and "digits" in err.message


def test_hostile_integer_in_toml_above_1e308(tmp_path: Path) -> None:
    """PP-LIMIT-3 in TOML, whose reader converts integers itself: refused after parsing, at the field."""
    err = refused(tmp_path, 'protocol = "gossipsub"\n[score_params]\ndecay_to_zero = 1' + "0" * 320 + "\n", ".toml")
    assert err.path == "score_params.decay_to_zero"


@pytest.mark.parametrize("suffix", [".json", ".yaml", ".toml"])
def test_hostile_integer_literal_over_python_digit_limit(tmp_path: Path, suffix: str) -> None:
    """PP-LIMIT-3: 5,000 digits (over Python's 4,300-digit int-string limit) is a ConfigError, not ValueError."""
    if suffix == ".toml":
        text = 'protocol = "gossipsub"\nx = ' + "7" * 5000 + "\n"
    else:
        text = as_json_with_literal(f"{TOPIC}.topic_weight", "7" * 5000)
    assert "digits" in refused(tmp_path, text, suffix).message


def test_hostile_duration_of_309_digits(tmp_path: Path) -> None:
    """PP-LIMIT-10: a duration of 309+ digits is refused by length before any conversion."""
    err = refused(tmp_path, json.dumps(small_with("score_params.decay_interval", "9" * 309 + "s")), ".json")
    assert err.path == "score_params.decay_interval" and "PP-LIMIT-10" in err.message


def test_hostile_duration_beyond_the_horizon(tmp_path: Path) -> None:
    """PP-LIMIT-7: a duration that fits the text limit but exceeds the time horizon is refused."""
    err = refused(tmp_path, json.dumps(small_with("score_params.retain_score", "99999999999h")), ".json")
    assert "horizon" in err.message


def test_hostile_20000_digit_duration_without_unit_is_read_in_linear_work(tmp_path: Path) -> None:
    """PP-LIMIT-10: the unit-less 20,000-digit duration (18-34 s of regex backtracking before) costs one check."""
    err = refused(tmp_path, json.dumps(small_with("score_params.decay_interval", "1" * 20_000)), ".json")
    assert err.path == "score_params.decay_interval"
    assert len(err.message) < 200  # the value is not echoed (PP-LIMIT-8)


@pytest.mark.parametrize("field", ["topic_weight", "mesh_message_deliveries_threshold",
                                   "invalid_message_deliveries_weight"])
def test_hostile_weight_or_threshold_of_1e308_is_refused(tmp_path: Path, field: str) -> None:
    """PP-LIMIT-4 / GS-CFG-E-bounds: 1e308 passed validation and made scores inf/NaN; now beyond the limit."""
    value = -1e308 if field.endswith("weight") and field != "topic_weight" else 1e308
    err = refused(tmp_path, json.dumps(small_with(f"{TOPIC}.{field}", value)), ".json")
    assert err.path == f"{TOPIC}.{field}" and "magnitude" in err.message


def test_hostile_numbers_at_the_limit_keep_every_score_finite() -> None:
    """GS-CFG-E-bounds: every weight, cap and threshold at the magnitude limit, with the largest penalty
    counts and P5 the events allow, still gives finite scores (the product bound is below 1e74)."""
    big = MAX_MAGNITUDE
    doc = small_with("score_params.app_specific_weight", big)
    doc["score_params"]["behaviour_penalty_weight"] = -big
    topic = doc["score_params"]["topics"]["blocks"]
    topic.update(topic_weight=big, time_in_mesh_weight=big, time_in_mesh_cap=big, first_message_deliveries_weight=big,
                 first_message_deliveries_cap=big, mesh_message_deliveries_weight=-big,
                 mesh_message_deliveries_cap=big, mesh_message_deliveries_threshold=big,
                 mesh_failure_penalty_weight=-big, invalid_message_deliveries_weight=-big,
                 mesh_failure_penalty_decay=0.999999, invalid_message_deliveries_decay=0.999999,
                 first_message_deliveries_decay=0.999999)
    config = config_from_mapping(doc, file="(extremes)")
    script = gossipsub_script("blocks")
    script[11:13] = [{"at": 3, "kind": "penalty", "peer": "b", "count": big},
                     {"at": 3, "kind": "app_score", "peer": "a", "value": -big}]
    regraft = [e for i in range(50) for e in ({"at": 20 + i, "kind": "graft", "peer": "a", "topic": "blocks"},
                                              {"at": 20.5 + i, "kind": "prune", "peer": "a", "topic": "blocks"},
                                              {"at": 20.5 + i, "kind": "penalty", "peer": "a", "count": big})]
    events = [MODEL.event_from_dict(e) for e in script[:-1] + regraft]
    trace = record("gossipsub", config, events)
    text = json.dumps(trace_to_dict(trace), allow_nan=False)  # would raise on NaN or inf
    scores = [p["score"] for obs in trace.observations for p in obs["values"]["peers"].values()]
    assert all(math.isfinite(s) for s in scores) and min(scores) < -1e40
    assert replay(trace_from_text(text, "extremes.json")) == []


# -- slow parsing, deep nesting ------------------------------------------------------------------------

@pytest.mark.parametrize(("suffix", "text"), [
    (".json", '{"protocol": "gossipsub", "x": ' + "[" * 990 + "]" * 990 + "}"),
    (".yaml", "protocol: gossipsub\nx: " + "[" * 490 + "]" * 490 + "\n"),
    (".yaml", "protocol: gossipsub\nx:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 490)) + "  " * 490 + "v\n"),
    (".yaml", "protocol: gossipsub\nx:\n" + "- " * 490 + "v\n"),
    (".toml", 'protocol = "gossipsub"\nx = ' + "{a=" * 330 + "1" + "}" * 330 + "\n"),
    (".toml", 'protocol = "gossipsub"\n' + ".".join(["a"] * 330) + " = 1\n"),
])
def test_hostile_deep_nesting_is_refused_before_recursion(tmp_path: Path, suffix: str, text: str) -> None:
    """PP-LIMIT-2: JSON ~990 levels, YAML 490 (flow, block and compact sequences), TOML 330 inline tables or
    dotted keys: refused as too deep, never a RecursionError."""
    assert "nested" in refused(tmp_path, text, suffix).message


def test_hostile_nesting_at_the_limit_is_read(tmp_path: Path) -> None:
    """PP-LIMIT-2: 60 levels of nesting in free-form provenance is fine (the limit is 64)."""
    doc = copy.deepcopy(SMALL_GOSSIPSUB)
    doc["source"] = {"inputs": json.loads("[" * 60 + "]" * 60)}
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(doc))
    assert peerproof.load_config(path).source["inputs"] == json.loads("[" * 60 + "]" * 60)


# -- YAML surprises ------------------------------------------------------------------------------------

def test_hostile_yaml_bool_tag_with_a_non_boolean(tmp_path: Path) -> None:
    """PP-DOC-4: ``x: !!bool maybe`` was a KeyError inside the YAML library."""
    err = refused(tmp_path, "protocol: gossipsub\nx: !!bool maybe\n")
    assert err.path == "x" and "!!bool" in err.message


@pytest.mark.parametrize("value", ["1:30", "yes", "off", "0755", "1_000"])
def test_hostile_yaml_11_scalars_are_refused_not_reinterpreted(tmp_path: Path, value: str) -> None:
    """PP-DOC-4: ``1:30`` was read as 90 (sexagesimal); YAML 1.1 booleans, octals and separators likewise."""
    text = yaml.safe_dump(small_with("router.heartbeat_interval", "PPX")).replace("PPX", value)
    err = refused(tmp_path, text)
    assert err.path == "router.heartbeat_interval" and "YAML 1.1" in err.message


def test_hostile_yaml_12_numbers_read_as_numbers(tmp_path: Path) -> None:
    """PP-DOC-4: YAML 1.2 core forms are read as numbers (``1e3`` was a string to YAML 1.1)."""
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump(small_with("thresholds.accept_px_threshold", "PPX")).replace("PPX", "1e3"))
    assert peerproof.load_config(path).thresholds.accept_px_threshold == 1000.0


@pytest.mark.parametrize("key", ["null", "true", "1", "~"])
def test_hostile_yaml_topic_keys_must_be_strings(tmp_path: Path, key: str) -> None:
    """PP-DOC-3: topic keys ``null``, ``true``, ``1`` became topics named "None", "True", "1"."""
    text = yaml.safe_dump(SMALL_GOSSIPSUB, sort_keys=False).replace("blocks:", f"{key}:")
    err = refused(tmp_path, text)
    assert err.path.startswith("score_params.topics") and "strings" in err.message


def test_hostile_quoted_topic_keys_are_topics(tmp_path: Path) -> None:
    """PP-DOC-3: quoting makes them the strings they look like."""
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump(SMALL_GOSSIPSUB, sort_keys=False).replace("blocks:", "'1':"))
    assert list(peerproof.load_config(path).topics) == ["1"]


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_hostile_duplicate_keys_are_refused(tmp_path: Path, suffix: str) -> None:
    """PP-DOC-2: duplicate keys silently kept the last one in JSON and YAML."""
    text = json.dumps(SMALL_GOSSIPSUB).replace('"decay_to_zero": 0.01', '"decay_to_zero": 0.01, "decay_to_zero": 0.5')
    err = refused(tmp_path, text, suffix)
    assert "twice" in err.message and err.path.startswith("score_params")


def test_hostile_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    """PP-LIMIT-9: aliases that expand to billions of values are refused while building, not expanded."""
    rows = ["a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]"] + [
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(9)]
    assert "PP-LIMIT-9" in refused(tmp_path, "protocol: gossipsub\n" + "\n".join(rows) + "\n").message


# -- digits, strings, messages -------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["１２s", "١٢s", "１２"])
def test_hostile_non_ascii_digits_in_durations(tmp_path: Path, value: str) -> None:
    """PP-LIMIT-10: fullwidth and Arabic-Indic digits were read as 12 s; only ASCII digits are digits."""
    err = refused(tmp_path, json.dumps(small_with("score_params.decay_interval", value), ensure_ascii=False), ".json")
    assert err.path == "score_params.decay_interval"


def test_hostile_space_before_the_unit_is_still_a_duration(tmp_path: Path) -> None:
    """PP-LIMIT-10: ASCII ``12 s`` stays readable."""
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(small_with("score_params.decay_interval", "12 s")))
    assert peerproof.load_config(path).score.decay_interval_ms == 12_000


@pytest.mark.parametrize("value", ["１２", "1e3x", "0x10"])
def test_hostile_non_ascii_or_odd_digits_in_numbers(tmp_path: Path, value: str) -> None:
    """PP-DOC-4: a YAML scalar that is not a YAML 1.2 number stays a string, refused where a number belongs."""
    text = yaml.safe_dump(small_with(f"{TOPIC}.topic_weight", "PPX")).replace("PPX", value)
    if value == "0x10":
        path = tmp_path / "hex.yaml"
        path.write_text(text)
        assert peerproof.load_config(path).topics["blocks"].topic_weight == 16.0
        return
    assert refused(tmp_path, text).path == f"{TOPIC}.topic_weight"


def test_hostile_error_quotes_at_most_80_characters_of_a_huge_value(tmp_path: Path) -> None:
    """PP-LIMIT-8: a 1.8 MB value was echoed whole in one line; the message now quotes ~80 characters."""
    err = refused(tmp_path, json.dumps(small_with("router.heartbeat_interval", "x" * 1_800_000)), ".json")
    assert len(err.message) < 200


def test_hostile_huge_unknown_key_is_cut_in_the_path(tmp_path: Path) -> None:
    """PP-LIMIT-8: an unknown 4,000-character key appears cut in the field path."""
    err = refused(tmp_path, json.dumps(small_with("router." + "k" * 4000, 1)), ".json")
    assert len(err.path) < 120 and "unknown field" in err.message


def test_hostile_lone_surrogate_string(tmp_path: Path) -> None:
    """PP-LIMIT-5: a JSON string holding a lone surrogate cannot be printed or written back: refused."""
    err = refused(tmp_path, json.dumps(small_with("name", "PPX")).replace("PPX", "\\ud800"), ".json")
    assert err.path == "name" and "surrogate" in err.message


def test_hostile_whitelist_entry_must_be_a_string(tmp_path: Path) -> None:
    """GS-CFG-E-bounds: a number in the IP whitelist was read as an address (5 -> 0.0.0.5)."""
    err = refused(tmp_path, json.dumps(small_with("score_params.ip_colocation_factor_whitelist", [5])), ".json")
    assert err.path == "score_params.ip_colocation_factor_whitelist[0]"


@pytest.mark.parametrize(("field", "value"), [(f"{TOPIC}.first_message_deliveries_decay", 5.0),
                                              ("score_params.behaviour_penalty_decay", -0.5), ("router.d_lazy", -1)])
def test_hostile_out_of_range_factors_with_zero_weight(tmp_path: Path, field: str, value: float) -> None:
    """GS-CFG-E-bounds: a decay above 1 under a zero weight grew its counter to inf, and 0 * inf is NaN."""
    doc = small_with(field, value)
    if "first_message" in field:
        doc["score_params"]["topics"]["blocks"]["first_message_deliveries_weight"] = 0
    assert refused(tmp_path, json.dumps(doc), ".json").path == field


def test_hostile_zero_quantum_under_skip_atomic_validation_scores_zero_p1() -> None:
    """GS-CFG-E-bounds: with SkipAtomicValidation and P1 off, a zero quantum divided by zero in P1."""
    doc = copy.deepcopy(SMALL_GOSSIPSUB)
    topic = doc["score_params"]["topics"]["blocks"]
    topic.update(skip_atomic_validation=True, time_in_mesh_weight=0, time_in_mesh_quantum="0s", time_in_mesh_cap=0)
    config = config_from_mapping(doc, file="(zero quantum)")
    events = [MODEL.event_from_dict(e) for e in gossipsub_script("blocks")[:6]]
    assert MODEL.observe(config, MODEL.final_state(config, events), MODEL.get_dialect("go"))["peers"]["a"]["score"] == 0


# -- traces --------------------------------------------------------------------------------------------

def trace_document(events: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A recorded trace of the small config, its events replaced by ``events`` when given."""
    config = config_from_mapping(SMALL_GOSSIPSUB, file="(small)")
    doc = trace_to_dict(record("gossipsub", config, [MODEL.event_from_dict(e) for e in gossipsub_script("blocks")]))
    if events is not None:
        doc["events"], doc["observations"] = events, []
    return doc


def trace_refused(text: str) -> ConfigError:
    """The ConfigError a trace text is refused with."""
    with pytest.raises(ConfigError) as info:
        within_budget(lambda: trace_from_text(text, "t.json"), len(text))
    assert str(info.value).startswith("t.json: ") and len(str(info.value)) < 400
    return info.value


def test_hostile_trace_event_kind_not_a_string() -> None:
    """PP-TRACE: ``{"at": 0, "kind": []}`` was a TypeError."""
    assert trace_refused(json.dumps(trace_document([{"at": 0, "kind": []}]))).path == "events[0].kind"


@pytest.mark.parametrize(("event", "field"), [
    ('{"at": 1' + "0" * 309 + ', "kind": "tick"}', "events[0]"),
    ('{"at": 1e300, "kind": "tick"}', "events[0].at"),
    ('{"at": 1e12, "kind": "tick"}', "events[0].at"),
    ('{"at": 0, "kind": "penalty", "peer": "a", "count": 1' + "0" * 309 + "}", "events[0]"),
    ('{"at": 0, "kind": "penalty", "peer": "a", "count": 1e300}', "events[0].count"),
])
def test_hostile_trace_numbers_beyond_the_limits(event: str, field: str) -> None:
    """PP-LIMIT-3/4/7: ``at`` or a penalty count above 1e308 (OverflowError before), or beyond the horizon
    (1e12 s and 1e300 s never finished replaying), are refused at the event."""
    text = json.dumps(trace_document([])).replace('"events": []', f'"events": [{event}]')
    assert trace_refused(text).path.startswith(field)


def test_hostile_trace_observation_time_above_1e308() -> None:
    """PP-LIMIT-3: a recorded ``time`` of 310 digits was an OverflowError in the comparison."""
    doc = trace_document()
    text = json.dumps(doc).replace(f'"time": {doc["observations"][0]["values"]["time"]}', '"time": 1' + "0" * 309, 1)
    assert trace_refused(text).path == "observations[0].values.time"


def test_hostile_trace_nan_in_recorded_values() -> None:
    """PP-LIMIT-4: NaN in recorded values made ``replay --format json`` fail; NaN is not JSON: refused."""
    doc = trace_document()
    text = json.dumps(doc).replace(f'"time": {doc["observations"][0]["values"]["time"]}', '"time": NaN', 1)
    assert "PP-LIMIT-4" in trace_refused(text).message


def test_hostile_lenient_parse_of_a_trace_is_still_checked() -> None:
    """PP-LIMIT: a document from a lenient JSON reader (NaN, huge integers) is refused by trace_from_dict too."""
    doc = trace_document()
    doc["observations"][0]["values"]["time"] = math.nan
    with pytest.raises(ConfigError, match="PP-LIMIT-4"):
        trace_from_dict(doc, "t.json")
    doc = trace_document()
    doc["seed"] = 10**400
    with pytest.raises(ConfigError, match="PP-LIMIT-3"):
        trace_from_dict(doc, "t.json")


@pytest.mark.parametrize("kind", ["deliver", "duplicate", "receive", "ignored"])
def test_hostile_null_message_only_on_invalid_events(kind: str) -> None:
    """GS-EV: ``msg: null`` was accepted on deliver/duplicate/validated; only ``invalid`` may omit it."""
    event = {"at": 0, "kind": kind, "peer": "a", "topic": "blocks", "msg": None}
    assert trace_refused(json.dumps(trace_document([event]))).path == "events[0].msg"
    validated = {"at": 0, "kind": "validated", "msg": None, "outcome": "accept"}
    assert trace_refused(json.dumps(trace_document([validated]))).path == "events[0].msg"


def test_hostile_trace_deep_nesting_and_duplicates() -> None:
    """PP-LIMIT-2, PP-DOC-2 in traces: deep nesting in ``meta`` and a duplicated field are refused."""
    base = json.dumps(trace_document())
    assert "nested" in trace_refused(base[:-1] + ', "meta": ' + "[" * 2000 + "]" * 2000 + "}").message
    assert "twice" in trace_refused(base[:-1] + ', "seed": 3}').message


def test_hostile_trace_protocol_of_the_wrong_type() -> None:
    """PP-TRACE: a list or mapping as ``protocol`` was an unhashable-type TypeError."""
    doc = trace_document()
    doc["protocol"] = ["gossipsub"]
    assert trace_refused(json.dumps(doc)).path == "protocol"


def test_hostile_config_file_reader_reads_a_bundled_config(tmp_path: Path) -> None:
    """The strict reader is not stricter than it must be: the small config round-trips through every syntax."""
    for suffix, text in ((".json", json.dumps(SMALL_GOSSIPSUB)), (".yaml", yaml.safe_dump(SMALL_GOSSIPSUB))):
        path = tmp_path / f"ok{suffix}"
        path.write_text(text)
        assert read_document(path) == SMALL_GOSSIPSUB


LEAVES = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5)
          | st.sampled_from(["\ud800", "x" * (MAX_STRING + 1), 10**40, -(10**40), 10**40 - 1]))
TREES = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=3) | st.integers(0, 3) | st.just("\udc00"), inner, max_size=4),
                     max_leaves=30)


def _walk_locates_a_problem(tree: Any, max_nodes: int | None) -> bool:
    try:
        documents._locate_problem(tree, max_nodes)
    except documents.DocumentError:
        return True
    return False


@given(tree=TREES, max_nodes=st.none() | st.integers(1, 40), depth=st.integers(0, 70))
def test_hostile_fast_scan_and_located_walk_agree(tree: Any, max_nodes: int | None, depth: int) -> None:
    """PP-LIMIT-2..5, PP-LIMIT-9: the path-free scan finds a problem exactly when the located walk reports one."""
    for _ in range(depth):
        tree = [tree]
    assert documents._has_problem(tree, max_nodes) == _walk_locates_a_problem(tree, max_nodes)


RECORDS = st.lists(st.dictionaries(st.text(max_size=3) | st.just("\udc00") | st.just("k" * (MAX_STRING + 1)),
                                   LEAVES, max_size=4), min_size=2, max_size=5)


@given(records=RECORDS, max_nodes=st.none() | st.integers(1, 40), depth=st.sampled_from([0, 1, 62, 63, 64]))
@example(records=[{"a": 1, "b": 2}, {"c": 3, "d": 4}], max_nodes=5, depth=0)  # the items' values count
@example(records=[{"a": 1.0}, {"b": float("nan")}], max_nodes=None, depth=0)  # one bad leaf
@example(records=[{"a": "x"}, {"\udc00": "y"}], max_nodes=None, depth=0)  # one bad key
@example(records=[{"a": 1}, {"b": 2}], max_nodes=None, depth=63)  # the items one level too deep
def test_hostile_fast_scan_of_flat_records_agrees_with_the_walk(records: list, max_nodes: int | None,
                                                                depth: int) -> None:
    """The batch path of the scan (a list of flat mappings, as a trace's events) finds exactly the problems
    the located walk reports: bad leaves and keys, too many values, the depth limit one level down."""
    tree: Any = records
    for _ in range(depth):
        tree = [tree]
    assert documents._has_problem(tree, max_nodes) == _walk_locates_a_problem(tree, max_nodes)


def test_hostile_long_protocol_name_is_quoted_not_echoed(tmp_path: Path) -> None:
    """PP-LIMIT-8: a 20,000-character protocol name (found by the deep fuzz run) is quoted, not echoed whole."""
    err = refused(tmp_path, json.dumps({"protocol": "9" * 20_000}), ".json")
    assert err.path == "protocol" and len(err.message) < 300


@pytest.mark.parametrize(("syntax", "text"), [
    ("json", '{"x": "' + '\\"' * 200_000),
    ("toml", 'x = "' + '\\"' * 200_000),
    ("toml", 'x = """' + "a" * 400_000),
    ("yaml", "x: " + "1_" * 30_000 + "x"),
    ("yaml", "x: " + "1:" * 30_000 + "x"),
])
def test_hostile_prescan_and_scalar_patterns_are_linear(syntax: str, text: str) -> None:
    """PP-LIMIT-2, PP-DOC-4: an unterminated string full of escaped quotes, and plain scalars made of digit
    runs and separators, once made the string-skipping and YAML 1.1 patterns retry from every quote or
    backtrack over every split (quadratic: minutes at this size); now one pass. A clock bound with a wide
    margin: linear work takes well under a second here, quadratic work takes minutes."""
    start = time.perf_counter()
    with contextlib.suppress(documents.DocumentError):
        documents.parse_document(text, syntax)
    assert time.perf_counter() - start < 10


def test_hostile_key_with_a_newline_stays_on_one_line(tmp_path: Path) -> None:
    """PP-LIMIT-8 (found by the deep fuzz run): an unknown key holding a newline is quoted in the field path."""
    err = refused(tmp_path, json.dumps({**SMALL_GOSSIPSUB, "bad\nkey": 1}), ".json")
    assert "\n" not in str(err) and err.path == "'bad\\nkey'"
