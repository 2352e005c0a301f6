"""The checks registry: what ``peerproof check`` and ``attack`` know about a protocol, in one object.

A protocol exports ``CHECKS`` (a ``Checks``) from ``peerproof.attacks.<protocol>``: its properties
(ID, slug, scope), the ground-truth witness every violation is confirmed by, its engines behind one
interface, the real implementations a violation's trace is replayed through, its presentation and,
optionally, a simulation. The CLI, the report, the evidence writer and the engine pool dispatch on the
config's ``protocol`` through ``get_checks`` and name no protocol themselves (spec/peerproof.md, PP-CHECK).
A protocol defined outside ``peerproof.attacks`` registers the module that defines its ``CHECKS``
(``register_checks``), so engine processes can import it too.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from peerproof.attacks.finding import Finding
from peerproof.attacks.presentation import Presentation
from peerproof.reference.model import get_model, protocols
from peerproof.reference.trace import Trace

ENGINE_FAMILIES = ("closed-form", "z3", "hypothesis")
"""Closed forms always run first; ``--engine z3|hypothesis|both`` picks among the other two families."""


@dataclass(frozen=True)
class Property:
    """One numbered property of a protocol's spec, as ``check`` reports it."""

    id: str  # e.g. "GS-PROP-3"
    slug: str  # e.g. "penalizes-non-forwarding"
    title: str
    scope: str | None = None  # None: the whole config; else what it is checked per ("topic", "key", ...)


@dataclass(frozen=True)
class Job:
    """One check: a property, the scope item it is checked on (None: whole config), the items it stands for."""

    slug: str
    topic: str | None = None  # the scope item: a topic, a key, ... (the JSON keeps the name "topic")
    group: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    """What every engine call of one run shares: the dialect and the engines' bounds."""

    dialect: str
    depth: int = 100  # the bounded engines' unrolling (its unit is the protocol's: decay intervals, rounds, ...)
    timeout_s: float = 30.0  # one solver call or search
    samples: int = 200  # inputs a search engine tries
    seed: int = 0


@dataclass(frozen=True)
class Engine:
    """One attack engine: ``run(config, job, settings)`` returns a Finding (or None: nothing to say).

    A ``violated`` finding carries a trace the engine replayed in the reference model and confirmed
    with the protocol's witness; every ``holds*`` finding states the bound it covers.
    """

    name: str  # reported as the finding's engine, e.g. "analytic", "z3", "hypothesis"
    family: str  # one of ENGINE_FAMILIES
    run: Callable[[Any, Job, Settings], Finding | None]
    summary: str = ""


@dataclass(frozen=True)
class Implementation:
    """A real implementation a violation's trace is replayed through.

    ``target`` names a function ``module:function`` taking ``(config, job, trace)`` and answering "ok",
    "mismatch: …", "unavailable: …" or "not violated in <name>: …"; it is imported only when a violation
    is replayed (drivers of real implementations live with the adapters, above this layer).
    """

    name: str  # the key of its line in the replay report, e.g. "ts"
    target: str

    def replay(self, config: Any, job: Job, trace: Trace) -> str:
        """Replay a violation's trace through the implementation."""
        module, _, function = self.target.partition(":")
        try:
            run = getattr(importlib.import_module(module), function)
        except (ImportError, AttributeError) as exc:
            return f"unavailable: {self.target} cannot be loaded ({exc})"
        return run(config, job, trace)


@dataclass(frozen=True)
class Simulation:
    """``peerproof simulate <protocol>``: a long-running validation of the protocol's learning or consensus."""

    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]  # the exit code


@dataclass(frozen=True)
class Checks:
    """Everything ``check`` and ``attack`` need of one protocol."""

    protocol: str
    properties: tuple[Property, ...]
    witness: Callable[[Any, Job, Trace], str | None]  # the account of the violation, None if the trace shows none
    engines: tuple[Engine, ...]
    scopes: Callable[[Any, Property], list[list[str]]] | None = None  # per-scope properties: items grouped by symmetry
    implementations: tuple[Implementation, ...] = ()
    presentation: Presentation = field(default_factory=Presentation)
    simulation: Simulation | None = None
    preload: tuple[str, ...] = ()  # modules engine processes import in advance (besides the CHECKS module)
    # modules only the engine processes' fork server imports, to load compiled code once for every engine process;
    # never imported in the calling process first, so each must catch its own errors
    warm_up: tuple[str, ...] = ()
    module: str = ""  # the module that defines CHECKS (set by get_checks)

    def property(self, slug: str) -> Property:
        """The property called ``slug``; KeyError listing the known slugs otherwise."""
        for p in self.properties:
            if p.slug == slug:
                return p
        raise KeyError(f"unknown property {slug!r}; known: {', '.join(p.slug for p in self.properties)}")

    def jobs(self, config: Any, only: Sequence[str] | None = None) -> list[Job]:
        """Every check of a config: one per property, per group of interchangeable scope items if scoped."""
        jobs = []
        for p in self.properties:
            if only and p.slug not in only:
                continue
            if p.scope is None or self.scopes is None:
                jobs.append(Job(p.slug))
                continue
            for members in self.scopes(config, p):
                jobs.append(Job(p.slug, members[0], tuple(members) if len(members) > 1 else ()))
        return jobs

    def engine(self, name: str) -> Engine:
        """The engine called ``name``."""
        for e in self.engines:
            if e.name == name:
                return e
        raise KeyError(f"{self.protocol} has no engine {name!r}")


_REGISTERED: dict[str, str] = {}


def register_checks(protocol: str, module: str) -> None:
    """Make the checks of a protocol defined outside ``peerproof.attacks`` known (``module`` defines CHECKS)."""
    _REGISTERED[protocol] = module


def checks_module(protocol: str) -> str:
    """The module that defines ``protocol``'s CHECKS."""
    return _REGISTERED.get(protocol, f"{__package__}.{protocol}")


def get_checks(protocol: str) -> Checks:
    """The checks of ``protocol``; ValueError when it has none."""
    get_model(protocol)  # an unknown protocol is reported with the known ones
    module = checks_module(protocol)
    try:
        checks = getattr(importlib.import_module(module), "CHECKS", None)
    except ModuleNotFoundError:
        checks = None
    if not isinstance(checks, Checks):
        raise ValueError(f"protocol {protocol!r} has no checks yet ({module}.CHECKS)")
    return checks if checks.module else replace(checks, module=module)


def checked_protocols() -> tuple[str, ...]:
    """The known protocols that have checks."""
    found = []
    for protocol in protocols():
        try:
            get_checks(protocol)
        except ValueError:
            continue
        found.append(protocol)
    return tuple(found)


def presentation_of(protocol: str) -> Presentation:
    """The protocol's presentation (its checks registry's), or the frame's defaults when it has no checks."""
    try:
        return get_checks(protocol).presentation
    except ValueError:
        return Presentation()
