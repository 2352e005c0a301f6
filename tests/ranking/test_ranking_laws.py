"""RK-LAW-1..7 hold on the reference model, and each catches its mutant (tests/ranking/ranking_mutants.py).

The mutant tests search the same law with Hypothesis against the broken model, then check that the
counterexample found passes on the real model (so it is the mutant, not the input, that is wrong).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st
from peerproof.properties.ranking import laws
from peerproof.properties.ranking.strategies import connected_rounds, rounds
from ranking_mutants import MUTANTS, Mutant

FACTORS = st.floats(0.01, 100.0, allow_nan=False)
RATES = st.floats(0.01, 1.0, allow_nan=False)

# law id -> (strategy of its arguments, the law applied to them)
CASES: dict[str, tuple[st.SearchStrategy[Any], Callable[..., str | None]]] = {
    "RK-LAW-1": (st.tuples(connected_rounds(), FACTORS), laws.scale_invariance),
    "RK-LAW-2": (connected_rounds().flatmap(lambda c: st.tuples(st.just(c), st.permutations(range(len(c.candidates)))
                                                                .map(tuple))), laws.relabelling),
    "RK-LAW-3": (st.tuples(connected_rounds(), st.integers(0, 4), RATES), laws.extra_win),
    "RK-LAW-4": (st.tuples(connected_rounds()), laws.solvers_agree),
    "RK-LAW-5": (st.tuples(rounds(), RATES, st.integers(1, 4)), laws.reputation_bounded),
    "RK-LAW-6": (st.tuples(rounds(), RATES), laws.agreeing_judge_keeps_reputation),
    "RK-LAW-7": (st.tuples(rounds()), laws.nonexistence_reported),
}


@settings(max_examples=60)
@given(st.data())
@pytest.mark.parametrize("law", sorted(CASES))
def test_law_holds_on_the_reference_model(law: str, data: st.DataObject) -> None:
    strategy, check = CASES[law]
    args = data.draw(strategy)
    assert check(*args) is None


def test_every_law_has_a_mutant() -> None:
    assert sorted({m.law for m in MUTANTS}) == sorted(CASES)


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: f"{m.law}-{m.name}")
def test_law_catches_its_mutant(mutant: Mutant, monkeypatch: pytest.MonkeyPatch) -> None:
    strategy, check = CASES[mutant.law]
    with monkeypatch.context() as patched:
        mutant.install(patched)
        found = find(strategy, lambda args: check(*args) is not None,
                     settings=settings(max_examples=400, database=None, derandomize=True,
                                       suppress_health_check=list(HealthCheck)))
        assert check(*found) is not None
    assert check(*found) is None, f"{mutant.law}: the counterexample fails on the real model too: {found}"
