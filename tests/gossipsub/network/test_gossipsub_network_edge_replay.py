"""GS-NET-SCORE-8: every honest router's scores, vectorised over edges, equal the single-observer reference
model's replay of each sampled edge's events (through ``MODEL.final_state``), and a broken scorer is caught."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from peerproof.reference.gossipsub import MODEL, score
from peerproof.reference.gossipsub.network import edges as edge_scores
from peerproof.reference.gossipsub.network import (
    load_scenario,
    reference_events,
    resolve_config,
    scaled,
    scenario_from_mapping,
    simulate,
)
from peerproof.reference.gossipsub.network.probes import peer_name

RTOL = 1e-9  # increments of one timer slice are summed in one addition (GS-NET-SCORE-6)


def sample_edges(net, k: int, seed: int) -> np.ndarray:
    """``k`` random edges owned by honest routers, half of them to Sybils when there are any."""
    rng = np.random.default_rng(seed)
    owned = np.flatnonzero(net.src < net.honest)
    return rng.choice(owned, size=min(k, len(owned)), replace=False)


def mismatches(rec, cfg) -> list[tuple[int, float, float]]:
    """The probed honest edges whose simulated score differs from the reference replay."""
    bad = []
    for e in rec.probes:
        state = MODEL.final_state(cfg, reference_events(rec, e))
        ref = score(cfg, state, peer_name(int(rec.network.dst[e]), rec.network.honest))
        if not np.isclose(ref, rec.final_scores[e], rtol=RTOL, atol=1e-12):
            bad.append((e, ref, float(rec.final_scores[e])))
    return bad


def probed_run(s, config: str | None, seed: int, k: int = 24):
    cfg, topic = resolve_config(s, config)
    from peerproof.reference.gossipsub.network.simulator import Run

    net = Run(s, cfg, topic, seed).net  # the same topology the run will build from the seed
    return simulate(s, cfg, topic, seed=seed, probes=sample_edges(net, k, seed)), cfg


COLD = replace(scaled(load_scenario("cold-boot"), 30), warmup_ms=5000, run_ms=100_000, cooldown_ms=5000,
               delivery_weight=2)


@pytest.mark.parametrize("config", ["hardening", "eth2-lodestar", "filecoin-lotus"])
def test_gs_net_score_8_sampled_edges_match_the_reference_replay(config: str) -> None:
    rec, cfg = probed_run(COLD, config, seed=3)
    assert rec.final_scores[list(rec.probes)].any()  # the comparison is not between zeros
    assert mismatches(rec, cfg) == []


def test_gs_net_score_8_colocation_penalty_matches_the_reference_replay() -> None:
    s = replace(scaled(load_scenario("colocation"), 30), warmup_ms=2000, run_ms=20_000, cooldown_ms=0)
    rec, cfg = probed_run(s, None, seed=1, k=30)
    assert cfg.score.ip_colocation_factor_weight < 0
    assert (rec.final_scores[list(rec.probes)] < 0).any()
    assert mismatches(rec, cfg) == []


def test_gs_net_score_8_near_first_copies_match_the_reference_replay() -> None:
    # Eth2 block topics count copies within a 2 s window: duplicates earn P3 credit here.
    s = scenario_from_mapping({"scenario": "window", "honest": 30, "publishers": 30, "honest_links": 6,
                               "warmup": "2s", "run": "60s", "cooldown": "2s", "rate": 5, "delivery_weight": 1,
                               "config": "eth2-lighthouse"})
    rec, cfg = probed_run(s, None, seed=2)
    assert cfg.topics[rec.topic].mesh_message_deliveries_window_ms >= 1000
    assert any(kind == "dup" for log in rec.probes.values() for (_t, _c, _s, kind, _a, _b) in log)
    assert mismatches(rec, cfg) == []


def test_gs_net_score_8_replay_catches_a_scorer_that_does_not_decay_p2(monkeypatch) -> None:
    real = edge_scores.refresh

    def broken(cfg, topic, st, now_ms):
        kept = st.first.copy()
        real(cfg, topic, st, now_ms)
        st.first[:] = kept  # mutant: first deliveries never decay (GS-DECAY-2 skipped for P2)

    monkeypatch.setattr(edge_scores, "refresh", broken)
    rec, cfg = probed_run(COLD, "hardening", seed=3)
    assert mismatches(rec, cfg)
