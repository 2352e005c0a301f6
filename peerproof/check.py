"""``peerproof check`` and ``peerproof attack``: every security property of a config, each with its evidence.

For each property (per topic where the property is per topic) the check runs, in this order: the
closed-form argument where the mathematics gives one (``prove``), the z3 bounded model checker
(``synthesize``) when no argument settled it, and, on request, the Hypothesis targeted search as an
independent cross-check. Every violation's trace is replayed in the reference model, re-checked by
the ground-truth witness checker, and replayed through the TypeScript implementation before it is
reported; the report shows both replays. Topics with identical parameters are interchangeable (the
score treats topics alike), so one representative of each such group is checked and the verdict is
reported for the group, saying so.

Exit codes (ARCHITECTURE.md): 0 every property holds (``holds`` or ``holds-bounded``), 1 a violation,
2 bad input, 3 inconclusive and no violation.
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

from peerproof.attacks.finding import Finding
from peerproof.checkreport import print_attack, print_results, progress
from peerproof.enginepool import Call, Failure, run_flows
from peerproof.reference.configfile import ConfigError

EXIT_OK, EXIT_VIOLATION, EXIT_BAD_INPUT, EXIT_INCONCLUSIVE = 0, 1, 2, 3
ENGINES = ("z3", "hypothesis", "both")
DEFAULT_DEPTH = 100  # decay intervals z3 unrolls
DEFAULT_TIMEOUT_S = 30.0  # per solver call
DEFAULT_SAMPLES = 200  # Hypothesis plans per search
DEFAULT_OUT = Path("peerproof-out")
VALIDATION_LIMIT_S = 600.0  # replays, the TS run and the plot of one trace


@dataclass(frozen=True)
class Job:
    """One property check: a property, the topic it is checked on, and the topics that topic stands for."""

    slug: str
    topic: str | None
    group: tuple[str, ...] = ()


@dataclass
class Options:
    """What every check of one run shares (from the command line)."""

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

    def hard_limit(self, engine: str) -> float:
        """The wall-clock limit of one engine call: its own time-out plus room for encoding and replay."""
        if engine == "analytic":
            return max(30.0, self.timeout_s + 10.0)
        return 2 * self.timeout_s + 15.0


@dataclass
class Result:
    """The verdict on one job, ready to print."""

    job: Job
    verdict: str
    reason: str
    bound: str | None
    seconds: float
    engine: str
    trace: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    replay: dict[str, str] | None = None
    engines: dict[str, Finding] = field(default_factory=dict)  # every engine's own finding, for cross-checks

    def as_json(self) -> dict[str, Any]:
        """The result as ``check --format json`` prints it."""
        doc: dict[str, Any] = {"property": self.job.slug, "topic": self.job.topic, "verdict": self.verdict,
                               "reason": self.reason, "bound": self.bound, "seconds": round(self.seconds, 3),
                               "trace": self.trace, "engine": self.engine}
        if self.job.group:
            doc["topics"] = list(self.job.group)
        if self.replay is not None:
            doc["replay"] = dict(self.replay)
        doc["engines"] = {name: f.verdict for name, f in self.engines.items()}
        return doc


# -- arguments -----------------------------------------------------------------------------------------

def _common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dialect", help="implementation dialect (default: the config's)")
    parser.add_argument("--depth", type=int, default=DEFAULT_DEPTH,
                        help=f"decay intervals the z3 engine unrolls (default {DEFAULT_DEPTH})")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                        help=f"time limit of one solver call or search, seconds (default {DEFAULT_TIMEOUT_S:g}); "
                             "a time-out is an inconclusive verdict")
    parser.add_argument("--engine", choices=ENGINES, default="both",
                        help="attack engine: z3 bounded model checking, Hypothesis targeted search, or both "
                             "(default: z3, then Hypothesis as a cross-check and for the attacks z3 misses within "
                             "its time limit)")
    parser.add_argument("--samples", type=int, default=DEFAULT_SAMPLES,
                        help=f"plans the Hypothesis engine tries per property (default {DEFAULT_SAMPLES})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the Hypothesis engine (default 0)")
    parser.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1),
                        help="engine calls run side by side (default: the cores, at most 4)")
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
    """``peerproof attack gossipsub --goal SLUG [--topic T] CONFIG --out DIR [--engine z3|hypothesis|both]``."""
    parser.add_argument("protocol", choices=("gossipsub",), help="the protocol (gossipsub)")
    parser.add_argument("config", metavar="CONFIG|NAME", help="a config file or a bundled config's name")
    parser.add_argument("--goal", required=True, metavar="SLUG", help="the property whose negation to attack")
    parser.add_argument("--topic", help="the topic, for per-topic properties (default: each in turn)")
    parser.add_argument("--out", required=True, metavar="DIR", help="writes trace.json, trace.itf.json, trace.png")
    _common_arguments(parser)


# -- reading the command line --------------------------------------------------------------------------

class BadInput(Exception):
    """A usage problem, printed as ``FILE: field: message`` and exit code 2."""


def load(target: str) -> Any:
    """The gossipsub config at ``target`` (a path or a bundled name); ConfigError on anything wrong."""
    from peerproof.catalogue import resolve_config
    from peerproof.reference.configfile import read_document
    from peerproof.reference.gossipsub import config_from_mapping

    path = resolve_config(target)
    doc = read_document(path)
    protocol = doc.get("protocol", "gossipsub")
    if protocol != "gossipsub":
        raise ConfigError(str(path), "protocol", f"peerproof check covers gossipsub configs; this is {protocol!r}")
    return config_from_mapping(doc, file=str(path))


def options_from(args: argparse.Namespace, config: Any, out: Path | None) -> Options:
    """Check the numeric options and the dialect; BadInput naming the option otherwise."""
    from peerproof.reference.gossipsub import DIALECTS

    dialect = args.dialect or config.dialect
    if dialect not in DIALECTS:
        raise BadInput(f"(arguments): --dialect: unknown dialect {dialect!r}; choose one of {', '.join(DIALECTS)}")
    for name, value in (("--depth", args.depth), ("--timeout", args.timeout), ("--samples", args.samples),
                        ("--jobs", args.jobs)):
        if not (value > 0 and math.isfinite(value)):
            raise BadInput(f"(arguments): {name}: must be a finite number > 0, got {value}")
    if out is not None:
        existing = next(p for p in (out, *out.parents) if p.exists())
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            raise BadInput(f"{out}: (directory): cannot write there ({existing} is not a writable directory)")
    return Options(config, dialect, args.depth, float(args.timeout), args.engine, args.samples, args.seed, out,
                   args.jobs, replays=not getattr(args, "no_replays", False))


def config_name(config: Any) -> str:
    """The config's name, or its file's stem."""
    return config.name or Path(config.file).stem


# -- which checks --------------------------------------------------------------------------------------

def jobs_for(config: Any, only: Sequence[str] | None = None) -> list[Job]:
    """Every property check of a config: one per property, per group of identical topics if per topic."""
    from peerproof.properties.gossipsub.security import PROPERTIES, applicable_topics

    jobs = []
    for slug, prop in PROPERTIES.items():
        if only and slug not in only:
            continue
        if not prop.per_topic:
            jobs.append(Job(slug, None))
            continue
        groups: dict[Any, list[str]] = {}
        for topic in applicable_topics(config, slug):
            groups.setdefault(config.topics[topic], []).append(topic)
        jobs += [Job(slug, members[0], tuple(members) if len(members) > 1 else ()) for members in groups.values()]
    return jobs


# -- the work each child process does ------------------------------------------------------------------

def worker(call: Call) -> Any:
    """Run one call in a child process (see peerproof.enginepool)."""
    a = call.args
    if call.kind == "analytic":
        from peerproof.attacks.gossipsub import prove

        return prove(a["config"], a["slug"], a["topic"], dialect=a["dialect"])
    if call.kind == "z3":
        from peerproof.attacks.gossipsub import synthesize

        return synthesize(a["config"], a["slug"], a["topic"], depth=a["depth"], timeout_s=a["timeout_s"],
                          dialect=a["dialect"])
    if call.kind == "hypothesis":
        from peerproof.attacks.gossipsub.search import search

        return search(a["config"], a["slug"], a["topic"], budget=a["samples"], timeout_s=a["timeout_s"],
                      dialect=a["dialect"], seed=a["seed"])
    if call.kind == "validate":
        from peerproof.checkevidence import validate

        return validate(a["config"], a["finding"], a["out"], a["stem"])
    raise ValueError(f"unknown call {call.kind!r}")


def _engine_call(kind: str, job: Job, opts: Options) -> Call:
    args = {"config": opts.config, "slug": job.slug, "topic": job.topic, "dialect": opts.dialect,
            "depth": opts.depth, "timeout_s": opts.timeout_s, "samples": opts.samples, "seed": opts.seed}
    return Call(kind, args, opts.hard_limit(kind), f"{kind}: {job.slug}{f' [{job.topic}]' if job.topic else ''}")


def _as_finding(value: Any, job: Job, engine: str) -> Finding | None:
    if isinstance(value, Failure):
        return value.finding(job.slug, job.topic, engine)
    return value


def check_flow(job: Job, opts: Options) -> Any:
    """The calls of one property check, in order; returns its Result."""
    from peerproof.checkevidence import combine

    findings: list[Finding] = []
    analytic = _as_finding((yield _engine_call("analytic", job, opts)), job, "analytic")
    if analytic is not None:
        findings.append(analytic)
    settled = analytic is not None and analytic.verdict in ("holds", "violated")
    needs_trace = analytic is not None and analytic.verdict == "violated" and analytic.trace is None
    if opts.engine in ("z3", "both") and (not settled or needs_trace):
        z3 = _as_finding((yield _engine_call("z3", job, opts)), job, "z3")
        if z3 is not None:
            findings.append(z3)
    if opts.engine in ("hypothesis", "both"):
        hyp = _as_finding((yield _engine_call("hypothesis", job, opts)), job, "hypothesis")
        if hyp is not None:
            findings.append(hyp)
    evidence: dict[int, Any] = {}
    for f in findings:
        if f.verdict == "violated" and f.trace is not None and not opts.replays:
            from peerproof.checkevidence import engine_evidence

            evidence[id(f)] = engine_evidence(f)
            break
        if f.verdict == "violated" and f.trace is not None:
            stem = opts.names.get(job.slug) or trace_stem(job)
            call = Call("validate", {"config": opts.config, "finding": f,
                                     "out": str(opts.out) if opts.out else None, "stem": stem},
                        VALIDATION_LIMIT_S, f"replaying {job.slug}")
            evidence[id(f)] = yield call
            if getattr(evidence[id(f)], "confirmed", False):
                break  # one confirmed trace is the evidence; a second engine's is the same verdict
    result = combine(job, findings, evidence, 0.0)  # run_checks fills in the seconds the calls ran
    result.engines = {f.engine: f for f in findings}
    return result


def trace_stem(job: Job) -> str:
    """``<slug>[-<topic>]`` as a file name (anything but letters, digits, ``._-`` becomes ``_``)."""
    raw = job.slug if job.topic is None else f"{job.slug}-{job.topic}"
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in raw)


# -- the commands --------------------------------------------------------------------------------------

def exit_code(results: Sequence[Result]) -> int:
    """1 on any violation, else 3 on anything inconclusive, else 0."""
    verdicts = {r.verdict for r in results}
    if "violated" in verdicts:
        return EXIT_VIOLATION
    return EXIT_INCONCLUSIVE if "inconclusive" in verdicts else EXIT_OK


def run_checks(opts: Options, jobs: Sequence[Job], *, show_progress: bool = False) -> list[Result]:
    """Every job's Result, in the jobs' order."""
    flows = [check_flow(job, opts) for job in jobs]
    with progress(len(flows), enabled=show_progress) as bar:
        done = run_flows(flows, worker, jobs=opts.jobs, on_start=lambda _i, call: bar.running(call.label),
                         on_finish=lambda _i, _r: bar.advance())
    for result, seconds in done:
        result.seconds = seconds
    return [result for result, _seconds in done]


def run_check_command(args: argparse.Namespace) -> int:
    """``peerproof check``: the exit code (0 all hold, 1 violation, 2 bad input, 3 inconclusive)."""
    if args.all:
        if args.builtin or args.config or args.out:
            return _bad("(arguments): --all: checks every bundled config into ./peerproof-out/<name>/; "
                        "give no CONFIG, --builtin or --out with it")
        from peerproof.spec import bundled_configs

        targets = [c.name for c in bundled_configs("gossipsub")]
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
    for name, config, opts, jobs in plans:
        if args.format != "json":
            for warning in config.warnings:
                sys.stderr.write(f"{config.file}: {warning}\n")
        results = run_checks(opts, jobs, show_progress=sys.stderr.isatty())
        codes.append(exit_code(results))
        if args.format == "json":
            docs.append({"config": name, "results": [r.as_json() for r in results]})
        else:
            print_results(name, opts, results)
    if args.format == "json":
        sys.stdout.write(json.dumps(docs if args.all else docs[0], indent=2, allow_nan=False) + "\n")
    return EXIT_VIOLATION if EXIT_VIOLATION in codes else max(codes)


def _check_plan(args: argparse.Namespace, target: str) -> tuple[str, Any, Options, list[Job]]:
    """The config at ``target``, its options and its jobs; ConfigError / BadInput on anything wrong."""
    config = load(target)
    name = config_name(config)
    out = Path(args.out) if args.out else DEFAULT_OUT / name
    opts = options_from(args, config, out)
    from peerproof.properties.gossipsub.security import PROPERTIES

    unknown = [s for s in args.properties or () if s not in PROPERTIES]
    if unknown:
        raise BadInput(f"(arguments): --property: unknown property {unknown[0]!r}; known: {', '.join(PROPERTIES)}")
    return name, config, opts, jobs_for(config, args.properties)


def run_attack_command(args: argparse.Namespace) -> int:
    """``peerproof attack gossipsub --goal SLUG``: 1 attack found (trace written), 0 holds, 3 inconclusive."""
    try:
        config = load(args.config)
        opts = options_from(args, config, Path(args.out))
        from peerproof.properties.gossipsub.security import PROPERTIES

        if args.goal not in PROPERTIES:
            raise BadInput(f"(arguments): --goal: unknown property {args.goal!r}; known: {', '.join(PROPERTIES)}")
        jobs = jobs_for(config, [args.goal])
        if args.topic is not None:
            if not PROPERTIES[args.goal].per_topic:
                raise BadInput(f"(arguments): --topic: {args.goal} is not a per-topic property")
            if args.topic not in config.topics:
                raise BadInput(f"{config.file}: score_params.topics: no topic {args.topic!r}; "
                               f"topics: {', '.join(config.topics)}")
            jobs = [Job(args.goal, args.topic)]
    except ConfigError as exc:
        return _bad(str(exc))
    except BadInput as exc:
        return _bad(str(exc))
    opts.names = {args.goal: "trace"}
    results: list[Result] = []
    for job in jobs:  # per-topic goals: each group in turn, until one yields an attack
        results += run_checks(opts, [job], show_progress=sys.stderr.isatty())
        if results[-1].verdict == "violated":
            break
    chosen = next((r for r in results if r.verdict == "violated"), None) or _least_certain(results)
    if args.format == "json":
        sys.stdout.write(json.dumps({"config": config_name(config), "goal": args.goal, **chosen.as_json(),
                                     "files": chosen.files}, indent=2, allow_nan=False) + "\n")
    else:
        print_attack(config_name(config), opts, chosen)
    return exit_code([chosen])


def _least_certain(results: Sequence[Result]) -> Result:
    order = {"violated": 0, "inconclusive": 1, "holds-bounded": 2, "holds": 3}
    return min(results, key=lambda r: order[r.verdict])


def _bad(message: str) -> int:
    sys.stderr.write(message.rstrip("\n") + "\n")
    return EXIT_BAD_INPUT
