"""Heartbeat mesh maintenance for one router (GS-HB), in go-libp2p-pubsub's order, with a seeded RNG.

Scores are computed once at the start of the heartbeat (go caches them for the heartbeat). Gossip
emission and fanout maintenance do not change any score and are not modelled.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
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


def heartbeat(config: Config, state: State, dialect: Dialect) -> State:
    """GS-HB-1..5: prune negative peers, fill below Dlo, trim above Dhi, keep Dout, opportunistic graft."""
    ticks = state.router.heartbeat_ticks + 1
    state = evolve(state, router=evolve(state.router, heartbeat_ticks=ticks))
    scores = {p: score(config, state, p, dialect) for p in state.peers}
    r = config.router
    for topic in joined_topics(config, state):
        rng = random.Random(f"{state.router.seed}/{ticks}/{topic}")
        # GS-HB-1: prune every mesh peer with a negative score.
        for p in sorted(state.router.mesh.get(topic, frozenset())):
            if scores.get(p, 0.0) < 0:
                state = prune(config, state, p, topic, dialect)
        mesh = state.router.mesh.get(topic, frozenset())
        # GS-HB-2: below Dlo, graft up to D - |mesh| random candidates with score >= 0.
        if len(mesh) < r.d_lo:
            pool = [p for p in candidates(state, topic, scores) if scores[p] >= 0]
            rng.shuffle(pool)
            for p in pool[: r.d - len(mesh)]:
                state = graft(config, state, p, topic)
        mesh = state.router.mesh.get(topic, frozenset())
        # GS-HB-3: above Dhi (>= Dhi in go, GS-DIV-9), keep the best Dscore, the rest at random, >= Dout outbound.
        over = len(mesh) >= r.d_hi if dialect.oversubscribed_at_d_hi else len(mesh) > r.d_hi
        if over:
            state = _trim(config, state, topic, scores, rng, dialect)
        mesh = state.router.mesh.get(topic, frozenset())
        # GS-HB-4: with at least Dlo peers but fewer than Dout outbound, graft outbound candidates.
        outbound = sum(1 for p in mesh if p in state.router.outbound)
        if len(mesh) >= r.d_lo and outbound < r.d_out:
            pool = [p for p in candidates(state, topic, scores) if p in state.router.outbound and scores[p] >= 0]
            rng.shuffle(pool)
            for p in pool[: r.d_out - outbound]:
                state = graft(config, state, p, topic)
        # GS-HB-5: opportunistic grafting when the median mesh score is below the threshold.
        if r.opportunistic_graft_ticks and ticks % r.opportunistic_graft_ticks == 0:
            state = _opportunistic(config, state, topic, scores, rng, dialect)
    return state


def _trim(config: Config, state: State, topic: str, scores: dict[str, float], rng: random.Random,
          dialect: Dialect) -> State:
    r = config.router
    plst = trim_order(sorted(state.router.mesh.get(topic, frozenset())), lambda p: scores.get(p, 0.0),
                      state.router.outbound.__contains__, r, dialect.dout_fill_to_d, rng)
    for p in plst[r.d:]:
        state = prune(config, state, p, topic, dialect)
    return state


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


def _opportunistic(config: Config, state: State, topic: str, scores: dict[str, float], rng: random.Random,
                   dialect: Dialect) -> State:
    mesh = state.router.mesh.get(topic, frozenset())
    if len(mesh) <= 1:
        return state
    ordered = sorted(scores.get(p, 0.0) for p in mesh)
    median = ordered[len(ordered) // 2]
    if median >= config.thresholds.opportunistic_graft_threshold:
        return state
    pool = [p for p in candidates(state, topic, scores) if scores[p] > median
            and (scores[p] >= 0 or not dialect.opportunistic_needs_nonnegative)]
    rng.shuffle(pool)
    for p in pool[: config.router.opportunistic_graft_peers]:
        state = graft(config, state, p, topic)
    return state
