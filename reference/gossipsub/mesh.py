"""Heartbeat mesh maintenance for one router (GS-HB), in go-libp2p-pubsub's order, with a seeded RNG.

Scores are computed once at the start of the heartbeat (go caches them for the heartbeat). Gossip
emission and fanout maintenance do not change any score and are not modelled.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Iterable
from typing import Any, Protocol, TypeVar

from peerproof.reference.gossipsub.config import Config
from peerproof.reference.gossipsub.dialect import Dialect
from peerproof.reference.gossipsub.membership import graft, prune
from peerproof.reference.gossipsub.params import RouterParams
from peerproof.reference.gossipsub.score import score
from peerproof.reference.gossipsub.state import State, evolve

P = TypeVar("P")


class Shuffler(Protocol):
    """A seeded source that shuffles a list in place (``random.Random`` or ``numpy.random.Generator``)."""

    def shuffle(self, x: Any) -> None: ...


def joined_topics(config: Config, state: State) -> list[str]:
    """The topics this router is in: every scored topic and every topic it has a mesh for."""
    return sorted(set(config.score.topics) | set(state.router.mesh))


def backing_off(state: State, topic: str, peer: str) -> bool:
    """Whether ``peer`` is in its prune backoff for ``topic``."""
    return state.router.backoff.get((topic, peer), -1) > state.now_ms


def candidates(state: State, topic: str, scores: dict[str, float]) -> list[str]:
    """Connected peers subscribed to ``topic``, not in its mesh, not backing off (sorted for determinism)."""
    mesh = state.router.mesh.get(topic, frozenset())
    return sorted(
        p for p, topics in state.router.subscriptions.items()
        if topic in topics and p not in mesh and p in scores and state.peers[p].connected
        and not backing_off(state, topic, p)
    )


class MeshView(Protocol):
    """One router's meshes as heartbeat maintenance reads and changes them: the pure State (``StateMeshes``)
    or the fast engine's tables (fast/heartbeat.py), so that both take every decision in one place."""

    def members(self, topic: str) -> Collection[str]: ...

    def candidates(self, topic: str, scores: dict[str, float]) -> list[str]: ...

    def is_outbound(self, peer: str) -> bool: ...

    def graft(self, peer: str, topic: str) -> None: ...

    def prune(self, peer: str, topic: str) -> None: ...


def maintain(view: MeshView, config: Config, dialect: Dialect, topics: Iterable[str], scores: dict[str, float],
             ticks: int, seed: int) -> None:
    """GS-HB-1..5 on ``view`` for each of ``topics`` in name order, with ``scores`` as at the heartbeat's start
    and one RNG per topic seeded by the router's seed, the heartbeat's number and the topic."""
    for topic in sorted(topics):
        rng = random.Random(f"{seed}/{ticks}/{topic}")
        _maintain_topic(view, config, dialect, topic, scores, ticks, rng)


def _maintain_topic(view: MeshView, config: Config, dialect: Dialect, topic: str, scores: dict[str, float],
                    ticks: int, rng: random.Random) -> None:
    """GS-HB-1..5 for one topic: prune negative peers, fill below Dlo, trim above Dhi, keep Dout, graft
    opportunistically every ``opportunistic_graft_ticks`` heartbeats."""
    r = config.router
    # GS-HB-1: prune every mesh peer with a negative score.
    for p in sorted(view.members(topic)):
        if scores.get(p, 0.0) < 0:
            view.prune(p, topic)
    # GS-HB-2: below Dlo, graft up to D - |mesh| random candidates with score >= 0.
    size = len(view.members(topic))
    if size < r.d_lo:
        pool = [p for p in view.candidates(topic, scores) if scores[p] >= 0]
        rng.shuffle(pool)
        for p in pool[: r.d - size]:
            view.graft(p, topic)
    # GS-HB-3: above Dhi (>= Dhi in go, GS-DIV-9), keep the best Dscore, the rest at random, >= Dout outbound.
    mesh = view.members(topic)
    if len(mesh) >= r.d_hi if dialect.oversubscribed_at_d_hi else len(mesh) > r.d_hi:
        keep = trim_order(sorted(mesh), lambda p: scores.get(p, 0.0), view.is_outbound, r, dialect.dout_fill_to_d,
                          rng)
        for p in keep[r.d:]:
            view.prune(p, topic)
    # GS-HB-4: with at least Dlo peers but fewer than Dout outbound, graft outbound candidates.
    mesh = view.members(topic)
    outbound = sum(1 for p in mesh if view.is_outbound(p))
    if len(mesh) >= r.d_lo and outbound < r.d_out:
        pool = [p for p in view.candidates(topic, scores) if view.is_outbound(p) and scores[p] >= 0]
        rng.shuffle(pool)
        for p in pool[: r.d_out - outbound]:
            view.graft(p, topic)
    # GS-HB-5: opportunistic grafting when the median mesh score is below the threshold.
    if r.opportunistic_graft_ticks and ticks % r.opportunistic_graft_ticks == 0:
        _opportunistic(view, config, dialect, topic, scores, rng)


