"""GS-NET-SCN: the bundled scenarios load (the 24 gossipsub-hardening configurations among them) under every
score-parameter choice; bad scenario files are ConfigErrors naming the file and field path, and exit 2 from
the CLI without a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from peerproof.reference.configfile import ConfigError
from peerproof.reference.gossipsub.network import bundled_scenarios, load_scenario, resolve_config, scaled

from peerproof import cli

HARD_24 = ("baseline", "10k", "4k", "censor-single", "cold-boot", "cold-boot-bisect", "cold-boot-covert-flash",
           "cold-boot-covert-flash-oppgraft", "cold-boot-covert-flash-opptgraft", "cold-boot-oppgraft",
           "cold-boot-recovery", "colocation", "dawn", "dawn-colo", "dawn-oppgraft", "dawn-testing", "degrade",
           "degrade-0.5", "eclipse-net", "eclipse-net-colocation", "eclipse-publishers", "eclipse-single",
           "eclipse-single-10k", "eclipse-single-5k")
CHOICES = ("hardening", "eth2-acl2s", "eth2-lighthouse", "eth2-lodestar", "eth2-prysm", "filecoin-acl2s",
           "filecoin-lotus")


def test_gs_net_scn_1_the_24_hardening_configurations_are_bundled() -> None:
    assert len(HARD_24) == 24
    assert set(HARD_24) <= set(bundled_scenarios())
    for name in HARD_24:
        s = load_scenario(name)
        assert s.source["commit"].startswith("4db9fca") and s.honest == 1000 and s.publishers == 100


def test_gs_net_scn_1_hardening_timing_and_attackers_as_configured() -> None:
    flash = load_scenario("cold-boot-covert-flash")
    assert (flash.sybils.count, flash.sybils.links, flash.sybils.attack_delay_ms, flash.run_ms) == (4000, 20, 120_000,
                                                                                                      300_000)
    net = load_scenario("eclipse-net")
    assert (net.sybils.count, net.sybils.links, net.sybils.connect_at_ms) == (4000, 100, 60_000)
    dawn = load_scenario("dawn")
    assert (dawn.honest_connect_at_ms, dawn.sybils.connect_at_ms) == (10_000, 0)
    assert load_scenario("degrade-0.5").sybils.degrade == 0.5
    assert load_scenario("eclipse-single").sybils.target == "single"


@pytest.mark.parametrize("choice", CHOICES)
def test_gs_net_scn_3_every_scenario_runs_under_every_parameter_choice(choice: str) -> None:
    for name in bundled_scenarios():
        cfg, topic = resolve_config(load_scenario(name), choice)
        assert topic in cfg.topics


def test_gs_net_scn_3_overrides_apply_on_top_of_the_choice() -> None:
    cfg, _ = resolve_config(load_scenario("colocation"), "eth2-lighthouse")
    assert cfg.score.ip_colocation_factor_weight == -10
    cfg, _ = resolve_config(load_scenario("cold-boot-oppgraft"))
    assert (cfg.router.opportunistic_graft_ticks, cfg.thresholds.opportunistic_graft_threshold) == (10, 1.0)


def test_gs_net_scn_scaling_keeps_links_within_the_peers() -> None:
    s = scaled(load_scenario("eclipse-net"), 40)
    assert s.honest == 40 and s.publishers == 4 and s.sybils.count == 160 and s.sybils.links == 40
    assert s.rate == pytest.approx(120 * 4 / 100)


BAD = [
    ({"unknown_field": 1}, "unknown_field: unknown field"),
    ({"honest": -3}, "honest: expected a count >= 1"),
    ({"sybils": {"count": -1, "links": 2}}, "sybils.count: expected a count >= 0"),
    ({"sybils": {"count": 10, "links": 2000}}, "sybils.links: 2000 links per Sybil exceed the 1000 honest peers"),
    ({"sybils": {"count": 10, "links": 5, "drop": 1}}, "sybils.drop: unknown field"),
    ({"publishers": 5000}, "publishers: 5000 publishers exceed"),
    ({"config": "no-such-config"}, "config: no bundled config named"),
    ({"latency": 25}, "latency: duration 25 has no unit"),
    ({"rate": float("nan")}, "is not a finite number (PP-LIMIT-4)"),
    ({"overrides": {"router": {"d_lo": "x"}}}, "overrides.router.d_lo: expected a number"),
    ({"sybils": {"count": 1, "links": 1, "degrade": 2}}, "sybils.degrade: expected a number in [0, 1]"),
]


@pytest.mark.parametrize(("change", "message"), BAD)
def test_gs_net_scn_2_bad_scenarios_name_file_and_field(tmp_path: Path, change: dict, message: str) -> None:
    doc = {"scenario": "bad", **change}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(ConfigError) as err:
        load_scenario(path)
    assert str(err.value).startswith(f"{path}: ")
    assert message in str(err.value)


def test_gs_net_cli_1_bad_scenario_exits_2_with_the_field_path(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"scenario": "bad", "sybils": {"count": 5, "links": 5000}}))
    assert cli.main(["simulate", "gossipsub", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{path}: sybils.links:" in err and "Traceback" not in err
    assert cli.main(["simulate", "gossipsub", "no-such-scenario"]) == 2
    assert "no such scenario" in capsys.readouterr().err
