"""The bundled GossipSub configs (GS-CFG): each one loads, the derived ones are exactly what their clients'
formulas give, and they reproduce the values the project notes tabulate (notes/gossipsub.md §8) and the
findings of the ACL2s papers (notes §6)."""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from contextlib import redirect_stdout
from typing import Any

import pytest
import yaml
from peerproof.reference.configfile import read_document
from peerproof.reference.gossipsub import (
    PeerStats,
    State,
    TopicStats,
    breakdown,
    get_dialect,
    load_config,
)
from peerproof.reference.gossipsub.derivation import DERIVED_NAMES, derive, main
from peerproof.reference.gossipsub.derivation_eth2 import (
    aggregators_per_slot,
    committees_per_slot,
    lodestar_aggregators_per_slot,
    prysm_topics,
)
from peerproof.reference.gossipsub.derivation_eth2_configs import lighthouse_config
from peerproof.spec import bundled_config_path, bundled_configs

BUNDLED = ("eth2-acl2s", "eth2-lighthouse", "eth2-lodestar", "eth2-prysm", "filecoin-acl2s", "filecoin-lotus")
NAMES = [c.name for c in bundled_configs("gossipsub")]

EXPECTED_WARNINGS: dict[str, list[str]] = {name: [] for name in BUNDLED}


def doc(name: str) -> Mapping[str, Any]:
    return read_document(bundled_config_path(name))


def topic(name: str, key: str) -> Mapping[str, Any]:
    return doc(name)["score_params"]["topics"][key]


def agrees(actual: float, printed: str) -> bool:
    """True when ``actual`` rounds to ``printed`` at the number of decimals printed (the notes' tables)."""
    decimals = len(printed.partition(".")[2])
    return abs(actual - float(printed)) <= 0.5 * 10**-decimals + 1e-12


def assert_close(actual: Any, expected: Any, path: str = "") -> None:
    if isinstance(expected, Mapping):
        assert isinstance(actual, Mapping), path
        assert list(actual) == list(expected), path
        for key in expected:
            assert_close(actual[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, float | int) and not isinstance(expected, bool):
        assert isinstance(actual, float | int) and not isinstance(actual, bool), path
        assert math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9), f"{path}: {actual} != {expected}"
    else:
        assert actual == expected, path


# --- every bundled config -----------------------------------------------------------------------------

def test_all_six_issue_configs_are_bundled():
    assert set(BUNDLED) <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_bundled_config_loads_with_only_its_known_warnings(name):
    config = load_config(bundled_config_path(name))
    assert config.name == name
    assert [str(w) for w in config.warnings] == EXPECTED_WARNINGS.get(name, [])


def test_every_bundled_config_names_its_source_and_derivation_inputs():
    for bundled in bundled_configs("gossipsub"):
        assert {"repository", "file", "version", "inputs", "notes"} <= set(bundled.source), bundled.name
        assert doc(bundled.name)["protocol"] == "gossipsub"


def test_unknown_bundled_config_name_lists_the_bundled_ones():
    with pytest.raises(ValueError, match="eth2-lighthouse"):
        bundled_config_path("eth2-teku")


# --- derived configs ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", DERIVED_NAMES)
def test_derived_config_file_equals_its_clients_formulas(name):
    on_disk = yaml.safe_load(bundled_config_path(name).read_text(encoding="utf-8"))
    assert_close(on_disk, derive(name).document)


def same_but_for_float_rounding(line: str, expected: str) -> bool:
    """Lines equal, or equal but for a number within 1e-9 (libm's pow may differ in the last bit)."""
    if line == expected:
        return True
    key, _, value = line.partition(": ")
    expected_key, _, expected_value = expected.partition(": ")
    try:
        return key == expected_key and math.isclose(float(value), float(expected_value), rel_tol=1e-9)
    except ValueError:
        return False


@pytest.mark.parametrize("name", DERIVED_NAMES)
def test_derived_config_file_is_the_generator_output_with_its_comments(name):
    out = io.StringIO()
    with redirect_stdout(out):
        assert main([name]) == 0
    on_disk = bundled_config_path(name).read_text(encoding="utf-8").splitlines()
    generated = out.getvalue().splitlines()
    assert len(on_disk) == len(generated)
    for line, expected in zip(on_disk, generated, strict=True):
        assert same_but_for_float_rounding(line, expected), f"{line!r} != {expected!r}"


