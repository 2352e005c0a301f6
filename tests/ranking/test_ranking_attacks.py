"""RK-SEC-1..6 and RK-ATK-1..5: the engines' attacks replay and are confirmed, the minimal coalitions are
minimal (brute force on small rounds), the witness rejects what is not an attack, and each security
property catches a model broken on purpose (the engine finds the violation only in the mutant)."""

from __future__ import annotations

import importlib
import itertools
import json
import random
from dataclasses import replace
from pathlib import Path

import pytest
from peerproof.attacks.checks import Job, Settings
from peerproof.attacks.ranking import CHECKS, plans
from peerproof.attacks.ranking.engines import (
    cheapest_cut,
    cheapest_flip,
    enumeration,
    honest,
    judges_of,
    outcome,
    voters,
    z3_engine,
)
from peerproof.properties.ranking.security import witness
from peerproof.reference.ranking import Close, JudgeState, config_from_mapping, load_config
from peerproof.reference.trace import record, replay, trace_from_dict, trace_to_dict

CONFIGS = Path(__file__).resolve().parents[2] / "spec" / "configs" / "ranking"


def small():
    return load_config(CONFIGS / "swarm-small.yaml")


def run(engine, config, slug):
    return engine(config, Job(slug), Settings(dialect=config.dialect, depth=30))


def test_coalition_share_rk_sec_1_violation_replays_through_json_and_is_confirmed() -> None:
    f = run(z3_engine, small(), "coalition-share")
    assert f.verdict == "violated" and "j2" in f.reason
    back = trace_from_dict(json.loads(json.dumps(trace_to_dict(f.trace))))
    assert replay(back) == []
    assert CHECKS.witness(back.config, Job("coalition-share"), back) is not None


@pytest.mark.parametrize("by", ["count", "reputation"])
def test_rk_atk_1_minimal_coalition_equals_brute_force(by: str) -> None:
    config = small()
    h = honest(config, "spec")
    judges = judges_of(config)
    cost = {j: (judges[j].reputation if by == "reputation" else 1.0) for j in config.judges}
    best = None
    for size in range(1, len(config.judges) + 1):
        for members in itertools.combinations(config.judges, size):
            for target in config.candidates:
                if target == h.winner:
                    continue
                won = outcome(config, plans.rewritten(config, members, target, h.winner), judges, "spec").winner
                c = sum(cost[j] for j in members)
                if won == target and (best is None or c < best - 1e-12):
                    best = c
    found = cheapest_flip(config, "spec", by, 200)
    assert found.proven and found.best is not None
    assert found.best.cost == pytest.approx(best)


def test_rk_atk_4_cheapest_cut_equals_brute_force() -> None:
    config = small()
    judges = judges_of(config)
    best = min(sum(judges[j].reputation for j in members)
               for size in range(len(config.judges) + 1) for members in itertools.combinations(config.judges, size)
               if len(outcome(config, [c for c in config.honest_round if c.judge not in members], judges,
                              "spec").components) != 1)
    members, reached = cheapest_cut(config, "spec", "reputation")
    assert reached and sum(judges[j].reputation for j in members) == pytest.approx(best)


@pytest.mark.parametrize("slug", [p.slug for p in CHECKS.properties])
def test_witness_finds_nothing_in_the_honest_round(slug: str) -> None:
    config = small()
    assert witness(config, slug, record("ranking", config, [Close(at_ms=0)], observe_after=[0])) is None


def test_witness_rejects_a_flip_by_a_coalition_above_the_threshold() -> None:
    config = replace(small(), security=replace(small().security, max_coalition_share=0.2))
    events = plans.coalition_events(config, ["j2"], "c", "a")
    trace = record("ranking", config, events, observe_after=[len(events) - 1])
    assert witness(config, "coalition-share", trace) is None
    assert witness(small(), "coalition-share", replace(trace, config=small())) is not None


# -- each security property catches a mutant ---------------------------------------------------------

def two_candidates() -> dict:
    """Three heavy judges prefer a; four light judges are indifferent: only reputation keeps a ahead."""
    judges = {f"h{k}": {"reputation": 1.0, "ranking": "a>b"} for k in range(3)}
    judges |= {f"l{k}": {"reputation": 0.05, "ranking": "a=b"} for k in range(4)}
    return {"protocol": "ranking", "candidates": {"a": None, "b": None}, "judges": judges,
            "aggregation": {"weight": "per-comparison"}}


def test_rk_sec_1_coalition_share_catches_a_model_that_ignores_reputation(monkeypatch: pytest.MonkeyPatch) -> None:
    config = config_from_mapping(two_candidates())
    assert run(z3_engine, config, "coalition-share").verdict == "holds-bounded"
    weights = importlib.import_module("peerproof.reference.ranking.weights")
    monkeypatch.setattr(weights, "comparison_weights", lambda config, used, judges: [1.0] * len(used))
    assert run(z3_engine, config, "coalition-share").verdict == "violated"


