"""The one shape every reference model has, the registry that finds it, and the one fold over events.

A protocol plugs in by exporting ``MODEL`` (a ``Model``) from ``peerproof.reference.<protocol>``; the
registry finds it by module name, so ``PROTOCOLS`` is derived from the folders present, not listed.
A protocol defined elsewhere (a user's, or the minimal one under ``tests/``) calls ``register_model``.
Everything that runs events (record, replay, score, witnesses, every engine and adapter) goes through
``Model.states``, so the initial state is always built in the dialect the events are stepped with.
A model may carry a faster implementation of that fold (``FastFold``, PP-MODEL-6); which one runs is
chosen per call (``engine=``) or for a whole command (``use_engine``).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from peerproof.reference.events import EventError, at_event
from peerproof.reference.limits import quote


@runtime_checkable
class Config(Protocol):
    """What the frame reads of every protocol's config (spec/peerproof.md, PP-CONFIG)."""

    protocol: str
    name: str  # "" for a user's file without a name
    file: str
    dialect: str  # the dialect the config was written for
    warnings: tuple[Any, ...]  # ConfigWarning objects


@runtime_checkable
class Event(Protocol):
    """What the frame reads of every event: its kind and its time (non-decreasing along a trace)."""

    kind: str
    at_ms: int


Observables = Mapping[str, Any]
"""What ``observe`` returns: a JSON-able tree of finite numbers, strings, booleans, lists and mappings
with a ``time`` entry (seconds); an implementation is compared with the model on exactly this tree."""


ENGINES = ("auto", "fast", "reference")
_ENGINE: ContextVar[str] = ContextVar("peerproof_engine", default="auto")


def engine_choice() -> str:
    """The fold engine ``use_engine`` chose for the current command ("auto" unless it chose one)."""
    return _ENGINE.get()


@contextmanager
def use_engine(name: str) -> Iterator[None]:
    """Run every fold inside the block with ``name``: ``auto`` (the fast fold from its ``min_events`` on),
    ``fast`` (the fast fold whenever the model has one) or ``reference`` (the pure ``step``), PP-MODEL-6."""
    if name not in ENGINES:
        raise ValueError(f"unknown engine {quote(name)}; choose one of {', '.join(ENGINES)}")
    token = _ENGINE.set(name)
    try:
        yield
    finally:
        _ENGINE.reset(token)


@dataclass(frozen=True)
class FastFold:
    """A faster implementation of a model's fold (PP-MODEL-6): it must equal ``step`` on every observable.

    ``states(config, events, dialect, seed)`` yields what ``Model.states`` yields, each state an object
    the model's ``observe`` reads and whose attributes are those of the pure state; ``final_state`` returns
    such a state after every event. Both raise what the pure fold raises, where it raises it.
    """

    states: Callable[..., Iterator[tuple[int, Any, Any]]]
    final_state: Callable[..., Any]
    min_events: int = 0  # "auto" takes the fast fold from this many events on
    warm: Callable[[], bool] = lambda: False  # whether the fold's start-up cost is already paid in this process
    warm_min_events: int = 0  # ... and then "auto" takes it from this many events on

    def takes(self, events: int) -> bool:
        """Whether "auto" folds this many events by the fast fold."""
        return events >= self.min_events or (events >= self.warm_min_events and self.warm())


