"""The experiments can fail: each catches a deliberately broken network model (GS-NET-EXP mutants)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from peerproof.attacks.gossipsub.network import experiments as X
from peerproof.reference.gossipsub.network import control, edges, simulator


def test_gs_net_exp_1_catches_routers_that_refuse_every_graft(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse_all(cfg, net, st, sent, now_ms, rng, graft_view, prune_sender, penalise):
        prune_sender(net.rev[sent])  # mutant: every GRAFT answered with PRUNE

    monkeypatch.setattr(control, "deliver_grafts", refuse_all)
    assert not X.baseline(peers=20, seeds=2, run_s=20).passed


def test_gs_net_exp_3_catches_latencies_read_in_the_wrong_unit(monkeypatch: pytest.MonkeyPatch) -> None:
    real = simulator.build_network

    def seconds_as_ms(s, rng):
        net = real(s, rng)
        return replace(net, lat_ms=net.lat_ms * 1000)  # mutant: "25ms" read as 25 s

    monkeypatch.setattr(simulator, "build_network", seconds_as_ms)
    assert not X.cold_boot(peers=20, seeds=2, run_s=20).passed


def test_gs_net_exp_5_catches_a_scorer_without_p3(monkeypatch: pytest.MonkeyPatch) -> None:
    real = edges.scores

    def no_p3(cfg, topic, st, dialect, idx=None):
        saved = st.p3_active.copy()
        st.p3_active[:] = False  # mutant: the mesh-delivery deficit never counts
        try:
            return real(cfg, topic, st, dialect, idx)
        finally:
            st.p3_active[:] = saved

    monkeypatch.setattr(edges, "scores", no_p3)
    out = X.free_riding(("eth2-lodestar",), peers=20, seeds=1)
    assert not out.passed and out.measured["eth2-lodestar"]["network"] == "stay"
