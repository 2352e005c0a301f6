"""Benchmark: the GossipSub network simulator (spec/gossipsub-network.md) at the gossipsub-hardening size.

Performance (issue 13, in one run, each case in its own process so its peak memory is its own):
* hardening size: cold-boot, 1,000 honest + 4,000 Sybils x 20 links, 120 msg/s, gossip on:
  target <= 0.5 s wall per simulated second;
* 10,000 honest peers at 10 msg/s (no attack): target >= 2x10^4 honest peer-heartbeats/s;
* ratio: vectorised edge scoring (GS-NET-SCORE-1) against the reference model's ``score()`` per peer,
  the same edges' states, in this process.

``--experiments`` also runs the acceptance experiments (a)-(f) at full size (``--seeds``, default 5) and
writes their tables as JSON; that takes hours on two cores.

    python bench/bench_network.py [--sim-seconds 60] [--experiments --seeds 5 --jobs 2] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table


def perf_case(name: str, sim_seconds: float, queue: mp.Queue) -> None:
    """One performance case in a fresh process: wall per simulated second, heartbeats, peak RSS."""
    from peerproof.reference.gossipsub.network import load_scenario, resolve_config, scaled, simulate

    if name == "hardening":
        s = replace(load_scenario("cold-boot"), warmup_ms=0, run_ms=int(sim_seconds * 1000), cooldown_ms=0)
    else:
        s = replace(scaled(load_scenario("baseline"), 10_000), rate=10.0, warmup_ms=0,
                    run_ms=int(sim_seconds * 1000), cooldown_ms=0)
    cfg, topic = resolve_config(s)
    start, cpu = time.perf_counter(), time.process_time()
    rec = simulate(s, cfg, topic, seed=0)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    beats = s.duration_ms // cfg.router.heartbeat_interval_ms
    delivered = np.asarray(rec.message_delivered)
    queue.put({"case": name, "honest": s.honest, "sybils": s.sybils.count, "edges": int(rec.network.edges),
               "rate_per_s": s.rate, "sim_s": s.duration_ms / 1000, "wall_s": wall,
               "wall_per_sim_s": wall / (s.duration_ms / 1000), "honest_heartbeats_per_s": s.honest * beats / wall,
               # On a shared machine CPU time is the better estimate of an idle core's wall time.
               "cpu_s": cpu, "cpu_per_sim_s": cpu / (s.duration_ms / 1000),
               "honest_heartbeats_per_cpu_s": s.honest * beats / cpu,
               "deliveries_per_s": (rec.first_deliveries + rec.duplicates) / wall,
               "delivery_ratio": float(delivered.sum() / max(1, len(delivered) * (s.honest - 1))),
               "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def scoring_ratio(edges_n: int = 20_000) -> dict[str, Any]:
    """Edges scored per second: the vectorised scorer vs the reference ``score()`` on the same peers' states."""
    from peerproof.reference.gossipsub import MODEL, Deliver, Duplicate, Graft, Subscribe, Tick, score
    from peerproof.reference.gossipsub.events import AddPeer
    from peerproof.reference.gossipsub.network import edges as edge_scores
    from peerproof.reference.gossipsub.network import load_scenario, resolve_config

    cfg, topic = resolve_config(load_scenario("baseline"))
    peers = 200
    events: list = []
    for i in range(peers):
        events += [AddPeer(at_ms=0, peer=f"p{i}"), Subscribe(at_ms=0, peer=f"p{i}", topic=topic)]
        if i % 2:
            events.append(Graft(at_ms=0, peer=f"p{i}", topic=topic))
    for k in range(2000):
        events.append(Deliver(at_ms=10 * k + 1, peer=f"p{k % peers}", topic=topic, msg=f"m{k}"))
        events.append(Duplicate(at_ms=10 * k + 2, peer=f"p{(k + 1) % peers}", topic=topic, msg=f"m{k}"))
    events.append(Tick(at_ms=90_000))
    state = MODEL.final_state(cfg, events)
    start = time.perf_counter()
    ref = [score(cfg, state, f"p{i}") for i in range(peers)]
    ref_rate = peers / (time.perf_counter() - start)
    st = edge_scores.EdgeState(*(np.zeros(edges_n, dtype) for dtype in (bool, bool, np.int64, np.int64, np.int64,
                                                                         np.int64, float, float, bool, float, float,
                                                                         float, float)))
    rng = np.random.default_rng(0)
    st.mesh[:] = rng.random(edges_n) < 0.5
    st.mesh_time_ms[:] = rng.integers(0, 600_000, edges_n)
    st.first[:] = rng.random(edges_n) * 100
    st.mesh_deliveries[:] = rng.random(edges_n) * 20
    st.p3_active[:] = st.mesh
    dialect = MODEL.get_dialect(cfg.dialect)
    start = time.perf_counter()
    reps = 20
    for _ in range(reps):
        edge_scores.scores(cfg, topic, st, dialect)
    vec_rate = reps * edges_n / (time.perf_counter() - start)
    return {"reference_scores_per_s": ref_rate, "vectorised_scores_per_s": vec_rate, "ratio": vec_rate / ref_rate,
            "reference_sample": ref[:3]}


