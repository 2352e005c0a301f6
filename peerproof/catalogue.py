"""The catalogue of configs: the bundled ones, and a CLI argument (a path or a bundled name) as a config.

A bundled config is addressed by name wherever a path is accepted: an existing path wins, else the
name is looked up among the bundled configs, else the error lists them with a did-you-mean.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from peerproof.reference.configfile import ConfigError, read_document
from peerproof.reference.configframe import protocol_of
from peerproof.reference.model import Model, get_model


def bundled_configs(protocol: str | None = None) -> list[Any]:
    """The configs shipped in spec/configs (objects with name, protocol, path, source); [] if none yet."""
    try:
        from peerproof import spec
    except ImportError:
        return []
    lister = getattr(spec, "bundled_configs", None)
    if lister is None:
        return []
    try:
        return list(lister(protocol))
    except Exception as exc:  # a broken bundled file must not become a traceback
        raise ConfigError("(bundled configs)", "spec/configs", f"cannot list the bundled configs: {exc}") from None


def resolve_config(target: str) -> Path:
    """A config argument as a path: an existing file first, else a bundled config's ``NAME`` or
    ``PROTOCOL/NAME`` (needed where two protocols bundle a config of the same name)."""
    path = Path(target)
    if path.exists():
        return path
    entries = bundled_configs()
    protocol, _, name = target.rpartition("/")
    found = [c for c in entries if c.name == name and protocol in ("", c.protocol)]
    if len(found) == 1:
        return Path(found[0].path)
    if found:
        which = ", ".join(f"{c.protocol}/{c.name}" for c in found)
        raise ConfigError(target, "(file)", f"several bundled configs are named {name!r} ({which}); "
                                            "give PROTOCOL/NAME")
    names = sorted({c.name for c in entries})
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else "."
    known = f" Bundled configs: {', '.join(names)}." if entries else " No configs are bundled."
    raise ConfigError(target, "(file)", f"no such file, and no bundled config of that name{hint}{known}")


def load_any_config(path: Path) -> tuple[Model, Any]:
    """Read a config of any protocol (its ``protocol`` key picks the model)."""
    doc = read_document(path)
    try:
        model = get_model(protocol_of(doc, str(path)))
    except ValueError as exc:
        raise ConfigError(str(path), "protocol", str(exc)) from None
    return model, model.config_from_mapping(doc, file=str(path))


def config_for(model: Model, target: str) -> Any:
    """A config for ``model`` (e.g. to score a trace of that protocol), by path or bundled name."""
    path = resolve_config(target)
    return model.config_from_mapping(read_document(path), file=str(path))


def check_dialect(model: Model, dialect: str | None) -> str | None:
    """``--dialect`` checked against the model's dialects."""
    if dialect is not None and dialect not in model.dialects:
        raise ConfigError("(command line)", "--dialect",
                          f"unknown dialect {dialect!r}; choose one of {', '.join(model.dialects)}")
    return dialect
