"""CR-PROP-1..6 on every bundled config with a standard rule: z3 proofs, Hypothesis laws, the SEC machine."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from peerproof.properties.crdt.alphabet import events_of, run, symbols
from peerproof.properties.crdt.catalogue import LAWS
from peerproof.properties.crdt.sec_machine import machine_for
from peerproof.properties.crdt.smallscope import AT_MS
from peerproof.properties.crdt.witness import leq
from peerproof.properties.crdt.z3laws import check_law
from peerproof.reference.crdt import MODEL, datatype, load_config
from peerproof.spec import bundled_config_path, bundled_configs

STANDARD = [c.name for c in bundled_configs("crdt") if load_config(c.path).standard]
SEC_CONFIGS = ["lww-map-standard", "expiring-map-owned-subkeys", "or-set-orswot", "pn-counter-standard",
               "mv-register-standard", "op-log-hash-graph"]


def config(name: str):
    return load_config(bundled_config_path(name))


def reachable_states(name: str, picks: list[list[int]]):
    """Three replica states reached by honest updates and ships (the law replicas' final states)."""
    c = config(name)
    alphabet = symbols(c, c.replicas[:3])
    _, state = MODEL.start(c)
    for i in (p for row in picks for p in row):
        state = run(c, state, events_of(c, state, alphabet[i % len(alphabet)], AT_MS))
    return c, [state.replicas[r].state for r in c.replicas[:3]]


@pytest.mark.parametrize("name", STANDARD)
@pytest.mark.parametrize("law", LAWS)
def test_crdt_standard_rule_law_is_proved_by_z3(name: str, law: str) -> None:
    """CR-PROP-1..4: z3 finds no reachable, compatible counterexample to any law of a standard rule."""
    assert check_law(config(name), law).result == "unsat"


@pytest.mark.parametrize("name", STANDARD)
@settings(max_examples=25)
@given(picks=st.lists(st.lists(st.integers(0, 40), max_size=4), min_size=1, max_size=3))
def test_crdt_merge_is_a_join_on_reachable_states(name: str, picks: list[list[int]]) -> None:
    """CR-PROP-1..3: merge of reachable states is commutative, associative and idempotent, and an upper bound."""
    c, (x, y, z) = reachable_states(name, picks)
    m = lambda a, b: datatype(c.type).merge(c.rule, a, b)  # noqa: E731
    assert m(x, y) == m(y, x)
    assert m(m(x, y), z) == m(x, m(y, z))
    assert m(x, x) == x
    assert leq(c, x, m(x, y)) and leq(c, y, m(x, y))


@pytest.mark.parametrize("name", STANDARD)
@settings(max_examples=25)
@given(picks=st.lists(st.integers(0, 40), max_size=8))
def test_crdt_every_local_update_is_inflationary(name: str, picks: list[int]) -> None:
    """CR-PROP-4: every update a replica applies moves its state up the lattice."""
    c = config(name)
    alphabet = symbols(c, c.replicas[:3])
    _, state = MODEL.start(c)
    for i in picks:
        symbol = alphabet[i % len(alphabet)]
        after = run(c, state, events_of(c, state, symbol, AT_MS))
        if symbol[0] == "update":
            r = symbol[1]
            assert leq(c, state.replicas[r].state, after.replicas[r].state)
        state = after


@pytest.mark.parametrize("name", SEC_CONFIGS)
def test_crdt_strong_eventual_consistency_machine(name: str) -> None:
    """CR-PROP-5: replicas that delivered the same updates read the same, whatever the network does."""
    machine = machine_for(config(name))
    machine.TestCase.settings = settings(max_examples=20, stateful_step_count=25, deadline=None)
    machine.TestCase().runTest()
