"""The ``peerproof`` command line: configs, validate, score, replay, example, demo, export-itf, plot, check,
attack, simulate. Protocol-generic: each verb dispatches on the config's or trace's ``protocol``.

Exit codes (spec/peerproof.md, PP-EXIT): 0 ok, 1 a violation or a replay mismatch, 2 bad input or
usage, 3 inconclusive, 4 an internal error (never a crash with a traceback; ``PEERPROOF_DEBUG=1`` shows
it). Every bad-input message has the form ``FILE: field.path: message``. People get rich tables;
``--format json`` prints one JSON document, in which a non-finite number is written as a string.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from peerproof import __version__, catalogue
from peerproof.artefacts import write_artefacts
from peerproof.attacks.checks import presentation_of
from peerproof.catalogue import check_dialect, config_for, load_any_config, resolve_config
from peerproof.itf import ITF_EVENT_LIMIT, STATES
from peerproof.reference.configfile import ConfigError
from peerproof.reference.events import EventError
from peerproof.reference.model import PROTOCOLS, Model, use_engine
from peerproof.reference.trace import Trace
from peerproof.reference.verdicts import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, EXIT_VIOLATION

DESCRIPTION = ("Formal spec, reference models and attack synthesis for the protocols of P2P AI networks: "
               "validate configs, replay and score traces, check properties, find attacks.")
PROGRESS_MIN_EVENTS = 20_000  # about a second of replay: below this no progress bar
READING_MIN_BYTES = 5_000_000  # about a second of reading a trace file: below this no spinner
MAX_MISMATCHES_SHOWN = 50
MODULE_VERBS = (  # verb -> module peerproof.<verb> with add_arguments(parser) and run_command(args)
    ("conformance", "compare an implementation (an adapter command) with the reference model"),
    ("vectors", "write the test vectors, one directory per case, under --out"),
    ("scenarios", "list the bundled network scenarios (run: simulate PROTOCOL SCENARIO)"),
    ("sweep", "network simulations over a scenario x parameter x seed grid (joblib, Dask, Ray)"),
)


@dataclass
class Ui:
    """Where output goes: tables to ``out`` (or one JSON document), messages and progress to ``err``."""

    out: Console
    err: Console
    json: bool

    def emit(self, doc: Any) -> None:
        """Print a JSON document (never through rich: no wrapping, no markup); a non-finite number is
        written as the string "NaN", "Infinity" or "-Infinity", so the document is always valid JSON."""
        sys.stdout.write(json.dumps(json_safe(doc), indent=2, allow_nan=False, default=str) + "\n")

    def error(self, message: str) -> None:
        """A one-line message on stderr, unwrapped."""
        sys.stderr.write(message.rstrip("\n") + "\n")

    def read_trace(self, path: str) -> Trace:
        """The trace in ``path``, with a spinner on a terminal's stderr while a large file is read."""
        from peerproof.traceio import read_trace

        try:
            size = os.path.getsize(path)
        except OSError:
            size = 0  # read_trace says what is wrong with the path
        if size < READING_MIN_BYTES or not self.err.is_terminal:
            return read_trace(path)
        with self.err.status(f"reading {escape(path)} ({size / 1e6:.0f} MB)"):
            return read_trace(path)

    @contextmanager
    def progress(self, description: str, total: int,
                 minimum: int = PROGRESS_MIN_EVENTS) -> Iterator[Callable[[int], None]]:
        """A progress bar on a terminal's stderr for ``total`` steps (if at least ``minimum``); yields
        ``update(done)``, cheap enough to call on every step."""
        if total < minimum or not self.err.is_terminal:
            yield lambda _done: None
            return
        every = max(1, total // 500)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=self.err, transient=True) as bar:
            task = bar.add_task(description, total=total)
            yield lambda done: bar.update(task, completed=done) if done % every == 0 or done >= total else None


def json_safe(value: Any) -> Any:
    """The value with every non-finite float replaced by its name (JSON has no NaN or infinity)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, Mapping):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def config_label(config: Any) -> str:
    """A config's name, or its file when it has none."""
    return getattr(config, "name", "") or getattr(config, "file", "(config)")


# -- verbs -----------------------------------------------------------------------------------------------

def cmd_configs(args: argparse.Namespace, ui: Ui) -> int:
    """List the bundled configs with their provenance."""
    from peerproof.tables import configs_table

    entries = [{"name": c.name, "protocol": c.protocol, "path": str(c.path), "source": dict(c.source or {})}
               for c in catalogue.bundled_configs(args.protocol)]
    if ui.json:
        ui.emit({"configs": entries})
    elif entries:
        ui.out.print(configs_table(entries))
    else:
        ui.out.print("No bundled configs.")
    return EXIT_OK


def validate_one(target: str, label: str | None = None) -> dict[str, Any]:
    """Validate one config (shown as ``label``): its name, protocol, topic count and warnings, or the error."""
    result: dict[str, Any] = {"target": label or target, "file": None, "ok": False, "warnings": [], "error": None}
    try:
        path = resolve_config(target)
        result["file"] = str(path)
        model, config = load_any_config(path)
    except ConfigError as exc:
        result["error"] = {"file": exc.file, "path": exc.path, "message": exc.message}
        return result
    warnings = getattr(config, "warnings", ())
    result.update(ok=True, name=getattr(config, "name", ""), protocol=model.protocol,
                  topics=len(getattr(config, "topics", {})),
                  warnings=[{"path": w.path, "message": w.message, "rule": w.rule} for w in warnings])
    return result


def print_validation(ui: Ui, r: Mapping[str, Any]) -> None:
    """One config's validation result: OK with its warnings, or ERROR (the message went to stderr)."""
    if not r["ok"]:
        ui.out.print(f"[bold red]ERROR[/] {escape(r['target'])}")
        return
    count = len(r["warnings"])
    topics = f"{r['topics']} topics, " if r["topics"] else ""
    plural = "s" * (count != 1)
    ui.out.print(f"[bold green]OK[/] {escape(r['target'])} ({r['protocol']}, {topics}{count} warning{plural})")
    for w in r["warnings"]:
        ui.out.print(f"   [yellow]warning[/] {escape(w['path'])}: {escape(w['message'])} \\[{escape(w['rule'])}]")


def cmd_validate(args: argparse.Namespace, ui: Ui) -> int:
    """Validate configs (paths or bundled names, or ``--all`` bundled ones); any error → exit 2."""
    targets = [(t, t) for t in args.targets]
    targets += [(str(c.path), c.name) for c in catalogue.bundled_configs()] if args.all else []
    if not targets:
        raise ConfigError("(command line)", "validate", "name a config file or bundled config, or give --all")
    results = [validate_one(t, label) for t, label in targets]
    for r in results:
        if r["error"]:
            e = r["error"]
            ui.error(f"{e['file']}: {e['path']}: {e['message']}")
    if ui.json:
        ui.emit({"results": results})
    else:
        for r in results:
            print_validation(ui, r)
    return EXIT_OK if all(r["ok"] for r in results) else EXIT_BAD_INPUT


def print_scores(ui: Ui, protocol: str, config: Any, observed: Mapping[str, Any], title: str) -> None:
    """The score tables of ``observed`` (one snapshot of a model's observables)."""
    from peerproof.tables import observables_table

    tables = presentation_of(protocol).score_tables
    ui.out.print(f"[bold]{escape(title)}[/]", soft_wrap=True)
    for table in tables(config, observed) if tables else [observables_table(observed)]:
        ui.out.print(table)


def cmd_score(args: argparse.Namespace, ui: Ui) -> int:
    """Replay a trace's events under CONFIG and show each peer's score and components."""
    from peerproof.traceio import final_observables

    trace = ui.read_trace(args.trace)
    model = trace.model
    config = config_for(model, args.config)
    dialect = check_dialect(model, args.dialect) or config.dialect
    with ui.progress("replaying", len(trace.events)) as update, use_engine(args.engine or "auto"):
        observed = final_observables(trace, config, dialect, on_event=update)
    if ui.json:
        ui.emit({"config": config_label(config), "trace": args.trace, "protocol": model.protocol,
                 "dialect": dialect, "events": len(trace.events), **observed})
    else:
        title = (f"Scores of {args.trace} under {config_label(config)} (dialect {dialect}) "
                 f"after {len(trace.events)} events, t = {observed.get('time', 0):g}s")
        print_scores(ui, model.protocol, config, observed, title)
    return EXIT_OK


def cmd_replay(args: argparse.Namespace, ui: Ui) -> int:
    """Recompute every recorded observation of a trace; exit 1 on any difference."""
    from peerproof.reference.trace import replay

    trace = ui.read_trace(args.trace)
    with ui.progress("replaying", len(trace.events)) as update, use_engine(args.engine or "auto"):
        mismatches = replay(trace, on_event=update)
    if ui.json:
        ui.emit({"trace": args.trace, "ok": not mismatches, "protocol": trace.protocol, "dialect": trace.dialect,
                 "events": len(trace.events), "observations": len(trace.observations),
                 "mismatches": [{"after": m.after, "path": m.path, "recorded": m.recorded, "replayed": m.replayed}
                                for m in mismatches]})
    elif not mismatches:
        ui.out.print(f"OK {args.trace}: {len(trace.observations)} observations over {len(trace.events)} events "
                     f"reproduced ({trace.protocol}, dialect {trace.dialect})", highlight=False)
    else:
        for m in mismatches[:MAX_MISMATCHES_SHOWN]:
            ui.out.print(f"MISMATCH {m}", highlight=False, markup=False)
        more = len(mismatches) - MAX_MISMATCHES_SHOWN
        if more > 0:
            ui.out.print(f"… and {more} more", highlight=False)
        ui.out.print(f"FAILED {args.trace}: {len(mismatches)} mismatches", highlight=False)
    return EXIT_VIOLATION if mismatches else EXIT_OK


def build_example(target: str, dialect: str | None) -> tuple[Model, Any, Trace]:
    """The example trace for a config (path or bundled name)."""
    model, config = load_any_config(resolve_config(target))
    dialect = check_dialect(model, dialect)
    build = presentation_of(model.protocol).example
    if build is None:
        raise ConfigError(str(config.file), "protocol", f"no example scenario for protocol {model.protocol!r} yet")
    return model, config, build(config, dialect)


def cmd_example(args: argparse.Namespace, ui: Ui) -> int:
    """Build, score and optionally write the example trace of a config."""
    model, config, trace = build_example(args.config, args.dialect)
    observed = trace.observations[-1]["values"] if trace.observations else {}
    files = write_artefacts(trace, Path(args.out)) if args.out else {}
    roles = trace.meta.get("roles", {})
    if ui.json:
        ui.emit({"config": config_label(config), "protocol": model.protocol, "dialect": trace.dialect,
                 "events": len(trace.events), "roles": roles, **observed, "files": files})
        return EXIT_OK
    ui.out.print(f"Example trace for {config_label(config)} ({model.protocol}, dialect {trace.dialect}): "
                 f"{len(trace.events)} events over {trace.events[-1].at_ms / 1000:g}s", highlight=False)
    for peer, role in roles.items():
        ui.out.print(f"  {peer}: {role}", highlight=False, markup=False)
    print_scores(ui, model.protocol, config, observed, f"Scores at the end (t = {observed.get('time', 0):g}s)")
    for kind, path in files.items():
        ui.out.print(f"wrote {kind}: {path}", highlight=False)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, ui: Ui) -> int:
    """Validate every bundled config and score the example trace under each (where its protocol has one)."""
    entries = catalogue.bundled_configs()
    if not entries:
        raise ConfigError("(bundled configs)", "spec/configs", "no bundled configs found")
    results = [validate_one(str(c.path), c.name) for c in entries]
    for r in results:
        if not r["ok"]:
            e = r["error"]
            ui.error(f"{e['file']}: {e['path']}: {e['message']}")
        if not ui.json:
            print_validation(ui, r)
    valid = [(entry, r) for entry, r in zip(entries, results, strict=True)
             if r["ok"] and presentation_of(entry.protocol).example is not None]
    report: list[dict[str, Any]] = []
    tables = []
    with ui.progress("example traces", len(valid), minimum=1) as update:
        for n, (entry, r) in enumerate(valid):
            model, config, trace = build_example(r["file"], None)
            shown = presentation_of(model.protocol)
            summary = shown.example_summary(trace) if shown.example_summary else {}
            roles = trace.meta.get("roles", {})
            files = write_artefacts(trace, Path(args.out) / entry.name) if args.out else {}
            report.append({"config": entry.name, "warnings": r["warnings"], "dialect": trace.dialect,
                           "events": len(trace.events), "roles": roles, "peers": summary, "files": files})
            if shown.example_table:
                tables.append(shown.example_table(entry.name, config, trace))
            update(n + 1)
    if ui.json:
        ui.emit({"configs": report, "errors": [r["error"] for r in results if not r["ok"]]})
    else:
        for table in tables:
            ui.out.print(table)
    return EXIT_OK if len(valid) == len(results) else EXIT_BAD_INPUT


