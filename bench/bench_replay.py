"""Benchmark: replay throughput (events/s) of the reference model and of TypeScript's PeerScore.

Both replay the same trace of N events (default 10^6: connections, grafts/prunes, first, near-first and
duplicate deliveries, invalid messages, penalties, IPs, over 200 peers and 4 topics, with decay
refreshes every second of simulated time) in the ``ts`` dialect, in this one command, and the final
scores are compared so the two really did the same work. Target (issue 2): reference >= 1x TypeScript.

    python bench/bench_replay.py [--events 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

from peerproof.reference.gossipsub import (
    AddIP,
    AddPeer,
    Config,
    Deliver,
    Duplicate,
    Event,
    Graft,
    Invalid,
    Penalty,
    Prune,
    RemovePeer,
    config_from_mapping,
    event_to_dict,
    get_dialect,
    initial_state,
    observe,
    step,
)
from peerproof.reference.trace import compare
from rich.console import Console
from rich.table import Table

from peerproof.adapters.ts_gossipsub import TsPeerScoreAdapter

TARGET = 1.0
TOPICS = ("blocks", "aggregates", "attestations", "exits")


def bench_config() -> Config:
    """Eth2-like topic parameters (weights and decays in the range of the bundled Eth2 configs)."""
    topic = {"topic_weight": 0.5, "time_in_mesh_weight": 0.0333, "time_in_mesh_quantum": "12s", "time_in_mesh_cap": 300,
             "first_message_deliveries_weight": 1.1, "first_message_deliveries_decay": 0.99,
             "first_message_deliveries_cap": 35, "mesh_message_deliveries_weight": -0.5,
             "mesh_message_deliveries_decay": 0.97, "mesh_message_deliveries_cap": 20,
             "mesh_message_deliveries_threshold": 5, "mesh_message_deliveries_window": "2s",
             "mesh_message_deliveries_activation": "30s", "mesh_failure_penalty_weight": -0.5,
             "mesh_failure_penalty_decay": 0.97, "invalid_message_deliveries_weight": -215,
             "invalid_message_deliveries_decay": 0.997}
    return config_from_mapping({
        "protocol": "gossipsub", "name": "bench", "dialect": "ts",
        "score_params": {"topics": dict.fromkeys(TOPICS, topic), "topic_score_cap": 53.75, "app_specific_weight": 1,
                         "ip_colocation_factor_weight": -53.75, "ip_colocation_factor_threshold": 3,
                         "behaviour_penalty_weight": -15.9, "behaviour_penalty_threshold": 6,
                         "behaviour_penalty_decay": 0.986, "decay_interval": "1s", "decay_to_zero": 0.01,
                         "retain_score": "100s"},
        "thresholds": {"gossip_threshold": -4000, "publish_threshold": -8000, "graylist_threshold": -16000,
                       "accept_px_threshold": 100, "opportunistic_graft_threshold": 5},
    })


def workload(n: int, seed: int = 7) -> list[Event]:
    """A deterministic mixed workload of ``n`` events, about 1,000 per simulated second."""
    rng = random.Random(seed)
    peers = [f"p{i}" for i in range(200)]
    events: list[Event] = []
    for i, p in enumerate(peers):
        events.append(AddPeer(0, p))
        events.append(AddIP(0, p, f"10.0.{i % 60}.1"))
        events.extend(Graft(0, p, t) for t in TOPICS)
    now, msg = 0, 0
    while len(events) < n:
        now += rng.choice((0, 1, 1, 2))
        p, t = rng.choice(peers), rng.choice(TOPICS)
        r = rng.random()
        if r < 0.45:
            msg += 1
            events.append(Deliver(now, p, t, f"m{msg}"))
        elif r < 0.85:
            events.append(Duplicate(now, p, t, f"m{max(1, msg - rng.randint(0, 40))}"))
        elif r < 0.9:
            events.append(Invalid(now, p, t, None))
        elif r < 0.94:
            events.append(Penalty(now, p, 1.0))
        elif r < 0.97:
            events.append(Prune(now, p, t))
        elif r < 0.99:
            events.append(Graft(now, p, t))
        elif r < 0.995:
            events.append(RemovePeer(now, p))
        else:
            events.append(AddPeer(now, p))
    return events[:n]


def main() -> None:
    """Replay the workload in both implementations and print throughput and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="keep the generated trace in this directory")
    args = parser.parse_args()
    console = Console()
    config = bench_config()
    events = workload(args.events)
    out_dir = args.keep or Path(tempfile.mkdtemp(prefix="peerproof-bench-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "events.json"
    path.write_text(json.dumps([event_to_dict(e) for e in events]))
    console.print(f"{len(events)} events, {events[-1].at_ms / 1000:.0f} s simulated, trace at {path}")

    dialect = get_dialect("ts")
    start = time.perf_counter()
    parsed = json.loads(path.read_text())
    parse_s = time.perf_counter() - start
    start = time.perf_counter()
    state = initial_state(config, dialect=dialect)
    for event in events:
        state = step(config, state, event, dialect)
    ref_s = time.perf_counter() - start
    reference_final = observe(config, state, dialect)["peers"]

    with TsPeerScoreAdapter() as ts:
        ts.reset(config)
        result = ts.replay_file(path, observe=True)
    ts_s = result["elapsed_ms"] / 1000
    differences = compare(reference_final, result["observation"]["peers"])

    table = Table(title="replay throughput, same trace, ts dialect")
    table.add_column("implementation")
    table.add_column("events/s", justify="right")
    table.add_column("seconds", justify="right")
    table.add_row("peerproof reference model (pure step)", f"{len(events) / ref_s:,.0f}", f"{ref_s:.2f}")
    table.add_row("TypeScript PeerScore (in-process loop)", f"{len(events) / ts_s:,.0f}", f"{ts_s:.2f}")
    table.add_row("ratio reference / TS", f"{ts_s / ref_s:.3f}x (target >= {TARGET:.0f}x)", "")
    table.add_row("(JSON parse of the trace in Python)", f"{len(parsed) / parse_s:,.0f}", f"{parse_s:.2f}")
    console.print(table)
    verdict = "identical final observables"
    if differences:
        verdict = f"{len(differences)} DIFFERENCES, e.g. {differences[0]}"
    console.print(f"final scores, reference vs TS: {verdict}")


if __name__ == "__main__":
    main()
