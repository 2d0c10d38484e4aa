"""Providers file validation, JSON paths, value conversion, retry and rate-limit helpers."""

from __future__ import annotations

import asyncio
import datetime as dt
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from listbuilder.errors import ConfigError
from listbuilder.http import load_providers, parse_providers
from listbuilder.http.providers import convert_value, extract_path
from listbuilder.http.transport import RetryPolicy, TokenBucket, parse_retry_after

GOOD = {
    "name": "a",
    "url": "https://api.example.com/v1?domain={domain}",
    "fields": {"employees": "n"},
}
PREFIX = "p.toml: 1 problem(s) in the providers file: "


def one(**changes: Any) -> dict[str, Any]:
    table = {**GOOD, **changes}
    return {"provider": [{k: v for k, v in table.items() if v is not None}]}


CONFIG_ERRORS: list[tuple[dict[str, Any], str]] = [
    ({}, "no [[provider]] table: declare at least one provider"),
    (
        {"provider": [GOOD], "extra": 1},
        "unknown top-level key(s) extra: only [[provider]] tables",
    ),
    (one(name=None), "provider #1: name: missing; expected a non-empty string unique in the file"),
    (
        one(url="ftp://x/{domain}"),
        "provider 'a': url: invalid value 'ftp://x/{domain}'; expected an http(s) URL template "
        "using {domain} and/or {name}",
    ),
    (
        one(url="https://x/{dom}"),
        "provider 'a': url: invalid value 'https://x/{dom}'; expected an http(s) URL template "
        "using {domain} and/or {name}",
    ),
    (
        one(url="https://x/{domain"),
        "provider 'a': url: invalid value 'https://x/{domain'; expected an http(s) URL template "
        "using {domain} and/or {name}",
    ),
    (one(method="PUT"), "provider 'a': method: invalid value 'PUT'; expected GET or POST"),
    (
        one(rate_limit=0),
        "provider 'a': rate_limit: invalid value 0; expected requests per second, a number > 0",
    ),
    (
        one(concurrency=1.5),
        "provider 'a': concurrency: invalid value 1.5; expected requests in flight at once, "
        "an integer >= 1",
    ),
    (
        one(retries=-1),
        "provider 'a': retries: invalid value -1; expected retries after the first attempt, "
        "an integer >= 0",
    ),
    (
        one(url="https://{domain}.api.example/find"),
        "provider 'a': url: {domain} or {name} in the host '{domain}.api.example'; the key "
        "would go to a host named by the list: put them in the path or query",
    ),
    (
        one(max_response_bytes=0),
        "provider 'a': max_response_bytes: invalid value 0; expected the largest answer "
        "accepted, in bytes, an integer >= 1",
    ),
    (
        one(timeout="10s"),
        "provider 'a': timeout: invalid value '10s'; expected seconds a whole request may "
        "take (connect, headers and body), a number > 0",
    ),
    (
        one(key_env="ACME_KEY"),
        "provider 'a': key_env: set key_header or key_param to say where the key goes",
    ),
    (one(key_header="X-Key"), "provider 'a': key_env: missing; name the variable holding the key"),
    (
        one(key_env="K", key_header="X-Key", key_param="key"),
        "provider 'a': key_header and key_param: set only one of them",
    ),
    (
        one(not_found_status=[200]),
        "provider 'a': not_found_status: invalid value [200]; expected HTTP statuses meaning "
        "'no data', a list of integers",
    ),
    (
        one(fields={"employes": "n"}),
        "provider 'a': fields.employes: not a canonical field; use one of name, website, "
        "employees, employees_min, employees_max, locations, revenue, industry, sic, naics, "
        "country, state, city, "
        "postal_code, founded_year, funding_stage, total_funding, last_funding_date, technologies, "
        "departments, linkedin_url, description, parent_company, parent_id, phone",
    ),
    (
        one(fields={"employees": "a..b"}),
        "provider 'a': fields.employees: invalid path 'a..b'; expected a dotted JSON path such "
        "as 'company.metrics.employees' or 'tech.*.name'",
    ),
    (
        one(fields=None),
        "provider 'a': fields: missing; expected a table: canonical field = JSON path, "
        "e.g. employees = 'company.metrics.size'",
    ),
    (
        {"provider": [GOOD, GOOD]},
        "provider 'a': name: duplicate; give each provider its own",
    ),
]


