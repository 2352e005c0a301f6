"""Attack plans: what each peer does in each decay interval, and the concrete events that carry it out.

A plan is the engines' common currency. The z3 engine reads one off a model, the closed forms build
one from a steady state; both turn it into reference-model events here, replay them with
``reference.trace.record`` and hand the trace to the property's ground-truth checker. A plan may end in
a loop (``loop_from``): the intervals from there on repeat forever, which is how a bounded search
states an unbounded attack.

Within interval i (starting at i x DecayInterval, right after that refresh) each peer acts in this order:
reconnect, IP changes, grafts, near-first copies (the publisher delivers first, the peer copies at once,
inside the window), first deliveries, invalid messages, behaviour penalties, prunes; then the peers
that leave disconnect, and the router's heartbeats of the interval come after all of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from peerproof.attacks.gossipsub.symbolic.rational import ConfigQ
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
    RemoveIP,
    RemovePeer,
)
from peerproof.reference.trace import Trace, record

PUBLISHER = "publisher"  # an honest peer that delivers first the messages others copy near-first
MAX_OBSERVATIONS = 50  # recorded observations per trace (each holds every observable; the files stay small)


@dataclass(frozen=True)
class Step:
    """One peer's actions in one decay interval (counts per topic)."""

    first: Mapping[str, int] = field(default_factory=dict)
    near: Mapping[str, int] = field(default_factory=dict)
    invalid: Mapping[str, int] = field(default_factory=dict)
    graft: frozenset[str] = frozenset()
    prune: frozenset[str] = frozenset()
    penalties: int = 0
    ip_peers: int = 1  # peers at its IP address, itself included
    reconnect: bool = False
    disconnect: bool = False

    def describe(self) -> str:
        """The step in a few words."""
        parts = []
        for name, counts in (("first", self.first), ("near-first", self.near), ("invalid", self.invalid)):
            parts += [f"{n} {name} in {t}" for t, n in sorted(counts.items()) if n]
        parts += [f"graft {t}" for t in sorted(self.graft)] + [f"prune {t}" for t in sorted(self.prune)]
        if self.penalties:
            parts.append(f"{self.penalties} behaviour penalties")
        if self.ip_peers > 1:
            parts.append(f"{self.ip_peers} peers on its IP")
        parts += ["reconnect"] * self.reconnect + ["disconnect"] * self.disconnect
        return ", ".join(parts) or "nothing"


@dataclass(frozen=True)
class Plan:
    """Per peer, one Step per decay interval; intervals from ``loop_from`` on repeat forever."""

    steps: Mapping[str, tuple[Step, ...]]
    loop_from: int | None = None

    @property
    def length(self) -> int:
        """The number of intervals written out (prefix and one copy of the loop)."""
        return max((len(s) for s in self.steps.values()), default=0)

    def step(self, peer: str, i: int) -> Step:
        """What ``peer`` does in interval ``i`` (the loop repeats; past a plain plan's end, nothing)."""
        steps = self.steps[peer]
        if i < len(steps):
            return steps[i]
        if self.loop_from is None:
            return Step(ip_peers=steps[-1].ip_peers if steps else 1)
        period = len(steps) - self.loop_from
        return steps[self.loop_from + (i - self.loop_from) % period]

    def describe(self, peer: str) -> str:
        """The plan of one peer in words: its prefix and its loop."""
        steps = self.steps[peer]
        cut = len(steps) if self.loop_from is None else self.loop_from
        words = [f"[{i}] {s.describe()}" for i, s in enumerate(steps[:cut]) if s != Step()]
        if self.loop_from is not None:
            loop = "; ".join(s.describe() for s in steps[self.loop_from:])
            words.append(f"then every {len(steps) - self.loop_from} interval(s) forever: {loop}")
        return "; ".join(words) or "nothing"

    def without(self, peer: str, topic: str, what: str) -> Plan:
        """The plan with ``peer``'s ``what`` counts (first/near/invalid) in ``topic`` removed."""
        steps = tuple(replace(s, **{what: {t: n for t, n in getattr(s, what).items() if t != topic}})
                      for s in self.steps[peer])
        return replace(self, steps={**self.steps, peer: steps})


