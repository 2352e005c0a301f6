"""A trace as a picture: each chosen entity's score over time, its components, the thresholds, the misbehaviour.

The protocol's presentation says how to read its observables (a ``PlotView``: entities, their score and
components, thresholds, memberships), or draws the picture itself (``plot``); a protocol with neither
gets every numeric observable over time. The plot is recomputed by replaying the trace in the reference
model (at every state that lasts, i.e. the last event of each instant, or an even sample of them for
long traces), so it shows exactly what ``peerproof replay`` checks and what a heartbeat could see.
Matplotlib's object API with the Agg canvas is used directly: no pyplot global state, no display needed.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from peerproof.attacks.checks import presentation_of
from peerproof.attacks.presentation import PlotView
from peerproof.reference.trace import Trace
from peerproof.traceio import walk, write_atomic

MAX_POINTS = 5000  # samples per peer; longer traces are sampled evenly (plus their last event)
MAX_PEERS = 6
MAX_TOPIC_LINES = 5  # topics drawn one by one; the rest are summed into one line
NEAR = 1.5  # thresholds within this many score ranges of the scores are drawn as lines
THRESHOLD_STYLE = {"0": ("#555555", "-"), "gossip": ("#e69f00", "--"), "publish": ("#d55e00", "--"),
                   "graylist": ("#7f0000", "--")}


# -- sampling the trace --------------------------------------------------------------------------------

@dataclass
class Series:
    """One peer's sampled score, components and mesh exits."""

    times: list[float] = field(default_factory=list)
    score: list[float] = field(default_factory=list)
    components: dict[str, list[float]] = field(default_factory=dict)
    pruned: list[tuple[float, float, str]] = field(default_factory=list)  # (time, score, topic)


def lasting(trace: Trace) -> list[int]:
    """The events after which time passes (the last at each instant, and the trace's last): the states a
    periodic observer sees. Many events at one instant (a burst of deliveries) are one step of the plot,
    so a dense stretch is drawn as its per-instant states instead of a block of event-level oscillation."""
    events = trace.events
    return [i for i in range(len(events)) if i + 1 == len(events) or events[i + 1].at_ms > events[i].at_ms]


