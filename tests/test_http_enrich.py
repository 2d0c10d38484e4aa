"""Enrichment against a real HTTP server on 127.0.0.1 (pytest-httpserver, threaded)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from listbuilder.errors import ConfigError, InputError
from listbuilder.http import enrich_companies, parse_providers
from listbuilder.http.cache import CACHE_FILE
from listbuilder.schema import COMPANY_SCHEMA

KEY = "sk-test-5ecret-Key-0042"


def provider(srv: HTTPServer, name: str, fields: dict[str, str], **extra: Any) -> dict[str, Any]:
    table = {
        "name": name,
        "url": srv.url_for(f"/{name}") + "?domain={domain}",
        "rate_limit": 1000,
        "concurrency": 4,
        "timeout": 2,
        "retries": 2,
        "backoff": 0.01,
        "fields": fields,
    }
    table.update(extra)
    return table


def companies(**columns: list[Any]) -> pl.DataFrame:
    data = {"domain": columns.pop("domain")}
    data.update(columns)
    schema = {c: COMPANY_SCHEMA.get(c, pl.String()) for c in data}
    return pl.DataFrame(data, schema=schema)


def json_handler(answers: dict[str, Any], log: list | None = None):
    """Answer by ?domain=: a dict/list as JSON, an int as that status, missing as 404."""

    def handle(request: Request) -> Response:
        domain = request.args.get("domain", "")
        if log is not None:
            log.append((request.path, domain, time.monotonic()))
        answer = answers.get(domain, 404)
        if isinstance(answer, int):
            return Response(status=answer)
        return Response(json.dumps(answer), content_type="application/json")

    return handle


def domains_asked(srv: HTTPServer, path: str) -> list[str]:
    return sorted(r.args.get("domain", "") for r, _ in srv.log if r.path == path)


def test_waterfall_order_field_mapping_and_lineage(server: HTTPServer, tmp_path: Path) -> None:
    calls: list[tuple[str, str, float]] = []
    server.expect_request("/alpha").respond_with_handler(
        json_handler(
            {
                "acme.com": {
                    "company": {"metrics": {"employees": "1,200"}},
                    "tech": [{"name": "Salesforce"}, {"name": "HubSpot"}],
                },
                "gamma.dev": {},  # empty body: not found
            },
            calls,
        )
    )
    server.expect_request("/beta").respond_with_handler(
        json_handler(
            {
                "acme.com": {"size": 999, "sector": ["Software", "IT"], "rev": "12500000.5"},
                "beta.io": {"size": 40.0, "sector": ["Retail"], "rev": None},
                "gamma.dev": {"size": 7, "founded": "2015-03-01", "sector": []},
            },
            calls,
        )
    )
    providers = parse_providers(
        {
            "provider": [
                provider(
                    server,
                    "alpha",
                    {"employees": "company.metrics.employees", "technologies": "tech.*.name"},
                ),
                provider(
                    server,
                    "beta",
                    {
                        "employees": "size",
                        "industry": "sector.0",
                        "revenue": "rev",
                        "last_funding_date": "founded",
                    },
                ),
            ]
        }
    )
    df = companies(
        domain=["acme.com", "full.com", None, "beta.io", "gamma.dev", "acme.com"],
        name=["Acme", "Full", "No Domain", "Beta", "Gamma", "Acme dup"],
        employees=[None, 10, None, None, None, 5],
        technologies=[None, ["X"], None, ["Y"], None, None],
        industry=[None, "Retail", None, None, None, None],
        revenue=[None, 1.0, None, 2.0, None, None],
        last_funding_date=[None, dt.date(2020, 1, 1), None, None, None, None],
    )
    result = enrich_companies(df, providers, cache_dir=tmp_path)

    out = result.companies
    assert out.columns == [*df.columns, "enriched_from", "enrich_error"]
    assert out.schema["employees"] == pl.Int64 and out.schema["technologies"] == pl.List(pl.String)
    assert out["employees"].to_list() == [1200, 10, None, 40, 7, 5]
    assert out["technologies"].to_list() == [
        ["Salesforce", "HubSpot"],
        ["X"],
        None,
        ["Y"],
        None,
        ["Salesforce", "HubSpot"],
    ]
    assert out["industry"].to_list() == ["Software", "Retail", None, "Retail", None, "Software"]
    assert out["revenue"].to_list() == [12500000.5, 1.0, None, 2.0, None, 12500000.5]
    assert out["last_funding_date"].to_list() == [
        None,
        dt.date(2020, 1, 1),
        None,
        None,
        dt.date(2015, 3, 1),
        None,
    ]
    assert out["enriched_from"].to_list() == [
        "employees=alpha; revenue=beta; industry=beta; technologies=alpha",
        None,
        None,
        "employees=beta; industry=beta",
        "employees=beta; last_funding_date=beta",
        "revenue=beta; industry=beta; technologies=alpha",
    ]
    assert out["enrich_error"].to_list() == [None] * 6
    # full.com is complete and the row without a domain is skipped: neither is asked.
    assert domains_asked(server, "/alpha") == ["acme.com", "beta.io", "gamma.dev"]
    assert domains_asked(server, "/beta") == ["acme.com", "beta.io", "gamma.dev"]
    # per domain, alpha is asked before beta
    for domain in ("acme.com", "gamma.dev"):
        order = [path for path, d, _ in sorted(calls, key=lambda c: c[2]) if d == domain]
        assert order == ["/alpha", "/beta"]
    s = result.stats
    assert (s.accounts, s.complete, s.no_domain, s.looked_up, s.domains) == (6, 1, 1, 4, 3)
    assert (s.enriched, s.failed) == (4, 0)
    assert s.providers["alpha"].found == 1 and s.providers["alpha"].not_found == 2
    assert s.filled == {
        "employees": 3,
        "revenue": 2,
        "industry": 3,
        "last_funding_date": 1,
        "technologies": 2,
    }


def test_stops_at_first_provider_that_fills_everything(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request("/alpha").respond_with_handler(json_handler({"a.com": {"n": 5}}))
    server.expect_request("/beta").respond_with_handler(json_handler({"a.com": {"n": 9}}))
    providers = parse_providers(
        {
            "provider": [
                provider(server, "alpha", {"employees": "n"}),
                provider(server, "beta", {"employees": "n"}),
            ]
        }
    )
    result = enrich_companies(
        companies(domain=["a.com"], employees=[None]), providers, cache_dir=tmp_path
    )
    assert result.companies["employees"].to_list() == [5]
    assert domains_asked(server, "/beta") == []


def test_retry_after_429_then_success(server: HTTPServer, tmp_path: Path) -> None:
    seen: list[float] = []

    def handle(request: Request) -> Response:
        seen.append(time.monotonic())
        if len(seen) == 1:
            return Response(status=429, headers={"Retry-After": "1"})
        return Response(json.dumps({"n": 3}), content_type="application/json")

    server.expect_request("/alpha").respond_with_handler(handle)
    providers = parse_providers({"provider": [provider(server, "alpha", {"employees": "n"})]})
    result = enrich_companies(
        companies(domain=["a.com"], employees=[None]), providers, cache_dir=tmp_path
    )
    assert result.companies["employees"].to_list() == [3]
    assert len(seen) == 2
    assert seen[1] - seen[0] >= 0.95  # the server saw the retry after Retry-After, not backoff
    assert result.stats.providers["alpha"].retries == 1


@pytest.mark.parametrize(
    ("status", "requests", "error"),
    [
        (500, 3, "alpha: HTTP 500 after 3 attempt(s)"),
        (503, 3, "alpha: HTTP 503 after 3 attempt(s)"),
        (400, 1, "alpha: HTTP 400"),
        (422, 1, "alpha: HTTP 422"),
    ],
)
def test_errors_recorded_per_account_and_run_continues(
    server: HTTPServer, tmp_path: Path, status: int, requests: int, error: str
) -> None:
    server.expect_request("/alpha").respond_with_handler(
        json_handler({"bad.com": status, "ok.com": {"n": 1}})
    )
    server.expect_request("/beta").respond_with_handler(json_handler({"bad.com": {"n": 8}}))
    providers = parse_providers(
        {
            "provider": [
                provider(server, "alpha", {"employees": "n"}),
                provider(server, "beta", {"employees": "n"}),
            ]
        }
    )
    df = companies(domain=["bad.com", "ok.com"], employees=[None, None])
    result = enrich_companies(df, providers, cache_dir=tmp_path)
    assert [r.args["domain"] for r, _ in server.log if r.path == "/alpha"].count(
        "bad.com"
    ) == requests
    assert result.companies["enrich_error"].to_list() == [error, None]
    # the next provider in the waterfall still fills it
    assert result.companies["employees"].to_list() == [8, 1]
    assert result.companies["enriched_from"].to_list() == ["employees=beta", "employees=alpha"]
    assert result.errors.rows() == [("bad.com", "alpha", error.removeprefix("alpha: "))]
    assert (result.stats.failed, result.stats.providers["alpha"].errors) == (1, 1)
    # errors are not cached: a re-run asks again
    before = len(server.log)
    enrich_companies(df, providers, cache_dir=tmp_path)
    assert len(server.log) - before == requests


def test_timeout_is_retried_then_recorded(server: HTTPServer, tmp_path: Path) -> None:
    def slow(request: Request) -> Response:
        time.sleep(0.3)
        return Response("{}", content_type="application/json")

    server.expect_request("/alpha").respond_with_handler(slow)
    providers = parse_providers(
        {"provider": [provider(server, "alpha", {"employees": "n"}, timeout=0.05, retries=1)]}
    )
    result = enrich_companies(
        companies(domain=["slow.com"], employees=[None]), providers, cache_dir=tmp_path
    )
    assert result.companies["enrich_error"].to_list() == ["alpha: timeout after 2 attempt(s)"]
    assert result.stats.providers["alpha"].requests == 2
    time.sleep(0.4)  # let the slow handler threads finish before the server stops


def test_auth_failure_disables_the_provider(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request("/alpha").respond_with_handler(lambda r: Response(status=401))
    providers = parse_providers(
        {
            "provider": [
                provider(server, "alpha", {"employees": "n"}, concurrency=1),
            ]
        }
    )
    df = companies(domain=["a.com", "b.com", "c.com"], employees=[None, None, None])
    result = enrich_companies(df, providers, cache_dir=tmp_path)
    assert len(server.log) == 1
    assert result.companies["enrich_error"].to_list() == [
        "alpha: HTTP 401",
        "alpha: HTTP 401 (provider disabled after an authentication failure)",
        "alpha: HTTP 401 (provider disabled after an authentication failure)",
    ]


def test_cache_hit_on_rerun_including_not_found_and_ttl(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request("/alpha").respond_with_handler(json_handler({"a.com": {"n": 5}}))
    providers = parse_providers({"provider": [provider(server, "alpha", {"employees": "n"})]})
    df = companies(domain=["a.com", "missing.com"], employees=[None, None])
    first = enrich_companies(df, providers, cache_dir=tmp_path)
    assert len(server.log) == 2

    second = enrich_companies(df, providers, cache_dir=tmp_path)
    assert len(server.log) == 2  # zero requests: found and not-found both cached
    assert second.stats.providers["alpha"].cache_hits == 2
    assert second.stats.providers["alpha"].requests == 0
    assert second.companies.equals(first.companies)

    # age both answers past the 30-day TTL: the next run asks again
    with sqlite3.connect(tmp_path / CACHE_FILE) as db:
        db.execute("UPDATE answers SET fetched_at = fetched_at - 31 * 86400")
    db.close()
    third = enrich_companies(df, providers, cache_dir=tmp_path)
    assert len(server.log) == 4
    assert third.stats.providers["alpha"].cache_hits == 0


def test_dry_run_counts_requests_after_cache_and_sends_nothing(
    server: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.expect_request("/alpha").respond_with_handler(json_handler({"a.com": {"n": 5}}))
    server.expect_request("/beta").respond_with_handler(json_handler({}))
    monkeypatch.setenv("ALPHA_KEY", KEY)
    tables = [
        provider(server, "alpha", {"employees": "n"}, key_env="ALPHA_KEY", key_header="X-Key"),
        provider(server, "beta", {"employees": "n", "industry": "i"}),
    ]
    providers = parse_providers({"provider": tables})
    enrich_companies(
        companies(domain=["a.com"], employees=[None]),
        providers,
        cache_dir=tmp_path,
        fields=["employees"],
    )
    logged = len(server.log)
    monkeypatch.delenv("ALPHA_KEY")  # a dry run needs no key
    df = companies(
        domain=["a.com", "b.com", "c.com", None],
        employees=[None, None, 4, None],
        industry=[None, None, None, None],
    )
    plan = enrich_companies(df, providers, cache_dir=tmp_path, dry_run=True)
    assert len(server.log) == logged
    alpha, beta = plan.stats.providers["alpha"], plan.stats.providers["beta"]
    # a.com: alpha cached (fills employees), industry still wanted from beta
    assert (alpha.lookups, alpha.cache_hits, alpha.planned) == (2, 1, 1)
    assert (beta.lookups, beta.cache_hits, beta.planned) == (3, 0, 3)
    assert plan.companies.drop("enriched_from", "enrich_error").equals(df)


def test_concurrency_limit_respected(server: HTTPServer, tmp_path: Path) -> None:
    lock = threading.Lock()
    state = {"now": 0, "max": 0}

    def handle(request: Request) -> Response:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.03)
        with lock:
            state["now"] -= 1
        return Response(json.dumps({"n": 1}), content_type="application/json")

    server.expect_request("/alpha").respond_with_handler(handle)
    providers = parse_providers(
        {"provider": [provider(server, "alpha", {"employees": "n"}, concurrency=3)]}
    )
    n = 24
    df = companies(domain=[f"d{i}.com" for i in range(n)], employees=[None] * n)
    result = enrich_companies(df, providers, cache_dir=tmp_path)
    assert result.stats.providers["alpha"].requests == n
    assert 2 <= state["max"] <= 3


def test_rate_limit_spaces_requests(server: HTTPServer, tmp_path: Path) -> None:
    times: list[float] = []
    server.expect_request("/alpha").respond_with_handler(
        lambda r: (times.append(time.monotonic()), Response("{}"))[1]
    )
    providers = parse_providers(
        {"provider": [provider(server, "alpha", {"employees": "n"}, rate_limit=40)]}
    )
    n = 11
    df = companies(domain=[f"d{i}.com" for i in range(n)], employees=[None] * n)
    enrich_companies(df, providers, cache_dir=tmp_path)
    assert len(times) == n
    assert max(times) - min(times) >= (n - 1) / 40 * 0.9  # 10 gaps of 25 ms at the server


def test_key_never_in_logs_errors_cache_or_outputs(
    server: HTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    received: list[str] = []

    def echo(request: Request) -> Response:
        received.append(request.headers.get("Authorization", "") + request.args.get("key", ""))
        domain = request.args["domain"]
        if domain == "err.com":
            return Response(f"bad key {KEY}", status=500)
        return Response(json.dumps({"n": 1, "echo": KEY}), content_type="application/json")

    server.expect_request("/alpha").respond_with_handler(echo)
    server.expect_request("/beta").respond_with_handler(echo)
    monkeypatch.setenv("LB_TEST_KEY", KEY)
    providers = parse_providers(
        {
            "provider": [
                provider(
                    server,
                    "alpha",
                    {"employees": "n"},
                    key_env="LB_TEST_KEY",
                    key_header="Authorization",
                    key_prefix="Bearer ",
                    retries=1,
                ),
                provider(
                    server,
                    "beta",
                    {"employees": "n", "description": "echo"},
                    key_env="LB_TEST_KEY",
                    key_param="key",
                    retries=1,
                ),
            ]
        }
    )
    caplog.set_level(logging.DEBUG)
    df = companies(domain=["ok.com", "err.com"], employees=[None, None], description=[None, None])
    result = enrich_companies(df, providers, cache_dir=tmp_path)
    assert f"Bearer {KEY}" in received and KEY in received  # the key was sent, both ways
    result.companies.with_columns(pl.col("description")).write_csv(tmp_path / "out.csv")
    result.errors.write_csv(tmp_path / "errors.csv")
    captured = capsys.readouterr()
    # the stand-in provider's own access log (werkzeug) is the remote side: not ours
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")
    assert "HTTP Request" in ours  # httpx did log its requests...
    assert KEY not in ours  # ...without the key
    assert KEY not in captured.out + captured.err
    assert KEY not in repr(result.stats)
    for path in tmp_path.iterdir():
        assert KEY.encode() not in path.read_bytes(), path.name
    with sqlite3.connect(tmp_path / CACHE_FILE) as db:
        bodies = [b for (b,) in db.execute("SELECT body FROM answers") if b]
    db.close()
    assert bodies and all(KEY not in b and "***" in b for b in bodies)


def test_missing_key_env_is_one_line_config_error(
    server: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LB_ABSENT_KEY", raising=False)
    providers = parse_providers(
        {
            "provider": [
                provider(
                    server, "alpha", {"employees": "n"}, key_env="LB_ABSENT_KEY", key_header="X-Key"
                )
            ]
        },
        source="providers.toml",
    )
    with pytest.raises(ConfigError) as err:
        enrich_companies(
            companies(domain=["a.com"], employees=[None]), providers, cache_dir=tmp_path
        )
    assert str(err.value) == (
        "providers.toml: provider 'alpha' reads its key from the environment variable "
        "LB_ABSENT_KEY, which is not set; export LB_ABSENT_KEY=<your key> and run again"
    )


def test_platform_domains_are_not_looked_up(server: HTTPServer, tmp_path: Path) -> None:
    server.expect_request("/alpha").respond_with_handler(json_handler({"a.com": {"n": 1}}))
    providers = parse_providers({"provider": [provider(server, "alpha", {"employees": "n"})]})
    df = companies(
        domain=["a.com", "linkedin.com", "lnk.example"], employees=[None, None, None]
    ).with_columns(domain_is_platform=pl.Series([False, None, True]))
    result = enrich_companies(df, providers, cache_dir=tmp_path)
    assert domains_asked(server, "/alpha") == ["a.com"]
    assert result.stats.no_domain == 2


def test_input_and_field_errors(server: HTTPServer, tmp_path: Path) -> None:
    providers = parse_providers({"provider": [provider(server, "alpha", {"employees": "n"})]})
    with pytest.raises(InputError, match="the list has no 'domain' column"):
        enrich_companies(pl.DataFrame({"name": ["x"]}), providers, cache_dir=tmp_path)
    with pytest.raises(ConfigError) as err:
        enrich_companies(
            companies(domain=["a.com"]), providers, cache_dir=tmp_path, fields=["phone"]
        )
    assert str(err.value) == "no provider fills phone: ask for fields among employees"


def test_post_body_and_name_placeholder(server: HTTPServer, tmp_path: Path) -> None:
    seen: list[tuple[str, Any]] = []

    def handle(request: Request) -> Response:
        seen.append((request.args.get("q", ""), request.get_json()))
        return Response(json.dumps({"data": {"size": 12}}), content_type="application/json")

    server.expect_request("/post", method="POST").respond_with_handler(handle)
    table = provider(
        server,
        "post",
        {"employees": "data.size"},
        method="POST",
        body={"domain": "{domain}", "options": {"tag": "lb-{name}"}, "n": 1},
    )
    table["url"] = server.url_for("/post") + "?q={name}"
    providers = parse_providers({"provider": [table]})
    df = companies(domain=["a.com"], name=["A & B Co"], employees=[None])
    result = enrich_companies(df, providers, cache_dir=tmp_path)
    assert result.companies["employees"].to_list() == [12]
    assert seen == [("A & B Co", {"domain": "a.com", "options": {"tag": "lb-A & B Co"}, "n": 1})]


def test_works_inside_a_running_event_loop(server: HTTPServer, tmp_path: Path) -> None:
    """Notebook users call it from a running loop; it must not fail on asyncio.run."""
    import asyncio

    server.expect_request("/alpha").respond_with_handler(json_handler({"a.com": {"n": 2}}))
    providers = parse_providers({"provider": [provider(server, "alpha", {"employees": "n"})]})

    async def inside() -> pl.DataFrame:
        df = companies(domain=["a.com"], employees=[None])
        return enrich_companies(df, providers, cache_dir=tmp_path).companies

    assert asyncio.run(inside())["employees"].to_list() == [2]


def test_lookup_jobs_one_per_usable_domain_with_what_it_misses() -> None:
    from listbuilder.http.enrich import EnrichStats, _lookup_jobs

    df = companies(
        domain=["b.com", "a.com", "b.com", None, "linkedin.com", "c.com"],
        name=["Beta", None, "Beta Inc", "Nameless", "Li", "Gamma"],
        employees=[None, 10, None, None, None, 50],
        industry=["SaaS", None, None, None, None, "Retail"],
    )
    stats = EnrichStats(accounts=df.height)
    jobs = _lookup_jobs(df, ["employees", "industry"], stats)
    # domain order; the first name given; a field is wanted when any row of the domain lacks it
    assert jobs == [("a.com", None, ["industry"]), ("b.com", "Beta", ["employees", "industry"])]
    assert (stats.complete, stats.no_domain, stats.looked_up, stats.domains) == (1, 2, 3, 2)
