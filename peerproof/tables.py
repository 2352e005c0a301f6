"""What the CLI shows people: rich tables of configs, scores and the demo (machines get JSON instead)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.table import Table


def num(x: Any) -> str:
    """A number as a short readable string (6 significant digits; exact zero as "0")."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        return str(x)
    if x == 0:
        return "0"
    return f"{x:.6g}"


def source_text(source: Mapping[str, Any]) -> str:
    """A config's provenance in one line: repository, file, version."""
    parts = [str(source[k]) for k in ("repository", "file") if source.get(k)]
    text = " / ".join(parts) or "—"
    return f"{text} @ {source['version']}" if source.get("version") else text


def configs_table(entries: Sequence[Mapping[str, Any]]) -> Table:
    """The bundled configs: name, protocol, where each came from."""
    table = Table(title="Bundled configs", title_justify="left")
    table.add_column("name", style="bold")
    table.add_column("protocol")
    table.add_column("source (repository / file @ version)", overflow="fold")
    for e in entries:
        table.add_row(e["name"], e["protocol"], source_text(e["source"]))
    return table


# -- gossipsub scores ----------------------------------------------------------------------------------

def gossipsub_status(config: Any, score: float) -> str:
    """Which gate of GS-THR a score falls below (the lowest one), or "ok"."""
    t = config.thresholds
    for level, name in ((t.graylist_threshold, "graylisted"), (t.publish_threshold, "below publish"),
                        (t.gossip_threshold, "below gossip")):
        if score < level:
            return name
    return "negative (pruned)" if score < 0 else "ok"


def gossipsub_score_tables(config: Any, peers: Mapping[str, Mapping[str, Any]]) -> list[Table]:
    """Each peer's score with P5–P7, then every topic's P1–P4 and weighted contribution."""
    totals = Table(title="Score per peer", title_justify="left", caption_justify="left",
                   caption="topics: sum of topic contributions; capped: after TopicScoreCap; P5–P7 unweighted")
    for name in ("peer", "score", "status", "topics", "capped", "P5", "P6", "P7", "connected"):
        totals.add_column(name, justify="left" if name in ("peer", "status") else "right")
    topics = Table(title="Topic components per peer", title_justify="left", caption_justify="left",
                   caption="P1–P4 unweighted; contribution = topic weight × (w1·P1 + w2·P2 + w3·P3 + w3b·P3b + w4·P4)")
    for name in ("peer", "topic", "mesh", "P1", "P2", "P3", "P3b", "P4", "contribution"):
        topics.add_column(name, justify="left" if name in ("peer", "topic") else "right", overflow="fold")
    for peer, obs in peers.items():
        totals.add_row(peer, num(obs["score"]), gossipsub_status(config, obs["score"]), num(obs["topic_total"]),
                       num(obs["topic_capped"]), num(obs["p5"]), num(obs["p6"]), num(obs["p7"]),
                       "yes" if obs["connected"] else "no (retained)")
        for topic, c in obs["topics"].items():
            topics.add_row(peer, topic, "yes" if c["in_mesh"] else "no", num(c["p1"]), num(c["p2"]), num(c["p3"]),
                           num(c["p3b"]), num(c["p4"]), num(c["contribution"]))
    return [totals, topics]


def generic_score_tables(peers: Mapping[str, Mapping[str, Any]]) -> list[Table]:
    """A protocol without its own view: each peer's scalar observables."""
    table = Table(title="Observables", title_justify="left")
    keys = sorted({k for obs in peers.values() for k, v in obs.items() if isinstance(v, int | float | bool)})
    for name in ("peer", *keys):
        table.add_column(name)
    for peer, obs in peers.items():
        table.add_row(peer, *(num(obs.get(k, "")) for k in keys))
    return [table]


def score_tables(protocol: str, config: Any, peers: Mapping[str, Mapping[str, Any]]) -> list[Table]:
    """The tables that show a protocol's observables per peer."""
    if protocol == "gossipsub":
        return gossipsub_score_tables(config, peers)
    return generic_score_tables(peers)


def demo_table(name: str, config: Any, summary: Mapping[str, Mapping[str, Any]], roles: Mapping[str, str]) -> Table:
    """One compact table per config for ``peerproof demo``: each example peer's fate."""
    table = Table(title=f"{name}: example trace", title_justify="left")
    for col in ("peer", "behaviour", "final score", "lowest score", "status at end", "pruned"):
        table.add_column(col, justify="right" if "score" in col else "left", overflow="fold")
    for peer, s in summary.items():
        table.add_row(peer, roles.get(peer, ""), num(s["final"]), num(s["lowest"]),
                      gossipsub_status(config, s["final"]), "yes" if s["pruned"] else "no")
    return table
