"""The events of a ranking trace (spec/ranking.md, RK-EV-1..4).

``join`` a new identity (stake, calibration tests passed); ``compare`` one judge's verdict on an
ordered pair; ``retract`` a judge's comparisons of the open round (withholding); ``close`` the round:
aggregate, update reputations, and open the next round with the config's honest comparisons again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from peerproof.reference.events import Event, EventCodec, EventError
from peerproof.reference.ranking.schedule import OUTCOMES


@dataclass(frozen=True)
class Join(Event):
    """RK-EV-1: a new judge identity arrives with its stake and its calibration record."""

    judge: str
    stake: float = 0.0
    calibration_passed: int = 0
    kind: ClassVar[str] = "join"

    def check(self) -> None:
        """Stake and calibration record are non-negative."""
        if self.stake < 0:
            raise EventError(f"stake: must be >= 0, got {self.stake}")
        if self.calibration_passed < 0:
            raise EventError(f"calibration_passed: must be >= 0, got {self.calibration_passed}")


@dataclass(frozen=True)
class Compare(Event):
    """RK-EV-2: a judge's verdict on the ordered pair (first, second)."""

    judge: str
    first: str
    second: str
    outcome: str
    kind: ClassVar[str] = "compare"

    def check(self) -> None:
        """A candidate is not compared with itself (RK-ROUND-1); the outcome is first, second or tie."""
        if self.first == self.second:
            raise EventError(f"second: a self-comparison ({self.first!r} against itself) is not a comparison")
        if self.outcome not in OUTCOMES:
            raise EventError(f"outcome: expected one of {', '.join(OUTCOMES)}, got {self.outcome!r}")


@dataclass(frozen=True)
class Retract(Event):
    """RK-EV-3: a judge withdraws all of its comparisons from the open round."""

    judge: str
    kind: ClassVar[str] = "retract"


@dataclass(frozen=True)
class Close(Event):
    """RK-EV-4: the round closes: consensus, reputation update, next round opens."""

    kind: ClassVar[str] = "close"


EVENT_TYPES: dict[str, type[Event]] = {cls.kind: cls for cls in (Join, Compare, Retract, Close)}
CODEC = EventCodec(EVENT_TYPES)


def event_from_dict(data: Any) -> Event:
    """Read one trace event (EventError naming the field)."""
    return CODEC.from_dict(data)


def event_to_dict(event: Event) -> dict[str, Any]:
    """The trace form of an event."""
    return CODEC.to_dict(event)
