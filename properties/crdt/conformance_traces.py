"""Generated traces for ``peerproof conformance`` on crdt (PP-ADAPTER-9): honest replicas, a faulty network.

The small-scope alphabet of CR-GEN-3 (``alphabet.interpret``): honest updates of the config's type at any
replica, state syncs, and the network delivering, duplicating, dropping, partitioning and healing, ending
with heal and a full anti-entropy round, so every generated trace also tests convergence. The network's
fault kinds the implementation does not support are left out of the choices; a trace is a list of small
integer choices, so Hypothesis shrinks a differing trace by dropping and shrinking them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from peerproof.properties.crdt.alphabet import interpret
from peerproof.reference.crdt import Config

MAX_CHOICES = 12
FAULTS = {4: "duplicate", 5: "drop", 6: "partition"}  # interpret's choice codes of the optional network kinds
CODES = (0, 2, 3, 3, 4, 5, 6, 6)  # interpret's codes, deliveries and partitions twice as likely (more blocked sends)


def traces(config: Config, supports: Callable[[str], bool]) -> st.SearchStrategy[list[Any]]:
    """Event sequences for ``config`` within the kinds the implementation supports (CR-EV-1..7)."""
    codes = [c for c in CODES if c not in FAULTS or supports(FAULTS[c])]
    choice = st.tuples(st.sampled_from(codes), st.integers(0, 7), st.integers(0, 7), st.integers(0, 1))
    return st.lists(choice, max_size=MAX_CHOICES).map(lambda choices: interpret(config, choices))