def sample(trace: Trace, peers: Sequence[str], view: PlotView) -> dict[str, Series]:
    """Replay the trace and sample each peer's observables at lasting states (at most MAX_POINTS samples)."""
    model = trace.model
    d = model.get_dialect(trace.dialect)
    kept = lasting(trace)
    stride = max(1, -(-len(kept) // MAX_POINTS))
    wanted = set(kept[::stride]) | set(kept[-1:])
    series = {p: Series() for p in peers}
    last_mesh: dict[str, frozenset[str]] = {p: frozenset() for p in peers}
    for i, event, state in walk(trace):
        if i not in wanted:
            continue
        observed = view.entities(model.observe(trace.config, state, d))
        for p in peers:
            s = series[p]
            obs = observed.get(p)
            s.times.append(event.at_ms / 1000)
            s.score.append(float("nan") if obs is None else view.score(obs))  # None: unknown or forgotten peer
            now = {} if obs is None else view.components(trace.config, obs)
            for name, values in s.components.items():
                values.append(now.pop(name, float("nan")))
            for name, value in now.items():  # a component seen for the first time
                s.components[name] = [float("nan")] * (len(s.times) - 1) + [value]
            if obs is None:
                continue
            mesh = view.memberships(obs)
            s.pruned += [(event.at_ms / 1000, view.score(obs), t) for t in sorted(last_mesh[p] - mesh)]
            last_mesh[p] = mesh
    return series


# -- choosing peers and misbehaviour -------------------------------------------------------------------

def default_peers(trace: Trace, known: Iterable[str]) -> list[str]:
    """The attacker named by the claim or meta (``attacker``/``peer``/``peers``), else up to MAX_PEERS peers."""
    for source in (trace.claim or {}, trace.meta):
        named = source.get("peers") or source.get("attacker") or source.get("peer")
        if isinstance(named, str):
            return [named]
        if isinstance(named, list) and all(isinstance(p, str) for p in named):
            return list(named)[:MAX_PEERS]
    return sorted(known)[:MAX_PEERS]


def all_peers(trace: Trace, view: PlotView) -> list[str]:
    """Every entity any event of the trace names."""
    return sorted({p for e in trace.events if (p := view.entity_of(e)) is not None})


@dataclass(frozen=True)
class Mark:
    """One piece of misbehaviour to show: a time span or single events, for one peer or for all."""

    label: str
    peer: str | None = None
    topic: str | None = None
    span: tuple[float, float] | None = None
    times: tuple[float, ...] = ()


def marks(trace: Trace, highlight: Sequence[Any] | None) -> list[Mark]:
    """Read ``highlight`` (or ``trace.meta["misbehaviour"]``): event indices, or mappings with ``from``/``to``
    (seconds) or ``events`` (indices), and optionally ``peer`` and ``label``."""
    items = highlight if highlight is not None else trace.meta.get("misbehaviour") or []
    out: list[Mark] = []
    loose: list[int] = []
    for item in items:
        if isinstance(item, int) and not isinstance(item, bool):
            loose.append(item)
        elif isinstance(item, Mapping):
            label, peer, topic = str(item.get("label", "misbehaviour")), item.get("peer"), item.get("topic")
            if "from" in item and "to" in item:
                out.append(Mark(label, peer, topic, span=(float(item["from"]), float(item["to"]))))
            if "events" in item:
                out += _event_marks(trace, [int(i) for i in item["events"]], label, peer, topic)
    return out + _event_marks(trace, loose, "misbehaviour", None, None)


def _event_marks(trace: Trace, indices: list[int], label: str, peer: str | None, topic: str | None) -> list[Mark]:
    by_peer: dict[str | None, list[float]] = {}
    for i in indices:
        if 0 <= i < len(trace.events):
            e = trace.events[i]
            by_peer.setdefault(peer or getattr(e, "peer", None), []).append(e.at_ms / 1000)
    return [Mark(label, p, topic, times=tuple(ts)) for p, ts in by_peer.items()]


# -- drawing -------------------------------------------------------------------------------------------

COLOURS = ["#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"]


def colour_map(series: Mapping[str, Series]) -> dict[str, str]:
    """One colour per component across every panel (busiest first), so a topic looks the same everywhere."""
    merged: dict[str, list[float]] = {}
    for s in series.values():
        for name, values in s.components.items():
            merged.setdefault(name, []).extend(values)
    busiest = _busiest(merged)
    names = busiest + sorted(k for k in merged if k not in busiest)
    return {name: COLOURS[n % len(COLOURS)] for n, name in enumerate(names)}


def _busiest(components: Mapping[str, list[float]]) -> list[str]:
    """Non-zero components, topics ordered by their largest magnitude (the rest summed later)."""
    def size(values: list[float]) -> float:
        return max((abs(v) for v in values if v == v), default=0.0)
    return sorted((k for k, v in components.items() if size(v) > 0), key=lambda k: -size(components[k]))


def _draw_thresholds(ax: Any, s: Series, thresholds: list[tuple[str, float]]) -> None:
    """Threshold lines near the scores; thresholds far below (eth2: −4000 against scores of ±30) are
    named in a note instead of squashing the scores into a flat line."""
    values = [v for v in s.score + [x for vals in s.components.values() for x in vals] if v == v] + [0.0]
    lo, hi = min(values), max(values)
    span = max(hi - lo, 1e-9)
    near = [(n, v) for n, v in thresholds if lo - NEAR * span <= v <= hi + NEAR * span]
    far = [(n, v) for n, v in thresholds if (n, v) not in near]
    lo, hi = min([lo] + [v for _, v in near]), max([hi] + [v for _, v in near])
    pad = 0.06 * max(hi - lo, 1e-9)
    ax.set_ylim(lo - pad, hi + pad)
    trans = blended_transform_factory(ax.transAxes, ax.transData)
    for name, value in near:
        colour, style = THRESHOLD_STYLE.get(name, ("#555555", ":"))
        ax.axhline(value, color=colour, ls=style, lw=1.0 if name == "0" else 1.3, zorder=1)
        if name != "0":
            ax.text(1.0, value, f" {name} {value:g}", transform=trans, va="center", ha="left", fontsize=8,
                    color=colour, clip_on=False)
    if far:
        side = "below" if all(v < lo for _, v in far) else "outside"
        note = f"{side} the plotted range:\n" + "\n".join(f"  {n} {v:g}" for n, v in far)
        ax.text(1.09, 0.0, note, transform=ax.transAxes, ha="left", va="bottom", fontsize=8, color="#7f0000")


def _draw_peer(ax: Any, peer: str, s: Series, thresholds: list[tuple[str, float]], peer_marks: list[Mark],
               roles: Mapping[str, Any], colours: Mapping[str, str]) -> None:
    busiest = _busiest(s.components)
    named = [f"topic {m.topic}" for m in peer_marks if m.topic and f"topic {m.topic}" in s.components]
    topics = list(dict.fromkeys(named + [k for k in busiest if k.startswith("topic ") and k not in named]))
    others = [k for k in busiest if not k.startswith("topic ")]
    shown, rest = topics[:MAX_TOPIC_LINES], topics[MAX_TOPIC_LINES:]
    for name in shown + others:
        bad = name in named
        ax.step(s.times, s.components[name], where="post", lw=2.2 if bad else 1.3, color=colours[name],
                label=name + (" (misbehaviour)" if bad else ""))
    if rest:
        summed = [sum(vals) for vals in zip(*(s.components[k] for k in rest), strict=True)]
        ax.step(s.times, summed, where="post", lw=1.1, color="#999999",
                label=f"{len(rest)} other topic{'s' * (len(rest) > 1)} (summed)")
    ax.step(s.times, s.score, where="post", lw=2.4, color="black", label="total score")
    if s.pruned:
        ax.plot([t for t, _, _ in s.pruned], [v for _, v, _ in s.pruned], "v", color="#7f0000", ms=7,
                label="pruned from a mesh", zorder=5)
    _draw_thresholds(ax, s, thresholds)
    for n, m in enumerate(peer_marks):
        colour = ["#d62728", "#9467bd"][n % 2]
        if m.span is not None:
            ax.axvspan(*m.span, color=colour, alpha=0.08, label=m.label, zorder=0)
        if m.times:
            ax.plot(m.times, [0.02] * len(m.times), "|", transform=blended_transform_factory(ax.transData,
                    ax.transAxes), color=colour, ms=14, mew=1.5, label=m.label, zorder=6)
    role = roles.get(peer)
    ax.set_title(f"{peer}" + (f" — {role}" if isinstance(role, str) else ""), loc="left", fontsize=10)
    ax.set_ylabel("score")
    ax.grid(True, alpha=0.25)
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: labels[i] != "total score")  # the total first
    ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="upper left", bbox_to_anchor=(1.09, 1.0),
              fontsize=8, frameon=False)


