"""KNEXA-style Central Profiler/Matchmaker: the executable reference model (spec/matchmaking.md).

One shared LinUCB scores every candidate (student, teacher) pair from the agents' abstract profiles; the
CPM greedily takes disjoint pairs under a pair budget and learns from the rewards the pairs report.
"""

from peerproof.reference.matchmaking.config import Agent, Config, ProfileField, config_from_mapping, load_config
from peerproof.reference.matchmaking.config import to_canonical as to_canonical
from peerproof.reference.matchmaking.dialect import DEFAULT_DIALECT, DIALECTS, Dialect, get_dialect
from peerproof.reference.matchmaking.events import (
    EVENT_TYPES,
    Match,
    Report,
    Reward,
    event_from_dict,
    event_to_dict,
    format_values,
)
from peerproof.reference.matchmaking.state import State, initial_state, observe, score_pairs, step
from peerproof.reference.model import Model

PROTOCOL = "matchmaking"

MODEL = Model(
    protocol=PROTOCOL, dialects=tuple(DIALECTS), config_from_mapping=config_from_mapping, to_canonical=to_canonical,
    get_dialect=get_dialect, initial_state=initial_state, step=step, observe=observe,
    event_from_dict=event_from_dict, event_to_dict=event_to_dict,
)
"""The matchmaking model as the frame sees it (peerproof.reference.model)."""

__all__ = [
    "DEFAULT_DIALECT", "DIALECTS", "EVENT_TYPES", "MODEL", "PROTOCOL", "Agent", "Config", "Dialect", "Match",
    "ProfileField", "Report", "Reward", "State", "config_from_mapping", "event_from_dict", "event_to_dict",
    "format_values", "get_dialect", "initial_state", "load_config", "observe", "score_pairs", "step", "to_canonical",
]
