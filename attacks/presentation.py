"""How a protocol's results and traces are shown (the frame's side): what a protocol registers, and defaults.

A protocol gives a ``Presentation`` in its ``CHECKS``; every part is optional, and the CLI falls back to
generic tables (every scalar observable) and a generic plot (numeric observables over time).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


def num(x: Any) -> str:
    """A number as a short readable string (6 significant digits; exact zero as "0")."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        return str(x)
    if x == 0:
        return "0"
    return f"{x:.6g}"


def default_group_label(group: Sequence[str]) -> str:
    """A group of interchangeable scope items, named by its first members."""
    head = ", ".join(group[:3])
    return f"{head}, … ({len(group)})" if len(group) > 3 else head


def _peers(observed: Mapping[str, Any]) -> Mapping[str, Mapping[str, Any]]:
    return observed.get("peers", {})


def _score(entity: Mapping[str, Any]) -> float:
    return entity["score"]


def _peer_of(event: Any) -> str | None:
    peer = getattr(event, "peer", None)
    return peer if isinstance(peer, str) else None


@dataclass(frozen=True)
class PlotView:
    """How to read observables as per-entity scores for the frame's score plot (peerproof.plot)."""

    components: Callable[[Any, Mapping[str, Any]], dict[str, float]]  # (config, entity) -> weighted parts
    thresholds: Callable[[Any], list[tuple[str, float]]]  # config -> levels drawn as lines
    memberships: Callable[[Mapping[str, Any]], frozenset[str]]  # entity -> groups it is in (exits are marked)
    entities: Callable[[Mapping[str, Any]], Mapping[str, Mapping[str, Any]]] = _peers  # observables -> by name
    score: Callable[[Mapping[str, Any]], float] = _score  # entity -> its score
    entity_of: Callable[[Any], str | None] = _peer_of  # event -> the entity it names


@dataclass(frozen=True)
class Presentation:
    """How a protocol's results and traces are shown."""

    scope_name: str = "topic"  # the column heading of the scope item
    group_label: Callable[[Sequence[str]], str] = default_group_label
    score_tables: Callable[[Any, Mapping[str, Any]], list[Any]] | None = None  # (config, observables) -> Tables
    plot_view: PlotView | None = None  # the frame's per-entity score plot
    plot: Callable[..., Any] | None = None  # (trace, path, highlight=None) -> draws the PNG itself
    example: Callable[[Any, str | None], Any] | None = None  # (config, dialect) -> a scored example Trace
    example_table: Callable[[str, Any, Any], Any] | None = None  # (name, config, trace) -> a Table for the demo
    example_summary: Callable[[Any], Mapping[str, Any]] | None = None  # trace -> JSON summary for the demo
