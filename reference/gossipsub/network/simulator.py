"""The network run (GS-NET-RUN): timers in order, heartbeats, propagation, snapshots; deterministic per seed.

Time advances through three kinds of instant, as one router's clock does in the reference model
(GS-DECAY-1): copies arriving before a decay refresh are counted before it; at a heartbeat ``T`` the
copies arriving up to ``T`` are counted, then connections that came up are added, scores computed,
meshes maintained (GS-NET-HB), control messages delivered (GS-NET-CTL), gossip emitted (GS-NET-GOSSIP)
and the messages of the next heartbeat interval published. Every random choice draws from streams
spawned by ``numpy.random.SeedSequence(seed)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.dialect import get_dialect
from peerproof.reference.gossipsub.network import control, edges, gossip, heartbeat, propagation
from peerproof.reference.gossipsub.network.scenario import Scenario
from peerproof.reference.gossipsub.network.topology import Network, build_network

QUANTILES = (0.01, 0.05, 0.5, 0.95, 0.99)
MAX_LATENCY_MS = 120_000  # latency histogram range; later arrivals land in the last bin


@dataclass
class Snapshot:
    """The overlay at one heartbeat (every ``sample_every``): meshes and scores as the honest routers see them."""

    time_ms: int
    mesh_degree: np.ndarray  # per honest node
    attacker_share: float  # Sybil entries / all entries of honest meshes
    honest_scores: np.ndarray  # QUANTILES of honest peers' scores over honest edges
    sybil_scores: np.ndarray  # QUANTILES over honest-to-Sybil edges (NaN without Sybils)
    honest_nonnegative: float  # fraction of honest-to-honest edges scoring >= 0


@dataclass
class Recording:
    """Everything measured in one run, raw (peerproof.attacks.gossipsub.network computes the metrics)."""

    scenario: Scenario
    config: Config
    topic: str
    seed: int
    network: Network
    snapshots: list[Snapshot] = field(default_factory=list)
    latency_hist: np.ndarray = field(default_factory=lambda: np.zeros(MAX_LATENCY_MS + 1, np.int64))
    message_published_ms: list[int] = field(default_factory=list)
    message_delivered: list[int] = field(default_factory=list)  # honest receivers (origin excluded)
    message_max_latency_ms: list[int] = field(default_factory=list)  # -1 when nobody received it
    first_deliveries: int = 0  # first copies at honest receivers
    duplicates: int = 0  # later copies at honest receivers
    late_dropped: int = 0  # copies still in flight when their message retired
    control: control.ControlCounts = field(default_factory=control.ControlCounts)
    final_time_ms: int = 0
    final_scores: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per edge, at the last heartbeat
    final_mesh: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # per edge, after the last heartbeat
    final_mesh_time_ms: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # as of the last refresh
    probes: dict[int, list[tuple]] = field(default_factory=dict)  # edge -> (time, class, seq, kind, a, b)


class Run:
    """The mutable state of one run and its step functions (all arrays updated in place)."""

    def __init__(self, s: Scenario, cfg: Config, topic: str, seed: int, probes: np.ndarray | None = None) -> None:
        streams = [np.random.default_rng(c) for c in np.random.SeedSequence(seed).spawn(6)]
        self.rng_top, self.rng_hb, self.rng_ctl, self.rng_pub, self.rng_drop, self.rng_gossip = streams
        self.s, self.cfg, self.topic, self.dialect = s, cfg, topic, get_dialect(cfg.dialect)
        self.net = build_network(s, self.rng_top)
        self.st = edges.new_edge_state(self.net)
        r = cfg.router  # room for the messages of the gossip window and those in flight, grown if needed
        live = s.rate * (r.history_gossip + 4) * r.heartbeat_interval_ms / 1000
        self.msgs = propagation.Messages(self.net.nodes, capacity=max(64, int(1.3 * live)))
        self.pending = propagation.Pending(int(self.net.lat_ms.min()) if self.net.edges else 1)
        self.rec = Recording(s, cfg, topic, seed, self.net)
        self.probe_mask = np.zeros(self.net.edges, bool)
        if probes is not None:
            self.probe_mask[probes] = True
            self.rec.probes = {int(e): [] for e in probes}
        self.seq = 0
        self.live: list[int] = []
        self.fw = propagation.forwarding(self.net, self.st.mesh, self.st.mesh)
        self.tick = 0
        self.n_first = np.zeros(self.net.edges)  # per-edge scratch counts of one bucket
        self.n_near = np.zeros(self.net.edges)
        self.edge_mark = np.zeros(self.net.edges, np.int64)
        self.graylisting = False  # whether any honest router scores a peer below the graylist threshold

    # -- probes (the events of sampled edges, for the reference replay) ---------------------------------
    def log(self, idx: np.ndarray, time_ms: int | np.ndarray, cls: int, kind: str, a: object = None,
            b: object = None) -> None:
        """Record ``kind`` on the probed edges among ``idx``."""
        hit = np.flatnonzero(self.probe_mask[idx])
        for i in hit:
            t = int(time_ms if np.isscalar(time_ms) else time_ms[i])
            aa = a[i] if isinstance(a, np.ndarray) else a
            bb = b[i] if isinstance(b, np.ndarray) else b
            self.rec.probes[int(idx[i])].append((t, cls, self.seq, kind, aa, bb))
            self.seq += 1

    # -- a router's own view ----------------------------------------------------------------------------
    def graft_view(self, idx: np.ndarray, now: int) -> None:
        """GS-NET-SCORE-3 on honest views (a Sybil's mesh is a plain set)."""
        edges.graft(self.st, idx, now)
        self.log(idx, now, 2, "graft")

    def prune_view(self, idx: np.ndarray, now: int) -> None:
        """GS-NET-SCORE-4 on honest views."""
        edges.prune(self.cfg, self.topic, self.st, idx, now, self.dialect, self.cfg.router.prune_backoff_ms)
        self.log(idx, now, 2, "prune")

    def penalise(self, idx: np.ndarray, counts: np.ndarray, now: int) -> None:
        """GS-P7-1: behaviour penalties (GRAFT during backoff)."""
        np.add.at(self.st.penalty, idx, counts)
        self.log(idx, now, 2, "penalty", counts)

    def send_prunes(self, sent: np.ndarray, now: int) -> None:
        """PRUNE messages along ``sent`` edges, delivered."""
        self.rec.control.prune += len(sent)
        control.deliver_prunes(self.net, self.st, sent, now, self.s.sybils, self.rng_ctl,
                               lambda i: self.prune_view(i, now))

    def send_grafts(self, sent: np.ndarray, now: int) -> None:
        """GRAFT messages along ``sent`` edges, delivered (refusals answered with PRUNE)."""
        self.rec.control.graft += len(sent)
        control.deliver_grafts(self.cfg, self.net, self.st, sent, now, self.rng_ctl,
                               lambda i: self.graft_view(i, now), lambda i: self.send_prunes(i, now),
                               lambda i, c: self.penalise(i, c, now))

    # -- time -----------------------------------------------------------------------------------------
    def deliver_until(self, limit_ms: int) -> None:
        """Settle every copy arriving before ``limit_ms``, crediting scores and sending relays on."""
        net, st, w = self.net, self.st, self.s.delivery_weight
        window = self.cfg.score.topics[self.topic].mesh_message_deliveries_window_ms
        graylist = self.cfg.thresholds.graylist_threshold
        while (items := self.pending.pop_before(limit_ms)) is not None:
            accept = None
            if self.graylisting:
                rcv, e = items[2], items[4]
                accept = ~((rcv < net.honest) & (e >= 0) & (st.score[net.rev[np.maximum(e, 0)]] < graylist))
            b = propagation.settle(net, self.msgs, items, accept)
            scored = (b.receiver < net.honest) & (b.edge >= 0)
            view = net.rev[b.edge[scored]]
            first = b.first[scored]
            near = ~first & (b.time[scored] - b.first_seen[scored] <= window)
            self.rec.first_deliveries += int(first.sum())
            self.rec.duplicates += int((~first).sum())
            idx = self.distinct(view)
            n_first, n_near = self.n_first, self.n_near
            np.add.at(n_first, view, first.astype(float))
            np.add.at(n_near, view, near.astype(float))
            edges.credit(self.cfg, self.topic, st, idx, w * n_first[idx], w * n_near[idx])
            n_first[idx] = 0.0
            n_near[idx] = 0.0
            if self.probe_mask.any():
                t, mid, seen = b.time[scored], b.mid[scored], b.first_seen[scored]
                self.log(view[first], t[first], 1, "first", mid[first])
                self.log(view[~first], t[~first], 1, "dup", mid[~first], seen[~first])
            self.pending.push(propagation.relays(net, self.msgs, self.fw, b, self.forwards,
                                                 self.cfg.router.flood_publish))

    def distinct(self, idx: np.ndarray) -> np.ndarray:
        """The distinct edges of ``idx`` in first-occurrence order, in linear time (a scratch mark per edge)."""
        pos = np.arange(len(idx))
        self.edge_mark[idx[::-1]] = pos[::-1]
        return idx[self.edge_mark[idx] == pos]

    def forwards(self, mid: np.ndarray, receiver: np.ndarray, time: np.ndarray) -> np.ndarray:
        """Whether each receiver passes its first copy on: honest always; a Sybil as badboy.go decides."""
        y = self.s.sybils
        sybil = receiver >= self.net.honest
        ok = np.ones(len(mid), bool)
        if not sybil.any():
            return ok
        attacking = sybil & (time >= y.attack_delay_ms)
        if y.censor_single:
            drops = attacking & (self.msgs.origin[mid] == self.net.censor_target)
        else:
            drops = attacking & (self.rng_drop.random(len(mid)) < y.degrade)
        return ~drops

    def refresh(self, now: int) -> None:
        """GS-NET-SCORE-2 at a decay refresh."""
        edges.refresh(self.cfg, self.topic, self.st, now)

    def beat(self, now: int) -> None:
        """One heartbeat of every router (GS-NET-RUN-2)."""
        net, st, cfg = self.net, self.st, self.cfg
        self.tick += 1
        newly = np.flatnonzero(~st.active & (net.connect_ms <= now))
        st.active[newly] = True
        self.log(newly, now, 0, "add_peer")
        if len(newly) and cfg.score.ip_colocation_factor_weight:
            edges.colocation(cfg, net, st)
        hs = net.honest_src
        st.score[:] = 0.0
        if self.s.scoring:
            st.score[hs] = edges.scores(cfg, self.topic, st, self.dialect, np.flatnonzero(hs))
        self.rec.final_scores = st.score.copy()
        self.rec.final_time_ms = now
        d = heartbeat.heartbeat(cfg, net, st, now, self.tick, self.dialect, self.rng_hb,
                                lambda i: self.prune_view(i, now), lambda i: self.graft_view(i, now))
        self.send_prunes(np.concatenate([d.pruned_by_score, d.pruned_by_trim]), now)
        self.send_grafts(d.grafted, now)
        self.send_grafts(control.sybil_grafts(net, st, now, newly), now)
        mesh_ok = st.mesh & st.active
        flood_ok = hs & st.active & (st.score >= cfg.thresholds.publish_threshold)
        if self.s.scoring:  # a graylisted sender's copies are dropped unread: do not send them
            ok = ~((net.dst < net.honest) & (st.score[net.rev] < cfg.thresholds.graylist_threshold))
            mesh_ok, flood_ok = mesh_ok & ok, flood_ok & ok
        self.fw = propagation.forwarding(net, mesh_ok, flood_ok)
        self.graylisting = self.s.scoring and bool((st.score[hs] < cfg.thresholds.graylist_threshold).any())
        live = np.asarray(self.live, np.int64)
        if len(live):
            g = gossip.emit_gossip(cfg, net, st, self.msgs, live, now, self.rng_gossip)
            self.rec.control.ihave += g.ihave
            self.rec.control.iwant += g.iwant
            self.pending.push(g.items)
        self.publish(now)
        self.retire(now)
        if now % self.s.sample_every_ms < cfg.router.heartbeat_interval_ms:
            self.snapshot(now)

    def publish(self, now: int) -> None:
        """The messages of the next heartbeat interval, within the run phase (Poisson at the sampled rate)."""
        s, hb = self.s, self.cfg.router.heartbeat_interval_ms
        lo, hi = max(now, s.warmup_ms), min(now + hb, s.warmup_ms + s.run_ms)
        if hi <= lo:
            return
        n = self.rng_pub.poisson(s.rate * (hi - lo) / 1000.0)
        times = np.sort(self.rng_pub.integers(lo, hi, n))
        origins = self.rng_pub.integers(0, s.publishers, n)
        mids = np.array([self.msgs.publish(int(o), int(t)) for o, t in zip(origins, times, strict=True)], np.int64)
        self.live.extend(mids.tolist())
        self.pending.push((mids, np.full(n, -1, np.int64), origins.astype(np.int64), times.astype(np.int64),
                           np.full(n, -1, np.int64)))

    def retire(self, now: int) -> None:
        """Messages past the gossip window and in flight no longer: their delivery and latency recorded."""
        r = self.cfg.router
        horizon = now - (r.history_gossip + 3) * r.heartbeat_interval_ms
        keep = []
        for mid in self.live:
            if self.msgs.published_ms[mid] >= horizon:
                keep.append(mid)
                continue
            self.record_message(mid, self.msgs.retire(mid))
        self.live = keep

    def record_message(self, mid: int, row: np.ndarray) -> None:
        """One message's deliveries to honest nodes (its origin excluded)."""
        h = self.net.honest
        t0 = int(self.msgs.published_ms[mid])
        arrived = row[:h].copy()
        arrived[int(self.msgs.origin[mid])] = propagation.INF
        got = arrived < propagation.INF
        lat = arrived[got] - t0
        np.add.at(self.rec.latency_hist, np.minimum(lat, MAX_LATENCY_MS), 1)
        self.rec.message_published_ms.append(t0)
        self.rec.message_delivered.append(int(got.sum()))
        self.rec.message_max_latency_ms.append(int(lat.max()) if len(lat) else -1)

    def snapshot(self, now: int) -> None:
        """GS-NET-RUN-3: mesh degrees, attacker share, score quantiles."""
        net, st = self.net, self.st
        hs = net.honest_src & st.active
        to_sybil = net.dst >= net.honest
        mesh = st.mesh & hs
        degree = np.bincount(net.src[mesh], minlength=net.nodes)[: net.honest]
        total = int(mesh.sum())
        share = float((mesh & to_sybil).sum() / total) if total else 0.0
        hon = st.score[hs & ~to_sybil]
        syb = st.score[hs & to_sybil]
        nan = np.full(len(QUANTILES), np.nan)
        self.rec.snapshots.append(Snapshot(
            now, degree, share, np.quantile(hon, QUANTILES) if len(hon) else nan,
            np.quantile(syb, QUANTILES) if len(syb) else nan, float((hon >= 0).mean()) if len(hon) else 1.0))


def simulate(s: Scenario, cfg: Config, topic: str, seed: int = 0, probes: np.ndarray | None = None,
             progress: Callable[[int, int], None] | None = None) -> Recording:
    """GS-NET-RUN-1: run scenario ``s`` under ``cfg`` for its whole duration; ``probes`` are edges whose
    events are recorded for the reference replay; ``progress(now_ms, end_ms)`` is called each heartbeat."""
    run = Run(s, cfg, topic, seed, probes)
    hb, di = cfg.router.heartbeat_interval_ms, cfg.score.decay_interval_ms
    next_refresh, beat_at, end = di, hb, s.duration_ms
    while beat_at <= end:
        run.deliver_until(min(next_refresh, beat_at + 1))
        if next_refresh <= beat_at:
            run.refresh(next_refresh)
            next_refresh += di
            continue
        run.beat(beat_at)
        if progress is not None:
            progress(beat_at, end)
        beat_at += hb
    run.deliver_until(end + 1)
    for mid in run.live:
        run.record_message(mid, run.msgs.retire(mid))
    run.rec.final_mesh = run.st.mesh.copy()
    run.rec.final_mesh_time_ms = run.st.mesh_time_ms.copy()
    run.rec.late_dropped = sum(len(p[0]) for parts in run.pending.buckets.values() for p in parts)
    return run.rec
