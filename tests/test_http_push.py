"""CRM push against fake HubSpot and Salesforce servers on 127.0.0.1 that store by domain."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import polars as pl
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from listbuilder.errors import ConfigError
from listbuilder.http import plan_push, push_accounts

TOKEN = "pat-na1-SECRET-token-9917"


class FakeHubSpot:
    """Companies keyed by domain; batch read and batch upsert with HubSpot's shapes."""

    def __init__(self, srv: HTTPServer) -> None:
        self.store: dict[str, dict[str, Any]] = {}
        self.upserts: list[int] = []  # batch sizes
        self.reads: list[int] = []
        self.tokens: set[str] = set()
        self.fail_next: list[int] = []  # statuses to answer before working
        srv.expect_request(
            "/crm/v3/objects/companies/batch/read", method="POST"
        ).respond_with_handler(self.read)
        srv.expect_request(
            "/crm/v3/objects/companies/batch/upsert", method="POST"
        ).respond_with_handler(self.upsert)

    def seed(self, domain: str, **props: str) -> None:
        self.store[domain] = {
            "id": str(1000 + len(self.store)),
            "properties": {"domain": domain, **props},
        }

    def read(self, request: Request) -> Response:
        self.tokens.add(request.headers.get("Authorization", ""))
        body = request.get_json()
        assert body["idProperty"] == "domain"
        ids = [i["id"] for i in body["inputs"]]
        self.reads.append(len(ids))
        results = [self.store[d] for d in ids if d in self.store]
        errors = [
            {
                "status": "error",
                "category": "OBJECT_NOT_FOUND",
                "message": "not found",
                "context": {"ids": [d for d in ids if d not in self.store]},
            }
        ]
        status = 207 if len(results) < len(ids) else 200
        return Response(
            json.dumps({"status": "COMPLETE", "results": results, "errors": errors}),
            status=status,
            content_type="application/json",
        )

    def upsert(self, request: Request) -> Response:
        self.tokens.add(request.headers.get("Authorization", ""))
        if self.fail_next:
            return Response(status=self.fail_next.pop(0), headers={"Retry-After": "0"})
        inputs = request.get_json()["inputs"]
        if len(inputs) > 100:
            return Response(json.dumps({"message": "too many inputs"}), status=400)
        self.upserts.append(len(inputs))
        results = []
        for item in inputs:
            assert item["idProperty"] == "domain"
            domain = item["id"]
            new = domain not in self.store
            if new:
                self.seed(domain)
            self.store[domain]["properties"].update(item["properties"])
            results.append({**self.store[domain], "new": new})
        return Response(
            json.dumps({"status": "COMPLETE", "results": results}), content_type="application/json"
        )


class FakeSalesforce:
    """Accounts keyed by Domain__c; SOQL query and sObject Collections upsert."""

    def __init__(self, srv: HTTPServer, field: str = "Domain__c") -> None:
        self.field = field
        self.store: dict[str, dict[str, Any]] = {}
        self.upserts: list[int] = []
        self.queries = 0
        self.pages = 0
        self.pending: list[list[dict[str, Any]]] = []
        srv.expect_request(
            re.compile(r"^/services/data/v60\.0/query/01gNEXT-\d+$"), method="GET"
        ).respond_with_handler(self.next_page)
        srv.expect_request("/services/data/v60.0/query", method="GET").respond_with_handler(
            self.query
        )
        srv.expect_request(
            f"/services/data/v60.0/composite/sobjects/Account/{field}", method="PATCH"
        ).respond_with_handler(self.upsert)

    def query(self, request: Request) -> Response:
        self.queries += 1
        soql = request.args["q"]
        match = re.search(rf"FROM Account WHERE {self.field} IN \((.*)\)$", soql)
        assert match, soql
        domains = re.findall(r"'((?:[^'\\]|\\.)*)'", match.group(1))
        records = [
            {"attributes": {"type": "Account"}, "Id": self.store[d]["Id"], self.field: d}
            for d in domains
            if d in self.store
        ]
        return self._page(records)

    def _page(self, records: list[dict[str, Any]]) -> Response:
        """Pages of 150 records, the rest behind nextRecordsUrl, as Salesforce does."""
        body: dict[str, Any] = {"totalSize": len(records), "done": len(records) <= 150}
        body["records"] = records[:150]
        if len(records) > 150:
            self.pending.append(records[150:])
            body["nextRecordsUrl"] = f"/services/data/v60.0/query/01gNEXT-{len(self.pending)}"
        return Response(json.dumps(body), content_type="application/json")

    def next_page(self, request: Request) -> Response:
        self.pages += 1
        index = int(request.path.rsplit("-", 1)[1]) - 1
        return self._page(self.pending[index])

    def upsert(self, request: Request) -> Response:
        body = request.get_json()
        records = body["records"]
        if len(records) > 200:
            return Response(json.dumps([{"message": "EXCEEDED_ID_LIMIT"}]), status=400)
        self.upserts.append(len(records))
        out = []
        for rec in records:
            assert rec["attributes"] == {"type": "Account"}
            domain = rec[self.field]
            if not rec.get("Name"):
                out.append(
                    {
                        "success": False,
                        "errors": [{"message": "Required fields are missing: [Name]"}],
                    }
                )
                continue
            created = domain not in self.store
            if created:
                self.store[domain] = {"Id": f"001{len(self.store):012d}"}
            self.store[domain].update(rec)
            out.append(
                {"id": self.store[domain]["Id"], "success": True, "errors": [], "created": created}
            )
        return Response(json.dumps(out), content_type="application/json")