def test_derivation_refuses_a_config_it_does_not_derive():
    assert main(["eth2-acl2s"]) == 2


@pytest.mark.parametrize("name", ["eth2-lighthouse", "eth2-lodestar", "eth2-prysm"])
def test_all_64_attestation_subnets_are_scored_alike(name):
    topics = doc(name)["score_params"]["topics"]
    subnets = [topics[f"beacon_attestation_{i}"] for i in range(64)]
    assert all(s == subnets[0] for s in subnets)
    assert subnets[0]["topic_weight"] == 1 / 64


def test_eth2_inputs_at_a_million_validators():
    assert committees_per_slot(1_000_000) == 64
    assert agrees(aggregators_per_slot(1_000_000), "1041.67")
    assert lodestar_aggregators_per_slot(1_000_000) == 1041


def test_eth2_clients_share_their_thresholds():
    expected = {"gossip_threshold": -4000, "publish_threshold": -8000, "graylist_threshold": -16000,
                "accept_px_threshold": 100, "opportunistic_graft_threshold": 5}
    for name in ("eth2-lighthouse", "eth2-lodestar", "eth2-prysm"):
        assert doc(name)["thresholds"] == expected


TABLE_8_3 = {  # notes/gossipsub.md §8.3: (config, score_params field, printed value)
    ("eth2-lighthouse", "topic_score_cap", "53.75"), ("eth2-lighthouse", "ip_colocation_factor_weight", "-53.75"),
    ("eth2-lighthouse", "ip_colocation_factor_threshold", "8"),
    ("eth2-lighthouse", "behaviour_penalty_weight", "-15.8793"),
    ("eth2-lighthouse", "behaviour_penalty_decay", "0.985712"),
    ("eth2-lodestar", "topic_score_cap", "55"), ("eth2-lodestar", "ip_colocation_factor_weight", "-55"),
    ("eth2-lodestar", "ip_colocation_factor_threshold", "3"), ("eth2-lodestar", "behaviour_penalty_weight", "-15.8793"),
    ("eth2-prysm", "topic_score_cap", "32.72"), ("eth2-prysm", "ip_colocation_factor_weight", "-35.11"),
    ("eth2-prysm", "ip_colocation_factor_threshold", "10"), ("eth2-prysm", "behaviour_penalty_weight", "-15.92"),
    ("eth2-prysm", "behaviour_penalty_decay", "0.985712"),
}


@pytest.mark.parametrize(("name", "field", "printed"), sorted(TABLE_8_3))
def test_global_params_match_the_notes_table(name, field, printed):
    assert agrees(doc(name)["score_params"][field], printed)


def test_eth2_clients_decay_every_slot_and_retain_scores_100_epochs():
    for name in ("eth2-lighthouse", "eth2-lodestar", "eth2-prysm"):
        params = doc(name)["score_params"]
        assert (params["decay_interval"], params["decay_to_zero"], params["retain_score"]) == ("12s", 0.01, "640m")


