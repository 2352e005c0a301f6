"""Hand-computed values for every score component, decay, retention, deliveries, dialect divergences
and heartbeat mesh maintenance of the GossipSub reference model.

Every test starts from a config in which all weights are 0 except the ones it exercises, so the
expected score is the arithmetic in its comments. Refreshes run every DecayInterval (1 s here) at
t = 1000, 2000, ... ms; P1 and the P3 activation change only at a refresh (GS-DECAY-3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from peerproof.reference.gossipsub import (
    AddIP,
    AddPeer,
    AppScore,
    Config,
    Deliver,
    Duplicate,
    Event,
    Graft,
    Heartbeat,
    Ignored,
    Invalid,
    Penalty,
    Prune,
    Receive,
    RemovePeer,
    State,
    Subscribe,
    Tick,
    TopicStats,
    Validated,
    breakdown,
    config_from_mapping,
    get_dialect,
    initial_state,
    run,
    score,
)

T = "t"
BASE_TOPIC: dict[str, Any] = {
    "topic_weight": 1.0,
    "time_in_mesh_weight": 0.0, "time_in_mesh_quantum": "1s", "time_in_mesh_cap": 10.0,
    "first_message_deliveries_weight": 0.0, "first_message_deliveries_decay": 0.5,
    "first_message_deliveries_cap": 100.0,
    "mesh_message_deliveries_weight": 0.0, "mesh_message_deliveries_decay": 0.5,
    "mesh_message_deliveries_cap": 100.0, "mesh_message_deliveries_threshold": 1.0,
    "mesh_message_deliveries_window": "10ms", "mesh_message_deliveries_activation": "1s",
    "mesh_failure_penalty_weight": 0.0, "mesh_failure_penalty_decay": 0.5,
    "invalid_message_deliveries_weight": 0.0, "invalid_message_deliveries_decay": 0.5,
}
BASE_SCORE: dict[str, Any] = {
    "decay_interval": "1s", "decay_to_zero": 0.01, "retain_score": "10s",
    "behaviour_penalty_decay": 0.5, "ip_colocation_factor_threshold": 1,
}
BASE_ROUTER: dict[str, Any] = {"d": 2, "d_lo": 1, "d_hi": 4, "d_score": 1, "d_out": 0,
                               "prune_backoff": "60s", "opportunistic_graft_ticks": 60}
THRESHOLDS = {"gossip_threshold": -10.0, "publish_threshold": -20.0, "graylist_threshold": -30.0,
              "accept_px_threshold": 0.0, "opportunistic_graft_threshold": 0.0}


def make_config(topics: Mapping[str, Mapping[str, Any]] | None = None, *, router: Mapping[str, Any] | None = None,
                opportunistic_graft_threshold: float = 0.0, **score_params: Any) -> Config:
    """A config with one topic ``t`` (or ``topics``), every weight 0 unless overridden."""
    topics = {T: {}} if topics is None else topics
    return config_from_mapping({
        "protocol": "gossipsub",
        "router": {**BASE_ROUTER, **(router or {})},
        "score_params": {**BASE_SCORE, **score_params,
                         "topics": {name: {**BASE_TOPIC, **over} for name, over in topics.items()}},
        "thresholds": {**THRESHOLDS, "opportunistic_graft_threshold": opportunistic_graft_threshold},
    })


def play(config: Config, events: Sequence[Event], dialect: str = "go", seed: int = 0) -> State:
    return run(config, initial_state(config, seed, dialect=get_dialect(dialect)), events, get_dialect(dialect))


def score_of(config: Config, state: State, peer: str, dialect: str = "go") -> float:
    return score(config, state, peer, get_dialect(dialect))


def counter(state: State, peer: str, name: str, topic: str = T) -> float:
    return getattr(state.peers[peer].topics.get(topic, TopicStats()), name)


def joined(*peers: str, topic: str = T, at: int = 0) -> list[Event]:
    """Peers that connect, subscribe to and are grafted into ``topic`` at time ``at``."""
    return [e for p in peers for e in (AddPeer(at, p), Subscribe(at, p, topic), Graft(at, p, topic))]


def mesh(state: State, topic: str = T) -> set[str]:
    return set(state.router.mesh.get(topic, frozenset()))


DIALECT_NAMES = ("go", "ts", "rust", "spec")


def by_dialect(config: Config, events: Sequence[Event], peer: str) -> dict[str, float]:
    """``peer``'s score after ``events`` in each dialect."""
    return {d: score_of(config, play(config, events, d), peer, d) for d in DIALECT_NAMES}


# --- P1 time in mesh ---------------------------------------------------------------------------------


def test_p1_counts_whole_quanta_up_to_the_cap() -> None:
    config = make_config({T: {"time_in_mesh_weight": 0.5, "time_in_mesh_cap": 3.0}})
    state = play(config, [*joined("a"), Tick(2500)])
    assert score_of(config, state, "a") == 1.0  # mesh time 2000 ms (last refresh) = 2 quanta; 2 * 0.5
    state = play(config, [*joined("a"), Tick(5000)])
    assert score_of(config, state, "a") == 1.5  # 5 quanta capped at 3; 3 * 0.5


