"""Goals whose violation must last: a silent mesh peer never pruned (GS-PROP-3), an invalid flood never
graylisted (GS-PROP-6).

Surviving k intervals proves nothing about "within a bounded time", so the attack queries are lassos.
A concrete warm-up (a few canonical prefixes, cheapest first) brings the attacker to its loop; z3 then
chooses a loop of L <= ``MAX_LOOP`` intervals and a *corner*, a symbolic state c that the real state at
the loop start dominates (every counter at least as favourable, same meshes, activations past), such
that one run of the loop from c ends in a state dominating c again with every score clear. The score
and every transition are monotone in the dominance order, so each repetition of the loop from the real
state stays above the corner's run: the attack lasts forever (for the flood, the P4 counter is left
out of the order and the loop's scores must stay clear even after P4 grows to its ceiling
``rate / (1 - decay)``). z3 then trims the loop's message counts, and the witness replays the periodic
strategy over the property's horizon (1000 decay intervals by default) in the reference model.

The proof queries start from the attacker's best possible state (``best_state``) instead: UNSAT at k
means every attacker is pruned (graylisted) within k intervals, whatever it did before.
"""

from __future__ import annotations

import math
from dataclasses import replace
from fractions import Fraction
from itertools import takewhile
from typing import Any

import z3
from peerproof.attacks.gossipsub.symbolic.encoding import (
    NEVER,
    PeerState,
    TopicState,
    Track,
    Unrolling,
    best_state,
)
from peerproof.attacks.gossipsub.symbolic.goals import (
    ATTACKER,
    Goal,
    Query,
    counts,
    dominates,
    eps,
    most_first,
    plan_from,
)
from peerproof.attacks.gossipsub.symbolic.openings import Opening, p1_saturation, rewarded
from peerproof.attacks.gossipsub.symbolic.plan import Plan, Step, events
from peerproof.attacks.gossipsub.symbolic.rational import ConfigQ
from peerproof.attacks.gossipsub.symbolic.squares import val
from peerproof.attacks.gossipsub.symbolic.strategy import Freedom, choices
from peerproof.properties.gossipsub.security import HORIZON_INTERVALS, INVALID_RATE
from peerproof.reference.gossipsub import MODEL, Config, Tick, TopicStats, score

LOOP = "loop"
MAX_WARM_UP = 400  # longest warm-up (decay intervals) spent building P1 before grafting the target topic


def corner(cq: ConfigQ, name: str, real: PeerState, out: list[z3.BoolRef]) -> PeerState:
    """The loop's corner: the real state at the loop's start with its P2 and P3 counters lowered freely
    (the counters a loop must restore; everything else the loop only lets decay or grow monotonically)."""
    topics = {}
    for t in cq.topics:
        ts = real.topics[t.name]
        f, m = z3.Real(f"{name}.{t.name}.f"), z3.Real(f"{name}.{t.name}.m")
        out += [f >= 0, f <= ts.f, m >= 0, m <= ts.m]
        topics[t.name] = replace(ts, f=f, m=m)
    return replace(real, topics=topics)


ROUNDING = Fraction(1, 10**9)


def _down(x: float) -> Fraction:
    return Fraction(math.floor(Fraction(x) / ROUNDING)) * ROUNDING


def _up(x: float) -> Fraction:
    return Fraction(math.ceil(Fraction(x) / ROUNDING)) * ROUNDING


