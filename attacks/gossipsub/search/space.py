"""What the Hypothesis search draws: the space of attacker plans for one property and topic.

Topics with identical parameters are interchangeable, so a plan engages each group of identical
topics as a whole: none, one, two or all of its members follow the group's template. Counts are
bounded by what can matter (the P2 cap's upkeep, the P3 threshold's upkeep), and the silent spans a
plan may take are the times penalty counters need to decay to fractions. Two kinds of plan are tried
before any random one (``greedy_plans``), and a found attack is simplified greedily (``simpler``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from hypothesis import strategies as st
from peerproof.attacks.gossipsub.search.plans import TARGET_IN_MESH, Plan, TopicPlan, TwinDelta
from peerproof.properties.gossipsub.security import HORIZON_INTERVALS
from peerproof.reference.gossipsub import Config, TopicParams

MAX_COUNT = 24  # per topic, phase and kind of message
PERIOD_MAX = 4
SEARCH_HORIZON_MIN, SEARCH_HORIZON_MAX = 12, 160
TWIN_MODES = {"misbehaviour-lowers-score": "delta", "fairness": "same"}
UNIVERSAL = ("penalizes-non-forwarding", "graylists-invalid-floods")  # "never …" over a whole run
QUIET_MAX = 2000


@dataclass(frozen=True)
class Limits:
    """The most of each message kind per phase that can matter in a topic."""

    first: int
    near: int
    invalid: int


@dataclass(frozen=True)
class Space:
    """Everything the plan strategy and the event builder need to know about a search."""

    slug: str
    target: str | None
    groups: tuple[tuple[str, ...], ...]  # interchangeable helper topics (target excluded)
    limits: Mapping[str, Limits]
    interval_ms: int
    prune_backoff_ms: int
    period_max: int
    search_horizon: int
    full_horizon: int  # intervals a found plan is run for when the property says "never … within a bound"
    bound: int  # that bound (GS-PROP-3, GS-PROP-6), in decay intervals
    sybils_max: int
    penalty_max: int
    twin: str
    unsearchable: str | None = None
    activation: Mapping[str, int] = field(default_factory=dict)
    quiets: tuple[int, ...] = ()  # silent spans worth trying: how long penalty counters take to decay

    def horizon(self, plan: Plan) -> int:
        """The intervals a plan runs for while searching: its silent span, then the search horizon."""
        return plan.quiet + self.search_horizon


def _clamp(x: float, lo: int, hi: int) -> int:
    return max(lo, min(hi, math.ceil(x)))


def topic_limits(tp: TopicParams) -> Limits:
    """Bounds on useful counts: enough to keep P2 at its cap and the P3 counter over its threshold."""
    need_first = 1
    if tp.first_message_deliveries_weight > 0 and 0 < tp.first_message_deliveries_decay < 1:
        need_first = tp.first_message_deliveries_cap * (1 - tp.first_message_deliveries_decay)
    need_near = 1
    d = tp.mesh_message_deliveries_decay
    if tp.mesh_message_deliveries_weight < 0 and 0 < d < 1:
        need_near = 1.5 * tp.mesh_message_deliveries_threshold * (1 - d) / d + 1
    if tp.first_message_deliveries_weight > 0:
        need_first = max(need_first, tp.first_message_deliveries_cap / 4)  # fill the cap in ~4 intervals
    first = _clamp(max(need_first, need_near), 1, MAX_COUNT)
    return Limits(first, _clamp(need_near, 1, MAX_COUNT), 2 if tp.invalid_message_deliveries_weight < 0 else 1)


def _groups(config: Config, exclude: str | None) -> tuple[tuple[str, ...], ...]:
    by_params: dict[TopicParams, list[str]] = {}
    for name in sorted(config.topics):
        by_params.setdefault(config.topics[name], []).append(name)
    out = []
    for members in by_params.values():
        rest = tuple(m for m in members if m != exclude)
        if rest:
            out.append(rest)
    return tuple(out)


def _intervals(ms: int, interval_ms: int) -> int:
    return math.ceil(ms / interval_ms) if ms > 0 else 0


def space_for(config: Config, slug: str, topic: str | None, *, bound: int | None = None) -> Space:
    """The search space of one property (and target topic) under ``config``.

    ``bound`` is the property's bounded time (default ``HORIZON_INTERVALS`` of the properties): a
    silent mesh peer must keep a non-negative score for that long after its P3 activation, a flooder
    must stay above the graylist for that long, so found plans run that much longer.
    """
    score = config.score
    interval = score.decay_interval_ms
    activation = {t: _intervals(tp.mesh_message_deliveries_activation_ms, interval)
                  for t, tp in config.topics.items() if tp.mesh_message_deliveries_weight < 0}
    reach = activation.get(topic, 0) if topic is not None else max(activation.values(), default=0)
    search_horizon = _clamp(reach + 3 * PERIOD_MAX + 6, SEARCH_HORIZON_MIN, SEARCH_HORIZON_MAX)
    unsearchable = None
    if topic is not None and topic not in config.topics:
        unsearchable = f"{topic!r} is not a scored topic of this config"
    elif not config.topics and slug != "fairness":
        unsearchable = "the config scores no topic"
    sybils_max = 0
    if score.ip_colocation_factor_weight < 0:
        sybils_max = int(score.ip_colocation_factor_threshold) + 2
    penalty_max = _clamp(score.behaviour_penalty_threshold + 2, 1, 12) if score.behaviour_penalty_weight < 0 else 0
    bound = bound or HORIZON_INTERVALS
    full = bound + 2
    if slug == "penalizes-non-forwarding" and topic in config.topics:
        # P3 activates at the first refresh with mesh time strictly past the activation window.
        full += config.topics[topic].mesh_message_deliveries_activation_ms // interval + 1
    quiets = penalty_decay_spans(config) if slug not in UNIVERSAL else ()
    return Space(
        slug=slug, target=topic, groups=_groups(config, topic),
        limits={t: topic_limits(tp) for t, tp in config.topics.items()},
        interval_ms=interval, prune_backoff_ms=config.router.prune_backoff_ms, period_max=PERIOD_MAX,
        search_horizon=search_horizon, full_horizon=full, bound=bound, sybils_max=sybils_max, penalty_max=penalty_max,
        twin=TWIN_MODES.get(slug, "none"), unsearchable=unsearchable, activation=activation, quiets=quiets,
    )


def penalty_decay_spans(config: Config) -> tuple[int, ...]:
    """Intervals for a penalty counter (P3b, P4, P7) to decay to 1/2, 1/5 and 1/20 of its value.

    A one-off penalty decays to fractions that no whole-count argument sees (the ACL2s papers reason
    about whole invalid-message counts); a silent span of these lengths lets the search look there.
    """
    decays = {config.score.behaviour_penalty_decay} if config.score.behaviour_penalty_weight < 0 else set()
    for tp in config.topics.values():
        if tp.invalid_message_deliveries_weight < 0:
            decays.add(tp.invalid_message_deliveries_decay)
        if tp.mesh_failure_penalty_weight < 0:
            decays.add(tp.mesh_failure_penalty_decay)
    spans = {min(QUIET_MAX, math.ceil(math.log(x) / math.log(d)))
             for d in decays if 0 < d < 1 for x in (0.5, 0.2, 0.05)}
    return tuple(sorted(n for n in spans if n > 1))


def _counts(draw: Any, period: int, hi: int, lo: int = 0) -> tuple[int, ...]:
    if hi <= 0:
        return (0,) * period
    return tuple(draw(st.lists(st.integers(lo, max(lo, hi)), min_size=period, max_size=period)))


def _topic_plan(draw: Any, space: Space, topic: str, period: int, *, good: bool = False) -> TopicPlan:
    lim = space.limits[topic]
    if good:
        traffic = _counts(draw, period, lim.first + lim.near)
        first = tuple(draw(st.integers(0, n)) for n in traffic)
        return TopicPlan(topic, True, first, tuple(n - f for n, f in zip(traffic, first, strict=True)), (0,) * period)
    mesh = draw(st.booleans())
    return TopicPlan(
        topic, mesh,
        first=_counts(draw, period, lim.first),
        near=_counts(draw, period, lim.near) if mesh else (0,) * period,
        invalid=_counts(draw, period, lim.invalid) if draw(st.integers(0, 4)) == 0 else (0,) * period,
        invalid_once=draw(st.integers(0, lim.invalid)) if draw(st.integers(0, 3)) == 0 else 0,
        churn=draw(st.sampled_from((0, 0, 0, 2, 5, 10))) if mesh else 0,
    )


def _target_plan(draw: Any, space: Space, topic: str, period: int) -> TopicPlan:
    """The target topic's plan, constrained by what the property says the attacker does there."""
    lim = space.limits[topic]
    if space.slug == "penalizes-non-forwarding":
        return TopicPlan(topic, True, (0,) * period, (0,) * period, (0,) * period)
    if space.slug == "graylists-invalid-floods":
        base = _topic_plan(draw, space, topic, period)
        return TopicPlan(topic, base.mesh, base.first, base.near, _counts(draw, period, lim.invalid + 1, lo=1),
                         churn=base.churn)
    return _topic_plan(draw, space, topic, period)


