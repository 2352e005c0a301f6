"""``peerproof simulate ranking`` (spec/ranking.md, RK-SIM): accuracy of weighted BT, unweighted BT and
majority voting in a simulated swarm, swept over the adversary type and fraction; mean ± 95% CI over
seeds, a table, a JSON file and a PNG plot. ``--quick`` is a one-minute smoke run."""

from __future__ import annotations

import argparse
import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
from peerproof.attacks.checks import Simulation
from peerproof.attacks.ranking.swarm import ADVERSARIES, METHODS, Swarm, simulate
from scipy import stats

QUICK = {"questions": 200, "seeds": 2, "fractions": "0,0.2,0.4"}
FULL = {"questions": 1000, "seeds": 5, "fractions": "0,0.1,0.2,0.3,0.4"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The simulation's options."""
    parser.add_argument("--quick", action="store_true", help="200 questions, 2 seeds, 3 fractions (under a minute)")
    parser.add_argument("--questions", type=int, help="questions per run (default 1000)")
    parser.add_argument("--seeds", type=int, help="runs per setting (default 5)")
    parser.add_argument("--fractions", help="adversarial fractions, comma-separated (default 0,0.1,0.2,0.3,0.4)")
    parser.add_argument("--judges", type=int, default=15, help="judges in the swarm (default 15)")
    parser.add_argument("--candidates", type=int, default=4, help="answers per question (default 4)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    parser.add_argument("--out", default="peerproof-out/simulate-ranking", help="where the PNG and JSON go")
    parser.add_argument("--format", choices=("table", "json"), default="table")


def _run(job: tuple[Swarm, int]) -> tuple[str, float, int, dict[str, float]]:
    swarm, seed = job
    return swarm.adversary, swarm.fraction, seed, simulate(swarm, seed)


def summary(values: list[float]) -> tuple[float, float]:
    """Mean and the half-width of its 95% confidence interval (Student's t over the seeds)."""
    mean = float(np.mean(values))
    if len(values) < 2:
        return mean, float("nan")
    return mean, float(stats.t.ppf(0.975, len(values) - 1) * np.std(values, ddof=1) / np.sqrt(len(values)))


def plot(rows: list[dict], path: Path) -> None:
    """Accuracy against the adversarial fraction, one panel per adversary type, error bars the 95% CI."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(ADVERSARIES), figsize=(5 * len(ADVERSARIES), 4), sharey=True)
    for ax, adversary in zip(axes, ADVERSARIES, strict=True):
        for method in METHODS:
            mine = [r for r in rows if r["adversary"] == adversary and r["method"] == method]
            ax.errorbar([r["fraction"] for r in mine], [r["mean"] for r in mine],
                        yerr=[0 if np.isnan(r["ci95"]) else r["ci95"] for r in mine], marker="o", capsize=3,
                        label=method)
        ax.set_title(f"{adversary} adversaries")
        ax.set_xlabel("adversarial fraction of judges")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("answer accuracy")
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def run(args: argparse.Namespace) -> int:
    """Run the sweep; print the table; write the JSON and the PNG. Exit 2 on bad options."""
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    preset = QUICK if args.quick else FULL
    questions = args.questions or preset["questions"]
    seeds = args.seeds or preset["seeds"]
    try:
        fractions = [float(f) for f in (args.fractions or preset["fractions"]).split(",")]
    except ValueError:
        fractions = [-1.0]
    err = Console(stderr=True)
    if questions < 1 or seeds < 1 or args.judges < 2 or args.candidates < 2 or args.jobs < 1 or \
            not all(0 <= f <= 1 for f in fractions):
        err.print("(arguments): --questions, --seeds, --judges, --candidates, --jobs must be positive (judges and "
                  "candidates at least 2) and --fractions numbers in [0, 1]")
        return 2
    base = Swarm(judges=args.judges, candidates=args.candidates, questions=questions)
    jobs = [(replace(base, adversary=a, fraction=f), 1000 + s) for a in ADVERSARIES for f in fractions
            for s in range(seeds)]
    results: list[tuple[str, float, int, dict[str, float]]] = []
    with Progress(console=err, transient=True) as bar, ProcessPoolExecutor(max_workers=args.jobs) as pool:
        task = bar.add_task(f"simulating {len(jobs)} runs of {questions} questions", total=len(jobs))
        for done in pool.map(_run, jobs):
            results.append(done)
            bar.advance(task)
    rows = []
    for a in ADVERSARIES:
        for f in fractions:
            for m in METHODS:
                mean, ci = summary([r[3][m] for r in results if r[0] == a and r[1] == f])
                rows.append({"adversary": a, "fraction": f, "method": m, "mean": mean, "ci95": ci, "seeds": seeds,
                             "questions": questions})
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "accuracy.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    plot(rows, out / "accuracy.png")
    if args.format == "json":
        print(json.dumps(rows, indent=1))
        return 0
    table = Table(title=f"answer accuracy, {questions} questions × {seeds} seeds, {args.judges} judges, "
                        f"{args.candidates} answers (mean ± 95% CI)")
    for col in ("adversary", "fraction", *METHODS):
        table.add_column(col, justify="right" if col != "adversary" else "left")
    for a in ADVERSARIES:
        for f in fractions:
            cells = [next(r for r in rows if r["adversary"] == a and r["fraction"] == f and r["method"] == m)
                     for m in METHODS]
            table.add_row(a, f"{f:g}", *(f"{100 * c['mean']:.1f}% ± {100 * c['ci95']:.1f}" for c in cells))
    Console(width=160).print(table)
    print(f"wrote {out / 'accuracy.png'} and {out / 'accuracy.json'}")
    return 0


SIMULATION = Simulation(help="weighted vs unweighted Bradley–Terry vs majority voting in a simulated swarm",
                        add_arguments=add_arguments, run=run)