def test_p1_changes_only_at_a_refresh() -> None:
    config = make_config({T: {"time_in_mesh_weight": 1.0}})
    assert score_of(config, play(config, [*joined("a"), Tick(999)]), "a") == 0.0  # no refresh yet: mesh time 0
    assert score_of(config, play(config, [*joined("a"), Tick(1999)]), "a") == 1.0  # refresh at 1000: 1 quantum


def test_p1_is_zero_outside_the_mesh() -> None:
    config = make_config({T: {"time_in_mesh_weight": 1.0}})
    state = play(config, [*joined("a"), Tick(3000), Prune(3000, "a", T)])
    assert breakdown(config, state, "a").topics[T].p1 == 0.0  # 3 quanta earned, dropped when pruned
    assert score_of(config, state, "a") == 0.0


# --- P2 first message deliveries ---------------------------------------------------------------------


def test_p2_counts_first_deliveries_capped_at_increment() -> None:
    config = make_config({T: {"first_message_deliveries_weight": 2.0, "first_message_deliveries_cap": 3.0}})
    events = [AddPeer(0, "a"), *(Deliver(0, "a", T, f"m{i}") for i in range(4))]
    state = play(config, events)
    assert counter(state, "a", "first_message_deliveries") == 3.0  # min(3, 4)
    assert score_of(config, state, "a") == 6.0  # 3 * 2
    state = play(config, [*events, Tick(1000)])
    assert score_of(config, state, "a") == 3.0  # 3 * 0.5 (decay) * 2


def test_p2_counts_outside_the_mesh_too() -> None:
    config = make_config({T: {"first_message_deliveries_weight": 1.0}})
    state = play(config, [AddPeer(0, "a"), Deliver(0, "a", T, "m")])
    assert score_of(config, state, "a") == 1.0
    assert counter(state, "a", "mesh_message_deliveries") == 0.0  # P3 counts only mesh deliveries


# --- P3 mesh message delivery deficit ----------------------------------------------------------------

P3_TOPIC = {"mesh_message_deliveries_weight": -1.0, "mesh_message_deliveries_threshold": 4.0,
            "mesh_message_deliveries_decay": 0.9, "mesh_message_deliveries_cap": 10.0}


def test_p3_deficit_applies_only_after_activation() -> None:
    config = make_config({T: P3_TOPIC})
    events = [*joined("a"), Deliver(0, "a", T, "m")]
    # refresh at 1000: counter 1 * 0.9 = 0.9; mesh time 1000 is not > activation 1000 (strict): inactive
    assert score_of(config, play(config, [*events, Tick(1000)]), "a") == 0.0
    # refresh at 2000: counter 0.81; mesh time 2000 > 1000: active; P3 = (4 - 0.81)^2 = 10.1761
    state = play(config, [*events, Tick(2000)])
    assert state.peers["a"].topics[T].mesh_message_deliveries_active
    assert score_of(config, state, "a") == pytest.approx(-10.1761)


def test_p3_no_penalty_at_or_above_threshold_and_counter_capped() -> None:
    config = make_config({T: {**P3_TOPIC, "mesh_message_deliveries_threshold": 2.0,
                              "mesh_message_deliveries_cap": 3.0, "mesh_message_deliveries_decay": 0.99}})
    events = [*joined("a"), *(Deliver(0, "a", T, f"m{i}") for i in range(5)), Tick(2000)]
    state = play(config, events)
    # counter min(3, 5) = 3, after two refreshes 3 * 0.99^2 = 2.9403 >= 2: no deficit
    assert counter(state, "a", "mesh_message_deliveries") == pytest.approx(2.9403)
    assert score_of(config, state, "a") == 0.0


# --- P3b mesh failure penalty ------------------------------------------------------------------------


def test_p3b_adds_the_squared_deficit_at_prune_and_decays() -> None:
    config = make_config({T: {**P3_TOPIC, "mesh_failure_penalty_weight": -0.5, "mesh_failure_penalty_decay": 0.5}})
    events = [*joined("a"), Deliver(0, "a", T, "m"), Prune(2000, "a", T)]
    state = play(config, events, "ts")
    # at 2000 P3 active with counter 0.81: P3b += (4 - 0.81)^2 = 10.1761; ts turns P3 off at prune
    assert counter(state, "a", "mesh_failure_penalty") == pytest.approx(10.1761)
    assert score_of(config, state, "a", "ts") == pytest.approx(-5.08805)  # 10.1761 * -0.5
    state = play(config, [*events, Tick(3000)], "ts")
    assert score_of(config, state, "a", "ts") == pytest.approx(-2.544025)  # 10.1761 * 0.5 * -0.5


def test_p3b_not_added_before_activation() -> None:
    config = make_config({T: {**P3_TOPIC, "mesh_failure_penalty_weight": -1.0}})
    state = play(config, [*joined("a"), Prune(1500, "a", T)])  # only 1 refresh: never activated
    assert counter(state, "a", "mesh_failure_penalty") == 0.0


