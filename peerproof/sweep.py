"""``peerproof sweep``: network simulations over a (scenario x parameters x config x seed) grid, run by joblib
locally or by its Dask or Ray backend on a cluster; one tidy table (CSV, or Parquet with pyarrow) and a plot.

Parameters are ``--param NAME=V1,V2,...``: NAME is a scenario field (``rate``, ``sybils.count``,
``sybils.degrade``...) or a score-parameter override (``router.d``, ``thresholds.gossip_threshold``,
``score_params.ip_colocation_factor_weight``...). Each grid point is a scenario document validated like a
file, so a bad value is ``SCENARIO: field.path: message`` and exit 2.

With ``--check-derived CLIENT,...`` the same verb sweeps ``check`` (the closed-form engine) over the
Eth2 clients' configs derived for each ``--validators`` count (and each Lighthouse network load): a
verdict table and a plot of which ranges make each property fail.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

TIDY = ("delivery_ratio", "latency_p50_ms", "latency_p99_ms", "latency_max_ms", "within_eth2_deadline",
        "within_filecoin_deadline", "duplicates_per_delivery", "mesh_degree_in_range", "attacker_share_mean",
        "honest_nonnegative_min")
BACKENDS = ("loky", "dask", "ray")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The verb's options."""
    parser.add_argument("scenarios", metavar="SCENARIO", nargs="*", help="scenario files or bundled names")
    parser.add_argument("--config", default="", help="score-parameter choices, comma-separated (default: each "
                                                     "scenario's own)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=V1,V2",
                        help="a swept parameter (repeatable; the grid is the product)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds per grid point (default 5)")
    parser.add_argument("--peers", type=int, help="honest peers (Sybils, publishers and load scaled)")
    parser.add_argument("--run", type=float, dest="run_s", help="seconds of each run phase (default: the scenario's)")
    parser.add_argument("--backend", choices=BACKENDS, default="loky",
                        help="joblib backend: loky (local processes, default), dask or ray (need peerproof[cluster])")
    parser.add_argument("--scheduler", help="Dask scheduler address or Ray cluster address (default: start local)")
    parser.add_argument("--jobs", type=int, default=1, help="parallel runs (default 1; -1: all CPUs)")
    parser.add_argument("--out", default="peerproof-out/sweep", help="where sweep.csv (or .parquet) and sweep.png go")
    parser.add_argument("--table", choices=("csv", "parquet"), default="csv", help="the tidy table's format")
    parser.add_argument("--check-derived", metavar="CLIENTS",
                        help="sweep check over derived Eth2 configs instead: eth2-lighthouse,eth2-lodestar,eth2-prysm")
    parser.add_argument("--validators", default="10000,100000,500000,1000000,2000000",
                        help="active-validator counts for --check-derived (default 10^4 .. 2x10^6)")
    parser.add_argument("--property", action="append", default=[],
                        help="properties for --check-derived (repeatable; default penalizes-non-forwarding and "
                             "rewards-good-behaviour)")


def grid_points(params: list[str]) -> list[dict[str, Any]]:
    """The product of the ``NAME=V1,V2`` parameters (values parsed as YAML scalars); ValueError when malformed."""
    import yaml

    axes = []
    for text in params:
        name, sep, values = text.partition("=")
        if not sep or not name or not values:
            raise ValueError(f"--param {text!r}: write NAME=V1,V2,...")
        axes.append([(name.strip(), yaml.safe_load(v)) for v in values.split(",")])
    return [dict(point) for point in itertools.product(*axes)] if axes else [{}]


def apply_point(doc: dict[str, Any], point: dict[str, Any]) -> dict[str, Any]:
    """A scenario document with one grid point's values set (overrides for router/thresholds/score_params)."""
    out = {**doc, "sybils": dict(doc.get("sybils") or {}),
           "overrides": {k: dict(v) for k, v in (doc.get("overrides") or {}).items()}}
    for name, value in point.items():
        head, _, field = name.partition(".")
        if head in ("router", "thresholds", "score_params") and field:
            out["overrides"].setdefault(head, {})[field] = value
        elif head == "sybils" and field:
            out["sybils"][field] = value
        else:
            out[name] = value
    if not out["sybils"]:
        del out["sybils"]
    if not out["overrides"]:
        del out["overrides"]
    return out


def _backend(args: argparse.Namespace) -> str | None:
    """Register the distributed backend; its name for joblib (None for local loky)."""
    if args.backend == "loky":
        return None
    try:
        if args.backend == "dask":
            from dask.distributed import Client

            Client(args.scheduler) if args.scheduler else Client(processes=True)
        else:
            import ray
            from ray.util.joblib import register_ray

            register_ray()
            ray.init(address=args.scheduler) if args.scheduler else ray.init()
    except ImportError as exc:
        raise RuntimeError(f"--backend {args.backend}: {exc.name or args.backend} is not installed; install the "
                           "cluster extra: pip install 'peerproof[cluster]'") from None
    return args.backend


