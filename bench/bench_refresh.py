"""Benchmark: one decay refresh of P peers x T topics — the vectorized model vs TypeScript's per-peer loop.

Target (issue 12): the vectorized refresh >= 20x TypeScript's PeerScore.refreshScores() at 10,000 peers x
10 topics, as one fused pass over memory (GS-FAST-7; the numpy version, six passes, is shown beside it).
All run in this command on this machine; the figures are ratios of their times, and the memory bandwidth
the fused pass reaches (bytes of the arrays it reads plus those it writes, per second).

    python bench/bench_refresh.py [--peers 10000] [--topics 10] [--repeats 50]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from peerproof.reference.gossipsub.vectorized import CounterTable, DecayVectors, refresh_table, refresh_table_numpy
from rich.console import Console
from rich.table import Table

from peerproof.adapters.install import ensure_node_harness, node_executable

TARGET = 20.0


def bench_table(peers: int, topics: int) -> tuple[CounterTable, DecayVectors]:
    """A table shaped like the TypeScript run's state: every peer in every topic's mesh, counters set."""
    shape = (topics, peers)
    counters = np.empty((4, *shape))
    counters[0] = 500 + (np.arange(peers) % 7)[None, :]
    counters[1] = 300 + (np.arange(topics) % 5)[:, None]
    counters[2] = 50
    counters[3] = 20
    table = CounterTable([f"p{i}" for i in range(peers)], [f"t{j}" for j in range(topics)],
                         np.ones(shape, bool), np.ones(shape, bool), np.zeros(shape, bool),
                         np.zeros(shape, np.int64), np.zeros(shape, np.int64), counters,
                         np.zeros(peers))
    vectors = DecayVectors(np.full((4, topics, 1), 0.999), np.full((topics, 1), 5000, np.int64), 0.999, 0.01)
    return table, vectors


def refresh_seconds(refresh: Callable[..., None], peers: int, topics: int, repeats: int) -> float:
    """Seconds per refresh with ``refresh`` (warmed up: the fused kernel compiled or loaded)."""
    table, vectors = bench_table(peers, topics)
    for _ in range(3):
        refresh(table, vectors, 1000)
    start = time.perf_counter()
    for i in range(repeats):
        refresh(table, vectors, 1000 * (i + 2))
    return (time.perf_counter() - start) / repeats


def bytes_moved(table: CounterTable) -> int:
    """Bytes the fused pass reads (counters, mesh flags, graft times, activation flags) plus writes (counters,
    mesh times, activation flags), behaviour penalties included."""
    read = table.counters.nbytes + table.in_mesh.nbytes + table.graft_time_ms.nbytes + table.active.nbytes
    written = table.counters.nbytes + table.mesh_time_ms.nbytes + table.active.nbytes
    return read + written + 2 * table.behaviour_penalty.nbytes


def ts_refresh_seconds(peers: int, topics: int, repeats: int) -> float:
    """Seconds per TypeScript refreshScores() (Node, JIT warmed up)."""
    harness = ensure_node_harness()
    script = Path(__file__).with_name("ts_refresh.mjs")
    out = subprocess.run([node_executable(), str(script), str(peers), str(topics), str(repeats)],
                         capture_output=True, text=True, check=True,
                         env={**os.environ, "PEERPROOF_NODE_HARNESS": str(harness)})
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds_per_refresh"]


def main() -> None:
    """Run both refreshes and print their times and the speed-up against the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers", type=int, default=10_000)
    parser.add_argument("--topics", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    ts = ts_refresh_seconds(args.peers, args.topics, args.repeats)
    fused = refresh_seconds(refresh_table, args.peers, args.topics, args.repeats)
    plain = refresh_seconds(refresh_table_numpy, args.peers, args.topics, args.repeats)
    gbs = bytes_moved(bench_table(args.peers, args.topics)[0]) / fused / 1e9
    table = Table(title=f"decay refresh, {args.peers} peers x {args.topics} topics")
    table.add_column("implementation")
    table.add_column("ms / refresh", justify="right")
    table.add_column("speed-up vs TS", justify="right")
    table.add_row("TypeScript PeerScore.refreshScores (per peer)", f"{ts * 1000:.3f}", "1.0x")
    table.add_row("peerproof vectorized, fused pass (numba)", f"{fused * 1000:.3f}",
                  f"{ts / fused:.1f}x (target >= {TARGET:.0f}x)")
    table.add_row("peerproof vectorized, numpy (6 passes)", f"{plain * 1000:.3f}", f"{ts / plain:.1f}x")
    table.add_row("fused pass memory bandwidth", f"{gbs:.2f} GB/s", "")
    Console().print(table)


if __name__ == "__main__":
    main()