TABLE_8_4 = [  # notes/gossipsub.md §8.4: (config, topic, field, printed value); Lighthouse at its default D=5
    ("eth2-lighthouse", "beacon_block", "first_message_deliveries_decay", "0.99283"),
    ("eth2-lighthouse", "beacon_block", "first_message_deliveries_cap", "55.7899"),
    ("eth2-lighthouse", "beacon_block", "first_message_deliveries_weight", "0.716975"),
    ("eth2-lighthouse", "beacon_block", "mesh_message_deliveries_decay", "0.971628"),
    ("eth2-lighthouse", "beacon_block", "mesh_message_deliveries_threshold", "0.684919"),
    ("eth2-lighthouse", "beacon_block", "mesh_message_deliveries_cap", "2.054757"),
    ("eth2-lighthouse", "beacon_block", "mesh_message_deliveries_weight", "-0.5"),
    ("eth2-lighthouse", "beacon_block", "mesh_failure_penalty_weight", "-0.5"),
    ("eth2-lighthouse", "beacon_block", "invalid_message_deliveries_weight", "-215"),
    ("eth2-lighthouse", "beacon_block", "invalid_message_deliveries_decay", "0.997126"),
    ("eth2-lighthouse", "beacon_block", "time_in_mesh_weight", "0.033333"),
    ("eth2-lighthouse", "beacon_block", "time_in_mesh_cap", "300"),
    ("eth2-lighthouse", "beacon_aggregate_and_proof", "first_message_deliveries_decay", "0.865964"),
    ("eth2-lighthouse", "beacon_aggregate_and_proof", "first_message_deliveries_cap", "3108.625"),
    ("eth2-lighthouse", "beacon_aggregate_and_proof", "first_message_deliveries_weight", "0.012867"),
    ("eth2-lighthouse", "beacon_aggregate_and_proof", "mesh_message_deliveries_decay", "0.930572"),
    ("eth2-lighthouse", "beacon_aggregate_and_proof", "mesh_message_deliveries_threshold", "279.2379"),
    ("eth2-lighthouse", "beacon_aggregate_and_proof", "mesh_message_deliveries_cap", "1116.9516"),
    ("eth2-lighthouse", "beacon_aggregate_and_proof", "invalid_message_deliveries_weight", "-215"),
    ("eth2-lighthouse", "beacon_attestation_7", "first_message_deliveries_cap", "1457.168"),
    ("eth2-lighthouse", "beacon_attestation_7", "first_message_deliveries_weight", "0.027451"),
    ("eth2-lighthouse", "beacon_attestation_7", "mesh_message_deliveries_decay", "0.964662"),
    ("eth2-lighthouse", "beacon_attestation_7", "mesh_message_deliveries_threshold", "266.5805"),
    ("eth2-lighthouse", "beacon_attestation_7", "mesh_message_deliveries_cap", "4265.288"),
    ("eth2-lighthouse", "beacon_attestation_7", "mesh_message_deliveries_weight", "-0.015625"),
    ("eth2-lighthouse", "beacon_attestation_7", "invalid_message_deliveries_weight", "-6880"),
    ("eth2-lighthouse", "voluntary_exit", "first_message_deliveries_decay", "0.998562"),
    ("eth2-lighthouse", "voluntary_exit", "first_message_deliveries_cap", "34.7686"),
    ("eth2-lighthouse", "voluntary_exit", "first_message_deliveries_weight", "1.150465"),
    ("eth2-lighthouse", "voluntary_exit", "invalid_message_deliveries_weight", "-2150"),
    ("eth2-lighthouse", "attester_slashing", "first_message_deliveries_cap", "1.738428"),
    ("eth2-lighthouse", "proposer_slashing", "first_message_deliveries_weight", "23.00929"),
    ("eth2-lodestar", "beacon_block", "first_message_deliveries_cap", "34.8687"),
    ("eth2-lodestar", "beacon_block", "first_message_deliveries_weight", "1.14716"),
    ("eth2-lodestar", "beacon_block", "mesh_message_deliveries_threshold", "0.684919"),
    ("eth2-lodestar", "beacon_block", "mesh_message_deliveries_weight", "-468.968934"),
    ("eth2-lodestar", "beacon_block", "mesh_failure_penalty_weight", "-468.968934"),
    ("eth2-lodestar", "beacon_block", "invalid_message_deliveries_weight", "-220"),
    ("eth2-lodestar", "beacon_aggregate_and_proof", "first_message_deliveries_cap", "1941.647"),
    ("eth2-lodestar", "beacon_aggregate_and_proof", "first_message_deliveries_weight", "0.020601"),
    ("eth2-lodestar", "beacon_aggregate_and_proof", "mesh_message_deliveries_threshold", "279.0592"),
    ("eth2-lodestar", "beacon_aggregate_and_proof", "mesh_message_deliveries_cap", "1116.2368"),
    ("eth2-lodestar", "beacon_aggregate_and_proof", "mesh_message_deliveries_weight", "-0.002825"),
    ("eth2-lodestar", "beacon_attestation_63", "first_message_deliveries_cap", "910.730"),
    ("eth2-lodestar", "beacon_attestation_63", "mesh_message_deliveries_weight", "-0.099064"),
    ("eth2-lodestar", "beacon_attestation_63", "invalid_message_deliveries_weight", "-7040"),
    ("eth2-lodestar", "attester_slashing", "invalid_message_deliveries_weight", "-2200"),
    ("eth2-prysm", "beacon_block", "topic_weight", "0.8"),
    ("eth2-prysm", "beacon_block", "first_message_deliveries_cap", "23"),
    ("eth2-prysm", "beacon_block", "first_message_deliveries_weight", "1"),
    ("eth2-prysm", "beacon_block", "mesh_message_deliveries_threshold", "16"),
    ("eth2-prysm", "beacon_block", "mesh_message_deliveries_cap", "160"),
    ("eth2-prysm", "beacon_block", "mesh_message_deliveries_weight", "0"),
    ("eth2-prysm", "beacon_block", "invalid_message_deliveries_weight", "-140.4475"),
    ("eth2-prysm", "beacon_attestation_0", "first_message_deliveries_decay", "0.964662"),
    ("eth2-prysm", "beacon_attestation_0", "first_message_deliveries_cap", "3452.337"),
    ("eth2-prysm", "beacon_attestation_0", "first_message_deliveries_weight", "0.011586"),
    ("eth2-prysm", "beacon_attestation_0", "mesh_message_deliveries_decay", "0.991046"),
    ("eth2-prysm", "beacon_attestation_0", "mesh_message_deliveries_threshold", "600.1323"),
    ("eth2-prysm", "beacon_attestation_0", "mesh_message_deliveries_cap", "2400.529"),
    ("eth2-prysm", "beacon_attestation_0", "mesh_message_deliveries_weight", "0"),
    ("eth2-prysm", "beacon_attestation_0", "invalid_message_deliveries_weight", "-9920"),
]


