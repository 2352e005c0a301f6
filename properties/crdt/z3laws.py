"""The lattice laws proved with z3 (CR-PROP-1..4, 6, 9), VeriFx-style: reachable, compatible states only.

Every state-based type is encoded at one symbolic *point* (a key of an LWW map, a writer of a counter,
a dot and its writer of an OR-set, an op id of a log): these merges work point by point, so a law that
holds at an arbitrary point holds for whole states, and an ``unsat`` is an unbounded proof. The
MV-register's merge is not pointwise; it is encoded with a bounded number of versions and writers, and
its ``unsat`` is a bounded proof that says its bound. A ``sat`` answer is only a candidate: the engine
replays a concrete trace before it reports a violation. Solver effort is bounded by z3's deterministic
``rlimit``, never by wall-clock time.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import z3
from peerproof.reference.crdt import Config

Sym = dict[str, Any]  # one symbolic state at the point: field name -> z3 term
RLIMIT = 20_000_000
MV_VERSIONS, MV_WRITERS = 3, 3  # the MV-register's bound: versions per state, writers


@dataclass(frozen=True)
class Encoding:
    """CR-Z3-1: one type under one rule at a point: fresh states, merge, equality, predicates, updates."""

    fresh: Callable[[str], Sym]
    merge: Callable[[Sym, Sym], Sym]
    eq: Callable[[Sym, Sym], Any]
    reach: Callable[[Sym], Any]
    compat: Callable[[Sym, Sym], Any]
    updates: Callable[[Sym, str], list[tuple[str, Any, Sym]]]  # (label, guard, state after)
    complete: bool
    bound: str


def _ite(c: Any, a: Sym, b: Sym) -> Sym:
    return {k: z3.If(c, a[k], b[k]) for k in a}


def _lex_gt(a: list[Any], b: list[Any]) -> Any:
    """a > b lexicographically."""
    if not a:
        return z3.BoolVal(False)
    return z3.Or(a[0] > b[0], z3.And(a[0] == b[0], _lex_gt(a[1:], b[1:])))


def lww(rule: str) -> Encoding:
    """CR-Z3-2: an LWW entry (present, stamp, writer, secondary stamp, rest of the record) at one key."""
    names = ("s", "w", "t", "r")

    def fresh(p: str) -> Sym:
        return {"has": z3.Bool(f"{p}_has"), **{n: z3.Int(f"{p}_{n}") for n in names}}

    def greater(a: Sym, b: Sym) -> Any:
        if rule in ("ts-writer", "expiry-writer"):
            return _lex_gt([a[n] for n in names], [b[n] for n in names])
        return a["s"] > b["s"]

    def merge(a: Sym, b: Sym) -> Sym:
        pick = _ite(z3.Not(a["has"]), b, _ite(z3.Not(b["has"]), a, _ite(greater(b, a), b, a)))
        return {**pick, "has": z3.Or(a["has"], b["has"])}

    def eq(a: Sym, b: Sym) -> Any:
        return z3.And(a["has"] == b["has"], z3.Implies(a["has"], z3.And(*[a[n] == b[n] for n in names])))

    def updates(a: Sym, p: str) -> list[tuple[str, Any, Sym]]:
        d = {**fresh(p + "_d"), "has": z3.BoolVal(True)}
        return [("write", z3.BoolVal(True), merge(a, d))]

    return Encoding(fresh, merge, eq, lambda a: z3.BoolVal(True), lambda a, b: z3.BoolVal(True), updates, True,
                    "unbounded: entries merge key by key, checked at an arbitrary key")


def counter(rule: str) -> Encoding:
    """CR-Z3-3: a PN-counter's (p, n) totals of one writer."""

    def fresh(p: str) -> Sym:
        return {"p": z3.Int(f"{p}_p"), "n": z3.Int(f"{p}_n")}

    def join(x: Any, y: Any) -> Any:
        return x + y if rule == "sum" else z3.If(x >= y, x, y)

    def updates(a: Sym, p: str) -> list[tuple[str, Any, Sym]]:
        k = z3.Int(f"{p}_k")
        return [("inc", k >= 1, {"p": a["p"] + k, "n": a["n"]}), ("dec", k >= 1, {"p": a["p"], "n": a["n"] + k})]

    return Encoding(fresh, lambda a, b: {"p": join(a["p"], b["p"]), "n": join(a["n"], b["n"])},
                    lambda a, b: z3.And(a["p"] == b["p"], a["n"] == b["n"]),
                    lambda a: z3.And(a["p"] >= 0, a["n"] >= 0), lambda a, b: z3.BoolVal(True), updates, True,
                    "unbounded: totals merge writer by writer, checked at an arbitrary writer")


