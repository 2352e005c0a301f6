"""The fast fold (GS-FAST-5): ``Model.states`` and ``final_state`` computed by the fast engine.

The fold yields one ``Snapshot`` per event without computing anything; the engine runs forward only
when a snapshot is read, so a consumer that observes every 100th state (a plot) or only the last
(``score``, ``final_state``) pays for the kernel's pass and those observations alone. A snapshot read
after the engine has moved past it is recomputed by a fresh engine: every snapshot stays valid.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.dialect import Dialect, get_dialect
from peerproof.reference.gossipsub.fast.engine import Engine
from peerproof.reference.gossipsub.observe import observe
from peerproof.reference.gossipsub.state import State

MIN_EVENTS = 2_000
"""From this many events on, ``Model.states`` picks the fast engine by itself (``engine="auto"``); a
shorter trace runs through the pure fold, which needs no compiled kernel and is as quick there."""


class Fold:
    """One trace in the fast engine, with the engine restarted when an earlier state is asked for."""

    def __init__(self, config: Config, events: Sequence, dialect: Dialect, seed: int) -> None:
        self.config, self.events, self.dialect, self.seed = config, events, dialect, seed
        self.engine = Engine(config, events, dialect, seed)

    def at(self, index: int) -> Engine:
        """The engine positioned just after ``events[index]``."""
        if self.engine.pos > index + 1:
            self.engine = Engine(self.config, self.events, self.dialect, self.seed)
        self.engine.run_to(index + 1)
        return self.engine


class Snapshot:
    """The state after ``events[index]`` of a fast fold: ``observe`` reads it from the engine's tables;
    any other attribute is read from the pure ``State`` it stands for (built once, on first use)."""

    __slots__ = ("_fold", "_state", "index")

    def __init__(self, fold: Fold, index: int) -> None:
        self._fold, self.index, self._state = fold, index, None

    @property
    def now_ms(self) -> int:
        """The clock after the event: its own time (GS-STEP)."""
        return int(self._fold.engine.ev.at[self.index])

    def settled(self) -> State:
        """The pure model's State after the event."""
        if self._state is None:
            self._state = self._fold.at(self.index).state()
        return self._state

    def engine(self) -> Engine:
        """The fast engine positioned just after the event (its tables hold until the fold is read further)."""
        return self._fold.at(self.index)

    def observe(self, config: Config, dialect: Dialect) -> dict[str, Any]:
        """observe.observe of this state (from the tables when read under the fold's own config and dialect)."""
        fold = self._fold
        if self._state is None and config is fold.config and dialect == fold.dialect:
            return observe(config, fold.at(self.index).observed_state(), dialect)
        return observe(config, self.settled(), dialect)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.settled(), name)


def fast_states(config: Config, events: Sequence, dialect: Dialect, seed: int = 0) -> Iterator[tuple[int, Any, Any]]:
    """Model.states by the fast engine: ``(index, event, Snapshot)``, then the pure fold's refusal, if any."""
    fold = Fold(config, events, dialect, seed)
    for i in range(fold.engine.usable):
        yield i, events[i], Snapshot(fold, i)
    if fold.engine.ev.refusal is not None:
        raise fold.engine.ev.refusal


def fast_final_state(config: Config, events: Sequence, dialect: Dialect, seed: int = 0) -> State:
    """Model.final_state by the fast engine: the pure State after every event."""
    engine = Engine(config, events, dialect, seed)
    engine.run_to(engine.usable)
    if engine.ev.refusal is not None:
        raise engine.ev.refusal
    return engine.state()


def observe_state(config: Config, state: State | Snapshot, dialect: Dialect | None = None) -> dict[str, Any]:
    """GS-OBS-1 of a pure State or of a fast fold's Snapshot (the model's ``observe``)."""
    dialect = dialect or get_dialect(config.dialect)
    if isinstance(state, Snapshot):
        return state.observe(config, dialect)
    return observe(config, state, dialect)
