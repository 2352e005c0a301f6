"""The reference model behind the adapter interface, so suites run the same way against it and against TS."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any

from peerproof.reference.gossipsub import (
    MODEL,
    Config,
    Dialect,
    Event,
    State,
    event_from_dict,
    observe,
    step,
)


class ReferenceAdapter:
    """The Python reference model (GS-STEP, GS-OBS) as an adapter: ``reset``, ``apply``, ``observe``.

    ``dialect`` forces an implementation dialect (``"ts"`` to compare with the TS adapter); by default each
    config's own dialect is used. ``observe()`` also carries the router's ``mesh``, which TS cannot report.
    """

    def __init__(self, dialect: str | None = None, seed: int = 0) -> None:
        self.dialect_name = dialect
        self.seed = seed
        self.config: Config | None = None
        self.state: State | None = None
        self._dialect: Dialect | None = None

    def reset(self, config: Config) -> None:
        """A fresh model state for ``config`` at time 0."""
        self.config = config
        self._dialect, self.state = MODEL.start(config, dialect=self.dialect_name, seed=self.seed)

    def _ready(self) -> tuple[Config, State, Dialect]:
        if self.config is None or self.state is None or self._dialect is None:
            raise RuntimeError("call reset(config) first")
        return self.config, self.state, self._dialect

    def apply(self, event: Event | Mapping[str, Any]) -> None:
        """Advance time to the event (running due refreshes), then apply it."""
        config, state, dialect = self._ready()
        if not isinstance(event, Event):
            event = event_from_dict(event)
        self.state = step(config, state, event, dialect)

    def apply_many(self, events: Iterable[Event | Mapping[str, Any]],
                   observe: str | Iterable[int] = "each") -> list[dict[str, Any]]:
        """Apply events; observations after each (``"each"``), the last, none, or the given indices."""
        events = list(events)
        wanted = (set(range(len(events))) if observe == "each" else {len(events) - 1} if observe == "last"
                  else set() if observe == "none" else set(observe))
        out = []
        for i, event in enumerate(events):
            self.apply(event)
            if i in wanted:
                out.append(self.observe())
        return out

    def observe(self) -> dict[str, Any]:
        """GS-OBS: ``{"time", "peers", "mesh"}`` at the model's clock."""
        config, state, dialect = self._ready()
        return observe(config, state, dialect)

    def close(self) -> None:
        """Nothing to release; present for the adapter interface."""

    def __enter__(self) -> ReferenceAdapter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
