"""Matchmaking on mabwiser's LinUCB behind the adapter protocol (a worked example, PP-ADAPTER).

A Central Profiler/Matchmaker written from spec/matchmaking.md around a *single-arm* ``mabwiser`` LinUCB
(``LearningPolicy.LinUCB(alpha=β, l2_lambda=λ)``): the shared θ̂ over pair contexts is that arm's ridge
regression, so every candidate pair's UCB is mabwiser's ``predict_expectations`` of the pair's context
(MM-UCB-2) and every accepted reward is a ``partial_fit`` (MM-UCB-3). The rest is the CPM's bookkeeping:
profile reports (MM-PROF-2..4), roles (MM-ROLE-1), the greedy disjoint matching (MM-MATCH-2), reward
accounting (MM-REW-1/3/4) and who may report (MM-TRUST-1/2).

Supports: dialect ``paper`` (float64, constant β, loss-and-KB reward, the higher performer teaches, ties to
the lowest pair), both context maps, every normalisation, both reporter rules. ``knexa-code`` is refused:
its float32 statistics (MM-DIV-7) cannot be reproduced by mabwiser, which keeps float64 and inverts A
directly (the paper keeps A⁻¹ by Sherman–Morrison; the two agree within rounding).

    peerproof conformance --adapter "python -m peerproof.adapters.oracles.mabwiser_cpm"
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

import numpy as np
from mabwiser.mab import MAB, LearningPolicy

from peerproof.adapters.serve import Refusal, serve

MAX_AGENTS = 256  # MM-PROF-5: joins are bounded (spec/matchmaking.md)
PROFILE_LIMIT = 1e6  # MM-PROF-2
REWARD_LIMIT = 1e9  # MM-REW-5
EVENTS = ("report", "match", "reward")


@dataclass(frozen=True)
class Rules:
    """The config as the CPM reads it from the canonical document."""

    bounds: tuple[tuple[float, float], ...]
    clip: bool
    min_distance: float
    performance: int
    context: str
    lam: float
    beta: float
    budget: int
    gamma: float
    delta_kb: float
    epsilon: float
    normalise: str
    reward_clip: float | None
    reporter: str


def read_rules(config: Mapping[str, Any]) -> Rules:
    """The rules of a canonical matchmaking config (Refusal ``unsupported`` outside the paper dialect)."""
    if config.get("dialect", "paper") != "paper":
        raise Refusal("unsupported", f"dialect {config.get('dialect')!r}: this CPM implements the paper dialect "
                                     "(mabwiser keeps float64 statistics, MM-DIV-7)")
    profile, bandit, reward = config["profile"], config["bandit"], config["reward"]
    names = [f["name"] for f in profile["fields"]]
    if profile.get("performance_field") not in names:
        raise Refusal("unsupported", "profile.performance_field: the paper's roles need a performance field")
    return Rules(tuple((float(f["low"]), float(f["high"])) for f in profile["fields"]),
                 bool(profile.get("clip", False)), float(profile.get("min_distance", 0.0)),
                 names.index(profile["performance_field"]), config.get("context", "concat"),
                 float(bandit["lambda"]), float(bandit["beta"]), int(config["matching"]["pair_budget"]),
                 float(reward["gamma"]), float(reward["delta_kb"]), float(reward["epsilon"]), reward["normalise"],
                 None if reward.get("clip") is None else float(reward["clip"]), reward.get("reporter", "receiver"))


def pair_context(kind: str, s: np.ndarray, t: np.ndarray) -> np.ndarray:
    """MM-CTX-1/2: [p_s, p_t] or [p_s + p_t, |p_s − p_t|, p_s ⊙ p_t]."""
    return np.concatenate([s, t]) if kind == "concat" else np.concatenate([s + t, np.abs(s - t), s * t])


@dataclass
class Cpm:
    """The CPM's state around one mabwiser LinUCB arm."""

    rules: Rules
    ids: list[str]
    profiles: list[np.ndarray]
    mab: MAB
    time: float = 0.0
    round: int = 0
    updates: int = 0
    rejected: int = 0
    disputed: int = 0
    selection: list[dict[str, Any]] = field(default_factory=list)
    settled: set[str] = field(default_factory=set)
    pending: dict[str, tuple[str, tuple[float, float, float]]] = field(default_factory=dict)
    history: list[float] = field(default_factory=list)

    def roles(self, i: int, j: int) -> tuple[int, int]:
        """MM-ROLE-1: (student, teacher): the higher performer teaches; a tie goes to the larger profile."""
        pi, pj = self.profiles[i], self.profiles[j]
        k = self.rules.performance
        if pi[k] != pj[k]:
            return (i, j) if pi[k] < pj[k] else (j, i)
        return (j, i) if tuple(pi) > tuple(pj) else (i, j)

    def scored(self) -> list[tuple[int, int, int, int, np.ndarray]]:
        """Every unordered pair (i < j) with its roles and context."""
        out = []
        for i in range(len(self.ids)):
            for j in range(i + 1, len(self.ids)):
                s, t = self.roles(i, j)
                out.append((i, j, s, t, pair_context(self.rules.context, self.profiles[s], self.profiles[t])))
        return out

    def ucbs(self, contexts: Sequence[np.ndarray]) -> list[float]:
        """mabwiser's UCB of each context (its only arm's expectation)."""
        if not contexts:
            return []
        found = self.mab.predict_expectations(np.array(contexts))
        return [float(e[0]) for e in (found if isinstance(found, list) else [found])]  # one context: one dict

    def theta(self) -> np.ndarray:
        """θ̂ = A⁻¹b of the arm's ridge regression."""
        return np.asarray(self.mab._imp.arm_to_model[0].beta, dtype=float)  # mabwiser keeps it on the arm model

    def report(self, agent: str, text: str) -> None:
        """MM-PROF-2..4: store a checked profile, or count a rejection."""
        values = np.array([float(v) for v in text.split(",")])
        if len(values) != len(self.rules.bounds) or not np.all(np.abs(values) <= PROFILE_LIMIT):
            self.rejected += 1
            return
        if self.rules.clip:
            values = np.array([min(hi, max(lo, v)) for v, (lo, hi) in zip(values, self.rules.bounds, strict=True)])
        if self.rules.min_distance > 0 and any(other != agent and np.linalg.norm(values - p) < self.rules.min_distance
                                               for other, p in zip(self.ids, self.profiles, strict=True)):
            self.rejected += 1
            return
        if agent in self.ids:
            self.profiles[self.ids.index(agent)] = values
        elif len(self.ids) >= MAX_AGENTS:
            self.rejected += 1
        else:
            self.ids.append(agent)
            self.profiles.append(values)

    def match(self) -> None:
        """MM-MATCH-2: a new round: pairs by descending UCB, disjoint, ties to the lowest (i, j)."""
        self.round += 1
        scored = self.scored()
        ucb = self.ucbs([c for *_, c in scored])
        theta = self.theta()
        used: set[int] = set()
        self.selection = []
        for k in sorted(range(len(scored)), key=lambda k: (-ucb[k], scored[k][0], scored[k][1])):
            i, j, s, t, context = scored[k]
            if len(self.selection) >= self.rules.budget:
                break
            if i in used or j in used:
                continue
            used.update((i, j))
            self.selection.append({"student": self.ids[s], "teacher": self.ids[t], "ucb": ucb[k],
                                   "mean": float(context @ theta), "context": context})
        self.settled, self.pending = set(), {}

    def reward(self, e: Mapping[str, Any]) -> None:
        """MM-TRUST-1/2: a report for a pair matched this round, by an allowed member, once."""
        key = f"{e['student']}<{e['teacher']}"
        chosen = [f"{p['student']}<{p['teacher']}" for p in self.selection]
        if key not in chosen or key in self.settled:
            self.rejected += 1
            return
        values = (float(e["pre"]), float(e["post"]), float(e.get("kb", 0.0)))
        raw = self.rules.gamma * (values[0] - values[1]) - self.rules.delta_kb * values[2]  # MM-REW-1
        if not abs(raw) <= REWARD_LIMIT:
            self.rejected += 1
        elif self.rules.reporter == "receiver":
            if e["reporter"] != e["student"]:
                self.rejected += 1
            else:
                self.learn(key, self.selection[chosen.index(key)]["context"], raw)
        elif key not in self.pending:
            self.pending[key] = (e["reporter"], values)
        elif self.pending[key][0] == e["reporter"]:
            self.rejected += 1
        elif self.pending[key][1] == values:
            self.learn(key, self.selection[chosen.index(key)]["context"], raw)
        else:
            self.disputed += 1
            self.settled.add(key)
            del self.pending[key]

    def applied(self, raw: float) -> float:
        """MM-REW-3/4: the reward normalised by the earlier ones, then clipped."""
        value, h = raw, np.asarray(self.history)
        if self.rules.normalise != "none" and len(h):
            if self.rules.normalise == "zscore":
                loc, scale = float(h.mean()), float(h.std())
            else:
                loc = float(np.median(h))
                scale = 1.4826 * float(np.median(np.abs(h - loc)))
            value = (raw - loc) / ((scale if len(h) >= 2 else 1.0) + self.rules.epsilon)
        elif self.rules.normalise != "none":
            value = raw / (1.0 + self.rules.epsilon)
        if self.rules.reward_clip is not None:
            value = min(self.rules.reward_clip, max(-self.rules.reward_clip, value))
        return value if math.isfinite(value) else 0.0

    def learn(self, key: str, context: np.ndarray, raw: float) -> None:
        """MM-UCB-3: one ``partial_fit`` of the arm with the pair's context and the applied reward."""
        self.mab.partial_fit(decisions=[0], rewards=[self.applied(raw)], contexts=np.array([context]))
        self.updates += 1
        self.history.append(raw)
        self.settled.add(key)
        self.pending.pop(key, None)

    def observe(self) -> dict[str, Any]:
        """MM-OBS-1."""
        scored = self.scored()
        ucb = self.ucbs([c for *_, c in scored])
        return {"time": self.time, "round": self.round, "beta": self.rules.beta,
                "theta": [float(v) for v in self.theta()],
                "pairs": [{k: p[k] for k in ("student", "teacher", "ucb", "mean")} for p in self.selection],
                "scores": {f"{self.ids[s]}<{self.ids[t]}": u
                           for (_i, _j, s, t, _c), u in zip(scored, ucb, strict=True)},
                "updates": self.updates, "rejected": self.rejected, "disputed": self.disputed}


