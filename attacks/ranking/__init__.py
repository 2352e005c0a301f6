"""Attacks on reputation-weighted Bradley–Terry consensus (RK-SEC-1..6): the checks ``peerproof check`` runs.

``CHECKS`` lists the properties, the witness that confirms every violation, and three engines:
``analytic`` (closed-form arguments), ``enumeration`` (every self-promoting author and candidate cut;
bisection over the Sybil swarm size, with and without farming) and ``z3`` (minimal coalitions).
"""

from __future__ import annotations

from typing import Any

from peerproof.attacks.checks import Checks, Engine, Job, Presentation, Property
from peerproof.attacks.ranking.engines import analytic, enumeration, z3_engine
from peerproof.attacks.ranking.simulation import SIMULATION
from peerproof.properties.ranking.security import PROPERTIES, witness
from peerproof.reference.trace import Trace


def witness_of(config: Any, job: Job, trace: Trace) -> str | None:
    """The account of the violation of ``job``'s property the trace shows (None: none)."""
    return witness(config, job.slug, trace)


CHECKS = Checks(
    protocol="ranking",
    properties=tuple(Property(p.id, p.slug, p.title) for p in PROPERTIES),
    witness=witness_of,
    engines=(
        Engine("analytic", "closed-form", analytic, "arguments from the rules: own answers excluded, a prior, the "
               "existence check, a budget below one identity"),
        Engine("enumeration", "closed-form", enumeration, "every self-promoting author and candidate cut; "
               "bisection over the Sybil swarm size, with and without reputation farming"),
        Engine("z3", "z3", z3_engine, "minimal promoting coalitions: greedy upper bound, z3 MaxSAT lower bound with "
               "cuts learned from the model"),
    ),
    presentation=Presentation(scope_name="round"),
    simulation=SIMULATION,
)

__all__ = ["CHECKS"]
