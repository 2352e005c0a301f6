"""The manifests of expected verdicts (TLA+ Examples style), for every protocol (spec/peerproof.md, PP-MANIFEST).

``spec/configs/<protocol>/expected.json`` records the settings its verdicts were produced with and,
for each bundled config, one entry per property check (per scope item, or per group of interchangeable
items): ``property``, ``topic`` (the item, a group label, or null), ``verdict`` and ``reason``. A reason
that starts with one of the manifest's ``tags`` is part of the verdict and must match too; the rest of a
reason is the reviewed explanation. The settings bound work, not time, so the verdicts do not depend on
the machine. Protocol-generic: nothing here names a protocol.

After a deliberate change, regenerate and review the diff:

    python tests/frame/manifests.py --write PROTOCOL
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peerproof.attacks.checks import get_checks
from peerproof.spec import CONFIG_DIR, bundled_configs

from peerproof.catalogue import load_any_config
from peerproof.check import Options, Result, run_checks

DEFAULT_SETTINGS = {"engine": "hypothesis", "depth": 12, "samples": 30, "timeout_s": 120.0, "seed": 0, "tags": []}


@dataclass(frozen=True)
class Manifest:
    """One protocol's manifest: the settings its verdicts come from, and the expected entries per config."""

    protocol: str
    path: Path
    settings: Mapping[str, Any]
    configs: Mapping[str, list[dict[str, Any]]]


def manifest_path(protocol: str) -> Path:
    """Where ``protocol``'s manifest lives."""
    return CONFIG_DIR / protocol / "expected.json"


def protocols_with_manifests() -> list[str]:
    """Every protocol with bundled configs and a manifest."""
    return sorted(p.parent.name for p in CONFIG_DIR.glob("*/expected.json"))


def load_manifest(protocol: str) -> Manifest:
    """Read a manifest."""
    path = manifest_path(protocol)
    doc = json.loads(path.read_text(encoding="utf-8"))
    return Manifest(protocol, path, {**DEFAULT_SETTINGS, **doc["settings"]}, doc["configs"])


def configs_of(protocol: str) -> list[str]:
    """The bundled configs of a protocol."""
    return [c.name for c in bundled_configs(protocol)]


def check(protocol: str, name: str, settings: Mapping[str, Any], out: Path | None = None) -> list[Result]:
    """``peerproof check NAME`` at the manifest's settings (no implementation replays), as Result objects."""
    path = next(c.path for c in bundled_configs(protocol) if c.name == name)
    _model, config = load_any_config(Path(path))
    checks = get_checks(protocol)
    opts = Options(checks, config, config.dialect, int(settings["depth"]), float(settings["timeout_s"]),
                   settings["engine"], int(settings["samples"]), int(settings["seed"]), out,
                   min(4, os.cpu_count() or 1), replays=False, cross_check=bool(settings.get("cross_check", False)))
    return run_checks(opts, checks.jobs(config))


def scope_label(protocol: str, r: Result) -> str | None:
    """The manifest's ``topic`` of a result: the scope item, or its group's label."""
    return get_checks(protocol).presentation.group_label(r.job.group) if r.job.group else r.job.topic


def tag(reason: str, tags: Sequence[str]) -> str | None:
    """The tag a reason starts with, if any (tags are part of the verdict)."""
    return next((t for t in tags if reason.startswith(t)), None)


def drift(m: Manifest, name: str, results: Sequence[Result]) -> list[str]:
    """Every difference between a config's manifest entries and its check results."""
    tags = m.settings["tags"]
    want = {(e["property"], e["topic"]): e for e in m.configs[name]}
    got = {(r.job.slug, scope_label(m.protocol, r)): r for r in results}
    out = [f"{p} [{t}]: in the manifest, not checked" for p, t in sorted(set(want) - set(got), key=str)]
    out += [f"{p} [{t}]: checked ({got[p, t].verdict}), not in the manifest" for p, t in
            sorted(set(got) - set(want), key=str)]
    for key in sorted(set(want) & set(got), key=str):
        e, r = want[key], got[key]
        if e["verdict"] != r.verdict or tag(e["reason"], tags) != tag(r.reason, tags):
            out.append(f"{key[0]} [{key[1]}]: expected {e['verdict']} ({tag(e['reason'], tags) or 'any reason'}), "
                       f"got {r.verdict}: {r.reason[:300]}")
    return out


def write_manifest(protocol: str) -> None:
    """Check every bundled config of ``protocol`` and write its manifest, keeping reviewed reasons whose
    verdict held and the recorded settings (the defaults for a new manifest)."""
    path = manifest_path(protocol)
    old = load_manifest(protocol) if path.exists() else Manifest(protocol, path, DEFAULT_SETTINGS, {})
    tags = old.settings["tags"]
    configs = {}
    for name in configs_of(protocol):
        kept = {(e["property"], e["topic"]): e for e in old.configs.get(name, [])}
        entries = []
        for r in check(protocol, name, old.settings):
            key = (r.job.slug, scope_label(protocol, r))
            e = kept.get(key)
            same = e is not None and e["verdict"] == r.verdict and tag(e["reason"], tags) == tag(r.reason, tags)
            entries.append({"property": key[0], "topic": key[1], "verdict": r.verdict,
                            "reason": e["reason"] if same else r.reason})
        configs[name] = entries
        print(f"{name}: " + ", ".join(f"{e['property']}[{e['topic']}]={e['verdict']}" for e in entries))
    doc = {"settings": dict(old.settings), "configs": configs}
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "--write":
        sys.exit("usage: python tests/frame/manifests.py --write PROTOCOL")
    write_manifest(sys.argv[2])
