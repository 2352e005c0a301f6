"""The bundled eth2-lighthouse, eth2-lodestar and eth2-prysm documents: derived topics plus each client's
router settings, hard-coded globals and provenance (GS-CFG). Formulas live in ``derivation_eth2``."""

from __future__ import annotations

from typing import Any

from peerproof.reference.configfile import format_duration_ms
from peerproof.reference.gossipsub.derivation_eth2 import (
    ACTIVE_VALIDATORS,
    DECAY_TO_ZERO,
    LODESTAR_GOSSIP_D,
    MAINNET,
    PRYSM_GOSSIP_SUB_D,
    ChainConstants,
    aggregators_per_slot,
    behaviour_penalty_weight,
    committees_per_slot,
    lighthouse_max_positive_score,
    lighthouse_topics,
    lodestar_aggregators_per_slot,
    lodestar_max_positive_score,
    lodestar_topics,
    multiple_bursts_per_subnet_per_epoch,
    prysm_aggregators_per_slot,
    prysm_max_score,
    prysm_topics,
)
from peerproof.reference.gossipsub.derivation_formulas import Derived

# Identical in the three clients: Lighthouse lighthouse_gossip_thresholds(), Lodestar gossipScoreThresholds,
# Prysm peerScoringParams().
ETH2_THRESHOLDS = {"gossip_threshold": -4000.0, "publish_threshold": -8000.0, "graylist_threshold": -16000.0,
                   "accept_px_threshold": 100.0, "opportunistic_graft_threshold": 5.0}
BEHAVIOUR_PENALTY_THRESHOLD = 6.0

# Lighthouse config.rs NetworkLoad: (mesh_n_low, outbound_min, mesh_n, mesh_n_high, gossip_lazy,
# history_gossip, heartbeat ms). Config::default() and the CLI use network_load 3.
LIGHTHOUSE_NETWORK_LOADS = {1: (1, 1, 3, 4, 3, 3, 1200), 2: (2, 2, 4, 8, 3, 3, 1000), 3: (3, 2, 5, 10, 3, 3, 1000),
                            4: (4, 3, 8, 10, 2, 3, 1000), 5: (5, 3, 10, 15, 5, 6, 700)}
LIGHTHOUSE_DEFAULT_NETWORK_LOAD = 3


def chain_inputs(chain: ChainConstants, *, sync: bool = False) -> dict[str, int]:
    """The chain constants a derivation read, for ``source.inputs``."""
    inputs = {"seconds_per_slot": chain.seconds_per_slot, "slots_per_epoch": chain.slots_per_epoch,
              "attestation_subnet_count": chain.attestation_subnet_count,
              "max_committees_per_slot": chain.max_committees_per_slot,
              "target_committee_size": chain.target_committee_size,
              "target_aggregators_per_committee": chain.target_aggregators_per_committee}
    if sync:
        inputs |= {"sync_committee_size": chain.sync_committee_size,
                   "sync_committee_subnet_count": chain.sync_committee_subnet_count,
                   "target_aggregators_per_sync_subcommittee": chain.target_aggregators_per_sync_subcommittee}
    return inputs


def router_params(*, d: int, d_lo: int, d_hi: int, d_score: int, d_out: int, d_lazy: int, heartbeat_ms: int,
                  history_length: int, history_gossip: int, flood_publish: bool,
                  gossip_factor: float = 0.25) -> dict[str, Any]:
    """The router section; backoffs and opportunistic grafting at the go, js and rust defaults."""
    return {"d": d, "d_lo": d_lo, "d_hi": d_hi, "d_score": d_score, "d_out": d_out, "d_lazy": d_lazy,
            "gossip_factor": gossip_factor, "heartbeat_interval": format_duration_ms(heartbeat_ms),
            "history_length": history_length, "history_gossip": history_gossip, "prune_backoff": "1m",
            "unsubscribe_backoff": "10s", "opportunistic_graft_ticks": 60, "opportunistic_graft_peers": 2,
            "graft_flood_threshold": "10s", "flood_publish": flood_publish}


