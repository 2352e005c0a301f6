"""GS-NET-CLI-1..3: ``peerproof simulate gossipsub``, ``peerproof scenarios`` and ``peerproof sweep`` end to end."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pytest

from peerproof import cli


def test_gs_net_cli_1_simulate_writes_results_and_plots(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "sim"
    code = cli.main(["simulate", "gossipsub", "cold-boot", "--peers", "20", "--seeds", "2", "--run", "10",
                     "--config", "eth2-prysm", "--out", str(out)])
    assert code == 0
    doc = json.loads((out / "results.json").read_text())
    assert doc["config"] == "eth2-prysm" and doc["topic"] == "beacon_block" and len(doc["runs"]) == 2
    assert doc["summary"]["delivery_ratio"]["mean"] == 1.0
    assert {p.name for p in out.glob("*.png")} == {"latency_cdf.png", "mesh_composition.png", "score_quantiles.png"}
    assert "latency p99" in capsys.readouterr().out


def test_gs_net_cli_2_scenarios_lists_the_bundled_ones(capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["scenarios", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"baseline", "cold-boot", "eclipse-net", "free-riding"} <= {r["scenario"] for r in rows}


def test_gs_net_cli_3_sweep_writes_a_tidy_table(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    code = cli.main(["sweep", "baseline", "--param", "rate=2,4", "--config", "hardening,filecoin-lotus", "--seeds",
                     "2", "--peers", "12", "--run", "5", "--out", str(out)])
    assert code == 0
    rows = list(csv.DictReader((out / "sweep.csv").open()))
    assert len(rows) == 2 * 2 * 2
    assert {r["config"] for r in rows} == {"hardening", "filecoin-lotus"} and {r["rate"] for r in rows} == {"2", "4"}
    assert (out / "sweep.png").stat().st_size > 0


def test_gs_net_cli_3_sweep_bad_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["sweep", "baseline", "--param", "honest=-5", "--out", str(tmp_path)]) == 2
    assert "baseline.yaml: honest: expected a count >= 1" in capsys.readouterr().err
    if importlib.util.find_spec("ray") is None:  # where the cluster extra is installed, ray is no bad input
        assert cli.main(["sweep", "baseline", "--backend", "ray", "--out", str(tmp_path)]) == 2
        assert "peerproof[cluster]" in capsys.readouterr().err
    assert cli.main(["sweep", "baseline", "--param", "rate", "--out", str(tmp_path)]) == 2


def test_gs_net_cli_4_check_sweep_over_derived_configs(tmp_path: Path) -> None:
    out = tmp_path / "check"
    assert cli.main(["sweep", "--check-derived", "eth2-lodestar", "--validators", "20000", "--out", str(out)]) == 0
    rows = list(csv.DictReader((out / "sweep.csv").open()))
    verdicts = {(r["property"], r["topic"]): r["verdict"] for r in rows}
    # As for the bundled eth2-lodestar, derived at 10^6 validators (spec/configs/gossipsub/expected.json).
    assert verdicts[("penalizes-non-forwarding", "beacon_block")] == "holds"
    assert verdicts[("rewards-good-behaviour", "")] == "violated"
    assert (out / "check-sweep.png").stat().st_size > 0
    assert cli.main(["sweep", "--check-derived", "eth2-nimbus", "--out", str(out)]) == 2


def test_gs_net_cli_3_sweep_refuses_an_unwritable_table_before_any_run(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """--table parquet without pyarrow: exit 2 at once, no run started, nothing written."""
    import builtins

    real_import = builtins.__import__

    def no_pyarrow(name: str, *args: object, **kwargs: object) -> object:
        if name.partition(".")[0] == "pyarrow":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    ran = []
    monkeypatch.setattr("peerproof.attacks.gossipsub.network.runner.run_tasks", lambda *a, **k: ran.append(a) or [])
    out = tmp_path / "sweep"
    assert cli.main(["sweep", "baseline", "--table", "parquet", "--out", str(out)]) == 2
    assert "--table parquet needs pyarrow" in capsys.readouterr().err
    assert not ran and not out.exists()


@pytest.mark.parametrize("backend", ["dask", "ray"])
def test_gs_net_cli_3_sweep_on_a_cluster_backend_gives_the_local_table(tmp_path: Path, backend: str) -> None:
    """The same grid on Dask or Ray (a local cluster each, started by the sweep) and on local processes: the
    same tidy table, byte for byte (each run is seeded by its task alone). Needs the cluster extra."""
    pytest.importorskip("dask.distributed" if backend == "dask" else "ray")
    grid = ["sweep", "baseline", "--param", "rate=2,4", "--seeds", "2", "--peers", "12", "--run", "5", "--jobs", "2"]
    assert cli.main([*grid, "--out", str(tmp_path / "local")]) == 0
    try:
        assert cli.main([*grid, "--backend", backend, "--out", str(tmp_path / backend)]) == 0
    finally:
        if backend == "ray":
            import ray

            ray.shutdown()
    assert (tmp_path / backend / "sweep.csv").read_bytes() == (tmp_path / "local" / "sweep.csv").read_bytes()
