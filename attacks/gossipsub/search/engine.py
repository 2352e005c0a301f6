"""Hypothesis targeted search for attacks on GossipSub peer scoring: the second, independent engine.

The z3 engine reasons over an encoding of the score; this engine never does. It draws attacker
*plans* (periodic per-decay-interval behaviour per topic: first deliveries, near-first copies,
nothing, invalid messages, leaving and re-grafting meshes, disconnecting and reconnecting within
retention, sharing an IP with sybils, behaviour penalties), turns each plan into events, runs them
(``runner.py``: on the fast engine, the model's step on arrays, or on the pure model), and steers
the search with ``hypothesis.target`` on the attacker's margin (e.g. its lowest score at any
heartbeat for ``penalizes-non-forwarding``, or how far a positive total hides a negative topic for
``topic-consistency``). A plan whose margin says "attack" is re-built over the property's full
horizon, recorded as a trace and handed to the ground-truth checker ``witness_violation`` before a
``violated`` finding is returned.

Random search proves nothing: when no attack turns up, the finding is ``inconclusive`` and says
exactly what was searched ("no attack found in N plans of period ≤ P over H decay intervals").
Reproducible: no example database, a fixed seed, generation and targeting only (no shrinking), so
two runs with the same budget draw the same plans; the wall-clock budget can only cut a run short.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

from hypothesis import HealthCheck, Phase, Verbosity, example, given, settings, target
from hypothesis import seed as hypothesis_seed
from peerproof.attacks.finding import Finding
from peerproof.attacks.gossipsub.search.plans import ATTACKER, TWIN, Plan, build_events
from peerproof.attacks.gossipsub.search.runner import Sample, run_plan
from peerproof.attacks.gossipsub.search.space import Space, greedy_plans, plans, simpler, space_for
from peerproof.properties.gossipsub.security import witness_violation
from peerproof.reference.gossipsub import (
    Config,
    Heartbeat,
    Tick,
)
from peerproof.reference.gossipsub.score import ScoreBreakdown
from peerproof.reference.trace import Trace, record

ENGINE = "hypothesis"
DEFAULT_BUDGET = 200  # plans drawn per search
DEFAULT_TIMEOUT_S = 30.0
SIMPLIFY_GRACE_S = 5.0  # simplifying a found attack may take this long past the time limit


class _Found(Exception):
    """Raised inside the Hypothesis test to stop the run: a plan whose full trace is a witness."""

    def __init__(self, plan: Plan, trace: Trace, why: str) -> None:
        super().__init__(why)
        self.plan, self.trace, self.why = plan, trace, why


class _OutOfTime(Exception):
    """Raised inside the Hypothesis test once the wall-clock budget is spent."""


def _score(b: ScoreBreakdown | None) -> float:
    return 0.0 if b is None else b.score


def _weighted_penalty(config: Config, b: ScoreBreakdown | None) -> float:
    """The size of every weighted penalty term (P3, P3b, P4, P6, P7), before the topic cap."""
    if b is None:
        return 0.0
    s = config.score
    total = -s.ip_colocation_factor_weight * b.p6 - s.behaviour_penalty_weight * b.p7
    for topic, c in b.topics.items():
        tp = s.topics[topic]
        total -= tp.topic_weight * (tp.mesh_message_deliveries_weight * c.p3 + tp.mesh_failure_penalty_weight * c.p3b
                                    + tp.invalid_message_deliveries_weight * c.p4)
    return total


def _topic_contribution(b: ScoreBreakdown | None, topic: str | None) -> float:
    if b is None or not b.topics:
        return 0.0
    if topic is not None:
        comps = b.topics.get(topic)
        return 0.0 if comps is None else comps.contribution
    return min(c.contribution for c in b.topics.values())


# A margin: the samples of one run -> a number the search maximises; the plan is a candidate attack
# when it is > 0 (all margins are shaped so that "attack" means strictly positive).
Margin = Callable[[Config, Space, Sequence[Sample]], float]


def _never_pruned(config: Config, space: Space, samples: Sequence[Sample]) -> float:
    """penalizes-non-forwarding: the lowest score at any heartbeat, while still in the target mesh."""
    low = min(_score(s.attacker) for s in samples)
    if any(space.target not in s.attacker_meshes for s in samples):
        return min(low, 0.0) - 1.0
    return low + 1e-9 if low >= 0 else low


def _hidden_topic(config: Config, space: Space, samples: Sequence[Sample]) -> float:
    """topic-consistency: how far a positive total hides a negative topic contribution (best heartbeat).

    Heartbeats where the attacker has no score at all (0 everywhere) say nothing and are skipped, so
    the search sees how close each plan comes (a negative topic under a negative total, or a positive
    total over positive topics) instead of a flat 0.
    """
    values = [min(_score(s.attacker), -_topic_contribution(s.attacker, space.target)) for s in samples
              if _score(s.attacker) != 0 or _topic_contribution(s.attacker, space.target) != 0]
    return max(values, default=-1.0)


def _misbehaviour_unpunished(config: Config, space: Space, samples: Sequence[Sample]) -> float:
    """misbehaviour-lowers-score: the twin misbehaves more yet scores at least as much (best heartbeat)."""
    best = -math.inf
    for s in samples:
        extra = _weighted_penalty(config, s.twin) - _weighted_penalty(config, s.attacker)
        gap = _score(s.twin) - _score(s.attacker)
        best = max(best, min(extra, gap + 1e-9) if extra > 0 else gap - 1.0)
    return best


def _unfair(config: Config, space: Space, samples: Sequence[Sample]) -> float:
    """fairness: the largest score difference between two peers with the same history."""
    return max(abs(_score(s.attacker) - _score(s.twin)) for s in samples)


def _good_peer_pruned(config: Config, space: Space, samples: Sequence[Sample]) -> float:
    """rewards-good-behaviour: how far below 0 a peer that delivers everything drops (worst heartbeat)."""
    return -min(_score(s.attacker) for s in samples)


def _never_graylisted(config: Config, space: Space, samples: Sequence[Sample]) -> float:
    """graylists-invalid-floods: the flooder's lowest score above the graylist threshold (worst heartbeat)."""
    low = min(_score(s.attacker) for s in samples) - config.thresholds.graylist_threshold
    return low + 1e-9 if low >= 0 else low


