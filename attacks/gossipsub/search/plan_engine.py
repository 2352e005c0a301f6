"""The fast engine as the search runs plans: its heartbeat is ``runner.light_heartbeat`` on the tables."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from peerproof.reference.gossipsub import Config, Dialect, Event
from peerproof.reference.gossipsub.fast import kernel as k
from peerproof.reference.gossipsub.fast.engine import Engine
from peerproof.reference.gossipsub.fast.layout import CONNECTED, KNOWN, NOW
from peerproof.reference.gossipsub.score import ScoreBreakdown


class PlanEngine(Engine):
    """A fast engine over a plan's events whose heartbeats maintain only the plan's own peers."""

    def __init__(self, config: Config, events: Sequence[Event], dialect: Dialect, peers: Sequence[str]) -> None:
        super().__init__(config, events, dialect)
        self.plan_peers = [self.peer_id[p] for p in peers if p in self.peer_id]

    def _apply_cold(self, i: int) -> None:
        if int(self.ev.kind[i]) == k.HEARTBEAT:
            self.light_heartbeat()
        else:
            super()._apply_cold(i)

    def light_heartbeat(self) -> None:
        """runner.light_heartbeat on the tables: the same decisions, topics in the same (name) order."""
        t, names = self.t, self.ev.topics
        now, d_lo = int(t.clk[NOW]), self.config.router.d_lo
        for p in self.plan_peers:
            if not t.pi[p, KNOWN] or not t.pi[p, CONNECTED]:
                continue
            negative = self.score(p) < 0
            subscribed = set(np.flatnonzero(t.subs[p, : len(names)]).tolist())
            meshed = set(np.flatnonzero(t.mesh[p, : len(names)]).tolist())
            for j in sorted(subscribed | meshed, key=names.__getitem__):
                if t.mesh[p, j] and negative:
                    self.prune(p, j)
                elif not t.mesh[p, j] and not negative and j in subscribed and d_lo > 0 and t.backoff[p, j] <= now:
                    self.graft(p, j)

    def peer_breakdown(self, p: int | None) -> ScoreBreakdown | None:
        """The breakdown of peer id ``p`` (None for a peer the trace never names or the router forgot)."""
        return None if p is None else self.breakdown(p)

    def meshes_of(self, p: int | None) -> frozenset[str]:
        """The topics whose router mesh holds peer id ``p``."""
        if p is None:
            return frozenset()
        return frozenset(self.ev.topics[j] for j in np.flatnonzero(self.t.mesh[p, : len(self.ev.topics)]).tolist())