# --- P4 invalid messages -----------------------------------------------------------------------------


def test_p4_squares_the_invalid_counter() -> None:
    config = make_config({T: {"invalid_message_deliveries_weight": -2.0}})
    events = [AddPeer(0, "a"), *(Invalid(0, "a", T) for _ in range(3))]
    assert score_of(config, play(config, events), "a") == -18.0  # 3^2 * -2
    assert score_of(config, play(config, [*events, Tick(1000)]), "a") == -4.5  # (3 * 0.5)^2 * -2


# --- P5 application-specific score -------------------------------------------------------------------


def test_p5_is_the_latest_app_score_times_its_weight() -> None:
    config = make_config(app_specific_weight=3.0)
    assert score_of(config, play(config, [AddPeer(0, "a"), AppScore(0, "a", 2.5)]), "a") == 7.5  # 2.5 * 3
    state = play(config, [AddPeer(0, "a"), AppScore(0, "a", 2.5), AppScore(1, "a", -1.0)])
    assert score_of(config, state, "a") == -3.0  # replaced, not added: -1 * 3


# --- P6 IP colocation --------------------------------------------------------------------------------


def colocated(*pairs: tuple[str, str]) -> list[Event]:
    peers = sorted({p for p, _ in pairs})
    return [*(AddPeer(0, p) for p in peers), *(AddIP(0, p, ip) for p, ip in pairs)]


def test_p6_squares_the_surplus_of_peers_sharing_an_ip() -> None:
    config = make_config(ip_colocation_factor_weight=-2.0, ip_colocation_factor_threshold=1)
    state = play(config, colocated(("a", "1.2.3.4"), ("b", "1.2.3.4"), ("c", "1.2.3.4"), ("d", "5.6.7.8")))
    assert score_of(config, state, "a") == -8.0  # 3 peers on the IP, threshold 1: (3 - 1)^2 * -2
    assert score_of(config, state, "d") == 0.0  # alone on its IP


def test_p6_sums_over_all_the_peers_ips() -> None:
    config = make_config(ip_colocation_factor_weight=-2.0, ip_colocation_factor_threshold=1)
    state = play(config, colocated(("a", "1.1.1.1"), ("b", "1.1.1.1"), ("c", "1.1.1.1"),
                                   ("a", "2.2.2.2"), ("b", "2.2.2.2")))
    assert score_of(config, state, "a") == -10.0  # ((3 - 1)^2 + (2 - 1)^2) * -2


def test_p6_skips_whitelisted_ranges() -> None:
    config = make_config(ip_colocation_factor_weight=-2.0, ip_colocation_factor_threshold=1,
                         ip_colocation_factor_whitelist=["1.2.3.0/24"])
    state = play(config, colocated(("a", "1.2.3.4"), ("b", "1.2.3.4"), ("c", "1.2.3.4")))
    assert score_of(config, state, "a") == 0.0


# --- P7 behaviour penalty ----------------------------------------------------------------------------


def test_p7_squares_the_excess_over_the_threshold() -> None:
    config = make_config(behaviour_penalty_weight=-1.0, behaviour_penalty_threshold=1.0)
    assert score_of(config, play(config, [AddPeer(0, "a"), Penalty(0, "a", 3.0)]), "a") == -4.0  # (3 - 1)^2 * -1
    assert score_of(config, play(config, [AddPeer(0, "a"), Penalty(0, "a", 1.0)]), "a") == 0.0  # not above 1
    state = play(config, [AddPeer(0, "a"), Penalty(0, "a", 3.0), Tick(1000)])
    assert score_of(config, state, "a") == -0.25  # decayed 3 * 0.5 = 1.5: (1.5 - 1)^2 * -1


# --- topic weight and cap ----------------------------------------------------------------------------


def test_topic_weight_scales_the_topic_contribution() -> None:
    config = make_config({T: {"topic_weight": 0.5, "first_message_deliveries_weight": 1.0}})
    state = play(config, [AddPeer(0, "a"), Deliver(0, "a", T, "m0"), Deliver(0, "a", T, "m1")])
    assert score_of(config, state, "a") == 1.0  # 2 deliveries * 1 * 0.5


def test_topic_cap_limits_the_positive_topic_sum_before_p5_to_p7() -> None:
    reward = {"first_message_deliveries_weight": 1.0}
    config = make_config({"a": reward, "b": reward}, topic_score_cap=3.0, app_specific_weight=1.0)
    events = [AddPeer(0, "p"), *(Deliver(0, "p", t, f"{t}{i}") for t in "ab" for i in range(2)), AppScore(0, "p", 5.0)]
    b = breakdown(config, play(config, events), "p")
    assert (b.topic_total, b.topic_capped, b.score) == (4.0, 3.0, 8.0)  # 2 + 2 = 4 capped at 3; + 5 * 1