def targets(n: int, *, start: int = 0) -> pl.DataFrame:
    rows = [
        {
            "rank": str(i + 1),
            "name": f"Company {i}",
            "domain": f"company{i}.com",
            "website": f"https://www.company{i}.com",
            "score": f"{90 - i * 0.01:.2f}",
            "fit_score": "80.0",
            "signal_score": "10",
            "tier": "A",
            "why": "Mid-market size (+30)",
            "why_now": "Series B 20 days ago",
            "owner": "Dana",
            "employees": "1200",
            "revenue": "12500000",
            "industry": "Software",
            "country": "US",
            "state": "CA",
            "city": "San Francisco",
            "extra_column": "ignored",
        }
        for i in range(start, start + n)
    ]
    return pl.DataFrame(rows)


def test_hubspot_batches_and_idempotent_repush(server: HTTPServer) -> None:
    crm = FakeHubSpot(server)
    crm.seed("company3.com", name="Old name")
    df = targets(250)
    first = push_accounts(df, crm="hubspot", base_url=server.url_for(""), token=TOKEN, apply=True)
    assert crm.upserts == [100, 100, 50] and crm.reads == [100, 100, 50]
    assert (first.created, first.updated, first.failed) == (249, 1, 0)
    assert len(crm.store) == 250
    props = crm.store["company0.com"]["properties"]
    assert props == {
        "domain": "company0.com",
        "name": "Company 0",
        "website": "https://www.company0.com",
        "numberofemployees": "1200",
        "annualrevenue": "12500000.0",
        "city": "San Francisco",
        "state": "CA",
        "country": "US",
        "listbuilder_rank": "1",
        "listbuilder_score": "90.0",
        "listbuilder_fit_score": "80.0",
        "listbuilder_signal_score": "10.0",
        "listbuilder_tier": "A",
        "listbuilder_why": "Mid-market size (+30)",
        "listbuilder_why_now": "Series B 20 days ago",
        "listbuilder_owner": "Dana",
    }
    assert crm.store["company3.com"]["properties"]["name"] == "Company 3"
    second = push_accounts(df, crm="hubspot", base_url=server.url_for(""), token=TOKEN, apply=True)
    assert (second.created, second.updated, second.failed) == (0, 250, 0)
    assert len(crm.store) == 250
    assert crm.tokens == {f"Bearer {TOKEN}"}


def test_hubspot_dry_run_plan_writes_nothing(server: HTTPServer) -> None:
    crm = FakeHubSpot(server)
    crm.seed("company1.com")
    crm.seed("company4.com")
    df = pl.concat(
        [targets(5), pl.DataFrame({"name": ["No domain"], "domain": [None]}), targets(1)],
        how="diagonal",
    )
    plan = plan_push(df, crm="hubspot", base_url=server.url_for(""), token=TOKEN)
    assert crm.upserts == []
    assert plan.to_create == ["company0.com", "company2.com", "company3.com"]
    assert plan.to_update == ["company1.com", "company4.com"]
    assert (plan.skipped_no_domain, plan.duplicates, plan.batches) == (1, 1, 1)
    assert plan.summary(examples=2) == [
        "hubspot: 5 accounts: 3 to create, 2 to update, in 1 batch(es) of up to 100",
        "skipped: 1 without a company domain, 1 repeated domain(s)",
        "create e.g.: company0.com (Company 0), company2.com (Company 2)",
        "update e.g.: company1.com (Company 1, id 1000), company4.com (Company 4, id 1001)",
    ]
    result = push_accounts(df, crm="hubspot", base_url=server.url_for(""), token=TOKEN)
    assert not result.applied and result.created == 0 and crm.upserts == []


def test_hubspot_retries_429_then_succeeds(server: HTTPServer) -> None:
    crm = FakeHubSpot(server)
    crm.fail_next = [429, 502]
    result = push_accounts(
        targets(3),
        crm="hubspot",
        base_url=server.url_for(""),
        token=TOKEN,
        apply=True,
        rng=lambda: 0.0,
    )
    assert (result.created, result.failed) == (3, 0)
    assert crm.upserts == [3]


def test_hubspot_rejected_token_is_config_error(server: HTTPServer) -> None:
    server.expect_request("/crm/v3/objects/companies/batch/read").respond_with_data("", status=401)
    with pytest.raises(ConfigError) as err:
        plan_push(targets(2), crm="hubspot", base_url=server.url_for(""), token=TOKEN)
    assert str(err.value) == (
        "hubspot refused the token (HTTP 401) on batch/read: check the token and its "
        "permissions (companies/accounts read and write)"
    )


