"""The adapter protocol (spec/peerproof.md §8, PP-ADAPTER): an implementation as a child process on JSON lines.

peerproof starts the adapter's command, writes one request per line on its stdin and reads one reply per
line from its stdout: ``hello`` (the protocol version, the implementation's protocol, dialect and
capabilities), ``reset`` (a canonical config document), ``apply`` (one trace event), ``observe`` (the
observables, the model's tree) and ``bye``. Every request has a time-out; a reply that is not one JSON
object, a reply to an unknown version, a process that does not start, hangs or exits mid-trace all
become an ``AdapterError`` whose message names the adapter, the request and what came back (with the
tail of the adapter's stderr). Nothing here names a protocol.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import queue
import shlex
import subprocess
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import IO, Any

VERSION = "peerproof-adapter/1"
DEFAULT_TIMEOUT_S = 30.0  # one request; a reset of a 70-topic config takes milliseconds in the TS driver
START_TIMEOUT_S = 60.0  # the hello: Node.js loading a package, a JVM warming up
MAX_REPLY_CHARS = 64 * 1024 * 1024  # one reply line (an observation of thousands of peers fits easily)
ERROR_CODES = ("unsupported", "bad-request", "failed")
NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
SHOWN_CHARS = 300  # what of a malformed reply an error message quotes
MAX_TOLERANCE = 1e-3  # a looser claim would hide real divergences: such an implementation needs its own vectors


class AdapterError(RuntimeError):
    """The adapter broke the protocol: did not start, timed out, wrote non-JSON, crashed (exit code 2)."""


class AdapterRefused(RuntimeError):
    """A well-formed error reply: the implementation refused one request (``code``: PP-ADAPTER-4)."""

    def __init__(self, op: str, code: str, message: str, index: int | None = None) -> None:
        super().__init__(f"{op}: {code}: {message}")
        self.op, self.code, self.message = op, code, message
        self.index = index  # a batched apply: the position of the refused event in the batch


@dataclass(frozen=True)
class Hello:
    """What an adapter says about itself: the protocol it implements, its dialect and capabilities."""

    protocol: str
    dialect: str
    implementation: Mapping[str, Any] = field(default_factory=dict)  # name, version, free-form
    events: tuple[str, ...] | None = None  # the event kinds it can apply (None: every kind of the protocol)
    observables: tuple[str, ...] | None = None  # the observable paths it reports (None: all of them)
    tolerance: float = 0.0  # how far its numbers may stray (an iterative solver's accuracy); 0: the trace's
    batch: bool = False  # it takes {"op": "apply", "events": [...]} (many events in one request)

    def supports(self, kind: str) -> bool:
        """Whether the adapter can apply events of ``kind``."""
        return self.events is None or kind in self.events


def decode_numbers(value: Any) -> Any:
    """Undo the wire encoding of non-finite numbers (JSON has none: they travel as "NaN", "Infinity", ...)."""
    if isinstance(value, str) and value in NON_FINITE:
        return NON_FINITE[value]
    if isinstance(value, dict):
        return {k: decode_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_numbers(v) for v in value]
    return value


def _names(value: Any, what: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"capabilities.{what} must be a list of strings")
    return tuple(value)


def read_hello(reply: Mapping[str, Any]) -> Hello:
    """The Hello in a ``hello`` reply (ValueError naming the field that is wrong)."""
    if reply.get("version") != VERSION:
        raise ValueError(f"version: speaks {str(reply.get('version'))[:80]!r}, peerproof speaks {VERSION!r}")
    for name in ("protocol", "dialect"):
        if not isinstance(reply.get(name), str) or not reply[name]:
            raise ValueError(f"{name}: missing or not a string")
    caps = reply.get("capabilities", {})
    implementation = reply.get("implementation", {})
    if not isinstance(caps, Mapping) or not isinstance(implementation, Mapping):
        raise ValueError("capabilities and implementation must be objects")
    tolerance = caps.get("tolerance", 0.0)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or not 0 <= tolerance <= MAX_TOLERANCE:
        raise ValueError(f"capabilities.tolerance must be a number in [0, {MAX_TOLERANCE:g}]")
    if not isinstance(caps.get("batch", False), bool):
        raise ValueError("capabilities.batch must be true or false")
    return Hello(reply["protocol"], reply["dialect"], dict(implementation), _names(caps.get("events"), "events"),
                 _names(caps.get("observables"), "observables"), float(tolerance), caps.get("batch", False))


class AdapterProcess:
    """One running adapter: ``hello`` on start, then ``reset``/``apply``/``observe``; ``close`` says ``bye``.

    ``command`` is a shell-like string or an argument list; ``timeout_s`` bounds every request after the
    hello (``start_timeout_s``). Use as a context manager.
    """

    def __init__(self, command: str | Sequence[str], *, timeout_s: float = DEFAULT_TIMEOUT_S,
                 start_timeout_s: float = START_TIMEOUT_S, cwd: str | None = None,
                 env: Mapping[str, str] | None = None) -> None:
        self.argv = shlex.split(command) if isinstance(command, str) else list(command)
        self.name = command if isinstance(command, str) else shlex.join(command)
        self.timeout_s = timeout_s
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._stderr: IO[str] = tempfile.TemporaryFile("w+")  # noqa: SIM115 (lives as long as the process)
        if not self.argv:
            raise AdapterError("adapter: the command is empty")
        try:
            self._proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=self._stderr, text=True, encoding="utf-8", errors="replace",
                                          bufsize=1, cwd=cwd, env={**os.environ, **(env or {})})
        except OSError as exc:
            self._stderr.close()
            raise AdapterError(f"adapter {self.name!r} did not start: {exc.strerror or exc}") from None
        threading.Thread(target=self._read, daemon=True).start()
        try:
            reply = self.request({"op": "hello", "version": VERSION}, timeout_s=start_timeout_s)
            self.hello = read_hello(reply)
        except AdapterRefused as exc:
            self.close()
            raise AdapterError(f"adapter {self.name!r}: hello: refused ({exc.code}: {exc.message})") from None
        except ValueError as exc:
            self.close()
            raise AdapterError(f"adapter {self.name!r}: hello: bad reply: {exc}") from None
        except AdapterError:
            self.close()
            raise

    def _read(self) -> None:
        """Move the adapter's stdout lines into the queue (a thread, so a request can time out)."""
        stdout = self._proc.stdout
        assert stdout is not None
        try:
            while True:
                line = stdout.readline(MAX_REPLY_CHARS)
                if not line:
                    break
                self._lines.put(line)
        except (OSError, ValueError):
            pass
        self._lines.put(None)

    def _stderr_tail(self) -> str:
        try:
            self._stderr.seek(0)
            text = self._stderr.read().strip()
        except (OSError, ValueError):
            return ""
        return f"; its stderr ends: {text[-1500:]}" if text else ""

    def _fail(self, request: Mapping[str, Any], what: str) -> AdapterError:
        shown = json.dumps(request, allow_nan=False, default=str)
        shown = shown if len(shown) <= SHOWN_CHARS else shown[:SHOWN_CHARS] + "…"
        return AdapterError(f"adapter {self.name!r}: request {shown}: {what}{self._stderr_tail()}")

    def request(self, message: Mapping[str, Any], *, timeout_s: float | None = None) -> dict[str, Any]:
        """Send one request and wait for its reply; AdapterRefused for an error reply, AdapterError otherwise."""
        proc = self._proc
        if proc.poll() is not None or proc.stdin is None:
            raise self._fail(message, f"the adapter is not running (exit code {proc.returncode})")
        try:
            proc.stdin.write(json.dumps(message, allow_nan=False, separators=(",", ":")) + "\n")
            proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise self._fail(message, f"could not write to the adapter ({exc})") from None
        limit = timeout_s or self.timeout_s
        try:
            line = self._lines.get(timeout=limit)
        except queue.Empty:
            self.kill()
            raise self._fail(message, f"no reply within {limit:g}s (the adapter was stopped)") from None
        if line is None:
            self._lines.put(None)
            try:
                code = proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = None
            raise self._fail(message, f"the adapter exited (exit code {code}) without a reply")
        return self._reply(message, line)

    def _reply(self, message: Mapping[str, Any], line: str) -> dict[str, Any]:
        shown = line.strip()[:SHOWN_CHARS]
        if not line.endswith("\n") and len(line) >= MAX_REPLY_CHARS:
            raise self._fail(message, f"a reply longer than {MAX_REPLY_CHARS} characters")
        try:
            reply = json.loads(line)
        except ValueError:
            raise self._fail(message, f"the reply is not JSON: {shown!r}") from None
        if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
            raise self._fail(message, f'the reply is not an object with "ok": true|false: {shown!r}')
        if not reply["ok"]:
            code = reply.get("code")
            error = reply.get("error")
            if code not in ERROR_CODES or not isinstance(error, str):
                raise self._fail(message, f'an error reply needs "error" (a string) and "code" (one of '
                                          f"{', '.join(ERROR_CODES)}): {shown!r}")
            index = reply.get("index")
            raise AdapterRefused(str(message.get("op")), code, error,
                                 index if isinstance(index, int) and not isinstance(index, bool) else None)
        return reply

    def reset(self, config_document: Mapping[str, Any], seed: int = 0) -> None:
        """A fresh implementation state for a canonical config document at time 0."""
        self.request({"op": "reset", "config": dict(config_document), "seed": seed})

    def apply(self, event: Mapping[str, Any]) -> None:
        """Apply one trace event (``at`` in seconds)."""
        self.request({"op": "apply", "event": dict(event)})

    def apply_many(self, events: Sequence[Mapping[str, Any]]) -> None:
        """Apply events in one request (adapters whose hello says ``batch``); a refusal carries the index."""
        self.request({"op": "apply", "events": [dict(e) for e in events]})

    def observe(self) -> dict[str, Any]:
        """The implementation's observables now (the model's tree)."""
        reply = self.request({"op": "observe"})
        observation = reply.get("observation")
        if not isinstance(observation, dict):
            raise self._fail({"op": "observe"}, 'the reply has no "observation" object')
        return decode_numbers(observation)

    def kill(self) -> None:
        """Stop the process at once (after a time-out)."""
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()

    def close(self) -> None:
        """Say ``bye`` (if it still runs) and wait for the process to end; it is killed if it lingers."""
        proc = self._proc
        if proc.poll() is None:
            with contextlib.suppress(AdapterError, AdapterRefused):
                self.request({"op": "bye"}, timeout_s=5)
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()
        self._stderr.close()

    def __enter__(self) -> AdapterProcess:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
