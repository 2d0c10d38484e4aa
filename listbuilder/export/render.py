"""Jinja environments for briefs and the report, and template errors users can act on."""

from __future__ import annotations

import re
import traceback
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache

from listbuilder.errors import TemplateError
from listbuilder.formatting import money_text, number_text
from listbuilder.resources import templates_dir as builtin_templates_dir

TEMPLATE_NAMES = ("brief.md.j2", "brief.html.j2", "index.md.j2", "index.html.j2", "report.html.j2")

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


MISSING = "–"  # what `{{ value }}` prints for None: never the word "None"


def show_html(value: Any) -> Any:
    """Finalize for HTML templates: None prints as `–`; the rest is autoescaped as usual."""
    return MISSING if value is None else value


def md_escape(value: Any) -> Any:
    """Escape Markdown syntax in text values; None prints as `–`; numbers pass through."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        return _MD_SPECIAL.sub(r"\\\1", value.replace("\r", " ").replace("\n", " "))
    return value


def fmt_num(value: Any, digits: int = 0) -> str:
    """`1234` -> `1,234`; `87.25, 1` -> `87.2`; None -> `–` (`formatting.number_text`)."""
    return number_text(value, digits)


def fmt_money(value: Any) -> str:
    """USD amounts compactly: `$12.5M`, `$850K`, `$1.2B` (`formatting.money_text`, the
    text scoring shows for the same amount)."""
    return money_text(None if value is None else float(value))


def fmt_ago(days: Any) -> str:
    """An age in days as words: `today`, `1 day ago`, `12 days ago` (`in 2 days` if ahead)."""
    if days is None:
        return ""
    n = int(days)
    if n == 0:
        return "today"
    words = f"{abs(n):,} day{'s' if abs(n) != 1 else ''}"
    return f"{words} ago" if n > 0 else f"in {words}"


def fmt_date(value: Any) -> str:
    if value is None:
        return "–"
    return value.isoformat() if isinstance(value, date) else str(value)


class _MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept for the process (keyed by file and source checksum)."""

    _store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


class Templates:
    """Loads templates from `templates_dir` (falling back to the shipped ones) and renders them.

    Markdown templates get Markdown-escaped output, HTML templates are autoescaped;
    both print None as `–` and use StrictUndefined so a misspelt variable is an error,
    not a blank. Filters: `num`, `money`, `day`, `ago` (an age in days as words).
    """

    def __init__(self, templates_dir: str | Path | None = None) -> None:
        builtin = builtin_templates_dir()
        dirs = [builtin]
        if templates_dir is not None:
            custom = Path(templates_dir)
            if not custom.is_dir():
                raise TemplateError(
                    f"templates directory {custom} does not exist: pass a folder holding "
                    f"any of {', '.join(TEMPLATE_NAMES)}"
                )
            if not any((custom / n).is_file() for n in TEMPLATE_NAMES):
                raise TemplateError(
                    f"templates directory {custom} holds none of {', '.join(TEMPLATE_NAMES)}: "
                    "name your templates like the shipped ones"
                )
            dirs.insert(0, custom)
        self.dirs = dirs
        loader = jinja2.FileSystemLoader([str(d) for d in dirs])
        common: dict[str, Any] = {
            "loader": loader,
            "undefined": jinja2.StrictUndefined,
            "keep_trailing_newline": True,
            "trim_blocks": True,
            "lstrip_blocks": True,
            "auto_reload": False,
            "bytecode_cache": _MemoryBytecodeCache(),
        }
        self.md = jinja2.Environment(autoescape=False, finalize=md_escape, **common)
        self.html = jinja2.Environment(autoescape=True, finalize=show_html, **common)
        for env in (self.md, self.html):
            env.filters.update(num=fmt_num, money=fmt_money, day=fmt_date, ago=fmt_ago)

    def _env(self, name: str) -> jinja2.Environment:
        return self.html if ".html" in name else self.md

    def get(self, name: str) -> jinja2.Template:
        """The compiled template `name`; TemplateError when missing or not valid Jinja."""
        try:
            return self._env(name).get_template(name)
        except jinja2.TemplateNotFound:
            where = " or ".join(str(d) for d in self.dirs)
            raise TemplateError(
                f"template {name} not found in {where}: add it or copy the shipped one"
            ) from None
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                f"template {exc.filename or name}, line {exc.lineno}: {exc.message}; "
                "fix the Jinja syntax there"
            ) from None

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        """Render `name`; any failure becomes a TemplateError naming the file and line."""
        template = self.get(name)
        try:
            return template.render(context)
        except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
            line = _template_line(exc, template.filename)
            message = getattr(exc, "message", None) or str(exc)
            hint = (
                f"available variables: {', '.join(sorted(context))}"
                if isinstance(exc, jinja2.UndefinedError)
                else "fix the expression there"
            )
            raise TemplateError(
                f"template {template.filename}, line {line}: {message}; {hint}"
            ) from None


def _template_line(exc: BaseException, filename: str | None) -> int | str:
    """The template line Jinja's rewritten traceback points at (the innermost one)."""
    line: int | str = "?"
    for frame in traceback.extract_tb(exc.__traceback__):
        if filename and frame.filename == filename and frame.lineno is not None:
            line = frame.lineno
    return line
