"""The security properties of the ranking spec (RK-SEC-1..6) and their ground-truth witness.

Each property is an attack goal negated. ``witness(config, slug, trace)`` re-runs the reference
model on a trace and returns the account of the violation it shows (None when it shows none): the
attack engines confirm every trace they report with it, and ``peerproof check`` trusts nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from peerproof.reference.ranking import MODEL
from peerproof.reference.ranking.config import Config
from peerproof.reference.ranking.consensus import Consensus
from peerproof.reference.ranking.events import Close, Join
from peerproof.reference.ranking.schedule import Comparison
from peerproof.reference.ranking.state import State
from peerproof.reference.ranking.weights import admitted, counted, is_own
from peerproof.reference.trace import Trace


@dataclass(frozen=True)
class SecurityProperty:
    """One RK-SEC property: its id, slug and statement."""

    id: str
    slug: str
    title: str


PROPERTIES: tuple[SecurityProperty, ...] = (
    SecurityProperty("RK-SEC-1", "coalition-share",
                     "no coalition holding less than max_coalition_share of the round's reputation flips the winner"),
    SecurityProperty("RK-SEC-2", "sybil-resistance",
                     "no swarm of new identities the Sybil budget pays for flips the winner"),
    SecurityProperty("RK-SEC-3", "self-promotion",
                     "no judge flips the winner to its own answer through its comparisons of that answer"),
    SecurityProperty("RK-SEC-4", "consensus-not-blocked",
                     "no coalition below max_coalition_share leaves the round without a consensus by withholding"),
    SecurityProperty("RK-SEC-5", "nonexistence-reported",
                     "when the MLE does not exist, no winner is named"),
    SecurityProperty("RK-SEC-6", "farming-bounded",
                     "no budget-paid swarm that farms reputation for farming_rounds rounds flips the winner"),
)


def honest_consensus(config: Config, dialect: str) -> Consensus:
    """The consensus of the honest round (nobody deviates)."""
    last = MODEL.final_state(config, [Close(at_ms=0)], dialect=dialect).last
    assert last is not None
    return last


def round_share(config: Config, state: State, judges: Sequence[str]) -> float:
    """The share of ``judges`` in the reputation of the judges counted in the honest round of ``state``."""
    voters = {c.judge for c in counted(config, config.honest_round, state.judges)}
    total = sum(state.judges[j].reputation for j in voters)
    return sum(state.judges[j].reputation for j in judges if j in voters) / total if total > 0 else 1.0


def deviators(config: Config, comparisons: Sequence[Comparison]) -> list[str]:
    """The config's judges whose comparisons in a round differ from their honest ones (in the config's order)."""
    out = []
    for jid in config.judges:
        honest = sorted((c.first, c.second, c.outcome) for c in config.honest_round if c.judge == jid)
        given = sorted((c.first, c.second, c.outcome) for c in comparisons if c.judge == jid)
        if honest != given:
            out.append(jid)
    return out


@dataclass(frozen=True)
class Run:
    """A trace as the witness reads it: the state before each close and each close's consensus."""

    before_close: tuple[State, ...]
    results: tuple[Consensus, ...]
    joined: tuple[Join, ...]
    final: State
    meta: Mapping[str, Any] = field(default_factory=dict)  # what the engine says of its search (not re-checked)


def run_of(config: Config, trace: Trace) -> Run:
    """Fold the trace through the model, keeping what the witness needs."""
    before: list[State] = []
    results: list[Consensus] = []
    state = MODEL.start(config, dialect=trace.dialect)[1]
    for _, event, after in MODEL.states(config, trace.events, dialect=trace.dialect, seed=trace.seed):
        if isinstance(event, Close):
            before.append(state)
            assert after.last is not None
            results.append(after.last)
        state = after
    joined = tuple(e for e in trace.events if isinstance(e, Join))
    return Run(tuple(before), tuple(results), joined, state, dict(trace.meta or {}))


def identity_cost(config: Config) -> float:
    """RK-ADM-3: what one admitted identity costs: the minimum stake plus the calibration cost."""
    return config.admission.min_stake + config.admission.calibration_cost


def _flip_account(config: Config, run: Run, honest: Consensus) -> str | None:
    if not run.results:
        return None
    last = run.results[-1]
    if last.winner is None or last.winner == honest.winner:
        return None
    return f"the winner moved from {honest.winner} to {last.winner}"


def _coalition(config: Config, run: Run, honest: Consensus) -> str | None:
    flipped = _flip_account(config, run, honest)
    if flipped is None or run.joined or len(run.results) != 1:
        return None
    members = deviators(config, run.before_close[-1].comparisons)
    share = round_share(config, run.before_close[-1], members)
    if share >= config.security.max_coalition_share:
        return None
    return f"{flipped}: a coalition of {len(members)} judges ({', '.join(members)}) holding {share:.1%} of the " \
           f"round's reputation (< {config.security.max_coalition_share:.1%}){_certificate(run.meta)}"


