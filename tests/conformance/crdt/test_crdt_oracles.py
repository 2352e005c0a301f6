"""CR-DIV: the reference LWW map and PN-counter agree with pycrdt (Yjs) and loro where their semantics coincide."""

from __future__ import annotations

import pytest
from crdt_oracles import loro_run, pycrdt_run, reference
from hypothesis import given, settings
from hypothesis import strategies as st
from peerproof.reference.crdt import config_from_mapping

REPLICAS = ["a", "b", "c"]
LWW = config_from_mapping({"protocol": "crdt", "type": "lww-map", "replicas": REPLICAS})
COUNTER = config_from_mapping({"protocol": "crdt", "type": "pn-counter", "replicas": REPLICAS})
REGISTER = config_from_mapping({"protocol": "crdt", "type": "lww-register", "replicas": REPLICAS})


@st.composite
def map_rounds(draw: st.DrawFn) -> list[list[tuple[int, str, str]]]:
    """Rounds in which each replica writes at most one of two keys."""
    rounds = []
    for _ in range(draw(st.integers(1, 4))):
        writers = draw(st.lists(st.integers(0, 2), unique=True, max_size=3))
        rounds.append([(r, draw(st.sampled_from(["k1", "k2"])), draw(st.sampled_from(["x", "y", "z"])))
                       for r in writers])
    return rounds


@st.composite
def counter_rounds(draw: st.DrawFn) -> list[list[tuple[int, str, str]]]:
    """Rounds of increments and decrements (any number per replica)."""
    move = st.tuples(st.integers(0, 2), st.sampled_from(["inc", "dec"]), st.integers(1, 5).map(str))
    return draw(st.lists(st.lists(move, max_size=4), min_size=1, max_size=4))


@settings(max_examples=40)
@given(rounds=map_rounds())
def test_crdt_lww_map_agrees_with_pycrdt_and_loro(rounds: list) -> None:
    """CR-DIV-1/2: concurrent writes go to the greatest writer id; a later round's write wins."""
    want = reference(LWW, rounds)
    assert all(m == want for m in pycrdt_run(len(REPLICAS), rounds))
    if all(len({k for _r, k, _v in writes}) == len(writes) for writes in rounds):  # CR-DIV-8: no same-key race
        assert all(m == want for m in loro_run(len(REPLICAS), rounds))


@settings(max_examples=40)
@given(rounds=map_rounds())
def test_crdt_lww_register_agrees_with_pycrdt(rounds: list) -> None:
    """CR-DIV-1/2 for the register: the value of one map key in Yjs (every write goes to the same key)."""
    one_key = [[(r, "reg", v) for r, _k, v in writes] for writes in rounds]
    want = reference(REGISTER, one_key)
    assert all(m.get("reg") == want for m in pycrdt_run(len(REPLICAS), one_key))


@settings(max_examples=40)
@given(rounds=counter_rounds())
def test_crdt_pn_counter_agrees_with_loro(rounds: list) -> None:
    """CR-DIV-5: the PN-counter's value is loro's LoroCounter value (as a float)."""
    want = reference(COUNTER, rounds)
    assert all(v == float(want) for v in loro_run(len(REPLICAS), rounds, counter=True))


def test_crdt_oracles_diverge_where_the_spec_says() -> None:
    """CR-DIV-2: a causally later write by a smaller id wins in Yjs and loro, but loses a timestamp tie here."""
    rounds = [[(2, "k", "from-c")], [(0, "k", "from-a")]]
    assert pycrdt_run(3, rounds)[0] == loro_run(3, rounds)[0] == {"k": "from-a"} == reference(LWW, rounds)
    same_instant = [[(2, "k", "from-c"), (0, "k", "from-a")]]
    assert reference(LWW, same_instant) == {"k": "from-c"} == pycrdt_run(3, same_instant)[0]


def test_crdt_loro_lets_the_previous_writer_win_a_race() -> None:
    """CR-DIV-8: loro 1.17.1 resolves a same-key race in favour of the key's previous writer, not the higher peer id."""
    rounds = [[(0, "k", "x")], [(0, "k", "y"), (1, "k", "x")]]
    assert reference(LWW, rounds) == pycrdt_run(3, rounds)[0] == {"k": "x"}
    assert loro_run(3, rounds)[0] == {"k": "y"}


@pytest.mark.parametrize("client_ids", [(1, 1)])
def test_crdt_duplicate_client_id_diverges_silently_in_pycrdt(client_ids: tuple[int, int]) -> None:
    """CR-DIV-6: two docs sharing a client id (an equivocating writer) never converge in pycrdt (notes §4)."""
    from pycrdt import Doc, Map

    a, b = (Doc(client_id=i) for i in client_ids)
    ma, mb = a.get("state", type=Map), b.get("state", type=Map)
    ma["k"], mb["k"] = "left", "right"
    ua, ub = a.get_update(), b.get_update()
    a.apply_update(ub)
    b.apply_update(ua)
    assert ma.to_py() != mb.to_py()
