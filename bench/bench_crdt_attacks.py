"""Bench: every crdt attack (CR-ATK-1..6) with and without its mitigation, and state growth under bloat.

For each attack, the trace against its naive config and against its mitigated config is recorded,
replayed (zero mismatches required) and written to ``OUT/<attack>-<config>.json``; the table says
whether the property's witness fires. Then replica a's metadata size after k attacker cycles (one a
second), with and without GC, and for the tombstone-free ORSWOT.

    .venv/bin/python bench/bench_crdt_attacks.py [--out peerproof-out/crdt-attacks]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from peerproof.attacks.crdt.bloat import growth
from peerproof.attacks.crdt.byzantine import ATTACKS, tie_order
from peerproof.properties.crdt.witness import WITNESSES, diverged
from peerproof.reference.crdt import load_config
from peerproof.reference.trace import record, replay, trace_to_dict
from peerproof.spec import bundled_config_path

PAIRS = [
    ("CR-ATK-1 timestamp inflation", "bounded-future", "lww-register-standard", "lww-register-bounded-clock"),
    ("CR-ATK-1 expiry inflation", "bounded-future", "expiring-map-hivemind", "expiring-map-owned-subkeys"),
    ("CR-ATK-2 forged writer id", "writer-authenticated", "lww-map-standard", "lww-register-bounded-clock"),
    ("CR-ATK-2 forged counter entry", "writer-authenticated", "pn-counter-standard", "pn-counter-signed"),
    ("CR-ATK-3 equivocation", "equivocation-tolerant", "op-log-writer-seq", "op-log-hash-graph"),
    ("CR-ATK-4 tie-order divergence", "strong-eventual-consistency", "lww-register-tie-keep-local",
     "lww-register-standard"),
    ("CR-ATK-5 GC resurrection", "gc-safe", "lww-map-gc-horizon", "lww-map-standard"),
    ("CR-ATK-6 metadata bloat", "metadata-bounded", "or-set-tombstones", "or-set-orswot"),
]
CHECKPOINTS = [10, 100, 1000]
GROWTH = ["lww-map-standard", "lww-map-gc-horizon", "or-set-tombstones", "or-set-remove-wins", "or-set-orswot",
          "expiring-map-hivemind", "expiring-map-owned-subkeys"]


def main() -> None:
    """Write and replay every attack trace pair; print the verdict table and the growth table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="peerproof-out/crdt-attacks")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(f"{'attack':32s} {'config':30s} {'events':>6s} {'replay':>7s}  witness")
    for title, slug, naive, mitigated in PAIRS:
        for name in (naive, mitigated):
            config = load_config(bundled_config_path(name))
            builder = tie_order if slug == "strong-eventual-consistency" else ATTACKS[slug]
            events = builder(config)
            trace = record("crdt", config, events, meta={"attack": title})
            mismatches = replay(trace)
            path = out / f"{title.split()[0]}-{name}.json"
            path.write_text(json.dumps(trace_to_dict(trace), indent=1) + "\n", encoding="utf-8")
            check = diverged if slug == "strong-eventual-consistency" else WITNESSES[slug]
            account = check(config, events)
            print(f"{title:32s} {name:30s} {len(events):6d} {'ok' if not mismatches else 'FAIL':>7s}  "
                  f"{'LANDS: ' + account[:70] if account else 'stopped'}")
    print(f"\nmetadata size at replica a after k attacker cycles (one a second): k = {CHECKPOINTS}")
    for name in GROWTH:
        config = load_config(bundled_config_path(name))
        sizes = growth(config, CHECKPOINTS)
        gc = "none" if config.gc_horizon_ms is None else f"{config.gc_horizon_ms / 1000:g}s"
        print(f"  {name:30s} gc {gc:>5s}  " + "  ".join(f"{sizes[k]:6d}" for k in CHECKPOINTS))


if __name__ == "__main__":
    main()
