"""RK-CFG: bundled configs load and round-trip; bad input is a ConfigError naming file and field (exit 2)."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
from peerproof.reference.configfile import ConfigError
from peerproof.reference.ranking import config_from_mapping, load_config, to_canonical

CONFIGS = Path(__file__).resolve().parents[2] / "spec" / "configs" / "ranking"
NAMES = sorted(p.stem for p in CONFIGS.glob("*.yaml"))
BASE = {"protocol": "ranking", "candidates": {"a": None, "b": {"author": "j1"}},
        "judges": {"j1": {"reputation": 0.5, "ranking": "a>b"}, "j2": {"reputation": 0.4}},
        "comparisons": [{"judge": "j2", "first": "b", "second": "a", "outcome": "first"}]}


@pytest.mark.parametrize("name", NAMES)
def test_bundled_config_round_trips_through_its_canonical_form(name: str) -> None:
    config = load_config(CONFIGS / f"{name}.yaml")
    assert config.name == name and config.source.get("repository")
    assert config_from_mapping(to_canonical(config), file=config.file) == config


def edit(path: str, value: object) -> dict:
    doc = copy.deepcopy(BASE)
    *parents, last = path.split(".")
    node = doc
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if isinstance(node, list):
        node[int(last)] = value
    elif value is KeyError:
        del node[last]
    else:
        node[last] = value
    return doc


BAD = [
    ("judges.j9", {"reputation": 0.1}, None, None),  # a valid extra judge: control case
    ("comparisons.0.judge", "ghost", "comparisons[0].judge", "unknown judge"),
    ("comparisons.0.first", "zz", "comparisons[0].first", "unknown candidate"),
    ("comparisons.0.second", "b", "comparisons[0].second", "self-comparison"),
    ("comparisons.0.outcome", "maybe", "comparisons[0].outcome", "expected one of"),
    ("judges.j1.reputation", -0.5, "judges.j1.reputation", "expected a number >= 0"),
    ("judges.j1.reputation", float("nan"), "judges.j1.reputation", "not a finite number"),
    ("judges.j1.stake", -1, "judges.j1.stake", ">= 0"),
    ("judges.j1.ranking", "a>c", "judges.j1.ranking", "unknown candidate"),
    ("judges.j1.ranking", "a", "judges.j1.ranking", "exactly once"),
    ("candidates", {"a": None}, "candidates", "at least 2 candidates"),
    ("aggregation", {"tolerance": 0}, "aggregation.tolerance", "> 0"),
    ("aggregation", {"tolerance": -1e-9}, "aggregation.tolerance", "> 0"),
    ("aggregation", {"solver": "newton"}, "aggregation.solver", "unknown solver"),
    ("aggregation", {"toleranse": 1e-9}, "aggregation.toleranse", "did you mean 'tolerance'"),
    ("reputation", {"learning_rate": 0}, "reputation.learning_rate", "> 0"),
    ("judges", {}, "judges", "at least one judge"),
]


@pytest.mark.parametrize(("path", "value", "field", "message"), BAD)
def test_bad_input_is_a_config_error_naming_the_field(path: str, value: object, field: str | None,
                                                      message: str | None) -> None:
    doc = edit(path, value)
    if field is None:
        config_from_mapping(doc, file="x.yaml")
        return
    with pytest.raises(ConfigError) as caught:
        config_from_mapping(doc, file="x.yaml")
    assert caught.value.file == "x.yaml" and caught.value.path == field and message in caught.value.message


def test_an_empty_round_is_rejected() -> None:
    doc = copy.deepcopy(BASE)
    doc["comparisons"] = []
    del doc["judges"]["j1"]["ranking"]
    with pytest.raises(ConfigError, match="empty round"):
        config_from_mapping(doc, file="x.yaml")


def test_exclude_own_false_is_a_warning() -> None:
    doc = copy.deepcopy(BASE)
    doc["aggregation"] = {"exclude_own": False}
    assert [w.rule for w in config_from_mapping(doc).warnings] == ["RK-ROUND-4"]


def test_peerproof_validate_exits_2_with_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(edit("comparisons.0.judge", "ghost")))
    cli = str(Path(sys.executable).parent / "peerproof")
    done = subprocess.run([cli, "check", str(bad)], capture_output=True, text=True)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{bad}: comparisons[0].judge: unknown judge" in done.stderr
    assert "Traceback" not in done.stderr
