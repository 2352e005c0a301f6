"""Generated traces for ``peerproof conformance`` on matchmaking (PP-ADAPTER-9): the CPM's own inputs.

A trace is a few rounds of the CPM's life: profile reports (a known agent re-reports, inside or outside its
field bounds, or a newcomer joins), matchmaking rounds, and reward reports for the pairs the round chose
(by the student, the teacher or both, agreeing or not) and for pairs it did not (which the CPM rejects).
Each step is drawn from small numbers read against the running model, so Hypothesis shrinks a differing
trace by dropping steps and shrinking numbers, and every reward names a pair the model really matched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from peerproof.reference.matchmaking import MODEL, Config, Match, Report, Reward, format_values

STEP_MS = 1000
MAX_STEPS = 16
NEWCOMERS = ("new0", "new1")
FRACTIONS = st.sampled_from((0.0, 0.25, 0.5, 0.75, 1.0, -0.5, 1.5))  # of a field's range; outside: clipped
REWARDS = st.sampled_from((0.0, 0.1, 0.3, 0.7, 1.0))  # validation losses / Pass@1 values
SIZES = st.sampled_from((0.0, 2.0, 10.0))  # KB sent


@st.composite
def _trace(draw: st.DrawFn, config: Config, supports: Callable[[str], bool]) -> list[Any]:
    d, state = MODEL.start(config, dialect=config.dialect)
    kinds = [k for k in ("report", "match", "reward") if supports(k)]
    events: list[Any] = []
    for i in range(draw(st.integers(1, MAX_STEPS))):
        at = STEP_MS * (i + 1)
        kind = draw(st.sampled_from(kinds))
        new: list[Any]
        if kind == "report":
            agent = draw(st.sampled_from((*state.ids, *NEWCOMERS)))
            values = tuple(f.low + (f.high - f.low) * draw(FRACTIONS) for f in config.fields)
            new = [Report(at, agent, format_values(values))]
        elif kind == "match":
            new = [Match(at)]
        else:
            pairs = [(p.student, p.teacher) for p in state.selection]
            if not pairs or draw(st.integers(0, 4)) == 0:  # now and then a pair the round did not choose
                pairs = [(a, b) for a in state.ids[:3] for b in state.ids[:3] if a != b]
            student, teacher = draw(st.sampled_from(pairs))
            pre, post, kb = draw(REWARDS), draw(REWARDS), draw(SIZES)
            who = draw(st.sampled_from(("student", "teacher", "both", "both-disagree")))
            first = student if who != "teacher" else teacher
            new = [Reward(at, student, teacher, first, pre, post, kb)]
            if who.startswith("both"):
                other_post = post if who == "both" else round(1.0 - post, 3)
                new.append(Reward(at, student, teacher, teacher, pre, other_post, kb))
        for e in new:
            state = MODEL.step(config, state, e, d)
        events += new
    return events


def traces(config: Config, supports: Callable[[str], bool]) -> st.SearchStrategy[list[Any]]:
    """Event sequences for ``config`` using only the kinds the implementation supports (MM-EV-1..3)."""
    return _trace(config, supports)
