"""A simulated swarm (spec/ranking.md, RK-SIM): heterogeneous judges, adversaries, three aggregators.

Each question has K candidate answers, one correct, shuffled. Honest judge k, with accuracy p_k, picks
the correct answer of a pair with probability p_k and flips a coin between two wrong ones. Adversaries
are ``random`` (a coin on every pair), ``colluding`` (all promote the same wrong answer: it wins each
of its comparisons, the correct one loses each of its others) or ``farming`` (judge as well as the
best honest judge for the first half of the run, then collude). The judges' comparisons follow the
client's schedule (RK-ROUND-2). Aggregators: the model's weighted consensus with its reputation rule
(RK-W, RK-BT, RK-REP-3), the same consensus with equal fixed weights, and plurality voting over each
judge's top answer (the answer with most wins in its own comparisons).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from peerproof.reference.ranking import get_dialect
from peerproof.reference.ranking.config import Aggregation, Config, Judge, ReputationRule
from peerproof.reference.ranking.consensus import consensus
from peerproof.reference.ranking.reputation import agreement, updated
from peerproof.reference.ranking.schedule import Comparison, client_pairs
from peerproof.reference.ranking.weights import JudgeState

ADVERSARIES = ("random", "colluding", "farming")
METHODS = ("weighted-bt", "unweighted-bt", "majority")
SWARM_RULE = ReputationRule(initial=0.5, minimum=0.01, maximum=1.0, learning_rate=0.1)  # RK-REP-3, a guess
FARMING_ACCURACY = 0.95  # what a farming adversary achieves while it farms (as good as the best honest judge)


@dataclass(frozen=True)
class Swarm:
    """One simulated setting: swarm size, answers per question, questions, accuracy range, adversaries."""

    judges: int = 15
    candidates: int = 4
    questions: int = 1000
    accuracy_low: float = 0.55
    accuracy_high: float = 0.9
    adversary: str = "colluding"
    fraction: float = 0.2
    rule: ReputationRule = SWARM_RULE
    prior: float = 0.01  # RK-BT-5: keeps the MLE in existence when an answer wins or loses every comparison


def round_config(swarm: Swarm) -> Config:
    """The config every question of a run is aggregated under (judges' reputations live in the run's state)."""
    names = tuple(f"c{i}" for i in range(swarm.candidates))
    judges = {f"j{k}": Judge(swarm.rule.initial, 0.0, 0) for k in range(swarm.judges)}
    return Config(names, dict.fromkeys(names), judges, (Comparison("j0", names[0], names[1], "tie"),),
                  Aggregation(solver="ilsr", tolerance=1e-8, max_iterations=500, prior=swarm.prior),
                  swarm.rule)


def judge_verdict(rng: np.random.Generator, accuracy: float, correct: int, first: int, second: int) -> str:
    """An honest judge's verdict on a pair: the correct answer with probability ``accuracy``, else a coin."""
    if correct in (first, second):
        right = rng.random() < accuracy
        return "first" if (first == correct) == right else "second"
    return "first" if rng.random() < 0.5 else "second"


def colluding_verdict(target: int, correct: int, first: int, second: int, rng: np.random.Generator) -> str:
    """RK-ATK-1 in the swarm: the target wins, the correct answer loses, other pairs a coin."""
    if target in (first, second):
        return "first" if first == target else "second"
    if correct in (first, second):
        return "second" if first == correct else "first"
    return "first" if rng.random() < 0.5 else "second"


def top_choice(rng: np.random.Generator, n: int, comps: list[Comparison], names: tuple[str, ...]) -> int:
    """A judge's plurality vote: the answer with most wins in its own comparisons (ties by lot)."""
    wins = np.zeros(n)
    index = {c: i for i, c in enumerate(names)}
    for c in comps:
        wins[index[c.first] if c.outcome == "first" else index[c.second]] += 1
    best = np.flatnonzero(wins == wins.max())
    return int(rng.choice(best))


def simulate(swarm: Swarm, seed: int) -> dict[str, float]:
    """Accuracy of each aggregator over the run's questions (the fraction answered correctly)."""
    rng = np.random.default_rng(seed)
    config = round_config(swarm)
    names, ids = config.candidates, list(config.judges)
    accuracy = rng.uniform(swarm.accuracy_low, swarm.accuracy_high, size=swarm.judges)
    bad = set(rng.choice(swarm.judges, size=round(swarm.fraction * swarm.judges), replace=False).tolist())
    reputation = {j: swarm.rule.initial for j in ids}
    equal = {j: JudgeState(1.0, 0.0, 0) for j in ids}
    dialect = get_dialect("spec")
    pairs = client_pairs(swarm.candidates)
    right = dict.fromkeys(METHODS, 0)
    for q in range(swarm.questions):
        correct = int(rng.integers(swarm.candidates))
        target = int(rng.choice([c for c in range(swarm.candidates) if c != correct]))
        comps: list[Comparison] = []
        votes = []
        for k, jid in enumerate(ids):
            mine = []
            for i, j in pairs:
                if k not in bad:
                    verdict = judge_verdict(rng, accuracy[k], correct, i, j)
                elif swarm.adversary == "random":
                    verdict = "first" if rng.random() < 0.5 else "second"
                elif swarm.adversary == "farming" and q < swarm.questions // 2:
                    verdict = judge_verdict(rng, FARMING_ACCURACY, correct, i, j)
                else:
                    verdict = colluding_verdict(target, correct, i, j, rng)
                mine.append(Comparison(jid, names[i], names[j], verdict))
            comps += mine
            votes.append(top_choice(rng, swarm.candidates, mine, names))
        states = {j: JudgeState(reputation[j], 0.0, 0) for j in ids}
        weighted = consensus(config, comps, states, dialect)
        unweighted = consensus(config, comps, equal, dialect)
        plurality = np.bincount(votes, minlength=swarm.candidates)
        majority = int(rng.choice(np.flatnonzero(plurality == plurality.max())))
        right["weighted-bt"] += weighted.winner == names[correct]
        right["unweighted-bt"] += unweighted.winner == names[correct]
        right["majority"] += majority == correct
        if weighted.winner is not None:  # RK-REP-3 after every question with a consensus
            for jid in ids:
                score = agreement(weighted.theta, [c for c in comps if c.judge == jid])
                if score is not None:
                    reputation[jid] = updated(swarm.rule, reputation[jid], score)
    return {m: right[m] / swarm.questions for m in METHODS}
