"""Reading and validating a ranking config (spec/ranking.md, RK-CFG): the round, the judges, the rules.

A config is one scenario: the candidates (answers) of a round, the judges with their reputation,
stake and calibration record, the judges' honest comparisons (written out, or as a ranking the
client's pair schedule is applied to), and the aggregation, reputation, admission and security rules.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from peerproof.reference.configfile import (
    ConfigError,
    ConfigWarning,
    Section,
    read_bool,
    read_document,
    read_int,
    read_number,
    read_string,
)
from peerproof.reference.configframe import FRAME_FIELDS, frame_to_canonical, read_frame
from peerproof.reference.limits import quote
from peerproof.reference.ranking.bradley_terry import SOLVERS
from peerproof.reference.ranking.dialect import DEFAULT_DIALECT, DIALECTS
from peerproof.reference.ranking.schedule import OUTCOMES, Comparison, honest_comparisons, parse_ranking

PROTOCOL = "ranking"
MAX_CANDIDATES = 1000  # RK-CFG-9: bounds that keep every engine's input finite
MAX_JUDGES = 10_000
MAX_COMPARISONS = 1_000_000
MAX_ITERATIONS = 1_000_000
WEIGHTINGS = ("per-judge", "per-comparison")

TOP_FIELDS: dict[str, tuple[str, ...]] = {
    **FRAME_FIELDS, "candidates": ("answers",), "judges": (), "comparisons": (), "aggregation": (),
    "reputation": (), "admission": (), "security": (),
}


@dataclass(frozen=True)
class Judge:
    """RK-ADM-1: a judge as the round starts: reputation, stake, calibration tests passed, honest ranking."""

    reputation: float
    stake: float
    calibration_passed: int
    ranking: str | None = None  # "a>b=c>d": its honest verdicts on the client's schedule (RK-ROUND-3)


@dataclass(frozen=True)
class Aggregation:
    """RK-BT-*: how the round's comparisons become a consensus."""

    solver: str = "ilsr"
    tolerance: float = 1e-10
    max_iterations: int = 10_000
    prior: float = 0.0  # RK-BT-5: pseudo-weight per ordered pair, in units of the mean counted reputation
    weight: str = "per-judge"  # RK-W-2: a judge's reputation is split over its comparisons, or given to each
    exclude_own: bool = True  # RK-ROUND-4: a judge's comparisons involving its own answer are not counted


@dataclass(frozen=True)
class ReputationRule:
    """RK-REP-*: the bounds of reputation and its exponential moving average of agreement."""

    initial: float = 0.1  # a newly joined identity's reputation
    minimum: float = 0.0
    maximum: float = 1.0
    learning_rate: float = 0.1


@dataclass(frozen=True)
class Admission:
    """RK-ADM-*: what a judge needs to be counted: stake and passed calibration tests."""

    min_stake: float = 0.0
    min_calibration: int = 0
    calibration_cost: float = 0.0  # what passing the calibration costs one identity, in stake units


@dataclass(frozen=True)
class Security:
    """RK-SEC-*: the attacker the checks assume: coalition share, Sybil budget, farming horizon."""

    max_coalition_share: float = 1 / 3
    sybil_budget: float = 100.0
    farming_rounds: int = 10


@dataclass(frozen=True)
class Config:
    """A ranking scenario: one round's candidates and judges, their honest comparisons, and the rules."""

    candidates: tuple[str, ...]
    authors: Mapping[str, str | None]
    judges: Mapping[str, Judge]
    comparisons: tuple[Comparison, ...] = ()  # written out in the file (besides those from rankings)
    aggregation: Aggregation = Aggregation()
    reputation: ReputationRule = ReputationRule()
    admission: Admission = Admission()
    security: Security = Security()
    dialect: str = DEFAULT_DIALECT
    name: str = ""
    description: str = ""
    source: Mapping[str, Any] = field(default_factory=dict)
    file: str = "(inline)"
    warnings: tuple[ConfigWarning, ...] = ()

    @property
    def protocol(self) -> str:
        """The protocol this config is for (the frame's ``protocol`` field)."""
        return PROTOCOL

    @cached_property  # derived once per config: every attack search rewrites it thousands of times
    def honest_round(self) -> tuple[Comparison, ...]:
        """RK-ROUND-3: every honest comparison of the round: each ranking on the schedule, then those written out."""
        derived: list[Comparison] = []
        for judge_id, judge in self.judges.items():
            if judge.ranking is not None:
                derived += honest_comparisons(judge_id, self.candidates, judge.ranking)
        return (*derived, *self.comparisons)


