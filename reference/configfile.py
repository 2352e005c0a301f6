"""The config frame every protocol shares: documents, field paths, aliases, durations, errors.

A peerproof config is one document (JSON, YAML or TOML) for one protocol. Users copy field names from
their own implementation, so a field may be spelled the Go way (``MeshMessageDeliveriesWindow``), the
JS way (``meshMessageDeliveriesWindow``) or the Rust way (``mesh_message_deliveries_window``): keys are
matched after normalisation (lower case, underscores and dashes dropped). Anything unknown is an error
with a did-you-mean, because Go's JSON decoder silently ignores unknown keys and a misspelled field
then silently keeps its zero value.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from peerproof.reference.documents import DocumentError, key_text, parse_document
from peerproof.reference.limits import (
    MAX_DOCUMENT_BYTES,
    MAX_DURATION_CHARS,
    MAX_MAGNITUDE,
    MAX_NODES,
    MAX_STRING,
    MAX_TIME_S,
    quote,
)

SUFFIXES = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".toml": "toml"}

class ConfigError(Exception):
    """A config or trace that cannot be used, with the file and the field path that are wrong."""

    def __init__(self, file: str, path: str, message: str) -> None:
        super().__init__(f"{file}: {path}: {message}")
        self.file = file
        self.path = path
        self.message = message


@dataclass(frozen=True)
class ConfigWarning:
    """A constraint of the spec that real implementations do not enforce (reported, not rejected)."""

    path: str
    message: str
    rule: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message} [{self.rule}]"


def read_document(path: str | Path) -> Mapping[str, Any]:
    """Parse a JSON, YAML or TOML file into a mapping under the frame's limits, naming the file and the
    field or line on any problem (PP-DOC, PP-LIMIT)."""
    p = Path(path)
    name = str(path)
    syntax = SUFFIXES.get(p.suffix.lower())
    if syntax is None:
        raise ConfigError(name, "(file)", f"unknown extension {quote(p.suffix, 20)}; use .json, .yaml, .yml or .toml")
    try:
        size = p.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise ConfigError(name, "(file)", f"{size} bytes exceeds the {MAX_DOCUMENT_BYTES}-byte limit (PP-LIMIT-1)")
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError(name, "(file)", f"cannot read: {exc.strerror or exc}") from None
    return parse_text(decode_text(raw, name), syntax, name)


def decode_text(raw: bytes, file: str) -> str:
    """The UTF-8 text of a file's bytes (ConfigError naming the first bad byte otherwise)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(file, "(file)", f"not UTF-8 text (byte {exc.start})") from None


def parse_text(text: str, syntax: str, file: str, max_nodes: int | None = MAX_NODES) -> Mapping[str, Any]:
    """A document's text (``syntax`` json, yaml or toml) as a mapping under the frame's limits; ConfigError
    naming ``file`` and the field path or line otherwise."""
    try:
        data = parse_document(text, syntax, max_nodes)
    except DocumentError as exc:
        raise ConfigError(file, exc.path, exc.message) from None
    except RecursionError:  # the limits above stop nesting first; this is the last line of defence
        raise ConfigError(file, "(document)", "nested too deeply (PP-LIMIT-2)") from None
    if not isinstance(data, Mapping):
        raise ConfigError(file, "(document)", f"expected a mapping at the top level, got {type_name(data)}")
    return data


