"""Secrets stay secret, time and size stay bounded, bad CRM answers stay one line.

Every server here is a real one on 127.0.0.1 (pytest-httpserver, or a threaded
``http.server`` for the trickling one); "another host" is another origin on the same
machine (``localhost`` instead of ``127.0.0.1``, or another port), so a leaked
credential would really arrive there and be seen.
"""

from __future__ import annotations

import base64
import http.server
import json
import logging
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import polars as pl
import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from listbuilder.cli import main
from listbuilder.export.files import csv_bytes
from listbuilder.http import enrich_companies, parse_providers
from listbuilder.http.redact import Redactor, secret_forms
from listbuilder.schema import COMPANY_SCHEMA

TOKEN = "pat-na1/SECRET+tok=en/9917"  # '/', '+' and '=' change under every encoding
KEY = "sk_live/5ecret+Key=0042"


def forms(secret: str) -> list[str]:
    """The encodings a leak would take; none may appear anywhere."""
    return sorted(
        {
            secret,
            quote(secret, safe=""),
            re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(secret, safe="")),
            quote_plus(secret),
            json.dumps(secret)[1:-1].replace("/", "\\/"),
            base64.b64encode(secret.encode()).decode(),
        }
    )


def assert_no_secret(text: str, secret: str) -> None:
    for form in forms(secret):
        assert form not in text, f"{form!r} leaked"


@pytest.fixture
def other_server() -> Iterator[HTTPServer]:
    """A second server: another port, so another origin."""
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    yield srv
    srv.stop()


def cli(*args: str, env: dict[str, str]) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def write_targets(folder: Path, rows: list[dict[str, Any]]) -> Path:
    """targets.csv through the writer `build` uses (neutralised cells, BOM)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "targets.csv").write_bytes(csv_bytes(pl.DataFrame(rows)))
    return folder


ROW = {"rank": 1, "name": "Acme", "domain": "acme.com", "score": 91.0}


def sf_env() -> dict[str, str]:
    return {"SALESFORCE_TOKEN": TOKEN}


def sf_push(server: HTTPServer, folder: Path) -> Result:
    return cli("push", "salesforce", str(folder), "--base-url", server.url_for(""), env=sf_env())


# --- the token goes to one host -------------------------------------------------------


def test_secret_forms_cover_every_encoding() -> None:
    assert set(forms(TOKEN)) <= secret_forms(TOKEN)
    redact = Redactor([TOKEN])
    text = " ".join(forms(TOKEN))
    assert redact(text) == " ".join(["***"] * len(forms(TOKEN)))


@pytest.mark.parametrize("where", ["localhost", "other port"])
def test_salesforce_next_records_url_on_another_host_is_refused(
    server: HTTPServer, other_server: HTTPServer, tmp_path: Path, where: str
) -> None:
    if where == "localhost":
        elsewhere = server.url_for("/services/data/v60.0/query/01g-2000").replace(
            "127.0.0.1", "localhost"
        )
    else:
        elsewhere = other_server.url_for("/services/data/v60.0/query/01g-2000")
    other_server.expect_request("/services/data/v60.0/query/01g-2000").respond_with_json(
        {"done": True, "records": []}
    )
    server.expect_request("/services/data/v60.0/query").respond_with_json(
        {"done": False, "records": [], "nextRecordsUrl": elsewhere}
    )
    result = sf_push(server, write_targets(tmp_path / "out", [ROW]))
    host = "localhost" if where == "localhost" else "127.0.0.1"
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"Error: salesforce query: refused to follow a nextRecordsUrl on another host ({host})"
    )
    assert len(result.stderr.splitlines()) == 1
    assert other_server.log == []
    assert [r.path for r, _ in server.log] == ["/services/data/v60.0/query"]


def test_a_repeated_next_records_url_stops_instead_of_looping(
    server: HTTPServer, tmp_path: Path
) -> None:
    again = "/services/data/v60.0/query/01g-again"
    server.expect_request("/services/data/v60.0/query").respond_with_json(
        {"done": False, "records": [], "nextRecordsUrl": again}
    )
    server.expect_request(again).respond_with_json(
        {"done": False, "records": [], "nextRecordsUrl": again}
    )
    result = sf_push(server, write_targets(tmp_path / "out", [ROW]))
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: salesforce query: the same nextRecordsUrl came back twice with 'done' false; "
        "stopped instead of looping\n"
    )
    assert len(server.log) == 2


def test_a_redirect_to_another_host_is_refused(
    server: HTTPServer, other_server: HTTPServer, tmp_path: Path
) -> None:
    other_server.expect_request("/crm/v3/objects/companies/batch/read").respond_with_json(
        {"results": []}
    )
    server.expect_request("/crm/v3/objects/companies/batch/read").respond_with_response(
        Response(
            status=307,
            headers={"Location": other_server.url_for("/crm/v3/objects/companies/batch/read")},
        )
    )
    result = cli(
        "push", "hubspot", str(write_targets(tmp_path / "out", [ROW])), "--base-url",
        server.url_for(""), env={"HUBSPOT_TOKEN": TOKEN},
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: hubspot batch/read: refused to follow a redirect to another host (127.0.0.1)"
    )
    assert other_server.log == []


# --- masking by every encoding, not by literal string -----------------------------------


def test_an_error_body_echoing_the_token_is_masked_everywhere(
    server: HTTPServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    echo = json.dumps({"message": "bad request", "auth": TOKEN.replace("/", "\\/")})
    echo = echo.replace("\\\\/", "\\/")  # the token with '/' written as '\/', as PHP does
    echo += " url=" + quote(TOKEN, safe="") + " b64=" + base64.b64encode(TOKEN.encode()).decode()
    assert "\\/" in echo
    server.expect_request("/crm/v3/objects/companies/batch/read").respond_with_data(
        echo, status=400, content_type="application/json"
    )
    caplog.set_level(logging.DEBUG)
    result = cli(
        "push", "hubspot", str(write_targets(tmp_path / "out", [ROW])), "--base-url",
        server.url_for(""), env={"HUBSPOT_TOKEN": TOKEN},
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: cannot plan the push: batch/read: HTTP 400 (")
    assert "***" in result.stderr
    assert_no_secret(result.output, TOKEN)
    assert_no_secret(caplog.text, TOKEN)


def companies(domains: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"domain": domains, "name": [d.split(".")[0].title() for d in domains],
         "industry": [None] * len(domains), "employees": [None] * len(domains)},
        schema={"domain": pl.String, "name": pl.String, "industry": COMPANY_SCHEMA["industry"],
                "employees": COMPANY_SCHEMA["employees"]},
    )  # fmt: skip


def echoing_provider(request: Request) -> Response:
    """A provider that echoes the request URL (key included) in several encodings."""
    url = request.url  # the key URL-encoded, as it came on the wire
    body = {
        "request": {"url": url, "url_json_escaped": url.replace("/", "\\/")},
        "company": {"industry": f"Software (seen {request.args['api_key']})", "employees": 120},
        "debug": base64.b64encode(request.args["api_key"].encode()).decode(),
    }
    text = json.dumps(body).replace("\\\\/", "\\/")
    return Response(text, content_type="application/json")


def test_an_echoed_key_never_reaches_the_cache_or_the_output(
    server: HTTPServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server.expect_request("/lookup").respond_with_handler(echoing_provider)
    listed = tmp_path / "list.csv"
    listed.write_text("name,website\nAcme,acme.com\nGlobex,globex.io\n")
    providers = tmp_path / "providers.toml"
    providers.write_text(
        f"""[[provider]]