@st.composite
def plans(draw: Any, space: Space) -> Plan:
    """Hypothesis strategy: attacker plans within ``space``."""
    period = draw(st.integers(1, space.period_max))
    good = space.slug == "rewards-good-behaviour"
    topics: list[TopicPlan] = []
    if space.target is not None:
        topics.append(_target_plan(draw, space, space.target, period))
    for group in space.groups:
        k = draw(st.sampled_from(sorted({0, 1, min(2, len(group)), len(group)})))
        if k == 0:
            continue
        template = _topic_plan(draw, space, group[0], period, good=good)
        topics += [TopicPlan(t, template.mesh, template.first, template.near, template.invalid,
                             template.invalid_once, template.churn) for t in group[:k]]
    quiet = draw(st.sampled_from((0, 0, *space.quiets))) if space.quiets else 0
    if good:
        return Plan(period, tuple(topics), good=True, quiet=quiet)
    penalties = _counts(draw, period, space.penalty_max) if space.penalty_max and draw(st.booleans()) else ()
    sybils = draw(st.integers(0, space.sybils_max)) if space.sybils_max and draw(st.booleans()) else 0
    reconnect = 0
    if space.slug not in UNIVERSAL and draw(st.integers(0, 3)) == 0:
        reconnect = draw(st.sampled_from((2, 5, 10, 30)))
    delta = None
    if space.twin == "delta":
        kinds = ["invalid", "skip-near"]
        if space.penalty_max:
            kinds.append("penalty")
        if space.sybils_max:
            kinds.append("colocation")
        kind = draw(st.sampled_from(kinds))
        names = [tp.topic for tp in topics] or sorted(space.limits)
        at = draw(st.integers(0, max(0, quiet + space.search_horizon - 2)))
        amount = draw(st.integers(1, 3 if kind != "colocation" else space.sybils_max + 1))
        delta = TwinDelta(kind, None if kind in ("penalty", "colocation") else draw(st.sampled_from(names)), at, amount)
    return Plan(period, tuple(topics), penalties, sybils, reconnect, space.twin, delta, quiet=quiet)