def experiments(seeds: int, jobs: int, out: Path, only: str) -> dict[str, Any]:
    """(a)-(f) at full size (those named in ``only``); each outcome as JSON under ``out`` as it completes."""
    from peerproof.attacks.gossipsub.network import experiments as X

    results = {}
    for name, run in (("a", lambda: X.baseline(seeds=seeds, n_jobs=jobs)),
                      ("b", lambda: X.eclipse(seeds=seeds, n_jobs=jobs)),
                      ("c", lambda: X.cold_boot(seeds=seeds, n_jobs=jobs)),
                      ("d", lambda: X.covert_flash(seeds=seeds, n_jobs=jobs)),
                      ("e", lambda: X.free_riding(seeds=seeds, n_jobs=jobs)),
                      ("f", lambda: X.false_positives(seeds=seeds, n_jobs=jobs))):
        if name not in only:
            continue
        start = time.perf_counter()
        outcome = asdict(run())
        outcome["wall_s"] = time.perf_counter() - start
        results[name] = outcome
        (out / f"experiment-{name}.json").write_text(json.dumps(outcome, indent=1, default=str) + "\n")
    return results


def main() -> None:
    """Run the performance cases (and the experiments if asked); print a table; write bench.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sim-seconds", type=float, default=60.0, help="simulated seconds per performance case")
    parser.add_argument("--experiments", action="store_true", help="also run (a)-(f) at full size")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", default="abcdef", help="which experiments, e.g. 'ace' (default all)")
    parser.add_argument("--skip-perf", action="store_true", help="only the experiments")
    parser.add_argument("--out", default="peerproof-out/bench-network")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    ctx = mp.get_context("spawn")
    rows = []
    for case in () if args.skip_perf else ("hardening", "10k-honest"):
        queue = ctx.Queue()
        proc = ctx.Process(target=perf_case, args=(case, args.sim_seconds, queue))
        proc.start()
        rows.append(queue.get())
        proc.join()
    if args.skip_perf:
        doc = {"experiments": experiments(args.seeds, args.jobs, out, args.only)}
        (out / "bench-experiments.json").write_text(json.dumps(doc, indent=1, default=str) + "\n")
        return
    ratio = scoring_ratio()
    doc: dict[str, Any] = {"performance": rows, "scoring_ratio": ratio}
    table = Table(title=f"network simulator, {args.sim_seconds:g} simulated seconds per case")
    for col in ("case", "honest", "sybils", "edges", "msg/s", "wall/sim s", "CPU/sim s", "honest hb/s",
                "hb/CPU s", "deliveries/s", "peak RSS"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(r["case"], str(r["honest"]), str(r["sybils"]), f"{r['edges']:,}", f"{r['rate_per_s']:g}",
                      f"{r['wall_per_sim_s']:.3f} s", f"{r['cpu_per_sim_s']:.3f} s",
                      f"{r['honest_heartbeats_per_s']:,.0f}", f"{r['honest_heartbeats_per_cpu_s']:,.0f}",
                      f"{r['deliveries_per_s']:,.0f}", f"{r['peak_rss_mib']:.0f} MiB")
    console = Console(width=140)
    console.print(table)
    console.print(f"edge scoring: vectorised {ratio['vectorised_scores_per_s']:,.0f}/s vs reference score() "
                  f"{ratio['reference_scores_per_s']:,.0f}/s: ratio {ratio['ratio']:,.0f}x (same process)")
    if args.experiments:
        doc["experiments"] = experiments(args.seeds, args.jobs, out, args.only)
    (out / "bench.json").write_text(json.dumps(doc, indent=1, default=str) + "\n")
    console.print(f"wrote {out / 'bench.json'}")


if __name__ == "__main__":
    main()
