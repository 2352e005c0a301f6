"""The reference model on hand-computed cases: schedule (RK-ROUND-2), weights (RK-W-2), existence (RK-BT-4),
the client dialect (RK-DIV-1..3), reputation (RK-REP-3/5), events (RK-EV) and traces."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from peerproof.reference.events import EventError
from peerproof.reference.ranking import (
    MODEL,
    Close,
    Compare,
    Join,
    Retract,
    config_from_mapping,
    event_from_dict,
    win_matrix,
)
from peerproof.reference.ranking.bradley_terry import fit, mle_exists
from peerproof.reference.ranking.reputation import farmed, updated
from peerproof.reference.ranking.schedule import client_pairs
from peerproof.reference.trace import record, replay

ROUND = {"protocol": "ranking", "candidates": {"a": None, "b": None, "c": None},
         "judges": {"j1": {"reputation": 1.0}, "j2": {"reputation": 0.5}},
         "comparisons": [{"judge": "j1", "first": "a", "second": "b", "outcome": "first"},
                         {"judge": "j1", "first": "b", "second": "c", "outcome": "first"},
                         {"judge": "j2", "first": "c", "second": "a", "outcome": "first"},
                         {"judge": "j2", "first": "a", "second": "b", "outcome": "tie"}]}


@pytest.mark.parametrize("n", range(2, 9))
def test_rk_round_2_client_schedule_has_2n_minus_2_plus_2_half_n_comparisons(n: int) -> None:
    pairs = client_pairs(n)
    assert len(pairs) == 2 * (n - 1) + 2 * (n // 2)
    assert all((j, i) in pairs for i, j in pairs)  # both orders


def test_rk_w_2_per_judge_weights_by_hand() -> None:
    config = config_from_mapping(ROUND)
    state = MODEL.final_state(config, [])
    w = win_matrix(config, state.comparisons, state.judges)
    # j1: 1.0 over 2 comparisons = 0.5 each; j2: 0.5 over 2 = 0.25 each, its tie 0.125 to each side
    assert w.tolist() == [[0, 0.5 + 0.125, 0], [0.125, 0, 0.5], [0.25, 0, 0]]


def test_rk_bt_two_candidates_closed_form() -> None:
    # with W[a,b] = 3, W[b,a] = 1 the MLE has π_a/π_b = 3, so θ_a − θ_b = log 3, centred ±log(3)/2
    w = np.array([[0.0, 3.0], [1.0, 0.0]])
    for solver in ("mm", "ilsr", "zermelo-gs"):
        f = fit(w, solver, 1e-12, 100_000)
        assert f.converged and f.theta[0] == pytest.approx(math.log(3) / 2, abs=1e-9), solver


def test_rk_bt_4_spec_reports_no_mle_and_the_client_names_a_winner() -> None:
    doc = dict(ROUND, comparisons=[c for c in ROUND["comparisons"] if c["first"] != "c"])  # c never wins
    config = config_from_mapping(doc)
    spec = MODEL.final_state(config, [Close(at_ms=0)]).last
    client = MODEL.final_state(config, [Close(at_ms=0)], dialect="client").last
    assert spec.status == "no-mle" and spec.winner is None and len(spec.components) == 2
    assert client.winner == "a" and client.status == "no-mle"
    assert not mle_exists(np.array([[0.0, 1.0], [0.0, 0.0]]))


def test_rk_bt_5_a_prior_makes_the_mle_exist() -> None:
    doc = dict(ROUND, comparisons=ROUND["comparisons"][:2], aggregation={"prior": 0.01})
    assert MODEL.final_state(config_from_mapping(doc), [Close(at_ms=0)]).last.status == "ok"


def test_rk_rep_3_update_by_hand() -> None:
    doc = dict(ROUND, reputation={"minimum": 0.1, "maximum": 1.0, "learning_rate": 0.2})
    rule = config_from_mapping(doc).reputation
    assert updated(rule, 0.5, 1.0) == pytest.approx(0.8 * 0.5 + 0.2 * 1.0)
    assert updated(rule, 0.1, 0.0) == 0.1  # clamped at the minimum
    assert farmed(rule, 3, 0.2) == pytest.approx(1.0 - 0.8 * 0.8**3)  # RK-REP-5


def test_rk_ev_events_join_compare_retract_close_and_replay() -> None:
    config = config_from_mapping(ROUND)
    events = [Join(at_ms=0, judge="s1"), Compare(at_ms=1000, judge="s1", first="c", second="a", outcome="first"),
              Retract(at_ms=1000, judge="j2"), Close(at_ms=2000), Close(at_ms=3000)]
    trace = record("ranking", config, events)
    assert replay(trace) == []
    final = MODEL.final_state(config, events)
    assert final.round == 2 and "s1" in final.judges and final.judges["s1"].reputation != 0.1


@pytest.mark.parametrize(("event", "message"), [
    (Join(at_ms=0, judge="j1"), "already exists"),
    (Compare(at_ms=0, judge="nobody", first="a", second="b", outcome="tie"), "judge: unknown judge"),
    (Compare(at_ms=0, judge="j1", first="a", second="zz", outcome="tie"), "second: unknown candidate"),
    (Retract(at_ms=0, judge="nobody"), "judge: unknown judge"),
])
def test_rk_ev_bad_events_are_event_errors_naming_the_field(event, message: str) -> None:
    with pytest.raises(EventError, match=message):
        MODEL.final_state(config_from_mapping(ROUND), [event])


def test_rk_ev_2_replay_locates_an_unknown_judge_at_its_event() -> None:
    config = config_from_mapping(ROUND)
    trace = record("ranking", config, [Close(at_ms=0)], observe_after=[0])
    bad = Compare(at_ms=0, judge="nobody", first="a", second="b", outcome="first")
    with pytest.raises(EventError, match=r"^events\[1\]\.judge: unknown judge"):
        replay(replace(trace, events=(Close(at_ms=0), bad)))


@pytest.mark.parametrize(("doc", "message"), [
    ({"kind": "compare", "at": 0, "judge": "j1", "first": "a", "second": "a", "outcome": "tie"}, "second: a self"),
    ({"kind": "compare", "at": 0, "judge": "j1", "first": "a", "second": "b", "outcome": "win"}, "outcome:"),
    ({"kind": "join", "at": 0, "judge": "j9", "stake": -1.0}, "stake:"),
])
def test_rk_ev_bad_event_documents_are_rejected(doc: dict, message: str) -> None:
    with pytest.raises(EventError, match=message):
        event_from_dict(doc)