def test_topic_cap_leaves_a_negative_topic_sum_alone() -> None:
    config = make_config({"a": {"first_message_deliveries_weight": 1.0},
                          "b": {"invalid_message_deliveries_weight": -10.0}}, topic_score_cap=3.0)
    state = play(config, [AddPeer(0, "p"), Deliver(0, "p", "a", "m0"), Deliver(0, "p", "a", "m1"),
                          Invalid(0, "p", "b")])
    assert score_of(config, state, "p") == -8.0  # 2 + 1^2 * -10 = -8, below the cap: unchanged


# --- decay -------------------------------------------------------------------------------------------


def test_decay_multiplies_then_snaps_to_zero_below_decay_to_zero() -> None:
    config = make_config({T: {"first_message_deliveries_weight": 1.0}}, decay_to_zero=0.3)
    events = [AddPeer(0, "a"), Deliver(0, "a", T, "m")]
    assert counter(play(config, [*events, Tick(1000)]), "a", "first_message_deliveries") == 0.5  # 1 * 0.5
    assert counter(play(config, [*events, Tick(2000)]), "a", "first_message_deliveries") == 0.0  # 0.25 < 0.3


def test_every_counter_decays_by_its_own_factor() -> None:
    config = make_config({T: {"first_message_deliveries_decay": 0.5, "mesh_message_deliveries_decay": 0.25,
                              "invalid_message_deliveries_decay": 0.75}}, behaviour_penalty_decay=0.2)
    state = play(config, [*joined("a"), Deliver(0, "a", T, "m"), Invalid(0, "a", T), Penalty(0, "a", 1.0),
                          Tick(1000)])
    ts = state.peers["a"].topics[T]
    assert (ts.first_message_deliveries, ts.mesh_message_deliveries, ts.invalid_message_deliveries) == (0.5, 0.25, 0.75)
    assert state.peers["a"].behaviour_penalty == 0.2


# --- retention ---------------------------------------------------------------------------------------

RETAIN = {T: {"first_message_deliveries_weight": 0.5, "invalid_message_deliveries_weight": -1.0}}


def test_retention_forgets_a_positive_score_at_disconnect() -> None:
    config = make_config(RETAIN)
    state = play(config, [AddPeer(0, "a"), Deliver(0, "a", T, "m"), RemovePeer(100, "a")])
    assert "a" not in state.peers  # score 0.5 > 0: forgotten (go, ts, rust)


def test_retention_keeps_a_non_positive_score_undecayed_until_expiry() -> None:
    config = make_config(RETAIN)  # RetainScore 10 s
    events = [AddPeer(0, "a"), Deliver(0, "a", T, "m"), Invalid(0, "a", T), RemovePeer(100, "a")]
    state = play(config, events)
    # score 0.5 - 1 = -0.5 <= 0: retained with P2 reset to 0 and P4 kept: 1^2 * -1
    assert not state.peers["a"].connected and state.peers["a"].expire_ms == 10_100
    assert score_of(config, state, "a") == -1.0
    assert score_of(config, play(config, [*events, Tick(10_000)]), "a") == -1.0  # not decayed while retained
    assert "a" not in play(config, [*events, Tick(11_000)]).peers  # refresh at 11000 > 10100: expired


def test_retention_turns_a_mesh_deficit_into_p3b_at_disconnect() -> None:
    config = make_config({T: {**P3_TOPIC, "mesh_failure_penalty_weight": -1.0}})
    state = play(config, [*joined("a"), Deliver(0, "a", T, "m"), RemovePeer(2000, "a")], "ts")
    assert counter(state, "a", "mesh_failure_penalty") == pytest.approx(10.1761)  # (4 - 0.81)^2
    assert score_of(config, state, "a", "ts") == pytest.approx(-10.1761)  # P3 off in ts: only P3b


def test_retention_decides_on_the_score_at_disconnect_even_if_it_then_turns_positive() -> None:
    """ts/rust/spec switch P3 off at disconnect (GS-DIV-2), so a peer kept for its P3 deficit may be kept positive."""
    config = make_config({T: {"mesh_message_deliveries_weight": -1.0, "mesh_message_deliveries_threshold": 4.0}},
                         app_specific_weight=1.0)
    events = [*joined("a"), AppScore(0, "a", 10.0), Tick(2000), RemovePeer(2000, "a")]
    # at disconnect: P5 10 * 1 + P3 (4 - 0)^2 * -1 = -6 <= 0, so every dialect retains a (P3b weight 0)
    assert by_dialect(config, events, "a") == {"go": -6.0, "ts": 10.0, "rust": 10.0, "spec": 10.0}


# --- near-first window and delivery records ----------------------------------------------------------

WINDOW = {T: {"mesh_message_deliveries_window": "10ms"}}


