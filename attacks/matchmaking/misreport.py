"""Profile misreport and exploration hijack (spec §12.2, MM-PROP-3, MM-PROP-4), synthesized on HiGHS.

After the honest warm-up the attacker m looks for the profile closest to its honest one (L1) that puts a
pair of its own first in the next round. The UCB θ̂ᵀx + β√(xᵀA⁻¹x) is convex in x, so "UCB ≥ c" is not
a convex constraint; it is replaced by its tangent at an anchor x₀ (Cauchy–Schwarz: √(xᵀA⁻¹x) ≥
x₀ᵀA⁻¹x / √(x₀ᵀA⁻¹x₀)), a linear lower bound, so every LP solution is a true win. Re-anchoring at the
solution (the convex–concave procedure) lowers the cost; the result is an upper bound on the least cost.
The symmetric map's |p − q| needs one binary per field (a MILP). The hijack (MM-PROP-4) scans each axis
outward from the honest profile, doubling the step, for a profile outside the bounds that wins first
place while its estimated mean is below the honest winner's: a win bought by exploration alone.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np
from peerproof.attacks.checks import Job, Settings
from peerproof.attacks.finding import Finding
from peerproof.attacks.matchmaking.evidence import confirmed, holds, violated
from peerproof.attacks.matchmaking.warmup import WARMUP_ROUNDS, Run, honest_run, next_round_ms, report_event
from peerproof.reference.matchmaking import Match, get_dialect
from peerproof.reference.matchmaking.linucb import inverse, theta
from peerproof.reference.matchmaking.matching import greedy
from peerproof.reference.matchmaking.state import round_beta, score_pairs
from scipy.optimize import Bounds, LinearConstraint, milp

ANCHOR_STEPS = 6
ATTACKERS = 3  # the weakest agents tried as attacker


def first_pick(config: Any, run: Run, dialect: Any, agent: str, profile: np.ndarray) -> Any:
    """The next round's first pair if ``agent`` had reported ``profile`` (scored directly, no clipping)."""
    k = run.state.ids.index(agent)
    state = replace(run.state, profiles=(*run.state.profiles[:k], tuple(profile), *run.state.profiles[k + 1:]))
    chosen = greedy(score_pairs(config, state, dialect, run.state.round + 1), config.pair_budget, dialect.tie_break)
    return chosen[0] if chosen else None


def attackers(config: Any, run: Run, dialect: Any) -> list[tuple[str, float]]:
    """Agents ordered weakest first (their best pair's UCB), with the best UCB among pairs without them."""
    scored = score_pairs(config, run.state, dialect, run.state.round + 1)
    out = []
    for m in run.state.ids:
        mine = [p.ucb for _i, _j, p in scored if m in (p.student, p.teacher)]
        others = [p.ucb for _i, _j, p in scored if m not in (p.student, p.teacher)]
        if others:
            out.append((max(mine), m, max(others)))
    return [(m, c) for _s, m, c in sorted(out)[:ATTACKERS]]


