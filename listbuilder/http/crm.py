"""Push a finished target list into HubSpot or Salesforce, idempotently, keyed by domain.

``plan_push`` reads what already exists (HubSpot batch read by ``domain``; Salesforce
SOQL on the external-id field) and says what would be created and updated;
``push_accounts(apply=True)`` upserts in the batch size each API accepts, so a
second push of the same list creates nothing new.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote

import httpx
import polars as pl

from listbuilder.errors import ConfigError, InputError, ListbuilderError
from listbuilder.http.redact import Redactor
from listbuilder.http.transport import (
    Answer,
    AnswerTooLarge,
    ForeignHostError,
    RetryPolicy,
    fetch,
    make_client,
    origin,
    run_sync,
    send_with_retry,
)

log = logging.getLogger("listbuilder.http")

CRMS = ("hubspot", "salesforce")
DEFAULT_BASE_URLS = {"hubspot": "https://api.hubapi.com"}
BATCH_SIZES = {"hubspot": 100, "salesforce": 200}
SALESFORCE_API = "v60.0"
SALESFORCE_OBJECT = "Account"
DEFAULT_EXTERNAL_ID = "Domain__c"

# targets.csv column -> CRM property. The listbuilder_* / Listbuilder_*__c properties
# are custom: create them in the CRM once (see docs/http.md).
HUBSPOT_PROPERTIES: dict[str, str] = {
    "name": "name",
    "domain": "domain",
    "website": "website",
    "employees": "numberofemployees",
    "revenue": "annualrevenue",
    "city": "city",
    "state": "state",
    "country": "country",
    "rank": "listbuilder_rank",
    "score": "listbuilder_score",
    "fit_score": "listbuilder_fit_score",
    "signal_score": "listbuilder_signal_score",
    "tier": "listbuilder_tier",
    "why": "listbuilder_why",
    "why_now": "listbuilder_why_now",
    "owner": "listbuilder_owner",
}
SALESFORCE_FIELDS: dict[str, str] = {
    "name": "Name",
    "website": "Website",
    "employees": "NumberOfEmployees",
    "revenue": "AnnualRevenue",
    "city": "BillingCity",
    "state": "BillingState",
    "country": "BillingCountry",
    "rank": "Listbuilder_Rank__c",
    "score": "Listbuilder_Score__c",
    "fit_score": "Listbuilder_Fit_Score__c",
    "signal_score": "Listbuilder_Signal_Score__c",
    "tier": "Listbuilder_Tier__c",
    "why": "Listbuilder_Why__c",
    "why_now": "Listbuilder_Why_Now__c",
    "owner": "Listbuilder_Owner__c",
}
_INTEGERS = {"employees", "rank"}
_FLOATS = {"revenue", "score", "fit_score", "signal_score"}
REQUEST_DEADLINE = 60.0  # seconds for one whole CRM request (connect, headers, body)
MAX_ANSWER_BYTES = 20_000_000  # a batch answer of 200 records is well under 1 MB
MAX_QUERY_PAGES = 100  # a query for 200 domains fits in one page; 100 is a runaway


class CrmError(ListbuilderError):
    """The CRM gave an answer push cannot use (not JSON, the wrong shape, a loop...)."""


@dataclass
class PushPlan:
    """What a push would do. ``records`` are the CRM payloads in list order."""

    crm: str
    records: list[dict[str, Any]]
    domains: list[str]
    names: list[str | None]
    existing: dict[str, str]  # domain -> CRM record id
    skipped_no_domain: int = 0  # none, or a platform domain (linkedin.com...) naming no company
    duplicates: int = 0  # later rows with a domain seen earlier in the list

    @property
    def to_create(self) -> list[str]:
        return [d for d in self.domains if d not in self.existing]

    @property
    def to_update(self) -> list[str]:
        return [d for d in self.domains if d in self.existing]

    @property
    def batches(self) -> int:
        size = BATCH_SIZES[self.crm]
        return (len(self.domains) + size - 1) // size

    def summary(self, *, examples: int = 3) -> list[str]:
        """Lines for the terminal: counts, then a few examples of each action."""
        lines = [
            f"{self.crm}: {len(self.domains)} accounts: {len(self.to_create)} to create, "
            f"{len(self.to_update)} to update, in {self.batches} batch(es) of up to "
            f"{BATCH_SIZES[self.crm]}"
        ]
        if self.skipped_no_domain or self.duplicates:
            lines.append(
                f"skipped: {self.skipped_no_domain} without a company domain, "
                f"{self.duplicates} repeated domain(s)"
            )
        names = dict(zip(self.domains, self.names, strict=True))
        create = [f"{d} ({names[d] or '?'})" for d in self.to_create[:examples]]
        update = [
            f"{d} ({names[d] or '?'}, id {self.existing[d]})" for d in self.to_update[:examples]
        ]
        if create:
            lines.append("create e.g.: " + ", ".join(create))
        if update:
            lines.append("update e.g.: " + ", ".join(update))
        return lines


@dataclass
class PushResult:
    plan: PushPlan
    applied: bool = False
    created: int = 0
    updated: int = 0
    failed: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (domain or batch, message)
    requests: int = 0


def read_targets(directory: str | Path) -> pl.DataFrame:
    """Read ``DIR/targets.csv`` (written by ``build``) as strings, columns by header name."""
    path = Path(directory) / "targets.csv"
    if not path.is_file():
        raise InputError(f"{path}: not found; point push at the output directory of `build`")
    try:
        df = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(f"{path}: cannot read the targets file ({exc})") from None
    # Our writer quoted cells a spreadsheet would run ('=..., '+1...): the quote is for
    # spreadsheets, not for the CRM, so it is taken off again here (headers too).
    from listbuilder.export.files import unneutralise_frame

    df = unneutralise_frame(df)
    df = df.rename({c: c.strip().lstrip("\ufeff").lower() for c in df.columns})
    if "domain" not in df.columns:
        raise InputError(f"{path}: no 'domain' column; push keys accounts by domain")
    return df


def plan_push(
    targets: pl.DataFrame,
    *,
    crm: str,
    base_url: str | None = None,
    token: str,
    external_id: str = DEFAULT_EXTERNAL_ID,
    rng: Callable[[], float] | None = None,
) -> PushPlan:
    """Fetch which of the targets already exist in the CRM; send nothing that writes."""
    client = _Crm(crm, base_url, token, external_id, rng)
    return run_sync(lambda: client.plan(targets))


def push_accounts(
    targets: pl.DataFrame,
    *,
    crm: str,
    base_url: str | None = None,
    token: str,
    apply: bool = False,
    external_id: str = DEFAULT_EXTERNAL_ID,
    rng: Callable[[], float] | None = None,
) -> PushResult:
    """Plan, then (with ``apply=True``) upsert every account keyed by domain."""
    client = _Crm(crm, base_url, token, external_id, rng)
    return run_sync(lambda: client.push(targets, apply=apply))


def _records(targets: pl.DataFrame, crm: str, external_id: str) -> PushPlan:
    mapping = HUBSPOT_PROPERTIES if crm == "hubspot" else SALESFORCE_FIELDS
    columns = [c for c in targets.columns if c in mapping or c == "domain"]
    from listbuilder.normalize.domains import PLATFORM_DOMAINS as platforms

    plan = PushPlan(crm=crm, records=[], domains=[], names=[], existing={})
    seen: set[str] = set()
    problems: list[str] = []
    for index, row in enumerate(targets.select(columns).iter_rows(named=True)):
        domain = (str(row.get("domain") or "")).strip().lower()
        if not domain or domain in platforms:
            plan.skipped_no_domain += 1
            continue
        if domain in seen:
            plan.duplicates += 1
            continue
        seen.add(domain)
        props: dict[str, Any] = {}
        for column, prop in mapping.items():
            try:
                value = _value(column, row.get(column), as_text=crm == "hubspot")
            except ValueError as exc:
                problems.append(f"line {index + 2} ({domain}): {column} {exc}")
                continue
            if value is not None:
                props[prop] = value
        if crm == "hubspot":
            props["domain"] = domain
            record = {"idProperty": "domain", "id": domain, "properties": props}
        else:
            record = {"attributes": {"type": SALESFORCE_OBJECT}, **props, external_id: domain}
        plan.records.append(record)
        plan.domains.append(domain)
        plan.names.append(row.get("name"))
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise InputError(
            f"targets.csv: {len(problems)} number(s) that cannot be pushed, nothing sent: "
            + "; ".join(problems[:3])
            + more
            + "; fix or clear these cells"
        )
    return plan


def _value(column: str, raw: Any, *, as_text: bool) -> Any:
    """The CRM value of one cell; ValueError for a number that is not a finite number."""
    if raw is None or str(raw).strip() == "":
        return None
    text = str(raw).strip()
    if column in _INTEGERS or column in _FLOATS:
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            raise ValueError(f"{text[:40]!r} is not a number") from None
        if not math.isfinite(number):
            raise ValueError(f"{text[:40]!r} is not a finite number")
        if column in _INTEGERS:
            number = int(number)
        return str(number) if as_text else number
    return text


class _Crm:
    def __init__(
        self,
        crm: str,
        base_url: str | None,
        token: str,
        external_id: str,
        rng: Callable[[], float] | None,
    ) -> None:
        if crm not in CRMS:
            raise ConfigError(f"unknown CRM {crm!r}: use one of {', '.join(CRMS)}")
        base = base_url or DEFAULT_BASE_URLS.get(crm)
        if not base:
            raise ConfigError(
                f"push {crm} needs --base-url: your instance URL, "
                "e.g. https://MyDomain.my.salesforce.com"
            )
        if not base.startswith(("http://", "https://")):
            raise ConfigError(f"--base-url {base!r}: use an http(s) URL")
        if not token:
            raise ConfigError(f"push {crm}: the token is empty; set it in the environment")
        if not external_id.replace("_", "").isalnum():
            raise ConfigError(f"--external-id {external_id!r}: use a field API name like Domain__c")
        self.crm, self.base, self.token, self.external_id = (
            crm,
            base.rstrip("/"),
            token,
            external_id,
        )
        self.policy = RetryPolicy(
            retries=4, backoff=1.0, max_backoff=60.0, rng=rng or random.random
        )
        self.requests = 0
        self.redact = Redactor([token])
        self.origin = origin(self.base)

    def _client(self) -> httpx.AsyncClient:
        return make_client(
            secret=self.token,
            header="Authorization",
            prefix="Bearer ",
            concurrency=1,
            timeout=REQUEST_DEADLINE,
            base_url=self.base,
        )

    async def _call(
        self, client: httpx.AsyncClient, method: str, url: str, what: str, **kwargs: Any
    ) -> Answer | str:
        async def send() -> Answer:
            self.requests += 1
            return await fetch(
                client,
                method,
                url,
                deadline=REQUEST_DEADLINE,
                max_bytes=MAX_ANSWER_BYTES,
                **kwargs,
            )

        try:
            outcome = await send_with_retry(send, self.policy, label=f"{self.crm} {what}")
        except AnswerTooLarge as exc:
            raise CrmError(
                f"{self.crm} {what}: answer over {exc.limit:,} bytes, refused; "
                "is --base-url the CRM's API?"
            ) from None
        if outcome.response is None:
            return f"{what}: {outcome.error}"
        status = outcome.response.status_code
        if status in (401, 403):
            raise ConfigError(
                f"{self.crm} refused the token (HTTP {status}) on {what}: check the token "
                "and its permissions (companies/accounts read and write)"
            )
        if 300 <= status < 400:
            location = outcome.response.headers.get("Location", "")
            where = httpx.URL(self.base).join(location) if location else None
            if where is not None and origin(where) != self.origin:
                raise ForeignHostError(
                    f"{self.crm} {what}: refused to follow a redirect to another host "
                    f"({self.redact(where.host)}); the token only goes to {self.origin[1]}"
                )
            return f"{what}: HTTP {status} (redirect not followed: use the final URL as --base-url)"
        if not 200 <= status < 300:
            return f"{what}: HTTP {status} {_brief(outcome.response, self.redact)}"
        return outcome.response

    def _json(self, answer: Answer, what: str, kind: type) -> Any:
        """The answer's JSON when it is a `kind` (dict or list); else one-line CrmError."""
        try:
            data = answer.json()
        except ValueError:
            ctype = answer.headers.get("Content-Type", "no content type")
            raise CrmError(
                f"{self.crm} {what}: the answer (HTTP {answer.status_code}, {ctype}) is not "
                f"JSON {_brief(answer, self.redact)}; is --base-url the {self.crm} API?"
            ) from None
        if not isinstance(data, kind):
            self._unexpected(what, f"a JSON {_json_type(data)}, expected an {_json_type(kind())}")
        return data

    def _unexpected(self, what: str, detail: str) -> NoReturn:
        raise CrmError(
            f"{self.crm} {what}: unexpected answer ({self.redact(detail)}); "
            f"is --base-url the {self.crm} API?"
        )

    async def plan(self, targets: pl.DataFrame) -> PushPlan:
        async with self._client() as client:
            return await self._plan(client, targets)

    async def _plan(self, client: httpx.AsyncClient, targets: pl.DataFrame) -> PushPlan:
        plan = _records(targets, self.crm, self.external_id)
        size = BATCH_SIZES[self.crm]
        for start in range(0, len(plan.domains), size):
            chunk = plan.domains[start : start + size]
            found = await (self._hubspot_read if self.crm == "hubspot" else self._sf_query)(
                client, chunk
            )
            plan.existing.update(found)
        return plan

    async def _hubspot_read(self, client: httpx.AsyncClient, domains: list[str]) -> dict[str, str]:
        body = {
            "idProperty": "domain",
            "properties": ["domain"],
            "inputs": [{"id": d} for d in domains],
        }
        response = await self._call(
            client, "POST", "/crm/v3/objects/companies/batch/read", "batch/read", json=body
        )
        if isinstance(response, str):
            raise ConfigError(f"cannot plan the push: {response}")
        data = self._json(response, "batch/read", dict)
        results = data.get("results", [])
        if not isinstance(results, list):
            self._unexpected("batch/read", f"'results' is a JSON {_json_type(results)}")
        found = {}
        wanted = set(domains)
        for item in results:
            props = item.get("properties") if isinstance(item, dict) else None
            if not isinstance(props, dict) or not isinstance(item.get("id"), str | int):
                self._unexpected("batch/read", "a result without 'id' and 'properties'")
            domain = str(props.get("domain") or "").lower()
            if domain in wanted:
                found[domain] = str(item["id"])
        return found

    async def _sf_query(self, client: httpx.AsyncClient, domains: list[str]) -> dict[str, str]:
        quoted = ",".join("'" + d.replace("\\", "\\\\").replace("'", "\\'") + "'" for d in domains)
        soql = (
            f"SELECT Id, {self.external_id} FROM {SALESFORCE_OBJECT} "
            f"WHERE {self.external_id} IN ({quoted})"
        )
        url: str | None = f"/services/data/{SALESFORCE_API}/query?q={quote(soql, safe='')}"
        found: dict[str, str] = {}
        seen: set[str] = set()
        pages = 0
        while url:
            pages += 1
            response = await self._call(client, "GET", url, "query")
            if isinstance(response, str):
                raise ConfigError(f"cannot plan the push: {response}")
            data = self._json(response, "query", dict)
            records, done = data.get("records"), data.get("done", True)
            if not isinstance(records, list) or not isinstance(done, bool):
                self._unexpected("query", "no 'records' list or 'done' flag")
            for rec in records:
                if not isinstance(rec, dict):
                    self._unexpected("query", f"a record that is a JSON {_json_type(rec)}")
                domain = str(rec.get(self.external_id) or "").lower()
                if domain:
                    found[domain] = str(rec.get("Id"))
            if done:
                break
            url = self._next_page(data.get("nextRecordsUrl"), seen, pages)
        return found

    def _next_page(self, link: Any, seen: set[str], pages: int) -> str:
        """Check a `nextRecordsUrl`: on the instance's own host, new, within the page cap."""
        if not isinstance(link, str) or not link.strip():
            self._unexpected("query", "'done' is false without a nextRecordsUrl")
        target = httpx.URL(self.base).join(link)
        if origin(target) != self.origin:
            raise ForeignHostError(
                f"{self.crm} query: refused to follow a nextRecordsUrl on another host "
                f"({self.redact(target.host)}); the token only goes to {self.origin[1]}"
            )
        key = str(target)
        if key in seen:
            raise CrmError(
                f"{self.crm} query: the same nextRecordsUrl came back twice with 'done' false; "
                "stopped instead of looping"
            )
        if pages >= MAX_QUERY_PAGES:
            raise CrmError(
                f"{self.crm} query: more than {MAX_QUERY_PAGES} pages for one batch; stopped"
            )
        seen.add(key)
        return link

    async def push(self, targets: pl.DataFrame, *, apply: bool) -> PushResult:
        async with self._client() as client:
            plan = await self._plan(client, targets)
            result = PushResult(plan=plan, applied=apply)
            if apply:
                size = BATCH_SIZES[self.crm]
                for start in range(0, len(plan.records), size):
                    batch = plan.records[start : start + size]
                    domains = plan.domains[start : start + size]
                    number = start // size + 1
                    try:
                        await self._upsert(client, batch, domains, result, number)
                    except CrmError as exc:
                        if number == 1:
                            raise
                        raise CrmError(
                            f"{exc}; batches 1-{number - 1} were written: pushing again is "
                            "safe (upsert by domain)"
                        ) from None
        result.requests = self.requests
        log.info(
            "%s push: %d created, %d updated, %d failed",
            self.crm,
            result.created,
            result.updated,
            result.failed,
        )
        return result

    async def _upsert(
        self,
        client: httpx.AsyncClient,
        batch: list[dict[str, Any]],
        domains: list[str],
        result: PushResult,
        number: int,
    ) -> None:
        """Send batch `number`; count what the CRM created, updated and refused in `result`."""
        if self.crm == "hubspot":
            url = "/crm/v3/objects/companies/batch/upsert"
            response = await self._call(
                client, "POST", url, f"batch/upsert #{number}", json={"inputs": batch}
            )
        else:
            url = (
                f"/services/data/{SALESFORCE_API}/composite/sobjects/"
                f"{SALESFORCE_OBJECT}/{self.external_id}"
            )
            response = await self._call(
                client,
                "PATCH",
                url,
                f"composite upsert #{number}",
                json={"allOrNone": False, "records": batch},
            )
        if isinstance(response, str):
            result.failed += len(batch)
            result.errors.append((f"batch {number}", response))
            return
        written = f"batch {number}"
        if self.crm == "hubspot":
            data = self._json(response, f"{written} upsert", dict)
            self._count_hubspot(data, len(batch), result, written)
        else:
            items = self._json(response, f"{written} upsert", list)
            self._count_salesforce(items, domains, result, written)

    def _count_hubspot(
        self, data: dict[str, Any], size: int, result: PushResult, written: str
    ) -> None:
        """HubSpot's batch answer: one result per record written (`new` when created), the
        records missing from it failed, with the answer's `errors`."""
        results = data.get("results", [])
        if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
            self._unexpected(f"{written} upsert", "'results' is not a list of objects")
        created = sum(1 for r in results if r.get("new") is True)
        result.created += created
        result.updated += len(results) - created
        missing = size - len(results)
        if missing > 0:
            result.failed += missing
            errors = data.get("errors", [])
            for err in errors if isinstance(errors, list) else [errors]:
                message = err.get("message", err) if isinstance(err, dict) else err
                result.errors.append((written, self.redact(str(message))[:200]))

    def _count_salesforce(
        self, items: list[Any], domains: list[str], result: PushResult, written: str
    ) -> None:
        """Salesforce's composite answer: one item per record, in the batch's order."""
        if len(items) != len(domains) or not all(isinstance(i, dict) for i in items):
            self._unexpected(
                f"{written} upsert", f"{len(items)} result(s) for {len(domains)} record(s)"
            )
        for domain, item in zip(domains, items, strict=True):
            if item.get("success") is True:
                if item.get("created") is True:
                    result.created += 1
                else:
                    result.updated += 1
            else:
                result.failed += 1
                errors = item.get("errors", [])
                errors = errors if isinstance(errors, list) else [errors]
                messages = "; ".join(
                    str(e.get("message", e) if isinstance(e, dict) else e) for e in errors
                )
                result.errors.append((domain, self.redact(messages)[:200] or "failed"))


def _json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, as an API's documentation says it."""
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def _brief(response: Answer, redact: Redactor) -> str:
    """The start of an answer's body, on one line, with every form of the token masked."""
    text = redact(response.text.strip().replace("\n", " ").replace("\r", " "))
    return f"({text[:160]})" if text else ""
