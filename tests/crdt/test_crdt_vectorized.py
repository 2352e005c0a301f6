"""CR-LWW-5: the vectorized LWW-map merge equals the reference merge entry for entry."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from peerproof.reference.crdt import lww, vectorized

entry = st.builds(lambda ts, w, v: lww.Entry(ts, None, f"w{w}", None if v < 0 else f"v{v}"),
                  st.integers(0, 3), st.integers(0, 3), st.integers(-1, 3))
store = st.dictionaries(st.sampled_from([f"k{i}" for i in range(6)]), entry, max_size=6).map(
    lambda d: lww.Store({(k, ""): e for k, e in d.items()}))


@given(a=store, b=store)
def test_crdt_vectorized_merge_is_the_reference_merge(a: lww.Store, b: lww.Store) -> None:
    """Same keys, same winning (ts, writer, value) per key, including empty maps and removes."""
    d = vectorized.Dictionary.of(a, b)
    got = d.store(vectorized.merge(d.columns(a), d.columns(b)))
    assert got == lww.merge("ts-writer", a, b)