@pytest.mark.parametrize(("document", "message"), CONFIG_ERRORS)
def test_config_errors_exact_text(document: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_providers(document, source="p.toml")
    assert str(err.value) == PREFIX + message


def test_all_problems_listed_in_one_error() -> None:
    with pytest.raises(ConfigError) as err:
        parse_providers(one(method="PUT", rate_limit=-2, colour="red"), source="p.toml")
    text = str(err.value)
    assert text.startswith("p.toml: 3 problem(s) in the providers file: provider 'a': unknown key")
    assert "method: invalid value 'PUT'" in text and "rate_limit: invalid value -2" in text
    assert "\n" not in text


def test_load_providers_file(tmp_path: Path) -> None:
    path = tmp_path / "providers.toml"
    path.write_text(
        """
[[provider]]
name = "acme"
url = "https://api.acme.test/v2/companies/{domain}"
key_env = "ACME_KEY"
key_header = "Authorization"
key_prefix = "Bearer "
rate_limit = 10
concurrency = 5
timeout = 8
cache_ttl_days = 14
not_found_status = [404, 410]

[provider.fields]
employees = "company.metrics.employees"
technologies = "tech.*.name"
industry = "categories.0"
""",
        encoding="utf-8",
    )
    (p,) = load_providers(path)
    assert (p.name, p.rate_limit, p.concurrency, p.timeout) == ("acme", 10.0, 5, 8.0)
    assert (p.key_env, p.key_header, p.key_prefix, p.key_param) == (
        "ACME_KEY",
        "Authorization",
        "Bearer ",
        None,
    )
    assert p.not_found_status == (404, 410) and p.cache_ttl_days == 14
    assert dict(p.fields) == {
        "employees": "company.metrics.employees",
        "technologies": "tech.*.name",
        "industry": "categories.0",
    }


def test_load_providers_unreadable(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as err:
        load_providers(missing)
    assert str(err.value) == f"{missing}: providers file not found; check the path"
    bad = tmp_path / "bad.toml"
    bad.write_text("[[provider]\nname=", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml: not valid TOML \(.*\); fix the syntax"):
        load_providers(bad)


DOC = {
    "company": {"metrics": {"employees": 120}, "name": "Acme"},
    "tech": [{"name": "Salesforce"}, {"name": "HubSpot"}, {"other": 1}],
    "categories": ["SaaS", "CRM"],
}
PATHS = [
    ("company.metrics.employees", 120),
    ("company.name", "Acme"),
    ("categories.0", "SaaS"),
    ("categories.-1", "CRM"),
    ("categories.5", None),
    ("tech.*.name", ["Salesforce", "HubSpot"]),
    ("tech.1.name", "HubSpot"),
    ("company.missing.deep", None),
    ("categories.name", None),
]


@pytest.mark.parametrize(("path", "expected"), PATHS)
def test_extract_path(path: str, expected: Any) -> None:
    assert extract_path(DOC, path) == expected


CONVERSIONS = [
    ("employees", "1,200", 1200),
    ("employees", 350.0, 350),
    ("employees", True, None),
    ("employees", "many", None),
    ("revenue", "$12,500,000", 12500000.0),
    ("revenue", 3, 3.0),
    ("technologies", ["A", " B ", None, ""], ["A", "B"]),
    ("technologies", "A; B, C", ["A", "B", "C"]),
    ("technologies", [], None),
    ("last_funding_date", "2024-05-06T10:00:00Z", dt.date(2024, 5, 6)),
    ("last_funding_date", 1714953600000, dt.date(2024, 5, 6)),
    ("founded_year", "1999", 1999),
    ("industry", " Software ", "Software"),
    ("industry", {"a": 1}, None),
    ("country", "", None),
]


@pytest.mark.parametrize(("field", "value", "expected"), CONVERSIONS)
def test_convert_value(field: str, value: Any, expected: Any) -> None:
    assert convert_value(field, value) == expected


NOW = 1_800_000_000.0
RETRY_AFTER = [
    ("3", 3.0),
    ("0", 0.0),
    ("1.5", 1.5),
    (format_datetime(dt.datetime.fromtimestamp(NOW + 7, tz=dt.UTC), usegmt=True), 7.0),
    (format_datetime(dt.datetime.fromtimestamp(NOW - 7, tz=dt.UTC), usegmt=True), 0.0),
    ("soon", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("header", "expected"), RETRY_AFTER)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == expected


def test_backoff_is_exponential_with_injected_jitter() -> None:
    policy = RetryPolicy(retries=5, backoff=1.0, max_backoff=5.0, rng=lambda: 1.0)
    assert [policy.delay(a, None) for a in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]
    low = RetryPolicy(retries=5, backoff=1.0, max_backoff=60.0, rng=lambda: 0.0)
    assert [low.delay(a, None) for a in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert policy.delay(1, 3.0) == 3.0  # Retry-After wins over backoff...
    assert policy.delay(1, 600.0) == 5.0  # ...capped by max_backoff


def test_token_bucket_spaces_acquisitions() -> None:
    clock = {"t": 100.0}
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))

    async def run() -> None:
        bucket = TokenBucket(4.0, 2, clock=lambda: clock["t"], sleep=sleep)
        for _ in range(5):
            await bucket.acquire()

    asyncio.run(run())
    # a burst of 2, then each caller reserves the next quarter-second slot
    assert slept == [0.25, 0.5, 0.75]


def test_deeply_nested_providers_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "providers.toml"
    path.write_text('[[provider]]\nname = "x"\nz = ' + "[" * 3000 + "]" * 3000 + "\n")
    with pytest.raises(
        ConfigError, match=r"providers\.toml: line 3: arrays or inline tables nested 3000"
    ):
        load_providers(path)
