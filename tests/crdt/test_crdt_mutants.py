"""Every crdt property catches a deliberately broken model (quality suite, as tests/quality does for GossipSub).

For each lattice law a mutant merge that z3 (its encoding, mutated the same way) and Hypothesis (the
engine, on the mutated model) both catch, and whose counterexample trace passes on the real model. For
the other properties a mutant of the mechanism the property relies on, caught by the property's engine.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
import z3
from hypothesis import Phase, settings
from peerproof.attacks.checks import Job, Settings
from peerproof.attacks.crdt.engines import run_analytic, run_hypothesis
from peerproof.properties.crdt import z3laws
from peerproof.properties.crdt.sec_machine import machine_for
from peerproof.properties.crdt.witness import WITNESSES
from peerproof.reference.crdt import TYPES, counter, load_config, lww, oplog, orset
from peerproof.spec import bundled_config_path

SETTINGS = Settings(dialect="spec", samples=60)
ORSET_MERGE, OPLOG_MERGE, ORSET_APPLY = orset.merge, oplog.merge, orset.apply


def config(name: str, **changes: Any):
    return replace(load_config(bundled_config_path(name)), **changes)


def _max(a: Any, b: Any) -> Any:
    return z3.If(a >= b, a, b)


def near_max(a: int, b: int) -> int:
    """Commutative, idempotent, not associative: the max of close totals, else the min."""
    return max(a, b) if abs(a - b) <= 1 else min(a, b)


def z3_near_max(a: Any, b: Any) -> Any:
    """``near_max`` in z3."""
    return z3.If(z3.And(a - b <= 1, b - a <= 1), _max(a, b), z3.If(a <= b, a, b))


LAW_MUTANTS = {
    # law: (config, patch target, python mutant, z3 encoding of the mutant)
    "merge-commutative": ("lww-register-standard", "lww.merge_entry",
                          lambda rule, local, incoming: incoming if incoming.ts > local.ts else local,
                          lambda: z3laws.lww("ts-keep-local")),
    "merge-associative": ("pn-counter-standard", "counter._join",
                          lambda rule, a, b: {w: near_max(a.get(w, 0), b.get(w, 0)) for w in sorted(set(a) | set(b))},
                          lambda: replace(z3laws.counter("pointwise-max"), merge=lambda a, b: {
                              "p": z3_near_max(a["p"], b["p"]), "n": z3_near_max(a["n"], b["n"])})),
    "merge-idempotent": ("pn-counter-standard", "counter._join",
                         lambda rule, a, b: {w: a.get(w, 0) + b.get(w, 0) for w in sorted(set(a) | set(b))},
                         lambda: z3laws.counter("sum")),
    "update-inflationary": ("or-set-orswot", "orset.merge",
                            lambda rule, a, b: ORSET_MERGE("remove-by-delete", a, b),
                            lambda: z3laws.orset("remove-by-delete")),
}


def patch(monkeypatch: pytest.MonkeyPatch, target: str, mutant: Any) -> None:
    """Replace a model function by its mutant (in the module, and in the type table that holds merges)."""
    module, name = target.split(".")
    mod = {"lww": lww, "counter": counter, "orset": orset}[module]
    original = getattr(mod, name)
    monkeypatch.setattr(mod, name, mutant)
    for kind, dt in TYPES.items():
        if dt.merge is original:
            monkeypatch.setitem(TYPES, kind, replace(dt, merge=mutant))


@pytest.mark.parametrize("law", list(LAW_MUTANTS))
def test_crdt_law_catches_its_mutant_in_z3_and_hypothesis(law: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """CR-PROP-1..4: z3 and Hypothesis both refute the mutant; the counterexample passes on the real model."""
    name, target, mutant, z3_mutant = LAW_MUTANTS[law]
    c = config(name)
    assert z3laws.check_law(c, law).result == "unsat"
    assert z3laws.solve(z3_mutant(), law).result == "sat"
    with monkeypatch.context() as m:
        patch(m, target, mutant)
        found = run_hypothesis(c, Job(law), SETTINGS)
        assert found is not None and found.verdict == "violated", found
        events = list(found.trace.events)
    assert WITNESSES[law](c, events) is None


def test_crdt_sec_catches_a_double_counting_merge(monkeypatch: pytest.MonkeyPatch) -> None:
    """CR-PROP-5: a counter merged by sum diverges under duplication; the engine and the machine both see it."""
    c = config("pn-counter-standard")
    monkeypatch.setattr(counter, "_join", LAW_MUTANTS["merge-idempotent"][2])
    found = run_hypothesis(c, Job("strong-eventual-consistency"), SETTINGS)
    assert found is not None and found.verdict == "violated"
    machine = machine_for(c)
    machine.TestCase.settings = settings(max_examples=50, stateful_step_count=20, report_multiple_bugs=False,
                                         phases=[Phase.generate], deadline=None)
    with pytest.raises(AssertionError, match="CR-PROP"):
        machine.TestCase().runTest()


def test_crdt_invariant_catches_a_merge_of_guarded_decrements() -> None:
    """CR-PROP-6: two locally guarded decrements merge below the minimum (z3 candidate, shortest trace)."""
    c = config("pn-counter-nonnegative")
    assert z3laws.check_invariant(c).result == "sat"
    found = run_hypothesis(c, Job("invariant-preserved", "pn-counter"), replace(SETTINGS, samples=200))
    assert found is not None and found.verdict == "violated"


def test_crdt_bounded_future_catches_a_replica_without_the_drift_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """CR-PROP-7: with the stamp bound removed from admission the inflation attack lands."""
    c = config("lww-register-bounded-clock")
    job = Job("bounded-future", "lww-register")
    assert run_analytic(c, job, SETTINGS).verdict == "holds"
    monkeypatch.setattr(lww, "admissible", lambda config, key, e, now: True)
    assert run_analytic(c, job, SETTINGS).verdict == "violated"


def test_crdt_authentication_catches_a_replica_that_skips_the_id_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """CR-PROP-8: verifying the signature without binding the writer id to the key lets a forgery in."""
    c = config("lww-register-bounded-clock")
    job = Job("writer-authenticated", "lww-register")
    assert run_analytic(c, job, SETTINGS).verdict == "holds"
    monkeypatch.setattr(lww, "admissible", lambda config, key, e, now: lww.verify(e.pubkey, e.sig,
                                                                                  e.signed_fields(*key)))
    assert run_analytic(c, job, SETTINGS).verdict == "violated"


def test_crdt_equivocation_catches_sequence_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """CR-PROP-9: the hash-graph log with (writer, seq) ids and first-wins merge splits under equivocation."""
    c = config("op-log-hash-graph", scheme="none", keys={})
    job = Job("equivocation-tolerant", "op-log")
    assert run_analytic(c, job, SETTINGS).verdict == "holds"
    monkeypatch.setattr(oplog, "op_id", lambda rule, writer, value, preds, seq: f"{writer}:{seq}")
    monkeypatch.setitem(TYPES, "op-log", replace(TYPES["op-log"], merge=lambda rule, a, b: OPLOG_MERGE("writer-seq",
                                                                                                         a, b)))
    assert run_analytic(c, job, SETTINGS).verdict == "violated"


def test_crdt_gc_safety_catches_a_collector_of_live_records(monkeypatch: pytest.MonkeyPatch) -> None:
    """CR-PROP-10: a GC that drops live register entries older than the horizon changes what readers see."""
    c = config("lww-register-standard", gc_horizon_ms=10_000)
    job = Job("gc-safe", "lww-register")
    assert run_analytic(c, job, SETTINGS).verdict == "holds"
    cutoff_gc = lambda config, state, now: lww.Store({k: e for k, e in state.entries.items()  # noqa: E731
                                                       if e.ts >= now - config.gc_horizon_ms})
    monkeypatch.setitem(TYPES, "lww-register", replace(TYPES["lww-register"], gc=cutoff_gc))
    assert run_analytic(c, job, SETTINGS).verdict == "violated"


def test_crdt_metadata_bound_catches_an_orswot_that_keeps_old_dots(monkeypatch: pytest.MonkeyPatch) -> None:
    """CR-PROP-11: an ORSWOT whose add keeps the dots it observed grows with every re-add."""
    c = config("or-set-orswot")
    job = Job("metadata-bounded", "or-set")
    assert run_analytic(c, job, SETTINGS).verdict == "holds"
    keep_all = lambda config, state, op, check=True: ORSET_APPLY(  # noqa: E731
        replace(config, rule="add-wins-tombstones"), state, op, check)
    monkeypatch.setitem(TYPES, "or-set", replace(TYPES["or-set"], apply=keep_all))
    assert run_analytic(c, job, SETTINGS).verdict == "violated"
