"""Eth2 score parameters as Lighthouse, Lodestar and Prysm compute them (GS-CFG, bundled eth2-* configs).

All three follow one scheme (Lighthouse's, which Lodestar copied and Prysm adapted from the gist
blacktemplar/5c1862cb3f0e32a1a7fb0b25e79e6e2c): every counter decays to 0.01 over a named number of
slots, P2 caps are the converged first-delivery counter of a peer sending its share ``2·rate/D``, P3
thresholds the converged counter at a damped rate, and P4 makes one invalid message cancel the whole
positive score. They differ in the P3 weight, the P3 window, the mesh degree, the aggregator estimate and
Prysm's hard-coded values; each function names the client file it follows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from peerproof.reference.gossipsub.derivation_formulas import (
    decay_convergence,
    score_parameter_decay,
    threshold,
    topic_score_params,
)

ACTIVE_VALIDATORS = 1_000_000
MAX_IN_MESH_SCORE = 10.0
MAX_FIRST_MESSAGE_DELIVERIES_SCORE = 40.0
DECAY_TO_ZERO = 0.01


@dataclass(frozen=True)
class ChainConstants:
    """The consensus-spec constants the scoring formulas read (mainnet preset and config)."""

    seconds_per_slot: int = 12
    slots_per_epoch: int = 32
    attestation_subnet_count: int = 64
    max_committees_per_slot: int = 64
    target_committee_size: int = 128
    target_aggregators_per_committee: int = 16
    sync_committee_size: int = 512
    sync_committee_subnet_count: int = 4
    target_aggregators_per_sync_subcommittee: int = 16

    @property
    def slot_ms(self) -> int:
        """One slot in milliseconds (the decay interval of every Eth2 client)."""
        return self.seconds_per_slot * 1000

    @property
    def epoch_ms(self) -> int:
        """One epoch in milliseconds."""
        return self.slot_ms * self.slots_per_epoch

    def decay(self, decay_time_ms: int) -> float:
        """``score_parameter_decay`` with the Eth2 decay interval (one slot) and DecayToZero 0.01."""
        return score_parameter_decay(decay_time_ms, self.slot_ms, DECAY_TO_ZERO)


MAINNET = ChainConstants()


@dataclass(frozen=True)
class MeshMessageInfo:
    """Lighthouse's and Lodestar's P3 inputs of one topic: decay slots, cap factor, activation window."""

    decay_slots: int
    cap_factor: float
    activation_ms: int


def committees_per_slot(active_validators: int, chain: ChainConstants = MAINNET) -> int:
    """consensus-specs ``get_committee_count_per_slot``: committees of ~TARGET_COMMITTEE_SIZE, 1..64."""
    per_slot = active_validators // chain.slots_per_epoch // chain.target_committee_size
    return max(1, min(chain.max_committees_per_slot, per_slot))


def multiple_bursts_per_subnet_per_epoch(committees: int, chain: ChainConstants = MAINNET) -> bool:
    """Whether each attestation subnet sees several committees per epoch (Lighthouse, Lodestar, Prysm).

    ``committees_per_slot >= 2 * subnets / slots_per_epoch`` (= 4 on mainnet); it picks faster decays.
    """
    return committees >= 2 * chain.attestation_subnet_count // chain.slots_per_epoch


def aggregators_per_slot(active_validators: int, chain: ChainConstants = MAINNET) -> float:
    """Lighthouse ``expected_aggregator_count_per_slot`` (gossipsub_scoring_parameters.rs), real-valued.

    Committees are ``small`` or ``small + 1`` validators; a committee of size n selects about
    ``n / max(1, n // TARGET_AGGREGATORS_PER_COMMITTEE)`` aggregators.
    """
    committees = committees_per_slot(active_validators, chain) * chain.slots_per_epoch
    small = active_validators // committees
    n_large = active_validators - small * committees
    modulo_small = max(1, small // chain.target_aggregators_per_committee)
    modulo_large = max(1, (small + 1) // chain.target_aggregators_per_committee)
    per_epoch = ((committees - n_large) * small) / modulo_small + (n_large * (small + 1)) / modulo_large
    return per_epoch / chain.slots_per_epoch


def lodestar_aggregators_per_slot(active_validators: int, chain: ChainConstants = MAINNET) -> int:
    """Lodestar ``expectedAggregatorCountPerSlot`` (scoringParameters.ts): Lighthouse's, each term floored."""
    committees = committees_per_slot(active_validators, chain) * chain.slots_per_epoch
    small = active_validators // committees
    n_large = active_validators - small * committees
    modulo_small = max(1, small // chain.target_aggregators_per_committee)
    modulo_large = max(1, (small + 1) // chain.target_aggregators_per_committee)
    small_aggregators = math.floor((small / modulo_small) * (committees - n_large))
    large_aggregators = math.floor(((small + 1) / modulo_large) * n_large)
    return max(1, math.floor((small_aggregators + large_aggregators) / chain.slots_per_epoch))


def prysm_aggregators_per_slot(active_validators: int, chain: ChainConstants = MAINNET) -> int:
    """Prysm ``aggregatorsPerSlot`` (gossip_scoring_params.go): committees × TARGET_AGGREGATORS_PER_COMMITTEE."""
    return committees_per_slot(active_validators, chain) * chain.target_aggregators_per_committee


def max_positive_score(topic_weights: list[float]) -> float:
    """``(10 + 40) · Σ topic weights``: every topic at its P1 and P2 maxima (all three clients)."""
    total = 0.0
    for weight in topic_weights:
        total += weight
    return (MAX_IN_MESH_SCORE + MAX_FIRST_MESSAGE_DELIVERIES_SCORE) * total


def behaviour_penalty_weight(gossip_threshold: float, decay: float, penalty_threshold: float,
                             chain: ChainConstants = MAINNET) -> float:
    """The P7 weight that puts a steady 10 penalties per epoch exactly at the gossip threshold.

    ``gossip_threshold / (decay_convergence(decay, 10 / slots_per_epoch) − threshold)²``: Lighthouse
    ``get_peer_score_params``, Lodestar ``computeGossipPeerScoreParams`` (Prysm hard-codes −15.92).
    """
    target = decay_convergence(decay, 10.0 / chain.slots_per_epoch) - penalty_threshold
    return gossip_threshold / target**2


def _time_in_mesh(chain: ChainConstants) -> dict[str, Any]:
    cap = 3600 / (chain.slot_ms / 1000)
    return {"time_in_mesh_weight": MAX_IN_MESH_SCORE / cap, "time_in_mesh_quantum_ms": chain.slot_ms,
            "time_in_mesh_cap": cap}


def _scheme_topic_params(chain: ChainConstants, topic_weight: float, rate: float, first_decay_ms: int, *,
                         mesh_n: int, max_score: float, mesh: MeshMessageInfo | None, current_slot: int | None,
                         window_ms: int, p3_weight: Callable[[float, float], float]) -> dict[str, Any]:
    first_decay = chain.decay(first_decay_ms)
    first_cap = decay_convergence(first_decay, 2.0 * rate / mesh_n)
    p3: dict[str, Any] = {}
    if mesh is not None:
        mesh_decay = chain.decay(chain.slot_ms * mesh.decay_slots)
        mesh_threshold = threshold(mesh_decay, rate / 50.0)
        weight = p3_weight(topic_weight, mesh_threshold)
        p3 = {"mesh_message_deliveries_decay": mesh_decay,
              "mesh_message_deliveries_cap": max(mesh.cap_factor * mesh_threshold, 2.0),
              "mesh_message_deliveries_threshold": mesh_threshold,
              "mesh_message_deliveries_weight": weight,
              "mesh_message_deliveries_window_ms": window_ms,
              "mesh_message_deliveries_activation_ms": mesh.activation_ms,
              "mesh_failure_penalty_weight": weight, "mesh_failure_penalty_decay": mesh_decay}
        if current_slot is not None and mesh.decay_slots >= current_slot:
            # A chain younger than the decay window: P3 off, P3b kept (both clients).
            p3["mesh_message_deliveries_threshold"] = 0.0
            p3["mesh_message_deliveries_weight"] = 0.0
    return topic_score_params(
        topic_weight=topic_weight, **_time_in_mesh(chain),
        first_message_deliveries_weight=MAX_FIRST_MESSAGE_DELIVERIES_SCORE / first_cap,
        first_message_deliveries_decay=first_decay, first_message_deliveries_cap=first_cap,
        invalid_message_deliveries_weight=-max_score / topic_weight,
        invalid_message_deliveries_decay=chain.decay(chain.epoch_ms * 50), **p3)


def lighthouse_topic_params(topic_weight: float, expected_message_rate: float, first_message_decay_ms: int, *,
                            mesh_n: int, max_score: float, mesh: MeshMessageInfo | None = None,
                            current_slot: int | None = None, chain: ChainConstants = MAINNET) -> dict[str, Any]:
    """Lighthouse ``get_topic_params`` (gossipsub_scoring_parameters.rs): P3 weight −topic_weight, window 2 s."""
    return _scheme_topic_params(chain, topic_weight, expected_message_rate, first_message_decay_ms,
                                mesh_n=mesh_n, max_score=max_score, mesh=mesh, current_slot=current_slot,
                                window_ms=2000, p3_weight=lambda tw, _thr: -tw)


def lodestar_topic_params(topic_weight: float, expected_message_rate: float, first_message_decay_ms: int, *,
                          mesh_n: int, max_score: float, mesh: MeshMessageInfo | None = None,
                          current_slot: int | None = None, chain: ChainConstants = MAINNET) -> dict[str, Any]:
    """Lodestar ``getTopicScoreParams`` (scoringParameters.ts): P3 weight −max/(w·threshold²), window 12 s."""
    return _scheme_topic_params(chain, topic_weight, expected_message_rate, first_message_decay_ms,
                                mesh_n=mesh_n, max_score=max_score, mesh=mesh, current_slot=current_slot,
                                window_ms=12_000, p3_weight=lambda tw, thr: (-1 * max_score) / (tw * thr**2))


TopicParamsFn = Callable[[float, float, int, MeshMessageInfo | None], dict[str, Any]]


def lighthouse_max_positive_score(chain: ChainConstants = MAINNET) -> float:
    """Lighthouse ``max_positive_score``: block 0.5, aggregate 0.5, subnets 1, exit and two slashings 0.05."""
    subnets = chain.attestation_subnet_count
    return max_positive_score([0.5, 0.5, 1.0 / subnets * subnets, 0.05, 0.05, 0.05])


def lodestar_max_positive_score(chain: ChainConstants = MAINNET) -> float:
    """Lodestar ``maxPositiveScore``: Lighthouse's topics plus BLS-to-execution-change 0.05."""
    subnets = chain.attestation_subnet_count
    return max_positive_score([0.5, 0.5, 1.0 / subnets * subnets, 0.05, 0.05, 0.05, 0.05])


def _scheme_topics(params: TopicParamsFn, active_validators: int, aggregators: float, extra_minor: tuple[str, ...],
                   slow_subnet_activation_ms: int, chain: ChainConstants) -> dict[str, dict[str, Any]]:
    spe, epoch = chain.slots_per_epoch, chain.epoch_ms
    bursts = multiple_bursts_per_subnet_per_epoch(committees_per_slot(active_validators, chain), chain)
    topics = {
        "beacon_block": params(0.5, 1.0, epoch * 20, MeshMessageInfo(spe * 5, 3.0, epoch)),
        "beacon_aggregate_and_proof": params(0.5, aggregators, epoch, MeshMessageInfo(spe * 2, 4.0, epoch)),
        "voluntary_exit": params(0.05, 4 / spe, epoch * 100, None),
    }
    for name in extra_minor:
        topics[name] = params(0.05, 4 / spe, epoch * 100, None)
    topics["attester_slashing"] = params(0.05, 1.0 / 5.0 / spe, epoch * 100, None)
    topics["proposer_slashing"] = params(0.05, 1.0 / 5.0 / spe, epoch * 100, None)
    activation = chain.slot_ms * (spe // 2 + 1) if bursts else slow_subnet_activation_ms
    subnet = params(1.0 / chain.attestation_subnet_count, active_validators / chain.attestation_subnet_count / spe,
                    epoch * (1 if bursts else 4), MeshMessageInfo(spe * (4 if bursts else 16), 16.0, activation))
    for i in range(chain.attestation_subnet_count):  # one shared object, as in both clients
        topics[f"beacon_attestation_{i}"] = subnet
    return topics


def lighthouse_topics(active_validators: int, mesh_n: int, current_slot: int | None = None,
                      chain: ChainConstants = MAINNET) -> dict[str, dict[str, Any]]:
    """Every topic Lighthouse ``get_peer_score_params`` scores; slow-burst subnets activate after 3 epochs."""
    max_score = lighthouse_max_positive_score(chain)

    def params(weight: float, rate: float, first_ms: int, mesh: MeshMessageInfo | None) -> dict[str, Any]:
        return lighthouse_topic_params(weight, rate, first_ms, mesh_n=mesh_n, max_score=max_score, mesh=mesh,
                                       current_slot=current_slot, chain=chain)

    return _scheme_topics(params, active_validators, aggregators_per_slot(active_validators, chain), (),
                          chain.epoch_ms * 3, chain)


LODESTAR_GOSSIP_D = 8  # scoringParameters.ts GOSSIP_D: the formulas use it whatever the mesh option


def lodestar_topics(active_validators: int, current_slot: int | None = None,
                    chain: ChainConstants = MAINNET) -> dict[str, dict[str, Any]]:
    """Every topic Lodestar ``getAllTopicsScoreParams`` scores (adds bls_to_execution_change)."""
    max_score = lodestar_max_positive_score(chain)

    def params(weight: float, rate: float, first_ms: int, mesh: MeshMessageInfo | None) -> dict[str, Any]:
        return lodestar_topic_params(weight, rate, first_ms, mesh_n=LODESTAR_GOSSIP_D, max_score=max_score,
                                     mesh=mesh, current_slot=current_slot, chain=chain)

    return _scheme_topics(params, active_validators, lodestar_aggregators_per_slot(active_validators, chain),
                          ("bls_to_execution_change",), chain.epoch_ms, chain)


# --- Prysm (beacon-chain/p2p/gossip_scoring_params.go) ------------------------------------------------

PRYSM_DAMPENING_FACTOR = 90
PRYSM_GOSSIP_SUB_D = 8  # pubsub.go gossipSubD, which the formulas divide by
PRYSM_TOPIC_WEIGHTS = (0.8, 0.5, 0.2, 1.0, 0.4, 0.05, 0.05, 0.05, 0.05)  # block, aggregate, sync contribution,
# attestation subnets (total), sync subnets (total), attester slashing, proposer slashing, exit, BLS change


def prysm_max_score() -> float:
    """Prysm ``maxScore``: 50 × (0.8 + 0.5 + 0.2 + 1 + 0.4 + 4 × 0.05) = 155.

    The weights are Go untyped constants, so Go sums them exactly before rounding to a float64.
    """
    total = sum(Fraction(str(weight)) for weight in PRYSM_TOPIC_WEIGHTS)
    return (MAX_IN_MESH_SCORE + MAX_FIRST_MESSAGE_DELIVERIES_SCORE) * float(total)


def prysm_block_topic_params(scored: bool = False, chain: ChainConstants = MAINNET) -> dict[str, Any]:
    """Prysm ``defaultBlockTopicParams``: P2 weight 1 and cap 23, P3 weight −0.717, P4 −140.4475 hard-coded.

    ``scored`` is Prysm's ``meshDeliveryIsScored``, false since "Update Gossip Parameters" (#8683):
    P3 and P3b weights are then 0.
    """
    decay_epochs, blocks_per_epoch = 5, chain.slots_per_epoch
    mesh_decay = chain.decay(decay_epochs * chain.epoch_ms)
    mesh_weight = -0.717 if scored else 0.0
    return topic_score_params(
        topic_weight=0.8, **_time_in_mesh(chain), first_message_deliveries_weight=1.0,
        first_message_deliveries_decay=chain.decay(20 * chain.epoch_ms), first_message_deliveries_cap=23.0,
        mesh_message_deliveries_weight=mesh_weight, mesh_message_deliveries_decay=mesh_decay,
        mesh_message_deliveries_cap=float(blocks_per_epoch * decay_epochs),
        mesh_message_deliveries_threshold=blocks_per_epoch * decay_epochs / 10,
        mesh_message_deliveries_window_ms=2000, mesh_message_deliveries_activation_ms=4 * chain.epoch_ms,
        mesh_failure_penalty_weight=mesh_weight, mesh_failure_penalty_decay=mesh_decay,
        invalid_message_deliveries_weight=-140.4475, invalid_message_deliveries_decay=chain.decay(50 * chain.epoch_ms))


def prysm_rate_topic_params(topic_weight: float, first_rate: int, mesh_rate: float, first_decay_epochs: int,
                            mesh_decay_epochs: int, scored: bool = False,
                            chain: ChainConstants = MAINNET) -> dict[str, Any]:
    """The shape of Prysm's aggregate, sync-contribution, attestation-subnet and sync-subnet params.

    P2 cap ``decayLimit(d, first_rate)`` (``first_rate`` an integer: Prysm divides integers), P2 weight
    40 / cap, P3 threshold ``decayThreshold(d, mesh_rate / 90)``, P3 cap 4 × threshold, P3 weight
    ``−maxScore / (w · threshold²)`` when scored, activation 1 epoch, window 2 s, P4 ``−maxScore / w``.
    """
    first_decay = chain.decay(first_decay_epochs * chain.epoch_ms)
    first_cap = decay_convergence(first_decay, float(first_rate))
    mesh_decay = chain.decay(mesh_decay_epochs * chain.epoch_ms)
    mesh_threshold = threshold(mesh_decay, mesh_rate / PRYSM_DAMPENING_FACTOR)
    mesh_weight = -prysm_max_score() / (topic_weight * mesh_threshold * mesh_threshold) if scored else 0.0
    return topic_score_params(
        topic_weight=topic_weight, **_time_in_mesh(chain),
        first_message_deliveries_weight=MAX_FIRST_MESSAGE_DELIVERIES_SCORE / first_cap,
        first_message_deliveries_decay=first_decay, first_message_deliveries_cap=first_cap,
        mesh_message_deliveries_weight=mesh_weight, mesh_message_deliveries_decay=mesh_decay,
        mesh_message_deliveries_cap=4 * mesh_threshold, mesh_message_deliveries_threshold=mesh_threshold,
        mesh_message_deliveries_window_ms=2000, mesh_message_deliveries_activation_ms=chain.epoch_ms,
        mesh_failure_penalty_weight=mesh_weight, mesh_failure_penalty_decay=mesh_decay,
        invalid_message_deliveries_weight=-prysm_max_score() / topic_weight,
        invalid_message_deliveries_decay=chain.decay(50 * chain.epoch_ms))


def prysm_minor_topic_params(topic_weight: float, first_weight: float, first_cap: float,
                             chain: ChainConstants = MAINNET) -> dict[str, Any]:
    """Prysm's exit, slashing and BLS-change topics: hard-coded P2 weight and cap, P4 −2000, no P3."""
    return topic_score_params(
        topic_weight=topic_weight, **_time_in_mesh(chain), first_message_deliveries_weight=first_weight,
        first_message_deliveries_decay=chain.decay(100 * chain.epoch_ms), first_message_deliveries_cap=first_cap,
        invalid_message_deliveries_weight=-2000.0, invalid_message_deliveries_decay=chain.decay(50 * chain.epoch_ms))


def prysm_topics(active_validators: int, scored: bool = False,
                 chain: ChainConstants = MAINNET) -> dict[str, dict[str, Any]]:
    """Every topic Prysm ``topicScoreParams`` scores, except blob and data-column sidecars (block params)."""
    d, spe = PRYSM_GOSSIP_SUB_D, chain.slots_per_epoch
    bursts = multiple_bursts_per_subnet_per_epoch(committees_per_slot(active_validators, chain), chain)
    aggregators = prysm_aggregators_per_slot(active_validators, chain)
    sync_aggregators = chain.sync_committee_subnet_count * chain.target_aggregators_per_sync_subcommittee
    num_per_slot = active_validators // chain.attestation_subnet_count // spe
    sync_subnet_size = min(active_validators, chain.sync_committee_size) // chain.sync_committee_subnet_count
    topics = {
        "beacon_block": prysm_block_topic_params(scored, chain),
        "beacon_aggregate_and_proof": prysm_rate_topic_params(
            0.5, aggregators * 2 // d, aggregators, 1, 1, scored, chain),
        "sync_committee_contribution_and_proof": prysm_rate_topic_params(
            0.2, sync_aggregators * 2 // d, sync_aggregators, 1, 1, scored, chain),
        "voluntary_exit": prysm_minor_topic_params(0.05, 2.0, 5.0, chain),
        "bls_to_execution_change": prysm_minor_topic_params(0.05, 2.0, 5.0, chain),
        "attester_slashing": prysm_minor_topic_params(0.05, 36.0, 1.0, chain),
        "proposer_slashing": prysm_minor_topic_params(0.05, 36.0, 1.0, chain),
    }
    sync_subnet = prysm_rate_topic_params(0.4 / chain.sync_committee_subnet_count, sync_subnet_size * 2 // d,
                                          sync_subnet_size, 1, 4, scored, chain)
    for i in range(chain.sync_committee_subnet_count):
        topics[f"sync_committee_{i}"] = sync_subnet
    subnet = prysm_rate_topic_params(1.0 / chain.attestation_subnet_count, num_per_slot * 2 // d, num_per_slot,
                                     4 if bursts else 1, 16 if bursts else 4, scored, chain)
    for i in range(chain.attestation_subnet_count):
        topics[f"beacon_attestation_{i}"] = subnet
    return topics