def type_name(value: object) -> str:
    """The JSON-ish name of a value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def normalise_key(key: str) -> str:
    """The spelling-independent form of a field name: Go, JS and Rust spellings all map to it."""
    return re.sub(r"[_\-\s]", "", key).lower()


def join(path: str, key: str) -> str:
    """Extend a dotted field path (a long key is cut, PP-LIMIT-8)."""
    key = key_text(key)
    return key if not path else f"{path}.{key}"


@dataclass(frozen=True)
class Section:
    """One mapping of a config document being read: knows its file and path for error messages."""

    file: str
    path: str
    data: Mapping[str, Any]

    def error(self, key: str | None, message: str) -> ConfigError:
        """An error located at this section (or one of its keys)."""
        return ConfigError(self.file, join(self.path, key) if key else self.path or "(document)", message)

    def resolve(self, fields: Mapping[str, Iterable[str]]) -> dict[str, Any]:
        """Map every key of the section to its canonical field; unknown or repeated keys are errors.

        ``fields`` maps each canonical name to extra aliases (beyond the normalised canonical name).
        """
        lookup: dict[str, str] = {}
        for canonical, aliases in fields.items():
            for spelling in (canonical, *aliases):
                lookup[normalise_key(spelling)] = canonical
        found: dict[str, Any] = {}
        for key, value in self.data.items():
            if not isinstance(key, str):
                raise self.error(quote(key, 40), "field names must be strings")
            canonical = lookup.get(normalise_key(key))
            if canonical is None:
                raise self.error(key, unknown_field_message(key, list(fields)))
            if canonical in found:
                raise self.error(key, f"given twice (also as another spelling of {canonical!r})")
            found[canonical] = value
        return found

    def child(self, key: str, value: Any) -> Section:
        """The nested section under ``key``; an error if the value is not a mapping."""
        if not isinstance(value, Mapping):
            raise self.error(key, f"expected a mapping, got {type_name(value)}")
        return Section(self.file, join(self.path, key), value)


def unknown_field_message(key: str, known: list[str]) -> str:
    """Explain an unknown field, suggesting the closest known one."""
    norm = {normalise_key(k): k for k in known}
    close = difflib.get_close_matches(normalise_key(key), list(norm), n=1, cutoff=0.75)
    hint = f"; did you mean {norm[close[0]]!r}?" if close else f"; known fields: {', '.join(sorted(known))}"
    return f"unknown field{hint}"


_DURATION_PART = re.compile(r"([0-9]+)(?:\.([0-9]+))?[ \t]*(ns|us|\u00b5s|\u03bcs|ms|s|m|h)[ \t]*")
_UNIT_NS = {"ns": 1, "us": 1_000, "\u00b5s": 1_000, "\u03bcs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
            "m": 60_000_000_000, "h": 3_600_000_000_000}
MAX_DURATION_MS = int(MAX_TIME_S * 1000)


def parse_duration_ms(section: Section, key: str, value: Any) -> int:
    """A duration with explicit units ("12s", "700ms", "1h30m") in whole milliseconds, within the time
    horizon (PP-LIMIT-7); ASCII digits only, at most MAX_DURATION_CHARS characters (PP-LIMIT-10).

    Bare numbers are rejected: Go's JSON writes nanoseconds, JS uses milliseconds and people write
    seconds, so a unitless number is ambiguous. The text is read part by part with an anchored match,
    in exact rational arithmetic, so its length bounds the work and no float rounds a part.
    """
    if isinstance(value, (bool, int | float)):
        raise section.error(key, f"duration {quote(value)} has no unit; write e.g. \"{quote(value, 20)}s\" or "
                                 f"\"{quote(value, 20)}ms\"")
    if not isinstance(value, str):
        raise section.error(key, f"expected a duration string such as \"12s\", got {type_name(value)}")
    text = value.strip()
    if len(text) > MAX_DURATION_CHARS:
        raise section.error(key, f"a duration of {len(text)} characters exceeds the limit of {MAX_DURATION_CHARS} "
                                 "(PP-LIMIT-10)")
    pos, total_ns = 0, Fraction(0)
    while pos < len(text):
        match = _DURATION_PART.match(text, pos)
        if match is None:
            break
        whole, fraction, unit = match.groups()
        total_ns += Fraction(int(whole + (fraction or "")), 10 ** len(fraction or "")) * _UNIT_NS[unit]
        pos = match.end()
    if not text or pos < len(text):
        raise section.error(key, f"cannot read duration {quote(value)}; use ASCII digits and units ns, us, ms, s, m "
                                 "or h (e.g. \"700ms\")")
    if total_ns % 1_000_000:
        raise section.error(key, f"duration {quote(value)} is not a whole number of milliseconds")
    ms = int(total_ns // 1_000_000)
    if ms > MAX_DURATION_MS:
        raise section.error(key, f"duration {quote(value)} exceeds the time horizon of {MAX_TIME_S:g} s (PP-LIMIT-7)")
    return ms


def format_duration_ms(ms: int) -> str:
    """The canonical text of a duration: the largest unit that divides it exactly."""
    for unit, size in (("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms and ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


def read_number(section: Section, key: str, value: Any) -> float:
    """A finite real number within the magnitude limit (PP-LIMIT-4; NaN and infinities rejected, as Go's
    validate() does)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise section.error(key, f"expected a number, got {type_name(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise section.error(key, f"{quote(value)} is not a finite number (PP-LIMIT-4)")
    if abs(value) > MAX_MAGNITUDE:
        raise section.error(key, f"{quote(value)} exceeds the magnitude limit {MAX_MAGNITUDE:g} (PP-LIMIT-4)")
    return float(value)


def read_int(section: Section, key: str, value: Any) -> int:
    """A whole number (a float with a fractional part is an error)."""
    number = read_number(section, key, value)
    if not number.is_integer():
        raise section.error(key, f"expected a whole number, got {quote(value)}")
    return int(number)


def read_bool(section: Section, key: str, value: Any) -> bool:
    """A boolean (no truthy strings or numbers)."""
    if not isinstance(value, bool):
        raise section.error(key, f"expected true or false, got {type_name(value)}")
    return value


def read_string(section: Section, key: str, value: Any) -> str:
    """A string of at most MAX_STRING characters (PP-LIMIT-5)."""
    if not isinstance(value, str):
        raise section.error(key, f"expected a string, got {type_name(value)}")
    if len(value) > MAX_STRING:
        raise section.error(key, f"a string of {len(value)} characters exceeds the limit of {MAX_STRING} "
                                 "(PP-LIMIT-5)")
    return value
