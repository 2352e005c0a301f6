"""Report (RK-ATK-1..6): what each adversary strategy needs to flip (or block) the winner, as a function of
the reputation distribution, and how much each mitigation raises it.

Rounds of 15 judges and 5 answers (answer k authored by judge k); judge k ranks the answers by their true
order with adjacent swaps of probability 1 − p_k, p_k ~ U[0.55, 0.95]. Reputation distributions:
``equal``; ``uniform`` U[0.1, 1]; ``heavy-tail`` (Pareto α = 1.5, scaled to max 1); ``accuracy``
(reputation = p_k, as a reputation that tracks accuracy would become). Base rules: spec dialect, per-judge
weights, no prior, own answers counted, free identities at reputation 1, Sybil budget 100.

Strategies: coalition (RK-ATK-6, exact count- and reputation-minimal), withholding (RK-ATK-4, the cheapest
cut of the win digraph, exact), self-promotion (RK-ATK-3, the share of authors who can flip the winner to
their own answer alone), Sybils (RK-ATK-2) and farming Sybils (RK-ATK-5, identities needed).

Each strategy's attack on the first ``uniform`` round is also written as a trace to ``--out`` (each
replayed in the reference model with zero mismatches before it is written).

    python bench/bench_ranking_coalitions.py [--seeds 3] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
from peerproof.attacks.ranking import plans
from peerproof.attacks.ranking.engines import cheapest_cut, smallest_swarm
from peerproof.attacks.ranking.exact import exact_flip
from peerproof.attacks.ranking.scenario import honest, judges_of, voters
from peerproof.reference.events import Event
from peerproof.reference.ranking import MODEL
from peerproof.reference.ranking.config import Admission, Aggregation, Config, Judge, ReputationRule, Security
from peerproof.reference.ranking.events import Close
from peerproof.reference.trace import record, replay, trace_to_dict

ANSWERS = ("a", "b", "c", "d", "e")
KINDS = ("equal", "uniform", "heavy-tail", "accuracy")


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
    """A 15-judge round under the base rules with the given reputation distribution."""
    rng = np.random.default_rng(seed)
    accuracy = rng.uniform(0.55, 0.95, 15)
    reps = reputations(rng, kind, accuracy)
    judges = {f"j{k:02d}": Judge(float(reps[k]), 1.0, 1, noisy_ranking(rng, accuracy[k])) for k in range(15)}
    authors = {a: f"j{k:02d}" for k, a in enumerate(ANSWERS)}
    return Config(ANSWERS, authors, judges, (), Aggregation(exclude_own=False),
                  ReputationRule(initial=1.0, minimum=0.0, maximum=1.0, learning_rate=0.1), Admission(),
                  Security(sybil_budget=100.0))


def share_of(config: Config, members: tuple[str, ...] | list[str]) -> float:
    """The members' share of the reputation counted in the honest round."""
    judges = judges_of(config)
    return sum(judges[j].reputation for j in members) / sum(judges[j].reputation for j in voters(config))


def coalition(config: Config) -> tuple[float, float, bool]:
    """RK-ATK-6: the count-minimal size, the reputation-minimal share, and whether both are proven."""
    count, rep = exact_flip(config, "spec", "count"), exact_flip(config, "spec", "reputation")
    size = float(len(count.members)) if count.members is not None else float("nan")
    share = share_of(config, rep.members) if rep.members is not None else float("nan")
    return size, share, count.proven and rep.proven


def withholding(config: Config) -> tuple[float, float]:
    """RK-ATK-4: judges and reputation share whose withholding leaves the round without an MLE (nan: none)."""
    members, reached = cheapest_cut(config, "spec", "count")
    by_rep, reached_rep = cheapest_cut(config, "spec", "reputation")
    return (float(len(members)) if reached else float("nan"), share_of(config, by_rep) if reached_rep else float("nan"))


def self_promoters(config: Config) -> float:
    """RK-ATK-3: the fraction of authoring judges who flip the winner to their own answer on their own."""
    h = honest(config, "spec").winner
    authors = [(config.authors[c], c) for c in config.candidates if c != h and config.authors[c] in config.judges]
    flips = 0
    for author, own in authors:
        last = MODEL.final_state(config, plans.self_promotion_events(config, author, own), dialect="spec").last
        flips += last is not None and last.winner == own
    return flips / len(authors) if authors else float("nan")


