"""PP-MODEL-6 / GS-FAST-5: ``peerproof score|replay --engine`` and ``use_engine`` pick the fold, and both folds
give the same answers; the default picks the fast engine only from MIN_EVENTS events on."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from peerproof.reference.gossipsub import MODEL, AddIP, AddPeer, Deliver, Graft, Invalid, Penalty, Tick
from peerproof.reference.gossipsub.fast import FAST, MIN_EVENTS, WARM_MIN_EVENTS, Snapshot, kernel_loaded
from peerproof.reference.model import use_engine
from peerproof.reference.trace import record, trace_to_dict

from peerproof import cli

SMALL = Path(__file__).resolve().parent / "data" / "gossipsub-small.yaml"


def events() -> list:
    """A short run over two peers (and a third on their address) with most score components moving."""
    out = [AddPeer(0, "a"), AddPeer(0, "b", True), AddIP(0, "a", "10.0.0.1"), AddIP(0, "b", "10.0.0.1"),
           AddIP(0, "c", "10.0.0.1"), Graft(0, "a", "blocks"), Graft(0, "b", "blocks")]
    out += [Deliver(100 * i, "a", "blocks", f"m{i}") for i in range(1, 40)]
    return [*out, Invalid(4000, "b", "blocks", None), Penalty(4100, "b", 3.0), Tick(9000)]


@pytest.fixture
def trace_file(tmp_path: Path) -> Path:
    from peerproof.reference.gossipsub import load_config

    trace = record("gossipsub", load_config(SMALL), events(), observe_after=[6, 30, len(events()) - 1])
    path = tmp_path / "trace.json"
    path.write_text(json.dumps(trace_to_dict(trace)))
    return path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(argv)
    return code, capsys.readouterr().out


@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_replay_reproduces_the_trace_with_either_engine(engine: str, trace_file: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["replay", str(trace_file), "--engine", engine], capsys)
    assert code == 0 and out.startswith("OK "), out


def test_score_is_the_same_with_either_engine(trace_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scores = {}
    for engine in ("fast", "reference"):
        code, out = run(["score", str(SMALL), str(trace_file), "--engine", engine, "--format", "json"], capsys)
        assert code == 0
        scores[engine] = json.loads(out)["peers"]
    assert scores["fast"] == scores["reference"]
    assert scores["fast"]["b"]["p6"] > 0 and scores["fast"]["b"]["p7"] > 0


def test_an_unknown_engine_is_a_usage_error(trace_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["replay", str(trace_file), "--engine", "turbo"], capsys)[0] == 2


def test_the_default_takes_the_fast_engine_only_for_long_traces() -> None:
    from peerproof.reference.gossipsub import load_config

    config, short = load_config(SMALL), events()
    assert not isinstance(next(iter(MODEL.states(config, short)))[2], Snapshot)
    long = short + [Tick(10_000)] * (MIN_EVENTS - len(short))
    assert isinstance(next(iter(MODEL.states(config, long)))[2], Snapshot)
    with use_engine("reference"):
        assert not isinstance(next(iter(MODEL.states(config, long)))[2], Snapshot)
    with use_engine("fast"):
        assert isinstance(next(iter(MODEL.states(config, short)))[2], Snapshot)
    assert "numba" in sys.modules  # the fast folds above loaded the kernel


def test_a_process_with_the_kernel_loaded_takes_the_fast_engine_sooner() -> None:
    """Engine processes preload fast/warm.py; there the default folds from WARM_MIN_EVENTS events on."""
    import peerproof.reference.gossipsub.fast.warm  # noqa: F401 (loads the kernel)
    from peerproof.reference.gossipsub import load_config

    assert kernel_loaded() and FAST is not None
    config, short = load_config(SMALL), events()
    medium = short + [Tick(10_000)] * (WARM_MIN_EVENTS - len(short))
    assert isinstance(next(iter(MODEL.states(config, medium)))[2], Snapshot)
    assert not isinstance(next(iter(MODEL.states(config, medium[:-1])))[2], Snapshot)
    cold = replace(FAST, warm=lambda: False)  # a process that has not loaded it waits for MIN_EVENTS
    assert not cold.takes(WARM_MIN_EVENTS) and cold.takes(MIN_EVENTS) and FAST.takes(WARM_MIN_EVENTS)


def test_check_gives_the_same_verdicts_on_either_fold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``check --fold reference|fast`` runs every engine process on that implementation; same verdicts."""
    verdicts = {}
    for fold in ("reference", "fast"):
        code, out = run(["check", "filecoin-lotus", "--property", "misbehaviour-lowers-score", "--property",
                         "penalizes-non-forwarding", "--fold", fold, "--no-replays", "--format", "json",
                         "--out", str(tmp_path / fold)], capsys)
        verdicts[fold] = (code, [(r["property"], r.get("topic"), r["verdict"]) for r in json.loads(out)["results"]])
    assert verdicts["reference"] == verdicts["fast"] and verdicts["fast"][1]
    assert run(["check", "filecoin-lotus", "--fold", "turbo"], capsys)[0] == 2


PROBE = '''
def worker(call):
    from peerproof.reference.gossipsub.fast import kernel_loaded
    return kernel_loaded()
'''
RUN_PROBE = '''
import sys
import probe
from peerproof.attacks.gossipsub import CHECKS
from peerproof.enginepool import Call, run_flows
def flow():
    return (yield Call("probe", {}, 120, "probe"))
[(loaded, _seconds)] = run_flows([flow()], probe.worker, preload=CHECKS.preload, warm_up=CHECKS.warm_up)
print(loaded, "peerproof.reference.gossipsub.fast.kernel" in sys.modules)
'''


def test_engine_processes_start_with_the_kernel_loaded_and_the_caller_does_not_load_it(tmp_path: Path) -> None:
    """GossipSub's ``warm_up``: the fork server loads the kernel for every engine process (in a fresh
    interpreter: the fork server is made once per process, with its first caller's module lists)."""
    import os
    import subprocess

    (tmp_path / "probe.py").write_text(PROBE)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", RUN_PROBE], env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False"]
