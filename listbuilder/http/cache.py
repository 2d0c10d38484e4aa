"""A persistent answer cache (stdlib sqlite3), keyed by provider and domain, with a TTL.

"Not found" is cached too: paying twice for a lookup that found nothing is the
complaint this cache exists for. Bodies are stored with any secret scrubbed out.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from listbuilder.errors import ConfigError

CACHE_FILE = "enrich-cache.sqlite"
ENV_CACHE_DIR = "LISTBUILDER_CACHE_DIR"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    provider   TEXT NOT NULL,
    domain     TEXT NOT NULL,
    fetched_at REAL NOT NULL,   -- unix seconds
    found      INTEGER NOT NULL, -- 0: the provider has no data for this domain
    body       TEXT,             -- the JSON answer, secrets scrubbed; NULL when not found
    PRIMARY KEY (provider, domain)
);
CREATE TABLE IF NOT EXISTS scrubbed (  -- providers whose stored bodies were redacted
    provider TEXT PRIMARY KEY,
    version  INTEGER NOT NULL
)
"""
SCRUB_VERSION = 1  # bump when redaction learns a new form of a secret


def default_cache_dir() -> Path:
    """``$LISTBUILDER_CACHE_DIR`` or ``~/.cache/listbuilder``."""
    env = os.environ.get(ENV_CACHE_DIR)
    return Path(env).expanduser() if env else Path.home() / ".cache" / "listbuilder"


@dataclass(frozen=True)
class CachedAnswer:
    found: bool
    body: str | None
    fetched_at: float


class AnswerCache:
    """Open (creating if needed) the cache under ``directory``; use as a context manager."""

    def __init__(self, directory: str | Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(directory).expanduser() / CACHE_FILE
        self._clock = clock
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False)  # one user at a time
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
            self._db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(
                f"{self.path}: cannot open the enrichment cache ({exc}); "
                "pass a writable --cache-dir or set LISTBUILDER_CACHE_DIR"
            ) from None
        self._pending = 0

    def __enter__(self) -> AnswerCache:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self._db.commit()
        self._db.close()

    def get(self, provider: str, domain: str, *, ttl_days: float) -> CachedAnswer | None:
        """The stored answer when younger than ``ttl_days``, else None."""
        row = self._db.execute(
            "SELECT found, body, fetched_at FROM answers WHERE provider = ? AND domain = ?",
            (provider, domain),
        ).fetchone()
        if row is None or self._clock() - row[2] > ttl_days * 86400:
            return None
        return CachedAnswer(bool(row[0]), row[1], row[2])

    def get_many(
        self, provider: str, domains: Iterable[str], *, ttl_days: float
    ) -> dict[str, CachedAnswer]:
        """Fresh answers for many domains at once (used by dry runs and planning)."""
        out: dict[str, CachedAnswer] = {}
        domains = list(domains)
        cutoff = self._clock() - ttl_days * 86400
        for start in range(0, len(domains), 500):
            chunk = domains[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT domain, found, body, fetched_at FROM answers "
                f"WHERE provider = ? AND domain IN ({marks}) AND fetched_at >= ?",
                (provider, *chunk, cutoff),
            )
            for domain, found, body, fetched_at in rows:
                out[domain] = CachedAnswer(bool(found), body, fetched_at)
        return out

    def scrub(self, provider: str, redact: Callable[[str], str]) -> int:
        """Redact, once per `SCRUB_VERSION`, the bodies an older version stored for
        `provider` (it masked the key as a literal string only); returns rows rewritten.

        Freed pages are zeroed (`secure_delete`) and the file rebuilt, so no old copy of
        the key stays on disk."""
        row = self._db.execute(
            "SELECT version FROM scrubbed WHERE provider = ?", (provider,)
        ).fetchone()
        if row is not None and row[0] >= SCRUB_VERSION:
            return 0
        changed = []
        for domain, body in self._db.execute(
            "SELECT domain, body FROM answers WHERE provider = ? AND body IS NOT NULL",
            (provider,),
        ):
            clean = redact(body)
            if clean != body:
                changed.append((clean, provider, domain))
        self._db.execute("PRAGMA secure_delete = ON")
        self._db.executemany(
            "UPDATE answers SET body = ? WHERE provider = ? AND domain = ?", changed
        )
        self._db.execute(
            "INSERT OR REPLACE INTO scrubbed (provider, version) VALUES (?, ?)",
            (provider, SCRUB_VERSION),
        )
        self._db.commit()
        if changed:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._db.execute("VACUUM")
        return len(changed)

    def put(self, provider: str, domain: str, *, found: bool, body: str | None) -> None:
        """Store an answer (replacing an older one); commits every 200 writes and on close."""
        self._db.execute(
            "INSERT OR REPLACE INTO answers (provider, domain, fetched_at, found, body) "
            "VALUES (?, ?, ?, ?, ?)",
            (provider, domain, self._clock(), int(found), body),
        )
        self._pending += 1
        if self._pending >= 200:
            self._db.commit()
            self._pending = 0