def run_command(args: argparse.Namespace) -> int:
    """Run the grid; write the tidy table and the plot; print where. Exit 2 on bad input."""
    from peerproof.attacks.gossipsub.network.runner import Task, run_tasks, sized
    from peerproof.reference.configfile import ConfigError, read_document
    from peerproof.reference.gossipsub.network.scenario import SCENARIO_DIR, scenario_from_mapping

    if args.check_derived:
        return run_check_sweep(args)
    if not args.scenarios:
        sys.stderr.write("(arguments): SCENARIO: give at least one scenario (or --check-derived CLIENTS)\n")
        return 2
    if args.seeds < 1 or args.jobs == 0 or (args.peers is not None and args.peers < 2):
        sys.stderr.write("(arguments): --seeds and --jobs must be positive (or --jobs -1), --peers at least 2\n")
        return 2
    import yaml

    try:
        points = grid_points(args.param)
    except (ValueError, yaml.YAMLError) as exc:
        sys.stderr.write(f"(arguments): {exc}\n")
        return 2
    configs = [c for c in args.config.split(",") if c] or [None]
    tasks, keys = [], []
    try:
        for name in args.scenarios:
            path = Path(name) if Path(name).exists() else SCENARIO_DIR / f"{name}.yaml"
            doc = dict(read_document(path))
            for point in points:
                s = sized(scenario_from_mapping(apply_point(doc, point), file=str(path)), args.peers, args.run_s)
                for config in configs:
                    for seed in range(args.seeds):
                        tasks.append(Task(s, config, seed))
                        keys.append({"scenario": s.name, "config": config or s.config, **point, "seed": seed})
        table_ready(args.table)
        backend = _backend(args)
    except ConfigError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    except RuntimeError as exc:
        sys.stderr.write(f"(arguments): {exc}\n")
        return 2
    from rich.console import Console

    Console(stderr=True).print(f"sweep: {len(tasks)} runs ({len(points)} grid points x {len(configs)} configs x "
                               f"{args.seeds} seeds) on {args.backend}", highlight=False)
    summaries = run_tasks(tasks, n_jobs=args.jobs, backend=backend)
    rows = [{**k, **{m: s.get(m) for m in TIDY}} for k, s in zip(keys, summaries, strict=True)]
    params = [p.partition("=")[0] for p in args.param]
    return write_results(rows, Path(args.out), args.table, lambda out: plot_sweep(rows, params, out / "sweep.png"))


def run_check_sweep(args: argparse.Namespace) -> int:
    """``--check-derived``: closed-form verdicts over (client x validators x network load); table and plot."""
    from peerproof.attacks.gossipsub.network.derived import CLIENTS, check_point, loads_of, plot_verdicts

    clients = [c for c in args.check_derived.split(",") if c]
    unknown = [c for c in clients if c not in CLIENTS]
    try:
        validators = [int(float(v)) for v in args.validators.split(",")]
    except ValueError:
        validators = [0]
    if unknown or not clients or min(validators) < 1 or args.jobs == 0:
        sys.stderr.write(f"(arguments): --check-derived takes {', '.join(CLIENTS)} and --validators positive "
                         "counts\n")
        return 2
    properties = tuple(args.property) or ("penalizes-non-forwarding", "rewards-good-behaviour")
    points = [(c, v, load) for c in clients for v in validators for load in loads_of(c)]
    from joblib import Parallel, delayed

    try:
        table_ready(args.table)
        backend = _backend(args)
    except RuntimeError as exc:
        sys.stderr.write(f"(arguments): {exc}\n")
        return 2
    jobs = Parallel(n_jobs=args.jobs, backend=backend) if backend else Parallel(n_jobs=args.jobs)
    rows = [row for part in jobs(delayed(check_point)(c, v, load, properties) for c, v, load in points)
            for row in part]
    return write_results(rows, Path(args.out), args.table, lambda out: plot_verdicts(rows, out / "check-sweep.png"))


def table_ready(kind: str) -> None:
    """Fail before any run when the table format cannot be written (RuntimeError naming the option)."""
    if kind == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise RuntimeError("--table parquet needs pyarrow (pip install pyarrow); use --table csv") from None


def write_table(rows: list[dict[str, Any]], out: Path, kind: str) -> Path:
    """The tidy table: one row per run, the grid's columns then the metrics; written atomically."""
    from peerproof.traceio import write_atomic

    table_ready(kind)
    if kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        buffer = pa.BufferOutputStream()
        pq.write_table(pa.Table.from_pylist(rows), buffer)
        return write_atomic(out / "sweep.parquet", buffer.getvalue().to_pybytes())
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=list(dict.fromkeys(k for r in rows for k in r)))
    writer.writeheader()
    writer.writerows(rows)
    return write_atomic(out / "sweep.csv", text.getvalue())


def write_results(rows: list[dict[str, Any]], out: Path, kind: str, plot: Callable[[Path], Path]) -> int:
    """Write the table and the plot a sweep ends with into ``out``, say where; exit 0."""
    out.mkdir(parents=True, exist_ok=True)
    table = write_table(rows, out, kind)
    print(f"wrote {table} ({len(rows)} rows) and {plot(out)}")
    return 0


def plot_sweep(rows: list[dict[str, Any]], params: list[str], path: Path) -> Path:
    """Delivery, p99 latency, Sybil share and honest non-negative edges against the first swept parameter
    (or the scenario), one line per (scenario, config), mean ± 95% CI over seeds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from peerproof.attacks.gossipsub.network.metrics import mean_ci

    x_key = params[0] if params else "scenario"
    groups: dict[tuple, dict[Any, list[dict[str, Any]]]] = {}
    for r in rows:
        line = (r["scenario"], r["config"]) if x_key != "scenario" else (r["config"],)
        groups.setdefault(line, {}).setdefault(r[x_key], []).append(r)
    metrics = ("delivery_ratio", "latency_p99_ms", "attacker_share_mean", "honest_nonnegative_min")
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.6))
    for ax, metric in zip(axes, metrics, strict=True):
        for line, by_x in groups.items():
            xs = list(by_x)
            stats = [mean_ci([r[metric] for r in by_x[x]]) for x in xs]
            ax.errorbar([str(x) for x in xs], [m for m, _ in stats], yerr=[0 if h != h else h for _, h in stats],
                        marker="o", capsize=3, label=" / ".join(str(v) for v in line))
        ax.set(title=metric, xlabel=x_key)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
