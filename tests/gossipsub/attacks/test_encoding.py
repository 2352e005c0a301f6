"""The z3 encoding computes what the reference model computes (the engines' GS-STEP in logic).

With every choice fixed, an unrolling folds to exact constants, so the encoding's score after each
interval can be compared with the reference model's replay of the same plan, for random plans over
the bundled configs and every dialect. Also: the square relaxation is sound and refines to exactness.
"""

from __future__ import annotations

import random
from dataclasses import replace
from fractions import Fraction

import pytest
import z3
from peerproof.attacks.gossipsub.symbolic.bmc import fresh_context, post_scores
from peerproof.attacks.gossipsub.symbolic.encoding import PeerState, Unrolling, fresh_state
from peerproof.attacks.gossipsub.symbolic.plan import Plan, Step, trace_of
from peerproof.attacks.gossipsub.symbolic.rational import ConfigQ, exact
from peerproof.attacks.gossipsub.symbolic.squares import Squares, val
from peerproof.attacks.gossipsub.symbolic.strategy import Freedom, choices
from peerproof.reference.gossipsub import Config, load_config
from peerproof.spec import bundled_config_path

INTERVALS = 10


KINDS = ("first", "near", "invalid", "graft", "prune", "penalties", "ip", "reconnect", "disconnect")


def propose(rng: random.Random, state: PeerState, topics: list[str], late: bool) -> Step:
    """A random step from the (constant) current state, using every kind of choice."""
    if not z3.is_true(state.conn):
        return Step(reconnect=rng.random() < 0.5)
    mesh = {t for t in topics if z3.is_true(state.topics[t].mesh)}

    def pick(hi: int, p: float) -> dict[str, int]:
        return {t: rng.randint(1, hi) for t in topics if rng.random() < p}

    return Step(first=pick(30, 0.6), near=pick(8, 0.3), invalid=pick(2, 0.1),
                graft=frozenset(t for t in topics if t not in mesh and rng.random() < 0.3),
                prune=frozenset(t for t in mesh if rng.random() < 0.15), penalties=rng.choice([0, 0, 0, 3, 9]),
                ip_peers=rng.choice([1, 1, 4, 12]), disconnect=late and rng.random() < 0.1)


def random_run(cq: ConfigQ, rng: random.Random, topics: list[str]) -> tuple[tuple[Step, ...], list[Fraction]]:
    """A random plan the encoding admits, built interval by interval against it, and its exact scores."""
    names = [t.name for t in cq.topics]
    most = dict.fromkeys(names, 40)
    freedom = Freedom(first=most, near=most, invalid=most, mesh=frozenset(names), penalties=10, ip_peers=12,
                      reconnect=True)
    u = Unrolling(cq)
    ch = choices("p", 0, cq, freedom, u.constraints)
    track = u.begin("p", ch, freedom, fresh_state(cq))
    steps: list[Step] = []
    for i in range(INTERVALS):
        wanted = propose(rng, track.states[-1], topics, i > 2)
        for step in (wanted, replace(wanted, graft=frozenset(), prune=frozenset(), disconnect=False), Step()):
            mark = len(u.constraints)
            row = choices("p", 1, cq, freedom, [], fixed=(step,))
            for kind in KINDS:
                getattr(ch, kind).append(getattr(row, kind)[0])
            u.advance(track)
            if all(z3.is_true(z3.simplify(c)) for c in u.constraints[mark:]):
                steps.append(step)
                break
            del u.constraints[mark:]
            for part in (*(getattr(ch, kind) for kind in KINDS), track.states, track.pre, track.post, track.grafted):
                part.pop()
    scores = [z3.simplify(o.score) for o in track.post]
    assert all(z3.is_rational_value(v) for v in scores), "a fixed plan must fold to constants"
    return tuple(steps), [Fraction(v.as_fraction()) for v in scores]


def first_topics(config: Config, n: int) -> Config:
    """The config restricted to its first ``n`` topics (the encoding's cost grows with the topic count)."""
    topics = dict(list(config.topics.items())[:n])
    return replace(config, score=replace(config.score, topics=topics))


@pytest.mark.parametrize("name", ["eth2-acl2s", "filecoin-acl2s", "filecoin-lotus", "eth2-lodestar"])
@pytest.mark.parametrize("dialect", ["go", "ts", "rust", "spec"])
def test_encoding_scores_match_the_reference_model(name: str, dialect: str) -> None:
    config = first_topics(load_config(bundled_config_path(name)), 4)
    cq = exact(config, dialect)
    topics = [t.name for t in cq.topics][:4]
    rng = random.Random(f"{name}/{dialect}")
    with fresh_context():
        for _ in range(6):
            steps, predicted = random_run(cq, rng, topics)
            trace = trace_of(config, cq, Plan({"p": steps}), INTERVALS, claim={}, meta={})
            replayed = post_scores(trace, "p", INTERVALS, cq.di_ms)
            for i, (want, got) in enumerate(zip(predicted, replayed, strict=True)):
                assert abs(float(want) - got) <= 1e-9 * max(1.0, abs(got)), (
                    f"interval {i}: encoding {float(want)!r}, reference {got!r}; {Plan({'p': steps}).describe('p')}")


def test_relaxed_squares_never_exclude_the_true_square() -> None:
    with fresh_context():
        sq = Squares()
        x = z3.Real("x")
        s = sq.square("t", x, Fraction(0), Fraction(10))
        solver = z3.Solver()
        solver.add(*sq.cuts)
        for value in (Fraction(0), Fraction(3, 7), Fraction(5), Fraction(10)):
            assert solver.check(x == val(value), s == val(value * value)) == z3.sat


def test_refinement_makes_a_spurious_point_exact() -> None:
    with fresh_context():
        sq = Squares()
        x = z3.Real("x")
        s = sq.square("t", x, Fraction(0), Fraction(10))
        solver = z3.Solver()
        solver.add(*sq.cuts, x == val(Fraction(13, 7)))
        assert solver.check(s != val(Fraction(169, 49))) == z3.sat  # the relaxation alone is loose there
        model = solver.model()
        for square, base in sq.spurious(model, []):
            solver.add(*sq.refine(square, base))
        assert solver.check(s != val(Fraction(169, 49))) == z3.unsat
