"""``peerproof simulate gossipsub SCENARIO`` (spec/gossipsub-network.md, GS-NET-CLI-1): one scenario over
seeds under a score-parameter choice; a progress bar, a summary table (mean ± 95% CI), results.json and
PNG plots in ``--out``. A bad scenario file exits 2 with ``FILE: field.path: message``."""

from __future__ import annotations

import argparse
import json
import math
import os
from pathlib import Path
from typing import Any

from peerproof.attacks.checks import Simulation
from peerproof.reference.configfile import ConfigError

ROWS = (("delivery_ratio", "delivery", "pct"), ("latency_p50_ms", "latency p50", "ms"),
        ("latency_p90_ms", "latency p90", "ms"), ("latency_p99_ms", "latency p99", "ms"),
        ("latency_max_ms", "latency max", "ms"), ("within_eth2_deadline", "within 3 s (Eth2)", "pct"),
        ("within_filecoin_deadline", "within 6 s (Filecoin)", "pct"),
        ("duplicates_per_delivery", "duplicates / delivery", "num"),
        ("mesh_degree_in_range", "mesh degree in [Dlo, Dhi]", "pct"), ("mesh_degree_mean", "mesh degree mean", "num"),
        ("attacker_share_mean", "Sybil share of meshes", "pct"),
        ("honest_nonnegative_min", "honest edges scoring >= 0 (worst)", "pct"), ("recovery_s", "recovery", "s"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The simulation's options."""
    parser.add_argument("scenario", metavar="SCENARIO", nargs="?",
                        help="a scenario file or bundled name (`peerproof scenarios` lists them)")
    parser.add_argument("--config", help="score parameters: hardening (default: the scenario's), a bundled "
                                         "GossipSub config name, or a config file")
    parser.add_argument("--seeds", type=int, default=5, help="independent networks (default 5)")
    parser.add_argument("--peers", type=int, help="honest peers (publishers, Sybils and load scaled in proportion)")
    parser.add_argument("--run", type=float, help="seconds of the run phase (default: the scenario's)")
    parser.add_argument("--no-scoring", action="store_true", help="routers without peer scoring")
    parser.add_argument("--jobs", type=int, default=1, help=f"parallel runs (joblib; {os.cpu_count()} CPUs here)")
    parser.add_argument("--out", default="peerproof-out/simulate-gossipsub", help="where results.json and PNGs go")
    parser.add_argument("--format", choices=("table", "json"), default="table")


def cell(stat: dict[str, float] | None, kind: str) -> str:
    """``mean ± ci`` in the row's unit."""
    if stat is None or math.isnan(stat["mean"]):
        return "-"
    mean, ci = stat["mean"], stat["ci95"]
    scale, unit, digits = {"pct": (100, "%", 2), "ms": (1, " ms", 0), "s": (1, " s", 0), "num": (1, "", 2)}[kind]
    text = f"{mean * scale:.{digits}f}"
    if not math.isnan(ci):
        text += f" ± {ci * scale:.{digits}f}"
    return text + unit


def run(args: argparse.Namespace) -> int:
    """Run the scenario over the seeds; print the table; write results.json and the plots. Exit 2 on bad input."""
    from peerproof.attacks.gossipsub.network.plots import plot_runs
    from peerproof.attacks.gossipsub.network.runner import Task, run_task, sized
    from peerproof.reference.gossipsub.network import bundled_scenarios, load_scenario, resolve_config
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    err = Console(stderr=True)
    if args.scenario is None:
        err.print(f"(arguments): SCENARIO: give a scenario file or one of {', '.join(bundled_scenarios())}",
                  highlight=False, soft_wrap=True)
        return 2
    if args.seeds < 1 or args.jobs < 1 or (args.peers is not None and args.peers < 2) or \
            (args.run is not None and args.run <= 0):
        err.print("(arguments): --seeds and --jobs must be positive, --peers at least 2, --run positive",
                  soft_wrap=True)
        return 2
    try:
        s = sized(load_scenario(args.scenario), args.peers, args.run)
        cfg, topic = resolve_config(s, args.config)
    except ConfigError as exc:
        err.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        return 2
    tasks = [Task(s, args.config, seed, False if args.no_scoring else None) for seed in range(args.seeds)]
    summaries: list[dict[str, Any]]
    with Progress(console=err, transient=True) as bar:
        if args.jobs == 1:
            summaries = []
            for task in tasks:
                job = bar.add_task(f"seed {task.seed}: {s.name}, {s.honest} honest + {s.sybils.count} Sybils",
                                   total=s.duration_ms)
                summaries.append(run_task(task, lambda now, end, j=job: bar.update(j, completed=now)))
        else:
            from joblib import Parallel, delayed

            job = bar.add_task(f"{len(tasks)} seeds of {s.name} in {args.jobs} workers", total=len(tasks))
            summaries = []
            for done in Parallel(n_jobs=args.jobs, return_as="generator")(delayed(run_task)(t) for t in tasks):
                summaries.append(done)
                bar.advance(job)
    from peerproof.attacks.gossipsub.network.metrics import across_seeds

    agg = across_seeds(summaries)
    out = Path(args.out)
    title = f"{s.name} under {cfg.name} ({topic}), {s.honest} honest + {s.sybils.count} Sybils"
    plots = plot_runs(summaries, out, title)
    doc = {"scenario": s.name, "config": cfg.name, "topic": topic, "honest": s.honest, "sybils": s.sybils.count,
           "seeds": args.seeds, "scoring": not args.no_scoring, "rate_per_s": s.rate,
           "delivery_weight": s.delivery_weight, "summary": agg, "runs": summaries}
    doc = sanitize(doc)
    (out / "results.json").write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    if args.format == "json":
        print(json.dumps({k: v for k, v in doc.items() if k != "runs"}, indent=1, allow_nan=False))
        return 0
    table = Table(title=f"{title}, {args.seeds} seeds (mean ± 95% CI)")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, label, kind in ROWS:
        if key in agg:
            table.add_row(label, cell(agg[key], kind))
    Console(width=140).print(table)
    print(f"wrote {out / 'results.json'}, " + ", ".join(str(p) for p in plots))
    return 0


def sanitize(obj: Any) -> Any:
    """The JSON-able copy of a summary with NaN as null."""
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, dict):
        return {k: sanitize(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [sanitize(v) for v in obj]
    return obj


SIMULATION = Simulation(help="GossipSub at network scale: a scenario (gossipsub-hardening's 24 and more) over seeds, "
                             "every honest router scoring with the reference score function",
                        add_arguments=add_arguments, run=run)
