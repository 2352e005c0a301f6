"""``check`` over derived configs (GS-NET-CLI-4): the Eth2 clients' score parameters recomputed from their own
formulas (reference/gossipsub/derivation_eth2_configs.py) for a range of active-validator counts and, for
Lighthouse, each network load, each checked by the closed-form engine; which ranges make a property fail.

A grid point is one picklable task (one derived config, every selected property), so ``peerproof sweep
--check-derived`` runs them through joblib like network runs. Where no closed form settles a job the row
says ``inconclusive`` with the reason; the closed forms' ``violated`` findings are replayed and confirmed
by the engine itself (attacks/gossipsub/symbolic).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from peerproof.attacks.checks import Settings
from peerproof.reference.gossipsub import Config, config_from_mapping
from peerproof.reference.gossipsub.derivation_eth2_configs import (
    LIGHTHOUSE_NETWORK_LOADS,
    lighthouse_config,
    lodestar_config,
    prysm_config,
)

CLIENTS = ("eth2-lighthouse", "eth2-lodestar", "eth2-prysm")
VERDICT_CODES = {"holds": 0, "holds-bounded": 1, "inconclusive": 2, "violated": 3}


def derived_config(client: str, validators: int, load: int | None = None) -> Config:
    """The client's config at ``validators`` active validators (and Lighthouse ``network_load``)."""
    if client == "eth2-lighthouse":
        doc = lighthouse_config(validators, load) if load is not None else lighthouse_config(validators)
    elif client == "eth2-lodestar":
        doc = lodestar_config(validators)
    elif client == "eth2-prysm":
        doc = prysm_config(validators)
    else:
        raise ValueError(f"no derivation for {client!r}; derived clients: {', '.join(CLIENTS)}")
    return config_from_mapping(doc, file=f"{client}@{validators}")


def loads_of(client: str) -> list[int | None]:
    """The network loads a client's derivation takes (Lighthouse's five; None for the others)."""
    return list(LIGHTHOUSE_NETWORK_LOADS) if client == "eth2-lighthouse" else [None]


def check_point(client: str, validators: int, load: int | None, properties: tuple[str, ...],
                topic: str = "beacon_block") -> list[dict[str, Any]]:
    """One grid point: the closed-form verdict of each property (per-topic ones in ``topic``) on the config."""
    from peerproof.attacks.gossipsub import CHECKS

    cfg = derived_config(client, validators, load)
    engine = next(e for e in CHECKS.engines if e.name == "analytic")
    rows = []
    for job in CHECKS.jobs(cfg, list(properties)):
        if job.topic is not None and topic not in str(job.topic).split(", "):
            continue
        finding = engine.run(cfg, job, Settings(dialect=cfg.dialect))
        verdict = finding.verdict if finding is not None else "inconclusive"
        reason = finding.reason if finding is not None else "no closed form settles this job"
        rows.append({"client": client, "validators": validators, "network_load": load, "property": job.slug,
                     "topic": job.topic, "verdict": verdict, "reason": reason[:300]})
    return rows


def plot_verdicts(rows: list[dict[str, Any]], path: Path) -> Path:
    """One panel per property: verdict (colour) against validators (x) for each client and load (y)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    props = sorted({r["property"] for r in rows})
    series = sorted({(r["client"], r["network_load"] or 0) for r in rows})
    xs = sorted({r["validators"] for r in rows})
    cmap = ListedColormap(["tab:green", "yellowgreen", "lightgrey", "tab:red"])
    fig, axes = plt.subplots(len(props), 1, figsize=(1.2 * len(xs) + 3, 0.45 * len(series) * len(props) + 1.5),
                             squeeze=False)
    for ax, prop in zip(axes[:, 0], props, strict=True):
        grid = [[VERDICT_CODES.get(next((r["verdict"] for r in rows if r["property"] == prop and r["client"] == c
                                         and (r["network_load"] or 0) == load and r["validators"] == x),
                                        "inconclusive"), 2) for x in xs] for c, load in series]
        ax.imshow(grid, cmap=cmap, vmin=0, vmax=3, aspect="auto")
        ax.set_xticks(range(len(xs)), [f"{x:,}" for x in xs], fontsize="small")
        ax.set_yticks(range(len(series)), [f"{c}" + (f" load {load}" if load else "") for c, load in series],
                      fontsize="small")
        ax.set_title(f"{prop} (green holds, grey inconclusive, red violated)", fontsize="medium")
    axes[-1, 0].set_xlabel("active validators")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