def cmd_export_itf(args: argparse.Namespace, ui: Ui) -> int:
    """Write a trace as ITF JSON."""
    from peerproof.itf import resolve_states, write_itf

    trace = ui.read_trace(args.trace)
    states = resolve_states(trace, args.states)
    total = len(trace.events) if states == "events" else len(trace.observations)
    with ui.progress("exporting", total) as update:
        write_itf(trace, args.out, source=args.trace, states=states, on_state=lambda i: update(i + 1))
    if ui.json:
        ui.emit({"trace": args.trace, "itf": args.out, "states": total, "one_state_per": states[:-1]})
    else:
        ui.out.print(f"wrote {args.out}: {total} ITF states (one per {states[:-1]})", highlight=False)
    return EXIT_OK


def cmd_plot(args: argparse.Namespace, ui: Ui) -> int:
    """Draw a trace's scores over time as a PNG."""
    from peerproof.plot import plot_trace

    trace = ui.read_trace(args.trace)
    try:
        plot_trace(trace, args.out, peers=args.peer or None)
    except ValueError as exc:
        raise ConfigError(args.trace, "(trace)", str(exc)) from None
    if ui.json:
        ui.emit({"trace": args.trace, "plot": args.out})
    else:
        ui.out.print(f"wrote {args.out}", highlight=False)
    return EXIT_OK


