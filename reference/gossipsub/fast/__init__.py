"""The fast replay engine for GossipSub (spec/gossipsub.md GS-FAST): the same step function on arrays.

``FAST`` plugs it into the model's fold (``peerproof.reference.model.FastFold``): ``Model.states`` and
``final_state`` use it by default from ``MIN_EVENTS`` events on (``WARM_MIN_EVENTS`` once the kernel is
loaded), with ``engine="fast"`` always, with ``engine="reference"`` never. The engine and its compiled
kernel load on first use, so importing the model stays quick; without numba installed ``FAST`` is None
and every fold is the pure one.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.dialect import Dialect
from peerproof.reference.gossipsub.fast.snapshot import Snapshot, observe_state
from peerproof.reference.gossipsub.state import State
from peerproof.reference.model import FastFold

MIN_EVENTS = 50_000
"""From this many events on ``Model.states`` picks the fast engine by itself (``engine="auto"``). Below
it the pure fold is as quick as loading the compiled kernel (about a second) and needs no numba."""
WARM_MIN_EVENTS = 10_000
"""... and from this many once the kernel is loaded in the process (engine processes load it at start,
``fast/warm.py``): a 42,700-event attack trace replays in 0.16 s instead of 0.8 s; at 3,000 events with an
observation per heartbeat both take 0.12 s, and below that the pure fold is quicker."""


def kernel_loaded() -> bool:
    """Whether this process has already loaded the compiled kernel (no start-up cost left to pay)."""
    kernel = sys.modules.get("peerproof.reference.gossipsub.fast.kernel")
    return kernel is not None and bool(kernel.run.signatures)


def fast_states(config: Config, events: Sequence, dialect: Dialect, seed: int = 0) -> Iterator[tuple[int, Any, Any]]:
    """Model.states by the fast engine: ``(index, event, Snapshot)``, then the pure fold's refusal, if any."""
    from peerproof.reference.gossipsub.fast import fold

    return fold.fast_states(config, events, dialect, seed)


def fast_final_state(config: Config, events: Sequence, dialect: Dialect, seed: int = 0) -> State | Snapshot:
    """Model.final_state by the fast engine: the state after every event (a Snapshot, read lazily)."""
    from peerproof.reference.gossipsub.fast import fold

    return fold.fast_final_state(config, events, dialect, seed)


FAST = (FastFold(states=fast_states, final_state=fast_final_state, min_events=MIN_EVENTS, warm=kernel_loaded,
                 warm_min_events=WARM_MIN_EVENTS)
        if importlib.util.find_spec("numba") is not None else None)

__all__ = ["FAST", "MIN_EVENTS", "WARM_MIN_EVENTS", "Snapshot", "fast_final_state", "fast_states", "kernel_loaded",
           "observe_state"]
