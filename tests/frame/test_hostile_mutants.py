"""Check the checkers (issue 8): each reader guarantee, removed from a mutant reader, lets at least one
hostile input of the regression suite through: a crash, or an input accepted that must be refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hostile_inputs import SMALL_GOSSIPSUB
from peerproof.reference import configfile, documents
from peerproof.reference.configfile import ConfigError

import peerproof

MUST_REFUSE = [
    (".yaml", "protocol: gossipsub\nx: !!bool maybe\n"),
    (".yaml", json.dumps(SMALL_GOSSIPSUB).replace('"heartbeat_interval": "1s"', '"heartbeat_interval": 1:30')),
    (".yaml", json.dumps(SMALL_GOSSIPSUB).replace('"blocks":', "1:")),
    (".json", json.dumps(SMALL_GOSSIPSUB).replace('"decay_to_zero": 0.01',
                                                  '"decay_to_zero": 0.01, "decay_to_zero": 0.5')),
    (".json", json.dumps(SMALL_GOSSIPSUB).replace('"topic_weight": 0.5', '"topic_weight": 1' + "0" * 320)),
    (".json", json.dumps(SMALL_GOSSIPSUB).replace('"topic_weight": 0.5', '"topic_weight": 1e308')),
    (".json", json.dumps(SMALL_GOSSIPSUB).replace('"topic_weight": 0.5', '"topic_weight": ' + "7" * 5000)),
    (".json", json.dumps(SMALL_GOSSIPSUB, ensure_ascii=False).replace('"1s"', '"１２s"', 1)),
]


def escapes(tmp_path: Path) -> list[str]:
    """The inputs of MUST_REFUSE that are not refused with ConfigError (crashes and wrong acceptances)."""
    out = []
    for i, (suffix, text) in enumerate(MUST_REFUSE):
        path = tmp_path / f"case{i}{suffix}"
        path.write_text(text, encoding="utf-8")
        try:
            peerproof.load_config(path)
            out.append(f"case {i}: accepted")
        except ConfigError:
            continue
        except Exception as exc:
            out.append(f"case {i}: {type(exc).__name__}")
    return out


def lenient_yaml(text: str) -> object:
    return yaml.safe_load(text)


def lenient_json(text: str) -> object:
    return json.loads(text)


def unlimited_number(section: configfile.Section, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise section.error(key, "expected a number")
    return float(value)


MUTANTS: dict[str, tuple[object, str, Callable[..., object]]] = {
    "YAML 1.1 reader": (documents, "_parse_yaml", lenient_yaml),
    "JSON reader keeping duplicates": (documents, "_parse_json", lenient_json),
    "number literals unmeasured": (documents, "number_literal", lambda text, convert: convert(text)),
    "no magnitude limit": (configfile, "read_number", unlimited_number),
}


def test_hostile_reader_passes_every_case(tmp_path: Path) -> None:
    """The real readers refuse every case (so the mutant results below are the mutants' doing)."""
    assert escapes(tmp_path) == []


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_hostile_cases_catch_a_mutant_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Each guarantee removed lets a hostile input through."""
    module, attribute, replacement = MUTANTS[name]
    monkeypatch.setattr(module, attribute, replacement)
    if attribute == "read_number":
        from peerproof.reference.gossipsub import config as gossipsub_config
        monkeypatch.setattr(gossipsub_config, "read_number", replacement)
    assert escapes(tmp_path), f"the mutant '{name}' passed every case"