def eth2_score_params(*, topic_score_cap: float, ip_colocation_factor_weight: float,
                      ip_colocation_factor_threshold: float, behaviour_penalty_weight: float,
                      topics: dict[str, Any], chain: ChainConstants,
                      seen_msg_ttl_ms: int | None = None) -> dict[str, Any]:
    """PeerScoreParams as the Eth2 clients set them: decay every slot, retain 100 epochs, P7 over 10 epochs."""
    params = {"topic_score_cap": topic_score_cap, "app_specific_weight": 1.0,
              "ip_colocation_factor_weight": ip_colocation_factor_weight,
              "ip_colocation_factor_threshold": ip_colocation_factor_threshold,
              "behaviour_penalty_weight": behaviour_penalty_weight,
              "behaviour_penalty_threshold": BEHAVIOUR_PENALTY_THRESHOLD,
              "behaviour_penalty_decay": chain.decay(chain.epoch_ms * 10),
              "decay_interval": format_duration_ms(chain.slot_ms), "decay_to_zero": DECAY_TO_ZERO,
              "retain_score": format_duration_ms(chain.epoch_ms * 100)}
    if seen_msg_ttl_ms is not None:
        params["seen_msg_ttl"] = format_duration_ms(seen_msg_ttl_ms)
    params["topics"] = topics
    return params


def _scheme_derived(active_validators: int, aggregators: float, max_score: float,
                    chain: ChainConstants) -> dict[str, Any]:
    cps = committees_per_slot(active_validators, chain)
    return {"committees_per_slot": cps, "aggregators_per_slot": aggregators,
            "multiple_bursts_per_subnet_per_epoch": multiple_bursts_per_subnet_per_epoch(cps, chain),
            "attestations_per_subnet_per_slot": active_validators / chain.attestation_subnet_count
            / chain.slots_per_epoch, "max_positive_score": max_score}


def lighthouse_config(active_validators: int = ACTIVE_VALIDATORS, network_load: int = LIGHTHOUSE_DEFAULT_NETWORK_LOAD,
                      current_slot: int | None = None, chain: ChainConstants = MAINNET) -> dict[str, Any]:
    """Lighthouse's score params, thresholds and mesh (gossipsub_scoring_parameters.rs, config.rs)."""
    d_lo, d_out, d, d_hi, d_lazy, history_gossip, heartbeat_ms = LIGHTHOUSE_NETWORK_LOADS[network_load]
    max_score = lighthouse_max_positive_score(chain)
    cap = max_score * 0.5
    bp_decay = chain.decay(chain.epoch_ms * 10)
    return {
        "protocol": "gossipsub", "name": "eth2-lighthouse",
        "description": f"Lighthouse's Ethereum consensus-layer peer scoring, computed with Lighthouse's own formulas "
                       f"for {active_validators:,} active validators on mainnet at its default network load "
                       f"{network_load} (mesh degree {d}).",
        "source": {
            "repository": "sigp/lighthouse",
            "file": "beacon_node/lighthouse_network/src/service/gossipsub_scoring_parameters.rs",
            "version": "1665bbfa23b20bad6fd0aad77cd9aea154dc15fa",
            "router_file": "beacon_node/lighthouse_network/src/config.rs @ 00b8194a285fb728123e519b60364a94b80667b9",
            "inputs": {"active_validators": active_validators, "network_load": network_load, "mesh_n": d,
                       **chain_inputs(chain), "current_slot": current_slot},
            "derived": _scheme_derived(active_validators, aggregators_per_slot(active_validators, chain),
                                       max_score, chain),
            "notes": "Generated by reference/gossipsub/derivation_eth2.py (formulas, each naming its Lighthouse "
                     "function). The P2 caps divide by mesh_n of the network load. Topic keys are gossip kinds; on "
                     "the wire each is /eth2/<fork-digest>/<kind>/ssz_snappy. P3 weight is -topic_weight (since "
                     "'Gossipsub scoring improvements', #2391). current_slot null means a chain older than every "
                     "decay window; on a younger chain Lighthouse zeroes P3 (weight and threshold) but keeps P3b. "
                     "Not representable in this format: Lighthouse's extra slow-peer penalty (slow_peer_decay 0.1, "
                     "slow_peer_weight -10, slow_peer_threshold 0). Sync-committee, BLS-change, blob and column "
                     "topics get no score parameters in Lighthouse.",
        },
        "dialect": "rust",
        "router": router_params(d=d, d_lo=d_lo, d_hi=d_hi, d_score=4, d_out=d_out, d_lazy=d_lazy,
                                heartbeat_ms=heartbeat_ms, history_length=12, history_gossip=history_gossip,
                                flood_publish=False),
        "score_params": eth2_score_params(
            topic_score_cap=cap, ip_colocation_factor_weight=-cap, ip_colocation_factor_threshold=8.0,
            behaviour_penalty_weight=behaviour_penalty_weight(ETH2_THRESHOLDS["gossip_threshold"], bp_decay,
                                                              BEHAVIOUR_PENALTY_THRESHOLD, chain),
            topics=lighthouse_topics(active_validators, d, current_slot, chain), chain=chain),
        "thresholds": dict(ETH2_THRESHOLDS),
    }


