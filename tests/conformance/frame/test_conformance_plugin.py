"""The pytest plugin (PP-ADAPTER-8) in a user's own test run: the reference model served over the adapter
protocol passes; the mutant implementation (P3 never activates) fails with the divergence, not a traceback."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

HERE = Path(__file__).resolve().parent
SMALL = str(HERE.parents[1] / "gossipsub" / "data" / "gossipsub-small.yaml")
REFERENCE = f"{sys.executable} -m peerproof.adapters.serve --protocol gossipsub --dialect ts"
MUTANT = f"{sys.executable} {HERE / 'mutant_adapters.py'} p3-never-active"


def plugin_run(pytester: pytest.Pytester, adapter: str) -> pytest.RunResult:
    """``pytest --peerproof-adapter ADAPTER`` (the plugin installed as a pytest11 entry point) on an empty
    project, the vectors only (the attack traces take minutes over the protocol)."""
    return pytester.runpytest_subprocess("--peerproof-adapter", adapter,
                                         "--peerproof-config", SMALL, "--peerproof-suite", "vectors",
                                         "--peerproof-out", str(pytester.path / "out"), "-q")


def test_pp_adapter_plugin_passes_the_reference_model(pytester: pytest.Pytester) -> None:
    result = plugin_run(pytester, REFERENCE)
    outcomes = result.parseoutcomes()
    assert result.ret == 0, result.stdout.str()
    assert outcomes.get("passed", 0) >= 10 and "failed" not in outcomes


def test_pp_adapter_plugin_fails_a_mutant_with_the_divergence(pytester: pytest.Pytester) -> None:
    result = plugin_run(pytester, MUTANT)
    assert result.ret == 1
    assert result.parseoutcomes().get("failed", 0) >= 1
    result.stdout.fnmatch_lines(["*diverges from the reference model*"])
    assert "Traceback" not in result.stdout.str()
