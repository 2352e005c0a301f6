"""``peerproof simulate crdt``: the parallax announcement workload on a lossy network, minute by minute.

Each peer announces its layer range under key ``gradient_announce``, subkey = its writer id, with a 60 s
expiry, every 10 s (GradientHQ/parallax src/parallax/p2p/server.py @ 162354a0), as an expiring key/subkey
map; every message is lost with probability ``--loss`` or delivered 0-2 s later; every 5 s each peer
ships its whole state to one random peer (anti-entropy); peers leave and come back (``--churn``). An
optional attacker writes p0's subkey, claiming every layer, far in the future (``--attack inflation``).
Per minute: how many online peers read the same announcements as the majority, announcements of
departed peers still visible, peers reading the hijacked announcement, the largest state, records
refused. Every step is the model's own ``step``; runs are seeded.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import replace
from typing import Any

from peerproof.reference.crdt import MODEL, Config, Deliver, Drop, Sync, Update, datatype, load_config
from peerproof.reference.crdt.identity import public_hex, test_private_key
from peerproof.reference.crdt.signer import sign_update
from peerproof.spec import bundled_config_path

ANNOUNCE_MS, TTL_MS, SYNC_MS = 10_000, 60_000, 5_000  # parallax server.py: every 10 s, expiration now + 60 s
KEY = "gradient_announce"  # parallax's default dht_prefix "gradient" + "_announce"
HIJACK = "0-1000"  # the attacker's claim: every layer


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The simulation's options."""
    parser.add_argument("--config", default="expiring-map-owned-subkeys", help="a bundled expiring-map config")
    parser.add_argument("--peers", type=int, default=8)
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--loss", type=float, default=0.1)
    parser.add_argument("--churn", type=float, default=0.05, help="chance a peer leaves (or returns) each minute")
    parser.add_argument("--attack", choices=("none", "inflation"), default="none")
    parser.add_argument("--seed", type=int, default=0)


def network(base: Config, peers: int) -> Config:
    """The config with ``peers`` replicas p0.. (test keys), the last one the attacker."""
    names = tuple(f"p{i}" for i in range(peers))
    keys = {n: public_hex(test_private_key(n)) for n in names} if base.scheme == "ed25519" else {}
    return replace(base, replicas=names, keys=keys)


def simulate(config: Config, minutes: int, loss: float, churn: float, attack: str, seed: int) -> list[dict[str, Any]]:
    """Run the workload; one row of figures per minute."""
    rng = random.Random(seed)
    dialect, state = MODEL.start(config)
    attacker, victim = config.replicas[-1], config.true_id(config.replicas[0])
    online = set(config.replicas)
    due: dict[int, int] = {}  # message id -> delivery time (ms)
    dt = datatype(config.type)
    rows = []

    def step(event: Any) -> None:
        nonlocal state
        before = state.next_msg
        state = MODEL.step(config, state, event, dialect)
        for msg_id in range(before, state.next_msg):
            due[msg_id] = -1 if rng.random() < loss else event.at_ms + rng.randrange(0, 2001, 500)

    for second in range(1, 60 * minutes + 1):
        now = second * 1000
        for i, peer in enumerate(config.replicas):
            if peer in online and (now + 1000 * i) % ANNOUNCE_MS == 0:
                update = Update(now, peer, "set", key=KEY, value=f"{4 * i}-{4 * i + 4}", expiry_ms=now + TTL_MS)
                step(sign_update(config, state, update))
            if peer in online and (now + 1000 * i) % SYNC_MS == 0:
                step(Sync(now, peer, rng.choice([p for p in config.replicas if p != peer])))
        if attack == "inflation" and second % 60 == 30:  # p0's subkey, claiming every layer, far ahead, sent to
            for peer in sorted(online - {attacker}):  # each peer directly (a Byzantine sender skips its own checks)
                bad = Update(now, attacker, "set", key=KEY, subkey=victim, value=HIJACK, expiry_ms=now + 10**9,
                             to=peer)
                step(sign_update(config, state, bad))
        for msg in list(state.buffer):
            when = due.pop(msg.id, None)
            if (when is not None and when < 0) or msg.dst not in online:
                step(Drop(now, msg.id))
            elif when is not None and when <= now:
                step(Deliver(now, msg.id))
            elif when is not None:
                due[msg.id] = when
        if second % 60 == 0:
            reads = {p: repr(dt.query(config, state.replicas[p].state, now)) for p in sorted(online)}
            majority = max(set(reads.values()), key=list(reads.values()).count)
            departed = set(config.replicas) - online
            stale = max((sum(1 for sub in dt.query(config, state.replicas[p].state, now).get(KEY, {})
                             if any(sub == config.true_id(d) for d in departed)) for p in online), default=0)
            hijacked = sum(1 for p in online
                           if dt.query(config, state.replicas[p].state, now).get(KEY, {}).get(victim) == HIJACK)
            rows.append({"minute": second // 60, "online": len(online),
                         "agree": sum(1 for r in reads.values() if r == majority), "hijacked": hijacked,
                         "stale": stale, "max_size": max(dt.size(r.state) for r in state.replicas.values()),
                         "rejected": state.rejected})
            for p in config.replicas[:-1]:
                if rng.random() < churn:
                    online.symmetric_difference_update({p})
    return rows


def run(args: argparse.Namespace) -> int:
    """Print the per-minute table; exit 0."""
    base = load_config(bundled_config_path(args.config))
    if base.type != "expiring-map":
        print(f"{args.config}: the announcement workload needs an expiring-map config")
        return 2
    config = network(base, args.peers)
    rows = simulate(config, args.minutes, args.loss, args.churn, args.attack, args.seed)
    print(f"{args.config}: {args.peers} peers, loss {args.loss:g}, churn {args.churn:g}/min, attack {args.attack}, "
          f"seed {args.seed}")
    print(f"{'minute':>6s} {'online':>6s} {'agree':>6s} {'stale':>6s} {'hijacked':>8s} {'size':>6s} {'rejected':>8s}")
    for r in rows:
        print(f"{r['minute']:6d} {r['online']:6d} {r['agree']:6d} {r['stale']:6d} {r['hijacked']:8d} "
              f"{r['max_size']:6d} {r['rejected']:8d}")
    return 0
