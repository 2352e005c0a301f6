"""Small-scope search (CR-GEN-4): the shortest honest trace that breaks a law, by iterative deepening.

z3 answers whether a law can fail on reachable, compatible states; this search finds a *concrete*
trace that makes it fail, shortest first (so a refutation is minimal in symbols of the alphabet:
an update or a ship), which the engines replay and confirm with the ground-truth witness.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from peerproof.properties.crdt.alphabet import events_of, run, symbols
from peerproof.properties.crdt.witness import law_replicas
from peerproof.reference.crdt import MODEL, Config, datatype
from peerproof.reference.crdt.network import State

AT_MS = 1000  # every event at the same instant: honest writers then tie, as concurrent writers do


def law_check(config: Config, law: str, visible: bool = False) -> Callable[[State, State, Any], bool]:
    """The state-level test of a law after one symbol (``before``, ``after``, the symbol); ``visible``: only
    when the two sides of a merge law also read differently (a divergence a user would see)."""
    dt, rule = datatype(config.type), config.rule
    x, y, z = law_replicas(config)

    def st(s: State, r: str) -> Any:
        return s.replicas[r].state

    def broken(before: State, after: State, symbol: Any) -> bool:
        if law in ("merge-commutative", "merge-associative"):
            a, b, c = st(after, x), st(after, y), st(after, z)
            if law == "merge-commutative":
                left, right = dt.merge(rule, a, b), dt.merge(rule, b, a)
            else:
                left, right = dt.merge(rule, dt.merge(rule, a, b), c), dt.merge(rule, a, dt.merge(rule, b, c))
            if visible:
                return dt.query(config, left, after.now_ms) != dt.query(config, right, after.now_ms)
            return left != right
        if law == "merge-idempotent":
            return dt.merge(rule, st(after, x), st(after, x)) != st(after, x)
        if law == "update-inflationary":
            if symbol[0] != "update":
                return False
            r = symbol[1]
            return dt.merge(rule, st(before, r), st(after, r)) != st(after, r)
        if law == "invariant-preserved":
            return any(dt.query(config, st(after, r), after.now_ms) < (config.min_value or 0) for r in config.replicas)
        raise ValueError(law)

    return broken


def shortest(config: Config, law: str, max_symbols: int = 4) -> list[Any] | None:
    """The events of a shortest sequence of at most ``max_symbols`` symbols that breaks ``law``; None if none.

    The laws need the law replicas x, y, z; an invariant needs only two replicas (a merge of two states).
    """
    replicas = sorted(set(law_replicas(config)), key=config.replicas.index)
    if law == "invariant-preserved":
        replicas = replicas[:2]
    alphabet = symbols(config, replicas)
    _, start = MODEL.start(config)

    def dfs(broken: Callable[[State, State, Any], bool], state: State, events: list[Any],
            depth: int) -> list[Any] | None:
        for symbol in alphabet:
            new = events_of(config, state, symbol, AT_MS)
            after = run(config, state, new)
            if depth == 1:
                if broken(state, after, symbol):
                    return events + new
            else:
                found = dfs(broken, after, events + new, depth - 1)
                if found is not None:
                    return found
        return None

    for depth in range(1, max_symbols + 1):
        for broken in (law_check(config, law, visible=True), law_check(config, law)):
            found = dfs(broken, start, [], depth)
            if found is not None:
                return found
    return None
