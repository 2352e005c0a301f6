"""Config reading (spec §10, MM-CFG-*): bundled configs regenerate from their sources, round-trip, and every
bad input is a ConfigError naming the file and the field path."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from peerproof.reference.configfile import ConfigError
from peerproof.reference.matchmaking import MODEL, config_from_mapping, load_config
from peerproof.reference.matchmaking.derivation import BUILDERS, release_contexts, render

CONFIGS = Path(__file__).resolve().parents[2] / "spec" / "configs" / "matchmaking"


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_matchmaking_bundled_config_is_what_its_derivation_writes(name: str) -> None:
    assert (CONFIGS / f"{name}.yaml").read_text() == render(name)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_matchmaking_config_round_trips_through_canonical_form(name: str) -> None:
    config = load_config(CONFIGS / f"{name}.yaml")
    assert MODEL.config_from_mapping(MODEL.to_canonical(config), file=config.file) == config
    assert config.protocol == "matchmaking" and config.name == name and config.source["commit"]


def test_matchmaking_release_profiles_are_standardised_as_the_simulator_makes_them() -> None:
    contexts = release_contexts()
    assert contexts.shape == (16, 16)
    assert abs(contexts.mean(axis=1)).max() < 1e-9
    assert abs(contexts.std(axis=1) - 1).max() < 1e-5  # (x − mean)/(std + 1e-6)


BASE = yaml.safe_load((CONFIGS / "paper.yaml").read_text())


def _broken(path: str, value: object) -> dict:
    doc = copy.deepcopy(BASE)
    node = doc
    keys = path.split(".")
    for key in keys[:-1]:
        node = node[int(key)] if isinstance(node, list) else node[key]
    last = keys[-1]
    if isinstance(node, list):
        node[int(last)] = value
    elif value is KeyError:
        del node[last]
    else:
        node[last] = value
    return doc


@pytest.mark.parametrize(("path", "value", "where"), [
    ("bandit.lambda", 0, "bandit.lambda"),
    ("bandit.lambda", -1.0, "bandit.lambda"),
    ("bandit.lambda", 1e-9, "bandit.lambda"),
    ("agents.2.profile.0", 1e7, "agents[2].profile[0]"),
    ("bandit.beta", float("nan"), "bandit.beta"),
    ("matching.pair_budget", 0, "matching.pair_budget"),
    ("agents.0.profile", [0.1, 0.2], "agents[0].profile"),
    ("agents.1.profile.3", float("inf"), "agents[1].profile[3]"),
    ("agents.1.profile.3", float("nan"), "agents[1].profile[3]"),
    ("dialect", "knexa", "dialect"),
    ("reward.normalize", "zscore", "reward.normalize"),
    ("reward.gama", 1.0, "reward.gama"),
    ("context", "outer", "context"),
    ("reward.reporter", "teacher", "reward.reporter"),
    ("profile.performance_field", KeyError, "profile.performance_field"),
    ("profile.fields.0.low", 5.0, "profile.fields[0].high"),
])
def test_matchmaking_bad_input_names_file_and_field(path: str, value: object, where: str) -> None:
    with pytest.raises(ConfigError) as info:
        config_from_mapping(_broken(path, value), file="bad.yaml")
    assert str(info.value).startswith(f"bad.yaml: {where}: "), str(info.value)


def test_matchmaking_performance_dialect_on_a_config_without_performance_field_is_an_input_error() -> None:
    config = load_config(CONFIGS / "knexa-code.yaml")
    with pytest.raises(ConfigError, match=r"profiles\.performance_field: required by dialect 'paper'"):
        MODEL.start(config, dialect="paper")


def test_matchmaking_check_in_a_dialect_the_config_cannot_run_exits_2_naming_the_field(capsys) -> None:
    from peerproof.cli import main

    assert main(["check", "knexa-code", "--dialect", "paper", "--no-replays"]) == 2
    assert "knexa-code.yaml: profiles.performance_field: required by dialect 'paper'" in capsys.readouterr().err
