"""Unbounded verdicts where the mathematics gives them: closed forms over the config's exact rationals.

Each ``holds`` names its argument, and each ``violated`` carries a constructed trace that the reference
model replayed and the property's checker confirmed. The arguments, per property:

* GS-PROP-1: a topic with no weighted penalty never contributes negatively; with no other rewarding
  topic a negative contribution drags the total down. Violation: one invalid message in T, a silent
  wait while its P4 counter decays (counters decay to fractions, so the penalty gets as small as
  DecayToZero allows), then the fewest first deliveries elsewhere that outweigh it (GS-SHORT-1).
* GS-PROP-2: without a binding topic cap (no cap, or a cap above every reachable topic sum) the score
  is a plain sum in which every weighted penalty has a negative coefficient; under a binding cap two
  peers filled above the cap differ only by a decayed invalid message and score alike (GS-CAP-1).
* GS-PROP-3: ``not-scored`` is read off the config; otherwise an upper bound of the silent peer's
  score n intervals after activation (every other topic at its best, its own P2 and P3 counters
  decaying geometrically from their caps) crosses 0 at a computable N (GS-SIL-1), or its limit is
  >= 0 and a steady reward elsewhere outweighs the full deficit for the horizon (GS-SIL-2, GS-SHORT-2).
* GS-PROP-4: the worst environment is a quiet one (no messages, so full deficits); each topic's P1 at
  its activation either outweighs its deficit penalty (holds) or the quiet run is the violation.
* GS-PROP-5: structural (GS-SCORE reads only the peer's own counters, IP groups and P5).
* GS-PROP-6: the flood's P4 counter is at least r(1 + d + ... + d^n); against the largest reward the
  config allows it crosses the graylist at a computable N, or never even with no reward at all.

The application score P5 is the application's, not the peer's, and is 0 throughout.
"""

from __future__ import annotations

import time
from dataclasses import replace
from fractions import Fraction

from peerproof.attacks.finding import Finding
from peerproof.attacks.gossipsub.roles import ATTACKER, HONEST, TWIN
from peerproof.attacks.gossipsub.symbolic.budget import fill_value, late_fill, steady
from peerproof.attacks.gossipsub.symbolic.openings import decayed, filling, first
from peerproof.attacks.gossipsub.symbolic.plan import Plan, Step, message_events, trace_of
from peerproof.attacks.gossipsub.symbolic.rational import ConfigQ, TopicQ, exact
from peerproof.properties.gossipsub.security import (
    HORIZON_INTERVALS,
    INVALID_RATE,
    get_property,
    mesh_delivery_reason,
    witness_violation,
)
from peerproof.reference.gossipsub import Config, Graft, Invalid
from peerproof.reference.trace import Trace

ENGINE = "analytic"

LONGEST_WAIT = 20_000  # decay intervals a constructed counterexample may take
MAX_WARM_UP = 400  # decay intervals a silent-peer witness may spend building P1 elsewhere first
LASTING_BEATS = 10  # GS-SHORT-3: a witness that must last keeps one router heartbeat every 10 decay intervals
MAX_WITNESS_EVENTS = 200_000  # larger constructions are left to the search engines (replaying them takes minutes)


def _reward(t: TopicQ) -> Fraction:
    """The most a topic's rewards can add: P1 and P2 at their caps (never negative)."""
    return max(Fraction(0), t.max_reward)


def _topics(counts: dict[str, int]) -> str:
    """The topics of a fill in a few words (a long list is counted, not spelled out)."""
    names = sorted(counts)
    return ", ".join(names) if len(names) <= 4 else f"{', '.join(names[:3])} and {len(names) - 3} more topics"


def _proved(slug: str, topic: str | None, argument: str, bound: str, started: float) -> Finding:
    return Finding(slug, topic, "holds", argument, bound, time.monotonic() - started, ENGINE)


