"""The transition function (GS-STEP): ``step(config, state, event) -> State``, pure.

Time first: every decay refresh (and delivery-record collection) due at or before the event's time
runs, in order, at its own scheduled time (a long idle stretch in closed form, GS-DECAY-5); then the
event is applied at its time.
"""

from __future__ import annotations

from collections.abc import Iterable

from peerproof.reference.events import OutOfOrderEvent
from peerproof.reference.gossipsub import deliveries, membership
from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.decay import collect_deliveries, refresh, skip_idle
from peerproof.reference.gossipsub.dialect import Dialect, get_dialect
from peerproof.reference.gossipsub.events import (
    AddIP,
    AddPeer,
    AppScore,
    Deliver,
    Duplicate,
    Event,
    Graft,
    Heartbeat,
    Ignored,
    Invalid,
    Penalty,
    Prune,
    Receive,
    RemoveIP,
    RemovePeer,
    Subscribe,
    Tick,
    Unsubscribe,
    Validated,
)
from peerproof.reference.gossipsub.mesh import heartbeat
from peerproof.reference.gossipsub.state import State, evolve

EXACT_TIMERS = 1024
"""Refreshes and collections stepped one by one before an idle stretch is summarised (GS-DECAY-5): a
counter that reaches the decay-to-zero cut within them is bit-identical to go's stepping."""


def advance(config: Config, state: State, to_ms: int, dialect: Dialect, exact: int = EXACT_TIMERS) -> State:
    """GS-DECAY-1: move the clock to ``to_ms``, running each refresh and collection due on the way.

    The first ``exact`` of them run one by one; the rest of the stretch runs in closed form (GS-DECAY-5),
    so a year of idle time costs as much as ``exact`` refreshes.
    """
    if to_ms < state.now_ms:
        raise OutOfOrderEvent(f"event at {to_ms / 1000}s is earlier than the clock ({state.now_ms / 1000}s)")
    interval = config.score.decay_interval_ms
    gc_interval = dialect.delivery_gc_interval_ms or interval
    for _ in range(exact):
        if min(state.next_refresh_ms, state.next_gc_ms) > to_ms:
            break
        if state.next_refresh_ms <= state.next_gc_ms:
            state = evolve(state, now_ms=state.next_refresh_ms, next_refresh_ms=state.next_refresh_ms + interval)
            state = refresh(config, state, dialect)
            if dialect.delivery_gc_interval_ms is None:
                state = collect_deliveries(evolve(state, next_gc_ms=state.next_refresh_ms))
        else:
            state = evolve(state, now_ms=state.next_gc_ms, next_gc_ms=state.next_gc_ms + gc_interval)
            state = collect_deliveries(state)
    else:
        state = skip_idle(config, state, to_ms, dialect)
    return evolve(state, now_ms=to_ms) if state.now_ms != to_ms else state


def apply(config: Config, state: State, event: Event, dialect: Dialect) -> State:
    """Apply one event at the current clock (no time passes)."""
    match event:
        case AddPeer(peer=p, outbound=o):
            return membership.add_peer(config, state, p, o, dialect)
        case RemovePeer(peer=p):
            return membership.remove_peer(config, state, p, dialect)
        case AddIP(peer=p, ip=ip):
            return membership.add_ip(state, p, ip)
        case RemoveIP(peer=p, ip=ip):
            return membership.remove_ip(state, p, ip)
        case Subscribe(peer=p, topic=t):
            subs = state.router.subscriptions
            return evolve(state, router=evolve(state.router, subscriptions=subs.set(p, subs.get(p, frozenset()) | {t})))
        case Unsubscribe(peer=p, topic=t):
            subs = state.router.subscriptions
            return evolve(state, router=evolve(state.router, subscriptions=subs.set(p, subs.get(p, frozenset()) - {t})))
        case Graft(peer=p, topic=t):
            return membership.graft(config, state, p, t)
        case Prune(peer=p, topic=t):
            return membership.prune(config, state, p, t, dialect)
        case Receive(peer=p, topic=t, msg=m):
            return deliveries.receive(config, state, p, t, m, dialect)
        case Validated(msg=m, outcome=outcome):
            settle = {"accept": deliveries.accept, "reject": deliveries.reject, "ignore": deliveries.ignore}
            return settle[outcome](config, state, m, None, None, dialect)
        case Deliver(peer=p, topic=t, msg=m):
            return deliveries.accept(config, state, m, p, t, dialect)
        case Duplicate(peer=p, topic=t, msg=m):
            return deliveries.duplicate(config, state, p, t, m, dialect)
        case Invalid(peer=p, topic=t, msg=None):
            return deliveries.mark_invalid_delivery(config, state, p, t)
        case Invalid(peer=p, topic=t, msg=m):
            return deliveries.reject(config, state, m, p, t, dialect)
        case Ignored(peer=p, topic=t, msg=m):
            return deliveries.ignore(config, state, m, p, t, dialect)
        case AppScore(peer=p, value=v):
            return evolve(state, app_scores=state.app_scores.set(p, v))
        case Penalty(peer=p, count=c):  # GS-P7-1
            stats = state.peers.get(p)
            if stats is None:
                return state
            stats = evolve(stats, behaviour_penalty=stats.behaviour_penalty + c)
            return evolve(state, peers=state.peers.set(p, stats))
        case Heartbeat():
            return heartbeat(config, state, dialect)
        case Tick():
            return state
    raise TypeError(f"not a gossipsub event: {event!r}")


def step(config: Config, state: State, event: Event, dialect: Dialect | None = None) -> State:
    """GS-STEP: the state after ``event``: time advances to the event (refreshes run), then it applies."""
    dialect = dialect or get_dialect(config.dialect)
    return apply(config, advance(config, state, event.at_ms, dialect), event, dialect)


def run(config: Config, state: State, events: Iterable[Event], dialect: Dialect | None = None) -> State:
    """The state after a sequence of events."""
    dialect = dialect or get_dialect(config.dialect)
    for event in events:
        state = step(config, state, event, dialect)
    return state
