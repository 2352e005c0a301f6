"""What one GossipSub router remembers about its peers (GS-STATE): counters, mesh, delivery records.

Everything is an immutable snapshot; transitions in ``step`` build new snapshots. The large tables
(peers, IPs, delivery records, meshes) are persistent hash maps (``immutables.Map``), so a transition
shares everything it does not touch instead of copying it; plain dicts given to a constructor are
converted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from immutables import Map
from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.dialect import Dialect

T = TypeVar("T")


@dataclass(frozen=True)
class TopicStats:
    """The per-topic counters behind P1..P4 for one peer (go/ts ``topicStats``)."""

    in_mesh: bool = False
    graft_time_ms: int = 0
    mesh_time_ms: int = 0
    first_message_deliveries: float = 0.0
    mesh_message_deliveries: float = 0.0
    mesh_message_deliveries_active: bool = False
    mesh_failure_penalty: float = 0.0
    invalid_message_deliveries: float = 0.0


@dataclass(frozen=True)
class PeerStats:
    """Everything scored about one peer: topic counters, known IPs, the P7 counter, retention."""

    connected: bool = True
    expire_ms: int = 0
    topics: Mapping[str, TopicStats] = field(default_factory=dict)
    known_ips: frozenset[str] = frozenset()
    behaviour_penalty: float = 0.0


@dataclass(frozen=True)
class DeliveryRecord:
    """What the router knows about one message ID: validation status and who sent copies (GS-P3 window)."""

    topic: str
    first_sender: str
    status: str = "unknown"  # unknown (validation pending) | valid | invalid | ignored
    first_seen_ms: int = 0
    validated_ms: int = 0
    peers: frozenset[str] = frozenset()
    expire_ms: int = 0


@dataclass(frozen=True)
class ExpiryQueue:
    """Message IDs in the order their delivery records expire (a persistent two-list queue).

    Records are created in time order with one lifetime, so creation order is expiry order and the
    oldest record is always at the front; pushing and popping are O(1) amortised.
    """

    front: tuple[tuple[int, str], ...] = ()
    pos: int = 0
    back: tuple | None = None  # cons cells (item, rest), newest first

    def push(self, expire_ms: int, msg: str) -> ExpiryQueue:
        """The queue with one more record at the back."""
        return ExpiryQueue(self.front, self.pos, ((expire_ms, msg), self.back))

    def normalised(self) -> ExpiryQueue:
        """The same queue with a non-empty front whenever it is not empty."""
        if self.pos < len(self.front) or self.back is None:
            return self
        items = []
        cell = self.back
        while cell is not None:
            items.append(cell[0])
            cell = cell[1]
        return ExpiryQueue(tuple(reversed(items)), 0, None)

    def peek(self) -> tuple[int, str] | None:
        """The (expire, msg) at the front of a normalised queue, or None when empty."""
        return self.front[self.pos] if self.pos < len(self.front) else None

    def popped(self) -> ExpiryQueue:
        """A normalised queue without its front item."""
        return ExpiryQueue(self.front, self.pos + 1, self.back).normalised()


@dataclass(frozen=True)
class RouterState:
    """The router-side state mesh maintenance needs (GS-HB): meshes, subscriptions, directions, backoff."""

    mesh: Map[str, frozenset[str]] = field(default_factory=Map)
    subscriptions: Map[str, frozenset[str]] = field(default_factory=Map)
    outbound: frozenset[str] = frozenset()
    backoff: Map[tuple[str, str], int] = field(default_factory=Map)
    heartbeat_ticks: int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        _persist(self, ("mesh", "subscriptions", "backoff"))


@dataclass(frozen=True)
class State:
    """A full snapshot: the clock, the next decay refresh, peers, IPs, app scores, deliveries, router."""

    now_ms: int = 0
    next_refresh_ms: int = 0
    next_gc_ms: int = 0
    peers: Map[str, PeerStats] = field(default_factory=Map)
    peer_ips: Map[str, frozenset[str]] = field(default_factory=Map)
    app_scores: Map[str, float] = field(default_factory=Map)
    deliveries: Map[str, DeliveryRecord] = field(default_factory=Map)
    expiries: ExpiryQueue = field(default_factory=ExpiryQueue)
    router: RouterState = field(default_factory=RouterState)

    def __post_init__(self) -> None:
        _persist(self, ("peers", "peer_ips", "app_scores", "deliveries"))


def evolve(obj: T, **changes: object) -> T:
    """A copy of a frozen snapshot with some fields changed (a faster ``dataclasses.replace``).

    Transitions call this several times per event; it skips ``__init__`` and so expects persistent maps
    for the map fields, which is what transitions always pass.
    """
    new = object.__new__(type(obj))
    fields_ = new.__dict__
    fields_.update(obj.__dict__)
    fields_.update(changes)
    return new


def _persist(obj: object, names: tuple[str, ...]) -> None:
    """Convert plain mappings given to a constructor into persistent maps."""
    for name in names:
        value = getattr(obj, name)
        if not isinstance(value, Map):
            object.__setattr__(obj, name, Map(value))


def initial_state(config: Config, seed: int = 0, *, dialect: Dialect) -> State:
    """The state of a router that has just started at time 0: no peers; first refresh one interval later.

    Delivery records are first collected one collection interval after the start (GS-DIV-17).
    """
    interval = config.score.decay_interval_ms
    return State(now_ms=0, next_refresh_ms=interval, next_gc_ms=dialect.delivery_gc_interval_ms or interval,
                 router=RouterState(seed=seed))
