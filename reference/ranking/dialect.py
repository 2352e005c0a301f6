"""Dialects of the consensus aggregation (spec/ranking.md, RK-DIV): where implementations differ.

``spec`` is the spec's weighted maximum-likelihood fit with an existence check (RK-BT-*); ``client``
is the public Fortytwo client's local Zermelo solver (``src/judging.ts::computeBradleyTerry``) applied
to the same weighted win matrix: Gauss–Seidel updates in place, strengths normalised to sum n, no
existence check (a winless candidate gets strength 0 and the winner is read off whatever it reached).
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_DIALECT = "spec"


@dataclass(frozen=True)
class Dialect:
    """The behaviour switches of one dialect (RK-DIV-1..3)."""

    name: str
    check_existence: bool  # RK-DIV-1: refuse (status no-mle) when the win digraph is not strongly connected
    solver_override: str | None  # RK-DIV-2: the client always runs its Gauss–Seidel Zermelo iteration
    converge_on: str  # RK-DIV-3: "log-strength" (spec) or "strength" (client: max |Δs| with Σs = n)


DIALECTS: dict[str, Dialect] = {
    "spec": Dialect("spec", check_existence=True, solver_override=None, converge_on="log-strength"),
    "client": Dialect("client", check_existence=False, solver_override="zermelo-gs", converge_on="strength"),
}


def get_dialect(name: str) -> Dialect:
    """The dialect called ``name``; ValueError naming the known ones otherwise."""
    try:
        return DIALECTS[name]
    except KeyError:
        raise ValueError(f"unknown dialect {name!r}; choose one of {', '.join(DIALECTS)}") from None
