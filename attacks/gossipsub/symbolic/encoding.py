"""The z3 unrolling of one peer's scoring state over k decay intervals (the engines' GS-STEP in logic).

Logic: QF_LIRA, linear integer and real arithmetic. The attacker's choices are integers (messages per
interval and topic, behaviour penalties, peers on its IP) and booleans (graft, prune, disconnect,
reconnect); decays, weights and caps are the config's exact rationals, so every counter is linear in
the choices (with ``If`` for caps, DecayToZero and mesh membership); P1's floor is an integer variable
with two linear bounds; the squares are relaxed soundly and refined lazily (``squares``).

One interval of the unrolling mirrors the reference model (``plan`` emits the same order of events):
reconnect -> [observation *pre*] -> grafts -> deliveries, invalid messages, penalties -> prunes ->
[observation *post*] -> disconnect (retained or dropped by the sign of the score) -> the router's
heartbeat prunes it from every mesh if *post* is negative (intervals with a heartbeat only) -> the
refresh that opens the next interval (decay and DecayToZero, mesh time, activation; retained peers
frozen, dropped once RetainScore has passed). The go/ts/rust/spec divergences enter through the
dialect (P1 floor, P3 after prune, P7 threshold, which scores are retained, reconnect resets).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction

import z3
from peerproof.attacks.gossipsub.symbolic.rational import ConfigQ, TopicQ
from peerproof.attacks.gossipsub.symbolic.squares import Squares, table, val
from peerproof.attacks.gossipsub.symbolic.strategy import Choices, Freedom

NEVER = -(10**6)  # "last pruned" of a topic never pruned
Terms = Mapping[str, z3.ArithRef]


@dataclass(frozen=True)
class TopicState:
    """A peer's counters for one topic at one point of the unrolling."""

    mesh: z3.BoolRef
    age: z3.ArithRef  # refreshes since the last graft
    active: z3.BoolRef  # P3 activated
    f: z3.ArithRef  # first deliveries (P2)
    m: z3.ArithRef  # mesh deliveries (P3 counter)
    p3b: z3.ArithRef
    inv: z3.ArithRef  # invalid messages (P4 counter)
    pruned: z3.ArithRef  # interval of the last prune (backoff)


@dataclass(frozen=True)
class PeerState:
    """A peer's whole scoring state at one point of the unrolling."""

    conn: z3.BoolRef
    bp: z3.ArithRef  # behaviour penalty counter (P7)
    ip: z3.ArithRef  # peers on its IP
    away: z3.ArithRef  # refreshes since it disconnected
    topics: dict[str, TopicState]


@dataclass(frozen=True)
class Observation:
    """The score of a state and the parts the goals compare."""

    state: PeerState
    score: z3.ArithRef
    topic_sum: z3.ArithRef  # before the topic cap
    contribution: dict[str, z3.ArithRef]
    p1: dict[str, z3.ArithRef]
    deficit: dict[str, z3.ArithRef]  # the P3 base (0 unless active and below threshold)
    p3: dict[str, z3.ArithRef]
    p4: dict[str, z3.ArithRef]
    p6: z3.ArithRef
    excess: z3.ArithRef  # the P7 base
    p7: z3.ArithRef


@dataclass
class Track:
    """One peer's unrolling so far: its state before each interval (and after the last), observations."""

    name: str
    choices: Choices
    freedom: Freedom
    states: list[PeerState] = field(default_factory=list)  # states[i]: after the refresh opening interval i
    pre: list[Observation] = field(default_factory=list)
    post: list[Observation] = field(default_factory=list)
    grafted: list[dict[str, z3.BoolRef]] = field(default_factory=list)
    router_prunes: bool = True  # False when the goal keeps the score >= 0 at every heartbeat anyway
    start_inv: dict[str, Fraction] = field(default_factory=dict)  # upper bounds of the start's P4 counters
    start_bp: Fraction = Fraction(0)  # upper bound of the start's P7 counter

    @property
    def k(self) -> int:
        """The number of intervals unrolled."""
        return len(self.post)


