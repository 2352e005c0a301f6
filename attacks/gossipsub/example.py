"""GossipSub's example trace: a short, readable scenario that shows what a config does to real behaviour.

``peerproof example CONFIG`` and ``peerproof demo`` show it (through the checks registry's presentation).
The scenario is data built with ``reference.trace.record``, so it replays like any other trace: an honest
peer, a lazy one that never forwards in one topic, and a spammer of invalid messages.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from peerproof.reference.gossipsub import (
    AddIP,
    AddPeer,
    Config,
    Deliver,
    Duplicate,
    Event,
    Graft,
    Heartbeat,
    Invalid,
    Subscribe,
    TopicParams,
)
from peerproof.reference.trace import Trace, record

HONEST, LAZY, SPAMMER = "honest", "lazy", "spammer"
MAX_MESSAGES_PER_INTERVAL = 32  # per topic and decay interval
MAX_TOPICS = 6  # the peers join this many topics at most (an eth2 node joins 2 of the 64 attestation subnets)
MIN_INTERVALS, MAX_DURATION_MS = 6, 30 * 60_000


def messages_per_interval(tp: TopicParams, interval_ms: int) -> int:
    """Enough deliveries per decay interval for a diligent peer to clear the P3 threshold when P3 activates.

    Delivering m per interval from a fresh graft, the decayed counter after k intervals is
    m·d(1−dᵏ)/(1−d); the example aims 25% above the threshold at activation (k = activation / interval),
    with 2 ≤ m ≤ MAX_MESSAGES_PER_INTERVAL (2 so that first deliveries can alternate between peers).
    """
    d, threshold = tp.mesh_message_deliveries_decay, tp.mesh_message_deliveries_threshold
    if tp.mesh_message_deliveries_weight == 0 or not 0 < d < 1 or threshold <= 0:
        return 2
    k = max(1, tp.mesh_message_deliveries_activation_ms // interval_ms)
    need = math.ceil(1.25 * threshold * (1 - d) / (d * (1 - d**k)))
    return max(2, min(MAX_MESSAGES_PER_INTERVAL, need))


def _first(config: Config, predicate: Callable[[TopicParams], bool]) -> str | None:
    return next((t for t, tp in config.topics.items() if tp.topic_weight > 0 and predicate(tp)), None)


def chosen_topics(config: Config) -> list[str]:
    """The topics the example's peers join: the first P3- and P4-scored ones, then the heaviest, in file order."""
    must = {_first(config, lambda tp: tp.mesh_message_deliveries_weight != 0),
            _first(config, lambda tp: tp.invalid_message_deliveries_weight != 0)} - {None}
    keep = set(must)
    for topic in sorted(config.topics, key=lambda t: -config.topics[t].topic_weight):
        if len(keep) >= MAX_TOPICS:
            break
        keep.add(topic)
    return [t for t in config.topics if t in keep]


@dataclass(frozen=True)
class Scenario:
    """What the gossipsub example does: which topics, who misbehaves where, for how long."""

    topics: list[str]
    lazy_topic: str | None
    spam_topic: str | None
    interval_ms: int
    heartbeat_ms: int
    duration_ms: int

    @property
    def spam_window(self) -> tuple[int, int]:
        """The middle third of the run, when the spammer sends invalid messages."""
        return self.duration_ms // 3, 2 * self.duration_ms // 3


def scenario(config: Config) -> Scenario:
    """Choose topics and the run's length: until a few decay intervals after P3 activates (≥ MIN_INTERVALS)."""
    topics = chosen_topics(config)
    lazy = _first(config, lambda tp: tp.mesh_message_deliveries_weight != 0) or (topics[0] if topics else None)
    spam = _first(config, lambda tp: tp.invalid_message_deliveries_weight != 0) or lazy
    interval = config.score.decay_interval_ms
    activation = config.topics[lazy].mesh_message_deliveries_activation_ms if lazy else 0
    intervals = max(MIN_INTERVALS, math.ceil(activation / interval) + 4)
    duration = max(min(intervals * interval, MAX_DURATION_MS), 2 * interval)
    return Scenario(topics, lazy, spam, interval, config.router.heartbeat_interval_ms or interval, duration)


