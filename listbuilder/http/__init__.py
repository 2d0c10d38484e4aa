"""Enrichment providers and CRM push over httpx.

``load_providers`` + ``enrich_companies`` fill missing fields from HTTP data
providers (waterfall, SQLite cache, rate limits, retries); ``plan_push`` +
``push_accounts`` upsert a target list into HubSpot or Salesforce by domain.
"""

from __future__ import annotations

from listbuilder.http.cache import default_cache_dir
from listbuilder.http.crm import PushPlan, PushResult, plan_push, push_accounts, read_targets
from listbuilder.http.enrich import EnrichResult, EnrichStats, ProviderStats, enrich_companies
from listbuilder.http.providers import Provider, load_providers, parse_providers

__all__ = [
    "EnrichResult",
    "EnrichStats",
    "Provider",
    "ProviderStats",
    "PushPlan",
    "PushResult",
    "default_cache_dir",
    "enrich_companies",
    "load_providers",
    "parse_providers",
    "plan_push",
    "push_accounts",
    "read_targets",
]