def orset(rule: str) -> Encoding:
    """CR-Z3-4: one dot (writer w, counter c): present (an add or, remove-wins, a remove dot), tombstoned, and
    the version vector's entry for w."""
    c = z3.Int("dot_c")

    def fresh(p: str) -> Sym:
        return {"p": z3.Bool(f"{p}_p"), "t": z3.Bool(f"{p}_t"), "v": z3.Int(f"{p}_v")}

    def covered(a: Sym) -> Any:
        return c <= a["v"]

    def merge(a: Sym, b: Sym) -> Sym:
        v = z3.If(a["v"] >= b["v"], a["v"], b["v"])
        if rule in ("add-wins", "remove-wins"):  # remove-wins: the same join on add and remove dots alike
            p = z3.Or(z3.And(a["p"], b["p"]), z3.And(a["p"], z3.Not(covered(b))), z3.And(b["p"], z3.Not(covered(a))))
            return {"p": p, "t": z3.BoolVal(False), "v": v}
        return {"p": z3.Or(a["p"], b["p"]), "t": z3.Or(a["t"], b["t"]), "v": v}

    def reach(a: Sym) -> Any:
        facts = [c >= 1, a["v"] >= 0, z3.Implies(a["p"], covered(a)), z3.Implies(a["t"], a["p"])]
        if rule != "add-wins-tombstones":
            facts.append(z3.Not(a["t"]))
        return z3.And(*facts)

    def updates(a: Sym, p: str) -> list[tuple[str, Any, Sym]]:
        mine, same = z3.Bool(f"{p}_mine"), z3.Bool(f"{p}_same")  # the adder is w; this dot's element is the target
        fresh_dot = z3.And(mine, c == a["v"] + 1)
        v = z3.If(mine, a["v"] + 1, a["v"])
        kept = z3.And(a["p"], z3.Not(same)) if rule in ("add-wins", "remove-wins") else a["p"]
        add = {"p": z3.Or(fresh_dot, kept), "t": a["t"], "v": v}
        if rule == "remove-wins":  # a remove mints a remove dot, replacing the observed dots, as an add does
            return [("add", z3.BoolVal(True), add), ("remove", z3.BoolVal(True), add)]
        if rule == "add-wins-tombstones":
            remove = {"p": a["p"], "t": z3.Or(a["t"], z3.And(a["p"], same)), "v": a["v"]}
        else:
            remove = {"p": z3.And(a["p"], z3.Not(same)), "t": a["t"], "v": a["v"]}
        return [("add", z3.BoolVal(True), add), ("remove", z3.BoolVal(True), remove)]

    return Encoding(fresh, merge, lambda a, b: z3.And(a["p"] == b["p"], a["t"] == b["t"], a["v"] == b["v"]),
                    reach, lambda a, b: z3.BoolVal(True), updates, True,
                    "unbounded: dots and version-vector entries merge pointwise, checked at an arbitrary dot")


def oplog(rule: str, honest: bool = True) -> Encoding:
    """CR-Z3-5: one op id: held, its content and its metadata (content-hash: the content is the id's)."""
    shared = z3.Int("id_content")

    def fresh(p: str) -> Sym:
        content = shared if rule == "content-hash" else z3.Int(f"{p}_c")
        return {"has": z3.Bool(f"{p}_has"), "c": content, "m": z3.Int(f"{p}_m")}

    def merge(a: Sym, b: Sym) -> Sym:
        both = z3.And(a["has"], b["has"])
        if rule == "content-hash":
            m = z3.If(both, z3.If(a["m"] >= b["m"], a["m"], b["m"]), z3.If(a["has"], a["m"], b["m"]))
            return {"has": z3.Or(a["has"], b["has"]), "c": a["c"], "m": m}
        return {**_ite(a["has"], a, b), "has": z3.Or(a["has"], b["has"])}

    def eq(a: Sym, b: Sym) -> Any:
        return z3.And(a["has"] == b["has"], z3.Implies(a["has"], z3.And(a["c"] == b["c"], a["m"] == b["m"])))

    def compat(a: Sym, b: Sym) -> Any:
        if not honest or rule == "content-hash":
            return z3.BoolVal(True)
        return z3.Implies(z3.And(a["has"], b["has"]), z3.And(a["c"] == b["c"], a["m"] == b["m"]))

    def updates(a: Sym, p: str) -> list[tuple[str, Any, Sym]]:
        new = {"has": z3.BoolVal(True), "c": fresh(p + "_n")["c"], "m": z3.Int(f"{p}_nm")}
        return [("append", z3.Not(a["has"]), new)]

    return Encoding(fresh, merge, eq, lambda a: z3.BoolVal(True), compat, updates, True,
                    "unbounded: ops merge id by id, checked at an arbitrary id")


