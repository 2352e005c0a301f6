"""CR-Z3-2..4: the z3 encodings compute what the Python merges compute (a proof about the wrong merge is no proof).

Concrete values are substituted into each encoding's merge and compared with the reference model's
merge on the same point, for every rule.
"""

from __future__ import annotations

from typing import Any

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st
from peerproof.properties.crdt import z3laws
from peerproof.reference.crdt import RULES, counter, lww, orset

small = st.integers(0, 3)


def evaluate(sym: dict[str, Any], values: dict[Any, Any]) -> dict[str, Any]:
    """A symbolic state with concrete values substituted, simplified to Python values."""
    pairs = [(k, z3.BoolVal(v) if isinstance(v, bool) else z3.IntVal(v)) for k, v in values.items()]
    out = {}
    for name, term in sym.items():
        t = z3.simplify(z3.substitute(term, *pairs)) if pairs else z3.simplify(term)
        out[name] = z3.is_true(t) if z3.is_bool(t) else t.as_long()
    return out


@pytest.mark.parametrize("rule", RULES["lww-register"] + RULES["expiring-map"])
@settings(max_examples=60)
@given(a=st.tuples(st.booleans(), small, small, small, small), b=st.tuples(st.booleans(), small, small, small, small))
def test_crdt_lww_encoding_matches_merge_entry(rule: str, a: tuple, b: tuple) -> None:
    """CR-Z3-2 = CR-LWW-4/5 at one key."""
    enc = z3laws.lww(rule)
    x, y = enc.fresh("x"), enc.fresh("y")
    values = {x[k]: v for k, v in zip(("has", "s", "w", "t", "r"), a, strict=True)}
    values.update({y[k]: v for k, v in zip(("has", "s", "w", "t", "r"), b, strict=True)})
    got = evaluate(enc.merge(x, y), values)

    def entry(t: tuple) -> lww.Entry:
        _has, s, w, t2, r = t
        ts, expiry = (t2, s) if rule.startswith("expiry") else (s, t2)
        return lww.Entry(ts, expiry, f"w{w}", f"v{r}")

    store = lambda t: lww.Store({("", ""): entry(t)} if t[0] else {})  # noqa: E731
    want = lww.merge(rule, store(a), store(b)).entries.get(("", ""))
    assert got["has"] == (want is not None)
    if want is not None:
        s, t2 = (want.expiry, want.ts) if rule.startswith("expiry") else (want.ts, want.expiry)
        assert (got["s"], f"w{got['w']}", got["t"], f"v{got['r']}") == (s, want.writer, t2, want.value)


@pytest.mark.parametrize("rule", RULES["pn-counter"])
@given(a=st.tuples(small, small), b=st.tuples(small, small))
def test_crdt_counter_encoding_matches_merge(rule: str, a: tuple, b: tuple) -> None:
    """CR-Z3-3 = CR-CNT-2 for one writer."""
    enc = z3laws.counter(rule)
    x, y = enc.fresh("x"), enc.fresh("y")
    got = evaluate(enc.merge(x, y), {x["p"]: a[0], x["n"]: a[1], y["p"]: b[0], y["n"]: b[1]})
    vec = lambda v: {"w": v} if v else {}  # noqa: E731
    want = counter.merge(rule, counter.Counts(vec(a[0]), vec(a[1])), counter.Counts(vec(b[0]), vec(b[1])))
    assert (got["p"], got["n"]) == (want.p.get("w", 0), want.n.get("w", 0))


@pytest.mark.parametrize("rule", RULES["or-set"])
@given(c=st.integers(1, 3), a=st.tuples(st.booleans(), st.booleans(), small),
       b=st.tuples(st.booleans(), st.booleans(), small))
def test_crdt_orset_encoding_matches_merge(rule: str, c: int, a: tuple, b: tuple) -> None:
    """CR-Z3-4 = CR-SET-2 at one dot (reachable states only: a held or tombstoned dot is covered)."""
    def reachable(t: tuple) -> bool:
        p, tomb, v = t
        return (not p or c <= v) and (not tomb or p) and (rule == "add-wins-tombstones" or not tomb)

    if not (reachable(a) and reachable(b)):
        return
    enc = z3laws.orset(rule)
    x, y = enc.fresh("x"), enc.fresh("y")
    values = {z3.Int("dot_c"): c}
    values.update({x[k]: v for k, v in zip(("p", "t", "v"), a, strict=True)})
    values.update({y[k]: v for k, v in zip(("p", "t", "v"), b, strict=True)})
    got = evaluate(enc.merge(x, y), values)

    def state(t: tuple) -> orset.Tagged:
        p, tomb, v = t
        return orset.Tagged(frozenset({("e", "w", c)}) if p else frozenset(), {"w": v} if v else {},
                            frozenset({("w", c, 0)}) if tomb else frozenset())

    want = orset.merge(rule, state(a), state(b))
    assert got["p"] == (("e", "w", c) in want.dots)
    assert got["t"] == any(t[:2] == ("w", c) for t in want.tombs)
    assert got["v"] == want.vv.get("w", 0)
