"""The committed vectors (PP-ADAPTER-8): behaviour cases regenerate without drift; attack cases replay, are
confirmed by the witness and match the manifest's violations."""

from __future__ import annotations

import json
from pathlib import Path

from peerproof.attacks.checks import Job, get_checks
from peerproof.reference.trace import replay
from peerproof.spec import CONFIG_DIR

from peerproof.vectors import load_cases, vector_root, write_vectors


def test_pp_adapter_behaviour_vectors_regenerate_without_drift(tmp_path: Path) -> None:
    write_vectors("gossipsub", tmp_path, attacks=False)
    fresh = {p.relative_to(tmp_path / "gossipsub" / "cases"): p.read_text()
             for p in (tmp_path / "gossipsub" / "cases").rglob("*.json")}
    base = vector_root() / "gossipsub" / "cases"
    committed = {p.relative_to(base): p.read_text() for p in base.rglob("*.json")}
    assert set(fresh) == set(committed)
    assert [k for k in fresh if fresh[k] != committed[k]] == []


def test_pp_adapter_attack_vectors_replay_and_match_the_manifest() -> None:
    checks = get_checks("gossipsub")
    cases = load_cases("gossipsub", "attacks")
    manifest = json.loads((CONFIG_DIR / "gossipsub" / "expected.json").read_text())["configs"]
    wanted = {f"{name}--{e['property']}" for name, entries in manifest.items() for e in entries
              if e["verdict"] == "violated"}
    assert {c.name for c in cases} == wanted
    for case in cases:
        [dialect] = case.expected
        trace = case.trace(dialect)
        assert replay(trace) == [], case.name
        claim = case.claim or {}
        assert checks.witness(case.config, Job(claim["property"], claim["topic"]), trace), case.name
