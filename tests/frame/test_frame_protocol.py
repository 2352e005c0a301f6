"""A protocol needs nothing outside its own folders: the counter of counter_protocol.py, registered from
tests/, goes through record, replay, score, check (holds and violated), attack, JSON and ITF export."""

from __future__ import annotations

import json
from pathlib import Path

import counter_protocol as counter
import pytest
from peerproof.attacks.checks import get_checks
from peerproof.reference.model import get_model, protocols
from peerproof.reference.trace import record, trace_to_dict

from peerproof import cli
from peerproof.traceio import write_trace


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    """``peerproof ARGV`` in-process: exit code, stdout, stderr."""
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def config_file(tmp_path: Path, dialect: str) -> Path:
    path = tmp_path / f"counter-{dialect}.yaml"
    path.write_text(f"protocol: counter\nname: counter-{dialect}\ndialect: {dialect}\nbound: 3\n", encoding="utf-8")
    return path


def test_a_registered_protocol_is_known_to_the_frame() -> None:
    assert "counter" in protocols()
    assert get_model("counter") is counter.MODEL
    assert get_checks("counter").module == "counter_protocol"


def test_record_replay_and_score_work_through_the_generic_cli(tmp_path: Path, capsys) -> None:
    config = counter.config_from_mapping({"protocol": "counter", "bound": 3}, file="(test)")
    events = [counter.Increment(at_ms=1000), counter.Increment(at_ms=2000, by=5), counter.Reset(at_ms=3000)]
    trace = record("counter", config, events)
    assert [o["values"]["value"] for o in trace.observations] == [1, 3, 0]
    path = write_trace(trace, tmp_path / "trace.json")
    assert run(capsys, "replay", path)[0] == 0
    code, out, _ = run(capsys, "score", config_file(tmp_path, "spec"), path, "--format", "json")
    assert code == 0 and json.loads(out)["value"] == 0
    code, out, _ = run(capsys, "export-itf", path, tmp_path / "trace.itf.json")
    assert code == 0 and json.loads((tmp_path / "trace.itf.json").read_text())["states"]
    assert run(capsys, "plot", path, tmp_path / "trace.png")[0] == 0
    assert (tmp_path / "trace.png").stat().st_size > 0


def test_check_reports_holds_under_the_clamping_dialect(tmp_path: Path, capsys) -> None:
    code, out, _ = run(capsys, "check", config_file(tmp_path, "spec"), "--format", "json", "--out", tmp_path / "o")
    doc = json.loads(out)
    assert code == 0
    assert [(r["property"], r["verdict"]) for r in doc["results"]] == [("stays-within-bound", "holds")]


def test_check_reports_a_replayed_violation_without_clamping(tmp_path: Path, capsys) -> None:
    code, out, _ = run(capsys, "check", config_file(tmp_path, "unclamped"), "--format", "json",
                       "--out", tmp_path / "o")
    result = json.loads(out)["results"][0]
    assert code == 1
    assert result["verdict"] == "violated" and result["replay"] == {"reference": "ok"}
    assert run(capsys, "replay", result["trace"])[0] == 0


def test_attack_writes_the_counterexample(tmp_path: Path, capsys) -> None:
    out = tmp_path / "attack"
    code, _, _ = run(capsys, "attack", "counter", "--goal", "stays-within-bound", config_file(tmp_path, "unclamped"),
                     "--out", out)
    assert code == 1
    assert {p.name for p in out.iterdir()} == {"trace.json", "trace.itf.json", "trace.png"}


def test_bad_counter_config_is_located(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("protocol: counter\nbound: -1\n", encoding="utf-8")
    code, _, err = run(capsys, "check", bad)
    assert code == 2 and err.startswith(f"{bad}: bound: must be >= 0")


def test_an_event_the_state_refuses_is_located_in_the_trace(tmp_path: Path, capsys) -> None:
    config = counter.config_from_mapping({"protocol": "counter", "bound": 3}, file="(test)")
    good = record("counter", config, [counter.Increment(at_ms=1000)])
    doc = trace_to_dict(good)
    doc["events"].append({"at": 2, "kind": "increment", "by": 31})
    path = tmp_path / "refused.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, _, err = run(capsys, "replay", path)
    assert code == 2
    assert err.startswith(f"{path}: events[1].by: an increment above 10 x bound"), err


def test_configs_checked_in_one_pool_keep_their_own_results(tmp_path: Path) -> None:
    """``check --all`` runs every config's checks in one pool of engine processes; each config still gets
    exactly its own results, in order (a violated config between two that hold, and the reverse)."""
    from peerproof.catalogue import load_any_config
    from peerproof.check import Options, run_check_sets

    checks, sets = get_checks("counter"), []
    for i, dialect in enumerate(("unclamped", "spec", "unclamped", "spec")):
        _model, config = load_any_config(config_file(tmp_path, dialect))
        opts = Options(checks, config, config.dialect, 10, 5.0, "both", 20, 0, tmp_path / f"o{i}", 2, replays=False)
        sets.append((opts, checks.jobs(config)))
    results = run_check_sets(sets)
    assert [[r.verdict for r in rs] for rs in results] == [["violated"], ["holds"], ["violated"], ["holds"]]
