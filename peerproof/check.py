"""``peerproof check`` and ``peerproof attack``: every property of a config, each with its evidence.

Protocol-generic: the config's ``protocol`` picks its checks registry (``peerproof.attacks.checks``).
For each property (per scope item where the property has a scope) the check runs the protocol's
engines in this order: the closed-form ones, then the z3 family when no closed form settled it (or
left a violation without a trace), then the Hypothesis family when neither settled it (a settled
verdict is ``holds`` or a violation with its trace); ``--cross-check`` runs every chosen engine on
every property, for engine agreement. Every violation's trace is replayed in the reference model,
re-checked by the protocol's ground-truth witness, and replayed through each real implementation the
protocol registers before it is reported; the report shows every replay. Scope items the protocol
groups as interchangeable are checked once per group and the verdict is reported for the group,
saying so.

Exit codes (spec/peerproof.md, PP-EXIT): 0 every property holds (``holds`` or ``holds-bounded``),
1 a violation, 2 bad input, 3 inconclusive and no violation, 4 an internal error.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peerproof.attacks.checks import Checks, Job, Settings, checked_protocols, checks_module, get_checks
from peerproof.attacks.finding import Finding
from peerproof.checkevidence import Result, combine, engine_evidence
from peerproof.checkreport import print_attack, print_results, progress
from peerproof.enginepool import Call, Failure, run_flows
from peerproof.reference.configfile import ConfigError
from peerproof.reference.model import ENGINES as FOLD_ENGINES
from peerproof.reference.model import PROTOCOLS, use_engine
from peerproof.reference.verdicts import EXIT_BAD_INPUT, SEVERITY, combined_exit_code, exit_code

ENGINES = ("z3", "hypothesis", "both")
DEFAULT_DEPTH = 100  # the bounded engines' unrolling, in the protocol's unit (decay intervals, rounds, ...)
DEFAULT_TIMEOUT_S = 30.0  # per solver call
DEFAULT_SAMPLES = 200  # Hypothesis plans per search
DEFAULT_OUT = Path("peerproof-out")
VALIDATION_LIMIT_S = 600.0  # replays, the TS run and the plot of one trace
SAFETY_NET = 10.0  # an engine call is killed after this many times its budget (plus room), never sooner


@dataclass
class Options:
    """What every check of one run shares (from the command line)."""

    checks: Checks
    config: Any
    dialect: str
    depth: int
    timeout_s: float
    engine: str
    samples: int
    seed: int
    out: Path | None
    jobs: int
    names: Mapping[str, str] = field(default_factory=dict)  # slug/topic -> file stem (attack: "trace")
    replays: bool = True  # False: trust the engines' own reference replay, skip the TS replay and the files
    cross_check: bool = False  # True: every chosen engine runs, even on a property already settled
    fold: str = "auto"  # which implementation of the model's step the engine processes use (use_engine)

    def settings(self) -> Settings:
        """What every engine call of the run shares."""
        return Settings(self.dialect, self.depth, self.timeout_s, self.samples, self.seed)

    def hard_limit(self, family: str) -> float:
        """The wall-clock safety net of one engine call. Engines bound their work by counts (closed forms by
        the size of what they construct, z3 by its resource counter, searches by examples), so the net is
        generous: a busy machine must slow a call down, never change its verdict."""
        if family == "closed-form":
            return max(300.0, SAFETY_NET * self.timeout_s)
        return SAFETY_NET * self.timeout_s + 30.0


# -- arguments -----------------------------------------------------------------------------------------

def _common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dialect", help="implementation dialect (default: the config's)")
    parser.add_argument("--depth", type=int, default=DEFAULT_DEPTH,
                        help=f"how far the bounded engines unroll, in the protocol's unit (decay intervals, "
                             f"rounds, ...; default {DEFAULT_DEPTH})")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                        help=f"budget of one engine call, seconds (default {DEFAULT_TIMEOUT_S:g}); an engine may "
                             "count it in deterministic work units (z3's resource counter), so the verdict does not "
                             "depend on the machine's load; a spent budget is an inconclusive verdict")
    parser.add_argument("--engine", choices=ENGINES, default="both",
                        help="attack engines for what the closed forms leave open: z3, Hypothesis targeted search, "
                             "or both (default: z3, then Hypothesis where z3 did not settle it either)")
    parser.add_argument("--cross-check", action="store_true",
                        help="run every chosen engine on every property, even where a closed form or z3 settled it "
                             "(engine agreement; slower)")
    parser.add_argument("--samples", type=int, default=DEFAULT_SAMPLES,
                        help=f"plans the Hypothesis engine tries per property (default {DEFAULT_SAMPLES})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the Hypothesis engine (default 0)")
    parser.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1),
                        help="engine calls run side by side (default: the cores, at most 4)")
    parser.add_argument("--fold", choices=FOLD_ENGINES, default="auto",
                        help="the model's step that engines, recordings and replays run on: the pure reference "
                             "model, the protocol's fast engine where it has one, or auto (default: the fast "
                             "engine for long runs); verdicts are the same")
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="table for people (default), json for machines")


def add_check_arguments(parser: argparse.ArgumentParser) -> None:
    """``peerproof check CONFIG|NAME [--dialect D] [--depth K] [--timeout S] [--out DIR] [--format json]``."""
    parser.add_argument("config", metavar="CONFIG|NAME", nargs="?", help="a config file or a bundled config's name")
    parser.add_argument("--builtin", metavar="NAME", help="a bundled config (same as giving its name)")
    parser.add_argument("--all", action="store_true",
                        help="check every bundled config in turn (JSON: a list with one document per config)")
    parser.add_argument("--out", metavar="DIR",
                        help="where violation traces go (default ./peerproof-out/<config-name>/)")
    parser.add_argument("--property", action="append", metavar="SLUG", dest="properties",
                        help="check only this property (repeatable)")
    parser.add_argument("--no-replays", action="store_true",
                        help="skip the TypeScript replay and the trace files (each engine's own reference replay "
                             "still confirms every violation before it is reported)")
    _common_arguments(parser)


def add_attack_arguments(parser: argparse.ArgumentParser) -> None:
    """``peerproof attack PROTOCOL --goal SLUG [--topic T] CONFIG --out DIR [--engine z3|hypothesis|both]``."""
    parser.add_argument("protocol", help=f"the protocol ({', '.join(PROTOCOLS)}, or one you registered)")
    parser.add_argument("config", metavar="CONFIG|NAME", help="a config file or a bundled config's name")
    parser.add_argument("--goal", required=True, metavar="SLUG", help="the property whose negation to attack")
    parser.add_argument("--topic", help="the scope item (a topic, a key, ...) for properties checked per item "
                                        "(default: each in turn)")
    parser.add_argument("--out", required=True, metavar="DIR", help="writes trace.json, trace.itf.json, trace.png")
    _common_arguments(parser)


# -- reading the command line --------------------------------------------------------------------------

class BadInput(Exception):
    """A usage problem, printed as ``FILE: field: message`` and exit code 2."""


def load(target: str) -> tuple[Checks, Any]:
    """The checks and the config at ``target`` (a path or a bundled name); ConfigError on anything wrong."""
    from peerproof.catalogue import load_any_config, resolve_config

    path = resolve_config(target)
    model, config = load_any_config(path)
    try:
        return get_checks(model.protocol), config
    except ValueError as exc:
        raise ConfigError(str(path), "protocol", str(exc)) from None


def options_from(args: argparse.Namespace, checks: Checks, config: Any, out: Path | None) -> Options:
    """Check the numeric options and the dialect (one the config can start in); BadInput or ConfigError otherwise."""
    from peerproof.reference.model import get_model

    dialects = get_model(checks.protocol).dialects
    dialect = args.dialect or config.dialect
    if dialect not in dialects:
        raise BadInput(f"(arguments): --dialect: unknown dialect {dialect!r}; choose one of {', '.join(dialects)}")
    get_model(checks.protocol).start(config, dialect=dialect)  # a config the dialect cannot run: ConfigError now
    for name, value in (("--depth", args.depth), ("--timeout", args.timeout), ("--samples", args.samples),
                        ("--jobs", args.jobs)):
        if not (value > 0 and math.isfinite(value)):
            raise BadInput(f"(arguments): {name}: must be a finite number > 0, got {value}")
    if out is not None:
        existing = next(p for p in (out, *out.parents) if p.exists())
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            raise BadInput(f"{out}: (directory): cannot write there ({existing} is not a writable directory)")
    return Options(checks, config, dialect, args.depth, float(args.timeout), args.engine, args.samples, args.seed, out,
                   args.jobs, replays=not getattr(args, "no_replays", False),
                   cross_check=getattr(args, "cross_check", False), fold=args.fold)


def config_name(config: Any) -> str:
    """The config's name, or its file's stem."""
    return config.name or Path(config.file).stem


# -- the work each child process does ------------------------------------------------------------------

def worker(call: Call) -> Any:
    """Run one call in a child process (see peerproof.enginepool): an engine, or a violation's replays."""
    import importlib

    a = call.args
    importlib.import_module(a["module"])  # registers a protocol defined outside peerproof (tests, users)
    checks = get_checks(a["protocol"])
    with use_engine(a["fold"]):
        if call.kind == "validate":
            from peerproof.checkevidence import validate

            return validate(checks, a["config"], a["finding"], a["out"], a["stem"])
        return checks.engine(call.kind).run(a["config"], a["job"], a["settings"])


