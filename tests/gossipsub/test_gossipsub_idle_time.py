"""GS-DECAY-5: idle time in closed form. A stretch of refreshes and delivery-record collections with no
event between them costs O(1) refreshes and equals stepping them one by one; a year of idle time
replays in under a second (issue 8, Build item 3)."""

from __future__ import annotations

import importlib
import json
import math
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from peerproof.properties.gossipsub.config_strategies import configs
from peerproof.properties.gossipsub.strategies import gossipsub_events
from peerproof.reference.configfile import read_document
from peerproof.reference.gossipsub import (
    MODEL,
    AddIP,
    AddPeer,
    Config,
    Deliver,
    Dialect,
    Graft,
    Invalid,
    Penalty,
    Prune,
    Receive,
    RemovePeer,
    State,
    Tick,
    config_from_mapping,
    step,
)
from peerproof.reference.gossipsub import decay as decay_module
from peerproof.reference.gossipsub.decay import collect_deliveries, decayed, refresh
from peerproof.reference.gossipsub.state import evolve
from peerproof.reference.trace import record, replay, trace_from_text, trace_to_dict
from peerproof.spec import bundled_config_path

step_module = importlib.import_module("peerproof.reference.gossipsub.step")  # the package re-exports step()
YEAR_S = 32_000_000  # the "one simulated year" (3.2e7 s)


def stepped(config: Config, state: State, to_ms: int, dialect: Dialect) -> State:
    """The oracle: every refresh and collection due by ``to_ms``, one by one (the model before GS-DECAY-5)."""
    interval = config.score.decay_interval_ms
    gc_interval = dialect.delivery_gc_interval_ms or interval
    while min(state.next_refresh_ms, state.next_gc_ms) <= to_ms:
        if state.next_refresh_ms <= state.next_gc_ms:
            state = evolve(state, now_ms=state.next_refresh_ms, next_refresh_ms=state.next_refresh_ms + interval)
            state = refresh(config, state, dialect)
            if dialect.delivery_gc_interval_ms is None:
                state = collect_deliveries(evolve(state, next_gc_ms=state.next_refresh_ms))
        else:
            state = evolve(state, now_ms=state.next_gc_ms, next_gc_ms=state.next_gc_ms + gc_interval)
            state = collect_deliveries(state)
    return evolve(state, now_ms=to_ms)


def counters_agree(a: float, b: float, cut: float) -> bool:
    """Equal within the replay tolerance, or on either side of the decay-to-zero cut at the very interval
    where the closed form and the stepped product (which differ by rounding only) straddle it."""
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) or (min(a, b) == 0 and max(a, b) < cut * (1 + 1e-9))


def assert_same_state(closed: State, oracle: State, config: Config) -> None:
    """The closed form's state is the stepped one: same clock, timers, peers, IPs, records; counters agree."""
    assert (closed.now_ms, closed.next_refresh_ms, closed.next_gc_ms) == (
        oracle.now_ms, oracle.next_refresh_ms, oracle.next_gc_ms)
    assert set(closed.peers) == set(oracle.peers)
    assert dict(closed.peer_ips) == dict(oracle.peer_ips)
    assert set(closed.deliveries) == set(oracle.deliveries)
    cut = config.score.decay_to_zero
    for peer, stats in oracle.peers.items():
        mine = closed.peers[peer]
        assert (mine.connected, mine.expire_ms, mine.known_ips) == (stats.connected, stats.expire_ms, stats.known_ips)
        assert counters_agree(mine.behaviour_penalty, stats.behaviour_penalty, cut)
        assert set(mine.topics) == set(stats.topics)
        for topic, ts in stats.topics.items():
            got = mine.topics[topic]
            assert (got.in_mesh, got.graft_time_ms, got.mesh_time_ms, got.mesh_message_deliveries_active) == (
                ts.in_mesh, ts.graft_time_ms, ts.mesh_time_ms, ts.mesh_message_deliveries_active), (peer, topic)
            for name in ("first_message_deliveries", "mesh_message_deliveries", "mesh_failure_penalty",
                         "invalid_message_deliveries"):
                assert counters_agree(getattr(got, name), getattr(ts, name), cut), (peer, topic, name)


@st.composite
def idle_scenarios(draw: st.DrawFn) -> tuple[Config, State, int, Dialect]:
    """A config, the state after a random run, and an idle stretch of 0 to 3000 decay intervals after it."""
    config = draw(configs())
    events = draw(gossipsub_events(config, max_events=12))
    dialect = MODEL.get_dialect(config.dialect)
    state = MODEL.final_state(config, events)
    intervals = draw(st.integers(0, 3000))
    offset = draw(st.integers(0, config.score.decay_interval_ms - 1))
    return config, state, state.now_ms + intervals * config.score.decay_interval_ms + offset, dialect


