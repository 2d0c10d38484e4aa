"""Enrichment providers declared in a TOML file, validated fully before any request.

A provider says where to ask (URL template with ``{domain}`` / ``{name}``), how to
authenticate (key from an environment variable, in a header or a query parameter),
how fast (rate limit, concurrency, timeout, retries) and which canonical fields it
fills from which JSON path of the answer. See ``docs/http.md`` for the format.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import polars as pl

from listbuilder.errors import ConfigError
from listbuilder.schema import COMPANY_SCHEMA

METHODS = ("GET", "POST")
PLACEHOLDERS = ("domain", "name")
# Every key a [[provider]] table may hold, with what it must be.
PROVIDER_KEYS: dict[str, str] = {
    "name": "a non-empty string unique in the file",
    "url": "an http(s) URL template using {domain} and/or {name}",
    "method": "GET or POST",
    "body": "a table of JSON values (strings may use {domain}/{name}), POST only",
    "key_env": "the name of the environment variable holding the API key",
    "key_header": "the header the key goes in, e.g. Authorization",
    "key_prefix": "text put before the key in the header, e.g. 'Bearer '",
    "key_param": "the query parameter the key goes in, e.g. api_key",
    "rate_limit": "requests per second, a number > 0",
    "burst": "requests allowed back to back, an integer >= 1",
    "concurrency": "requests in flight at once, an integer >= 1",
    "timeout": "seconds a whole request may take (connect, headers and body), a number > 0",
    "max_response_bytes": "the largest answer accepted, in bytes, an integer >= 1",
    "retries": "retries after the first attempt, an integer >= 0",
    "backoff": "base delay in seconds of the exponential backoff, a number >= 0",
    "max_backoff": "cap in seconds on one backoff or Retry-After wait, a number > 0",
    "cache_ttl_days": "days a cached answer stays valid, a number >= 0",
    "not_found_status": "HTTP statuses meaning 'no data', a list of integers",
    "not_found_empty": "true when an empty body, {} or [] means 'no data'",
    "fields": "a table: canonical field = JSON path, e.g. employees = 'company.metrics.size'",
}
DEFAULT_MAX_RESPONSE_BYTES = 5_000_000  # an enrichment answer is a few kB; 5 MB is generous
_PATH_RE = re.compile(r"^[^.\s]+(\.[^.\s]+)*$")


@dataclass(frozen=True)
class Provider:
    """One enrichment source: where to ask, how fast, and what it fills."""

    name: str
    url: str
    fields: Mapping[str, str]  # canonical field -> dotted JSON path
    method: str = "GET"
    body: Mapping[str, Any] | None = None
    key_env: str | None = None
    key_header: str | None = None
    key_prefix: str = ""
    key_param: str | None = None
    rate_limit: float = 5.0
    burst: int = 1
    concurrency: int = 4
    timeout: float = 10.0  # the whole request: connect + headers + body
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    retries: int = 3
    backoff: float = 0.5
    max_backoff: float = 60.0
    cache_ttl_days: float = 30.0
    not_found_status: tuple[int, ...] = (404,)
    not_found_empty: bool = True
    source: str = field(default="<inline>", compare=False)

    def api_key(self) -> str | None:
        """The key from the environment; a ConfigError naming the variable when unset."""
        if self.key_env is None:
            return None
        value = os.environ.get(self.key_env)
        if not value:
            raise ConfigError(
                f"{self.source}: provider {self.name!r} reads its key from the environment "
                f"variable {self.key_env}, which is not set; export {self.key_env}=<your key> "
                "and run again"
            )
        return value


def load_providers(path: str | Path) -> list[Provider]:
    """Read and validate a providers TOML file; raise one ConfigError listing every problem."""
    from listbuilder.profile.nesting import nesting_problem

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: providers file not found; check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the providers file ({exc})") from None
    # tomllib recurses into arrays and inline tables: measure the nesting first.
    problem = nesting_problem(text, str(path))
    if problem is not None:
        raise ConfigError(problem.replace("a profile needs 2 or 3", "a providers file needs 2"))
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the syntax") from None
    return parse_providers(data, source=str(path))


def parse_providers(data: Mapping[str, Any], *, source: str = "<inline>") -> list[Provider]:
    """Validate an already-parsed providers document (the ``[[provider]]`` array)."""
    problems: list[str] = []
    extra = sorted(set(data) - {"provider"})
    if extra:
        problems.append(f"unknown top-level key(s) {', '.join(extra)}: only [[provider]] tables")
    tables = data.get("provider")
    if not isinstance(tables, list) or not tables:
        problems.append("no [[provider]] table: declare at least one provider")
        tables = []
    providers: list[Provider] = []
    seen: set[str] = set()
    for index, table in enumerate(tables, start=1):
        if not isinstance(table, dict):
            problems.append(f"provider #{index}: must be a table")
            continue
        provider, own = _parse_provider(table, index, source)
        if provider is not None and provider.name in seen:
            own.append(f"provider {provider.name!r}: name: duplicate; give each provider its own")
        problems.extend(own)
        if provider is not None and not own:
            seen.add(provider.name)
            providers.append(provider)
    if problems:
        lines = "; ".join(problems)
        raise ConfigError(f"{source}: {len(problems)} problem(s) in the providers file: {lines}")
    return providers


# key -> (type, bound, bound allowed): the numeric keys of a [[provider]] table.
_NUMBERS: dict[str, tuple[type, float, bool]] = {
    "rate_limit": (float, 0.0, False),
    "timeout": (float, 0.0, False),
    "max_backoff": (float, 0.0, False),
    "backoff": (float, 0.0, True),
    "cache_ttl_days": (float, 0.0, True),
    "burst": (int, 1, True),
    "concurrency": (int, 1, True),
    "retries": (int, 0, True),
    "max_response_bytes": (int, 1, True),
}


@dataclass
class _Checked:
    """One [[provider]] table under validation: how problems name it, the problems found,
    and the Provider arguments read so far."""

    label: str
    kwargs: dict[str, Any]
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        self.problems.append(f"{self.label}: {text}")

    def bad(self, key: str, value: Any = None, *, missing: bool = False) -> None:
        what = "missing" if missing else f"invalid value {value!r}"
        self.problem(f"{key}: {what}; expected {PROVIDER_KEYS[key]}")


def _parse_provider(
    table: dict[str, Any], index: int, source: str
) -> tuple[Provider | None, list[str]]:
    """A Provider from one [[provider]] table, or None and every problem it has."""
    raw_name = table.get("name")
    label = (
        f"provider {raw_name!r}" if isinstance(raw_name, str) and raw_name else f"provider #{index}"
    )
    checked = _Checked(label, {"source": source})
    for key in sorted(set(table) - set(PROVIDER_KEYS)):
        checked.problem(f"unknown key {key!r}; valid keys are {', '.join(PROVIDER_KEYS)}")
    if not isinstance(raw_name, str) or not raw_name.strip():
        checked.bad("name", raw_name, missing=raw_name is None)
    else:
        checked.kwargs["name"] = raw_name.strip()
    for check in (
        _check_url,
        _check_method,
        _check_key,
        _check_numbers,
        _check_not_found,
        _check_fields,
    ):
        check(table, checked)
    if checked.problems:
        return None, checked.problems
    return Provider(**checked.kwargs), []


def _check_url(table: dict[str, Any], checked: _Checked) -> None:
    """An http(s) template using {domain}/{name}, never in the host (the key follows it)."""
    url = table.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        checked.bad("url", url, missing=url is None)
        return
    names = _template_names(url)
    if not names or any(n not in PLACEHOLDERS for n in names):
        checked.bad("url", url)
        return
    host = urlsplit(url).netloc
    if "{" in host or "}" in host:
        checked.problem(
            f"url: {{domain}} or {{name}} in the host {host!r}; "
            "the key would go to a host named by the list: put them in the path or query"
        )
    else:
        checked.kwargs["url"] = url


def _check_method(table: dict[str, Any], checked: _Checked) -> None:
    """GET or POST; a `body` table only with POST."""
    method = str(table.get("method", "GET")).upper()
    if method not in METHODS:
        checked.bad("method", table.get("method"))
    checked.kwargs["method"] = method
    if "body" in table:
        if not isinstance(table["body"], dict) or method != "POST":
            checked.bad("body", table["body"])
        else:
            checked.kwargs["body"] = table["body"]


def _check_key(table: dict[str, Any], checked: _Checked) -> None:
    """Where the API key comes from (`key_env`) and where it goes (one of `key_header`,
    `key_param`): both or neither."""
    for key in ("key_env", "key_header", "key_param"):
        if key in table:
            value = table[key]
            if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value):
                checked.bad(key, value)
            else:
                checked.kwargs[key] = value
    if "key_prefix" in table:
        if isinstance(table["key_prefix"], str):
            checked.kwargs["key_prefix"] = table["key_prefix"]
        else:
            checked.bad("key_prefix", table["key_prefix"])
    has_place = "key_header" in table or "key_param" in table
    if "key_env" in table and not has_place:
        checked.problem("key_env: set key_header or key_param to say where the key goes")
    if has_place and "key_env" not in table:
        checked.problem("key_env: missing; name the variable holding the key")
    if "key_header" in table and "key_param" in table:
        checked.problem("key_header and key_param: set only one of them")


def _check_numbers(table: dict[str, Any], checked: _Checked) -> None:
    """The limits (`_NUMBERS`): numbers, integers where counted, within their bound."""
    for key, (kind, low, inclusive) in _NUMBERS.items():
        if key not in table:
            continue
        value = table[key]
        ok_type = isinstance(value, int | float) and not isinstance(value, bool)
        if kind is int:
            ok_type = isinstance(value, int) and not isinstance(value, bool)
        if not ok_type or (value < low if inclusive else value <= low):
            checked.bad(key, value)
        else:
            checked.kwargs[key] = kind(value)


def _check_not_found(table: dict[str, Any], checked: _Checked) -> None:
    """`not_found_status` (4xx/5xx integers) and `not_found_empty` (a boolean)."""
    if "not_found_status" in table:
        value = table["not_found_status"]
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and 400 <= v <= 599 for v in value
        ):
            checked.bad("not_found_status", value)
        else:
            checked.kwargs["not_found_status"] = tuple(value)
    if "not_found_empty" in table:
        if isinstance(table["not_found_empty"], bool):
            checked.kwargs["not_found_empty"] = table["not_found_empty"]
        else:
            checked.bad("not_found_empty", table["not_found_empty"])


def _check_fields(table: dict[str, Any], checked: _Checked) -> None:
    """A non-empty table of canonical field = dotted JSON path."""
    fields = table.get("fields")
    if not isinstance(fields, dict) or not fields:
        checked.bad("fields", fields, missing=fields is None)
        return
    for canonical, path in fields.items():
        if canonical not in COMPANY_SCHEMA:
            checked.problem(
                f"fields.{canonical}: not a canonical field; use one of {', '.join(COMPANY_SCHEMA)}"
            )
        elif not isinstance(path, str) or not _PATH_RE.match(path):
            checked.problem(
                f"fields.{canonical}: invalid path {path!r}; expected a dotted "
                "JSON path such as 'company.metrics.employees' or 'tech.*.name'"
            )
    checked.kwargs["fields"] = dict(fields)


def _template_names(template: str) -> set[str] | None:
    try:
        return {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError:
        return None


# --- reading answers ---------------------------------------------------------------


def extract_path(document: Any, path: str) -> Any:
    """Follow a dotted path into parsed JSON: keys, list indexes (``0``, ``-1``) and ``*``."""
    parts = path.split(".")
    return _walk(document, parts)


def _walk(node: Any, parts: list[str]) -> Any:
    for position, part in enumerate(parts):
        if node is None:
            return None
        if part == "*":
            if not isinstance(node, list):
                return None
            rest = parts[position + 1 :]
            values = [_walk(item, rest) for item in node]
            return [v for v in values if v is not None]
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and re.fullmatch(r"-?\d+", part):
            i = int(part)
            node = node[i] if -len(node) <= i < len(node) else None
        else:
            return None
    return node


_NUMBER_RE = re.compile(r"[,\s$€£_]")


def convert_value(field_name: str, value: Any) -> Any:
    """Convert a JSON value to the canonical dtype of ``field_name``; None when it cannot."""
    if value is None or value == "" or value == []:
        return None
    dtype = COMPANY_SCHEMA[field_name]
    try:
        if dtype == pl.Int64:
            if isinstance(value, bool):
                return None
            if isinstance(value, str):
                value = float(_NUMBER_RE.sub("", value))
            number = float(value)
            return int(number) if number == number else None
        if dtype == pl.Float64:
            if isinstance(value, bool):
                return None
            if isinstance(value, str):
                value = _NUMBER_RE.sub("", value)
            number = float(value)
            return number if number == number else None
        if dtype == pl.Date:
            if isinstance(value, int | float) and not isinstance(value, bool):
                seconds = value / 1000 if value > 10**11 else value
                return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).date()
            return dt.date.fromisoformat(str(value)[:10])
        if isinstance(dtype, pl.List):
            items = value if isinstance(value, list) else re.split(r"[;,]", str(value))
            cleaned = [
                str(v).strip() for v in items if v is not None and not isinstance(v, dict | list)
            ]
            cleaned = [v for v in cleaned if v]
            return cleaned or None
        if isinstance(value, dict | list):
            return None
        text = str(value).strip()
        return text or None
    except (TypeError, ValueError, OverflowError, OSError):
        return None
