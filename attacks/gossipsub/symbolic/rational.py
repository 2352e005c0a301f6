"""A GossipSub config as exact rationals: what the z3 encoding and the closed forms compute with.

Every decimal of the config becomes the fraction it is written as (``Fraction(str(x))``: 0.9 is 9/10,
never the binary double), so the solver and the closed forms reason about the config the user wrote;
the reference model replays every attack in doubles, and goals keep a small margin so that rounding
cannot flip a verdict. Time is counted in decay intervals: the attacker acts once per interval, right
after the refresh that starts it, and heartbeats follow go's schedule (first after 100 ms, then every
HeartbeatInterval).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from peerproof.reference.gossipsub import Config, Dialect, get_dialect

HEARTBEAT_INITIAL_DELAY_MS = 100  # go-libp2p-pubsub GossipSubHeartbeatInitialDelay


def q(x: float | int) -> Fraction:
    """The exact rational a config number is written as (ints exactly, floats by their shortest repr)."""
    return Fraction(x) if isinstance(x, int) else Fraction(str(x))


@dataclass(frozen=True)
class TopicQ:
    """One topic's TopicScoreParams as exact rationals."""

    name: str
    tw: Fraction
    w1: Fraction
    quantum_ms: int
    cap1: Fraction
    w2: Fraction
    d2: Fraction
    cap2: Fraction
    w3: Fraction
    d3: Fraction
    cap3: Fraction
    thr: Fraction
    window_ms: int
    act_ms: int
    w3b: Fraction
    d3b: Fraction
    w4: Fraction
    d4: Fraction

    @property
    def p3_scored(self) -> bool:
        """Whether a mesh-delivery deficit costs anything (P3 weighted, topic weighted, threshold set)."""
        return self.tw > 0 and self.w3 < 0 and self.thr > 0

    @property
    def deficit_matters(self) -> bool:
        """Whether the deficit enters the score at all (as P3 or as the sticky P3b)."""
        return self.tw > 0 and self.thr > 0 and (self.w3 < 0 or self.w3b < 0)

    @property
    def max_reward(self) -> Fraction:
        """The largest weighted contribution P1 and P2 can give (topic weight included)."""
        return self.tw * (self.w1 * self.cap1 + self.w2 * self.cap2)


@dataclass(frozen=True)
class ConfigQ:
    """A whole config as exact rationals, with the dialect and the clock the encodings use."""

    topics: tuple[TopicQ, ...]
    cap: Fraction
    w6: Fraction
    theta6: Fraction
    w7: Fraction
    theta7: Fraction
    d7: Fraction
    di_ms: int
    dtz: Fraction
    retain_ms: int
    gossip: Fraction
    graylist: Fraction
    hb_ms: int
    backoff_ms: int
    dialect: Dialect

    def topic(self, name: str) -> TopicQ:
        """The topic called ``name``."""
        return next(t for t in self.topics if t.name == name)

    def p1(self, t: TopicQ, age: int) -> Fraction:
        """GS-P1 after ``age`` refreshes in the mesh since a graft at an interval start."""
        if t.quantum_ms <= 0:
            return Fraction(0)
        mesh_time = age * self.di_ms
        p1 = Fraction(mesh_time // t.quantum_ms) if self.dialect.p1_floor else Fraction(mesh_time, t.quantum_ms)
        return min(p1, t.cap1)

    def activated(self, t: TopicQ, age: int) -> bool:
        """Whether P3 is active after ``age`` refreshes in the mesh (mesh time strictly above activation)."""
        return age * self.di_ms > t.act_ms

    def activation_age(self, t: TopicQ) -> int:
        """The first number of refreshes in the mesh after which P3 is active."""
        return t.act_ms // self.di_ms + 1

    def heartbeats_in(self, interval: int) -> list[int]:
        """The heartbeat times (ms) inside decay interval ``interval`` ([start, start + DecayInterval))."""
        start, end = interval * self.di_ms, (interval + 1) * self.di_ms
        offset = min(HEARTBEAT_INITIAL_DELAY_MS, self.hb_ms)
        j = max(0, -(-(start - offset) // self.hb_ms))
        out = []
        while offset + j * self.hb_ms < end:
            out.append(offset + j * self.hb_ms)
            j += 1
        return out

    def decay(self, x: Fraction, d: Fraction) -> Fraction:
        """One decay step of a counter, snapped to 0 below DecayToZero (GS-DECAY-2)."""
        y = x * d
        return Fraction(0) if y < self.dtz else y


def exact(config: Config, dialect: str | None = None) -> ConfigQ:
    """The exact rational view of ``config`` in ``dialect`` (default: the config's own)."""
    s, th = config.score, config.thresholds
    topics = tuple(
        TopicQ(name, q(tp.topic_weight), q(tp.time_in_mesh_weight), tp.time_in_mesh_quantum_ms,
               q(tp.time_in_mesh_cap), q(tp.first_message_deliveries_weight), q(tp.first_message_deliveries_decay),
               q(tp.first_message_deliveries_cap), q(tp.mesh_message_deliveries_weight),
               q(tp.mesh_message_deliveries_decay), q(tp.mesh_message_deliveries_cap),
               q(tp.mesh_message_deliveries_threshold), tp.mesh_message_deliveries_window_ms,
               tp.mesh_message_deliveries_activation_ms, q(tp.mesh_failure_penalty_weight),
               q(tp.mesh_failure_penalty_decay), q(tp.invalid_message_deliveries_weight),
               q(tp.invalid_message_deliveries_decay))
        for name, tp in config.topics.items())
    return ConfigQ(topics, q(s.topic_score_cap), q(s.ip_colocation_factor_weight), q(s.ip_colocation_factor_threshold),
                   q(s.behaviour_penalty_weight), q(s.behaviour_penalty_threshold), q(s.behaviour_penalty_decay),
                   s.decay_interval_ms, q(s.decay_to_zero), s.retain_score_ms, q(th.gossip_threshold),
                   q(th.graylist_threshold), config.router.heartbeat_interval_ms, config.router.prune_backoff_ms,
                   get_dialect(dialect or config.dialect))
