"""The config frame (spec/peerproof.md, PP-CONFIG): the fields every protocol's config starts with.

``protocol`` (required: one rule for every reader), ``name``, ``description``, ``source`` (provenance:
repository, file, commit or version, inputs) and ``dialect``; the protocol's own sections follow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from peerproof.reference.configfile import ConfigError, Section, read_string, type_name
from peerproof.reference.limits import quote
from peerproof.reference.model import protocols

FRAME_FIELDS: dict[str, tuple[str, ...]] = {
    "protocol": (), "name": (), "description": (), "source": (), "dialect": (),
}
"""The frame's fields and their extra spellings; a protocol adds its own sections to this table."""


@dataclass(frozen=True)
class Frame:
    """What every config says about itself: its protocol, name, provenance and dialect."""

    protocol: str
    dialect: str
    name: str = ""
    description: str = ""
    source: Mapping[str, Any] = field(default_factory=dict)


def protocol_of(document: Mapping[str, Any], file: str) -> str:
    """The document's ``protocol`` field; ConfigError when it is missing or not a string."""
    protocol = document.get("protocol")
    if protocol is None:
        raise ConfigError(file, "protocol", f"missing; every config names its protocol: {', '.join(protocols())}")
    if not isinstance(protocol, str):
        raise ConfigError(file, "protocol", f"expected a string, got {type_name(protocol)}")
    return protocol


def read_frame(top: Section, found: Mapping[str, Any], protocol: str, dialects: Sequence[str],
               default_dialect: str) -> Frame:
    """The frame fields of a resolved top-level section; ConfigError naming the field when wrong."""
    given = found.get("protocol")
    if given is None:
        raise top.error("protocol", f"missing; this reader expects protocol: {protocol}")
    if given != protocol:
        raise top.error("protocol", f"this is a {quote(given)} config; expected {protocol!r}")
    dialect = read_string(top, "dialect", found.get("dialect", default_dialect))
    if dialect not in dialects:
        raise top.error("dialect", f"unknown dialect {quote(dialect)}; choose one of {', '.join(dialects)}")
    source = found.get("source", {})
    if not isinstance(source, Mapping):
        raise top.error("source", "expected a mapping (repository, file, commit or version, inputs)")
    return Frame(protocol, dialect, read_string(top, "name", found.get("name", "")),
                 read_string(top, "description", found.get("description", "")), dict(source))


def frame_to_canonical(config: Any) -> dict[str, Any]:
    """The frame fields of a config as peerproof writes them (empty ones left out, dialect always)."""
    doc: dict[str, Any] = {"protocol": config.protocol}
    if config.name:
        doc["name"] = config.name
    if config.description:
        doc["description"] = config.description
    if config.source:
        doc["source"] = dict(config.source)
    doc["dialect"] = config.dialect
    return doc
