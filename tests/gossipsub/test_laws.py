"""GS-LAW-1..6 as Hypothesis properties: every law, every dialect, generated configs and event runs.

A scenario is a valid config (``config_strategies.configs``) and a run of events in non-decreasing
time over a few peers, two scored topics and one unscored one, IPs, messages and heartbeats: mostly
this module's runs, weighted toward the kinds each law is about, sometimes the project's general
``strategies.gossipsub_events``. In this module's runs message IDs follow a realistic trace: first
copies (deliver, receive, invalid, ignored) carry fresh IDs, later copies and validation results refer
to earlier ones, in their topic. Each event is a tuple of small draws mapped to an event afterwards,
so shrinking deletes events and simplifies them one by one.

The same scenarios drive the mutant searches of tests/gossipsub/quality (which load this module by path).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import Phase, event, find, given, settings
from hypothesis import strategies as st
from peerproof.properties.gossipsub import laws
from peerproof.properties.gossipsub.config_strategies import configs, number
from peerproof.properties.gossipsub.strategies import gossipsub_events
from peerproof.reference.gossipsub import (
    DIALECTS,
    AddIP,
    AddPeer,
    AppScore,
    Config,
    Deliver,
    Dialect,
    Duplicate,
    Event,
    Graft,
    Heartbeat,
    Ignored,
    Invalid,
    Penalty,
    Prune,
    Receive,
    RemoveIP,
    RemovePeer,
    State,
    Subscribe,
    Tick,
    Unsubscribe,
    Validated,
    breakdown,
    get_dialect,
    initial_state,
    step,
)

PEERS = ("p0", "p1", "p2", "p3")
IPS = ("10.0.0.1", "10.0.0.2")
UNSCORED_TOPIC = "x"
# Gaps between events: inside the near-first window (<= 50ms), around DecayInterval and activation
# (1-2s), and across retention (up to 30s, several refreshes).
GAPS_MS = (0, 0, 1, 4, 20, 100, 700, 1000, 2000, 6000)
# Kinds, repeated to weight the draw toward the events the laws are about.
KINDS = ("deliver", "deliver", "duplicate", "duplicate", "receive", "validated", "validated", "invalid",
         "invalid", "ignored", "graft", "graft", "prune", "tick", "tick", "add_peer", "remove_peer",
         "add_ip", "add_ip", "remove_ip", "app_score", "penalty", "heartbeat", "subscribe", "subscribe",
         "unsubscribe")
OUTCOMES = ("accept", "accept", "reject", "ignore")
FIRST_COPIES = ("deliver", "receive", "invalid", "ignored")  # kinds that introduce a new message ID
DIALECT_NAMES = sorted(DIALECTS)
# The kinds each law is about, drawn more often in that law's test.
FOCUS: dict[str, tuple[str, ...]] = {
    "GS-LAW-1": ("deliver", "receive", "validated", "duplicate"),
    "GS-LAW-2": ("invalid", "receive", "validated", "duplicate"),
    "GS-LAW-3": ("tick", "deliver", "invalid", "penalty"),
    "GS-LAW-4": ("add_ip", "deliver", "duplicate", "validated"),
    "GS-LAW-5": ("deliver", "tick", "graft"),
    "GS-LAW-6": ("remove_peer", "tick", "deliver", "invalid"),
}
Scenario = tuple[Config, list[Event]]


def raw_events(max_events: int, focus: tuple[str, ...] = ()) -> st.SearchStrategy[list[tuple[Any, ...]]]:
    """The draws behind a run: (gap, kind, peer index, topic index, message index, ip, outcome, value, flag).

    ``focus`` names kinds drawn four times as often, to put most runs inside one law's scope.
    """
    return st.lists(st.tuples(
        st.sampled_from(GAPS_MS), st.sampled_from(KINDS + focus * 3), st.integers(0, 4), st.integers(0, 2),
        st.integers(0, 7), st.sampled_from(IPS), st.sampled_from(OUTCOMES),
        number(-3.0, 3.0, 0.0, 1.0, -1.0), st.booleans(),
    ), min_size=min(6, max_events), max_size=max_events)


def build_events(config: Config, raw: Sequence[tuple[Any, ...]], connected: Sequence[str]) -> list[Event]:
    """Turn draws into events: accumulate times, give first copies fresh IDs, send later copies in their topic.

    Peer index 0 names any peer of the pool (connected or not); the others cycle over ``connected``.
    """
    topics = [*sorted(config.score.topics), UNSCORED_TOPIC]
    msgs: list[tuple[str, str]] = []  # (id, topic) of every first copy so far
    out: list[Event] = []
    t = 0
    for gap, kind, pi, ti, mi, ip, outcome, value, flag in raw:
        t += gap
        peer = PEERS[(ti + mi) % len(PEERS)] if pi == 0 or not connected else connected[pi % len(connected)]
        topic = topics[ti % len(topics)]
        fresh = f"m{len(msgs)}"  # the ID a first copy gets (recorded below if one is sent)
        earlier = msgs[mi % len(msgs)] if msgs else (fresh, topic)
        if kind in FIRST_COPIES or (kind in ("duplicate", "validated") and not msgs):
            msgs.append((fresh, topic))
        match kind:
            case "deliver":
                out.append(Deliver(t, peer, topic, fresh))
            case "receive":
                out.append(Receive(t, peer, topic, fresh))
            case "invalid":
                out.append(Invalid(t, peer, topic, fresh if flag else None))
            case "ignored":
                out.append(Ignored(t, peer, topic, fresh))
            case "duplicate":
                out.append(Duplicate(t, peer, earlier[1], earlier[0]))
            case "validated":
                out.append(Validated(t, earlier[0], outcome))
            case "graft":
                out.append(Graft(t, peer, topic))
            case "prune":
                out.append(Prune(t, peer, topic))
            case "subscribe":
                out.append(Subscribe(t, peer, topic))
            case "unsubscribe":
                out.append(Unsubscribe(t, peer, topic))
            case "add_peer":
                out.append(AddPeer(t, peer, flag))
            case "remove_peer":
                out.append(RemovePeer(t, peer))
            case "add_ip":
                out.append(AddIP(t, peer, ip))
            case "remove_ip":
                out.append(RemoveIP(t, peer, ip))
            case "app_score":
                out.append(AppScore(t, peer, value))
            case "penalty":
                out.append(Penalty(t, peer, abs(value) or 1.0))
            case "heartbeat":
                out.append(Heartbeat(t))
            case "tick":
                out.append(Tick(t))
    return out


@st.composite
def scenarios(draw: st.DrawFn, dialect: str, focus: tuple[str, ...] = (), max_events: int = 30) -> Scenario:
    """A config in ``dialect`` and a run of events.

    Three times in four the run is this module's: connect some peers (subscribed, grafted) at 0, then
    random events weighted toward ``focus``; otherwise it is the project's general event strategy
    (``strategies.gossipsub_events``: message stories, boundary-hitting delays, heartbeats).
    """
    config = draw(configs(dialect))
    topics = sorted(config.score.topics)
    if draw(st.integers(0, 3)) == 0:
        return config, draw(gossipsub_events(config, max_events=max_events, router=True))
    start: list[Event] = []
    connected = draw(st.lists(st.sampled_from(PEERS), min_size=1, max_size=len(PEERS), unique=True))
    for peer in connected:
        start.append(AddPeer(0, peer, draw(st.booleans())))
        for topic in draw(st.lists(st.sampled_from(topics), unique=True)):
            start += [Subscribe(0, peer, topic), Graft(0, peer, topic)]
    return config, start + build_events(config, draw(raw_events(max_events, focus)), connected)


def law_violation(law: str, scenario: Scenario, dialect: str) -> laws.LawViolation | None:
    """Run the scenario, checking ``law`` on every transition; record (for statistics) whether it applied."""
    config, events = scenario
    d = get_dialect(dialect)
    state = initial_state(config, dialect=d)
    applied = 0
    for i, ev in enumerate(events):
        after = step(config, state, ev, d)
        result = laws.LAWS[law](config, state, ev, after, d)
        if not result.holds:
            return laws.LawViolation(i, ev, result)
        applied += result.applies
        state = after
    event(f"{law} applied", "never" if not applied else "1-4 times" if applied < 5 else "5+ times")
    return None


def assert_law_holds(law: str, scenario: Scenario, dialect: str) -> None:
    violation = law_violation(law, scenario, dialect)
    assert violation is None, str(violation)


@pytest.mark.parametrize("dialect", DIALECT_NAMES)
@given(data=st.data())
def test_first_delivery_never_lowers_score(dialect: str, data: st.DataObject) -> None:
    """GS-LAW-1: no first delivery lowers any peer's score."""
    assert_law_holds("GS-LAW-1", data.draw(scenarios(dialect, FOCUS["GS-LAW-1"])), dialect)