@dataclass(frozen=True)
class Model:
    """A protocol's reference model: reading configs and events, the initial state, step and observe.

    ``get_dialect`` turns a dialect's name into whatever object the protocol's ``step`` takes (a
    ValueError for an unknown name); ``initial_state``, ``step`` and ``observe`` receive that object.
    """

    protocol: str
    dialects: tuple[str, ...]
    config_from_mapping: Callable[..., Config]  # (document, file=...) -> Config; ConfigError when wrong
    to_canonical: Callable[[Any], dict[str, Any]]  # Config -> the document config_from_mapping reads back
    get_dialect: Callable[[str], Any]
    initial_state: Callable[..., Any]  # (config, seed=int, dialect=Dialect) -> State
    step: Callable[[Any, Any, Any, Any], Any]  # (config, state, event, dialect) -> State
    observe: Callable[[Any, Any, Any], Observables]  # (config, state, dialect) -> observables
    event_from_dict: Callable[[Mapping[str, Any]], Event]  # ValueError("field: message") when wrong
    event_to_dict: Callable[[Any], dict[str, Any]]
    fast: FastFold | None = None

    def _fast(self, events: Iterable[Any], engine: str | None) -> tuple[FastFold | None, Iterable[Any]]:
        """The fast fold to use for ``events`` under ``engine`` (None: the pure one), and the events."""
        choice = engine or _ENGINE.get()
        if choice not in ENGINES:
            raise ValueError(f"unknown engine {quote(choice)}; choose one of {', '.join(ENGINES)}")
        if self.fast is None or choice == "reference":
            return None, events
        events = events if isinstance(events, Sequence) else list(events)
        return (self.fast if choice == "fast" or self.fast.takes(len(events)) else None), events

    def states(self, config: Any, events: Iterable[Any], *, dialect: str | None = None,
               seed: int = 0, engine: str | None = None) -> Iterator[tuple[int, Any, Any]]:
        """The fold: ``(index, event, state after it)`` for each event, from the initial state of the
        dialect the events are stepped in (the config's own dialect unless ``dialect`` names another);
        by the fast fold where ``engine`` (default: ``use_engine``'s, else ``auto``) picks it."""
        fast, events = self._fast(events, engine)
        if fast is None:
            return self._pure_states(config, events, dialect, seed)
        # Started on the first draw, then drawn from in C: no Python frame per event on the fast path.
        return chain.from_iterable(map(_call, [lambda: fast.states(
            config, events, self.get_dialect(dialect or config.dialect), seed)]))

    def _pure_states(self, config: Any, events: Iterable[Any], dialect: str | None,
                     seed: int) -> Iterator[tuple[int, Any, Any]]:
        """The fold by ``step``, event after event."""
        d = self.get_dialect(dialect or config.dialect)
        state = self.initial_state(config, seed=seed, dialect=d)
        for i, event in enumerate(events):
            try:
                state = self.step(config, state, event, d)
            except EventError as exc:  # an event the state refuses (unknown judge, out of order): located
                raise at_event(exc, i) from None
            yield i, event, state

    def start(self, config: Any, *, dialect: str | None = None, seed: int = 0) -> tuple[Any, Any]:
        """The dialect object and the initial state, for callers that step by hand (engines, adapters)."""
        d = self.get_dialect(dialect or config.dialect)
        return d, self.initial_state(config, seed=seed, dialect=d)

    def final_state(self, config: Any, events: Iterable[Any], *, dialect: str | None = None,
                    seed: int = 0, engine: str | None = None,
                    on_event: Callable[[int], None] | None = None) -> Any:
        """The state after every event (the initial state when there are none); ``on_event(n)`` hears of
        progress: after each event on the pure fold, once at the end on the fast one (no frame per event)."""
        fast, events = self._fast(events, engine)
        if fast is not None:
            state = fast.final_state(config, events, self.get_dialect(dialect or config.dialect), seed)
            if on_event is not None:
                on_event(len(events))
            return state
        last = None
        for i, _event, last in self.states(config, events, dialect=dialect, seed=seed, engine="reference"):  # noqa: B007
            if on_event is not None:
                on_event(i + 1)
        return last if last is not None else self.start(config, dialect=dialect, seed=seed)[1]


def _call(f: Callable[[], Any]) -> Any:
    return f()


_REGISTERED: dict[str, Model] = {}


def register_model(model: Model) -> Model:
    """Make a model defined outside ``peerproof.reference`` known to the frame (tests, user protocols)."""
    _REGISTERED[model.protocol] = model
    return model


def _bundled() -> tuple[str, ...]:
    """The protocols whose model lives in a subpackage of ``peerproof.reference``."""
    here = [str(Path(__file__).parent)]
    return tuple(sorted(m.name for m in pkgutil.iter_modules(here) if m.ispkg))


def protocols() -> tuple[str, ...]:
    """Every known protocol: the bundled ones, then the registered ones."""
    bundled = _bundled()
    return bundled + tuple(p for p in _REGISTERED if p not in bundled)


PROTOCOLS = _bundled()
"""The bundled protocols (derived from the subpackages of ``peerproof.reference``)."""


def get_model(protocol: str) -> Model:
    """The model of ``protocol``; ValueError naming the known protocols otherwise."""
    if isinstance(protocol, str) and protocol in _REGISTERED:
        return _REGISTERED[protocol]
    if isinstance(protocol, str) and protocol in _bundled():
        model = getattr(importlib.import_module(f"{__package__}.{protocol}"), "MODEL", None)
        if isinstance(model, Model):
            return model
    raise ValueError(f"unknown protocol {quote(protocol)}; known: {', '.join(protocols())}")