class MabwiserCpmAdapter:
    """The adapter: one Cpm per reset."""

    def __init__(self) -> None:
        self.cpm: Cpm | None = None

    def hello(self) -> dict[str, Any]:
        """matchmaking, dialect paper."""
        return {"protocol": "matchmaking", "dialect": "paper",
                "implementation": {"name": "mabwiser", "version": version("mabwiser"), "wraps": "LinUCB (one arm)",
                                   "supports": "dialect paper; every config with a performance field"},
                "capabilities": {"events": list(EVENTS)}}

    def reset(self, config: Mapping[str, Any], seed: int) -> None:
        """A CPM with the config's agents and an uninformed LinUCB (A = λI, b = 0)."""
        rules = read_rules(config)
        dim = len(rules.bounds) * (2 if rules.context == "concat" else 3)
        mab = MAB(arms=[0], learning_policy=LearningPolicy.LinUCB(alpha=rules.beta, l2_lambda=rules.lam), seed=seed)
        mab.fit(decisions=[0], rewards=[0.0], contexts=np.zeros((1, dim)))  # a zero context adds nothing to A or b
        agents = config.get("agents", [])
        self.cpm = Cpm(rules, [a["id"] for a in agents], [np.array(a["profile"], dtype=float) for a in agents], mab)

    def apply(self, event: Mapping[str, Any]) -> None:
        """One CPM input."""
        if self.cpm is None:
            raise Refusal("bad-request", "apply before reset")
        self.cpm.time = float(event["at"])
        kind = event.get("kind")
        if kind == "report":
            self.cpm.report(event["agent"], event["values"])
        elif kind == "match":
            self.cpm.match()
        elif kind == "reward":
            self.cpm.reward(event)
        else:
            raise Refusal("bad-request", f"kind: unknown matchmaking event {kind!r}")

    def observe(self) -> Mapping[str, Any]:
        """The CPM's observables."""
        if self.cpm is None:
            raise Refusal("bad-request", "observe before reset")
        return self.cpm.observe()


if __name__ == "__main__":
    sys.exit(serve(MabwiserCpmAdapter()))