name = "echo"
url = "{server.url_for("/lookup")}?domain={{domain}}"
key_env = "ECHO_KEY"
key_param = "api_key"
rate_limit = 100
[provider.fields]
industry = "company.industry"
description = "request.url"
employees = "company.employees"
"""
    )
    out = tmp_path / "enriched.csv"
    cache = tmp_path / "cache"
    caplog.set_level(logging.DEBUG)
    result = cli(
        "enrich", str(listed), "--providers", str(providers), "--out", str(out),
        "--cache-dir", str(cache), env={"ECHO_KEY": KEY},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert all(r.args["api_key"] == KEY for r, _ in server.log)  # the key was really sent
    written = out.read_text(encoding="utf-8-sig")
    assert "Software (seen ***)" in written
    for path in cache.rglob("*"):
        if path.is_file():
            raw = path.read_bytes().decode("utf-8", errors="replace")
            assert_no_secret(raw, KEY)
    assert_no_secret(written, KEY)
    assert_no_secret(result.output, KEY)
    assert_no_secret(caplog.text, KEY)


# --- bounded in time and size ------------------------------------------------------------


class _Trickle(http.server.BaseHTTPRequestHandler):
    """Headers at once, then one byte a second: every read is quick, the answer never ends."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "60")
        self.end_headers()
        try:
            for _ in range(60):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            return  # the client hung up: what the deadline is for

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def trickle() -> Iterator[str]:
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    srv.daemon_threads = True
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_a_trickling_server_is_cut_at_the_whole_request_deadline(
    trickle: str, tmp_path: Path
) -> None:
    providers = parse_providers(
        {"provider": [{"name": "slow", "url": trickle + "/find?domain={domain}", "timeout": 3,
                       "retries": 0, "fields": {"employees": "n"}}]}
    )  # fmt: skip
    start = time.monotonic()
    result = enrich_companies(companies(["slow.com"]), providers, cache_dir=tmp_path)
    elapsed = time.monotonic() - start
    assert result.companies["enrich_error"].to_list() == ["slow: timeout after 1 attempt(s)"]
    assert elapsed < 15  # a 3 s deadline, not 60 one-byte reads of under 3 s each


