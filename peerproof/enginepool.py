"""Engine calls with a hard wall-clock limit: each runs in its own process, killed when its time is up.

Solvers honour their own time-outs most of the time, but not always (encoding a deep unrolling in
Python, a z3 tactic that ignores the limit, a model too large to print), and a checker must never hang.
So every engine call (an analytic proof, a z3 unrolling, a Hypothesis search, a replay) runs in a
child process forked from a single-threaded fork server that has the engines imported already; the
parent waits for the result at most the call's limit and kills the child otherwise. An exception in
an engine, a killed child and a time-out all become ``inconclusive`` findings, never a crash (Jepsen's
"an exception is unknown").

Calls are organised as *flows*: one generator per property check that yields the next ``Call`` and
receives its result, so a check can decide what to run next (z3 only when no closed-form argument
settled the property, say) while up to ``jobs`` calls of different checks run side by side.
"""

from __future__ import annotations

import importlib
import multiprocessing
import time
import traceback
from collections import deque
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from peerproof.attacks.finding import Finding

PRELOAD = ["z3", "hypothesis", "peerproof.check", "peerproof.checkevidence", "peerproof.plot", "peerproof.itf"]
"""What every engine process needs; the caller adds its protocol's modules (``Checks.preload``)."""


@dataclass(frozen=True)
class Call:
    """One unit of work for a child process: the worker reads ``kind`` and ``args`` (see peerproof.check)."""

    kind: str
    args: dict[str, Any] = field(default_factory=dict)
    limit_s: float = 60.0
    label: str = ""


@dataclass(frozen=True)
class Failure:
    """What came back instead of a result: the call raised, died or ran out of time."""

    call: Call
    reason: str
    seconds: float

    def finding(self, slug: str, topic: str | None, engine: str) -> Finding:
        """The failure as the ``inconclusive`` finding it stands for."""
        return Finding(slug, topic, "inconclusive", self.reason, None, self.seconds, engine)


Flow = Generator[Call, Any, Any]
Worker = Callable[[Call], Any]

_context: multiprocessing.context.BaseContext | None = None


def context(preload: Sequence[str] = (), warm_up: Sequence[str] = ()) -> multiprocessing.context.BaseContext:
    """The fork-server context (started once per process, with the engines preloaded: PRELOAD and, on
    the first call, ``preload``, each imported here first; then ``warm_up``, imported by the fork server
    alone: modules that load compiled code for every engine process and catch their own errors)."""
    global _context
    if _context is None:
        methods = multiprocessing.get_all_start_methods()
        _context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if "forkserver" in methods:
            # The fork server dies on an import error other than ImportError: preload only what imports here.
            _context.set_forkserver_preload([*(name for name in (*PRELOAD, *preload) if _imports(name)), *warm_up])
    return _context


def _imports(name: str) -> bool:
    try:
        importlib.import_module(name)
    except Exception:
        return False
    return True


def _child(conn: Connection, worker: Worker, call: Call) -> None:
    try:
        result: Any = worker(call)
    except BaseException as exc:  # an engine error is an unknown verdict, reported, never a crash
        frames = traceback.extract_tb(exc.__traceback__)
        where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
        result = Failure(call, f"engine error: {type(exc).__name__}: {exc}{where}", 0.0)
    try:
        conn.send(result)
    finally:
        conn.close()


@dataclass
class _Running:
    flow: int
    call: Call
    process: Any
    started: float


def run_flows(flows: Sequence[Flow], worker: Worker, *, jobs: int = 2,
              on_start: Callable[[int, Call], None] | None = None,
              on_finish: Callable[[int, Any], None] | None = None,
              preload: Sequence[str] = (), warm_up: Sequence[str] = ()) -> list[tuple[Any, float]]:
    """Drive every flow to its end, at most ``jobs`` calls at a time; each flow's return value and the
    seconds its calls ran (time spent waiting for a free slot not counted).

    A flow receives, for each call it yields, the worker's result or a ``Failure``. ``on_start`` and
    ``on_finish`` (flow index, call / flow result) let a caller show progress.
    """
    ctx = context(preload, warm_up)
    results: list[Any] = [None] * len(flows)
    busy = [0.0] * len(flows)
    ready: deque[tuple[int, Call]] = deque()
    running: dict[Connection, _Running] = {}

    def advance(i: int, value: Any, first: bool = False) -> None:
        try:
            call = next(flows[i]) if first else flows[i].send(value)
        except StopIteration as stop:
            results[i] = stop.value
            if on_finish is not None:
                on_finish(i, stop.value)
            return
        ready.append((i, call))

    for i in range(len(flows)):
        advance(i, None, first=True)
    try:
        while ready or running:
            while ready and len(running) < max(1, jobs):
                i, call = ready.popleft()
                parent, child = ctx.Pipe(duplex=False)
                process = ctx.Process(target=_child, args=(child, worker, call), daemon=True)
                process.start()
                child.close()
                running[parent] = _Running(i, call, process, time.monotonic())
                if on_start is not None:
                    on_start(i, call)
            now = time.monotonic()
            soonest = min(r.started + r.call.limit_s for r in running.values())
            done = set(wait(list(running), timeout=max(0.0, soonest - now)))
            now = time.monotonic()
            for conn in list(running):
                r = running[conn]
                elapsed = now - r.started
                if conn in done:
                    try:
                        value = conn.recv()
                    except (EOFError, OSError):
                        r.process.join(5)
                        value = Failure(r.call, f"engine process died (exit code {r.process.exitcode})", elapsed)
                elif elapsed >= r.call.limit_s:
                    r.process.kill()
                    value = Failure(r.call, f"killed at the hard limit of {r.call.limit_s:g} s", elapsed)
                else:
                    continue
                r.process.join(5)
                conn.close()
                del running[conn]
                busy[r.flow] += elapsed
                advance(r.flow, value)
    finally:
        for r in running.values():
            r.process.kill()
            r.process.join(5)
    return list(zip(results, busy, strict=True))