def _certificate(meta: Mapping[str, Any]) -> str:
    """The exact engine's minimality claims recorded in the trace, quoted as the engine's (RK-ATK-6)."""
    if "count_minimal" not in meta or "reputation_minimal" not in meta:
        return ""
    count, rep = meta["count_minimal"], meta["reputation_minimal"]
    return f"; the exact engine's certificate: count-minimal {len(count)} judges ({', '.join(count)}), " \
           f"{'proven' if meta.get('count_proven') else 'not proven'}; reputation-minimal {len(rep)} judges " \
           f"({', '.join(rep)}) holding {meta.get('reputation_minimal_share', 0.0):.1%}, " \
           f"{'proven' if meta.get('reputation_proven') else 'not proven'}"


def _paid_swarm(config: Config, run: Run) -> tuple[int, float] | None:
    """The size and cost of a swarm of joined, admitted identities, None when it is over budget or changes others."""
    if deviators(config, run.before_close[-1].comparisons):
        return None
    joined = [e for e in run.joined if admitted(config, run.final.judges[e.judge])]
    cost = sum(max(e.stake, config.admission.min_stake) + config.admission.calibration_cost for e in joined)
    return (len(joined), cost) if cost <= config.security.sybil_budget else None


def _sybil(config: Config, run: Run, honest: Consensus) -> str | None:
    flipped = _flip_account(config, run, honest)
    swarm = _paid_swarm(config, run) if flipped and len(run.results) == 1 else None
    if swarm is None:
        return None
    return f"{flipped}: {swarm[0]} new identities costing {swarm[1]:g} (budget {config.security.sybil_budget:g})"


def _farming(config: Config, run: Run, honest: Consensus) -> str | None:
    flipped = _flip_account(config, run, honest)
    if flipped is None or len(run.results) > config.security.farming_rounds + 1:
        return None
    if any(r.winner != honest.winner for r in run.results[:-1]):
        return None  # the swarm must farm first: earlier rounds end with the honest winner
    swarm = _paid_swarm(config, run)
    if swarm is None:
        return None
    reps = [run.before_close[-1].judges[e.judge].reputation for e in run.joined]
    return f"{flipped}: {swarm[0]} identities costing {swarm[1]:g} farmed {len(run.results) - 1} rounds " \
           f"(reputation {min(reps):.3f}..{max(reps):.3f}) before attacking"


def _self_promotion(config: Config, run: Run, honest: Consensus) -> str | None:
    flipped = _flip_account(config, run, honest)
    if flipped is None or run.joined or len(run.results) != 1:
        return None
    members = deviators(config, run.before_close[-1].comparisons)
    if len(members) != 1:
        return None
    judge, winner = members[0], run.results[-1].winner
    if config.authors.get(winner or "") != judge:
        return None
    changed = {(c.first, c.second, c.outcome) for c in run.before_close[-1].comparisons if c.judge == judge} ^ \
        {(c.first, c.second, c.outcome) for c in config.honest_round if c.judge == judge}
    if not all(is_own(config, Comparison(judge, f, s, o)) for f, s, o in changed):
        return None
    return f"{flipped}: judge {judge} promoted its own answer {winner} in its comparisons of it"


def _blocked(config: Config, run: Run, honest: Consensus) -> str | None:
    if len(run.results) != 1 or run.joined or run.results[-1].winner is not None:
        return None
    before = run.before_close[-1]
    if any(c.judge in config.judges for c in before.comparisons if c not in config.honest_round):
        return None  # blocking is by withholding only
    members = deviators(config, before.comparisons)
    share = round_share(config, before, members)
    if share >= config.security.max_coalition_share:
        return None
    return f"withholding by {len(members)} judges ({', '.join(members)}, {share:.1%} of the reputation) left the " \
           f"round without a consensus ({run.results[-1].status})"


def _unreported(config: Config, run: Run, honest: Consensus) -> str | None:
    for r in run.results:
        if len(r.components) > 1 and r.winner is not None:
            return f"the win digraph has {len(r.components)} strongly connected components " \
                   f"({' | '.join(','.join(g) for g in r.components)}), so the MLE does not exist, yet {r.winner} " \
                   f"was named the winner"
    return None


WITNESSES: dict[str, Callable[[Config, Run, Consensus], str | None]] = {
    "coalition-share": _coalition, "sybil-resistance": _sybil, "self-promotion": _self_promotion,
    "consensus-not-blocked": _blocked, "nonexistence-reported": _unreported, "farming-bounded": _farming,
}


def witness(config: Config, slug: str, trace: Trace) -> str | None:
    """RK-SEC-*: the account of the violation of ``slug`` the trace shows in the reference model (None: none)."""
    if not trace.events or not isinstance(trace.events[-1], Close):
        return None
    return WITNESSES[slug](config, run_of(config, trace), honest_consensus(config, trace.dialect))


__all__ = ["PROPERTIES", "SecurityProperty", "witness"]
