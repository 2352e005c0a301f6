"""GS-NET-EXP-1..6: the acceptance experiments (a)-(f) at reduced size (30-40 honest peers, 5 seeds, shortened
run phases); bench/bench_network.py runs them at the gossipsub-hardening size."""

from __future__ import annotations

from peerproof.attacks.gossipsub.network import experiments as X

PEERS = 30
SEEDS = 5


def test_gs_net_exp_1_baseline_delivers_everything_in_time_with_meshes_in_range() -> None:
    out = X.baseline(peers=PEERS, seeds=SEEDS, run_s=40)
    assert out.passed, out.measured
    dup = out.measured["duplicates_per_delivery"]["mean"]
    # Every mesh link not on a message's first-arrival tree carries a copy each way: about D - 2 duplicates.
    assert out.measured["duplicates_expected_(D-2)/2"] < dup < out.measured["mesh_degree_mean"]["mean"]


def test_gs_net_exp_2_network_eclipse_is_within_seed_noise_of_the_baseline() -> None:
    out = X.eclipse(peers=PEERS, seeds=SEEDS, run_s=100)
    assert out.passed, out.measured
    assert out.measured["eclipse-net"]["attacker_share_mean"]["mean"] > 0.1  # the Sybils did get into meshes


def test_gs_net_exp_3_cold_boot_with_scoring_delivers_everything_before_6s() -> None:
    out = X.cold_boot(peers=PEERS, seeds=SEEDS, run_s=40)
    assert out.passed, out.measured
    assert out.measured["no-scoring"]["delivery_ratio"]["mean"] <= 1.0


def test_gs_net_exp_4_covert_flash_meshes_recover_within_120s() -> None:
    out = X.covert_flash(peers=PEERS, seeds=SEEDS)
    assert out.passed, out.measured


def test_gs_net_exp_5_free_riding_agrees_with_the_check_verdicts() -> None:
    verdicts = X.block_topic_verdicts()
    cheap_first = ("eth2-lighthouse", "eth2-lodestar", "eth2-prysm")  # prysm's P3 activates only after 1536 s
    violated = next((c for c in cheap_first if verdicts.get(c) == "violated"), None)
    holds = next((c for c in cheap_first if verdicts.get(c) == "holds"), None)
    assert violated and holds, f"the manifest no longer has a violated and a holding Eth2 block topic: {verdicts}"
    out = X.free_riding((violated, holds), peers=PEERS, seeds=SEEDS)
    assert out.passed, out.measured
    assert (out.measured[violated]["network"], out.measured[holds]["network"]) == ("stay", "pruned")


def test_gs_net_exp_6_no_false_positives_where_the_check_proves_good_peers_safe() -> None:
    proven = tuple(c for c, v in X.rewards_verdicts().items() if v == "holds")
    assert proven
    out = X.false_positives(("hardening", *X.BUNDLED), peers=PEERS, seeds=SEEDS, run_s=30,
                            loads=("baseline",))
    failing = out.measured["failing"]
    assert not any(f.endswith(f"/{c}") for f in failing for c in proven), failing
    assert "baseline/eth2-acl2s" in failing  # the finding: honest meshes collapse under eth2-acl2s
