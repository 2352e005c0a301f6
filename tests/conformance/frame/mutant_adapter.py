"""A deliberately broken GossipSub implementation behind the adapter protocol: P3 never activates (GS-P3).

The reference model in the ``ts`` dialect with ``refresh_topic`` wrapped so that
``meshMessageDeliveriesActive`` stays false: a mesh peer that under-delivers is never penalised. The
conformance suite must catch it with a shrunk trace (tests/conformance/frame/test_conformance_frame.py).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import Any

from peerproof.reference.gossipsub import decay

from peerproof.adapters.serve import ReferenceImplementation, serve

_refresh_topic = decay.refresh_topic


def never_active(*args: Any, **kwargs: Any) -> Any:
    """The refresh, with the P3 activation switched off."""
    return replace(_refresh_topic(*args, **kwargs), mesh_message_deliveries_active=False)


if __name__ == "__main__":
    decay.refresh_topic = never_active
    sys.exit(serve(ReferenceImplementation("gossipsub", "ts")))