def load_config(path: str | Path) -> Config:
    """Read and validate a ranking config file; ConfigError names the file and field on any problem."""
    return config_from_mapping(read_document(path), file=str(path))


def _number(section: Section, key: str, value: Any, low: float, high: float = math.inf, *,
            low_open: bool = False) -> float:
    number = read_number(section, key, value)
    if number < low or (low_open and number == low) or number > high:
        lower = f"> {low:g}" if low_open else f">= {low:g}"
        upper = "" if math.isinf(high) else f" and <= {high:g}"
        raise section.error(key, f"expected a number {lower}{upper}, got {quote(value)}")
    return number


def _int(section: Section, key: str, value: Any, low: int, high: int) -> int:
    number = read_int(section, key, value)
    if not low <= number <= high:
        raise section.error(key, f"expected a whole number between {low} and {high}, got {quote(value)}")
    return number


def _id(section: Section, key: str, value: Any) -> str:
    text = read_string(section, key, value)
    if not text or text.strip() != text or any(c in text for c in "<>=,"):
        raise section.error(key, f"an id must be non-empty, without surrounding spaces or any of < > = , "
                                 f"got {quote(text)}")
    return text


def _read_candidates(top: Section, value: Any) -> tuple[tuple[str, ...], dict[str, str | None]]:
    section = top.child("candidates", value)
    if len(section.data) < 2:
        raise top.error("candidates", "a round needs at least 2 candidates (answers) to compare")
    if len(section.data) > MAX_CANDIDATES:
        raise top.error("candidates", f"{len(section.data)} candidates exceed the limit of {MAX_CANDIDATES}")
    authors: dict[str, str | None] = {}
    for key, spec in section.data.items():
        cid = _id(section, str(key), key)
        author = None
        if spec is not None:
            found = section.child(cid, spec).resolve({"author": ("node",)})
            if found.get("author") is not None:
                author = _id(section.child(cid, spec), "author", found["author"])
        authors[cid] = author
    return tuple(authors), authors


def _read_ranking(section: Section, value: Any, candidates: tuple[str, ...]) -> str:
    text = read_string(section, "ranking", value)
    named = [c for tier in parse_ranking(text) for c in tier]
    for c in named:
        if c not in candidates:
            raise section.error("ranking", f"unknown candidate {quote(c)}; candidates: {', '.join(candidates)}")
    if sorted(named) != sorted(candidates):
        missing = sorted(set(candidates) - set(named)) or sorted({c for c in named if named.count(c) > 1})
        raise section.error("ranking", f"must name every candidate exactly once (check {', '.join(missing)})")
    return text


def _read_judges(top: Section, value: Any, candidates: tuple[str, ...], rule: ReputationRule) -> dict[str, Judge]:
    section = top.child("judges", value)
    if not section.data:
        raise top.error("judges", "a round needs at least one judge")
    if len(section.data) > MAX_JUDGES:
        raise top.error("judges", f"{len(section.data)} judges exceed the limit of {MAX_JUDGES}")
    judges: dict[str, Judge] = {}
    for key, spec in section.data.items():
        jid = _id(section, str(key), key)
        sub = section.child(jid, spec)
        found = sub.resolve({"reputation": ("weight",), "stake": (), "calibration_passed": ("capability",),
                             "ranking": ()})
        reputation = _number(sub, "reputation", found.get("reputation", rule.initial), rule.minimum, rule.maximum)
        judges[jid] = Judge(reputation, _number(sub, "stake", found.get("stake", 0.0), 0.0),
                            _int(sub, "calibration_passed", found.get("calibration_passed", 0), 0, 10**9),
                            _read_ranking(sub, found["ranking"], candidates) if "ranking" in found else None)
    return judges


