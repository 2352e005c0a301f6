"""What the CLI shows people of the frame: the bundled configs, and observables of a protocol without its own
tables (a protocol's own tables live in its presentation; machines get JSON instead)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.table import Table

from peerproof.attacks.presentation import num


def source_text(source: Mapping[str, Any]) -> str:
    """A config's provenance in one line: repository, file, version."""
    parts = [str(source[k]) for k in ("repository", "file") if source.get(k)]
    text = " / ".join(parts) or "—"
    return f"{text} @ {source['version']}" if source.get("version") else text


def configs_table(entries: Sequence[Mapping[str, Any]]) -> Table:
    """The bundled configs: name, protocol, where each came from."""
    table = Table(title="Bundled configs", title_justify="left")
    table.add_column("name", style="bold")
    table.add_column("protocol")
    table.add_column("source (repository / file @ version)", overflow="fold")
    for e in entries:
        table.add_row(e["name"], e["protocol"], source_text(e["source"]))
    return table


# -- observables without a protocol view ---------------------------------------------------------------

MAX_ROWS = 200


def leaves(tree: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every scalar of an observables tree with its dotted path (lists indexed)."""
    if isinstance(tree, Mapping):
        return [leaf for k, v in tree.items() for leaf in leaves(v, f"{path}.{k}" if path else str(k))]
    if isinstance(tree, list | tuple):
        return [leaf for i, v in enumerate(tree) for leaf in leaves(v, f"{path}[{i}]")]
    return [(path, tree)]


def observables_table(observed: Mapping[str, Any]) -> Table:
    """A protocol without its own tables: every scalar observable, one row each (the first MAX_ROWS)."""
    rows = leaves(observed)
    table = Table(title="Observables", title_justify="left",
                  caption=f"{len(rows) - MAX_ROWS} more not shown" if len(rows) > MAX_ROWS else None)
    table.add_column("observable", overflow="fold")
    table.add_column("value", justify="right", overflow="fold")
    for path, value in rows[:MAX_ROWS]:
        table.add_row(path, num(value))
    return table