def _witness(config: Config, cq: ConfigQ, slug: str, topic: str | None, plan: Plan, intervals: int,
             how: str, started: float, heartbeats: bool | int = True, **bounds: object) -> Finding | None:
    """Replay a constructed plan; a violated finding if the checker confirms it, else None (also when the
    construction is too large to replay quickly: the search engines then look for a shorter attack)."""
    if message_events(plan, intervals) > MAX_WITNESS_EVENTS:
        return None
    claim = {"property": slug, "id": get_property(slug).id, "topic": topic, "verdict": "violated", "engine": ENGINE}
    trace = trace_of(config, cq, plan, intervals, claim=claim, meta={"roles": sorted(plan.steps), "construction": how},
                     heartbeats=heartbeats)
    why = witness_violation(config, slug, topic, trace, **bounds)
    if why is None:
        return None
    trace = replace(trace, meta={**trace.meta, "misbehaviour": _marks(cq, slug, topic, trace)})
    return Finding(slug, topic, "violated", f"{why} (constructed: {how}; replayed)", None,
                   time.monotonic() - started, ENGINE, trace)


def _marks(cq: ConfigQ, slug: str, topic: str | None, trace: Trace) -> list[dict[str, object]]:
    """What the plot marks: each peer's invalid messages, and a silent peer's stretch from its activation."""
    out: list[dict[str, object]] = []
    invalid: dict[str, list[int]] = {}
    for i, e in enumerate(trace.events):
        if isinstance(e, Invalid):
            invalid.setdefault(e.peer, []).append(i)
    out += [{"events": idx, "peer": p, "label": "invalid message"} for p, idx in sorted(invalid.items())]
    grafts = [e.at_ms for e in trace.events if isinstance(e, Graft) and e.topic == topic and e.peer == ATTACKER]
    if slug == "penalizes-non-forwarding" and grafts and topic is not None:
        start = grafts[0] + cq.activation_age(cq.topic(topic)) * cq.di_ms
        out.append({"from": start / 1000, "to": trace.events[-1].at_ms / 1000, "peer": ATTACKER, "topic": topic,
                    "label": f"silent in the {topic} mesh"})
    return out


def topic_consistency(config: Config, cq: ConfigQ, topic: str, started: float) -> Finding | None:
    """GS-PROP-1."""
    t = cq.topic(topic)
    slug = "topic-consistency"
    if t.tw == 0 or (t.w3 == 0 and t.w3b == 0 and t.w4 == 0):
        return _proved(slug, topic, f"{topic}'s contribution is tw(w1 P1 + w2 P2) >= 0 in every state: the config "
                       "weights no penalty there", "unbounded (every state)", started)
    others = sum((_reward(x) for x in cq.topics if x.name != topic), Fraction(0))
    if others == 0:
        return _proved(slug, topic, f"no other topic can contribute positively, so a negative {topic} contribution "
                       "makes the capped topic sum, and with P6, P7 <= 0 the total, negative",
                       "unbounded (every state)", started)
    if not t.w4:
        return None
    found = _fading_invalid(cq, topic, Fraction(0), skip=frozenset({topic}))
    if found is None:
        return None
    n, fill = found
    steps = (Step(invalid={topic: 1}), *(Step() for _ in range(n - 1)), Step(first=fill)) if n else \
        (Step(first=fill, invalid={topic: 1}),)
    how = (f"one invalid message in {topic}, {n} silent decay intervals while its P4 counter decays, then "
           f"{sum(fill.values())} first deliveries in {_topics(fill)} (GS-SHORT-1)")
    return _witness(config, cq, slug, topic, Plan({ATTACKER: steps}), n + 1, how, started,
                    heartbeats=sparse_beats(n + 1), peers=[ATTACKER])


