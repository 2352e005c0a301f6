"""Fixtures for the CLI tests: small hand-made configs, a stand-in bundled catalogue, an example trace."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from peerproof.attacks.gossipsub.example import example
from peerproof.reference.gossipsub import load_config
from peerproof.reference.trace import Trace

from peerproof import catalogue as config_catalogue
from peerproof import cli
from peerproof.traceio import write_trace

DATA = Path(__file__).resolve().parent.parent / "data"
SMALL = DATA / "gossipsub-small.yaml"
WIDE = DATA / "gossipsub-wide.yaml"


@dataclass(frozen=True)
class Bundled:
    """What spec.bundled_configs() returns for one config."""

    name: str
    protocol: str
    path: Path
    source: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def bundled(monkeypatch: pytest.MonkeyPatch) -> list[Bundled]:
    """The CLI sees the two test configs as its bundled configs (independent of spec/configs)."""
    entries = [Bundled(load_config(p).name, "gossipsub", p, dict(load_config(p).source)) for p in (SMALL, WIDE)]
    monkeypatch.setattr(config_catalogue, "bundled_configs",
                        lambda protocol=None: [e for e in entries if protocol in (None, e.protocol)])
    return entries


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Call ``peerproof.cli.main`` in-process: (exit code, stdout, stderr)."""
    def invoke(*argv: str | Path) -> tuple[int, str, str]:
        code = cli.main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err
    return invoke


@pytest.fixture(scope="session")
def small_trace() -> Trace:
    """The example trace of the small test config."""
    return example(load_config(SMALL))


@pytest.fixture
def trace_file(tmp_path: Path, small_trace: Trace) -> Path:
    """The small example trace written to a file."""
    return write_trace(small_trace, tmp_path / "trace.json")
