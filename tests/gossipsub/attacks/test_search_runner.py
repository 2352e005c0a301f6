"""The search's plan runner gives the same samples on the fast engine as on the pure model (GS-FAST-9).

``runner.run_plan`` runs on the fast engine by default, with the light heartbeat's decisions made on the
tables (``plan_engine.PlanEngine``); the pure model's run (``use_engine("reference")``) is the reference.
For plans the search itself draws, under bundled configs with few and with many topics, in the go and ts
dialects, every sample (both peers' full score breakdowns, floats bit for bit, and the attacker's meshes)
must be equal. A plan engine whose light heartbeat never re-grafts is found by the same comparison.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from peerproof.attacks.gossipsub.search.plan_engine import PlanEngine
from peerproof.attacks.gossipsub.search.plans import ATTACKER, TWIN, build_events
from peerproof.attacks.gossipsub.search.runner import fast_samples, pure_samples, run_plan
from peerproof.attacks.gossipsub.search.space import plans, space_for
from peerproof.reference.gossipsub import MODEL, Config, load_config
from peerproof.reference.model import use_engine
from peerproof.spec import bundled_config_path

CASES = (("filecoin-lotus", "misbehaviour-lowers-score", None), ("filecoin-acl2s", "fairness", None),
         ("eth2-lodestar", "penalizes-non-forwarding", "beacon_aggregate_and_proof"))
HORIZON = 20  # decay intervals: past a mesh-delivery activation, through prunes and re-grafts


@cache
def config_of(name: str) -> Config:
    return load_config(bundled_config_path(name))


class NeverRegrafts(PlanEngine):
    """Broken on purpose: the light heartbeat prunes negative plan peers but never grafts them back."""

    def graft(self, p: int, topic: int) -> None:
        pass


def difference(name: str, slug: str, topic: str | None, plan: Any, dialect: str,
               engine_class: Any = None) -> str | None:
    """Where the fast samples of ``plan`` first differ from the pure ones, or None."""
    config = config_of(name)
    space = space_for(config, slug, topic)
    events = build_events(config, plan, HORIZON, space.prune_backoff_ms)
    peers = (ATTACKER, TWIN) if plan.twin != "none" else (ATTACKER,)
    d = MODEL.get_dialect(dialect)
    want, got = pure_samples(config, events, peers, d), fast_samples(config, events, peers, d, engine_class)
    if len(want) != len(got):
        return f"{len(got)} samples, not {len(want)}"
    return next((f"sample {i}: {a} != {b}" for i, (a, b) in enumerate(zip(want, got, strict=True)) if a != b), None)


@pytest.mark.parametrize(("name", "slug", "topic"), CASES)
@pytest.mark.parametrize("dialect", ["go", "ts"])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_plan_samples_on_the_fast_engine_equal_the_pure_model(name: str, slug: str, topic: str | None, dialect: str,
                                                               data: st.DataObject) -> None:
    plan = data.draw(plans(space_for(config_of(name), slug, topic)))
    assert difference(name, slug, topic, plan, dialect) is None


def test_run_plan_takes_the_pure_model_under_use_engine_reference() -> None:
    name, slug, topic = CASES[0]
    config = config_of(name)
    space = space_for(config, slug, topic)
    plan = find(plans(space), lambda p: True, settings=settings(database=None, derandomize=True))
    fast = run_plan(config, space, plan, HORIZON, "go")
    with use_engine("reference"):
        assert run_plan(config, space, plan, HORIZON, "go") == fast


def test_a_plan_engine_that_never_regrafts_is_caught() -> None:
    name, slug, topic = "eth2-lodestar", "penalizes-non-forwarding", "beacon_aggregate_and_proof"
    found = find(plans(space_for(config_of(name), slug, topic)),
                 lambda plan: difference(name, slug, topic, plan, "go", NeverRegrafts) is not None,
                 settings=settings(max_examples=300, database=None, derandomize=True, deadline=None,
                                   phases=[Phase.generate], suppress_health_check=list(HealthCheck)))
    assert difference(name, slug, topic, found, "go") is None
