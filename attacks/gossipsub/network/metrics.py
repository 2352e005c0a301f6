"""Network metrics (GS-NET-MET): what the gossipsub-hardening evaluation measured, from one run's Recording.

Every metric is a plain number or list, so a run's summary is JSON as it stands; ``across_seeds``
turns a list of summaries into mean and 95% confidence half-width per scalar metric.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from peerproof.reference.gossipsub.network import QUANTILES, Recording
from scipy import stats

DEADLINES_MS = {"eth2": 3000, "filecoin": 6000}  # HARD notebook_helper.py: Eth2 and Filecoin deadlines
LATENCY_QUANTILES = {"p50": 0.5, "p90": 0.9, "p99": 0.99}


def latency_quantile(hist: np.ndarray, q: float) -> float:
    """The ``q`` quantile (ms) of the delivery latencies in a 1 ms histogram (NaN if nothing arrived)."""
    cum = np.cumsum(hist)
    if cum[-1] == 0:
        return math.nan
    return float(np.searchsorted(cum, q * cum[-1]))


def recovery_time_s(times_s: Sequence[float], share: Sequence[float], switch_s: float) -> float | None:
    """GS-NET-MET-3: seconds after ``switch_s`` until the attacker share of honest meshes is at or below its
    pre-attack level, the mean share over the minute before the switch (None: not within the run)."""
    t = np.asarray(times_s)
    y = np.asarray(share)
    before = y[(t <= switch_s) & (t > switch_s - 60)]
    if len(before) == 0:
        return None
    after = np.flatnonzero((t > switch_s) & (y <= before.mean() + 1e-12))
    return float(t[after[0]] - switch_s) if len(after) else None


def summarise(rec: Recording) -> dict[str, Any]:
    """GS-NET-MET-1: one run's metrics: delivery, latency against the deadlines, mesh degrees, attacker share,
    score quantiles over time, duplicates per delivery, control messages."""
    net, s, r = rec.network, rec.scenario, rec.config.router
    delivered = np.asarray(rec.message_delivered, float)
    expected = len(delivered) * (net.honest - 1)
    hist = rec.latency_hist
    max_lat = np.asarray(rec.message_max_latency_ms, float)
    full = delivered == net.honest - 1
    degrees = np.concatenate([sn.mesh_degree for sn in rec.snapshots]) if rec.snapshots else np.zeros(0)
    run_snaps = [sn for sn in rec.snapshots if sn.time_ms >= s.warmup_ms]
    out: dict[str, Any] = {
        "scenario": s.name, "config": rec.config.name, "topic": rec.topic, "seed": rec.seed,
        "honest": net.honest, "sybils": net.sybils, "scoring": s.scoring,
        "messages": len(delivered), "delivery_ratio": float(delivered.sum() / expected) if expected else math.nan,
        "messages_fully_delivered": float(full.mean()) if len(full) else math.nan,
        "latency_max_ms": float(max_lat.max()) if len(max_lat) else math.nan,
        "duplicates_per_delivery": rec.duplicates / rec.first_deliveries if rec.first_deliveries else math.nan,
        "mesh_degree_in_range": float(((degrees >= r.d_lo) & (degrees <= r.d_hi)).mean()) if len(degrees) else math.nan,
        "mesh_degree_mean": float(degrees.mean()) if len(degrees) else math.nan,
        "mesh_degree_histogram": np.bincount(degrees.astype(np.int64)).tolist() if len(degrees) else [],
        "honest_nonnegative_min": min((sn.honest_nonnegative for sn in run_snaps), default=math.nan),
        "honest_nonnegative_mean": float(np.mean([sn.honest_nonnegative for sn in run_snaps])) if run_snaps
        else math.nan,
        "attacker_share_mean": float(np.mean([sn.attacker_share for sn in run_snaps])) if run_snaps else math.nan,
        "control": {"graft": rec.control.graft, "prune": rec.control.prune, "ihave": rec.control.ihave,
                    "iwant": rec.control.iwant},
        "late_dropped": rec.late_dropped,
    }
    for name, q in LATENCY_QUANTILES.items():
        out[f"latency_{name}_ms"] = latency_quantile(hist, q)
    for name, deadline in DEADLINES_MS.items():
        out[f"within_{name}_deadline"] = float(hist[: deadline + 1].sum() / expected) if expected else math.nan
        out[f"messages_full_within_{name}"] = float((full & (max_lat <= deadline)).mean()) if len(full) else math.nan
    out["series"] = {
        "time_s": [sn.time_ms / 1000 for sn in rec.snapshots],
        "attacker_share": [sn.attacker_share for sn in rec.snapshots],
        "mesh_degree_mean": [float(sn.mesh_degree.mean()) for sn in rec.snapshots],
        "honest_nonnegative": [sn.honest_nonnegative for sn in rec.snapshots],
        "honest_score_quantiles": [_finite(sn.honest_scores) for sn in rec.snapshots],
        "sybil_score_quantiles": [_finite(sn.sybil_scores) for sn in rec.snapshots],
        "quantiles": list(QUANTILES),
    }
    cdf_ms = np.flatnonzero(hist)
    out["latency_cdf"] = {"ms": cdf_ms.tolist(), "fraction": (np.cumsum(hist)[cdf_ms] / max(1, expected)).tolist()}
    switch = s.sybils.attack_delay_ms / 1000
    if s.sybils.count and s.sybils.attack_delay_ms:
        out["recovery_s"] = recovery_time_s(out["series"]["time_s"], out["series"]["attacker_share"], switch)
    return out


def _finite(values: np.ndarray) -> list[float | None]:
    return [float(v) if np.isfinite(v) else None for v in values]


def mean_ci(values: Sequence[float]) -> tuple[float, float]:
    """Mean and the 95% confidence half-width (Student t) of per-seed values (NaNs dropped)."""
    x = np.asarray([v for v in values if v is not None and np.isfinite(v)], float)
    if len(x) == 0:
        return math.nan, math.nan
    if len(x) == 1:
        return float(x[0]), math.nan
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return float(x.mean()), float(half)


SCALARS = ("delivery_ratio", "messages_fully_delivered", "latency_p50_ms", "latency_p90_ms", "latency_p99_ms",
           "latency_max_ms", "within_eth2_deadline", "within_filecoin_deadline", "duplicates_per_delivery",
           "mesh_degree_in_range", "mesh_degree_mean", "honest_nonnegative_min", "attacker_share_mean",
           "recovery_s")


def across_seeds(summaries: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, float]]:
    """GS-NET-MET-2: per scalar metric, mean and 95% CI half-width over the seeds' summaries."""
    out = {}
    for key in SCALARS:
        if any(key in s for s in summaries):
            mean, half = mean_ci([s.get(key) for s in summaries])
            out[key] = {"mean": mean, "ci95": half}
    return out
