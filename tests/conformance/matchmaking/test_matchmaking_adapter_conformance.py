"""``peerproof conformance`` against matchmaking implementations (PP-ADAPTER): the mabwiser CPM conforms to
the paper dialect on the vectors, generated traces and attack traces, refuses knexa-code (MM-DIV-7), and a
CPM that takes a teacher's report as the student's (MM-TRUST-1 broken) is caught with a shrunk trace."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from peerproof.adapters.protocol import AdapterProcess
from peerproof.conformance import conformance, exit_status
from peerproof.traceio import read_trace
from peerproof.vectors import load_cases

PY = shlex.quote(sys.executable)
FRAME = Path(__file__).resolve().parents[1] / "frame"
MABWISER = f"{PY} -m peerproof.adapters.oracles.mabwiser_cpm"
MUTANT = f"{PY} {FRAME / 'mutant_adapters.py'} teacher-reports"


def test_mm_adapter_mabwiser_says_what_it_supports() -> None:
    with AdapterProcess(MABWISER) as adapter:
        assert (adapter.hello.protocol, adapter.hello.dialect) == ("matchmaking", "paper")
        assert "dialect paper" in adapter.hello.implementation["supports"]


def test_mm_adapter_mabwiser_conforms_to_the_paper_dialect(tmp_path: Path) -> None:
    run = conformance(MABWISER, configs=["paper", "knexa-hardened"], traces=10, out=tmp_path)
    assert exit_status(run) == 0, [str(o.divergence) for o in run.outcomes if o.divergence]
    by_suite = {s: {o.name for o in run.outcomes if o.suite == s and o.status == "pass"}
                for s in ("vectors", "generated", "attacks")}
    assert by_suite["vectors"] == {c.name for c in load_cases("matchmaking")}
    assert by_suite["generated"] == {"paper", "knexa-hardened"}
    # the knexa configs have no performance field, which the paper's roles need (MM-ROLE-1): skipped, not failed
    skipped = {o.name for o in run.outcomes if o.status == "skip"}
    assert skipped and all(name.startswith(("knexa-code--", "knexa-release--")) for name in skipped)
    assert any(o.attack and o.attack.startswith("attackable") for o in run.outcomes)


def test_mm_adapter_mabwiser_refuses_the_float32_dialect(tmp_path: Path) -> None:
    run = conformance(MABWISER, dialect="knexa-code", out=tmp_path, suites=("vectors",))
    assert {o.status for o in run.outcomes} == {"skip"}
    assert all("MM-DIV-7" in o.detail for o in run.outcomes)


def test_mm_adapter_mutant_taking_teacher_reports_is_caught_with_a_shrunk_trace(tmp_path: Path) -> None:
    """MM-TRUST-1: the shrunk trace is a round and one report by the teacher."""
    run = conformance(MUTANT, configs=["paper"], traces=30, out=tmp_path, suites=("generated",))
    [outcome] = run.outcomes
    assert outcome.status == "diverge" and outcome.divergence is not None, outcome.detail
    trace = read_trace(outcome.trace_file)
    assert [e.kind for e in trace.events] == ["match", "reward"]
    [report] = [e for e in trace.events if e.kind == "reward"]
    assert report.reporter == report.teacher
