"""The frame's input limits (spec/peerproof.md, PP-LIMIT-*): what any config or trace may hold.

Configs and traces come from users and attackers; every reader enforces these before it builds
anything, so no input crashes, hangs or is read as something else. A protocol may set tighter bounds
on its own fields (GossipSub derives its weight bounds from the score formula).
"""

from __future__ import annotations

from typing import Any

MAX_DOCUMENT_BYTES = 16 * 1024 * 1024  # PP-LIMIT-1
MAX_DEPTH = 64  # PP-LIMIT-2: nesting of mappings and lists; the deepest real config nests 5
MAX_DIGITS = 40  # PP-LIMIT-3: digits of a number literal (1e38 needs 39; a double has 17 significant digits)
MAX_MAGNITUDE = 1e15  # PP-LIMIT-4: |x| of any number in a config or event (doubles are exact integers below 2^53)
MAX_STRING = 4096  # PP-LIMIT-5: characters of a string value or a key
MAX_EVENTS = 5_000_000  # PP-LIMIT-6: events in one trace
MAX_TIME_S = 1e9  # PP-LIMIT-7: the time horizon of a trace, seconds (about 31.7 years)
QUOTE_CHARS = 80  # PP-LIMIT-8: an error message quotes at most this much of the offending value


def quote(value: Any, limit: int = QUOTE_CHARS) -> str:
    """``repr(value)`` cut to ``limit`` characters, so an error never echoes a megabyte of input."""
    try:
        text = repr(value)
    except ValueError:  # an int too large for repr (Python's digit limit)
        text = f"<integer of about {value.bit_length() * 0.30103:.0f} digits>"
    return text if len(text) <= limit else f"{text[: limit - 12]}… ({len(text)} chars)"
