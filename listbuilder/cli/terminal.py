"""Text shown on a terminal: control characters from the data are made visible.

A company name is data from a purchased list; ``ESC]0;…BEL`` in it would retitle the
terminal, ``ESC[2J`` clear it, a carriage return overwrite the line. ``visible``
writes such characters as escapes (``\\x1b``, ``\\r``, ``\\u202e``) instead.
"""

from __future__ import annotations

import re

# C0 controls but newline and tab, DEL, C1 controls, and the bidirectional overrides
# that reorder what a line seems to say.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code == 0x0D:
        return "\\r"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control character written as an escape, never executed."""
    return _CONTROL.sub(_escape, text)
