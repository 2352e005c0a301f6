"""The hostile-input fuzz suite (issue 8, Build item 4; spec/peerproof.md PP-LIMIT, PP-DOC).

Mutated bundled configs of every protocol and mutated example traces: each input is accepted (and then
usable: finite canonical JSON, finite scores, a replay that finishes) or refused with ``ConfigError``
naming the file; never another exception, never more work than its size allows (a call count). A few
hundred inputs per CI run; 10,000 of each kind on the ``deep`` profile (HYPOTHESIS_PROFILE=deep).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hostile_inputs import (
    OverBudget,
    gossipsub_script,
    hostile_documents,
    seed_documents,
    synthesised_events,
    usable,
    within_budget,
)
from hypothesis import HealthCheck, given, settings
from peerproof.reference.configfile import ConfigError, read_document
from peerproof.reference.events import EventError
from peerproof.reference.model import get_model
from peerproof.reference.trace import record, replay, trace_from_text, trace_to_dict

import peerproof

DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "deep"
CONFIG_EXAMPLES = 10_000 if DEEP else 250
TRACE_EXAMPLES = 10_000 if DEEP else 150
SEEDS = seed_documents()


def example_trace_documents() -> list[tuple[str, Any]]:
    """Trace documents recorded from every bundled config: GossipSub's with events on every counter, every
    protocol's with events synthesised from its event classes (none where its events are not read by the
    shared codec: its config alone, and the fuzzer adds and damages events)."""
    out = []
    for name, doc in SEEDS:
        model = get_model(doc["protocol"])
        config = model.config_from_mapping(doc, file=name)
        if model.protocol == "gossipsub":
            events = [model.event_from_dict(e) for e in gossipsub_script(sorted(config.topics)[0])]
            out.append((name, trace_to_dict(record(model.protocol, config, events))))
        out.append((f"{name}-synthesised", trace_to_dict(record(model.protocol, config,
                                                                synthesised_events(model, config, doc)))))
    return out


TRACE_SEEDS = example_trace_documents()


def assert_refusal(exc: ConfigError, path: Path) -> None:
    """A refusal names the file, fits on a line and quotes little of the input (PP-LIMIT-8; a list of the
    known field names, bounded by the schema and not by the input, may follow)."""
    text = str(exc)
    assert text.startswith(f"{path}: "), text
    assert len(text) < len(str(path)) + 1500, text
    assert "\n" not in text, text


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@settings(max_examples=CONFIG_EXAMPLES, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(doc=hostile_documents(SEEDS))
def test_hostile_config_is_accepted_or_refused_with_config_error(doc: tuple[str, bytes], workdir: Path) -> None:
    """PP-LIMIT, PP-DOC: a mutated bundled config is a usable Config or a located ConfigError, in bounded work."""
    suffix, data = doc
    path = workdir / f"config{suffix}"
    path.write_bytes(data)
    try:
        config = within_budget(lambda: peerproof.load_config(path), len(data))
    except ConfigError as exc:
        assert_refusal(exc, path)
        return
    within_budget(lambda: usable(config), len(data))
    if config.protocol == "gossipsub":
        within_budget(lambda: assert_finite_scores(config), len(data))


def assert_finite_scores(config: Any) -> None:
    """GS-CFG-E-bounds: an accepted GossipSub config keeps every observable finite under the example events."""
    model = get_model("gossipsub")
    events = [model.event_from_dict(e) for e in gossipsub_script(sorted(config.topics)[0] if config.topics else "t")]
    for _i, _event, state in model.states(config, events):
        json.dumps(model.observe(config, state, model.get_dialect(config.dialect)), allow_nan=False)


@settings(max_examples=TRACE_EXAMPLES, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(doc=hostile_documents(TRACE_SEEDS))
def test_hostile_trace_is_accepted_or_refused_with_config_error(doc: tuple[str, bytes], workdir: Path) -> None:
    """PP-LIMIT, PP-DOC: a mutated example trace reads and replays, or is a located ConfigError; bounded work."""
    _suffix, data = doc
    path = workdir / "trace.json"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return  # the trace file reader refuses non-UTF-8 before the text reader (PP-DOC-1)
    try:
        trace = within_budget(lambda: trace_from_text(text, str(path)), len(data))
    except ConfigError as exc:
        assert_refusal(exc, path)
        return
    try:
        mismatches = within_budget(lambda: replay(trace), len(data))
    except (EventError, ConfigError):
        return  # an event the model refuses (out of order, naming what the config lacks): exit 2 in the CLI
    json.dumps([(m.after, m.path) for m in mismatches])


def test_hostile_seeds_cover_every_bundled_protocol() -> None:
    """The fuzzer picks up every protocol's bundled configs by globbing spec/configs/*/ (none hard-coded)."""
    protocols = {doc["protocol"] for _name, doc in SEEDS}
    folders = {p.parent.name for p in (Path(__file__).resolve().parents[2] / "spec" / "configs").glob("*/*.yaml")}
    assert folders <= protocols
    assert "gossipsub" in protocols


def test_hostile_budget_catches_runaway_work() -> None:
    """The work budget itself: an action that loops past its allowance is stopped (check the checker)."""
    with pytest.raises(OverBudget):
        within_budget(lambda: [abs(i) for i in range(10_000)], size=0, base=1000, per_byte=0)


def test_hostile_bundled_configs_read_as_before(workdir: Path) -> None:
    """PP-DOC-4: the YAML 1.2 core reader reads every bundled config exactly as the YAML 1.1 reader did."""
    import yaml

    for path in sorted((Path(__file__).resolve().parents[2] / "spec" / "configs").glob("*/*.yaml")):
        assert read_document(path) == yaml.safe_load(path.read_text()), path
