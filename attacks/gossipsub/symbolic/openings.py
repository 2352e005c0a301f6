"""Canonical openings: the first intervals of an attack written out, so that z3 only searches its end.

z3 handles a short symbolic stretch quickly but a long one slowly (every counter becomes a case split).
An opening is a concrete prefix of steps: its counters fold to exact constants in the encoding, so z3
searches only the strategy's end (a short tail, or a loop). Openings are tried cheapest first; each
is an ordinary plan prefix, so whatever z3 finds after one is replayed like any other attack.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from peerproof.attacks.gossipsub.symbolic.plan import Step
from peerproof.attacks.gossipsub.symbolic.rational import ConfigQ, TopicQ

Opening = tuple[str, tuple[Step, ...]]


def most_first(t: TopicQ) -> int:
    """First deliveries per interval that can still matter: enough to fill P2's cap or P3's counter."""
    need = max(t.cap2 if t.w2 > 0 and t.tw > 0 else Fraction(0), t.cap3 if t.deficit_matters else Fraction(0))
    return math.ceil(need)


def most_near(t: TopicQ) -> int:
    """Near-first copies per interval that can still matter: enough to fill P3's counter."""
    return math.ceil(t.cap3) if t.deficit_matters else 0


def _rewarded(t: TopicQ) -> bool:
    return t.w2 > 0 and t.tw > 0


def filling(t: TopicQ, joined: bool) -> int:
    """First deliveries that bring P2 to its cap (and, in the mesh, the P3 counter over its threshold)."""
    need = max(t.cap2 if _rewarded(t) else Fraction(0), t.thr if joined and t.deficit_matters else Fraction(0))
    return min(most_first(t), math.ceil(need))


def keeping(t: TopicQ, joined: bool) -> int:
    """First deliveries per interval that keep P2 at its cap (and the P3 counter over its threshold after
    each interval's deliveries: its steady value r / (1 - decay) clears the threshold), with one to spare."""
    need = max(t.cap2 * (1 - t.d2) if _rewarded(t) else Fraction(0),
               t.thr * (1 - t.d3) if joined and t.deficit_matters else Fraction(0))
    return min(most_first(t), math.floor(need) + 1) if need > 0 else 0


def rewarded(cq: ConfigQ, length: int, *, skip: frozenset[str] = frozenset(), join: frozenset[str] = frozenset(),
             join_at: int = 0) -> tuple[Step, ...]:
    """``length`` intervals of first deliveries keeping every topic but ``skip`` rewarded; the topics in
    ``join`` are grafted at interval ``join_at`` (and kept above their P3 threshold from then on)."""
    steps = []
    for i in range(length):
        first = {}
        for t in cq.topics:
            if t.name in skip:
                continue
            joined = t.name in join and i >= join_at
            fresh = i == 0 or (i == join_at and t.name in join)
            n = filling(t, joined) if fresh else keeping(t, joined)
            if n:
                first[t.name] = n
        steps.append(Step(first=first, graft=join if i == join_at else frozenset()))
    return tuple(steps)


def p1_saturation(cq: ConfigQ, topics: frozenset[str]) -> int:
    """Intervals in the mesh after which every one of ``topics`` has its P1 at the cap."""
    return max((math.ceil(t.cap1 * t.quantum_ms / cq.di_ms) for t in cq.topics
                if t.name in topics and t.quantum_ms > 0 and t.w1 > 0 and t.tw > 0), default=0)


def first(holds: Callable[[int], bool], limit: int) -> int | None:
    """The least n in [0, limit] where the monotone predicate ``holds`` (False ... False, True ...) is True:
    exponential then binary search, so a predicate with exact powers is evaluated O(log n) times."""
    hi = 1
    while not holds(min(hi, limit)):
        if hi >= limit:
            return None
        hi *= 2
    hi, lo = min(hi, limit), hi // 2
    while lo < hi:
        mid = (lo + hi) // 2
        if holds(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo if holds(lo) else None


def decayed(cq: ConfigQ, start: Fraction, d: Fraction, n: int) -> Fraction:
    """A counter after n decay steps with nothing added (GS-DECAY-2): 0 once it falls below DecayToZero."""
    value = start * d**n
    return value if value >= cq.dtz else Fraction(0)


def invalid_wait(cq: ConfigQ, topic: str, reward: Fraction, limit: int) -> int | None:
    """After one invalid message in ``topic``, the intervals until its P4 cost drops below ``reward``
    (the counter still above DecayToZero); None if that takes more than ``limit`` intervals."""
    t = cq.topic(topic)
    weight = -t.tw * t.w4
    n = first(lambda n: weight * decayed(cq, Fraction(1), t.d4, n) ** 2 < reward, limit)
    return n if n is not None and decayed(cq, Fraction(1), t.d4, n) > 0 else None