@pytest.mark.parametrize("dialect", DIALECT_NAMES)
@given(data=st.data())
def test_invalid_message_never_raises_score(dialect: str, data: st.DataObject) -> None:
    """GS-LAW-2: no invalid message (or copy of one) raises any peer's score."""
    assert_law_holds("GS-LAW-2", data.draw(scenarios(dialect, FOCUS["GS-LAW-2"])), dialect)


@pytest.mark.parametrize("dialect", DIALECT_NAMES)
@given(data=st.data())
def test_refresh_moves_every_counter_toward_zero(dialect: str, data: st.DataObject) -> None:
    """GS-LAW-3: every refresh moves every counter toward 0 without flipping its sign."""
    assert_law_holds("GS-LAW-3", data.draw(scenarios(dialect, FOCUS["GS-LAW-3"])), dialect)


@pytest.mark.parametrize("dialect", DIALECT_NAMES)
@given(data=st.data())
def test_score_depends_only_on_own_counters(dialect: str, data: st.DataObject) -> None:
    """GS-LAW-4: a score reads only its peer's data; events about other peers leave it alone."""
    assert_law_holds("GS-LAW-4", data.draw(scenarios(dialect, FOCUS["GS-LAW-4"])), dialect)


@pytest.mark.parametrize("dialect", DIALECT_NAMES)
@given(data=st.data())
def test_topic_cap_respected(dialect: str, data: st.DataObject) -> None:
    """GS-LAW-5: the capped topic part never exceeds TopicScoreCap > 0."""
    assert_law_holds("GS-LAW-5", data.draw(scenarios(dialect, FOCUS["GS-LAW-5"])), dialect)


