"""The edge replay (GS-NET-SCORE-8): a probed edge's history as events of the single-observer reference model.

The observer is the edge's honest source, the scored peer its destination. Each recorded first copy
becomes ``delivery_weight`` ``Deliver`` events; each later copy becomes a ``Deliver`` from a stand-in
sender at the observer's first arrival (so the reference's delivery record exists) and then
``delivery_weight`` ``Duplicate`` events. Run through ``MODEL.final_state``, the peer's reference
score at the last heartbeat must equal the simulator's.
"""

from __future__ import annotations

from peerproof.reference.gossipsub.events import (
    AddIP,
    AddPeer,
    Deliver,
    Duplicate,
    Event,
    Graft,
    Penalty,
    Prune,
    Subscribe,
    Tick,
)
from peerproof.reference.gossipsub.network.simulator import Recording

STAND_IN = "first-sender"


def peer_name(node: int, honest: int) -> str:
    """A node's name in replayed events."""
    return f"h{node}" if node < honest else f"s{node - honest}"


def reference_events(rec: Recording, edge: int) -> list[Event]:
    """The events of probed ``edge`` up to the last heartbeat's score computation, in time order."""
    net, topic, w = rec.network, rec.topic, rec.scenario.delivery_weight
    observer, peer = int(net.src[edge]), int(net.dst[edge])
    name = peer_name(peer, net.honest)
    end = rec.final_time_ms
    rows: list[tuple[int, int, int, Event]] = []
    lo, hi = net.ptr[observer], net.ptr[observer + 1]
    if rec.config.score.ip_colocation_factor_weight:
        for other in range(lo, hi):  # every connected peer sharing the peer's IP counts in P6
            if net.ip[net.dst[other]] == net.ip[peer] and other != edge and net.connect_ms[other] <= end:
                up = _up_time(rec, other)
                rows.append((up, 0, -1, AddIP(at_ms=up, peer=peer_name(int(net.dst[other]), net.honest),
                                             ip=str(net.ip[peer]))))
    seen_first: set[int] = set()
    for t, cls, seq, kind, a, b in rec.probes[edge]:
        if t > end or (t == end and cls >= 2):
            continue
        if kind == "add_peer":
            rows += [(t, 0, seq, AddPeer(at_ms=t, peer=name, outbound=bool(net.outbound[edge]))),
                     (t, 0, seq, Subscribe(at_ms=t, peer=name, topic=topic))]
            if rec.config.score.ip_colocation_factor_weight:
                rows.append((t, 0, seq, AddIP(at_ms=t, peer=name, ip=str(net.ip[peer]))))
        elif kind == "graft":
            rows.append((t, cls, seq, Graft(at_ms=t, peer=name, topic=topic)))
        elif kind == "prune":
            rows.append((t, cls, seq, Prune(at_ms=t, peer=name, topic=topic)))
        elif kind == "penalty":
            rows.append((t, cls, seq, Penalty(at_ms=t, peer=name, count=float(a))))
        elif kind == "first":
            rows += [(t, cls, seq, Deliver(at_ms=t, peer=name, topic=topic, msg=f"m{a}.{k}")) for k in range(w)]
        elif kind == "dup":
            if a not in seen_first:
                seen_first.add(a)
                rows += [(int(b), cls, seq, Deliver(at_ms=int(b), peer=STAND_IN, topic=topic, msg=f"m{a}.{k}"))
                         for k in range(w)]
            rows += [(t, cls, seq, Duplicate(at_ms=t, peer=name, topic=topic, msg=f"m{a}.{k}")) for k in range(w)]
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    return [r[3] for r in rows] + [Tick(at_ms=end)]


def _up_time(rec: Recording, edge: int) -> int:
    """The heartbeat at which a connection came up (connections are added at heartbeats)."""
    hb = rec.config.router.heartbeat_interval_ms
    t = int(rec.network.connect_ms[edge])
    return max(hb, -(-t // hb) * hb)