def _affine(config: Any, q: np.ndarray, m_student: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x = Mp·p + Mu·u + c0 for the attacker's profile p (u stands for |p − q| in the symmetric map)."""
    d = len(q)
    eye, zero = np.eye(d), np.zeros((d, d))
    if config.context == "concat":
        Mp = np.vstack([eye, zero]) if m_student else np.vstack([zero, eye])
        c0 = np.concatenate([np.zeros(d), q]) if m_student else np.concatenate([q, np.zeros(d)])
        return Mp, np.zeros((2 * d, d)), c0
    return np.vstack([eye, zero, np.diag(q)]), np.vstack([zero, eye, zero]), np.concatenate([q, np.zeros(2 * d)])


def _tangent(bandit: Any, dialect: Any, beta: float, x0: np.ndarray) -> np.ndarray:
    A_inv = inverse(bandit, dialect.direct_inverse).astype(float)
    th = theta(bandit, dialect.direct_inverse).astype(float)
    g = A_inv @ x0
    norm = float(np.sqrt(max(x0 @ g, 0.0)))
    return th + (beta * g / norm if norm > 0 else 0.0)


def _solve(config: Any, h: np.ndarray, q: np.ndarray, m_student: bool, w: np.ndarray, target: float | None,
           perf: tuple[int, float] | None) -> np.ndarray | None:
    """One LP/MILP: maximise wᵀx(p) (target None) or minimise ‖p − h‖₁ s.t. wᵀx(p) ≥ target."""
    d = len(h)
    lo = np.array([f.low for f in config.fields])
    hi = np.array([f.high for f in config.fields])
    sym = config.context == "symmetric"
    Mp, Mu, c0 = _affine(config, q, m_student)
    n = 3 * d + (2 * d if sym else 0)  # p, e+, e-, [u, z]
    rows, lb, ub = [], [], []

    def add(row: np.ndarray, low: float, high: float) -> None:
        rows.append(row)
        lb.append(low)
        ub.append(high)

    for k in range(d):  # p − h = e+ − e-
        row = np.zeros(n)
        row[k], row[d + k], row[2 * d + k] = 1.0, -1.0, 1.0
        add(row, h[k], h[k])
    gain = np.zeros(n)
    gain[:d] = w @ Mp
    if sym:
        gain[3 * d:4 * d] = w @ Mu
        big = 2 * (hi - lo) + 2 * np.abs(q) + 1.0
        for k in range(d):
            u, z = 3 * d + k, 4 * d + k
            for sign in (1.0, -1.0):  # u >= ±(p − q)
                row = np.zeros(n)
                row[u], row[k] = 1.0, -sign
                add(row, -sign * q[k], np.inf)
            row = np.zeros(n)  # u <= p − q + M(1 − z)
            row[u], row[k], row[z] = 1.0, -1.0, big[k]
            add(row, -np.inf, -q[k] + big[k])
            row = np.zeros(n)  # u <= q − p + M z
            row[u], row[k], row[z] = 1.0, 1.0, -big[k]
            add(row, -np.inf, q[k])
    if perf is not None:
        k, bound = perf
        row = np.zeros(n)
        row[k] = 1.0
        add(row, *((-np.inf, bound) if m_student else (bound, np.inf)))
    base = float(w @ c0)
    if target is not None:
        add(gain, target - base, np.inf)
        cost = np.concatenate([np.zeros(d), np.ones(2 * d), np.zeros(n - 3 * d)])
    else:
        cost = -gain
    low = np.concatenate([lo, np.zeros(2 * d), np.zeros(n - 3 * d)])
    high = np.concatenate([hi, np.full(2 * d, np.inf), np.full(d, np.inf), np.ones(d)] if sym else
                          [hi, np.full(2 * d, np.inf)])
    integrality = np.concatenate([np.zeros(4 * d), np.ones(d)]) if sym else np.zeros(n)
    res = milp(cost, constraints=LinearConstraint(np.array(rows), lb, ub), bounds=Bounds(low, high),
               integrality=integrality, options={"presolve": False})
    return None if res.x is None else np.clip(res.x[:d], lo, hi)


def _orientations(config: Any, dialect: Any, run: Run, m: str, j: str) -> list[tuple[bool, tuple[int, float] | None]]:
    ids = run.state.ids
    if dialect.roles == "lower-index-student":
        return [(ids.index(m) < ids.index(j), None)]
    k = config.performance_index
    qk = run.state.profiles[ids.index(j)][k]
    span = config.fields[k].high - config.fields[k].low
    return [(True, (k, qk - 1e-6 * span)), (False, (k, qk + 1e-6 * span))]


def cheapest_win(config: Any, dialect: Any, run: Run, m: str, c_star: float) -> np.ndarray | None:
    """The least-L1 in-bounds profile found for m whose pair beats ``c_star`` (None when none is found)."""
    ids, profiles = run.state.ids, run.state.profiles
    h = np.asarray(profiles[ids.index(m)], dtype=float)
    beta = round_beta(config, dialect, run.state.round + 1)
    goal = c_star + 1e-4 * max(1.0, abs(c_star))
    best: tuple[float, np.ndarray] | None = None
    for j in ids:
        if j == m:
            continue
        q = np.asarray(profiles[ids.index(j)], dtype=float)
        for m_student, perf in _orientations(config, dialect, run, m, j):
            Mp, Mu, c0 = _affine(config, q, m_student)
            p = h.copy()
            for _ in range(ANCHOR_STEPS):  # climb: maximise the tangent, re-anchor
                x0 = Mp @ p + Mu @ np.abs(p - q) + c0
                nxt = _solve(config, h, q, m_student, _tangent(run.state.bandit, dialect, beta, x0), None, perf)
                if nxt is None:
                    break
                p = nxt
            for _ in range(ANCHOR_STEPS):  # descend: least cost above the tangent, re-anchor
                x0 = Mp @ p + Mu @ np.abs(p - q) + c0
                nxt = _solve(config, h, q, m_student, _tangent(run.state.bandit, dialect, beta, x0), goal, perf)
                if nxt is None:
                    break
                p = nxt
            cost = float(np.abs(p - h).sum())
            first = first_pick(config, run, dialect, m, p)
            if first is not None and m in (first.student, first.teacher) and (best is None or cost < best[0]):
                best = (cost, p)
    return None if best is None else best[1]


def misreport(config: Any, job: Job, settings: Settings) -> Finding | None:
    """MM-PROP-3 on HiGHS: an in-bounds profile report that wins the next round's first pick."""
    started = time.perf_counter()
    dialect = get_dialect(settings.dialect)
    run = honest_run(config, settings.dialect, settings.seed)
    for m, c_star in attackers(config, run, dialect):
        p = cheapest_win(config, dialect, run, m, c_star)
        if p is None:
            continue
        h = np.asarray(run.state.profiles[run.state.ids.index(m)])
        t = next_round_ms()
        events = (*run.events, report_event(t, m, p), Match(t))
        cost = float(np.abs(p - h).sum())
        found = confirmed(config, job, settings.dialect, settings.seed, events,
                          {"attacker": m, "cost_l1": cost, "cost_linf": float(np.abs(p - h).max())})
        if found is not None:
            return violated(job, "highs", started, *found,
                            f"synthesized on HiGHS by tangent LPs after {WARMUP_ROUNDS} honest rounds")
    return holds(job, "highs", started, "holds-bounded",
                 f"no in-bounds profile found for the {ATTACKERS} weakest agents that wins the first pick",
                 f"{WARMUP_ROUNDS} warm-up rounds, seed {settings.seed}, {ANCHOR_STEPS} anchor steps")


def hijack(config: Any, job: Job, settings: Settings) -> Finding | None:
    """MM-PROP-4 by an axis scan: an out-of-bounds profile that wins the first pick on exploration alone."""
    if config.clip_profiles:
        return None  # settled by the closed form: clipped profiles are never out of bounds
    started = time.perf_counter()
    dialect = get_dialect(settings.dialect)
    run = honest_run(config, settings.dialect, settings.seed)
    honest_first = first_pick(config, run, dialect, run.state.ids[0], np.asarray(run.state.profiles[0]))
    lo = np.array([f.low for f in config.fields])
    hi = np.array([f.high for f in config.fields])
    for m, _c in attackers(config, run, dialect):
        h = np.asarray(run.state.profiles[run.state.ids.index(m)], dtype=float)
        for step in (2.0 ** e for e in range(0, 21)):
            for k in range(config.dimension):
                for sign in (1.0, -1.0):
                    p = h.copy()
                    p[k] = (hi[k] if sign > 0 else lo[k]) + sign * step * (hi[k] - lo[k])
                    first = first_pick(config, run, dialect, m, p)
                    if first is None or m not in (first.student, first.teacher) or first.mean >= honest_first.mean:
                        continue
                    t = next_round_ms()
                    excess = float(max(np.max(p - hi), np.max(lo - p), 0.0))
                    events = (*run.events, report_event(t, m, p), Match(t))
                    found = confirmed(config, job, settings.dialect, settings.seed, events,
                                      {"attacker": m, "field": config.fields[k].name, "excess": excess})
                    if found is not None:
                        return violated(job, "scan", started, *found,
                                        f"found by an axis scan: {config.fields[k].name} set beyond its bound, where "
                                        "the CPM has seen little, so the width term dominates")
    return holds(job, "scan", started, "holds-bounded",
                 "no single-field out-of-bounds report of the weakest agents wins on exploration alone",
                 f"{WARMUP_ROUNDS} warm-up rounds, seed {settings.seed}, steps up to 2^20 field ranges")
