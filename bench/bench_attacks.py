"""Benchmark: attack synthesis and proofs on the bundled ACL2s configs, z3 against Hypothesis.

Targets (issue 3), measured in this one command on this machine:

* time to the first Eth2 attack — eth2-acl2s, ``penalizes-non-forwarding`` in the aggregate topic
  (CVE-2022-47547), by the z3 engine: <= 10 s;
* time for the Filecoin proofs at depth 100 — every property of filecoin-acl2s that the closed forms
  prove (``holds``, unbounded), each re-proved by z3 unrolled to 100 decay intervals: <= 60 s;
* z3 vs Hypothesis time to the first attack, as a ratio, on each eth2-acl2s attack.

Each engine runs in this process (no child processes), once per row, after one warm-up call that
loads z3 and Hypothesis; times are wall-clock seconds and include confirming the attack on the
replayed trace (both engines do that before they return a violation).

    python bench/bench_attacks.py [--timeout 60] [--samples 300] [--depth 100]
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

from peerproof.attacks.finding import Finding
from peerproof.reference.gossipsub import Config, load_config
from peerproof.spec import bundled_config_path
from rich.console import Console
from rich.table import Table

ETH2, FILECOIN = "eth2-acl2s", "filecoin-acl2s"
AGGREGATE = "beacon_aggregate_and_proof"
ETH2_ATTACKS = (("penalizes-non-forwarding", AGGREGATE), ("topic-consistency", AGGREGATE),
                ("misbehaviour-lowers-score", None))
FIRST_ATTACK_TARGET_S, FILECOIN_TARGET_S = 10.0, 60.0


def timed(run: Callable[[], Finding | None]) -> tuple[Finding | None, float]:
    """The engine's finding and the wall-clock seconds it took."""
    start = time.perf_counter()
    finding = run()
    return finding, time.perf_counter() - start


def z3_attack(config: Config, slug: str, topic: str | None, args: argparse.Namespace) -> Finding:
    """The z3 bounded model checker on one property."""
    from peerproof.attacks.gossipsub import synthesize

    return synthesize(config, slug, topic, depth=args.depth, timeout_s=args.timeout)


def hypothesis_attack(config: Config, slug: str, topic: str | None, args: argparse.Namespace) -> Finding:
    """The Hypothesis targeted search on one property."""
    from peerproof.attacks.gossipsub.search import search

    return search(config, slug, topic, budget=args.samples, timeout_s=args.timeout)


def filecoin_proofs(config: Config, args: argparse.Namespace) -> list[tuple[str, str | None, Finding | None, float]]:
    """Every property (per topic) of the Filecoin config that the closed forms prove, re-proved by z3 at
    ``depth`` (the bounded proof beside the unbounded argument), with the closed form's own time."""
    from peerproof.attacks.gossipsub import prove, synthesize
    from peerproof.properties.gossipsub.security import PROPERTIES, applicable_topics

    rows = []
    for slug in PROPERTIES:
        for topic in applicable_topics(config, slug):
            found, seconds = timed(lambda slug=slug, topic=topic: prove(config, slug, topic))
            rows.append((slug, topic, found, seconds))
            if found is not None and found.verdict == "holds":
                z3, z3_s = timed(lambda slug=slug, topic=topic: synthesize(config, slug, topic, depth=args.depth,
                                                                            timeout_s=args.timeout))
                rows.append((slug, topic, z3, z3_s))
    return rows


def verdict(f: Finding | None) -> str:
    """Verdict and engine in a cell."""
    return "—" if f is None else f"{f.verdict} ({f.engine})"


def main() -> None:
    """Run every measurement and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="z3: its budget in seconds' worth of resource units (GS-Z3-1); the search: seconds")
    parser.add_argument("--samples", type=int, default=300, help="Hypothesis plans per search")
    parser.add_argument("--depth", type=int, default=100, help="decay intervals z3 unrolls")
    args = parser.parse_args()
    console = Console()
    eth2, filecoin = (load_config(bundled_config_path(n)) for n in (ETH2, FILECOIN))
    console.print(f"{os.cpu_count()} cores; timeout {args.timeout:g} s per call, {args.samples} Hypothesis plans, "
                  f"depth {args.depth}")
    timed(lambda: z3_attack(eth2, "fairness", None, argparse.Namespace(depth=2, timeout=5.0)))  # warm-up
    timed(lambda: hypothesis_attack(eth2, "fairness", None, argparse.Namespace(samples=2, timeout=5.0)))

    table = Table(title=f"Time to the first attack on {ETH2} (seconds)", title_justify="left")
    for column in ("property", "topic", "z3", "z3 s", "Hypothesis", "Hypothesis s", "z3 / Hypothesis"):
        table.add_column(column, justify="right" if column.endswith(("s", "Hypothesis")) else "left")
    first_attack: float | None = None
    for slug, topic in ETH2_ATTACKS:
        z3, z3_s = timed(lambda slug=slug, topic=topic: z3_attack(eth2, slug, topic, args))
        hyp, hyp_s = timed(lambda slug=slug, topic=topic: hypothesis_attack(eth2, slug, topic, args))
        if slug == "penalizes-non-forwarding":
            first_attack = z3_s if z3 is not None and z3.verdict == "violated" else None
        ratio = f"{z3_s / hyp_s:.2f}" if hyp_s > 0 else "—"
        table.add_row(slug, topic or "—", verdict(z3), f"{z3_s:.2f}", verdict(hyp), f"{hyp_s:.2f}", ratio)
    console.print(table)

    rows = filecoin_proofs(filecoin, args)
    proofs = Table(title=f"{FILECOIN}: every property at depth {args.depth} (seconds)", title_justify="left")
    for column in ("property", "topic", "verdict", "bound", "s"):
        proofs.add_column(column, overflow="fold")
    for slug, topic, f, seconds in rows:
        proofs.add_row(slug, topic or "—", verdict(f), (f.bound or "—") if f else "—", f"{seconds:.2f}")
    console.print(proofs)
    proof_s = sum(s for _slug, _topic, f, s in rows if f is not None and f.verdict in ("holds", "holds-bounded"))
    z3_bounded = sum(1 for _slug, _topic, f, _s in rows if f is not None and f.engine == "z3"
                     and f.verdict in ("holds", "holds-bounded"))
    all_s = sum(s for *_rest, s in rows)

    summary = Table(title="Targets", title_justify="left")
    for column in ("measure", "seconds", "target", "met"):
        summary.add_column(column)
    if first_attack is None:
        summary.add_row(f"first Eth2 attack (z3, {AGGREGATE})", "no attack", f"<= {FIRST_ATTACK_TARGET_S:g}", "no")
    else:
        summary.add_row(f"first Eth2 attack (z3, {AGGREGATE})", f"{first_attack:.2f}",
                        f"<= {FIRST_ATTACK_TARGET_S:g}", "yes" if first_attack <= FIRST_ATTACK_TARGET_S else "no")
    summary.add_row(f"Filecoin proofs: closed forms + z3 at depth {args.depth} ({z3_bounded} z3 proofs)",
                    f"{proof_s:.2f}",
                    f"<= {FILECOIN_TARGET_S:g}", "yes" if proof_s <= FILECOIN_TARGET_S else "no")
    summary.add_row(f"all of {FILECOIN} (every property and topic)", f"{all_s:.2f}", "—", "—")
    console.print(summary)


if __name__ == "__main__":
    main()
