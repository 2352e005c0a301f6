"""PNG plots of network runs (GS-NET-MET-4): latency CDF, mesh composition and score quantiles over time."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from peerproof.attacks.gossipsub.network.metrics import DEADLINES_MS


def plot_runs(summaries: Sequence[Mapping[str, Any]], out: Path, title: str) -> list[Path]:
    """Three PNGs under ``out``: latency CDF per seed with the deadlines, attacker share and mean mesh degree
    over time, honest vs Sybil score quantiles over time; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    title = "\n".join(textwrap.wrap(title, 58))  # the narrowest figure's width
    paths = [out / "latency_cdf.png", out / "mesh_composition.png", out / "score_quantiles.png"]
    fig, ax = plt.subplots(figsize=(7, 4))
    for s in summaries:
        cdf = s["latency_cdf"]
        ax.step(cdf["ms"], cdf["fraction"], where="post", label=f"seed {s['seed']}", alpha=0.7)
    for name, ms in DEADLINES_MS.items():
        ax.axvline(ms, ls="--", color="grey")
        ax.text(ms, 0.02, f" {name} {ms / 1000:g}s", color="grey")
    ax.set(xscale="log", xlabel="delivery latency (ms)", ylabel="fraction of honest deliveries", title=title,
           ylim=(0, 1.02))
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(paths[0], dpi=100)
    plt.close(fig)
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(7, 5), sharex=True)
    for s in summaries:
        ser = s["series"]
        a1.plot(ser["time_s"], ser["attacker_share"], alpha=0.7)
        a2.plot(ser["time_s"], ser["mesh_degree_mean"], alpha=0.7)
    a1.set(ylabel="Sybil share of\nhonest meshes", title=title)
    a2.set(xlabel="time (s)", ylabel="mean honest\nmesh degree")
    fig.tight_layout()
    fig.savefig(paths[1], dpi=100)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(9, 4))
    s = summaries[0]
    ser = s["series"]
    qs = ser["quantiles"]
    for key, colour, dash in (("honest_score_quantiles", "tab:blue", "-"), ("sybil_score_quantiles", "tab:red", "--")):
        who = key.split("_")[0]
        column = {q: [r[j] if r[j] is not None else float("nan") for r in ser[key]] for j, q in enumerate(qs)}
        ax.fill_between(ser["time_s"], column[qs[0]], column[qs[-1]], color=colour, alpha=0.15, linewidth=0,
                        label=f"{who} q{qs[0]:g}–q{qs[-1]:g}")
        ax.fill_between(ser["time_s"], column[qs[1]], column[qs[-2]], color=colour, alpha=0.3, linewidth=0,
                        label=f"{who} q{qs[1]:g}–q{qs[-2]:g}")
        ax.plot(ser["time_s"], column[0.5], color=colour, linestyle=dash, label=f"{who} median")
    ax.set(xlabel="time (s)", ylabel="score (symmetric log)", title=f"{title}, seed {s['seed']}", yscale="symlog")
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    fig.savefig(paths[2], dpi=100)
    plt.close(fig)
    return paths