# -- the parser ----------------------------------------------------------------------------------------

def _add_engine(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=("fast", "reference"),
                   help="fast: the model's fast replay engine where it has one; reference: the pure step "
                        "(default: fast from a few thousand events on, PP-MODEL-6)")


def _add_format(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("table", "json"), default="table",
                   help="table for people (default), json for machines")


def _add_check_verbs(sub: Any) -> None:
    """check, attack and simulate live with the checks registry; if it cannot be imported only they fail.

    A protocol's checks are imported only when a verb needs them (``simulate P`` builds P's own options
    then), so every other command starts without loading any engine.
    """
    try:
        check = importlib.import_module("peerproof.check")
    except Exception as exc:  # any import failure disables just these verbs
        reason = f"{type(exc).__name__}: {exc}"
        for verb in ("check", "attack", "simulate"):
            p = sub.add_parser(verb, help=f"(unavailable: {reason})", add_help=False)
            p.add_argument("rest", nargs=argparse.REMAINDER)
            p.set_defaults(run=_unavailable(verb, reason))
        return
    p = sub.add_parser("check", help="evaluate every security property of a config, searching for attacks")
    check.add_check_arguments(p)
    p.set_defaults(run=lambda args, _ui: check.run_check_command(args))
    p = sub.add_parser("attack", help="synthesise an attack trace for one property's negation")
    check.add_attack_arguments(p)
    p.set_defaults(run=lambda args, _ui: check.run_attack_command(args))
    p = sub.add_parser("simulate", help="validate a protocol's learning or consensus in simulation "
                                        "(`peerproof simulate PROTOCOL --help` for its options)", add_help=False)
    p.add_argument("-h", "--help", action="store_true", dest="simulate_help", help="show this help message")
    p.add_argument("protocol", metavar="PROTOCOL", nargs="?", help=f"one of {', '.join(PROTOCOLS)}")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(run=cmd_simulate)


