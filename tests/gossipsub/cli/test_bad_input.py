"""Bad input (issue 2, "Bad input"): every case exits 2 with ``FILE: field.path: message`` and no traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from peerproof.reference import trace as reference_trace
from peerproof.reference.gossipsub import load_config, to_canonical

from peerproof import traceio

Run = Callable[..., tuple[int, str, str]]
DATA = Path(__file__).resolve().parent.parent / "data"
SMALL = DATA / "gossipsub-small.yaml"
TOPIC = "score_params.topics.blocks"


def variant(tmp_path: Path, old: str, new: str, name: str = "bad.yaml") -> Path:
    """The small test config with one line changed."""
    text = SMALL.read_text()
    assert old in text, old
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1))
    return path


def rejected(run: Run, *argv: str | Path) -> str:
    """Run a command that must fail with bad input; its stderr."""
    code, _out, err = run(*argv)
    assert code == 2, err
    assert "Traceback" not in err
    return err


def assert_located(err: str, file: Path | str, path: str, message: str) -> None:
    assert err.startswith(f"{file}: {path}: "), err
    assert message in err, err


# -- config files ----------------------------------------------------------------------------------------

def test_malformed_json_names_file_and_line(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"protocol": "gossipsub",\n  "score_params": {\n')
    assert_located(rejected(run, "validate", bad), bad, "(line 3)", "malformed JSON")


def test_malformed_yaml_names_file_and_line(run: Run, tmp_path: Path) -> None:
    bad = variant(tmp_path, "  decay_interval: \"2s\"", "  decay_interval: [\"2s\"")
    assert_located(rejected(run, "validate", bad), bad, "(line 9)", "malformed YAML")


def test_malformed_toml(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('protocol = "gossipsub"\n[score_params\n')
    assert_located(rejected(run, "validate", bad), bad, "(line 2)", "malformed TOML")


def test_unknown_field_suggests_the_real_one(run: Run, tmp_path: Path) -> None:
    # The public gossipsub-hardening configs spell it this way; Go silently ignores it.
    bad = variant(tmp_path, "mesh_message_deliveries_window:", "MeshMessageDeliveryWindow:")
    assert_located(rejected(run, "validate", bad), bad, f"{TOPIC}.MeshMessageDeliveryWindow",
                   "unknown field; did you mean 'mesh_message_deliveries_window'?")


def test_wrong_type_for_a_weight(run: Run, tmp_path: Path) -> None:
    bad = variant(tmp_path, "topic_weight: 0.5", 'topic_weight: "heavy"')
    assert_located(rejected(run, "validate", bad), bad, f"{TOPIC}.topic_weight", "expected a number, got a string")


def test_decay_outside_unit_interval(run: Run, tmp_path: Path) -> None:
    bad = variant(tmp_path, "first_message_deliveries_decay: 0.8", "first_message_deliveries_decay: 1.5")
    assert_located(rejected(run, "validate", bad), bad, f"{TOPIC}.first_message_deliveries_decay",
                   "must be in [0, 1]")  # GS-CFG-E-bounds, whatever its weight


def test_duration_without_unit(run: Run, tmp_path: Path) -> None:
    bad = variant(tmp_path, 'decay_interval: "2s"', "decay_interval: 2")
    assert_located(rejected(run, "validate", bad), bad, "score_params.decay_interval", "duration 2 has no unit")


def test_positive_p4_weight(run: Run, tmp_path: Path) -> None:
    bad = variant(tmp_path, "invalid_message_deliveries_weight: -20", "invalid_message_deliveries_weight: 20")
    assert_located(rejected(run, "validate", bad), bad, f"{TOPIC}.invalid_message_deliveries_weight",
                   "must be <= 0: it is a penalty")


def test_negative_p2_weight(run: Run, tmp_path: Path) -> None:
    bad = variant(tmp_path, "first_message_deliveries_weight: 1", "first_message_deliveries_weight: -1")
    assert_located(rejected(run, "validate", bad), bad, f"{TOPIC}.first_message_deliveries_weight",
                   "must be >= 0: it is a reward")


def test_negative_cap(run: Run, tmp_path: Path) -> None:
    bad = variant(tmp_path, "mesh_message_deliveries_cap: 10", "mesh_message_deliveries_cap: -1")
    assert_located(rejected(run, "validate", bad), bad, f"{TOPIC}.mesh_message_deliveries_cap",
                   "a cap cannot be negative")


def test_unknown_top_level_section(run: Run, tmp_path: Path) -> None:
    bad = variant(tmp_path, "thresholds:", "scoring: {}\nthresholds:")
    assert_located(rejected(run, "validate", bad), bad, "scoring", "unknown field")


def test_unknown_protocol(run: Run, tmp_path: Path) -> None:
    bad = variant(tmp_path, "protocol: gossipsub", "protocol: bittorrent")
    assert_located(rejected(run, "validate", bad), bad, "protocol", "unknown protocol 'bittorrent'")


def test_config_of_another_protocol_for_a_gossipsub_trace(run: Run, tmp_path: Path, trace_file: Path) -> None:
    bad = variant(tmp_path, "protocol: gossipsub", "protocol: matchmaking")
    assert_located(rejected(run, "score", bad, trace_file), bad, "protocol", "expected 'gossipsub'")


def test_unknown_dialect_option(run: Run, trace_file: Path) -> None:
    err = rejected(run, "score", SMALL, trace_file, "--dialect", "java")
    assert_located(err, "(command line)", "--dialect", "unknown dialect 'java'")


def test_missing_config_file(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    assert_located(rejected(run, "validate", missing), missing, "(file)", "no such file")


def test_unknown_bundled_name_lists_names_and_suggests(run: Run, bundled: list) -> None:
    err = rejected(run, "validate", "test-smal")
    assert_located(err, "test-smal", "(file)", "did you mean 'test-small'?")
    assert "Bundled configs: test-small, test-wide." in err


# -- trace files -----------------------------------------------------------------------------------------

def trace_doc(trace_file: Path) -> dict:
    return json.loads(trace_file.read_text())


def test_missing_trace_file(run: Run, tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    assert_located(rejected(run, "replay", missing), missing, "(file)", "cannot read: No such file")


def test_malformed_trace_json(run: Run, tmp_path: Path) -> None:
    bad = tmp_path / "trace.json"
    bad.write_text('{"format": "peerproof-trace/1",\n "events": [}\n')
    assert_located(rejected(run, "replay", bad), bad, "(line 2)", "malformed JSON")


def test_oversized_trace_file(run: Run, trace_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(traceio, "MAX_TRACE_BYTES", trace_file.stat().st_size - 1)
    assert_located(rejected(run, "replay", trace_file), trace_file, "(file)", "exceeds the")


def test_too_many_events(run: Run, trace_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reference_trace, "MAX_EVENTS", 10)
    assert_located(rejected(run, "replay", trace_file), trace_file, "events", "exceed the limit of 10")


def test_events_out_of_order(run: Run, trace_file: Path) -> None:
    doc = trace_doc(trace_file)
    last = len(doc["events"]) - 1
    doc["events"][last]["at"] = 0.5
    trace_file.write_text(json.dumps(doc))
    assert_located(rejected(run, "replay", trace_file), trace_file, f"events[{last}].at", "non-decreasing time")


def test_unknown_event_kind(run: Run, trace_file: Path) -> None:
    doc = trace_doc(trace_file)
    doc["events"][0]["kind"] = "teleport"
    trace_file.write_text(json.dumps(doc))
    assert_located(rejected(run, "replay", trace_file), trace_file, "events[0].kind", "unknown event kind 'teleport'")


def test_bad_config_inside_a_trace(run: Run, trace_file: Path) -> None:
    doc = trace_doc(trace_file)
    doc["config"]["score_params"]["topics"]["blocks"]["topic_weight"] = -1
    trace_file.write_text(json.dumps(doc))
    assert_located(rejected(run, "replay", trace_file), trace_file, f"config.{TOPIC}.topic_weight", "must be >= 0")


def test_plot_of_an_unknown_peer(run: Run, trace_file: Path, tmp_path: Path) -> None:
    err = rejected(run, "plot", trace_file, tmp_path / "p.png", "--peer", "mallory")
    assert_located(err, trace_file, "(trace)", "no event names peer 'mallory'")


def test_wrong_trace_format(run: Run, trace_file: Path) -> None:
    doc = trace_doc(trace_file)
    doc["format"] = "peerproof-trace/0"
    trace_file.write_text(json.dumps(doc))
    assert_located(rejected(run, "replay", trace_file), trace_file, "format", "expected 'peerproof-trace/1'")


# -- canonical output and spellings --------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_canonical_output_loads_to_the_same_config(tmp_path: Path, suffix: str) -> None:
    config = load_config(SMALL)
    out = tmp_path / f"canonical{suffix}"
    doc = to_canonical(config)
    out.write_text(yaml.safe_dump(doc) if suffix == ".yaml" else json.dumps(doc))
    again = load_config(out)
    assert replace(again, file=config.file) == config
    assert to_canonical(again) == doc


def test_go_js_and_rust_spellings_load_to_the_same_config() -> None:
    go, js, rust = (load_config(DATA / name) for name in ("spelling-go.json", "spelling-js.json", "spelling-rust.toml"))
    assert replace(js, file=go.file) == go
    assert replace(rust, file=go.file) == go
    assert go.topics["beacon_block"].mesh_message_deliveries_window_ms == 2000
    assert go.router.heartbeat_interval_ms == 700
