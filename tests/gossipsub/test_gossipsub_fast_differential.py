"""GS-FAST-6: the fast engine equals the pure ``step`` on every observable, every event kind, every dialect.

Scenarios are test_laws.py's (loaded by path: connections, subscriptions, grafts, first/near-first/
duplicate/invalid/ignored deliveries, validation outcomes, IPs, app scores, penalties, heartbeats, ticks),
sometimes with an IP whitelist, every peer on one address, a validation that ends after the near-first window,
and a long idle stretch (more than EXACT_TIMERS refreshes: the closed-form skip). After every event the fast
fold's observation must equal the pure fold's within 1e-12 relative, and so must the kernel's own score of
every peer (which heartbeats and disconnections read); after the last event the whole State must be equal
(floats bit for bit). tests/gossipsub/test_gossipsub_fast_mutants.py loads this module by path for its mutant
searches.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from peerproof.reference.gossipsub import (
    DIALECTS,
    MODEL,
    AddIP,
    AddPeer,
    Config,
    Deliver,
    Duplicate,
    Event,
    Graft,
    Receive,
    State,
    Tick,
    Validated,
    config_from_mapping,
)
from peerproof.reference.gossipsub.fast import engine as engine_module
from peerproof.reference.gossipsub.fast import fold
from peerproof.reference.gossipsub.fast.engine import Engine
from peerproof.reference.gossipsub.fast.fold import Snapshot, fast_final_state
from peerproof.reference.gossipsub.score import breakdown
from peerproof.reference.trace import compare
from testmodules import by_path

TOLERANCE = 1e-12
DIALECT_NAMES = sorted(DIALECTS)
WHITELISTS = ((), ("10.0.0.1",), ("10.0.0.0/31",), ("10.0.0.2/32", "10.0.0.9"))


@cache
def law_tests() -> ModuleType:
    """tests/gossipsub/test_laws.py, loaded by path: its scenario strategies (tests/ is not a package)."""
    return by_path(Path(__file__).resolve().parent / "test_laws.py", "peerproof_tests_gossipsub_laws_fast")


SMALL = config_from_mapping({
    "protocol": "gossipsub", "score_params": {"decay_interval": "1s", "decay_to_zero": 0.01, "topics": {}},
    "thresholds": {"gossip_threshold": -10, "publish_threshold": -20, "graylist_threshold": -30},
})
law_tests()  # loaded at import: its @given tests must not be defined inside a running test


@st.composite
def colocated(draw: st.DrawFn, config: Config, events: list[Event]) -> tuple[Config, list[Event]]:
    """The scenario with every peer connected at the start on one address, and P6 weighted (GS-P6)."""
    ip = draw(st.sampled_from(law_tests().IPS))
    score = replace(config.score, ip_colocation_factor_weight=config.score.ip_colocation_factor_weight or -1.0)
    out: list[Event] = []
    for e in events:
        out.append(e)
        if isinstance(e, AddPeer) and e.at_ms == 0:
            out.append(AddIP(0, e.peer, ip))
    return replace(config, score=score), out


@st.composite
def late_validation(draw: st.DrawFn, config: Config, events: list[Event]) -> list[Event]:
    """The events, then a copy received, validated after its topic's near-first window and duplicated
    right after the validation (GS-P3-2, GS-DIV-11: the window counts from validation or first sight)."""
    topic = draw(st.sampled_from(sorted(config.score.topics)))
    first, later = draw(st.lists(st.sampled_from(law_tests().PEERS), min_size=2, max_size=2, unique=True))
    t = events[-1].at_ms if events else 0
    validated = t + config.score.topics[topic].mesh_message_deliveries_window_ms + draw(st.integers(1, 50))
    return [*events, Graft(t, later, topic), Receive(t, first, topic, "late"), Validated(validated, "late", "accept"),
            Duplicate(validated + draw(st.integers(0, 1)), later, topic, "late")]


@st.composite
def scenarios(draw: st.DrawFn, dialect: str, focus: tuple[str, ...] = (), max_events: int = 30
              ) -> tuple[Config, list[Event]]:
    """test_laws.py's scenario (kinds in ``focus`` drawn more often), with a drawn whitelist, sometimes
    every peer on one address, a late validation, or a long idle stretch inserted."""
    config, events = draw(law_tests().scenarios(dialect, focus, max_events=max_events))
    whitelist = draw(st.sampled_from(WHITELISTS))
    config = replace(config, score=replace(config.score, ip_colocation_factor_whitelist=whitelist))
    if draw(st.integers(0, 3)) == 0:
        config, events = draw(colocated(config, events))
    if draw(st.integers(0, 3)) == 0:
        events = draw(late_validation(config, events))
    if events and draw(st.integers(0, 3)) == 0:
        cut = draw(st.integers(1, len(events)))
        idle = draw(st.sampled_from((1_100, 3_000))) * config.score.decay_interval_ms + draw(st.integers(0, 999))
        later = [replace(e, at_ms=e.at_ms + idle) for e in events[cut:]] or [Tick(events[-1].at_ms + idle)]
        events = events[:cut] + later
    return config, events


def queued(state: State) -> list[tuple[int, str]]:
    """The expiry queue's entries, oldest first (front from its position, then the back's cons cells)."""
    q = state.expiries
    back, cell = [], q.back
    while cell is not None:
        back.append(cell[0])
        cell = cell[1]
    return [*q.front[q.pos:], *reversed(back)]


def tables(state: State) -> dict[str, Any]:
    """Everything a State holds, the expiry queue as its list of entries (its representation may differ)."""
    return {"now": state.now_ms, "next_refresh": state.next_refresh_ms, "next_gc": state.next_gc_ms,
            "peers": state.peers, "peer_ips": state.peer_ips, "app_scores": state.app_scores,
            "deliveries": state.deliveries, "expiries": queued(state), "router": state.router}


def divergence(config: Config, events: list[Event], dialect: str, engine: type[Engine] = Engine) -> str | None:
    """Where the fast engine (``engine``) and the pure fold first differ, or None when they agree throughout."""
    d = MODEL.get_dialect(dialect)
    saved, fold.Engine = fold.Engine, engine
    try:
        want = got = None
        pure = MODEL.states(config, events, dialect=dialect, engine="reference")
        for (i, _e, want), (_j, _f, got) in zip(pure, fold.fast_states(config, events, d), strict=True):
            assert isinstance(got, Snapshot)
            observed = MODEL.observe(config, want, d)
            diffs = compare(observed, MODEL.observe(config, got, d), tolerance=TOLERANCE)
            if diffs:
                return f"after events[{i}] ({events[i]!r}): {diffs[0]}"
            scores = {p: o["score"] for p, o in observed["peers"].items()}
            diffs = compare(scores, got.engine().scores(), tolerance=TOLERANCE)  # what heartbeats and disconnects read
            if diffs:
                return f"after events[{i}] ({events[i]!r}): the kernel's score: {diffs[0]}"
            engine = got.engine()
            for p in sorted(want.peers):  # what the attack engines' samples read
                if engine.breakdown(engine.peer_id[p]) != breakdown(config, want, p, d):
                    return f"after events[{i}] ({events[i]!r}): the tables' breakdown of {p}"
        if want is not None:
            final = tables(got.settled())
            for key, value in tables(want).items():
                if final[key] != value:
                    return f"final state: {key} differs"
    finally:
        fold.Engine = saved
    return None


@pytest.mark.parametrize("dialect", DIALECT_NAMES)
@given(data=st.data())
def test_fast_engine_equals_pure_step_on_every_observable(dialect: str, data: st.DataObject) -> None:
    """GS-FAST-6: observation after every event and the final State, fast engine vs pure fold."""
    config, events = data.draw(scenarios(dialect))
    assert divergence(config, events, dialect) is None


@contextmanager
def stretches_of(n: int) -> Iterator[None]:
    """Pipelined runs fill ``n`` events per stretch (and start pipelining from 4n events)."""
    saved, engine_module.STRETCH = engine_module.STRETCH, n
    try:
        yield
    finally:
        engine_module.STRETCH = saved


def pipelined_divergence(config: Config, events: list[Event], dialect: str, engine: type[Engine] = Engine
                         ) -> str | None:
    """Where one pipelined run over every event (stretches of 2 events, so that each is stepped in the
    second thread while the next is filled) ends in another State than the pure fold's, or None."""
    d = MODEL.get_dialect(dialect)
    with stretches_of(2):
        fast = engine(config, events, d)
        fast.run_to(fast.usable)
    want = MODEL.final_state(config, events, dialect=dialect, engine="reference")
    got = fast.state()
    diffs = compare(MODEL.observe(config, want, d), MODEL.observe(config, got, d), tolerance=TOLERANCE)
    if diffs:
        return f"observation: {diffs[0]}"
    final = tables(got)
    return next((f"final state: {key} differs" for key, value in tables(want).items() if final[key] != value), None)


