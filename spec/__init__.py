"""peerproof's package data: the normative specs, schemas and bundled real-world configs.

Only finds and reads its own files; validating a config is the reference model's job
(``peerproof.reference.<protocol>.load_config``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SPEC_DIR = Path(__file__).parent
CONFIG_DIR = SPEC_DIR / "configs"


@dataclass(frozen=True)
class BundledConfig:
    """A real-world config shipped with peerproof: its name, protocol, file and provenance (``source``)."""

    name: str
    protocol: str
    path: Path
    source: Mapping[str, Any] = field(default_factory=dict)


def bundled_configs(protocol: str | None = None) -> list[BundledConfig]:
    """Every bundled config (of one protocol if given), sorted by protocol and name."""
    found = []
    for path in sorted(CONFIG_DIR.glob("*/*.yaml")):
        if protocol is not None and path.parent.name != protocol:
            continue
        with path.open(encoding="utf-8") as handle:
            document = yaml.safe_load(handle) or {}
        found.append(BundledConfig(path.stem, path.parent.name, path, document.get("source") or {}))
    return found


def bundled_config_path(name: str) -> Path:
    """The file of the bundled config ``name`` or ``protocol/name``; a ValueError listing the bundled names
    otherwise, or naming the protocols when several bundle a config of that name."""
    protocol, _, stem = name.rpartition("/")
    found = [p for p in sorted(CONFIG_DIR.glob("*/*.yaml")) if p.stem == stem and protocol in ("", p.parent.name)]
    if len(found) == 1:
        return found[0]
    if found:
        which = ", ".join(f"{p.parent.name}/{p.stem}" for p in found)
        raise ValueError(f"several bundled configs are named {stem!r}: {which}; give PROTOCOL/NAME")
    names = ", ".join(sorted(path.stem for path in CONFIG_DIR.glob("*/*.yaml"))) or "(none)"
    raise ValueError(f"no bundled config named {name!r}; bundled configs: {names}")
