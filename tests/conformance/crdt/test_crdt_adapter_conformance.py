"""``peerproof conformance`` against crdt implementations (PP-ADAPTER): loro's counter and pycrdt's (Yjs) map
behind the adapter protocol, each passing what it shares with the spec and diverging exactly where the
documented differences say (causal delivery, CR-DIV-1); a network that lets messages cross a partition
(CR-NET-6 broken) is caught with a shrunk trace."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from peerproof.adapters.protocol import AdapterProcess
from peerproof.conformance import Run, conformance, exit_status
from peerproof.traceio import read_trace

PY = shlex.quote(sys.executable)
FRAME = Path(__file__).resolve().parents[1] / "frame"
LORO = f"{PY} -m peerproof.adapters.oracles.loro_counter"
PYCRDT = f"{PY} -m peerproof.adapters.oracles.pycrdt_map"
MUTANT = f"{PY} {FRAME / 'mutant_adapters.py'} ignores-partitions"


def statuses(run: Run) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for o in run.outcomes:
        out.setdefault(o.status, set()).add(o.name)
    return out


def test_cr_adapter_hellos_say_which_types_they_support() -> None:
    for command, types in ((LORO, "type pn-counter"), (PYCRDT, "lww-map or lww-register")):
        with AdapterProcess(command) as adapter:
            assert adapter.hello.protocol == "crdt"
            assert types in adapter.hello.implementation["supports"]
            assert "replicas.*.value" in (adapter.hello.observables or ())


def test_cr_adapter_loro_counter_diverges_only_by_causal_delivery(tmp_path: Path) -> None:
    """loro applies an update only after the ones it depends on; the spec's delta-state counter merges a
    writer's entry whenever it arrives: after a dropped delta, b's later decrement waits in loro."""
    run = conformance(LORO, out=tmp_path, suites=("vectors",))
    found = statuses(run)
    assert found["diverge"] == {"CR-CNT-duplicates-and-drops"}
    assert found["pass"] == {"CR-CNT-in-causal-order", "CR-NET-6-partition-blocks"}
    [o] = [o for o in run.outcomes if o.status == "diverge"]
    assert o.divergence is not None and o.divergence.path == "replicas.c.value"
    assert (o.divergence.model, o.divergence.implementation) == (-1, 0.0)


def test_cr_adapter_pycrdt_map_diverges_where_cr_div_1_says(tmp_path: Path) -> None:
    """CR-DIV-1: concurrent writes at different instants: Yjs keeps the higher client id's, the spec the later."""
    run = conformance(PYCRDT, out=tmp_path, suites=("vectors", "attacks"))
    found = statuses(run)
    assert found["diverge"] == {"CR-LWW-later-stamp-wins"}
    assert {"CR-LWW-remove", "CR-LWW-tie-to-greater-writer", "lww-map-standard--metadata-bounded"} <= found["pass"]
    [o] = [o for o in run.outcomes if o.status == "diverge"]
    assert o.divergence is not None
    assert (o.divergence.model, o.divergence.implementation) == ("from-a", "from-c")
    assert exit_status(run) == 1


def test_cr_adapter_mutant_crossing_partitions_is_caught_with_a_shrunk_trace(tmp_path: Path) -> None:
    """CR-NET-6: the shrunk trace is an update, a partition and a delivery across it."""
    run = conformance(MUTANT, configs=["pn-counter-standard"], traces=30, out=tmp_path, suites=("generated",))
    [outcome] = run.outcomes
    assert outcome.status == "diverge" and outcome.divergence is not None, outcome.detail
    trace = read_trace(outcome.trace_file)
    assert [e.kind for e in trace.events] == ["update", "partition", "deliver"]
    assert outcome.divergence.path == "blocked"