def _call(kind: str, opts: Options, limit_s: float, label: str, **args: Any) -> Call:
    protocol = opts.checks.protocol
    return Call(kind, {"protocol": protocol, "module": checks_module(protocol), "fold": opts.fold, **args}, limit_s,
                label)


def _engine_call(engine: str, family: str, job: Job, opts: Options) -> Call:
    label = f"{engine}: {job.slug}{f' [{job.topic}]' if job.topic else ''}"
    return _call(engine, opts, opts.hard_limit(family), label, config=opts.config, job=job,
                 settings=opts.settings())


def _as_finding(value: Any, job: Job, engine: str) -> Finding | None:
    if isinstance(value, Failure):
        return value.finding(job.slug, job.topic, engine)
    return value


def check_flow(job: Job, opts: Options) -> Any:
    """The calls of one property check, in order; returns its Result."""
    findings: list[Finding] = []
    settled = needs_trace = False
    chosen = {"z3": ("z3",), "hypothesis": ("hypothesis",), "both": ("z3", "hypothesis")}[opts.engine]
    for engine in opts.checks.engines:
        if engine.family != "closed-form" and engine.family not in chosen:
            continue
        if engine.family != "closed-form" and settled and not needs_trace and not opts.cross_check:
            continue
        value = yield _engine_call(engine.name, engine.family, job, opts)
        found = value.finding(job.slug, job.topic, engine.name) if isinstance(value, Failure) else value
        if found is None:
            continue
        findings.append(found)
        traced = found.verdict == "violated" and found.trace is not None
        settled = settled or found.verdict == "holds" or traced
        needs_trace = (needs_trace or found.verdict == "violated") and not traced
    evidence: dict[int, Any] = {}
    for f in findings:
        if f.verdict == "violated" and f.trace is not None and not opts.replays:
            evidence[id(f)] = engine_evidence(opts.checks, f)
            break
        if f.verdict == "violated" and f.trace is not None:
            stem = opts.names.get(job.slug) or trace_stem(job)
            evidence[id(f)] = yield _call("validate", opts, VALIDATION_LIMIT_S, f"replaying {job.slug}",
                                          config=opts.config, finding=f, out=str(opts.out) if opts.out else None,
                                          stem=stem)
            if getattr(evidence[id(f)], "confirmed", False):
                break  # one confirmed trace is the evidence; a second engine's is the same verdict
    result = combine(opts.checks, job, findings, evidence, 0.0)  # run_checks fills in the seconds the calls ran
    result.engines = {f.engine: f for f in findings}
    return result


