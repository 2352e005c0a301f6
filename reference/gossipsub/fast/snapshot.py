"""A state of the fast fold (GS-FAST-5), read lazily: the fold yields one per event at no cost.

Kept apart from the engine so that reading a pure State (or importing the model) never loads the
compiled kernel.
"""

from __future__ import annotations

from typing import Any

from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.dialect import Dialect, get_dialect
from peerproof.reference.gossipsub.fast.layout import EngineView
from peerproof.reference.gossipsub.observe import observe
from peerproof.reference.gossipsub.state import State


class Snapshot(tuple):
    """The state after ``events[index]`` of a fast fold: ``observe`` reads it from the engine's tables;
    any other attribute is read from the pure ``State`` it stands for (built once, on first use).

    A pair ``(fold, index)``, so that the fold makes one per event at the cost of a tuple.
    """

    __slots__ = ()

    @property
    def index(self) -> int:
        """The event this state follows."""
        return self[1]

    @property
    def now_ms(self) -> int:
        """The clock after the event: its own time (GS-STEP)."""
        return int(self[0].engine.ev.at[self[1]])

    def settled(self) -> State:
        """The pure model's State after the event."""
        fold, index = self
        if index not in fold.settled:
            fold.settled[index] = fold.at(index).state()
        return fold.settled[index]

    def engine(self) -> EngineView:
        """The fast engine positioned just after the event (its tables hold until the fold is read further)."""
        return self[0].at(self[1])

    def observe(self, config: Config, dialect: Dialect) -> dict[str, Any]:
        """observe.observe of this state (from the tables when read under the fold's own config and dialect)."""
        fold, index = self
        if index not in fold.settled and config is fold.config and dialect == fold.dialect:
            return observe(config, fold.at(index).observed_state(), dialect)
        return observe(config, self.settled(), dialect)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.settled(), name)


def observe_state(config: Config, state: State | Snapshot, dialect: Dialect | None = None) -> dict[str, Any]:
    """GS-OBS-1 of a pure State or of a fast fold's Snapshot (the model's ``observe``)."""
    dialect = dialect or get_dialect(config.dialect)
    if isinstance(state, Snapshot):
        return state.observe(config, dialect)
    return observe(config, state, dialect)
