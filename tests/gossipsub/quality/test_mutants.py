"""Quality suite: every law GS-LAW-1..6 finds a violation in a model broken on purpose (quality/mutants.py).

Each test installs one mutant, runs the law's own Hypothesis search (the scenario strategy of
tests/gossipsub/test_laws.py, a fixed derandomized budget) and asserts that it reports a violation of
that law; then it removes the mutant and replays the counterexample on the real model, where the
law holds: the violation is the mutant's doing, so the mutant really changed behaviour.
"""

from __future__ import annotations

import importlib

import pytest
from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.errors import NoSuchExample
from mutants import MUTANTS, Mutant, law_tests
from peerproof.properties.gossipsub import laws

SEARCH_BUDGET = 1000  # examples; the search stops at the first violation (the hardest mutant needs ~200)
SEARCH = settings(max_examples=SEARCH_BUDGET, derandomize=True, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck), deadline=None)
DIALECT = "go"


def search_violation(law: str, dialect: str = DIALECT) -> tuple[object, laws.LawViolation]:
    """The first generated scenario that violates ``law`` in the (possibly mutated) model, and the violation."""
    tests = law_tests()

    def violated(scenario: tuple) -> bool:
        config, events = scenario
        return laws.first_violation(config, events, dialect, [law]) is not None

    scenario = find(tests.scenarios(dialect, tests.FOCUS[law]), violated, settings=SEARCH)
    violation = laws.first_violation(*scenario, dialect, [law])
    assert violation is not None
    return scenario, violation


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: f"{m.law}-{m.name}")
def test_law_catches_mutant(mutant: Mutant, monkeypatch: pytest.MonkeyPatch) -> None:
    """The law named by the mutant reports a violation that exists only in the mutated model."""
    module, attr = mutant.target.split(":")
    assert hasattr(importlib.import_module(module), attr), f"{mutant.target} no longer exists in the model"
    mutant.install(monkeypatch)
    try:
        scenario, violation = search_violation(mutant.law)
    except NoSuchExample:
        pytest.fail(f"{mutant.law} did not catch mutant {mutant.name!r} ({mutant.why}) in {SEARCH_BUDGET} examples")
    assert violation.result.law == mutant.law
    monkeypatch.undo()
    config, events = scenario
    assert laws.first_violation(config, events, DIALECT, [mutant.law]) is None, (
        f"the counterexample for {mutant.name!r} also violates {mutant.law} in the real model")

