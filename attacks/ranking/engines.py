"""The ranking attack engines (RK-ATK-*): each returns a Finding for the properties it settles.

``analytic`` proves what follows from the rules alone (own answers excluded, a prior, the existence
check, a budget below one identity); ``enumeration`` tries every self-promoting author and every
candidate cut and bisects the Sybil swarm size; ``z3`` bounds the minimal promoting coalition from
both sides (coalition.py), a cross-check of the exact engine (flip.py, exact.py). Every violation is a trace
recorded in the reference model, replayed with zero mismatches and confirmed by the witness.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from peerproof.attacks.checks import Job, Settings
from peerproof.attacks.finding import Finding
from peerproof.attacks.ranking import plans
from peerproof.attacks.ranking.coalition import Coalition, greedy, minimal_set, smallest_count
from peerproof.attacks.ranking.scenario import honest, judges_of, outcome, voters
from peerproof.properties.ranking.security import identity_cost, witness
from peerproof.reference.events import Event
from peerproof.reference.ranking import MODEL, get_dialect
from peerproof.reference.ranking.config import Config
from peerproof.reference.ranking.consensus import Consensus
from peerproof.reference.ranking.events import Close
from peerproof.reference.ranking.reputation import TIE_GAP
from peerproof.reference.ranking.schedule import Comparison
from peerproof.reference.ranking.weights import counted
from peerproof.reference.trace import record, replay

MAX_CUT_CANDIDATES = 16  # RK-ATK-4: the cut search enumerates the 2^n − 2 candidate sets
SYBIL_CAP = 200  # RK-ATK-2: swarm sizes tried when identities cost nothing (the budget is then unbounded)
PROMOTION = "coalitions of the config's judges using the promotion strategy (RK-ATK-1)"


def reported(job: Job, verdict: str, reason: str, bound: str | None, started: float, engine: str,
             trace: Any = None) -> Finding:
    """The engine's finding on a job, timed from ``started``."""
    return Finding(job.slug, job.topic, verdict, reason, bound, round(time.perf_counter() - started, 3), engine, trace)


def no_winner(h: Consensus, job: Job, started: float, engine: str) -> Finding | None:
    """The vacuous verdict when the honest round ``h`` names no winner (nothing to flip); None when it names one."""
    if h.winner is not None:
        return None
    return reported(job, "holds-bounded", f"the honest round names no winner ({h.status}); nothing to flip",
                    "vacuous: no honest winner", started, engine)


def confirmed(config: Config, job: Job, events: Sequence[Event], settings: Settings, engine: str, detail: str,
              started: float, meta: dict[str, Any]) -> Finding:
    """Record the attack's trace, replay it, confirm it with the witness: violated, or inconclusive if either fails."""
    closes = [i for i, e in enumerate(events) if isinstance(e, Close)]
    trace = record("ranking", config, events, dialect=settings.dialect, observe_after=closes,
                   claim={"property": job.slug, "verdict": "violated"}, meta=meta)
    mismatches = replay(trace)
    if mismatches:
        return reported(job, "inconclusive", f"the attack's trace does not replay: {mismatches[0]}", None, started,
                        engine)
    account = witness(config, job.slug, trace)
    if account is None:
        return reported(job, "inconclusive", f"{engine} proposed an attack the witness does not confirm ({detail})",
                        None, started, engine)
    return reported(job, "violated", f"{account}; {detail}", None, started, engine, trace)


def budget_identities(config: Config) -> tuple[int, bool]:
    """RK-ADM-3: how many identities the Sybil budget buys (capped at SYBIL_CAP when they are free), and if capped."""
    cost = identity_cost(config)
    if cost <= 0:
        return SYBIL_CAP, True
    affordable = config.security.sybil_budget / cost
    return min(SYBIL_CAP, math.floor(affordable)), affordable > SYBIL_CAP


# -- analytic -----------------------------------------------------------------------------------------

