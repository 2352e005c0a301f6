"""GossipSub at network scale (spec/gossipsub-network.md, GS-NET-*): an overlay simulator in which every
honest router scores its peers with the reference score function, vectorised over edges.

``load_scenario`` reads a scenario file, ``resolve_config`` picks its score parameters and topic,
``simulate`` runs it for one seed and returns the raw ``Recording``; ``reference_events`` turns a probed
edge's recorded history into reference-model events (the edge replay of GS-NET-SCORE).
"""

from peerproof.reference.gossipsub.network.probes import reference_events
from peerproof.reference.gossipsub.network.scenario import (
    Scenario,
    Sybils,
    bundled_scenarios,
    load_scenario,
    resolve_config,
    scaled,
    scenario_from_mapping,
)
from peerproof.reference.gossipsub.network.simulator import QUANTILES, Recording, Snapshot, simulate
from peerproof.reference.gossipsub.network.topology import Network

__all__ = [
    "QUANTILES", "Network", "Recording", "Scenario", "Snapshot", "Sybils", "bundled_scenarios", "load_scenario",
    "reference_events", "resolve_config", "scaled", "scenario_from_mapping", "simulate",
]
