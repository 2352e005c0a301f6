"""Which pairs a judge compares (RK-ROUND-2) and the comparisons an honest ranking yields on them.

The schedule is the public client's ``buildPairwisePairs(n)`` (``src/judging.ts``): adjacent pairs
(i, i+1) in both orders for i < n−1, and cross pairs (i, i+⌊n/2⌋) in both orders for i < ⌊n/2⌋;
2(n−1) + 2⌊n/2⌋ ordered comparisons whose undirected graph is connected (it contains a path).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

OUTCOMES = ("first", "second", "tie")


@dataclass(frozen=True)
class Comparison:
    """RK-ROUND-1: one judge's verdict on an ordered pair: ``first`` won, ``second`` won, or a ``tie``."""

    judge: str
    first: str
    second: str
    outcome: str


def client_pairs(n: int) -> list[tuple[int, int]]:
    """RK-ROUND-2: the client's ordered pair schedule over n candidates (indices)."""
    pairs: list[tuple[int, int]] = []
    for i in range(n - 1):
        pairs += [(i, i + 1), (i + 1, i)]
    half = n // 2
    for i in range(half):  # as the client does, a cross pair that is also adjacent (n <= 3) is asked twice
        pairs += [(i, i + half), (i + half, i)]
    return pairs


def parse_ranking(text: str) -> list[list[str]]:
    """A judge's preference written ``a>b=c>d`` (best first; ``=`` an indifference) as tiers of candidate ids."""
    return [[c.strip() for c in tier.split("=")] for tier in text.split(">")]


def tier_of(tiers: Sequence[Sequence[str]]) -> dict[str, int]:
    """Each candidate's tier (0 best) in a parsed ranking."""
    return {c: t for t, tier in enumerate(tiers) for c in tier}


def outcome_by_tiers(tiers: Mapping[str, int], first: str, second: str) -> str:
    """RK-ROUND-3: the verdict an honest judge with these tiers gives on (first, second)."""
    a, b = tiers[first], tiers[second]
    return "first" if a < b else "second" if a > b else "tie"


def honest_comparisons(judge: str, candidates: Sequence[str], ranking: str) -> tuple[Comparison, ...]:
    """RK-ROUND-3: the comparisons of a judge that ranks honestly by ``ranking`` on the client's schedule."""
    tiers = tier_of(parse_ranking(ranking))
    return tuple(Comparison(judge, candidates[i], candidates[j], outcome_by_tiers(tiers, candidates[i], candidates[j]))
                 for i, j in client_pairs(len(candidates)))
