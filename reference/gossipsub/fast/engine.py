"""The fast engine for one trace (GS-FAST-3): the kernel for the hot events, Python for the rest.

``Engine(config, events, dialect, seed)`` holds the tables and runs events forward on demand
(``run_to``). IP addresses, heartbeats and the connections that touch a peer's IPs are applied here, in
Python, with the same decisions as membership.py and mesh.py; IP colocation (P6) is kept per peer in
``pf[:, P6]`` and recomputed with score.py's own ``p6_ip_colocation`` whenever the IP tables change, so
the kernel's score reads it. ``state()`` materialises the pure model's ``State`` from the tables.

A long run is pipelined (GS-FAST-8): the kernel steps one stretch of events in a second thread, without
the interpreter lock, while this thread interns the message IDs of the next.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from types import SimpleNamespace

from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.dialect import Dialect
from peerproof.reference.gossipsub.fast import kernel as k
from peerproof.reference.gossipsub.fast import scoring
from peerproof.reference.gossipsub.fast.encode import Encoded, fill, head
from peerproof.reference.gossipsub.fast.heartbeat import heartbeat
from peerproof.reference.gossipsub.fast.layout import (
    APP,
    BEHAVIOUR,
    HAS_APP,
    KNOWN,
    N_EXPIRED,
    N_KNOWN_IPS,
    N_TOPICS,
    P6,
    RECONNECT_RESETS,
    RETAIN_POSITIVE,
    SUB_KEY,
    empty_tables,
    params_of,
)
from peerproof.reference.gossipsub.fast.materialize import full_state, observed_state
from peerproof.reference.gossipsub.score import ScoreBreakdown, TopicComponents, p6_ip_colocation, p7_behaviour
from peerproof.reference.gossipsub.state import State
from peerproof.reference.gossipsub.step import EXACT_TIMERS

STRETCH = 1 << 15
"""Events filled per stretch of a pipelined run: small enough that the kernel starts early and the last
stretch, stepped alone, is short; large enough that the per-stretch thread start (~0.1 ms) is noise."""
SWITCH_S = 1e-4
"""The interpreter's switch interval during a pipelined run: a cold event in the kernel's thread waits at
most this long for the lock the filling thread holds (the default 5 ms would cost 5 ms per cold event)."""


class Engine:
    """The mutable twin of the pure fold over one trace, positioned after its first ``pos`` events."""

    def __init__(self, config: Config, events: Sequence, dialect: Dialect, seed: int = 0,
                 exact_timers: int = EXACT_TIMERS, encoded: Encoded | None = None) -> None:
        self.config, self.events, self.dialect, self.seed = config, events, dialect, seed
        self.ev = encoded if encoded is not None else head(config, events)
        self.params = params_of(config, dialect, exact_timers)
        self.peer_id = {name: i for i, name in enumerate(self.ev.peers)}
        self.topic_id = {name: i for i, name in enumerate(self.ev.topics)}
        # Messages and their records are at most one per event: the tables are sized before the IDs are
        # interned, and the zeroed pages of rows never used are never touched.
        self.t = empty_tables(len(self.ev.peers), len(config.score.topics), len(self.ev.topics), self.ev.usable,
                              self.ev.usable, config.score.decay_interval_ms, dialect.delivery_gc_interval_ms or 0)
        self.peer_ips: dict[str, set[str]] = {}  # ip -> peers (state.peer_ips)
        self.known_ips: dict[int, set[str]] = {}  # peer -> its stats' known_ips
        self.known_by: dict[str, set[int]] = {}  # ip -> peers whose known_ips hold it
        self.pos = 0
        self.components: dict[tuple[float, ...], TopicComponents] = {}  # equal components share one object

    @property
    def usable(self) -> int:
        """How many events the pure fold applies before refusing one (all of them when none is refused)."""
        return self.ev.usable

    def run_to(self, stop: int) -> None:
        """Apply events ``pos .. stop-1`` (``stop`` at most ``usable``), filling them first where needed."""
        if self.ev.ready < stop:
            if stop - self.pos > 4 * STRETCH:
                self._pipelined(stop)
            else:  # a stretch ahead: a reader that steps event by event fills once per stretch, not per event
                fill(self.ev, self.events, max(stop, self.ev.ready + STRETCH))
        self._run(stop)

    def _pipelined(self, stop: int) -> None:
        """Fill the events up to ``stop``, each filled stretch stepped by the kernel in a second thread while
        the next is filled."""
        fill(self.ev, self.events, self.ev.ready + STRETCH)
        switch = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_S)
        try:
            while self.ev.ready < stop:
                stepper = _Stepper(self, self.ev.ready)
                stepper.start()
                try:
                    fill(self.ev, self.events, min(stop, self.ev.ready + STRETCH))
                finally:  # the kernel's thread never outlives the call, whatever the filling raised
                    stepper.finish()
        finally:
            sys.setswitchinterval(switch)

    def _run(self, stop: int) -> None:
        """Apply the filled events ``pos .. stop-1``: the kernel, and Python for what stops it."""
        t, p, e = self.t, self.params, self.ev
        while self.pos < stop:
            j = k.run(*t.args(), p.tp, p.gp, p.gi, e.kind, e.at, e.peer, e.topic, e.msg, e.val, e.flag, self.pos, stop)
            self.pos = j
            if t.clk[N_EXPIRED]:
                self._forget_expired()
            elif j < stop:
                self._apply_cold(j)
                self.pos = j + 1

    def state(self) -> State:
        """The pure model's State after the applied events (GS-FAST-4)."""
        return full_state(self)

    def observed_state(self) -> State:
        """A State with exactly what ``observe`` reads (peers, IPs, app scores, meshes) and the clock."""
        return observed_state(self)

    def score(self, p: int) -> float:
        """score.score of peer id ``p`` on the tables."""
        t, prm = self.t, self.params
        return scoring.score(t.tb, t.tf, t.ti, t.order, t.pf, t.pi, prm.tp, prm.gp, prm.gi, p)

    def breakdown(self, p: int) -> ScoreBreakdown | None:
        """score.breakdown of peer id ``p`` on the tables (None when the router keeps no stats for it)."""
        t, prm = self.t, self.params
        if not t.pi[p, KNOWN]:
            return None
        rows = scoring.parts(t.tb, t.tf, t.ti, t.order, t.pi, prm.tp, prm.gi, p).tolist()
        names, order, seen = self.ev.topics, t.order[p, : len(rows)].tolist(), self.components
        topics = {}
        for j, row in zip(order, rows, strict=True):
            key = tuple(row)
            comps = seen.get(key)
            if comps is None:
                comps = seen[key] = TopicComponents(*row)
            topics[names[j]] = comps
        total = 0.0
        for row in rows:
            total += row[5]
        cap = self.config.score.topic_score_cap
        capped = cap if cap > 0 and total > cap else total
        p5 = float(t.pf[p, APP]) if t.pi[p, HAS_APP] else 0.0
        p7 = p7_behaviour(self.config, SimpleNamespace(behaviour_penalty=float(t.pf[p, BEHAVIOUR])), self.dialect)
        return ScoreBreakdown(topics, total, capped, p5, float(t.pf[p, P6]), p7, self.score(p))

    def scores(self) -> dict[str, float]:
        """The kernel's score of every peer the router keeps stats for, by name (what a heartbeat reads)."""
        t, prm, n = self.t, self.params, len(self.ev.peers)
        values = scoring.scores(t.tb, t.tf, t.ti, t.order, t.pf, t.pi, prm.tp, prm.gp, prm.gi, n).tolist()
        return {self.ev.peers[p]: v for p, v in enumerate(values) if t.pi[p, KNOWN]}

    def graft(self, p: int, topic: int) -> None:
        """membership.graft on the tables."""
        t = self.t
        k.graft(t.tb, t.tf, t.ti, t.order, t.pi, t.mesh, t.mesh_key, t.clk, self.params.tp, p, topic)

    def prune(self, p: int, topic: int) -> None:
        """membership.prune on the tables."""
        t, prm = self.t, self.params
        k.prune(t.tb, t.tf, t.ti, t.order, t.pi, t.mesh, t.mesh_key, t.backoff, t.clk, prm.tp, prm.gi, p, topic)

    def _apply_cold(self, i: int) -> None:
        kind, p = int(self.ev.kind[i]), int(self.ev.peer[i])
        if kind == k.ADD_PEER:
            self._add_peer(p, bool(self.ev.flag[i]))
        elif kind == k.REMOVE_PEER:
            self._remove_peer(p)
        elif kind == k.ADD_IP:
            self._add_ip(p, self.events[i].ip)
        elif kind == k.REMOVE_IP:
            self._remove_ip(p, self.events[i].ip)
        else:
            heartbeat(self)

    def _add_peer(self, p: int, outbound: bool) -> None:
        """membership.add_peer (GS-RETAIN-3, GS-DIV-15) where fresh stats drop the peer's known IPs: those
        are dropped here, then the kernel's own add_peer replaces the stats."""
        t = self.t
        if not t.pi[p, KNOWN] or self.params.gi[RECONNECT_RESETS]:
            self._drop_known_ips(p)
        k.add_peer(t.tb, t.pf, t.pi, self.params.gi, p, outbound)

    def _remove_peer(self, p: int) -> None:
        """membership.remove_peer (GS-RETAIN-1/2): leave meshes and subscriptions; retain or forget."""
        t = self.t
        t.mesh[p] = 0
        if t.pi[p, SUB_KEY]:
            t.subs[p] = 0
            t.pi[p, SUB_KEY] = 0
        if not t.pi[p, KNOWN]:
            return
        if self.score(p) > 0 and not self.params.gi[RETAIN_POSITIVE]:
            self._forget_peer(p)
            return
        k.retain(t.tb, t.tf, t.ti, t.order, t.pi, t.clk, self.params.tp, self.params.gi, p)

    def _forget_peer(self, p: int) -> None:
        """Drop a peer's stats and take it out of the peers-per-IP table for its known IPs (decay.forget_ips)."""
        self.t.tb[p] = 0
        self.t.pi[p, KNOWN], self.t.pi[p, N_TOPICS] = 0, 0
        name = self.ev.peers[p]
        ips = self._drop_known_ips(p)
        for ip in ips:
            holders = self.peer_ips.get(ip)
            if holders is not None:
                holders.discard(name)
                if not holders:
                    del self.peer_ips[ip]
        self._recolocate(ips)

    def _forget_expired(self) -> None:
        """Forget the IPs of the peers whose retention expired in the kernel's last refresh (GS-RETAIN-4)."""
        n = int(self.t.clk[N_EXPIRED])
        for p in self.t.expired[:n].tolist():
            self._forget_peer(p)
        self.t.clk[N_EXPIRED] = 0

    def _add_ip(self, p: int, ip: str) -> None:
        """membership.add_ip (GS-P6-1)."""
        if self.t.pi[p, KNOWN]:
            self.known_ips.setdefault(p, set()).add(ip)
            self.known_by.setdefault(ip, set()).add(p)
            self.t.pi[p, N_KNOWN_IPS] = len(self.known_ips[p])
        self.peer_ips.setdefault(ip, set()).add(self.ev.peers[p])
        self._recolocate((ip,), p)

    def _remove_ip(self, p: int, ip: str) -> None:
        """membership.remove_ip (GS-P6-1)."""
        if self.t.pi[p, KNOWN]:
            self.known_ips.get(p, set()).discard(ip)
            self.known_by.get(ip, set()).discard(p)
            self.t.pi[p, N_KNOWN_IPS] = len(self.known_ips.get(p, ()))
        holders = self.peer_ips.get(ip)
        if holders is not None:
            holders.discard(self.ev.peers[p])
            if not holders:
                del self.peer_ips[ip]
        self._recolocate((ip,), p)

    def _drop_known_ips(self, p: int) -> set[str]:
        """Empty the peer's known IPs (its stats were replaced or dropped); the IPs it had."""
        ips = self.known_ips.pop(p, set())
        for ip in ips:
            self.known_by[ip].discard(p)
        self.t.pi[p, N_KNOWN_IPS] = 0
        self.t.pf[p, P6] = 0.0
        return ips

    def _recolocate(self, ips: object, also: int | None = None) -> None:
        """Recompute P6 of every peer that knows one of ``ips`` (and of ``also``)."""
        affected = {also} if also is not None else set()
        for ip in ips:
            affected |= self.known_by.get(ip, set())
        table = SimpleNamespace(peer_ips=self.peer_ips)
        for p in affected:
            stats = SimpleNamespace(known_ips=self.known_ips.get(p, ()))
            self.t.pf[p, P6] = p6_ip_colocation(self.config, table, stats, self.dialect) if self.t.pi[p, KNOWN] else 0.0



class _Stepper(threading.Thread):
    """The kernel's thread of a pipelined run: steps the engine to ``stop``; ``finish`` joins it and raises
    what it raised."""

    def __init__(self, engine: Engine, stop: int) -> None:
        super().__init__(name="peerproof-fast-engine", daemon=True)
        self.engine, self.stop, self.error = engine, stop, None

    def run(self) -> None:
        """Step the engine (the kernel releases the interpreter lock)."""
        try:
            self.engine._run(self.stop)
        except BaseException as exc:  # handed to the filling thread by finish()
            self.error = exc

    def finish(self) -> None:
        """Wait for the stretch and raise its error, if any."""
        self.join()
        if self.error is not None:
            raise self.error
