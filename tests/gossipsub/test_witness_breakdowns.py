"""The witness walks' remembered breakdowns (security.Breakdowns) equal ``breakdown`` at every moment.

Breakdowns re-uses a peer's breakdown, and within it a topic's components, while the pure states share
the objects they were computed from. Along test_laws.py's scenarios (loaded by path) every peer's
remembered breakdown must equal a fresh ``breakdown`` at every moment of the witness walk; a memo that
forgets to compare the topic's stats (keyed by peer and topic alone) is found by the same search.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from peerproof.properties.gossipsub.security import Breakdowns, moments
from peerproof.reference.gossipsub import DIALECTS, MODEL, Config, Event
from peerproof.reference.gossipsub.score import breakdown, topic_components
from peerproof.reference.trace import Trace
from testmodules import by_path


@cache
def law_tests() -> ModuleType:
    """tests/gossipsub/test_laws.py, loaded by path: its scenario strategies (tests/ is not a package)."""
    return by_path(Path(__file__).resolve().parent / "test_laws.py", "peerproof_tests_gossipsub_laws_breakdowns")


law_tests()  # loaded at import: its @given tests must not be defined inside a running test


class TopicsByName(Breakdowns):
    """Broken on purpose: a topic's components are remembered by peer and topic, whatever its stats."""

    def __call__(self, state: Any, peer: str) -> Any:
        memo = self.topic_memo

        def components(topic: str, tp: Any, ts: Any, dialect: Any) -> Any:
            if (peer, topic) not in memo:
                memo[peer, topic] = (ts, topic_components(tp, ts, dialect))
            return memo[peer, topic][1]

        return breakdown(self.config, state, peer, self.dialect, components)


def first_difference(config: Config, events: list[Event], dialect: str, memo: type[Breakdowns] = Breakdowns
                     ) -> str | None:
    """The first moment where a remembered breakdown differs from a fresh one, or None."""
    d = MODEL.get_dialect(dialect)
    scores = memo(config, d)
    for m in moments(Trace("gossipsub", dialect, config, events, (), None, 0, {})):
        for peer in sorted(m.state.peers):
            if scores(m.state, peer) != breakdown(config, m.state, peer, d):
                return f"{m.where()}: {peer}"
    return None


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
@given(data=st.data())
def test_remembered_breakdowns_equal_fresh_ones_at_every_moment(dialect: str, data: st.DataObject) -> None:
    config, events = data.draw(law_tests().scenarios(dialect))
    assert first_difference(config, events, dialect) is None


def test_a_memo_blind_to_topic_stats_is_caught() -> None:
    found = find(law_tests().scenarios("go", ("deliver", "tick")),
                 lambda sc: first_difference(*sc, "go", memo=TopicsByName) is not None,
                 settings=settings(max_examples=2000, database=None, derandomize=True, deadline=None,
                                   phases=[Phase.generate], suppress_health_check=list(HealthCheck)))
    assert first_difference(*found, "go") is None
