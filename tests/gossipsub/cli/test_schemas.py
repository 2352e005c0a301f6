"""The JSON schemas in spec/schemas describe what peerproof writes: traces and canonical configs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from peerproof.reference.gossipsub import load_config, to_canonical
from peerproof.reference.gossipsub.params import ROUTER_FIELDS, SCORE_FIELDS, THRESHOLD_FIELDS, TOPIC_FIELDS
from peerproof.reference.trace import Trace, trace_to_dict

from peerproof.catalogue import bundled_configs
from peerproof.traceio import write_trace

ROOT = Path(__file__).resolve().parents[3]
SCHEMAS = ROOT / "spec" / "schemas"
DATA = ROOT / "tests" / "gossipsub" / "data"
TEST_CONFIGS = [DATA / name for name in ("gossipsub-small.yaml", "gossipsub-wide.yaml", "spelling-go.json",
                                         "spelling-js.json", "spelling-rust.toml")]


def schema(name: str) -> dict[str, Any]:
    doc = json.loads((SCHEMAS / name).read_text())
    jsonschema.Draft202012Validator.check_schema(doc)
    return doc


def validate(doc: Any, name: str) -> None:
    jsonschema.Draft202012Validator(schema(name)).validate(doc)


def test_written_traces_match_the_trace_schema(small_trace: Trace, tmp_path: Path) -> None:
    path = write_trace(small_trace, tmp_path / "trace.json")
    validate(json.loads(path.read_text()), "trace.schema.json")
    claimed = trace_to_dict(small_trace) | {"claim": {"property": "GS-7", "verdict": "violated", "bound": 400}}
    validate(claimed, "trace.schema.json")


def test_trace_schema_rejects_a_negative_time(small_trace: Trace) -> None:
    doc = trace_to_dict(small_trace)
    doc["events"][0]["at"] = -1
    with pytest.raises(jsonschema.ValidationError):
        validate(doc, "trace.schema.json")


@pytest.mark.parametrize("path", TEST_CONFIGS, ids=lambda p: p.name)
def test_canonical_test_configs_match_the_config_schema(path: Path) -> None:
    validate(to_canonical(load_config(path)), "gossipsub-config.schema.json")


@pytest.mark.parametrize("entry", bundled_configs("gossipsub"), ids=lambda e: e.name)
def test_canonical_bundled_configs_match_the_config_schema(entry: Any) -> None:
    validate(to_canonical(load_config(entry.path)), "gossipsub-config.schema.json")


def test_config_schema_knows_exactly_the_model_fields() -> None:
    doc = schema("gossipsub-config.schema.json")
    props = doc["properties"]
    assert set(props["router"]["properties"]) == set(ROUTER_FIELDS)
    assert set(props["score_params"]["properties"]) == set(SCORE_FIELDS) | {"topics"}
    assert set(props["thresholds"]["properties"]) == set(THRESHOLD_FIELDS)
    assert set(doc["$defs"]["topic"]["properties"]) == set(TOPIC_FIELDS)


def test_config_schema_rejects_unknown_fields_and_unitless_durations() -> None:
    doc = to_canonical(load_config(DATA / "gossipsub-small.yaml"))
    misspelt = json.loads(json.dumps(doc))
    misspelt["score_params"]["topics"]["blocks"]["mesh_message_delivery_window"] = "2s"
    unitless = json.loads(json.dumps(doc))
    unitless["score_params"]["decay_interval"] = 12
    for bad in (misspelt, unitless):
        with pytest.raises(jsonschema.ValidationError):
            validate(bad, "gossipsub-config.schema.json")
