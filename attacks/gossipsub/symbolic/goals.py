"""The negated security properties as z3 goals over the unrolling (GS-PROP-1..6).

A goal poses one bounded question, unrolled one interval at a time (classic incremental BMC): the peers
it needs (attacker, twin, honest peer), what each may choose (``Freedom``), where they start, the facts
every run must keep (``facts``, asserted as each interval is added) and the negation of its property at
the newest interval (``bad``, asked under an assumption). Three modes:

* ``reach``: a bad state in interval k (topic-consistency, misbehaviour-lowers-score,
  rewards-good-behaviour, fairness); UNSAT for every k up to the depth means it holds that long.
* ``lasso``: survival so far (a fact) and a state at k dominating an earlier one (every counter at
  least as favourable, same meshes, activations past), so the loop can repeat forever: the unbounded
  attacks of penalizes-non-forwarding and graylists-invalid-floods, found over a short horizon.
* ``bounded``: survival from the attacker's best possible state (``best_state``); UNSAT at k means
  every such attacker is pruned (graylisted) within k intervals, whatever it did before.

A bad state has an exact form (for UNSAT answers) and a clear form, strengthened by a margin
(``EPSILON``), so that the reference model's doubles confirm what the rationals found.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import z3
from peerproof.attacks.gossipsub.roles import ATTACKER, HONEST, TWIN
from peerproof.attacks.gossipsub.symbolic.encoding import (
    Observation,
    PeerState,
    Track,
    Unrolling,
    fresh_state,
    same_state,
    symbolic_state,
)
from peerproof.attacks.gossipsub.symbolic.openings import Opening, invalid_wait, most_first, most_near, rewarded
from peerproof.attacks.gossipsub.symbolic.plan import Plan, Step
from peerproof.attacks.gossipsub.symbolic.rational import ConfigQ
from peerproof.attacks.gossipsub.symbolic.squares import functional, monotone, val, value_of
from peerproof.attacks.gossipsub.symbolic.strategy import Freedom, choices

EPSILON = Fraction(1, 10**6)
MAX_LOOP = 6  # longest loop a lasso may close (decay intervals)


def eps() -> z3.ArithRef:
    """The witness margin as a z3 rational (in the current z3 context)."""
    return val(EPSILON)


@dataclass
class Query:
    """One bounded question under construction: the unrolling, its tracks, named assumption literals."""

    unrolling: Unrolling
    tracks: dict[str, Track]
    literals: dict[str, z3.BoolRef] = field(default_factory=dict)
    loops: dict[int, z3.BoolRef] = field(default_factory=dict)  # loop start -> selector (lasso mode)

    @property
    def k(self) -> int:
        """The number of decay intervals unrolled so far."""
        return next(iter(self.tracks.values())).k

    def extend(self) -> None:
        """Unroll the next interval of every track."""
        for track in self.tracks.values():
            self.unrolling.advance(track)


def counts(cq: ConfigQ, most: Any, topics: Any = None) -> dict[str, int]:
    """``{topic: most(topic)}`` over ``topics`` (default all), leaving out zeros."""
    names = [t.name for t in cq.topics] if topics is None else topics
    out = {n: most(cq.topic(n)) for n in names}
    return {n: c for n, c in out.items() if c > 0}


def in_meshes(obs: Observation) -> z3.BoolRef:
    """The peer is in at least one mesh."""
    return z3.Or([ts.mesh for ts in obs.state.topics.values()] or [z3.BoolVal(False)])


def dominates(cq: ConfigQ, later: PeerState, earlier: PeerState, skip_inv: str | None = None) -> z3.BoolRef:
    """``later`` is at least as favourable as ``earlier`` for the attacker, with the same meshes and
    activations past, so that repeating the run between them keeps every score at least as high."""
    conds = [later.conn == earlier.conn, later.bp <= earlier.bp, later.ip <= earlier.ip]
    for t in cq.topics:
        a, b = later.topics[t.name], earlier.topics[t.name]
        conds += [a.mesh == b.mesh, a.active == b.active, z3.Implies(a.mesh, a.age >= b.age),
                  a.f >= b.f, a.m >= b.m, a.p3b <= b.p3b]
        if t.name != skip_inv:
            conds.append(a.inv <= b.inv)
        if t.deficit_matters:
            conds.append(z3.Implies(b.mesh, b.active))
    return z3.And(conds)


def plan_from(q: Query, model: z3.ModelRef, loop_from: int | None = None) -> Plan:
    """The concrete plan a model chooses over the unrolled intervals (twins sharing choices agree)."""

    def ints(row: dict[str, z3.ArithRef]) -> dict[str, int]:
        return {t: n for t, v in row.items() if (n := int(value_of(model, v)))}

    def flags(row: dict[str, z3.BoolRef]) -> frozenset[str]:
        return frozenset(t for t, v in row.items() if z3.is_true(model.eval(v, model_completion=True)))

    def flag(v: z3.BoolRef) -> bool:
        return z3.is_true(model.eval(v, model_completion=True))

    steps = {}
    for name, track in q.tracks.items():
        ch = track.choices
        steps[name] = tuple(
            Step(first=ints(ch.first[i]), near=ints(ch.near[i]), invalid=ints(ch.invalid[i]), graft=flags(ch.graft[i]),
                 prune=flags(ch.prune[i]), penalties=int(value_of(model, ch.penalties[i])),
                 ip_peers=int(value_of(model, ch.ip[i])), reconnect=flag(ch.reconnect[i]),
                 disconnect=flag(ch.disconnect[i]))
            for i in range(q.k))
    return Plan(steps, loop_from)


class Goal:
    """A property's negation for one config and topic (subclasses per property)."""

    slug = ""
    shape = "reach"  # or "survive": lasso queries to attack, bounded queries to prove
    modes: tuple[str, ...] = ("lasso",)  # the lasso queries a survival goal tries, in order

    def __init__(self, cq: ConfigQ, topic: str | None) -> None:
        self.cq, self.topic = cq, topic

    def freedom(self) -> Freedom:
        """What the attacker (or the environment) may choose in each interval."""
        raise NotImplementedError

    def start(self, depth: int, mode: str, fixed: tuple[Step, ...] = ()) -> Query:
        """The question's peers and start states, with choices for ``depth`` intervals (``fixed`` first)."""
        u, fr = Unrolling(self.cq), self.freedom()
        ch = choices(ATTACKER, depth, self.cq, fr, u.constraints, fixed=fixed)
        return Query(u, {ATTACKER: u.begin(ATTACKER, ch, fr, fresh_state(self.cq))})

    def openings(self, depth: int) -> list[Opening]:
        """Concrete prefixes after which a short symbolic tail may reach a bad state (tried first)."""
        return []

    def facts(self, q: Query, mode: str) -> list[z3.BoolRef]:
        """Constraints every run of the question keeps in its newest interval (asserted for good)."""
        return []

    def bad(self, q: Query) -> tuple[z3.BoolRef, z3.BoolRef]:
        """The property's negation in the newest interval: (exact, clear of rounding)."""
        raise NotImplementedError

    def lasso(self, q: Query) -> z3.BoolRef:
        """The loop-closing condition at the newest interval (survival goals)."""
        raise NotImplementedError

    def witness_bounds(self) -> dict[str, Any]:
        """The bounds ``witness_violation`` judges this goal's traces with."""
        return {"peers": [ATTACKER]}

    def trace_intervals(self, q: Query, model: z3.ModelRef, plan: Plan) -> int:
        """How many decay intervals the witness trace must span."""
        return q.k

    def bound(self, k: int) -> str:
        """What a holds-bounded verdict at depth ``k`` covers."""
        return f"k={k} decay intervals from connection (attacker: {self.freedom().describe()})"

    def minimal_k(self) -> int:
        """The shortest unrolling worth asking about."""
        return 1


