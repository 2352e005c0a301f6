"""Generated traces for ``peerproof conformance`` on ranking (PP-ADAPTER-9): rounds of judging.

A trace adds comparisons by known judges (any verdict on any ordered pair of distinct candidates), has
judges retract theirs (withholding), lets newcomers join with or without the stake and calibration record
admission asks for, and closes rounds (consensus, reputation update, the next round's honest comparisons).
Only judges the trace has seen are named, so every trace is valid input (RK-EV-1..4).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from peerproof.reference.ranking import Close, Compare, Config, Join, Retract

STEP_MS = 1000
MAX_STEPS = 14
OUTCOMES = st.sampled_from(("first", "second", "tie"))


@st.composite
def _trace(draw: st.DrawFn, config: Config, supports: Callable[[str], bool]) -> list[Any]:
    judges = list(config.judges)[:6]  # a handful is enough to disagree; keeps shrunk traces readable
    kinds = [k for k in ("compare", "compare", "retract", "join", "close") if supports(k)]
    admission = config.admission
    events: list[Any] = []
    for i in range(draw(st.integers(1, MAX_STEPS))):
        at = STEP_MS * (i + 1)
        kind = draw(st.sampled_from(kinds))
        if kind == "compare":
            first, second = draw(st.permutations(config.candidates))[:2]
            events.append(Compare(at, draw(st.sampled_from(judges)), first, second, draw(OUTCOMES)))
        elif kind == "retract":
            events.append(Retract(at, draw(st.sampled_from(judges))))
        elif kind == "join":
            name = f"newcomer{len(judges)}"
            judges.append(name)
            stake = draw(st.sampled_from((0.0, admission.min_stake)))
            passed = draw(st.sampled_from((0, admission.min_calibration)))
            events.append(Join(at, name, stake, passed))
        else:
            events.append(Close(at))
    if supports("close") and draw(st.booleans()):
        events.append(Close(STEP_MS * (len(events) + 1)))
    return events


def traces(config: Config, supports: Callable[[str], bool]) -> st.SearchStrategy[list[Any]]:
    """Event sequences for ``config`` using only the kinds the implementation supports (RK-EV-1..4)."""
    return _trace(config, supports)
