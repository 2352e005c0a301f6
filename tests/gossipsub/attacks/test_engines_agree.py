"""The two attack engines agree: z3 (with the closed forms) and the Hypothesis search never contradict.

Hypothesis never claims a property holds (random search proves nothing), so a contradiction is a
confirmed violation from one engine against a proof from the other: a ``holds`` of any kind against
an attack, or a ``holds-bounded`` against an attack inside its bound. "Inside its bound" is every
attack for the properties that say "within a bounded time" (z3's bounded answer there means every
attacker is pruned, or graylisted, within k intervals), and an attack whose trace is no longer than
k decay intervals for the others (z3's bounded answer means no bad state within k intervals).
Both engines must also find the ACL2s papers' Eth2 attacks.
"""

from __future__ import annotations

import pytest
from checkruns import CROSS_SAMPLES, SEED, TIMEOUT_S, Z3_CONFIGS, Z3_DEPTH
from peerproof.attacks.finding import Finding
from peerproof.reference.gossipsub import load_config
from peerproof.spec import bundled_config_path

from peerproof.checkevidence import Result

LASTING = ("penalizes-non-forwarding", "graylists-invalid-floods")
FIND_BUDGET_S = 20.0  # z3's budget for each of the papers' attacks, in seconds' worth of resource units
ETH2_ATTACKS = [("topic-consistency", "beacon_aggregate_and_proof"), ("misbehaviour-lowers-score", None),
                ("penalizes-non-forwarding", "beacon_aggregate_and_proof")]


def trace_intervals(f: Finding) -> float:
    """How many decay intervals a finding's trace spans."""
    return f.trace.events[-1].at_ms / f.trace.config.score.decay_interval_ms


def contradiction(slug: str, attack: Finding, proof: Finding) -> str | None:
    """Why ``proof`` contradicts the confirmed ``attack``, or None."""
    if proof.verdict == "holds":
        return f"{proof.engine} says holds ({proof.reason}) but {attack.engine} found: {attack.reason}"
    if proof.verdict == "holds-bounded" and (slug in LASTING or trace_intervals(attack) <= Z3_DEPTH):
        return f"{proof.engine} says holds-bounded ({proof.bound}) but {attack.engine} found: {attack.reason}"
    return None


def contradictions(*runs: Result) -> list[str]:
    """Every pair of engine findings on one job, across runs, that contradict each other."""
    found = [f for r in runs for f in r.engines.values()]
    attacks = [f for r in runs if r.verdict == "violated"  # only violations that survived the replays
               for f in r.engines.values() if f.verdict == "violated" and f.trace is not None]
    return [why for a in attacks for p in found if p is not a and (why := contradiction(runs[0].job.slug, a, p))]


@pytest.mark.parametrize("name", Z3_CONFIGS)
def test_z3_and_hypothesis_never_contradict(name: str, checked: dict[str, list[Result]],
                                            z3_checked: dict[str, list[Result]]) -> None:
    pairs = zip(checked[name], z3_checked[name], strict=True)
    problems = [f"{r.job.slug} [{r.job.topic}]: {why}" for r, z in pairs for why in contradictions(r, z)]
    assert not problems, "\n".join(problems)


def test_a_contradiction_is_caught() -> None:
    """The agreement check itself fails on a proof that denies a confirmed attack (a mutant engine)."""
    from peerproof.attacks.checks import Job

    config = load_config(bundled_config_path("eth2-acl2s"))
    attack = synthesize_attack(config)
    liar = Finding(attack.property, attack.topic, "holds", "mutant: always holds", "unbounded", 0.0, "z3")
    job = Job(attack.property, attack.topic)
    real = Result(job, "violated", attack.reason, None, 0.0, "hypothesis", engines={"hypothesis": attack})
    lying = Result(job, "holds", liar.reason, "unbounded", 0.0, "z3", engines={"z3": liar})
    assert contradictions(real, lying)
    bounded = Finding(attack.property, attack.topic, "holds-bounded", "mutant", "1 interval", 0.0, "z3")
    assert contradictions(real, Result(job, "holds-bounded", "", None, 0.0, "z3", engines={"z3": bounded}))


def synthesize_attack(config: object) -> Finding:
    """The Hypothesis engine's CVE-2022-47547 attack on eth2-acl2s (aggregate topic)."""
    from peerproof.attacks.gossipsub.search import search

    return search(config, "penalizes-non-forwarding", "beacon_aggregate_and_proof", budget=CROSS_SAMPLES,
                  timeout_s=TIMEOUT_S, seed=SEED)


@pytest.mark.parametrize(("slug", "topic"), ETH2_ATTACKS)
def test_both_engines_find_the_eth2_acl2s_attacks(slug: str, topic: str | None) -> None:
    from peerproof.attacks.gossipsub import synthesize
    from peerproof.attacks.gossipsub.search import search

    config = load_config(bundled_config_path("eth2-acl2s"))
    z3 = synthesize(config, slug, topic, depth=Z3_DEPTH, timeout_s=FIND_BUDGET_S)  # resource units: same on a busy box
    hyp = search(config, slug, topic, budget=CROSS_SAMPLES, timeout_s=TIMEOUT_S, seed=SEED)
    assert z3.verdict == "violated", z3.reason
    assert hyp.verdict == "violated", hyp.reason
    assert z3.trace is not None and hyp.trace is not None
