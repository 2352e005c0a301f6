"""IHAVE/IWANT gossip at heartbeats (GS-NET-GOSSIP), go-libp2p-pubsub's ``emitGossip``.

At each heartbeat every honest router announces the messages it saw in the last ``history_gossip``
heartbeats to ``max(Dlazy, gossip_factor x eligible)`` random peers outside its mesh whose score is at
least the gossip threshold. An honest receiver asks (IWANT) for the announced messages it has not seen
at the heartbeat and gets them three link latencies later (IHAVE, IWANT, the message). Sybils neither
send IHAVE nor ask with IWANT (badboy.go).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.network.edges import EdgeState
from peerproof.reference.gossipsub.network.heartbeat import per_group_pick
from peerproof.reference.gossipsub.network.propagation import Items, Messages
from peerproof.reference.gossipsub.network.topology import Network


@dataclass(frozen=True)
class Gossip:
    """One heartbeat's gossip: the messages sent on request and the control messages counted."""

    items: Items
    ihave: int
    iwant: int


def emit_gossip(cfg: Config, net: Network, st: EdgeState, msgs: Messages, live: np.ndarray, now_ms: int,
                rng: np.random.Generator) -> Gossip:
    """GS-NET-GOSSIP-1: IHAVE to the chosen peers, IWANT back for unseen messages, the copies sent."""
    r = cfg.router
    gt = cfg.thresholds.gossip_threshold
    eligible = np.flatnonzero(net.honest_src & st.active & ~st.mesh & (st.score >= gt))
    per_node = np.bincount(net.src[eligible], minlength=net.nodes)
    need = np.maximum(r.d_lazy, (r.gossip_factor * per_node).astype(np.int64))
    chosen = per_group_pick(net.src[eligible], eligible, need, rng)
    window = now_ms - r.history_gossip * r.heartbeat_interval_ms
    slots = msgs.slot_of[live]
    seen = msgs.arrival[slots]  # (messages, nodes)
    u, v = net.src[chosen], net.dst[chosen]
    has = (seen[:, u] > window) & (seen[:, u] <= now_ms)
    ihave = int(has.any(axis=0).sum())
    # An honest receiver listens to IHAVE from peers it scores at least at the gossip threshold.
    listens = (v < net.honest) & (st.score[net.rev[chosen]] >= gt)
    want = has & (seen[:, v] > now_ms) & listens
    iwant = int(want.any(axis=0).sum())
    m_idx, pair = np.nonzero(want)
    e = chosen[pair]
    items = (live[m_idx], u[pair], v[pair], now_ms + 3 * net.lat_ms[e], e)
    return Gossip(items, ihave, iwant)