def lodestar_config(active_validators: int = ACTIVE_VALIDATORS, current_slot: int | None = None,
                    chain: ChainConstants = MAINNET) -> dict[str, Any]:
    """Lodestar's score params, thresholds and mesh (scoringParameters.ts, gossipsub.ts)."""
    max_score = lodestar_max_positive_score(chain)
    cap = max_score * 0.5
    bp_decay = chain.decay(chain.epoch_ms * 10)
    return {
        "protocol": "gossipsub", "name": "eth2-lodestar",
        "description": f"Lodestar's Ethereum consensus-layer peer scoring, computed with Lodestar's own formulas for "
                       f"{active_validators:,} active validators on mainnet.",
        "source": {
            "repository": "ChainSafe/lodestar",
            "file": "packages/beacon-node/src/network/gossip/scoringParameters.ts",
            "version": "6de0736",
            "router_file": "packages/beacon-node/src/network/gossip/gossipsub.ts",
            "inputs": {"active_validators": active_validators, "gossip_d": LODESTAR_GOSSIP_D, **chain_inputs(chain),
                       "current_slot": current_slot},
            "derived": _scheme_derived(active_validators, lodestar_aggregators_per_slot(active_validators, chain),
                                       max_score, chain),
            "notes": "Generated by reference/gossipsub/derivation_eth2.py. Version 6de0736 (Oct 2024) as the project "
                     "notes cite it; the formulas were checked against 01743365b072a4fea6feaf1a16277b8cdd56c08f "
                     "(pre-Capella) and a 2026 copy (which adds Gloas topics). Lighthouse's scheme with Lodestar's "
                     "changes: P3 weight -max_positive_score/(topic_weight*threshold^2), P3 window 12 s, slow-burst "
                     "subnets activate after 1 epoch, aggregators per slot floored, and the BLS-to-execution-change "
                     "topic (weight 0.05, from Capella on; absent in 0174336) counted in max_positive_score. The P2 "
                     "caps use GOSSIP_D = 8 whatever the mesh options. Topic keys are gossip kinds; around a fork "
                     "both fork digests get the same parameters. current_slot null means a chain older than every "
                     "decay window. The TS scorer has no SeenMsgTTL: delivery records live 120 s whatever the "
                     "router's seenTTL (2 epochs).",
        },
        "dialect": "ts",
        "router": router_params(d=8, d_lo=6, d_hi=12, d_score=4, d_out=2, d_lazy=6, heartbeat_ms=700,
                                history_length=6, history_gossip=3, flood_publish=True),
        "score_params": eth2_score_params(
            topic_score_cap=cap, ip_colocation_factor_weight=-1 * cap, ip_colocation_factor_threshold=3.0,
            behaviour_penalty_weight=behaviour_penalty_weight(ETH2_THRESHOLDS["gossip_threshold"], bp_decay,
                                                              BEHAVIOUR_PENALTY_THRESHOLD, chain),
            topics=lodestar_topics(active_validators, current_slot, chain), chain=chain),
        "thresholds": dict(ETH2_THRESHOLDS),
    }


