"""Importing this module loads the fast engine's compiled kernel into the process (GS-FAST-5).

The engine processes' fork server imports it (attacks/gossipsub ``warm_up``): it pays the load once (a
compile of about 9 s of CPU on the first run after installing, when numba's cache is empty), and every
engine process forked from it starts with the kernel in memory, so ``Model.states`` takes the fast
engine there from ``WARM_MIN_EVENTS`` events on. The fork server dies on an error at import, so this
module never raises: without numba, or on any failure, engine processes simply load the kernel on first use.
"""

from __future__ import annotations

import contextlib

from peerproof.reference.gossipsub.config import config_from_mapping
from peerproof.reference.gossipsub.dialect import get_dialect
from peerproof.reference.gossipsub.events import AddPeer, Deliver, Graft, RemovePeer, Tick

TOPIC = {"topic_weight": 1, "time_in_mesh_quantum": "1s", "first_message_deliveries_decay": 0.5,
         "mesh_message_deliveries_decay": 0.5, "mesh_failure_penalty_decay": 0.5,
         "invalid_message_deliveries_decay": 0.5, "mesh_message_deliveries_window": "10ms",
         "mesh_message_deliveries_activation": "1s"}


def load_kernel() -> None:
    """Run a five-event trace through the fast engine: every compiled function it calls is loaded."""
    from peerproof.reference.gossipsub.fast.engine import Engine  # imports numba

    config = config_from_mapping({
        "protocol": "gossipsub", "name": "warm-up",
        "score_params": {"decay_interval": "1s", "decay_to_zero": 0.01, "topics": {"t": TOPIC}},
        "thresholds": {"gossip_threshold": -1, "publish_threshold": -2, "graylist_threshold": -3},
    })
    events = [AddPeer(0, "a"), Graft(0, "a", "t"), Deliver(5, "a", "t", "m"), Tick(2000), RemovePeer(2000, "a")]
    engine = Engine(config, events, get_dialect("go"))
    engine.run_to(engine.usable)
    engine.scores()


with contextlib.suppress(Exception):  # the fork server must survive (see the module docstring)
    load_kernel()
