"""Redaction: one function that takes every known form of a secret out of a text.

A provider or a CRM may echo the key back in many shapes: as given, URL-encoded
(``sk_live%2F…``, either hex case, once or twice), JSON-escaped (``sk_live\\/…``,
``\\u002f``), HTML-escaped or base64-encoded. ``Redactor`` replaces all of them with
``***``; ``redact_json`` walks a parsed answer and redacts every string (keys too),
which also covers the escapes JSON allows, since they are decoded by then.

Every log line of ``listbuilder.http``, ``httpx`` and ``httpcore`` goes through the
secrets registered with ``register_secret`` while a command runs.
"""

from __future__ import annotations

import base64
import html
import json
import logging
import re
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "***"
LOGGERS = ("listbuilder", "listbuilder.http", "httpx", "httpcore", "httpcore.connection",
           "httpcore.http11", "httpcore.http2", "httpcore.proxy")  # fmt: skip


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), text)


def _unicode_escaped(secret: str, *, upper: bool) -> str:
    fmt = "\\u{:04X}" if upper else "\\u{:04x}"
    return "".join(c if c.isalnum() or c == "_" else fmt.format(ord(c)) for c in secret)


def secret_forms(secret: str) -> set[str]:
    """The shapes in which `secret` may come back in a body, a URL or a header."""
    forms = {secret}
    for encoded in (
        quote(secret, safe=""),
        quote(secret, safe="/"),
        quote_plus(secret),
        quote(quote(secret, safe=""), safe=""),
    ):
        forms.update({encoded, _lower_hex(encoded)})
    dumped = json.dumps(secret)[1:-1]
    forms.update({dumped, dumped.replace("/", "\\/"), json.dumps(secret, ensure_ascii=False)[1:-1]})
    forms.update({_unicode_escaped(secret, upper=False), _unicode_escaped(secret, upper=True)})
    forms.add(html.escape(secret))
    raw = secret.encode("utf-8")
    for b64 in (base64.b64encode(raw), base64.urlsafe_b64encode(raw)):
        text = b64.decode("ascii")
        forms.update({text, text.rstrip("=")})
    return {f for f in forms if f}


class Redactor:
    """Replace every form of the given secrets with `***`; a no-op without secrets."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if secret:
                forms |= secret_forms(secret)
        # Longest first, so a form that contains another is replaced whole.
        ordered = sorted(forms, key=lambda f: (-len(f), f))
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def __call__(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(MASK, text)

    def json(self, node: Any) -> Any:
        """A parsed JSON value with every string (and key) redacted."""
        if self._pattern is None:
            return node
        if isinstance(node, str):
            return self(node)
        if isinstance(node, list):
            return [self.json(v) for v in node]
        if isinstance(node, dict):
            return {self(str(k)): self.json(v) for k, v in node.items()}
        return node


# --- log lines -------------------------------------------------------------------

_lock = threading.Lock()
_secrets: dict[str, int] = {}
_current = Redactor()


class _RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        redactor = _current
        if redactor:
            message = record.getMessage()
            clean = redactor(message)
            if clean != message:
                record.msg, record.args = clean, None
        return True


_FILTER = _RedactFilter()


def register_secret(secret: str | None) -> None:
    """Redact `secret` from every log line of the HTTP loggers until `unregister_secret`."""
    global _current
    if not secret:
        return
    with _lock:
        _secrets[secret] = _secrets.get(secret, 0) + 1
        _current = Redactor(_secrets)
        for name in LOGGERS:
            logger = logging.getLogger(name)
            if _FILTER not in logger.filters:
                logger.addFilter(_FILTER)


def unregister_secret(secret: str | None) -> None:
    global _current
    if not secret:
        return
    with _lock:
        count = _secrets.get(secret, 0) - 1
        if count > 0:
            _secrets[secret] = count
        else:
            _secrets.pop(secret, None)
        _current = Redactor(_secrets)
