"""The HTTP plumbing shared by enrichment and CRM push.

- ``TokenBucket``: an asyncio rate limiter (requests per second, a small burst).
- ``SecretTransport``: adds the API key at the transport layer, so the key never
  sits on the request objects httpx logs (``HTTP Request: GET <url>``), and only to
  requests for the configured host: a request elsewhere is refused, never sent.
- ``fetch``: one request under a whole-request deadline (connect, headers and body,
  which httpx's per-read timeout does not bound) and a cap on the answer's size.
- ``send_with_retry``: retries timeouts, transport errors, 429 and 5xx with
  exponential backoff and jitter, honouring ``Retry-After``; never other 4xx.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import email.utils
import functools
import json
import logging
import random
import ssl
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from listbuilder.errors import ListbuilderError
from listbuilder.http.redact import register_secret, unregister_secret

log = logging.getLogger("listbuilder.http")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
T = TypeVar("T")


def run_sync(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from sync code, even inside a running loop (Jupyter)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


class TokenBucket:
    """Allow ``rate`` acquisitions per second with at most ``burst`` back to back.

    Callers reserve a token (the balance may go negative) and sleep until it is due,
    so waiting callers are served in order and the rate holds exactly.
    """

    def __init__(
        self,
        rate: float,
        burst: int = 1,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.rate = float(rate)
        self.burst = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._last = clock()

    async def acquire(self) -> None:
        """Take one token, sleeping until the rate allows it."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        self._tokens -= 1.0
        if self._tokens < 0:
            await self._sleep(-self._tokens / self.rate)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry; ``rng`` makes the jitter reproducible in tests."""

    retries: int = 3
    backoff: float = 0.5
    max_backoff: float = 60.0
    rng: Callable[[], float] = random.random
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Wait before retry number ``attempt`` (1-based): Retry-After wins, else backoff."""
        if retry_after is not None:
            return min(retry_after, self.max_backoff)
        base = min(self.max_backoff, self.backoff * (2 ** (attempt - 1)))
        return base * (0.5 + self.rng() / 2)  # "equal jitter": between base/2 and base


class ForeignHostError(ListbuilderError):
    """A request carrying a credential was aimed at a host other than the configured one."""


class AnswerTooLarge(Exception):  # noqa: N818 (a condition of the answer, like httpx's)
    """The answer is over the size limit; it is dropped unread, not retried, not cached."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"answer over {limit:,} bytes")
        self.size, self.limit = size, limit


class DeadlineExceeded(httpx.TimeoutException):  # noqa: N818
    """The whole request (connect, headers, body) did not finish within its deadline."""


@dataclass
class Answer:
    """A complete HTTP answer, read within the deadline and the size limit."""

    status_code: int
    headers: httpx.Headers
    content: bytes
    charset: str | None = None

    @property
    def text(self) -> str:
        return self.content.decode(self.charset or "utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.text)


async def fetch(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    deadline: float,
    max_bytes: int,
    **kwargs: Any,
) -> Answer:
    """Send one request and read its answer whole, within `deadline` seconds in total.

    Raises `DeadlineExceeded` (a timeout, retried like one) when the server is too slow,
    even if it trickles a byte a second, and `AnswerTooLarge` as soon as the declared or
    received (decoded) size passes `max_bytes`.
    """

    async def exchange() -> Answer:
        async with client.stream(method, url, **kwargs) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise AnswerTooLarge(int(declared), max_bytes)
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise AnswerTooLarge(size, max_bytes)
                chunks.append(chunk)
            return Answer(response.status_code, response.headers, b"".join(chunks),
                          response.charset_encoding)  # fmt: skip

    try:
        return await asyncio.wait_for(exchange(), deadline)
    except TimeoutError:
        raise DeadlineExceeded(f"no complete answer within {deadline:g}s") from None


@dataclass
class Outcome:
    """What came back after retries: an answer, or an error label (never a URL or key)."""

    response: Answer | None
    error: str | None
    attempts: int


async def send_with_retry(
    send: Callable[[], Awaitable[Answer]],
    policy: RetryPolicy,
    *,
    label: str,
    before_attempt: Callable[[], Awaitable[None]] | None = None,
) -> Outcome:
    """Call ``send`` until it gives a final answer; retry timeouts, 429 and 5xx."""
    attempt = 0
    while True:
        attempt += 1
        if before_attempt is not None:
            await before_attempt()
        retry_after: float | None = None
        try:
            response = await send()
        except httpx.TimeoutException:  # a phase's timeout, or the whole-request deadline
            error = "timeout"
        except httpx.TransportError as exc:
            error = f"connection error ({type(exc).__name__})"
        else:
            if response.status_code not in RETRY_STATUSES:
                return Outcome(response, None, attempt)
            error = f"HTTP {response.status_code}"
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if attempt > policy.retries:
            log.info("%s: %s, giving up after %d attempt(s)", label, error, attempt)
            return Outcome(None, f"{error} after {attempt} attempt(s)", attempt)
        wait = policy.delay(attempt, retry_after)
        log.info("%s: %s, retry %d in %.2fs", label, error, attempt, wait)
        await policy.sleep(wait)


def origin(url: str | httpx.URL) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL, the port made explicit for http and https."""
    u = httpx.URL(url)
    port = u.port or {"http": 80, "https": 443}.get(u.scheme)
    return (u.scheme, u.host.lower(), port)


