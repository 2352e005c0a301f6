"""Network scenarios (GS-NET-SCN): who is in the overlay, when they connect, how the Sybils behave.

A scenario is data (spec/scenarios/gossipsub/*.yaml), read like a config: unknown fields, negative
counts, more Sybil links than honest peers and unknown score-parameter choices are ``ConfigError``s
that name the file and the field path. The score parameters come from a separate choice
(``config``): the gossipsub-hardening parameters or any bundled GossipSub config, with the
scenario's ``overrides`` applied on top (e.g. the P6 weight of the colocation attacks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from peerproof.reference.configfile import (
    ConfigError,
    Section,
    parse_duration_ms,
    read_bool,
    read_document,
    read_int,
    read_number,
    read_string,
)
from peerproof.reference.gossipsub.config import Config, config_from_mapping, load_config, to_canonical
from peerproof.spec import SPEC_DIR

SCENARIO_DIR = SPEC_DIR / "scenarios" / "gossipsub"
HARDENING_PARAMS = SCENARIO_DIR / "params-hardening.yaml"
TARGETS = ("all", "publishers", "single")
# The block topic of each parameter family: the topic the hardening runs published in ("blocks").
BLOCK_TOPICS = ("blocks", "beacon_block", "/fil/blocks/testnetnet")


@dataclass(frozen=True)
class Sybils:
    """The attackers (gossipsub-hardening ``attack_behavior`` and ``badboy.go``)."""

    count: int = 0
    links: int = 0  # honest peers each Sybil dials (``attack_degree``)
    per_ip: int = 1  # Sybils sharing one IP (``attackers_per_container``: one container, one address)
    target: str = "all"  # all honest peers, publishers only, or one publisher (``single_node``)
    connect_at_ms: int = 0
    connect_jitter_pct: float = 5.0
    degrade: float = 1.0  # probability of dropping each message once attacking (``sybil_degrade``)
    censor_single: bool = False  # drop only the messages of one publisher (``censor_single_node``)
    attack_delay_ms: int = 0  # behave honestly until then (covert flash)
    regraft_backoff_ms: int = 60_000  # re-GRAFT 1 min + U(0, 15 s) after a PRUNE (``sybil_regraft_*``)
    regraft_jitter_ms: int = 15_000


@dataclass(frozen=True)
class Scenario:
    """One network experiment: honest overlay, load, timing, attackers and the score-parameter choice."""

    name: str
    description: str = ""
    source: Mapping[str, Any] = field(default_factory=dict)
    file: str = "(inline)"
    honest: int = 1000
    publishers: int = 100
    honest_links: int = 20  # honest peers each honest node dials (``network.degree``)
    honest_connect_at_ms: int = 0
    honest_connect_jitter_pct: float = 5.0
    latency_ms: int = 25
    jitter_pct: float = 10.0
    warmup_ms: int = 30_000
    run_ms: int = 180_000
    cooldown_ms: int = 30_000
    rate: float = 120.0  # sampled messages per second, network-wide
    delivery_weight: int = 100  # P2/P3 increments per sampled message (as-coded rate / sampled rate)
    sample_every_ms: int = 5000  # score and mesh snapshots (``score_inspect_period``)
    scoring: bool = True
    config: str = "hardening"
    topic: str | None = None
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    sybils: Sybils = field(default_factory=Sybils)

    @property
    def duration_ms(self) -> int:
        """The simulated time: warm-up, run and cool-down."""
        return self.warmup_ms + self.run_ms + self.cooldown_ms


SCENARIO_FIELDS = {
    "scenario": (), "description": (), "source": (), "honest": (), "publishers": (), "honest_links": (),
    "honest_connect_at": (), "honest_connect_jitter_pct": (), "latency": (), "jitter_pct": (), "warmup": (),
    "run": (), "cooldown": (), "rate": (), "delivery_weight": (), "sample_every": (), "scoring": (),
    "config": (), "topic": (), "overrides": (), "sybils": (),
}
SYBIL_FIELDS = {
    "count": (), "links": (), "per_ip": (), "target": (), "connect_at": (), "connect_jitter_pct": (),
    "degrade": (), "censor_single": (), "attack_delay": (), "regraft_backoff": (), "regraft_jitter": (),
}
OVERRIDE_SECTIONS = {"router": (), "thresholds": (), "score_params": ()}


def _count(section: Section, key: str, value: Any, low: int = 0) -> int:
    n = read_int(section, key, value)
    if n < low:
        raise section.error(key, f"expected a count >= {low}, got {n}")
    return n


def _fraction(section: Section, key: str, value: Any, high: float = 1.0) -> float:
    x = read_number(section, key, value)
    if not 0.0 <= x <= high:
        raise section.error(key, f"expected a number in [0, {high:g}], got {x!r}")
    return x


def _read_sybils(section: Section) -> Sybils:
    found = section.resolve(SYBIL_FIELDS)
    kw: dict[str, Any] = {}
    for key in ("count", "links"):
        if key in found:
            kw[key] = _count(section, key, found[key])
    if "per_ip" in found:
        kw["per_ip"] = _count(section, "per_ip", found["per_ip"], 1)
    if "target" in found:
        kw["target"] = read_string(section, "target", found["target"])
        if kw["target"] not in TARGETS:
            raise section.error("target", f"expected one of {', '.join(TARGETS)}, got {kw['target']!r}")
    for key in ("connect_at", "attack_delay", "regraft_backoff", "regraft_jitter"):
        if key in found:
            kw[f"{key}_ms"] = parse_duration_ms(section, key, found[key])
    if "connect_jitter_pct" in found:
        kw["connect_jitter_pct"] = _fraction(section, "connect_jitter_pct", found["connect_jitter_pct"], 100)
    if "degrade" in found:
        kw["degrade"] = _fraction(section, "degrade", found["degrade"])
    if "censor_single" in found:
        kw["censor_single"] = read_bool(section, "censor_single", found["censor_single"])
    return Sybils(**kw)


def scenario_from_mapping(data: Mapping[str, Any], file: str = "(inline)") -> Scenario:
    """GS-NET-SCN-1: a validated scenario; ConfigError naming the file and field path on any problem."""
    top = Section(file, "", data)
    found = top.resolve(SCENARIO_FIELDS)
    if "scenario" not in found:
        raise top.error("scenario", "missing field (the scenario's name)")
    kw: dict[str, Any] = {"name": read_string(top, "scenario", found["scenario"]), "file": file}
    if "description" in found:
        kw["description"] = read_string(top, "description", found["description"])
    if "source" in found:
        top.child("source", found["source"])
        kw["source"] = dict(found["source"])
    for key in ("honest", "publishers", "honest_links"):
        if key in found:
            kw[key] = _count(top, key, found[key], 1)
    for key in ("honest_connect_at", "latency", "warmup", "run", "cooldown", "sample_every"):
        if key in found:
            kw[f"{key}_ms"] = parse_duration_ms(top, key, found[key])
    for key in ("honest_connect_jitter_pct", "jitter_pct"):
        if key in found:
            kw[key] = _fraction(top, key, found[key], 100 if key != "jitter_pct" else 50)
    if "rate" in found:
        kw["rate"] = read_number(top, "rate", found["rate"])
        if not 0 < kw["rate"] <= 100_000:
            raise top.error("rate", f"expected messages per second in (0, 100000], got {kw['rate']!r}")
    if "delivery_weight" in found:
        kw["delivery_weight"] = _count(top, "delivery_weight", found["delivery_weight"], 1)
    if "scoring" in found:
        kw["scoring"] = read_bool(top, "scoring", found["scoring"])
    for key in ("config", "topic"):
        if key in found:
            kw[key] = read_string(top, key, found[key])
    if "overrides" in found:
        section = top.child("overrides", found["overrides"])
        kw["overrides"] = {k: dict(section.child(k, v).data) for k, v in section.resolve(OVERRIDE_SECTIONS).items()}
    if "sybils" in found:
        kw["sybils"] = _read_sybils(top.child("sybils", found["sybils"]))
    scenario = Scenario(**kw)
    check_scenario(scenario, top)
    resolve_config(scenario)  # an unknown config, topic or override is an error of the scenario file
    return scenario


def check_scenario(s: Scenario, top: Section) -> None:
    """GS-NET-SCN-2: the counts fit together (publishers among the honest, links within the peers)."""
    if s.publishers > s.honest:
        raise top.error("publishers", f"{s.publishers} publishers exceed the {s.honest} honest peers")
    if s.honest_links >= s.honest:
        raise top.error("honest_links", f"{s.honest_links} links per honest peer need more than {s.honest} "
                                        "honest peers")
    if s.latency_ms < 1:
        raise top.error("latency", "links need a latency of at least 1ms")
    if s.run_ms <= 0:
        raise top.error("run", "the run phase must last longer than 0s")
    if s.sample_every_ms <= 0:
        raise top.error("sample_every", "snapshots need a period longer than 0s")
    y = s.sybils
    reachable = {"all": s.honest, "publishers": s.publishers, "single": 1}[y.target]
    if y.links > reachable:
        raise top.error("sybils.links", f"{y.links} links per Sybil exceed the {reachable} honest peers its "
                                        f"target ({y.target}) offers")
    if y.count and not y.links:
        raise top.error("sybils.links", "Sybils need at least one link")


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (a bundled name is looked up in spec/scenarios/gossipsub/)."""
    p = Path(path)
    if not p.exists() and (SCENARIO_DIR / f"{p.name}.yaml").exists():
        p = SCENARIO_DIR / f"{p.name}.yaml"
    if not p.exists():
        known = ", ".join(bundled_scenarios())
        raise ConfigError(str(path), "(file)", f"no such scenario file or bundled scenario; bundled: {known}")
    return scenario_from_mapping(read_document(p), file=str(p))


