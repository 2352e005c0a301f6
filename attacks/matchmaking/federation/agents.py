"""Agents and their knowledge exchange (spec §15.3): local adapter training, soft labels on the transfer
set, and adaptive knowledge distillation (paper Eq. 2) with the supplement's schedules."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
from peerproof.attacks.matchmaking.federation.data import CLASSES, Shard, Split
from peerproof.attacks.matchmaking.federation.models import FAMILIES, adapt, adapters, build, pretrain
from torch import nn

LR = 5e-3
BATCH = 32
KD_STEPS = 6  # distillation minibatches per exchange
PRETRAIN_STEPS = 40


@dataclass
class Agent:
    """One federation member: its model (frozen base + adapters), optimiser, data and family."""

    name: str
    family: str
    width: int
    model: nn.Module
    optimizer: torch.optim.Optimizer
    shard: Shard
    poisoner: bool = False


def kind(i: int) -> tuple[str, int]:
    """Agent i's family and width: families cycle mlp/cnn/wide, widths 32/64/96."""
    return FAMILIES[i % len(FAMILIES)], (32, 64, 96)[(i // len(FAMILIES)) % 3]


def pretrained_bases(split: Split, seed: int) -> list[nn.Module]:
    """Each agent's base, pretrained on the public split (shared by every strategy of one seed)."""
    bases = []
    for i in range(len(split.shards)):
        torch.manual_seed(seed * 1000 + i)
        bases.append(pretrain(build(*kind(i)), split.public_x, split.public_y, PRETRAIN_STEPS, seed * 1000 + i))
    return bases


def make_agents(split: Split, bases: list[nn.Module], seed: int, poisoners: int = 0) -> list[Agent]:
    """Fresh adapters on copies of the pretrained bases; the first ``poisoners`` agents are adversaries."""
    agents = []
    for i, (shard, base) in enumerate(zip(split.shards, bases, strict=True)):
        torch.manual_seed(seed * 1000 + i)
        model = adapt(copy.deepcopy(base))
        family, width = kind(i)
        agents.append(Agent(f"a{i}", family, width, model, torch.optim.Adam(adapters(model), lr=LR), shard,
                            i < poisoners))
    return agents


def local_epoch(agent: Agent, generator: torch.Generator) -> None:
    """One pass of adapter training on the agent's private data."""
    x, y = agent.shard.x, agent.shard.y
    order = torch.randperm(len(y), generator=generator)
    for k in range(0, len(y), BATCH):
        idx = order[k:k + BATCH]
        agent.optimizer.zero_grad()
        nn.functional.cross_entropy(agent.model(x[idx]), y[idx]).backward()
        agent.optimizer.step()


@torch.no_grad()
def soft_labels(agent: Agent, x: torch.Tensor, temperature: float) -> torch.Tensor:
    """The knowledge package κ: the teacher's tempered class probabilities on the transfer set.

    A poisoner sends confident labels of the wrong class (its own prediction shifted by one class).
    """
    logits = agent.model(x)
    if agent.poisoner:
        wrong = (logits.argmax(dim=1) + 1) % CLASSES
        return nn.functional.one_hot(wrong, CLASSES).float() * 0.9 + 0.01
    return torch.softmax(logits / temperature, dim=1)


def distill(student: Agent, targets: torch.Tensor, x_u: torch.Tensor, alpha: float, temperature: float,
            generator: torch.Generator) -> None:
    """Paper Eq. 2: (1 − α) CE on private data + α T² KL(teacher ‖ student) on the transfer set."""
    x, y = student.shard.x, student.shard.y
    for _ in range(KD_STEPS):
        u = torch.randint(len(x_u), (64,), generator=generator)
        p = torch.randint(len(y), (BATCH,), generator=generator)
        student.optimizer.zero_grad()
        log_q = torch.log_softmax(student.model(x_u[u]) / temperature, dim=1)
        kd = nn.functional.kl_div(log_q, targets[u], reduction="batchmean") * temperature ** 2
        loss = (1 - alpha) * nn.functional.cross_entropy(student.model(x[p]), y[p]) + alpha * kd
        loss.backward()
        student.optimizer.step()


@torch.no_grad()
def validation(agent: Agent) -> tuple[float, float]:
    """(accuracy, loss) on the agent's own validation split."""
    logits = agent.model(agent.shard.x_val)
    acc = float((logits.argmax(dim=1) == agent.shard.y_val).float().mean())
    return acc, float(nn.functional.cross_entropy(logits, agent.shard.y_val))


@torch.no_grad()
def test_accuracy(agent: Agent, split: Split) -> float:
    """Accuracy on the shared, balanced test set."""
    return float((agent.model(split.test_x).argmax(dim=1) == split.test_y).float().mean())


def schedules(round_index: int, rounds: int) -> tuple[float, float]:
    """(α_KD, T): α 0.2 → 0.5 and T 2.5 → 1.5, both linear over the rounds (supplement Table 1)."""
    f = (round_index - 1) / max(1, rounds - 1)
    return 0.2 + 0.3 * f, 2.5 - 1.0 * f