def _read_comparisons(top: Section, value: Any, candidates: tuple[str, ...],
                      judges: Mapping[str, Judge]) -> tuple[Comparison, ...]:
    if not isinstance(value, list):
        raise top.error("comparisons", "expected a list of {judge, first, second, outcome}")
    if len(value) > MAX_COMPARISONS:
        raise top.error("comparisons", f"{len(value)} comparisons exceed the limit of {MAX_COMPARISONS}")
    out = []
    for i, item in enumerate(value):
        sub = top.child(f"comparisons[{i}]", item)
        found = sub.resolve({"judge": (), "first": (), "second": (), "outcome": ("winner",)})
        for key in ("judge", "first", "second", "outcome"):
            if key not in found:
                raise sub.error(key, "missing")
        judge = read_string(sub, "judge", found["judge"])
        if judge not in judges:
            raise sub.error("judge", f"unknown judge {quote(judge)}; judges are listed under judges")
        pair = [read_string(sub, k, found[k]) for k in ("first", "second")]
        for key, cid in zip(("first", "second"), pair, strict=True):
            if cid not in candidates:
                raise sub.error(key, f"unknown candidate {quote(cid)}; candidates: {', '.join(candidates)}")
        if pair[0] == pair[1]:
            raise sub.error("second", f"a self-comparison ({quote(pair[0])} against itself) is not a comparison "
                                      "(RK-ROUND-1)")
        outcome = read_string(sub, "outcome", found["outcome"])
        if outcome not in OUTCOMES:
            raise sub.error("outcome", f"expected one of {', '.join(OUTCOMES)}, got {quote(outcome)}")
        out.append(Comparison(judge, pair[0], pair[1], outcome))
    return tuple(out)


def _read_aggregation(top: Section, value: Any) -> Aggregation:
    sub = top.child("aggregation", value)
    found = sub.resolve({"solver": (), "tolerance": ("tol",), "max_iterations": ("max_iter",), "prior": ("alpha",),
                         "weight": ("weighting",), "exclude_own": ()})
    d = Aggregation()
    solver = read_string(sub, "solver", found.get("solver", d.solver))
    if solver not in SOLVERS:
        raise sub.error("solver", f"unknown solver {quote(solver)}; choose one of {', '.join(SOLVERS)}")
    weight = read_string(sub, "weight", found.get("weight", d.weight))
    if weight not in WEIGHTINGS:
        raise sub.error("weight", f"expected one of {', '.join(WEIGHTINGS)}, got {quote(weight)}")
    return Aggregation(solver, _number(sub, "tolerance", found.get("tolerance", d.tolerance), 0.0, 1.0, low_open=True),
                       _int(sub, "max_iterations", found.get("max_iterations", d.max_iterations), 1, MAX_ITERATIONS),
                       _number(sub, "prior", found.get("prior", d.prior), 0.0, 1e6), weight,
                       read_bool(sub, "exclude_own", found.get("exclude_own", d.exclude_own)))


def _read_reputation(top: Section, value: Any) -> ReputationRule:
    sub = top.child("reputation", value)
    found = sub.resolve({"initial": (), "minimum": ("min",), "maximum": ("max",), "learning_rate": ("alpha", "eta")})
    d = ReputationRule()
    maximum = _number(sub, "maximum", found.get("maximum", d.maximum), 0.0, 1e12, low_open=True)
    minimum = _number(sub, "minimum", found.get("minimum", d.minimum), 0.0, maximum)
    initial = _number(sub, "initial", found.get("initial", d.initial), minimum, maximum)
    rate = _number(sub, "learning_rate", found.get("learning_rate", d.learning_rate), 0.0, 1.0, low_open=True)
    return ReputationRule(initial, minimum, maximum, rate)


def _read_admission(top: Section, value: Any) -> Admission:
    sub = top.child("admission", value)
    found = sub.resolve({"min_stake": ("min_balance",), "min_calibration": ("capability",), "calibration_cost": ()})
    return Admission(_number(sub, "min_stake", found.get("min_stake", 0.0), 0.0, 1e12),
                     _int(sub, "min_calibration", found.get("min_calibration", 0), 0, 10**9),
                     _number(sub, "calibration_cost", found.get("calibration_cost", 0.0), 0.0, 1e12))


