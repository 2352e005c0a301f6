"""The model laws of the ranking spec (RK-LAW-1..7), as predicates over a round.

Each law takes a round (a config whose honest comparisons are the round) plus what the law varies,
runs the reference model through its one fold (``MODEL.final_state``) and returns None when the law
holds or an account of the violation. Nothing here depends on pytest: the tests search these with
Hypothesis, the mutant suite shows each one fails on a model broken on purpose.
"""

from __future__ import annotations

import math
from dataclasses import replace

from peerproof.reference.ranking import MODEL
from peerproof.reference.ranking.bradley_terry import mle_exists
from peerproof.reference.ranking.config import Config, Judge, ReputationRule
from peerproof.reference.ranking.consensus import Consensus
from peerproof.reference.ranking.events import Close
from peerproof.reference.ranking.reputation import agreement
from peerproof.reference.ranking.schedule import Comparison
from peerproof.reference.ranking.weights import counted, win_matrix

AGREE = 1e-6  # RK-LAW-1/2/4: two optima agree when their centred log-strengths differ by at most this


def round_consensus(config: Config, dialect: str = "spec") -> Consensus:
    """The consensus the model reaches when the config's round closes."""
    state = MODEL.final_state(config, [Close(at_ms=0)], dialect=dialect)
    assert state.last is not None
    return state.last


def _gap(a: Consensus, b: Consensus, names: tuple[str, ...]) -> float:
    return max(abs(a.theta[c] - b.theta[c]) for c in names)


def scale_invariance(config: Config, factor: float) -> str | None:
    """RK-LAW-1: multiplying every reputation by the same factor leaves the consensus unchanged."""
    rule = config.reputation
    scaled = replace(config, judges={k: replace(j, reputation=j.reputation * factor) for k, j in config.judges.items()},
                     reputation=ReputationRule(rule.initial * factor, rule.minimum * factor, rule.maximum * factor,
                                               rule.learning_rate))
    a, b = round_consensus(config), round_consensus(scaled)
    if a.status != b.status or a.winner != b.winner or (a.status == "ok" and _gap(a, b, config.candidates) > AGREE):
        return (f"reputations ×{factor:g}: {a.status}/{a.winner} {dict(a.theta)} became "
                f"{b.status}/{b.winner} {dict(b.theta)}")
    return None


def relabelling(config: Config, order: tuple[int, ...]) -> str | None:
    """RK-LAW-2: listing the candidates in another order permutes the strengths with them (same strength per id)."""
    shuffled = replace(config, candidates=tuple(config.candidates[i] for i in order))
    a, b = round_consensus(config), round_consensus(shuffled)
    if a.status != b.status or (a.status == "ok" and _gap(a, b, config.candidates) > AGREE):
        return f"order {shuffled.candidates}: {a.status} {dict(a.theta)} became {b.status} {dict(b.theta)}"
    return None


def extra_win(config: Config, opponent: int, reputation: float) -> str | None:
    """RK-LAW-3: a new judge's extra win for the winner never lowers its strength nor its lead over the loser."""
    before = round_consensus(config)
    if before.status != "ok" or before.winner is None:
        return None
    w = before.winner
    others = [c for c in config.candidates if c != w]
    loser = others[opponent % len(others)]
    extra = replace(config, judges={**config.judges, "extra": Judge(reputation, 0.0, 0)},
                    comparisons=(*config.comparisons, Comparison("extra", w, loser, "first")))
    after = round_consensus(extra)
    if after.status != "ok":
        return f"an extra win {w} ≻ {loser} left the round without a consensus ({after.status})"
    lead_before, lead_after = before.theta[w] - before.theta[loser], after.theta[w] - after.theta[loser]
    if after.theta[w] < before.theta[w] - AGREE or lead_after < lead_before - AGREE or after.winner != w:
        return (f"an extra win {w} ≻ {loser} (reputation {reputation:g}) moved θ_{w} {before.theta[w]:.6f} → "
                f"{after.theta[w]:.6f}, lead {lead_before:.6f} → {lead_after:.6f}, winner → {after.winner}")
    return None


def solvers_agree(config: Config) -> str | None:
    """RK-LAW-4: MM and ILSR reach the same optimum (within AGREE) whenever the MLE exists."""
    tight = replace(config.aggregation, tolerance=1e-13, max_iterations=200_000)
    mm = round_consensus(replace(config, aggregation=replace(tight, solver="mm")))
    ilsr = round_consensus(replace(config, aggregation=replace(tight, solver="ilsr")))
    if mm.status != ilsr.status:
        return f"MM says {mm.status}, ILSR says {ilsr.status}"
    if mm.status == "ok" and _gap(mm, ilsr, config.candidates) > AGREE:
        return f"MM {dict(mm.theta)} vs ILSR {dict(ilsr.theta)}"
    return None


def _bounded_rule(config: Config, learning_rate: float) -> Config:
    """The config with reputation bounds [min of the judges, 1] so the lower bound is reachable."""
    low = min(j.reputation for j in config.judges.values())
    return replace(config, reputation=ReputationRule(low, low, 1.0, learning_rate))


def reputation_bounded(config: Config, learning_rate: float, rounds: int) -> str | None:
    """RK-LAW-5: after any number of rounds every reputation stays within [minimum, maximum]."""
    config = _bounded_rule(config, learning_rate)
    rule = config.reputation
    for i, _, state in MODEL.states(config, [Close(at_ms=k) for k in range(rounds)]):
        for jid, judge in state.judges.items():
            if not (rule.minimum <= judge.reputation <= rule.maximum) or not math.isfinite(judge.reputation):
                return f"after round {i + 1} judge {jid} has reputation {judge.reputation!r} outside " \
                       f"[{rule.minimum:g}, {rule.maximum:g}]"
    return None


def agreeing_judge_keeps_reputation(config: Config, learning_rate: float) -> str | None:
    """RK-LAW-6: a judge whose every counted comparison agrees with the consensus never loses reputation."""
    config = _bounded_rule(config, learning_rate)
    start = MODEL.final_state(config, [])
    after = MODEL.final_state(config, [Close(at_ms=0)])
    if after.last is None or after.last.winner is None:
        return None
    used = counted(config, start.comparisons, start.judges)
    for jid, judge in start.judges.items():
        agreed = agreement(after.last.theta, [c for c in used if c.judge == jid]) == 1.0
        if agreed and after.judges[jid].reputation < judge.reputation:
            return f"judge {jid} agreed with every verdict yet fell {judge.reputation!r} → " \
                   f"{after.judges[jid].reputation!r}"
    return None


def nonexistence_reported(config: Config, dialect: str = "spec") -> str | None:
    """RK-LAW-7: when the MLE does not exist the round reports ``no-mle`` and names no winner; else it does not."""
    w = win_matrix(config, config.honest_round, MODEL.start(config)[1].judges)
    exists = bool(w.any()) and mle_exists(w)
    result = round_consensus(config, dialect)
    if not exists and (result.status != "no-mle" or result.winner is not None) and w.any():
        return f"the win digraph is not strongly connected, yet the round says {result.status} with winner " \
               f"{result.winner!r}"
    if exists and result.status == "no-mle":
        return "the MLE exists, yet the round says no-mle"
    return None
