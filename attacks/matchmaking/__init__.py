"""Attack synthesis for the KNEXA-style matchmaker (spec/matchmaking.md §12): ``CHECKS`` for
``peerproof check`` / ``attack`` and the torch federation behind ``peerproof simulate matchmaking``.

Every ``violated`` finding's trace was replayed in the reference model and confirmed by ``witness``.
"""

from __future__ import annotations

from peerproof.attacks.checks import Checks, Engine, Presentation, Property, Simulation
from peerproof.attacks.matchmaking.engines import run_analytic, run_highs, run_hypothesis, run_scan
from peerproof.attacks.matchmaking.presentation import example, example_table, score_tables
from peerproof.attacks.matchmaking.simulation_cli import add_arguments, run_simulation
from peerproof.attacks.matchmaking.witness import witness

PROPERTIES = (
    Property("MM-PROP-1", "pair-score-symmetric", "a pair's score does not depend on the order of its members"),
    Property("MM-PROP-2", "roles-permutation-invariant", "relabelling the agents relabels the roles, nothing else"),
    Property("MM-PROP-3", "misreport-resistant", "no in-bounds profile misreport wins the next first pick"),
    Property("MM-PROP-4", "exploration-bounded", "no out-of-bounds profile wins the first pick on exploration"),
    Property("MM-PROP-5", "reward-poisoning-resistant", "no agent's false reward reports change the next first pick"),
    Property("MM-PROP-6", "sybil-resistant", "a clone of a matched agent's profile is not matched at once"),
)

CHECKS = Checks(
    protocol="matchmaking",
    properties=PROPERTIES,
    witness=witness,
    engines=(
        Engine("analytic", "closed-form", run_analytic, "context map, role rule and clipping settle MM-PROP-1, 2, 4"),
        Engine("highs", "closed-form", run_highs, "tangent LP/MILP (misreport) and reward LP (poisoning) on HiGHS"),
        Engine("scan", "closed-form", run_scan, "axis scan for exploration hijack, clone scan for Sybils"),
        Engine("hypothesis", "hypothesis", run_hypothesis, "targeted search for misreports (cross-check)"),
    ),
    presentation=Presentation(scope_name="scope", score_tables=score_tables, example=example,
                              example_table=example_table),
    simulation=Simulation(
        help="torch federation on scikit-learn digits: local-only, random, heuristic, central and CPM-LinUCB "
             "pairing, plus an adversarial run (needs the learning extra: torch)",
        add_arguments=add_arguments, run=run_simulation,
    ),
)

__all__ = ["CHECKS", "PROPERTIES"]
