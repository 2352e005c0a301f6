"""What a peer may choose in each decay interval (its strategy space) and the z3 variables for it.

Message counts are reals that the literal ``integral()`` makes integers: attacks are always asked with
it, proofs first without it (the relaxation is cheaper, and UNSAT there is UNSAT for integers). A
prefix of the choices can be fixed to concrete steps (an opening), which the encoding folds away.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import z3
from peerproof.attacks.gossipsub.symbolic.plan import Step
from peerproof.attacks.gossipsub.symbolic.rational import ConfigQ


@dataclass(frozen=True)
class Freedom:
    """A peer's strategy space in each decay interval; the bound text of a holds-bounded verdict lists it."""

    first: Mapping[str, int] = field(default_factory=dict)  # topic -> most first deliveries per interval
    near: Mapping[str, int] = field(default_factory=dict)  # topic -> most near-first copies per interval
    invalid: Mapping[str, int] = field(default_factory=dict)  # topic -> most invalid messages per interval
    mesh: frozenset[str] = frozenset()  # topics it may graft into and prune itself from, at any interval
    join: frozenset[str] = frozenset()  # topics it may join when it connects and then keeps (cheaper to solve)
    penalties: int = 0  # most behaviour penalties per interval
    ip_peers: int = 1  # most peers on its IP, itself included
    reconnect: bool = False  # may disconnect and reconnect
    steady: bool = False  # the same counts in every interval (a periodic strategy of period 1)

    def describe(self) -> str:
        """The strategy space in words."""
        parts = []
        for what, counts in (("first deliveries", self.first), ("near-first copies", self.near),
                             ("invalid messages", self.invalid)):
            if counts:
                parts.append(f"{what} ({', '.join(f'{t} <= {n}' for t, n in counts.items())})")
        if self.mesh:
            parts.append(f"graft/prune in {', '.join(sorted(self.mesh))} at any interval (score >= 0 and backoff "
                         f"respected)")
        if self.join - self.mesh:
            parts.append(f"join any of {', '.join(sorted(self.join - self.mesh))} on connecting, then stay")
        if self.penalties:
            parts.append(f"<= {self.penalties} behaviour penalties")
        if self.ip_peers > 1:
            parts.append(f"<= {self.ip_peers} peers on its IP")
        if self.reconnect:
            parts.append("disconnect/reconnect (retention, deletion of positive scores)")
        if self.steady:
            parts.append("the same counts every interval")
        return "; ".join(parts) or "nothing"


@dataclass
class Choices:
    """The choice variables of one peer, per interval (constants where its freedom excludes a choice)."""

    first: list[dict[str, z3.ArithRef]]
    near: list[dict[str, z3.ArithRef]]
    invalid: list[dict[str, z3.ArithRef]]
    graft: list[dict[str, z3.BoolRef]]
    prune: list[dict[str, z3.BoolRef]]
    penalties: list[z3.ArithRef]
    ip: list[z3.ArithRef]
    reconnect: list[z3.BoolRef]
    disconnect: list[z3.BoolRef]


def integral() -> z3.BoolRef:
    """The literal that makes every message count an integer. Proofs first ask without it: the counts'
    real relaxation is cheaper, and no attack with real counts means none with integer counts."""
    return z3.Bool("integral-counts")


def choices(name: str, k: int, cq: ConfigQ, freedom: Freedom, out: list[z3.BoolRef],
            fixed: Sequence[Step] = ()) -> Choices:
    """Fresh choice variables for ``k`` intervals within ``freedom`` (range constraints go to ``out``);
    the first ``len(fixed)`` intervals are the given steps, as constants."""

    made: dict[str, z3.ArithRef] = {}

    def count(kind: str, i: int, topic: str, most: int) -> z3.ArithRef:
        if most <= 0:
            return z3.RealVal(0)
        key = f"{name}.{kind}[{'*' if freedom.steady else i}].{topic}"
        if key not in made:
            made[key] = v = z3.Real(key)
            out.extend([v >= 0, v <= most, z3.Implies(integral(), z3.IsInt(v))])
        return made[key]

    def flag(kind: str, i: int, allowed: bool) -> z3.BoolRef:
        return z3.Bool(f"{name}.{kind}[{i}]") if allowed else z3.BoolVal(False)

    names = [t.name for t in cq.topics]
    ch = Choices([], [], [], [], [], [], [], [], [])
    for step in fixed:
        ch.first.append({t: z3.RealVal(step.first.get(t, 0)) for t in names})
        ch.near.append({t: z3.RealVal(step.near.get(t, 0)) for t in names})
        ch.invalid.append({t: z3.RealVal(step.invalid.get(t, 0)) for t in names})
        ch.graft.append({t: z3.BoolVal(t in step.graft) for t in names})
        ch.prune.append({t: z3.BoolVal(t in step.prune) for t in names})
        ch.penalties.append(z3.RealVal(step.penalties))
        ch.ip.append(z3.IntVal(step.ip_peers))
        ch.reconnect.append(z3.BoolVal(step.reconnect))
        ch.disconnect.append(z3.BoolVal(step.disconnect))
    for i in range(len(fixed), k):
        ch.first.append({t: count("first", i, t, freedom.first.get(t, 0)) for t in names})
        ch.near.append({t: count("near", i, t, freedom.near.get(t, 0)) for t in names})
        ch.invalid.append({t: count("invalid", i, t, freedom.invalid.get(t, 0)) for t in names})
        ch.graft.append({t: flag(f"graft.{t}", i, t in freedom.mesh or (i == 0 and t in freedom.join)) for t in names})
        ch.prune.append({t: flag(f"prune.{t}", i, t in freedom.mesh) for t in names})
        ch.penalties.append(count("penalties", i, "", freedom.penalties))
        ip = z3.Int(f"{name}.ip[{i}]") if freedom.ip_peers > 1 else z3.IntVal(1)
        if freedom.ip_peers > 1:
            out.extend([ip >= 1, ip <= freedom.ip_peers])
        ch.ip.append(ip)
        ch.reconnect.append(flag("reconnect", i, freedom.reconnect))
        ch.disconnect.append(flag("disconnect", i, freedom.reconnect))
    return ch
