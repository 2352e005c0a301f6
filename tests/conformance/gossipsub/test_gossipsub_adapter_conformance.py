"""``peerproof conformance`` against @libp2p/gossipsub through the adapter protocol (PP-ADAPTER): the TS
PeerScore conforms in the ``ts`` dialect, with the model on either engine (pure step or fast, GS-FAST), and
shows exactly the known go/ts divergences (GS-DIV-*) in ``go``."""

from __future__ import annotations

from pathlib import Path

import pytest
from peerproof.reference.model import use_engine

from peerproof.adapters.install import ts_adapter_command
from peerproof.conformance import conformance, exit_status
from peerproof.vectors import load_cases

pytestmark = pytest.mark.conformance
SMALL = str(Path(__file__).resolve().parents[2] / "gossipsub" / "data" / "gossipsub-small.yaml")


def test_pp_adapter_ts_peer_score_conforms_in_the_ts_dialect(node_harness: Path, tmp_path: Path) -> None:
    run = conformance(ts_adapter_command(node_harness), configs=[SMALL], traces=10, out=tmp_path)
    assert exit_status(run) == 0, [str(o.divergence) for o in run.outcomes if o.divergence]
    skipped = {o.name for o in run.outcomes if o.status == "skip"}
    assert skipped == {"GS-P6-GS-DIV-12-cidr-whitelist"}  # TS whitelists exact IP strings (GS-DIV-12)
    assert any(o.suite == "attacks" and o.attack for o in run.outcomes)


def test_pp_adapter_ts_peer_score_conforms_with_the_model_on_the_fast_engine(node_harness: Path,
                                                                             tmp_path: Path) -> None:
    """The vectors and generated traces again, the model's side folded by the fast engine (GS-FAST)."""
    with use_engine("fast"):
        run = conformance(ts_adapter_command(node_harness), configs=[SMALL], traces=10, out=tmp_path,
                          suites=("vectors", "generated"))
    assert exit_status(run) == 0, [str(o.divergence) for o in run.outcomes if o.divergence]
    assert {o.name for o in run.outcomes if o.status == "skip"} == {"GS-P6-GS-DIV-12-cidr-whitelist"}


def test_pp_adapter_ts_peer_score_shows_the_known_divergences_in_the_go_dialect(node_harness: Path,
                                                                                 tmp_path: Path) -> None:
    run = conformance(ts_adapter_command(node_harness), dialect="go", out=tmp_path, suites=("vectors",))
    diverged = {o.name for o in run.outcomes if o.status == "diverge"}
    known = {c.name for c in load_cases("gossipsub") if ("go", "ts") in c.distinguishes or ("ts", "go") in
             c.distinguishes} - {"GS-P6-GS-DIV-12-cidr-whitelist"}
    # GS-DIV-9 and -16 live in the router: TS gets the model's go mesh changes, so they cannot differ there.
    assert diverged == known - {"GS-MESH-GS-DIV-9-oversubscribed-at-d-hi", "GS-MESH-GS-DIV-16-outbound-quota"}
    assert exit_status(run) == 1
