"""GossipSub v1.1 peer scoring and mesh maintenance: the executable reference model (spec/gossipsub.md).

The model's shape is the one every peerproof protocol shares: ``Config`` (loaded with ``load_config``),
``State`` (``initial_state``), the pure ``step(config, state, event)`` and ``observe(config, state)``.
"""

from peerproof.reference.gossipsub.config import (
    Config,
    check_config,
    config_from_mapping,
    load_config,
    to_canonical,
)
from peerproof.reference.gossipsub.dialect import DEFAULT_DIALECT, DIALECTS, Dialect, get_dialect
from peerproof.reference.gossipsub.events import (
    EVENT_TYPES,
    AddIP,
    AddPeer,
    AppScore,
    Deliver,
    Duplicate,
    Event,
    EventError,
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
    event_from_dict,
    event_to_dict,
)
from peerproof.reference.gossipsub.fast import FAST, observe_state
from peerproof.reference.gossipsub.observe import observe
from peerproof.reference.gossipsub.params import RouterParams, ScoreParams, Thresholds, TopicParams
from peerproof.reference.gossipsub.score import ScoreBreakdown, breakdown, score
from peerproof.reference.gossipsub.state import PeerStats, State, TopicStats, initial_state
from peerproof.reference.gossipsub.step import OutOfOrderEvent, run, step
from peerproof.reference.model import Model

PROTOCOL = "gossipsub"

MODEL = Model(
    protocol=PROTOCOL, dialects=tuple(DIALECTS), config_from_mapping=config_from_mapping, to_canonical=to_canonical,
    get_dialect=get_dialect, initial_state=initial_state, step=step, observe=observe_state,
    event_from_dict=event_from_dict, event_to_dict=event_to_dict, fast=FAST,
)
"""The GossipSub model as the frame sees it (peerproof.reference.model); its fold runs on the fast engine
(GS-FAST) where ``Model.states`` picks it, and its ``observe`` reads the fast fold's snapshots too."""

__all__ = [
    "DEFAULT_DIALECT", "DIALECTS", "EVENT_TYPES", "MODEL", "PROTOCOL", "AddIP", "AddPeer", "AppScore", "Config",
    "Deliver", "Dialect", "Duplicate", "Event", "EventError", "Graft", "Heartbeat", "Ignored", "Invalid",
    "OutOfOrderEvent",
    "PeerStats", "Penalty", "Prune", "Receive", "RemoveIP", "RemovePeer", "RouterParams", "ScoreBreakdown",
    "ScoreParams", "State", "Subscribe", "Thresholds", "Tick", "TopicParams", "TopicStats", "Unsubscribe",
    "Validated", "breakdown", "check_config", "config_from_mapping", "event_from_dict", "event_to_dict",
    "get_dialect", "initial_state", "load_config", "observe", "run", "score", "step", "to_canonical",
]
