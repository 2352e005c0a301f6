"""Fixtures for the differential runs against the TypeScript PeerScore (marker ``conformance``).

The Node.js harness is installed once per session from the committed lock file. The suite is skipped
only when Node.js itself is absent; any other failure to install or start the harness fails the run,
so a broken lock file or registry outage cannot pass as "skipped".
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from peerproof.adapters import ReferenceAdapter, TsPeerScoreAdapter, ensure_node_harness

TRACES_RUN = {"traces": 0, "events": 0}  # filled by the tests, reported in the terminal summary


@pytest.fixture(scope="session")
def node_harness() -> Path:
    """The directory with the pinned @libp2p/gossipsub installed (``npm ci`` on first use)."""
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed (no `node` on PATH): the TypeScript conformance suite needs it")
    return ensure_node_harness()


@pytest.fixture(scope="session")
def ts_peer_score(node_harness: Path) -> Iterator[TsPeerScoreAdapter]:
    """One Node.js process for the whole session; tests call ``reset`` for a fresh PeerScore."""
    with TsPeerScoreAdapter(node_harness) as adapter:
        yield adapter


@pytest.fixture(scope="session")
def traces_run() -> dict[str, int]:
    """Counters the tests add to: generated traces and events compared (shown in the terminal summary)."""
    return TRACES_RUN


@pytest.fixture
def reference_ts() -> ReferenceAdapter:
    """The reference model forced to the ``ts`` dialect."""
    return ReferenceAdapter(dialect="ts")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TRACES_RUN["traces"]:
        terminalreporter.write_line(
            f"conformance: {TRACES_RUN['traces']} generated traces ({TRACES_RUN['events']} events) compared "
            "event by event with @libp2p/gossipsub PeerScore")
