"""The adapter side of the protocol in Python (PP-ADAPTER): a JSON-lines loop around any implementation.

``serve(implementation)`` answers ``hello``/``reset``/``apply``/``observe``/``bye`` on stdin/stdout for an
object with ``hello()``, ``reset(config_document, seed)``, ``apply(event_document)`` and ``observe()``;
raising ``Refusal(code, message)`` (or any exception: code ``failed``) becomes an error reply.

``python -m peerproof.adapters.serve --protocol P [--dialect D]`` serves the reference model itself: the
template to copy for a Python implementation, and the adapter peerproof's own tests run the protocol with.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Mapping
from typing import IO, Any, Protocol

from peerproof.adapters.protocol import ERROR_CODES, VERSION


class Refusal(Exception):
    """An error reply: ``code`` is one of ``unsupported``, ``bad-request``, ``failed`` (PP-ADAPTER-4)."""

    def __init__(self, code: str, message: str) -> None:
        assert code in ERROR_CODES, code
        super().__init__(message)
        self.code = code


class Implementation(Protocol):
    """What ``serve`` drives: the four operations of the protocol."""

    def hello(self) -> dict[str, Any]: ...  # protocol, dialect, implementation, capabilities
    def reset(self, config: Mapping[str, Any], seed: int) -> None: ...
    def apply(self, event: Mapping[str, Any]) -> None: ...
    def observe(self) -> Mapping[str, Any]: ...


def encode_numbers(value: Any) -> Any:
    """Non-finite numbers as the strings "NaN", "Infinity", "-Infinity" (JSON has none)."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, Mapping):
        return {k: encode_numbers(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encode_numbers(v) for v in value]
    return value


def answer(implementation: Implementation, request: Any) -> dict[str, Any]:
    """The reply to one request (never raises)."""
    if not isinstance(request, dict):
        return {"ok": False, "code": "bad-request", "error": "a request must be a JSON object"}
    op = request.get("op")
    try:
        if op == "hello":
            if request.get("version") != VERSION:
                raise Refusal("bad-request", f"this adapter speaks {VERSION}, not {request.get('version')!r}")
            hello = implementation.hello()
            return {"ok": True, "version": VERSION, **hello,
                    "capabilities": {**hello.get("capabilities", {}), "batch": True}}  # serve batches for it
        if op == "reset":
            config = request.get("config")
            if not isinstance(config, dict):
                raise Refusal("bad-request", 'reset needs "config" (an object)')
            implementation.reset(config, int(request.get("seed", 0)))
            return {"ok": True}
        if op == "apply" and "events" in request:
            return _apply_batch(implementation, request["events"])
        if op == "apply":
            event = request.get("event")
            if not isinstance(event, dict):
                raise Refusal("bad-request", 'apply needs "event" (an object)')
            implementation.apply(event)
            return {"ok": True}
        if op == "observe":
            return {"ok": True, "observation": encode_numbers(implementation.observe())}
        if op == "bye":
            return {"ok": True}
        raise Refusal("bad-request", f"unknown op {op!r}; known: hello, reset, apply, observe, bye")
    except Refusal as exc:
        return {"ok": False, "code": exc.code, "error": str(exc)}
    except Exception as exc:
        return {"ok": False, "code": "failed", "error": f"{type(exc).__name__}: {exc}"}


def _apply_batch(implementation: Implementation, events: Any) -> dict[str, Any]:
    """A batched apply: every event in order; the first refusal is the reply, with its index."""
    if not isinstance(events, list):
        raise Refusal("bad-request", 'apply needs "events" (a list) or "event" (an object)')
    for k, event in enumerate(events):
        try:
            if not isinstance(event, dict):
                raise Refusal("bad-request", "an event must be an object")
            implementation.apply(event)
        except Refusal as exc:
            return {"ok": False, "code": exc.code, "error": f"events[{k}]: {exc}", "index": k}
        except Exception as exc:
            return {"ok": False, "code": "failed", "error": f"events[{k}]: {type(exc).__name__}: {exc}", "index": k}
    return {"ok": True}


def serve(implementation: Implementation, stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> int:
    """Answer requests line by line until ``bye`` or the end of stdin; the exit code (0)."""
    source, sink = stdin or sys.stdin, stdout or sys.stdout
    for line in source:
        if not line.strip():
            continue
        request: Any = None
        try:
            request = json.loads(line)
        except ValueError as exc:
            reply: dict[str, Any] = {"ok": False, "code": "bad-request", "error": f"not JSON: {exc}"}
        else:
            reply = answer(implementation, request)
        sink.write(json.dumps(reply, allow_nan=False, separators=(",", ":")) + "\n")
        sink.flush()
        if isinstance(request, dict) and request.get("op") == "bye":
            break
    return 0


class ReferenceImplementation:
    """The reference model of ``protocol`` in ``dialect``, served as an implementation (the template)."""

    def __init__(self, protocol: str, dialect: str | None = None) -> None:
        from peerproof.reference.model import get_model

        self.model = get_model(protocol)
        self.dialect = dialect or self.model.dialects[0]
        self.model.get_dialect(self.dialect)  # an unknown dialect fails at start, not at the first reset
        self.config: Any = None
        self.state: Any = None
        self.d: Any = None

    def hello(self) -> dict[str, Any]:
        """The model's protocol and dialect; every event kind and observable."""
        return {"protocol": self.model.protocol, "dialect": self.dialect,
                "implementation": {"name": "peerproof reference model", "version": _version()}}

    def reset(self, config: Mapping[str, Any], seed: int) -> None:
        """The model's initial state for the config document."""
        from peerproof.reference.configfile import ConfigError

        try:
            self.config = self.model.config_from_mapping(config, file="(reset)")
        except ConfigError as exc:
            raise Refusal("bad-request", str(exc)) from None
        self.d, self.state = self.model.start(self.config, dialect=self.dialect, seed=seed)

    def apply(self, event: Mapping[str, Any]) -> None:
        """One step of the model."""
        if self.state is None:
            raise Refusal("bad-request", "apply before reset")
        try:
            parsed = self.model.event_from_dict(event)
        except ValueError as exc:
            raise Refusal("bad-request", f"event: {exc}") from None
        self.state = self.model.step(self.config, self.state, parsed, self.d)

    def observe(self) -> Mapping[str, Any]:
        """The model's observables."""
        if self.state is None:
            raise Refusal("bad-request", "observe before reset")
        return self.model.observe(self.config, self.state, self.d)


def _version() -> str:
    from peerproof import __version__

    return __version__


def main(argv: list[str] | None = None) -> int:
    """``python -m peerproof.adapters.serve --protocol P [--dialect D]``: the reference model as an adapter."""
    parser = argparse.ArgumentParser(prog="python -m peerproof.adapters.serve",
                                     description="serve peerproof's reference model over the adapter protocol")
    parser.add_argument("--protocol", required=True)
    parser.add_argument("--dialect")
    args = parser.parse_args(argv)
    try:
        implementation = ReferenceImplementation(args.protocol, args.dialect)
    except ValueError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    return serve(implementation)


if __name__ == "__main__":
    sys.exit(main())
