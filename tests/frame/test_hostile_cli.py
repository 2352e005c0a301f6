"""The CLI on hostile input (issue 8 acceptance): ``validate``, ``score``, ``replay`` and ``check`` exit 2
with a short ``FILE: field: message`` on stderr and no traceback (spec/peerproof.md PP-LIMIT, PP-DOC).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile_inputs import SMALL_GOSSIPSUB, gossipsub_script, hostile_documents, seed_documents
from hypothesis import HealthCheck, given, settings
from peerproof.reference.gossipsub import MODEL, config_from_mapping
from peerproof.reference.trace import record, trace_to_dict

from peerproof import cli

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """``peerproof ARGS`` in-process: (exit code, stdout, stderr)."""
    def invoke(*argv: str | Path) -> tuple[int, str, str]:
        code = cli.main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err
    return invoke


def assert_bad_input(result: tuple[int, str, str], file: Path) -> None:
    """Exit 2, the file named on stderr, no traceback, no internal error, a short message."""
    code, _out, err = result
    assert code == 2, err
    assert str(file) in err, err
    assert "Traceback" not in err and "internal error" not in err, err
    assert max(len(line) for line in err.splitlines()) < len(str(file)) + 1500, err


CONFIG_CASES = {
    "huge_int.json": json.dumps(SMALL_GOSSIPSUB).replace('"topic_weight": 0.5', '"topic_weight": 1' + "0" * 320),
    "digits.json": json.dumps(SMALL_GOSSIPSUB).replace('"topic_weight": 0.5', '"topic_weight": ' + "7" * 5000),
    "long_duration.json": json.dumps(SMALL_GOSSIPSUB).replace('"1s"', '"' + "1" * 20_000 + '"', 1),
    "deep.json": json.dumps(SMALL_GOSSIPSUB)[:-1] + ', "x": ' + "[" * 990 + "]" * 990 + "}",
    "deep.yaml": "protocol: gossipsub\nx: " + "[" * 490 + "]" * 490 + "\n",
    "deep.toml": 'protocol = "gossipsub"\nx = ' + "{a=" * 330 + "1" + "}" * 330 + "\n",
    "bool_tag.yaml": "protocol: gossipsub\nx: !!bool maybe\n",
    "sexagesimal.yaml": json.dumps(SMALL_GOSSIPSUB).replace('"heartbeat_interval": "1s"', '"heartbeat_interval": 1:30'),
    "null_topic.yaml": json.dumps(SMALL_GOSSIPSUB).replace('"blocks":', "null:"),
    "duplicate.json": json.dumps(SMALL_GOSSIPSUB).replace('"decay_to_zero": 0.01', '"decay_to_zero": 0.01, '
                                                                                  '"decay_to_zero": 0.5'),
    "duplicate.yaml": json.dumps(SMALL_GOSSIPSUB).replace('"decay_to_zero": 0.01', '"decay_to_zero": 0.01, '
                                                                                  '"decay_to_zero": 0.5'),
    "fullwidth.json": json.dumps(SMALL_GOSSIPSUB, ensure_ascii=False).replace('"1s"', '"１２s"', 1),
    "weight_1e308.json": json.dumps(SMALL_GOSSIPSUB).replace('"topic_weight": 0.5', '"topic_weight": 1e308'),
    "huge_value.json": json.dumps(SMALL_GOSSIPSUB).replace('"1s"', '"' + "x" * 1_800_000 + '"', 1),
}


@pytest.mark.parametrize("name", sorted(CONFIG_CASES))
def test_hostile_validate_exits_2_naming_the_file(run: Run, tmp_path: Path, name: str) -> None:
    """Every config class of issue 8 through ``peerproof validate``."""
    path = tmp_path / name
    path.write_text(CONFIG_CASES[name], encoding="utf-8")
    assert_bad_input(run("validate", path), path)


@pytest.mark.parametrize("name", ["huge_int.json", "deep.yaml", "bool_tag.yaml", "weight_1e308.json"])
def test_hostile_check_exits_2_naming_the_file(run: Run, tmp_path: Path, name: str) -> None:
    """``peerproof check`` refuses the same configs before any engine runs."""
    path = tmp_path / name
    path.write_text(CONFIG_CASES[name], encoding="utf-8")
    assert_bad_input(run("check", path), path)


def good_config(tmp_path: Path) -> Path:
    path = tmp_path / "small.json"
    path.write_text(json.dumps(SMALL_GOSSIPSUB))
    return path


def trace_text() -> str:
    config = config_from_mapping(SMALL_GOSSIPSUB, file="(small)")
    events = [MODEL.event_from_dict(e) for e in gossipsub_script("blocks")]
    return json.dumps(trace_to_dict(record("gossipsub", config, events)))


TRACE_CASES = {
    "kind_list.json": lambda t: t.replace('"kind": "tick"', '"kind": []'),
    "at_1e300.json": lambda t: t.replace('"at": 100000.0', '"at": 1e300'),
    "at_1e12.json": lambda t: t.replace('"at": 100000.0', '"at": 1e12'),
    "penalty_1e300.json": lambda t: t.replace('"count": 3.0', '"count": 1e300'),
    "nan_time.json": lambda t: t.replace('"time": 0.0', '"time": NaN', 1),
    "null_msg.json": lambda t: t.replace('"msg": "m1"', '"msg": null', 1),
    "seed_digits.json": lambda t: t.replace('"seed": 0', '"seed": ' + "9" * 400),
}
TRACE_FILE_CASES = {
    "deep.json": lambda t: t[:-1] + ', "meta": ' + "[" * 5000 + "]" * 5000 + "}",
    "int_5000_digits.json": lambda t: t.replace('"seed": 0', '"seed": ' + "9" * 5000),
    "duplicate.json": lambda t: t.replace('"seed": 0', '"seed": 0, "seed": 1'),
}


@pytest.mark.parametrize("name", sorted(TRACE_CASES))
def test_hostile_replay_and_score_exit_2_naming_the_trace(run: Run, tmp_path: Path, name: str) -> None:
    """Trace classes of issue 8 through ``peerproof replay`` and ``peerproof score``."""
    text = trace_text()
    mutated = TRACE_CASES[name](text)
    assert mutated != text, name
    path = tmp_path / name
    path.write_text(mutated)
    assert_bad_input(run("replay", path), path)
    assert_bad_input(run("score", good_config(tmp_path), path), path)


@pytest.mark.parametrize("name", sorted(TRACE_FILE_CASES))
def test_hostile_trace_file_reader_uses_the_strict_reader(run: Run, tmp_path: Path, name: str) -> None:
    """Deep nesting, 5,000-digit integers and duplicate keys in a trace file (the file reader's part)."""
    path = tmp_path / name
    path.write_text(TRACE_FILE_CASES[name](trace_text()))
    assert_bad_input(run("replay", path), path)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                  HealthCheck.data_too_large])
@given(doc=hostile_documents(seed_documents()))
def test_hostile_validate_sample_of_fuzzed_configs(run: Run, tmp_path: Path, doc: tuple[str, bytes]) -> None:
    """A sample of the fuzz suite's configs through the CLI: exit 0, or exit 2 naming the file; never 4/3."""
    suffix, data = doc
    path = tmp_path / f"fuzzed{suffix}"
    path.write_bytes(data)
    code, out, err = run("validate", path)
    if code != 0:
        assert_bad_input((code, out, err), path)
