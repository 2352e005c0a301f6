"""Attack synthesis for GossipSub peer scoring (GS-PROP-1..6), registered with the frame as ``CHECKS``.

* ``prove(config, slug, topic)`` -- closed-form verdicts (``analytic``): ``holds`` with its argument
  named, ``violated`` with a constructed and replayed trace, or None where no argument settles it.
* ``synthesize(config, slug, topic, depth=100, timeout_s=30)`` -- z3 bounded model checking (``bmc``):
  ``violated`` with a replayed trace, ``holds-bounded`` with the bound and the attacker's choices,
  ``holds`` (fairness, by 1-induction), or ``inconclusive`` (resource budget spent, unknown, encoding
  bug); ``timeout_s`` is a budget of z3's deterministic resource units, not of the wall clock (GS-Z3-1).
* ``search.search`` -- the Hypothesis targeted search over periodic attacker plans, an independent
  search space (engine agreement means something because the two share no plan code).

Every ``violated`` finding's trace was replayed in the reference model and confirmed by
``peerproof.properties.gossipsub.security.witness_violation`` before it was returned. A confirmed
violation is also replayed through ``@libp2p/gossipsub`` (the ``ts`` implementation).
"""

from __future__ import annotations

from typing import Any

from peerproof.attacks.checks import Checks, Engine, Implementation, Job, Property, Settings
from peerproof.attacks.finding import Finding
from peerproof.attacks.gossipsub.example import example, example_summary
from peerproof.attacks.gossipsub.network.simulation import SIMULATION
from peerproof.attacks.gossipsub.presentation import PLOT_VIEW, example_table, group_label, score_tables
from peerproof.attacks.gossipsub.symbolic import prove, synthesize
from peerproof.attacks.presentation import Presentation
from peerproof.properties.gossipsub.security import PROPERTIES, applicable_topics, witness_violation
from peerproof.reference.trace import Trace


def topic_groups(config: Any, prop: Property) -> list[list[str]]:
    """The topics a per-topic property is checked in, grouped by identical parameters (one check per group:
    the score treats topics alike, so a group's members share the verdict)."""
    groups: dict[Any, list[str]] = {}
    for topic in applicable_topics(config, prop.slug):
        groups.setdefault(config.topics[topic], []).append(topic)
    return list(groups.values())


def witness(config: Any, job: Job, trace: Trace) -> str | None:
    """The ground-truth account of the job's violation in the replayed trace (None: no violation)."""
    return witness_violation(config, job.slug, job.topic, trace)


def run_analytic(config: Any, job: Job, settings: Settings) -> Finding | None:
    """The closed-form engine on one job."""
    return prove(config, job.slug, job.topic, dialect=settings.dialect)


def run_z3(config: Any, job: Job, settings: Settings) -> Finding:
    """The z3 bounded model checker on one job (``depth`` decay intervals)."""
    return synthesize(config, job.slug, job.topic, depth=settings.depth, timeout_s=settings.timeout_s,
                      dialect=settings.dialect)


def run_search(config: Any, job: Job, settings: Settings) -> Finding:
    """The Hypothesis targeted search on one job (``samples`` plans)."""
    from peerproof.attacks.gossipsub.search import search

    return search(config, job.slug, job.topic, budget=settings.samples, timeout_s=settings.timeout_s,
                  dialect=settings.dialect, seed=settings.seed)


CHECKS = Checks(
    protocol="gossipsub",
    properties=tuple(Property(p.id, p.slug, p.title, "topic" if p.per_topic else None) for p in PROPERTIES.values()),
    witness=witness,
    engines=(
        Engine("analytic", "closed-form", run_analytic,
               "closed forms over the config's exact rationals; constructed witnesses"),
        Engine("z3", "z3", run_z3, "z3 bounded model checking in QF_LIRA, squares relaxed and refined exactly"),
        Engine("hypothesis", "hypothesis", run_search, "Hypothesis targeted search over periodic attacker plans"),
    ),
    scopes=topic_groups,
    implementations=(Implementation("ts", "peerproof.adapters.differential:replay_violation"),),
    presentation=Presentation(scope_name="topic", group_label=group_label, score_tables=score_tables,
                              plot_view=PLOT_VIEW, example=example, example_table=example_table,
                              example_summary=example_summary),
    simulation=SIMULATION,
    preload=("peerproof.attacks.gossipsub.symbolic.bmc", "peerproof.attacks.gossipsub.search",
             "peerproof.properties.gossipsub.security", "peerproof.adapters"),
    warm_up=("peerproof.reference.gossipsub.fast.warm",),  # engine processes start with the kernel loaded
)

__all__ = ["CHECKS", "prove", "synthesize"]
