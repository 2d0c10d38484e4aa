"""read_deals: HubSpot, Salesforce and plain exports; outcomes; rejects; joining a company list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from listbuilder.errors import InputError
from listbuilder.learn.deals import outcome_expr, read_deals


def write(path: Path, text: str) -> Path:
    path.write_text(text.strip() + "\n", encoding="utf-8")
    return path


HUBSPOT = (
    "Deal Name,Company name,Company domain,Create Date,Close Date,Deal Stage,Amount,"
    "Employees,Industry,Country"
    """
Acme - New,Acme Inc,acme.com,2025-01-10,2025-02-19,Closed Won,"$12,000",500,SaaS,United States
Beta - New,Beta GmbH,beta.de,2025-02-01,2025-03-01,Closed Lost,8000,40,Retail,Germany
Gamma - New,Gamma,gamma.io,2025-03-01,,Contract Sent,5000,900,Software,USA
"""
)

SALESFORCE = """
Opportunity Name,Account Name,Website,CreatedDate,CloseDate,StageName,IsWon,Amount
Acme - New,Acme Inc,https://www.acme.com,2025-01-10,2025-02-19,Closed Won,true,12000
Beta - New,Beta GmbH,beta.de,2025-02-01,2025-03-01,Closed Lost,false,8000
Gamma - New,Gamma,gamma.io,2025-03-01,2025-05-01,Negotiation,false,5000
"""

PLAIN = """
account,domain,created,closed,outcome,acv
Acme Inc,acme.com,2025-01-10,2025-02-19,won,12000
Beta GmbH,beta.de,2025-02-01,2025-03-01,lost,8000
Gamma,gamma.io,2025-03-01,,open,5000
"""


@pytest.mark.parametrize(
    "text", [HUBSPOT, SALESFORCE, PLAIN], ids=["hubspot", "salesforce", "plain"]
)
def test_reads_each_crm_layout(tmp_path: Path, text: str) -> None:
    deals = read_deals(write(tmp_path / "deals.csv", text)).deals
    assert deals["outcome"].to_list() == ["won", "lost", "open"]
    assert deals["domain"].to_list() == ["acme.com", "beta.de", "gamma.io"]
    assert deals["amount"].to_list() == [12000.0, 8000.0, 5000.0]
    assert deals["created"].to_list()[0] == dt.date(2025, 1, 10)
    assert deals["cycle_days"].to_list() == [40, 28, None]


def test_firmographics_in_the_deals_file_are_parsed_like_a_list(tmp_path: Path) -> None:
    deals = read_deals(write(tmp_path / "deals.csv", HUBSPOT)).deals
    assert deals["employees"].to_list() == [500, 40, 900]
    assert deals["country"].to_list() == ["US", "DE", "US"]
    assert deals["industry"].to_list() == ["SaaS", "Retail", "Software"]


@pytest.mark.parametrize(
    ("stage", "expected"),
    [
        ("Closed Won", "won"),
        ("closedwon", "won"),
        ("Won", "won"),
        ("Closed Lost", "lost"),
        ("lost", "lost"),
        ("Disqualified", "lost"),
        ("No decision", "lost"),
        ("Contract Sent", "open"),
        ("open", "open"),
        ("Appointment Scheduled", "open"),
        ("", None),
    ],
)
def test_outcome_from_stage(stage: str, expected: str | None) -> None:
    got = pl.select(outcome_expr(pl.lit(stage))).item()
    assert got == expected


@pytest.mark.parametrize(
    ("is_won", "stage", "expected"),
    [
        ("true", "Negotiation", "won"),
        ("false", "Closed Lost", "lost"),
        ("false", "Negotiation", "open"),
        ("false", "Closed", "lost"),
    ],
)
def test_outcome_from_salesforce_is_won(is_won: str, stage: str, expected: str) -> None:
    got = pl.select(outcome_expr(pl.lit(stage), pl.lit(is_won))).item()
    assert got == expected


def test_bad_rows_go_to_rejects_with_reasons(tmp_path: Path) -> None:
    path = write(
        tmp_path / "deals.csv",
        """
account,domain,created,closed,outcome,acv
Acme Inc,acme.com,2025-01-10,2025-02-19,won,12000
Nodate,nodate.com,,2025-02-19,won,100
Baddate,baddate.com,yesterday,2025-02-19,won,100
Nostage,nostage.com,2025-01-10,2025-02-19,,100
Backwards,backwards.com,2025-03-10,2025-02-19,lost,100
Badamount,badamount.com,2025-01-10,2025-02-19,won,lots
,,2025-01-10,2025-02-19,won,100
""",
    )
    read = read_deals(path)
    assert read.deals["name"].to_list() == ["Acme Inc"]
    assert read.rejects.select("line", "reason", "detail").rows() == [
        (3, "no created date", None),
        (4, "created date is not a date", "yesterday"),
        (5, "no deal stage or outcome", None),
        (6, "close date before created date", "2025-02-19"),
        (7, "amount is not a number", "lots"),
        (8, "no account name or domain", None),
    ]


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = write(tmp_path / "deals.csv", "account,outcome\nAcme,won\n")
    with pytest.raises(InputError, match=r"deals\.csv: no column for the created date"):
        read_deals(path)


def test_retention_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path / "deals.csv",
        """
account,created,closed,outcome,acv,Churned Date,Renewed,Expansion Amount
Acme,2024-01-10,2024-02-10,won,1000,2024-09-01,No,
Beta,2024-01-10,2024-02-10,won,1000,,Yes,500
""",
    )
    read = read_deals(path)
    assert read.has_retention and read.has_expansion
    assert read.deals["churned"].to_list() == [dt.date(2024, 9, 1), None]
    assert read.deals["renewed"].to_list() == [False, True]
    assert read.deals["expansion"].to_list() == [None, 500.0]


def test_companies_list_supplies_firmographics(tmp_path: Path) -> None:
    deals = write(
        tmp_path / "deals.csv",
        """
account,domain,created,closed,outcome,acv
Acme,acme.com,2025-01-10,2025-02-19,won,12000
Globex Corporation,,2025-01-10,2025-02-19,lost,9000
Nobody Known,nobody.example,2025-01-10,2025-02-19,lost,9000
""",
    )
    companies = write(
        tmp_path / "companies.csv",
        """
Company Name,Website,Employees,Industry,Country
Acme Incorporated,www.acme.com,450,SaaS,US
Globex Corp,globex.com,1200,Software,GB
""",
    )
    read = read_deals(deals, companies=companies)
    assert read.matched == 2
    assert read.deals.select("name", "employees", "industry", "country").rows() == [
        ("Acme", 450, "SaaS", "US"),
        ("Globex Corporation", 1200, "Software", "GB"),
    ]
    assert read.rejects.select("line", "reason").rows() == [
        (4, "account not found in the company list")
    ]
