"""Hand-made deal sets for the backtest, learn and review tests: profiles and deal rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

# Every deal with 200-2000 employees is in the ICP (tier A); every other one is out.
MID_MARKET = """
[profile]
name = "Mid-market"
tiers = { A = 50 }

[[criterion]]
name = "Mid-market size"
field = "employees"
between = [200, 2000]
weight = 100
"""

# The hidden profile the fixture generator draws deal outcomes from (fixtures/generate.py,
# true_profile_points): 200-2000 employees, Salesforce or HubSpot, a software industry.
TRUE_PROFILE = """
[profile]
name = "Fixture true profile"
tiers = { A = 60, B = 35 }

[[criterion]]
name = "Mid-market size"
field = "employees"
between = [200, 2000]
weight = 40

[[criterion]]
name = "Uses Salesforce or HubSpot"
field = "technologies"
any = ["Salesforce", "HubSpot"]
weight = 32

[[criterion]]
name = "Software industry"
field = "industry"
in = ["Computer Software", "SaaS", "Software", "Internet", "Information Technology & Services"]
weight = 28
"""


def deal_rows(
    prefix: str,
    outcomes: Sequence[str],
    *,
    created: dt.date | Sequence[dt.date],
    cycles: int | Sequence[int],
    amounts: int | Sequence[int],
    employees: int = 500,
    domains: bool = True,
    industry: str | None = None,
) -> list[str]:
    """One CSV row per outcome, ``account[,domain],created,closed,outcome,acv,employees``
    (``,industry`` after it when given).

    Deal ``i`` is account ``{prefix}{i}`` (domain ``{prefix stripped, lowercased}{i}.com``),
    created on ``created`` (one date, or one per deal), closed ``cycles`` days later (none
    when open), worth ``amounts``; ``cycles`` and ``amounts`` are one value or one per deal.
    """
    n = len(outcomes)
    starts = [created] * n if isinstance(created, dt.date) else list(created)
    days = [cycles] * n if isinstance(cycles, int) else list(cycles)
    acv = [amounts] * n if isinstance(amounts, int) else list(amounts)
    rows = []
    for i, (outcome, start, cycle, amount) in enumerate(
        zip(outcomes, starts, days, acv, strict=True)
    ):
        closed = "" if outcome == "open" else start + dt.timedelta(days=cycle)
        domain = f"{prefix.strip().lower()}{i}.com," if domains else ""
        tail = f",{industry}" if industry is not None else ""
        rows.append(f"{prefix}{i},{domain}{start},{closed},{outcome},{amount},{employees}{tail}")
    return rows


def write_deals(
    path: Path, rows: Sequence[str], *, domains: bool = True, industry: bool = False
) -> Path:
    """Write ``rows`` (from ``deal_rows`` with the same ``domains``/``industry``) as a CSV."""
    header = "account,domain," if domains else "account,"
    header += "created,closed,outcome,acv,employees" + (",industry" if industry else "")
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def profile_file(tmp_path: Path, text: str, name: str = "profile.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
