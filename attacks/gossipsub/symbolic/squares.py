"""Squares kept linear: every x^2 of the score is relaxed soundly and refined lazily (CEGAR).

The score squares four things: the P3 deficit, the P4 counter, the P6 surplus and the P7 excess. After
decay the counters are rationals that are linear in the attacker's integer choices, so their squares
cannot be tabulated; instead each square gets its own variable ``s`` for ``x`` in a known range
[lo, hi], constrained by

* tangents ``s >= 2a x - a^2`` at a few points a (the parabola lies above each tangent), and
* chords ``s <= (p + q) x - p q`` over consecutive breakpoints p <= x <= q (it lies below each chord).

These hold for the true square, so the relaxation over-approximates: an UNSAT answer is sound. A model
whose ``s`` differs from ``x^2`` is spurious; ``refine`` adds the tangent at the model's x and splits
the chord there, after which that x has exactly one admissible ``s``. Squares of bounded integers (the
P6 surplus) are exact lookup tables. Everything stays in linear integer/real arithmetic (QF_LIRA).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import z3

INITIAL_TANGENTS = 4  # interior tangent points besides the two ends


def val(x: Fraction) -> z3.ArithRef:
    """An exact z3 rational."""
    return z3.RealVal(f"{x.numerator}/{x.denominator}")


def value_of(model: z3.ModelRef, e: z3.ExprRef) -> Fraction:
    """The exact rational value of a real or integer expression in a model."""
    v = model.eval(e, model_completion=True)
    if z3.is_int_value(v):
        return Fraction(v.as_long())
    return Fraction(v.as_fraction())


@dataclass
class Square:
    """One relaxed square: ``s`` stands for ``x * x`` with ``lo <= x <= hi``."""

    x: z3.ArithRef
    s: z3.ArithRef
    points: list[z3.ArithRef]  # chord breakpoints (z3 rationals), sorted
    guard: z3.BoolRef | None = None  # the literal under which its base is defined (None: always)


def _holds(b: z3.BoolRef) -> bool:
    return z3.is_true(z3.simplify(b))


def tangent(sq: Square, a: z3.ArithRef) -> z3.BoolRef:
    """The parabola lies above its tangent at the constant ``a``."""
    return sq.s >= z3.simplify(2 * a) * sq.x - z3.simplify(a * a)


def chord(sq: Square, p: z3.ArithRef, r: z3.ArithRef) -> z3.BoolRef:
    """Between constants ``p`` and ``r`` the parabola lies below the chord through (p, p^2) and (r, r^2)."""
    below = sq.s <= z3.simplify(p + r) * sq.x - z3.simplify(p * r)
    return z3.Implies(z3.And(sq.x >= p, sq.x <= r), below)


class Squares:
    """The relaxed squares of one encoding; their constraints go to ``cuts``.

    Model values stay z3 rationals throughout: after many decays they have thousands of digits.
    """

    def __init__(self) -> None:
        self.items: list[Square] = []
        self.cuts: list[z3.BoolRef] = []
        self.guard: z3.BoolRef | None = None  # squares made now are defined only under this literal

    def square(self, name: str, x: z3.ArithRef, lo: Fraction, hi: Fraction) -> z3.ArithRef:
        """A variable equal to ``x^2`` (relaxed), for ``x`` known to lie in [lo, hi]; exact if x is constant."""
        x = z3.simplify(x)
        if z3.is_rational_value(x) or z3.is_int_value(x):
            return z3.simplify(x * x)
        if hi <= lo:
            return val(lo * lo)
        xv = z3.Real(f"{name}.x")
        sq = Square(xv, z3.Real(f"{name}.sq"), [val(lo), val(hi)], self.guard)
        self.items.append(sq)
        self.cuts += [xv == x, xv >= val(lo), xv <= val(hi), sq.s >= 0, chord(sq, val(lo), val(hi))]
        step = (hi - lo) / (INITIAL_TANGENTS + 1)
        self.cuts += [tangent(sq, val(lo + j * step)) for j in range(INITIAL_TANGENTS + 2)]
        return sq.s

    def spurious(self, model: z3.ModelRef, active: list[z3.BoolRef]) -> list[tuple[Square, z3.ArithRef]]:
        """The squares whose model value is not the square of their base, with that base (squares guarded by
        a literal outside ``active`` are left out: their bases mean nothing in this model)."""
        out = []
        for sq in self.items:
            if sq.guard is not None and not any(sq.guard.eq(a) for a in active):
                continue
            x, s = model.eval(sq.x, model_completion=True), model.eval(sq.s, model_completion=True)
            if not _holds(s == x * x):
                out.append((sq, x))
        return out

    def refine(self, sq: Square, x: z3.ArithRef) -> list[z3.BoolRef]:
        """Cuts that make ``x`` exact for this square: its tangent, and the chord split at it (also kept)."""
        cuts = [tangent(sq, x)]
        if not any(_holds(p == x) for p in sq.points):
            i = next(i for i, p in enumerate(sq.points) if _holds(p > x))
            p, r = sq.points[i - 1], sq.points[i]
            sq.points.insert(i, x)
            cuts += [chord(sq, p, x), chord(sq, x, r)]
        self.cuts += cuts
        return cuts


def monotone(xa: z3.ArithRef, sa: z3.ArithRef, xb: z3.ArithRef, sb: z3.ArithRef) -> list[z3.BoolRef]:
    """True facts about squares of bases >= 0 that the relaxation alone does not know: x^2 is increasing."""
    return [z3.Implies(xb >= xa, sb >= sa), z3.Implies(xb > xa, sb > sa)]


def functional(xa: z3.ArithRef, sa: z3.ArithRef, xb: z3.ArithRef, sb: z3.ArithRef) -> z3.BoolRef:
    """A true fact the relaxation alone does not know: equal bases have equal squares."""
    return z3.Implies(xa == xb, sa == sb)


def table(n: z3.ArithRef, values: dict[int, Fraction]) -> z3.ArithRef:
    """An exact lookup table over a bounded integer: ``values[n]`` (the largest key's value beyond it)."""
    keys = sorted(values)
    out: z3.ArithRef = val(values[keys[-1]])
    for k in reversed(keys[:-1]):
        out = z3.If(n <= k, val(values[k]), out)
    return out