class TopicConsistency(Goal):
    """GS-PROP-1 negated: some state has a positive total and a negative contribution in T."""

    slug = "topic-consistency"

    def freedom(self) -> Freedom:
        t = self.cq.topic(self.topic)
        return Freedom(first=counts(self.cq, most_first), near=counts(self.cq, most_near, [t.name]),
                       invalid={t.name: 2} if t.w4 and t.tw else {}, mesh=frozenset(x.name for x in self.cq.topics),
                       reconnect=self.cq.retain_ms > 0)

    def openings(self, depth: int) -> list[Opening]:
        cq, t = self.cq, self.cq.topic(self.topic)
        alone = frozenset({t.name})
        out = []
        if t.p3_scored:
            out.append((f"every mesh joined, {t.name} silent until its P3 activates",
                        rewarded(cq, cq.activation_age(t), skip=alone, join=frozenset(x.name for x in cq.topics))))
        reward = sum((x.tw * x.w2 * x.cap2 for x in cq.topics if x.name != t.name and x.w2 > 0), Fraction(0))
        if t.w4 and t.tw and (wait := invalid_wait(cq, t.name, reward, depth)) is not None:
            steps = rewarded(cq, max(1, wait), skip=alone)
            out.append((f"one invalid message in {t.name}, rewards elsewhere while it decays",
                        (replace(steps[0], invalid={t.name: 1}), *steps[1:])))
        return out

    def bad(self, q: Query) -> tuple[z3.BoolRef, z3.BoolRef]:
        track = q.tracks[ATTACKER]
        obs = (track.pre[-1], track.post[-1])
        exact = [z3.And(o.state.conn, o.score > 0, o.contribution[self.topic] < 0) for o in obs]
        clear = [z3.And(o.state.conn, o.score >= eps(), o.contribution[self.topic] <= -eps()) for o in obs]
        return z3.Or(exact), z3.Or(clear)


