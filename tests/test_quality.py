"""The data-quality gate: each check rejects or flags, is switchable, and is counted."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from listbuilder.errors import ProfileError
from listbuilder.normalize import is_platform_expr, name_key_expr, registrable_domain_series
from listbuilder.profile import load_profile
from listbuilder.profile.model import QUALITY_CHECKS, QualitySettings
from listbuilder.quality import check_quality
from listbuilder.schema import COMPANY_SCHEMA, LINEAGE_SCHEMA, REJECT_SCHEMA

AS_OF = date(2026, 6, 1)
SCHEMA = {**LINEAGE_SCHEMA, **COMPANY_SCHEMA}


def frame(*rows: dict[str, Any]) -> pl.DataFrame:
    """Companies with the derived columns (every row kept, even those normalize would
    reject, so each check is seen on its own): the given fields, everything else null."""
    filled = [
        {"row_id": i, "source": "list.csv", "line": i + 2, **row} for i, row in enumerate(rows)
    ]
    raw = pl.DataFrame({k: [r.get(k) for r in filled] for k in SCHEMA}, schema=SCHEMA)
    return raw.with_columns(
        registrable_domain_series(raw["website"]).alias("domain"),
        name_key_expr(pl.col("name")).alias("name_key"),
    ).with_columns(is_platform_expr(pl.col("domain")).alias("domain_is_platform"))


# (one account, expected: ("reject", reason, detail) | ("flag", quality text) | None)
CASES: list[tuple[dict[str, Any], tuple[str, ...] | None]] = [
    ({"name": "Acme", "website": "acme.com"}, None),
    # placeholder names: rejected when nothing else identifies the row, else flagged
    ({"name": "TBD"}, ("reject", "placeholder name", '"TBD"')),
    ({"name": "Unknown"}, ("reject", "placeholder name", '"Unknown"')),
    ({"name": "N/A", "website": "linkedin.com/company/x"}, ("reject", "placeholder name", '"N/A"')),
    ({"name": "-"}, ("reject", "placeholder name", '"-"')),
    ({"name": "Test Company"}, ("reject", "placeholder name", '"Test Company"')),
    ({"name": "TBD", "website": "acme.com"}, ("flag", 'placeholder name: "TBD"')),
    ({"name": "Company", "website": "welcometocompany.com"}, None),  # a real company
    # parked / placeholder domains
    ({"website": "www.example.com"}, ("reject", "parked or placeholder domain", "example.com")),
    ({"website": "yourcompany.com"}, ("reject", "parked or placeholder domain", "yourcompany.com")),
    (
        {"name": "Acme", "website": "https://acme.test/"},
        ("flag", 'website is not a domain: "https://acme.test/"'),
    ),
    (
        {"name": "Acme", "website": "hugedomains.com"},
        ("flag", "parked or placeholder domain: hugedomains.com"),
    ),
    # website columns holding something else
    (
        {"name": "Acme", "website": "info@acme.com"},
        ("flag", "email instead of a website: info@acme.com"),
    ),
    (
        {"name": "Acme", "website": "https://www.linkedin.com/company/acme"},
        ("flag", "website on a platform or free host: linkedin.com"),
    ),
    (
        {"name": "Acme", "website": "acme.wixsite.com/home"},
        ("flag", "website on a platform or free host: wixsite.com"),
    ),
    (
        {"name": "Acme", "website": "acme.github.io"},
        ("flag", "website on a platform or free host: github.io"),
    ),
    # a platform's own site is the company's site
    ({"name": "Weebly", "website": "https://www.weebly.com/"}, None),
    (
        {"name": "Acme", "website": "facebook.com"},
        ("flag", "website on a platform or free host: facebook.com"),
    ),
    ({"name": "Acme", "website": "htp:/acme"}, ("flag", 'website is not a domain: "htp:/acme"')),
    # out-of-range values are flagged and not scored
    ({"name": "Acme", "employees": -5}, ("flag", "value out of range: employees -5 is negative")),
    (
        {"name": "Acme", "founded_year": 2031},
        ("flag", "value out of range: founded_year 2031 is not a founding year before 2027"),
    ),
    ({"name": "Acme", "revenue": -1.0}, ("flag", "value out of range: revenue -1.0 is negative")),
    (
        {"name": "Acme", "last_funding_date": date(2027, 1, 1)},
        ("flag", "value out of range: last_funding_date 2027-01-01 is after 2026-06-01"),
    ),
]


@pytest.mark.parametrize(("account", "expected"), CASES)
def test_check(account: dict[str, Any], expected: tuple[str, ...] | None) -> None:
    checked = check_quality(frame(account), as_of=AS_OF)
    if expected is None:
        assert checked.rejects.height == 0
        assert checked.companies["quality"].to_list() == [None]
    elif expected[0] == "reject":
        assert checked.companies.height == 0
        assert checked.rejects.schema == pl.Schema(REJECT_SCHEMA)
        row = checked.rejects.row(0, named=True)
        assert (row["stage"], row["reason"], row["detail"]) == ("quality", *expected[1:])
    else:
        assert checked.rejects.height == 0
        assert checked.companies["quality"].to_list() == [expected[1]]


def test_a_flagged_out_of_range_value_is_not_scored() -> None:
    checked = check_quality(
        frame({"name": "Acme", "employees": -5, "founded_year": 1990}), as_of=AS_OF
    )
    assert checked.companies.select("employees", "founded_year").row(0) == (None, 1990)


def test_a_placeholder_domain_is_never_the_accounts_domain() -> None:
    checked = check_quality(frame({"name": "Acme", "website": "example.com"}), as_of=AS_OF)
    assert checked.companies["domain"].to_list() == [None]
    assert checked.companies["quality"].to_list() == ["parked or placeholder domain: example.com"]


def test_a_phone_shared_by_unrelated_companies() -> None:
    shared = "+1 (800) 555-0100"
    rows = [{"name": f"Co {i}", "website": f"co{i}.com", "phone": shared} for i in range(5)]
    rows += [
        {"name": "Alone", "website": "alone.com", "phone": "+1 212 555 0199"},
        # a subsidiary of the same parent on the group switchboard: related, not counted
        {"name": "Sub A", "website": "a.com", "phone": "020 7946 0000", "parent_company": "Grp"},
        {"name": "Sub B", "website": "b.com", "phone": "0207 946 0000", "parent_company": "Grp"},
    ]
    checked = check_quality(frame(*rows), as_of=AS_OF)
    flags = checked.companies["quality"].to_list()
    assert flags[:5] == [f"phone shared by unrelated companies: {shared} (5 companies)"] * 5
    assert flags[5:] == [None, None, None]
    assert checked.flagged == {"phone shared by unrelated companies": 5}
    fewer = check_quality(frame(*rows), QualitySettings(shared_phone_min=6), as_of=AS_OF)
    assert fewer.companies["quality"].null_count() == 8


@pytest.mark.parametrize("check", list(QUALITY_CHECKS))
def test_every_check_can_be_switched_off(check: str) -> None:
    account = {
        "placeholder_name": {"name": "TBD"},
        "placeholder_domain": {"website": "example.com"},
        "email_website": {"name": "Acme", "website": "info@acme.com"},
        "platform_website": {"name": "Acme", "website": "facebook.com/acme"},
        "bad_domain": {"name": "Acme", "website": "not a site"},
        "shared_phone": {"name": "Acme", "phone": "+1 800 555 0100"},
        "out_of_range": {"name": "Acme", "employees": -1},
    }[check]
    rows = [account] * (5 if check == "shared_phone" else 1)
    if check == "shared_phone":
        rows = [{**account, "name": f"Acme {i}"} for i in range(5)]
    on = check_quality(frame(*rows), as_of=AS_OF)
    assert on.rejects.height or on.companies["quality"].null_count() == 0
    actions = tuple((c, "off" if c == check else a) for c, a in QUALITY_CHECKS.items())
    off = check_quality(frame(*rows), QualitySettings(actions), as_of=AS_OF)
    assert off.rejects.height == 0
    assert off.companies["quality"].null_count() == len(rows)


def test_reject_or_flag_is_the_profiles_choice(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(
        '[profile]\nname = "p"\n[quality]\nemail_website = "reject"\nplaceholder_name = "flag"\n'
        'out_of_range = false\nshared_phone_min = 3\n[[criterion]]\nname = "C"\n'
        'field = "employees"\nat_least = 1\nweight = 100\n',
        encoding="utf-8",
    )
    settings = load_profile(str(path)).quality
    assert settings.action("email_website") == "reject"
    assert settings.action("placeholder_name") == "flag"
    assert settings.action("out_of_range") == "off"
    assert settings.action("bad_domain") == "flag"  # the default
    assert settings.shared_phone_min == 3
    checked = check_quality(
        frame(
            {"name": "Acme", "website": "info@acme.com"},
            {"name": "TBD"},
            {"name": "Beta", "employees": -1},
        ),
        settings,
        as_of=AS_OF,
    )
    assert checked.rejects["reason"].to_list() == ["email instead of a website"]
    assert checked.companies["quality"].to_list() == ['placeholder name: "TBD"', None]


# ([quality] body, the message after the file name)
BAD_QUALITY = [
    (
        'email_website = "drop"',
        '[quality] (line 4): email_website = "drop": use one of "reject", "flag", "off" '
        "(or true / false)",
    ),
    (
        "shared_phone_min = 1",
        "[quality] (line 4): shared_phone_min = 1: write a whole number of companies, 2 or "
        "more, e.g. shared_phone_min = 5",
    ),
    ('shared_phone = "flag"\nemail_site = "flag"', '[quality] (line 5): unknown key "email_site" '
     '— did you mean "email_website"?'),
]  # fmt: skip


@pytest.mark.parametrize(("body", "message"), BAD_QUALITY)
def test_bad_quality_settings_name_the_key_value_and_choices(
    tmp_path: Path, body: str, message: str
) -> None:
    path = tmp_path / "p.toml"
    path.write_text(
        f'[profile]\nname = "p"\n[quality]\n{body}\n[[criterion]]\nname = "C"\n'
        'field = "employees"\nat_least = 1\nweight = 100\n',
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as caught:
        load_profile(str(path))
    assert caught.value.problems == [f"{path}: {message}"]


def test_the_gate_is_columnar_on_many_rows() -> None:
    rows = [{"name": f"Co {i}", "website": f"co{i}.com"} for i in range(2000)]
    checked = check_quality(frame(*rows), as_of=AS_OF)
    assert checked.companies.height == 2000 and checked.flagged == {}
