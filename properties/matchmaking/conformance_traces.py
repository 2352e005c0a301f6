"""Generated traces for ``peerproof conformance`` on matchmaking (PP-ADAPTER-9): the CPM's own inputs.

A trace is a few rounds of the CPM's life: profile reports (a known agent re-reports, inside or outside its
field bounds, or a newcomer joins), matchmaking rounds, and reward reports for the pairs the round chose
(by the student, the teacher or both, agreeing or not) and now and then for a pair it did not (which the
CPM rejects). A trace is read from a list of small integer choices against the running model
(``interpret``), so Hypothesis shrinks a differing trace by dropping and shrinking choices, and every
reward names a pair the model really matched (MM-EV-1..3).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import strategies as st
from peerproof.reference.matchmaking import MODEL, Config, Match, Report, Reward, format_values

STEP_MS = 1000
MAX_CHOICES = 16
NEWCOMERS = ("new0", "new1")
FRACTIONS = (0.0, 0.25, 0.5, 0.75, 1.0, -0.5, 1.5)  # of a field's range; outside it: clipped or not
REWARDS = (0.0, 0.1, 0.3, 0.7, 1.0)  # validation losses / Pass@1 values
SIZES = (0.0, 2.0, 10.0)  # KB sent
WHO = ("student", "teacher", "both", "both-disagree")
KINDS = ("match", "reward", "report")


def interpret(config: Config, kinds: Sequence[str], choices: Sequence[tuple[int, ...]]) -> list[Any]:
    """The trace a list of (kind, a, b, c, d, e) choices stands for, read against the model in its dialect."""
    d, state = MODEL.start(config, dialect=config.dialect)
    events: list[Any] = []
    for i, (k, a, b, c, x, y) in enumerate(choices):
        at = STEP_MS * (i + 1)
        kind = kinds[k % len(kinds)]
        new: list[Any]
        if kind == "report":
            agents = (*state.ids, *NEWCOMERS)
            values = tuple(f.low + (f.high - f.low) * FRACTIONS[(b + c * n) % len(FRACTIONS)]
                           for n, f in enumerate(config.fields))
            new = [Report(at, agents[a % len(agents)], format_values(values))]
        elif kind == "match":
            new = [Match(at)]
        else:
            pairs = [(p.student, p.teacher) for p in state.selection]
            if not pairs or b % 5 == 4:  # a pair the round did not choose
                pairs = [(s, t) for s in state.ids[:3] for t in state.ids[:3] if s != t]
            student, teacher = pairs[a % len(pairs)]
            pre, post, kb, who = REWARDS[c % 5], REWARDS[x % 5], SIZES[y % 3], WHO[b % 4]
            new = [Reward(at, student, teacher, teacher if who == "teacher" else student, pre, post, kb)]
            if who.startswith("both"):
                new.append(Reward(at, student, teacher, teacher, pre, post if who == "both" else 1.0 - post, kb))
        for e in new:
            state = MODEL.step(config, state, e, d)
        events += new
    return events


def traces(config: Config, supports: Callable[[str], bool]) -> st.SearchStrategy[list[Any]]:
    """Event sequences for ``config`` using only the kinds the implementation supports (MM-EV-1..3)."""
    kinds = [k for k in KINDS if supports(k)]
    small = st.integers(0, 7)
    choice = st.tuples(st.integers(0, len(kinds) - 1), small, small, small, small, small)
    return st.lists(choice, min_size=1, max_size=MAX_CHOICES).map(lambda choices: interpret(config, kinds, choices))
