"""The adapter protocol and ``peerproof conformance`` (PP-ADAPTER), against Python adapters: the reference
model served over the protocol passes, a mutant is caught with a shrunk trace, and every way an adapter can
break the protocol is a clear message and exit 2, never a hang."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest

from peerproof.adapters.protocol import AdapterError, AdapterProcess
from peerproof.cli import main
from peerproof.conformance import conformance, exit_status
from peerproof.traceio import read_trace

HERE = Path(__file__).resolve().parent
SMALL = str(HERE.parents[1] / "gossipsub" / "data" / "gossipsub-small.yaml")
PY = shlex.quote(sys.executable)
REFERENCE = f"{PY} -m peerproof.adapters.serve --protocol gossipsub --dialect ts"
MUTANT = f"{PY} {HERE / 'mutant_adapters.py'} p3-never-active"


def bad(mode: str) -> str:
    return f"{PY} {HERE / 'bad_adapters.py'} {mode}"


def test_pp_adapter_reference_model_over_the_protocol_conforms(tmp_path: Path) -> None:
    run = conformance(REFERENCE, configs=[SMALL], traces=15, out=tmp_path, suites=("vectors", "generated"))
    assert exit_status(run) == 0, [str(o.divergence) for o in run.outcomes if o.divergence]
    assert {o.suite for o in run.outcomes} == {"vectors", "generated"}
    assert run.traces >= 15 + len([o for o in run.outcomes if o.suite == "vectors"])


def test_pp_adapter_mutant_without_p3_activation_is_caught_with_a_shrunk_trace(tmp_path: Path) -> None:
    run = conformance(MUTANT, configs=[SMALL], traces=10, out=tmp_path, suites=("generated",))
    [outcome] = run.outcomes
    assert outcome.status == "diverge", outcome.detail
    assert outcome.divergence is not None
    assert outcome.divergence.path.endswith((".active", ".p3")), outcome.divergence
    trace = read_trace(outcome.trace_file)
    assert len(trace.events) <= 4, trace.events  # shrunk within the bounded budgets: add_peer, graft, tick
    kinds = {e.kind for e in trace.events}
    assert kinds & {"graft", "heartbeat"}  # joined the mesh: by a graft, or by the router's heartbeat
    assert "conformance" in trace.meta


def test_pp_adapter_cli_reports_the_first_divergence_and_exits_1(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["conformance", "--adapter", MUTANT, "--suite", "vectors", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "first divergence after event" in out and "model" in out and "implementation" in out
    assert list(tmp_path.glob("*.json"))


@pytest.mark.parametrize(("adapter", "says"), [
    (f"{PY} -c 'import sys; sys.exit(3)'", "exited (exit code 3) without a reply"),
    ("/nonexistent/adapter --flag", "did not start"),
    (bad("garbage"), "is not JSON: '<html>not json</html>'"),
    (bad("old-version"), "peerproof-adapter/0"),
])
def test_pp_adapter_an_adapter_that_breaks_the_protocol_is_exit_2(adapter: str, says: str,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["conformance", "--adapter", adapter, "--suite", "vectors"])
    err = capsys.readouterr().err
    assert code == 2
    assert says in err and "adapter" in err, err


def test_pp_adapter_a_silent_adapter_times_out(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["conformance", "--adapter", bad("silent"), "--start-timeout", "2", "--suite", "vectors"]) == 2
    assert "no reply within 2s (the adapter was stopped)" in capsys.readouterr().err


def test_pp_adapter_start_time_out_is_bounded() -> None:
    with pytest.raises(AdapterError, match=r'request \{"op": "hello".*no reply within 0.5s'):
        AdapterProcess(bad("silent"), start_timeout_s=0.5)


def test_pp_adapter_a_crash_mid_trace_names_the_request_and_the_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["conformance", "--adapter", bad("crash-on-apply"), "--suite", "vectors"])
    err = capsys.readouterr().err
    assert code == 2
    assert '"op": "apply"' in err and "exit code 139" in err and "segmentation fault (simulated)" in err


def test_pp_adapter_an_error_reply_needs_a_code(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["conformance", "--adapter", bad("error-without-code"), "--suite", "vectors"])
    assert code == 2
    assert '"code" (one of unsupported, bad-request, failed)' in capsys.readouterr().err


def test_pp_adapter_wrong_protocol_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["conformance", "--adapter", REFERENCE, "--protocol", "crdt", "--suite", "vectors"])
    assert code == 2
    assert "implements 'gossipsub', not 'crdt'" in capsys.readouterr().err


def test_pp_adapter_serve_answers_bad_requests_without_dying() -> None:
    with AdapterProcess(REFERENCE) as adapter:
        for request, code in (({"op": "apply", "event": {"at": 0, "kind": "tick"}}, "bad-request"),
                              ({"op": "dance"}, "bad-request")):
            with pytest.raises(Exception, match=code):
                adapter.request(request)
        assert adapter.hello.protocol == "gossipsub"
        assert json.loads(json.dumps(adapter.request({"op": "bye"}))) == {"ok": True}


def test_pp_adapter_json_report_has_the_divergence_and_the_same_exit_code(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["conformance", "--adapter", MUTANT, "--suite", "vectors", "--out", str(tmp_path),
                 "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1 == doc["exit"]
    assert doc["format"] == "peerproof-conformance/1" and doc["protocol"] == "gossipsub"
    diverged = [o for o in doc["outcomes"] if o["status"] == "diverge"]
    assert diverged and {"index", "event", "path", "model", "implementation"} <= set(diverged[0]["divergence"])
    assert doc["counts"]["diverge"] == len(diverged)


def test_pp_adapter_json_report_of_a_broken_adapter_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["conformance", "--adapter", "/nonexistent/adapter", "--format", "json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["exit"] == 2 and "did not start" in doc["error"]


def test_pp_adapter_observable_paths_project_the_observation() -> None:
    from peerproof.adapters.divergence import restricted

    observation = {"time": 1.0, "replicas": {"a": {"value": 1, "size": 3}, "b": {"value": 2, "size": 4}},
                   "consensus": {"winner": "x", "iterations": 7}}
    assert restricted(observation, ["time", "replicas.*.value", "consensus.winner", "absent"]) == {
        "time": 1.0, "replicas": {"a": {"value": 1}, "b": {"value": 2}}, "consensus": {"winner": "x"},
        "absent": None}
    assert restricted(observation, None) == observation


@pytest.mark.parametrize(("capabilities", "says"), [
    ({"tolerance": 0.5}, "capabilities.tolerance"), ({"tolerance": True}, "capabilities.tolerance"),
    ({"batch": "yes"}, "capabilities.batch"), ({"observables": "time"}, "capabilities.observables"),
])
def test_pp_adapter_hello_capabilities_are_checked(capabilities: dict, says: str) -> None:
    from peerproof.adapters.protocol import VERSION, read_hello

    with pytest.raises(ValueError, match=says):
        read_hello({"version": VERSION, "protocol": "crdt", "dialect": "spec", "capabilities": capabilities})


def test_pp_adapter_a_batched_refusal_names_the_refused_event() -> None:
    from peerproof.adapters.serve import ReferenceImplementation, answer

    reference = ReferenceImplementation("ranking")
    reference.reset({"protocol": "ranking", "candidates": {"a": None, "b": None},
                     "judges": {"j": {"reputation": 1.0}},
                     "comparisons": [{"judge": "j", "first": "a", "second": "b", "outcome": "first"}]}, 0)
    close = {"at": 1.0, "kind": "close"}
    reply = answer(reference, {"op": "apply", "events": [close, {"at": 2.0, "kind": "dance"}, close]})
    assert (reply["ok"], reply["index"]) == (False, 1) and reply["error"].startswith("events[1]")
    assert answer(reference, {"op": "hello", "version": "peerproof-adapter/1"})["capabilities"]["batch"] is True


@pytest.mark.parametrize(("protocol", "dialect"),
                         [("matchmaking", "knexa-code"), ("ranking", "spec"), ("crdt", "spec")])
def test_pp_adapter_every_protocol_served_by_the_reference_model_conforms(protocol: str, dialect: str,
                                                                         tmp_path: Path) -> None:
    """The vectors, the attack traces and a few generated traces per config of each protocol (PP-ADAPTER-9)
    pass against the model itself over the protocol: the hooks, the vectors and the comparison agree."""
    command = f"{PY} -m peerproof.adapters.serve --protocol {protocol} --dialect {dialect}"
    run = conformance(command, traces=3, out=tmp_path)
    assert exit_status(run) == 0, [str(o.divergence) for o in run.outcomes if o.divergence]
    assert {o.suite for o in run.outcomes} == {"vectors", "generated", "attacks"}
    assert not [o for o in run.outcomes if o.status == "skip"]
    attacked = [o for o in run.outcomes if o.suite == "attacks" and o.attack and o.attack.startswith("attackable")]
    assert attacked
