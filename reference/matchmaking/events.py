"""Events the CPM receives (spec §8, MM-EV-*): profile reports, matchmaking rounds and reward reports.

These are the CPM's only inputs (MM-PRIV-1): a profile is d_p numbers, a reward report a few scalars;
no event type has a field that could carry model weights or data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from peerproof.reference.events import Event, EventCodec, EventError
from peerproof.reference.limits import MAX_MAGNITUDE, quote


def parse_values(text: str) -> tuple[float, ...]:
    """The numbers of a profile report's compact encoding "v1,v2,..." (EventError naming ``values``)."""
    out = []
    for i, part in enumerate(text.split(",")):
        try:
            v = float(part)
        except ValueError:
            raise EventError(f"values: item {i} {quote(part)} is not a number") from None
        if not math.isfinite(v) or abs(v) > MAX_MAGNITUDE:
            raise EventError(f"values: item {i} {quote(part)} is not finite within {MAX_MAGNITUDE:g}")
        out.append(v)
    return tuple(out)


def format_values(values: tuple[float, ...]) -> str:
    """The compact encoding of a profile (repr keeps every float exact)."""
    return ",".join(repr(float(v)) for v in values)


@dataclass(frozen=True)
class Report(Event):
    """MM-EV-1: an agent reports its profile (an unknown agent joins); the CPM checks it (MM-PROF-2..4)."""

    agent: str
    values: str
    kind: ClassVar[str] = "report"

    def check(self) -> None:
        """The values parse as finite numbers."""
        parse_values(self.values)


@dataclass(frozen=True)
class Match(Event):
    """MM-EV-2: the CPM runs one matchmaking round: a new round index, scores, roles, greedy pairs."""

    kind: ClassVar[str] = "match"


@dataclass(frozen=True)
class Reward(Event):
    """MM-EV-3: a member of a matched pair reports the exchange's outcome (pre, post, KB sent)."""

    student: str
    teacher: str
    reporter: str
    pre: float
    post: float
    kb: float = 0.0
    kind: ClassVar[str] = "reward"

    def check(self) -> None:
        """The reporter is one of the pair and the payload size is not negative."""
        if self.reporter not in (self.student, self.teacher):
            raise EventError(f"reporter: {quote(self.reporter)} is neither the student nor the teacher")
        if self.kb < 0:
            raise EventError(f"kb: must be >= 0, got {quote(self.kb)}")


CODEC = EventCodec({cls.kind: cls for cls in (Report, Match, Reward)})
EVENT_TYPES = tuple(CODEC.types.values())


event_from_dict = CODEC.from_dict
"""Read one matchmaking event (EventError naming the field); the codec's own method, so tools find its types."""

event_to_dict = CODEC.to_dict
"""The trace form of a matchmaking event."""