@pytest.mark.parametrize(("name", "key", "field", "printed"), TABLE_8_4)
def test_topic_params_match_the_notes_table(name, key, field, printed):
    assert agrees(topic(name, key)[field], printed)


@pytest.mark.parametrize(("name", "key", "activation", "window"), [
    ("eth2-lighthouse", "beacon_block", "384s", "2s"), ("eth2-lighthouse", "beacon_attestation_0", "204s", "2s"),
    ("eth2-lodestar", "beacon_block", "384s", "12s"), ("eth2-lodestar", "beacon_attestation_0", "204s", "12s"),
    ("eth2-prysm", "beacon_block", "1536s", "2s"), ("eth2-prysm", "beacon_attestation_0", "384s", "2s")])
def test_p3_activation_and_window_match_the_notes_table(name, key, activation, window):
    params = topic(name, key)
    assert (params["mesh_message_deliveries_activation"], params["mesh_message_deliveries_window"]) == (
        activation, window)


def test_lighthouse_at_network_load_4_matches_the_notes_d8_column():
    topics = lighthouse_config(network_load=4)["score_params"]["topics"]
    assert agrees(topics["beacon_block"]["first_message_deliveries_cap"], "34.8687")
    assert agrees(topics["beacon_block"]["first_message_deliveries_weight"], "1.14716")
    assert agrees(topics["beacon_aggregate_and_proof"]["first_message_deliveries_cap"], "1942.891")
    assert agrees(topics["beacon_aggregate_and_proof"]["first_message_deliveries_weight"], "0.020588")
    assert agrees(topics["beacon_attestation_0"]["first_message_deliveries_weight"], "0.043921")
    assert agrees(topics["voluntary_exit"]["first_message_deliveries_cap"], "21.7304")
    assert agrees(topics["proposer_slashing"]["first_message_deliveries_weight"], "36.814865")


def test_prysm_mesh_delivery_weights_when_scored_match_the_notes():
    scored = prysm_topics(1_000_000, scored=True)
    assert scored["beacon_block"]["mesh_message_deliveries_weight"] == -0.717
    assert agrees(scored["beacon_attestation_0"]["mesh_message_deliveries_weight"], "-0.027543")


def test_lotus_decays_are_go_score_parameter_decay():
    blocks = topic("filecoin-lotus", "/fil/blocks/testnetnet")
    messages = topic("filecoin-lotus", "/fil/msgs/testnetnet")
    assert agrees(blocks["first_message_deliveries_decay"], "0.998722")
    assert agrees(messages["first_message_deliveries_decay"], "0.992354")
    assert agrees(doc("filecoin-lotus")["score_params"]["behaviour_penalty_decay"], "0.998722")
    assert doc("filecoin-lotus")["score_params"]["topic_score_cap"] == 0