def plot_trace(trace: Trace, path: str | Path, peers: Sequence[str] | None = None,
               highlight: Sequence[Any] | None = None) -> Path:
    """Draw each chosen peer's score and components over time and write a PNG atomically.

    ``peers`` defaults to the attacker named in the trace's claim or meta, else every peer (up to
    MAX_PEERS); ``highlight`` (default ``trace.meta["misbehaviour"]``) marks event indices or spans.
    """
    shown = presentation_of(trace.protocol)
    if shown.plot is not None:
        shown.plot(trace, path, highlight=highlight)
        return Path(path)
    if shown.plot_view is None:
        return plot_observables(trace, path)
    view = shown.plot_view
    known = all_peers(trace, view)
    chosen = list(peers) if peers else default_peers(trace, known)
    if not chosen:
        raise ValueError("the trace names no peers to plot")
    unknown = [p for p in chosen if p not in known]
    if unknown:
        raise ValueError(f"no event names peer {unknown[0]!r}; peers: {', '.join(known)}")
    series = sample(trace, chosen, view)
    thresholds = view.thresholds(trace.config)
    all_marks = marks(trace, highlight)
    colours = colour_map(series)
    roles = trace.meta.get("roles") if isinstance(trace.meta.get("roles"), Mapping) else {}
    fig = Figure(figsize=(13, 1.2 + 3.4 * len(chosen)), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(chosen), 1, sharex=True, squeeze=False)[:, 0]
    for ax, peer in zip(axes, chosen, strict=True):
        _draw_peer(ax, peer, series[peer], thresholds, [m for m in all_marks if m.peer in (None, peer)], roles,
                   colours)
    axes[-1].set_xlabel("time (s)")
    fig.suptitle(_title(trace), fontsize=12)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return write_atomic(path, buf.getvalue())


