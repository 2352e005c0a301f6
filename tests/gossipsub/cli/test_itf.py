"""ITF export (GS-ITF, PP-ITF): exact rationals for every real, one state per event, readable back with itf-py;
traces (GS-TRACE-1, GS-TRACE-2) exported as they replay."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from peerproof.reference.trace import Trace

from peerproof import itf
from peerproof.itf import itf_scores, rational, real_from_itf, trace_to_itf, write_itf
from peerproof.traceio import walk


def leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for v in value.values():
            yield from leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from leaves(v)
    else:
        yield value


def test_scores_read_back_equal_to_the_model_bit_for_bit(small_trace: Trace) -> None:
    model = small_trace.model
    d = model.get_dialect(small_trace.dialect)
    expected = [{p: o["score"] for p, o in model.observe(small_trace.config, s, d)["peers"].items()}
                for _i, _e, s in walk(small_trace)]
    assert itf_scores(trace_to_itf(small_trace)) == expected
    assert any(score != int(score) for scores in expected for score in scores.values())  # real fractions occur


def test_no_floats_and_no_nulls_in_states(small_trace: Trace) -> None:
    doc = trace_to_itf(small_trace)
    assert all(not isinstance(x, float) and x is not None for x in leaves(doc["states"]))


def test_reals_are_tuples_of_two_bigints(small_trace: Trace) -> None:
    state = trace_to_itf(small_trace)["states"][-1]
    score = dict(state["scores"]["#map"])["lazy"]
    n, d = (int(part["#bigint"]) for part in score["#tup"])
    assert d > 0 and math.gcd(n, d) == 1
    assert Fraction(n, d) < 0


def test_one_state_per_event_with_every_var(small_trace: Trace) -> None:
    doc = trace_to_itf(small_trace)
    assert len(doc["states"]) == len(small_trace.events)
    assert doc["vars"][:3] == ["event", "time_ms", "scores"]
    for i, (state, event) in enumerate(zip(doc["states"], small_trace.events, strict=True)):
        assert set(doc["vars"]) <= set(state)
        assert state["#meta"] == {"index": i}
        assert state["time_ms"] == {"#bigint": str(event.at_ms)}
        assert state["event"]["kind"] == event.kind
        assert state["event"]["at_ms"] == {"#bigint": str(event.at_ms)}


def test_meta_names_format_protocol_dialect_claim_and_source(small_trace: Trace) -> None:
    meta = trace_to_itf(small_trace, source="example.json")["#meta"]
    assert meta["format"] == "ITF"
    assert (meta["protocol"], meta["dialect"], meta["source"]) == ("gossipsub", "go", "example.json")
    assert "claim" in meta and meta["config"]["name"] == "test-small"


def test_maps_sets_and_records(small_trace: Trace) -> None:
    state = trace_to_itf(small_trace)["states"][-1]
    peers = dict(state["peers"]["#map"])
    honest = peers["honest"]
    assert honest["connected"] is True
    assert "#map" in honest["topics"]
    assert all("#set" in members for _topic, members in state["mesh"]["#map"])


def test_written_file_is_adr015_json(small_trace: Trace, tmp_path: Path) -> None:
    path = write_itf(small_trace, tmp_path / "t.itf.json")
    doc = json.loads(path.read_text())
    assert "loop" not in doc  # optional in ADR-015; itf-py would write null
    assert doc["params"] == []
    assert itf_scores(doc) == itf_scores(trace_to_itf(small_trace))
    assert [p.name for p in tmp_path.iterdir()] == ["t.itf.json"]


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_rational_encoding_is_exact(x: float) -> None:
    assert real_from_itf(rational(x)) == x


def test_observation_states_are_the_recorded_observations(small_trace: Trace) -> None:
    doc = trace_to_itf(small_trace, states="observations")
    assert len(doc["states"]) == len(small_trace.observations)
    recorded = [{p: o["score"] for p, o in obs["values"]["peers"].items()} for obs in small_trace.observations]
    assert itf_scores(doc) == recorded
    assert "one state per recorded observation" in doc["#meta"]["description"]


def test_auto_states_are_per_event_unless_the_trace_is_long(small_trace: Trace,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(trace_to_itf(small_trace)["states"]) == len(small_trace.events)
    monkeypatch.setattr(itf, "ITF_EVENT_LIMIT", len(small_trace.events) - 1)
    assert len(trace_to_itf(small_trace)["states"]) == len(small_trace.observations)