def big_answer(request: Request) -> Response:
    """50 MB of valid JSON, streamed without a Content-Length."""

    def chunks() -> Iterator[bytes]:
        yield b'{"company": {"employees": 10, "description": "'
        block = b"x" * (1 << 20)
        for _ in range(50):
            yield block
        yield b'"}}'

    return Response(chunks(), content_type="application/json", direct_passthrough=True)


def test_answers_over_the_size_limit_are_dropped_not_cached(
    server: HTTPServer, tmp_path: Path
) -> None:
    server.expect_request("/big").respond_with_handler(big_answer)
    server.expect_request("/declared").respond_with_data(
        b"{}" + b" " * 6_000_000, content_type="application/json"
    )
    providers = parse_providers(
        {"provider": [
            {"name": "big", "url": server.url_for("/big") + "?domain={domain}", "retries": 0,
             "fields": {"employees": "company.employees"}, "concurrency": 2, "rate_limit": 100},
            {"name": "declared", "url": server.url_for("/declared") + "?domain={domain}",
             "retries": 0, "fields": {"employees": "company.employees"}, "rate_limit": 100},
        ]}
    )  # fmt: skip
    domains = ["a.com", "b.com", "c.com", "d.com"]
    result = enrich_companies(companies(domains), providers, cache_dir=tmp_path)
    errors = result.companies["enrich_error"].to_list()
    assert (
        errors
        == [
            "big: answer over 5,000,000 bytes (max_response_bytes), dropped and not cached; "
            "declared: answer over 5,000,000 bytes (max_response_bytes), dropped and not cached"
        ]
        * 4
    )
    size = sum(p.stat().st_size for p in tmp_path.rglob("*") if p.is_file())
    assert size < 1_000_000, size


# --- push on bad answers: one line, exit 2 ----------------------------------------------------


def hubspot_read_answer(server: HTTPServer, body: bytes, content_type: str) -> None:
    server.expect_request("/crm/v3/objects/companies/batch/read").respond_with_data(
        body, status=200, content_type=content_type
    )


BAD_ANSWERS = [
    (b"<html>Sign in</html>", "text/html",
     "Error: hubspot batch/read: the answer (HTTP 200, text/html) is not JSON "
     "(<html>Sign in</html>); is --base-url the hubspot API?"),
    (b"[1, 2]", "application/json",
     "Error: hubspot batch/read: unexpected answer (a JSON array, expected an object); "
     "is --base-url the hubspot API?"),
    (b'{"results": {"id": 1}}', "application/json",
     "Error: hubspot batch/read: unexpected answer ('results' is a JSON object); "
     "is --base-url the hubspot API?"),
    (b'{"results": [{"id": 5}]}', "application/json",
     "Error: hubspot batch/read: unexpected answer (a result without 'id' and 'properties'); "
     "is --base-url the hubspot API?"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "ctype", "message"), BAD_ANSWERS)
def test_hubspot_bad_answers_are_one_line(
    server: HTTPServer, tmp_path: Path, body: bytes, ctype: str, message: str
) -> None:
    hubspot_read_answer(server, body, ctype)
    result = cli(
        "push", "hubspot", str(write_targets(tmp_path / "out", [ROW])), "--base-url",
        server.url_for(""), env={"HUBSPOT_TOKEN": TOKEN},
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == message + "\n"
    assert "Traceback" not in result.output


SF_BAD = [
    ({"totalSize": 0}, "no 'records' list or 'done' flag"),
    ({"done": False, "records": []}, "'done' is false without a nextRecordsUrl"),
    ({"done": True, "records": ["x"]}, "a record that is a JSON string"),
]


@pytest.mark.parametrize(("answer", "detail"), SF_BAD)
def test_salesforce_unexpected_dicts_are_one_line(
    server: HTTPServer, tmp_path: Path, answer: dict, detail: str
) -> None:
    server.expect_request("/services/data/v60.0/query").respond_with_json(answer)
    result = sf_push(server, write_targets(tmp_path / "out", [ROW]))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: salesforce query: unexpected answer ({detail}); "
        "is --base-url the salesforce API?\n"
    )


def test_salesforce_upsert_answer_of_the_wrong_shape_is_one_line(
    server: HTTPServer, tmp_path: Path
) -> None:
    server.expect_request("/services/data/v60.0/query").respond_with_json(
        {"done": True, "records": []}
    )
    server.expect_request(
        "/services/data/v60.0/composite/sobjects/Account/Domain__c", method="PATCH"
    ).respond_with_json({"hasErrors": False})
    folder = write_targets(tmp_path / "out", [ROW])
    result = cli("push", "salesforce", str(folder), "--apply", "--base-url", server.url_for(""),
                 env=sf_env())  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: salesforce batch 1 upsert: unexpected answer (a JSON object, expected an array); "
        "is --base-url the salesforce API?\n"
    )


