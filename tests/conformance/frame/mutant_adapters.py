"""Deliberately broken implementations of every protocol behind the adapter protocol
(``python mutant_adapters.py MUTANT``): the reference model with one rule broken, served over the protocol.
The conformance suite must catch each with a shrunk trace (tests/conformance/frame/, tests/conformance/<p>/).

- ``p3-never-active`` (gossipsub, GS-P3, ``ts`` dialect): ``meshMessageDeliveriesActive`` stays false, so a
  mesh peer that under-delivers is never penalised;
- ``teacher-reports`` (matchmaking, MM-TRUST-1): under the receiver rule a teacher's report is applied as
  if the student had sent it;
- ``admits-everyone`` (ranking, RK-ADM-2): comparisons of judges without stake or calibration count;
- ``ignores-partitions`` (crdt, CR-NET-6): messages cross a partition.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Any

from peerproof.adapters.serve import ReferenceImplementation, serve


def p3_never_active() -> ReferenceImplementation:
    """GossipSub whose refresh never activates the P3 deficit."""
    from peerproof.reference.gossipsub import decay

    honest = decay.refresh_topic

    def refresh_topic(*args: Any, **kwargs: Any) -> Any:
        return replace(honest(*args, **kwargs), mesh_message_deliveries_active=False)

    decay.refresh_topic = refresh_topic
    return ReferenceImplementation("gossipsub", "ts")


def teacher_reports() -> ReferenceImplementation:
    """Matchmaking whose CPM takes any member's report as the student's."""
    from peerproof.reference.matchmaking import state

    honest = state._reward

    def reward(config: Any, s: Any, event: Any, dialect: Any) -> Any:
        return honest(config, s, replace(event, reporter=event.student), dialect)

    state._reward = reward
    return ReferenceImplementation("matchmaking", "paper")


def admits_everyone() -> ReferenceImplementation:
    """Ranking that counts every judge's comparisons, admitted or not."""
    from peerproof.reference.ranking import step, weights

    def counted(config: Any, comparisons: Any, judges: Any) -> list[Any]:
        own = config.aggregation.exclude_own
        return [c for c in comparisons if c.judge in judges and not (own and weights.is_own(config, c))]

    weights.counted = step.counted = counted
    return ReferenceImplementation("ranking", "spec")


def ignores_partitions() -> ReferenceImplementation:
    """A crdt network whose deliveries cross partitions."""
    from peerproof.reference.crdt import network

    network.connected = lambda state, a, b: True
    return ReferenceImplementation("crdt", "spec")


MUTANTS = {"p3-never-active": p3_never_active, "teacher-reports": teacher_reports, "admits-everyone": admits_everyone,
           "ignores-partitions": ignores_partitions}

if __name__ == "__main__":
    sys.exit(serve(MUTANTS[sys.argv[1]]()))
