"""A trace's artefacts: ``<stem>.json``, ``<stem>.itf.json`` and ``<stem>.png`` side by side, each atomic."""

from __future__ import annotations

from pathlib import Path

from peerproof.reference.trace import Trace

ITF_EVENT_STATES = 100
"""One ITF state per event up to this many events, else one per recorded observation: a state holds every
observable (tens of kB on a 70-topic config), and per-event states once made a 169 MB file."""


def write_artefacts(trace: Trace, out: Path, stem: str = "trace") -> dict[str, str]:
    """Write the trace, its ITF export and its plot into ``out`` (created if missing); kind -> path."""
    from peerproof.itf import write_itf
    from peerproof.plot import plot_trace
    from peerproof.traceio import write_trace

    out.mkdir(parents=True, exist_ok=True)
    files = {"trace": out / f"{stem}.json", "itf": out / f"{stem}.itf.json", "plot": out / f"{stem}.png"}
    write_trace(trace, files["trace"])
    states = "events" if len(trace.events) <= ITF_EVENT_STATES else "observations"
    write_itf(trace, files["itf"], source=str(files["trace"]), states=states)
    plot_trace(trace, files["plot"])
    return {k: str(v) for k, v in files.items()}
