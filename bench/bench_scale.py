"""Benchmark: refresh + score of a router with 100,000 peers x 100 topics — time and peak memory (issue 12).

One decay refresh (GS-DECAY) and one score of every peer (GS-SCORE) on the vectorized counter table, as
the fused single passes (GS-FAST-7). The table is synthetic (every peer in every topic's mesh, counters
set, so every branch of the score runs); its parameters are the replay benchmark's Eth2-like ones. Peak
memory is the largest the process's traced allocations reached (tracemalloc, which counts numpy's
buffers) and the process's peak resident set, both printed.

    python bench/bench_scale.py [--peers 100000] [--topics 100] [--repeats 5]
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np
from bench_refresh import bytes_moved
from bench_replay import TOPICS, bench_config
from peerproof.reference.gossipsub import get_dialect
from peerproof.reference.gossipsub.vectorized import (
    CounterTable,
    DecayVectors,
    refresh_table,
    score_table,
    score_vectors,
)
from rich.console import Console
from rich.table import Table


def scale_table(peers: int, topics: int) -> CounterTable:
    """Every peer grafted in every topic at a different time, counters set around the thresholds."""
    shape = (topics, peers)
    rows = np.arange(peers)
    counters = np.empty((4, *shape))
    counters[0] = (rows % 40)[None, :]
    counters[1] = (rows % 9)[None, :] + np.arange(topics)[:, None] % 3
    counters[2] = (rows % 5)[None, :]
    counters[3] = (rows % 3)[None, :]
    graft = np.broadcast_to((rows % 600_000)[None, :], shape).astype(np.int64)
    return CounterTable([], [], np.ones(shape, bool), np.ones(shape, bool), np.zeros(shape, bool), graft,
                        np.zeros(shape, np.int64), counters, (rows % 8).astype(float))


def main() -> None:
    """Build the table, time refresh + score, print time and peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers", type=int, default=100_000)
    parser.add_argument("--topics", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    config = bench_config()
    tp = config.score.topics[TOPICS[0]]  # one Eth2-like topic's parameters for every topic
    names = [TOPICS[0]] * args.topics
    decays = [tp.first_message_deliveries_decay, tp.mesh_message_deliveries_decay, tp.mesh_failure_penalty_decay,
              tp.invalid_message_deliveries_decay]
    vectors = DecayVectors(np.array(decays).reshape(4, 1, 1).repeat(args.topics, axis=1),
                           np.full((args.topics, 1), tp.mesh_message_deliveries_activation_ms, np.int64),
                           config.score.behaviour_penalty_decay, config.score.decay_to_zero)
    weights = score_vectors(config, names, get_dialect("go"))
    app, p6 = np.zeros(args.peers), np.zeros(args.peers)

    small = scale_table(10, 2)  # compile or load the kernels outside the measurement
    refresh_table(small, DecayVectors(vectors.factors[:, :2], vectors.activation_ms[:2], 0.9, 0.01), 1)
    score_table(small, score_vectors(config, names[:2], get_dialect("go")), np.zeros(10), np.zeros(10))

    tracemalloc.start()
    start = time.perf_counter()
    table = scale_table(args.peers, args.topics)
    build_s = time.perf_counter() - start
    refresh_s, score_s = [], []
    for i in range(args.repeats):
        start = time.perf_counter()
        refresh_table(table, vectors, 700_000 + 1000 * i)
        refresh_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        scores = score_table(table, weights, app, p6)
        score_s.append(time.perf_counter() - start)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    cells = args.peers * args.topics
    out = Table(title=f"refresh + score, {args.peers:,} peers x {args.topics} topics ({cells:,} peer-topic cells)")
    out.add_column("measure")
    out.add_column("value", justify="right")
    size = sum(a.nbytes for a in vars(table).values() if isinstance(a, np.ndarray))
    out.add_row("table size (arrays)", f"{size / 2**20:,.0f} MiB")
    out.add_row(f"refresh, fused pass (best of {args.repeats})", f"{min(refresh_s) * 1000:,.1f} ms")
    out.add_row("refresh memory bandwidth", f"{bytes_moved(table) / min(refresh_s) / 1e9:.2f} GB/s")
    out.add_row(f"score of every peer, fused pass (best of {args.repeats})", f"{min(score_s) * 1000:,.1f} ms")
    out.add_row("refresh + score", f"{(min(refresh_s) + min(score_s)) * 1000:,.1f} ms")
    out.add_row("peak traced memory (tracemalloc)", f"{peak / 2**20:,.0f} MiB")
    out.add_row("peak resident set of the process", f"{rss_mib:,.0f} MiB")
    out.add_row("(building the synthetic table)", f"{build_s:.2f} s")
    out.add_row("(check: mean score)", f"{float(np.mean(scores)):.6g}")
    Console().print(out)


if __name__ == "__main__":
    main()