def sparse_beats(intervals: int) -> int:
    """The heartbeat stride of a construction that needs none: about 100 plot samples while counters decay."""
    return max(1, intervals // 100)


SAFETY = Fraction(1, 10**6)  # relative room kept between the exact arithmetic and the replay's doubles


def _fading_invalid(cq: ConfigQ, topic: str, above: Fraction, skip: frozenset[str] = frozenset()
                    ) -> tuple[int, dict[str, int]] | None:
    """GS-SHORT-1: the wait n after one invalid message in ``topic`` and the late fill that lifts the topic
    sum above ``above`` plus the P4 cost left after n decays (the counter still above DecayToZero), with the
    fewest deliveries and then the shortest wait; None if no fill is enough before the counter vanishes."""
    t = cq.topic(topic)
    def cost(n: int) -> Fraction:  # 0 once the counter comes near DecayToZero, where the doubles may zero it
        counter = t.d4**n
        return -t.tw * t.w4 * counter**2 if counter > cq.dtz * (1 + 1000 * SAFETY) else Fraction(0)

    def fill(n: int) -> dict[str, int] | None:
        return late_fill(cq, above + cost(n) * (1 + SAFETY) + SAFETY, skip)

    gone = first(lambda n: cost(n) == 0, LONGEST_WAIT)
    last = LONGEST_WAIT if gone is None else gone - 1
    if last < 0 or fill(last) is None or cost(last) <= 2 * SAFETY * max(1, above):
        return None
    fewest = sum(fill(last).values())
    n = first(lambda n: (f := fill(n)) is not None and sum(f.values()) <= fewest, last)
    return (n, fill(n)) if n is not None else None


def misbehaviour(config: Config, cq: ConfigQ, started: float) -> Finding | None:
    """GS-PROP-2."""
    slug = "misbehaviour-lowers-score"
    additive = ("so the score is the plain sum of tw(w1 P1 + w2 P2 + w3 P3 + w3b P3b + w4 P4) over topics and "
                "w6 P6 + w7 P7, in which every weighted penalty term has a negative coefficient (weights <= 0, "
                "topic weights >= 0): with the rewards equal, any increase of a weighted penalty term strictly "
                "lowers it")
    if cq.cap == 0:
        return _proved(slug, None, f"no topic cap, {additive}", "unbounded (every pair of states)", started)
    most = sum((_reward(t) for t in cq.topics), Fraction(0))
    if most <= cq.cap:
        return _proved(slug, None, f"the topic sum never exceeds the cap ({float(most):g} <= {float(cq.cap):g} with "
                       f"every P1 and P2 at its cap), {additive}", "unbounded (every pair of states)", started)
    return masked(config, cq, started)


def masked(config: Config, cq: ConfigQ, started: float) -> Finding | None:
    """GS-PROP-2 under a binding cap (GS-CAP-1): two peers fill the same P2s above the cap plus the P4 cost
    of one invalid message the twin sent earlier; both topic sums are capped, so the scores are equal."""
    slug = "misbehaviour-lowers-score"
    options, seen = [], set()
    for t in cq.topics:
        if t.tw > 0 and t.w4 < 0 and (t.tw * t.w4, t.d4) not in seen:
            seen.add((t.tw * t.w4, t.d4))  # topics with the same P4 cost and decay give the same fills
            if (found := _fading_invalid(cq, t.name, cq.cap)) is not None:
                options.append((sum(found[1].values()), found[0], t.name, found[1]))
    if not options:
        return None
    _events, n, topic, fill = min(options)
    twin = (Step(invalid={topic: 1}), *(Step() for _ in range(n - 1)), Step(first=fill)) if n else \
        (Step(first=fill, invalid={topic: 1}),)
    plan = Plan({ATTACKER: (*(Step() for _ in range(n)), Step(first=fill)), TWIN: twin})
    how = (f"the twin sends one invalid message in {topic}; after {n} silent decay intervals both make "
           f"{sum(fill.values())} first deliveries in {_topics(fill)} (topic sum {float(fill_value(cq, fill)):g} > "
           f"cap {float(cq.cap):g} + the twin's P4 cost; GS-CAP-1, GS-SHORT-1)")
    return _witness(config, cq, slug, None, plan, n + 1, how, started, heartbeats=sparse_beats(n + 1),
                    peers=[ATTACKER, TWIN])


def non_forwarding(config: Config, cq: ConfigQ, topic: str, started: float) -> Finding | None:
    """GS-PROP-3."""
    slug, t = "penalizes-non-forwarding", cq.topic(topic)
    if mesh_delivery_reason(config, topic) == "not-scored":
        act = cq.activation_age(t)
        plan = Plan({ATTACKER: (Step(graft=frozenset({topic})),)})
        how = f"the attacker joins the {topic} mesh and never sends anything"
        return _witness(config, cq, slug, topic, plan, act + HORIZON_INTERVALS + 2, how, started,
                        heartbeats=LASTING_BEATS, peers=[ATTACKER], horizon=HORIZON_INTERVALS)
    others = sum((_reward(x) for x in cq.topics if x.name != topic), Fraction(0))
    limit = others + t.tw * (t.w1 * t.cap1 + t.w3 * t.thr * t.thr)
    if limit >= 0:
        return silent_survives(config, cq, topic, started)
    def bound(n: int) -> Fraction:
        deficit = max(Fraction(0), t.thr - decayed(cq, t.cap3, t.d3, n))
        return others + t.tw * (t.w1 * t.cap1 + t.w2 * decayed(cq, t.cap2, t.d2, n) + t.w3 * deficit * deficit)

    n = first(lambda n: bound(n) < 0, LONGEST_WAIT)
    if n is None:
        return None
    return _proved(slug, topic, (
        f"n decay intervals after its P3 activation, a peer silent in {topic} scores at most {float(others):g} "
        f"(every other topic's P1 and P2 at their caps) + tw(w1 cap1 + w2 cap2 d2^n - |w3| (threshold - cap3 "
        f"d3^n)^2) in {topic} (P5 = 0, P6, P7 <= 0, the cap only lowers it), which is negative from n = {n} on "
        f"(its limit is {float(limit):g})"),
        f"unbounded: pruned at the first heartbeat after {n} decay intervals past activation "
        f"({t.act_ms / 1000:g}s after grafting), whatever else it does", started)


def silent_survives(config: Config, cq: ConfigQ, topic: str, started: float) -> Finding | None:
    """GS-PROP-3 violated (GS-SIL-2): rewards elsewhere held above the full deficit cost of ``topic`` less
    its P1 at activation, so the silent peer's score stays >= 0 at every heartbeat past activation."""
    slug, t = "penalizes-non-forwarding", cq.topic(topic)
    act = cq.activation_age(t)
    need = t.tw * (-t.w3 * t.thr * t.thr - t.w1 * cq.p1(t, act))
    plan = steady(cq, need * (1 + SAFETY) + SAFETY, topic, MAX_WARM_UP, act + HORIZON_INTERVALS + 2)
    if plan is None:
        return None
    steps = []
    fresh = {x: max(r, filling(cq.topic(x), x in plan.joined)) for x, r in plan.rates.items()}
    for i in range(plan.warm_up + 2):
        joined = plan.joined if i == 0 else frozenset()
        steps.append(Step(first=fresh if i == 0 else plan.rates,
                          graft=joined | (frozenset({topic}) if i == plan.warm_up else frozenset())))
    intervals = plan.warm_up + act + HORIZON_INTERVALS + 2
    how = (f"the attacker {'joins ' + ', '.join(sorted(plan.joined)) + ' for their P1, ' if plan.joined else ''}"
           f"makes {plan.per_interval} first deliveries per interval in {_topics(plan.rates)} (a reward "
           f"of at least {float(plan.floor):g}), grafts {topic} after {plan.warm_up} intervals and never delivers "
           f"there: its full deficit costs {float(need):g} at most (GS-SIL-2, GS-SHORT-2)")
    return _witness(config, cq, slug, topic, Plan({ATTACKER: tuple(steps)}, loop_from=plan.warm_up + 1), intervals,
                    how, started, heartbeats=LASTING_BEATS, peers=[ATTACKER], horizon=HORIZON_INTERVALS)


def rewards(config: Config, cq: ConfigQ, started: float) -> Finding | None:
    """GS-PROP-4."""
    slug = "rewards-good-behaviour"
    worst = {}
    for t in cq.topics:
        if t.p3_scored:
            age = cq.activation_age(t)
            worst[t.name] = (age, t.tw * (t.w1 * cq.p1(t, age) + t.w3 * t.thr * t.thr))
    low = sum((v for _a, v in worst.values() if v < 0), Fraction(0))
    if low >= 0:
        return _proved(slug, None, (
            "a good peer's P2 >= 0 and P4, P6, P7 = 0; its P3 is at most the full deficit threshold^2 once active, "
            "and in every topic its P1 at activation already outweighs that penalty (quiet topics, every copy "
            "near-first, included), so its score never drops below 0"), "unbounded (every run)", started)
    hurt = {n: a for n, (a, v) in worst.items() if v < 0}
    start = max(hurt.values())
    steps = tuple(Step(graft=frozenset(n for n, a in hurt.items() if start - a == i)) for i in range(start + 1))
    how = (f"a quiet network: the peer joins {', '.join(sorted(hurt))} so that their P3 activate together and no "
           "message is ever published")
    return _witness(config, cq, slug, None, Plan({HONEST: steps}), start + 1, how, started, peers=[HONEST])


def graylists(config: Config, cq: ConfigQ, topic: str, started: float) -> Finding | None:
    """GS-PROP-6."""
    slug, t, rate = "graylists-invalid-floods", cq.topic(topic), INVALID_RATE
    penalty = -t.tw * t.w4
    most = sum((_reward(x) for x in cq.topics), Fraction(0))
    def counter(n: int) -> Fraction:  # the P4 counter right after the sends of interval n (closed form)
        if rate * t.d4 < cq.dtz:
            return Fraction(rate)
        return rate * (1 - t.d4 ** (n + 1)) / (1 - t.d4)

    n = first(lambda n: most - penalty * counter(n) ** 2 < cq.graylist, LONGEST_WAIT)
    if n is not None:
        return _proved(slug, topic, (
            f"after n decay intervals of {rate} invalid message(s) in {topic} the P4 counter is at least "
            f"r(1 - d^(n+1))/(1 - d), so the score is at most {float(most):g} (every P1 and P2 at its cap) "
            f"- {float(penalty):g} counter^2, below the graylist threshold from n = {n} on"),
            f"unbounded: graylisted within {n + 1} decay intervals of its first invalid message, whatever its "
            "prior score", started)
    ceiling = Fraction(rate) if rate * t.d4 < cq.dtz else rate / (1 - t.d4)
    if -penalty * ceiling * ceiling > cq.graylist:  # even with no reward at all it never crosses
        plan = Plan({ATTACKER: (Step(invalid={topic: rate}),)}, loop_from=0)
        how = f"{rate} invalid message(s) in {topic} every decay interval and nothing else"
        return _witness(config, cq, slug, topic, plan, HORIZON_INTERVALS + 2, how, started, peers=[ATTACKER],
                        heartbeats=LASTING_BEATS, horizon=HORIZON_INTERVALS, rate=rate)
    return None


def prove(config: Config, slug: str, topic: str | None = None, dialect: str | None = None) -> Finding | None:
    """The closed-form verdict on ``slug`` (in ``topic``), or None where no argument settles it."""
    started = time.monotonic()
    prop = get_property(slug)
    if prop.per_topic and topic not in config.topics:
        raise ValueError(f"{slug} is checked per topic; {topic!r} is not a scored topic of this config")
    cq = exact(config, dialect)
    if slug == "topic-consistency":
        return topic_consistency(config, cq, topic, started)
    if slug == "misbehaviour-lowers-score":
        return misbehaviour(config, cq, started)
    if slug == "penalizes-non-forwarding":
        return non_forwarding(config, cq, topic, started)
    if slug == "rewards-good-behaviour":
        return rewards(config, cq, started)
    if slug == "fairness":
        return _proved(slug, None, (
            "structural: GS-SCORE reads only the peer's own counters, the sizes of its IP groups and its P5, and "
            "every GS-STEP transition updates a peer's counters from the events that name it (or a message it "
            "sent) the same way whatever its name, refreshes treating all peers alike; equal histories give "
            "equal counters, hence equal scores"), "unbounded (every run)", started)
    return graylists(config, cq, topic, started)