def warmed_state(config: Config, cq: ConfigQ, steps: tuple[Step, ...]) -> PeerState:
    """The attacker's state when the interval after ``steps`` opens, from the reference model's replay:
    rewards rounded down and penalties up to a 1e-9 grid (the float replay dominates the result)."""
    plan = Plan({ATTACKER: steps})
    state = MODEL.final_state(config, [*events(cq, plan, len(steps)), Tick(len(steps) * cq.di_ms)],
                              dialect=cq.dialect.name)
    stats = state.peers[ATTACKER]
    topics = {}
    for t in cq.topics:
        ts = stats.topics.get(t.name) or TopicStats()
        topics[t.name] = TopicState(z3.BoolVal(ts.in_mesh), z3.IntVal(ts.mesh_time_ms // cq.di_ms),
                                    z3.BoolVal(ts.mesh_message_deliveries_active),
                                    val(_down(ts.first_message_deliveries)), val(_down(ts.mesh_message_deliveries)),
                                    val(_up(ts.mesh_failure_penalty)), val(_up(ts.invalid_message_deliveries)),
                                    z3.IntVal(NEVER))
    sharing = max((len(state.peer_ips.get(ip, ())) for ip in stats.known_ips), default=1)
    return PeerState(z3.BoolVal(True), val(_up(stats.behaviour_penalty)), z3.IntVal(sharing), z3.IntVal(0), topics)


def _graft_at(steps: tuple[Step, ...], i: int, topic: str) -> tuple[Step, ...]:
    """The steps with ``topic`` also grafted in step ``i``."""
    return (*steps[:i], replace(steps[i], graft=steps[i].graft | {topic}), *steps[i + 1:])


class Survival(Goal):
    """The lasso machinery both survival goals share."""

    shape = "survive"
    router_prunes = True  # False where the goal keeps the score >= 0 at every heartbeat anyway

    def warm_ups(self) -> list[Opening]:
        """Canonical concrete prefixes, cheapest first: (name, steps)."""
        raise NotImplementedError

    def loop_facts(self, track: Track, i: int) -> list[z3.BoolRef]:
        """What every interval of the loop's run from the corner must satisfy."""
        raise NotImplementedError

    def skip_inv(self) -> str | None:
        """A counter left out of the dominance order (the flood's growing P4 counter)."""
        return None

    def hopeless(self, config: Config, steps: tuple[Step, ...]) -> bool:
        """Whether even the most rewarding next interval after ``steps`` leaves the attacker below its
        goal's floor (checked in the reference model; then no loop can start there)."""
        cq = self.cq
        best = Step(first={t.name: most_first(t) for t in cq.topics if t.name != self.topic
                           or self.slug != "penalizes-non-forwarding"}, invalid=steps[-1].invalid)
        plan = Plan({ATTACKER: (*steps, best)})
        opening = list(takewhile(lambda e: e.at_ms <= len(steps) * cq.di_ms, events(cq, plan, len(steps) + 1)))
        state = MODEL.final_state(config, opening, dialect=cq.dialect.name)
        return score(config, state, ATTACKER, cq.dialect) < self.floor()

    def floor(self) -> float:
        """The score the attacker must keep (0, or the graylist threshold)."""
        return 0.0

    def start_warm(self, config: Config, steps: tuple[Step, ...]) -> Query:
        """The attacker's state after a concrete warm-up, replayed in the reference model and rounded
        against the attacker (sound: every transition and the score are monotone in the dominance order)."""
        u, fr = Unrolling(self.cq), self.freedom()
        start = warmed_state(config, self.cq, steps)
        ch = choices(ATTACKER, 0, self.cq, fr, u.constraints)
        q = Query(u, {ATTACKER: u.begin(ATTACKER, ch, fr, start)})
        q.tracks[ATTACKER].router_prunes = self.router_prunes
        return q

    def close_loop(self, q: Query, length: int) -> z3.BoolRef:
        """A loop of ``length`` intervals from a corner below the warm-up's end; the literal selecting it."""
        u, fr, cq = q.unrolling, self.freedom(), self.cq
        sel = z3.Bool(f"{LOOP}{length}")
        mark = len(u.constraints)
        u.squares.guard = sel
        real = q.tracks[ATTACKER].states[-1]
        c = corner(cq, f"corner{length}", real, u.constraints)
        ch = choices(f"{LOOP}{length}", length, cq, Freedom(**{**fr.__dict__, "mesh": frozenset(),
                                                                  "join": frozenset()}), u.constraints)
        track = u.begin(f"{LOOP}{length}", ch, fr, c)
        track.router_prunes = q.tracks[ATTACKER].router_prunes
        for _ in range(length):
            u.advance(track)
        u.squares.guard = None
        facts = [f for i in range(length) for f in self.loop_facts(track, i)]
        guarded = u.constraints[mark:]
        del u.constraints[mark:]
        u.constraints.append(z3.Implies(sel, z3.And(*guarded, *facts, dominates(cq, real, c, self.skip_inv()),
                                                    dominates(cq, track.states[-1], c, self.skip_inv()))))
        q.tracks[f"{LOOP}{length}"] = track
        return sel

    def plan(self, q: Query, model: z3.ModelRef, warm: tuple[Step, ...], loop: str) -> Plan:
        """The warm-up followed by the chosen loop, repeating forever."""
        tail = plan_from(Query(q.unrolling, {ATTACKER: q.tracks[loop]}), model).steps[ATTACKER]
        return Plan({ATTACKER: warm + tail}, loop_from=len(warm))


class PenalizesNonForwarding(Survival):
    """GS-PROP-3 negated: in T's mesh, silent in T after activation, never below 0 at a heartbeat."""

    slug = "penalizes-non-forwarding"
    router_prunes = False

    def freedom(self) -> Freedom:
        return Freedom(first=counts(self.cq, most_first), join=frozenset(t.name for t in self.cq.topics))

    def warm_ups(self) -> list[Opening]:
        cq, t = self.cq, self.topic
        act = cq.activation_age(cq.topic(t))
        everything = frozenset(x.name for x in cq.topics)
        others = everything - {t}
        later = min(p1_saturation(cq, others), MAX_WARM_UP)
        return [(f"only {t}'s mesh joined, first deliveries elsewhere",
                 rewarded(cq, act, skip=frozenset({t}), join=frozenset({t}))),
                ("every mesh joined and kept above its P3 threshold",
                 rewarded(cq, act, skip=frozenset({t}), join=everything)),
                (f"every other mesh joined first, {t} once their P1 is at its cap",
                 _graft_at(rewarded(cq, later + act, skip=frozenset({t}), join=others), later, t))]

    def loop_facts(self, track: Track, i: int) -> list[z3.BoolRef]:
        t = self.topic
        state, post = track.states[i], track.post[i]
        return [track.choices.first[i][t] == 0, state.topics[t].mesh, state.topics[t].active, post.score >= eps()]

    def witness_bounds(self) -> dict[str, Any]:
        return {"peers": [ATTACKER], "horizon": HORIZON_INTERVALS}

    def bound(self, k: int) -> str:
        others = Freedom(**{**self.freedom().__dict__, "join": self.freedom().join - {self.topic}})
        return (f"pruned within k={k} decay intervals of grafting {self.topic}, from any prior state (every counter "
                f"at its most favourable; deliveries in {self.topic} until activation; {others.describe()}; "
                f"heartbeats every {self.cq.hb_ms} ms)")

    def trace_intervals(self, q: Query, model: z3.ModelRef, plan: Plan) -> int:
        return (plan.loop_from or 0) + HORIZON_INTERVALS + 2  # the warm-up ends with the target activated

    def start(self, depth: int, mode: str) -> Query:
        cq, u, fr, t = self.cq, Unrolling(self.cq), self.freedom(), self.topic
        fr = Freedom(**{**fr.__dict__, "join": frozenset()})
        begin = best_state(cq, ATTACKER, self.freedom(), u.constraints, grafted_now=frozenset({t}))
        q = Query(u, {ATTACKER: u.begin(ATTACKER, choices(ATTACKER, depth, cq, fr, u.constraints), fr, begin)})
        q.tracks[ATTACKER].router_prunes = False  # its facts keep the score >= 0 at every heartbeat
        return q

    def facts(self, q: Query, mode: str) -> list[z3.BoolRef]:
        track, t, i = q.tracks[ATTACKER], self.topic, q.k - 1
        if mode != "bounded":
            return [track.post[i].score >= eps()]
        out = [z3.Implies(track.states[i].topics[t].active, track.choices.first[i][t] == 0)]
        return [*out, track.post[i].score >= 0] if self.cq.heartbeats_in(i) else out


class GraylistsInvalidFloods(Survival):
    """GS-PROP-6 negated: sending ``rate`` invalid messages in T every interval, never below the graylist."""

    slug = "graylists-invalid-floods"
    rate = INVALID_RATE

    def freedom(self) -> Freedom:
        return Freedom(first=counts(self.cq, most_first), invalid={self.topic: self.rate},
                       join=frozenset(t.name for t in self.cq.topics))

    def warm_ups(self) -> list[Opening]:
        cq, flood = self.cq, {self.topic: self.rate}
        everything = frozenset(t.name for t in cq.topics)
        return [("nothing but the flood", (Step(invalid=flood),)),
                ("the flood and first deliveries everywhere",
                 tuple(replace(s, invalid=flood) for s in rewarded(cq, 1))),
                ("the flood, every mesh joined and first deliveries everywhere",
                 tuple(replace(s, invalid=flood) for s in rewarded(cq, 1, join=everything)))]

    def skip_inv(self) -> str | None:
        return self.topic

    def floor(self) -> float:
        return float(self.cq.graylist)

    def loop_facts(self, track: Track, i: int) -> list[z3.BoolRef]:
        t = self.cq.topic(self.topic)
        pre, post = track.pre[i], track.post[i]
        ceiling = Fraction(self.rate) / (1 - t.d4)  # the P4 counter never exceeds this right after sending
        weight, gl = -t.tw * t.w4, val(self.cq.graylist)
        # even after the P4 counter has grown to its ceiling, the loop must stay above the graylist
        return [track.choices.invalid[i][t.name] == self.rate,
                post.score - val(weight * ceiling**2) + val(weight) * post.p4[t.name] >= gl + eps(),
                pre.score - val(weight * (ceiling * t.d4) ** 2) + val(weight) * pre.p4[t.name] >= gl + eps()]

    def witness_bounds(self) -> dict[str, Any]:
        return {"peers": [ATTACKER], "horizon": HORIZON_INTERVALS, "rate": self.rate}

    def bound(self, k: int) -> str:
        return (f"graylisted within k={k} decay intervals of its first invalid message ({self.rate} per interval in "
                f"{self.topic}), from any prior state (every counter at its most favourable; "
                f"{self.freedom().describe()})")

    def trace_intervals(self, q: Query, model: z3.ModelRef, plan: Plan) -> int:
        return HORIZON_INTERVALS + 2  # the flood starts in the first interval

    def start(self, depth: int, mode: str) -> Query:
        cq, u, fr = self.cq, Unrolling(self.cq), self.freedom()
        begin = best_state(cq, ATTACKER, fr, u.constraints)
        fr = Freedom(**{**fr.__dict__, "join": frozenset()})
        ch = choices(ATTACKER, depth, cq, fr, u.constraints)
        u.constraints += [row[self.topic] == self.rate for row in ch.invalid]
        return Query(u, {ATTACKER: u.begin(ATTACKER, ch, fr, begin)})

    def facts(self, q: Query, mode: str) -> list[z3.BoolRef]:
        track = q.tracks[ATTACKER]
        pre, post = track.pre[-1], track.post[-1]
        gl = val(self.cq.graylist) + (0 if mode == "bounded" else eps())
        return [pre.score >= gl, post.score >= gl]
