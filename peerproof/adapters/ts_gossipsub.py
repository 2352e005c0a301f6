"""The TypeScript GossipSub ``PeerScore`` (npm ``@libp2p/gossipsub``, pinned) as a peerproof adapter.

A Node.js subprocess (``node/driver.mjs``) holds one real ``PeerScore`` and speaks JSON lines; this module
turns a peerproof gossipsub ``Config`` into TypeScript ``PeerScoreParams`` and events into driver commands.
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

import ipaddress
import json
import math
import os
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from peerproof.adapters.install import DRIVER, PINNED_PACKAGE, HarnessUnavailable, ensure_node_harness, node_executable
from peerproof.reference.gossipsub import Config, Event, event_to_dict
from peerproof.reference.gossipsub.params import ScoreParams, TopicParams

PINNED_VERSION = "17.1.1"
TS_DELIVERY_RECORD_TTL_MS = 120_000  # TimeCacheDuration in @libp2p/gossipsub src/constants.ts; not configurable
NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class UnsupportedByTs(ValueError):
    """A config or event the TypeScript PeerScore cannot express (e.g. a CIDR range in the P6 whitelist)."""


class DriverError(RuntimeError):
    """The Node.js driver refused a command or died; the message carries its error or stderr."""


def _topic_params(tp: TopicParams) -> dict[str, float]:
    return {
        "topicWeight": tp.topic_weight,
        "timeInMeshWeight": tp.time_in_mesh_weight,
        "timeInMeshQuantum": tp.time_in_mesh_quantum_ms,
        "timeInMeshCap": tp.time_in_mesh_cap,
        "firstMessageDeliveriesWeight": tp.first_message_deliveries_weight,
        "firstMessageDeliveriesDecay": tp.first_message_deliveries_decay,
        "firstMessageDeliveriesCap": tp.first_message_deliveries_cap,
        "meshMessageDeliveriesWeight": tp.mesh_message_deliveries_weight,
        "meshMessageDeliveriesDecay": tp.mesh_message_deliveries_decay,
        "meshMessageDeliveriesCap": tp.mesh_message_deliveries_cap,
        "meshMessageDeliveriesThreshold": tp.mesh_message_deliveries_threshold,
        "meshMessageDeliveriesWindow": tp.mesh_message_deliveries_window_ms,
        "meshMessageDeliveriesActivation": tp.mesh_message_deliveries_activation_ms,
        "meshFailurePenaltyWeight": tp.mesh_failure_penalty_weight,
        "meshFailurePenaltyDecay": tp.mesh_failure_penalty_decay,
        "invalidMessageDeliveriesWeight": tp.invalid_message_deliveries_weight,
        "invalidMessageDeliveriesDecay": tp.invalid_message_deliveries_decay,
    }


def _exact_ips(whitelist: Sequence[str]) -> list[str]:
    """TS whitelists exact IP strings (a ``Set<string>``); a CIDR range wider than one address cannot be said."""
    out = []
    for entry in whitelist:
        net = ipaddress.ip_network(entry, strict=False)
        if net.prefixlen != net.max_prefixlen:
            raise UnsupportedByTs(
                f"score_params.ip_colocation_factor_whitelist: {entry!r} is a range; the TypeScript PeerScore "
                "whitelists exact IP strings only (IPColocationFactorWhitelist: Set<string>), so list the "
                "addresses one by one or leave this config out of TS runs")
        out.append(str(net.network_address))
    return out


def ts_score_params(config: Config) -> dict[str, Any]:
    """The TS ``PeerScoreParams`` for ``config``: camelCase, durations in ms, ``IPColocation*`` capitalised.

    ``appSpecificScore`` is supplied by the driver (it returns the last ``app_score`` event's value) and the
    whitelist list becomes a ``Set`` there. Raises UnsupportedByTs for a CIDR whitelist entry.
    """
    s: ScoreParams = config.score
    return {
        "topics": {name: _topic_params(tp) for name, tp in s.topics.items()},
        "topicScoreCap": s.topic_score_cap,
        "appSpecificWeight": s.app_specific_weight,
        "IPColocationFactorWeight": s.ip_colocation_factor_weight,
        "IPColocationFactorThreshold": s.ip_colocation_factor_threshold,
        "IPColocationFactorWhitelist": _exact_ips(s.ip_colocation_factor_whitelist),
        "behaviourPenaltyWeight": s.behaviour_penalty_weight,
        "behaviourPenaltyThreshold": s.behaviour_penalty_threshold,
        "behaviourPenaltyDecay": s.behaviour_penalty_decay,
        "decayInterval": s.decay_interval_ms,
        "decayToZero": s.decay_to_zero,
        "retainScore": s.retain_score_ms,
    }


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
            raise DriverError(f"{command.get('op')}: {reply.get('error', 'failed without a message')}")
        return reply

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        text = self._stderr.read().strip()
        return f"; stderr: {text[-2000:]}" if text else ""

    def reset(self, config: Config) -> None:
        """A fresh PeerScore for ``config`` at time 0 (no peers, app scores forgotten)."""
        self._request({"op": "reset", "params": ts_score_params(config),
                       "decay_interval_ms": config.score.decay_interval_ms})
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