# --- the ACL2s papers' configurations -----------------------------------------------------------------

ETH2_ACL2S_TOPICS = {"BLOCKS": "beacon_block", "AGG": "beacon_aggregate_and_proof", "SUB1": "beacon_attestation_0",
                     "SUB2": "beacon_attestation_1", "SUB3": "beacon_attestation_2"}


def test_eth2_acl2s_keeps_the_models_exact_weights():
    params = doc("eth2-acl2s")["score_params"]
    assert (params["topic_score_cap"], params["ip_colocation_factor_weight"], params["behaviour_penalty_weight"]) == (
        32.72, -35.11, -15.92)
    fields = ("time_in_mesh_weight", "first_message_deliveries_weight", "mesh_message_deliveries_weight",
              "mesh_failure_penalty_weight", "invalid_message_deliveries_weight")
    weights = {k: tuple(topic("eth2-acl2s", v)[f] for f in fields) for k, v in ETH2_ACL2S_TOPICS.items()}
    assert weights["BLOCKS"] == (0.0324, 1, -0.717, -0.717, -140.4475)
    assert weights["AGG"] == (0.0324, 0.128, -0.064, -0.064, -140.4475)
    assert weights["SUB1"] == weights["SUB2"] == weights["SUB3"] == (0.0324, 0.955, -37.55, -37.55, -4544)
    assert doc("eth2-acl2s")["source"]["model_topics"] == ETH2_ACL2S_TOPICS


@pytest.mark.parametrize(("name", "key", "field", "slots"), [
    ("eth2-acl2s", "beacon_block", "first_message_deliveries_decay", 20),
    ("eth2-acl2s", "beacon_block", "mesh_message_deliveries_decay", 5),
    ("eth2-acl2s", "beacon_aggregate_and_proof", "mesh_message_deliveries_decay", 1),
    ("eth2-acl2s", "beacon_attestation_2", "first_message_deliveries_decay", 4),
    ("eth2-acl2s", "beacon_attestation_2", "mesh_failure_penalty_decay", 16),
    ("eth2-acl2s", "beacon_attestation_2", "invalid_message_deliveries_decay", 50),
    ("filecoin-acl2s", "/fil/blocks/testnetnet", "first_message_deliveries_decay", 3600),
    ("filecoin-acl2s", "/fil/msgs/testnetnet", "first_message_deliveries_decay", 600)])
def test_acl2s_decays_reach_one_percent_over_the_models_window(name, key, field, slots):
    assert math.isclose(topic(name, key)[field] ** slots, 0.01, rel_tol=1e-12)


def acl2s_state(counters: Mapping[str, tuple[float, float, float]], config, peer: str = "P") -> State:
    """A peer in every mesh with the model's counters (first deliveries, mesh deliveries, mesh time in s).

    The model adds the current deficit² to P3b when it scores; here that deficit² is the P3b counter.
    """
    topics = {}
    for model_topic, (first, mesh, mesh_time_s) in counters.items():
        tp = config.topics[ETH2_ACL2S_TOPICS.get(model_topic, model_topic)]
        active = mesh_time_s * 1000 > tp.mesh_message_deliveries_activation_ms
        deficit = tp.mesh_message_deliveries_threshold - mesh if active and tp.mesh_message_deliveries_weight else 0
        topics[ETH2_ACL2S_TOPICS.get(model_topic, model_topic)] = TopicStats(
            in_mesh=True, mesh_time_ms=round(mesh_time_s * 1000), first_message_deliveries=first,
            mesh_message_deliveries=mesh, mesh_message_deliveries_active=active,
            mesh_failure_penalty=max(deficit, 0) ** 2)
    return State(peers={peer: PeerStats(topics=topics)})


