"""Running one attacker plan for the search (the engine's inner loop, GS-FAST-9): samples of the plan's peers.

``run_plan`` turns a plan into events and steps them, replacing the router's heartbeat by
``light_heartbeat`` (what mesh maintenance does to the plan's own peers: all a plan's score can depend
on, at a fraction of the cost with dozens of topics), and samples both plan peers' score breakdowns at
every heartbeat and tick. It runs on the fast engine (GS-FAST, the same step on arrays, with the light
heartbeat's decisions made on the tables) unless ``use_engine("reference")`` is in force or numba is
missing; then on the pure model. Whatever the search reports is re-run with the real heartbeat
(``engine.full_trace``) and judged on that.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from peerproof.attacks.gossipsub.search.plans import ATTACKER, TWIN, Plan, build_events
from peerproof.attacks.gossipsub.search.space import Space
from peerproof.reference.gossipsub import (
    MODEL,
    Config,
    Dialect,
    Event,
    Graft,
    Heartbeat,
    Prune,
    State,
    Tick,
    breakdown,
    score,
    step,
)
from peerproof.reference.gossipsub.fast import FAST
from peerproof.reference.gossipsub.score import ScoreBreakdown
from peerproof.reference.gossipsub.step import advance, apply
from peerproof.reference.model import engine_choice


@dataclass(frozen=True)
class Sample:
    """What the margins need at one sample point: both peers' score breakdowns and the attacker's meshes."""

    interval: int
    attacker: ScoreBreakdown | None
    twin: ScoreBreakdown | None
    attacker_meshes: frozenset[str]


def run_plan(config: Config, space: Space, plan: Plan, horizon: int, dialect: str) -> list[Sample]:
    """Run a plan for ``horizon`` intervals; a sample at every heartbeat and tick (fast engine by default)."""
    events = build_events(config, plan, horizon, space.prune_backoff_ms)
    peers = (ATTACKER, TWIN) if plan.twin != "none" else (ATTACKER,)
    if FAST is not None and engine_choice() != "reference":
        return fast_samples(config, events, peers, MODEL.get_dialect(dialect))
    return pure_samples(config, events, peers, MODEL.get_dialect(dialect))


def pure_samples(config: Config, events: Sequence[Event], peers: Sequence[str], d: Dialect) -> list[Sample]:
    """The plan's events through the model's ``step``, its heartbeats by ``light_heartbeat``."""
    state = MODEL.initial_state(config, dialect=d)
    interval = config.score.decay_interval_ms
    out = []
    for event in events:
        if isinstance(event, Heartbeat):
            state = light_heartbeat(config, advance(config, state, event.at_ms, d), peers, d)
        else:
            state = step(config, state, event, d)
            if not isinstance(event, Tick):
                continue
        meshes = frozenset(t for t, members in state.router.mesh.items() if ATTACKER in members)
        out.append(Sample(event.at_ms // interval, breakdown(config, state, ATTACKER, d),
                          breakdown(config, state, TWIN, d) if TWIN in peers else None, meshes))
    return out


def light_heartbeat(config: Config, state: State, peers: Sequence[str], dialect: Dialect) -> State:
    """GS-HB-1/2 restricted to ``peers``: prune them where their score is negative, re-graft them where
    they are subscribed, out of the mesh, past the prune backoff and not negative (their meshes hold no
    one else, so they are always under D_lo). The other heartbeat steps never touch a plan's peers."""
    now = state.now_ms
    for peer in peers:
        stats = state.peers.get(peer)
        if stats is None or not stats.connected:
            continue
        negative = score(config, state, peer, dialect) < 0
        subscribed = state.router.subscriptions.get(peer, frozenset())
        for topic in sorted(set(subscribed) | {t for t, m in state.router.mesh.items() if peer in m}):
            in_mesh = peer in state.router.mesh.get(topic, frozenset())
            if in_mesh and negative:
                state = apply(config, state, Prune(now, peer, topic), dialect)
            elif (not in_mesh and not negative and topic in subscribed and config.router.d_lo > 0
                  and state.router.backoff.get((topic, peer), -1) <= now):
                state = apply(config, state, Graft(now, peer, topic), dialect)
    return state


def fast_samples(config: Config, events: Sequence[Event], peers: Sequence[str], d: Dialect,
                 engine_class: Any = None) -> list[Sample]:
    """``pure_samples`` on the fast engine: the same events, light heartbeats and samples, read from the
    tables (``engine_class``: a subclass of ``PlanEngine``, for tests)."""
    from peerproof.attacks.gossipsub.search.plan_engine import PlanEngine  # imports numba
    from peerproof.reference.gossipsub.fast import kernel as k

    engine = (engine_class or PlanEngine)(config, events, d, peers)
    kind, at = engine.ev.kind, engine.ev.at
    interval = config.score.decay_interval_ms
    attacker, twin = engine.peer_id.get(ATTACKER), engine.peer_id.get(TWIN)
    out = []
    for i in np.flatnonzero((kind == k.HEARTBEAT) | (kind == k.TICK)).tolist():
        engine.run_to(i + 1)
        out.append(Sample(int(at[i]) // interval, engine.peer_breakdown(attacker),
                          engine.peer_breakdown(twin) if TWIN in peers else None, engine.meshes_of(attacker)))
    return out

