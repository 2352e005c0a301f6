"""Heartbeat mesh maintenance of every honest router at once (GS-NET-HB): the GS-HB rules of
peerproof.reference.gossipsub.mesh, vectorised over edges, each router drawing its own random choices.

All routers beat at the same instant; what one decides reaches its peers as GRAFT and PRUNE control
messages, which ``control.py`` delivers after every router has decided (GS-NET-CTL).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.dialect import Dialect
from peerproof.reference.gossipsub.mesh import trim_order
from peerproof.reference.gossipsub.network.edges import EdgeState
from peerproof.reference.gossipsub.network.topology import Network


@dataclass(frozen=True)
class Decisions:
    """The edges each router grafted and pruned at one heartbeat, in the order it did so."""

    grafted: np.ndarray  # edge indices (src grafted dst)
    pruned_by_score: np.ndarray  # GS-HB-1
    pruned_by_trim: np.ndarray  # GS-HB-3


def per_group_pick(groups: np.ndarray, candidates: np.ndarray, need: np.ndarray, rng: np.random.Generator,
                   priority: np.ndarray | None = None) -> np.ndarray:
    """Up to ``need[g]`` of the ``candidates`` (edge indices) of each group ``g = groups[i]``, chosen at random
    (or by descending ``priority``, ties at random)."""
    if len(candidates) == 0:
        return candidates
    keys = rng.random(len(candidates))
    # Groups are whole numbers, keys in [0, 1): one float sort orders by group, then at random.
    order = np.argsort(groups + keys) if priority is None else np.lexsort((keys, -priority, groups))
    g = groups[order]
    rank = np.arange(len(g)) - np.searchsorted(g, g, side="left")
    return candidates[order][rank < need[g]]


def mesh_counts(net: Network, st: EdgeState, which: np.ndarray | None = None) -> np.ndarray:
    """Per node, the number of its edges in its mesh (restricted to ``which`` edges if given)."""
    sel = st.mesh if which is None else st.mesh & which
    return np.bincount(net.src[sel], minlength=net.nodes)


def candidates(net: Network, st: EdgeState, now_ms: int, honest_src: np.ndarray) -> np.ndarray:
    """Edges a router may graft: connection up, not in its mesh, not backing off (mesh.py ``candidates``)."""
    return honest_src & st.active & ~st.mesh & (st.backoff_ms <= now_ms)


def heartbeat(cfg: Config, net: Network, st: EdgeState, now_ms: int, tick: int, dialect: Dialect,
              rng: np.random.Generator, prune: Callable[[np.ndarray], None],
              graft: Callable[[np.ndarray], None]) -> Decisions:
    """GS-NET-HB-1..5: prune negative scores, fill below Dlo, trim at/above Dhi, keep Dout outbound,
    opportunistic grafting every ``opportunistic_graft_ticks``; ``prune``/``graft`` apply a router's own
    decision to its view (score counters, backoff) and are called in GS-HB order."""
    r = cfg.router
    hs = net.honest_src
    sc = st.score
    # GS-HB-1: every mesh peer with a negative score.
    neg = np.flatnonzero(st.mesh & hs & (sc < 0))
    prune(neg)
    grafted = []
    # GS-HB-2: below Dlo, graft D - |mesh| random candidates with score >= 0.
    count = mesh_counts(net, st)
    need = np.where((count < r.d_lo) & (np.arange(net.nodes) < net.honest), r.d - count, 0)
    cand = np.flatnonzero(candidates(net, st, now_ms, hs) & (sc >= 0) & (need[net.src] > 0))
    pick = per_group_pick(net.src[cand], cand, need, rng)
    graft(pick)
    grafted.append(pick)
    # GS-HB-3: at/above Dhi keep the best Dscore, the rest at random, with at least Dout outbound.
    count = mesh_counts(net, st)
    over = count >= r.d_hi if dialect.oversubscribed_at_d_hi else count > r.d_hi
    over[net.honest:] = False
    trimmed = [trim(cfg, net, st, u, rng, dialect) for u in np.flatnonzero(over)]
    trimmed_idx = np.concatenate(trimmed) if trimmed else np.zeros(0, np.int64)
    prune(trimmed_idx)
    # GS-HB-4: with at least Dlo peers but fewer than Dout outbound, graft outbound candidates.
    count = mesh_counts(net, st)
    out = mesh_counts(net, st, net.outbound)
    need = np.where((count >= r.d_lo) & (out < r.d_out) & (np.arange(net.nodes) < net.honest), r.d_out - out, 0)
    cand = np.flatnonzero(candidates(net, st, now_ms, hs) & net.outbound & (sc >= 0) & (need[net.src] > 0))
    pick = per_group_pick(net.src[cand], cand, need, rng)
    graft(pick)
    grafted.append(pick)
    # GS-HB-5: opportunistic grafting when the median mesh score is below the threshold.
    if r.opportunistic_graft_ticks and tick % r.opportunistic_graft_ticks == 0:
        pick = opportunistic(cfg, net, st, now_ms, rng, dialect)
        graft(pick)
        grafted.append(pick)
    return Decisions(np.concatenate(grafted), neg, trimmed_idx)


def trim(cfg: Config, net: Network, st: EdgeState, u: int, rng: np.random.Generator, dialect: Dialect) -> np.ndarray:
    """GS-HB-3 for router ``u`` (mesh.py ``trim_order``): the mesh edges it prunes."""
    r = cfg.router
    lo, hi = net.ptr[u], net.ptr[u + 1]
    outbound = net.outbound
    plst = trim_order(lo + np.flatnonzero(st.mesh[lo:hi]), lambda e: st.score[e], lambda e: bool(outbound[e]), r,
                      dialect.dout_fill_to_d, rng)
    return np.array(plst[r.d:], np.int64)


def opportunistic(cfg: Config, net: Network, st: EdgeState, now_ms: int, rng: np.random.Generator,
                  dialect: Dialect) -> np.ndarray:
    """GS-HB-5 (mesh.py ``_opportunistic``): up to opportunistic_graft_peers candidates scoring above the
    median of the mesh, for each honest router whose mesh median is below the threshold."""
    mesh_idx = np.flatnonzero(st.mesh & net.honest_src)
    count = np.bincount(net.src[mesh_idx], minlength=net.nodes)
    order = np.lexsort((st.score[mesh_idx], net.src[mesh_idx]))
    starts = np.concatenate([[0], np.cumsum(count)])[:-1]
    has = count > 1
    median = np.full(net.nodes, np.inf)
    median[has] = st.score[mesh_idx[order][starts[has] + count[has] // 2]]
    low = median < cfg.thresholds.opportunistic_graft_threshold
    sc = st.score
    ok = candidates(net, st, now_ms, net.honest_src) & low[net.src] & (sc > median[net.src])
    if dialect.opportunistic_needs_nonnegative:
        ok &= sc >= 0
    cand = np.flatnonzero(ok)
    need = np.full(net.nodes, cfg.router.opportunistic_graft_peers)
    return per_group_pick(net.src[cand], cand, need, rng)