def test_eth2_acl2s_reproduces_the_topic_consistency_counterexample():
    """Property 1 (scoring-eth2.lisp, peer P1): two negative topics under a positive total."""
    config = load_config(bundled_config_path("eth2-acl2s"))
    state = acl2s_state({"BLOCKS": (194, 200, 147), "AGG": (0, 1, 42), "SUB1": (188, 194, 141),
                         "SUB2": (0, 1, 42), "SUB3": (182, 188, 135)}, config)
    b = breakdown(config, state, "P", get_dialect("spec"))
    scores = [b.topics[ETH2_ACL2S_TOPICS[t]].contribution for t in ("BLOCKS", "AGG", "SUB1", "SUB2", "SUB3")]
    # The model file records 22.21, -4.5, 7.80, -25, 7.78 and 8.29, rounded loosely by hand.
    assert scores == pytest.approx([22.21, -4.5, 7.80, -25.0, 7.78], abs=0.015)
    assert sum(s < 0 for s in scores) == 2
    assert b.score == pytest.approx(8.29, abs=0.01)


def test_eth2_acl2s_topic_cap_masks_a_mesh_failure_penalty():
    """Property 2 (scoring-eth2.lisp, peer P9): the model's exact rationals, before and after the P3b rise."""
    config = load_config(bundled_config_path("eth2-acl2s"))
    counters = {"BLOCKS": (170, 176, 123), "AGG": (117, 123, 170), "SUB1": (164, 170, 117),
                "SUB2": (111, 117, 164), "SUB3": (158, 164, 111)}
    before = breakdown(config, acl2s_state(counters, config), "P", get_dialect("spec"))
    worse = acl2s_state(counters, config)
    stats = worse.peers["P"]
    sub2 = stats.topics["beacon_attestation_1"]
    worse = State(peers={"P": PeerStats(topics={**stats.topics, "beacon_attestation_1": TopicStats(
        **{**sub2.__dict__, "mesh_message_deliveries": 118, "mesh_failure_penalty": 1.0})})})
    after = breakdown(config, worse, "P", get_dialect("spec"))
    model = [67463 / 3125, 5121 / 500, 194159 / 25000, 48857 / 6250, 193997 / 25000]
    assert [c.contribution for c in before.topics.values()] == pytest.approx(model, rel=1e-9)
    assert after.topics["beacon_attestation_1"].contribution == pytest.approx(-176233 / 37500, rel=1e-9)
    assert after.topic_total < before.topic_total
    assert before.score == after.score == 32.72


@pytest.mark.parametrize("dialect", ["go", "spec"])
def test_eth2_acl2s_aggregate_non_forwarder_keeps_a_non_negative_score(dialect):
    """AG1: never delivering aggregates while saturating first deliveries elsewhere keeps the score >= 0."""
    config = load_config(bundled_config_path("eth2-acl2s"))
    for mesh_time_s in range(33, 1001):
        counters = {"BLOCKS": (23, 50, mesh_time_s), "AGG": (0, 0, mesh_time_s), "SUB1": (24, 50, mesh_time_s),
                    "SUB2": (24, 50, mesh_time_s), "SUB3": (24, 50, mesh_time_s)}
        state = acl2s_state(counters, config)
        stats = state.peers["P"]
        honest_p3b = {k: TopicStats(**{**v.__dict__, "mesh_failure_penalty": 0.0}) for k, v in stats.topics.items()}
        b = breakdown(config, State(peers={"P": PeerStats(topics=honest_p3b)}), "P", get_dialect(dialect))
        assert b.topics["beacon_aggregate_and_proof"].p3 == 100  # the whole deficit: threshold 10, nothing delivered
        assert b.score >= 0, mesh_time_s


def test_filecoin_acl2s_disables_mesh_delivery_penalties_and_the_topic_cap():
    config = load_config(bundled_config_path("filecoin-acl2s"))
    assert config.score.topic_score_cap == 0
    for tp in config.topics.values():
        assert (tp.mesh_message_deliveries_weight, tp.mesh_failure_penalty_weight) == (0, 0)


def test_filecoin_acl2s_one_invalid_message_outweighs_every_positive_topic_score():
    config = load_config(bundled_config_path("filecoin-acl2s"))
    best = sum(tp.topic_weight * (tp.time_in_mesh_weight * tp.time_in_mesh_cap
                                  + tp.first_message_deliveries_weight * tp.first_message_deliveries_cap)
               for tp in config.topics.values())
    assert best == pytest.approx(55.2805)
    for tp in config.topics.values():
        assert tp.topic_weight * tp.invalid_message_deliveries_weight * 1**2 + best < 0
