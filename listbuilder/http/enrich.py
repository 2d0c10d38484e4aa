"""Fill missing fields from HTTP providers: a waterfall, cached, rate limited, retried.

For each account (one lookup per registrable ``domain``), providers are asked in
the order of the providers file, and only for fields still missing; accounts whose
wanted fields are all present are never looked up. Each filled value records the
provider that gave it in ``enriched_from``; failures land in ``enrich_error``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import polars as pl

from listbuilder.errors import ConfigError, InputError
from listbuilder.http.cache import AnswerCache, CachedAnswer, default_cache_dir
from listbuilder.http.providers import Provider, convert_value, extract_path
from listbuilder.http.redact import Redactor
from listbuilder.http.transport import (
    Answer,
    AnswerTooLarge,
    RetryPolicy,
    TokenBucket,
    fetch,
    make_client,
    origin,
    run_sync,
    send_with_retry,
)
from listbuilder.schema import COMPANY_SCHEMA

log = logging.getLogger("listbuilder.http")

LINEAGE_COLUMN = "enriched_from"  # "employees=acme; technologies=builtwith"
ERROR_COLUMN = "enrich_error"  # "acme: HTTP 500 after 4 attempt(s)"
ERRORS_SCHEMA = {"domain": pl.String(), "provider": pl.String(), "error": pl.String()}
_AUTH_STATUSES = (401, 403)


@dataclass
class ProviderStats:
    """Counts for one provider. ``planned`` is filled by dry runs only."""

    lookups: int = 0  # domains routed to this provider
    cache_hits: int = 0
    requests: int = 0  # HTTP requests sent, retries included
    retries: int = 0
    found: int = 0
    not_found: int = 0
    errors: int = 0
    filled: int = 0  # field values this provider filled (per domain)
    planned: int = 0  # dry run: requests it would receive after the cache


@dataclass
class EnrichStats:
    """Counts for one run; accounts = no_domain + complete + looked_up."""

    accounts: int = 0
    no_domain: int = 0  # missing fields but no usable domain: skipped
    complete: int = 0  # every wanted field already present: never asked
    looked_up: int = 0  # accounts with missing fields and a domain
    domains: int = 0  # distinct domains among them (one lookup each)
    enriched: int = 0  # accounts that got at least one value
    failed: int = 0  # accounts with an error recorded
    filled: dict[str, int] = field(default_factory=dict)  # field -> accounts filled
    providers: dict[str, ProviderStats] = field(default_factory=dict)
    dry_run: bool = False


@dataclass
class EnrichResult:
    companies: pl.DataFrame
    stats: EnrichStats
    errors: pl.DataFrame  # domain, provider, error


@dataclass
class _Lookup:
    values: dict[str, tuple[Any, str]] = field(default_factory=dict)  # field -> (value, provider)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (provider, error)


def enrich_companies(
    df: pl.DataFrame,
    providers: Sequence[Provider],
    *,
    cache_dir: str | Path | None,
    dry_run: bool = False,
    fields: Sequence[str] | None = None,
    rng: Callable[[], float] | None = None,
) -> EnrichResult:
    """Fill the wanted fields (default: all the providers can fill) that are null.

    ``dry_run`` sends nothing and counts, per provider, the requests a real run would
    send after the cache (an upper bound: an uncached lookup is assumed to fill nothing).
    ``cache_dir`` None means ``$LISTBUILDER_CACHE_DIR`` or ``~/.cache/listbuilder``.
    ``rng`` is the jitter source of the retry backoff (``random.random`` by default).
    """
    if not providers:
        raise ConfigError("no providers given: declare at least one [[provider]]")
    wanted = _wanted_fields(providers, fields)
    if "domain" not in df.columns:
        raise InputError(
            "the list has no 'domain' column: run normalize_companies (or give a website) "
            "before enriching"
        )
    stats = EnrichStats(accounts=df.height, dry_run=dry_run)
    stats.providers = {p.name: ProviderStats() for p in providers}
    df = df.with_columns(
        pl.lit(None, dtype=COMPANY_SCHEMA[f]).alias(f) for f in wanted if f not in df.columns
    )
    jobs = _lookup_jobs(df, wanted, stats)
    with AnswerCache(cache_dir or default_cache_dir()) as cache:
        if dry_run:
            _plan(jobs, providers, cache, stats)
            out = df.with_columns(
                pl.lit(None, pl.String).alias(LINEAGE_COLUMN),
                pl.lit(None, pl.String).alias(ERROR_COLUMN),
            )
            return EnrichResult(out, stats, pl.DataFrame(schema=ERRORS_SCHEMA))
        secrets = _load_secrets(jobs, providers, cache)
        policy_rng = rng or random.random
        results = run_sync(lambda: _run_all(jobs, providers, secrets, cache, stats, policy_rng))
    companies = _apply(df, wanted, results, stats)
    errors = _error_frame(results)
    _log_stats(stats)
    return EnrichResult(companies, stats, errors)


def _lookup_jobs(df: pl.DataFrame, wanted: list[str], stats: EnrichStats) -> list:
    """One `(domain, name, fields missing)` per usable domain with a wanted field missing,
    in domain order; counts the accounts complete, without a domain and looked up."""
    needs = df.select(
        pl.col("domain"),
        _usable_domain(df.columns).alias("__usable"),
        pl.col("name") if "name" in df.columns else pl.lit(None, pl.String).alias("name"),
        *[_missing(f).alias(f"__miss_{f}") for f in wanted],
    )
    any_missing = pl.any_horizontal(pl.col(f"__miss_{f}") for f in wanted)
    counts = needs.select(
        complete=(~any_missing).sum(),
        no_domain=(any_missing & ~pl.col("__usable")).sum(),
    ).row(0, named=True)
    stats.complete, stats.no_domain = counts["complete"], counts["no_domain"]
    todo = needs.filter(any_missing & pl.col("__usable"))
    stats.looked_up = todo.height
    per_domain = (
        todo.group_by("domain", maintain_order=True)
        .agg(pl.col("name").drop_nulls().first(), *[pl.col(f"__miss_{f}").any() for f in wanted])
        .sort("domain")
    )
    stats.domains = per_domain.height
    return [
        (row[0], row[1], [f for f, miss in zip(wanted, row[2:], strict=True) if miss])
        for row in per_domain.iter_rows()
    ]


def _load_secrets(
    jobs: list, providers: Sequence[Provider], cache: AnswerCache
) -> dict[str, str | None]:
    """The API key of each provider that may receive a request (None for the others), and
    the cache scrubbed of each key (what older versions stored)."""
    # Only providers that may receive a request need their key: a re-run served
    # entirely by the cache works without any key in the environment.
    planned = EnrichStats(providers={p.name: ProviderStats() for p in providers})
    _plan(jobs, providers, cache, planned)
    secrets = {
        p.name: p.api_key() if planned.providers[p.name].planned else None for p in providers
    }
    for p in providers:
        if secrets[p.name]:
            cache.scrub(p.name, Redactor([secrets[p.name]]))  # what older versions stored
    return secrets


def _error_frame(results: dict[str, _Lookup]) -> pl.DataFrame:
    """`domain, provider, error`: every failed lookup, in domain order."""
    error_rows = [
        (domain, provider, error)
        for domain in sorted(results)
        for provider, error in results[domain].errors
    ]
    return pl.DataFrame(error_rows, schema=ERRORS_SCHEMA, orient="row")


def _log_stats(stats: EnrichStats) -> None:
    for name, ps in stats.providers.items():
        log.info(
            "provider %s: %d lookups, %d cached, %d requests, %d found, %d not found, %d errors",
            name,
            ps.lookups,
            ps.cache_hits,
            ps.requests,
            ps.found,
            ps.not_found,
            ps.errors,
        )


def _wanted_fields(providers: Sequence[Provider], fields: Sequence[str] | None) -> list[str]:
    fillable = {f for p in providers for f in p.fields}
    if fields is None:
        return [f for f in COMPANY_SCHEMA if f in fillable]
    unknown = [f for f in fields if f not in fillable]
    if unknown:
        raise ConfigError(
            f"no provider fills {', '.join(unknown)}: ask for fields among "
            f"{', '.join(f for f in COMPANY_SCHEMA if f in fillable)}"
        )
    return [f for f in COMPANY_SCHEMA if f in set(fields)]


def _usable_domain(columns: Sequence[str]) -> pl.Expr:
    """A domain that identifies the company (not null, not linkedin.com and the like)."""
    from listbuilder.normalize.domains import PLATFORM_DOMAINS

    usable = pl.col("domain").is_not_null() & (pl.col("domain").str.strip_chars() != "")
    usable = usable & ~pl.col("domain").is_in(sorted(PLATFORM_DOMAINS))
    if "domain_is_platform" in columns:
        usable = usable & ~pl.col("domain_is_platform").fill_null(False)
    return usable


def _missing(name: str) -> pl.Expr:
    dtype = COMPANY_SCHEMA[name]
    col = pl.col(name)
    if isinstance(dtype, pl.List):
        return col.is_null() | (col.list.len() == 0)
    if dtype == pl.String:
        return col.is_null() | (col.str.strip_chars() == "")
    return col.is_null()


def _plan(
    jobs: list, providers: Sequence[Provider], cache: AnswerCache, stats: EnrichStats
) -> None:
    """Dry run: walk the waterfall on cached answers only, counting the rest as requests."""
    missing = {domain: set(need) for domain, _, need in jobs}
    for p in providers:
        asked = [d for d, need in missing.items() if need & set(p.fields)]
        ps = stats.providers[p.name]
        ps.lookups = len(asked)
        cached = cache.get_many(p.name, asked, ttl_days=p.cache_ttl_days)
        ps.cache_hits = len(cached)
        ps.planned = len(asked) - len(cached)
        for domain, answer in cached.items():
            for f in _values_from(p, answer, missing[domain]):
                missing[domain].discard(f)


def _values_from(
    p: Provider, answer: CachedAnswer, want: set[str], redact: Redactor | None = None
) -> dict[str, Any]:
    if not answer.found or answer.body is None:
        return {}
    try:
        document = json.loads(answer.body)
    except ValueError:
        return {}
    if redact:  # bodies are stored redacted; this also cleans what an older version stored
        document = redact.json(document)
    values = {}
    for f in sorted(want & set(p.fields)):
        value = convert_value(f, extract_path(document, p.fields[f]))
        if value is not None:
            values[f] = value
    return values


async def _run_all(
    jobs: list,
    providers: Sequence[Provider],
    secrets: dict[str, str | None],
    cache: AnswerCache,
    stats: EnrichStats,
    rng: Callable[[], float],
) -> dict[str, _Lookup]:
    async with AsyncExitStack() as stack:
        askers = {}
        for p in providers:
            client = make_client(
                secret=secrets[p.name],
                header=p.key_header,
                prefix=p.key_prefix,
                param=p.key_param,
                concurrency=p.concurrency,
                timeout=p.timeout,
                allowed=origin(p.url),
            )
            await stack.enter_async_context(client)
            askers[p.name] = _Asker(p, client, secrets[p.name], cache, stats.providers[p.name], rng)
        results: dict[str, _Lookup] = {}

        async def waterfall(domain: str, name: str | None, need: list[str]) -> None:
            missing = set(need)
            lookup = _Lookup()
            for p in providers:
                want = missing & set(p.fields)
                if not want:
                    continue
                answer, error = await askers[p.name].ask(domain, name)
                if error is not None:
                    lookup.errors.append((p.name, error))
                    continue
                assert answer is not None
                for f, value in _values_from(p, answer, want, askers[p.name].redact).items():
                    lookup.values[f] = (value, p.name)
                    missing.discard(f)
                    stats.providers[p.name].filled += 1
                if not missing:
                    break
            results[domain] = lookup

        await asyncio.gather(*(waterfall(*job) for job in jobs))
    return results


class _Disabled(Exception):
    """Raised inside a send when the provider was disabled while it waited."""


class _Asker:
    """One provider's client, limits and cache: turns a domain into an answer or an error."""

    def __init__(
        self,
        p: Provider,
        client: httpx.AsyncClient,
        secret: str | None,
        cache: AnswerCache,
        stats: ProviderStats,
        rng: Callable[[], float],
    ) -> None:
        self.p, self.client, self.secret, self.cache, self.stats = p, client, secret, cache, stats
        self.bucket = TokenBucket(p.rate_limit, p.burst)
        self.slots = asyncio.Semaphore(p.concurrency)
        self.policy = RetryPolicy(p.retries, p.backoff, p.max_backoff, rng)
        self.disabled: str | None = None  # set after an authentication failure
        self.redact = Redactor([secret])

    async def ask(self, domain: str, name: str | None) -> tuple[CachedAnswer | None, str | None]:
        """The answer about `domain` (the cache's, else the provider's), or why there is none."""
        p, stats = self.p, self.stats
        stats.lookups += 1
        cached = self.cache.get(p.name, domain, ttl_days=p.cache_ttl_days)
        if cached is not None:
            stats.cache_hits += 1
            self._count(cached)
            return cached, None
        if self.disabled:
            stats.errors += 1
            return None, self.disabled
        url = p.url.format(domain=quote(domain, safe=""), name=quote(name or "", safe=""))
        body = _format_body(p.body, domain, name) if p.body is not None else None
        try:
            outcome = await send_with_retry(
                lambda: self._send(url, body), self.policy, label=f"{p.name} {domain}"
            )
        except _Disabled:
            stats.errors += 1
            return None, self.disabled
        except AnswerTooLarge as exc:
            stats.errors += 1
            return None, (
                f"answer over {exc.limit:,} bytes (max_response_bytes), dropped and not cached"
            )
        stats.retries += outcome.attempts - 1
        if outcome.response is None:
            stats.errors += 1
            return None, self.redact(outcome.error or "no answer")
        return self._read(domain, outcome.response)

    async def _send(self, url: str, body: Any) -> Answer:
        """One request, within the provider's concurrency and rate limit."""
        async with self.slots:
            if self.disabled:  # another lookup failed authentication meanwhile
                raise _Disabled
            await self.bucket.acquire()
            self.stats.requests += 1
            return await fetch(
                self.client,
                self.p.method,
                url,
                deadline=self.p.timeout,
                max_bytes=self.p.max_response_bytes,
                json=body,
            )

    def _read(self, domain: str, response: Answer) -> tuple[CachedAnswer | None, str | None]:
        """A final answer as found / not found (both cached), or an error (not cached); an
        authentication failure disables the provider for the rest of the run."""
        p, stats = self.p, self.stats
        status = response.status_code
        if status in p.not_found_status:
            return self._store(domain, found=False, body=None), None
        if not 200 <= status < 300:
            stats.errors += 1
            error = f"HTTP {status}"
            if status in _AUTH_STATUSES:
                self.disabled = f"HTTP {status} (provider disabled after an authentication failure)"
            return None, error
        text = response.text
        try:
            document = json.loads(text) if text.strip() else None
        except ValueError:
            stats.errors += 1
            return None, "the answer is not JSON"
        if p.not_found_empty and document in (None, {}, []):
            return self._store(domain, found=False, body=None), None
        if self.redact:
            # Redact the decoded document (JSON escapes such as \/ are gone by then) and
            # store it re-encoded: no form of the key reaches the cache.
            text = json.dumps(self.redact.json(document), ensure_ascii=False)
        return self._store(domain, found=True, body=text), None

    def _store(self, domain: str, *, found: bool, body: str | None) -> CachedAnswer:
        self.cache.put(self.p.name, domain, found=found, body=body)
        answer = CachedAnswer(found, body, 0.0)
        self._count(answer)
        return answer

    def _count(self, answer: CachedAnswer) -> None:
        if answer.found:
            self.stats.found += 1
        else:
            self.stats.not_found += 1


