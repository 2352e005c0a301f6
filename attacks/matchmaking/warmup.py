"""The honest run every attack starts from (spec §12.1, MM-ATK-0): W rounds of matchmaking in a realizable
linear environment, every matched pair reporting its true reward.

The environment's reward of a (student, teacher) pair is θ*ᵀx(p_s, p_t) with θ* a seeded unit vector over
the config's own pair context; no noise, so a trace is a pure function of the config, dialect and seed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from peerproof.reference.matchmaking import MODEL, Match, Report, Reward, format_values
from peerproof.reference.matchmaking.context import context_dimension, pair_context
from peerproof.reference.matchmaking.state import State

WARMUP_ROUNDS = 4  # enough for every bundled config to have learnt from each agent at least once


def true_theta(config: Any, seed: int) -> np.ndarray:
    """θ*: the environment's unit weight vector over the pair context (seeded)."""
    v = np.random.default_rng(seed).normal(size=context_dimension(config.context, config.dimension))
    return v / np.linalg.norm(v)


def true_reward(config: Any, theta_star: np.ndarray, student: Sequence[float], teacher: Sequence[float]) -> float:
    """The environment's reward for a student learning from a teacher."""
    return float(theta_star @ pair_context(config.context, np.asarray(student), np.asarray(teacher)))


def reward_events(config: Any, dialect: Any, at_ms: int, student: str, teacher: str, raw: float) -> list[Reward]:
    """The report(s) that make the CPM see raw reward ``raw`` for a pair (both members when confirmed)."""
    if dialect.reward == "loss-kb":
        pre, post = raw / config.gamma, 0.0  # γ(pre − post) − δ·0 = raw
    else:
        pre, post = 0.0, raw  # post − pre = raw
    reporters = [student] if config.reporter == "receiver" else [student, teacher]
    return [Reward(at_ms, student, teacher, who, pre, post) for who in reporters]


@dataclass(frozen=True)
class Run:
    """An honest warm-up: its events and the CPM's state after them."""

    events: tuple[Any, ...]
    state: State
    theta_star: np.ndarray
    dialect: str


def honest_run(config: Any, dialect_name: str, seed: int, rounds: int = WARMUP_ROUNDS,
               lie: Callable[[int, str, float, tuple[float, ...]], float] | None = None,
               drop: frozenset[tuple[int, str]] = frozenset()) -> Run:
    """W honest rounds (round r at r seconds, its rewards at r + 0.5 s).

    ``lie(round, pair key, true reward, raw rewards so far)`` gives the raw reward reported instead;
    ``drop`` makes the student dispute that pair's reward (a second, different report) -- the two levers
    a reward-poisoning attacker has.
    """
    dialect, state = MODEL.start(config, dialect=dialect_name, seed=seed)
    theta_star = true_theta(config, seed)
    events: list[Any] = []

    def push(event: Any) -> None:
        nonlocal state
        events.append(event)
        state = MODEL.step(config, state, event, dialect)

    for r in range(1, rounds + 1):
        push(Match(r * 1000))
        profile = dict(zip(state.ids, state.profiles, strict=True))
        for pair in state.selection:
            raw = true_reward(config, theta_star, profile[pair.student], profile[pair.teacher])
            if lie is not None:
                raw = lie(r, pair.key, raw, state.history)
            reports = reward_events(config, dialect, r * 1000 + 500, pair.student, pair.teacher, raw)
            if (r, pair.key) in drop and len(reports) == 2:
                reports[0] = Reward(r * 1000 + 500, pair.student, pair.teacher, pair.student, reports[0].pre + 1.0,
                                    reports[0].post)
            for e in reports:
                push(e)
    return Run(tuple(events), state, theta_star, dialect_name)


def report_event(at_ms: int, agent: str, profile: Sequence[float]) -> Report:
    """An agent's profile report."""
    return Report(at_ms, agent, format_values(tuple(float(v) for v in profile)))


def next_round_ms(rounds: int = WARMUP_ROUNDS) -> int:
    """When the attacked round happens (after the warm-up's last rewards)."""
    return (rounds + 1) * 1000
