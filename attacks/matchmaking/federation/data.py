"""The federation's data (spec §15.1): scikit-learn's digits (shipped with the package, no download),
split into a public pretraining set, a shared transfer set X_u, a test set, and non-IID private shards
drawn with a Dirichlet(α = 0.1) over classes (the paper's split, main text "Setup")."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.datasets import load_digits

CLASSES = 10
DIRICHLET_ALPHA = 0.1  # KNEXA-FL main text: training problems spread over clients by Dirichlet α = 0.1


@dataclass(frozen=True)
class Shard:
    """One agent's private data: training and validation tensors."""

    x: torch.Tensor
    y: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor

    def histogram(self) -> np.ndarray:
        """The agent's normalised label histogram (its data-distribution profile fields)."""
        counts = np.bincount(self.y.numpy(), minlength=CLASSES).astype(float)
        return counts / max(1.0, counts.sum())


@dataclass(frozen=True)
class Split:
    """All the data of one federation run."""

    public_x: torch.Tensor
    public_y: torch.Tensor
    transfer_x: torch.Tensor
    test_x: torch.Tensor
    test_y: torch.Tensor
    shards: tuple[Shard, ...]


def split(agents: int, seed: int, public: int = 100, transfer: int = 300, test: int = 400) -> Split:
    """A seeded split: public pretraining samples, transfer set, test set, and Dirichlet shards."""
    digits = load_digits()
    x = torch.tensor(digits.data / 16.0, dtype=torch.float32)
    y = torch.tensor(digits.target, dtype=torch.long)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    pub, tra, tes, rest = np.split(order, [public, public + transfer, public + transfer + test])
    shares = rng.dirichlet([DIRICHLET_ALPHA] * agents, size=CLASSES)  # row c: how class c is spread
    labels = y[rest].numpy()
    owner = np.empty(len(rest), dtype=int)
    for c in range(CLASSES):
        where = np.nonzero(labels == c)[0]
        owner[where] = rng.choice(agents, size=len(where), p=shares[c])
    shards = []
    for a in range(agents):
        mine = rest[owner == a]
        if len(mine) < 8:  # every agent keeps a little data of its own
            mine = np.concatenate([mine, rng.choice(rest, size=8 - len(mine), replace=False)])
        mine = rng.permutation(mine)
        cut = max(2, len(mine) // 5)
        shards.append(Shard(x[mine[cut:]], y[mine[cut:]], x[mine[:cut]], y[mine[:cut]]))
    return Split(x[pub], y[pub], x[tra], x[tes], y[tes], tuple(shards))