def analytic(config: Config, job: Job, settings: Settings) -> Finding | None:
    """Closed-form verdicts: holds with the argument named, or None where the rules alone do not settle it."""
    started = time.perf_counter()
    slug, dialect = job.slug, get_dialect(settings.dialect)
    if slug == "self-promotion" and config.aggregation.exclude_own:
        return reported(job, "holds", "RK-ROUND-4: a judge's comparisons of its own answer are not counted, so "
                        "changing them cannot move the consensus", "unbounded", started, "analytic")
    if slug in ("consensus-not-blocked", "nonexistence-reported") and config.aggregation.prior > 0:
        return reported(job, "holds", "RK-BT-5: the prior gives every ordered pair positive weight, so the win "
                        "digraph is complete and the MLE always exists", "unbounded", started, "analytic")
    if slug == "consensus-not-blocked" and not dialect.check_existence:
        return reported(job, "holds", "RK-DIV-1: this dialect names a winner whenever a comparison is counted, so only "
                        "withholding every comparison (100% of the reputation) blocks it", "unbounded", started,
                        "analytic")
    if slug == "nonexistence-reported" and dialect.check_existence:
        return reported(job, "holds", "RK-BT-4: the spec checks strong connectivity before fitting and names no "
                        "winner without it (status no-mle)", "unbounded", started, "analytic")
    if slug in ("sybil-resistance", "farming-bounded") and budget_identities(config)[0] == 0:
        return reported(job, "holds", f"RK-ADM-3: the budget {config.security.sybil_budget:g} buys no admitted "
                        f"identity (each costs {identity_cost(config):g})", "unbounded", started, "analytic")
    return None


# -- enumeration --------------------------------------------------------------------------------------

def _self_promotion(config: Config, job: Job, settings: Settings, started: float) -> Finding:
    h = honest(config, settings.dialect)
    authors = [(config.authors[c], c) for c in config.candidates
               if config.authors[c] in config.judges and c != h.winner]
    for author, own in authors:
        events = plans.self_promotion_events(config, author, own)
        state = MODEL.final_state(config, events, dialect=settings.dialect)
        if state.last is not None and state.last.winner == own:
            return confirmed(config, job, events, settings, "enumeration",
                             f"RK-ATK-3: {author} marked {own} the winner of all its comparisons of it", started,
                             {"attack": "self-promotion", "author": author, "candidate": own})
    return reported(job, "holds-bounded", f"none of the {len(authors)} judging authors flips the winner to its own "
                    "answer by winning all its comparisons of it", "every judging author, strongest self-promotion "
                    "(RK-ATK-3)", started, "enumeration")


def smallest_swarm(config: Config, dialect: str, farm: int, limit: int) -> tuple[int, str] | None:
    """RK-ATK-2/5: the fewest identities (at most ``limit``) that flip the winner, and their target (bisection)."""
    h = honest(config, dialect)
    if h.winner is None:
        return None

    def flips(k: int, target: str) -> bool:
        events = plans.sybil_events(config, k, target, h.winner or "", farm, h.theta)
        last = MODEL.final_state(config, events, dialect=dialect).last
        return last is not None and last.winner == target

    best: tuple[int, str] | None = None
    for target in config.candidates:
        if target == h.winner:
            continue
        k = smallest_count(1, limit if best is None else best[0] - 1, lambda k, t=target: flips(k, t))
        if k is not None:
            best = (k, target)
    return best


def _swarm(config: Config, job: Job, settings: Settings, started: float, farm: int) -> Finding:
    h = honest(config, settings.dialect)
    if (vacuous := no_winner(h, job, started, "enumeration")) is not None:
        return vacuous
    limit, capped = budget_identities(config)
    best = smallest_swarm(config, settings.dialect, farm, limit)
    bound = f"up to {limit} identities" + (" (identities are free: the budget is unbounded)" if capped else "") + \
        (f", farming {farm} rounds" if farm else "") + ", promoting any candidate (RK-ATK-2)"
    if best is None:
        return reported(job, "holds-bounded", f"no swarm of at most {limit} identities flips the winner {h.winner}",
                        bound, started, "enumeration")
    k, target = best
    events = plans.sybil_events(config, k, target, h.winner, farm, h.theta)
    cost = k * identity_cost(config)
    detail = f"RK-ATK-{5 if farm else 2}: the smallest swarm is {k} identities (cost {cost:g} of budget " \
             f"{config.security.sybil_budget:g}) promoting {target}"
    return confirmed(config, job, events, settings, "enumeration", detail, started,
                     {"attack": "farming" if farm else "sybil", "identities": k, "target": target, "cost": cost})


def enumeration(config: Config, job: Job, settings: Settings) -> Finding | None:
    """Exhaustive over authors (RK-ATK-3) and candidate cuts (RK-ATK-4); bisection over swarm sizes (RK-ATK-2/5)."""
    started = time.perf_counter()
    if job.slug == "self-promotion" and not config.aggregation.exclude_own:
        return _self_promotion(config, job, settings, started)
    if job.slug == "sybil-resistance":
        return _swarm(config, job, settings, started, 0)
    if job.slug == "farming-bounded":
        return _swarm(config, job, settings, started, config.security.farming_rounds)
    if job.slug == "consensus-not-blocked":
        return _withholding(config, job, settings, started, "reputation")
    if job.slug == "nonexistence-reported":
        return _withholding(config, job, settings, started, "count")
    return None