def fresh_state(cq: ConfigQ) -> PeerState:
    """A peer that has just connected: every counter zero."""
    zero = z3.RealVal(0)
    topics = {t.name: TopicState(z3.BoolVal(False), z3.IntVal(0), z3.BoolVal(False), zero, zero, zero, zero,
                                 z3.IntVal(NEVER)) for t in cq.topics}
    return PeerState(z3.BoolVal(True), zero, z3.IntVal(1), z3.IntVal(0), topics)


def symbolic_state(cq: ConfigQ, name: str, out: list[z3.BoolRef]) -> PeerState:
    """Any state: every field a variable, each counter within its reachable range (constraints to ``out``)."""
    topics = {}
    for t in cq.topics:
        n = f"{name}.{t.name}"
        ts = TopicState(z3.Bool(f"{n}.mesh"), z3.Int(f"{n}.age"), z3.Bool(f"{n}.active"), z3.Real(f"{n}.f"),
                        z3.Real(f"{n}.m"), z3.Real(f"{n}.p3b"), z3.Real(f"{n}.inv"), z3.Int(f"{n}.pruned"))
        out += [ts.age >= 0, ts.f >= 0, ts.f <= val(t.cap2), ts.m >= 0, ts.m <= val(t.cap3), ts.p3b >= 0, ts.inv >= 0]
        topics[t.name] = ts
    state = PeerState(z3.Bool(f"{name}.conn"), z3.Real(f"{name}.bp"), z3.Int(f"{name}.ip"), z3.Int(f"{name}.away"),
                      topics)
    out += [state.bp >= 0, state.ip >= 1, state.away >= 0]
    return state


def same_state(a: PeerState, b: PeerState) -> z3.BoolRef:
    """Every field of two states equal."""
    pairs = [(a.conn, b.conn), (a.bp, b.bp), (a.ip, b.ip), (a.away, b.away)]
    for n, ta in a.topics.items():
        tb = b.topics[n]
        pairs += [(ta.mesh, tb.mesh), (ta.age, tb.age), (ta.active, tb.active), (ta.f, tb.f), (ta.m, tb.m),
                  (ta.p3b, tb.p3b), (ta.inv, tb.inv), (ta.pruned, tb.pruned)]
    return z3.And([x == y for x, y in pairs])