def test_salesforce_batches_idempotent_and_per_record_errors(
    server: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    crm = FakeSalesforce(server)
    df = targets(450).with_columns(
        pl.when(pl.col("domain") == "company7.com")
        .then(None)
        .otherwise(pl.col("name"))
        .alias("name")
    )
    base = server.url_for("")
    plan = plan_push(df, crm="salesforce", base_url=base, token=TOKEN)
    assert (len(plan.to_create), len(plan.to_update), plan.batches) == (450, 0, 3)
    first = push_accounts(df, crm="salesforce", base_url=base, token=TOKEN, apply=True)
    assert crm.upserts == [200, 200, 50]
    assert (first.created, first.updated, first.failed) == (449, 0, 1)
    assert first.errors == [("company7.com", "Required fields are missing: [Name]")]
    account = crm.store["company0.com"]
    assert {
        k: account[k]
        for k in (
            "Name",
            "NumberOfEmployees",
            "AnnualRevenue",
            "Listbuilder_Score__c",
            "Listbuilder_Tier__c",
            "Listbuilder_Why_Now__c",
            "Listbuilder_Owner__c",
            "BillingCountry",
        )
    } == {
        "Name": "Company 0",
        "NumberOfEmployees": 1200,
        "AnnualRevenue": 12500000.0,
        "Listbuilder_Score__c": 90.0,
        "Listbuilder_Tier__c": "A",
        "Listbuilder_Why_Now__c": "Series B 20 days ago",
        "Listbuilder_Owner__c": "Dana",
        "BillingCountry": "US",
    }
    second = push_accounts(df, crm="salesforce", base_url=base, token=TOKEN, apply=True)
    assert (second.created, second.updated) == (0, 449)
    assert crm.pages == 2  # 200 + 200 + 50 existing: two batches came back in two pages
    assert len(crm.store) == 449
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")
    assert "HTTP Request" in ours and TOKEN not in ours


def test_salesforce_custom_external_id(server: HTTPServer) -> None:
    crm = FakeSalesforce(server, field="Website_Domain__c")
    result = push_accounts(
        targets(2),
        crm="salesforce",
        base_url=server.url_for(""),
        token=TOKEN,
        apply=True,
        external_id="Website_Domain__c",
    )
    assert result.created == 2 and set(crm.store) == {"company0.com", "company1.com"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"crm": "pipedrive"}, "unknown CRM 'pipedrive': use one of hubspot, salesforce"),
        (
            {"crm": "salesforce", "base_url": None},
            "push salesforce needs --base-url: your instance URL, "
            "e.g. https://MyDomain.my.salesforce.com",
        ),
        (
            {"crm": "hubspot", "base_url": "api.hubapi.com"},
            "--base-url 'api.hubapi.com': use an http(s) URL",
        ),
        (
            {"crm": "hubspot", "token": ""},
            "push hubspot: the token is empty; set it in the environment",
        ),
    ],
)
def test_push_config_errors(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"base_url": "http://127.0.0.1:9", "token": TOKEN, **kwargs}
    with pytest.raises(ConfigError) as err:
        plan_push(targets(1), **args)
    assert str(err.value) == message


def _crm_result(crm: str) -> tuple[Any, Any]:
    from listbuilder.http.crm import PushPlan, PushResult, _Crm

    client = _Crm(crm, "https://example.my.salesforce.com", TOKEN, "Domain__c", None)
    plan = PushPlan(crm=crm, records=[], domains=[], names=[], existing={})
    return client, PushResult(plan=plan)


# (items of a composite answer) -> (created, updated, failed, errors)
SALESFORCE_ITEMS = [
    ([{"success": True, "created": True}, {"success": True}], (1, 1, 0, [])),
    (
        [{"success": False, "errors": [{"message": f"bad {TOKEN}"}, "x"]}, {"success": False}],
        (0, 0, 2, [("a.com", "bad ***; x"), ("b.com", "failed")]),
    ),
    (
        [{"success": False, "errors": {"message": "one"}}, {}],
        (0, 0, 2, [("a.com", "one"), ("b.com", "failed")]),
    ),
]


@pytest.mark.parametrize(("items", "expected"), SALESFORCE_ITEMS)
def test_count_salesforce(items: list[Any], expected: tuple[Any, ...]) -> None:
    client, result = _crm_result("salesforce")
    client._count_salesforce(items, ["a.com", "b.com"], result, "batch 1")
    assert (result.created, result.updated, result.failed, result.errors) == expected


def test_count_salesforce_refuses_a_short_answer() -> None:
    from listbuilder.http.crm import CrmError

    client, result = _crm_result("salesforce")
    with pytest.raises(CrmError, match="1 result\\(s\\) for 2 record\\(s\\)"):
        client._count_salesforce([{}], ["a.com", "b.com"], result, "batch 1")


def test_count_hubspot_counts_new_and_the_missing_as_failed() -> None:
    client, result = _crm_result("hubspot")
    data = {"results": [{"new": True}, {"new": False}], "errors": [{"message": "dup"}, "raw"]}
    client._count_hubspot(data, 4, result, "batch 2")
    assert (result.created, result.updated, result.failed) == (1, 1, 2)
    assert result.errors == [("batch 2", "dup"), ("batch 2", "raw")]
