"""``peerproof simulate matchmaking``: arguments and entry point; torch is imported only when it runs."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The simulation's options."""
    parser.add_argument("--quick", action="store_true", help="a small run (under a minute on 2 cores)")
    parser.add_argument("--rounds", type=int, default=None, help="federation rounds (default 20; quick 6)")
    parser.add_argument("--seeds", type=int, default=None, help="seeds per strategy (default 5; quick 2)")
    parser.add_argument("--agents", type=int, default=8, help="agents in the federation (>= 6)")
    parser.add_argument("--out", default="peerproof-out/matchmaking-sim", help="folder for the PNGs and JSON")


def run_simulation(args: argparse.Namespace) -> int:
    """Run the federation; exit 2 when torch is missing."""
    try:
        from peerproof.attacks.matchmaking.federation.run import main
    except ImportError as exc:
        print(f"peerproof simulate matchmaking needs torch (pip install 'peerproof[learning]'): {exc}")
        return 2
    return main(args)
