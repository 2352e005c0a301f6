"""``peerproof conformance`` against ranking implementations (PP-ADAPTER): choix's Bradley–Terry fit behind
the adapter protocol conforms to the spec dialect within its declared tolerance (RK-DIFF-1), differs on
fortytwo-client only where the config's own solver stops early (documented), refuses the client dialect,
and a round that counts unadmitted judges (RK-ADM-2 broken) is caught with a shrunk trace."""

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
CHOIX = f"{PY} -m peerproof.adapters.oracles.choix_consensus"
MUTANT = f"{PY} {FRAME / 'mutant_adapters.py'} admits-everyone"


def test_rk_adapter_choix_says_what_it_supports() -> None:
    with AdapterProcess(CHOIX) as adapter:
        assert (adapter.hello.protocol, adapter.hello.dialect) == ("ranking", "spec")
        assert adapter.hello.tolerance == 1e-6  # RK-DIFF-1
        assert "consensus.iterations" not in (adapter.hello.observables or ())


def test_rk_adapter_choix_conforms_to_the_spec_dialect(tmp_path: Path) -> None:
    run = conformance(CHOIX, configs=["hardened", "swarm-small"], traces=10, out=tmp_path,
                      suites=("vectors", "generated"))
    assert exit_status(run) == 0, [str(o.divergence) for o in run.outcomes if o.divergence]
    assert {o.name for o in run.outcomes if o.suite == "vectors"} == {c.name for c in load_cases("ranking")}


def test_rk_adapter_choix_differs_on_fortytwo_client_only_by_its_solver_tolerance(tmp_path: Path) -> None:
    """fortytwo-client fits with the client's Zermelo iteration stopped at 1e-6 on strengths: the model's
    log-strengths are that far from the maximiser choix finds, and nothing else differs first."""
    run = conformance(CHOIX, out=tmp_path, suites=("attacks",))
    diverged = [o for o in run.outcomes if o.status == "diverge"]
    assert {o.name for o in diverged} == {"fortytwo-client--coalition-share", "fortytwo-client--farming-bounded",
                                          "fortytwo-client--sybil-resistance"}
    for o in diverged:
        d = o.divergence
        assert d is not None and d.path.startswith("consensus.log_strengths.")
        assert 1e-6 < abs(d.model - d.implementation) < 1e-4 * max(1.0, abs(d.model))
    assert {o.status for o in run.outcomes if not o.name.startswith("fortytwo-client")} == {"pass"}


def test_rk_adapter_choix_refuses_the_client_dialect(tmp_path: Path) -> None:
    run = conformance(CHOIX, dialect="client", out=tmp_path, suites=("vectors",))
    assert {o.status for o in run.outcomes} == {"skip"}
    assert all("RK-DIV-1" in o.detail for o in run.outcomes)


def test_rk_adapter_mutant_counting_unadmitted_judges_is_caught_with_a_shrunk_trace(tmp_path: Path) -> None:
    """RK-ADM-2: the shrunk trace is a newcomer without stake who compares, and the close."""
    run = conformance(MUTANT, configs=["swarm-small"], traces=30, out=tmp_path, suites=("generated",))
    [outcome] = run.outcomes
    assert outcome.status == "diverge" and outcome.divergence is not None, outcome.detail
    trace = read_trace(outcome.trace_file)
    assert [e.kind for e in trace.events] == ["join", "compare", "close"]
    assert trace.events[0].stake < 1.0 and trace.events[1].judge == trace.events[0].judge