MARGINS: dict[str, Margin] = {
    "penalizes-non-forwarding": _never_pruned,
    "topic-consistency": _hidden_topic,
    "misbehaviour-lowers-score": _misbehaviour_unpunished,
    "fairness": _unfair,
    "rewards-good-behaviour": _good_peer_pruned,
    "graylists-invalid-floods": _never_graylisted,
}


# Properties whose violation is one moment (a state), not a whole run: their traces stop at the
# search horizon; the others ("never pruned", "never graylisted") must keep it up for the full horizon.
EXISTENTIAL = frozenset({"topic-consistency", "misbehaviour-lowers-score", "fairness", "rewards-good-behaviour"})


def hints(config: Config, space: Space, samples: Sequence[Sample]) -> dict[str, float]:
    """Secondary targets that give the search a slope where the margin is flat."""
    out: dict[str, float] = {}
    cap = config.score.topic_score_cap
    if space.slug == "misbehaviour-lowers-score" and cap > 0:
        out["cap-headroom"] = max(min(s.attacker.topic_total if s.attacker else 0.0,
                                      s.twin.topic_total if s.twin else 0.0) - cap for s in samples)
    if space.slug == "topic-consistency":
        out["total"] = max(_score(s.attacker) for s in samples)
        out["topic-deficit"] = max(-_topic_contribution(s.attacker, space.target) for s in samples)
    return out


def _witness(config: Config, space: Space, trace: Trace) -> str | None:
    return witness_violation(config, space.slug, space.target, trace, horizon=space.bound)


def full_trace(config: Config, space: Space, plan: Plan, dialect: str) -> Trace:
    """The plan as a recorded trace (observations after every heartbeat and tick) over the horizon it must
    cover."""
    horizon = space.horizon(plan) if space.slug in EXISTENTIAL else space.full_horizon
    events = build_events(config, plan, horizon, space.prune_backoff_ms)
    after = [i for i, e in enumerate(events) if isinstance(e, Heartbeat | Tick)]
    meta = {
        "engine": ENGINE,
        "plan": plan.describe(),
        "roles": plan.roles(),
        "peers": [ATTACKER, TWIN] if plan.twin != "none" else [ATTACKER],
        "misbehaviour": plan.misbehaviour(space.slug, space.target, horizon, config.score.decay_interval_ms),
    }
    claim = {"property": space.slug, "topic": space.target, "verdict": "violated", "engine": ENGINE,
             "bound": f"{horizon} decay intervals"}
    return record("gossipsub", config, events, dialect=dialect, observe_after=after, claim=claim, meta=meta)


def confirm(config: Config, space: Space, plan: Plan, dialect: str) -> tuple[Trace, str] | None:
    """The plan's trace and the witness checker's account of the violation, if it confirms one.

    The trace is the reference model's own recording of the plan (``record`` runs the model), so the
    checker judges exactly what the model does; ``peerproof check`` replays it again before reporting.
    """
    trace = full_trace(config, space, plan, dialect)
    why = _witness(config, space, trace)
    return None if why is None else (trace, why)


