"""Test vectors (consensus-spec-tests style): one directory per case, named by the spec IDs it exercises.

``spec/vectors/<protocol>/recipes.json`` holds the hand-written cases (configs and events, the spec IDs,
the dialect pairs each case must tell apart); ``write_vectors`` runs each in the reference model in every
dialect and writes ``cases/<name>/`` with ``meta.json``, ``config.json`` (canonical), ``events.json`` and
``expected.<dialect>.json`` (the observations after every event). Attack cases come from the manifest's
violations (``spec/configs/<protocol>/expected.json``): the check is re-run at the manifest's settings and
each violated property's trace is written under ``attacks/<config>--<slug>/`` with its claim and the
observation after its last event. Numbers are IEEE-754 doubles compared within ``TOLERANCE`` (PP-TRACE-4):
the protocols' arithmetic (decay, squares, logistic fits) is floating point, so no exact form exists.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peerproof.reference.configfile import ConfigError
from peerproof.reference.model import get_model
from peerproof.reference.trace import TOLERANCE, Trace, compare, record

FORMAT = "peerproof-vector/1"
RECIPES = "recipes.json"


def vector_root() -> Path:
    """``spec/vectors`` of the installed package (the source checkout's when run from it)."""
    from peerproof.spec import SPEC_DIR

    return SPEC_DIR / "vectors"


@dataclass(frozen=True)
class Case:
    """One vector: a config and events, the spec IDs they exercise, and the expected observations."""

    protocol: str
    name: str
    kind: str  # "cases" (behaviour, every dialect) or "attacks" (a manifest violation, its config's dialect)
    ids: tuple[str, ...]
    description: str
    config: Any
    events: tuple[Any, ...]
    expected: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)  # dialect -> observations
    distinguishes: tuple[tuple[str, str], ...] = ()
    claim: Mapping[str, Any] | None = None

    def trace(self, dialect: str) -> Trace:
        """The case as a replayable trace in ``dialect`` (with its expected observations, if written)."""
        return Trace(self.protocol, dialect, self.config, self.events, tuple(self.expected.get(dialect, ())),
                     self.claim)


def read_recipes(protocol: str, root: Path | None = None) -> list[Case]:
    """The hand-written cases of ``protocol`` (none when it has no recipes file)."""
    path = (root or vector_root()) / protocol / RECIPES
    if not path.is_file():
        return []
    doc = json.loads(path.read_text(encoding="utf-8"))
    model = get_model(protocol)
    configs = doc.get("configs", {})
    cases = []
    for i, raw in enumerate(doc["cases"]):
        where = f"cases[{i}]"
        source = configs.get(raw["config"])
        if source is None:
            from peerproof.catalogue import load_any_config, resolve_config

            config = load_any_config(resolve_config(raw["config"]))[1]
        else:
            config = model.config_from_mapping(source, file=f"{path}:configs.{raw['config']}")
        try:
            events = tuple(model.event_from_dict(e) for e in raw["events"])
        except ValueError as exc:
            raise ConfigError(str(path), f"{where}.events", str(exc)) from None
        pairs = tuple((a, b) for a, b in raw.get("distinguishes", ()))
        cases.append(Case(protocol, raw["name"], "cases", tuple(raw["ids"]), raw["description"], config, events,
                          distinguishes=pairs))
    return cases


def with_expectations(case: Case) -> Case:
    """The case with the model's observations after every event, in every dialect of its protocol.

    ValueError when a dialect pair the case must distinguish observes the same (the case proves nothing).
    """
    model = get_model(case.protocol)
    expected = {d: record(case.protocol, case.config, case.events, dialect=d).observations for d in model.dialects}
    for a, b in case.distinguishes:
        if not any(compare(x["values"], y["values"]) for x, y in zip(expected[a], expected[b], strict=True)):
            raise ValueError(f"{case.protocol}/{case.name}: dialects {a} and {b} observe the same; the case must "
                             "tell them apart")
    return Case(case.protocol, case.name, case.kind, case.ids, case.description, case.config, case.events, expected,
                case.distinguishes, case.claim)


def attack_cases(protocol: str, configs: Sequence[str] | None = None) -> list[Case]:
    """One case per (bundled config, property) the manifest records as violated: the check's confirmed trace."""
    import os

    from peerproof.attacks.checks import get_checks
    from peerproof.catalogue import load_any_config
    from peerproof.check import Options, run_checks
    from peerproof.spec import CONFIG_DIR, bundled_configs

    manifest_file = CONFIG_DIR / protocol / "expected.json"
    if not manifest_file.is_file():
        return []
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    s = manifest["settings"]
    checks = get_checks(protocol)
    cases = []
    for entry in bundled_configs(protocol):
        violated = {e["property"] for e in manifest["configs"].get(entry.name, []) if e["verdict"] == "violated"}
        if not violated or (configs and entry.name not in configs):
            continue
        config = load_any_config(Path(entry.path))[1]
        jobs = checks.jobs(config, sorted(violated))
        opts = Options(checks, config, config.dialect, int(s["depth"]), float(s["timeout_s"]), s["engine"],
                       int(s["samples"]), int(s["seed"]), None, min(4, os.cpu_count() or 1), replays=False)
        seen: set[str] = set()
        for result in run_checks(opts, jobs):
            finding = next((f for f in result.engines.values() if f.verdict == "violated" and f.trace), None)
            if finding is None or result.job.slug in seen:
                continue
            seen.add(result.job.slug)
            trace: Trace = finding.trace
            prop = checks.property(result.job.slug)
            claim = {"property": prop.slug, "topic": result.job.topic, "verdict": "violated",
                     "reason": finding.reason, "engine": finding.engine}
            observed = record(protocol, config, trace.events, dialect=trace.dialect,
                              observe_after=[len(trace.events) - 1]).observations  # the end: keeps vectors small
            cases.append(Case(protocol, f"{entry.name}--{prop.slug}", "attacks", (prop.id,),
                              f"{prop.id} ({prop.title}) is violated on the bundled config {entry.name}: "
                              f"{finding.reason}", config, trace.events, {trace.dialect: observed}, claim=claim))
    return cases


