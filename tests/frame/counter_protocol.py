"""A minimal protocol defined entirely outside peerproof: a bounded counter, registered from here.

Proof that a protocol needs nothing outside its own folders: it brings its model (config, events,
state, step, observe, two dialects) and its checks (one property, a closed-form engine, a witness) and
registers both; ``peerproof`` record, replay, score, check, attack, ``--format json`` and ITF export then
work on it through the generic CLI. The ``spec`` dialect clamps at the bound (CT-PROP-1 holds); the
``unclamped`` dialect does not (CT-PROP-1 is violated, with a replayed counterexample).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from peerproof.attacks.checks import Checks, Engine, Job, Property, Settings, register_checks
from peerproof.attacks.finding import Finding
from peerproof.reference.configfile import ConfigError, ConfigWarning, Section, read_int
from peerproof.reference.configframe import FRAME_FIELDS, frame_to_canonical, read_frame
from peerproof.reference.events import Event, EventCodec, EventError
from peerproof.reference.model import Model, register_model
from peerproof.reference.trace import Trace, record, replay

PROTOCOL = "counter"
DIALECTS = ("spec", "unclamped")


@dataclass(frozen=True)
class Config:
    """A counter that must stay at or below ``bound``."""

    bound: int
    dialect: str = "spec"
    name: str = ""
    description: str = ""
    source: Mapping[str, Any] = field(default_factory=dict)
    file: str = "(inline)"
    warnings: tuple[ConfigWarning, ...] = ()
    protocol: ClassVar[str] = PROTOCOL


@dataclass(frozen=True)
class Increment(Event):
    """Add ``by`` to the counter."""

    by: int = 1
    kind: ClassVar[str] = "increment"

    def check(self) -> None:
        """Increments are positive."""
        if self.by < 1:
            raise EventError(f"by: an increment is at least 1, got {self.by}")


@dataclass(frozen=True)
class Reset(Event):
    """Set the counter back to zero."""

    kind: ClassVar[str] = "reset"


@dataclass(frozen=True)
class State:
    """The counter's value and clock."""

    value: int = 0
    now_ms: int = 0


def config_from_mapping(data: Mapping[str, Any], file: str = "(inline)") -> Config:
    """Read a counter config (the frame's fields, then ``bound``)."""
    top = Section(file, "", data)
    found = top.resolve({**FRAME_FIELDS, "bound": ()})
    frame = read_frame(top, found, PROTOCOL, DIALECTS, "spec")
    if "bound" not in found:
        raise ConfigError(file, "bound", "missing")
    bound = read_int(top, "bound", found["bound"])
    if bound < 0:
        raise top.error("bound", f"must be >= 0, got {bound}")
    return Config(bound, frame.dialect, frame.name, frame.description, frame.source, file)


def to_canonical(config: Config) -> dict[str, Any]:
    """The config as peerproof writes it."""
    return {**frame_to_canonical(config), "bound": config.bound}


def initial_state(config: Config, seed: int = 0, *, dialect: str) -> State:
    """A counter at zero."""
    return State()


def step(config: Config, state: State, event: Event, dialect: str) -> State:
    """Apply one event: the ``spec`` dialect clamps at the bound."""
    if isinstance(event, Reset):
        return State(0, event.at_ms)
    if event.by > 10 * config.bound:  # a rule that needs the config: found while stepping, not while reading
        raise EventError(f"by: an increment above 10 x bound ({10 * config.bound}) is refused, got {event.by}")
    value = state.value + event.by
    return State(min(value, config.bound) if dialect == "spec" else value, event.at_ms)


def observe(config: Config, state: State, dialect: str) -> dict[str, Any]:
    """The counter's value."""
    return {"time": state.now_ms / 1000, "value": state.value}


def get_dialect(name: str) -> str:
    """The dialect's name (this model's step takes the name itself)."""
    if name not in DIALECTS:
        raise ValueError(f"unknown dialect {name!r}; known: {', '.join(DIALECTS)}")
    return name


CODEC = EventCodec({cls.kind: cls for cls in (Increment, Reset)})
MODEL = register_model(Model(PROTOCOL, DIALECTS, config_from_mapping, to_canonical, get_dialect, initial_state,
                             step, observe, CODEC.from_dict, CODEC.to_dict))


def witness(config: Config, job: Job, trace: Trace) -> str | None:
    """CT-PROP-1's ground truth: the first replayed state above the bound."""
    for i, _event, state in MODEL.states(config, trace.events, dialect=trace.dialect):
        if state.value > config.bound:
            return f"after event {i} the counter is {state.value} > bound {config.bound}"
    return None


def closed_form(config: Config, job: Job, settings: Settings) -> Finding:
    """CT-PROP-1 in closed form: clamping keeps every value <= bound; without it bound+1 increments exceed it."""
    started = time.monotonic()
    if settings.dialect == "spec":
        return Finding(job.slug, None, "holds", "step clamps every value at the bound", "unbounded",
                       time.monotonic() - started, "analytic")
    events = [Increment(at_ms=1000 * (i + 1)) for i in range(config.bound + 1)]
    trace = record(PROTOCOL, config, events, dialect=settings.dialect, observe_after="every")
    assert not replay(trace)
    why = witness(config, job, trace)
    return Finding(job.slug, None, "violated", why or "?", None, time.monotonic() - started, "analytic", trace)


CHECKS = Checks(
    protocol=PROTOCOL,
    properties=(Property("CT-PROP-1", "stays-within-bound", "the counter never exceeds its bound"),),
    witness=witness,
    engines=(Engine("analytic", "closed-form", closed_form),),
)
register_checks(PROTOCOL, __name__)
