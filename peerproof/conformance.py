"""``peerproof conformance --adapter "CMD"``: an implementation against the reference model (PP-ADAPTER-6..8).

Three suites, each compared event by event with the model in the adapter's dialect (or ``--dialect``):
the bundled vectors (``spec/vectors/<protocol>/cases``), generated traces (the protocol's Hypothesis
strategy, ``--traces`` per config, shrunk to a minimal differing trace that is written to ``--out``) and the
attack traces of the manifest's violations (``spec/vectors/<protocol>/attacks``): for each, whether the
implementation reproduces it and whether the witness confirms the attack in its dialect, i.e. whether the
implementation is attackable the same way. Exit 0: no divergence; 1: a divergence; 2: bad input or an
adapter that broke the protocol (did not start, hung, wrote non-JSON, crashed).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peerproof.adapters.divergence import Divergence, Skipped, first_divergence
from peerproof.adapters.protocol import AdapterError, AdapterProcess
from peerproof.adapters.targets import Target, target
from peerproof.reference.configfile import ConfigError
from peerproof.reference.model import Model, get_model
from peerproof.reference.trace import Trace, record
from peerproof.reference.verdicts import EXIT_BAD_INPUT, EXIT_OK, EXIT_VIOLATION

DEFAULT_TRACES = 50  # generated traces per config
DEFAULT_OUT = Path("peerproof-out") / "conformance"


@dataclass
class Outcome:
    """One suite item's result: passed, diverged (with the divergence) or skipped (with why)."""

    suite: str  # "vectors", "generated", "attacks"
    name: str
    status: str  # "pass", "diverge", "skip"
    detail: str = ""
    divergence: Divergence | None = None
    trace_file: str | None = None
    attack: str | None = None  # attacks: "attackable", "not attackable in <dialect>: ..."


@dataclass
class Run:
    """A conformance run: the adapter, the model and dialect it is compared in, and the outcomes."""

    adapter: AdapterProcess
    model: Model
    dialect: str
    target: Target
    out: Path
    outcomes: list[Outcome] = field(default_factory=list)
    traces: int = 0
    events: int = 0

    def compare(self, config: Any, events: Sequence[Any], seed: int = 0, compare_after: Sequence[int] | None = None,
                observed: dict[int, Any] | None = None) -> Divergence | None:
        """The first divergence of one trace (Skipped when the implementation cannot run it); observed after
        every event, or after those in ``compare_after`` (the model's observations there into ``observed``)."""
        self.traces += 1
        self.events += len(events)
        return first_divergence(self.adapter, self.model, self.target, config, events, self.dialect, seed=seed,
                                compare_after=None if compare_after is None else set(compare_after),
                                observed=observed)

    def write(self, name: str, config: Any, events: Sequence[Any], divergence: Divergence) -> str:
        """Write the differing trace, recorded in the model, with the divergence in its meta; its path."""
        from peerproof.traceio import write_trace

        self.out.mkdir(parents=True, exist_ok=True)
        stem = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)
        trace = record(self.model.protocol, config, events, dialect=self.dialect,
                       meta={"conformance": str(divergence), "adapter": self.adapter.name})
        return str(write_trace(trace, self.out / f"{stem}.json"))


def run_vectors(run: Run) -> None:
    """Every bundled behaviour case of the protocol."""
    from peerproof.vectors import load_cases

    for case in load_cases(run.model.protocol):
        run.outcomes.append(judge(run, "vectors", case.name, case.config, case.events))


def judge(run: Run, suite: str, name: str, config: Any, events: Sequence[Any],
          compare_after: Sequence[int] | None = None, observed: dict[int, Any] | None = None) -> Outcome:
    """One trace's outcome (a differing trace is written to the run's ``out``)."""
    try:
        found = run.compare(config, events, compare_after=compare_after, observed=observed)
    except Skipped as exc:
        return Outcome(suite, name, "skip", str(exc))
    if found is None:
        return Outcome(suite, name, "pass")
    return Outcome(suite, name, "diverge", str(found), found, run.write(f"{suite}-{name}", config, events, found))


