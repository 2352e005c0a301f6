"""How matchmaking results are shown (``peerproof example``, ``score``, ``demo``): the example trace is the
honest warm-up every attack starts from (MM-ATK-0); the score tables list the round's pairs and the best
candidate pairs by UCB."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from peerproof.attacks.matchmaking.warmup import WARMUP_ROUNDS, honest_run
from peerproof.reference.trace import Trace, record
from rich.markup import escape
from rich.table import Table

TOP_PAIRS = 10


def example(config: Any, dialect: str | None) -> Trace:
    """W honest rounds of matchmaking with rewards from the seeded linear environment, observed after each event."""
    name = dialect or config.dialect
    events = honest_run(config, name, 0).events
    roles = {a.id: "reports its profile honestly; rewards come from the seeded linear environment"
             for a in config.agents}
    return record("matchmaking", config, events, dialect=name,
                  meta={"roles": roles, "scenario": f"{WARMUP_ROUNDS} honest rounds (MM-ATK-0)"})


def example_table(name: str, config: Any, trace: Trace) -> Table:
    """The demo's view of an example trace: each round's pairs and the rewards learnt so far."""
    table = Table(title=f"{escape(name)}: example trace ({len(config.agents)} agents, {config.context} context)")
    for col in ("round", "pairs (student<teacher, UCB)", "updates"):
        table.add_column(col)
    for obs in trace.observations:
        values = obs["values"]
        event = trace.events[obs["after"]]
        if event.kind == "match":
            shown = ", ".join(f"{p['student']}<{p['teacher']} {p['ucb']:.4g}" for p in values["pairs"])
            table.add_row(str(values["round"]), escape(shown), str(values["updates"]))
    return table


def score_tables(config: Any, observed: Mapping[str, Any]) -> list[Table]:
    """This round's pairs, then the best candidate pairs by their current UCB."""
    pairs = Table(title=f"round {observed.get('round', 0)}: pairs (β = {observed.get('beta', 0):.4g})")
    for col in ("student", "teacher", "UCB", "mean"):
        pairs.add_column(col)
    for p in observed.get("pairs", []):
        pairs.add_row(escape(p["student"]), escape(p["teacher"]), f"{p['ucb']:.6g}", f"{p['mean']:.6g}")
    best = Table(title=f"best {TOP_PAIRS} candidate pairs by UCB (student<teacher)")
    best.add_column("pair")
    best.add_column("UCB")
    ranked = sorted(observed.get("scores", {}).items(), key=lambda kv: -kv[1])[:TOP_PAIRS]
    for key, value in ranked:
        best.add_row(escape(key), f"{value:.6g}")
    return [pairs, best]