def _dump(path: Path, doc: Any) -> None:
    path.write_text(json.dumps(doc, indent=1, allow_nan=False, ensure_ascii=False) + "\n", encoding="utf-8")


def write_case(case: Case, root: Path) -> Path:
    """Write one case's directory under ``root/<protocol>/<kind>/<name>/`` (replacing an older one)."""
    model = get_model(case.protocol)
    out = root / case.protocol / case.kind / case.name
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    meta: dict[str, Any] = {"format": FORMAT, "protocol": case.protocol, "case": case.name, "ids": list(case.ids),
                            "description": case.description, "dialects": sorted(case.expected),
                            "distinguishes": [list(p) for p in case.distinguishes],
                            "numbers": "IEEE-754 doubles",
                            "tolerance": {"relative": TOLERANCE, "absolute": TOLERANCE}}
    if case.claim is not None:
        meta["claim"] = dict(case.claim)
    _dump(out / "meta.json", meta)
    _dump(out / "config.json", model.to_canonical(case.config))
    events = [model.event_to_dict(e) for e in case.events]
    if case.kind == "attacks":  # thousands of events: one compact line
        (out / "events.json").write_text(json.dumps(events, separators=(",", ":")) + "\n", encoding="utf-8")
    else:
        _dump(out / "events.json", events)
    for dialect, observations in case.expected.items():
        _dump(out / f"expected.{dialect}.json", [dict(o) for o in observations])
    return out


def write_vectors(protocol: str, root: Path, *, attacks: bool = True) -> list[Path]:
    """Regenerate ``protocol``'s vectors under ``root`` (behaviour cases; attack cases unless told not to)."""
    cases = [with_expectations(c) for c in read_recipes(protocol)]
    if attacks:
        cases += attack_cases(protocol)
    recipes = vector_root() / protocol / RECIPES
    if recipes.is_file() and root.resolve() != vector_root().resolve():
        (root / protocol).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(recipes, root / protocol / RECIPES)
    return [write_case(c, root) for c in cases]


def load_case(directory: Path) -> Case:
    """Read one written case directory back (ConfigError naming the file when it is malformed)."""
    meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise ConfigError(str(directory / "meta.json"), "format", f"expected {FORMAT!r}")
    model = get_model(meta["protocol"])
    config = model.config_from_mapping(json.loads((directory / "config.json").read_text(encoding="utf-8")),
                                       file=str(directory / "config.json"))
    raw_events = json.loads((directory / "events.json").read_text(encoding="utf-8"))
    try:
        events = tuple(model.event_from_dict(e) for e in raw_events)
    except ValueError as exc:
        raise ConfigError(str(directory / "events.json"), "(events)", str(exc)) from None
    expected = {d: json.loads((directory / f"expected.{d}.json").read_text(encoding="utf-8"))
                for d in meta["dialects"]}
    return Case(meta["protocol"], meta["case"], directory.parent.name, tuple(meta["ids"]), meta["description"],
                config, events, expected, tuple((a, b) for a, b in meta.get("distinguishes", ())), meta.get("claim"))


def load_cases(protocol: str, kind: str = "cases", root: Path | None = None) -> list[Case]:
    """Every written case of one kind ("cases" or "attacks") of ``protocol``, by name."""
    base = (root or vector_root()) / protocol / kind
    return [load_case(d) for d in sorted(base.iterdir()) if (d / "meta.json").is_file()] if base.is_dir() else []


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``peerproof vectors --out DIR [--protocol P] [--no-attacks]``."""
    parser.add_argument("--out", required=True, metavar="DIR", help="write <protocol>/cases and /attacks here")
    parser.add_argument("--protocol", action="append", help="only this protocol (repeatable; default: every one "
                                                            "with recipes or a manifest)")
    parser.add_argument("--no-attacks", action="store_true",
                        help="skip the attack cases (they re-run the manifest's checks: minutes per protocol)")


def run_command(args: argparse.Namespace) -> int:
    """The ``vectors`` verb: regenerate the vectors under ``--out``; the exit code."""
    from peerproof.reference.model import protocols
    from peerproof.spec import CONFIG_DIR

    chosen = args.protocol or [p for p in protocols() if (vector_root() / p / RECIPES).is_file()
                               or (CONFIG_DIR / p / "expected.json").is_file()]
    unknown = [p for p in chosen if p not in protocols()]
    if unknown:
        sys.stderr.write(f"(arguments): --protocol: unknown protocol {unknown[0]!r}; known: {', '.join(protocols())}\n")
        return 2
    for protocol in chosen:
        written = write_vectors(protocol, Path(args.out), attacks=not args.no_attacks)
        print(f"{protocol}: {len(written)} cases written under {Path(args.out) / protocol}")
    return 0
