"""Every CLI verb: what it prints, its exit code, and the shape of its ``--format json`` document."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from peerproof import __version__, cli
from peerproof import catalogue as config_catalogue

Run = Callable[..., tuple[int, str, str]]
DATA = Path(__file__).resolve().parent.parent / "data"
SMALL = DATA / "gossipsub-small.yaml"
PEERS = {"honest", "lazy", "spammer"}


def as_json(out: str) -> dict:
    return json.loads(out)


def test_version(run: Run) -> None:
    code, out, _ = run("--version")
    assert code == 0
    assert out.strip() == f"peerproof {__version__}"


def test_no_command_is_a_usage_error(run: Run) -> None:
    code, _, err = run()
    assert code == 2
    assert "usage: peerproof" in err


# -- configs and validate ----------------------------------------------------------------------------------

def test_configs_lists_name_protocol_and_source(run: Run, bundled: list) -> None:
    code, out, _ = run("configs")
    assert code == 0
    assert "test-small" in out and "test-wide" in out
    assert "peerproof/tests / tests/data/gossipsub-small.yaml @ 1" in out


def test_configs_json(run: Run, bundled: list) -> None:
    code, out, _ = run("configs", "--format", "json")
    assert code == 0
    doc = as_json(out)
    assert [c["name"] for c in doc["configs"]] == ["test-small", "test-wide"]
    assert set(doc["configs"][0]) == {"name", "protocol", "path", "source"}
    assert doc["configs"][0]["source"]["repository"] == "peerproof/tests"


def test_validate_prints_ok(run: Run) -> None:
    code, out, err = run("validate", SMALL)
    assert code == 0, err
    assert out.startswith(f"OK {SMALL} (gossipsub, 2 topics, 0 warnings)")


def test_validate_lists_warnings(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "warn.yaml"
    path.write_text(SMALL.read_text().replace("mesh_message_deliveries_cap: 10", "mesh_message_deliveries_cap: 2"))
    code, out, _ = run("validate", path)
    assert code == 0
    assert "1 warning)" in out
    assert "warning score_params.topics.blocks.mesh_message_deliveries_cap: the spec requires cap >= threshold" in out
    assert "[GS-CFG-W2]" in out


def test_validate_all_bundled_by_name(run: Run, bundled: list) -> None:
    code, out, _ = run("validate", "--all")
    assert code == 0
    assert "OK test-small" in out and "OK test-wide" in out


def test_validate_reports_every_target_and_fails_if_one_is_bad(run: Run, tmp_path: Path) -> None:
    code, out, err = run("validate", SMALL, tmp_path / "missing.yaml")
    assert code == 2
    assert "OK " in out and "ERROR " in out
    assert err.startswith(f"{tmp_path / 'missing.yaml'}: (file): ")


def test_validate_json(run: Run, tmp_path: Path) -> None:
    code, out, _ = run("validate", SMALL, tmp_path / "missing.yaml", "--format", "json")
    assert code == 2
    ok, bad = as_json(out)["results"]
    assert ok["ok"] and ok["name"] == "test-small" and ok["protocol"] == "gossipsub" and ok["warnings"] == []
    assert not bad["ok"] and bad["error"]["path"] == "(file)"


def test_validate_without_target_is_bad_input(run: Run) -> None:
    code, _, err = run("validate")
    assert code == 2
    assert "give --all" in err


# -- score and replay ----------------------------------------------------------------------------------------

def test_score_table(run: Run, trace_file: Path) -> None:
    code, out, _ = run("score", SMALL, trace_file)
    assert code == 0
    for word in ("honest", "lazy", "spammer", "P3b", "contribution", "blocks", "attestations", "connected"):
        assert word in out
    assert "dialect go" in out


def test_score_json_has_every_peer_and_component(run: Run, trace_file: Path) -> None:
    code, out, _ = run("score", SMALL, trace_file, "--format", "json")
    assert code == 0
    doc = as_json(out)
    assert doc["dialect"] == "go" and doc["protocol"] == "gossipsub"
    assert set(doc["peers"]) == PEERS
    lazy = doc["peers"]["lazy"]
    assert {"score", "p5", "p6", "p7", "connected", "topics"} <= set(lazy)
    assert {"p1", "p2", "p3", "p3b", "p4", "contribution"} <= set(lazy["topics"]["blocks"])
    assert lazy["score"] < 0 < doc["peers"]["honest"]["score"]


def test_score_dialect_option_changes_p1(run: Run, trace_file: Path) -> None:
    _, go, _ = run("score", SMALL, trace_file, "--format", "json")
    _, spec, _ = run("score", SMALL, trace_file, "--format", "json", "--dialect", "spec")
    assert as_json(spec)["dialect"] == "spec"
    p1 = [as_json(doc)["peers"]["honest"]["topics"]["blocks"]["p1"] for doc in (go, spec)]
    assert p1[0] == int(p1[0])  # go floors P1 (GS-DIV-1)


def test_score_under_another_config(run: Run, trace_file: Path) -> None:
    code, out, _ = run("score", DATA / "gossipsub-wide.yaml", trace_file, "--format", "json")
    assert code == 0
    assert as_json(out)["config"] == "test-wide"
    assert set(as_json(out)["peers"]["honest"]["topics"]) == {"blocks"}


def test_score_accepts_a_bundled_name(run: Run, bundled: list, trace_file: Path) -> None:
    code, out, _ = run("score", "test-small", trace_file, "--format", "json")
    assert code == 0
    assert as_json(out)["config"] == "test-small"


def test_replay_ok(run: Run, trace_file: Path) -> None:
    code, out, _ = run("replay", trace_file)
    assert code == 0
    assert out.startswith(f"OK {trace_file}: ")
    assert "observations over" in out


def test_replay_mismatch_exits_1(run: Run, trace_file: Path) -> None:
    doc = json.loads(trace_file.read_text())
    doc["observations"][-1]["values"]["peers"]["lazy"]["score"] += 1
    trace_file.write_text(json.dumps(doc))
    code, out, _ = run("replay", trace_file)
    assert code == 1
    assert "MISMATCH after event" in out and "peers.lazy.score" in out and "FAILED" in out
    code, out, _ = run("replay", trace_file, "--format", "json")
    assert code == 1
    report = as_json(out)
    assert not report["ok"]
    assert [m["path"] for m in report["mismatches"]] == ["peers.lazy.score"]


def test_replay_json_ok(run: Run, trace_file: Path) -> None:
    code, out, _ = run("replay", trace_file, "--format", "json")
    assert code == 0
    doc = as_json(out)
    assert doc["ok"] and doc["mismatches"] == [] and doc["events"] > 0 and doc["observations"] > 0


# -- example, demo, export-itf, plot --------------------------------------------------------------------------

def test_example_prints_roles_and_scores(run: Run) -> None:
    code, out, _ = run("example", SMALL)
    assert code == 0
    assert "lazy: never forwards in blocks" in out
    assert "spammer: sends invalid messages in blocks" in out
    assert "Scores at the end" in out


def test_example_writes_trace_itf_and_plot(run: Run, tmp_path: Path) -> None:
    code, out, _ = run("example", SMALL, "--out", tmp_path / "ex", "--format", "json")
    assert code == 0
    doc = as_json(out)
    assert set(doc["files"]) == {"trace", "itf", "plot"}
    assert sorted(p.name for p in (tmp_path / "ex").iterdir()) == ["trace.itf.json", "trace.json", "trace.png"]
    assert set(doc["peers"]) == PEERS
    assert run("replay", doc["files"]["trace"])[0] == 0


def test_demo_validates_and_scores_every_bundled_config(run: Run, bundled: list) -> None:
    code, out, _ = run("demo")
    assert code == 0
    assert "OK test-small" in out and "OK test-wide" in out
    assert "test-small: example trace" in out and "test-wide: example trace" in out
    assert "lowest score" in out


def test_demo_json(run: Run, bundled: list) -> None:
    code, out, _ = run("demo", "--format", "json")
    assert code == 0
    doc = as_json(out)
    assert [c["config"] for c in doc["configs"]] == ["test-small", "test-wide"]
    assert doc["errors"] == []
    summary = doc["configs"][0]["peers"]
    assert set(summary) == PEERS
    assert summary["lazy"]["pruned"] and not summary["honest"]["pruned"]


def test_demo_without_bundled_configs_is_bad_input(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config_catalogue, "bundled_configs", lambda protocol=None: [])
    code, _, err = run("demo")
    assert code == 2
    assert "no bundled configs found" in err


def test_export_itf_verb(run: Run, trace_file: Path, tmp_path: Path) -> None:
    out_path = tmp_path / "t.itf.json"
    code, out, _ = run("export-itf", trace_file, out_path)
    assert code == 0 and "ITF states (one per event)" in out
    assert json.loads(out_path.read_text())["#meta"]["format"] == "ITF"
    code, out, _ = run("export-itf", trace_file, out_path, "--states", "observations", "--format", "json")
    assert code == 0 and as_json(out)["one_state_per"] == "observation"
    assert len(json.loads(out_path.read_text())["states"]) == as_json(out)["states"]


def test_plot_verb(run: Run, trace_file: Path, tmp_path: Path) -> None:
    code, _, _ = run("plot", trace_file, tmp_path / "t.png", "--peer", "lazy")
    assert code == 0
    assert (tmp_path / "t.png").read_bytes().startswith(b"\x89PNG")


# -- check/attack registration and failure modes ----------------------------------------------------------------

def test_check_verbs_fail_alone_when_their_module_is_missing(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "peerproof.check", None)  # makes the import fail
    code, _, err = run("check", "whatever")
    assert code == 2
    assert "peerproof check: not available" in err
    assert run("validate", SMALL)[0] == 0  # the rest of the CLI still works


def test_internal_error_is_one_line_with_its_own_exit_code(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(_args: object, _ui: object) -> int:
        raise RuntimeError("kaboom")
    monkeypatch.setattr(cli, "cmd_validate", boom)
    code, _, err = run("validate", SMALL)
    assert code == 4  # internal errors have their own exit code, never confused with inconclusive (3)
    assert err.strip() == ("peerproof: internal error: RuntimeError: kaboom "
                           "(rerun with PEERPROOF_DEBUG=1 for the traceback)")
    monkeypatch.setenv("PEERPROOF_DEBUG", "1")
    with pytest.raises(RuntimeError):
        cli.main(["validate", str(SMALL)])


def test_console_script_reports_bad_input_without_traceback(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("peerproof")
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    done = subprocess.run([str(script), "validate", str(SMALL), str(bad)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 2
    assert done.stdout.startswith("OK ")
    assert done.stderr.startswith(f"{bad}: (line 1): malformed JSON")
    assert "Traceback" not in done.stderr
