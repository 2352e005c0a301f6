"""A trace as a picture: each chosen peer's score over time, its components, the thresholds, the misbehaviour.

The plot is recomputed by replaying the trace in the reference model (at every event, or an even
sample of events for long traces), so it shows exactly what ``peerproof replay`` checks. Matplotlib's
object API with the Agg canvas is used directly: no pyplot global state, no display needed.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from peerproof.reference.trace import Trace
from peerproof.traceio import walk, write_atomic

MAX_POINTS = 5000  # samples per peer; longer traces are sampled evenly (plus their last event)
MAX_PEERS = 6
MAX_TOPIC_LINES = 5  # topics drawn one by one; the rest are summed into one line
NEAR = 1.5  # thresholds within this many score ranges of the scores are drawn as lines
THRESHOLD_STYLE = {"0": ("#555555", "-"), "gossip": ("#e69f00", "--"), "publish": ("#d55e00", "--"),
                   "graylist": ("#7f0000", "--")}


# -- what to draw, per protocol ------------------------------------------------------------------------

def gossipsub_components(config: Any, obs: Mapping[str, Any]) -> dict[str, float]:
    """A peer's weighted score components: each topic's contribution (P1–P4), the cap, P5–P7."""
    params = config.score
    out = {f"topic {t}": comps["contribution"] for t, comps in obs["topics"].items()}
    out["cap (TopicScoreCap)"] = obs["topic_capped"] - obs["topic_total"]
    out["P5 app-specific"] = obs["p5"] * params.app_specific_weight
    out["P6 IP colocation"] = obs["p6"] * params.ip_colocation_factor_weight
    out["P7 behaviour penalty"] = obs["p7"] * params.behaviour_penalty_weight
    return out


def gossipsub_thresholds(config: Any) -> list[tuple[str, float]]:
    """The score levels drawn as horizontal lines (GS-THR)."""
    t = config.thresholds
    return [("0", 0.0), ("gossip", t.gossip_threshold), ("publish", t.publish_threshold),
            ("graylist", t.graylist_threshold)]


def gossipsub_meshes(obs: Mapping[str, Any]) -> frozenset[str]:
    """The topics in whose mesh the peer is."""
    return frozenset(t for t, comps in obs["topics"].items() if comps["in_mesh"])


@dataclass(frozen=True)
class ProtocolView:
    """How to read a protocol's observables for a score plot."""

    components: Callable[[Any, Mapping[str, Any]], dict[str, float]]
    thresholds: Callable[[Any], list[tuple[str, float]]]
    meshes: Callable[[Mapping[str, Any]], frozenset[str]]


VIEWS = {"gossipsub": ProtocolView(gossipsub_components, gossipsub_thresholds, gossipsub_meshes)}


# -- sampling the trace --------------------------------------------------------------------------------

@dataclass
class Series:
    """One peer's sampled score, components and mesh exits."""

    times: list[float] = field(default_factory=list)
    score: list[float] = field(default_factory=list)
    components: dict[str, list[float]] = field(default_factory=dict)
    pruned: list[tuple[float, float, str]] = field(default_factory=list)  # (time, score, topic)


def sample(trace: Trace, peers: Sequence[str], view: ProtocolView) -> dict[str, Series]:
    """Replay the trace and sample each peer's observables (at most MAX_POINTS samples)."""
    model = trace.model
    d = model.get_dialect(trace.dialect)
    n = len(trace.events)
    stride = max(1, -(-n // MAX_POINTS))
    series = {p: Series() for p in peers}
    last_mesh: dict[str, frozenset[str]] = {p: frozenset() for p in peers}
    for i, event, state in walk(trace):
        if i % stride and i != n - 1:
            continue
        observed = model.observe(trace.config, state, d)["peers"]
        for p in peers:
            s = series[p]
            obs = observed.get(p)
            s.times.append(event.at_ms / 1000)
            s.score.append(float("nan") if obs is None else obs["score"])  # None: unknown or forgotten peer
            now = {} if obs is None else view.components(trace.config, obs)
            for name, values in s.components.items():
                values.append(now.pop(name, float("nan")))
            for name, value in now.items():  # a component seen for the first time
                s.components[name] = [float("nan")] * (len(s.times) - 1) + [value]
            if obs is None:
                continue
            mesh = view.meshes(obs)
            s.pruned += [(event.at_ms / 1000, obs["score"], t) for t in sorted(last_mesh[p] - mesh)]
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


def all_peers(trace: Trace) -> list[str]:
    """Every peer any event of the trace names."""
    return sorted({p for e in trace.events if isinstance(p := getattr(e, "peer", None), str)})


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
    view = VIEWS.get(trace.protocol)
    if view is None:
        raise ValueError(f"no plot for protocol {trace.protocol!r} yet")
    known = all_peers(trace)
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


def _title(trace: Trace) -> str:
    name = getattr(trace.config, "name", "") or getattr(trace.config, "file", "")
    title = f"{trace.protocol} · {name} · dialect {trace.dialect} · {len(trace.events)} events"
    if trace.claim:
        claim = trace.claim
        title += f"\n{claim.get('property', '?')}" + (f" [{claim['topic']}]" if claim.get("topic") else "")
        title += f": {claim.get('verdict', '?')}" + (f" — {claim['reason']}" if claim.get("reason") else "")
    return title
