"""The vectorized refresh is the scalar refresh (GS-DECAY), element for element."""

from hypothesis import given
from hypothesis import strategies as st
from peerproof.reference.gossipsub import config_from_mapping
from peerproof.reference.gossipsub.decay import refresh
from peerproof.reference.gossipsub.dialect import get_dialect
from peerproof.reference.gossipsub.state import PeerStats, State, TopicStats
from peerproof.reference.gossipsub.vectorized import decay_vectors, refresh_table, state_with_table, table_from_state

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
