"""Verdicts as data (three-valued, as Jepsen's checkers): what one engine found about one property.

Every engine (z3 bounded model checking, closed-form arguments, Hypothesis targeted search) returns
``Finding`` objects; a ``violated`` finding always carries a trace that was replayed in the reference
model before the finding was built, and every ``holds*`` finding says exactly what bound covers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from peerproof.reference.verdicts import VERDICTS


@dataclass(frozen=True)
class Finding:
    """One verdict on one property (per topic where the property is per topic)."""

    property: str  # the property's slug, e.g. "penalizes-non-forwarding"
    topic: str | None  # the scope item it is about (a topic, a key, ...); None: the whole config
    verdict: str  # one of VERDICTS
    reason: str  # why, in words: the argument, the bound, or the attack
    bound: str | None  # what a holds/holds-bounded covers, e.g. "k=100 decay intervals"; None if violated
    seconds: float
    engine: str  # "z3", "analytic", "hypothesis", "evaluation"
    trace: Any = None  # a peerproof.reference.trace.Trace, replayed, for violations

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
        if self.verdict == "violated" and self.trace is None and self.engine != "evaluation":
            raise ValueError("a violation needs a replayed trace")

