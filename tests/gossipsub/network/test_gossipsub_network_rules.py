"""GS-NET-HB, GS-NET-CTL and GS-NET-GOSSIP on small overlays: backoff is honoured, gossip alone delivers,
Sybils re-GRAFT after their backoff, and a full mesh refuses inbound GRAFTs."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from peerproof.attacks.gossipsub.network.metrics import summarise
from peerproof.reference.gossipsub.network import control as ctl
from peerproof.reference.gossipsub.network import gossip, load_scenario, resolve_config, scaled, simulate

COLD = replace(scaled(load_scenario("cold-boot"), 20), warmup_ms=5000, run_ms=200_000, cooldown_ms=0)


def test_gs_net_hb_no_router_grafts_a_peer_during_its_prune_backoff() -> None:
    cfg, topic = resolve_config(COLD)
    from peerproof.reference.gossipsub.network.simulator import Run

    net = Run(COLD, cfg, topic, 0).net
    rec = simulate(COLD, cfg, topic, seed=0, probes=np.flatnonzero(net.src < net.honest))
    gaps = []
    for log in rec.probes.values():
        last_prune = None
        for t, _cls, _seq, kind, _a, _b in log:
            if kind == "prune":
                last_prune = t
            elif kind == "graft" and last_prune is not None:
                gaps.append(t - last_prune)
                last_prune = None
    assert gaps, "the run re-grafted nobody: the invariant was not exercised"
    assert min(gaps) >= cfg.router.prune_backoff_ms


def test_gs_net_ctl_2_sybils_regraft_between_backoff_and_backoff_plus_jitter(monkeypatch: pytest.MonkeyPatch) -> None:
    scheduled = []
    real = ctl.deliver_prunes

    def spy(net, st, sent, now_ms, y, rng, prune_view):
        real(net, st, sent, now_ms, y, rng, prune_view)
        back = net.rev[sent]
        sybil = back[net.src[back] >= net.honest]
        scheduled.extend((st.regraft_ms[sybil] - now_ms).tolist())

    monkeypatch.setattr(ctl, "deliver_prunes", spy)
    cfg, topic = resolve_config(COLD)
    simulate(COLD, cfg, topic, seed=1)
    y = COLD.sybils
    assert scheduled
    assert min(scheduled) >= y.regraft_backoff_ms and max(scheduled) < y.regraft_backoff_ms + y.regraft_jitter_ms


def test_gs_net_gossip_1_gossip_alone_delivers_when_meshes_never_form(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse_all(cfg, net, st, sent, now_ms, rng, graft_view, prune_sender, penalise):
        prune_sender(net.rev[sent])

    monkeypatch.setattr(ctl, "deliver_grafts", refuse_all)
    s = replace(scaled(load_scenario("baseline"), 20), warmup_ms=5000, run_ms=30_000, cooldown_ms=10_000,
                overrides={"router": {"flood_publish": False}})
    cfg, topic = resolve_config(s)
    with_gossip = summarise(simulate(s, cfg, topic, seed=0))
    assert with_gossip["mesh_degree_mean"] == 0
    assert with_gossip["delivery_ratio"] == 1.0
    assert with_gossip["latency_p50_ms"] >= cfg.router.heartbeat_interval_ms / 2  # waits for heartbeats
    monkeypatch.setattr(gossip, "emit_gossip", lambda *a: gossip.Gossip(tuple(np.zeros(0, np.int64)
                                                                              for _ in range(5)), 0, 0))
    without = summarise(simulate(s, cfg, topic, seed=0))
    assert without["delivery_ratio"] == 0.0


def test_gs_net_ctl_1_a_full_mesh_refuses_inbound_grafts_and_backoff_costs_p7() -> None:
    from peerproof.reference.gossipsub.network.simulator import Run

    s = replace(scaled(load_scenario("eclipse-net"), 40), sybils=replace(load_scenario("eclipse-net").sybils,
                                                                          count=40, links=30, connect_at_ms=0))
    cfg, topic = resolve_config(s)
    run = Run(s, cfg, topic, 0)
    net, st = run.net, run.st
    st.active[:] = True
    u = 0
    mine = np.arange(net.ptr[u], net.ptr[u + 1])
    inbound = mine[~net.outbound[mine]]
    st.mesh[inbound[: cfg.router.d_hi]] = True  # u's mesh is full
    pushers = net.rev[inbound[cfg.router.d_hi:]]  # the other inbound peers GRAFT u
    assert len(pushers)
    ctl_log = []
    ctl.deliver_grafts(cfg, net, st, pushers, 1000, np.random.default_rng(0), lambda i: ctl_log.append(("g", i)),
                       lambda i: ctl_log.append(("p", i)), lambda i, c: ctl_log.append(("7", i)))
    refused = np.concatenate([i for k, i in ctl_log if k == "p"])
    assert set(refused.tolist()) == set(inbound[cfg.router.d_hi:].tolist())  # PRUNEs go u -> pusher
    assert not st.mesh[inbound[cfg.router.d_hi:]].any()
    # Now they are in u's backoff: a second GRAFT costs each a behaviour penalty (two within the flood threshold).
    ctl_log.clear()
    ctl.deliver_grafts(cfg, net, st, pushers, 2000, np.random.default_rng(0), lambda i: None, lambda i: None,
                       lambda i, c: ctl_log.append((i, c)))
    (idx, counts), = ctl_log
    assert len(idx) == len(pushers) and (counts == 2.0).all()
