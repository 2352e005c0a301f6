"""CR-ATK-1..6: every attack writes a replayable trace that lands on its naive config and not on its mitigated one."""

from __future__ import annotations

import pytest
from peerproof.attacks.crdt.bloat import growth
from peerproof.attacks.crdt.byzantine import ATTACKS, tie_order
from peerproof.properties.crdt.witness import WITNESSES, diverged
from peerproof.reference.crdt import load_config
from peerproof.reference.trace import record, replay
from peerproof.spec import bundled_config_path

PAIRS = [
    ("bounded-future", "lww-register-standard", "lww-register-bounded-clock"),
    ("bounded-future", "expiring-map-hivemind", "expiring-map-owned-subkeys"),
    ("writer-authenticated", "lww-map-standard", "lww-register-bounded-clock"),
    ("writer-authenticated", "op-log-writer-seq", "op-log-hash-graph"),
    ("writer-authenticated", "pn-counter-standard", "pn-counter-signed"),
    ("equivocation-tolerant", "op-log-writer-seq", "op-log-hash-graph"),
    ("gc-safe", "lww-map-gc-horizon", "or-set-orswot"),
    ("metadata-bounded", "lww-map-standard", "lww-map-gc-horizon"),
    ("metadata-bounded", "or-set-tombstones", "or-set-orswot"),
]


@pytest.mark.parametrize(("slug", "naive", "mitigated"), PAIRS)
def test_crdt_attack_lands_without_its_mitigation_only(slug: str, naive: str, mitigated: str) -> None:
    """Each attack's trace replays with zero mismatches on both configs; the witness fires on the naive one only."""
    for name, lands in ((naive, True), (mitigated, False)):
        config = load_config(bundled_config_path(name))
        events = ATTACKS[slug](config)
        assert replay(record("crdt", config, events)) == []
        assert (WITNESSES[slug](config, events) is not None) == lands, name


def test_crdt_tie_order_divergence_needs_the_writer_tie_break() -> None:
    """CR-ATK-4: two writes in one millisecond split a keep-local register for good, not a (ts, writer) one."""
    broken = load_config(bundled_config_path("lww-register-tie-keep-local"))
    fixed = load_config(bundled_config_path("lww-register-standard"))
    assert diverged(broken, tie_order(broken)) is not None
    assert diverged(fixed, tie_order(fixed)) is None


def test_crdt_bloat_grows_linearly_without_gc_and_stays_flat_with_it() -> None:
    """CR-ATK-6: metadata after k remove cycles: k tombstones without GC, bounded by the horizon's churn with it."""
    naive = growth(load_config(bundled_config_path("lww-map-standard")), [20, 40])
    collected = growth(load_config(bundled_config_path("lww-map-gc-horizon")), [20, 40])
    assert naive == {20: 20, 40: 40}
    assert collected[40] == collected[20] <= 11  # the horizon is 10 s: one cycle a second, both ends counted


def test_crdt_simulation_shows_the_hijack_only_without_owned_subkeys() -> None:
    """``peerproof simulate crdt``: an attacker's far-future write of p0's subkey reaches every peer of the
    hivemind rule and none of the owned-subkey rule; honest peers agree either way."""
    from peerproof.attacks.crdt.simulation import network, simulate

    for name, hijacked in (("expiring-map-hivemind", True), ("expiring-map-owned-subkeys", False)):
        config = network(load_config(bundled_config_path(name)), 5)
        rows = simulate(config, minutes=2, loss=0.1, churn=0.0, attack="inflation", seed=1)
        assert all(r["agree"] == r["online"] for r in rows)
        assert (rows[-1]["hijacked"] == 5) == hijacked and (rows[-1]["hijacked"] == 0) != hijacked


def test_crdt_plot_shows_the_split_that_never_heals(tmp_path) -> None:
    """The crdt plot of the equivocation trace: two distinct reads remain after full anti-entropy."""
    from peerproof.attacks.crdt.plot import plot, series

    config = load_config(bundled_config_path("op-log-writer-seq"))
    trace = record("crdt", config, ATTACKS["equivocation-tolerant"](config))
    distinct, _rejected, _sizes = series(trace)
    assert distinct[-1] == 2
    plot(trace, tmp_path / "t.png")
    assert (tmp_path / "t.png").stat().st_size > 1000


def test_crdt_hybrid_logical_clock_lets_later_honest_writes_win_but_inherits_the_inflation() -> None:
    """CR-CLK-3: under an HLC the honest write after a far-future record wins, stamped after it."""
    from dataclasses import replace

    from peerproof.reference.crdt import MODEL

    wall = load_config(bundled_config_path("lww-register-standard"))
    for config, winner in ((wall, "attacker"), (replace(wall, hlc=True), "honest")):
        events = ATTACKS["bounded-future"](config)
        state = MODEL.final_state(config, events)
        assert MODEL.observe(config, state, None)["replicas"]["a"]["value"] == winner
        assert WITNESSES["bounded-future"](config, events) is not None


def test_crdt_hash_graph_detects_the_equivocator_and_sequence_ids_cannot() -> None:
    """CR-LOG-9: after the equivocation attack every correct replica of the hash graph names m; none can with
    (writer, seq) ids."""
    from peerproof.reference.crdt import MODEL

    for name, caught in (("op-log-hash-graph", True), ("op-log-writer-seq", False)):
        config = load_config(bundled_config_path(name))
        state = MODEL.final_state(config, ATTACKS["equivocation-tolerant"](config))
        obs = MODEL.observe(config, state, None)["replicas"]
        m = config.true_id("m")
        assert all((obs[r]["equivocators"] == [m]) == caught for r in ("a", "b", "c")), obs
