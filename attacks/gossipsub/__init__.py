"""Attack synthesis for GossipSub peer scoring (GS-PROP-1..6): engines that return ``Finding`` objects.

* ``prove(config, slug, topic)`` -- closed-form verdicts (``analytic``): ``holds`` with its argument
  named, ``violated`` with a constructed and replayed trace, or None where no argument settles it.
* ``synthesize(config, slug, topic, depth=100, timeout_s=30)`` -- z3 bounded model checking (``bmc``):
  ``violated`` with a replayed trace, ``holds-bounded`` with the bound and the attacker's choices,
  ``holds`` (fairness, by 1-induction), or ``inconclusive`` (time-out, unknown, encoding bug).
* ``ENGINES`` -- the catalogue, including the Hypothesis targeted search of ``search``.

Every ``violated`` finding's trace was replayed in the reference model and confirmed by
``peerproof.properties.gossipsub.security.witness_violation`` before it was returned.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from peerproof.attacks.gossipsub.analytic import prove
from peerproof.attacks.gossipsub.bmc import synthesize


@dataclass(frozen=True)
class Engine:
    """One attack engine: what it answers and where it lives (imported when first run)."""

    name: str
    answers: str  # "unbounded" (holds / violated), "bounded" (holds-bounded / violated), "search" (violated only)
    summary: str
    module: str
    function: str

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Call the engine: ``(config, slug, topic, **options)`` -> Finding (or None for ``analytic``)."""
        return getattr(importlib.import_module(self.module), self.function)(*args, **kwargs)


ENGINES: dict[str, Engine] = {e.name: e for e in (
    Engine("analytic", "unbounded", "closed forms over the config's exact rationals; constructed witnesses",
           "peerproof.attacks.gossipsub.analytic", "prove"),
    Engine("z3", "bounded", "z3 bounded model checking in QF_LIRA, squares relaxed and refined exactly",
           "peerproof.attacks.gossipsub.bmc", "synthesize"),
    Engine("hypothesis", "search", "Hypothesis targeted search over periodic attacker plans",
           "peerproof.attacks.gossipsub.search", "search"),
)}

__all__ = ["ENGINES", "Engine", "prove", "synthesize"]