class MisbehaviourLowersScore(Goal):
    """GS-PROP-2 negated: a twin with the attacker's rewards and larger weighted penalties scores no lower."""

    slug = "misbehaviour-lowers-score"

    def freedom(self) -> Freedom:
        cq = self.cq
        return Freedom(first=counts(cq, most_first), near=counts(cq, most_near),
                       invalid={t.name: 2 for t in cq.topics if t.w4 and t.tw},
                       mesh=frozenset(t.name for t in cq.topics), penalties=math.ceil(cq.theta7) + 2 if cq.w7 else 0,
                       ip_peers=math.floor(cq.theta6) + 2 if cq.w6 else 1, reconnect=cq.retain_ms > 0)

    def witness_bounds(self) -> dict[str, Any]:
        return {"peers": [ATTACKER, TWIN]}

    def bound(self, k: int) -> str:
        return (f"k={k} decay intervals from connection (two peers sharing first deliveries, grafts, prunes and "
                f"connections, each otherwise choosing: {self.freedom().describe()})")

    def start(self, depth: int, mode: str, fixed: tuple[Step, ...] = ()) -> Query:
        cq, u, fr = self.cq, Unrolling(self.cq), self.freedom()
        ca = choices(ATTACKER, depth, cq, fr, u.constraints, fixed=fixed)
        cb = choices(TWIN, depth, cq, fr, u.constraints, fixed=fixed)
        cb.first, cb.graft, cb.prune, cb.reconnect, cb.disconnect = (ca.first, ca.graft, ca.prune, ca.reconnect,
                                                                     ca.disconnect)
        return Query(u, {ATTACKER: u.begin(ATTACKER, ca, fr, fresh_state(cq)),
                         TWIN: u.begin(TWIN, cb, fr, fresh_state(cq))})

    def openings(self, depth: int) -> list[Opening]:
        cq = self.cq
        everything = frozenset(t.name for t in cq.topics)
        length = max((cq.activation_age(t) for t in cq.topics if t.p3_scored), default=0) + 1
        out = []
        for s in (t for t in cq.topics if t.p3_scored):
            steps = rewarded(cq, length, skip=frozenset({s.name}), join=everything)
            keep = math.floor(s.thr * (1 - s.d3)) + 1
            near = [{s.name: math.ceil(s.thr) if i == 0 else keep} for i in range(length)]
            out.append((f"every mesh joined, {s.name} served only near-first",
                        tuple(replace(st, near=n) for st, n in zip(steps, near, strict=True))))
        return out

    def _pairs(self, oa: Observation, ob: Observation) -> tuple[list[z3.BoolRef], list[z3.ArithRef]]:
        """The premise (equal rewards, no smaller penalty) and the weighted growths of twin ``ob`` over ``oa``."""
        cq, premise, grows = self.cq, [oa.state.conn, ob.state.conn], []
        for t in cq.topics:
            n, sa, sb = t.name, oa.state.topics[t.name], ob.state.topics[t.name]
            premise += [oa.p1[n] == ob.p1[n], sa.f == sb.f]
            terms = ((t.w3, oa.deficit[n], oa.p3[n], ob.deficit[n], ob.p3[n]),
                     (t.w4, sa.inv, oa.p4[n], sb.inv, ob.p4[n]), (t.w3b, sa.p3b, sa.p3b, sb.p3b, sb.p3b))
            for w, xa, pa, xb, pb in terms:
                if w and t.tw:
                    premise.append(xb >= xa)
                    grows.append(val(-w * t.tw) * (pb - pa))
        if cq.w6:
            premise.append(ob.p6 >= oa.p6)
            grows.append(val(-cq.w6) * (ob.p6 - oa.p6))
        if cq.w7:
            premise.append(ob.excess >= oa.excess)
            grows.append(val(-cq.w7) * (ob.p7 - oa.p7))
        return premise, grows

    def facts(self, q: Query, mode: str) -> list[z3.BoolRef]:
        a, b = q.tracks[ATTACKER], q.tracks[TWIN]
        out = []
        for oa, ob in ((a.pre[-1], b.pre[-1]), (a.post[-1], b.post[-1])):
            for t in self.cq.topics:
                n = t.name
                out += monotone(oa.deficit[n], oa.p3[n], ob.deficit[n], ob.p3[n])
                out += monotone(oa.state.topics[n].inv, oa.p4[n], ob.state.topics[n].inv, ob.p4[n])
            out += monotone(oa.excess, oa.p7, ob.excess, ob.p7)
        return out

    def bad(self, q: Query) -> tuple[z3.BoolRef, z3.BoolRef]:
        a, b = q.tracks[ATTACKER], q.tracks[TWIN]
        cap = self.cq.cap
        exact, clear = [], []
        for oa, ob in ((a.pre[-1], b.pre[-1]), (a.post[-1], b.post[-1])):
            premise, grows = self._pairs(oa, ob)
            if not grows:
                continue
            base = z3.And(*premise, ob.score >= oa.score)
            exact.append(z3.And(base, z3.Sum(grows) > 0))
            masked = ob.topic_sum >= val(cap) + eps() if cap > 0 else z3.BoolVal(False)
            clear.append(z3.And(base, z3.Sum(grows) >= eps(), z3.Or(masked, ob.score >= oa.score + eps())))
        return z3.Or(exact or [z3.BoolVal(False)]), z3.Or(clear or [z3.BoolVal(False)])


