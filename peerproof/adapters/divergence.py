"""One trace through an adapter and through the reference model, compared event by event (PP-ADAPTER-6).

``first_divergence`` resets the implementation with the config's canonical document, applies the events
(lowered where the implementation lacks a kind, see targets.py), observes after each original event and
compares with the model's observation in the chosen dialect: numbers within the trace tolerance (or the
looser one the adapter declared), the rest exactly, only the observable paths the adapter declared
(``time``, ``consensus.winner``, ``replicas.*.value``: ``*`` stands for every key of a mapping). The
first event after which they differ is the divergence; an implementation that refuses a config or event it
declared it cannot express makes the trace ``Skipped``; one that fails on an event it claims to support
diverges there.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from peerproof.adapters.protocol import AdapterProcess, AdapterRefused
from peerproof.adapters.targets import Target
from peerproof.reference.model import Model
from peerproof.reference.trace import TOLERANCE, compare


class Skipped(Exception):
    """The trace cannot be run on this implementation (a kind or a config it cannot express); says why."""


@dataclass(frozen=True)
class Divergence:
    """The first event after which the implementation's observables differ from the model's."""

    index: int  # the event's index in the trace
    event: Mapping[str, Any]  # its document
    path: str  # the first observable that differs ("(reply)": the implementation refused the event)
    model: Any
    implementation: Any
    differences: int  # how many observables differ after this event

    def __str__(self) -> str:
        more = f" (and {self.differences - 1} more)" if self.differences > 1 else ""
        return (f"after event {self.index} {dict(self.event)}: {self.path}: model {self.model!r}, "
                f"implementation {self.implementation!r}{more}")


def restricted(observation: Mapping[str, Any], paths: Sequence[str] | None) -> dict[str, Any]:
    """The part of an observation an adapter reports: the declared paths (all of it when it declared none)."""
    if paths is None:
        return dict(observation)
    out: dict[str, Any] = {}
    for path in paths:
        _project(observation, path.split("."), out)
    return out


def _project(tree: Any, parts: list[str], out: dict[str, Any]) -> None:
    """Copy the leaves of ``tree`` that ``parts`` names into ``out`` (absent leaves as None)."""
    head, rest = parts[0], parts[1:]
    keys = list(tree) if head == "*" and isinstance(tree, Mapping) else [head]
    for key in keys:
        value = tree.get(key) if isinstance(tree, Mapping) else None
        if not rest:
            out[key] = value
        elif value is not None:
            _project(value, rest, out.setdefault(key, {}))
        else:
            out.setdefault(key, None)


def runnable_events(adapter: AdapterProcess, target: Target, config: Any, dialect: str,
                    events: Sequence[Any]) -> tuple[list[Any], list[int]]:
    """The events to send and where each original one ends; Skipped when a kind is left it cannot take."""
    hello = adapter.hello
    if all(hello.supports(e.kind) for e in events):
        return list(events), list(range(len(events)))
    sent, ends = target.lower(config, dialect, events)
    missing = sorted({e.kind for e in sent if not hello.supports(e.kind)})
    if missing:
        raise Skipped(f"needs event kinds the implementation does not support: {', '.join(missing)}")
    return sent, ends


def first_divergence(adapter: AdapterProcess, model: Model, target: Target, config: Any, events: Sequence[Any],
                     dialect: str, *, seed: int = 0, tolerance: float = TOLERANCE,
                     compare_after: Collection[int] | None = None,
                     observed: dict[int, Mapping[str, Any]] | None = None) -> Divergence | None:
    """Run ``events`` through both sides; the first divergence, or None when every observation agrees.

    Numbers agree within ``tolerance`` or the adapter's declared tolerance, whichever is looser. Both sides
    are observed after every event, or only after the indices in ``compare_after`` (an attack trace of
    thousands of events is judged where its vector records observations: after its last event). The
    model's whole observation at each compared event goes into ``observed`` when given (no second replay)."""
    sent, ends = runnable_events(adapter, target, config, dialect, events)
    document = {**model.to_canonical(config), "dialect": dialect}
    try:
        adapter.reset(document, seed)
    except AdapterRefused as exc:
        if exc.code == "unsupported":
            raise Skipped(f"the implementation cannot express this config: {exc.message}") from None
        return Divergence(-1, {"op": "reset"}, "(reply)", "ok", f"{exc.code}: {exc.message}", 1)
    d = model.get_dialect(dialect)
    keys = adapter.hello.observables
    tolerance = max(tolerance, adapter.hello.tolerance)
    origin = [i for i, end in enumerate(ends) for _ in range(end - (ends[i - 1] if i else -1))]
    done = 0
    for i, event, state in model.states(config, events, dialect=dialect, seed=seed):
        if compare_after is not None and i not in compare_after:
            continue
        refused = _send(adapter, model, sent[done:ends[i] + 1])
        if refused is not None:
            j = origin[done + (refused.index or 0)]
            if refused.code == "unsupported":
                raise Skipped(f"event {j}: {refused.message}") from None
            return Divergence(j, model.event_to_dict(events[j]), "(reply)", "ok",
                              f"{refused.code}: {refused.message}", 1)
        done = ends[i] + 1
        full = model.observe(config, state, d)
        if observed is not None:
            observed[i] = full
        want = restricted(full, keys)
        diffs = compare(want, restricted(adapter.observe(), keys), tolerance=tolerance)
        if diffs:
            path, a, b = diffs[0]
            return Divergence(i, model.event_to_dict(event), path, a, b, len(diffs))
    return None


def _send(adapter: AdapterProcess, model: Model, events: Sequence[Any]) -> AdapterRefused | None:
    """Apply events (in one request when the adapter batches); the refusal, its ``index`` within ``events``."""
    documents = [model.event_to_dict(e) for e in events]
    if adapter.hello.batch and len(documents) > 1:
        try:
            adapter.apply_many(documents)
        except AdapterRefused as exc:
            return exc
        return None
    for k, document in enumerate(documents):
        try:
            adapter.apply(document)
        except AdapterRefused as exc:
            exc.index = k
            return exc
    return None
