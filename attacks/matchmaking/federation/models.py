"""Heterogeneous agents (spec §15.2): small torch models of different families and widths, each a base
pretrained on the public split and then frozen, plus trainable low-rank adapters (LoRA) on its linear
layers -- the paper's frozen W_0 plus PEFT module φ_i, at digits scale."""

from __future__ import annotations

import torch
from torch import nn

FAMILIES = ("mlp", "cnn", "wide")
RANK = 4  # LoRA rank (KNEXA-FL src/globals.py uses LORA_RANK = 8 on LLMs)


class LoRALinear(nn.Module):
    """A frozen linear layer plus a trainable low-rank update B·A (B starts at zero)."""

    def __init__(self, base: nn.Linear, rank: int = RANK) -> None:
        super().__init__()
        self.base = base
        for p in self.base.parameters():
            p.requires_grad_(False)
        self.A = nn.Parameter(torch.randn(rank, base.in_features) * 0.05)
        self.B = nn.Parameter(torch.zeros(base.out_features, rank))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """W₀x + b + B(Ax)."""
        return self.base(x) + (x @ self.A.T) @ self.B.T


def _mlp(width: int) -> nn.Module:
    return nn.Sequential(nn.Linear(64, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(), nn.Linear(width, 10))


class _CNN(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(channels * 16, 32), nn.ReLU(), nn.Linear(32, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits of flattened 8×8 images."""
        return self.head(self.conv(x.view(-1, 1, 8, 8)))


def build(family: str, width: int) -> nn.Module:
    """An untrained base of the given family and width."""
    if family == "mlp":
        return _mlp(width)
    if family == "cnn":
        return _CNN(max(4, width // 8))
    return nn.Sequential(nn.Linear(64, 2 * width), nn.ReLU(), nn.Linear(2 * width, 10))


def pretrain(model: nn.Module, x: torch.Tensor, y: torch.Tensor, epochs: int, seed: int) -> nn.Module:
    """Train the base on the public split (the "pretrained backbone")."""
    torch.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(epochs):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return model


def adapt(model: nn.Module) -> nn.Module:
    """Freeze every base weight and wrap each linear layer with a LoRA adapter."""
    for p in model.parameters():
        p.requires_grad_(False)

    def wrap(module: nn.Module) -> None:
        for name, child in module.named_children():
            if isinstance(child, nn.Linear):
                setattr(module, name, LoRALinear(child))
            else:
                wrap(child)
    wrap(model)
    return model


def adapters(model: nn.Module) -> list[nn.Parameter]:
    """The trainable parameters (the adapters only)."""
    return [p for p in model.parameters() if p.requires_grad]
