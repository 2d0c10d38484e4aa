"""Push a finished target list into HubSpot or Salesforce, idempotently, keyed by domain.

``plan_push`` reads what already exists (HubSpot batch read by ``domain``; Salesforce
SOQL on the external-id field) and says what would be created and updated;
``push_accounts(apply=True)`` upserts in the batch size each API accepts, so a
second push of the same list creates nothing new.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import polars as pl

from listbuilder.errors import ConfigError, InputError
from listbuilder.http.transport import RetryPolicy, make_client, run_sync, send_with_retry

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
    for row in targets.select(columns).iter_rows(named=True):
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
            value = _value(column, row.get(column), as_text=crm == "hubspot")
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
    return plan


def _value(column: str, raw: Any, *, as_text: bool) -> Any:
    if raw is None or str(raw).strip() == "":
        return None
    text = str(raw).strip()
    if column in _INTEGERS or column in _FLOATS:
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            return None
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

    def _client(self) -> httpx.AsyncClient:
        return make_client(
            secret=self.token,
            header="Authorization",
            prefix="Bearer ",
            concurrency=1,
            timeout=60.0,
            base_url=self.base,
        )

    async def _call(
        self, client: httpx.AsyncClient, method: str, url: str, what: str, **kwargs: Any
    ) -> httpx.Response | str:
        async def send() -> httpx.Response:
            self.requests += 1
            response = await client.request(method, url, **kwargs)
            await response.aread()
            return response

        outcome = await send_with_retry(send, self.policy, label=f"{self.crm} {what}")
        if outcome.response is None:
            return f"{what}: {outcome.error}"
        status = outcome.response.status_code
        if status in (401, 403):
            raise ConfigError(
                f"{self.crm} refused the token (HTTP {status}) on {what}: check the token "
                "and its permissions (companies/accounts read and write)"
            )
        if not 200 <= status < 300:
            return f"{what}: HTTP {status} {_brief(outcome.response, self.token)}"
        return outcome.response

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
        found = {}
        wanted = set(domains)
        for item in response.json().get("results", []):
            domain = str((item.get("properties") or {}).get("domain") or "").lower()
            if domain in wanted:
                found[domain] = str(item.get("id"))
        return found

    async def _sf_query(self, client: httpx.AsyncClient, domains: list[str]) -> dict[str, str]:
        quoted = ",".join("'" + d.replace("\\", "\\\\").replace("'", "\\'") + "'" for d in domains)
        soql = (
            f"SELECT Id, {self.external_id} FROM {SALESFORCE_OBJECT} "
            f"WHERE {self.external_id} IN ({quoted})"
        )
        url: str | None = f"/services/data/{SALESFORCE_API}/query?q={quote(soql, safe='')}"
        found: dict[str, str] = {}
        while url:
            response = await self._call(client, "GET", url, "query")
            if isinstance(response, str):
                raise ConfigError(f"cannot plan the push: {response}")
            data = response.json()
            for rec in data.get("records", []):
                domain = str(rec.get(self.external_id) or "").lower()
                if domain:
                    found[domain] = str(rec.get("Id"))
            url = None if data.get("done", True) else data.get("nextRecordsUrl")
        return found

    async def push(self, targets: pl.DataFrame, *, apply: bool) -> PushResult:
        async with self._client() as client:
            plan = await self._plan(client, targets)
            result = PushResult(plan=plan, applied=apply)
            if apply:
                size = BATCH_SIZES[self.crm]
                for start in range(0, len(plan.records), size):
                    batch = plan.records[start : start + size]
                    domains = plan.domains[start : start + size]
                    await self._upsert(client, batch, domains, result, start // size + 1)
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
        data = response.json()
        if self.crm == "hubspot":
            results = data.get("results", [])
            created = sum(1 for r in results if r.get("new"))
            result.created += created
            result.updated += len(results) - created
            missing = len(batch) - len(results)
            if missing > 0:
                result.failed += missing
                for err in data.get("errors", []):
                    result.errors.append((f"batch {number}", str(err.get("message", err))[:200]))
            return
        for domain, item in zip(domains, data, strict=False):
            if item.get("success"):
                if item.get("created"):
                    result.created += 1
                else:
                    result.updated += 1
            else:
                result.failed += 1
                messages = "; ".join(str(e.get("message", e)) for e in item.get("errors", []))
                result.errors.append((domain, messages[:200] or "failed"))


def _brief(response: httpx.Response, secret: str) -> str:
    text = response.text.strip().replace("\n", " ").replace(secret, "***")
    return f"({text[:160]})" if text else ""
