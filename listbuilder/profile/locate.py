"""Find the line of a table or key in a profile's raw text (tomllib gives no positions).

A light scan, not a TOML parser: headers (`[profile]`, `[[criterion]]`,
`[groups.software]`) and `key =` lines at the start of a line, skipping
multi-line strings. Good enough to point a user at the right line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)\s*(\.\s*[^=]+)?=""")


def _clean(name: str) -> str:
    parts = [p.strip().strip("\"'") for p in name.split(".")]
    return ".".join(parts)


@dataclass
class _Table:
    line: int
    keys: dict[str, int] = field(default_factory=dict)


class Locator:
    """Lines of tables and keys: `table("criterion", 2)`, `key("criterion", 2, "field")`."""

    def __init__(self, text: str) -> None:
        self._tables: dict[tuple[str, int], _Table] = {}
        counts: dict[str, int] = {}
        current = _Table(0)
        self._tables[("", 0)] = current
        in_multiline: str | None = None
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw
            if in_multiline:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            header = _HEADER.match(line)
            if header:
                name = _clean(header.group(2))
                if header.group(1) == "[[":
                    index = counts.get(name, 0)
                    counts[name] = index + 1
                else:
                    index = 0
                current = _Table(number)
                self._tables.setdefault((name, index), current)
                continue
            key = _KEY.match(line)
            if key:
                current.keys.setdefault(key.group(1).strip("\"'"), number)
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1:
                    in_multiline = quote

    def table(self, name: str, index: int = 0) -> int | None:
        """Line of the `index`-th `[[name]]` (or the `[name]`) header; None if not found."""
        found = self._tables.get((name, index))
        return found.line if found and found.line else None

    def key(self, name: str, index: int, key: str) -> int | None:
        """Line of `key = ...` inside that table, else the table's header line."""
        found = self._tables.get((name, index))
        if found is None:
            return None
        return found.keys.get(key) or found.line or None