def sybils(config: Config, farm: int) -> float:
    """RK-ATK-2/5: the identities needed to flip the winner within the budget (nan: more than it buys)."""
    cost = config.admission.min_stake + config.admission.calibration_cost
    limit = 200 if cost == 0 else min(200, int(config.security.sybil_budget // cost))
    found = smallest_swarm(config, "spec", farm, limit)
    return float(found[0]) if found else float("nan")


MITIGATIONS: dict[str, tuple[str, dict]] = {
    "base rules": ("", {}),
    "prior 0.01 (RK-BT-5)": ("withholding", {"aggregation": {"prior": 0.01}}),
    "own answers excluded (RK-ROUND-4)": ("self-promotion", {"aggregation": {"exclude_own": True}}),
    "newcomers at 0.05 (RK-REP-1)": ("sybil", {"reputation": {"initial": 0.05}}),
    "+ stake 5, budget 100 (RK-ADM-3)": ("sybil", {"reputation": {"initial": 0.05}, "admission": {"min_stake": 5.0}}),
    "+ calibration costing 10 (RK-ADM-3)": ("sybil", {"reputation": {"initial": 0.05},
                                                       "admission": {"min_calibration": 1, "calibration_cost": 10.0}}),
    "newcomers at 0.05, farming 10 rounds, η 0.1": ("farming", {"reputation": {"initial": 0.05}, "farm": 10}),
    "newcomers at 0.05, farming 10 rounds, η 0.02": ("farming", {"reputation": {"initial": 0.05, "learning_rate": 0.02},
                                                                  "farm": 10}),
}


def mitigated(config: Config, change: dict) -> Config:
    """The config under one mitigation (stakes raised to the new minimum)."""
    admission = replace(config.admission, **change.get("admission", {}))
    judges = {k: replace(j, stake=max(j.stake, admission.min_stake)) for k, j in config.judges.items()}
    return replace(config, aggregation=replace(config.aggregation, **change.get("aggregation", {})),
                   reputation=replace(config.reputation, **change.get("reputation", {})), admission=admission,
                   judges=judges)


def row(config: Config, farm: int) -> list[float]:
    """Every strategy's requirement on one round."""
    size, share, _ = coalition(config)
    cut_count, cut_share = withholding(config)
    return [size, share, cut_count, cut_share, self_promoters(config), sybils(config, 0), sybils(config, farm)]


HEAD = ("coalition judges", "coalition share", "cut judges", "cut share", "self-promoters", "sybils",
        "farming sybils")


def fmt(values: list[float], k: int) -> str:
    """Mean over seeds; '—' when no seed's attack succeeds (n of seeds succeeded otherwise)."""
    xs = [v[k] for v in values]
    ok = [x for x in xs if not np.isnan(x)]
    if not ok:
        return "—"
    mean = float(np.mean(ok))
    text = f"{mean:.1%}" if HEAD[k].endswith(("share", "promoters")) else f"{mean:.1f}"
    return text + ("" if len(ok) == len(xs) else f" ({len(ok)}/{len(xs)})")


def attack_plans(config: Config) -> dict[str, list[Event]]:
    """Each strategy's cheapest attack on a round as events (strategies that cannot succeed are left out)."""
    h = honest(config, "spec")
    out: dict[str, list[Event]] = {}
    count = exact_flip(config, "spec", "count")
    if count.members is not None and h.winner:
        out["coalition"] = plans.coalition_events(config, count.members, count.target, h.winner)
    members, reached = cheapest_cut(config, "spec", "count")
    if reached:
        out["withholding"] = plans.withholding_events(members)
    for author, own in ((config.authors[c], c) for c in config.candidates if c != h.winner):
        events = plans.self_promotion_events(config, author or "", own)
        if author in config.judges and MODEL.final_state(config, events, dialect="spec").last.winner == own:
            out["self-promotion"] = events
            break
    for name, farm in (("sybil", 0), ("farming", 10)):
        found = smallest_swarm(config, "spec", farm, 200)
        if found and h.winner:
            out[name] = plans.sybil_events(config, found[0], found[1], h.winner, farm, h.theta)
    return out


def write_traces(config: Config, out: Path) -> None:
    """Record each strategy's attack as a trace, replay it, and write it as JSON."""
    out.mkdir(parents=True, exist_ok=True)
    for name, events in attack_plans(config).items():
        closes = [i for i, e in enumerate(events) if isinstance(e, Close)]
        trace = record("ranking", config, events, dialect="spec", observe_after=closes, meta={"attack": name})
        assert replay(trace) == [], name
        (out / f"{name}.json").write_text(json.dumps(trace_to_dict(trace), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out / f'{name}.json'} ({len(events)} events, replays with 0 mismatches)")


def main() -> None:
    """Print the strategy table by reputation distribution, then by mitigation (equal reputations)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--out", help="write each strategy's attack on the first uniform round as a trace here")
    args = parser.parse_args()
    if args.out:
        write_traces(round_config(0, "uniform"), Path(args.out))
    print("What each strategy needs under the base rules (mean over seeds; '—' no seed succeeds; (k/n) k succeed)")
    print(f"{'reputation':<56}" + "".join(f"{h:>18}" for h in HEAD))
    for kind in KINDS:
        values = [row(round_config(s, kind), 10) for s in range(args.seeds)]
        print(f"{kind:<56}" + "".join(f"{fmt(values, k):>18}" for k in range(len(HEAD))))
    print("\nEach mitigation (equal reputations; the strategy it targets in brackets)")
    for name, (aim, change) in MITIGATIONS.items():
        values = [row(mitigated(round_config(s, "equal"), change), change.get("farm", 10)) for s in range(args.seeds)]
        label = f"{name} [{aim}]" if aim else name
        print(f"{label:<56}" + "".join(f"{fmt(values, k):>18}" for k in range(len(HEAD))))


if __name__ == "__main__":
    main()
