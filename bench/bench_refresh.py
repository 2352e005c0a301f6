"""Benchmark: one decay refresh of P peers x T topics — numpy-vectorized model vs TypeScript's per-peer loop.

Target (issue 2): vectorized refresh >= 20x TypeScript's PeerScore.refreshScores() at 10,000 peers x 10
topics. Both run in this command on this machine; the figure is the ratio of their times.

    python bench/bench_refresh.py [--peers 10000] [--topics 10] [--repeats 50]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from pathlib import Path

import numpy as np
from peerproof.reference.gossipsub.vectorized import CounterTable, DecayVectors, refresh_table
from rich.console import Console
from rich.table import Table

from peerproof.adapters.install import ensure_node_harness, node_executable

TARGET = 20.0


def numpy_refresh_seconds(peers: int, topics: int, repeats: int) -> float:
    """Seconds per vectorized refresh on a table shaped like the TypeScript run's state."""
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
    for _ in range(3):
        refresh_table(table, vectors, 1000)
    start = time.perf_counter()
    for i in range(repeats):
        refresh_table(table, vectors, 1000 * (i + 2))
    return (time.perf_counter() - start) / repeats


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
    vec = numpy_refresh_seconds(args.peers, args.topics, args.repeats)
    table = Table(title=f"decay refresh, {args.peers} peers x {args.topics} topics")
    table.add_column("implementation")
    table.add_column("ms / refresh", justify="right")
    table.add_row("TypeScript PeerScore.refreshScores (per peer)", f"{ts * 1000:.3f}")
    table.add_row("peerproof vectorized (numpy)", f"{vec * 1000:.3f}")
    table.add_row("speed-up (TS / vectorized)", f"{ts / vec:.1f}x (target >= {TARGET:.0f}x)")
    Console().print(table)


if __name__ == "__main__":
    main()
