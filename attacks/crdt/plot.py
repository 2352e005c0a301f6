"""The crdt trace plot: do the replicas read the same, and how much metadata do they keep, event by event.

Top: how many distinct values the replicas read (1: they agree) and the records refused so far. Bottom:
each replica's metadata size. The title carries the trace's claim; ``highlight`` marks event indices.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from peerproof.reference.crdt import MODEL
from peerproof.reference.trace import Trace


def series(trace: Trace) -> tuple[list[int], list[int], dict[str, list[int]]]:
    """Per event: distinct reads across replicas, refusals so far, and each replica's metadata size."""
    distinct, rejected, sizes = [], [], {r: [] for r in trace.config.replicas}
    for _i, _e, state in MODEL.states(trace.config, trace.events, dialect=trace.dialect, seed=trace.seed):
        obs = MODEL.observe(trace.config, state, None)
        reads = {json.dumps(v["value"], sort_keys=True) for v in obs["replicas"].values()}
        distinct.append(len(reads))
        rejected.append(obs["rejected"])
        for r, v in obs["replicas"].items():
            sizes[r].append(v["size"])
    return distinct, rejected, sizes


def plot(trace: Trace, path: str | Path, highlight: Sequence[Any] | None = None) -> None:
    """Draw the trace's agreement and metadata panels into a PNG at ``path``."""
    distinct, rejected, sizes = series(trace)
    xs = list(range(len(trace.events)))
    fig = Figure(figsize=(11, 6))
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.step(xs, distinct, where="post", label="distinct reads across replicas")
    top.step(xs, rejected, where="post", label="records refused")
    top.set_ylabel("count")
    for r, ys in sizes.items():
        bottom.step(xs, ys, where="post", label=f"{r} metadata")
    bottom.set_ylabel("records")
    bottom.set_xlabel("event")
    for ax in (top, bottom):
        for i in highlight or ():
            if isinstance(i, int):
                ax.axvline(i, color="#b00", alpha=0.3)
        ax.grid(True, alpha=0.25)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    claim = trace.claim or {}
    fig.suptitle(f"crdt · {trace.config.name or trace.config.type} ({trace.config.rule}) · "
                 f"{claim.get('property', '')} {claim.get('verdict', '')}".strip(), fontsize=10)
    fig.tight_layout()
    fig.savefig(str(path), dpi=100)
