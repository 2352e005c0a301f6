"""Rewards (spec §7, MM-REW-*): the raw reward a receiver reports, its normalisation and clipping."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from peerproof.reference.matchmaking.config import Config
from peerproof.reference.matchmaking.dialect import Dialect


def raw_reward(config: Config, dialect: Dialect, pre: float, post: float, kb: float) -> float:
    """MM-REW-1 (paper Eq. 3): γ(L_pre − L_post) − δ·KB over losses; MM-REW-2 (code): post − pre over Pass@1."""
    if dialect.reward == "loss-kb":
        return config.gamma * (pre - post) - config.delta_kb * kb
    return post - pre


def location_scale(config: Config, history: Sequence[float]) -> tuple[float, float]:
    """The (μ, σ) the next reward is normalised by, from the rewards accepted before it (MM-REW-3).

    ``zscore``: mean and population standard deviation; ``robust``: median and 1.4826·MAD. With fewer
    than two earlier rewards the scale is 1 (nothing to estimate it from); with none the location is 0.
    """
    if config.normalise == "none" or not history:
        return 0.0, 1.0
    h = np.asarray(history, dtype=float)
    if config.normalise == "zscore":
        loc, scale = float(h.mean()), float(h.std())
    else:
        loc = float(np.median(h))
        scale = 1.4826 * float(np.median(np.abs(h - loc)))
    return loc, (scale if len(h) >= 2 else 1.0)


def applied_reward(config: Config, history: Sequence[float], raw: float) -> float:
    """The value that enters b: (r − μ)/(σ + ε) under normalisation, then clipped to ±clip (MM-REW-3, MM-REW-4)."""
    value = raw
    if config.normalise != "none":
        loc, scale = location_scale(config, history)
        value = (raw - loc) / (scale + config.epsilon)
    if config.reward_clip is not None:
        value = min(config.reward_clip, max(-config.reward_clip, value))
    return value if math.isfinite(value) else 0.0