def prysm_config(active_validators: int = ACTIVE_VALIDATORS, chain: ChainConstants = MAINNET) -> dict[str, Any]:
    """Prysm's score params, thresholds and mesh (gossip_scoring_params.go, pubsub.go)."""
    scored = prysm_topics(active_validators, scored=True, chain=chain)
    p3_if_scored = {name: scored[name]["mesh_message_deliveries_weight"]
                    for name in ("beacon_block", "beacon_aggregate_and_proof",
                                 "sync_committee_contribution_and_proof", "sync_committee_0", "beacon_attestation_0")}
    num_per_slot = active_validators // chain.attestation_subnet_count // chain.slots_per_epoch
    return {
        "protocol": "gossipsub", "name": "eth2-prysm",
        "description": f"Prysm's Ethereum consensus-layer peer scoring, computed with Prysm's own formulas for "
                       f"{active_validators:,} active validators on mainnet; mesh-delivery penalties (P3, P3b) are "
                       f"switched off in Prysm.",
        "source": {
            "repository": "OffchainLabs/prysm",
            "file": "beacon-chain/p2p/gossip_scoring_params.go",
            "version": "01ee1c80b497095343aabc0255269729f30164b2",
            "router_file": "beacon-chain/p2p/pubsub.go @ 0cf88befc89f432cff4c588d1e8f6fd5b34ba2b3",
            "inputs": {"active_validators": active_validators, "gossip_sub_d": PRYSM_GOSSIP_SUB_D,
                       "dampening_factor": 90, **chain_inputs(chain, sync=True), "mesh_delivery_is_scored": False},
            "derived": {"committees_per_slot": committees_per_slot(active_validators, chain),
                        "aggregators_per_slot": prysm_aggregators_per_slot(active_validators, chain),
                        "attestations_per_subnet_per_slot": num_per_slot,
                        "multiple_bursts_per_subnet_per_epoch": multiple_bursts_per_subnet_per_epoch(
                            committees_per_slot(active_validators, chain), chain),
                        "max_score": prysm_max_score(), "p3_weights_if_scored": p3_if_scored},
            "notes": "Generated by reference/gossipsub/derivation_eth2.py. Prysm adapted Lighthouse's scheme with a "
                     "1/90 P3 dampening, integer rates as Go divides integers (attestations per subnet per slot "
                     "1000000/64/32 = 488, P2 rate 2*488/8 = 122) and hard-coded values marked in comments. "
                     "meshDeliveryIsScored is false since 'Update Gossip Parameters' (#8683, Apr 2021): P3 and P3b "
                     "weights are 0 on every topic; derived.p3_weights_if_scored gives the weights otherwise used. "
                     "Blob-sidecar and data-column-sidecar topics reuse the beacon_block parameters and are left out. "
                     "Topic keys are gossip kinds (/eth2/<fork-digest>/<kind>/ssz_snappy on the wire).",
        },
        "dialect": "go",
        "router": router_params(d=8, d_lo=6, d_hi=12, d_score=4, d_out=2, d_lazy=6, heartbeat_ms=700,
                                history_length=6, history_gossip=3, flood_publish=True),
        "score_params": eth2_score_params(
            topic_score_cap=32.72, ip_colocation_factor_weight=-35.11, ip_colocation_factor_threshold=10.0,
            behaviour_penalty_weight=-15.92, topics=prysm_topics(active_validators, chain=chain), chain=chain,
            seen_msg_ttl_ms=2 * chain.epoch_ms),
        "thresholds": dict(ETH2_THRESHOLDS),
    }


def _topic_comments(topic: str, fields: dict[str, str]) -> dict[tuple[str, ...], str]:
    return {("score_params", "topics", topic, name): note for name, note in fields.items()}


LIGHTHOUSE_COMMENTS = {
    ("router",): "config.rs NetworkLoad of the default network_load and gossipsub_config(); rust-libp2p defaults else",
    ("router", "d_score"): "rust-libp2p default retain_scores (gossipsub/config.rs)",
    ("router", "history_length"): "hard-coded in config.rs gossipsub_config()",
    ("router", "flood_publish"): "hard-coded in config.rs gossipsub_config()",
    ("score_params", "app_specific_weight"): "hard-coded in gossipsub_scoring_parameters.rs",
    ("score_params", "ip_colocation_factor_threshold"): "hard-coded in gossipsub_scoring_parameters.rs",
    ("score_params", "behaviour_penalty_threshold"): "hard-coded in gossipsub_scoring_parameters.rs",
    ("thresholds",): "hard-coded: lighthouse_gossip_thresholds() in gossipsub_scoring_parameters.rs",
}

