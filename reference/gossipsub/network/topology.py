"""The overlay's connections (GS-NET-TOP): who dials whom, when, over which latency, from which IP.

Every connection is two directed edges ``u -> v`` ("u's view of v"), sorted by ``u`` so that each
node's edges are one contiguous range (``ptr[u]:ptr[u+1]``); ``rev`` maps an edge to its reverse.
Nodes ``0..honest-1`` are honest (the first ``publishers`` of them publish), the rest are Sybils.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from peerproof.reference.gossipsub.network.scenario import Scenario


@dataclass(frozen=True)
class Network:
    """The static overlay of one run: nodes, directed edges (CSR by source), latencies, dial times, IPs."""

    honest: int
    sybils: int
    publishers: int
    ip: np.ndarray  # (N,) int: one address per honest node, one per Sybil container
    src: np.ndarray  # (E,) int64, sorted
    dst: np.ndarray  # (E,) int64
    ptr: np.ndarray  # (N + 1,) int64: the edges of u are ptr[u]:ptr[u+1]
    rev: np.ndarray  # (E,) int64: the index of dst -> src
    lat_ms: np.ndarray  # (E,) int64, symmetric per connection
    outbound: np.ndarray  # (E,) bool: src dialled dst
    connect_ms: np.ndarray  # (E,) int64: when the connection comes up
    censor_target: int  # the publisher censoring Sybils drop, -1 if none

    @property
    def nodes(self) -> int:
        """Honest peers and Sybils."""
        return self.honest + self.sybils

    @property
    def edges(self) -> int:
        """Directed edges (two per connection)."""
        return len(self.src)

    @property
    def honest_src(self) -> np.ndarray:
        """Edges whose owner is honest: the views that keep scores."""
        return self.src < self.honest


def dial_targets(rng: np.random.Generator, n_dialers: int, pool: np.ndarray, k: int, exclude_self: bool) -> np.ndarray:
    """(n_dialers, k) distinct picks from ``pool`` per dialer (dialer i never picks pool[i] if excluded)."""
    if k >= len(pool):
        return np.broadcast_to(pool, (n_dialers, k))
    if n_dialers * len(pool) <= 4_000_000:  # small: one random key per (dialer, candidate)
        keys = rng.random((n_dialers, len(pool)))
        if exclude_self:
            keys[np.arange(n_dialers), np.arange(n_dialers)] = 2.0
        return pool[np.argpartition(keys, k - 1, axis=1)[:, :k]]
    out = np.empty((n_dialers, k), np.int64)
    for i in range(n_dialers):  # large: rejection sampling, a few draws per dialer
        picked: list[int] = []
        while len(picked) < k:
            for j in rng.integers(0, len(pool), 2 * k).tolist():
                if j not in picked and not (exclude_self and j == i):
                    picked.append(j)
                    if len(picked) == k:
                        break
        out[i] = pool[picked]
    return out


def dial_time_ms(rng: np.random.Generator, n: int, delay_ms: int, jitter_pct: float) -> np.ndarray:
    """HARD run.go connectTopology: delay + j% + U(0, 2j%) of the delay (so always later than the nominal)."""
    j = jitter_pct / 100.0
    return np.floor(delay_ms * (1 + j) + rng.random(n) * 2 * j * delay_ms).astype(np.int64)


def build_network(s: Scenario, rng: np.random.Generator) -> Network:
    """GS-NET-TOP-1: honest peers dial ``honest_links`` random honest peers; each Sybil dials ``links``
    peers of its target set; a pair dialled both ways is one connection (the first dial's direction)."""
    h, y = s.honest, s.sybils
    honest_pool = np.arange(h)
    hd = dial_targets(rng, h, honest_pool, s.honest_links, exclude_self=True)
    a = np.repeat(honest_pool, s.honest_links)
    b = hd.ravel()
    t_honest = dial_time_ms(rng, h, s.honest_connect_at_ms, s.honest_connect_jitter_pct)
    ta = t_honest[a]
    if y.count:
        pool = {"all": honest_pool, "publishers": np.arange(s.publishers), "single": np.arange(1)}[y.target]
        sd = dial_targets(rng, y.count, pool, y.links, exclude_self=False)
        sa = np.repeat(np.arange(h, h + y.count), y.links)
        t_sybil = dial_time_ms(rng, y.count, y.connect_at_ms, y.connect_jitter_pct)
        a = np.concatenate([a, sa])
        b = np.concatenate([b, sd.ravel()])
        ta = np.concatenate([ta, np.repeat(t_sybil, y.links)])
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    _, first = np.unique(lo * (h + y.count) + hi, return_index=True)
    a, b, ta = a[first], b[first], ta[first]
    j = s.jitter_pct / 100.0
    lat = np.maximum(1, np.rint(s.latency_ms * (1 - j + 2 * j * rng.random(len(a))))).astype(np.int64)
    # Every node listens from t = 0 (HARD joins the topic before the connect delay); a connection comes up
    # when its dialer dials.
    up = ta
    src = np.concatenate([a, b])
    dst = np.concatenate([b, a])
    order = np.lexsort((dst, src))
    m = len(a)
    rev_unsorted = np.concatenate([np.arange(m, 2 * m), np.arange(m)])
    position = np.empty(2 * m, np.int64)
    position[order] = np.arange(2 * m)
    n = h + y.count
    ip = np.concatenate([np.arange(h), h + np.arange(y.count) // y.per_ip])
    return Network(
        honest=h, sybils=y.count, publishers=s.publishers, ip=ip,
        src=src[order], dst=dst[order], ptr=np.searchsorted(src[order], np.arange(n + 1)).astype(np.int64),
        rev=position[rev_unsorted[order]], lat_ms=np.concatenate([lat, lat])[order],
        outbound=np.concatenate([np.ones(m, bool), np.zeros(m, bool)])[order],
        connect_ms=np.concatenate([up, up])[order], censor_target=0 if y.censor_single else -1,
    )