def mvregister(rule: str) -> Encoding:
    """CR-Z3-6: up to MV_VERSIONS (value, version vector) pairs over MV_WRITERS writers (bounded)."""
    def fresh(p: str) -> Sym:
        return {"items": [(z3.Bool(f"{p}_h{i}"), z3.Int(f"{p}_x{i}"),
                           tuple(z3.Int(f"{p}_v{i}_{w}") for w in range(MV_WRITERS))) for i in range(MV_VERSIONS)]}

    def dominated(u: tuple[Any, ...], v: tuple[Any, ...]) -> Any:
        return z3.And(*[a <= b for a, b in zip(u, v, strict=True)], z3.Or(*[a < b for a, b in zip(u, v, strict=True)]))

    def same(i: tuple[Any, Any, tuple[Any, ...]], j: tuple[Any, Any, tuple[Any, ...]]) -> Any:
        return z3.And(i[1] == j[1], *[a == b for a, b in zip(i[2], j[2], strict=True)])

    def merge(a: Sym, b: Sym) -> Sym:
        union = a["items"] + b["items"]
        kept = [(z3.And(h, *[z3.Not(z3.And(h2, dominated(v, v2))) for h2, _x2, v2 in union]), x, v)
                for h, x, v in union]
        return {"items": kept}

    def member(i: tuple[Any, Any, tuple[Any, ...]], s: Sym) -> Any:
        return z3.Or(*[z3.And(h, same(i, j)) for j in s["items"] for h in [j[0]]])

    def eq(a: Sym, b: Sym) -> Any:
        return z3.And(*[z3.Implies(i[0], member(i, b)) for i in a["items"]],
                      *[z3.Implies(i[0], member(i, a)) for i in b["items"]])

    def reach(a: Sym) -> Any:
        items = a["items"]
        facts = [z3.Implies(h, z3.And(*[n >= 0 for n in v], z3.Or(*[n > 0 for n in v]))) for h, _x, v in items]
        for i, j in itertools.combinations(items, 2):
            facts.append(z3.Implies(z3.And(i[0], j[0]), z3.And(z3.Not(dominated(i[2], j[2])),
                                                              z3.Not(dominated(j[2], i[2])))))
        return z3.And(*facts)

    def compat(a: Sym, b: Sym) -> Any:
        facts = []
        for i in a["items"] + b["items"]:
            for j in a["items"] + b["items"]:
                facts.append(z3.Implies(z3.And(i[0], j[0], *[x == y for x, y in zip(i[2], j[2], strict=True)]),
                                        i[1] == j[1]))
        return z3.And(*facts)

    def updates(a: Sym, p: str) -> list[tuple[str, Any, Sym]]:
        out = []
        for w in range(MV_WRITERS):
            top = []
            for k in range(MV_WRITERS):
                m = z3.IntVal(0)
                for h, _x, v in a["items"]:
                    m = z3.If(z3.And(h, v[k] > m), v[k], m)
                top.append(m + 1 if k == w else m)
            new = [(z3.BoolVal(True), z3.Int(f"{p}_val"), tuple(top))]
            new += [(z3.BoolVal(False), z3.IntVal(0), tuple(z3.IntVal(0) for _ in range(MV_WRITERS)))] * (
                MV_VERSIONS - 1)
            out.append((f"set by writer {w}", z3.BoolVal(True), {"items": new}))
        return out

    return Encoding(fresh, merge, eq, reach, compat, updates, False,
                    f"bounded: states of at most {MV_VERSIONS} versions over {MV_WRITERS} writers")


def encoding(config: Config, honest: bool = True) -> Encoding:
    """The encoding of the config's type and rule (``honest=False``: no compatibility assumption)."""
    kind = config.type
    if kind in ("lww-register", "lww-map", "expiring-map"):
        return lww(config.rule)
    if kind == "pn-counter":
        return counter(config.rule)
    if kind == "or-set":
        return orset(config.rule)
    if kind == "op-log":
        return oplog(config.rule, honest)
    return mvregister(config.rule)