def cmd_simulate(args: argparse.Namespace, ui: Ui) -> int:
    """``peerproof simulate PROTOCOL ...``: the protocol's own simulation, with the options it declares."""
    from peerproof.attacks.checks import get_checks

    usage = f"(arguments): PROTOCOL: give one of {', '.join(PROTOCOLS)}, then its options (see --help)"
    if args.protocol is None and args.simulate_help:
        ui.out.print(f"usage: peerproof simulate PROTOCOL [options]  (PROTOCOL: {', '.join(PROTOCOLS)}; "
                     "`peerproof simulate PROTOCOL --help` lists its options)", highlight=False)
        return EXIT_OK
    if args.protocol is None:
        ui.error(usage)
        return EXIT_BAD_INPUT
    try:
        simulation = get_checks(args.protocol).simulation
    except ValueError as exc:
        simulation, usage = None, f"(arguments): PROTOCOL: {exc}"
    if simulation is None:
        ui.error(usage if args.protocol not in PROTOCOLS else f"(arguments): PROTOCOL: {args.protocol} has no "
                                                               "simulation")
        return EXIT_BAD_INPUT
    parser = argparse.ArgumentParser(prog=f"peerproof simulate {args.protocol}", description=simulation.help)
    simulation.add_arguments(parser)
    try:
        own = parser.parse_args(args.rest)
    except SystemExit as exc:  # --help (0) and usage errors (2)
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    own.protocol = args.protocol
    return simulation.run(own)