def test_near_first_copy_counts_inside_the_window_only() -> None:
    config = make_config(WINDOW)
    state = play(config, [*joined("a", "b", "c"), AddPeer(0, "e"), Deliver(0, "a", T, "m"), Duplicate(5, "e", T, "m"),
                          Duplicate(10, "b", T, "m"), Duplicate(11, "c", T, "m"), Duplicate(12, "b", T, "m")])
    assert counter(state, "a", "mesh_message_deliveries") == 1.0  # the first delivery
    assert counter(state, "b", "mesh_message_deliveries") == 1.0  # 10 ms <= window; its second copy ignored
    assert counter(state, "c", "mesh_message_deliveries") == 0.0  # 11 ms > window
    assert counter(state, "e", "mesh_message_deliveries") == 0.0  # inside the window but not in the mesh


def test_pending_copies_count_when_validation_accepts() -> None:
    config = make_config(WINDOW)
    state = play(config, [*joined("a", "b"), Receive(0, "a", T, "m"), Duplicate(100, "b", T, "m"),
                          Validated(500, "m", "accept")])
    assert counter(state, "a", "first_message_deliveries") == 1.0  # the validated first copy
    assert counter(state, "b", "mesh_message_deliveries") == 1.0  # pending copy: counted whatever the delay
    assert counter(state, "b", "first_message_deliveries") == 0.0


def test_invalid_message_penalises_every_sender_of_a_copy() -> None:
    config = make_config({T: {"invalid_message_deliveries_weight": -1.0}})
    state = play(config, [*(AddPeer(0, p) for p in "abc"), Receive(0, "a", T, "m"), Duplicate(5, "b", T, "m"),
                          Validated(10, "m", "reject"), Duplicate(20, "c", T, "m"), Duplicate(30, "c", T, "m")])
    # a sent it, b's copy was pending: 1 each; c sent two copies after the reject: 1 per copy (go, ts)
    assert [counter(state, p, "invalid_message_deliveries") for p in "abc"] == [1.0, 1.0, 2.0]
    assert score_of(config, state, "c") == -4.0  # 2^2 * -1


def test_ignored_message_scores_nobody() -> None:
    config = make_config({T: {"invalid_message_deliveries_weight": -1.0, "first_message_deliveries_weight": 1.0}})
    state = play(config, [*(AddPeer(0, p) for p in "abc"), Receive(0, "a", T, "m"), Duplicate(5, "b", T, "m"),
                          Validated(10, "m", "ignore"), Duplicate(20, "c", T, "m"), Ignored(30, "a", T, "m2")])
    assert [score_of(config, state, p) for p in "abc"] == [0.0, 0.0, 0.0]


# --- dialect divergences (reference/gossipsub/dialect.py) --------------------------------------------

def test_dialects_p1_floored_in_go_fractional_elsewhere() -> None:
    """GS-DIV-1."""
    config = make_config({T: {"time_in_mesh_weight": 1.0, "time_in_mesh_quantum": "1500ms"}})
    scores = by_dialect(config, [*joined("a"), Tick(2000)], "a")
    assert scores["go"] == 1.0  # floor(2000 / 1500) = 1
    assert scores["ts"] == scores["rust"] == scores["spec"] == pytest.approx(4 / 3)  # 2000 / 1500


# The TypeScript PeerScore test vector (notes/gossipsub.md §4.2, confirmed on @libp2p/gossipsub 17.1.1).
TS_VECTOR = make_config(
    {T: {"time_in_mesh_weight": 0.1, "time_in_mesh_cap": 10.0,
         "first_message_deliveries_weight": 1.0, "first_message_deliveries_decay": 0.9,
         "mesh_message_deliveries_weight": -1.0, "mesh_message_deliveries_decay": 0.9,
         "mesh_message_deliveries_threshold": 4.0, "mesh_message_deliveries_cap": 20.0,
         "mesh_failure_penalty_weight": -1.0, "mesh_failure_penalty_decay": 0.9,
         "invalid_message_deliveries_weight": -10.0, "invalid_message_deliveries_decay": 0.9}},
    decay_interval="2s", behaviour_penalty_weight=-1.0, behaviour_penalty_decay=0.9)
TS_VECTOR_EVENTS = [*joined("A", "B"), Deliver(0, "A", T, "m1"), Duplicate(0, "B", T, "m1"), Invalid(0, "B", T)]


def test_ts_vector_reproduced_before_the_prune() -> None:
    for d in DIALECT_NAMES:
        state = play(TS_VECTOR, TS_VECTOR_EVENTS, d)
        assert (score_of(TS_VECTOR, state, "A", d), score_of(TS_VECTOR, state, "B", d)) == (1.0, -10.0)
        # refresh at 2000 (one 2 s interval): counters * 0.9, mesh time 2 s > activation 1 s
        state = play(TS_VECTOR, [*TS_VECTOR_EVENTS, Tick(2000)], d)
        # A: P1 2 * 0.1 + P2 0.9 * 1 - P3 (4 - 0.9)^2 = 0.2 + 0.9 - 9.61 = -8.51
        assert score_of(TS_VECTOR, state, "A", d) == pytest.approx(-8.51)
        # B: 0.2 - 9.61 + P4 0.9^2 * -10 = 0.2 - 9.61 - 8.1 = -17.51
        assert score_of(TS_VECTOR, state, "B", d) == pytest.approx(-17.51)


