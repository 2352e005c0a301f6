"""Pairing strategies (spec §15.4): random, heuristic (max JS divergence, higher performer teaches), and
the CPM itself -- the peerproof reference model driven by profile, match and reward events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from peerproof.attacks.matchmaking.federation.agents import Agent
from peerproof.attacks.matchmaking.federation.data import CLASSES
from peerproof.attacks.matchmaking.federation.models import FAMILIES
from peerproof.reference.matchmaking import MODEL, Match, Reward, config_from_mapping, format_values
from peerproof.reference.matchmaking.events import Report

PROFILE_FIELDS = ([("val_acc", 0.0, 1.0), ("val_loss", 0.0, 10.0)] + [(f"hist_{c}", 0.0, 1.0) for c in range(CLASSES)]
                  + [(f"family_{f}", 0.0, 1.0) for f in FAMILIES])
KB = 300 * CLASSES * 4 / 1024  # soft labels on the transfer set, float32


def profile(agent: Agent, acc: float, loss: float) -> list[float]:
    """The abstract profile an agent reports: validation accuracy and loss, label histogram, family.

    A poisoner misreports: perfect accuracy, zero loss, a uniform histogram (an attractive generalist).
    """
    if agent.poisoner:
        acc, loss, hist = 1.0, 0.0, np.full(CLASSES, 1.0 / CLASSES)
    else:
        hist = agent.shard.histogram()
    return [acc, min(loss, 10.0), *hist, *[1.0 if agent.family == f else 0.0 for f in FAMILIES]]


def random_pairs(agents: list[Agent], rng: np.random.Generator) -> list[tuple[int, int]]:
    """Random-P2P: a uniform random perfect matching, the first of each pair learning."""
    perm = rng.permutation(len(agents))
    return [(int(perm[k]), int(perm[k + 1])) for k in range(0, len(agents) - 1, 2)]


def _js(p: np.ndarray, q: np.ndarray) -> float:
    m = (p + q) / 2

    def kl(a: np.ndarray, b: np.ndarray) -> float:
        mask = a > 0
        return float(np.sum(a[mask] * np.log(a[mask] / b[mask])))
    return 0.5 * kl(p, m) + 0.5 * kl(q, m)


def heuristic_pairs(profiles: list[list[float]]) -> list[tuple[int, int]]:
    """Heuristic-P2P (supplement Alg. 3): greedy max JS divergence of histograms, higher accuracy teaches."""
    n = len(profiles)
    hist = [np.asarray(p[2:2 + CLASSES]) for p in profiles]
    cands = sorted(((_js(hist[i], hist[j]), i, j) for i in range(n) for j in range(i + 1, n)), reverse=True)
    used: set[int] = set()
    out = []
    for _s, i, j in cands:
        if i in used or j in used or len(out) >= n // 2:
            continue
        used.update((i, j))
        out.append((i, j) if profiles[i][0] < profiles[j][0] else (j, i))
    return out


@dataclass
class CPM:
    """The reference model as the federation's matchmaker (paper dialect: constant β, Eq. 3, z-score)."""

    names: list[str]
    context: str = "concat"
    hardened: bool = False  # symmetric context, robust clipped rewards, partner-confirmed reports (spec §12)
    config: Any = None
    dialect: Any = None
    state: Any = None
    clock: int = 0
    history: list[tuple[str, str]] = field(default_factory=list)

    def start(self, first_profiles: list[list[float]]) -> None:
        """Build the CPM config from the agents' first reports."""
        self.config = config_from_mapping({
            "protocol": "matchmaking", "dialect": "paper", "context": self.context,
            "profile": {"fields": [{"name": n, "low": lo, "high": hi} for n, lo, hi in PROFILE_FIELDS],
                        "performance_field": "val_acc", "clip": True},
            "agents": [{"id": n, "profile": p} for n, p in zip(self.names, first_profiles, strict=True)],
            "bandit": {"lambda": 1.0, "beta": 1.0}, "matching": {"pair_budget": len(self.names) // 2},
            "reward": {"gamma": 1.0, "delta_kb": 1e-3, "normalise": "robust", "clip": 3.0,
                       "reporter": "partner-confirmed"} if self.hardened else
                      {"gamma": 1.0, "delta_kb": 1e-3, "normalise": "zscore"},
        }, file="(federation)")
        self.dialect, self.state = MODEL.start(self.config)

    def _step(self, event: Any) -> None:
        self.state = MODEL.step(self.config, self.state, event, self.dialect)

    def pairs(self, profiles: list[list[float]]) -> list[tuple[int, int]]:
        """Report every profile, run a round, return (student, teacher) indices."""
        if self.config is None:
            self.start(profiles)
        self.clock += 1000
        for name, p in zip(self.names, profiles, strict=True):
            self._step(Report(self.clock, name, format_values(tuple(p))))
        self._step(Match(self.clock))
        chosen = [(self.names.index(p.student), self.names.index(p.teacher)) for p in self.state.selection]
        self.history.extend((self.names[s], self.names[t]) for s, t in chosen)
        return chosen

    def feedback(self, student: int, teacher: int, pre: float, post: float, teacher_lies: bool = False) -> None:
        """The student reports its validation loss before and after the exchange (paper Eq. 3); under partner
        confirmation the teacher co-signs the same numbers, or, a poisoner, claims an improvement instead."""
        s, t = self.names[student], self.names[teacher]
        self._step(Reward(self.clock + 500, s, t, s, pre, post, KB))
        if self.config.reporter == "partner-confirmed":
            claimed = (pre, min(post, pre - 0.1)) if teacher_lies and post > pre - 0.1 else (pre, post)
            self._step(Reward(self.clock + 500, s, t, t, *claimed, KB))
