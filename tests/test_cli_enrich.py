"""`listbuilder enrich` through click's CliRunner, against a provider on 127.0.0.1."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import listbuilder.ingest
import listbuilder.normalize
from listbuilder.cli import main
from listbuilder.schema import COMPANY_SCHEMA

KEY = "cli-SECRET-key-771"


def answer(request: Request) -> Response:
    domain = request.args["domain"]
    if request.headers.get("X-Api-Key") != KEY:
        return Response(status=401)
    if domain == "acme.com":
        body = {"employees": 250, "tech": ["Salesforce", "Slack"], "secret_echo": KEY}
        return Response(json.dumps(body), content_type="application/json")
    return Response(status=404)


def write_providers(tmp_path: Path, srv: HTTPServer, **extra: str) -> Path:
    lines = [
        "[[provider]]",
        'name = "acme"',
        f'url = "{srv.url_for("/v1/companies")}?domain={{domain}}"',
        'key_env = "LB_CLI_KEY"',
        'key_header = "X-Api-Key"',
        "rate_limit = 100",
        "retries = 0",
        *[f"{k} = {v}" for k, v in extra.items()],
        "[provider.fields]",
        'employees = "employees"',
        'technologies = "tech"',
    ]
    path = tmp_path / "providers.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def fake_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand-ins for ingest + normalize, so this file tests only the enrich command."""
    frame = pl.DataFrame(
        {
            "row_id": [1, 2, 3],
            "name": ["Acme", "Nowhere", "=cmd()"],
            "domain": ["acme.com", "nowhere.io", None],
            "employees": [None, None, None],
            "technologies": [None, None, None],
        },
        schema={
            "row_id": pl.Int64,
            "name": pl.String,
            "domain": pl.String,
            "employees": COMPANY_SCHEMA["employees"],
            "technologies": COMPANY_SCHEMA["technologies"],
        },
    )
    monkeypatch.setattr(
        listbuilder.ingest,
        "read_companies",
        lambda paths, **kw: SimpleNamespace(companies=frame, rejects=pl.DataFrame()),
        raising=False,
    )
    monkeypatch.setattr(
        listbuilder.normalize,
        "normalize_companies",
        lambda df: (df, pl.DataFrame()),
        raising=False,
    )


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_enrich_writes_csv_with_lineage_and_no_key(
    server: HTTPServer, tmp_path: Path, fake_reader: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.expect_request("/v1/companies").respond_with_handler(answer)
    monkeypatch.setenv("LB_CLI_KEY", KEY)
    providers = write_providers(tmp_path, server)
    out = tmp_path / "enriched.csv"
    cache = tmp_path / "cache"
    result = run(
        "enrich",
        "list.csv",
        "--providers",
        str(providers),
        "--out",
        str(out),
        "--cache-dir",
        str(cache),
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "3 accounts: 0 complete, 1 skipped without a domain, 2 to look up (2 domains)\n"
        "  acme: 2 lookups, 0 cached, 2 requests (0 retries), 1 found, 1 not found, 0 errors\n"
        "filled: employees 1, technologies 1\n"
        f"enriched 1 accounts, 0 with errors; wrote {out}\n"
    )
    written = pl.read_csv(out)
    assert written.rows() == [
        (
            1,
            "Acme",
            "acme.com",
            250,
            "Salesforce; Slack",
            "employees=acme; technologies=acme",
            None,
        ),
        (2, "Nowhere", "nowhere.io", None, None, None, None),
        (3, "'=cmd()", None, None, None, None, None),
    ]
    # the key is nowhere: stdout, stderr, the output, the cache files
    assert KEY not in result.output
    for path in [out, *cache.iterdir()]:
        assert KEY.encode() not in path.read_bytes(), path.name

    # a re-run is served by the cache, including the not-found answer: no key needed
    monkeypatch.delenv("LB_CLI_KEY")
    again = run(
        "enrich",
        "list.csv",
        "--providers",
        str(providers),
        "--out",
        str(tmp_path / "again.parquet"),
        "--cache-dir",
        str(cache),
    )
    assert again.exit_code == 0
    assert "  acme: 2 lookups, 2 cached, 0 requests (0 retries)" in again.stdout
    assert len(server.log) == 2
    parquet = pl.read_parquet(tmp_path / "again.parquet")
    assert parquet["technologies"].to_list() == [["Salesforce", "Slack"], None, None]


def test_enrich_dry_run_needs_no_key_and_sends_nothing(
    server: HTTPServer, tmp_path: Path, fake_reader: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LB_CLI_KEY", raising=False)
    providers = write_providers(tmp_path, server)
    result = run(
        "enrich",
        "list.csv",
        "--providers",
        str(providers),
        "--dry-run",
        "--cache-dir",
        str(tmp_path / "c"),
    )
    assert result.exit_code == 0
    assert result.stdout == (
        "3 accounts: 0 complete, 1 skipped without a domain, 2 to look up (2 domains)\n"
        "dry run: no request sent; requests each provider would receive (at most):\n"
        "  acme: 2 requests (0 answered by the cache)\n"
    )
    assert server.log == []


def test_cache_dir_from_environment(
    server: HTTPServer, tmp_path: Path, fake_reader: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.expect_request("/v1/companies").respond_with_handler(answer)
    monkeypatch.setenv("LB_CLI_KEY", KEY)
    monkeypatch.setenv("LISTBUILDER_CACHE_DIR", str(tmp_path / "envcache"))
    providers = write_providers(tmp_path, server)
    result = run("enrich", "x.csv", "--providers", str(providers), "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 0
    with sqlite3.connect(tmp_path / "envcache" / "enrich-cache.sqlite") as db:
        assert db.execute("SELECT count(*) FROM answers").fetchone() == (2,)
    db.close()


def test_config_errors_are_one_line_exit_2(
    server: HTTPServer, tmp_path: Path, fake_reader: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = write_providers(tmp_path, server)
    (tmp_path / "bad").mkdir()
    bad = write_providers(tmp_path / "bad", server, concurrency="0")
    cases = [
        (
            ["--providers", str(tmp_path / "none.toml"), "--out", "o.csv"],
            f"{tmp_path / 'none.toml'}: providers file not found; check the path",
        ),
        (
            ["--providers", str(good)],
            "enrich: --out FILE is missing; name the output (.csv or .parquet)",
        ),
        (
            ["--providers", str(good), "--out", "o.xlsx"],
            "--out o.xlsx: unknown extension '.xlsx'; use .csv or .parquet",
        ),
        (
            ["--providers", str(good), "--out", str(tmp_path / "o.csv")],
            f"{good}: provider 'acme' reads its key from the environment variable LB_CLI_KEY, "
            "which is not set; export LB_CLI_KEY=<your key> and run again",
        ),
        (
            ["--providers", str(bad), "--out", "o.csv"],
            f"{bad}: 1 problem(s) in the providers file: provider 'acme': concurrency: invalid "
            "value 0; expected requests in flight at once, an integer >= 1",
        ),
    ]
    monkeypatch.delenv("LB_CLI_KEY", raising=False)
    for args, message in cases:
        result = run("enrich", "list.csv", *args, "--cache-dir", str(tmp_path / "c"))
        assert result.exit_code == 2, args
        assert result.stderr == f"Error: {message}\n"
        assert "Traceback" not in result.output
    assert server.log == []


def test_enrich_end_to_end_with_real_reader(
    server: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    try:
        from listbuilder.ingest import read_companies  # noqa: F401
        from listbuilder.normalize import normalize_companies  # noqa: F401
    except ImportError:
        pytest.skip("listbuilder.ingest.read_companies / normalize_companies not written yet")
    server.expect_request("/v1/companies").respond_with_handler(answer)
    monkeypatch.setenv("LB_CLI_KEY", KEY)
    source = tmp_path / "list.csv"
    source.write_text(
        "Company Name,Website\nAcme Inc,https://www.acme.com\nNowhere,nowhere.io\n???,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    result = run(
        "enrich",
        str(source),
        "--providers",
        str(write_providers(tmp_path, server)),
        "--out",
        str(out),
        "--cache-dir",
        str(tmp_path / "c"),
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "1 rows rejected (unreadable, or no usable name or domain): not in --out"
    )
    written = pl.read_csv(out)
    assert written.height == 2
    acme = written.filter(pl.col("domain") == "acme.com")
    assert acme["employees"].to_list() == [250]
    assert acme["enriched_from"].to_list() == ["employees=acme; technologies=acme"]
    assert KEY.encode() not in out.read_bytes()


def test_help_has_examples() -> None:
    for command in ("enrich", "push"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Example:" in result.output


def test_failed_lookups_are_summarised_not_fatal(
    server: HTTPServer, tmp_path: Path, fake_reader: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def flaky(request: Request) -> Response:
        if request.args["domain"] == "nowhere.io":
            return Response(f"upstream broke {KEY}", status=500)
        return answer(request)

    server.expect_request("/v1/companies").respond_with_handler(flaky)
    monkeypatch.setenv("LB_CLI_KEY", KEY)
    out = tmp_path / "o.csv"
    result = run(
        "enrich",
        "l.csv",
        "--providers",
        str(write_providers(tmp_path, server)),
        "--out",
        str(out),
        "--cache-dir",
        str(tmp_path / "c"),
    )
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-2:] == [
        "  error e.g.: nowhere.io: acme: HTTP 500 after 1 attempt(s)",
        f"enriched 1 accounts, 1 with errors; wrote {out}",
    ]
    assert result.stderr == ""
    assert pl.read_csv(out)["enrich_error"].to_list() == [
        None,
        "acme: HTTP 500 after 1 attempt(s)",
        None,
    ]
    assert KEY not in result.output and KEY.encode() not in out.read_bytes()