def _settings(budget: int) -> settings:
    return settings(
        max_examples=budget, database=None, derandomize=False, deadline=None, print_blob=False,
        phases=(Phase.explicit, Phase.generate, Phase.target), verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
    )


def _simplify(attack: Callable[[Plan], bool], plan: Plan, space: Space, deadline: float, max_tries: int = 80) -> Plan:
    """Greedy simplification: take the first simpler plan that is still an attack, until none is."""
    tries = 0
    improved = True
    while improved and tries < max_tries and time.monotonic() < deadline:
        improved = False
        for candidate in simpler(plan, space):
            tries += 1
            if attack(candidate):
                plan, improved = candidate, True
                break
            if tries >= max_tries or time.monotonic() >= deadline:
                break
    return plan


def search(config: Config, slug: str, topic: str | None = None, *, budget: int = DEFAULT_BUDGET,
           timeout_s: float = DEFAULT_TIMEOUT_S, dialect: str | None = None, seed: int = 0,
           horizon: int | None = None) -> Finding:
    """Search for an attack breaking ``slug`` (in ``topic``) under ``config``; a replayed finding.

    ``budget`` plans at most, ``timeout_s`` seconds at most (a run in progress finishes, so the limit
    can be passed by one plan's run and one trace check); ``horizon`` (decay intervals) overrides how
    long a plan must keep the attack up for the properties that say "within a bounded time". A
    violation is confirmed by ``witness_violation`` on the replayed trace; otherwise the verdict is
    ``inconclusive`` with the exact extent of the search.
    """
    started = time.monotonic()
    dialect = dialect or config.dialect
    margin = MARGINS.get(slug)
    if margin is None:
        raise ValueError(f"unknown property {slug!r}; known: {', '.join(MARGINS)}")
    space = space_for(config, slug, topic, bound=horizon)
    if space.unsearchable:
        return Finding(slug, topic, "inconclusive", f"nothing to search: {space.unsearchable}", None,
                       time.monotonic() - started, ENGINE)
    deadline = started + timeout_s
    stats = {"plans": 0, "rejected": 0}
    found: list[_Found] = []

    def value_of(plan: Plan) -> tuple[float, dict[str, float]]:
        samples = run_plan(config, space, plan, space.horizon(plan), dialect)
        return margin(config, space, samples), hints(config, space, samples)

    def attempt(plan: Plan) -> None:
        # Hypothesis keeps calling (to re-run the failure, or mid-way through a targeting pass):
        # once an attack is confirmed or the time is spent, every call stops at once.
        if found:
            raise found[0]
        if time.monotonic() > deadline:
            raise _OutOfTime
        stats["plans"] += 1
        value, extra = value_of(plan)
        target(max(min(value, 1e12), -1e12), label=slug)
        for label, v in extra.items():
            target(max(min(v, 1e12), -1e12), label=label)
        if value > 0:
            # Simplify first (cheap runs over the search horizon), then confirm over the full one.
            simple = _simplify(lambda p: value_of(p)[0] > 0, plan, space, deadline + SIMPLIFY_GRACE_S)
            for candidate in dict.fromkeys((simple, plan)):
                confirmed = confirm(config, space, candidate, dialect)
                if confirmed is not None:
                    found.append(_Found(candidate, *confirmed))
                    raise found[0]
            stats["rejected"] += 1

    test = given(plans(space))(attempt)
    for plan in reversed(greedy_plans(space)):
        test = example(plan)(test)
    try:
        hypothesis_seed(seed)(_settings(budget)(test))()
    except (_Found, _OutOfTime):
        pass
    except BaseExceptionGroup as group:  # several explicit examples stopped the same way
        if not all(isinstance(e, _Found | _OutOfTime) for e in group.exceptions):
            raise
    if found:
        hit = found[0]
        return Finding(slug, topic, "violated", f"{hit.why} [attacker: {hit.plan.describe()}]", None,
                       time.monotonic() - started, ENGINE, hit.trace)
    n = stats["plans"]
    extent = (f"{n} plan{'s' if n != 1 else ''} of period ≤ {space.period_max} over "
              f"{space.search_horizon} decay intervals (seed {seed}, budget {budget}"
              f"{', stopped by the time limit' if time.monotonic() > deadline else ''})")
    note = f"; {stats['rejected']} candidate(s) rejected by the witness check" if stats["rejected"] else ""
    return Finding(slug, topic, "inconclusive", f"no attack found in {extent}{note}; random search proves nothing",
                   None, time.monotonic() - started, ENGINE)


__all__ = ["DEFAULT_BUDGET", "DEFAULT_TIMEOUT_S", "EXISTENTIAL", "MARGINS", "Sample", "confirm", "full_trace",
           "run_plan", "search"]