@pytest.mark.parametrize("dialect", DIALECT_NAMES)
@given(data=st.data())
def test_pipelined_fast_engine_ends_in_the_pure_state(dialect: str, data: st.DataObject) -> None:
    """GS-FAST-8: a run whose stretches are stepped while the next is filled ends where the pure fold does."""
    config, events = data.draw(scenarios(dialect))
    assert pipelined_divergence(config, events, dialect) is None


def test_fast_fold_refuses_where_the_pure_fold_does() -> None:
    """An event earlier than the clock: both folds stop at it with the same located error."""
    config = SMALL
    events = [Tick(5000), Tick(7000), Tick(6000), Tick(9000)]
    errors = []
    for engine in ("reference", "fast"):
        seen = []
        with pytest.raises(Exception) as info:
            for i, _e, _s in MODEL.states(config, events, engine=engine):
                seen.append(i)
        errors.append((seen, type(info.value), str(info.value)))
    assert errors[0] == errors[1]
    assert errors[0][0] == [0, 1] and "events[2]" in errors[0][2]


def test_final_state_of_the_fast_fold_stands_for_the_pure_state() -> None:
    """Model.final_state on the fast engine: a Snapshot observed from the tables and settling to the pure
    State (read lazily, so ``score`` pays for no materialisation); the initial State when there are no events."""
    config, d = SMALL, MODEL.get_dialect("go")
    events = [AddPeer(0, "a"), Graft(0, "a", "t"), Deliver(10, "a", "t", "m1"), Tick(500), Tick(3000)]
    got = fast_final_state(config, events, d)
    pure = MODEL.final_state(config, events, engine="reference")
    assert isinstance(got, Snapshot) and isinstance(pure, State)
    assert compare(MODEL.observe(config, got, d), MODEL.observe(config, pure, d)) == []
    assert tables(got.settled()) == tables(pure) and got.peers == pure.peers
    assert isinstance(fast_final_state(config, [], d), State)
