"""The PN-counter (CR-CNT-1..6): two grow-only vectors of per-writer totals, merged pointwise by max.

Standard rule ``pointwise-max`` (Shapiro et al., INRIA RR-7506, Spec 7). Broken rule ``sum``: adding the
two sides' totals, which is what an op-based counter's effect does when its messages travel over a
state-based channel; it double counts every duplicate or re-sent state (not idempotent).
Under ``ed25519`` each writer's (p, n) pair carries the writer's signature (CR-CNT-5), so no replica can
credit or debit another's entry. An optional invariant ``value >= min_value`` is guarded locally (a
decrement that would break it at the issuer is refused); Nair, Petri and Shapiro (ESOP 2020) show why a
local guard does not survive merges.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from peerproof.reference.crdt.config import Config
from peerproof.reference.crdt.identity import verify, writer_id
from peerproof.reference.crdt.op import Op, Rejected

Proof = tuple[str, str, str]  # (public key, signature, ghost origin) of a writer's latest (p, n) pair


@dataclass(frozen=True)
class Counts:
    """CR-CNT-1: per-writer increment totals ``p`` and decrement totals ``n``, each writer's pair with its proof."""

    p: Mapping[str, int]
    n: Mapping[str, int]
    proofs: Mapping[str, Proof] = field(default_factory=dict)


BOTTOM = Counts({}, {})


def signed_fields(writer: str, p: int, n: int) -> list[Any]:
    """CR-CNT-5: what a writer signs: its own totals."""
    return ["cnt", writer, p, n]


def _join(rule: str, a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    if rule == "sum":
        return {w: a.get(w, 0) + b.get(w, 0) for w in sorted(set(a) | set(b))}
    return {w: max(a.get(w, 0), b.get(w, 0)) for w in sorted(set(a) | set(b))}


def merge(rule: str, local: Counts, incoming: Counts) -> Counts:
    """CR-CNT-2: merge both vectors writer by writer (max; ``sum`` adds them); each writer keeps the proof of
    the side whose pair is the merged one (a writer's honest pairs are ordered, so one side's always is)."""
    p, n = _join(rule, local.p, incoming.p), _join(rule, local.n, incoming.n)
    proofs = {}
    for w in sorted(set(local.proofs) | set(incoming.proofs)):
        sides = [s for s in (local, incoming) if w in s.proofs]
        matching = [s.proofs[w] for s in sides if (s.p.get(w, 0), s.n.get(w, 0)) == (p.get(w, 0), n.get(w, 0))]
        proofs[w] = max(matching or [s.proofs[w] for s in sides])
    return Counts(p, n, proofs)


def value(state: Counts) -> int:
    """CR-CNT-3: the counter's value, sum(p) - sum(n)."""
    return sum(state.p.values()) - sum(state.n.values())


def apply(config: Config, state: Counts, op: Op, check: bool = True) -> tuple[Counts, Counts]:
    """CR-CNT-4: an increment or decrement credited to the writer; the invariant guard refuses a decrement."""
    if op.op not in ("inc", "dec"):
        raise Rejected(f"op: pn-counter has no {op.op!r}")
    if op.amount < 1:
        raise Rejected("amount: a counter update moves by at least 1")
    w = op.writer
    p, n = state.p.get(w, 0), state.n.get(w, 0)
    if op.op == "inc":
        p += op.amount
    else:
        if check and config.min_value is not None and value(state) - op.amount < config.min_value:
            raise Rejected(f"invariant: the value would fall below {config.min_value}")
        n += op.amount
    proof = (op.pubkey or "", op.sig or "", op.replica)
    if check and not proven(config, w, p, n, proof):
        raise Rejected("the issuer's own checks refuse the totals")
    delta = Counts({w: p} if p else {}, {w: n} if n else {}, {w: proof})
    new = Counts({**state.p, **delta.p}, {**state.n, **delta.n}, {**state.proofs, w: proof})
    return new, delta


def proven(config: Config, writer: str, p: int, n: int, proof: Proof | None) -> bool:
    """CR-CNT-5: under ed25519, the writer's totals are signed by the key its id is the hash of."""
    if config.scheme != "ed25519":
        return True
    return proof is not None and bool(proof[0]) and writer_id(proof[0]) == writer and verify(
        proof[0], proof[1], signed_fields(writer, p, n))


def admit(config: Config, incoming: Counts, now_ms: int) -> tuple[Counts, int]:
    """CR-CNT-5: the writers' totals a receiver accepts (all, unless ed25519), and how many it refuses."""
    if config.scheme != "ed25519":
        return incoming, 0
    writers = set(incoming.p) | set(incoming.n) | set(incoming.proofs)
    ok = {w for w in writers if proven(config, w, incoming.p.get(w, 0), incoming.n.get(w, 0),
                                       incoming.proofs.get(w))}
    kept = Counts({w: v for w, v in incoming.p.items() if w in ok}, {w: v for w, v in incoming.n.items() if w in ok},
                  {w: v for w, v in incoming.proofs.items() if w in ok})
    return kept, len(writers) - len(ok)


def query(config: Config, state: Counts, now_ms: int) -> Any:
    """The counter's value."""
    return value(state)


def gc(config: Config, state: Counts, now_ms: int) -> Counts:
    """A counter has nothing to collect."""
    return state


def size(state: Counts) -> int:
    """One per writer entry in each vector."""
    return len(state.p) + len(state.n)


def writers(state: Counts) -> list[tuple[str, str]]:
    """Every writer entry's claimed writer and the (ghost) origin of its latest totals."""
    return [(w, proof[2]) for w, proof in state.proofs.items()]


def to_json(state: Counts) -> Any:
    """The state as JSON."""
    return {"p": dict(sorted(state.p.items())), "n": dict(sorted(state.n.items()))}