MAX_GROUPS = 4  # panels of the generic plot: the observables' top-level groups that vary most
MAX_LINES = 8  # lines per panel (those that vary most)


def plot_observables(trace: Trace, path: str | Path) -> Path:
    """The generic plot of a protocol without a view: its numeric observables, one panel per top-level
    group (each on its own scale), over time — or over the event index when the trace's clock stands still
    (a consensus round happens at one instant)."""
    from peerproof.tables import leaves

    model, d = trace.model, trace.model.get_dialect(trace.dialect)
    n = len(trace.events)
    stride = max(1, -(-n // MAX_POINTS))
    by_index = bool(trace.events) and trace.events[0].at_ms == trace.events[-1].at_ms
    xs: list[float] = []
    values: dict[str, list[float]] = {}
    for i, event, state in walk(trace):
        if i % stride and i != n - 1:
            continue
        xs.append(i if by_index else event.at_ms / 1000)
        for name, value in leaves(model.observe(trace.config, state, d)):
            if name != "time" and isinstance(value, int | float) and not isinstance(value, bool):
                values.setdefault(name, [float("nan")] * (len(xs) - 1)).append(float(value))
        for line in values.values():
            line.extend([float("nan")] * (len(xs) - len(line)))
    spread = {k: _spread(v) for k, v in values.items()}
    groups: dict[str, list[str]] = {}
    for name in sorted(values, key=lambda k: -spread[k]):
        groups.setdefault(name.split(".")[0].split("[")[0], []).append(name)
    shown = sorted(groups, key=lambda g: -max(spread[k] for k in groups[g]))[:MAX_GROUPS] or ["(nothing numeric)"]
    fig = Figure(figsize=(13, 1.5 + 2.6 * len(shown)), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(shown), 1, sharex=True, squeeze=False)[:, 0]
    for ax, group in zip(axes, shown, strict=True):
        for name in sorted(groups.get(group, [])[:MAX_LINES]):
            ax.step(xs, values[name], where="post", lw=1.4, marker="." if len(xs) < 60 else None, label=name)
        ax.set_title(group, loc="left", fontsize=10)
        ax.grid(True, alpha=0.25)
        if groups.get(group):
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    axes[-1].set_xlabel("event" if by_index else "time (s)")
    fig.suptitle(_title(trace), fontsize=12)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return write_atomic(path, buf.getvalue())


def _spread(line: list[float]) -> float:
    finite = [x for x in line if x == x]
    return max(finite) - min(finite) if finite else 0.0


TITLE_WIDTH = 150  # characters per title line (the figure is 13 inches wide at 12 pt)
TITLE_LINES = 4  # a long reason is cut after this many lines


def _title(trace: Trace) -> str:
    """The plot's title: protocol, config, dialect, size, then the claim wrapped to the figure's width."""
    name = getattr(trace.config, "name", "") or getattr(trace.config, "file", "")
    head = f"{trace.protocol} · {name} · dialect {trace.dialect} · {len(trace.events)} events"
    if not trace.claim:
        return head
    claim = trace.claim
    text = f"{claim.get('property', '?')}" + (f" [{claim['topic']}]" if claim.get("topic") else "")
    text += f": {claim.get('verdict', '?')}" + (f" — {claim['reason']}" if claim.get("reason") else "")
    lines = textwrap.wrap(text, TITLE_WIDTH, max_lines=TITLE_LINES, placeholder=" …")
    return "\n".join([head, *lines])
