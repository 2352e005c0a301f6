"""GS-NET-RUN-1: a run is a function of its scenario, parameters and seed (numpy SeedSequence streams)."""

from __future__ import annotations

from dataclasses import replace

from peerproof.attacks.gossipsub.network.runner import Task, run_task, sized
from peerproof.reference.gossipsub.network import load_scenario

SMALL = replace(sized(load_scenario("cold-boot"), 20), warmup_ms=5000, run_ms=20_000, cooldown_ms=2000)


def test_gs_net_run_1_same_seed_same_run() -> None:
    a, b = run_task(Task(SMALL, seed=7)), run_task(Task(SMALL, seed=7))
    assert a == b


def test_gs_net_run_1_seeds_give_independent_networks() -> None:
    a, b = run_task(Task(SMALL, seed=1)), run_task(Task(SMALL, seed=2))
    assert a["series"] != b["series"] or a["latency_cdf"] != b["latency_cdf"]


def test_gs_net_run_4_joblib_workers_give_the_same_runs_as_one_process() -> None:
    from peerproof.attacks.gossipsub.network.runner import run_tasks

    tasks = [Task(SMALL, seed=k) for k in range(3)]
    assert run_tasks(tasks, n_jobs=2) == run_tasks(tasks, n_jobs=1)
