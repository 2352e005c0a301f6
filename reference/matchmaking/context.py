"""Pair contexts (spec §3, MM-CTX-*): the feature vector the shared LinUCB scores for a (student, teacher) pair."""

from __future__ import annotations

import numpy as np


def context_dimension(kind: str, d_p: int) -> int:
    """The length of a pair context: 2·d_p for the concatenation (MM-CTX-1), 3·d_p for the symmetric map (MM-CTX-2)."""
    return 2 * d_p if kind == "concat" else 3 * d_p


def pair_contexts(kind: str, students: np.ndarray, teachers: np.ndarray) -> np.ndarray:
    """Row k is the context of (students[k], teachers[k]).

    MM-CTX-1 ``concat``: [p_s, p_t] (supplement, "CPM Context Vector"; the code's [student, teacher]).
    MM-CTX-2 ``symmetric``: [p_s + p_t, |p_s − p_t|, p_s ⊙ p_t], unchanged when the two are swapped.
    """
    s, t = np.atleast_2d(students), np.atleast_2d(teachers)
    if kind == "concat":
        return np.concatenate([s, t], axis=1)
    return np.concatenate([s + t, np.abs(s - t), s * t], axis=1)


def pair_context(kind: str, student: np.ndarray, teacher: np.ndarray) -> np.ndarray:
    """The context of one (student, teacher) pair."""
    return pair_contexts(kind, np.asarray(student, dtype=float), np.asarray(teacher, dtype=float))[0]