def test_dialects_p3_stays_active_after_prune_only_in_go() -> None:
    """GS-DIV-2, on the ts vector: prune B, then a behaviour penalty of 2."""
    events = [*TS_VECTOR_EVENTS, Tick(2000), Prune(2000, "B", T), Penalty(2000, "B", 2.0)]
    scores = by_dialect(TS_VECTOR, events, "B")
    # P3b 9.61 * -1, P4 -8.1, P7 (2 - 0)^2 * -1 = -4: -21.71 where P3 is switched off by the prune
    assert scores["ts"] == scores["rust"] == scores["spec"] == pytest.approx(-21.71)
    assert scores["go"] == pytest.approx(-31.32)  # go keeps the P3 deficit too: -21.71 - 9.61


def test_dialects_p7_threshold_everywhere_but_the_spec_formula() -> None:
    """GS-DIV-7."""
    config = make_config(behaviour_penalty_weight=-1.0, behaviour_penalty_threshold=1.0)
    scores = by_dialect(config, [AddPeer(0, "a"), Penalty(0, "a", 3.0)], "a")
    assert scores["go"] == scores["ts"] == scores["rust"] == -4.0  # (3 - 1)^2 * -1
    assert scores["spec"] == -9.0  # 3^2 * -1


def test_dialects_only_the_spec_retains_positive_scores() -> None:
    """GS-DIV-5."""
    config = make_config(RETAIN)
    events = [AddPeer(0, "a"), Deliver(0, "a", T, "m"), RemovePeer(100, "a")]  # score 0.5 at disconnect
    kept = {d: "a" in play(config, events, d).peers for d in DIALECT_NAMES}
    assert kept == {"go": False, "ts": False, "rust": False, "spec": True}
    assert score_of(config, play(config, events, "spec"), "a", "spec") == 0.0  # P2 reset at disconnect


def test_dialects_ts_reconnect_starts_from_fresh_stats() -> None:
    """GS-DIV-15: a retained peer (P4 = 1, score -1) reconnects within RetainScore."""
    config = make_config(RETAIN)
    events = [AddPeer(0, "a"), Invalid(0, "a", T), RemovePeer(100, "a"), AddPeer(5000, "a")]
    scores = by_dialect(config, events, "a")
    assert scores["go"] == scores["rust"] == scores["spec"] == -1.0  # retained, undecayed counters reused
    assert scores["ts"] == 0.0


def test_dialects_oversubscription_at_d_hi_in_go_above_it_elsewhere() -> None:
    """GS-DIV-9: a mesh of exactly Dhi = 3 peers at a heartbeat."""
    config = make_config(router={"d": 2, "d_lo": 1, "d_hi": 3, "d_score": 0})
    events = [*joined("a", "b", "c"), Heartbeat(100)]
    sizes = {d: len(mesh(play(config, events, d))) for d in DIALECT_NAMES}
    assert sizes == {"go": 2, "ts": 3, "rust": 3, "spec": 3}  # go trims 3 >= Dhi to D; the others need > Dhi


def test_dialects_near_first_window_from_validation_or_first_sight() -> None:
    """GS-DIV-11: first seen at 0, validated at 500, copy at 505, window 10 ms."""
    config = make_config(WINDOW)
    events = [*joined("a", "c"), Receive(0, "a", T, "m"), Validated(500, "m", "accept"), Duplicate(505, "c", T, "m")]
    counts = {d: counter(play(config, events, d), "c", "mesh_message_deliveries") for d in DIALECT_NAMES}
    assert counts == {"go": 1.0, "ts": 1.0, "rust": 1.0, "spec": 0.0}  # 505 - 500 <= 10; 505 - 0 > 10


def test_dialects_opportunistic_candidates_agree_since_mesh_scores_are_non_negative() -> None:
    """GS-DIV-10: ts also requires candidates to score >= 0; unobservable after GS-HB-1.

    The heartbeat prunes every negative mesh peer first and grafts only peers scoring >= 0, so the median
    is >= 0 and every candidate above it is positive: both filters pick the same peers. Here a negative
    peer ``n`` would pass go's filter only if it beat the median; it cannot.
    """
    config = make_config(router={"d": 2, "d_lo": 1, "d_hi": 5, "opportunistic_graft_ticks": 1},
                         opportunistic_graft_threshold=5.0, app_specific_weight=1.0)
    events = [*joined("a1", "a2", "b"), AppScore(0, "b", -3.0), AddPeer(0, "n"), Subscribe(0, "n", T),
              AppScore(0, "n", -1.0), AddPeer(0, "c"), Subscribe(0, "c", T), AppScore(0, "c", 1.0), Heartbeat(100)]
    # b (-3) is pruned first; median of the remaining mesh {a1: 0, a2: 0} is 0 < 5; c (1 > 0) is grafted,
    # n (-1 < 0) is not, whatever the dialect
    meshes = {d: mesh(play(config, events, d)) for d in DIALECT_NAMES}
    assert all(m == {"a1", "a2", "c"} for m in meshes.values()), meshes


