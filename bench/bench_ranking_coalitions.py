"""Report (RK-ATK-1/2/5): the coalition that flips the winner as a function of the reputation distribution,
and how much each Sybil mitigation raises the number of identities an attacker needs.

Rounds of 15 judges and 5 answers; judge k ranks the answers by their true order with adjacent swaps of
probability 1 − p_k, p_k ~ U[0.55, 0.95]. Reputation distributions: ``equal``; ``uniform`` U[0.1, 1];
``heavy-tail`` (Pareto α = 1.5, scaled to max 1); ``accuracy`` (reputation = p_k, as a reputation that
tracks accuracy would become). Coalitions: RK-ATK-1 (greedy upper bound, z3 lower bound, a bounded number
of optimiser calls). Sybils: RK-ATK-2/5 under the base rules and each mitigation.

    python bench/bench_ranking_coalitions.py [--seeds 3] [--solves 40]
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np
from peerproof.attacks.ranking.engines import cheapest_flip, judges_of, smallest_swarm, voters
from peerproof.reference.ranking.config import Admission, Aggregation, Config, Judge, ReputationRule, Security

ANSWERS = ("a", "b", "c", "d", "e")


def noisy_ranking(rng: np.random.Generator, p: float) -> str:
    """The true order a>b>c>d>e after one pass of adjacent swaps, each with probability 1 − p."""
    order = list(ANSWERS)
    for i in range(len(order) - 1):
        if rng.random() > p:
            order[i], order[i + 1] = order[i + 1], order[i]
    return ">".join(order)


def reputations(rng: np.random.Generator, kind: str, accuracy: np.ndarray) -> np.ndarray:
    """One of the four reputation distributions."""
    if kind == "equal":
        return np.ones(len(accuracy))
    if kind == "uniform":
        return rng.uniform(0.1, 1.0, len(accuracy))
    if kind == "heavy-tail":
        x = rng.pareto(1.5, len(accuracy)) + 1
        return x / x.max()
    return accuracy.copy()


def round_config(seed: int, kind: str) -> Config:
    """A 15-judge round under the spec's rules with the given reputation distribution."""
    rng = np.random.default_rng(seed)
    accuracy = rng.uniform(0.55, 0.95, 15)
    reps = reputations(rng, kind, accuracy)
    judges = {f"j{k:02d}": Judge(float(reps[k]), 1.0, 1, noisy_ranking(rng, accuracy[k])) for k in range(15)}
    return Config(ANSWERS, dict.fromkeys(ANSWERS), judges, (), Aggregation(prior=0.01),
                  ReputationRule(initial=1.0, minimum=0.0, maximum=1.0, learning_rate=0.1))


def coalition_row(config: Config, solves: int) -> tuple[float, int, bool]:
    """The smallest flipping coalition's share of reputation, its smallest size, and whether both are proven."""
    total = sum(judges_of(config)[j].reputation for j in voters(config))
    by_rep = cheapest_flip(config, "spec", "reputation", solves)
    by_count = cheapest_flip(config, "spec", "count", solves)
    share = by_rep.best.cost / total if by_rep.best else float("nan")
    size = len(by_count.best.members) if by_count.best else -1
    return share, size, by_rep.proven and by_count.proven


MITIGATIONS = {
    "none (free identities at reputation 1)": {},
    "newcomers at reputation 0.05": {"reputation": {"initial": 0.05}},
    "+ stake 5 per identity, budget 100": {"reputation": {"initial": 0.05}, "admission": {"min_stake": 5.0}},
    "+ farming 10 rounds at η = 0.1": {"reputation": {"initial": 0.05}, "farm": 10},
    "+ farming 10 rounds at η = 0.02": {"reputation": {"initial": 0.05, "learning_rate": 0.02}, "farm": 10},
}


def mitigated(config: Config, change: dict) -> tuple[Config, int]:
    """The config under one mitigation, and the farming rounds it allows."""
    rule = replace(config.reputation, **change.get("reputation", {}))
    admission = replace(Admission(), **change.get("admission", {}))
    judges = {k: replace(j, stake=max(j.stake, admission.min_stake)) for k, j in config.judges.items()}
    return replace(config, reputation=rule, admission=admission, judges=judges,
                   security=Security(sybil_budget=100.0)), change.get("farm", 0)


def main() -> None:
    """Print both tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--solves", type=int, default=40)
    args = parser.parse_args()
    print("RK-ATK-1 smallest flipping coalition (mean over seeds; * = not proven minimal within the solve budget)")
    print(f"{'reputation':<12} {'share of reputation':>20} {'judges (of 15)':>15}")
    for kind in ("equal", "uniform", "heavy-tail", "accuracy"):
        rows = [coalition_row(round_config(s, kind), args.solves) for s in range(args.seeds)]
        mark = "" if all(r[2] for r in rows) else "*"
        share, size = np.nanmean([r[0] for r in rows]), np.mean([r[1] for r in rows])
        print(f"{kind:<12} {share:>19.1%}{mark} {size:>14.1f}{mark}")
    print("\nRK-ATK-2/5 Sybil identities needed to flip the winner (equal reputations; budget 100; cap 200)")
    for name, change in MITIGATIONS.items():
        needed = []
        for s in range(args.seeds):
            config, farm = mitigated(round_config(s, "equal"), change)
            cost = config.admission.min_stake + config.admission.calibration_cost
            limit = 200 if cost == 0 else min(200, int(config.security.sybil_budget // cost))
            found = smallest_swarm(config, "spec", farm, limit)
            needed.append(found[0] if found else None)
        text = ", ".join(str(k) if k is not None else f">{limit}" for k in needed)
        print(f"{name:<42} {text}")


if __name__ == "__main__":
    main()
