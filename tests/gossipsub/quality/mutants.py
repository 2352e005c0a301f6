"""Deliberately broken reference models, one (or more) per law GS-LAW-1..6.

A mutant is a function swapped into the model with pytest's ``monkeypatch`` where the model calls it:
the modules import each other's functions by name, so a mutant of ``score.breakdown`` must be set on
``score`` (where ``score()`` looks it up), a mutant of ``deliveries.mark_first_delivery`` on
``deliveries``, and so on. Each ``Mutant`` names the law it breaks, the attribute it replaces, and
how to build the replacement from the original.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from peerproof.reference.gossipsub import dialect as dialects
from peerproof.reference.gossipsub import membership
from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.state import State
from testmodules import by_path

SCORE_MODULE = "peerproof.reference.gossipsub.score"
DECAY_MODULE = "peerproof.reference.gossipsub.decay"
DELIVERIES_MODULE = "peerproof.reference.gossipsub.deliveries"
STEP_MODULE = "peerproof.reference.gossipsub.step"


@dataclass(frozen=True)
class Mutant:
    """One broken model: ``target`` (``module:attribute``) replaced by ``build(original)``."""

    name: str
    law: str
    target: str
    build: Callable[[Any], Any]
    why: str

    def install(self, monkeypatch: Any) -> None:
        """Swap the broken function (or table) into the model for the rest of the test."""
        module_name, attr = self.target.split(":")
        module = importlib.import_module(module_name)  # by module object: the package re-exports shadow names
        monkeypatch.setattr(module, attr, self.build(getattr(module, attr)))


# --- GS-LAW-1 ---------------------------------------------------------------------------------------


def first_delivery_decrements(original: Callable) -> Callable:
    def mark_first_delivery(config: Config, state: State, peer: str, topic: str) -> State:
        ts = membership.topic_stats(config, state, peer, topic)
        if ts is None:
            return state
        return membership.with_topic(state, peer, topic, replace(
            ts, first_message_deliveries=ts.first_message_deliveries - 1,
            mesh_message_deliveries=ts.mesh_message_deliveries - (1 if ts.in_mesh else 0)))
    return mark_first_delivery


# --- GS-LAW-2 ---------------------------------------------------------------------------------------


def invalid_weight_counted_positive(original: Callable) -> Callable:
    def topic_components(tp: Any, ts: Any, dialect: Any) -> Any:
        return original(replace(tp, invalid_message_deliveries_weight=abs(tp.invalid_message_deliveries_weight)),
                        ts, dialect)
    return topic_components


# --- GS-LAW-3 ---------------------------------------------------------------------------------------


def decay_factor_above_one(original: Callable) -> Callable:
    def decayed(value: float, factor: float, decay_to_zero: float, times: int = 1) -> float:
        return original(value, 1 / factor, decay_to_zero, times)  # grows by 1/factor > 1 instead of shrinking
    return decayed


def decay_flips_sign(original: Callable) -> Callable:
    def decayed(value: float, factor: float, decay_to_zero: float, times: int = 1) -> float:
        return -original(value, factor, decay_to_zero, times)
    return decayed


# --- GS-LAW-4 ---------------------------------------------------------------------------------------


def colocation_counts_every_ip(original: Callable) -> Callable:
    def p6_ip_colocation(config: Config, state: State, stats: Any, *args: Any) -> float:
        # Counts surplus on every IP the router knows, not only the peer's own: a shared, non-local term.
        return original(config, state, replace(stats, known_ips=frozenset(state.peer_ips)), *args)
    return p6_ip_colocation


def first_delivery_credits_whole_mesh(original: Callable) -> Callable:
    def mark_first_delivery(config: Config, state: State, peer: str, topic: str) -> State:
        for member in sorted(state.router.mesh.get(topic, frozenset()) | {peer}):
            state = original(config, state, member, topic)
        return state
    return mark_first_delivery


# --- GS-LAW-5 ---------------------------------------------------------------------------------------


def topic_cap_not_applied(original: Callable) -> Callable:
    def breakdown(config: Config, state: State, peer: str, dialect: Any = None) -> Any:
        return original(replace(config, score=replace(config.score, topic_score_cap=0.0)), state, peer, dialect)
    return breakdown


# --- GS-LAW-6 ---------------------------------------------------------------------------------------


def implementations_retain_positive_scores(original: dict) -> dict:
    return {name: d if name == "spec" else replace(d, retain_positive_scores=True) for name, d in original.items()}


def retention_never_expires(original: Callable) -> Callable:
    def refresh(config: Config, state: State, dialect: Any) -> State:
        retained = {p: s for p, s in state.peers.items() if not s.connected}
        state = original(config, state, dialect)
        return replace(state, peers={**state.peers, **retained})
    return refresh


MUTANTS: tuple[Mutant, ...] = (
    Mutant("first-delivery-decrements", "GS-LAW-1", f"{DELIVERIES_MODULE}:mark_first_delivery",
           first_delivery_decrements, "a first delivery subtracts 1 from P2 and the P3 counter"),
    Mutant("invalid-weight-counted-positive", "GS-LAW-2", f"{SCORE_MODULE}:topic_components",
           invalid_weight_counted_positive, "the P4 weight is used as |w4|: invalid messages earn score"),
    Mutant("decay-factor-above-one", "GS-LAW-3", f"{DECAY_MODULE}:decayed",
           decay_factor_above_one, "a refresh multiplies counters by 1/decay > 1"),
    Mutant("decay-flips-sign", "GS-LAW-3", f"{DECAY_MODULE}:decayed",
           decay_flips_sign, "a refresh negates the decayed counter"),
    Mutant("colocation-counts-every-ip", "GS-LAW-4", f"{SCORE_MODULE}:p6_ip_colocation",
           colocation_counts_every_ip, "P6 counts crowding on IPs the peer does not use"),
    Mutant("first-delivery-credits-whole-mesh", "GS-LAW-4", f"{DELIVERIES_MODULE}:mark_first_delivery",
           first_delivery_credits_whole_mesh, "one peer's first delivery credits every mesh member"),
    Mutant("topic-cap-not-applied", "GS-LAW-5", f"{SCORE_MODULE}:breakdown",
           topic_cap_not_applied, "the summed topic part is never capped"),
    Mutant("implementations-retain-positive-scores", "GS-LAW-6", f"{dialects.__name__}:DIALECTS",
           implementations_retain_positive_scores, "go/ts/rust keep positive scores after a disconnect"),
    Mutant("retention-never-expires", "GS-LAW-6", f"{STEP_MODULE}:refresh",
           retention_never_expires, "a retained peer survives every refresh past RetainScore"),
)


@cache
def law_tests() -> ModuleType:
    """tests/gossipsub/test_laws.py, loaded by path: its scenario strategies drive the mutant searches.

    Loaded under its own name (tests/ is not a package), independently of pytest's own import of it.
    """
    return by_path(Path(__file__).resolve().parents[1] / "test_laws.py", "peerproof_tests_gossipsub_laws")
