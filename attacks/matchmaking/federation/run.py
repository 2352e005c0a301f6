"""The federation's main loop, its statistics and its report (spec §15.5): every strategy over several
seeds, mean ± 95% CI of the honest agents' final test accuracy, learning curves and pairing matrices."""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from peerproof.attacks.matchmaking.federation.agents import (
    distill,
    local_epoch,
    make_agents,
    pretrained_bases,
    schedules,
    soft_labels,
    test_accuracy,
    validation,
)
from peerproof.attacks.matchmaking.federation.data import split
from peerproof.attacks.matchmaking.federation.strategies import CPM, heuristic_pairs, profile, random_pairs

CLEAN = ("local-only", "random", "heuristic", "central", "linucb")
ADVERSARIAL = ("random", "heuristic", "linucb", "linucb-symmetric", "linucb-hardened")
POISONERS = 2


@dataclass
class Outcome:
    """One run: the honest agents' mean test accuracy per round, pair counts, and poisoned exchanges."""

    curve: list[float]
    counts: np.ndarray  # [teacher, student] exchanges
    poisoned: int  # exchanges where an honest student learnt from a poisoner
    exchanges: int
    poisoned_late: int = 0  # the same, in the second half of the rounds only
    exchanges_late: int = 0
    mixed: int = 0  # exchanges between an honest agent and a poisoner, whoever teaches


def run_one(strategy: str, seed: int, rounds: int, n: int, poisoners: int, cache: dict | None = None) -> Outcome:
    """One federation run of ``rounds`` rounds with one pairing strategy (``cache`` keeps each seed's bases)."""
    torch.set_num_threads(1)  # small models: one thread beats two on a shared 2-core machine
    cache = {} if cache is None else cache
    if (seed, n) not in cache:
        data = split(n, seed)
        cache[(seed, n)] = (data, pretrained_bases(data, seed))
    data, bases = cache[(seed, n)]
    torch.manual_seed(seed)
    agents = make_agents(data, bases, seed, poisoners)
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    cpm = CPM([a.name for a in agents], context="concat" if strategy == "linucb" else "symmetric",
              hardened=strategy == "linucb-hardened")
    counts = np.zeros((n, n), dtype=int)
    poisoned = exchanges = poisoned_late = exchanges_late = mixed = 0
    curve = []
    for r in range(1, rounds + 1):
        for a in agents:
            local_epoch(a, gen)
        alpha, temp = schedules(r, rounds)
        vals = [validation(a) for a in agents]
        profiles = [profile(a, acc, loss) for a, (acc, loss) in zip(agents, vals, strict=True)]
        if strategy == "central":
            ensemble = torch.stack([soft_labels(a, data.transfer_x, temp) for a in agents]).mean(dim=0)
            for a in agents:
                distill(a, ensemble, data.transfer_x, alpha, temp, gen)
        elif strategy != "local-only":
            if strategy == "random":
                pairs = random_pairs(agents, rng)
            elif strategy == "heuristic":
                pairs = heuristic_pairs(profiles)
            else:
                pairs = cpm.pairs(profiles)
            for s, t in pairs:
                pre = vals[s][1]
                distill(agents[s], soft_labels(agents[t], data.transfer_x, temp), data.transfer_x, alpha, temp, gen)
                post = validation(agents[s])[1]
                counts[t, s] += 1
                exchanges += 1
                bad = int(agents[t].poisoner and not agents[s].poisoner)
                poisoned += bad
                mixed += int(agents[t].poisoner != agents[s].poisoner)
                if 2 * r > rounds:
                    poisoned_late += bad
                    exchanges_late += 1
                if strategy.startswith("linucb"):
                    cpm.feedback(s, t, pre, post, teacher_lies=agents[t].poisoner)
        curve.append(float(np.mean([test_accuracy(a, data) for a in agents if not a.poisoner])))
    return Outcome(curve, counts, poisoned, exchanges, poisoned_late, exchanges_late, mixed)


def ci95(values: list[float]) -> tuple[float, float]:
    """Mean and the half-width of its 95% confidence interval (Student t)."""
    from scipy import stats

    v = np.asarray(values, dtype=float)
    if len(v) < 2:
        return float(v.mean()), float("nan")
    return float(v.mean()), float(stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v)))