def timeline(config: Config, p: Scenario) -> list[Event]:
    """The example's events in time order (heartbeats after the deliveries of the same millisecond)."""
    out: list[tuple[int, int, Event]] = []  # (time, order within the same millisecond, event)
    for n, peer in enumerate((HONEST, LAZY, SPAMMER)):
        joined = p.topics if peer != SPAMMER else [t for t in p.topics if t == p.spam_topic]
        out += [(0, 0, AddPeer(0, peer, outbound=peer != SPAMMER)), (0, 0, AddIP(0, peer, f"10.0.0.{n + 1}"))]
        out += [(0, 0, Subscribe(0, peer, t)) for t in joined] + [(0, 0, Graft(0, peer, t)) for t in joined]
    out += [(t, 2, Heartbeat(t)) for t in range(p.heartbeat_ms, p.duration_ms + 1, p.heartbeat_ms)]
    spam_from, spam_to = p.spam_window
    for k in range(p.duration_ms // p.interval_ms):
        start = k * p.interval_ms
        for topic in p.topics:
            m = messages_per_interval(config.topics[topic], p.interval_ms)
            for j in range(m):
                at, msg = start + (j + 1) * p.interval_ms // (m + 1), f"{topic}/{k}/{j}"
                first, second = (HONEST, LAZY) if topic == p.lazy_topic or j % 2 == 0 else (LAZY, HONEST)
                out.append((at, 1, Deliver(at, first, topic, msg)))
                if not (second == LAZY and topic == p.lazy_topic):
                    out.append((at, 1, Duplicate(at, second, topic, msg)))
                if topic == p.spam_topic:
                    out.append((at, 1, Duplicate(at, SPAMMER, topic, msg)))
        if p.spam_topic is not None and spam_from <= start < spam_to:
            at = start + p.interval_ms // 2 + 1
            out.append((at, 1, Invalid(at, SPAMMER, p.spam_topic)))
    out.sort(key=lambda item: (item[0], item[1]))
    return [e for _, _, e in out]


def example(config: Config, dialect: str | None = None) -> Trace:
    """Three peers under ``config``: one honest, one that never forwards in a P3-scored topic, one spammer.

    * ``honest`` delivers (first or near-first) every message in every topic it joins (at most
      MAX_TOPICS: the first P3- and P4-scored topics, then the heaviest);
    * ``lazy`` (the CVE-2022-47547 pattern) behaves like ``honest`` everywhere except the first scored
      topic with a P3 weight, where it never delivers anything;
    * ``spammer`` joins only the first topic with a P4 weight, forwards there like the others, and
      sends invalid messages there during the middle third of the run.

    The run lasts until a few decay intervals after P3 activates, with the router's heartbeat (mesh
    maintenance) at its interval, so pruning by score shows up too. Observations are recorded once
    per decay interval (after its last event) and at the end: enough to replay-check and summarise.
    """
    p = scenario(config)
    events = timeline(config, p)
    after = [i for i, e in enumerate(events)
             if i == len(events) - 1 or events[i + 1].at_ms // p.interval_ms != e.at_ms // p.interval_ms]
    return record("gossipsub", config, events, dialect=dialect, observe_after=after, meta=_meta(config, p, events))


def _meta(config: Config, p: Scenario, events: list[Event]) -> dict[str, Any]:
    spam_from, spam_to = p.spam_window
    spam = f"sends invalid messages in {p.spam_topic} from {spam_from / 1000:g}s to {spam_to / 1000:g}s"
    meta: dict[str, Any] = {
        "description": f"peerproof example for {config.name or config.file}",
        "roles": {HONEST: f"delivers every message in {_count(p.topics, config)}",
                  LAZY: _lazy_role(config, p.lazy_topic, p.topics),
                  SPAMMER: spam if p.spam_topic else "idle (the config scores no topic)"},
        "misbehaviour": [],
    }
    if p.lazy_topic is not None:
        meta["misbehaviour"].append({"peer": LAZY, "topic": p.lazy_topic, "from": 0, "to": p.duration_ms / 1000,
                                     "label": f"never forwards in {p.lazy_topic}"})
    invalid_at = [i for i, e in enumerate(events) if isinstance(e, Invalid)]
    if invalid_at:
        meta["misbehaviour"].append({"peer": SPAMMER, "topic": p.spam_topic, "events": invalid_at,
                                     "label": "invalid message"})
    return meta


def _count(topics: list[str], config: Config) -> str:
    n = len(config.topics)
    return "every topic" if len(topics) == n else f"{len(topics)} of the {n} topics (the heaviest)"


def _lazy_role(config: Config, topic: str | None, topics: list[str]) -> str:
    if topic is None:
        return "idle (the config scores no topic)"
    scored = "" if config.topics[topic].mesh_message_deliveries_weight else " (not scored: its P3 weight is 0)"
    elsewhere = "; delivers normally elsewhere" if len(topics) > 1 else ""
    return f"never forwards in {topic}{scored}{elsewhere}"


def example_summary(trace: Trace) -> dict[str, dict[str, Any]]:
    """Each peer's final and lowest recorded score and whether it ever left a mesh (from the observations)."""
    summary: dict[str, dict[str, Any]] = {}
    for obs in trace.observations:
        for peer, o in obs["values"].get("peers", {}).items():
            s = summary.setdefault(peer, {"final": 0.0, "lowest": o["score"], "pruned": False})
            s["final"], s["lowest"] = o["score"], min(s["lowest"], o["score"])
            s["pruned"] = s["pruned"] or any(not c.get("in_mesh", True) for c in o.get("topics", {}).values())
    return summary

