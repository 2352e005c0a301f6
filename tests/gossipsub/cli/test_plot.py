"""Plots: a PNG per trace, written atomically, one panel per chosen peer."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import matplotlib.image
import pytest
from peerproof.reference.trace import Trace

from peerproof.plot import default_peers, marks, plot_trace
from peerproof.traceio import write_atomic


def height(path: Path) -> int:
    return matplotlib.image.imread(path).shape[0]


def test_png_written_and_not_empty(small_trace: Trace, tmp_path: Path) -> None:
    path = plot_trace(small_trace, tmp_path / "trace.png")
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
    assert [p.name for p in tmp_path.iterdir()] == ["trace.png"]  # no temporary file left behind


def test_one_panel_per_peer(small_trace: Trace, tmp_path: Path) -> None:
    three = plot_trace(small_trace, tmp_path / "all.png")
    one = plot_trace(small_trace, tmp_path / "lazy.png", peers=["lazy"])
    assert height(one) < height(three)


def test_default_peer_is_the_attacker_named_by_the_claim(small_trace: Trace) -> None:
    claim = {"property": "penalizes-non-forwarding", "verdict": "violated", "bound": None, "attacker": "lazy"}
    assert default_peers(replace(small_trace, claim=claim), ["honest", "lazy", "spammer"]) == ["lazy"]
    assert default_peers(small_trace, ["honest", "lazy", "spammer"]) == ["honest", "lazy", "spammer"]


def test_misbehaviour_marks_from_meta_and_from_indices(small_trace: Trace) -> None:
    from_meta = marks(small_trace, None)
    assert {m.peer for m in from_meta} == {"lazy", "spammer"}
    assert any(m.span for m in from_meta) and any(m.times for m in from_meta)
    invalid = [i for i, e in enumerate(small_trace.events) if e.kind == "invalid"]
    (mark,) = marks(small_trace, invalid)
    assert mark.peer == "spammer" and len(mark.times) == len(invalid)


def test_highlighted_plot_with_a_claim(small_trace: Trace, tmp_path: Path) -> None:
    claim = {"property": "penalizes-non-forwarding", "verdict": "violated", "bound": None, "topic": "blocks",
             "reason": "scored-but-insufficient"}
    traced = replace(small_trace, claim=claim, meta={**small_trace.meta, "attacker": "lazy"})
    path = plot_trace(traced, tmp_path / "claim.png", highlight=[{"from": 6, "to": 14, "label": "no deliveries"}])
    assert path.stat().st_size > 10_000


def test_atomic_write_keeps_the_old_file_when_interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.png"
    target.write_bytes(b"old")

    def fail(_src: str, _dst: str) -> None:
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.png"]


def test_atomic_write_replaces_and_respects_umask(tmp_path: Path) -> None:
    target = write_atomic(tmp_path / "f.txt", "text")
    assert target.read_text() == "text"
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_a_peer_that_disconnects_and_is_forgotten(small_trace: Trace, tmp_path: Path) -> None:
    from peerproof.reference.gossipsub import AddPeer, Graft, Heartbeat, RemovePeer, Tick
    from peerproof.reference.trace import record

    events = [AddPeer(0, "a"), Graft(0, "a", "blocks"), Heartbeat(1000), RemovePeer(3000, "a"), Tick(200_000),
              AddPeer(201_000, "a"), Heartbeat(202_000)]
    trace = record("gossipsub", small_trace.config, events)
    assert plot_trace(trace, tmp_path / "gone.png").stat().st_size > 10_000


def test_unknown_peer_is_an_error(small_trace: Trace, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no event names peer 'mallory'"):
        plot_trace(small_trace, tmp_path / "x.png", peers=["mallory"])
    assert list(tmp_path.iterdir()) == []
