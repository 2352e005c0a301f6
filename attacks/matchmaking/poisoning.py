"""Reward poisoning (spec §12.2, MM-PROP-5), synthesized as an LP on HiGHS (Ma et al., GameSec 2018).

The attacker m is the student of some pairs in the honest warm-up and reports their rewards. With the
warm-up's selections fixed, A does not depend on rewards and θ̂ = A⁻¹b is linear in the values that
enter b, so "a pair of m's is first in the next round" is a set of linear constraints on m's applied
rewards: minimise Σ|Δz| subject to them (and |z| ≤ clip when rewards are clipped). The raw reports are
recovered report by report by inverting the normalisation with the history at that time; the run is
replayed and, if the lies changed later selections or normalisations, re-solved (a fixed point, a few
steps). With partner-confirmed rewards m cannot change a value, only dispute it: every subset of its
disputes is tried.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import numpy as np
from peerproof.attacks.checks import Job, Settings
from peerproof.attacks.finding import Finding
from peerproof.attacks.matchmaking.evidence import confirmed, holds, violated
from peerproof.attacks.matchmaking.warmup import WARMUP_ROUNDS, Run, honest_run, next_round_ms
from peerproof.attacks.matchmaking.witness import false_reports
from peerproof.reference.matchmaking import MODEL, Match, get_dialect
from peerproof.reference.matchmaking.context import pair_contexts
from peerproof.reference.matchmaking.linucb import inverse, means_and_widths
from peerproof.reference.matchmaking.matching import greedy
from peerproof.reference.matchmaking.reward import applied_reward, location_scale
from peerproof.reference.matchmaking.state import round_beta, score_pairs
from peerproof.reference.trace import record
from scipy.optimize import linprog

FIXED_POINT_STEPS = 4


def _updates(config: Any, run: Run) -> list[tuple[int, str, str, np.ndarray, float]]:
    """Every applied update of the warm-up: (round, pair key, student, context, applied value)."""
    d, state = MODEL.start(config, dialect=run.dialect, seed=0)
    out = []
    for event in run.events:
        before = state
        state = MODEL.step(config, state, event, d)
        if state.bandit.updates > before.bandit.updates:
            key = f"{event.student}<{event.teacher}"
            k = [p.key for p in before.selection].index(key)
            out.append((state.round, key, event.student, np.asarray(before.contexts[k], dtype=float),
                        applied_reward(config, before.history, state.history[-1])))
    return out


def solve_lies(config: Any, dialect: Any, run: Run, m: str, target: str) -> dict[tuple[int, str], float] | None:
    """The applied values m must report (by round and pair) so that ``target`` is first next round; None if none."""
    updates = _updates(config, run)
    mine = [k for k, u in enumerate(updates) if u[2] == m]
    if not mine:
        return None
    A_inv = inverse(run.state.bandit, dialect.direct_inverse).astype(float)
    b = run.state.bandit.b.astype(float)
    beta = round_beta(config, dialect, run.state.round + 1)
    scored = score_pairs(config, run.state, dialect, run.state.round + 1)
    profile = dict(zip(run.state.ids, run.state.profiles, strict=True))
    keys = [p.key for _i, _j, p in scored]
    X = pair_contexts(config.context, np.array([profile[p.student] for _i, _j, p in scored], dtype=float),
                      np.array([profile[p.teacher] for _i, _j, p in scored], dtype=float))
    _means, widths = means_and_widths(run.state.bandit, X, dialect.direct_inverse)
    t = keys.index(target)
    G = np.array([updates[k][3] for k in mine])  # rows: contexts m controls
    rows, rhs = [], []
    for o in range(len(keys)):
        if o == t:
            continue
        diff = X[t] - X[o]
        # (x_t − x_o)ᵀA⁻¹(b + Σ Δz_k g_k) + β(w_t − w_o) ≥ margin
        coef = G @ (A_inv @ diff)
        base = float(diff @ A_inv @ b + beta * (widths[t] - widths[o]))
        margin = 1e-6 * max(1.0, abs(float(X[t] @ A_inv @ b)))
        rows.append(np.concatenate([-coef, coef]))
        rhs.append(base - margin)
    n = len(mine)
    current = np.array([updates[k][4] for k in mine])
    bounds = [(0, None)] * (2 * n)
    A_ub = np.array(rows)
    if config.reward_clip is not None:  # −c ≤ z + Δ ≤ c with Δ = up − down
        c = config.reward_clip
        clip_rows = np.vstack([np.hstack([np.eye(n), -np.eye(n)]), np.hstack([-np.eye(n), np.eye(n)])])
        A_ub = np.vstack([A_ub, clip_rows])
        rhs = list(rhs) + list(c - current) + list(c + current)
    res = linprog(np.ones(2 * n), A_ub=A_ub, b_ub=np.array(rhs), bounds=bounds, method="highs")
    if res.status != 0:
        return None
    delta = res.x[:n] - res.x[n:]
    return {(updates[k][0], updates[k][1]): float(current[i] + delta[i]) for i, k in enumerate(mine)}


def _raw_for(config: Any, wanted: dict[tuple[int, str], float]) -> Any:
    """The lie function of a warm-up: report the raw reward whose applied value is the wanted one."""
    def tell(r: int, key: str, truth: float, history: tuple[float, ...]) -> float:
        if (r, key) not in wanted:
            return truth
        loc, scale = location_scale(config, history)
        z = wanted[(r, key)]
        return z if config.normalise == "none" else z * (scale + config.epsilon) + loc
    return tell


def _first_key(config: Any, dialect: Any, run: Run) -> str | None:
    chosen = greedy(score_pairs(config, run.state, dialect, run.state.round + 1), config.pair_budget,
                    dialect.tie_break)
    return chosen[0].key if chosen else None


def _targets(config: Any, dialect: Any, run: Run) -> list[tuple[str, str]]:
    """(attacker, target pair): each student of the warm-up with its pairs, best ranked first, not already first."""
    scored = sorted(score_pairs(config, run.state, dialect, run.state.round + 1), key=lambda c: -c[2].ucb)
    first = scored[0][2].key
    students = sorted({u[2] for u in _updates(config, run)})
    return [(m, p.key) for m in students for _i, _j, p in scored if m in (p.student, p.teacher) and p.key != first]


def _try_lies(config: Any, job: Job, settings: Settings, dialect: Any, honest: Run, m: str, target: str) -> Any:
    run, wanted = honest, None
    for _ in range(FIXED_POINT_STEPS):
        found = solve_lies(config, dialect, run, m, target)
        if found is None:
            return None
        wanted = found if wanted is None else {**wanted, **found}
        run = honest_run(config, settings.dialect, settings.seed, lie=_raw_for(config, wanted))
        if _first_key(config, dialect, run) == target:
            events = (*run.events, Match(next_round_ms()))
            probe = record("matchmaking", config, events, dialect=settings.dialect, seed=settings.seed,
                           observe_after=[])
            lies = false_reports(config, probe)
            cost = float(sum(abs(v) for _who, v in lies))
            return confirmed(config, job, settings.dialect, settings.seed, events,
                             {"attacker": m, "target": target, "reports_changed": len(lies), "cost_raw_l1": cost})
    return None


def _try_disputes(config: Any, job: Job, settings: Settings, dialect: Any, honest: Run, m: str) -> Any:
    mine = [(u[0], u[1]) for u in _updates(config, honest) if m in u[1].split("<")]
    for size in range(1, len(mine) + 1):
        for drop in itertools.combinations(mine, size):
            run = honest_run(config, settings.dialect, settings.seed, drop=frozenset(drop))
            if _first_key(config, dialect, run) != _first_key(config, dialect, honest):
                events = (*run.events, Match(next_round_ms()))
                found = confirmed(config, job, settings.dialect, settings.seed, events,
                                  {"attacker": m, "disputed": [f"round {r}: {k}" for r, k in drop]})
                if found is not None:
                    return found
    return None


def poison(config: Any, job: Job, settings: Settings) -> Finding | None:
    """MM-PROP-5 on HiGHS: the least change to one agent's reward reports that changes the next first pick."""
    started = time.perf_counter()
    dialect = get_dialect(settings.dialect)
    honest = honest_run(config, settings.dialect, settings.seed)
    if config.reporter == "partner-confirmed":
        for m in honest.state.ids:
            result = _try_disputes(config, job, settings, dialect, honest, m)
            if result is not None:
                return violated(job, "highs", started, *result,
                                "found by trying every set of disputes (partner confirmation lets a member veto, "
                                "not alter)")
        return holds(job, "highs", started, "holds-bounded",
                     "partner-confirmed: a lone agent can only dispute its pairs' rewards, and no set of disputes "
                     "changes the next first pick", f"{WARMUP_ROUNDS} warm-up rounds, seed {settings.seed}, "
                     "every subset of every agent's disputes")
    for m, target in _targets(config, dialect, honest):
        result = _try_lies(config, job, settings, dialect, honest, m, target)
        if result is not None:
            return violated(job, "highs", started, *result, "synthesized by an LP on HiGHS")
    clip = "" if config.reward_clip is None else f", applied rewards clipped to ±{config.reward_clip:g}"
    return holds(job, "highs", started, "holds-bounded",
                 f"no change to one agent's own reward reports makes one of its pairs first next round{clip} "
                 "(LP infeasible with the warm-up's selections fixed)",
                 f"{WARMUP_ROUNDS} warm-up rounds, seed {settings.seed}, {FIXED_POINT_STEPS} fixed-point steps")
