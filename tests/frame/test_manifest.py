"""A fresh check of every bundled config of every protocol matches its manifest (tests/frame/manifests.py)."""

from __future__ import annotations

import pytest
from manifests import configs_of, drift, load_manifest, protocols_with_manifests

CASES = [(p, name) for p in protocols_with_manifests() for name in configs_of(p)]


@pytest.mark.parametrize("protocol", protocols_with_manifests())
def test_every_bundled_config_is_in_the_manifest(protocol: str) -> None:
    assert sorted(load_manifest(protocol).configs) == sorted(configs_of(protocol))


@pytest.mark.parametrize(("protocol", "name"), CASES)
def test_check_matches_the_manifest(protocol: str, name: str, manifest_run) -> None:
    m = load_manifest(protocol)
    problems = drift(m, name, manifest_run(protocol, name))
    assert not problems, f"{name} drifted from {m.path}:\n" + "\n".join(problems)


@pytest.mark.parametrize(("protocol", "name"), CASES)
def test_every_reported_violation_was_replayed(protocol: str, name: str, manifest_run) -> None:
    for r in manifest_run(protocol, name):
        if r.verdict == "violated":
            assert r.replay is not None and r.replay["reference"].startswith("ok"), (r.job, r.replay)


def test_drift_is_caught() -> None:
    """The drift check itself fails on a manifest that expects another verdict (a mutant manifest)."""
    from dataclasses import replace

    from peerproof.attacks.checks import Job

    from peerproof.checkevidence import Result

    m = load_manifest(protocols_with_manifests()[0])
    name = next(iter(m.configs))
    entry = m.configs[name][0]
    flipped = "holds" if entry["verdict"] != "holds" else "violated"
    result = Result(Job(entry["property"], entry["topic"]), flipped, "", None, 0.0, "-")
    assert drift(replace(m, configs={name: [entry]}), name, [result])
