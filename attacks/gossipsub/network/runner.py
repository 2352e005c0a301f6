"""Scenario runs (GS-NET-RUN-4): one (scenario, parameters, seed) run as a picklable task, many with joblib.

A task is one module-level call, so joblib's loky processes (or its Dask and Ray backends, through
``peerproof sweep --backend``) run it unchanged; seeds derive each run's streams (SeedSequence).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from peerproof.attacks.gossipsub.network.metrics import across_seeds, summarise
from peerproof.reference.gossipsub.network import Scenario, resolve_config, scaled, simulate


@dataclass(frozen=True)
class Task:
    """One run: a scenario (already scaled), the score-parameter choice, scoring on/off, the seed."""

    scenario: Scenario
    config: str | None = None
    seed: int = 0
    scoring: bool | None = None


def sized(s: Scenario, peers: int | None = None, run_s: float | None = None) -> Scenario:
    """The scenario at ``peers`` honest peers and a run phase of ``run_s`` seconds (each if given)."""
    if peers is not None and peers != s.honest:
        s = scaled(s, peers)
    if run_s is not None:
        s = replace(s, run_ms=int(run_s * 1000))
    return s


def run_task(task: Task, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Simulate one task and summarise it (GS-NET-MET-1)."""
    s = task.scenario if task.scoring is None else replace(task.scenario, scoring=task.scoring)
    cfg, topic = resolve_config(s, task.config)
    return summarise(simulate(s, cfg, topic, seed=task.seed, progress=progress))


def run_tasks(tasks: Sequence[Task], n_jobs: int = 1, backend: str | None = None) -> list[dict[str, Any]]:
    """Every task's summary, in order; ``n_jobs`` > 1 runs them in joblib workers (``backend`` as joblib names
    it: loky by default, or dask/ray once registered)."""
    if n_jobs == 1 and backend is None:
        return [run_task(t) for t in tasks]
    from joblib import Parallel, delayed, parallel_backend

    if backend is None:
        return Parallel(n_jobs=n_jobs)(delayed(run_task)(t) for t in tasks)
    with parallel_backend(backend, n_jobs=n_jobs):
        return Parallel()(delayed(run_task)(t) for t in tasks)


def run_seeds(s: Scenario, seeds: int, config: str | None = None, scoring: bool | None = None,
              n_jobs: int = 1) -> tuple[list[dict[str, Any]], dict[str, dict[str, float]]]:
    """The scenario over seeds ``0..seeds-1``: per-seed summaries and their mean ± 95% CI (GS-NET-MET-2)."""
    summaries = run_tasks([Task(s, config, seed, scoring) for seed in range(seeds)], n_jobs=n_jobs)
    return summaries, across_seeds(summaries)