@pytest.mark.parametrize("bad", ["inf", "nan", "-Infinity", "lots"])
def test_non_finite_numbers_are_refused_before_any_request(
    server: HTTPServer, tmp_path: Path, bad: str
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "targets.csv").write_text(
        f"rank,name,domain,score\n1,Acme,acme.com,91\n2,Globex,globex.io,{bad}\n"
    )
    result = cli(
        "push", "hubspot", str(folder), "--base-url", server.url_for(""),
        env={"HUBSPOT_TOKEN": TOKEN},
    )  # fmt: skip
    kind = "not a number" if bad == "lots" else "not a finite number"
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: targets.csv: 1 number(s) that cannot be pushed, nothing sent: line 3 "
        f"(globex.io): score {bad!r} is {kind}; fix or clear these cells\n"
    )
    assert server.log == []


def test_values_neutralised_for_excel_are_pushed_as_they_were(
    server: HTTPServer, tmp_path: Path
) -> None:
    seen: list[dict] = []

    def read(request: Request) -> Response:
        return Response(json.dumps({"results": []}), content_type="application/json")

    def upsert(request: Request) -> Response:
        inputs = request.get_json()["inputs"]
        seen.extend(inputs)
        return Response(json.dumps({"results": [{"id": "1", "new": True}] * len(inputs)}),
                        content_type="application/json")  # fmt: skip

    server.expect_request("/crm/v3/objects/companies/batch/read").respond_with_handler(read)
    server.expect_request("/crm/v3/objects/companies/batch/upsert").respond_with_handler(upsert)
    rows = [
        {**ROW, "name": "+1+1", "why": "=HYPERLINK(1)"},
        {**ROW, "rank": 2, "domain": "b.com", "name": "'=quoted", "why": "-2+3"},
        {**ROW, "rank": 3, "domain": "c.com", "name": "Plain 'quote", "why": "@cmd"},
    ]
    folder = write_targets(tmp_path / "out", rows)
    on_disk = (folder / "targets.csv").read_text(encoding="utf-8-sig")
    assert "'+1+1" in on_disk and "''=quoted" in on_disk  # neutralised in the file
    result = cli(
        "push", "hubspot", str(folder), "--apply", "--base-url", server.url_for(""),
        env={"HUBSPOT_TOKEN": TOKEN},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    pushed = {i["id"]: (i["properties"]["name"], i["properties"]["listbuilder_why"]) for i in seen}
    assert pushed == {
        "acme.com": ("+1+1", "=HYPERLINK(1)"),
        "b.com": ("'=quoted", "-2+3"),
        "c.com": ("Plain 'quote", "@cmd"),
    }


def test_enrichment_never_follows_a_redirect_with_the_key(
    server: HTTPServer, other_server: HTTPServer, tmp_path: Path
) -> None:
    other_server.expect_request("/steal").respond_with_json({"employees": 5})
    server.expect_request("/find").respond_with_response(
        Response(status=302, headers={"Location": other_server.url_for("/steal")})
    )
    providers = parse_providers(
        {"provider": [{"name": "p", "url": server.url_for("/find") + "?domain={domain}",
                       "key_env": "P_KEY", "key_header": "X-Api-Key", "retries": 0,
                       "fields": {"employees": "employees"}}]}
    )  # fmt: skip
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("P_KEY", KEY)
        result = enrich_companies(companies(["a.com"]), providers, cache_dir=tmp_path)
    assert result.companies["enrich_error"].to_list() == ["p: HTTP 302"]
    assert other_server.log == []
    assert [r.headers.get("X-Api-Key") for r, _ in server.log] == [KEY]


def test_a_cache_written_by_an_older_version_is_scrubbed(
    server: HTTPServer, tmp_path: Path
) -> None:
    from listbuilder.http.cache import AnswerCache

    leaked = json.dumps({"employees": 7, "echo": "api_key=" + quote(KEY, safe="")})
    with AnswerCache(tmp_path) as cache:  # as an older version stored it
        cache.put("p", "old.com", found=True, body=leaked)
    server.expect_request("/find").respond_with_json({"employees": 9})
    providers = parse_providers(
        {"provider": [{"name": "p", "url": server.url_for("/find") + "?domain={domain}",
                       "key_env": "P_KEY", "key_param": "api_key",
                       "fields": {"employees": "employees"}}]}
    )  # fmt: skip
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("P_KEY", KEY)
        result = enrich_companies(companies(["old.com", "new.com"]), providers, cache_dir=tmp_path)
    assert result.companies["employees"].to_list() == [7, 9]
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert_no_secret(path.read_bytes().decode("utf-8", errors="replace"), KEY)
