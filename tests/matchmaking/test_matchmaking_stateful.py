"""MM-LAW-1/3/6/8 on whole runs of the reference model: random profile reports (right and wrong lengths,
joins), matches and reward reports (valid, unmatched, repeated, by the wrong member), in both dialects and
both trust models; after every event the invariants hold."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from peerproof.properties.matchmaking.laws import (
    cpm_inputs_minimal,
    incremental_inverse_exact,
    matching_valid,
    spd_and_increasing,
)
from peerproof.reference.matchmaking import MODEL, Match, Report, Reward, format_values, load_config

CONFIGS = Path(__file__).resolve().parents[2] / "spec" / "configs" / "matchmaking"
BASE = {name: load_config(CONFIGS / f"{name}.yaml") for name in ("knexa-code", "knexa-hardened")}
unit = st.floats(-1.5, 1.5, allow_nan=False)


@st.composite
def runs(draw: st.DrawFn) -> tuple:
    """A config (bundled, possibly with the other trust model) and a random event list."""
    config = BASE[draw(st.sampled_from(sorted(BASE)))]
    if draw(st.booleans()):
        config = replace(config, reporter="receiver" if config.reporter != "receiver" else "partner-confirmed")
    ids = [a.id for a in config.agents] + ["newcomer"]
    events, t = [], 0
    for _ in range(draw(st.integers(1, 25))):
        t += 1
        kind = draw(st.sampled_from(["report", "match", "match", "reward", "reward"]))
        if kind == "report":
            n = config.dimension + draw(st.sampled_from([0, 0, 0, -1, 3]))
            values = draw(st.lists(unit, min_size=n, max_size=n)) if n > 0 else [0.0]
            events.append(Report(t, draw(st.sampled_from(ids)), format_values(tuple(values))))
        elif kind == "match":
            events.append(Match(t))
        else:
            s, tt = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
            if s == tt:
                continue
            events.append(Reward(t, s, tt, draw(st.sampled_from([s, tt])), draw(unit), draw(unit)))
    return config, events


@given(runs())
def test_mm_laws_hold_after_every_event_of_a_random_run(run) -> None:
    config, events = run
    bandits = [MODEL.start(config)[1].bandit]
    for _i, event, state in MODEL.states(config, events):
        assert cpm_inputs_minimal(config, state) is None
        if isinstance(event, Match):
            assert matching_valid(state.selection, len(state.ids), config.pair_budget) is None
        if state.bandit is not bandits[-1]:
            bandits.append(state.bandit)
        assert state.bandit.updates <= len(state.history)
    assert spd_and_increasing(bandits, config.lam) is None
    assert incremental_inverse_exact(bandits, tolerance=1e-3) is None  # float32 in knexa-code
