"""Bench: z3 time per law (CR-PROP-1..4, 6, 9) on every bundled crdt config, and the verdict it gives.

    .venv/bin/python bench/bench_crdt_z3.py
"""

from __future__ import annotations

import time

from peerproof.properties.crdt.catalogue import LAWS
from peerproof.properties.crdt.z3laws import check_invariant, check_law
from peerproof.reference.crdt import load_config
from peerproof.spec import bundled_configs


def main() -> None:
    """One line per config: each law's z3 answer and its time in ms."""
    print(f"{'config':30s} " + " ".join(f"{law.removeprefix('merge-').removeprefix('update-'):>18s}" for law in LAWS)
          + "   extra")
    for bundled in bundled_configs("crdt"):
        config = load_config(bundled.path)
        cells = []
        for law in LAWS:
            start = time.perf_counter()
            answer = check_law(config, law)
            cells.append(f"{answer.result:>7s} {1000 * (time.perf_counter() - start):7.1f}ms")
        extra = ""
        if config.min_value is not None:
            start = time.perf_counter()
            extra = f"invariant {check_invariant(config).result} {1000 * (time.perf_counter() - start):.1f}ms"
        if config.type == "op-log":
            start = time.perf_counter()
            answer = check_law(config, "merge-commutative", honest=False)
            extra = f"byzantine-commutative {answer.result} {1000 * (time.perf_counter() - start):.1f}ms"
        print(f"{bundled.name:30s} " + " ".join(f"{c:>18s}" for c in cells) + "   " + extra)


if __name__ == "__main__":
    main()
