"""Message deliveries (GS-P2, GS-P3, GS-P4): first, near-first, duplicate, invalid and ignored messages.

A delivery record per message ID remembers the validation status and which peers sent copies, so a
copy that arrives while validation is pending, or within MeshMessageDeliveriesWindow after it, counts
as a near-first mesh delivery (GS-P3-2), and every sender of an invalid message is penalised (GS-P4-1).
"""

from __future__ import annotations

from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.dialect import Dialect
from peerproof.reference.gossipsub.membership import topic_stats, with_topic
from peerproof.reference.gossipsub.params import DEFAULT_SEEN_MSG_TTL_MS
from peerproof.reference.gossipsub.state import DeliveryRecord, State, evolve


def ensure_record(config: Config, state: State, msg: str, topic: str, dialect: Dialect,
                  sender: str = "") -> tuple[State, DeliveryRecord]:
    """The message's delivery record, created as pending (status unknown) on first sight.

    ``first_sender`` is set only when a ``receive`` creates the record: a later ``validated`` event
    settles the copy that entered validation, and is a no-op for any other record.
    """
    rec = state.deliveries.get(msg)
    if rec is not None:
        return state, rec
    ttl = dialect.fixed_delivery_ttl_ms or config.score.seen_msg_ttl_ms or DEFAULT_SEEN_MSG_TTL_MS
    rec = DeliveryRecord(topic=topic, first_sender=sender, first_seen_ms=state.now_ms, expire_ms=state.now_ms + ttl)
    deliveries = state.deliveries.set(msg, rec)
    return evolve(state, deliveries=deliveries, expiries=state.expiries.push(rec.expire_ms, msg)), rec


def put_record(state: State, msg: str, rec: DeliveryRecord) -> State:
    """The state with one delivery record replaced."""
    return evolve(state, deliveries=state.deliveries.set(msg, rec))


def mark_first_delivery(config: Config, state: State, peer: str, topic: str) -> State:
    """GS-P2-1 / GS-P3-1: +1 first delivery (capped), and +1 mesh delivery (capped) if in the mesh."""
    ts = topic_stats(config, state, peer, topic)
    if ts is None:
        return state
    tp = config.score.topics[topic]
    first = min(tp.first_message_deliveries_cap, ts.first_message_deliveries + 1)
    mesh = ts.mesh_message_deliveries
    if ts.in_mesh:
        mesh = min(tp.mesh_message_deliveries_cap, mesh + 1)
    return with_topic(state, peer, topic, evolve(ts, first_message_deliveries=first, mesh_message_deliveries=mesh))


def mark_near_first_delivery(config: Config, state: State, peer: str, topic: str, since_ms: int | None) -> State:
    """GS-P3-2: +1 mesh delivery (capped) for a mesh peer whose copy is within the window (None: pending)."""
    ts = topic_stats(config, state, peer, topic)
    if ts is None:
        return state
    tp = config.score.topics[topic]
    late = since_ms is not None and state.now_ms - since_ms > tp.mesh_message_deliveries_window_ms
    if not ts.in_mesh or late:
        # Looking the stats up creates them (go getTopicStats, ts getPtopicStats), counted or not.
        return state if topic in state.peers[peer].topics else with_topic(state, peer, topic, ts)
    mesh = min(tp.mesh_message_deliveries_cap, ts.mesh_message_deliveries + 1)
    return with_topic(state, peer, topic, evolve(ts, mesh_message_deliveries=mesh))


def mark_invalid_delivery(config: Config, state: State, peer: str, topic: str) -> State:
    """GS-P4-1: +1 invalid message (uncapped)."""
    ts = topic_stats(config, state, peer, topic)
    if ts is None:
        return state
    return with_topic(state, peer, topic, evolve(ts, invalid_message_deliveries=ts.invalid_message_deliveries + 1))


def receive(config: Config, state: State, peer: str, topic: str, msg: str, dialect: Dialect) -> State:
    """The first copy of ``msg`` arrives from ``peer`` and waits for validation."""
    state, _ = ensure_record(config, state, msg, topic, dialect, peer)
    return state


def _settled_copy(state: State, msg: str, peer: str | None, topic: str | None) -> tuple[str, str] | None:
    """Who sent the copy being validated, and in which topic: given, or the received first copy."""
    if peer is not None and topic is not None:
        return peer, topic
    rec = state.deliveries.get(msg)
    if rec is None or not rec.first_sender:
        return None
    return rec.first_sender, rec.topic


def accept(config: Config, state: State, msg: str, peer: str | None, topic: str | None, dialect: Dialect) -> State:
    """Validation accepts ``msg`` first sent by ``peer``: first delivery, then credit pending copies."""
    settled = _settled_copy(state, msg, peer, topic)
    if settled is None:
        return state
    sender, topic = settled
    state = mark_first_delivery(config, state, sender, topic)
    state, rec = ensure_record(config, state, msg, topic, dialect)
    if rec.status != "unknown":
        return state
    state = put_record(state, msg, evolve(rec, status="valid", validated_ms=state.now_ms))
    for other in sorted(rec.peers):
        if other != sender:
            state = mark_near_first_delivery(config, state, other, topic, None)
    return state


def reject(config: Config, state: State, msg: str, peer: str | None, topic: str | None, dialect: Dialect) -> State:
    """Validation rejects ``msg``: the first sender and every pending copy's sender get GS-P4."""
    settled = _settled_copy(state, msg, peer, topic)
    if settled is None:
        return state
    sender, topic = settled
    state, rec = ensure_record(config, state, msg, topic, dialect)
    if rec.status != "unknown":
        return state
    state = put_record(state, msg, evolve(rec, status="invalid", peers=frozenset()))
    state = mark_invalid_delivery(config, state, sender, topic)
    for other in sorted(rec.peers):
        state = mark_invalid_delivery(config, state, other, topic)
    return state


def ignore(config: Config, state: State, msg: str, peer: str | None, topic: str | None, dialect: Dialect) -> State:
    """GS-P4-2: validation ignores ``msg``: nobody is scored for it, pending copies are forgotten."""
    settled = _settled_copy(state, msg, peer, topic)
    if settled is None:
        return state
    _sender, topic = settled
    state, rec = ensure_record(config, state, msg, topic, dialect)
    if rec.status != "unknown":
        return state
    return put_record(state, msg, evolve(rec, status="ignored", peers=frozenset()))


def duplicate(config: Config, state: State, peer: str, topic: str, msg: str, dialect: Dialect) -> State:
    """A later copy of ``msg`` from ``peer``: near-first credit, P4 if the message was invalid, or nothing."""
    state, rec = ensure_record(config, state, msg, topic, dialect)
    if peer in rec.peers:
        return state
    if rec.status == "unknown":
        return put_record(state, msg, evolve(rec, peers=rec.peers | {peer}))
    if rec.status == "valid":
        state = put_record(state, msg, evolve(rec, peers=rec.peers | {peer}))
        since = rec.validated_ms if dialect.window_from_validation else rec.first_seen_ms
        return mark_near_first_delivery(config, state, peer, topic, since)
    if rec.status == "invalid":
        return mark_invalid_delivery(config, state, peer, topic)
    return state
