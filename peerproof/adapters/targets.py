"""What conformance needs of each protocol besides its model: a trace generator and event lowering.

``Target.events(config, supports)`` is the Hypothesis strategy of generated traces for a config (None: the
protocol has none yet, and ``peerproof conformance`` runs the bundled vectors and attack traces only);
``Target.lower`` rewrites events an implementation cannot take into ones it can, as the reference model
resolved them (GossipSub: a ``heartbeat`` becomes the prunes and grafts the model's heartbeat made, for
score-only implementations such as the TS PeerScore). Both are named ``module:function`` and imported
on first use, so a protocol's strategies load only when its traces are generated. A protocol without an
entry gets neither (the frame's default).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Supports = Callable[[str], bool]  # whether the implementation can apply events of a kind


@dataclass(frozen=True)
class Target:
    """One protocol's conformance hooks (``module:function`` names, or None)."""

    protocol: str
    strategy: str | None = None  # (config, supports) -> SearchStrategy[list[Event]]
    lowering: str | None = None  # (config, dialect, events) -> (events, ends): ends[i] = last lowered index of i

    def events(self, config: Any, supports: Supports) -> Any | None:
        """The strategy of generated event sequences for ``config`` (None: no generator for this protocol)."""
        return _load(self.strategy)(config, supports) if self.strategy else None

    def lower(self, config: Any, dialect: str, events: Sequence[Any]) -> tuple[list[Any], list[int]]:
        """The events as an implementation without the model-only kinds takes them, and where each one ends."""
        if self.lowering is None:
            return list(events), list(range(len(events)))
        return _load(self.lowering)(config, dialect, events)


def _load(name: str) -> Callable[..., Any]:
    module, _, function = name.partition(":")
    return getattr(importlib.import_module(module), function)


TARGETS: dict[str, Target] = {
    "gossipsub": Target("gossipsub", strategy="peerproof.adapters.targets:gossipsub_traces",
                        lowering="peerproof.adapters.targets:gossipsub_lowering"),
}
"""The protocols with conformance hooks; matchmaking, crdt and ranking have none yet (vectors only)."""


def target(protocol: str) -> Target:
    """The conformance hooks of ``protocol`` (an empty Target when it has none)."""
    return TARGETS.get(protocol, Target(protocol))


def gossipsub_traces(config: Any, supports: Supports) -> Any:
    """GossipSub traces from properties/gossipsub/strategies.py; with ``heartbeat`` only if it is supported."""
    from peerproof.properties.gossipsub.strategies import gossipsub_events

    return gossipsub_events(config, router=supports("heartbeat"))


def gossipsub_lowering(config: Any, dialect: str, events: Sequence[Any]) -> tuple[list[Any], list[int]]:
    """GossipSub heartbeats as ``tick`` + the model's prunes and grafts, in ``dialect`` (differential.py)."""
    from peerproof.adapters.differential import score_only_events
    from peerproof.reference.trace import Trace

    return score_only_events(Trace("gossipsub", dialect, config, tuple(events)))
