"""Hypothesis strategies for GossipSub event sequences (GS-EV), built from small named pieces.

Why these shapes: scoring bugs live where events interact — a duplicate of a message another peer is
still validating, a prune just after the P3 activation, a reconnect inside the retention window, two
peers on one IP — so every piece draws from deliberately tiny alphabets (five peers, a few of the
config's topics, ten message IDs, three IPs) and time moves in steps chosen from the config's own
durations (DecayInterval +/- 1 ms, the P3 window and activation, the delivery-record lifetime,
RetainScore). Sequences shrink well: the shrinker drops events, moves delays toward 0 and kinds toward
``tick`` (the first and most neutral choice), and simplifies the prologue toward "no peers".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from hypothesis import strategies as st
from peerproof.reference.gossipsub import (
    AddIP,
    AddPeer,
    AppScore,
    Config,
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
from peerproof.reference.gossipsub.events import OUTCOMES

PEERS = ("p0", "p1", "p2", "p3", "p4")
MSG_IDS = tuple(f"m{i}" for i in range(10))
IP_POOL = ("10.0.0.1", "10.0.0.2", "10.0.0.3")
UNSCORED_TOPIC = "unscored-topic"  # a topic the config does not score: every implementation must ignore it
DELIVERY_RECORD_TTL_MS = 120_000  # ts TimeCacheDuration (constants.ts); go's SeenMsgTTL when unset (pubsub.go)
APP_SCORES = (0.0, 1.0, -1.0, 2.5, -20.0, 1000.0)
PENALTY_COUNTS = (1.0, 2.0, 0.5, 10.0)


def peer_ids(peers: Sequence[str] = PEERS) -> st.SearchStrategy[str]:
    """One of a handful of peer IDs, so that events keep hitting the same peers."""
    return st.sampled_from(tuple(peers))


def message_ids() -> st.SearchStrategy[str]:
    """One of ten message IDs: collisions make duplicates, pending validations and stale records common."""
    return st.sampled_from(MSG_IDS)


def ip_addresses() -> st.SearchStrategy[str]:
    """One of three IPs: with five peers, several share an address and P6 (IP colocation) fires."""
    return st.sampled_from(IP_POOL)


def topic_subsets(config: Config, max_topics: int = 4, unscored: bool = True) -> st.SearchStrategy[list[str]]:
    """A few of the config's scored topics (shrinking toward the first), plus optionally an unscored one.

    Deployed configs score tens of topics (64 attestation subnets); a trace that spreads over all of them
    rarely makes two events meet, so each trace works on at most ``max_topics`` of them.
    """
    names = sorted(config.score.topics)
    if not names:
        return st.just([UNSCORED_TOPIC])
    chosen = st.lists(st.sampled_from(names), min_size=1, max_size=min(max_topics, len(names)), unique=True)
    if not unscored:
        return chosen
    return st.tuples(chosen, st.booleans()).map(lambda pair: [*pair[0], UNSCORED_TOPIC] if pair[1] else pair[0])


def interesting_delays_ms(config: Config) -> list[int]:
    """Time steps (ms) that land on the config's boundaries, smallest first.

    0 and 1 ms; each P3 window and one past it (near-first or late duplicate); DecayInterval - 1, exactly,
    + 1 and 3x (a refresh just missed or just run); each P3 activation plus one interval (the refresh that
    activates P3); the delivery-record lifetime plus one interval (records collected); the P1 saturation
    time; RetainScore plus one interval (retained stats expire).
    """
    d = config.score.decay_interval_ms
    delays = {0, 1, d - 1, d, d + 1, 3 * d, DELIVERY_RECORD_TTL_MS + d, config.score.retain_score_ms + d}
    if config.score.seen_msg_ttl_ms:
        delays.add(config.score.seen_msg_ttl_ms + d)
    for tp in config.score.topics.values():
        delays |= {tp.mesh_message_deliveries_window_ms, tp.mesh_message_deliveries_window_ms + 1}
        if tp.mesh_message_deliveries_activation_ms:
            delays.add(tp.mesh_message_deliveries_activation_ms + d)
        if tp.time_in_mesh_quantum_ms > 0 and tp.time_in_mesh_cap > 0:
            delays.add(int(tp.time_in_mesh_quantum_ms * tp.time_in_mesh_cap) + d)
    return sorted(x for x in delays if x >= 0)


def time_steps(config: Config, max_refreshes_per_step: int = 25_000) -> st.SearchStrategy[int]:
    """A delay before the next event: usually 0 or a small boundary, now and then a long jump.

    Delays come in three tiers by the refreshes they run: short (at most 2 DecayIntervals), drawn about
    3/4 of the time; medium (P3 activation, delivery-record lifetime; up to 500 refreshes); long (RetainScore,
    P1 saturation), about 1 step in 32, since every refresh costs time in both implementations. Steps
    needing more than ``max_refreshes_per_step`` refreshes are left out. Shrinking moves toward short ones.
    """
    d = config.score.decay_interval_ms
    delays = [x for x in interesting_delays_ms(config) if x <= max_refreshes_per_step * d]
    short = [x for x in delays if x <= 2 * d]
    medium = [x for x in delays if 2 * d < x <= 500 * d] or short
    long = [x for x in delays if x > 500 * d] or medium

    def tier(k: int) -> st.SearchStrategy[int]:
        return st.sampled_from(short if k < 24 else medium if k < 31 else long)

    return st.integers(0, 31).flatmap(tier)


def event_bodies(peers: st.SearchStrategy[str], topics: Sequence[str], *,
                 router: bool = False) -> st.SearchStrategy[Event]:
    """One event of any kind (``at_ms`` 0, set later), peers and topics drawn from the given alphabets.

    Every kind except ``heartbeat`` is drawn; ``router=True`` adds ``heartbeat`` for model-only runs (a
    score-only implementation has no router). ``tick`` comes first so that shrinking neutralises events.
    """
    t = st.sampled_from(tuple(topics))
    m = message_ids()
    kinds = [
        st.builds(Tick, at_ms=st.just(0)),
        st.builds(AddPeer, at_ms=st.just(0), peer=peers, outbound=st.booleans()),
        st.builds(Graft, at_ms=st.just(0), peer=peers, topic=t),
        st.builds(Prune, at_ms=st.just(0), peer=peers, topic=t),
        st.builds(Deliver, at_ms=st.just(0), peer=peers, topic=t, msg=m),
        st.builds(Duplicate, at_ms=st.just(0), peer=peers, topic=t, msg=m),
        st.builds(Receive, at_ms=st.just(0), peer=peers, topic=t, msg=m),
        st.builds(Validated, at_ms=st.just(0), msg=m, outcome=st.sampled_from(OUTCOMES)),
        st.builds(Invalid, at_ms=st.just(0), peer=peers, topic=t, msg=st.none() | m),
        st.builds(Ignored, at_ms=st.just(0), peer=peers, topic=t, msg=m),
        st.builds(RemovePeer, at_ms=st.just(0), peer=peers),
        st.builds(AddIP, at_ms=st.just(0), peer=peers, ip=ip_addresses()),
        st.builds(RemoveIP, at_ms=st.just(0), peer=peers, ip=ip_addresses()),
        st.builds(AppScore, at_ms=st.just(0), peer=peers, value=app_score_values()),
        st.builds(Penalty, at_ms=st.just(0), peer=peers, count=st.sampled_from(PENALTY_COUNTS)),
        st.builds(Subscribe, at_ms=st.just(0), peer=peers, topic=t),
        st.builds(Unsubscribe, at_ms=st.just(0), peer=peers, topic=t),
    ]
    if router:
        kinds.append(st.builds(Heartbeat, at_ms=st.just(0)))
    return st.one_of(kinds)


def app_score_values() -> st.SearchStrategy[float]:
    """P5 values: a few round ones (shrinking target 0) or any moderate finite float."""
    return st.sampled_from(APP_SCORES) | st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)


@st.composite
def prologue(draw: st.DrawFn, topics: Sequence[str], peers: Sequence[str] = PEERS, *,
             router: bool = False) -> list[Event]:
    """Events at time 0 that set the stage: some peers connect, some share IPs, some join meshes.

    Without it most random events would address unknown peers and do nothing. With ``router=True``
    connected peers also subscribe, so heartbeats have grafting candidates.
    """
    connected = draw(st.lists(st.sampled_from(tuple(peers)), max_size=len(peers), unique=True))
    events: list[Event] = [AddPeer(at_ms=0, peer=p, outbound=draw(st.booleans())) for p in connected]
    if not connected:
        return events
    member = st.sampled_from(connected)
    topic = st.sampled_from(tuple(topics))
    events += [AddIP(at_ms=0, peer=p, ip=ip) for p, ip in draw(st.lists(st.tuples(member, ip_addresses()),
                                                                        max_size=6, unique=True))]
    if router:
        events += [Subscribe(at_ms=0, peer=p, topic=t) for p, t in draw(st.lists(st.tuples(member, topic),
                                                                                 max_size=8, unique=True))]
    events += [Graft(at_ms=0, peer=p, topic=t) for p, t in draw(st.lists(st.tuples(member, topic),
                                                                         max_size=8, unique=True))]
    return events


Step = tuple[int, Event]  # a delay in ms, then an event (its at_ms filled in when the sequence is laid out)


def random_steps(config: Config, peers: st.SearchStrategy[str], topics: Sequence[str], *,
                 router: bool = False) -> st.SearchStrategy[list[Step]]:
    """A short run of unrelated events, each after a delay from ``time_steps``."""
    return st.lists(st.tuples(time_steps(config), event_bodies(peers, topics, router=router)), min_size=1,
                    max_size=8)


@st.composite
def message_story(draw: st.DrawFn, config: Config, peers: st.SearchStrategy[str],
                  topics: Sequence[str]) -> list[Step]:
    """One message's life: a first copy (validated at once, or received and validated later), copies from
    other peers before and after validation, at delays around the topic's P3 window (GS-P3-2, GS-P4-1).

    Random events alone rarely line up a first delivery, a pending duplicate and a near-first one on the
    same message ID and topic; this piece makes that the common case.
    """
    topic = draw(st.sampled_from(tuple(topics)))
    tp = config.score.topics.get(topic)
    window = tp.mesh_message_deliveries_window_ms if tp is not None else 0
    near = st.sampled_from(sorted({0, 1, window, window + 1}))
    msg = draw(message_ids())
    first = draw(peers)
    copy = st.builds(Duplicate, at_ms=st.just(0), peer=peers, topic=st.just(topic), msg=st.just(msg))
    before = draw(st.lists(st.tuples(near, copy), max_size=3))
    after = draw(st.lists(st.tuples(near, copy), max_size=3))
    outcome = draw(st.sampled_from(("deliver", *OUTCOMES)))
    if outcome == "deliver":
        return [(0, Deliver(at_ms=0, peer=first, topic=topic, msg=msg)), *after]
    # Validation may outlast the window, so "from first sight" and "from validation" windows disagree.
    slow = st.sampled_from(sorted({0, 1, window + 1, 2 * window + 2}))
    settle = (draw(slow), Validated(at_ms=0, msg=msg, outcome=outcome))
    return [(0, Receive(at_ms=0, peer=first, topic=topic, msg=msg)), *before, settle, *after]


@st.composite
def gossipsub_events(draw: st.DrawFn, config: Config, *, max_events: int = 60, max_topics: int = 4,
                     router: bool = False, unscored_topic: bool = True) -> list[Event]:
    """A time-ordered event sequence for ``config``: a prologue at time 0, then up to ``max_events`` events.

    The body is a list of chunks, each a run of random events or one message's story, so sequences are
    long enough to matter yet shrink chunk by chunk. Every delay comes from ``time_steps(config)`` (or the
    P3 window), so sequences cross DecayInterval boundaries, P3 windows and activations, delivery-record
    expiry and retention expiry. Events name the prologue's connected peers half of the time.
    ``router=True`` includes ``heartbeat`` (and subscriptions in the prologue) for model-only runs.
    """
    topics = draw(topic_subsets(config, max_topics=max_topics, unscored=unscored_topic))
    events = draw(prologue(topics, router=router))
    connected = sorted({e.peer for e in events if isinstance(e, AddPeer)})
    peers = st.sampled_from(connected) | peer_ids() if connected else peer_ids()
    chunks = draw(st.lists(random_steps(config, peers, topics, router=router)
                           | message_story(config, peers, topics), max_size=12))
    now = 0
    for delay, body in [step for chunk in chunks for step in chunk][:max_events]:
        now += delay
        events.append(replace(body, at_ms=now))
    return events
