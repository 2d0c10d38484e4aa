"""One warning line when too many rows of a list could not be used.

A file whose name column is not recognised loses almost every row as "no usable name or
domain"; the funnel counts them, but a run that keeps 3 of 3,337 rows should say so loudly
and name the columns ingest did not recognise, so the fix (`--map "Org=name"`) is obvious.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

UNUSABLE_SHARE = 0.05  # more than this share of rows unusable: warn
_NAMED = 6  # unrecognised columns named in the warning


def unusable_warning(reports: Sequence[Any], *, read: int, unusable: int) -> str | None:
    """`warning: 3,334 of 3,337 rows (99.9%) are unusable ...` naming the columns no alias
    mapped (`FileReport.mapping` entries without a field), or None at or under 5%."""
    if read <= 0 or unusable / read <= UNUSABLE_SHARE:
        return None
    headers: list[str] = []
    for report in reports:
        for match in getattr(report, "mapping", ()) or ():
            if not match.field and match.header not in headers and match.header != "line":
                headers.append(match.header)
    share = f"{unusable / read:.1%}"
    line = f"warning: {unusable:,} of {read:,} rows ({share}) are unusable (see rejects.csv)"
    if not headers:
        return line
    shown = ", ".join(repr(h) for h in headers[:_NAMED])
    more = f" and {len(headers) - _NAMED} more" if len(headers) > _NAMED else ""
    return (
        f"{line}; columns not recognised: {shown}{more} — map one with "
        f'--map "{headers[0]}=name" (or website, employees, ...)'
    )