class SecretTransport(httpx.AsyncBaseTransport):
    """Wrap a transport and add the secret only for the duration of the send.

    httpx logs ``request.url`` after the transport returns; the URL is restored by
    then, so a key passed as a query parameter never reaches a log line. With
    ``allowed`` set, a request for any other (scheme, host, port) is refused with
    ``ForeignHostError`` before anything is sent: the key goes to one host only.
    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        secret: str | None,
        header: str | None = None,
        prefix: str = "",
        param: str | None = None,
        allowed: tuple[str, str, int | None] | None = None,
    ) -> None:
        self._inner = inner
        self._secret = secret
        self._header = header
        self._prefix = prefix
        self._param = param
        self._allowed = allowed
        register_secret(secret)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self._secret:
            return await self._inner.handle_async_request(request)
        if self._allowed is not None and origin(request.url) != self._allowed:
            scheme, host, port = self._allowed
            raise ForeignHostError(
                f"refused to send the credential to {request.url.host}: it only goes to "
                f"{scheme}://{host}:{port}"
            )
        original_url = request.url
        if self._param:
            request.url = original_url.copy_add_param(self._param, self._secret)
        if self._header:
            request.headers[self._header] = f"{self._prefix}{self._secret}"
        try:
            return await self._inner.handle_async_request(request)
        finally:
            request.url = original_url
            if self._header:
                del request.headers[self._header]

    async def aclose(self) -> None:
        unregister_secret(self._secret)
        await self._inner.aclose()


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """Built once per process: loading the CA bundle costs ~0.1 s per client otherwise."""
    return httpx.create_ssl_context()


def make_client(
    *,
    secret: str | None,
    header: str | None = None,
    prefix: str = "",
    param: str | None = None,
    concurrency: int = 10,
    timeout: float = 30.0,
    base_url: str = "",
    allowed: tuple[str, str, int | None] | None = None,
) -> httpx.AsyncClient:
    """An AsyncClient whose pool matches ``concurrency`` and whose key is added late,
    only for ``allowed`` (default: the host of ``base_url``, when given)."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    inner = httpx.AsyncHTTPTransport(limits=limits, verify=_ssl_context())
    if allowed is None and base_url:
        allowed = origin(base_url)
    transport = SecretTransport(
        inner, secret=secret, header=header, prefix=prefix, param=param, allowed=allowed
    )
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(timeout),
        base_url=base_url,
        headers={"User-Agent": "listbuilder", "Accept": "application/json"},
        follow_redirects=False,  # a redirect is an answer: never re-sent with the key
        trust_env=False,
    )
