"""The fast replay engine for GossipSub (spec/gossipsub.md GS-FAST): the same step function on arrays.

``FAST`` plugs it into the model's fold (``peerproof.reference.model.FastFold``): ``Model.states`` and
``final_state`` use it by default from ``MIN_EVENTS`` events on, ``engine="fast"`` always,
``engine="reference"`` never. Without numba installed ``FAST`` is None and every fold is the pure one.
"""

from __future__ import annotations

from peerproof.reference.gossipsub.observe import observe
from peerproof.reference.model import FastFold

try:
    from peerproof.reference.gossipsub.fast.fold import (
        MIN_EVENTS,
        Snapshot,
        fast_final_state,
        fast_states,
        observe_state,
    )
except ImportError:  # numba missing: the pure model only
    FAST = None
    observe_state = observe
else:
    FAST = FastFold(states=fast_states, final_state=fast_final_state, min_events=MIN_EVENTS)

__all__ = ["FAST", "MIN_EVENTS", "Snapshot", "fast_final_state", "fast_states", "observe_state"]
