"""The frame's input limits (spec/peerproof.md, PP-LIMIT-*): what any config or trace may hold.

Configs and traces come from users and attackers; every reader enforces these before it builds
anything, so no input crashes, hangs or is read as something else. A protocol may set tighter bounds
on its own fields (GossipSub derives its weight bounds from the score formula, GS-CFG-E-bounds).
"""

from __future__ import annotations

from typing import Any

MAX_DOCUMENT_BYTES = 16 * 1024 * 1024  # PP-LIMIT-1: a config file (a trace file may be larger: PP-LIMIT-6)
MAX_DEPTH = 64  # PP-LIMIT-2: nesting of mappings and lists; the deepest real config nests 5
MAX_DIGITS = 40  # PP-LIMIT-3: digits of a number literal (1e38 needs 39; a double has 17 significant digits)
MAX_MAGNITUDE = 1e15  # PP-LIMIT-4: |x| of any number in a config or event (doubles are exact integers below 2^53)
# PP-LIMIT-5: characters of a string value or a key (an attack plan over 70 topics, in words, is ~5,000)
MAX_STRING = 65_536
MAX_EVENTS = 5_000_000  # PP-LIMIT-6: events in one trace
MAX_TIME_S = 1e9  # PP-LIMIT-7: the time horizon of a trace, seconds (about 31.7 years); also the longest duration
QUOTE_CHARS = 80  # PP-LIMIT-8: an error message quotes at most this much of the offending value
MAX_NODES = 2_000_000  # PP-LIMIT-9: values in one config document, YAML aliases expanded
MAX_DURATION_CHARS = 64  # PP-LIMIT-10: characters of a duration string ("1h30m15.5s" needs 10)


def quote(value: Any, limit: int = QUOTE_CHARS) -> str:
    """``repr(value)`` cut to ``limit`` characters, so an error never echoes a megabyte of input."""
    long_string = isinstance(value, str) and len(value) > 4 * limit
    try:
        text = repr(value[: 4 * limit]) if long_string else repr(value)
    except ValueError:  # an int too large for repr (Python's digit limit)
        text = f"<integer of about {value.bit_length() * 0.30103:.0f} digits>"
    if len(text) <= limit and not long_string:
        return text
    return f"{text[: limit - 12]}… ({len(value) if long_string else len(text)} chars)"