# -- z3 -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cheapest:
    """RK-ATK-1 over every target: the cheapest coalition found, its target, a proven lower bound, solves."""

    best: Coalition | None
    target: str
    lower_bound: float
    solves: int

    @property
    def proven(self) -> bool:
        """The coalition is proven minimal (its cost meets the lower bound)."""
        return self.best is not None and self.lower_bound >= self.best.cost - 1e-12


def cheapest_flip(config: Config, dialect: str, by: str, max_solves: int) -> Cheapest:
    """RK-ATK-1: the cheapest promoting coalition (``by`` "reputation" or "count") over every target, with at
    most ``max_solves`` optimiser calls in all (shared evenly by the targets)."""
    h = honest(config, dialect)
    judges = judges_of(config)
    used = counted(config, config.honest_round, judges)
    goals = {}
    for target in config.candidates:
        if target == h.winner or h.winner is None:
            continue
        pool = [j for j in voters(config) if any(c.judge == j and ({target, h.winner} & {c.first, c.second})
                                                  for c in used)]
        costs = [judges[j].reputation if by == "reputation" else 1.0 for j in pool]

        def result(members: frozenset[str], t: str = target) -> Consensus:
            return outcome(config, plans.rewritten(config, members, t, h.winner or ""), judges, dialect)

        def wins(members: frozenset[str], t: str = target) -> str:
            r = result(members, t)  # RK-ATK-6: t beats h under the tie rule (monotone in the coalition)
            needed = -TIE_GAP if config.candidates.index(t) < config.candidates.index(h.winner or "") else TIE_GAP
            if r.winner is None:
                return "over"
            return "yes" if r.winner != h.winner and r.theta[t] - r.theta[h.winner or ""] > needed else "no"

        def margin(members: frozenset[str], t: str = target) -> float:
            theta = result(members, t).theta
            return theta[t] - max(v for u, v in theta.items() if u != t)

        goals[target] = (pool, costs, wins, greedy(pool, costs, wins, margin))
    found = [(g[3], t) for t, g in goals.items() if g[3] is not None]
    best, target = min(found, key=lambda f: f[0].cost) if found else (None, "")
    bounds, solves = [], 0
    for t, (pool, costs, wins, start) in goals.items():
        limit = best.cost if best is not None else float("inf")
        search = minimal_set(pool, costs, wins, max(1, max_solves // len(goals)), start, enough=limit)
        solves += search.solves
        if search.best is not None and (best is None or search.best.cost < best.cost - 1e-12):
            best, target = search.best, t
        bounds.append(search.lower_bound)
    return Cheapest(best, target, min(bounds, default=float("inf")), solves)


def _coalition_share(config: Config, job: Job, settings: Settings, started: float) -> Finding:
    h = honest(config, settings.dialect)
    if (vacuous := no_winner(h, job, started, "z3")) is not None:
        return vacuous
    judges = judges_of(config)
    total = sum(judges[j].reputation for j in voters(config))
    by_rep = cheapest_flip(config, settings.dialect, "reputation", settings.depth)
    by_count = cheapest_flip(config, settings.dialect, "count", settings.depth)
    threshold = config.security.max_coalition_share
    low = by_rep.lower_bound / total
    if by_rep.best is None:
        if low >= 1.0:
            return reported(job, "holds-bounded", "not even every judge together flips the winner", PROMOTION,
                            started, "z3")
        return reported(job, "inconclusive", f"no flipping coalition found; the cheapest costs at least {low:.1%} "
                        f"({by_rep.solves} solves)", None, started, "z3")
    share = by_rep.best.cost / total
    detail = f"RK-ATK-1: by reputation {len(by_rep.best.members)} judges ({', '.join(by_rep.best.members)}) " \
             f"{share:.1%} promoting {by_rep.target} ({_proof(by_rep, total)}); by count " \
             f"{_count_text(by_count)}; {by_rep.solves + by_count.solves} optimiser calls"
    if share < threshold:
        events = plans.coalition_events(config, by_rep.best.members, by_rep.target, h.winner)
        return confirmed(config, job, events, settings, "z3", detail, started,
                         {"attack": "coalition", "members": list(by_rep.best.members), "target": by_rep.target,
                          "share": share, "proven_minimal": by_rep.proven, "lower_bound_share": low,
                          "smallest_by_count": list(by_count.best.members) if by_count.best else None})
    if low >= threshold:
        return reported(job, "holds-bounded", f"{detail}: at least {low:.1%} ≥ {threshold:.1%}", PROMOTION, started,
                        "z3")
    return reported(job, "inconclusive", f"{detail}: the cheapest flip costs between {low:.1%} and {share:.1%}, "
                    f"threshold {threshold:.1%}", None, started, "z3")


def _proof(search: Cheapest, total: float) -> str:
    return "proven minimal" if search.proven else f"minimum at least {search.lower_bound / total:.1%}"


def _count_text(search: Cheapest) -> str:
    if search.best is None:
        return "none found"
    proof = "proven minimal" if search.proven else f"minimum at least {math.ceil(search.lower_bound - 1e-9)}"
    return f"{len(search.best.members)} judges ({', '.join(search.best.members)}) promoting {search.target} ({proof})"


def cheapest_cut(config: Config, dialect: str, by: str) -> tuple[tuple[str, ...], bool]:
    """RK-ATK-4: the cheapest set of judges whose withholding leaves the win digraph not strongly connected.

    The digraph is not strongly connected iff some nonempty proper set X of candidates is never beaten
    from outside; so the cheapest cut is, over every such X, the judges with a counted comparison in
    which a candidate outside X beats (or ties) one inside. Exhaustive over the 2^n − 2 sets X: exact.
    Returns the members and whether their withholding, evaluated in the model, reaches the goal.
    """
    judges = judges_of(config)
    used = [c for c in counted(config, config.honest_round, judges) if judges[c.judge].reputation > 0]
    names = config.candidates
    best: tuple[float, tuple[str, ...]] | None = None
    for mask in range(1, 2 ** len(names) - 1):
        inside = {c for k, c in enumerate(names) if mask >> k & 1}
        members = {c.judge for c in used if _enters(c, inside)}
        cost = sum(judges[j].reputation if by == "reputation" else 1.0 for j in members)
        if best is None or cost < best[0]:
            best = (cost, tuple(j for j in config.judges if j in members))
    members = best[1] if best is not None else ()
    kept = [c for c in config.honest_round if c.judge not in members]
    return members, len(outcome(config, kept, judges, dialect).components) != 1


def _enters(c: Comparison, inside: set[str]) -> bool:
    """The comparison gives an edge from outside ``inside`` to a candidate in it (the outsider won or tied)."""
    if (c.first in inside) == (c.second in inside):
        return False
    outsider_first = c.second in inside
    return c.outcome == "tie" or (c.outcome == "first") == outsider_first


def _withholding(config: Config, job: Job, settings: Settings, started: float, by: str) -> Finding | None:
    existence_checked = get_dialect(settings.dialect).check_existence
    if config.aggregation.prior > 0 or existence_checked != (job.slug == "consensus-not-blocked"):
        return None  # the analytic engine settles it: no cut exists, or no cut can name a winner / block
    if len(config.candidates) > MAX_CUT_CANDIDATES:
        return reported(job, "inconclusive", f"the exhaustive cut search covers at most {MAX_CUT_CANDIDATES} "
                        "candidates", None, started, "enumeration")
    judges = judges_of(config)
    members, reached = cheapest_cut(config, settings.dialect, by)
    if not reached:
        return reported(job, "inconclusive", f"the cheapest cut ({', '.join(members)}) does not disconnect the "
                        "round in the model", None, started, "enumeration")
    pool = voters(config)
    total = sum(judges[j].reputation for j in pool)
    share = sum(judges[j].reputation for j in members) / total if total else 0.0
    detail = f"RK-ATK-4: {len(members)} judges ({', '.join(members) or 'none'}) holding {share:.1%} withhold"
    if job.slug == "consensus-not-blocked" and share >= config.security.max_coalition_share:
        return reported(job, "holds", f"{detail}: the cheapest blocking coalition is at or above the threshold "
                        "(exact: every candidate set enumerated)", "unbounded", started, "enumeration")
    return confirmed(config, job, plans.withholding_events(members), settings, "enumeration", detail, started,
                     {"attack": "withholding", "members": list(members), "share": share})


def z3_engine(config: Config, job: Job, settings: Settings) -> Finding | None:
    """Minimal promoting coalitions (RK-ATK-1): greedy upper bound, z3 MaxSAT lower bound with learned cuts."""
    if job.slug == "coalition-share":
        return _coalition_share(config, job, settings, time.perf_counter())
    return None