def bundled_scenarios() -> list[str]:
    """The names of the bundled scenarios (spec/scenarios/gossipsub/*.yaml)."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml") if not p.stem.startswith("params-"))


def base_config(name: str, file: str = "(inline)") -> Config:
    """The score-parameter choice ``name``: ``hardening``, a bundled GossipSub config, or a config file."""
    if name == "hardening":
        return load_config(HARDENING_PARAMS)
    from peerproof.spec import bundled_config_path

    if Path(name).exists():
        return load_config(name)
    try:
        path = bundled_config_path(name if "/" in name else f"gossipsub/{name}")
    except ValueError as exc:
        raise ConfigError(file, "config", f"{exc} (or 'hardening')") from None
    return load_config(path)


def resolve_config(s: Scenario, config: str | None = None) -> tuple[Config, str]:
    """GS-NET-SCN-3: the scenario's Config (the choice, overrides applied) and the simulated topic."""
    cfg = base_config(config or s.config, s.file)
    if s.overrides:
        doc = to_canonical(cfg)
        for section, values in s.overrides.items():
            doc[section] = {**doc.get(section, {}), **values}
        try:
            cfg = config_from_mapping(doc, file=s.file)
        except ConfigError as exc:
            raise ConfigError(s.file, f"overrides.{exc.path}", exc.message) from None
        cfg = replace(cfg, name=f"{base_config(config or s.config, s.file).name}+overrides")
    topic = s.topic if s.topic and s.topic in cfg.topics else next(
        (t for t in BLOCK_TOPICS if t in cfg.topics), None)
    if topic is None:
        if s.topic:
            raise ConfigError(s.file, "topic", f"{s.topic!r} is not a scored topic of config {cfg.name!r}")
        if not cfg.topics:
            raise ConfigError(s.file, "config", f"config {cfg.name or cfg.file!r} scores no topic to simulate")
        topic = sorted(cfg.topics)[0]
    return cfg, topic


def scaled(s: Scenario, honest: int) -> Scenario:
    """The scenario at ``honest`` honest peers: publishers, Sybils and the sampled rate scaled in proportion
    (so each sampled message still stands for ``delivery_weight`` as-coded ones), links capped."""
    f = honest / s.honest
    publishers = max(1, min(honest, round(s.publishers * f)))
    links = min(s.honest_links, honest - 1)
    y = s.sybils
    reachable = {"all": honest, "publishers": publishers, "single": 1}[y.target]
    sybils = replace(y, count=round(y.count * f), links=min(y.links, reachable),
                     per_ip=max(1, round(y.per_ip * f)) if y.per_ip > 1 else 1)
    return replace(s, honest=honest, publishers=publishers, honest_links=links, sybils=sybils,
                   rate=s.rate * publishers / s.publishers)
