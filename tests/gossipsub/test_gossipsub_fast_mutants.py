"""GS-FAST-6 can fail: deliberately broken fast engines, each caught by the differential's own search.

Each mutant is the fast engine with one decision wrong (a dialect switch flipped in the kernel's
parameters, a Python-side transition skipped). The differential of test_gossipsub_fast_differential.py
(loaded by path) searches test_laws.py's scenarios for a divergence and must find one; the
counterexample must then pass on the real fast engine, so the mutant, not the scenario, is to blame.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, Phase, find, settings
from peerproof.reference.gossipsub.fast.engine import Engine
from peerproof.reference.gossipsub.fast.layout import (
    P1_FLOOR,
    P3_AFTER_PRUNE,
    RECONNECT_RESETS,
    RETAIN_POSITIVE,
    WINDOW_FROM_VALIDATION,
)
from testmodules import by_path


def _differential() -> ModuleType:
    return by_path(Path(__file__).resolve().parent / "test_gossipsub_fast_differential.py",
                   "peerproof_tests_gossipsub_fast_differential")


DIFFERENTIAL = _differential()  # at import: its @given tests must not be defined inside a running test


def flipped(column: int) -> type[Engine]:
    """The fast engine with one dialect switch of the kernel's parameters inverted."""

    class Flipped(Engine):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self.params.gi[column] ^= 1

    return Flipped


class NoHeartbeat(Engine):
    """Heartbeats change nothing (no prunes of negative peers, no grafts)."""

    def _apply_cold(self, i: int) -> None:
        from peerproof.reference.gossipsub.fast import kernel

        if int(self.ev.kind[i]) != kernel.HEARTBEAT:
            super()._apply_cold(i)


class ColocationStale(Engine):
    """P6 is not recomputed when an address is removed."""

    def _recolocate(self, ips: object, also: int | None = None) -> None:
        if not getattr(self, "_removing", False):
            super()._recolocate(ips, also)

    def _remove_ip(self, p: int, ip: str) -> None:
        self._removing = True
        try:
            super()._remove_ip(p, ip)
        finally:
            self._removing = False


# name -> (dialect, the kinds the search draws more often, the broken engine)
MUTANTS: dict[str, tuple[str, tuple[str, ...], Callable[[], type[Engine]]]] = {
    "p1-not-floored": ("go", ("graft", "tick"), lambda: flipped(P1_FLOOR)),
    "p3-active-after-prune-in-ts": ("ts", ("prune", "tick", "graft"), lambda: flipped(P3_AFTER_PRUNE)),
    "window-from-first-seen": ("go", ("receive", "validated", "duplicate"), lambda: flipped(WINDOW_FROM_VALIDATION)),
    "reconnect-keeps-stats": ("ts", ("remove_peer", "add_peer", "invalid"), lambda: flipped(RECONNECT_RESETS)),
    "positive-scores-retained": ("ts", ("remove_peer", "deliver", "tick"), lambda: flipped(RETAIN_POSITIVE)),
    "no-heartbeat": ("go", ("heartbeat", "invalid"), lambda: NoHeartbeat),
    "colocation-stale-after-remove-ip": ("go", ("add_ip", "remove_ip"), lambda: ColocationStale),
}


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_differential_catches_broken_fast_engine(name: str) -> None:
    """GS-FAST-6 mutant: the differential finds a divergence, and the real fast engine passes it."""
    dialect, focus, make = MUTANTS[name]
    mutant = make()
    # The search stops at the first divergence. Budget: Hypothesis's draws depend on what ran earlier in the
    # process, not only on derandomize's seed: the stale-P6 mutant was found after 10 scenarios alone and after
    # 371 behind the rest of tests/gossipsub (300 were once the budget, and missed it).
    found = find(DIFFERENTIAL.scenarios(dialect, focus),
                 lambda sc: DIFFERENTIAL.divergence(*sc, dialect, engine=mutant) is not None,
                 settings=settings(max_examples=3000, database=None, derandomize=True, deadline=None,
                                   phases=[Phase.generate], suppress_health_check=list(HealthCheck)))
    config, events = found
    assert DIFFERENTIAL.divergence(config, events, dialect) is None, "the counterexample fails the real engine too"


class SteppedBeforeFilled(Engine):
    """A pipelined run whose kernel steps each stretch before its message IDs and numbers are filled."""

    def _pipelined(self, stop: int) -> None:
        from peerproof.reference.gossipsub.fast import engine
        from peerproof.reference.gossipsub.fast.encode import fill

        while self.ev.ready < stop:
            self._run(min(stop, self.ev.ready + engine.STRETCH))
            fill(self.ev, self.events, min(stop, self.ev.ready + engine.STRETCH))


def test_pipelined_differential_catches_a_kernel_ahead_of_filling() -> None:
    """GS-FAST-8 mutant: stepping events before they are filled ends in another State than the pure fold's."""
    found = find(DIFFERENTIAL.scenarios("go", ("deliver", "duplicate", "penalty")),
                 lambda sc: DIFFERENTIAL.pipelined_divergence(*sc, "go", engine=SteppedBeforeFilled) is not None,
                 settings=settings(max_examples=3000, database=None, derandomize=True, deadline=None,
                                   phases=[Phase.generate], suppress_health_check=list(HealthCheck)))
    assert DIFFERENTIAL.pipelined_divergence(*found, "go") is None, "the counterexample fails the real engine too"