def test_dialects_dout_bubble_ts_rotates_up_to_d_outbound_peers() -> None:
    """GS-DIV-16: trimming 7 peers to D = 4 when none of the best 4 is outbound (Dout = 1)."""
    config = make_config(router={"d": 4, "d_lo": 3, "d_hi": 6, "d_score": 4, "d_out": 1}, app_specific_weight=1.0)
    inbound = [("i1", 4.0), ("i2", 3.0), ("i3", 2.0), ("i4", 1.0)]
    events: list[Event] = [e for p, v in inbound for e in (*joined(p), AppScore(0, p, v))]
    events += [e for p in ("o1", "o2", "o3") for e in (AddPeer(0, p, True), Subscribe(0, p, T), Graft(0, p, T))]
    go, ts = (mesh(play(config, [*events, Heartbeat(100)], d)) for d in ("go", "ts"))
    # sorted by score: i1 i2 i3 i4 | o o o. go rotates Dout - 0 = 1 outbound peer to the front and keeps
    # it with i1 i2 i3; ts rotates D - 0 = 4 wanted (3 available), keeping o1 o2 o3 and i1.
    assert go - {"o1", "o2", "o3"} == {"i1", "i2", "i3"} and len(go) == 4
    assert ts == {"o1", "o2", "o3", "i1"}


def test_dialects_whitelist_cidr_in_go_exact_ips_in_ts_and_rust() -> None:
    """GS-DIV-12: three peers on 1.2.3.4, whitelist 1.2.3.0/24 and the exact address 5.6.7.8."""
    config = make_config(ip_colocation_factor_weight=-2.0, ip_colocation_factor_threshold=1,
                         ip_colocation_factor_whitelist=["1.2.3.0/24", "5.6.7.8"])
    crowded = colocated(("a", "1.2.3.4"), ("b", "1.2.3.4"), ("c", "1.2.3.4"))
    # go (and the spec) match the range; ts and rust compare strings: (3 - 1)^2 * -2 = -8
    assert by_dialect(config, crowded, "a") == {"go": 0.0, "ts": -8.0, "rust": -8.0, "spec": 0.0}
    exact = colocated(("a", "5.6.7.8"), ("b", "5.6.7.8"), ("c", "5.6.7.8"))
    assert by_dialect(config, exact, "a") == {"go": 0.0, "ts": 0.0, "rust": 0.0, "spec": 0.0}


def test_dialects_delivery_records_collected_every_minute_in_go_every_refresh_elsewhere() -> None:
    """GS-DIV-17: an invalid message's record (SeenMsgTTL 120 s, expiring at 120 000) and a copy at 121 500."""
    config = make_config({T: {"invalid_message_deliveries_weight": -1.0}}, seen_msg_ttl="120s")
    events = [AddPeer(0, "a"), AddPeer(0, "b"), Invalid(0, "a", T, "m"), Duplicate(121_500, "b", T, "m")]
    penalties = {d: counter(play(config, events, d), "b", "invalid_message_deliveries") for d in DIALECT_NAMES}
    # go collects at 60 000 and 120 000 (not yet expired: 120 000 < 120 000 is false), next at 180 000: the
    # copy is of a known invalid message; the others collect at each refresh and dropped it at 121 000,
    # so the copy starts a new pending record and costs nothing
    assert penalties == {"go": 1.0, "ts": 0.0, "rust": 0.0, "spec": 0.0}


def test_dialects_ts_keeps_delivery_records_120s_whatever_seen_msg_ttl() -> None:
    """GS-DIV-20: SeenMsgTTL 2 s, a copy of an invalid message 3.5 s later."""
    config = make_config({T: {"invalid_message_deliveries_weight": -1.0}}, seen_msg_ttl="2s")
    events = [AddPeer(0, "a"), AddPeer(0, "b"), Invalid(0, "a", T, "m"), Duplicate(3500, "b", T, "m")]
    penalties = {d: counter(play(config, events, d), "b", "invalid_message_deliveries") for d in DIALECT_NAMES}
    # go: expired at 2000 but the next collection is at 60 000; ts: the record lives 120 s; rust and the
    # spec collected it at the refresh at 3000 > 2000
    assert penalties == {"go": 1.0, "ts": 1.0, "rust": 0.0, "spec": 0.0}


# --- heartbeat mesh maintenance ----------------------------------------------------------------------


def test_heartbeat_prunes_negative_mesh_peers_with_backoff() -> None:
    config = make_config({T: {"invalid_message_deliveries_weight": -1.0}})
    state = play(config, [*joined("a", "b"), Invalid(0, "b", T), Heartbeat(100)])
    assert mesh(state) == {"a"}
    assert state.router.backoff[(T, "b")] == 100 + 60_000  # PruneBackoff 60 s


