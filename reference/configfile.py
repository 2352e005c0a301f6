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
import json
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MAX_DOCUMENT_BYTES = 16 * 1024 * 1024


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
    """Parse a JSON, YAML or TOML file into a mapping, naming the file and line on any syntax error."""
    p = Path(path)
    name = str(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ConfigError(name, "(file)", f"cannot read: {exc.strerror}") from None
    if size > MAX_DOCUMENT_BYTES:
        raise ConfigError(name, "(file)", f"{size} bytes exceeds the {MAX_DOCUMENT_BYTES}-byte limit")
    try:
        text = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(name, "(file)", f"not UTF-8 text (byte {exc.start})") from None
    suffix = p.suffix.lower()
    try:
        if suffix == ".json":
            data = json.loads(text)
        elif suffix in (".yaml", ".yml"):
            data = yaml.safe_load(text)
        elif suffix == ".toml":
            data = tomllib.loads(text)
        else:
            raise ConfigError(name, "(file)", f"unknown extension {suffix!r}; use .json, .yaml, .yml or .toml")
    except json.JSONDecodeError as exc:
        raise ConfigError(name, f"(line {exc.lineno})", f"malformed JSON: {exc.msg}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"(line {mark.line + 1})" if mark is not None else "(document)"
        raise ConfigError(name, where, f"malformed YAML: {getattr(exc, 'problem', exc)}") from None
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"at line (\d+)", str(exc))
        raise ConfigError(name, f"(line {line.group(1)})" if line else "(document)", f"malformed TOML: {exc}") from None
    if not isinstance(data, Mapping):
        raise ConfigError(name, "(document)", f"expected a mapping at the top level, got {type_name(data)}")
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
    """Extend a dotted field path."""
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
                raise self.error(str(key), "field names must be strings")
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


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|h)")
_UNIT_NS = {"ns": 1, "us": 1_000, "µs": 1_000, "ms": 1_000_000, "s": 1_000_000_000, "m": 60_000_000_000,
            "h": 3_600_000_000_000}


def parse_duration_ms(section: Section, key: str, value: Any) -> int:
    """A duration with explicit units ("12s", "700ms", "1h30m") in whole milliseconds.

    Bare numbers are rejected: Go's JSON writes nanoseconds, JS uses milliseconds and people write
    seconds, so a unitless number is ambiguous.
    """
    if isinstance(value, (bool, int | float)):
        raise section.error(key, f"duration {value!r} has no unit; write e.g. \"{value}s\" or \"{value}ms\"")
    if not isinstance(value, str):
        raise section.error(key, f"expected a duration string such as \"12s\", got {type_name(value)}")
    text = value.strip()
    pos, total_ns = 0, 0
    for match in _DURATION_PART.finditer(text):
        if match.start() != pos and text[pos:match.start()].strip():
            break
        total_ns += round(float(match.group(1)) * _UNIT_NS[match.group(2)])
        pos = match.end()
    if pos == 0 or text[pos:].strip():
        raise section.error(key, f"cannot read duration {value!r}; use units ns, us, ms, s, m or h (e.g. \"700ms\")")
    if total_ns % 1_000_000:
        raise section.error(key, f"duration {value!r} is not a whole number of milliseconds")
    return total_ns // 1_000_000


def format_duration_ms(ms: int) -> str:
    """The canonical text of a duration: the largest unit that divides it exactly."""
    for unit, size in (("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms and ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


def read_number(section: Section, key: str, value: Any) -> float:
    """A finite real number (NaN and infinities are rejected, as Go's validate() does)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise section.error(key, f"expected a number, got {type_name(value)}")
    number = float(value)
    if not math.isfinite(number):
        raise section.error(key, f"{value!r} is not a finite number")
    return number


def read_int(section: Section, key: str, value: Any) -> int:
    """A whole number (a float with a fractional part is an error)."""
    number = read_number(section, key, value)
    if not number.is_integer():
        raise section.error(key, f"expected a whole number, got {value!r}")
    return int(number)


def read_bool(section: Section, key: str, value: Any) -> bool:
    """A boolean (no truthy strings or numbers)."""
    if not isinstance(value, bool):
        raise section.error(key, f"expected true or false, got {type_name(value)}")
    return value


def read_string(section: Section, key: str, value: Any) -> str:
    """A string."""
    if not isinstance(value, str):
        raise section.error(key, f"expected a string, got {type_name(value)}")
    return value