def run_generated(run: Run, configs: Sequence[tuple[str, Any]], traces: int, seed: int) -> None:
    """``traces`` generated traces per config; the first divergence of each config, shrunk by Hypothesis."""
    from hypothesis import HealthCheck, find, settings
    from hypothesis.errors import NoSuchExample

    for name, config in configs:
        strategy = run.target.events(config, run.adapter.hello.supports)
        if strategy is None:
            run.outcomes.append(Outcome("generated", name, "skip", f"no trace generator for {run.model.protocol} yet: "
                                                                   "the bundled vectors and attack traces only"))
            return
        search = _Search(run, config, traces + SHRINK_CALLS)
        limits = settings(max_examples=traces, database=None, deadline=None,
                          suppress_health_check=list(HealthCheck))
        try:
            find(strategy, search.differs, settings=limits, random=random.Random(seed))
        except (NoSuchExample, _Enough):
            pass
        except BaseExceptionGroup as group:  # Hypothesis groups the _Enough raised while shrinking
            if group.subgroup(_Enough) is None:
                raise
        if search.broken is not None:
            raise search.broken
        if search.smallest is None:
            skipped = search.skipped
            detail = f"{traces} traces" + (f" ({len(skipped)} skipped: {skipped[0]})" if skipped else "")
            run.outcomes.append(Outcome("generated", name, "skip" if len(skipped) >= traces else "pass", detail))
            continue
        events = minimise(run, config, search.smallest)
        found = run.compare(config, events)
        assert found is not None, "a shrunk trace must still differ"
        run.outcomes.append(Outcome("generated", name, "diverge", f"shrunk to {len(events)} events: {found}", found,
                                    run.write(f"generated-{name}", config, events, found)))


SHRINK_CALLS = 50  # trace runs Hypothesis may spend shrinking a divergence (a count: never a clock)
MINIMISE_CALLS = 200  # trace runs the event-deletion pass after it may spend


