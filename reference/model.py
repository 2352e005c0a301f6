"""The one shape every reference model has (config / state / step / observe), and the registry of models.

Replay, differential testing, Hypothesis state machines and the CLI use only this interface, so a new
protocol plugs in by registering one ``Model``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Model:
    """A protocol's reference model as functions: how to read configs and events, step and observe."""

    protocol: str
    config_from_mapping: Callable[..., Any]  # (mapping, file=...) -> Config, raising ConfigError
    to_canonical: Callable[[Any], dict[str, Any]]
    initial_state: Callable[..., Any]  # (config, seed=..., dialect=...) -> State
    step: Callable[..., Any]  # (config, state, event, dialect) -> State
    observe: Callable[..., Mapping[str, Any]]  # (config, state, dialect) -> observables
    event_from_dict: Callable[[Mapping[str, Any]], Any]
    event_to_dict: Callable[[Any], dict[str, Any]]
    get_dialect: Callable[[str], Any]
    dialects: tuple[str, ...]


def get_model(protocol: str) -> Model:
    """The registered model of ``protocol``; ValueError naming the known protocols otherwise."""
    if protocol == "gossipsub":
        from peerproof.reference import gossipsub as gs

        return Model(
            protocol="gossipsub", config_from_mapping=gs.config_from_mapping, to_canonical=gs.to_canonical,
            initial_state=gs.initial_state, step=gs.step, observe=gs.observe,
            event_from_dict=gs.event_from_dict, event_to_dict=gs.event_to_dict, get_dialect=gs.get_dialect,
            dialects=tuple(gs.DIALECTS),
        )
    raise ValueError(f"unknown protocol {protocol!r}; known: gossipsub")


PROTOCOLS = ("gossipsub",)
