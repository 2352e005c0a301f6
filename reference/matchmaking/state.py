"""The CPM's state, the pure transition function and the observables (spec §8, MM-STEP-*, MM-OBS-*)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from peerproof.reference.configfile import ConfigError
from peerproof.reference.matchmaking.config import MAX_AGENTS, PROFILE_LIMIT, REWARD_LIMIT, Config
from peerproof.reference.matchmaking.context import context_dimension, pair_context
from peerproof.reference.matchmaking.dialect import Dialect
from peerproof.reference.matchmaking.events import Match, Report, Reward, parse_values
from peerproof.reference.matchmaking.linucb import Bandit, beta_at, initial_bandit, theta, update
from peerproof.reference.matchmaking.matching import Pair, candidates, greedy_scores, score_all
from peerproof.reference.matchmaking.reward import applied_reward, raw_reward


@dataclass(frozen=True)
class State:
    """What the CPM remembers: profiles (by join order), the shared LinUCB, this round's pairs and reports."""

    time_ms: int
    round: int
    ids: tuple[str, ...]
    profiles: tuple[tuple[float, ...], ...]
    bandit: Bandit
    selection: tuple[Pair, ...] = ()
    contexts: tuple[tuple[float, ...], ...] = ()  # the context of each selected pair, fixed at match time
    settled: frozenset[str] = frozenset()  # pairs whose reward was applied or disputed this round
    pending: tuple[tuple[str, str, tuple[float, float, float]], ...] = ()  # (pair, reporter, (pre, post, kb))
    history: tuple[float, ...] = ()  # raw rewards accepted so far (MM-REW-3)
    rejected: int = 0
    disputed: int = 0


def initial_state(config: Config, seed: int = 0, dialect: Dialect | None = None) -> State:
    """MM-STEP-1: the configured agents with their profiles, A = λI, b = 0, round 0 (seed unused)."""
    if dialect is not None and dialect.roles == "performance" and config.performance_index is None:
        raise ConfigError(config.file or "<config>", "profiles.performance_field",
                          f"required by dialect {dialect.name!r} (the higher performer teaches)")
    float32 = bool(dialect and dialect.float32)
    dim = context_dimension(config.context, config.dimension)
    return State(0, 0, tuple(a.id for a in config.agents), tuple(a.profile for a in config.agents),
                 initial_bandit(dim, config.lam, float32))


def accepted_profile(config: Config, state: State, agent: str, values: tuple[float, ...]) -> tuple[float, ...] | None:
    """MM-PROF-2..4: the profile the CPM stores for a report, or None when it rejects it.

    Wrong length (the privacy boundary, MM-PRIV-1) or a value beyond ±1e6: rejected. ``clip``: each field
    clipped to its bounds.
    ``min_distance`` > 0: a profile closer than that (Euclidean) to another agent's is rejected.
    """
    if len(values) != config.dimension or any(abs(v) > PROFILE_LIMIT for v in values):
        return None
    if config.clip_profiles:
        values = tuple(min(f.high, max(f.low, v)) for v, f in zip(values, config.fields, strict=True))
    if config.min_distance > 0:
        mine = np.asarray(values)
        for other, profile in zip(state.ids, state.profiles, strict=True):
            if other != agent and np.linalg.norm(mine - np.asarray(profile)) < config.min_distance:
                return None
    return values


def _report(config: Config, state: State, event: Report) -> State:
    profile = accepted_profile(config, state, event.agent, parse_values(event.values))
    if profile is None:
        return replace(state, rejected=state.rejected + 1)
    if event.agent in state.ids:
        k = state.ids.index(event.agent)
        return replace(state, profiles=(*state.profiles[:k], profile, *state.profiles[k + 1:]))
    if len(state.ids) >= MAX_AGENTS:  # a round scores every pair: joins are bounded so a round stays bounded
        return replace(state, rejected=state.rejected + 1)
    return replace(state, ids=(*state.ids, event.agent), profiles=(*state.profiles, profile))


def round_beta(config: Config, dialect: Dialect, round_index: int) -> float:
    """β used in round ``round_index`` (MM-UCB-5)."""
    return beta_at(dialect.beta_schedule, config.beta, round_index)


