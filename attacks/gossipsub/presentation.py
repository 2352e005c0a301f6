"""How GossipSub results and traces are shown: score tables, the score plot's view, group labels, the demo.

Registered in ``CHECKS.presentation``; the CLI and the report draw with these and name no protocol.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from peerproof.attacks.gossipsub.example import example_summary
from peerproof.attacks.presentation import PlotView, num
from rich.table import Table


def group_label(topics: Sequence[str]) -> str:
    """A short name for a group of topics: ``beacon_attestation_{0..63}`` or ``a, b, c``."""
    if len(topics) == 1:
        return topics[0]
    stems = {t.rstrip("0123456789") for t in topics}
    if len(stems) == 1:
        stem = stems.pop()
        numbers = sorted(int(t[len(stem):]) for t in topics if t[len(stem):].isdigit())
        if len(numbers) == len(topics) and numbers == list(range(numbers[0], numbers[-1] + 1)):
            return f"{stem}{{{numbers[0]}..{numbers[-1]}}}"
    return ", ".join(topics)


def status(config: Any, score: float) -> str:
    """Which gate of GS-THR a score falls below (the lowest one), or "ok"."""
    t = config.thresholds
    for level, name in ((t.graylist_threshold, "graylisted"), (t.publish_threshold, "below publish"),
                        (t.gossip_threshold, "below gossip")):
        if score < level:
            return name
    return "negative (pruned)" if score < 0 else "ok"


def score_tables(config: Any, observed: Mapping[str, Any]) -> list[Table]:
    """Each peer's score with P5–P7, then every topic's P1–P4 and weighted contribution."""
    totals = Table(title="Score per peer", title_justify="left", caption_justify="left",
                   caption="topics: sum of topic contributions; capped: after TopicScoreCap; P5–P7 unweighted")
    for name in ("peer", "score", "status", "topics", "capped", "P5", "P6", "P7", "connected"):
        totals.add_column(name, justify="left" if name in ("peer", "status") else "right")
    topics = Table(title="Topic components per peer", title_justify="left", caption_justify="left",
                   caption="P1–P4 unweighted; contribution = topic weight × (w1·P1 + w2·P2 + w3·P3 + w3b·P3b + w4·P4)")
    for name in ("peer", "topic", "mesh", "P1", "P2", "P3", "P3b", "P4", "contribution"):
        topics.add_column(name, justify="left" if name in ("peer", "topic") else "right", overflow="fold")
    for peer, obs in observed.get("peers", {}).items():
        totals.add_row(peer, num(obs["score"]), status(config, obs["score"]), num(obs["topic_total"]),
                       num(obs["topic_capped"]), num(obs["p5"]), num(obs["p6"]), num(obs["p7"]),
                       "yes" if obs["connected"] else "no (retained)")
        for topic, c in obs["topics"].items():
            topics.add_row(peer, topic, "yes" if c["in_mesh"] else "no", num(c["p1"]), num(c["p2"]), num(c["p3"]),
                           num(c["p3b"]), num(c["p4"]), num(c["contribution"]))
    return [totals, topics]


def example_table(name: str, config: Any, trace: Any) -> Table:
    """One compact table per config for ``peerproof demo``: each example peer's fate."""
    summary = example_summary(trace)
    roles = trace.meta.get("roles", {})
    table = Table(title=f"{name}: example trace", title_justify="left")
    for col in ("peer", "behaviour", "final score", "lowest score", "status at end", "pruned"):
        table.add_column(col, justify="right" if "score" in col else "left", overflow="fold")
    for peer, s in summary.items():
        table.add_row(peer, roles.get(peer, ""), num(s["final"]), num(s["lowest"]), status(config, s["final"]),
                      "yes" if s["pruned"] else "no")
    return table


def components(config: Any, obs: Mapping[str, Any]) -> dict[str, float]:
    """A peer's weighted score components: each topic's contribution (P1–P4), the cap, P5–P7."""
    params = config.score
    out = {f"topic {t}": comps["contribution"] for t, comps in obs["topics"].items()}
    out["cap (TopicScoreCap)"] = obs["topic_capped"] - obs["topic_total"]
    out["P5 app-specific"] = obs["p5"] * params.app_specific_weight
    out["P6 IP colocation"] = obs["p6"] * params.ip_colocation_factor_weight
    out["P7 behaviour penalty"] = obs["p7"] * params.behaviour_penalty_weight
    return out


def thresholds(config: Any) -> list[tuple[str, float]]:
    """The score levels drawn as horizontal lines (GS-THR)."""
    t = config.thresholds
    return [("0", 0.0), ("gossip", t.gossip_threshold), ("publish", t.publish_threshold),
            ("graylist", t.graylist_threshold)]


def meshes(obs: Mapping[str, Any]) -> frozenset[str]:
    """The topics in whose mesh the peer is."""
    return frozenset(t for t, comps in obs["topics"].items() if comps["in_mesh"])


PLOT_VIEW = PlotView(components=components, thresholds=thresholds, memberships=meshes)
