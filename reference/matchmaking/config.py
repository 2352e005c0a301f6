"""Matchmaking configs (spec/matchmaking.md §10, MM-CFG-*): profiles and their bounds, agents, the bandit,
the matching and the reward, read with errors that name the file and the field path."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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
    type_name,
)
from peerproof.reference.configframe import FRAME_FIELDS, frame_to_canonical, read_frame
from peerproof.reference.limits import MAX_MAGNITUDE, quote
from peerproof.reference.matchmaking.dialect import DEFAULT_DIALECT, DIALECTS

PROTOCOL = "matchmaking"
CONTEXT_MAPS = ("concat", "symmetric")  # MM-CTX-1, MM-CTX-2
NORMALISATIONS = ("none", "zscore", "robust")  # MM-REW-3
REPORTERS = ("receiver", "partner-confirmed")  # MM-TRUST-1, MM-TRUST-2
MAX_AGENTS = 256
MAX_DIMENSION = 256
PROFILE_LIMIT = 1e6  # MM-PROF-2: |profile value|; with λ >= LAMBDA_RANGE[0] float32 statistics stay finite
REWARD_LIMIT = 1e9  # MM-REW-5: |raw reward| the CPM accepts
LAMBDA_RANGE = (1e-6, 1e6)
PARAMETER_LIMIT = 1e6  # β, γ, δ


@dataclass(frozen=True)
class ProfileField:
    """One coordinate of an agent profile with its stated bounds (MM-PROF-1)."""

    name: str
    low: float
    high: float


@dataclass(frozen=True)
class Agent:
    """An agent known to the CPM at the start, with its (honest) profile."""

    id: str
    profile: tuple[float, ...]


@dataclass(frozen=True)
class Config:
    """A CPM configuration: profile layout, agents, LinUCB, matching and reward accounting."""

    fields: tuple[ProfileField, ...]
    agents: tuple[Agent, ...]
    context: str = "concat"
    lam: float = 1.0
    beta: float = 1.0
    pair_budget: int = 1
    clip_profiles: bool = False
    min_distance: float = 0.0
    performance_field: str | None = None
    gamma: float = 1.0
    delta_kb: float = 0.0
    epsilon: float = 1e-6
    normalise: str = "none"
    reward_clip: float | None = None
    reporter: str = "receiver"
    protocol: str = PROTOCOL
    name: str = ""
    description: str = ""
    source: Mapping[str, Any] = field(default_factory=dict)
    dialect: str = DEFAULT_DIALECT
    file: str = "(inline)"
    warnings: tuple[ConfigWarning, ...] = ()

    @property
    def dimension(self) -> int:
        """d_p, the number of profile fields."""
        return len(self.fields)

    @property
    def performance_index(self) -> int | None:
        """The profile coordinate that ranks agents for roles (MM-ROLE-1), if any."""
        names = [f.name for f in self.fields]
        return names.index(self.performance_field) if self.performance_field in names else None


TOP_FIELDS = {**FRAME_FIELDS, "profile": (), "agents": (), "context": ("context_map",), "bandit": ("linucb",),
              "matching": (), "reward": ()}
PROFILE_FIELDS = {"fields": (), "clip": ("clip_profiles",), "min_distance": (), "performance_field": ()}
BANDIT_FIELDS = {"lambda": ("lam", "l2_lambda", "lambda_param"), "beta": ("beta0", "alpha")}
MATCHING_FIELDS = {"pair_budget": ("k_pairs", "max_pairs_per_round", "kp")}
REWARD_FIELDS = {"gamma": ("gamma_reward",), "delta_kb": (), "epsilon": ("eps",), "normalise": ("normalize",),
                 "clip": (), "reporter": ()}


def _positive(section: Section, key: str, value: Any, *, allow_zero: bool = False,
              limit: float = MAX_MAGNITUDE) -> float:
    number = read_number(section, key, value)
    if number < 0 or (number == 0 and not allow_zero):
        raise section.error(key, f"must be {'>= 0' if allow_zero else '> 0'}, got {quote(value)}")
    if number > limit:
        raise section.error(key, f"{quote(value)} exceeds the limit {limit:g}")
    return number


def _lambda(section: Section, value: Any) -> float:
    number = _positive(section, "lambda", value)
    low, high = LAMBDA_RANGE
    if not low <= number <= high:
        raise section.error("lambda", f"must be between {low:g} and {high:g}, got {quote(value)}")
    return number


def _choice(section: Section, key: str, value: Any, choices: tuple[str, ...]) -> str:
    text = read_string(section, key, value)
    if text not in choices:
        raise section.error(key, f"unknown value {quote(text)}; choose one of {', '.join(choices)}")
    return text


def _read_fields(section: Section, value: Any) -> tuple[ProfileField, ...]:
    if not isinstance(value, list) or not value:
        raise section.error("fields", f"expected a non-empty list of {{name, low, high}}, got {type_name(value)}")
    if len(value) > MAX_DIMENSION:
        raise section.error("fields", f"{len(value)} fields exceed the limit of {MAX_DIMENSION}")
    out, seen = [], set()
    for i, item in enumerate(value):
        sub = section.child(f"fields[{i}]", item)
        found = sub.resolve({"name": (), "low": (), "high": ()})
        for key in ("name", "low", "high"):
            if key not in found:
                raise sub.error(key, "missing")
        name = read_string(sub, "name", found["name"])
        if name in seen:
            raise sub.error("name", f"field {quote(name)} given twice")
        seen.add(name)
        low, high = read_number(sub, "low", found["low"]), read_number(sub, "high", found["high"])
        if not -PROFILE_LIMIT <= low < high <= PROFILE_LIMIT:
            raise sub.error("high", f"bounds must satisfy low < high within ±{PROFILE_LIMIT:g}, got [{low}, {high}]")
        out.append(ProfileField(name, low, high))
    return tuple(out)


def read_profile_values(section: Section, key: str, value: Any, dimension: int) -> tuple[float, ...]:
    """A profile vector of exactly d_p finite numbers within the magnitude limit (MM-PROF-2)."""
    if not isinstance(value, list):
        raise section.error(key, f"expected a list of {dimension} numbers, got {type_name(value)}")
    if len(value) != dimension:
        raise section.error(key, f"expected {dimension} numbers (one per profile field), got {len(value)}")
    numbers = []
    for i, v in enumerate(value):
        number = read_number(section, f"{key}[{i}]", v)
        if abs(number) > PROFILE_LIMIT:
            raise section.error(f"{key}[{i}]", f"{quote(v)} exceeds the profile limit {PROFILE_LIMIT:g}")
        numbers.append(number)
    return tuple(numbers)


def _read_agents(top: Section, value: Any, dimension: int) -> tuple[Agent, ...]:
    if not isinstance(value, list) or len(value) < 2:
        raise top.error("agents", "expected a list of at least 2 agents ({id, profile})")
    if len(value) > MAX_AGENTS:
        raise top.error("agents", f"{len(value)} agents exceed the limit of {MAX_AGENTS}")
    out, seen = [], set()
    for i, item in enumerate(value):
        sub = top.child(f"agents[{i}]", item)
        found = sub.resolve({"id": (), "profile": ()})
        for key in ("id", "profile"):
            if key not in found:
                raise sub.error(key, "missing")
        agent_id = read_string(sub, "id", found["id"])
        if not agent_id or agent_id in seen:
            raise sub.error("id", f"agent ids must be non-empty and unique, got {quote(agent_id)}")
        seen.add(agent_id)
        out.append(Agent(agent_id, read_profile_values(sub, "profile", found["profile"], dimension)))
    return tuple(out)


def config_from_mapping(data: Mapping[str, Any], file: str = "(inline)") -> Config:
    """Build and validate a matchmaking Config from a parsed document (MM-CFG-1..3)."""
    top = Section(file, "", data)
    found = top.resolve(TOP_FIELDS)
    frame = read_frame(top, found, PROTOCOL, tuple(DIALECTS), DEFAULT_DIALECT)
    for required in ("profile", "agents"):
        if required not in found:
            raise top.error(required, "missing section")
    prof = top.child("profile", found["profile"])
    pf = prof.resolve(PROFILE_FIELDS)
    if "fields" not in pf:
        raise prof.error("fields", "missing")
    fields_ = _read_fields(prof, pf["fields"])
    agents = _read_agents(top, found["agents"], len(fields_))
    bandit = top.child("bandit", found.get("bandit", {}))
    bf = bandit.resolve(BANDIT_FIELDS)
    matching = top.child("matching", found.get("matching", {}))
    mf = matching.resolve(MATCHING_FIELDS)
    reward = top.child("reward", found.get("reward", {}))
    rf = reward.resolve(REWARD_FIELDS)
    budget = read_int(matching, "pair_budget", mf.get("pair_budget", 1))
    if not 1 <= budget <= MAX_AGENTS:
        raise matching.error("pair_budget", f"must be between 1 and {MAX_AGENTS}, got {quote(mf.get('pair_budget'))}")
    performance = pf.get("performance_field")
    if performance is not None:
        performance = read_string(prof, "performance_field", performance)
        if performance not in [f.name for f in fields_]:
            raise prof.error("performance_field", f"{quote(performance)} is not one of the profile fields")
    if DIALECTS[frame.dialect].roles == "performance" and performance is None:
        raise prof.error("performance_field", f"required by dialect {frame.dialect!r} (the higher performer teaches)")
    clip = rf.get("clip")
    config = Config(
        fields=fields_, agents=agents,
        context=_choice(top, "context", found.get("context", "concat"), CONTEXT_MAPS),
        lam=_lambda(bandit, bf.get("lambda", 1.0)),
        beta=_positive(bandit, "beta", bf.get("beta", 1.0), allow_zero=True, limit=PARAMETER_LIMIT),
        pair_budget=budget,
        clip_profiles=read_bool(prof, "clip", pf.get("clip", False)),
        min_distance=_positive(prof, "min_distance", pf.get("min_distance", 0.0), allow_zero=True,
                               limit=PROFILE_LIMIT),
        performance_field=performance,
        gamma=_positive(reward, "gamma", rf.get("gamma", 1.0), limit=PARAMETER_LIMIT),
        delta_kb=_positive(reward, "delta_kb", rf.get("delta_kb", 0.0), allow_zero=True, limit=PARAMETER_LIMIT),
        epsilon=_positive(reward, "epsilon", rf.get("epsilon", 1e-6), limit=1.0),
        normalise=_choice(reward, "normalise", rf.get("normalise", "none"), NORMALISATIONS),
        reward_clip=None if clip is None else _positive(reward, "clip", clip, limit=REWARD_LIMIT),
        reporter=_choice(reward, "reporter", rf.get("reporter", "receiver"), REPORTERS),
        name=frame.name, description=frame.description, source=frame.source, dialect=frame.dialect, file=file,
    )
    return Config(**{**config.__dict__, "warnings": config_warnings(config)})


def config_warnings(config: Config) -> tuple[ConfigWarning, ...]:
    """Spec constraints the config does not enforce (MM-CFG-W): reported, not rejected."""
    out = []
    for i, agent in enumerate(config.agents):
        for j, (v, f) in enumerate(zip(agent.profile, config.fields, strict=True)):
            if not f.low <= v <= f.high:
                out.append(ConfigWarning(f"agents[{i}].profile[{j}]", f"{v} outside [{f.low}, {f.high}]", "MM-PROF-1"))
    if config.context == "concat":
        out.append(ConfigWarning("context", "a linear score over [p_i, p_j] cannot express cross-agent interaction "
                                 "and is not order-symmetric", "MM-CTX-1"))
    return tuple(out)


def to_canonical(config: Config) -> dict[str, Any]:
    """The document ``config_from_mapping`` reads back into an equal Config."""
    doc = frame_to_canonical(config)
    profile: dict[str, Any] = {"fields": [{"name": f.name, "low": f.low, "high": f.high} for f in config.fields],
                               "clip": config.clip_profiles, "min_distance": config.min_distance}
    if config.performance_field is not None:
        profile["performance_field"] = config.performance_field
    reward: dict[str, Any] = {"gamma": config.gamma, "delta_kb": config.delta_kb, "epsilon": config.epsilon,
                              "normalise": config.normalise, "reporter": config.reporter}
    if config.reward_clip is not None:
        reward["clip"] = config.reward_clip
    doc.update({
        "profile": profile, "agents": [{"id": a.id, "profile": list(a.profile)} for a in config.agents],
        "context": config.context, "bandit": {"lambda": config.lam, "beta": config.beta},
        "matching": {"pair_budget": config.pair_budget}, "reward": reward,
    })
    return doc


def load_config(path: str | Path) -> Config:
    """Read a matchmaking config file (JSON, YAML or TOML)."""
    return config_from_mapping(read_document(path), file=str(path))


__all__ = ["CONTEXT_MAPS", "PROTOCOL", "Agent", "Config", "ConfigError", "ProfileField", "config_from_mapping",
           "load_config", "to_canonical"]