@settings(max_examples=60)
@given(idle_scenarios())
def test_gossipsub_idle_closed_form_equals_stepping_each_interval(scenario: tuple) -> None:
    """GS-DECAY-5: the whole stretch in closed form (no exact prefix) equals the interval-by-interval fold."""
    config, state, to_ms, dialect = scenario
    closed = step_module.advance(config, state, to_ms, dialect, exact=0)
    assert_same_state(closed, stepped(config, state, to_ms, dialect), config)


@settings(max_examples=40)
@given(idle_scenarios())
def test_gossipsub_idle_default_advance_equals_stepping(scenario: tuple) -> None:
    """GS-DECAY-5: the model's advance (an exact prefix, then the closed form) equals stepping."""
    config, state, to_ms, dialect = scenario
    assert_same_state(step_module.advance(config, state, to_ms, dialect), stepped(config, state, to_ms, dialect),
                      config)


@given(value=st.floats(0, 1e15), factor=st.floats(0, 1), cut=st.floats(1e-300, 0.99), times=st.integers(1, 400))
def test_gossipsub_decay_closed_form_applies_the_cut_at_the_right_interval(value: float, factor: float, cut: float,
                                                                           times: int) -> None:
    """GS-DECAY-5: ``decayed(times=k)`` is k one-step decays, the decay-to-zero cut included."""
    one_by_one = value
    for _ in range(times):
        one_by_one = decayed(one_by_one, factor, cut)
    assert counters_agree(decayed(value, factor, cut, times), one_by_one, cut)


def test_gossipsub_decay_cut_happens_exactly_once_below_the_threshold() -> None:
    """GS-DECAY-5, worked: 100 * 0.5^k falls below 0.01 first at k = 14 (0.0061); at k = 13 it is 0.0122."""
    assert decayed(100.0, 0.5, 0.01, 13) == 100 * 0.5 ** 13
    assert decayed(100.0, 0.5, 0.01, 14) == 0.0


def test_gossipsub_heartbeat_free_stretch_collects_records_like_each_collection() -> None:
    """GS-DECAY-5 with go's 1-minute record collection (GS-DIV-17): records older than SeenMsgTTL go at once."""
    config = config_from_mapping(json.loads(json.dumps(SMALL)), file="(test)")
    dialect = MODEL.get_dialect("go")
    events = [AddPeer(at_ms=0, peer="a"), Receive(at_ms=10, peer="a", topic="t", msg="m1"),
              Receive(at_ms=500_000, peer="a", topic="t", msg="m2")]
    state = MODEL.final_state(config, events)
    to_ms = 3_600_000
    closed = step_module.advance(config, state, to_ms, dialect, exact=0)
    assert_same_state(closed, stepped(config, state, to_ms, dialect), config)
    assert not closed.deliveries


SMALL = {
    "protocol": "gossipsub", "dialect": "go",
    "score_params": {
        "decay_interval": "1s", "decay_to_zero": 0.01, "retain_score": "10m", "behaviour_penalty_weight": -1,
        "behaviour_penalty_decay": 0.999, "ip_colocation_factor_weight": -1, "ip_colocation_factor_threshold": 1,
        "topics": {"t": {"topic_weight": 1, "time_in_mesh_weight": 0.01, "time_in_mesh_quantum": "1s",
                         "time_in_mesh_cap": 3600, "first_message_deliveries_weight": 1,
                         "first_message_deliveries_decay": 0.99, "first_message_deliveries_cap": 100,
                         "mesh_message_deliveries_weight": -1, "mesh_message_deliveries_decay": 0.97,
                         "mesh_message_deliveries_cap": 10, "mesh_message_deliveries_threshold": 5,
                         "mesh_message_deliveries_activation": "5s", "mesh_failure_penalty_weight": -1,
                         "mesh_failure_penalty_decay": 0.999, "invalid_message_deliveries_weight": -1,
                         "invalid_message_deliveries_decay": 0.9999}},
    },
    "thresholds": {"gossip_threshold": -10, "publish_threshold": -20, "graylist_threshold": -30},
}