def _format_body(template: Any, domain: str, name: str | None) -> Any:
    if isinstance(template, str):
        return template.format(domain=domain, name=name or "")
    if isinstance(template, dict):
        return {k: _format_body(v, domain, name) for k, v in template.items()}
    if isinstance(template, list):
        return [_format_body(v, domain, name) for v in template]
    return template


def _apply(
    df: pl.DataFrame, wanted: list[str], results: dict[str, _Lookup], stats: EnrichStats
) -> pl.DataFrame:
    """Join the answers on ``domain`` and fill only the cells that were missing."""
    domains = sorted(results)
    columns: dict[str, pl.Series] = {"domain": pl.Series("domain", domains, pl.String)}
    for f in wanted:
        got = [results[d].values.get(f) for d in domains]
        columns[f"__new_{f}"] = pl.Series(
            [g[0] if g else None for g in got], dtype=COMPANY_SCHEMA[f]
        )
        columns[f"__src_{f}"] = pl.Series([g[1] if g else None for g in got], dtype=pl.String)
    columns["__error"] = pl.Series(
        ["; ".join(f"{p}: {e}" for p, e in results[d].errors) or None for d in domains],
        dtype=pl.String,
    )
    answers = pl.DataFrame(columns)
    joined = df.with_row_index("__row").join(answers, on="domain", how="left").sort("__row")
    filled = {f: _missing(f) & pl.col(f"__new_{f}").is_not_null() for f in wanted}
    joined = joined.with_columns(
        *[
            pl.when(filled[f]).then(pl.col(f"__new_{f}")).otherwise(pl.col(f)).alias(f)
            for f in wanted
        ],
        pl.concat_str(
            [pl.when(filled[f]).then(pl.lit(f"{f}=") + pl.col(f"__src_{f}")) for f in wanted],
            separator="; ",
            ignore_nulls=True,
        ).alias("__lineage"),
        *[filled[f].alias(f"__filled_{f}") for f in wanted],
    )
    for f in wanted:
        stats.filled[f] = int(joined[f"__filled_{f}"].sum())
    stats.enriched = int((joined["__lineage"] != "").sum())
    stats.failed = int(joined["__error"].is_not_null().sum())
    out = joined.with_columns(
        pl.when(pl.col("__lineage") != "").then(pl.col("__lineage")).alias(LINEAGE_COLUMN),
        pl.col("__error").alias(ERROR_COLUMN),
    )
    return out.select(
        [c for c in df.columns if c not in (LINEAGE_COLUMN, ERROR_COLUMN)]
        + [LINEAGE_COLUMN, ERROR_COLUMN]
    )
