"""Bench: merging two LWW maps of 10^5 keys, vectorized (numpy) vs loro importing the same writes, one process.

Target (issue 10): the vectorized merge at least as fast as loro (ratio >= 1x). Replica A writes every
key, replica B writes every key concurrently (one instant; B's writer id and loro peer id are the
greater, so B wins every key in both); the timed step is the merge: ``vectorized.merge(A, B)`` versus
``docA.import_(updates of B)``. Both results are checked equal before the figures are printed. Also
printed: the pure-Python reference merge on the same maps, for scale.

    .venv/bin/python bench/bench_crdt_merge.py [--keys 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import time

import loro
import numpy as np
from peerproof.reference.crdt import lww, vectorized


def best(fn, repeat: int) -> float:
    """The best wall time of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Build the two maps, time both merges, check they agree, print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    n = args.keys
    keys = [f"k{i:06d}" for i in range(n)]
    store_a = lww.Store({(k, ""): lww.Entry(1000, None, "a", f"a{i % 97}") for i, k in enumerate(keys)})
    store_b = lww.Store({(k, ""): lww.Entry(1000, None, "b", f"b{i % 89}") for i, k in enumerate(keys)})
    d = vectorized.Dictionary.of(store_a, store_b)
    cols_a, cols_b = d.columns(store_a), d.columns(store_b)
    ours = best(lambda: vectorized.merge(cols_a, cols_b), args.repeat)
    reference = best(lambda: lww.merge("ts-writer", store_a, store_b), 1)

    def loro_docs() -> tuple[loro.LoroDoc, bytes]:
        doc_a, doc_b = loro.LoroDoc(), loro.LoroDoc()
        doc_a.peer_id, doc_b.peer_id = 1, 2
        ma, mb = doc_a.get_map("state"), doc_b.get_map("state")
        for i, k in enumerate(keys):
            ma.insert(k, f"a{i % 97}")
            mb.insert(k, f"b{i % 89}")
        doc_a.commit()
        doc_b.commit()
        return doc_a, doc_b.export(loro.ExportMode.Updates(loro.VersionVector()))

    loro_times = []
    for _ in range(args.repeat):
        doc_a, update_b = loro_docs()
        start = time.perf_counter()
        doc_a.import_(update_b)
        loro_times.append(time.perf_counter() - start)
    theirs = min(loro_times)
    merged = d.store(vectorized.merge(cols_a, cols_b))
    loro_map = doc_a.get_deep_value()["state"]
    assert {k[0]: e.value for k, e in merged.entries.items()} == loro_map, "the two merges disagree"
    assert merged == lww.merge("ts-writer", store_a, store_b)
    print(f"LWW map merge, {n} keys each side, every key concurrent (best of {args.repeat}):")
    print(f"  vectorized (numpy)      {ours * 1000:9.2f} ms")
    print(f"  loro import_ (1.17.1)   {theirs * 1000:9.2f} ms")
    print(f"  reference (pure Python) {reference * 1000:9.2f} ms")
    print(f"  ratio loro / vectorized {theirs / ours:9.1f}x   (target >= 1x)")
    print(f"  numpy {np.__version__}")


if __name__ == "__main__":
    main()