def trace_stem(job: Job) -> str:
    """``<slug>[-<topic>]`` as a file name (anything but letters, digits, ``._-`` becomes ``_``)."""
    raw = job.slug if job.topic is None else f"{job.slug}-{job.topic}"
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in raw)


# -- the commands --------------------------------------------------------------------------------------

def run_checks(opts: Options, jobs: Sequence[Job], *, show_progress: bool = False) -> list[Result]:
    """Every job's Result, in the jobs' order."""
    return run_check_sets([(opts, jobs)], show_progress=show_progress)[0]


def run_check_sets(sets: Sequence[tuple[Options, Sequence[Job]]], *,
                   show_progress: bool = False) -> list[list[Result]]:
    """Each config's Results (``(options, jobs)`` per config), in order, from one pool of engine processes:
    ``check --all`` keeps both cores busy across configs and preloads every protocol's engines once."""
    flows = [check_flow(job, opts) for opts, jobs in sets for job in jobs]
    preload = dict.fromkeys(m for opts, _jobs in sets for m in (opts.checks.module, *opts.checks.preload))
    warm_up = dict.fromkeys(m for opts, _jobs in sets for m in opts.checks.warm_up)
    with progress(len(flows), enabled=show_progress) as bar:
        done = run_flows(flows, worker, jobs=max(opts.jobs for opts, _jobs in sets) if sets else 1,
                         on_start=lambda _i, call: bar.running(call.label), on_finish=lambda _i, _r: bar.advance(),
                         preload=tuple(preload), warm_up=tuple(warm_up))
    for result, seconds in done:
        result.seconds = seconds
    results = [result for result, _seconds in done]
    out, start = [], 0
    for _opts, jobs in sets:
        out.append(results[start:start + len(jobs)])
        start += len(jobs)
    return out


