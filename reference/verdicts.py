"""Verdicts, their order and the exit codes (spec/peerproof.md, PP-VERDICT, PP-EXIT): the one home of each.

Three-valued as Jepsen's checkers, with the proven kind split by its bound: ``holds`` (unbounded, an
argument named), ``holds-bounded`` (the bound stated), ``violated`` (a replayed trace), ``inconclusive``.
"""

from __future__ import annotations

from collections.abc import Iterable

VERDICTS = ("holds", "holds-bounded", "violated", "inconclusive")
SEVERITY = {"violated": 0, "inconclusive": 1, "holds-bounded": 2, "holds": 3}
"""The least certain first: the order in which verdicts are combined and an attack's result is chosen."""

EXIT_OK = 0  # every property holds (holds or holds-bounded); a replay reproduced everything
EXIT_VIOLATION = 1  # a property is violated, or a replay differs
EXIT_BAD_INPUT = 2  # bad input or usage: FILE: field.path: message
EXIT_INCONCLUSIVE = 3  # no violation, but some property has no verdict (a time-out, an unknown)
EXIT_INTERNAL = 4  # peerproof itself failed (a bug): never confused with a verdict


def exit_code(verdicts: Iterable[str]) -> int:
    """1 on any violation, else 3 on anything inconclusive, else 0."""
    found = set(verdicts)
    if "violated" in found:
        return EXIT_VIOLATION
    return EXIT_INCONCLUSIVE if "inconclusive" in found else EXIT_OK


def combined_exit_code(codes: Iterable[int]) -> int:
    """The exit code of several runs: a violation wins, then the largest (bad input, inconclusive)."""
    codes = list(codes)
    return EXIT_VIOLATION if EXIT_VIOLATION in codes else max(codes, default=EXIT_OK)
