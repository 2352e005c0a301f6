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
    u, v = net.src[chosen], net.dst[chosen]
    # Only messages some honest node still lacks can be asked for; only honest receivers that listen ask.
    listens = (v < net.honest) & (st.score[net.rev[chosen]] >= gt)
    seen_all = msgs.arrival[msgs.slot_of[live]]
    in_window = (seen_all > window) & (seen_all <= now_ms)
    ihave_pairs = in_window[:, u].any(axis=0)
    lacking = (seen_all[:, : net.honest] > now_ms).any(axis=1)
    rows, pairs = live[lacking], np.flatnonzero(listens)
    seen = seen_all[lacking]
    want = in_window[lacking][:, u[pairs]] & (seen[:, v[pairs]] > now_ms)
    m_idx, k = np.nonzero(want)
    e = chosen[pairs[k]]
    items = (rows[m_idx], net.src[e], net.dst[e], now_ms + 3 * net.lat_ms[e], e)
    return Gossip(items, int(ihave_pairs.sum()), int(want.any(axis=0).sum()))