def run_check_command(args: argparse.Namespace) -> int:
    """``peerproof check``: the exit code (0 all hold, 1 violation, 2 bad input, 3 inconclusive)."""
    if args.all:
        if args.builtin or args.config or args.out:
            return _bad("(arguments): --all: checks every bundled config into ./peerproof-out/<name>/; "
                        "give no CONFIG, --builtin or --out with it")
        from peerproof.spec import bundled_configs

        checked = checked_protocols()
        targets = [f"{c.protocol}/{c.name}" for c in bundled_configs() if c.protocol in checked]
    else:
        target = args.builtin or args.config
        if not target:
            return _bad("(arguments): CONFIG: give a config file or a bundled config's name (or --builtin NAME, "
                        "or --all)")
        if args.builtin and args.config:
            return _bad("(arguments): CONFIG: give either CONFIG or --builtin, not both")
        targets = [target]
    try:
        plans = [_check_plan(args, target) for target in targets]
    except ConfigError as exc:
        return _bad(str(exc))
    except BadInput as exc:
        return _bad(str(exc))
    docs, codes = [], []
    if args.format != "json":
        for _name, config, _opts, _jobs in plans:
            for warning in config.warnings:
                sys.stderr.write(f"{config.file}: {warning}\n")
    outcomes = run_check_sets([(opts, jobs) for _name, _config, opts, jobs in plans],
                              show_progress=sys.stderr.isatty())
    for (name, _config, opts, _jobs), results in zip(plans, outcomes, strict=True):
        codes.append(exit_code(r.verdict for r in results))
        if args.format == "json":
            docs.append({"config": name, "results": [r.as_json() for r in results]})
        else:
            print_results(name, opts, results)
    if args.format == "json":
        sys.stdout.write(json.dumps(docs if args.all else docs[0], indent=2, allow_nan=False) + "\n")
    return combined_exit_code(codes)


def _check_plan(args: argparse.Namespace, target: str) -> tuple[str, Any, Options, list[Job]]:
    """The config at ``target``, its options and its jobs; ConfigError / BadInput on anything wrong."""
    checks, config = load(target)
    name = config_name(config)
    out = Path(args.out) if args.out else DEFAULT_OUT / name
    opts = options_from(args, checks, config, out)
    slugs = [p.slug for p in checks.properties]
    unknown = [s for s in args.properties or () if s not in slugs]
    if unknown:
        raise BadInput(f"(arguments): --property: unknown property {unknown[0]!r}; known: {', '.join(slugs)}")
    return name, config, opts, checks.jobs(config, args.properties)


def run_attack_command(args: argparse.Namespace) -> int:
    """``peerproof attack PROTOCOL --goal SLUG``: 1 attack found (trace written), 0 holds, 3 inconclusive."""
    try:
        checks, config = load(args.config)
        if checks.protocol != args.protocol:
            raise BadInput(f"{config.file}: protocol: this is a {checks.protocol} config, not {args.protocol}")
        opts = options_from(args, checks, config, Path(args.out))
        try:
            prop = checks.property(args.goal)
        except KeyError as exc:
            raise BadInput(f"(arguments): --goal: {exc.args[0]}") from None
        jobs = checks.jobs(config, [args.goal])
        if args.topic is not None:
            scope = checks.presentation.scope_name
            if prop.scope is None:
                raise BadInput(f"(arguments): --topic: {args.goal} is not checked per {scope}")
            items = [item for job in jobs for item in (job.group or (job.topic,))]
            if args.topic not in items:
                raise BadInput(f"{config.file}: {args.goal}: no {scope} {args.topic!r} to check; "
                               f"{scope}s: {', '.join(map(str, items))}")
            jobs = [Job(args.goal, args.topic)]
    except ConfigError as exc:
        return _bad(str(exc))
    except BadInput as exc:
        return _bad(str(exc))
    opts.names = {args.goal: "trace"}
    results: list[Result] = []
    for job in jobs:  # per-scope goals: each group in turn, until one yields an attack
        results += run_checks(opts, [job], show_progress=sys.stderr.isatty())
        if results[-1].verdict == "violated":
            break
    chosen = min(results, key=lambda r: SEVERITY[r.verdict])
    if args.format == "json":
        sys.stdout.write(json.dumps({"config": config_name(config), "goal": args.goal, **chosen.as_json(),
                                     "files": chosen.files}, indent=2, allow_nan=False) + "\n")
    else:
        print_attack(config_name(config), opts, chosen)
    return exit_code([chosen.verdict])


def _bad(message: str) -> int:
    sys.stderr.write(message.rstrip("\n") + "\n")
    return EXIT_BAD_INPUT
