"""Dialects (spec/matchmaking.md §9, MM-DIV-*): where the KNEXA-FL paper and its released code disagree.

Numbers that a config states (λ, β, the pair budget, γ, δ) are config fields; a dialect holds the
behaviours that are fixed in one implementation's code and differ in another.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    """One implementation's behaviour where the paper and the code diverge."""

    name: str
    beta_schedule: str  # MM-DIV-2: "constant" (paper Alg. 1) or "inverse-sqrt-round" (β0/√max(1, round))
    reward: str  # MM-DIV-3: "loss-kb" (paper Eq. 3) or "delta-pass" (post − pre validation Pass@1)
    roles: str  # MM-DIV-5: "performance" (higher performer teaches) or "lower-index-student"
    tie_break: str  # MM-DIV-6: "lowest-pair-first" or "highest-pair-first" (Python sort(reverse=True))
    float32: bool  # MM-DIV-7: A and b kept in float32 (numpy release, torch default dtype)
    direct_inverse: bool  # MM-DIV-8: score with inv(A) each round (code) or the Sherman–Morrison inverse


DIALECTS: dict[str, Dialect] = {
    # arXiv 2601.17133 main text Alg. 1 and Eq. 3; the supplement's running z-score is a config field.
    "paper": Dialect("paper", "constant", "loss-kb", "performance", "lowest-pair-first", False, False),
    # FujitsuResearch/knexa-fl @ 5ac3127: src/bandit.py, src/main_p2p_real.py, knexa_fl_release/cpm_linucb.py.
    "knexa-code": Dialect("knexa-code", "inverse-sqrt-round", "delta-pass", "lower-index-student",
                          "highest-pair-first", True, True),
}
DEFAULT_DIALECT = "paper"


def get_dialect(name: str) -> Dialect:
    """The dialect called ``name``; ValueError naming the known ones otherwise."""
    if name not in DIALECTS:
        raise ValueError(f"unknown dialect {name!r}; known: {', '.join(DIALECTS)}")
    return DIALECTS[name]
