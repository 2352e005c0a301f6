"""Message propagation over per-link latency (GS-NET-PROP): earliest arrival, forwarding, duplicates.

Every copy in flight is a transmission ``(message, sender, receiver, arrival time, edge)``. Transmissions
are processed in time buckets no wider than the smallest link latency (Dial's algorithm): a copy that
arrives in bucket ``[a, a + w)`` can only cause copies arriving at ``a + w`` or later, so a whole bucket
is settled at once and the first arrival of each message at each node is exact. A node's first copy
makes it forward (honest: to its mesh; the publisher: flood publishing; a Sybil: to its own mesh unless
it drops the message); every later copy is a duplicate, near-first if within the P3 window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from peerproof.reference.gossipsub.network.topology import Network

INF = np.iinfo(np.int64).max // 4
Items = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # mid, sender, receiver, time, edge


@dataclass
class Forwarding:
    """Who forwards to whom until the next heartbeat: CSR lists of edges, rebuilt at every heartbeat."""

    mesh_ptr: np.ndarray
    mesh_edges: np.ndarray
    flood_ptr: np.ndarray
    flood_edges: np.ndarray


def forwarding(net: Network, mesh_ok: np.ndarray, flood_ok: np.ndarray) -> Forwarding:
    """The forwarding lists from per-edge masks (mesh edges a copy may take; a publisher's flood edges)."""
    me = np.flatnonzero(mesh_ok)
    fe = np.flatnonzero(flood_ok)
    nodes = np.arange(net.nodes + 1)
    return Forwarding(np.searchsorted(net.src[me], nodes), me, np.searchsorted(net.src[fe], nodes), fe)


def expand(ptr: np.ndarray, edges: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``nodes`` its listed edges: (index into ``nodes``, edge) pairs."""
    start = ptr[nodes]
    deg = ptr[nodes + 1] - start
    rep = np.repeat(np.arange(len(nodes)), deg)
    offset = np.arange(int(deg.sum())) - np.repeat(np.cumsum(deg) - deg, deg)
    return rep, edges[start[rep] + offset]


@dataclass
class Messages:
    """Messages still in flight or in the gossip window: their first-arrival times at every node."""

    nodes: int
    capacity: int = 64
    arrival: np.ndarray = field(init=False)  # (slots, N): first arrival, INF if not yet
    parent: np.ndarray = field(init=False)  # (slots, N): who sent the first copy (-1: published it)
    mark: np.ndarray = field(init=False)
    count: int = 0  # message ids handed out
    origin: np.ndarray = field(init=False)  # by message id
    published_ms: np.ndarray = field(init=False)
    slot_of: np.ndarray = field(init=False)  # by message id; -1 once retired
    free: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.arrival = np.full((self.capacity, self.nodes), INF, np.int64)
        self.parent = np.full((self.capacity, self.nodes), -2, np.int64)
        self.mark = np.zeros((self.capacity, self.nodes), np.int64)  # scratch for settling ties
        self.free = list(range(self.capacity - 1, -1, -1))
        self.origin = np.zeros(1024, np.int64)
        self.published_ms = np.zeros(1024, np.int64)
        self.slot_of = np.full(1024, -1, np.int64)

    def publish(self, origin: int, at_ms: int) -> int:
        """A new message id, given a slot (the tables grow when full)."""
        if not self.free:
            grow = self.capacity
            self.arrival = np.vstack([self.arrival, np.full((grow, self.nodes), INF, np.int64)])
            self.parent = np.vstack([self.parent, np.full((grow, self.nodes), -2, np.int64)])
            self.mark = np.vstack([self.mark, np.zeros((grow, self.nodes), np.int64)])
            self.free = list(range(self.capacity + grow - 1, self.capacity - 1, -1))
            self.capacity += grow
        slot = self.free.pop()
        if self.count == len(self.origin):
            self.origin = np.concatenate([self.origin, np.zeros(self.count, np.int64)])
            self.published_ms = np.concatenate([self.published_ms, np.zeros(self.count, np.int64)])
            self.slot_of = np.concatenate([self.slot_of, np.full(self.count, -1, np.int64)])
        mid = self.count
        self.origin[mid], self.published_ms[mid], self.slot_of[mid] = origin, at_ms, slot
        self.count += 1
        return mid

    def retire(self, mid: int) -> np.ndarray:
        """Free a message's slot; its first-arrival row (a copy) is returned for the metrics."""
        slot = self.slot_of[mid]
        row = self.arrival[slot].copy()
        self.arrival[slot] = INF
        self.parent[slot] = -2
        self.slot_of[mid] = -1
        self.free.append(slot)
        return row


@dataclass
class Batch:
    """One settled bucket: which transmissions were first copies, and the relays they caused."""

    mid: np.ndarray
    sender: np.ndarray
    receiver: np.ndarray
    time: np.ndarray
    edge: np.ndarray
    first: np.ndarray  # bool
    first_seen: np.ndarray  # the receiver's first arrival (for the P3 window)


class Pending:
    """Transmissions in flight, bucketed by arrival time (bucket width: the smallest link latency)."""

    def __init__(self, width_ms: int) -> None:
        self.width = width_ms
        self.buckets: dict[int, list[Items]] = {}

    def push(self, items: Items) -> None:
        """Add transmissions (any arrival times)."""
        if len(items[0]) == 0:
            return
        keys = items[3] // self.width
        low = keys.min()
        # A push spans few buckets: 16-bit keys sort by radix.
        order = np.argsort((keys - low).astype(np.int16) if keys.max() - low < 2**15 else keys, kind="stable")
        keys = keys[order]
        items = tuple(a[order] for a in items)
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        ends = np.r_[starts[1:], len(keys)]
        for k, lo, hi in zip(keys[starts].tolist(), starts.tolist(), ends.tolist(), strict=True):
            self.buckets.setdefault(k, []).append(tuple(a[lo:hi] for a in items))

    def pop_before(self, limit_ms: int) -> Items | None:
        """The earliest bucket's transmissions arriving before ``limit_ms`` (the rest stay), or None."""
        if not self.buckets:
            return None
        k = min(self.buckets)
        if k * self.width >= limit_ms:
            return None
        parts = self.buckets.pop(k)
        items = tuple(np.concatenate([p[i] for p in parts]) for i in range(5))
        now = items[3] < limit_ms
        if not now.all():
            self.buckets[k] = [tuple(a[~now] for a in items)]
        return tuple(a[now] for a in items) if now.any() else None


def settle(net: Network, msgs: Messages, items: Items, accept: np.ndarray | None) -> Batch:
    """GS-NET-PROP-1: the first arrival of each message at each node among ``items`` (one bucket), recorded;
    ``accept`` masks copies the receiver drops unread (graylisted senders; None: none are)."""
    mid, snd, rcv, t, e = items if accept is None else (a[accept] for a in items)
    slots = msgs.slot_of[mid]
    live = slots >= 0
    if not live.all():
        mid, snd, rcv, t, e, slots = mid[live], snd[live], rcv[live], t[live], e[live], slots[live]
    flat = slots * net.nodes + rcv
    arrival = msgs.arrival.reshape(-1)
    before = arrival[flat]
    np.minimum.at(arrival, flat, t)
    seen = arrival[flat]
    candidate = (t == seen) & (t < before)
    # Ties for the first arrival go to the last such copy in item order (deterministic).
    pos = np.arange(len(t))
    mark = msgs.mark.reshape(-1)
    mark[flat[candidate]] = pos[candidate]
    first = candidate & (mark[flat] == pos)
    msgs.parent.reshape(-1)[flat[first]] = snd[first]
    return Batch(mid, snd, rcv, t, e, first, seen)


def relays(net: Network, msgs: Messages, fw: Forwarding, b: Batch,
           forwards: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray], flood: bool) -> Items:
    """GS-NET-PROP-2: the copies the new first arrivals send on (never back to the sender or the origin);
    ``forwards(mid, receiver, time)`` says which first arrivals are passed on."""
    first = np.flatnonzero(b.first)
    go = first[forwards(b.mid[first], b.receiver[first], b.time[first])]
    mid, rcv, t, snd = b.mid[go], b.receiver[go], b.time[go], b.sender[go]
    published = snd < 0
    out: list[Items] = []
    pub_ptr, pub_edges = (fw.flood_ptr, fw.flood_edges) if flood else (fw.mesh_ptr, fw.mesh_edges)
    groups = [(slice(None), fw.mesh_ptr, fw.mesh_edges)] if not published.any() else \
        [(~published, fw.mesh_ptr, fw.mesh_edges), (published, pub_ptr, pub_edges)]
    for sel, ptr, edges in groups:
        rep, edge = expand(ptr, edges, rcv[sel])
        dst = net.dst[edge]
        m = mid[sel][rep]
        keep = (dst != snd[sel][rep]) & (dst != msgs.origin[m])
        out.append((m[keep], rcv[sel][rep][keep], dst[keep], t[sel][rep][keep] + net.lat_ms[edge[keep]], edge[keep]))
    return out[0] if len(out) == 1 else tuple(np.concatenate([o[i] for o in out]) for i in range(5))