def _unavailable(verb: str, reason: str) -> Callable[[argparse.Namespace, Ui], int]:
    def run(_args: argparse.Namespace, ui: Ui) -> int:
        ui.error(f"peerproof {verb}: not available in this installation ({reason})")
        return EXIT_BAD_INPUT
    return run


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every verb."""
    parser = argparse.ArgumentParser(prog="peerproof", description=DESCRIPTION,
                                     epilog="A bundled config is addressed by name wherever a path is accepted.")
    parser.add_argument("--version", action="version", version=f"peerproof {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("configs", help="list the bundled configs and their sources")
    p.add_argument("--protocol", choices=PROTOCOLS, help="only this protocol's configs")
    _add_format(p)
    p.set_defaults(run=cmd_configs)

    p = sub.add_parser("validate", help="validate configs (files or bundled names); warnings listed")
    p.add_argument("targets", nargs="*", metavar="PATH|NAME")
    p.add_argument("--all", action="store_true", help="every bundled config")
    _add_format(p)
    p.set_defaults(run=cmd_validate)

    p = sub.add_parser("score", help="replay a trace's events under CONFIG and show every peer's score")
    p.add_argument("config", metavar="CONFIG")
    p.add_argument("trace", metavar="TRACE")
    p.add_argument("--dialect", help="implementation dialect (default: the config's)")
    _add_engine(p)
    _add_format(p)
    p.set_defaults(run=cmd_score)

    p = sub.add_parser("replay", help="recompute every recorded observation of a trace")
    p.add_argument("trace", metavar="TRACE")
    _add_engine(p)
    _add_format(p)
    p.set_defaults(run=cmd_replay)

    p = sub.add_parser("example", help="build and score a short example trace for a config")
    p.add_argument("config", metavar="CONFIG")
    p.add_argument("--out", metavar="DIR", help="write trace.json, trace.itf.json and trace.png here")
    p.add_argument("--dialect", help="implementation dialect (default: the config's)")
    _add_format(p)
    p.set_defaults(run=cmd_example)

    p = sub.add_parser("demo", help="validate every bundled config and score the example trace on each")
    p.add_argument("--out", metavar="DIR", help="write each config's example trace, ITF and plot under DIR/NAME")
    _add_format(p)
    p.set_defaults(run=cmd_demo)

    p = sub.add_parser("export-itf", help="write a trace as ITF JSON (exact rationals for reals)")
    p.add_argument("trace", metavar="TRACE")
    p.add_argument("out", metavar="OUT")
    p.add_argument("--states", choices=STATES, default="auto",
                   help="one ITF state per event, or per recorded observation; auto (default): per event "
                        f"unless the trace has more than {ITF_EVENT_LIMIT:,} events")
    _add_format(p)
    p.set_defaults(run=cmd_export_itf)

    p = sub.add_parser("plot", help="draw a trace's scores over time as a PNG")
    p.add_argument("trace", metavar="TRACE")
    p.add_argument("out", metavar="OUT.png")
    p.add_argument("--peer", action="append", help="a peer to draw (repeatable; default: the attacker or all)")
    _add_format(p)
    p.set_defaults(run=cmd_plot)

    for verb, help_text in MODULE_VERBS:  # verbs whose module brings its own arguments and command
        module = importlib.import_module(f"peerproof.{verb}")
        p = sub.add_parser(verb, help=help_text)
        module.add_arguments(p)
        p.set_defaults(run=lambda args, _ui, module=module: module.run_command(args))

    _add_check_verbs(sub)
    return parser


# -- entry point ---------------------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``peerproof`` command; the process exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version (0) and usage errors (2)
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    width = None if sys.stdout.isatty() or "COLUMNS" in os.environ else 160
    ui = Ui(out=Console(file=sys.stdout, width=width, highlight=False), err=Console(file=sys.stderr),
            json=getattr(args, "format", "table") == "json")
    try:
        return args.run(args, ui)
    except ConfigError as exc:
        ui.error(str(exc))
    except EventError as exc:  # located by the fold when a replayed event is refused: events[i].field
        where = "" if str(exc).startswith("events[") else "(input): "
        ui.error(f"{getattr(args, 'trace', None) or '(input)'}: {where}{exc}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        ui.error(f"{getattr(args, 'trace', None) or '(input)'}: (input): {exc}")
    except BrokenPipeError:
        return EXIT_VIOLATION
    except OSError as exc:
        ui.error(f"{exc.filename or '(file)'}: (file): {exc.strerror or exc}")
    except KeyboardInterrupt:
        ui.error("interrupted")
        return 130
    except Exception as exc:
        if os.environ.get("PEERPROOF_DEBUG"):
            raise
        ui.error(f"peerproof: internal error: {type(exc).__name__}: {str(exc)[:200]} "
                 "(rerun with PEERPROOF_DEBUG=1 for the traceback)")
        return EXIT_INTERNAL
    return EXIT_BAD_INPUT
