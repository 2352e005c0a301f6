"""Minimal evidence (PP-SHRINK, GS-SHORT-1): a search engine's trace is cut to its shortest violating prefix,
re-confirmed by the witness and replaying exactly; a prefix that shows nothing is never reported."""

from __future__ import annotations

from dataclasses import replace

from peerproof.attacks.checks import Job
from peerproof.attacks.gossipsub import CHECKS
from peerproof.attacks.gossipsub.symbolic.analytic import prove
from peerproof.reference.gossipsub import Heartbeat, load_config
from peerproof.reference.trace import record, replay
from peerproof.spec import bundled_config_path

from peerproof.checkevidence import shortest_prefix

JOB = Job("topic-consistency", "beacon_block")


def padded() -> tuple[object, object, int]:
    """GS-PROP-1's constructed Lighthouse witness, then 300 heartbeats of nothing (what a search engine's
    fixed horizon leaves after the violation), and the constructed length."""
    config = load_config(bundled_config_path("eth2-lighthouse"))
    found = prove(config, JOB.slug, JOB.topic)
    events = found.trace.events
    end = events[-1].at_ms
    tail = tuple(Heartbeat(end + 1000 * (i + 1)) for i in range(300))
    return config, record("gossipsub", config, (*events, *tail), dialect=found.trace.dialect,
                          observe_after=[len(events) - 1, len(events) + 299], claim=found.trace.claim), len(events)


def test_the_shortest_prefix_ends_at_the_violation_and_replays() -> None:
    config, trace, constructed = padded()
    short = shortest_prefix(CHECKS, config, JOB, trace)
    k = len(short.events)
    assert k <= constructed  # the padding is gone; the constructed run may end after its violation, too
    assert replay(short) == []
    assert CHECKS.witness(config, JOB, short) is not None
    one_less = replace(short, events=short.events[:-1], observations=[o for o in short.observations
                                                                      if o["after"] < k - 1])
    assert CHECKS.witness(config, JOB, one_less) is None  # the shortest: one event fewer shows nothing
    assert short.meta["shrunk"] == {"events": k, "of": constructed + 300}


def test_a_witness_that_never_confirms_leaves_the_trace_whole() -> None:
    """Mutant witness: no prefix shows a violation, so nothing is cut (and validation then refuses it)."""
    config, trace, _constructed = padded()
    blind = replace(CHECKS, witness=lambda *_args: None)
    assert shortest_prefix(blind, config, JOB, trace) is trace
