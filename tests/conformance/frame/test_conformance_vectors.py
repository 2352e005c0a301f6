"""The committed vectors (PP-ADAPTER-8), every protocol's: behaviour cases regenerate without drift; attack
cases replay, are confirmed by the witness and match the manifest's violations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from peerproof.attacks.checks import Job, get_checks
from peerproof.reference.trace import replay
from peerproof.spec import CONFIG_DIR

from peerproof.vectors import RECIPES, load_cases, vector_root, write_vectors

PROTOCOLS = sorted(p.name for p in vector_root().iterdir() if (p / RECIPES).is_file())


def test_pp_adapter_every_protocol_has_vectors() -> None:
    assert PROTOCOLS == ["crdt", "gossipsub", "matchmaking", "ranking"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_pp_adapter_behaviour_vectors_regenerate_without_drift(protocol: str, tmp_path: Path) -> None:
    write_vectors(protocol, tmp_path, attacks=False)
    fresh = {p.relative_to(tmp_path / protocol / "cases"): p.read_text()
             for p in (tmp_path / protocol / "cases").rglob("*.json")}
    base = vector_root() / protocol / "cases"
    committed = {p.relative_to(base): p.read_text() for p in base.rglob("*.json")}
    assert set(fresh) == set(committed)
    assert [k for k in fresh if fresh[k] != committed[k]] == []


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_pp_adapter_attack_vectors_replay_and_match_the_manifest(protocol: str) -> None:
    checks = get_checks(protocol)
    cases = load_cases(protocol, "attacks")
    manifest = json.loads((CONFIG_DIR / protocol / "expected.json").read_text())["configs"]
    wanted = {f"{name}--{e['property']}" for name, entries in manifest.items() for e in entries
              if e["verdict"] == "violated"}
    assert {c.name for c in cases} == wanted
    for case in cases:
        [dialect] = case.expected
        trace = case.trace(dialect)
        assert replay(trace) == [], case.name
        claim = case.claim or {}
        assert checks.witness(case.config, Job(claim["property"], claim["topic"]), trace), case.name
