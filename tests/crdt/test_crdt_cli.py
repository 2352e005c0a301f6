"""``peerproof check / attack / replay`` on crdt: exit codes, traces written, bad input as ``FILE: field.path``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from peerproof.spec import bundled_config_path

from peerproof import cli


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):
    """``run(*argv)``: the CLI in-process, as (exit code, stdout + stderr)."""
    def call(*argv: str) -> tuple[int, str]:
        code = cli.main(list(argv))
        out = capsys.readouterr()
        return code, out.out + out.err
    return call


def test_crdt_attack_writes_a_trace_that_replays(tmp_path: Path, run) -> None:
    """``attack crdt --goal`` on a naive config: exit 1, a trace that ``replay`` reproduces (exit 0)."""
    out = tmp_path / "atk"
    code, text = run("attack", "crdt", "--goal", "equivocation-tolerant",
                     str(bundled_config_path("op-log-writer-seq")), "--out", str(out))
    assert code == 1, text
    traces = [p for p in out.glob("*.json") if not p.name.endswith(".itf.json")]
    assert traces and run("replay", str(traces[0]))[0] == 0


def test_crdt_bad_config_exits_2_naming_the_field(tmp_path: Path, run) -> None:
    """A negative GC horizon: exit 2, ``FILE: gc.horizon: …``, no traceback."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("protocol: crdt\ntype: lww-map\nreplicas: [a, b]\ngc: {horizon: '-1s'}\n", encoding="utf-8")
    code, text = run("check", str(bad))
    assert code == 2 and f"{bad}: gc.horizon:" in text and "Traceback" not in text


def test_crdt_trace_with_an_unknown_replica_exits_2(tmp_path: Path, run) -> None:
    """A trace whose event names a replica the config lacks: exit 2, ``FILE: events[i].replica: …``."""
    trace = {"format": "peerproof-trace/1", "protocol": "crdt", "dialect": "spec",
             "config": {"protocol": "crdt", "type": "pn-counter", "replicas": ["a", "b"]},
             "events": [{"at": 1, "kind": "update", "replica": "a", "op": "inc"},
                        {"at": 1, "kind": "update", "replica": "zz", "op": "inc"}], "observations": []}
    path = tmp_path / "t.json"
    path.write_text(json.dumps(trace), encoding="utf-8")
    code, text = run("replay", str(path))
    assert code == 2 and f"{path}: events[1].replica: unknown replica 'zz'" in text