def best_state(cq: ConfigQ, name: str, freedom: Freedom, out: list[z3.BoolRef],
               grafted_now: frozenset[str] = frozenset()) -> PeerState:
    """The attacker's most favourable states: each dominates every reachable state with its mesh set.

    P2 and P3 counters at their caps, no P3b, P4, P7 or IP sharing; each topic in ``freedom.mesh`` or
    ``freedom.join`` in or out of the mesh with any mesh age (P3 active exactly when that age is past activation);
    topics in ``grafted_now`` just grafted. The score and every transition are monotone in this order
    (more P1/P2/P3 counter, less penalty), so a goal unreachable from these states is unreachable.
    """
    zero = z3.RealVal(0)
    topics = {}
    for t in cq.topics:
        if t.name in grafted_now:
            mesh, age, active = z3.BoolVal(True), z3.IntVal(0), z3.BoolVal(False)
        elif t.name in freedom.mesh | freedom.join:
            mesh, age = z3.Bool(f"{name}.init.mesh.{t.name}"), z3.Int(f"{name}.init.age.{t.name}")
            saturated = max(cq.activation_age(t), -(-int(t.cap1 * t.quantum_ms) // cq.di_ms) if t.quantum_ms else 0) + 1
            active = z3.And(mesh, age * cq.di_ms > t.act_ms)
            out.extend([age >= 0, age <= saturated])
        else:
            mesh, age, active = z3.BoolVal(False), z3.IntVal(0), z3.BoolVal(False)
        topics[t.name] = TopicState(mesh, age, active, val(t.cap2), val(t.cap3), zero, zero, z3.IntVal(NEVER))
    return PeerState(z3.BoolVal(True), zero, z3.IntVal(1), z3.IntVal(0), topics)


class Unrolling:
    """Builds the constraints of peers' unrollings over one config; squares relaxed in ``squares``."""

    def __init__(self, cq: ConfigQ) -> None:
        self.cq = cq
        self.squares = Squares()
        self.constraints: list[z3.BoolRef] = []

    def fresh(self, name: str, e: z3.ExprRef) -> z3.ExprRef:
        """A named variable equal to ``e`` (keeps the formula linear in size across intervals); ``e`` itself
        if it folds to a constant (a concrete prefix of choices costs the solver nothing)."""
        e = z3.simplify(e)
        if (z3.is_bool(e) and (z3.is_true(e) or z3.is_false(e))) or z3.is_int_value(e) or z3.is_rational_value(e):
            return e
        if z3.is_bool(e):
            v = z3.Bool(name)
        elif e.is_int():
            v = z3.Int(name)
        else:
            v = z3.Real(name)
        self.constraints.append(v == e)
        return v

    def decayed(self, x: z3.ArithRef, d: Fraction) -> z3.ArithRef:
        """GS-DECAY-2 on a counter: times d, and 0 below DecayToZero."""
        if d == 0:
            return z3.RealVal(0)
        y = val(d) * x
        return z3.If(y < val(self.cq.dtz), z3.RealVal(0), y)

    def p1(self, name: str, t: TopicQ, mesh: z3.BoolRef, age: z3.ArithRef) -> z3.ArithRef:
        """GS-P1 of a topic: mesh time in quanta (floored in go), capped; 0 out of the mesh."""
        if t.quantum_ms <= 0 or t.w1 == 0 or t.tw == 0:
            return z3.RealVal(0)
        age = z3.simplify(age)
        if z3.is_int_value(age):
            return z3.If(mesh, val(self.cq.p1(t, age.as_long())), z3.RealVal(0))
        time = age * self.cq.di_ms
        if self.cq.dialect.p1_floor:
            quanta = z3.Int(f"{name}.quanta")
            self.constraints += [quanta * t.quantum_ms <= time, time < (quanta + 1) * t.quantum_ms]
            p1 = z3.ToReal(quanta)
        else:
            p1 = z3.ToReal(time) / t.quantum_ms
        return z3.If(mesh, z3.If(p1 > val(t.cap1), val(t.cap1), p1), z3.RealVal(0))

    def observe(self, name: str, s: PeerState, p1: Terms, deficit: Terms, p3: Terms, p4: Terms, max_ip: int,
                bp_hi: Fraction) -> Observation:
        """The score of state ``s`` (GS-SCORE: topic sum, cap, P6, P7), as fresh variables."""
        cq = self.cq
        contribution = {}
        for t in cq.topics:
            ts = s.topics[t.name]
            terms = [(t.w1, p1[t.name]), (t.w2, ts.f), (t.w3, p3[t.name]), (t.w3b, ts.p3b), (t.w4, p4[t.name])]
            e = sum((val(t.tw * w) * x for w, x in terms if w and t.tw), z3.RealVal(0))
            contribution[t.name] = self.fresh(f"{name}.C.{t.name}", e)
        topic_sum = self.fresh(f"{name}.X", sum(contribution.values(), z3.RealVal(0)))
        capped = z3.If(topic_sum > val(cq.cap), val(cq.cap), topic_sum) if cq.cap > 0 else topic_sum
        p6 = table(s.ip, {n: (n - cq.theta6) ** 2 if n > cq.theta6 else Fraction(0) for n in range(1, max_ip + 1)})
        theta = cq.theta7 if cq.dialect.p7_threshold else Fraction(0)
        excess = z3.If(s.bp > val(theta), s.bp - val(theta), z3.RealVal(0))
        p7 = self.squares.square(f"{name}.p7", excess, Fraction(0), max(Fraction(0), bp_hi - theta))
        total = capped + (val(cq.w6) * p6 if cq.w6 else 0) + (val(cq.w7) * p7 if cq.w7 else 0)
        return Observation(s, self.fresh(f"{name}.S", total), topic_sum, contribution, dict(p1), dict(deficit),
                           dict(p3), dict(p4), p6, excess, p7)


    def begin(self, name: str, ch: Choices, freedom: Freedom, start: PeerState) -> Track:
        """A peer's track from ``start``, with no interval unrolled yet."""
        inv = {t.name: self.start_bound(start.topics[t.name].inv, freedom.invalid.get(t.name, 0), t.d4)
               for t in self.cq.topics}
        return Track(name, ch, freedom, [start], start_inv=inv,
                     start_bp=self.start_bound(start.bp, freedom.penalties, self.cq.d7))

    def start_bound(self, counter: z3.ArithRef, most: int, d: Fraction) -> Fraction:
        """An upper bound of a start counter: its value if constant; else the bound every reachable state
        keeps when at most ``most`` is added per interval, ``most / (1 - d)``, asserted as an invariant."""
        counter = z3.simplify(counter)
        if z3.is_rational_value(counter) or z3.is_int_value(counter):
            return Fraction(z3.simplify(z3.ToInt(counter)).as_long() + 1)  # floor + 1, whatever its digits
        bound = most / (1 - d) if d < 1 else Fraction(0)
        self.constraints.append(counter <= val(bound))
        return bound

    def counter_bound(self, start: Fraction, most: int, d: Fraction, intervals: int) -> Fraction:
        """An upper bound of a counter starting at most ``start``, fed ``most`` per interval for ``intervals``."""
        fed = most * (min(Fraction(intervals), 1 / (1 - d)) if d < 1 else Fraction(intervals)) if most > 0 else 0
        return start + fed

    def advance(self, track: Track) -> None:
        """Unroll the track's next interval (its constraints go to ``constraints``)."""
        track.states.append(self._interval(track, track.k, track.states[-1], track.freedom))

    def _interval(self, track: Track, i: int, pre: PeerState, freedom: Freedom) -> PeerState:
        cq, ch, sq, c = self.cq, track.choices, self.squares, self.constraints
        keep_active = z3.BoolVal(cq.dialect.p3_active_after_prune)
        tag = f"{track.name}[{i}]"
        # reconnect (a retained peer resumes; ts starts afresh)
        rc, dc = ch.reconnect[i], ch.disconnect[i]
        c.append(z3.Implies(rc, z3.Not(pre.conn)))
        conn = z3.Or(pre.conn, rc)
        s = pre
        if freedom.reconnect and cq.dialect.reconnect_resets_stats:
            s = _cleared(cq, s, rc)
        bp_hi = self.counter_bound(track.start_bp, freedom.penalties, cq.d7, i + 1)
        p1v = {t.name: self.p1(f"{tag}.{t.name}", t, z3.BoolVal(True), s.topics[t.name].age) for t in cq.topics}
        deficit_pre, p3_pre, p4_pre = {}, {}, {}
        for t in cq.topics:
            ts = s.topics[t.name]
            deficit_pre[t.name] = z3.If(z3.And(ts.active, ts.m < val(t.thr)), val(t.thr) - ts.m, z3.RealVal(0))
            p3_pre[t.name] = sq.square(f"{tag}.pre.p3.{t.name}", deficit_pre[t.name], Fraction(0), t.thr) \
                if t.deficit_matters else z3.RealVal(0)
            inv_hi = self.counter_bound(track.start_inv[t.name], freedom.invalid.get(t.name, 0), t.d4, i + 1)
            p4_pre[t.name] = sq.square(f"{tag}.pre.p4.{t.name}", ts.inv, Fraction(0), inv_hi) \
                if t.w4 and t.tw else z3.RealVal(0)
        p1_pre = {n: z3.If(s.topics[n].mesh, p1v[n], z3.RealVal(0)) for n in p1v}
        obs_pre = self.observe(f"{tag}.pre", replace(s, conn=conn), p1_pre, deficit_pre, p3_pre, p4_pre,
                               freedom.ip_peers, bp_hi)
        track.pre.append(obs_pre)
        # choices of the interval
        ip = ch.ip[i]
        c.append(z3.Implies(z3.Not(conn), ip == pre.ip))
        bp = s.bp + ch.penalties[i]
        c.append(z3.Implies(z3.Not(conn), ch.penalties[i] == 0))
        topics, x3, sq3 = {}, {}, {}
        grafted = {}
        for t in cq.topics:
            ts, n = s.topics[t.name], t.name
            g, pr = ch.graft[i][n], ch.prune[i][n]
            nf, nn, ni = ch.first[i][n], ch.near[i][n], ch.invalid[i][n]
            c += [z3.Implies(g, z3.And(conn, z3.Not(ts.mesh), obs_pre.score >= 0,
                                       (i - ts.pruned) * cq.di_ms >= cq.backoff_ms)),
                  z3.Implies(pr, z3.And(conn, z3.Or(ts.mesh, g))), z3.Not(z3.And(g, pr)),
                  z3.Implies(z3.Not(conn), nf + nn + ni == 0)]
            grafted[n] = g
            mesh = z3.Or(ts.mesh, g)
            active = z3.And(ts.active, z3.Not(g))
            age = z3.If(g, z3.IntVal(0), ts.age)
            f = _capped(ts.f + nf, t.cap2)
            m = z3.If(mesh, _capped(ts.m + nf + nn, t.cap3), ts.m)
            f, m = self.fresh(f"{tag}.act.f.{n}", f), self.fresh(f"{tag}.act.m.{n}", m)
            inv = self.fresh(f"{tag}.act.inv.{n}", ts.inv + ni)
            x3[n] = z3.If(z3.And(active, m < val(t.thr)), val(t.thr) - m, z3.RealVal(0))
            sq3[n] = sq.square(f"{tag}.p3.{n}", x3[n], Fraction(0), t.thr) if t.deficit_matters else z3.RealVal(0)
            topics[n] = TopicState(z3.And(mesh, z3.Not(pr)), age, z3.If(pr, z3.And(active, keep_active), active),
                                   f, m, ts.p3b + z3.If(pr, sq3[n], z3.RealVal(0)), inv,
                                   z3.If(pr, z3.IntVal(i), ts.pruned))
        track.grafted.append(grafted)
        post = PeerState(conn, bp, ip, pre.away, topics)
        p1_post = {n: z3.If(topics[n].mesh, z3.If(grafted[n], z3.RealVal(0), p1v[n]), z3.RealVal(0)) for n in p1v}
        deficit = {n: z3.If(topics[n].active, x3[n], z3.RealVal(0)) for n in x3}
        p3_post = {n: z3.If(topics[n].active, sq3[n], z3.RealVal(0)) for n in sq3}
        p4_post = {}
        for t in cq.topics:
            inv_hi = self.counter_bound(track.start_inv[t.name], freedom.invalid.get(t.name, 0), t.d4, i + 1)
            p4_post[t.name] = sq.square(f"{tag}.p4.{t.name}", topics[t.name].inv, Fraction(0), inv_hi) \
                if t.w4 and t.tw else z3.RealVal(0)
        obs_post = self.observe(f"{tag}.post", post, p1_post, deficit, p3_post, p4_post, freedom.ip_peers, bp_hi)
        track.post.append(obs_post)
        # disconnect: dropped if the score is positive (go/ts/rust), else retained with P3b for mesh deficits
        c.append(z3.Implies(dc, conn))
        dropped = z3.And(dc, obs_post.score > 0) if not cq.dialect.retain_positive_scores else z3.BoolVal(False)
        after = {}
        for t in cq.topics:
            ts, n = topics[t.name], t.name
            leaving = z3.And(dc, ts.mesh)
            after[n] = replace(ts, f=z3.If(dc, z3.RealVal(0), ts.f), mesh=z3.And(ts.mesh, z3.Not(dc)),
                               active=z3.If(dc, z3.And(ts.active, keep_active), ts.active),
                               p3b=ts.p3b + z3.If(z3.And(leaving, ts.active), sq3[n], z3.RealVal(0)))
        s = PeerState(z3.And(conn, z3.Not(dc)), bp, ip, pre.away, after)
        if freedom.reconnect:
            s = _cleared(cq, s, dropped)
        # the router's heartbeat prunes a negative peer from every mesh (its backoff counted from the
        # next interval start: the heartbeat comes after this interval's start)
        if cq.heartbeats_in(i) and track.router_prunes:
            hp = z3.And(s.conn, obs_post.score < 0)
            s = replace(s, topics={n: replace(
                ts, mesh=z3.And(ts.mesh, z3.Not(hp)),
                active=z3.If(z3.And(hp, ts.mesh), z3.And(ts.active, keep_active), ts.active),
                p3b=ts.p3b + z3.If(z3.And(hp, ts.mesh, ts.active), sq3[n], z3.RealVal(0)),
                pruned=z3.If(z3.And(hp, ts.mesh), z3.IntVal(i + 1), ts.pruned)) for n, ts in s.topics.items()})
        return self._refresh(f"{track.name}[{i + 1}].open", s, freedom)

    def _refresh(self, tag: str, s: PeerState, freedom: Freedom) -> PeerState:
        """The refresh opening the next interval: decay, mesh time, activation; retained peers frozen."""
        cq = self.cq
        away = z3.If(s.conn, z3.IntVal(0), s.away + 1) if freedom.reconnect else z3.IntVal(0)
        expired = z3.And(z3.Not(s.conn), away * cq.di_ms > cq.retain_ms)
        topics = {}
        for t in cq.topics:
            ts, n = s.topics[t.name], t.name
            age = z3.If(z3.And(s.conn, ts.mesh), ts.age + 1, ts.age)
            live = TopicState(ts.mesh, age, z3.Or(ts.active, z3.And(ts.mesh, age * cq.di_ms > t.act_ms)),
                              self.decayed(ts.f, t.d2), self.decayed(ts.m, t.d3), self.decayed(ts.p3b, t.d3b),
                              self.decayed(ts.inv, t.d4), ts.pruned)
            topics[n] = TopicState(*(self.fresh(f"{tag}.{field_}.{n}", z3.If(s.conn, a, b)) for field_, a, b in zip(
                ("mesh", "age", "active", "f", "m", "p3b", "inv", "pruned"), _fields(live), _fields(ts), strict=True)))
        bp = self.fresh(f"{tag}.bp", z3.If(s.conn, self.decayed(s.bp, cq.d7), s.bp))
        out = PeerState(s.conn, bp, s.ip, self.fresh(f"{tag}.away", away), topics)
        return _cleared(cq, out, expired) if freedom.reconnect else out


def _fields(ts: TopicState) -> tuple[z3.ExprRef, ...]:
    return ts.mesh, ts.age, ts.active, ts.f, ts.m, ts.p3b, ts.inv, ts.pruned


def _capped(x: z3.ArithRef, cap: Fraction) -> z3.ArithRef:
    return z3.If(x > val(cap), val(cap), x)


def _cleared(cq: ConfigQ, s: PeerState, when: z3.BoolRef) -> PeerState:
    """The state with every counter zeroed under ``when`` (stats dropped, or ts's fresh reconnect)."""
    zero = z3.RealVal(0)
    topics = {n: TopicState(z3.And(ts.mesh, z3.Not(when)), z3.If(when, z3.IntVal(0), ts.age),
                            z3.And(ts.active, z3.Not(when)), z3.If(when, zero, ts.f), z3.If(when, zero, ts.m),
                            z3.If(when, zero, ts.p3b), z3.If(when, zero, ts.inv),
                            z3.If(when, z3.IntVal(NEVER), ts.pruned)) for n, ts in s.topics.items()}
    return replace(s, bp=z3.If(when, zero, s.bp), topics=topics)
