"""The TypeScript GossipSub ``PeerScore`` (npm ``@libp2p/gossipsub``, pinned) as a peerproof adapter.

A Node.js subprocess (``node/driver.mjs``) holds one real ``PeerScore`` and speaks JSON lines; this module
sends it the canonical config (the driver turns it into TypeScript ``PeerScoreParams``: the one copy of
that mapping, ``paramsFromConfig``) and the events.
Time is mocked in the driver, which runs ``background()`` (refresh + delivery-record gc) at every
``k * DecayInterval`` up to each event, exactly as the reference model does (GS-DECAY-1), so both can be
compared event by event. How each event maps onto ``PeerScore`` calls:

- ``add_peer`` / ``remove_peer``: ``addPeer`` / ``removePeer`` (``outbound`` matters only to a router);
- ``add_ip`` / ``remove_ip``: ``addIP`` / ``removeIP``; ``graft`` / ``prune``: ``graft`` / ``prune``;
- ``receive``: ``validateMessage``, and the sender and topic are remembered on the delivery record if
  this call created it;
- ``validated``: ``deliverMessage`` / ``rejectMessage(reject)`` / ``rejectMessage(ignore)`` for the
  remembered sender; nothing if no ``receive`` created the (still existing) record;
- ``deliver``: ``validateMessage`` + ``deliverMessage``; ``duplicate``: ``duplicateMessage``;
- ``invalid``: with ``msg``, ``validateMessage`` + ``rejectMessage(reject)``; without, ``rejectInvalidMessage``;
- ``ignored``: ``validateMessage`` + ``rejectMessage(ignore)``;
- ``app_score``: the value ``appSpecificScore`` returns for the peer from now on;
- ``penalty``: ``addPenalty(peer, count)``;
- ``subscribe``, ``unsubscribe``, ``tick``: nothing (time still advances);
- ``heartbeat``: refused, there is no router here (``replay_in_ts`` expands it, see differential.py).

The driver's JSON-lines protocol is described at the top of ``node/driver.mjs``.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from peerproof.adapters.install import DRIVER, PINNED_PACKAGE, HarnessUnavailable, ensure_node_harness, node_executable
from peerproof.reference.gossipsub import MODEL, Config, Event, event_to_dict

PINNED_VERSION = "17.1.1"
TS_DELIVERY_RECORD_TTL_MS = 120_000  # TimeCacheDuration in @libp2p/gossipsub src/constants.ts; not configurable
NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class UnsupportedByTs(ValueError):
    """A config or event the TypeScript PeerScore cannot express (e.g. a CIDR range in the P6 whitelist)."""


class DriverError(RuntimeError):
    """The Node.js driver refused a command or died; the message carries its error or stderr."""


def ts_score_params(config: Config, adapter: TsPeerScoreAdapter | None = None) -> dict[str, Any]:
    """The TS ``PeerScoreParams`` the driver builds for ``config`` (driver.mjs ``paramsFromConfig``).

    The mapping lives in one place, the driver, which needs it to speak the adapter protocol on its own
    (``reset`` with a canonical config); this asks it. camelCase, durations in ms, ``IPColocation*``
    capitalised, the whitelist as a list of exact IPs (a Set in the driver); ``appSpecificScore`` is the
    driver's. Raises UnsupportedByTs for a CIDR whitelist entry. Pass an open ``adapter`` to reuse its process.
    """
    own = adapter is None
    ts = adapter or TsPeerScoreAdapter()
    try:
        return ts._request({"op": "params", "config": MODEL.to_canonical(config)})["params"]
    finally:
        if own:
            ts.close()


def ts_ignored_fields(config: Config) -> list[str]:
    """Config values the TS PeerScore has no parameter for, so it behaves as if they had its fixed value."""
    notes = []
    if config.score.seen_msg_ttl_ms not in (0, TS_DELIVERY_RECORD_TTL_MS):  # 0: the 120 s default
        notes.append(f"score_params.seen_msg_ttl: TS keeps delivery records {TS_DELIVERY_RECORD_TTL_MS} ms "
                     "(TimeCacheDuration), whatever the config says")
    return notes


def _event_dict(event: Event | Mapping[str, Any]) -> dict[str, Any]:
    return event_to_dict(event) if isinstance(event, Event) else dict(event)


def _finite(value: Any) -> Any:
    """Undo the driver's encoding of non-finite numbers (JSON has none) in a reply."""
    if isinstance(value, str) and value in NON_FINITE:
        return NON_FINITE[value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


class TsPeerScoreAdapter:
    """One Node.js process driving a real TS ``PeerScore``; ``reset`` gives a fresh one for a new config.

    ``observe()`` returns ``{"time", "peers"}`` with the same per-peer keys as the reference model's
    ``observe``; the router's ``mesh`` is not known here. Use as a context manager, or call ``close()``.
    """

    def __init__(self, harness: Path | None = None, node: str | None = None) -> None:
        self.harness = harness or ensure_node_harness()
        self.config: Config | None = None
        self._stderr: IO[str] = tempfile.TemporaryFile("w+")  # noqa: SIM115 (lives as long as the process)
        env = {**os.environ, "PEERPROOF_NODE_HARNESS": str(self.harness)}
        self._proc = subprocess.Popen([node or node_executable(), str(DRIVER)], cwd=self.harness, env=env,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                                      text=True, encoding="utf-8", bufsize=1)
        try:
            info = self._request({"op": "version"})
        except DriverError as exc:
            self.close()
            raise HarnessUnavailable(f"the Node.js driver did not start from {self.harness}: {exc}") from None
        if info.get("version") != PINNED_VERSION:
            self.close()
            raise HarnessUnavailable(f"{self.harness} holds {PINNED_PACKAGE} {info.get('version')}, "
                                     f"expected {PINNED_VERSION}")
        self.versions = {"package": PINNED_PACKAGE, "version": info["version"], "node": info.get("node")}

    def _request(self, command: Mapping[str, Any]) -> dict[str, Any]:
        proc = self._proc
        if proc.poll() is not None or proc.stdin is None or proc.stdout is None:
            raise DriverError(f"the Node.js driver is not running (exit {proc.returncode}){self._stderr_tail()}")
        try:
            proc.stdin.write(json.dumps(command, allow_nan=False, separators=(",", ":")) + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
        except (BrokenPipeError, OSError) as exc:
            raise DriverError(f"lost the Node.js driver: {exc}{self._stderr_tail()}") from None
        if not line:
            proc.wait(timeout=5)
            raise DriverError(f"the Node.js driver exited (code {proc.returncode}){self._stderr_tail()}")
        reply = json.loads(line)
        if not reply.get("ok"):
            error = reply.get("error", "failed without a message")
            if reply.get("code") == "unsupported" and command.get("op") in ("params", "reset"):
                raise UnsupportedByTs(error)  # a config TS cannot express; an event it cannot take is a DriverError
            raise DriverError(f"{command.get('op')}: {error}")
        return reply

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        text = self._stderr.read().strip()
        return f"; stderr: {text[-2000:]}" if text else ""

    def reset(self, config: Config) -> None:
        """A fresh PeerScore for ``config`` at time 0 (no peers, app scores forgotten)."""
        self._request({"op": "reset", "config": MODEL.to_canonical(config)})
        self.config = config

    def apply(self, event: Event | Mapping[str, Any]) -> None:
        """Advance time to the event (running due refreshes), then make its PeerScore calls."""
        self._request({"op": "event", "event": _event_dict(event)})

    def apply_many(self, events: Iterable[Event | Mapping[str, Any]],
                   observe: str | Iterable[int] = "each") -> list[dict[str, Any]]:
        """Apply events in one round trip; observations after each (``"each"``), the last, none, or given indices.

        On a DriverError the events before the failing one have been applied.
        """
        mode: Any = observe if isinstance(observe, str) else sorted(set(observe))
        reply = self._request({"op": "events", "events": [_event_dict(e) for e in events], "observe": mode})
        return _finite(reply["observations"])

    def observe(self) -> dict[str, Any]:
        """``{"time": seconds, "peers": {peer: observables}}`` for every peer the PeerScore keeps stats for."""
        reply = self._request({"op": "observe"})
        return _finite(reply["observation"])

    def replay_file(self, path: str | Path, observe: bool = False) -> dict[str, Any]:
        """Replay a trace file's events inside Node (after ``reset``): ``{"events": n, "elapsed_ms": x}``.

        ``path`` is a peerproof trace document, a JSON list of events, or a ``.jsonl`` file of events.
        """
        reply = self._request({"op": "replay_file", "path": str(Path(path).resolve()), "observe": observe})
        reply.pop("ok")
        return _finite(reply)

    def close(self) -> None:
        """Stop the Node.js process."""
        proc = self._proc
        if proc.poll() is None:
            if proc.stdin is not None:
                proc.stdin.close()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        self._stderr.close()

    def __enter__(self) -> TsPeerScoreAdapter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
