"""The profile's optional `[lookalike]` table: seeds that add a resemblance input to `build`.

```toml
[lookalike]
seeds = "best_customers.csv"   # relative to the profile file
weight = 20                    # points of the ranking score at a lookalike score of 100
neighbours = 3                 # the score is the mean similarity of this many nearest seeds
text = false                   # compare descriptions too (TF-IDF over the list)
```

Kept apart from fit and timing: `build` adds `lookalike_score` (0–100), the closest seeds
and a why, and ranks on `fit + signal + weight × lookalike_score / 100` (capped).
This module imports nothing heavy: the profile loader reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

LOOKALIKE_KEYS = ("seeds", "weight", "neighbours", "text")
DEFAULT_WEIGHT = 20.0
MAX_NEIGHBOURS = 50

_Problems = list[tuple[str | None, str]]  # (key or None, what to change)


@dataclass(frozen=True)
class LookalikeSettings:
    """A validated `[lookalike]` table; `seeds` resolved against the profile's folder."""

    seeds: Path
    weight: float = DEFAULT_WEIGHT
    neighbours: int = 3
    text: bool = False


def _toml(value: Any) -> str:
    from listbuilder.profile.conditions import toml_value

    return toml_value(value)


def parse_lookalike_settings(
    table: Any, *, base: Path | None
) -> tuple[LookalikeSettings | None, list[tuple[str | None, str]]]:
    """(settings or None when absent or broken, [(key, problem)]); each problem names the
    key, the value and the fix."""
    if table is None:
        return None, []
    if not isinstance(table, dict):
        return None, [
            (None, 'lookalike must be a table: [lookalike] with seeds = "best_customers.csv"')
        ]
    problems: _Problems = []
    for key in table:
        if key not in LOOKALIKE_KEYS:
            from listbuilder.suggest import did_you_mean, find_closest

            allowed = f"; allowed: {', '.join(LOOKALIKE_KEYS)}"
            hint = did_you_mean(find_closest(key, LOOKALIKE_KEYS), otherwise=allowed)
            problems.append((key, f'unknown key "{key}"{hint}'))
    path = _check_seeds(table.get("seeds"), base, problems)
    weight = _check_weight(table.get("weight", DEFAULT_WEIGHT), problems)
    neighbours = _check_neighbours(table.get("neighbours", 3), problems)
    text = table.get("text", False)
    if not isinstance(text, bool):
        problems.append(("text", f"text = {_toml(text)}: write true or false"))
        text = False
    if problems or path is None:
        return None, problems
    return LookalikeSettings(path, float(weight), neighbours, text), []


def _check_seeds(seeds: Any, base: Path | None, problems: _Problems) -> Path | None:
    """The seeds file, resolved against the profile's folder `base`; None when missing."""
    if seeds is None:
        problems.append(
            (
                None,
                'missing seeds; add seeds = "<your best customers file>" (relative to the profile)',
            )  # fmt: skip
        )
        return None
    if not isinstance(seeds, str) or not seeds.strip():
        problems.append(("seeds", f"seeds = {_toml(seeds)}: write the path of a file as a string"))
        return None
    given = Path(seeds).expanduser()
    path = given if given.is_absolute() or base is None else base / given
    if not path.is_file():
        problems.append(
            (
                "seeds",
                f"seeds = {_toml(seeds)}: no such file ({path}); give the path of your "
                "best customers file, relative to this profile",
            )  # fmt: skip
        )
    return path


def _check_weight(weight: Any, problems: _Problems) -> float:
    """Points of the ranking score at a lookalike score of 100: above 0, at most 100."""
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 100:
        problems.append(
            (
                "weight",
                f"weight = {_toml(weight)}: write the points a perfect lookalike adds "
                "to the ranking score, between 0 and 100, e.g. weight = 20",
            )  # fmt: skip
        )
        return DEFAULT_WEIGHT
    return weight


def _check_neighbours(neighbours: Any, problems: _Problems) -> int:
    """How many nearest seeds the score averages: a whole number, 1 to `MAX_NEIGHBOURS`."""
    if (
        isinstance(neighbours, bool)
        or not isinstance(neighbours, int)
        or not 1 <= neighbours <= MAX_NEIGHBOURS
    ):
        problems.append(
            (
                "neighbours",
                f"neighbours = {_toml(neighbours)}: write a whole number of seeds "
                f"from 1 to {MAX_NEIGHBOURS}, e.g. neighbours = 3",
            )  # fmt: skip
        )
        return 3
    return neighbours