LODESTAR_COMMENTS = {
    ("router",): "gossipsub.ts Eth2Gossipsub options; Dscore, Dout, gossip factor, backoffs: libp2p-gossipsub defaults",
    ("score_params", "app_specific_weight"): "hard-coded in scoringParameters.ts",
    ("score_params", "ip_colocation_factor_threshold"): "hard-coded in scoringParameters.ts",
    ("score_params", "behaviour_penalty_threshold"): "hard-coded in scoringParameters.ts",
    ("thresholds",): "hard-coded: gossipScoreThresholds in scoringParameters.ts",
    **_topic_comments("beacon_block", {"mesh_message_deliveries_window": "hard-coded 12 s in scoringParameters.ts"}),
}

_PRYSM_FILE = "gossip_scoring_params.go"
PRYSM_COMMENTS = {
    ("router",): "pubsub.go pubsubGossipParam(): D, Dlo, Dhi, heartbeat, mcache; go-libp2p-pubsub defaults else",
    ("score_params", "topic_score_cap"): f"hard-coded in {_PRYSM_FILE} peerScoringParams()",
    ("score_params", "app_specific_weight"): f"hard-coded in {_PRYSM_FILE} (AppSpecificScore returns 0)",
    ("score_params", "ip_colocation_factor_weight"): f"hard-coded in {_PRYSM_FILE}",
    ("score_params", "ip_colocation_factor_threshold"): f"hard-coded in {_PRYSM_FILE}",
    ("score_params", "behaviour_penalty_weight"): f"hard-coded in {_PRYSM_FILE}",
    ("score_params", "behaviour_penalty_threshold"): f"hard-coded in {_PRYSM_FILE}",
    ("score_params", "seen_msg_ttl"): "pubsub.go setPubSubParameters(): TimeCacheDuration = 2 epochs",
    ("thresholds",): f"hard-coded in {_PRYSM_FILE} peerScoringParams()",
    **_topic_comments("beacon_block", {
        "first_message_deliveries_weight": f"hard-coded in {_PRYSM_FILE} defaultBlockTopicParams()",
        "first_message_deliveries_cap": f"hard-coded in {_PRYSM_FILE} defaultBlockTopicParams()",
        "mesh_message_deliveries_weight": "meshDeliveryIsScored = false; -0.717 (hard-coded) when scored",
        "invalid_message_deliveries_weight": f"hard-coded in {_PRYSM_FILE} defaultBlockTopicParams()"}),
    **{key: value for topic in ("voluntary_exit", "bls_to_execution_change", "attester_slashing", "proposer_slashing")
       for key, value in _topic_comments(topic, {
           "first_message_deliveries_weight": f"hard-coded in {_PRYSM_FILE}",
           "first_message_deliveries_cap": f"hard-coded in {_PRYSM_FILE}",
           "invalid_message_deliveries_weight": f"hard-coded in {_PRYSM_FILE}"}).items()},
    **{key: "meshDeliveryIsScored = false; see source.derived.p3_weights_if_scored"
       for topic in ("beacon_aggregate_and_proof", "sync_committee_contribution_and_proof", "sync_committee_0",
                     "beacon_attestation_0")
       for key in _topic_comments(topic, {"mesh_message_deliveries_weight": ""})},
}


def lighthouse_derived() -> Derived:
    """eth2-lighthouse at 1,000,000 active validators and the default network load."""
    return Derived(lighthouse_config(), LIGHTHOUSE_COMMENTS)


def lodestar_derived() -> Derived:
    """eth2-lodestar at 1,000,000 active validators."""
    return Derived(lodestar_config(), LODESTAR_COMMENTS)


def prysm_derived() -> Derived:
    """eth2-prysm at 1,000,000 active validators."""
    return Derived(prysm_config(), PRYSM_COMMENTS)