@pytest.mark.parametrize("dialect", DIALECT_NAMES)
@given(data=st.data())
def test_retention_keeps_only_the_dialects_scores(dialect: str, data: st.DataObject) -> None:
    """GS-LAW-6: go/ts/rust retain only non-positive scores, the spec any, each until expiry."""
    assert_law_holds("GS-LAW-6", data.draw(scenarios(dialect, FOCUS["GS-LAW-6"])), dialect)


def cap_binds(config: Config, state: State, dialect: Dialect) -> bool:
    """Whether some peer's uncapped topic part is above the cap (GS-LAW-5 is then more than vacuous)."""
    cap = config.score.topic_score_cap
    return any(b is not None and b.topic_total > cap
               for b in (breakdown(config, state, p, dialect) for p in state.peers))


def applies_somewhere(law: str, scenario: Scenario, dialect: str) -> bool:
    """Whether ``law`` applies to some transition of the run (for GS-LAW-5: with the cap binding)."""
    config, events = scenario
    d = get_dialect(dialect)
    state = initial_state(config, dialect=d)
    for ev in events:
        after = step(config, state, ev, d)
        result = laws.LAWS[law](config, state, ev, after, d)
        if result.applies and (law != "GS-LAW-5" or cap_binds(config, after, d)):
            return True
        state = after
    return False


@pytest.mark.parametrize("law", sorted(laws.LAWS))
def test_generated_runs_reach_every_law(law: str) -> None:
    """The generator is not vacuous: within a few examples it produces a transition each law applies to."""
    found = find(scenarios("go", FOCUS[law]), lambda s: applies_somewhere(law, s, "go"),
                 settings=settings(max_examples=50, database=None, derandomize=True, phases=[Phase.generate]))
    assert applies_somewhere(law, found, "go")
