"""The crdt engines behind ``peerproof check`` (CR-ENG-1..4): closed forms, z3, Hypothesis.

* ``analytic``: the Byzantine properties (CR-PROP-7..11): the attack trace of ``byzantine`` is built
  and replayed; when the witness confirms it, ``violated``; when the config's mitigation stops it,
  ``holds`` with the argument that covers every trace (the argument, not the one trace, is the proof).
* ``z3``: the lattice laws (CR-PROP-1..4), the invariant (CR-PROP-6) and equivocation (CR-PROP-9, the
  law without the honesty predicate); a candidate is realised by the small-scope search, shortest first.
* ``hypothesis``: random traces from the same alphabet for the laws and the invariant, random network
  runs (reorder, duplicate, drop, partition, heal, then anti-entropy) for strong eventual consistency.

Every ``violated`` finding carries a trace that ``replay`` reproduced and the witness confirmed.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from hypothesis import HealthCheck, find
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample
from peerproof.attacks.checks import Job, Settings
from peerproof.attacks.crdt.arguments import argument
from peerproof.attacks.crdt.byzantine import ATTACKS
from peerproof.attacks.finding import Finding
from peerproof.properties.crdt.alphabet import events_of, interpret, run, symbols
from peerproof.properties.crdt.catalogue import BY_SLUG, LAWS
from peerproof.properties.crdt.smallscope import AT_MS, law_check, shortest
from peerproof.properties.crdt.witness import WITNESSES, law_replicas
from peerproof.properties.crdt.z3laws import check_invariant, check_law
from peerproof.reference.crdt import MODEL, Config
from peerproof.reference.trace import record, replay

SMALL_SCOPE = {"laws": 4, "invariant-preserved": 5}  # symbols (an update or a ship) the shortest search tries
RANDOM_SYMBOLS = {"laws": 12, "invariant-preserved": 24}  # longest random trace, in symbols (a guarded invariant
# needs ~5 in the right order: about 3% of uniform 20-symbol traces have them)
RANDOM_CHOICES = 14  # longest random network run, in choices, before the final anti-entropy


def confirmed(config: Config, job: Job, engine: str, events: Sequence[Any], how: str, started: float) -> Finding:
    """A replayed, witnessed violation; inconclusive if the trace does not replay or shows nothing."""
    trace = record("crdt", config, events, claim={"property": BY_SLUG[job.slug].id, "verdict": "violated"},
                   meta={"engine": engine, "how": how})
    mismatches = replay(trace)
    account = WITNESSES[job.slug](config, list(events))
    seconds = time.monotonic() - started
    if mismatches or account is None:
        why = f"{len(mismatches)} replay mismatches" if mismatches else "the witness sees no violation"
        return Finding(job.slug, job.topic, "inconclusive", f"{how}, but {why} (engine bug?)", None, seconds, engine)
    return Finding(job.slug, job.topic, "violated", f"{account} ({how}; {len(events)} events, replayed)", None,
                   seconds, engine, trace)


def run_analytic(config: Config, job: Job, settings: Settings) -> Finding | None:
    """CR-ENG-1: build the property's attack; violated if it lands, else the argument of why no attack can."""
    builder = ATTACKS.get(job.slug)
    if builder is None:
        return None
    started = time.monotonic()
    events = builder(config)
    if WITNESSES[job.slug](config, events) is not None:
        return confirmed(config, job, "analytic", events, f"constructed: {builder.__doc__.split(':')[0]}", started)
    why = argument(config, job.slug)
    seconds = time.monotonic() - started
    if why is None and job.slug == "strong-eventual-consistency":
        return None  # no closed argument: the search engines decide
    if why is None:
        return Finding(job.slug, job.topic, "inconclusive", f"the constructed attack ({len(events)} events) did not "
                       "land and no argument covers this config", None, seconds, "analytic")
    return Finding(job.slug, job.topic, "holds", f"{why} (the constructed attack, {len(events)} events, is refused)",
                   "unbounded: every trace", seconds, "analytic")


