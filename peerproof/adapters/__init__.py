"""Adapters to implementations of the protocols: ``reset(config)``, ``apply(event)``, ``observe()``.

Shipped: the reference model itself (``ReferenceAdapter``) and the TypeScript GossipSub ``PeerScore``
(``TsPeerScoreAdapter``, a Node.js subprocess speaking JSON lines, npm packages pinned by a lock file and
installed by ``ensure_node_harness``). ``replay_in_ts`` checks a recorded trace against the TS implementation.
The protocol adapters (spec/peerproof.md §8): ``protocol`` (the client), ``serve`` (the Python server and
template), ``node/driver.mjs`` (@libp2p/gossipsub) and ``oracles/`` (matchmaking on mabwiser, ranking on
choix, crdt on loro and pycrdt: the worked examples).
"""

from peerproof.adapters.differential import observables_diff, replay_in_ts, score_only_events
from peerproof.adapters.install import HarnessUnavailable, NodeMissing, ensure_node_harness
from peerproof.adapters.reference import ReferenceAdapter
from peerproof.adapters.ts_gossipsub import (
    DriverError,
    TsPeerScoreAdapter,
    UnsupportedByTs,
    ts_ignored_fields,
    ts_score_params,
)

__all__ = [
    "DriverError", "HarnessUnavailable", "NodeMissing", "ReferenceAdapter", "TsPeerScoreAdapter",
    "UnsupportedByTs", "ensure_node_harness", "observables_diff", "replay_in_ts", "score_only_events",
    "ts_ignored_fields", "ts_score_params",
]
