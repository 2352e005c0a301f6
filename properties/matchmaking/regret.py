"""A realizable linear environment for MM-LAW-9: fresh random profiles each round, reward θ*ᵀx plus
Gaussian noise, one pair per round, so the optimum is the best pair (exact, not the release code's
greedy "oracle"). The CPM runs through the reference model's fold."""

from __future__ import annotations

from typing import Any

import numpy as np
from peerproof.reference.matchmaking import MODEL, Match, Report, Reward, config_from_mapping, format_values
from peerproof.reference.matchmaking.context import pair_contexts


def regret_config(d_p: int = 2, agents: int = 5, beta: float = 0.5) -> Any:
    """A paper-dialect CPM with raw rewards (no normalisation), λ = 1 and one pair per round."""
    return config_from_mapping({
        "protocol": "matchmaking", "dialect": "paper", "context": "concat",
        "profile": {"fields": [{"name": f"f{k}", "low": -1, "high": 1} for k in range(d_p)], "performance_field": "f0"},
        "agents": [{"id": f"a{i}", "profile": [0.0] * d_p} for i in range(agents)],
        "bandit": {"lambda": 1.0, "beta": beta}, "matching": {"pair_budget": 1}, "reward": {"normalise": "none"},
    })


def cumulative_regret(config: Any, rounds: int, seed: int, noise: float = 0.1, step: Any = None) -> list[float]:
    """Cumulative regret of the CPM against the best pair, round by round (``step`` replaces the model's)."""
    rng = np.random.default_rng(seed)
    d, state = MODEL.start(config)
    step = step or MODEL.step
    dim = 2 * config.dimension
    theta_star = rng.normal(size=dim)
    theta_star /= np.linalg.norm(theta_star)
    total, out = 0.0, []
    for r in range(1, rounds + 1):
        t = r * 1000
        for who in state.ids:
            state = step(config, state, Report(t, who, format_values(tuple(rng.uniform(-1, 1, config.dimension)))), d)
        state = step(config, state, Match(t), d)
        P = np.asarray(state.profiles)
        n = len(P)
        pairs = [(i, j) for i in range(n) for j in range(n) if i != j]
        values = pair_contexts("concat", P[[i for i, _ in pairs]], P[[j for _, j in pairs]]) @ theta_star
        chosen = state.selection[0]
        x = pair_contexts("concat", P[[state.ids.index(chosen.student)]], P[[state.ids.index(chosen.teacher)]])[0]
        mean = float(x @ theta_star)
        best = max(float(v) for (i, j), v in zip(pairs, values, strict=True)
                   if _roles_ok(P, i, j, config.performance_index))
        total += best - mean
        out.append(total)
        reward = mean + float(rng.normal(0, noise))
        state = step(config, state, Reward(t + 500, chosen.student, chosen.teacher, chosen.student, reward, 0.0), d)
    return out


def _roles_ok(P: np.ndarray, student: int, teacher: int, perf: int | None) -> bool:
    """Only the orientation the role rule allows counts as an action (the higher performer teaches)."""
    return perf is None or P[student][perf] < P[teacher][perf] or (
        P[student][perf] == P[teacher][perf] and tuple(P[student]) <= tuple(P[teacher]))
