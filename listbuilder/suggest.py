"""One "did you mean": the known spelling closest to a mistyped word, and the hint that says it.

Every message that suggests a key, a field, an operator, a kind, a stage, a group or a
profile name goes through `find_closest` (rapidfuzz's ratio, case-insensitive: an edit
distance, so a short key never matches a long one by being a piece of it: "a" is not
"name"). Account names, which a user types in part ("Acme" for "Acme Cloud Inc"), go
through `find_close_names` (rapidfuzz's WRatio, case-insensitive, which scores a part of
a name as close).
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process

KEY_CUTOFF = 70.0  # ratio (0-100) from which a key, kind or value counts as a typo of another
NAME_CUTOFF = 80.0  # WRatio (0-100) from which an account name counts as close


def find_closest(value: str, options: Iterable[str], *, cutoff: float = KEY_CUTOFF) -> str | None:
    """The option most like `value` (case-insensitive), or None when none reaches `cutoff`."""
    found = process.extractOne(
        value.lower(), list(options), scorer=fuzz.ratio, score_cutoff=cutoff, processor=str.lower
    )
    return found[0] if found else None


def find_close_names(
    value: str, names: Iterable[str], *, limit: int = 3, cutoff: float = NAME_CUTOFF
) -> list[str]:
    """Up to `limit` names like `value`, closest first (a part of a name counts as close)."""
    found = process.extract(
        value.lower(),
        list(names),
        scorer=fuzz.WRatio,
        limit=limit,
        score_cutoff=cutoff,
        processor=str.lower,
    )
    return [name for name, _, _ in found]


def did_you_mean(near: str | None, *, otherwise: str = "") -> str:
    """The hint that ends a message: ` — did you mean "x"?`, or `otherwise` without a `near`."""
    return f' — did you mean "{near}"?' if near else otherwise