def test_heartbeat_grafts_below_d_lo_only_eligible_peers() -> None:
    config = make_config({T: {"invalid_message_deliveries_weight": -1.0}},
                         router={"d": 3, "d_lo": 2, "d_hi": 4, "d_out": 0})
    events: list[Event] = [AddPeer(0, p) for p in ("good1", "good2", "bad", "backing", "unsub")]
    events += [Subscribe(0, p, T) for p in ("good1", "good2", "bad", "backing")]
    events += [Invalid(0, "bad", T), Prune(0, "backing", T), Heartbeat(100)]
    # empty mesh < Dlo = 2: up to D = 3 candidates, but bad scores -1, backing is in backoff, unsub is not
    # subscribed: only the two good peers qualify
    assert mesh(play(config, events)) == {"good1", "good2"}


def test_heartbeat_graft_fills_up_to_d() -> None:
    # Dhi = 5 leaves room above D: a graft too many would stay (not be trimmed away) and show
    config = make_config(router={"d": 3, "d_lo": 2, "d_hi": 5, "d_out": 0})
    events: list[Event] = [e for p in "abcde" for e in (AddPeer(0, p), Subscribe(0, p, T))]
    assert len(mesh(play(config, [*events, Heartbeat(100)]))) == 3


def test_heartbeat_trims_to_d_keeping_the_best_d_score_and_d_out_outbound() -> None:
    config = make_config(router={"d": 4, "d_lo": 3, "d_hi": 6, "d_score": 2, "d_out": 1}, app_specific_weight=1.0)
    events: list[Event] = [e for i in range(1, 8) for e in (*joined(f"p{i}"), AppScore(0, f"p{i}", 8.0 - i))]
    events += [AddPeer(0, "p8", True), Subscribe(0, "p8", T), Graft(0, "p8", T), Heartbeat(100)]
    for d in DIALECT_NAMES:  # 8 > Dhi = 6 in every dialect
        kept = mesh(play(config, events, d))
        assert len(kept) == 4 and {"p1", "p2", "p8"} <= kept  # best two by score, the only outbound peer


def test_heartbeat_grafts_outbound_peers_when_below_d_out() -> None:
    config = make_config(router={"d": 4, "d_lo": 3, "d_hi": 6, "d_out": 1})
    events: list[Event] = [*joined("i1", "i2", "i3"), AddPeer(0, "x"), Subscribe(0, "x", T)]
    events += [AddPeer(0, "o", True), Subscribe(0, "o", T), AddPeer(0, "o2", True), Subscribe(0, "o2", T),
               Heartbeat(100)]
    # 3 peers >= Dlo, none outbound < Dout = 1: graft Dout - 0 = 1 of the two outbound candidates; x is inbound
    grown = mesh(play(config, events))
    assert len(grown) == 4 and {"i1", "i2", "i3"} < grown and grown - {"i1", "i2", "i3"} <= {"o", "o2"}


def test_heartbeat_opportunistic_graft_only_at_the_tick_multiple() -> None:
    config = make_config(router={"d": 2, "d_lo": 1, "d_hi": 5, "opportunistic_graft_ticks": 3,
                                 "opportunistic_graft_peers": 1},
                         opportunistic_graft_threshold=5.0, app_specific_weight=1.0)
    events: list[Event] = [*joined("a", "b"), AppScore(0, "a", 1.0), AppScore(0, "b", 1.0)]
    events += [AddPeer(0, "c"), Subscribe(0, "c", T), AppScore(0, "c", 3.0)]
    events += [AddPeer(0, "d"), Subscribe(0, "d", T), AppScore(0, "d", 1.0)]
    # median mesh score 1 < threshold 5; c (3 > 1) qualifies, d (1, not above the median) never does
    assert mesh(play(config, [*events, Heartbeat(1000), Heartbeat(2000)])) == {"a", "b"}
    assert mesh(play(config, [*events, Heartbeat(1000), Heartbeat(2000), Heartbeat(3000)])) == {"a", "b", "c"}


def test_heartbeat_opportunistic_median_is_the_upper_middle_score() -> None:
    config = make_config(router={"d": 2, "d_lo": 1, "d_hi": 5, "opportunistic_graft_ticks": 1},
                         opportunistic_graft_threshold=5.0, app_specific_weight=1.0)
    events = [*joined("a", "b"), AppScore(0, "b", 4.0), AddPeer(0, "c"), Subscribe(0, "c", T), AppScore(0, "c", 3.0),
              Heartbeat(100)]
    # mesh scores [0, 4]: median = element len/2 = 4 < 5; c (3) is not above it (a lower median, 0, would graft it)
    assert mesh(play(config, events)) == {"a", "b"}


def test_heartbeat_is_deterministic_for_a_fixed_seed() -> None:
    config = make_config(router={"d": 3, "d_lo": 3, "d_hi": 6, "d_out": 0})
    events: list[Event] = [e for p in "abcdefgh" for e in (AddPeer(0, p), Subscribe(0, p, T))] + [Heartbeat(100)]
    outcomes = {seed: frozenset(mesh(play(config, events, seed=seed))) for seed in range(8)}
    assert all(outcomes[seed] == frozenset(mesh(play(config, events, seed=seed))) for seed in range(8))
    assert len(set(outcomes.values())) > 1  # the choice is random, drawn from the seed
