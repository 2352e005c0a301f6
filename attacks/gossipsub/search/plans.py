"""Attacker plans for the Hypothesis search engine, and the events that carry one out.

A ``Plan`` is periodic per decay interval: for each topic it engages, how many first deliveries,
near-first copies and invalid messages the attacker sends in each phase of the period, whether it sits
in the topic's mesh and whether it periodically leaves it (re-grafting once the prune backoff is over);
globally, behaviour penalties per phase, sybils sharing its IP, a disconnect/reconnect rhythm, and an
optional silent span after the first interval (a one-off penalty then decays to fractions).
Comparative properties add a *twin* peer with the same history (fairness) or the same history plus
one extra piece of misbehaviour (misbehaviour-lowers-score). ``search_space`` says which plans a
search draws; ``build_events`` turns a plan into reference-model events.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from peerproof.attacks.gossipsub.presentation import group_label
from peerproof.attacks.gossipsub.roles import ATTACKER, HONEST, TWIN
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
    Penalty,
    Prune,
    RemovePeer,
    Subscribe,
    Tick,
)

IPS = {ATTACKER: "10.0.0.1", TWIN: "10.0.0.2", HONEST: "10.0.0.9"}
EVENT_BUDGET = 240  # attacker messages per interval over all topics; plans above it are scaled down
TARGET_IN_MESH = ("penalizes-non-forwarding",)


@dataclass(frozen=True)
class TopicPlan:
    """What the attacker does in one topic, per phase of the plan's period."""

    topic: str
    mesh: bool
    first: tuple[int, ...]
    near: tuple[int, ...]
    invalid: tuple[int, ...]
    invalid_once: int = 0  # invalid messages sent once, in the first interval
    churn: int = 0  # 0: stays; k: leaves the mesh at the end of every k-th interval, re-grafts after backoff

    def behaviour(self) -> str:
        """What the attacker does in this topic, in words ("" for nothing at all)."""
        what = [f"in mesh{f', leaves every {self.churn} intervals' if self.churn else ''}" if self.mesh
                else "not in mesh"]
        for name, counts in (("first", self.first), ("near-first", self.near), ("invalid", self.invalid)):
            if any(counts):
                what.append(f"{name} {'/'.join(map(str, counts))} per interval")
        if self.invalid_once:
            what.append(f"{self.invalid_once} invalid once")
        if len(what) == 1 and not self.mesh:
            return ""
        if not (any(self.first) or any(self.near)):
            what.append("delivers nothing")
        return ", ".join(what)


@dataclass(frozen=True)
class TwinDelta:
    """The one extra piece of misbehaviour the twin commits (misbehaviour-lowers-score)."""

    kind: str  # "invalid" | "skip-near" | "penalty" | "colocation"
    topic: str | None
    at: int  # decay interval
    amount: int


@dataclass(frozen=True)
class Plan:
    """A periodic attacker strategy (see the module docstring)."""

    period: int
    topics: tuple[TopicPlan, ...]
    penalties: tuple[int, ...] = ()
    sybils: int = 0
    reconnect: int = 0  # 0: stays connected; k: disconnects at the end of every k-th interval, reconnects next
    twin: str = "none"  # "none" | "same" | "delta"
    delta: TwinDelta | None = None
    good: bool = False  # rewards-good-behaviour: the peer delivers every message in its mesh topics
    quiet: int = 0  # intervals of silence after the first one (lets one-off penalties decay to fractions)

    def describe(self) -> str:
        """The plan in one line of words."""
        parts = [f"period {self.period}"]
        if self.quiet:
            parts.append(f"silent from interval 1 to {self.quiet}")
        behaviours: dict[str, list[str]] = {}
        for tp in self.topics:
            text = tp.behaviour()
            if text:
                behaviours.setdefault(text, []).append(tp.topic)
        parts += [f"{group_label(topics)}: {text}" for text, topics in behaviours.items()]
        if any(self.penalties):
            parts.append(f"P7 penalties {'/'.join(map(str, self.penalties))}")
        if self.sybils:
            parts.append(f"{self.sybils} sybils share its IP")
        if self.reconnect:
            parts.append(f"reconnects every {self.reconnect} intervals")
        if self.delta is not None:
            d = self.delta
            parts.append(f"twin adds {d.kind} x{d.amount}{f' in {d.topic}' if d.topic else ''} at interval {d.at}")
        return "; ".join(parts)

    def roles(self) -> dict[str, str]:
        """The peers of the trace and what each one does (trace metadata)."""
        out = {ATTACKER: "good peer: delivers every message in its mesh topics" if self.good
               else f"attacker: {self.describe()}",
               HONEST: "first sender of the messages the attacker copies (near-first)"}
        if self.twin == "same":
            out[TWIN] = "same history as the attacker"
        elif self.twin == "delta":
            out[TWIN] = "same history as the attacker plus one extra piece of misbehaviour"
        return out

    def misbehaviour(self, slug: str, target: str | None, horizon: int, interval_ms: int) -> list[dict[str, Any]]:
        """Spans and events to mark on a plot (trace metadata, as the example trace writes it)."""
        marks: list[dict[str, Any]] = []
        end = horizon * interval_ms / 1000
        if target is not None and slug in TARGET_IN_MESH:
            marks.append({"peer": ATTACKER, "topic": target, "from": 0, "to": end,
                          "label": f"never delivers in {target}"})
        for tp in self.topics:
            if any(tp.invalid):
                marks.append({"peer": ATTACKER, "topic": tp.topic, "from": 0, "to": end,
                              "label": f"invalid messages in {tp.topic}"})
            if tp.invalid_once:
                marks.append({"peer": ATTACKER, "topic": tp.topic, "from": 0, "to": interval_ms / 1000,
                              "label": f"{tp.invalid_once} invalid message(s) in {tp.topic}"})
        if self.delta is not None:
            at = self.delta.at * interval_ms / 1000
            marks.append({"peer": TWIN, "from": at, "to": at + interval_ms / 1000,
                          "label": f"twin's extra {self.delta.kind}"})
        return marks