def year_trace_events() -> list:
    """Peers with live counters (slow decays), a retained peer and a pending record, then a year of quiet."""
    return [
        AddPeer(at_ms=0, peer="a"), AddPeer(at_ms=0, peer="b"), AddIP(at_ms=0, peer="a", ip="10.0.0.1"),
        AddIP(at_ms=0, peer="b", ip="10.0.0.1"), Graft(at_ms=0, peer="a", topic="t"),
        Graft(at_ms=0, peer="b", topic="t"), Deliver(at_ms=1000, peer="a", topic="t", msg="m1"),
        Invalid(at_ms=2000, peer="b", topic="t"), Penalty(at_ms=3000, peer="b", count=50.0),
        Receive(at_ms=4000, peer="a", topic="t", msg="m2"), Prune(at_ms=9000, peer="b", topic="t"),
        RemovePeer(at_ms=10_000, peer="b"), Tick(at_ms=YEAR_S * 1000),
    ]


def test_gossipsub_a_year_of_idle_time_replays_in_under_a_second() -> None:
    """Issue 8 acceptance: a trace with a tick at 3.2e7 s (DecayInterval 1 s: 3.2e7 refreshes) replays in
    under a second, through the strict trace reader, and reproduces its recorded observations."""
    config = config_from_mapping(SMALL, file="(test)")
    trace = record("gossipsub", config, year_trace_events())
    text = json.dumps(trace_to_dict(trace))
    start = time.perf_counter()
    mismatches = replay(trace_from_text(text, "year.json"))
    assert time.perf_counter() - start < 1.0
    assert mismatches == []
    final = trace.observations[-1]["values"]
    assert final["time"] == YEAR_S
    assert "b" not in final["peers"]  # retention (10 min) expired long ago


def test_gossipsub_idle_stretch_costs_a_bounded_number_of_refreshes(monkeypatch) -> None:
    """GS-DECAY-5 by count, not by clock: a year of idle time runs at most EXACT_TIMERS + 1 refreshes."""
    config = config_from_mapping(SMALL, file="(test)")
    state = MODEL.final_state(config, year_trace_events()[:-1])
    calls = []
    original = decay_module.refresh

    def counting(*args, **kwargs):
        calls.append(kwargs.get("times", 1))
        return original(*args, **kwargs)

    monkeypatch.setattr(step_module, "refresh", counting)
    monkeypatch.setattr(decay_module, "refresh", counting)
    after = step(config, state, Tick(at_ms=YEAR_S * 1000), MODEL.get_dialect("go"))
    assert len(calls) <= step_module.EXACT_TIMERS + 1
    assert sum(calls) == YEAR_S - 10  # one refresh per second from 11 s to 3.2e7 s
    assert after.now_ms == YEAR_S * 1000


def test_gossipsub_bundled_config_idles_for_the_whole_horizon() -> None:
    """GS-DECAY-5 at the time horizon (PP-LIMIT-7, 1e9 s) with a real config: the step finishes at once."""
    path = bundled_config_path("eth2-lighthouse")
    config = MODEL.config_from_mapping(read_document(path), file=str(path))
    events = [AddPeer(at_ms=0, peer="a"), Graft(at_ms=0, peer="a", topic=sorted(config.topics)[0]),
              Tick(at_ms=10**12)]
    state = MODEL.final_state(config, events)
    assert state.now_ms == 10**12


def test_gossipsub_idle_differential_catches_a_closed_form_that_decays_once(monkeypatch) -> None:
    """Check the checker: a closed form that decays only once per stretch is caught by the comparison."""
    config = config_from_mapping(SMALL, file="(test)")
    dialect = MODEL.get_dialect("go")
    state = MODEL.final_state(config, year_trace_events()[:-1])
    oracle = stepped(config, state, 600_000, dialect)
    monkeypatch.setattr(decay_module, "decayed", lambda value, factor, cut, times=1: decayed(value, factor, cut))
    with pytest.raises(AssertionError):
        assert_same_state(step_module.advance(config, state, 600_000, dialect, exact=0), oracle, config)


def test_gossipsub_idle_differential_catches_expiry_at_the_first_refresh(monkeypatch) -> None:
    """Check the checker: a closed form that judges retention at the first refresh of the stretch is caught."""
    config = config_from_mapping(SMALL, file="(test)")
    dialect = MODEL.get_dialect("go")
    state = MODEL.final_state(config, year_trace_events()[:-1])
    oracle = stepped(config, state, 3_600_000, dialect)
    original = decay_module.refresh

    def early(config: Config, state: State, dialect: Dialect, times: int = 1) -> State:
        first = state.now_ms - (times - 1) * config.score.decay_interval_ms
        return evolve(original(config, evolve(state, now_ms=first), dialect, times), now_ms=state.now_ms)

    monkeypatch.setattr(decay_module, "refresh", early)
    with pytest.raises(AssertionError):
        assert_same_state(step_module.advance(config, state, 3_600_000, dialect, exact=0), oracle, config)
