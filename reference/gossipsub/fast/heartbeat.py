"""Heartbeat mesh maintenance on the fast engine's tables (GS-HB): mesh.maintain takes every decision, this
module only shows it the tables (a MeshView).

The same seeded RNG draws over the same sorted lists of peer names, so every shuffle, graft and prune
matches the pure model's; grafts and prunes go through the kernel, scores are the kernel's.
"""

from __future__ import annotations

import numpy as np
from peerproof.reference.gossipsub.fast.layout import CONNECTED, NOW, OUTBOUND, TICKS, EngineView
from peerproof.reference.gossipsub.mesh import maintain


class TableMeshes:
    """The engine's tables as a MeshView (mesh.MeshView), peers and topics by name."""

    def __init__(self, e: EngineView) -> None:
        self.e = e
        n = len(e.ev.peers)
        self.outbound = {e.ev.peers[p] for p in np.flatnonzero(e.t.pi[:n, OUTBOUND]).tolist()}

    def members(self, topic: str) -> list[str]:
        """The names of the peers in the topic's mesh."""
        e = self.e
        return [e.ev.peers[p] for p in np.flatnonzero(e.t.mesh[: len(e.ev.peers), e.topic_id[topic]]).tolist()]

    def candidates(self, topic: str, scores: dict[str, float]) -> list[str]:
        """mesh.candidates: connected subscribers of the topic outside its mesh, not backing off, sorted."""
        e = self.e
        tab, now, t = e.t, int(e.t.clk[NOW]), e.topic_id[topic]
        out = []
        for p in np.flatnonzero(tab.subs[: len(e.ev.peers), t]).tolist():
            name = e.ev.peers[p]
            if not tab.mesh[p, t] and name in scores and tab.pi[p, CONNECTED] and not tab.backoff[p, t] > now:
                out.append(name)
        return sorted(out)

    def is_outbound(self, peer: str) -> bool:
        """Whether the router dialled the peer."""
        return peer in self.outbound

    def graft(self, peer: str, topic: str) -> None:
        """membership.graft through the kernel."""
        self.e.graft(self.e.peer_id[peer], self.e.topic_id[topic])

    def prune(self, peer: str, topic: str) -> None:
        """membership.prune through the kernel."""
        self.e.prune(self.e.peer_id[peer], self.e.topic_id[topic])


def heartbeat(e: EngineView) -> None:
    """mesh.heartbeat (GS-HB-1..5) on the tables."""
    tab = e.t
    tab.clk[TICKS] += 1
    joined = set(e.config.score.topics) | {e.ev.topics[j] for j in np.flatnonzero(tab.mesh_key).tolist()
                                           if j < len(e.ev.topics)}
    maintain(TableMeshes(e), e.config, e.dialect, joined, e.scores(), int(tab.clk[TICKS]), e.seed)
