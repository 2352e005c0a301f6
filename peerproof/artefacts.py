"""A trace's artefacts: ``<stem>.json``, ``<stem>.itf.json`` and ``<stem>.png`` side by side, each atomic."""

from __future__ import annotations

from pathlib import Path

from peerproof.reference.trace import Trace


def write_artefacts(trace: Trace, out: Path, stem: str = "trace") -> dict[str, str]:
    """Write the trace, its ITF export and its plot into ``out`` (created if missing); kind -> path."""
    from peerproof.itf import write_itf
    from peerproof.plot import plot_trace
    from peerproof.traceio import write_trace

    out.mkdir(parents=True, exist_ok=True)
    files = {"trace": out / f"{stem}.json", "itf": out / f"{stem}.itf.json", "plot": out / f"{stem}.png"}
    write_trace(trace, files["trace"])
    write_itf(trace, files["itf"], source=str(files["trace"]))
    plot_trace(trace, files["plot"])
    return {k: str(v) for k, v in files.items()}