def _read_security(top: Section, value: Any) -> Security:
    sub = top.child("security", value)
    found = sub.resolve({"max_coalition_share": (), "sybil_budget": (), "farming_rounds": ()})
    d = Security()
    return Security(_number(sub, "max_coalition_share", found.get("max_coalition_share", d.max_coalition_share),
                            0.0, 1.0, low_open=True),
                    _number(sub, "sybil_budget", found.get("sybil_budget", d.sybil_budget), 0.0, 1e12),
                    _int(sub, "farming_rounds", found.get("farming_rounds", d.farming_rounds), 0, 1000))


def _warnings(aggregation: Aggregation) -> tuple[ConfigWarning, ...]:
    out = []
    if not aggregation.exclude_own:
        out.append(ConfigWarning("aggregation.exclude_own", "a judge's comparisons of its own answer are counted",
                                 "RK-ROUND-4"))
    return tuple(out)


def config_from_mapping(data: Mapping[str, Any], file: str = "(inline)") -> Config:
    """Build and validate a Config from a parsed document (ConfigError naming the field on any problem)."""
    top = Section(file, "", data)
    found = top.resolve(TOP_FIELDS)
    frame = read_frame(top, found, PROTOCOL, tuple(DIALECTS), DEFAULT_DIALECT)
    for key in ("candidates", "judges"):
        if key not in found:
            raise top.error(key, "missing")
    candidates, authors = _read_candidates(top, found["candidates"])
    reputation = _read_reputation(top, found.get("reputation", {}))
    judges = _read_judges(top, found["judges"], candidates, reputation)
    comparisons = _read_comparisons(top, found.get("comparisons", []), candidates, judges)
    aggregation = _read_aggregation(top, found.get("aggregation", {}))
    config = Config(candidates, authors, judges, comparisons, aggregation, reputation,
                    _read_admission(top, found.get("admission", {})), _read_security(top, found.get("security", {})),
                    frame.dialect, frame.name, frame.description, frame.source, file, _warnings(aggregation))
    if not config.honest_round:
        raise top.error("comparisons", "empty round: no comparisons (write some, or give judges a ranking)")
    if len(config.honest_round) > MAX_COMPARISONS:
        raise top.error("comparisons", f"the round's {len(config.honest_round)} comparisons exceed {MAX_COMPARISONS}")
    return config


def to_canonical(config: Config) -> dict[str, Any]:
    """The canonical document of a config (config_from_mapping reads it back to an equal Config)."""
    doc = frame_to_canonical(config)
    doc["candidates"] = {c: ({"author": a} if (a := config.authors[c]) else None) for c in config.candidates}
    judges: dict[str, Any] = {}
    for jid, j in config.judges.items():
        judges[jid] = {"reputation": j.reputation, "stake": j.stake, "calibration_passed": j.calibration_passed}
        if j.ranking is not None:
            judges[jid]["ranking"] = j.ranking
    doc["judges"] = judges
    if config.comparisons:
        doc["comparisons"] = [{"judge": c.judge, "first": c.first, "second": c.second, "outcome": c.outcome}
                              for c in config.comparisons]
    a, r, ad, s = config.aggregation, config.reputation, config.admission, config.security
    doc["aggregation"] = {"solver": a.solver, "tolerance": a.tolerance, "max_iterations": a.max_iterations,
                          "prior": a.prior, "weight": a.weight, "exclude_own": a.exclude_own}
    doc["reputation"] = {"initial": r.initial, "minimum": r.minimum, "maximum": r.maximum,
                         "learning_rate": r.learning_rate}
    doc["admission"] = {"min_stake": ad.min_stake, "min_calibration": ad.min_calibration,
                        "calibration_cost": ad.calibration_cost}
    doc["security"] = {"max_coalition_share": s.max_coalition_share, "sybil_budget": s.sybil_budget,
                       "farming_rounds": s.farming_rounds}
    return doc


__all__ = ["Admission", "Aggregation", "Config", "ConfigError", "Judge", "ReputationRule", "Security",
           "config_from_mapping", "load_config", "to_canonical"]
