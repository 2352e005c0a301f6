"""Generated traces for ``peerproof conformance`` on ranking (PP-ADAPTER-9): rounds of judging.

A trace adds comparisons by known judges (any verdict on any ordered pair of distinct candidates), has
judges retract theirs (withholding), lets newcomers join with or without the stake and calibration record
admission asks for, and closes rounds (consensus, reputation update, the next round's honest comparisons);
it always ends with a close, so every trace reaches a consensus. A trace is read from a list of small
integer choices (``interpret``), so Hypothesis shrinks a differing trace by dropping and shrinking choices,
and only judges the trace has seen are named: every trace is valid input (RK-EV-1..4).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import strategies as st
from peerproof.reference.ranking import Close, Compare, Config, Join, Retract

STEP_MS = 1000
MAX_CHOICES = 14
JUDGES = 6  # the config's first judges that act: enough to disagree, few enough to read a shrunk trace
OUTCOMES = ("first", "second", "tie")
KINDS = ("compare", "retract", "join", "close")


def interpret(config: Config, kinds: Sequence[str], choices: Sequence[tuple[int, int, int, int, int]]) -> list[Any]:
    """The trace a list of (kind, judge, first, second, outcome) choices stands for, then a close."""
    judges = list(config.judges)[:JUDGES]
    names, n = config.candidates, len(config.candidates)
    admission = config.admission
    events: list[Any] = []
    for i, (k, a, b, c, o) in enumerate(choices):
        at = STEP_MS * (i + 1)
        kind = kinds[k % len(kinds)]
        if kind == "compare":
            first = b % n
            events.append(Compare(at, judges[a % len(judges)], names[first], names[(first + 1 + c % (n - 1)) % n],
                                  OUTCOMES[o % 3]))
        elif kind == "retract":
            events.append(Retract(at, judges[a % len(judges)]))
        elif kind == "join":
            judges.append(f"newcomer{len(judges)}")
            events.append(Join(at, judges[-1], (0.0, admission.min_stake)[b % 2],
                               (0, admission.min_calibration)[c % 2]))
        else:
            events.append(Close(at))
    return [*events, Close(STEP_MS * (len(choices) + 1))]


def traces(config: Config, supports: Callable[[str], bool]) -> st.SearchStrategy[list[Any]]:
    """Event sequences for ``config`` using only the kinds the implementation supports (RK-EV-1..4)."""
    kinds = [k for k in KINDS if supports(k)]
    small = st.integers(0, 7)
    choice = st.tuples(st.integers(0, len(kinds) - 1), small, small, small, small)
    return st.lists(choice, max_size=MAX_CHOICES).map(lambda choices: interpret(config, kinds, choices))