def test_rk_sec_2_sybil_resistance_catches_newcomers_at_full_reputation(monkeypatch: pytest.MonkeyPatch) -> None:
    config = small()
    assert run(enumeration, config, "sybil-resistance").verdict == "holds-bounded"
    step = importlib.import_module("peerproof.reference.ranking.step")
    monkeypatch.setattr(step, "JudgeState", lambda reputation, stake, calibration: JudgeState(1.0, stake, calibration))
    assert run(enumeration, config, "sybil-resistance").verdict == "violated"


def self_promoting_round() -> dict:
    """j1, the heaviest judge, authored b but honestly prefers a, as everyone does."""
    judges = {"j1": {"reputation": 1.0, "ranking": "a>b>c"}, "j2": {"reputation": 0.3, "ranking": "a>c>b"},
              "j3": {"reputation": 0.3, "ranking": "a>b>c"}}
    return {"protocol": "ranking", "candidates": {"a": None, "b": {"author": "j1"}, "c": None}, "judges": judges,
            "aggregation": {"exclude_own": False, "weight": "per-comparison"}}


def test_rk_sec_3_self_promotion_catches_a_model_that_counts_own_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = self_promoting_round()
    counted_own = config_from_mapping(doc)
    assert run(enumeration, counted_own, "self-promotion").verdict == "violated"
    doc["aggregation"]["exclude_own"] = True
    config = config_from_mapping(doc)
    events = plans.self_promotion_events(config, "j1", "b")
    trace = record("ranking", config, events, observe_after=[len(events) - 1])
    assert witness(config, "self-promotion", trace) is None
    weights = importlib.import_module("peerproof.reference.ranking.weights")
    monkeypatch.setattr(weights, "is_own", lambda config, c: False)
    assert witness(config, "self-promotion", trace) is not None


def test_rk_sec_4_consensus_not_blocked_catches_a_model_without_the_prior(monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(enumeration, small(), "consensus-not-blocked").verdict == "violated"
    config = replace(small(), aggregation=replace(small().aggregation, prior=0.05))
    events = plans.withholding_events(["j5"])
    trace = record("ranking", config, events, observe_after=[len(events) - 1])
    assert witness(config, "consensus-not-blocked", trace) is None
    weights = importlib.import_module("peerproof.reference.ranking.weights")
    original = weights.win_matrix
    monkeypatch.setattr(importlib.import_module("peerproof.reference.ranking.consensus"), "win_matrix",
                        lambda config, comparisons, judges: original(
                            replace(config, aggregation=replace(config.aggregation, prior=0.0)), comparisons, judges))
    assert witness(config, "consensus-not-blocked", trace) is not None


def test_rk_sec_5_nonexistence_reported_catches_a_spec_model_without_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    config = small()
    dialect = importlib.import_module("peerproof.reference.ranking.dialect")
    monkeypatch.setitem(dialect.DIALECTS, "spec", replace(dialect.DIALECTS["spec"], check_existence=False))
    f = run(enumeration, config, "nonexistence-reported")
    assert f.verdict == "violated" and "MLE does not exist" in f.reason


def test_rk_sec_6_farming_bounded_catches_instant_reputation(monkeypatch: pytest.MonkeyPatch) -> None:
    config = replace(small(), security=replace(small().security, sybil_budget=2.0))
    assert run(enumeration, config, "farming-bounded").verdict == "holds-bounded"
    step = importlib.import_module("peerproof.reference.ranking.step")
    monkeypatch.setattr(step, "updated", lambda rule, reputation, score: rule.maximum * score)
    assert run(enumeration, config, "farming-bounded").verdict == "violated"


def test_voters_are_the_judges_counted_in_the_honest_round() -> None:
    assert voters(small()) == ["j1", "j2", "j3", "j4", "j5"]


def test_rk_atk_1_promotion_flips_whenever_any_strategy_of_a_single_judge_does() -> None:
    """Exhaustive over the 3^6 verdicts of one judge on a 3-answer round: if any flips the winner, promotion
    (for some target) does too. Per target it need not: another strategy can reach a target promotion misses."""
    rnd = random.Random(0)
    for _ in range(8):
        judges = {f"j{k}": {"reputation": round(rnd.uniform(0.1, 1), 2), "ranking": ">".join(rnd.sample("abc", 3))}
                  for k in range(3)}
        config = config_from_mapping({"protocol": "ranking", "candidates": dict.fromkeys("abc"), "judges": judges,
                                      "aggregation": {"prior": 0.05}})
        h, states = honest(config, "spec"), judges_of(config)
        for member in config.judges:
            promoted = any(outcome(config, plans.rewritten(config, [member], t, h.winner), states, "spec").winner == t
                           for t in config.candidates if t != h.winner)
            mine = [i for i, c in enumerate(config.honest_round) if c.judge == member]
            flips = False
            for verdicts in itertools.product(("first", "second", "tie"), repeat=len(mine)):
                comps = list(config.honest_round)
                for i, v in zip(mine, verdicts, strict=True):
                    comps[i] = replace(comps[i], outcome=v)
                if outcome(config, comps, states, "spec").winner not in (None, h.winner):
                    flips = True
                    break
            assert flips == promoted, (judges, member)