def run_z3(config: Config, job: Job, settings: Settings) -> Finding | None:
    """CR-ENG-2: z3 over reachable, compatible states; a candidate is realised as a shortest replayed trace."""
    started = time.monotonic()
    if job.slug in LAWS:
        answer, law = check_law(config, job.slug), job.slug
    elif job.slug == "invariant-preserved":
        answer, law = check_invariant(config), job.slug
    elif job.slug == "equivocation-tolerant":
        answer, law = check_law(config, "merge-commutative", honest=False), None
    else:
        return None
    seconds = time.monotonic() - started
    if answer.result == "unsat":
        verdict = "holds" if answer.complete else "holds-bounded"
        what = "merge of two states differing only in one op id's content" if law is None else "law"
        return Finding(job.slug, job.topic, verdict, f"z3: unsat, the {what} holds for all reachable, compatible "
                       f"states ({answer.bound})", answer.bound, seconds, "z3")
    if answer.result == "unknown":
        return Finding(job.slug, job.topic, "inconclusive", f"z3: unknown ({answer.detail})", None, seconds, "z3")
    if law is None:
        events = ATTACKS["equivocation-tolerant"](config)
        return confirmed(config, job, "z3", events, f"z3 candidate {answer.detail}, realised by the equivocation "
                         "attack", started)
    depth = SMALL_SCOPE.get(law, SMALL_SCOPE["laws"])
    found = shortest(config, law, depth)
    if found is None:
        return Finding(job.slug, job.topic, "inconclusive", f"z3: candidate {answer.detail}, but no honest trace of "
                       f"<= {depth} symbols realises it (unreachable state? the encoding's predicates may be too "
                       "weak)", None, time.monotonic() - started, "z3")
    return confirmed(config, job, "z3", found, f"z3 candidate {answer.detail}; shortest trace by small-scope "
                     "search", started)


def _hsettings(settings: Settings) -> hsettings:
    return hsettings(max_examples=max(1, settings.samples), derandomize=True, database=None, deadline=None,
                     suppress_health_check=list(HealthCheck), print_blob=False)


def _law_events(config: Config, law: str, picks: Sequence[int]) -> list[Any] | None:
    """The events of the symbols ``picks``, cut after the first symbol that breaks ``law`` (None if none does)."""
    replicas = sorted(set(law_replicas(config)), key=config.replicas.index)
    alphabet = symbols(config, replicas[:2] if law == "invariant-preserved" else replicas)
    broken = law_check(config, law)
    _, state = MODEL.start(config)
    events: list[Any] = []
    for i in picks:
        symbol = alphabet[i % len(alphabet)]
        new = events_of(config, state, symbol, AT_MS)
        after = run(config, state, new)
        events += new
        if broken(state, after, symbol):
            return events
        state = after
    return None


def run_hypothesis(config: Config, job: Job, settings: Settings) -> Finding | None:
    """CR-ENG-3: Hypothesis search (derandomized by count, never by time); holds-bounded when it finds nothing."""
    started = time.monotonic()
    if job.slug in LAWS or job.slug == "invariant-preserved":
        longest = RANDOM_SYMBOLS.get(job.slug, RANDOM_SYMBOLS["laws"])
        strategy: Any = st.lists(st.integers(0, 63), max_size=longest)

        def events_for(picks: Any) -> list[Any] | None:
            return _law_events(config, job.slug, picks)
        bound = f"{settings.samples} random traces of <= {longest} updates or ships at the law replicas"
    elif job.slug == "strong-eventual-consistency":
        strategy = st.lists(st.tuples(*[st.integers(0, 15)] * 4), max_size=RANDOM_CHOICES)

        def events_for(picks: Any) -> list[Any] | None:
            events = interpret(config, picks)
            return events if WITNESSES[job.slug](config, events) is not None else None
        bound = (f"{settings.samples} random network runs of <= {RANDOM_CHOICES} updates, syncs, deliveries, "
                 "duplicates, drops and partitions, then anti-entropy")
    else:
        return None
    try:
        picks = find(strategy, lambda p: events_for(p) is not None, settings=_hsettings(settings))
    except NoSuchExample:
        return Finding(job.slug, job.topic, "holds-bounded", f"Hypothesis: no counterexample in {bound}", bound,
                       time.monotonic() - started, "hypothesis")
    return confirmed(config, job, "hypothesis", events_for(picks) or [], "found and shrunk by Hypothesis", started)