class RewardsGoodBehaviour(Goal):
    """GS-PROP-4 negated: a peer copying every message of its mesh topics in time is pruned by score or
    falls below the gossip threshold. The environment chooses how many messages each topic carries
    (quiet topics included) and when the peer is grafted; the peer only ever copies near-first (its
    least rewarded way of delivering)."""

    slug = "rewards-good-behaviour"

    def freedom(self) -> Freedom:
        return Freedom(near=counts(self.cq, most_near), mesh=frozenset(t.name for t in self.cq.topics))

    def witness_bounds(self) -> dict[str, Any]:
        return {"peers": [HONEST]}

    def bound(self, k: int) -> str:
        return (f"k={k} decay intervals from connection (environment: messages per topic and interval, "
                f"grafts; the peer copies each message near-first: {self.freedom().describe()})")

    def start(self, depth: int, mode: str, fixed: tuple[Step, ...] = ()) -> Query:
        u, fr = Unrolling(self.cq), self.freedom()
        ch = choices(HONEST, depth, self.cq, fr, u.constraints, fixed=fixed)
        u.constraints += [z3.Not(p) for row in ch.prune for p in row.values()]
        return Query(u, {HONEST: u.begin(HONEST, ch, fr, fresh_state(self.cq))})

    def bad(self, q: Query) -> tuple[z3.BoolRef, z3.BoolRef]:
        h = q.tracks[HONEST]
        pre, post = h.pre[-1], h.post[-1]
        gossip = val(self.cq.gossip)
        exact = [pre.score < gossip, post.score < gossip]
        clear = [pre.score <= gossip - eps(), post.score <= gossip - eps()]
        if self.cq.heartbeats_in(h.k - 1):
            exact.append(z3.And(in_meshes(post), post.score < 0))
            clear.append(z3.And(in_meshes(post), post.score <= -eps()))
        return z3.Or(exact), z3.Or(clear)


class Fairness(Goal):
    """GS-PROP-5 negated, by 1-induction over the encoding: two peers in the same (arbitrary) state that
    make the same choices for one interval score differently or end in different states. UNSAT proves
    fairness for every k: both start from the same fresh state, and equality is preserved."""

    slug = "fairness"
    shape = "induction"

    def freedom(self) -> Freedom:
        return MisbehaviourLowersScore(self.cq, None).freedom()

    def witness_bounds(self) -> dict[str, Any]:
        return {"peers": [ATTACKER, TWIN]}

    def bound(self, k: int) -> str:
        return f"every k (1-induction; each interval: {self.freedom().describe()})"

    def step_query(self) -> tuple[Query, z3.BoolRef]:
        """One interval from two equal symbolic states under shared choices, and the negated conclusion."""
        cq, u, fr = self.cq, Unrolling(self.cq), self.freedom()
        ch = choices(ATTACKER, 1, cq, fr, u.constraints)
        sa, sb = symbolic_state(cq, "a", u.constraints), symbolic_state(cq, "b", u.constraints)
        u.constraints.append(same_state(sa, sb))
        q = Query(u, {ATTACKER: u.begin(ATTACKER, ch, fr, sa), TWIN: u.begin(TWIN, ch, fr, sb)})
        u.advance(q.tracks[ATTACKER])
        half = len(u.squares.items)
        u.advance(q.tracks[TWIN])
        u.constraints += [functional(x.x, x.s, y.x, y.s)
                          for x, y in zip(u.squares.items[:half], u.squares.items[half:], strict=True)]
        a, b = q.tracks[ATTACKER], q.tracks[TWIN]
        differ = [a.pre[0].score != b.pre[0].score, a.post[0].score != b.post[0].score,
                  z3.Not(same_state(a.states[1], b.states[1]))]
        return q, z3.Or(differ)
