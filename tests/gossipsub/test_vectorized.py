"""The vectorized refresh is the scalar refresh (GS-DECAY) element for element, and the vectorized score is the
scalar score (GS-SCORE, GS-FAST-7)."""

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from immutables import Map
from peerproof.reference.gossipsub import DIALECTS, config_from_mapping, score
from peerproof.reference.gossipsub.decay import refresh
from peerproof.reference.gossipsub.dialect import get_dialect
from peerproof.reference.gossipsub.state import PeerStats, State, TopicStats, evolve
from peerproof.reference.gossipsub.vectorized import (
    ScoreVectors,
    decay_vectors,
    refresh_table,
    refresh_table_numpy,
    score_table,
    score_vectors,
    state_with_table,
    table_from_state,
)

TOPICS = ("a", "b", "c")


def topic_params(i: int) -> dict:
    decay = (0.5, 0.9, 0.99)[i]
    return {"topic_weight": 1, "time_in_mesh_weight": 0.1, "time_in_mesh_quantum": "1s", "time_in_mesh_cap": 10,
            "first_message_deliveries_weight": 1, "first_message_deliveries_decay": decay,
            "first_message_deliveries_cap": 50, "mesh_message_deliveries_weight": -1,
            "mesh_message_deliveries_decay": decay * 0.99, "mesh_message_deliveries_cap": 30,
            "mesh_message_deliveries_threshold": 5, "mesh_message_deliveries_activation": f"{i + 1}s",
            "mesh_failure_penalty_weight": -1, "mesh_failure_penalty_decay": decay,
            "invalid_message_deliveries_weight": -5, "invalid_message_deliveries_decay": decay}


CONFIG = config_from_mapping({
    "protocol": "gossipsub",
    "score_params": {"decay_interval": "1s", "decay_to_zero": 0.01, "behaviour_penalty_weight": -1,
                     "behaviour_penalty_decay": 0.8,
                     "topics": {t: topic_params(i) for i, t in enumerate(TOPICS)}},
    "thresholds": {"gossip_threshold": -10, "publish_threshold": -20, "graylist_threshold": -30},
})

counter = st.one_of(st.just(0.0), st.floats(0, 100), st.floats(0, 0.02))
topic_stats = st.builds(TopicStats, in_mesh=st.booleans(), graft_time_ms=st.integers(0, 5000),
                        mesh_time_ms=st.integers(0, 5000), first_message_deliveries=counter,
                        mesh_message_deliveries=counter, mesh_message_deliveries_active=st.booleans(),
                        mesh_failure_penalty=counter, invalid_message_deliveries=counter)
peer_stats = st.builds(PeerStats, topics=st.dictionaries(st.sampled_from(TOPICS), topic_stats),
                       behaviour_penalty=counter)
states = st.builds(lambda peers, now: State(now_ms=now, peers=peers),
                   st.dictionaries(st.sampled_from([f"p{i}" for i in range(8)]), peer_stats, max_size=8),
                   st.integers(5000, 9000))


@given(states)
def test_vectorized_refresh_equals_scalar_refresh(state: State) -> None:
    expected = refresh(CONFIG, state, get_dialect("go"))
    table = table_from_state(CONFIG, state)
    refresh_table(table, decay_vectors(CONFIG, table.topics), state.now_ms)
    assert state_with_table(state, table) == expected


@given(states)
def test_numpy_refresh_equals_fused_refresh(state: State) -> None:
    """GS-FAST-7: the numpy fallback and the fused pass leave the same table."""
    fused, plain = table_from_state(CONFIG, state), table_from_state(CONFIG, state)
    vectors = decay_vectors(CONFIG, fused.topics)
    refresh_table(fused, vectors, state.now_ms)
    refresh_table_numpy(plain, vectors, state.now_ms)
    assert state_with_table(state, fused) == state_with_table(state, plain)


def table_scores(state: State, dialect: str, vectors: ScoreVectors | None = None) -> dict[str, float]:
    """Every connected peer's score by the fused table pass (P5 from the state, no IPs)."""
    table = table_from_state(CONFIG, state)
    w = vectors or score_vectors(CONFIG, table.topics, get_dialect(dialect))
    app = np.array([state.app_scores.get(p, 0.0) for p in table.peers])
    return dict(zip(table.peers, score_table(table, w, app, np.zeros(len(table.peers))).tolist(), strict=True))


def scores_disagree(state: State, dialect: str, vectors: ScoreVectors | None = None) -> bool:
    """Whether some connected peer's table score differs from score.score beyond 1e-12 relative."""
    want = {p: score(CONFIG, state, p, get_dialect(dialect)) for p, s in state.peers.items() if s.connected}
    got = table_scores(state, dialect, vectors)
    return any(not math.isclose(want[p], got[p], rel_tol=1e-12, abs_tol=1e-12) for p in want)


scored_states = st.builds(lambda state, apps: evolve(state, app_scores=Map(apps)), states,
                          st.dictionaries(st.sampled_from([f"p{i}" for i in range(8)]), st.floats(-50, 50)))


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
@given(scored_states)
def test_table_score_equals_scalar_score(dialect: str, state: State) -> None:
    """GS-FAST-7: the fused score pass is score.score for every connected peer (topics summed in table order)."""
    assert not scores_disagree(state, dialect)


def test_table_score_with_p1_unfloored_is_caught() -> None:
    """The comparison above can fail: a score pass with P1 not floored in go differs on some state."""
    go = get_dialect("go")
    broken = replace(score_vectors(CONFIG, sorted(TOPICS), go), p1_floor=False)
    found = find(scored_states.filter(lambda s: any(s.connected for s in s.peers.values())),
                 lambda s: scores_disagree(s, "go", broken),
                 settings=settings(max_examples=2000, database=None, derandomize=True, phases=[Phase.generate]))
    assert not scores_disagree(found, "go")
