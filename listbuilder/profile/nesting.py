"""Refuse TOML nested deeper than any real profile before ``tomllib`` recurses into it.

``tomllib`` parses arrays and inline tables recursively: a file of a few thousand
``[`` or ``{`` ends in a RecursionError, not a TOMLDecodeError. One linear scan
(strings and comments skipped) measures the deepest nesting first, so a hostile
profile or providers file is refused with the file, the line and the depth.
"""

from __future__ import annotations

import re

MAX_TOML_DEPTH = 32  # real profiles nest 2 or 3 levels deep

_OPEN = frozenset("[{")
_INTERESTING = re.compile(r"[#\"'\[\]{}]")


def toml_nesting(text: str) -> tuple[int, int]:
    """(deepest nesting of arrays and inline tables, the line where it is reached)."""
    depth = deepest = 0
    where = 1
    i, n = 0, len(text)
    while True:
        found = _INTERESTING.search(text, i)
        if found is None:
            break
        i = found.start()
        char = text[i]
        if char == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if char in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else char
            j = i + len(quote)
            while j < n:
                if quote[0] == '"' and text[j] == "\\":
                    j += 2
                    continue
                if text.startswith(quote, j):
                    j += len(quote)
                    break
                if len(quote) == 1 and text[j] == "\n":  # unterminated: tomllib says so
                    break
                j += 1
            i = j
            continue
        if char in _OPEN:
            depth += 1
            if depth > deepest:
                deepest, where = depth, text.count("\n", 0, i) + 1
        else:
            depth = max(0, depth - 1)
        i += 1
    return deepest, where


def nesting_problem(text: str, source: str) -> str | None:
    """The one-line refusal for a file nested past ``MAX_TOML_DEPTH``, else None."""
    depth, line = toml_nesting(text)
    if depth <= MAX_TOML_DEPTH:
        return None
    return (
        f"{source}: line {line}: arrays or inline tables nested {depth} levels deep "
        f"(the limit is {MAX_TOML_DEPTH}; a profile needs 2 or 3): flatten them"
    )