def message_events(plan: Plan, intervals: int) -> int:
    """How many message events (deliveries, duplicates, invalid messages) the plan makes in ``intervals``."""
    return sum(sum(s.first.values()) + 2 * sum(s.near.values()) + sum(s.invalid.values())
               for p in plan.steps for s in (plan.step(p, i) for i in range(intervals)))


def _ip(peers: Sequence[str], peer: str) -> str:
    return f"10.{1 + peers.index(peer)}.0.1"


def events(cq: ConfigQ, plan: Plan, intervals: int, heartbeats: bool | int = True) -> list[Event]:
    """The plan's events over ``intervals`` decay intervals, with the router's heartbeats. Where the property
    does not involve the router they may be thinned: ``False`` none (a silent interval costs no event), an
    int k the first heartbeat of every k-th interval only (samples for the plot while counters decay)."""
    di = cq.di_ms
    peers = sorted(plan.steps)
    needs_publisher = any(s.near for p in peers for s in plan.steps[p])
    uses_ip = {p for p in peers if any(s.ip_peers > 1 for s in plan.steps[p])}
    out: list[Event] = [AddPeer(0, PUBLISHER)] if needs_publisher else []
    sybils = dict.fromkeys(peers, 1)
    for i in range(intervals):
        t = i * di
        for p in peers:
            s = plan.step(p, i)
            if i == 0 or s.reconnect:
                out.append(AddPeer(t, p))
                if p in uses_ip:
                    out.append(AddIP(t, p, _ip(peers, p)))
            if p in uses_ip:
                while sybils[p] < s.ip_peers:
                    out.append(AddIP(t, f"{p}~{sybils[p]}", _ip(peers, p)))
                    sybils[p] += 1
                while sybils[p] > s.ip_peers:
                    sybils[p] -= 1
                    out.append(RemoveIP(t, f"{p}~{sybils[p]}", _ip(peers, p)))
            out += [Graft(t, p, topic) for topic in sorted(s.graft)]
            # Message ids number the interval's messages across topics (the event names the topic): a
            # witness of 10^5 deliveries is a file of megabytes, and the topic in every id was a third of it.
            j = 0
            for topic, n in sorted(s.near.items()):
                for k in range(n):
                    msg = f"{PUBLISHER}/{p}/{i}/{j + k}"
                    out += [Deliver(t, PUBLISHER, topic, msg), Duplicate(t, p, topic, msg)]
                j += n
            j = 0
            for topic, n in sorted(s.first.items()):
                out += [Deliver(t, p, topic, f"{p}/{i}/{j + k}") for k in range(n)]
                j += n
            for topic, n in sorted(s.invalid.items()):
                out += [Invalid(t, p, topic) for _ in range(n)]
            if s.penalties:
                out.append(Penalty(t, p, float(s.penalties)))
            out += [Prune(t, p, topic) for topic in sorted(s.prune)]
        out += [RemovePeer(t, p) for p in peers if plan.step(p, i).disconnect]  # once every peer has acted
        if heartbeats is True:
            out += [Heartbeat(h) for h in cq.heartbeats_in(i)]
        elif heartbeats and (i % heartbeats == 0 or i == intervals - 1):  # the last one ends the trace's clock
            out += [Heartbeat(h) for h in cq.heartbeats_in(i)[:1]]
    return out


def trace_of(config: Config, cq: ConfigQ, plan: Plan, intervals: int, *, claim: Mapping[str, Any],
             meta: Mapping[str, Any], heartbeats: bool | int = True) -> Trace:
    """Replay the plan in the reference model and record it (observations after heartbeats, thinned)."""
    evs = events(cq, plan, intervals, heartbeats)
    beats = [i for i, e in enumerate(evs) if isinstance(e, Heartbeat)] if heartbeats else \
        [i for i in range(len(evs) - 1) if evs[i + 1].at_ms > evs[i].at_ms]  # the last event at each instant
    stride = max(1, -(-len(beats) // MAX_OBSERVATIONS))
    after = sorted(set(beats[::stride]) | {len(evs) - 1})
    plans = {p: plan.describe(p) for p in sorted(plan.steps)}
    return record("gossipsub", config, evs, dialect=cq.dialect.name, observe_after=after, claim=claim,
                  meta={**meta, "plans": plans, "intervals": intervals})