def _scale(plan: Plan) -> float:
    per_phase = [sum(tp.first[i] + 2 * tp.near[i] + tp.invalid[i] for tp in plan.topics) for i in range(plan.period)]
    busiest = max(per_phase, default=0)
    return 1.0 if busiest <= EVENT_BUDGET else EVENT_BUDGET / busiest


def build_events(config: Config, plan: Plan, horizon: int, prune_backoff_ms: int) -> list[Event]:
    """The plan as events over ``horizon`` decay intervals.

    In interval i (from t0 = i x DecayInterval, right after that refresh): a heartbeat at t0, the
    attacker's messages at t0 + 1 ms, its prunes and disconnects at t0 + 2 ms, and at mid-interval a
    heartbeat if anything in the interval could lower a score (an invalid message, a penalty, a prune, a
    disconnect), a tick otherwise. Scores only change at events and refreshes, so these two points see
    every score a peer has; the search samples at both.
    """
    interval = config.score.decay_interval_ms
    peers = [ATTACKER] + ([TWIN] if plan.twin != "none" else [])
    scale = _scale(plan)
    events: list[Event] = [AddPeer(0, HONEST), AddIP(0, HONEST, IPS[HONEST])]
    for peer in peers:
        events += _connect(0, peer, plan)
        for k in range(plan.sybils):
            events += [AddPeer(0, f"{peer}-sybil-{k}"), AddIP(0, f"{peer}-sybil-{k}", IPS[peer])]
    regraft: dict[str, int] = {}
    away = False  # disconnected in the previous interval
    for i in range(horizon):
        t0 = i * interval
        events.append(Heartbeat(t0))
        if 0 < i <= plan.quiet:
            events.append(Tick(t0 + interval // 2))
            continue
        at, start = t0 + 1, len(events)
        if away:
            away = False
            for peer in peers:
                events += _connect(at, peer, plan)
        for topic, due in sorted(regraft.items()):
            if due <= at:
                del regraft[topic]
                events += [Graft(at, p, topic) for p in peers]
        phase = (i - plan.quiet) % plan.period if i else 0
        for tp in plan.topics:
            events += _messages(at, i, tp, phase, scale, peers, plan)
        if plan.penalties and plan.penalties[phase]:
            events += [Penalty(at, p, float(plan.penalties[phase])) for p in peers]
        if plan.delta is not None and plan.delta.at == i:
            events += _delta(at, plan.delta, plan)
        for tp in plan.topics:
            if tp.mesh and tp.churn and (i + 1) % tp.churn == 0 and tp.topic not in regraft:
                events += [Prune(at + 1, p, tp.topic) for p in peers]
                regraft[tp.topic] = at + 1 + prune_backoff_ms
        if plan.reconnect and (i + 1) % plan.reconnect == 0 and i + 1 < horizon:
            events += [RemovePeer(at + 1, p) for p in peers]
            regraft.clear()
            away = True
        lowering = any(isinstance(e, Invalid | Penalty | Prune | RemovePeer | AddIP) for e in events[start:])
        events.append((Heartbeat if lowering else Tick)(t0 + interval // 2))
    return events


def _connect(at: int, peer: str, plan: Plan) -> list[Event]:
    out: list[Event] = [AddPeer(at, peer), AddIP(at, peer, IPS[peer])]
    for tp in plan.topics:
        if tp.mesh:
            out += [Subscribe(at, peer, tp.topic), Graft(at, peer, tp.topic)]
    return out


def _messages(at: int, i: int, tp: TopicPlan, phase: int, scale: float, peers: list[str], plan: Plan) -> list[Event]:
    out: list[Event] = []
    first = math.floor(tp.first[phase] * scale)
    near = math.floor(tp.near[phase] * scale)
    delta = plan.delta
    skip = delta.amount if delta and delta.kind == "skip-near" and delta.at == i and delta.topic == tp.topic else 0
    for j in range(first):
        out += [Deliver(at, p, tp.topic, f"{tp.topic}/{p}/{i}/{j}") for p in peers]
    for j in range(near):
        msg = f"{tp.topic}/{HONEST}/{i}/{j}"
        out.append(Deliver(at, HONEST, tp.topic, msg))
        out += [Duplicate(at, p, tp.topic, msg) for p in peers if not (p == TWIN and j < skip)]
    invalid = math.floor(tp.invalid[phase] * scale) + (tp.invalid_once if i == 0 else 0)
    if tp.invalid[phase]:
        invalid = max(1, invalid)  # a flood stays a flood (GS-PROP-6 counts every interval)
    for _ in range(invalid):
        out += [Invalid(at, p, tp.topic) for p in peers]
    return out


def _delta(at: int, delta: TwinDelta, plan: Plan) -> list[Event]:
    if delta.kind == "invalid" and delta.topic is not None:
        return [Invalid(at, TWIN, delta.topic) for _ in range(delta.amount)]
    if delta.kind == "penalty":
        return [Penalty(at, TWIN, float(delta.amount))]
    if delta.kind == "colocation":
        return [AddIP(at, f"{TWIN}-extra-{k}", IPS[TWIN]) for k in range(delta.amount)]
    return []  # skip-near acts inside _messages
