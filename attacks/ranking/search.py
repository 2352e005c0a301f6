"""The Hypothesis engine (RK-SEC-1/4/5, RK-ATK-7): targeted random search for a flipping coalition, and for a
withholding set that blocks the round or gets a winner named without an MLE.

An independent cross-check of the exact engine: Hypothesis draws a rival, a set of judges and a strategy
(RK-ATK-1 promotion; boosting: the rival wins its own comparisons and nothing else changes; or schedule:
promotion plus a side imposed on other pairs, outside the exact engine's class), targets a
small share and a large margin θ_t − θ_h, and reports the first coalition below the threshold that flips
the winner in the model. Bounded by ``settings.samples`` examples and ``settings.seed``, never by time.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import HealthCheck, Phase, given, seed, target
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from peerproof.attacks.checks import Job, Settings
from peerproof.attacks.finding import Finding
from peerproof.attacks.ranking import plans
from peerproof.attacks.ranking.engines import confirmed, no_winner, reported
from peerproof.attacks.ranking.scenario import honest, judges_of, outcome, voters
from peerproof.reference.events import Event
from peerproof.reference.ranking.config import Config
from peerproof.reference.ranking.events import Close
from peerproof.reference.ranking.schedule import Comparison

ENGINE = "hypothesis"
STRATEGIES = ("promotion", "boost", "schedule")


@dataclass(frozen=True)
class Plan:
    """A coalition, the rival it pushes and how: RK-ATK-1 promotion, boosting, or ``schedule`` (promotion,
    and on every pair without the rival or the winner the side ``turns`` names: "=" honest, "<" the pair's
    first-listed candidate wins, ">" the other: beyond RK-ATK-6's class, see its boundary test)."""

    members: tuple[str, ...]
    target: str
    strategy: str
    turns: str = ""


def other_pairs(config: Config, target: str, rival: str) -> list[tuple[str, str]]:
    """The pairs of candidates without the target or the rival, in the config's order."""
    rest = [c for c in config.candidates if c not in (target, rival)]
    return [(u, v) for i, u in enumerate(rest) for v in rest[i + 1:]]


def turned(c: Comparison, sides: dict[frozenset[str], str]) -> Comparison:
    """The comparison with its pair's side imposed, if the plan turns that pair."""
    side = sides.get(frozenset((c.first, c.second)))
    return c if side is None else Comparison(c.judge, c.first, c.second, "first" if c.first == side else "second")


def stated(config: Config, plan: Plan, rival: str) -> list[Comparison]:
    """The members' comparisons as the plan has them state them."""
    mine = [c for c in config.honest_round if c.judge in plan.members]
    if plan.strategy == "boost":
        return [plans.promoted(c, plan.target, plan.target) if plan.target in (c.first, c.second) else c
                for c in mine]
    promoted = [plans.promoted(c, plan.target, rival) for c in mine]
    if plan.strategy == "promotion":
        return promoted
    sides = {frozenset((u, v)): u if turn == "<" else v
             for (u, v), turn in zip(other_pairs(config, plan.target, rival), plan.turns, strict=False) if turn != "="}
    return [turned(c, sides) for c in promoted]


def effective(config: Config, plan: Plan, rival: str) -> Plan:
    """The plan without the members whose stated comparisons are their honest ones (they do not deviate)."""
    changed = {c.judge for c, honest_c in zip(stated(config, plan, rival),
                                              [c for c in config.honest_round if c.judge in plan.members],
                                              strict=True) if c != honest_c}
    return Plan(tuple(j for j in plan.members if j in changed), plan.target, plan.strategy, plan.turns)


def plan_events(config: Config, plan: Plan, rival: str) -> list[Event]:
    """RK-ATK-7: the members retract and re-state their comparisons as the plan says, then the round closes."""
    return [*plans.replace_comparisons(list(plan.members), stated(config, plan, rival)), Close(at_ms=0)]


def plans_of(config: Config, pool: list[str], rivals: list[str]) -> st.SearchStrategy[Plan]:
    """Plans over the round's judges: small sets first (Hypothesis shrinks towards fewer members)."""
    members = st.lists(st.sampled_from(pool), unique=True, min_size=1)
    pairs = math.comb(len(config.candidates) - 2, 2)  # as many for every rival
    turns = st.text(alphabet="=<>", min_size=pairs, max_size=pairs)
    return st.builds(lambda m, t, s, u: Plan(tuple(j for j in pool if j in m), t, s, u), members,
                     st.sampled_from(rivals), st.sampled_from(STRATEGIES), turns)


def bounded(settings: Settings) -> Callable[[Callable[..., None]], Callable[[], None]]:
    """Hypothesis's settings for one engine call: ``settings.samples`` examples from ``settings.seed``, no clock."""
    def wrap(test: Callable[..., None]) -> Callable[[], None]:
        return seed(settings.seed)(hypothesis_settings(
            max_examples=settings.samples, derandomize=False, database=None, deadline=None,
            phases=(Phase.generate, Phase.target), suppress_health_check=list(HealthCheck))(test))
    return wrap


def withholding_search(config: Config, job: Job, settings: Settings) -> Finding | None:
    """RK-SEC-4/5 by random search (RK-ATK-7): a set of judges withholds; blocked, or named without an MLE."""
    started = time.perf_counter()
    judges, pool = judges_of(config), voters(config)
    total = sum(judges[j].reputation for j in pool)
    blocking = job.slug == "consensus-not-blocked"
    found: list[tuple[float, tuple[str, ...]]] = []

    @bounded(settings)
    @given(st.lists(st.sampled_from(pool), unique=True, min_size=1))
    def explore(chosen: list[str]) -> None:
        members = tuple(j for j in pool if j in chosen)
        share = sum(judges[j].reputation for j in members) / total
        result = outcome(config, [c for c in config.honest_round if c.judge not in members], judges, settings.dialect)
        target(float(len(result.components)), label="components")
        target(-share, label="share")
        if blocking and result.winner is None and share < config.security.max_coalition_share:
            found.append((share, members))
        if not blocking and result.winner is not None and len(result.components) > 1:
            found.append((share, members))

    explore()
    what = "leaves the round without a consensus below the threshold" if blocking else \
        "gets a winner named without an MLE"
    if not found:
        return reported(job, "holds-bounded", f"none of {settings.samples} sampled withholding sets {what}",
                        f"{settings.samples} Hypothesis-sampled withholding sets (seed {settings.seed})", started,
                        ENGINE)
    share, members = min(found, key=lambda f: (len(f[1]), f[0]))
    detail = f"RK-ATK-7: Hypothesis found {len(members)} withholding judges ({', '.join(members)}) holding " \
             f"{share:.1%} ({settings.samples} sets, not minimised)"
    return confirmed(config, job, plans.withholding_events(members), settings, ENGINE, detail, started,
                     {"attack": "withholding", "members": list(members), "share": share})


def ranking_search(config: Config, job: Job, settings: Settings) -> Finding | None:
    """RK-ATK-7: the Hypothesis engine's entry: coalitions (RK-SEC-1) and withholding sets (RK-SEC-4/5)."""
    if job.slug == "coalition-share":
        return coalition_search(config, job, settings)
    if job.slug in ("consensus-not-blocked", "nonexistence-reported"):
        return withholding_search(config, job, settings)
    return None


def coalition_search(config: Config, job: Job, settings: Settings) -> Finding | None:
    """RK-SEC-1 by targeted random search (RK-ATK-7); holds-bounded by the number of plans tried."""
    started = time.perf_counter()
    if job.slug != "coalition-share":
        return None
    h = honest(config, settings.dialect)
    if (vacuous := no_winner(h, job, started, ENGINE)) is not None:
        return vacuous
    judges, pool = judges_of(config), voters(config)
    total = sum(judges[j].reputation for j in pool)
    threshold = config.security.max_coalition_share
    rivals = [c for c in config.candidates if c != h.winner]
    found: list[tuple[float, Plan]] = []

    @bounded(settings)
    @given(plans_of(config, pool, rivals))
    def explore(plan: Plan) -> None:
        share = sum(judges[j].reputation for j in plan.members) / total
        others = [c for c in config.honest_round if c.judge not in plan.members]
        result = outcome(config, [*others, *stated(config, plan, h.winner or "")], judges, settings.dialect)
        margin = result.theta[plan.target] - result.theta[h.winner or ""] if result.winner else -1.0
        target(-share, label="share")
        target(margin, label="margin")
        if result.winner not in (None, h.winner) and share < threshold:
            found.append((share, plan))

    explore()
    if not found:
        return reported(job, "holds-bounded", f"none of {settings.samples} sampled coalitions below "
                        f"{threshold:.1%} flips the winner {h.winner}", f"{settings.samples} Hypothesis-sampled "
                        "coalitions (promotion, boosting or schedule turns, seed " f"{settings.seed})", started,
                        ENGINE)
    share, plan = min(found, key=lambda f: (f[0], f[1].members))
    plan = effective(config, plan, h.winner)
    share = sum(judges[j].reputation for j in plan.members) / total
    how = {"promotion": "promoting", "boost": "boosting", "schedule": f"promoting (turns {plan.turns})"}
    detail = f"RK-ATK-7: Hypothesis found {len(plan.members)} judges ({', '.join(plan.members)}) holding " \
             f"{share:.1%} {how[plan.strategy]} {plan.target} ({settings.samples} plans, not minimised)"
    return confirmed(config, job, plan_events(config, plan, h.winner), settings, ENGINE, detail, started,
                     {"attack": "coalition", "members": list(plan.members), "target": plan.target,
                      "strategy": plan.strategy, "turns": plan.turns, "share": share})
