"""GRAFT and PRUNE between routers (GS-NET-CTL), and the attacker's control behaviour (badboy.go).

Control messages sent at a heartbeat are handled by their receivers at that same instant, after every
router has decided (a heartbeat's messages cross in flight). An honest receiver handles a GRAFT as
go-libp2p-pubsub's ``handleGraft`` does: a peer still in its backoff is refused with behaviour
penalties (P7), a negative score is refused, a full mesh (>= Dhi) refuses an inbound peer; a refusal
is a PRUNE back and a fresh backoff. A Sybil accepts every GRAFT, grafts every honest peer as soon as
it connects, and re-GRAFTs ``regraft_backoff + U(0, regraft_jitter)`` after each PRUNE.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.network.edges import EdgeState
from peerproof.reference.gossipsub.network.heartbeat import mesh_counts, per_group_pick
from peerproof.reference.gossipsub.network.scenario import Sybils
from peerproof.reference.gossipsub.network.topology import Network

View = Callable[[np.ndarray], None]


@dataclass
class ControlCounts:
    """Control messages sent so far, by kind."""

    graft: int = 0
    prune: int = 0
    ihave: int = 0
    iwant: int = 0


def deliver_prunes(net: Network, st: EdgeState, sent: np.ndarray, now_ms: int, y: Sybils,
                   rng: np.random.Generator, prune_view: View) -> None:
    """PRUNEs along ``sent`` edges (src pruned dst): an honest dst drops src from its mesh (its own view's
    prune, with backoff); a Sybil dst drops src from its mesh and schedules a re-GRAFT."""
    back = net.rev[sent]
    honest = net.src[back] < net.honest
    h = back[honest & st.mesh[back]]
    prune_view(h)
    s = back[~honest]
    st.mesh[s] = False
    st.regraft_ms[s] = now_ms + y.regraft_backoff_ms + np.floor(rng.random(len(s)) * y.regraft_jitter_ms).astype(
        np.int64)


def deliver_grafts(cfg: Config, net: Network, st: EdgeState, sent: np.ndarray, now_ms: int, rng: np.random.Generator,
                   graft_view: View, prune_sender: View, penalise: Callable[[np.ndarray, np.ndarray], None]) -> None:
    """GRAFTs along ``sent`` edges handled by their honest receivers (go ``handleGraft``); a Sybil receiver
    accepts. ``prune_sender`` delivers the PRUNEs receivers answer with (edges receiver -> sender)."""
    back = net.rev[sent]
    to_sybil = net.src[back] >= net.honest
    st.mesh[back[to_sybil]] = True
    back = back[~to_sybil & ~st.mesh[back]]
    back = back[np.argsort(rng.random(len(back)), kind="stable")]
    backing = st.backoff_ms[back] > now_ms
    flood = backing & (now_ms < st.backoff_ms[back] - cfg.router.prune_backoff_ms + cfg.router.graft_flood_threshold_ms)
    penalise(back[backing], np.where(flood[backing], 2.0, 1.0))
    ok = ~backing & (st.score[back] >= 0)
    # A full mesh refuses inbound peers: outbound ones are accepted first, then inbound ones while room lasts.
    out = ok & net.outbound[back]
    graft_view(back[out])
    inbound = back[ok & ~net.outbound[back]]
    room = np.maximum(cfg.router.d_hi - mesh_counts(net, st), 0)
    accepted = per_group_pick(net.src[inbound], inbound, room, rng)
    graft_view(accepted)
    refused = np.setdiff1d(back, np.concatenate([back[out], accepted]))
    st.backoff_ms[refused] = now_ms + cfg.router.prune_backoff_ms
    prune_sender(refused)


def sybil_grafts(net: Network, st: EdgeState, now_ms: int, newly_up: np.ndarray) -> np.ndarray:
    """The GRAFTs Sybils send now: on every connection that just came up, and every re-GRAFT due."""
    sybil_src = net.src >= net.honest
    due = sybil_src & (st.regraft_ms >= 0) & (st.regraft_ms <= now_ms) & st.active
    st.regraft_ms[due] = -1
    new = newly_up[sybil_src[newly_up]]
    sent = np.union1d(np.flatnonzero(due), new)
    st.mesh[sent] = True
    return sent