@dataclass(frozen=True)
class Answer:
    """What z3 said about one law: ``unsat`` (the law holds), ``sat`` (a candidate) or ``unknown``."""

    result: str
    detail: str  # the candidate's states, or why unknown
    complete: bool
    bound: str


def negated_law(enc: Encoding, law: str) -> tuple[Any, dict[str, Sym]]:
    """The negation of ``law`` over fresh reachable (pairwise compatible) states, and those states."""
    a, b, c = enc.fresh("x"), enc.fresh("y"), enc.fresh("z")
    m = enc.merge
    if law == "merge-commutative":
        return z3.And(enc.reach(a), enc.reach(b), enc.compat(a, b), z3.Not(enc.eq(m(a, b), m(b, a)))), {"x": a, "y": b}
    if law == "merge-associative":
        pre = z3.And(enc.reach(a), enc.reach(b), enc.reach(c), enc.compat(a, b), enc.compat(b, c), enc.compat(a, c))
        return z3.And(pre, z3.Not(enc.eq(m(m(a, b), c), m(a, m(b, c))))), {"x": a, "y": b, "z": c}
    if law == "merge-idempotent":
        return z3.And(enc.reach(a), z3.Not(enc.eq(m(a, a), a))), {"x": a}
    if law == "update-inflationary":
        cases = [z3.And(guard, z3.Not(enc.eq(m(a, after), after))) for _l, guard, after in enc.updates(a, "u")]
        return z3.And(enc.reach(a), z3.Or(*cases)), {"x": a}
    raise ValueError(f"not a law: {law}")


def describe(model: z3.ModelRef, states: dict[str, Sym]) -> str:
    """The candidate's states as z3 evaluated them."""
    parts = []
    for name, s in states.items():
        if "items" in s:
            text = [f"({model.eval(x)}, {[model.eval(n, model_completion=True) for n in v]})"
                    for h, x, v in s["items"] if z3.is_true(model.eval(h, model_completion=True))]
            parts.append(f"{name}={{{', '.join(text)}}}")
        else:
            fields = ", ".join(f"{k}={model.eval(v, model_completion=True)}" for k, v in s.items())
            parts.append(f"{name}=({fields})")
    return "; ".join(parts)


def check_law(config: Config, law: str, honest: bool = True) -> Answer:
    """CR-Z3-7: ask z3 for reachable, compatible states that break ``law`` under the config's rule."""
    return solve(encoding(config, honest), law)


def solve(enc: Encoding, law: str) -> Answer:
    """Ask z3 for reachable, compatible states of an encoding that break ``law``."""
    formula, states = negated_law(enc, law)
    solver = z3.Solver()
    solver.set("rlimit", RLIMIT)
    solver.add(formula)
    result = solver.check()
    if result == z3.unsat:
        return Answer("unsat", "", enc.complete, enc.bound)
    if result == z3.sat:
        return Answer("sat", describe(solver.model(), states), enc.complete, enc.bound)
    return Answer("unknown", str(solver.reason_unknown()), enc.complete, enc.bound)


def check_invariant(config: Config) -> Answer:
    """CR-Z3-8: two counters over the config's writers that each satisfy value >= min_value, whose merge does not."""
    n = len(config.replicas)
    enc = counter(config.rule)
    xs = [enc.fresh(f"x{i}") for i in range(n)]
    ys = [enc.fresh(f"y{i}") for i in range(n)]

    def value(states: list[Sym]) -> Any:
        return z3.Sum([s["p"] - s["n"] for s in states])

    merged = [enc.merge(a, b) for a, b in zip(xs, ys, strict=True)]
    solver = z3.Solver()
    solver.set("rlimit", RLIMIT)
    solver.add(*[enc.reach(s) for s in xs + ys])
    solver.add(value(xs) >= config.min_value, value(ys) >= config.min_value, value(merged) < config.min_value)
    result = solver.check()
    bound = f"unbounded over the config's {n} writers"
    if result == z3.unsat:
        return Answer("unsat", "", True, bound)
    if result == z3.sat:
        states = {f"x.{config.replicas[i]}": s for i, s in enumerate(xs)}
        states.update({f"y.{config.replicas[i]}": s for i, s in enumerate(ys)})
        return Answer("sat", describe(solver.model(), states), True, bound)
    return Answer("unknown", str(solver.reason_unknown()), True, bound)
