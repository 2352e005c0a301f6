"""The fewest deliveries that buy a peer a given reward: what keeps constructed witnesses short (GS-SHORT-1..2).

A constructed counterexample needs the attacker to hold some positive topic score while it misbehaves.
Rewards are bought with first deliveries (P2) and with mesh time (P1); the constructions here pay as
few events as the config allows, so that a witness is thousands of events, not millions:

* ``late_fill`` (GS-SHORT-1): a one-off reward at the moment the violation is observed. P2 rises by
  one per first delivery up to its cap, so the cheapest fill takes whole topics in order of reward per
  delivery (``tw * w2``); the attacker waits silently before it (a silent interval costs no event).
* ``steady`` (GS-SHORT-2): a reward held over many intervals. A steady rate r of first deliveries holds
  P2 at min(cap, r / (1 - decay)), so topics are taken in order of reward per delivery per interval
  (``tw * w2 / (1 - decay)``); mesh time (P1) in topics joined early adds reward at the price of keeping their
  P3 counter above its threshold.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from peerproof.attacks.gossipsub.symbolic.openings import p1_saturation
from peerproof.attacks.gossipsub.symbolic.rational import ConfigQ, TopicQ


def _per_delivery(t: TopicQ) -> Fraction:
    return t.tw * t.w2 if t.tw > 0 and t.w2 > 0 else Fraction(0)


def late_fill(cq: ConfigQ, need: Fraction, skip: Iterable[str] = ()) -> dict[str, int] | None:
    """GS-SHORT-1: the first deliveries (per topic, all at once) that raise the topic sum above ``need``
    with the fewest events; None if every P2 at its cap is still not enough."""
    left, out = need, {}
    skipped = set(skip)
    for t in sorted((t for t in cq.topics if t.name not in skipped and _per_delivery(t) > 0),
                    key=lambda t: (-_per_delivery(t), t.name)):
        if left < 0:
            break
        n = min(math.ceil(t.cap2), math.floor(left / _per_delivery(t)) + 1)
        out[t.name] = n
        left -= _per_delivery(t) * min(Fraction(n), t.cap2)
    return out if left < 0 else None


def fill_value(cq: ConfigQ, fill: dict[str, int]) -> Fraction:
    """The topic-sum reward a fill buys (each P2 capped)."""
    return sum((_per_delivery(cq.topic(n)) * min(Fraction(c), cq.topic(n).cap2) for n, c in fill.items()), Fraction(0))


@dataclass(frozen=True)
class Steady:
    """GS-SHORT-2: first deliveries per interval in each topic (``rates``), the topics joined early for
    their P1 (``joined``, their P3 counter kept above its threshold), and the warm-up before the target."""

    rates: dict[str, int]
    joined: frozenset[str]
    warm_up: int
    floor: Fraction  # a lower bound of the reward they hold from the target's activation on

    @property
    def per_interval(self) -> int:
        """First deliveries per interval once steady."""
        return sum(self.rates.values())


def _steady_p2(t: TopicQ, rate: int) -> Fraction:
    """The weighted P2 a steady ``rate`` of first deliveries per interval holds after each interval's
    deliveries: the fixed point rate / (1 - decay), capped."""
    return _per_delivery(t) * min(t.cap2, Fraction(rate) / (1 - t.d2)) if t.d2 < 1 else _per_delivery(t) * t.cap2


def _p3_rate(t: TopicQ) -> int:
    """First deliveries per interval that keep a joined topic's P3 counter above its threshold."""
    return math.floor(t.thr * (1 - t.d3)) + 1 if t.deficit_matters else 0


def steady(cq: ConfigQ, need: Fraction, skip: str, longest_warm_up: int, horizon: int) -> Steady | None:
    """GS-SHORT-2: the steady reward above ``need`` without deliveries in ``skip`` that takes the fewest
    deliveries over its warm-up and ``horizon`` intervals; None if no mix of P2 and early P1 reaches it.
    P2 grows linearly with the rate up to its cap, so a greedy choice by reward per delivery is optimal
    for a given set of joined topics; the joined sets tried are the prefixes by P1 reward per P3 delivery."""
    others = [t for t in cq.topics if t.name != skip and t.tw > 0]
    p1_topics = sorted((t for t in others if t.w1 > 0 and t.cap1 > 0
                        and p1_saturation(cq, frozenset({t.name})) <= longest_warm_up),
                       key=lambda t: (-t.tw * t.w1 * t.cap1 / (1 + _p3_rate(t)), t.name))
    slopes = sorted((t for t in others if _per_delivery(t) > 0 and t.d2 < 1),
                    key=lambda t: (-_per_delivery(t) / (1 - t.d2), t.name))
    beats = len(cq.heartbeats_in(1))  # the router's events per interval, paid whatever the attacker does
    best: Steady | None = None
    for j in range(len(p1_topics) + 1):
        joined = frozenset(t.name for t in p1_topics[:j])
        warm = p1_saturation(cq, joined)
        rates = {t.name: _p3_rate(t) for t in p1_topics[:j]}
        value = sum((t.tw * t.w1 * cq.p1(t, warm) + _steady_p2(t, rates[t.name]) for t in p1_topics[:j]), Fraction(0))
        for t in slopes:
            if value > need:
                break
            lo = rates.get(t.name, 0)
            top = max(lo, math.ceil(t.cap2 * (1 - t.d2)))
            rates[t.name] = min(top, lo + math.floor((need - value) * (1 - t.d2) / _per_delivery(t)) + 1)
            value += _steady_p2(t, rates[t.name]) - _steady_p2(t, lo)
        if value <= need:
            continue
        found = Steady({n: r for n, r in rates.items() if r}, joined, warm, value)
        if best is None or (found.warm_up + horizon) * (found.per_interval + beats) < \
                (best.warm_up + horizon) * (best.per_interval + beats):
            best = found
    return best
