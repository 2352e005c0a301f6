"""Replicated state (CRDTs): the executable reference model of spec/crdt.md, in the frame's shape.

A config names a replicated type and its merge rule; the model is a network of replicas of that type
with a message buffer that loses, duplicates, reorders, partitions and heals (``network``).
"""

from peerproof.reference.crdt.config import (
    DIALECTS,
    PROTOCOL,
    RULES,
    Config,
    config_from_mapping,
    load_config,
    to_canonical,
)
from peerproof.reference.crdt.datatypes import SIGNED_TYPES, TYPES, DataType, datatype
from peerproof.reference.crdt.events import (
    EVENT_TYPES,
    Deliver,
    Drop,
    Duplicate,
    Heal,
    Partition,
    Sync,
    Update,
    event_from_dict,
    event_to_dict,
)
from peerproof.reference.crdt.network import State, UnknownReplica, check_events, initial_state, observe, step
from peerproof.reference.model import Model


def get_dialect(name: str) -> str:
    """The one dialect, ``spec`` (no implementation is modelled with divergences); ValueError otherwise."""
    if name not in DIALECTS:
        raise ValueError(f"unknown dialect {name!r}; choose one of {', '.join(DIALECTS)}")
    return name


MODEL = Model(
    protocol=PROTOCOL, dialects=DIALECTS, config_from_mapping=config_from_mapping, to_canonical=to_canonical,
    get_dialect=get_dialect, initial_state=initial_state, step=step, observe=observe,
    event_from_dict=event_from_dict, event_to_dict=event_to_dict,
)
"""The crdt model as the frame sees it (peerproof.reference.model)."""

__all__ = [
    "DIALECTS", "EVENT_TYPES", "MODEL", "PROTOCOL", "RULES", "SIGNED_TYPES", "TYPES", "Config", "DataType", "Deliver",
    "Drop", "Duplicate", "Heal", "Partition", "State", "Sync", "UnknownReplica", "Update", "check_events",
    "config_from_mapping", "datatype", "event_from_dict", "event_to_dict", "get_dialect", "initial_state",
    "load_config", "observe", "step", "to_canonical",
]
