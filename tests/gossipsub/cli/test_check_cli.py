"""``peerproof check`` and ``peerproof attack``: exit codes 0/1/2/3, the JSON document, the files written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from peerproof.reference.trace import replay
from peerproof.spec import bundled_config_path

from peerproof import cli
from peerproof.traceio import read_trace

Run = Callable[..., tuple[int, str, str]]
RESULT_KEYS = {"property", "topic", "verdict", "reason", "bound", "seconds", "trace"}
AGGREGATE = "beacon_aggregate_and_proof"

# One scored topic, no topic cap, a P3 penalty far above what P1 can earn, P4 strong enough to graylist a
# flood: topic-consistency, misbehaviour-lowers-score, fairness, penalizes-non-forwarding and
# graylists-invalid-floods all hold; rewards-good-behaviour does not (a quiet mesh topic is penalised).
ONE_TOPIC = """
protocol: gossipsub
name: one-topic
router: {d: 6, d_lo: 4, d_hi: 12, d_score: 4, d_out: 1, heartbeat_interval: 1s}
score_params:
  decay_interval: 1s
  decay_to_zero: 0.01
  retain_score: 60s
  app_specific_weight: 1
  topics:
    t:
      topic_weight: 1
      time_in_mesh_weight: 0.01
      time_in_mesh_quantum: 1s
      time_in_mesh_cap: 100
      first_message_deliveries_weight: 1
      first_message_deliveries_decay: 0.9
      first_message_deliveries_cap: 10
      mesh_message_deliveries_weight: -1
      mesh_message_deliveries_decay: 0.9
      mesh_message_deliveries_cap: 20
      mesh_message_deliveries_threshold: 5
      mesh_message_deliveries_window: 1s
      mesh_message_deliveries_activation: 5s
      mesh_failure_penalty_weight: -1
      mesh_failure_penalty_decay: 0.9
      invalid_message_deliveries_weight: -100
      invalid_message_deliveries_decay: 0.9
thresholds: {gossip_threshold: -10, publish_threshold: -20, graylist_threshold: -30, accept_px_threshold: 10,
             opportunistic_graft_threshold: 1}
