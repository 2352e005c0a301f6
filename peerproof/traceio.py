"""Trace files on disk: reading with limits and located errors, atomic writing, walking a trace's states.

Every file peerproof writes goes through ``write_atomic`` (a temporary file in the same folder, then
``os.replace``), so an interrupted run never leaves a half-written trace, ITF document or plot behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from peerproof.reference.configfile import ConfigError
from peerproof.reference.trace import Trace, trace_from_text, trace_to_dict

MAX_TRACE_BYTES = 256 * 1024 * 1024
PRETTY_EVENT_LIMIT = 20_000  # above this many events a trace is written compactly


def read_trace(path: str | Path) -> Trace:
    """Read a ``peerproof-trace/1`` JSON file through the strict document reader (PP-DOC, PP-LIMIT); every
    problem is a ConfigError naming the file and field.

    Files over MAX_TRACE_BYTES are rejected before they are read, traces with more than
    ``reference.limits.MAX_EVENTS`` events before any event is built.
    """
    name = str(path)
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_TRACE_BYTES:
            raise ConfigError(name, "(file)", f"{size} bytes exceeds the {MAX_TRACE_BYTES}-byte limit for a trace")
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError(name, "(file)", f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(name, "(file)", f"not UTF-8 text (byte {exc.start})") from None
    return trace_from_text(text, file=name)


def write_trace(trace: Trace, path: str | Path) -> Path:
    """Write a trace as JSON (pretty for small traces, compact for large ones), atomically."""
    doc = trace_to_dict(trace)
    if len(trace.events) <= PRETTY_EVENT_LIMIT:
        text = json.dumps(doc, indent=1, allow_nan=False)
    else:  # no blank after separators: a tenth of a large trace's bytes
        text = json.dumps(doc, separators=(",", ":"), allow_nan=False)
    return write_atomic(path, text + "\n")


def write_atomic(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` so readers see the old file or the whole new one, never a part.

    The bytes go to a temporary file in the same folder (same file system), are flushed to disk, and
    the temporary file replaces ``path`` in one ``os.replace``. On any failure it is removed.
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def walk(trace: Trace) -> Iterator[tuple[int, Any, Any]]:
    """Replay the trace's events under its own config and dialect, yielding ``(index, event, state after it)``."""
    yield from trace.model.states(trace.config, trace.events, dialect=trace.dialect, seed=trace.seed)


def final_observables(trace: Trace, config: Any = None, dialect: str | None = None,
                      on_event: Callable[[int], None] | None = None) -> Mapping[str, Any]:
    """The observables after replaying every event (under ``config``/``dialect`` if given)."""
    model = trace.model
    config = trace.config if config is None else config
    dialect = dialect or trace.dialect
    state = model.final_state(config, trace.events, dialect=dialect, seed=trace.seed, on_event=on_event)
    return model.observe(config, state, model.get_dialect(dialect))
