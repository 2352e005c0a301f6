"""A state of the fast fold (GS-FAST-5), read lazily: the fold yields one per event at no cost.

Kept apart from the engine so that reading a pure State (or importing the model) never loads the
compiled kernel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.dialect import Dialect, get_dialect
from peerproof.reference.gossipsub.observe import observe
from peerproof.reference.gossipsub.state import State

if TYPE_CHECKING:
    from peerproof.reference.gossipsub.fast.engine import Engine
    from peerproof.reference.gossipsub.fast.fold import Fold


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


def observe_state(config: Config, state: State | Snapshot, dialect: Dialect | None = None) -> dict[str, Any]:
    """GS-OBS-1 of a pure State or of a fast fold's Snapshot (the model's ``observe``)."""
    dialect = dialect or get_dialect(config.dialect)
    if isinstance(state, Snapshot):
        return state.observe(config, dialect)
    return observe(config, state, dialect)