"""
HOLDING = ("topic-consistency", "misbehaviour-lowers-score", "fairness")


@pytest.fixture
def one_topic(tmp_path: Path) -> Path:
    path = tmp_path / "one-topic.yaml"
    path.write_text(ONE_TOPIC)
    return path


def _properties(*slugs: str) -> list[str]:
    return [arg for slug in slugs for arg in ("--property", slug)]


def test_check_exits_0_when_every_checked_property_holds(run: Run, one_topic: Path, tmp_path: Path) -> None:
    code, out, err = run("check", one_topic, "--format", "json", "--out", tmp_path / "out", "--depth", "20",
                         "--timeout", "20", *_properties(*HOLDING))
    assert code == 0, out + err
    doc = json.loads(out)
    assert {r["verdict"] for r in doc["results"]} <= {"holds", "holds-bounded"}
    assert all(r["trace"] is None for r in doc["results"])


def test_check_exits_1_on_the_eth2_attack_with_replayed_trace_files(run: Run, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    code, out, err = run("check", "eth2-acl2s", "--format", "json", "--out", out_dir, "--engine", "hypothesis",
                         "--samples", "30", *_properties("penalizes-non-forwarding"))
    assert code == 1, err
    doc = json.loads(out)
    assert set(doc) == {"config", "results"}
    assert doc["config"] == "eth2-acl2s"
    for r in doc["results"]:
        assert set(r) >= RESULT_KEYS
        assert r["property"] == "penalizes-non-forwarding"
        assert r["verdict"] in ("holds", "holds-bounded", "violated", "inconclusive")
        assert isinstance(r["seconds"], float)
    aggregate = next(r for r in doc["results"] if r["topic"] == AGGREGATE)
    assert aggregate["verdict"] == "violated"
    assert aggregate["reason"].startswith("scored-but-insufficient")
    assert aggregate["replay"]["reference"] == "ok"
    assert aggregate["replay"]["ts"] == "ok" or aggregate["replay"]["ts"].startswith("unavailable: ")
    stem = out_dir / f"penalizes-non-forwarding-{AGGREGATE}"
    assert aggregate["trace"] == str(stem.with_suffix(".json"))
    for suffix in (".json", ".itf.json", ".png"):
        assert Path(f"{stem}{suffix}").is_file()
    assert not list(out_dir.glob(".*.tmp"))  # atomic writes leave no temporaries
    trace = read_trace(aggregate["trace"])
    assert replay(trace) == []
    assert trace.claim["property"] == "penalizes-non-forwarding"


def test_check_table_shows_verdicts_and_both_replays(run: Run, tmp_path: Path) -> None:
    code, out, _ = run("check", "eth2-acl2s", "--out", tmp_path, "--engine", "hypothesis", "--samples", "30",
                       *_properties("misbehaviour-lowers-score"))
    assert code == 1
    assert "violated" in out and "reference: ok" in out and "ts replay: " in out


def test_check_exits_3_when_every_engine_times_out(run: Run, tmp_path: Path) -> None:
    # A cap above every first-delivery sum but below the full reward (Prysm's 107 < 120 < 138): the closed form
    # GS-CAP-1 has no late fill to build its witness from and says nothing, so only the (timed-out) search speaks.
    text = bundled_config_path("eth2-prysm").read_text(encoding="utf-8")
    path = tmp_path / "prysm-high-cap.yaml"
    path.write_text(text.replace("topic_score_cap: 32.72", "topic_score_cap: 120").replace(
        "name: eth2-prysm", "name: prysm-high-cap"), encoding="utf-8")
    code, out, err = run("check", path, "--format", "json", "--out", tmp_path / "out", "--engine", "hypothesis",
                         "--timeout", "0.001", *_properties("misbehaviour-lowers-score"))
    assert code == 3, out + err
    assert {r["verdict"] for r in json.loads(out)["results"]} == {"inconclusive"}


@pytest.mark.parametrize(("content", "where"), [
    (ONE_TOPIC.replace("gossip_threshold: -10", "gossip_threshold: 10"), "thresholds.gossip_threshold"),
    (ONE_TOPIC.replace("topic_weight: 1", "topic_weight: -1"), "score_params.topics.t.topic_weight"),
    (ONE_TOPIC.replace("decay_interval: 1s", "decay_interval: 1"), "score_params.decay_interval"),
    (ONE_TOPIC + "bogus: 1\n", "bogus"),
])
def test_check_exits_2_on_a_bad_config_naming_file_and_field(run: Run, tmp_path: Path, content: str,
                                                              where: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    code, out, err = run("check", path, "--format", "json")
    assert code == 2
    assert out == ""
    assert err.startswith(f"{path}: {where}: ")
    assert "Traceback" not in err


@pytest.mark.parametrize("argv", [
    ("check", "no-such-config"),
    ("check", "eth2-acl2s", "--dialect", "klingon"),
    ("check", "eth2-acl2s", "--depth", "0"),
    ("check", "eth2-acl2s", "--property", "no-such-property"),
    ("check",),
    ("attack", "gossipsub", "--goal", "no-such-property", "eth2-acl2s", "--out", "x"),
    ("attack", "gossipsub", "--goal", "penalizes-non-forwarding", "--topic", "nope", "eth2-acl2s", "--out", "x"),
])
def test_check_and_attack_exit_2_on_bad_arguments(run: Run, argv: tuple[str, ...]) -> None:
    code, _, err = run(*argv)
    assert code == 2
    assert err.strip() and "Traceback" not in err


def test_attack_writes_trace_itf_and_plot_and_exits_1(run: Run, tmp_path: Path) -> None:
    out_dir = tmp_path / "attack"
    code, out, err = run("attack", "gossipsub", "--goal", "penalizes-non-forwarding", "--topic", AGGREGATE,
                         "eth2-acl2s", "--out", out_dir, "--depth", "40", "--timeout", "30")
    assert code == 1, err
    for name in ("trace.json", "trace.itf.json", "trace.png"):
        assert (out_dir / name).is_file()
    assert "violated" in out and "reference: ok" in out
    trace = read_trace(out_dir / "trace.json")
    assert replay(trace) == []


def test_attack_with_the_hypothesis_engine(run: Run, tmp_path: Path) -> None:
    # The closed form GS-SIL-2 settles it first; --cross-check runs the search on it anyway.
    code, out, err = run("attack", "gossipsub", "--goal", "penalizes-non-forwarding", "--topic", AGGREGATE,
                         "eth2-acl2s", "--out", tmp_path, "--engine", "hypothesis", "--cross-check", "--format", "json")
    assert code == 1, err
    doc = json.loads(out)
    assert doc["verdict"] == "violated" and doc["engines"] == {"analytic": "violated", "hypothesis": "violated"}
    assert doc["files"]["trace"] == str(tmp_path / "trace.json")


def test_attack_exits_0_when_the_goal_is_unreachable(run: Run, one_topic: Path, tmp_path: Path) -> None:
    code, out, err = run("attack", "gossipsub", "--goal", "topic-consistency", "--topic", "t", one_topic,
                         "--out", tmp_path, "--depth", "20", "--timeout", "20")
    assert code == 0, out + err
    assert not (tmp_path / "trace.json").exists()


def test_check_is_registered_in_the_cli() -> None:
    parser = cli.build_parser()
    args = parser.parse_args(["check", "eth2-acl2s", "--engine", "both", "--format", "json"])
    assert args.engine == "both" and args.format == "json"
