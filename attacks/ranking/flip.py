"""The exact coalition engine (RK-SEC-1, RK-ATK-6): the count-minimal and reputation-minimal coalitions
that flip the winner, each with its branch-and-bound proof, the flip replayed as a trace.

The trace is the count-minimal coalition when it stays below the share threshold (so ``peerproof attack``
prints it first), otherwise the reputation-minimal one.
"""

from __future__ import annotations

import time

from peerproof.attacks.checks import Job, Settings
from peerproof.attacks.finding import Finding
from peerproof.attacks.ranking import plans
from peerproof.attacks.ranking.engines import confirmed, no_winner, reported
from peerproof.attacks.ranking.exact import Certificate, exact_flip
from peerproof.attacks.ranking.scenario import honest, judges_of, voters
from peerproof.reference.ranking.config import Config

ENGINE = "exact"
PAIRWISE = "every coalition of the config's judges, with any strategy that changes only comparisons involving the " \
    "honest winner and one rival (RK-ATK-6: exact over that class)"


def certificate_text(c: Certificate, total: float) -> str:
    """How a coalition was proven minimal (or how far the proof got), in a reason."""
    if c.members is None:
        return "no coalition flips the winner" + ("" if c.proven else f" within {c.nodes} boxes")
    if c.proven:
        return f"proven minimal: {c.refuted} of {c.nodes} boxes refuted in the model, closest margin {c.closest:.2g}"
    if c.lower_bound >= c.cost:
        return f"not proven: a refuted box came within {c.closest:.2g} of flipping, inside the solver's tolerance"
    bound = f"{c.lower_bound:g} judges" if c.objective == "count" else f"{c.lower_bound / total:.1%} of the reputation"
    return f"not proven within {c.nodes} boxes: the cheapest open box costs {bound}"


def _describe(c: Certificate, config: Config, total: float) -> str:
    judges = judges_of(config)
    if c.members is None:
        return certificate_text(c, total)
    share = sum(judges[j].reputation for j in c.members) / total
    return f"{len(c.members)} judges ({', '.join(c.members)}) holding {share:.1%} promoting {c.target} " \
           f"({certificate_text(c, total)})"


def coalition_share(config: Config, job: Job, settings: Settings) -> Finding | None:
    """RK-SEC-1 by exact search (RK-ATK-6): violated when a coalition below the threshold flips the winner."""
    started = time.perf_counter()
    if job.slug != "coalition-share":
        return None
    h = honest(config, settings.dialect)
    if (vacuous := no_winner(h, job, started, ENGINE)) is not None:
        return vacuous
    judges = judges_of(config)
    total = sum(judges[j].reputation for j in voters(config))
    by_count = exact_flip(config, settings.dialect, "count")
    by_rep = exact_flip(config, settings.dialect, "reputation")
    threshold = config.security.max_coalition_share
    detail = f"RK-ATK-6: count-minimal coalition {_describe(by_count, config, total)}; reputation-minimal " \
             f"coalition {_describe(by_rep, config, total)}"
    low = by_rep.lower_bound / total
    if by_rep.members is not None and by_rep.cost / total < threshold:
        count_share = sum(judges[j].reputation for j in by_count.members or ()) / total
        chosen = by_count if by_count.members is not None and count_share < threshold else by_rep
        members = chosen.members or ()
        events = plans.coalition_events(config, members, chosen.target, h.winner)
        return confirmed(config, job, events, settings, ENGINE, detail, started,
                         {"attack": "coalition", "members": list(members), "target": chosen.target,
                          "objective": chosen.objective, "proven_minimal": chosen.proven,
                          "count_minimal": list(by_count.members or ()), "count_proven": by_count.proven,
                          "reputation_minimal": list(by_rep.members or ()), "reputation_proven": by_rep.proven,
                          "reputation_minimal_share": by_rep.cost / total, "lower_bound_share": low})
    if low >= threshold:
        return reported(job, "holds-bounded", f"{detail}: the cheapest flip needs at least {low:.1%} ≥ "
                        f"{threshold:.1%}", PAIRWISE, started, ENGINE)
    return reported(job, "inconclusive", f"{detail}: the cheapest flip costs at least {low:.1%}, below the "
                    f"threshold {threshold:.1%}, and none below it was found", None, started, ENGINE)
