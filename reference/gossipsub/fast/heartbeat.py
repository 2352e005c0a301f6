"""Heartbeat mesh maintenance on the fast engine's tables (GS-HB), decision for decision as mesh.py.

The same seeded RNG draws over the same sorted lists of peer names, so every shuffle, graft and prune
matches the pure model's; grafts and prunes go through the kernel, scores are the kernel's.
"""

from __future__ import annotations

import random

import numpy as np
from peerproof.reference.gossipsub.fast.layout import CONNECTED, NOW, OUTBOUND, TICKS, EngineView
from peerproof.reference.gossipsub.mesh import trim_order


def members(e: EngineView, t: int) -> list[str]:
    """The names of the peers in the mesh of topic id ``t``."""
    return [e.ev.peers[p] for p in np.flatnonzero(e.t.mesh[: len(e.ev.peers), t]).tolist()]


def candidates(e: EngineView, t: int, scores: dict[str, float]) -> list[str]:
    """mesh.candidates: connected subscribers of the topic outside its mesh, not backing off, sorted."""
    tab, now = e.t, int(e.t.clk[NOW])
    out = []
    for p in np.flatnonzero(tab.subs[: len(e.ev.peers), t]).tolist():
        name = e.ev.peers[p]
        if not tab.mesh[p, t] and name in scores and tab.pi[p, CONNECTED] and not tab.backoff[p, t] > now:
            out.append(name)
    return sorted(out)


def heartbeat(e: EngineView) -> None:
    """mesh.heartbeat (GS-HB-1..5) on the tables."""
    tab, r, ids = e.t, e.config.router, e.peer_id
    tab.clk[TICKS] += 1
    ticks = int(tab.clk[TICKS])
    scores = e.scores()
    outbound = {e.ev.peers[p] for p in np.flatnonzero(tab.pi[: len(e.ev.peers), OUTBOUND]).tolist()}
    joined = set(e.config.score.topics) | {e.ev.topics[j] for j in np.flatnonzero(tab.mesh_key).tolist()
                                           if j < len(e.ev.topics)}
    for topic in sorted(joined):
        t = e.topic_id[topic]
        rng = random.Random(f"{e.seed}/{ticks}/{topic}")
        for p in sorted(members(e, t)):
            if scores.get(p, 0.0) < 0:
                e.prune(ids[p], t)
        mesh = members(e, t)
        if len(mesh) < r.d_lo:
            pool = [p for p in candidates(e, t, scores) if scores[p] >= 0]
            rng.shuffle(pool)
            for p in pool[: r.d - len(mesh)]:
                e.graft(ids[p], t)
        mesh = members(e, t)
        over = len(mesh) >= r.d_hi if e.dialect.oversubscribed_at_d_hi else len(mesh) > r.d_hi
        if over:
            _trim(e, t, scores, rng, outbound)
        mesh = members(e, t)
        have = sum(1 for p in mesh if p in outbound)
        if len(mesh) >= r.d_lo and have < r.d_out:
            pool = [p for p in candidates(e, t, scores) if p in outbound and scores[p] >= 0]
            rng.shuffle(pool)
            for p in pool[: r.d_out - have]:
                e.graft(ids[p], t)
        if r.opportunistic_graft_ticks and ticks % r.opportunistic_graft_ticks == 0:
            _opportunistic(e, t, scores, rng)


def _trim(e: EngineView, t: int, scores: dict[str, float], rng: random.Random, outbound: set[str]) -> None:
    """mesh._trim: keep the best Dscore, the rest at random, at least Dout outbound (mesh.trim_order)."""
    r = e.config.router
    plst = trim_order(sorted(members(e, t)), lambda p: scores.get(p, 0.0), outbound.__contains__, r,
                      e.dialect.dout_fill_to_d, rng)
    for p in plst[r.d:]:
        e.prune(e.peer_id[p], t)


def _opportunistic(e: EngineView, t: int, scores: dict[str, float], rng: random.Random) -> None:
    """mesh._opportunistic: graft peers above a low median mesh score."""
    mesh = members(e, t)
    if len(mesh) <= 1:
        return
    ordered = sorted(scores.get(p, 0.0) for p in mesh)
    median = ordered[len(ordered) // 2]
    if median >= e.config.thresholds.opportunistic_graft_threshold:
        return
    pool = [p for p in candidates(e, t, scores) if scores[p] > median
            and (scores[p] >= 0 or not e.dialect.opportunistic_needs_nonnegative)]
    rng.shuffle(pool)
    for p in pool[: e.config.router.opportunistic_graft_peers]:
        e.graft(e.peer_id[p], t)
