"""``peerproof scenarios``: the bundled network scenarios (spec/scenarios/gossipsub/), one row each."""

from __future__ import annotations

import argparse
import json
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The verb's options."""
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="table for people (default), json for machines")


def run_command(args: argparse.Namespace) -> int:
    """List every bundled scenario with its size, attackers, timing and source; exit 0."""
    from rich.console import Console
    from rich.table import Table

    from peerproof.reference.gossipsub.network import bundled_scenarios, load_scenario

    rows = []
    for name in bundled_scenarios():
        s = load_scenario(name)
        y = s.sybils
        rows.append({"scenario": name, "honest": s.honest, "publishers": s.publishers, "sybils": y.count,
                     "links_per_sybil": y.links, "sybils_connect_s": y.connect_at_ms / 1000,
                     "attack": _attack(s), "run_s": s.run_ms / 1000, "rate_per_s": s.rate,
                     "config": s.config, "source": s.source.get("file", s.source.get("derived", ""))})
    if args.format == "json":
        sys.stdout.write(json.dumps(rows, indent=1) + "\n")
        return 0
    table = Table(title="bundled network scenarios (peerproof simulate gossipsub SCENARIO)")
    for col in ("scenario", "honest", "sybils", "links/sybil", "connect", "attack", "run", "config"):
        table.add_column(col, justify="left" if col in ("scenario", "attack", "config") else "right")
    for r in rows:
        table.add_row(r["scenario"], str(r["honest"]), str(r["sybils"]), str(r["links_per_sybil"]),
                      f"{r['sybils_connect_s']:g} s", r["attack"], f"{r['run_s']:g} s", r["config"])
    Console(width=160).print(table)
    return 0


def _attack(s) -> str:
    y = s.sybils
    if not y.count:
        return "none"
    what = "censor one publisher" if y.censor_single else f"drop {y.degrade:.0%}"
    if y.attack_delay_ms:
        what = f"honest {y.attack_delay_ms / 1000:g} s, then {what}"
    target = {"all": "", "publishers": " (publishers only)", "single": " (one publisher)"}[y.target]
    return what + target
