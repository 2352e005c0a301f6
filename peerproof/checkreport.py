"""What ``peerproof check`` and ``peerproof attack`` show people: a progress bar, a verdict table, a summary."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

VERDICT_STYLE = {"holds": "green", "holds-bounded": "green", "violated": "bold red", "inconclusive": "yellow"}


class _Bar:
    def __init__(self, progress: Progress | None, total: int) -> None:
        self._progress = progress
        self._task = progress.add_task("checking", total=total) if progress is not None else None

    def running(self, label: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task, description=label)

    def advance(self) -> None:
        if self._progress is not None:
            self._progress.advance(self._task)


@contextmanager
def progress(total: int, *, enabled: bool) -> Iterator[_Bar]:
    """A progress bar on stderr over ``total`` checks (a no-op when not on a terminal)."""
    if not enabled:
        yield _Bar(None, total)
        return
    columns = (TextColumn("{task.description:<60.60}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(file=sys.stderr), transient=True) as bar:
        yield _Bar(bar, total)


def _console() -> Console:
    width = None if sys.stdout.isatty() else 200
    return Console(file=sys.stdout, width=width, highlight=False)


def _replay_text(replay: dict[str, str] | None) -> str:
    if replay is None:
        return ""
    return "\n".join(f"{name}: {text}" if name == "reference" else f"{name} replay: {text}"
                     for name, text in replay.items())


def print_results(name: str, opts: Any, results: Sequence[Any]) -> None:
    """The verdict table of ``peerproof check`` and a one-line summary."""
    out = _console()
    table = Table(title=f"peerproof check {name} (dialect {opts.dialect}, engine {opts.engine}, depth {opts.depth}, "
                        f"timeout {opts.timeout_s:g} s)", title_justify="left", show_lines=True)
    presentation = opts.checks.presentation
    for column in ("property", presentation.scope_name, "verdict", "reason", "bound", "time", "trace / replays"):
        table.add_column(column, overflow="fold", ratio=4 if column == "reason" else None,
                         justify="right" if column == "time" else "left")
    for r in results:
        topic = presentation.group_label(r.job.group) if r.job.group else r.job.topic or "—"
        evidence = "\n".join(x for x in (r.trace or "", _replay_text(r.replay)) if x)
        verdict = f"[{VERDICT_STYLE[r.verdict]}]{r.verdict}[/]"
        table.add_row(escape(r.job.slug), escape(topic), verdict, escape(r.reason), escape(r.bound or "—"),
                      f"{r.seconds:.1f}s", escape(evidence) if evidence else "—")
    out.print(table)
    counts = {v: sum(1 for r in results if r.verdict == v) for v in VERDICT_STYLE}
    out.print(", ".join(f"{n} {v}" for v, n in counts.items() if n) or "no properties checked")


def print_attack(name: str, opts: Any, r: Any) -> None:
    """The summary of ``peerproof attack``: the verdict, the argument or the attack, its files and replays."""
    out = _console()
    where = f" in {r.job.topic}" if r.job.topic else ""
    out.print(f"[bold]{escape(r.job.slug + where)}[/] under {escape(name)} (dialect {opts.dialect}, engine "
              f"{r.engine}): [{VERDICT_STYLE[r.verdict]}]{r.verdict}[/] in {r.seconds:.1f}s")
    out.print(r.reason, markup=False)
    if r.bound:
        out.print(f"bound: {r.bound}", markup=False)
    for kind, path in r.files.items():
        out.print(f"wrote {kind}: {path}", markup=False)
    if r.replay is not None:
        out.print(_replay_text(r.replay), markup=False)
