"""What conformance needs of each protocol besides its model: a trace generator and event lowering.

``Target.events(config, supports)`` is the Hypothesis strategy of generated traces for a config (None: the
protocol has none, and ``peerproof conformance`` runs the bundled vectors and attack traces only);
``Target.lower`` rewrites events an implementation cannot take into ones it can, as the reference model
resolved them (GossipSub: a ``heartbeat`` becomes the prunes and grafts the model's heartbeat made, for
score-only implementations such as the TS PeerScore).

A protocol's hooks are found by module name, as ``get_model`` finds its model (PP-ADAPTER-9): the module
``peerproof.properties.<protocol>.conformance_traces`` defines ``traces(config, supports)`` and, where a
kind needs it, ``lowering(config, dialect, events)``. A protocol whose properties layer cannot hold a hook
(GossipSub's lowering replays through the adapter layer) registers here in ``REGISTERED``. Hooks are
imported on first use, so a protocol's strategies load only when its traces are generated.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Supports = Callable[[str], bool]  # whether the implementation can apply events of a kind
HOOK_MODULE = "peerproof.properties.{protocol}.conformance_traces"


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


REGISTERED: dict[str, Target] = {
    "gossipsub": Target("gossipsub", strategy="peerproof.adapters.targets:gossipsub_traces",
                        lowering="peerproof.adapters.targets:gossipsub_lowering"),
}
"""Hooks that cannot live in the protocol's properties layer (see the module docstring)."""


def target(protocol: str) -> Target:
    """The conformance hooks of ``protocol``: registered, else its ``conformance_traces`` module, else none."""
    if protocol in REGISTERED:
        return REGISTERED[protocol]
    name = HOOK_MODULE.format(protocol=protocol)
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not name.startswith(exc.name):
            raise  # the hook module exists but imports something missing: a real error
        return Target(protocol)
    return Target(protocol, strategy=f"{name}:traces" if hasattr(module, "traces") else None,
                  lowering=f"{name}:lowering" if hasattr(module, "lowering") else None)


def gossipsub_traces(config: Any, supports: Supports) -> Any:
    """GossipSub traces from properties/gossipsub/strategies.py; with ``heartbeat`` only if it is supported."""
    from peerproof.properties.gossipsub.strategies import gossipsub_events

    return gossipsub_events(config, router=supports("heartbeat"))


def gossipsub_lowering(config: Any, dialect: str, events: Sequence[Any]) -> tuple[list[Any], list[int]]:
    """GossipSub heartbeats as ``tick`` + the model's prunes and grafts, in ``dialect`` (differential.py)."""
    from peerproof.adapters.differential import score_only_events
    from peerproof.reference.trace import Trace

    return score_only_events(Trace("gossipsub", dialect, config, tuple(events)))