def _plot(results: dict, out: Path, n: int) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
    for ax, (title, runs) in zip(axes, (("clean", results["clean"]), ("2 poisoners", results["adversarial"])),
                                 strict=True):
        for name, outcomes in runs.items():
            curves = np.array([o.curve for o in outcomes])
            ax.plot(range(1, curves.shape[1] + 1), curves.mean(axis=0), label=name)
        ax.set_title(f"honest agents' mean test accuracy ({title})")
        ax.set_xlabel("round")
        ax.legend()
    axes[0].set_ylabel("accuracy")
    fig.tight_layout()
    paths.append(out / "learning_curves.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
    for ax, (title, outcomes) in zip(axes, (("linucb, clean", results["clean"]["linucb"]),
                                            ("linucb, 2 poisoners (a0, a1)", results["adversarial"]["linucb"])),
                                     strict=True):
        counts = sum(o.counts for o in outcomes)
        im = ax.imshow(counts, cmap="viridis")
        ax.set_title(title)
        ax.set_xlabel("student")
        ax.set_ylabel("teacher")
        ax.set_xticks(range(n), [f"a{i}" for i in range(n)])
        ax.set_yticks(range(n), [f"a{i}" for i in range(n)])
        fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    paths.append(out / "pairing_matrix.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)
    return paths


def main(args: argparse.Namespace) -> int:
    """Run every strategy (clean and adversarial) over the seeds; print the table; write PNGs and JSON."""
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    rounds = args.rounds or (6 if args.quick else 20)
    seeds = args.seeds or (2 if args.quick else 5)
    n = args.agents
    if n < 6 or rounds < 1 or seeds < 1:
        print("peerproof simulate matchmaking: --agents must be >= 6, --rounds and --seeds >= 1")
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    plan = [("clean", s, 0) for s in CLEAN] + [("adversarial", s, POISONERS) for s in ADVERSARIAL]
    results: dict = {"clean": {}, "adversarial": {}}
    started = time.perf_counter()
    cache: dict = {}
    with Progress() as progress:
        task = progress.add_task("federation runs", total=len(plan) * seeds)
        for part, strategy, poisoners in plan:
            results[part][strategy] = []
            for seed in range(seeds):
                results[part][strategy].append(run_one(strategy, seed, rounds, n, poisoners, cache))
                progress.advance(task)
    console = Console()
    summary: dict = {"rounds": rounds, "seeds": seeds, "agents": n, "seconds": time.perf_counter() - started}
    for part, title in (("clean", "final test accuracy, honest agents"),
                        ("adversarial", f"with {POISONERS} poisoners (wrong soft labels, misreported profiles)")):
        table = Table(title=f"{title} — {n} agents, {rounds} rounds, {seeds} seeds, mean ± 95% CI")
        table.add_column("strategy", no_wrap=True, min_width=len("linucb-symmetric"))
        for col in ("accuracy", "± CI", "poisoner paired", "poisoner teaches", "in 2nd half"):
            table.add_column(col)
        summary[part] = {}
        for strategy, outcomes in results[part].items():
            mean, half = ci95([o.curve[-1] for o in outcomes])
            share = sum(o.poisoned for o in outcomes) / max(1, sum(o.exchanges for o in outcomes))
            late = sum(o.poisoned_late for o in outcomes) / max(1, sum(o.exchanges_late for o in outcomes))
            paired = sum(o.mixed for o in outcomes) / max(1, sum(o.exchanges for o in outcomes))
            shown = (f"{paired:.1%}", f"{share:.1%}", f"{late:.1%}") if part == "adversarial" else ("—",) * 3
            table.add_row(strategy, f"{mean:.4f}", f"{half:.4f}", *shown)
            summary[part][strategy] = {"mean": mean, "ci95": half, "poisoned_share": share, "poisoned_share_late": late,
                                       "poisoner_paired_share": paired,
                                       "finals": [o.curve[-1] for o in outcomes],
                                       "curve": np.mean([o.curve for o in outcomes], axis=0).tolist()}
        console.print(table)
    paths = _plot(results, out, n)
    (out / "results.json").write_text(json.dumps(summary, indent=1))
    console.print(f"wrote {', '.join(str(p) for p in paths)} and {out / 'results.json'} "
                  f"in {summary['seconds']:.0f} s")
    return 0
