"""Checks for replicated state (spec/crdt.md §6-§7): the CR-PROP-1..11 properties, their witness, three engines.

The lattice laws and strong eventual consistency are checked on every config; the Byzantine properties
only where the config has what they speak about (scope: the config's type, one job per config).
"""

from __future__ import annotations

from typing import Any

from peerproof.attacks.checks import Checks, Engine, Job, Property, Simulation
from peerproof.attacks.crdt import plot, simulation
from peerproof.attacks.crdt.engines import run_analytic, run_hypothesis, run_z3
from peerproof.attacks.presentation import Presentation
from peerproof.properties.crdt.catalogue import BY_SLUG, PROPERTIES, applies
from peerproof.properties.crdt.witness import WITNESSES
from peerproof.reference.crdt import Config
from peerproof.reference.trace import Trace


def witness(config: Config, job: Job, trace: Trace) -> str | None:
    """Ground truth: the property's predicate re-run on the trace's events."""
    return WITNESSES[job.slug](trace.config, list(trace.events))


def scopes(config: Config, prop: Property) -> list[list[str]]:
    """A scoped property is one job on the config's type where it applies, none elsewhere."""
    return [[config.type]] if applies(config, BY_SLUG[prop.slug]) else []


def group_label(group: Any) -> str:
    """The type a job stands for."""
    return ", ".join(group)


CHECKS = Checks(
    protocol="crdt",
    properties=tuple(Property(p.id, p.slug, p.title, None if p.applies is None else "type") for p in PROPERTIES),
    witness=witness,
    engines=(
        Engine("analytic", "closed-form", run_analytic, "Byzantine attacks constructed and replayed, or the "
               "argument that the config's mitigation stops every one"),
        Engine("z3", "z3", run_z3, "lattice laws over reachable, compatible states (pointwise: unbounded); "
               "candidates realised by shortest small-scope traces"),
        Engine("hypothesis", "hypothesis", run_hypothesis, "random law traces and random network runs with "
               "reordering, duplication, loss and partitions"),
    ),
    scopes=scopes,
    presentation=Presentation(scope_name="type", group_label=group_label, plot=plot.plot),
    simulation=Simulation("the parallax announcement workload (expiring key/subkey map) on a lossy, churning "
                          "network, with an optional expiry-inflation attacker", simulation.add_arguments,
                          simulation.run),
)
"""What ``peerproof check`` and ``attack`` know about crdt."""
