"""Benchmark: the Hypothesis search's plan runner on the fast engine vs the pure model (issue 12).

The search spends nearly all its time running plans (``attacks/gossipsub/search/runner.py``): each plan's
events are stepped with the light heartbeat and both plan peers' breakdowns are sampled at every heartbeat
and tick. This runs the same plans, drawn from the search's own strategy for each bundled config below,
through both runners in this one process (the compiled kernel loaded beforehand), checks the samples are
equal, and prints plans per second and the ratio.

    python bench/bench_search_runner.py [--plans 40] [--horizon 50]
"""

from __future__ import annotations

import argparse
import random
import time

from hypothesis import strategies as st
from peerproof.attacks.gossipsub.search.plans import ATTACKER, TWIN, build_events
from peerproof.attacks.gossipsub.search.runner import fast_samples, pure_samples
from peerproof.attacks.gossipsub.search.space import plans, space_for
from peerproof.reference.gossipsub import MODEL, load_config
from peerproof.spec import bundled_config_path
from rich.console import Console
from rich.table import Table

CASES = (("eth2-lodestar", "misbehaviour-lowers-score", None),
         ("eth2-lighthouse", "penalizes-non-forwarding", "beacon_aggregate_and_proof"),
         ("filecoin-lotus", "topic-consistency", None))


def drawn(strategy: st.SearchStrategy, n: int, seed: int) -> list:
    """``n`` examples of ``strategy``, reproducibly (Hypothesis's own drawing, outside a test)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    out: list = []

    @hypothesis_seed(seed)
    @settings(max_examples=n, database=None, phases=[Phase.generate], deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(x: object) -> None:
        out.append(x)

    collect()
    return out[:n]


def main() -> None:
    """Run each case's plans through both runners; print plans/s and the fast/pure ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=40)
    parser.add_argument("--horizon", type=int, default=50, help="decay intervals per plan (the search's default)")
    args = parser.parse_args()
    import peerproof.reference.gossipsub.fast.warm  # noqa: F401  (the kernel loaded, as in engine processes)

    table = Table(title=f"search plan runner, {args.plans} drawn plans x {args.horizon} decay intervals")
    for col in ("config", "property", "events/plan", "pure plans/s", "fast plans/s", "fast / pure", "samples"):
        table.add_column(col, justify="right" if col not in ("config", "property") else "left")
    for name, slug, topic in CASES:
        config = load_config(bundled_config_path(name))
        space = space_for(config, slug, topic)
        drawn_plans = drawn(plans(space), args.plans, random.Random(name).randrange(2**32))
        d = MODEL.get_dialect(config.dialect)
        runs = []
        for plan in drawn_plans:
            events = build_events(config, plan, args.horizon, space.prune_backoff_ms)
            runs.append((events, (ATTACKER, TWIN) if plan.twin != "none" else (ATTACKER,)))
        timings, results = {}, {}
        for label, runner in (("pure", pure_samples), ("fast", fast_samples)):
            start = time.perf_counter()
            results[label] = [runner(config, events, peers, d) for events, peers in runs]
            timings[label] = time.perf_counter() - start
        same = results["pure"] == results["fast"]
        n = len(runs)
        table.add_row(name, slug + (f" [{topic}]" if topic else ""), f"{sum(len(e) for e, _ in runs) / n:,.0f}",
                      f"{n / timings['pure']:.1f}", f"{n / timings['fast']:.1f}",
                      f"{timings['pure'] / timings['fast']:.1f}x", "equal" if same else "DIFFERENT")
    Console().print(table)


if __name__ == "__main__":
    main()