def greedy_plans(space: Space) -> list[Plan]:
    """Two plans tried before any random one: "do the most you can everywhere else".

    Every helper topic gets as many first deliveries as can matter, once outside and once inside its
    mesh (with near-first copies too); the target topic gets what the property prescribes (in its mesh,
    silent, for ``penalizes-non-forwarding``; a steady invalid flood for ``graylists-invalid-floods``).
    The ACL2s AG1 attack is of this shape ("plenty of messages in all non-target topics").
    """
    out = []
    for in_mesh in (False, True):
        topics = []
        for group in space.groups:
            for t in group:
                lim = space.limits[t]
                topics.append(TopicPlan(t, in_mesh, (lim.first,), (lim.near if in_mesh else 0,), (0,)))
        if space.target is not None:
            if space.slug == "graylists-invalid-floods":
                target = TopicPlan(space.target, False, (0,), (0,), (1,))
            elif space.slug == "rewards-good-behaviour":
                lim = space.limits[space.target]
                target = TopicPlan(space.target, True, (lim.first,), (lim.near,), (0,))
            else:
                target = TopicPlan(space.target, True, (0,), (0,), (0,))
            topics.insert(0, target)
        delta = None
        if space.twin == "delta" and topics:
            delta = TwinDelta("skip-near" if in_mesh else "invalid", topics[-1].topic, space.search_horizon // 2, 1)
        out.append(Plan(1, tuple(topics), twin=space.twin, delta=delta, good=space.slug == "rewards-good-behaviour"))
    if space.slug == "topic-consistency" and space.target is not None:
        # Misbehave once in the target, stay silent while the penalty decays, then farm rewards elsewhere.
        helpers = tuple(replace(tp, mesh=False, near=(0,)) for tp in out[0].topics if tp.topic != space.target)
        once = TopicPlan(space.target, False, (0,), (0,), (0,), invalid_once=1)
        out += [Plan(1, (once, *helpers), quiet=q) for q in space.quiets]
    return out


def simpler(plan: Plan, space: Space) -> list[Plan]:
    """Plans a little simpler than ``plan``, most drastic first (for a greedy simplification pass)."""
    out: list[Plan] = []
    if plan.reconnect:
        out.append(replace(plan, reconnect=0))
    if plan.sybils:
        out.append(replace(plan, sybils=0))
    if any(plan.penalties):
        out.append(replace(plan, penalties=()))
    if plan.period > 1:
        out.append(_one_phase(plan))
    if plan.quiet:
        out.append(replace(plan, quiet=0))
    alike: dict[TopicPlan, list[str]] = {}
    for tp in plan.topics:
        if tp.topic != space.target:
            alike.setdefault(replace(tp, topic=""), []).append(tp.topic)
    for topics in alike.values():
        for drop in ([topics, topics[len(topics) // 2:]] if len(topics) > 1 else [topics]):
            out.append(replace(plan, topics=tuple(tp for tp in plan.topics if tp.topic not in drop)))
    for i, tp in enumerate(plan.topics):
        for smaller in _simpler_topic(tp, space, plan.good):
            out.append(replace(plan, topics=(*plan.topics[:i], smaller, *plan.topics[i + 1:])))
    return out


def _one_phase(plan: Plan) -> Plan:
    topics = tuple(replace(tp, first=(max(tp.first),), near=(max(tp.near),), invalid=(max(tp.invalid),))
                   for tp in plan.topics)
    return replace(plan, period=1, topics=topics, penalties=(max(plan.penalties),) if plan.penalties else ())


def _simpler_topic(tp: TopicPlan, space: Space, good: bool) -> list[TopicPlan]:
    def halve(counts: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(c // 2 for c in counts)

    if good:
        return [replace(tp, first=halve(tp.first), near=halve(tp.near))] if any(tp.first) or any(tp.near) else []
    out = []
    fixed = tp.topic == space.target and space.slug in TARGET_IN_MESH
    flood = tp.topic == space.target and space.slug == "graylists-invalid-floods"
    if tp.churn:
        out.append(replace(tp, churn=0))
    if tp.invalid_once:
        out.append(replace(tp, invalid_once=0))
    if any(tp.invalid) and not flood:
        out.append(replace(tp, invalid=(0,) * len(tp.invalid)))
    if tp.mesh and not fixed:
        out.append(replace(tp, mesh=False, near=(0,) * len(tp.near), churn=0))
    for name in ("first", "near"):
        counts = getattr(tp, name)
        if any(counts):
            out.append(replace(tp, **{name: (0,) * len(counts)}))
            if max(counts) > 1:
                out.append(replace(tp, **{name: halve(counts)}))
    return out
