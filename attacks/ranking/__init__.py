"""Attacks on reputation-weighted Bradley–Terry consensus (RK-SEC-1..6): the checks ``peerproof check`` runs.

``CHECKS`` lists the properties, the witness that confirms every violation, and three engines:
``analytic`` (closed-form arguments), ``exact`` (the count- and reputation-minimal flipping coalitions by
branch and bound, RK-ATK-6), ``enumeration`` (every self-promoting author and candidate cut; bisection over
the Sybil swarm size, with and without farming), ``z3`` (a MaxSAT cross-check of the minimal coalition) and
``hypothesis`` (targeted random search for a flipping coalition or a withholding set, RK-ATK-7).
"""

from __future__ import annotations

from typing import Any

from peerproof.attacks.checks import Checks, Engine, Job, Presentation, Property
from peerproof.attacks.ranking.engines import analytic, enumeration, z3_engine
from peerproof.attacks.ranking.flip import coalition_share
from peerproof.attacks.ranking.search import ranking_search
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
        Engine("exact", "closed-form", coalition_share, "the count- and reputation-minimal flipping coalitions: "
               "branch and bound over classes of interchangeable judges, every verdict from the model"),
        Engine("enumeration", "closed-form", enumeration, "every self-promoting author and candidate cut; "
               "bisection over the Sybil swarm size, with and without reputation farming"),
        Engine("z3", "z3", z3_engine, "cross-check of the minimal promoting coalition: greedy upper bound, z3 "
               "MaxSAT lower bound with cuts learned from the model"),
        Engine("hypothesis", "hypothesis", ranking_search, "targeted random search for a coalition below the "
               "threshold that flips the winner, or a withholding set that blocks the round or gets a winner named "
               "without an MLE (bounded by examples)"),
    ),
    presentation=Presentation(scope_name="round"),
    simulation=SIMULATION,
)

__all__ = ["CHECKS"]