def score_pairs(config: Config, state: State, dialect: Dialect, round_index: int | None = None) -> list[Any]:
    """Every unordered pair of the current agents with roles and UCB, as round ``round_index`` scores them."""
    beta = round_beta(config, dialect, state.round if round_index is None else round_index)
    return candidates(dialect, config.performance_index, config.context, state.bandit, beta, state.ids,
                      np.asarray(state.profiles, dtype=float))


def _match(config: Config, state: State, dialect: Dialect) -> State:
    beta = round_beta(config, dialect, state.round + 1)
    scores = score_all(dialect, config.performance_index, config.context, state.bandit, beta,
                       np.asarray(state.profiles, dtype=float))
    chosen = greedy_scores(scores, state.ids, config.pair_budget, dialect.tie_break)
    profile = dict(zip(state.ids, state.profiles, strict=True))
    contexts = tuple(tuple(pair_context(config.context, np.asarray(profile[p.student]), np.asarray(profile[p.teacher])))
                     for p in chosen)
    return replace(state, round=state.round + 1, selection=chosen, contexts=contexts, settled=frozenset(), pending=())


def _apply(config: Config, state: State, dialect: Dialect, k: int, raw: float) -> State:
    """MM-UCB-3 with the applied reward; an update that would leave (A, A⁻¹, b) non-finite is refused (MM-UCB-6)."""
    value = applied_reward(config, state.history, raw)
    pair = state.selection[k]
    bandit = update(state.bandit, np.asarray(state.contexts[k]), value)
    if not all(np.isfinite(m).all() for m in (bandit.A, bandit.A_inv, bandit.b)):
        return replace(state, rejected=state.rejected + 1, settled=state.settled | {pair.key})
    return replace(state, bandit=bandit,
                   history=(*state.history, raw), settled=state.settled | {pair.key},
                   pending=tuple(p for p in state.pending if p[0] != pair.key))


def _reward(config: Config, state: State, event: Reward, dialect: Dialect) -> State:
    """MM-TRUST-1/2: a report for a pair matched this round, by a member allowed to report, once."""
    key = f"{event.student}<{event.teacher}"
    keys = [p.key for p in state.selection]
    if key not in keys or key in state.settled:
        return replace(state, rejected=state.rejected + 1)
    k = keys.index(key)
    raw = raw_reward(config, dialect, event.pre, event.post, event.kb)
    if not abs(raw) <= REWARD_LIMIT:
        return replace(state, rejected=state.rejected + 1)
    if config.reporter == "receiver":
        if event.reporter != event.student:
            return replace(state, rejected=state.rejected + 1)
        return _apply(config, state, dialect, k, raw)
    values = (event.pre, event.post, event.kb)
    earlier = [p for p in state.pending if p[0] == key]
    if not earlier:
        return replace(state, pending=(*state.pending, (key, event.reporter, values)))
    if earlier[0][1] == event.reporter:
        return replace(state, rejected=state.rejected + 1)
    if earlier[0][2] == values:
        return _apply(config, state, dialect, k, raw)
    return replace(state, disputed=state.disputed + 1, settled=state.settled | {key},
                   pending=tuple(p for p in state.pending if p[0] != key))


def step(config: Config, state: State, event: Any, dialect: Dialect) -> State:
    """MM-STEP-2: the CPM's state after one event (pure)."""
    state = replace(state, time_ms=event.at_ms)
    if isinstance(event, Report):
        return _report(config, state, event)
    if isinstance(event, Match):
        return _match(config, state, dialect)
    if isinstance(event, Reward):
        return _reward(config, state, event, dialect)
    raise TypeError(f"not a matchmaking event: {event!r}")


def observe(config: Config, state: State, dialect: Dialect) -> Mapping[str, Any]:
    """MM-OBS-1: round, β, θ̂, this round's pairs with roles and UCB, every pair's current UCB, counters."""
    scored = score_pairs(config, state, dialect)
    return {
        "time": state.time_ms / 1000, "round": state.round, "beta": round_beta(config, dialect, state.round),
        "theta": [float(v) for v in theta(state.bandit, dialect.direct_inverse)],
        "pairs": [{"student": p.student, "teacher": p.teacher, "ucb": p.ucb, "mean": p.mean}
                  for p in state.selection],
        "scores": {pair.key: pair.ucb for _i, _j, pair in scored},
        "updates": state.bandit.updates, "rejected": state.rejected, "disputed": state.disputed,
    }