def minimise(run: Run, config: Any, events: Sequence[Any]) -> list[Any]:
    """A differing trace with events deleted while it still differs: chunks of halving size, then single events.

    Hypothesis shrinks the choices a trace was drawn from; deleting events directly finishes the job where a
    choice's meaning depends on the ones before it. A deletion that leaves input the model refuses (an
    unknown judge, say) does not differ; bounded by MINIMISE_CALLS trace runs (a count, never a clock).
    """
    best, calls = list(events), 0
    size = max(1, len(best) // 2)
    while calls < MINIMISE_CALLS:
        i, removed = 0, False
        while i < len(best) and calls < MINIMISE_CALLS:
            candidate = best[:i] + best[i + size:]
            calls += 1
            if candidate and _still_differs(run, config, candidate):
                best, removed = candidate, True
            else:
                i += size
        if size == 1 and not removed:
            break
        size = max(1, size // 2)
    return best


def _still_differs(run: Run, config: Any, events: Sequence[Any]) -> bool:
    try:
        return run.compare(config, events) is not None
    except (Skipped, ValueError, ConfigError):  # ValueError: the model refuses the input (EventError is one)
        return False


class _Enough(BaseException):
    """The shrink budget is spent: the smallest differing trace so far is the answer."""


class _Search:
    """The condition Hypothesis searches with: a trace differs; keeps the smallest differing trace."""

    def __init__(self, run: Run, config: Any, budget: int) -> None:
        self.run, self.config, self.budget = run, config, budget
        self.calls = 0
        self.smallest: list[Any] | None = None
        self.skipped: list[str] = []
        self.broken: AdapterError | None = None

    def differs(self, events: list[Any]) -> bool:
        """Whether the implementation diverges on ``events`` (an adapter failure stops the search)."""
        self.calls += 1
        if self.broken is not None or self.calls > self.budget:
            raise _Enough
        try:
            found = self.run.compare(self.config, events) is not None
        except Skipped as exc:
            self.skipped.append(str(exc))
            return False
        except AdapterError as exc:
            self.broken = exc
            raise _Enough from None
        if found and (self.smallest is None or len(events) <= len(self.smallest)):
            self.smallest = list(events)
        return found


def run_attacks(run: Run) -> None:
    """The manifest's attack traces: does the implementation reproduce each, and is it attacked in its dialect?"""
    from peerproof.vectors import load_cases

    for case in load_cases(run.model.protocol, "attacks"):
        run.outcomes.append(judge_attack(run, case))


def judge_attack(run: Run, case: Any) -> Outcome:
    """One attack case: reproduced or not, and whether the witness confirms the attack in the run's dialect."""
    from peerproof.attacks.checks import Job, get_checks

    last = len(case.events) - 1
    observed: dict[int, Any] = {}
    outcome = judge(run, "attacks", case.name, case.config, case.events, compare_after=[last], observed=observed)
    if outcome.status == "pass":
        claim = case.claim or {}
        trace = Trace(run.model.protocol, run.dialect, case.config, tuple(case.events),
                      ({"after": last, "values": observed[last]},))
        job = Job(str(claim.get("property")), claim.get("topic"))
        shown = get_checks(run.model.protocol).witness(case.config, job, trace)
        outcome.attack = ("attackable: it reproduces the attack, which the witness confirms" if shown else
                          f"not attackable the same way: in the {run.dialect} dialect this trace breaks no property")
    return outcome


def selected_configs(model: Model, names: Sequence[str]) -> list[tuple[str, Any]]:
    """The configs generated traces run on: those named (bundled names or files), else every bundled one."""
    from peerproof.catalogue import load_any_config, resolve_config
    from peerproof.spec import bundled_configs

    targets = list(names) or [c.name for c in bundled_configs(model.protocol)]
    out = []
    for t in targets:
        found, config = load_any_config(resolve_config(t))
        if found.protocol != model.protocol:
            raise ConfigError(str(config.file), "protocol", f"a {found.protocol} config; the adapter implements "
                                                            f"{model.protocol}")
        out.append((getattr(config, "name", "") or t, config))
    return out


def conformance(command: str, *, protocol: str | None = None, dialect: str | None = None,
                configs: Sequence[str] = (), traces: int = DEFAULT_TRACES, seed: int = 0, out: Path = DEFAULT_OUT,
                suites: Sequence[str] = ("vectors", "generated", "attacks"), timeout_s: float = 30.0,
                start_timeout_s: float = 30.0) -> Run:
    """Run the suites against the adapter ``command``; AdapterError / ConfigError / ValueError on bad input."""
    adapter = AdapterProcess(command, timeout_s=timeout_s, start_timeout_s=start_timeout_s)
    try:
        hello = adapter.hello
        if protocol is not None and hello.protocol != protocol:
            raise ValueError(f"the adapter implements {hello.protocol!r}, not {protocol!r}")
        model = get_model(hello.protocol)
        chosen = dialect or hello.dialect
        if chosen not in model.dialects:
            raise ValueError(f"unknown dialect {chosen!r} for {model.protocol}; known: {', '.join(model.dialects)}")
        run = Run(adapter, model, chosen, target(model.protocol), out)
        if "vectors" in suites:
            run_vectors(run)
        if "generated" in suites:
            run_generated(run, selected_configs(model, configs), traces, seed)
        if "attacks" in suites:
            run_attacks(run)
    finally:
        adapter.close()
    return run


def exit_status(run: Run) -> int:
    """0 when nothing diverged, 1 otherwise."""
    return EXIT_VIOLATION if any(o.status == "diverge" for o in run.outcomes) else EXIT_OK


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``peerproof conformance --adapter CMD [--protocol P] [--dialect D] [--config NAME|FILE] [--traces N] ...``."""
    parser.add_argument("--adapter", required=True, metavar="CMD", help="the command that starts the adapter")
    parser.add_argument("--protocol", help="the protocol the adapter must implement (default: what it says)")
    parser.add_argument("--dialect", help="compare with the model in this dialect (default: the adapter's)")
    parser.add_argument("--config", action="append", default=[], metavar="NAME|FILE",
                        help="generated traces on this config (repeatable; default: every bundled one)")
    parser.add_argument("--traces", type=int, default=DEFAULT_TRACES,
                        help=f"generated traces per config (default {DEFAULT_TRACES})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the trace generator (default 0)")
    parser.add_argument("--suite", action="append", choices=("vectors", "generated", "attacks"),
                        help="run only this suite (repeatable; default: all three)")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="S", help="time-out of one request (s)")
    parser.add_argument("--start-timeout", type=float, default=30.0, metavar="S",
                        help="time-out of the adapter's start and hello (s; default 30: Node.js loading a package)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), metavar="DIR", help="where differing traces go")
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="the report: lines for people (default) or one JSON document (same exit codes)")


def run_command(args: argparse.Namespace) -> int:
    """The ``conformance`` verb: prints one line per suite item, the first divergences; the exit code."""
    if args.traces < 0 or not args.timeout > 0 or not args.start_timeout > 0:
        sys.stderr.write("(arguments): --traces must be >= 0, --timeout and --start-timeout > 0\n")
        return EXIT_BAD_INPUT
    try:
        run = conformance(args.adapter, protocol=args.protocol, dialect=args.dialect, configs=args.config,
                          traces=args.traces, seed=args.seed, out=Path(args.out),
                          suites=args.suite or ("vectors", "generated", "attacks"), timeout_s=args.timeout,
                          start_timeout_s=args.start_timeout)
    except (AdapterError, ValueError) as exc:
        sys.stderr.write(f"peerproof conformance: {exc}\n")
        if args.format == "json":
            print(json.dumps({"format": REPORT_FORMAT, "adapter": args.adapter, "exit": EXIT_BAD_INPUT,
                              "error": str(exc)}))
        return EXIT_BAD_INPUT
    if args.format == "json":
        print(json.dumps(run_document(run), allow_nan=False, default=str))
    else:
        print_run(run)
    return exit_status(run)


REPORT_FORMAT = "peerproof-conformance/1"


def run_document(run: Run) -> dict[str, Any]:
    """The machine-readable report (``--format json``): every outcome, each divergence's values, the counts."""
    from peerproof.adapters.serve import encode_numbers

    outcomes = []
    for o in run.outcomes:
        doc: dict[str, Any] = {"suite": o.suite, "name": o.name, "status": o.status, "detail": o.detail}
        if o.divergence is not None:
            d = o.divergence
            doc["divergence"] = {"index": d.index, "event": dict(d.event), "path": d.path, "model": d.model,
                                 "implementation": d.implementation, "differences": d.differences}
            doc["trace_file"] = o.trace_file
        if o.attack:
            doc["attack"] = o.attack
        outcomes.append(doc)
    counts = {s: sum(1 for o in run.outcomes if o.status == s) for s in ("pass", "diverge", "skip")}
    return encode_numbers({"format": REPORT_FORMAT, "adapter": run.adapter.name, "protocol": run.model.protocol,
                           "dialect": run.dialect, "implementation": dict(run.adapter.hello.implementation),
                           "outcomes": outcomes, "counts": counts, "traces": run.traces, "events": run.events,
                           "exit": exit_status(run)})


def print_run(run: Run) -> None:
    """The report: a line per item, each divergence in full, a summary."""
    impl = run.adapter.hello.implementation
    label = " ".join(str(impl.get(k, "")) for k in ("name", "version")).strip() or run.adapter.name
    print(f"conformance of {label} ({run.model.protocol}) against the reference model, dialect {run.dialect}")
    for o in run.outcomes:
        print(f"  {o.status.upper():7} {o.suite}/{o.name}" + (f": {o.detail}" if o.detail and o.status != "diverge"
                                                               else ""))
        if o.divergence is not None:
            d = o.divergence
            print(f"          first divergence after event {d.index}: {dict(d.event)}")
            print(f"          {d.path}: model {d.model!r}, implementation {d.implementation!r}"
                  + (f" ({d.differences - 1} more observables differ)" if d.differences > 1 else ""))
            print(f"          trace written to {o.trace_file}")
        if o.attack:
            print(f"          {o.attack}")
    counts = {s: sum(1 for o in run.outcomes if o.status == s) for s in ("pass", "diverge", "skip")}
    print(f"{counts['pass']} passed, {counts['diverge']} diverged, {counts['skip']} skipped; "
          f"{run.traces} traces ({run.events} events) compared")
