"""`listbuilder push` through click's CliRunner, against a fake HubSpot on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from listbuilder.cli import main

TOKEN = "pat-cli-SECRET-0001"
HEADER = (
    "rank,name,domain,website,score,fit_score,signal_score,tier,why,why_now,owner,"
    "employees,revenue,industry,country,state,city,extra\n"
)


@pytest.fixture
def hubspot(server: HTTPServer) -> dict[str, str]:
    """A HubSpot stand-in storing companies by domain; returns the store."""
    store = {"beta.io": "2001"}

    def read(request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return Response(status=401)
        ids = [i["id"] for i in request.get_json()["inputs"]]
        results = [{"id": store[d], "properties": {"domain": d}} for d in ids if d in store]
        return Response(
            json.dumps({"status": "COMPLETE", "results": results}),
            status=207,
            content_type="application/json",
        )

    def upsert(request: Request) -> Response:
        results = []
        for item in request.get_json()["inputs"]:
            if item["properties"].get("name") == "Broken":
                continue
            new = item["id"] not in store
            store.setdefault(item["id"], str(3000 + len(store)))
            results.append({"id": store[item["id"]], "new": new})
        errors = [{"message": "Property values were not valid"}] * (
            len(request.get_json()["inputs"]) - len(results)
        )
        return Response(
            json.dumps({"status": "COMPLETE", "results": results, "errors": errors}),
            status=207 if errors else 200,
            content_type="application/json",
        )

    server.expect_request("/crm/v3/objects/companies/batch/read").respond_with_handler(read)
    server.expect_request("/crm/v3/objects/companies/batch/upsert").respond_with_handler(upsert)
    return store


def write_targets(directory: Path, *rows: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "targets.csv").write_text(
        HEADER + "".join(r + "\n" for r in rows), encoding="utf-8"
    )
    return directory


ROWS = (
    "1,Acme,acme.com,https://acme.com,91.5,80,11.5,A,fits,funding,Dana,1200,1e7,Software,US,CA,SF,x",
    "2,Beta,beta.io,https://beta.io,85,85,0,A,fits,,Lee,300,,Software,GB,,London,x",
    "3,Gamma,gamma.dev,,70,60,10,B,fits,hiring,Dana,50,,,US,NY,NYC,x",
    "4,Nodomain,,,60,60,0,C,fits,,,,,,,,,x",
    "5,Lighthouse,linkedin.com,linkedin.com/company/lh,60,60,0,C,fits,,,,,,,,,x",
)


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_dry_run_is_the_default(
    server: HTTPServer, hubspot: dict[str, str], tmp_path: Path
) -> None:
    out = write_targets(tmp_path / "out", *ROWS)
    result = run(
        "push", "hubspot", str(out), "--base-url", server.url_for(""), env={"HUBSPOT_TOKEN": TOKEN}
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "hubspot: 3 accounts: 2 to create, 1 to update, in 1 batch(es) of up to 100\n"
        "skipped: 2 without a company domain, 0 repeated domain(s)\n"
        "create e.g.: acme.com (Acme), gamma.dev (Gamma)\n"
        "update e.g.: beta.io (Beta, id 2001)\n"
        "dry run: nothing written; run again with --apply to push\n"
    )
    assert [r.path for r, _ in server.log] == ["/crm/v3/objects/companies/batch/read"]


def test_apply_then_reapply_creates_nothing_new(
    server: HTTPServer, hubspot: dict[str, str], tmp_path: Path
) -> None:
    out = write_targets(tmp_path / "out", *ROWS)
    args = (
        "push",
        "hubspot",
        str(out),
        "--apply",
        "--base-url",
        server.url_for(""),
        "--token-env",
        "MY_HS",
    )
    first = run(*args, env={"MY_HS": TOKEN})
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines()[-1] == "pushed: 2 created, 1 updated, 0 failed"
    second = run(*args, env={"MY_HS": TOKEN})
    assert second.stdout.splitlines()[0] == (
        "hubspot: 3 accounts: 0 to create, 3 to update, in 1 batch(es) of up to 100"
    )
    assert second.stdout.splitlines()[-1] == "pushed: 0 created, 3 updated, 0 failed"
    assert sorted(hubspot) == ["acme.com", "beta.io", "gamma.dev"]
    assert TOKEN not in first.output + second.output


def test_failed_records_exit_1(server: HTTPServer, hubspot: dict[str, str], tmp_path: Path) -> None:
    out = write_targets(tmp_path / "out", ROWS[0], ROWS[1].replace("Beta", "Broken"))
    result = run(
        "push",
        "hubspot",
        str(out),
        "--apply",
        "--base-url",
        server.url_for(""),
        env={"HUBSPOT_TOKEN": TOKEN},
    )
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "pushed: 1 created, 0 updated, 1 failed"
    assert result.stderr == "  batch 1: Property values were not valid\n"


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["hubspot", "{dir}"],
            {"HUBSPOT_TOKEN": ""},
            "environment variable HUBSPOT_TOKEN is not set: export HUBSPOT_TOKEN=<your hubspot "
            "token> or name another variable with --token-env",
        ),
        (
            ["salesforce", "{dir}", "--token-env", "SF_PROD"],
            {"SF_PROD": ""},
            "environment variable SF_PROD is not set: export SF_PROD=<your salesforce token> "
            "or name another variable with --token-env",
        ),
        (
            ["salesforce", "{dir}"],
            {"SALESFORCE_TOKEN": TOKEN},
            "push salesforce needs --base-url: your instance URL, "
            "e.g. https://MyDomain.my.salesforce.com",
        ),
        (
            ["hubspot", "{missing}"],
            {"HUBSPOT_TOKEN": TOKEN},
            "{missing}/targets.csv: not found; point push at the output directory of `build`",
        ),
        (
            ["hubspot", "{dir}", "--base-url", "{url}"],
            {"HUBSPOT_TOKEN": "wrong"},
            "hubspot refused the token (HTTP 401) on batch/read: check the token and its "
            "permissions (companies/accounts read and write)",
        ),
    ],
)
def test_errors_are_one_line_exit_2(
    server: HTTPServer,
    hubspot: dict[str, str],
    tmp_path: Path,
    args: list[str],
    env: dict[str, str],
    message: str,
) -> None:
    out = write_targets(tmp_path / "out", *ROWS)
    subs = {"dir": str(out), "missing": str(tmp_path / "nope"), "url": server.url_for("")}
    result = run("push", *[a.format(**subs) for a in args], env=env)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {message.format(**subs)}\n"