class StateMeshes:
    """The pure State as a MeshView: each graft and prune steps ``state`` (membership.graft/prune)."""

    def __init__(self, config: Config, state: State, dialect: Dialect) -> None:
        self.config, self.state, self.dialect = config, state, dialect

    def members(self, topic: str) -> frozenset[str]:
        """The topic's mesh."""
        return self.state.router.mesh.get(topic, frozenset())

    def candidates(self, topic: str, scores: dict[str, float]) -> list[str]:
        """mesh.candidates of the current state."""
        return candidates(self.state, topic, scores)

    def is_outbound(self, peer: str) -> bool:
        """Whether the router dialled the peer."""
        return peer in self.state.router.outbound

    def graft(self, peer: str, topic: str) -> None:
        """membership.graft."""
        self.state = graft(self.config, self.state, peer, topic)

    def prune(self, peer: str, topic: str) -> None:
        """membership.prune."""
        self.state = prune(self.config, self.state, peer, topic, self.dialect)


def heartbeat(config: Config, state: State, dialect: Dialect) -> State:
    """GS-HB-1..5 on every joined topic, with scores as at the heartbeat's start and one seeded RNG per topic."""
    ticks = state.router.heartbeat_ticks + 1
    state = evolve(state, router=evolve(state.router, heartbeat_ticks=ticks))
    scores = {p: score(config, state, p, dialect) for p in state.peers}
    view = StateMeshes(config, state, dialect)
    maintain(view, config, dialect, joined_topics(config, state), scores, ticks, state.router.seed)
    return view.state


def trim_order(peers: Iterable[P], score: Callable[[P], float], is_outbound: Callable[[P], bool],
               r: RouterParams, fill_to_d: bool, rng: Shuffler) -> list[P]:
    """GS-HB-3: an oversubscribed mesh in keep order — the best Dscore by score, the rest at random, then
    outbound peers rotated to the front until the first D hold at least Dout (D with ``fill_to_d``, GS-DIV);
    the router prunes every peer past index D. Shared by the reference, the fast engine and the network
    simulator, so the three draw from ``rng`` in the same order."""
    plst = list(peers)
    rng.shuffle(plst)
    plst.sort(key=lambda p: -score(p))
    rest = plst[r.d_score:]
    rng.shuffle(rest)
    plst[r.d_score:] = rest
    have = sum(1 for p in plst[: r.d] if is_outbound(p))
    if have < r.d_out:
        def rotate(i: int) -> None:
            plst.insert(0, plst.pop(i))

        left = have
        i = 1
        while i < r.d and left > 0:
            if is_outbound(plst[i]):
                rotate(i)
                left -= 1
            i += 1
        need = (r.d if fill_to_d else r.d_out) - have
        i = r.d
        while i < len(plst) and need > 0:
            if is_outbound(plst[i]):
                rotate(i)
                need -= 1
            i += 1
    return plst


def _opportunistic(view: MeshView, config: Config, dialect: Dialect, topic: str, scores: dict[str, float],
                   rng: random.Random) -> None:
    mesh = view.members(topic)
    if len(mesh) <= 1:
        return
    ordered = sorted(scores.get(p, 0.0) for p in mesh)
    median = ordered[len(ordered) // 2]
    if median >= config.thresholds.opportunistic_graft_threshold:
        return
    pool = [p for p in view.candidates(topic, scores) if scores[p] > median
            and (scores[p] >= 0 or not dialect.opportunistic_needs_nonnegative)]
    rng.shuffle(pool)
    for p in pool[: config.router.opportunistic_graft_peers]:
        view.graft(p, topic)
